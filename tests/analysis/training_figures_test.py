"""Training-curve figures draw exactly the CSV values."""

import os
import unittest

from analysis import training_figures
from tests.analysis import fixtures


class TrainingFiguresTest(unittest.TestCase):
    def setUp(self):
        self.dir = fixtures.tmpdir()

    def test_q3_curves_are_means_over_seeds_with_bands(self):
        csv = fixtures.write(self.dir, "h.csv", fixtures.q3_history())
        png, drawn = training_figures.q3_training_curves(csv, os.path.join(self.dir, "q3"))
        self.assertTrue(os.path.getsize(png) > 0)
        val = drawn["val_acc"]
        self.assertEqual(val["epochs"], [1, 2, 3])
        self.assertAlmostEqual(val["mean"][0], 0.405)  # (0.40 + 0.41) / 2
        self.assertAlmostEqual(val["min"][2], 0.6)
        self.assertAlmostEqual(val["max"][2], 0.61)
        self.assertAlmostEqual(drawn["train_loss"]["mean"][1], 1.0)

    def test_q4_validation_and_final_accuracy(self):
        history = fixtures.write(self.dir, "q4h.csv", fixtures.q4_history())
        summary = fixtures.write(self.dir, "q4s.csv", fixtures.q4_summary())
        _, drawn = training_figures.q4_validation_curves(
            history, os.path.join(self.dir, "v"), [("baseline", 5), ("bn", 10), ("bn", 30)], "t"
        )
        self.assertEqual(set(drawn), {("baseline", 5), ("bn", 10)})  # no x30 runs: not drawn
        self.assertAlmostEqual(drawn[("bn", 10)]["mean"][2], 0.825)
        _, final = training_figures.q4_final_accuracy_vs_lr(summary, os.path.join(self.dir, "f"))
        self.assertEqual(final["baseline"]["multipliers"], [1.0, 5.0])
        self.assertAlmostEqual(final["bn"]["mean"][1], 0.825)
        self.assertEqual(final["baseline"]["diverged"], [5.0])
        # The homework's numbers beside them, for the arms drawn.
        self.assertEqual(final["bn"]["homework"], {5.0: 0.8365, 10.0: 0.8519, 30.0: 0.8182})
        self.assertEqual(final["baseline"]["homework"], {1.0: 0.8012, 5.0: 0.10})
        _, train = training_figures.q4_bn_vs_baseline_training(history, os.path.join(self.dir, "t"), (1, 5))
        self.assertAlmostEqual(train[("baseline", 1, "train_loss")]["mean"][0], 1.5)
        self.assertIn(("bn", 5, "train_acc"), train)

    def test_q4_curves_of_the_given_runs_only(self):
        # A --train_limit run's epochs in the same history: drawn only when its id is not left out.
        part = "".join(
            f"bn_lr0.001_seed9_bf16_train640,bn,10,0.001,9,{e},1,0.1,1,0.1,1e-04,4,1300,bf16\n" for e in (1, 2, 3)
        )
        history = fixtures.write(self.dir, "q4h.csv", fixtures.q4_history() + part)
        table1 = {f"{a}_lr{m * 1e-4:g}_seed{s}_bf16" for a, m in (("bn", 10), ("bn", 5)) for s in (0, 1)}
        _, drawn = training_figures.q4_validation_curves(history, os.path.join(self.dir, "v"), [("bn", 10)], "t")
        self.assertAlmostEqual(drawn[("bn", 10)]["mean"][2], (0.82 + 0.83 + 0.1) / 3)
        _, drawn = training_figures.q4_validation_curves(
            history, os.path.join(self.dir, "v"), [("bn", 10)], "t", run_ids=table1
        )
        self.assertAlmostEqual(drawn[("bn", 10)]["mean"][2], 0.825)
        _, train = training_figures.q4_bn_vs_baseline_training(
            history, os.path.join(self.dir, "t"), (10,), run_ids=table1
        )
        self.assertAlmostEqual(train[("bn", 10, "train_acc")]["mean"][2], 0.825)

    def test_a_diverged_run_without_accuracy_is_not_averaged_as_zero(self):
        # As Table 1 does: the mean is over the runs that have a final accuracy.
        summary = fixtures.q4_summary()
        summary += (
            "baseline_lr0.003_seed0_bf16,baseline,30,0.003,0,50000,,,0,,0.7,nan,true,50,bf16\n"
            "baseline_lr0.003_seed1_bf16,baseline,30,0.003,1,50000,0.3,0.3,1,,0.7,2.0,false,50,bf16\n"
            "bn_lr0.01_seed0_bf16,bn,100,0.01,0,50000,,,0,,0.7,nan,true,50,bf16\n"
            # On part of the data: not one of Table 1's runs, not drawn.
            "baseline_lr0.003_seed2_bf16_train640,baseline,30,0.003,2,640,0.9,0.9,1,,0.7,2.0,false,50,bf16\n"
        )
        path = fixtures.write(self.dir, "q4s.csv", summary)
        _, final = training_figures.q4_final_accuracy_vs_lr(path, os.path.join(self.dir, "f"))
        base = dict(zip(final["baseline"]["mean_multipliers"], final["baseline"]["mean"]))
        self.assertAlmostEqual(base[30.0], 0.3)
        self.assertEqual(final["baseline"]["diverged"], [5.0, 30.0])
        # Every run at x100 diverged: marked, but no mean point.
        self.assertIn(100.0, final["bn"]["multipliers"])
        self.assertNotIn(100.0, final["bn"]["mean_multipliers"])
        self.assertEqual(final["bn"]["diverged"], [100.0])


if __name__ == "__main__":
    unittest.main()
