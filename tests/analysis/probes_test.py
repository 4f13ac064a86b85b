"""The probe facts (analysis/probes.py) on hand-made rows, against values worked out by hand."""

import math
import os
import tempfile
import unittest

from analysis import probes
from tests.analysis import fixtures


layer_row, network_row, run = fixtures.probe_layer_row, fixtures.probe_network_row, fixtures.probe_run


class CollapseOnsetTest(unittest.TestCase):
    def test_the_first_step_of_the_last_stretch_at_ln10(self):
        ln10 = math.log(10)
        rows = [network_row(0, 1, loss=ln10), network_row(25, 1, loss=2.0)]
        # every run starts near ln 10: a stretch from step 0 dates from the next probe
        self.assertEqual(probes.collapse_onset([network_row(0, 1, loss=ln10), network_row(25, 1, loss=ln10)]), 25)
        rows += [network_row(50, 1, loss=ln10 + 0.009), network_row(75, 1, loss=ln10 - 0.01)]
        self.assertEqual(probes.collapse_onset(rows), 50)
        rows[2] = network_row(50, 1, loss=ln10 + 0.011)  # just outside the tolerance
        self.assertEqual(probes.collapse_onset(rows), 75)
        # at ln 10 at step 25, away at 50, back for good at 75: the onset is the last stretch's
        back = [network_row(25, 1, loss=ln10), network_row(50, 1, loss=2.0), network_row(75, 1, loss=ln10)]
        self.assertEqual(probes.collapse_onset(back), 75)

    def test_a_run_that_ends_away_from_ln10_has_none(self):
        self.assertIsNone(probes.collapse_onset([network_row(0, 1.0, loss=math.log(10)), network_row(25, 0.2)]))


class DeadLayerTest(unittest.TestCase):
    def test_earliest_layer_to_reach_the_threshold_ties_go_to_the_earlier_layer(self):
        rows = [
            layer_row(0, "conv1", 0.0),
            layer_row(0, "conv3", 0.5),
            layer_row(25, "conv3", 1.0),
            layer_row(25, "fc1", 1.0),
            layer_row(50, "conv1", 1.0),
            layer_row(25, "fc2", 1.0),  # the logits have no ReLU: never "dead"
        ]
        self.assertEqual(probes.first_dead_layer(rows), ("conv3", 25))
        self.assertIsNone(probes.first_dead_layer([layer_row(0, "conv1", 0.98)]))
        self.assertEqual(probes.first_dead_layer([layer_row(0, "conv2", 0.99)]), ("conv2", 0))
        self.assertEqual(probes.dead_fractions_at(rows, 30), {"conv1": 0.0, "conv3": 1.0, "fc1": 1.0})


class AucTest(unittest.TestCase):
    def test_hand_values(self):
        # 3 x 2 pairs: (3>1, 3>2), (2>1, 2=2 half), (1=1 half, 1<2): 4 of 6
        self.assertAlmostEqual(probes.auc([3, 2, 1], [1, 2]), 4 / 6)
        self.assertEqual(probes.auc([5, 6], [1, 2]), 1.0)
        self.assertIsNone(probes.auc([], [1]))

    def test_hanley_mcneil_by_hand(self):
        # A = 0.8, 5 and 5: Q1 = 0.8/1.2, Q2 = 1.28/1.8
        q1, q2 = 0.8 / 1.2, 1.28 / 1.8
        se = math.sqrt((0.16 + 4 * (q1 - 0.64) + 4 * (q2 - 0.64)) / 25)
        low, high = probes.hanley_mcneil_interval(0.8, 5, 5)
        self.assertAlmostEqual(low, 0.8 - 1.959963984540054 * se)
        self.assertAlmostEqual(high, min(1.0, 0.8 + 1.959963984540054 * se))

    def test_exact_permutation_p(self):
        # Perfect separation of 2 and 2: 2 of the C(4,2) = 6 labellings are as extreme.
        self.assertAlmostEqual(probes.permutation_p([3, 4], [1, 2]), 2 / 6)
        self.assertEqual(probes.permutation_p([1, 2], [1, 2]), 1.0)


