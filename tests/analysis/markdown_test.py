"""How the report prints numbers and writes its document."""

import os
import unittest

from analysis import markdown
from tests.analysis import fixtures


class FormatTest(unittest.TestCase):
    def test_fixed_digits_ints_and_missing_values(self):
        self.assertEqual(markdown.fmt(0.80123), "0.8012")
        self.assertEqual(markdown.fmt(2.25, 1), "2.2")
        self.assertEqual(markdown.fmt(7), "7")
        self.assertEqual(markdown.fmt(None), "n/a")
        self.assertEqual(markdown.fmt(float("nan")), "n/a")

    def test_mean_and_sample_sd_over_seeds(self):
        # 0.7 and 0.8: mean 0.75; the sample sd is 0.0707 (the population sd would be 0.05).
        self.assertEqual(markdown.fmt_mean_sd([0.7, 0.8]), "0.7500 ± 0.0707 (n=2)")
        self.assertEqual(markdown.fmt_mean_sd([0.7]), "0.7000 (n=1)")
        self.assertEqual(markdown.fmt_mean_sd([]), "n/a")


class DocumentTest(unittest.TestCase):
    def test_tables_figures_and_an_atomic_write(self):
        out = fixtures.tmpdir()
        doc = markdown.Document(out)
        doc.add("# Title", "")
        doc.table(["a", "b"], [[1, "x"]])
        png = doc.figure_path("f") + ".png"
        doc.figure(png, "A figure")
        path = doc.write("r.md")
        with open(path) as handle:
            text = handle.read()
        self.assertEqual(
            text, "# Title\n\n| a | b |\n|---|---|\n| 1 | x |\n\n![A figure](figures/f.png)\n\n*A figure*\n"
        )
        self.assertEqual(doc.figures, [png])
        self.assertEqual(sorted(os.listdir(out)), ["figures", "r.md"])  # no temporary file left


if __name__ == "__main__":
    unittest.main()
