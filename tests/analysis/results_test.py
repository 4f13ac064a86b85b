"""The results folder: what is missing, and optional files read as empty."""

import unittest

from analysis import results
from tests.analysis import fixtures


class ResultsTest(unittest.TestCase):
    def test_missing_csvs_and_optional_files(self):
        data = fixtures.tmpdir()
        fixtures.write(data, "q1_conv1x1.csv", "a,b\n1,2\n")
        r = results.Results(data)
        self.assertNotIn("q1_conv1x1.csv", r.missing)
        self.assertEqual(len(r.missing), len(results.EXPECTED) - 1)
        self.assertTrue(r.has("q1_conv1x1.csv"))
        self.assertFalse(r.has("q1_conv1x1.csv", "q4_summary.csv"))
        self.assertEqual(r.rows("q1_conv1x1.csv"), [{"a": "1", "b": "2"}])
        self.assertEqual(r.rows("keras_reference.csv"), [])
        self.assertEqual(r.collapse_rows(), [])
        self.assertIsNone(r.manifest("q4_bn_sweep"))


if __name__ == "__main__":
    unittest.main()
