"""analysis/collapse.py: Wilson intervals, cells, the explanation and the figure, on hand-made rows."""

import os
import unittest

from analysis import collapse
from tests.analysis import fixtures


def study_row(init, arm, m, seed, collapsed, val_acc="0.3", diverged="false"):
    return {
        "run_id": f"{arm}_{init}_{m}_{seed}",
        "init": init,
        "arm": arm,
        "lr_multiplier": str(m),
        "seed": str(seed),
        "epochs": "3",
        "train_images": "50000",
        "final_val_acc": val_acc,
        "majority_class_share": "0.2",
        "collapsed": collapsed,
        "diverged": diverged,
        "precision": "fp32",
    }


def study(keras_collapsed, torch_collapsed, n=10):
    rows = []
    for init, k in (("keras", keras_collapsed), ("torch", torch_collapsed)):
        for seed in range(n):
            rows.append(
                study_row(init, "baseline", 5, seed, "true" if seed < k else "false", "0.1" if seed < k else "0.35")
            )
    return collapse.cells(rows)


class CollapseTest(unittest.TestCase):
    def test_wilson_interval_hand_values(self):
        # Textbook values (z = 1.96): 0 of 10 -> [0, 0.2775]; 5 of 10 -> [0.2366, 0.7634].
        for (k, n), (low, high) in {
            (0, 10): (0.0, 0.2775),
            (5, 10): (0.2366, 0.7634),
            (10, 10): (0.7225, 1.0),
            (1, 3): (0.0615, 0.7923),
        }.items():
            got = collapse.wilson_interval(k, n)
            self.assertAlmostEqual(got[0], low, places=4, msg=(k, n))
            self.assertAlmostEqual(got[1], high, places=4, msg=(k, n))
        self.assertEqual(collapse.wilson_interval(0, 0), (0.0, 1.0))
        # The ends are exact, so that error bars (rate - low) are never negative: 0 of 3, 3 of 3.
        self.assertEqual(collapse.wilson_interval(0, 3)[0], 0.0)
        self.assertEqual(collapse.wilson_interval(3, 3)[1], 1.0)

    def test_figure_of_small_cells(self):
        out = fixtures.tmpdir()
        rows = [study_row(init, "bn", 5, seed, "false") for init in ("keras", "torch") for seed in range(3)]
        png, drawn = collapse.collapse_rate_figure(collapse.cells(rows), os.path.join(out, "small"))
        self.assertTrue(os.path.exists(png))
        self.assertEqual(drawn[("bn", "keras")]["rates"], [0.0])

    def test_cells_count_seeds_and_leave_out_undecided_rows(self):
        rows = [
            study_row("keras", "baseline", 5, 0, "true", "0.1"),
            study_row("keras", "baseline", 5, 1, "false"),
            study_row("keras", "baseline", 5, 2, ""),
            study_row("torch", "bn", 10, 0, "false", "", "true"),
        ]
        cells = collapse.cells(rows)
        base = cells[("keras", "baseline", 5.0)]
        self.assertEqual((base.collapsed, base.n, base.undecided, base.seeds), (1, 2, 1, [0, 1]))
        self.assertEqual(base.val_accs, [0.1, 0.3])
        self.assertEqual(cells[("torch", "bn", 10.0)].diverged, 1)

    def test_runs_of_another_precision_or_length_are_not_pooled(self):
        bf16 = dict(study_row("keras", "baseline", 30, 0, "false", "0.55"), precision="bf16")
        longer = dict(study_row("keras", "baseline", 30, 1, "false", "0.60"), epochs="25")
        rows = [study_row("keras", "baseline", 30, 0, "true", "0.1"), bf16, longer]
        cell = collapse.cells(rows)[("keras", "baseline", 30.0)]
        self.assertEqual((cell.collapsed, cell.n, cell.seeds), (1, 1, [0]))

    def test_keras_reference_runs_are_judged_on_their_last_epoch(self):
        rows = []
        for seed, (acc, share) in enumerate([("0.1", "0.97"), ("0.1", "0.5"), ("0.4", "0.2")]):
            for epoch in (2, 3, 1):  # out of order
                rows.append(
                    {
                        "run_id": f"r{seed}",
                        "arm": "baseline",
                        "lr_multiplier": "5",
                        "seed": str(seed),
                        "epochs": "3",
                        "train_images": "50000",
                        "epoch": str(epoch),
                        "val_acc": acc if epoch == 3 else "0.9",
                        "val_majority_class_share": share if epoch == 3 else "0.99",
                    }
                )
        rows.append(dict(rows[0], run_id="part", seed="9", train_images="640"))  # part of the data: left out
        cell = collapse.keras_reference_cells(rows)[("baseline", 5.0, 3)]
        self.assertEqual((cell.collapsed, cell.n), (1, 3))

    def test_explanation_follows_the_numbers(self):
        facts, text = collapse.explain(study(0, 8))
        self.assertEqual(facts["init"], "supported")
        self.assertIn(
            "8 of 10 (0.49-0.94) seeds with PyTorch's init and 0 of 10 (0.00-0.28) with Keras'", " ".join(text)
        )
        facts, text = collapse.explain(study(0, 0))
        self.assertEqual((facts["init"], facts["luck"]), ("ruled out", "ruled out"))
        self.assertIn(
            "Over all 20 baseline runs at x5 here (LibTorch with Keras' init and LibTorch with PyTorch's init), "
            "0 collapsed",
            " ".join(text),
        )
        facts, _ = collapse.explain(study(1, 3))
        self.assertEqual((facts["init"], facts["luck"]), ("open", "open"))
        # No collapse in too few seeds rules nothing out (0 of 3: up to 0.56).
        facts, text = collapse.explain(study(0, 0, n=3))
        self.assertEqual((facts["init"], facts["luck"]), ("open", "open"))  # pooled 0 of 6: up to 0.39

        # The framework: tf-keras collapsing where the emulation does not.
        real = collapse.Cell()
        real.seeds, real.collapsed = list(range(10)), 9
        facts, text = collapse.explain(study(0, 0), {("baseline", 5.0, 3): real})
        self.assertEqual(facts["framework"], "supported")
        real.collapsed = 0
        self.assertEqual(collapse.explain(study(0, 0), {("baseline", 5.0, 3): real})[0]["framework"], "ruled out")

    def test_early_verdict_agreement(self):
        rows = []
        for run, accs in {
            "a": [0.1, 0.1, 0.1, 0.1],
            "b": [0.1, 0.2, 0.3, 0.5],
            "c": [0.3, 0.4, 0.2, 0.6],
            "short": [0.1, 0.1, 0.1],
        }.items():
            rows += [{"run_id": run, "epoch": str(e), "val_acc": str(a)} for e, a in enumerate(accs, 1)]
        # a: below at 3 and at the end; b: above both; c: above both; short: ends at epoch 3 (left out).
        self.assertEqual(collapse.early_verdict_agreement(rows), (3, 3, 1))
        rows.append({"run_id": "d", "epoch": "3", "val_acc": "0.5"})
        rows.append({"run_id": "d", "epoch": "25", "val_acc": "0.1"})
        self.assertEqual(collapse.early_verdict_agreement(rows), (3, 4, 1))

    def test_figure_draws_the_rates(self):
        out = fixtures.tmpdir()
        png, drawn = collapse.collapse_rate_figure(study(2, 5), os.path.join(out, "rate"))
        self.assertTrue(os.path.exists(png))
        self.assertEqual(drawn[("baseline", "keras")]["rates"], [0.2])
        self.assertEqual(drawn[("baseline", "torch")]["rates"], [0.5])


