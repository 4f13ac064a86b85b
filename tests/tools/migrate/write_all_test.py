"""tools/migrate/write_all.py: all the files or none."""

import os
import tempfile
import unittest

from tools.migrate.write_all import write_all


class WriteAllTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))

    def test_every_file_is_written(self):
        a, b = os.path.join(self.root, "a.csv"), os.path.join(self.root, "b.json")
        with open(a, "w") as handle:
            handle.write("old\n")
        self.assertEqual(sorted(write_all({a: "x,y\n", b: "{}\n"})), [a, b])
        with open(a) as handle:
            self.assertEqual(handle.read(), "x,y\n")
        self.assertEqual(sorted(os.listdir(self.root)), ["a.csv", "b.json"])  # no temporary file left

    def test_a_failed_write_changes_nothing(self):
        a = os.path.join(self.root, "a.csv")
        with open(a, "w") as handle:
            handle.write("old\n")
        with self.assertRaises(OSError):
            write_all({a: "new\n", os.path.join(self.root, "no_such_folder", "b.csv"): "x\n"})
        with open(a) as handle:
            self.assertEqual(handle.read(), "old\n")
        self.assertEqual(os.listdir(self.root), ["a.csv"])


if __name__ == "__main__":
    unittest.main()