class EarlyMeasureTest(unittest.TestCase):
    def test_max_over_relu_layers_at_the_last_probe_before(self):
        r = run(
            True,
            layers=[layer_row(50, "conv1", 0.2, 0.01), layer_row(50, "fc1", 0.7, 0.03), layer_row(75, "fc1", 0.9)],
            network=[network_row(50, 0.5, loss=2.2, sd=0.4), network_row(100, 0.5, loss=2.3, sd=0.1)],
        )
        self.assertEqual(probes.early_measure(r, "max_dead_fraction", 60), 0.7)
        self.assertEqual(probes.early_measure(r, "max_update_ratio", 60), 0.03)
        self.assertEqual(probes.early_measure(r, "probe_loss", 99), 2.2)
        self.assertEqual(probes.early_measure(r, "logits_sd", 100), 0.1)
        first = run(
            True, landscape=[{"step": 200.0, "relative_loss_change": 9.0}, {"step": 0.0, "relative_loss_change": 0.4}]
        )
        self.assertEqual(probes.early_measure(first, "first_step_loss_change", 0), 0.4)

    def test_separations_count_each_side(self):
        runs = [run(i < 2, network=[network_row(100, 0.5, loss=3.0 - i)], seed=i) for i in range(4)]
        found = {(s.measure, s.step): s for s in probes.separations(runs)}
        loss = found[("probe_loss", 100)]
        self.assertEqual((loss.auc, loss.n_collapsed, loss.n_survived), (1.0, 2, 2))
        self.assertAlmostEqual(loss.p, 2 / 6)


class UpdateAndNormTest(unittest.TestCase):
    def test_median_angular_update_and_norm_growth(self):
        r = run(
            False,
            layers=[
                layer_row(0, "conv1", update=0.1, norm=2.0),
                layer_row(0, "conv2", update=0.3, norm=1.0),
                layer_row(0, "fc1", update=9.0, norm=1.0),
                layer_row(25, "conv1", update=0.2, norm=6.0),
                layer_row(25, "conv2", update=0.4, norm=2.0),
            ],
        )
        self.assertAlmostEqual(probes.median_update_ratio(r), 0.25)
        self.assertAlmostEqual(probes.median_update_ratio(r, until=0), 0.2)
        self.assertAlmostEqual(probes.weight_norm_growth(r), 2.5)  # median of 3 and 2


class LandscapeTest(unittest.TestCase):
    def test_band_and_median(self):
        rows = [
            {"step": 0.0, "loss": 2.0, "loss_s0.5": 1.9, "loss_s2": 2.6, "loss_range": 0.7},
            {"step": 200.0, "loss": 1.5, "loss_s0.5": 1.4, "loss_s2": 1.45, "loss_range": 0.1},
        ]
        r = run(False, landscape=rows)
        self.assertEqual(probes.step_columns(rows), ["loss_s0.5", "loss_s2"])
        self.assertEqual(probes.landscape_band(r, ["loss_s0.5", "loss_s2"]), [(0, 1.9, 2.6), (200, 1.4, 1.5)])
        self.assertAlmostEqual(probes.landscape_median(r, "loss_range"), 0.4)
        self.assertTrue(probes.lower_in_every_pair([0.1, 0.2], [0.3]))
        self.assertFalse(probes.lower_in_every_pair([0.1, 0.4], [0.3]))