class StudyBookkeepingTest(unittest.TestCase):
    def test_short_cells_against_the_profiles_seeds(self):
        rows = [study_row("keras", "baseline", 5, s, "false") for s in range(10)]
        rows += [study_row("keras", "bn", 5, s, "false") for s in range(2)]
        rows += [study_row("torch", "baseline", 30, s, "false") for s in range(4)]
        self.assertEqual(
            collapse.short_cells(collapse.cells(rows)), [("keras", "bn", 5.0, 2, 3), ("torch", "baseline", 30.0, 4, 10)]
        )

    def test_other_protocol_rows(self):
        bf16 = dict(study_row("keras", "baseline", 5, 0, "false"), precision="bf16")
        long = dict(study_row("keras", "baseline", 5, 1, "false"), epochs="25")
        part = dict(study_row("keras", "baseline", 5, 3, "false"), train_images="640")
        rows = [study_row("keras", "baseline", 5, 2, "false"), bf16, long, part]
        self.assertEqual(collapse.other_protocol_rows(rows), [bf16, long, part])


class PrecisionPairsTest(unittest.TestCase):
    def test_seed_by_seed_in_both_precisions(self):
        fp32 = [
            study_row("keras", "baseline", 30, 0, "true", "0.1"),
            study_row("keras", "baseline", 30, 1, "false", "0.5"),
            study_row("keras", "baseline", 30, 2, "true", "0.1"),  # not repeated
            study_row("keras", "baseline", 30, 3, "", "0.1"),  # undecided: left out
        ]
        bf16 = [
            dict(study_row("keras", "baseline", 30, 0, "false", "0.45"), precision="bf16"),
            dict(study_row("keras", "baseline", 30, 1, "false", "0.52"), precision="bf16"),
            dict(study_row("keras", "baseline", 30, 3, "true", "0.1"), precision="bf16"),
            study_row("keras", "baseline", 30, 1, "true", "0.1"),  # fp32 in the bf16 folder: not the repeat
        ]
        (pair,) = collapse.precision_pairs(fp32, bf16)
        self.assertEqual((pair.init, pair.arm, pair.multiplier), ("keras", "baseline", 30.0))
        self.assertEqual(pair.seeds, [0, 1])
        self.assertEqual(pair.repeat_acc, [0.45, 0.52])
        self.assertEqual(pair.study_acc, [0.1, 0.5])
        self.assertEqual((pair.repeat_collapsed, pair.study_collapsed), (0, 1))


if __name__ == "__main__":
    unittest.main()
