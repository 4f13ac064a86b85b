"""Every mutation of the mutation check still applies to the code it edits (its text occurs once),
so that an edit of the code cannot silently shrink the check; and the runner's bookkeeping."""

import os
import unittest

from tools.mutation import mutate
from tools.mutation.mutations import MUTATIONS


class MutationsTest(unittest.TestCase):
    def test_every_mutation_applies_once_and_changes_the_code(self):
        for m in MUTATIONS:
            with self.subTest(m.id):
                with open(m.path) as handle:
                    self.assertIsNone(mutate.check_applies(m, handle.read()))
                self.assertNotEqual(m.find, m.replace)
                self.assertTrue(m.tests and all(t.startswith("//tests/") for t in m.tests), m.tests)
                self.assertTrue(m.why)

    def test_the_list_is_long_and_its_ids_unique(self):
        self.assertGreaterEqual(len(MUTATIONS), 25)
        ids = [m.id for m in MUTATIONS]
        self.assertEqual(len(ids), len(set(ids)))
        # Both the C++ libraries and the report's Python are covered.
        self.assertTrue(any(m.path.startswith("lib/") for m in MUTATIONS))
        self.assertTrue(any(m.path.startswith("analysis/") for m in MUTATIONS))

    def test_a_stale_mutation_is_named(self):
        m = MUTATIONS[0]
        self.assertIn(f"mutation {m.id}: its text occurs 0 times in {m.path}", mutate.check_applies(m, ""))
        self.assertIn("occurs 2 times", mutate.check_applies(m, m.find + m.find))

    def test_sync_copies_the_tree_and_drops_what_is_gone(self):
        # The scratch copy mirrors the work tree: a file left from an earlier sync is removed.
        scratch = os.path.join(os.environ.get("TEST_TMPDIR", "/tmp"), "scratch")
        os.makedirs(os.path.join(scratch, "old"), exist_ok=True)
        with open(os.path.join(scratch, "old", "gone.txt"), "w") as handle:
            handle.write("x")
        root = os.path.join(os.environ.get("TEST_TMPDIR", "/tmp"), "root")
        os.makedirs(os.path.join(root, "lib"), exist_ok=True)
        with open(os.path.join(root, "lib", "a.cc"), "w") as handle:
            handle.write("int a;")

        def listed(*args, **kwargs):  # what `git ls-files -z` would print
            return type("R", (), {"stdout": b"lib/a.cc\0reports/data/x.csv\0"})()

        original = mutate.subprocess.run
        mutate.subprocess.run = listed
        try:
            mutate.sync_tree(root, scratch)
        finally:
            mutate.subprocess.run = original
        self.assertTrue(os.path.isfile(os.path.join(scratch, "lib", "a.cc")))
        self.assertFalse(os.path.exists(os.path.join(scratch, "old", "gone.txt")))
        self.assertFalse(os.path.exists(os.path.join(scratch, "reports", "data", "x.csv")))


if __name__ == "__main__":
    unittest.main()
