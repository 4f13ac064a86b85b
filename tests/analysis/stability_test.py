"""analysis/stability.py and its figure: lr50 and Fisher's test against known answers, on hand-made rows."""

import math
import os
import unittest

from analysis import stability
from analysis import stability_figure
from tests.analysis import fixtures


def row(arm, m, seed, collapsed, precision="fp32", threads=1, epochs=1, val_acc=None):
    return {
        "run_id": f"{arm}_lr{m * 1e-4:g}_seed{seed}_{precision}_t{threads}_e{epochs}",
        "init": "keras",
        "arm": arm,
        "lr_multiplier": f"{m:g}",
        "seed": str(seed),
        "epochs": str(epochs),
        "train_images": "50000",
        "final_val_acc": val_acc or ("0.1" if collapsed else "0.5"),
        "majority_class_share": "1" if collapsed else "0.2",
        "collapsed": "true" if collapsed else "false",
        "diverged": "false",
        "precision": precision,
    }


def logistic_rows(a, b, multipliers, n):
    """n runs per multiplier, of which round(n * p) collapsed, p = 1 / (1 + exp(-(a + b ln m)))."""
    rows = []
    for m in multipliers:
        k = round(n / (1 + math.exp(-(a + b * math.log(m)))))
        rows += [row("baseline", m, s, s < k) for s in range(n)]
    return rows


class StabilityTest(unittest.TestCase):
    def test_lr50_of_a_known_logistic(self):
        # lr50 = exp(-a/b) = 30, slope 4; with 2,000 runs a cell the fit recovers it closely.
        b = 4.0
        a = -b * math.log(30)
        rows = logistic_rows(a, b, [5, 10, 20, 30, 40, 60, 100], 2000)
        curve = stability.curves(stability.cells(rows))[("baseline", "fp32", 1)]
        fit = stability.fit_lr50(curve)
        self.assertEqual(fit.kind, "fit")
        self.assertAlmostEqual(fit.value, 30.0, delta=0.3)
        self.assertAlmostEqual(fit.slope, b, delta=0.1)
        self.assertLess(fit.low, fit.value)
        self.assertGreater(fit.high, fit.value)
        self.assertLess(fit.high / fit.low, 1.1)  # 14,000 runs: a narrow interval
        self.assertAlmostEqual(stability.fitted_rate(fit, fit.value), 0.5)

    def test_the_interval_widens_with_fewer_seeds(self):
        b = 3.0
        a = -b * math.log(25)
        wide = stability.fit_lr50(
            stability.curves(stability.cells(logistic_rows(a, b, [10, 20, 30, 50], 10)))[("baseline", "fp32", 1)]
        )
        narrow = stability.fit_lr50(
            stability.curves(stability.cells(logistic_rows(a, b, [10, 20, 30, 50], 1000)))[("baseline", "fp32", 1)]
        )
        self.assertGreater(wide.high / wide.low, narrow.high / narrow.low)
        self.assertTrue(wide.low < 25 < wide.high)

    def test_bounds_where_no_slope_can_be_fitted(self):
        never = [row("bn", m, s, False) for m in (30, 100, 300) for s in range(5)]
        fit = stability.fit_lr50(stability.curves(stability.cells(never))[("bn", "fp32", 1)])
        self.assertEqual((fit.kind, fit.value, fit.n), ("above", 300, 15))
        always = [row("baseline", m, s, True) for m in (50, 100) for s in range(3)]
        self.assertEqual(
            stability.fit_lr50(stability.curves(stability.cells(always))[("baseline", "fp32", 1)]).kind, "below"
        )
        step = [row("baseline", 10, s, False) for s in range(4)] + [row("baseline", 50, s, True) for s in range(4)]
        fit = stability.fit_lr50(stability.curves(stability.cells(step))[("baseline", "fp32", 1)])
        self.assertEqual((fit.kind, fit.low, fit.high, fit.value), ("step", 10, 50, None))
        # Quasi-separation: one mixed cell between cells that never and always collapsed.
        quasi = step + [row("baseline", 30, s, s < 2) for s in range(4)]
        fit = stability.fit_lr50(stability.curves(stability.cells(quasi))[("baseline", "fp32", 1)])
        self.assertEqual((fit.kind, fit.low, fit.high, fit.value), ("step", 10, 50, 30))

    def test_fisher_against_a_hand_value(self):
        # 5 of 10 against 0 of 10: P(5 in the first | 5 of 20) = C(10,5)/C(20,5) = 252/15504, both tails.
        cells = stability.cells(
            [row("baseline", 30, s, s < 5) for s in range(10)]
            + [row("baseline", 30, s, False, precision="bf16") for s in range(10)]
        )
        p = stability.fisher_p(cells[("baseline", "fp32", 1, 30.0)], cells[("baseline", "bf16", 1, 30.0)])
        self.assertAlmostEqual(p, 2 * 252 / 15504, places=10)

    def test_cells_keep_numerics_and_protocols_apart(self):
        rows = [
            row("baseline", 30, 0, True),
            row("baseline", 30, 1, False, threads=2),
            row("baseline", 30, 2, False, precision="bf16"),
            row("baseline", 30, 3, True, epochs=3),  # another protocol: not counted
        ]
        cells = stability.cells(rows)
        self.assertEqual(
            sorted(cells), [("baseline", "bf16", 1, 30.0), ("baseline", "fp32", 1, 30.0), ("baseline", "fp32", 2, 30.0)]
        )
        self.assertEqual(cells[("baseline", "fp32", 1, 30.0)].n, 1)
        with self.assertRaises(ValueError):
            stability.threads_of({"run_id": "baseline_lr0.003_seed0_fp32"})

    def test_same_outcome_and_its_chance_level(self):
        a = [row("baseline", 30, s, s < 5) for s in range(10)]
        b = [row("baseline", 30, s, s % 2 == 0, threads=2) for s in range(10)]
        agreeing, n, chance = stability.same_outcome(a, b)
        # Seeds 0-4 vs the even seeds: agree on 0, 2, 4 (collapsed) and 5, 7, 9 (not): 6 of 10.
        self.assertEqual((agreeing, n), (6, 10))
        self.assertAlmostEqual(chance, 0.5 * 0.5 + 0.5 * 0.5)

    def test_epoch1_check(self):
        history = []
        for run, accs in {"a": [0.1, 0.1, 0.1], "b": [0.4, 0.5, 0.6], "c": [0.1, 0.3, 0.5]}.items():
            history += [{"run_id": run, "epoch": str(e + 1), "val_acc": str(v)} for e, v in enumerate(accs)]
        self.assertEqual(stability.epoch1_check(history), (2, 3, 2))

    def test_figure(self):
        b = 4.0
        b = 2.0
        rows = logistic_rows(-b * math.log(30), b, [5, 10, 20, 30, 50, 100], 10) + [
            row("bn", m, s, False) for m in (30, 100) for s in range(3)
        ]
        curves = stability.curves(stability.cells(rows))
        lr50s = {k: stability.fit_lr50(c) for k, c in curves.items()}
        png, drawn = stability_figure.stability_figure(curves, lr50s, os.path.join(fixtures.tmpdir(), "curve"))
        self.assertTrue(os.path.exists(png))
        self.assertEqual(drawn[("bn", "fp32", 1)]["rates"], [0.0, 0.0])
        self.assertEqual(lr50s[("baseline", "fp32", 1)].kind, "fit")
        self.assertEqual(drawn[("baseline", "fp32", 1)]["multipliers"], [5, 10, 20, 30, 50, 100])


if __name__ == "__main__":
    unittest.main()
