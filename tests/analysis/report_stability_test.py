"""analysis/report_stability.py: BatchNorm's lr50 over the baseline's, for each kind of bound."""

import unittest

from analysis import report_stability
from analysis.stability import Lr50


class RatioTextTest(unittest.TestCase):
    def test_each_kind(self):
        baseline = Lr50("fit", value=32.0, low=28.0, high=40.0)
        self.assertEqual(report_stability.ratio_text(Lr50("fit", value=160.0), baseline)[:4], "5.0x")
        self.assertTrue(report_stability.ratio_text(Lr50("above", value=300.0), baseline).startswith("more than 7.5x"))
        # between x100 and x300: 100/40 = 2.5 to 300/28 = 10.7
        self.assertTrue(
            report_stability.ratio_text(Lr50("step", 300.0, 100.0, 300.0), baseline).startswith("2.5x to 10.7x")
        )
        self.assertIsNone(report_stability.ratio_text(Lr50("open", value=30.0), baseline))
        self.assertIsNone(report_stability.ratio_text(Lr50("fit", value=160.0), Lr50("above", value=100.0)))


if __name__ == "__main__":
    unittest.main()
