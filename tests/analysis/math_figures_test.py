"""The Q1/Q2 figures draw exactly what the CSVs say."""

import math
import os
import tempfile
import unittest

from analysis import math_figures

Q1_CSV = """c_in,c_out,weight_kind,has_bias,max_abs_diff,equivalent,predicted,predicted_scalar
1,1,random,false,0,true,true,0.5
3,3,random,true,2.5,false,false,
2,3,random,false,,false,false,
"""

Q2_CSV = """\
case,n,d,min_eigenvalue,max_eigenvalue,eigenvalue_tolerance,fd_rel_error,autograd_rel_error,jensen_violations,psd
random,200,5,19.05,51.3,3e-12,2e-11,2e-16,0,true
n_less_than_d,10,50,-2e-15,12.2,8e-12,9e-11,6e-16,0,true
"""


class MathFiguresTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as handle:
            handle.write(text)
        return path

    def test_q1_bars_are_the_csv_values(self):
        png, data = math_figures.q1_condition_figure(self.write("q1.csv", Q1_CSV), os.path.join(self.dir, "q1"))
        self.assertTrue(os.path.getsize(png) > 0)
        self.assertTrue(os.path.exists(os.path.join(self.dir, "q1.svg")))
        self.assertEqual(data["values"][:2], [0.0, 2.5])
        self.assertTrue(math.isnan(data["values"][2]))
        self.assertEqual(data["labels"][1], "3->3 random+b")
        widths = [bar.get_width() for bar in data["bars"]]
        self.assertEqual(widths[1], 2.5)

    def test_q2_ranges_are_the_csv_values(self):
        png, data = math_figures.q2_eigenvalue_figure(self.write("q2.csv", Q2_CSV), os.path.join(self.dir, "q2"))
        self.assertTrue(os.path.getsize(png) > 0)
        self.assertEqual(data["cases"], ["random", "n_less_than_d"])
        self.assertEqual(data["lows"], [19.05, -2e-15])
        self.assertEqual(data["highs"], [51.3, 12.2])


if __name__ == "__main__":
    unittest.main()
