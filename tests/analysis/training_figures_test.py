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
        _, drawn = training_figures.q4_validation_curves(history, os.path.join(self.dir, "v"),
                                                         [("baseline", 5), ("bn", 10), ("bn", 30)], "t")
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


if __name__ == "__main__":
    unittest.main()
