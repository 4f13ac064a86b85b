"""analysis/stability.py and its figure: lr50 and Fisher's test against known answers, on hand-made rows."""

import json
import math
import os
import unittest

from analysis import stability
from analysis import stability_figure
from analysis.results import Results
from tests.analysis import fixtures


row = fixtures.stability_row


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
        curve = stability.curves(stability.cells(rows))[("baseline", "fp32", 1, "avx2", "unit")]
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
            stability.curves(stability.cells(logistic_rows(a, b, [10, 20, 30, 50], 10)))[
                ("baseline", "fp32", 1, "avx2", "unit")
            ]
        )
        narrow = stability.fit_lr50(
            stability.curves(stability.cells(logistic_rows(a, b, [10, 20, 30, 50], 1000)))[
                ("baseline", "fp32", 1, "avx2", "unit")
            ]
        )
        self.assertGreater(wide.high / wide.low, narrow.high / narrow.low)
        self.assertTrue(wide.low < 25 < wide.high)

    def test_bounds_where_no_slope_can_be_fitted(self):
        never = [row("bn", m, s, False) for m in (30, 100, 300) for s in range(5)]
        fit = stability.fit_lr50(stability.curves(stability.cells(never))[("bn", "fp32", 1, "avx2", "unit")])
        self.assertEqual((fit.kind, fit.value, fit.n), ("above", 300, 15))
        always = [row("baseline", m, s, True) for m in (50, 100) for s in range(3)]
        self.assertEqual(
            stability.fit_lr50(stability.curves(stability.cells(always))[("baseline", "fp32", 1, "avx2", "unit")]).kind,
            "below",
        )
        step = [row("baseline", 10, s, False) for s in range(4)] + [row("baseline", 50, s, True) for s in range(4)]
        fit = stability.fit_lr50(stability.curves(stability.cells(step))[("baseline", "fp32", 1, "avx2", "unit")])
        self.assertEqual((fit.kind, fit.low, fit.high, fit.value), ("step", 10, 50, None))
        one_lr = [row("baseline", 30, s, s < 2) for s in range(4)]
        fit = stability.fit_lr50(stability.curves(stability.cells(one_lr))[("baseline", "fp32", 1, "avx2", "unit")])
        self.assertEqual((fit.kind, fit.value), ("open", 30))
        # Quasi-separation: one mixed cell between cells that never and always collapsed.
        quasi = step + [row("baseline", 30, s, s < 2) for s in range(4)]
        fit = stability.fit_lr50(stability.curves(stability.cells(quasi))[("baseline", "fp32", 1, "avx2", "unit")])
        self.assertEqual((fit.kind, fit.low, fit.high, fit.value), ("step", 10, 50, 30))

    def test_fisher_against_a_hand_value(self):
        # 5 of 10 against 0 of 10: P(5 in the first | 5 of 20) = C(10,5)/C(20,5) = 252/15504, both tails.
        cells = stability.cells(
            [row("baseline", 30, s, s < 5) for s in range(10)]
            + [row("baseline", 30, s, False, precision="bf16") for s in range(10)]
        )
        p = stability.fisher_p(
            cells[("baseline", "fp32", 1, "avx2", "unit", 30.0)], cells[("baseline", "bf16", 1, "avx2", "unit", 30.0)]
        )
        self.assertAlmostEqual(p, 2 * 252 / 15504, places=10)

    def test_cells_keep_numerics_and_protocols_apart(self):
        rows = [
            row("baseline", 30, 0, True),
            row("baseline", 30, 1, False, threads=2),
            row("baseline", 30, 2, False, precision="bf16"),
            row("baseline", 30, 3, True, epochs=3),  # another protocol: not counted
            row("baseline", 30, 4, True, isa="avx512_core_bf16"),
            row("baseline", 30, 5, True, scale="raw255"),
        ]
        cells = stability.cells(rows)
        self.assertEqual(
            sorted(cells),
            [
                ("baseline", "bf16", 1, "avx2", "unit", 30.0),
                ("baseline", "fp32", 1, "avx2", "raw255", 30.0),
                ("baseline", "fp32", 1, "avx2", "unit", 30.0),
                ("baseline", "fp32", 1, "avx512_core_bf16", "unit", 30.0),
                ("baseline", "fp32", 2, "avx2", "unit", 30.0),
            ],
        )
        self.assertEqual(cells[("baseline", "fp32", 1, "avx2", "unit", 30.0)].n, 1)
        with self.assertRaises(ValueError):
            stability.threads_of({"run_id": "baseline_lr0.003_seed0_fp32"})
        with self.assertRaisesRegex(ValueError, "no oneDNN ISA"):
            stability.cells([row("baseline", 30, 0, True, isa="")])

    def test_same_outcome_and_its_chance_level(self):
        a = [row("baseline", 30, s, s < 5) for s in range(10)]
        b = [row("baseline", 30, s, s % 2 == 0, threads=2) for s in range(10)]
        agreeing, n, chance = stability.same_outcome(a, b)
        # Seeds 0-4 vs the even seeds: agree on 0, 2, 4 (collapsed) and 5, 7, 9 (not): 6 of 10.
        self.assertEqual((agreeing, n), (6, 10))
        self.assertAlmostEqual(chance, 0.5 * 0.5 + 0.5 * 0.5)

    def test_agreement_pools_cells_at_their_own_rates(self):
        # x30: seeds 0-4 collapse in both settings (all 10 agree); x40: a collapses on every seed, b on
        # seeds 0-4 (5 agree). Chance: x30 0.5*0.5 + 0.5*0.5 = 0.5, x40 1*0.5 + 0*0.5 = 0.5, of 10
        # seeds each: 10 expected.
        a = stability.Setting("baseline", "fp32", 1, "avx2", "unit")
        b = stability.Setting("baseline", "fp32", 2, "avx2", "unit")
        rows = [row("baseline", 30, s, s < 5) for s in range(10)] + [
            row("baseline", 30, s, s < 5, threads=2) for s in range(10)
        ]
        rows += [row("baseline", 40, s, True) for s in range(10)] + [
            row("baseline", 40, s, s < 5, threads=2) for s in range(10)
        ]
        agreeing, n, expected = stability.agreement(rows, a, b, [30.0, 40.0])
        self.assertEqual((agreeing, n), (15, 20))
        self.assertAlmostEqual(expected, 10.0)

    def test_load_rows_takes_isa_and_input_scale_from_each_folders_manifest(self):
        data = fixtures.tmpdir()
        header = (
            "run_id,init,arm,lr_multiplier,seed,epochs,train_images,final_val_acc,majority_class_share,collapsed,"
            "diverged,precision"
        )
        for isa, scale in (("avx2", "unit"), ("avx512_core_bf16", "raw255")):
            folder = os.path.join(data, "stability", isa)
            os.makedirs(folder)
            run_id = "baseline_lr0.003_seed0_fp32_t1_e1" + ("_inputraw255" if scale != "unit" else "")
            fixtures.write(
                folder, "q4_collapse.csv", f"{header}\n{run_id},keras,baseline,30,0,1,50000,0.1,1,true,false,fp32\n"
            )
            entry = {"onednn_isa": isa}
            if scale != "unit":
                entry["input_scale"] = scale
            manifest = {"host": {"cpu": "AMD EPYC"}, "finished_at": "2026-12-07T10:00:00", "runs": {run_id: entry}}
            fixtures.write(folder, "q4_bn_sweep.manifest.json", json.dumps(manifest))
        rows = stability.load_rows(Results(data))
        self.assertEqual(
            [stability.setting_of(r) for r in rows],
            [("baseline", "fp32", 1, "avx2", "unit"), ("baseline", "fp32", 1, "avx512_core_bf16", "raw255")],
        )
        self.assertEqual({(r["host_cpu"], r["date"]) for r in rows}, {("AMD EPYC", "2026-12-07")})
        # A row its manifest does not know is an error that names the CSV.
        fixtures.write(os.path.join(data, "stability", "avx2"), "q4_bn_sweep.manifest.json", json.dumps({"runs": {}}))
        with self.assertRaisesRegex(ValueError, "avx2/q4_collapse.csv"):
            stability.load_rows(Results(data))

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
        self.assertEqual(drawn[("bn", "fp32", 1, "avx2", "unit")]["rates"], [0.0, 0.0])
        self.assertEqual(lr50s[("baseline", "fp32", 1, "avx2", "unit")].kind, "fit")
        self.assertEqual(drawn[("baseline", "fp32", 1, "avx2", "unit")]["multipliers"], [5, 10, 20, 30, 50, 100])


if __name__ == "__main__":
    unittest.main()
