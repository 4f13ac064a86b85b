"""Q3 (b)'s facts from hand-made rows: which runs are Q3 (b)'s, whether they levelled off, tf-keras'
runs, and the runs both programs trained."""

import unittest

from analysis import q3_facts


def final(run_id, seed=0, lr="0.0001", epochs=25, arm="baseline", train=0.8, val=0.75, images=50000):
    return {
        "run_id": run_id,
        "train_images": str(images),
        "arm": arm,
        "lr": lr,
        "seed": str(seed),
        "epochs_completed": str(epochs),
        "final_train_acc": str(train),
        "final_val_acc": str(val),
    }


def history(run_id, accs):
    return [{"run_id": run_id, "epoch": str(e), "val_acc": str(v)} for e, v in enumerate(accs, 1)]


class KerasExampleRunsTest(unittest.TestCase):
    def test_only_the_full_protocol_baseline_at_the_homeworks_lr(self):
        rows = [
            final("b1", seed=1),
            final("b0", seed=0),
            final("short", epochs=3),
            final("baseline_lr0.0001_seed0_bf16_t2_train500", images=500),  # part of the data
            final("x5", lr="0.0005"),
            final("bn", arm="bn"),
            final("wide"),
        ]
        runs = q3_facts.keras_example_runs(rows, other_networks={"wide"})
        self.assertEqual([r["run_id"] for r in runs], ["b0", "b1"])  # in seed order


class EvaluationTest(unittest.TestCase):
    def test_gap_and_means(self):
        ev = q3_facts.Evaluation([final("a", train=0.9, val=0.7), final("b", train=0.8, val=0.8)], [])
        self.assertAlmostEqual(ev.gap, 0.85 - 0.75)

    def test_late_rise_over_the_last_epochs_in_any_row_order(self):
        h = history("a", [0.5, 0.72, 0.73, 0.74, 0.75, 0.79, 0.80])[::-1]
        self.assertAlmostEqual(q3_facts.late_rise(h, "a"), 0.80 - 0.72)  # epochs 7 and 2
        self.assertIsNone(q3_facts.late_rise(h, "a", window=7))

    def test_trend_rising_levelled_mixed_or_unknown(self):
        rising = history("a", [0.5 + 0.01 * e for e in range(8)])  # +0.05 over 5 epochs
        flat = history("b", [0.7] * 8)
        nudged = history("b", [0.7] * 7 + [0.704])  # +0.004: within the tolerance, levelled
        runs = [final("a"), final("b")]
        self.assertEqual(q3_facts.Evaluation(runs[:1], rising).trend, "rising")
        self.assertEqual(q3_facts.Evaluation(runs[1:], flat).trend, "levelled")
        self.assertEqual(q3_facts.Evaluation(runs[1:], nudged).trend, "levelled")
        self.assertEqual(q3_facts.Evaluation(runs, rising + flat).trend, "mixed")
        self.assertIsNone(q3_facts.Evaluation(runs, rising + history("b", [0.7] * 3)).trend)


class KerasReferenceTest(unittest.TestCase):
    def test_the_last_epoch_of_finished_full_baseline_runs(self):
        def row(run_id, epoch, seed=0, arm="baseline", m="1", epochs="25", images="50000"):
            return {"run_id": run_id, "epoch": str(epoch), "seed": str(seed), "arm": arm, "lr_multiplier": m,
                    "epochs": epochs, "train_images": images}  # fmt: skip

        rows = [row("k1", e, seed=1) for e in (24, 25)] + [row("k0", 25)]
        rows += [
            row("unfinished", 24),
            row("bn", 25, arm="bn"),
            row("x5", 25, m="5"),
            row("k_train100", 25, images="100"),
        ]
        done = q3_facts.keras_reference_runs(rows)
        self.assertEqual([(r["run_id"], r["epoch"]) for r in done], [("k0", "25"), ("k1", "25")])

    def test_frameworks_agree_within_a_hundredth(self):
        self.assertTrue(q3_facts.frameworks_agree([0.759, 0.759], [0.75]))
        self.assertFalse(q3_facts.frameworks_agree([0.77], [0.75]))


class AgreementTest(unittest.TestCase):
    def rows(self, run_id, val_accs):
        return [
            {
                "run_id": run_id,
                "epoch": str(e),
                "train_loss": "1",
                "train_acc": "0.5",
                "val_loss": "1",
                "val_acc": v,
                "lr_now": "0.0001",
            }  # fmt: skip
            for e, v in enumerate(val_accs, 1)
        ]

    def test_same_runs_compared_epoch_by_epoch_and_borrowed_ones_left_out(self):
        q3 = self.rows("same", ["0.5", "0.6"]) + self.rows("differs", ["0.5", "0.6"]) + self.rows("borrowed", ["0.5"])
        q3 += self.rows("still_training", ["0.5"])
        q4 = self.rows("same", ["0.5", "0.6"]) + self.rows("differs", ["0.5", "0.61"]) + self.rows("borrowed", ["0.5"])
        q4 += self.rows("still_training", ["0.5", "0.6"])
        own = {"resumed_from_epoch": 0}
        manifests = {
            "q3_train_cnn": {"runs": {"same": own, "differs": own, "borrowed": own}},
            "q4_bn_sweep": {"runs": {"same": own, "differs": own, "borrowed": {"resumed_from_epoch": 1}}},
        }
        found = q3_facts.agreement(q3, q4, {"same", "differs", "borrowed"}, manifests)
        self.assertEqual(found.compared, ["differs", "same"])
        self.assertEqual(found.differ, ["differs"])
        self.assertEqual(found.borrowed["same"], [])
        self.assertIn("continued it after epoch 1", found.borrowed["borrowed"][0])
        self.assertIsNone(q3_facts.agreement(q3, [], {"same"}, manifests))


if __name__ == "__main__":
    unittest.main()