class VerdictTest(unittest.TestCase):
    def test_dead_units(self):
        ln10 = math.log(10)
        dead_later = [layer_row(25, "conv4", 0.95), layer_row(50, "conv4", 1.0)]
        onset_25 = [network_row(0, 0.5), network_row(25, 1.0, loss=ln10), network_row(50, 1.0, loss=ln10)]
        collapsing = run(True, layers=dead_later, network=onset_25)
        surviving = run(False, layers=[layer_row(25, "conv4", 0.98)])
        verdict = probes.dead_units_verdict([collapsing], [surviving], [run(False, [layer_row(25, "conv4", 0.5)])])
        self.assertEqual(verdict.verdict, "supported")
        self.assertIn(
            "1 of 1 collapsing runs had a dead layer (conv4), its most-dead layer 0.95-0.95", verdict.evidence
        )
        self.assertIn("surviving runs' most-dead layer peaked at 0.98-0.98", verdict.evidence)
        alive = run(True, layers=[layer_row(25, "conv4", 0.9)], network=onset_25)
        self.assertEqual(probes.dead_units_verdict([alive], [], []).verdict, "contradicted")
        # as common in the surviving runs: not what tells them apart
        self.assertEqual(probes.dead_units_verdict([collapsing], [run(False, dead_later)], []).verdict, "not decided")
        bn_dead = [run(False, [layer_row(25, "conv1", 1.0)])]
        self.assertEqual(probes.dead_units_verdict([collapsing], [], bn_dead).verdict, "not decided")

    def test_auto_tuning(self):
        self.assertEqual(probes.auto_tuning_verdict(5.0, 25.0, 30).verdict, "supported")
        self.assertEqual(probes.auto_tuning_verdict(16.0, 40.0, 30).verdict, "not decided")
        self.assertEqual(probes.auto_tuning_verdict(20.0, 20.0, 30).verdict, "contradicted")

    def test_lower_in_every_pair_at_every_lr(self):
        self.assertEqual(probes.lower_verdict([(1, [0.1], [0.2, 0.3]), (5, [0.2], [0.4])]).verdict, "supported")
        self.assertEqual(probes.lower_verdict([(1, [0.3], [0.2])]).verdict, "contradicted")
        self.assertEqual(probes.lower_verdict([(1, [0.1], [0.2]), (5, [0.5], [0.4])]).verdict, "not decided")
        self.assertEqual(probes.lower_verdict([(1, [], [0.2])]).verdict, "not decided")


class SameAsUnprobedTest(unittest.TestCase):
    def test_digit_for_digit_over_the_shared_runs(self):
        def r(rid, acc, collapsed="false"):
            return {"run_id": rid, "final_val_acc": acc, "majority_class_share": "0.2", "collapsed": collapsed}

        probed = [r("a", "0.4771"), r("b", "0.1", "true"), r("c", "0.5")]
        unprobed = [r("a", "0.4771"), r("b", "0.1", "false"), r("d", "0.3")]
        self.assertEqual(probes.same_as_unprobed(probed, unprobed), (1, 2))


class LoadTest(unittest.TestCase):
    def test_runs_without_probe_tables_are_left_out(self):
        with tempfile.TemporaryDirectory() as folder:
            os.makedirs(os.path.join(folder, "probes"))
            with open(os.path.join(folder, "q4_collapse.csv"), "w") as f:
                f.write("run_id,arm,lr_multiplier,seed,collapsed\na,baseline,30,0,true\nb,bn,30,1,false\n")
            for name, text in (
                ("layers", "step,layer,dead_fraction\n0,conv1,0.5\n"),
                ("network", "step,top_class_share\n0,1\n"),
                ("landscape", "step,loss\n0,2.3\n"),
            ):
                with open(os.path.join(folder, "probes", f"a_{name}.csv"), "w") as f:
                    f.write(text)
            runs = probes.load_runs(folder)
        self.assertEqual(list(runs), ["a"])
        self.assertEqual((runs["a"].collapsed, runs["a"].layers[0]["dead_fraction"]), (True, 0.5))
        self.assertEqual(runs["a"].layers[0]["layer"], "conv1")


if __name__ == "__main__":
    unittest.main()
