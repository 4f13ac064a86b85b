"""Q4's claims computed from hand-made Table 1 rows: the verdicts and the numbers behind them."""

import unittest
from collections import defaultdict

from analysis import q4_claims


def row(acc, epochs_to_target="", diverged=False):
    return {
        "final_val_acc": "" if acc is None else str(acc),
        "epochs_to_target": str(epochs_to_target),
        "diverged": "true" if diverged else "false",
    }


def runs(cells, main="bf16"):
    """cells: {(arm, multiplier): [rows]} at `main`; one row at another precision is added, to be ignored."""
    by = defaultdict(list)
    for (arm, m), rows in cells.items():
        by[(arm, float(m), main)].extend(rows)
    by[("bn", 1.0, "fp32")].append(row(0.99, 1))
    return q4_claims.Runs(by, main)


class EndedAtChanceTest(unittest.TestCase):
    def test_at_the_threshold_or_diverged(self):
        self.assertTrue(q4_claims.ended_at_chance(row(0.15)))
        self.assertFalse(q4_claims.ended_at_chance(row(0.1501)))
        self.assertTrue(q4_claims.ended_at_chance(row(None, diverged=True)))


class BreakingPointTest(unittest.TestCase):
    def test_the_first_rate_with_any_failed_run(self):
        r = runs(
            {
                ("baseline", 1): [row(0.70)],
                ("baseline", 10): [row(0.60), row(0.12)],  # one of two at chance: it breaks here
                ("baseline", 30): [row(None, diverged=True)],
                ("bn", 5): [row(0.80)],
                ("bn", 300): [row(0.70)],
            }
        )
        base = q4_claims.breaking_point(r, "baseline")
        self.assertEqual(base.failed, {1.0: 0, 10.0: 1, 30.0: 1})
        self.assertEqual(base.runs, {1.0: 1, 10.0: 2, 30.0: 1})
        self.assertEqual(base.first, 10.0)
        self.assertEqual(base.trained_up_to, 1.0)
        bn = q4_claims.breaking_point(r, "bn")
        self.assertIsNone(bn.first)
        self.assertIsNone(bn.trained_up_to)
        self.assertEqual(bn.highest, 300.0)

    def test_failing_from_the_lowest_rate_or_having_no_runs(self):
        r = runs({("baseline", 5): [row(0.10)], ("bn", 5): [row(0.80)]})
        self.assertEqual(q4_claims.breaking_point(r, "baseline").first, 5.0)
        self.assertIsNone(q4_claims.breaking_point(r, "baseline").trained_up_to)
        self.assertIsNone(q4_claims.breaking_point(runs({("bn", 5): [row(0.8)]}), "baseline"))


class ConvergenceTest(unittest.TestCase):
    def test_faster_ties_and_rates_neither_network_reaches(self):
        r = runs(
            {
                ("baseline", 1): [row(0.70, 25), row(0.71, 23)],  # mean 24
                ("bn", 1): [row(0.80, 5), row(0.81, 7)],  # mean 6: faster
                ("baseline", 10): [row(0.60, 9)],
                ("bn", 10): [row(0.80, 9)],  # a tie: not faster
                ("baseline", 30): [row(0.10)],
                ("bn", 30): [row(0.60)],  # neither reaches the target: not compared
            }
        )
        a = q4_claims.convergence(r)
        self.assertEqual(a.compared, [1.0, 10.0])
        self.assertEqual(a.neither, [30.0])
        self.assertEqual(a.faster, [1.0])
        self.assertEqual(a.epochs[("baseline", 1.0)], 24)
        self.assertEqual(a.epochs[("bn", 30.0)], q4_claims.NEVER)
        self.assertEqual(a.verdict, "partly supported")

    def test_the_median_counts_never_as_later_than_any_epoch(self):
        never = q4_claims.NEVER
        self.assertEqual(q4_claims.censored_median([5, 7, never]), 7)
        self.assertEqual(q4_claims.censored_median([5, 7]), 6)
        # Even count with a censored upper middle: the median run never reached it.
        self.assertEqual(q4_claims.censored_median([5, never]), never)
        self.assertEqual(q4_claims.censored_median([3, 5, 7, never]), 6)
        self.assertEqual(q4_claims.censored_median([]), never)
        # A mean over 26s would call BN ([3, never, never]: mean 18.3) faster than the baseline
        # ([20, 20, 20]); its median run never reached the target.
        r = runs(
            {
                ("baseline", 1): [row(0.7, 20), row(0.7, 20), row(0.7, 20)],
                ("bn", 1): [row(0.8, 3), row(0.7), row(0.7)],
            }
        )
        self.assertEqual(q4_claims.convergence(r).faster, [])

    def test_no_rate_compared_is_not_yet_measured(self):
        a = q4_claims.convergence(runs({("baseline", 1): [row(0.7)], ("bn", 5): [row(0.8, 3)]}))
        self.assertEqual(a.compared, [])
        self.assertEqual(a.verdict, "not yet measured")


class LargerRatesTest(unittest.TestCase):
    def test_failures_per_rate_and_where_every_baseline_run_failed(self):
        r = runs(
            {
                ("baseline", 1): [row(0.70, 25)],
                ("bn", 1): [row(0.80, 5)],
                ("baseline", 5): [row(0.10), row(0.65)],
                ("bn", 5): [row(0.82), row(0.83)],
                ("baseline", 30): [row(None, diverged=True), row(0.15)],
                ("bn", 30): [row(0.80)],
            }
        )
        b = q4_claims.larger_rates(r)
        self.assertEqual(b.failed, {1.0: 0, 5.0: 1, 30.0: 2})
        self.assertEqual(b.runs, {1.0: 1, 5.0: 2, 30.0: 2})
        self.assertEqual(b.raised, [5.0, 30.0])
        self.assertEqual(b.bn_higher, [5.0, 30.0])
        self.assertEqual(b.broke_at(), [30.0])
        self.assertEqual(b.verdict, "supported")

    def test_bn_higher_without_a_collapse_at_x5_is_partly_supported(self):
        r = runs({("baseline", 5): [row(0.70)], ("bn", 5): [row(0.80)], ("baseline", 10): [row(0.70)]})
        b = q4_claims.larger_rates(r)
        self.assertEqual(b.failed, {5.0: 0, 10.0: 0})
        self.assertEqual(b.broke_at(), [])
        self.assertEqual(b.verdict, "partly supported")
        worse = q4_claims.larger_rates(runs({("baseline", 5): [row(0.80)], ("bn", 5): [row(0.70)]}))
        self.assertEqual(worse.verdict, "not supported")


class BetterAccuracyTest(unittest.TestCase):
    def test_best_setting_of_each_network(self):
        r = runs(
            {
                ("baseline", 1): [row(0.70), row(0.72)],
                ("baseline", 5): [row(0.60)],
                ("bn", 5): [row(0.80)],
                ("bn", 10): [row(0.84), row(0.82)],
            }
        )
        c = q4_claims.better_accuracy(r)
        self.assertTrue(c.measured)
        self.assertAlmostEqual(c.best["bn"][0], 0.83)
        self.assertEqual(c.best["bn"][1], 10.0)
        self.assertAlmostEqual(c.best["baseline"][0], 0.71)
        self.assertAlmostEqual(c.gain, 0.12)
        self.assertEqual(c.verdict, "supported")
        self.assertFalse(q4_claims.better_accuracy(runs({("bn", 5): [row(0.8)]})).measured)


def summary_row(run_id, arm, m, seed, acc, precision="bf16", images=50000):
    return {"run_id": run_id, "arm": arm, "lr_multiplier": str(m), "seed": str(seed), "precision": precision,
            "final_val_acc": str(acc), "epochs_to_target": "", "diverged": "false",
            "train_images": str(images)}  # fmt: skip


class FromSummaryTest(unittest.TestCase):
    def test_full_data_runs_at_the_main_precision(self):
        rows = [
            summary_row("a", "baseline", 1, 0, 0.7, "fp32"),
            summary_row("b", "baseline", 1, 0, 0.72),
            summary_row("baseline_lr0.0001_seed1_bf16_t2_train500", "baseline", 1, 1, 0.3, images=500),
        ]
        r = q4_claims.Runs.from_summary(rows)
        self.assertEqual(r.main, "bf16")
        self.assertEqual(r.precisions, ["bf16", "fp32"])
        self.assertEqual(r.acc("baseline", 1), [0.72])  # the run on 500 images is left out
        self.assertEqual(r.run_ids(), {"a", "b"})
        self.assertEqual(q4_claims.Runs.from_summary(rows[:1]).main, "fp32")
        self.assertIsNone(q4_claims.Runs.from_summary(rows[2:]))


class PrecisionCheckTest(unittest.TestCase):
    def test_seed_by_seed_and_whether_the_conclusion_holds(self):
        rows = [
            summary_row("b0", "baseline", 1, 0, 0.70),
            summary_row("b1", "baseline", 1, 1, 0.74),
            summary_row("b0f", "baseline", 1, 0, 0.69, "fp32"),
            summary_row("n0", "bn", 10, 0, 0.80),
            summary_row("n0f", "bn", 10, 0, 0.84, "fp32"),
        ]
        check = q4_claims.precision_check(q4_claims.Runs.from_summary(rows))
        self.assertEqual(check.seeds, {("baseline", 1): ["0"], ("bn", 10): ["0"]})
        self.assertEqual(check.means[("baseline", 1)], (0.69, 0.70))  # seed 0 only, in both
        self.assertEqual(check.spread[("baseline", 1)][0], 2)
        self.assertAlmostEqual(check.spread[("baseline", 1)][1], 0.04)  # bf16 over its 2 seeds
        self.assertIsNone(check.spread[("bn", 10)])
        self.assertTrue(check.same_conclusion)
        rows[-1] = summary_row("n0f", "bn", 10, 0, 0.60, "fp32")  # BN below the baseline in fp32 only
        self.assertFalse(q4_claims.precision_check(q4_claims.Runs.from_summary(rows)).same_conclusion)
        self.assertIsNone(q4_claims.precision_check(q4_claims.Runs.from_summary(rows[:3])).same_conclusion)


class LevelGapTest(unittest.TestCase):
    def test_gaps_to_the_homeworks_reported_accuracies(self):
        r = runs({("bn", 5): [row(0.78)], ("bn", 10): [row(0.80)], ("baseline", 1): [row(0.70)]})
        gap = q4_claims.level_gap(r, {5: 0.83, 10: 0.85, 30: 0.82}, 0.80)
        self.assertEqual([p[0] for p in gap.pairs], ["BN x5", "BN x10", "baseline x1"])  # x30 has no runs
        for got, want in zip(gap.gaps, [0.05, 0.05, 0.10]):
            self.assertAlmostEqual(got, want)
        self.assertTrue(gap.all_below)
        self.assertAlmostEqual(gap.bn_gap, 0.05)
        self.assertTrue(gap.shared)  # the baseline's gap is at least half BN's
        self.assertFalse(q4_claims.level_gap(r, {5: 0.83, 10: 0.85}, 0.72).shared)  # 0.02 < 0.025
        self.assertFalse(q4_claims.level_gap(r, {5: 0.77}, 0.80).all_below)
        self.assertIsNone(q4_claims.level_gap(runs({("bn", 5): [row(0.78)]}), {5: 0.83}, 0.80))


class HowTheyFailedTest(unittest.TestCase):
    def test_counts_runs_at_chance_with_counted_predictions(self):
        def c(acc, collapsed, share, precision="bf16", images="50000"):
            return {"final_val_acc": acc, "collapsed": collapsed, "majority_class_share": share,
                    "precision": precision, "train_images": images}  # fmt: skip

        rows = [c("0.1", "true", "1"), c("0.12", "false", "0.4"), c("0.1", "", ""), c("0.6", "false", "0.11")]
        rows += [c("0.1", "true", "0.95", "fp32"), c("0.1", "true", "0.97", images="640")]
        failed = q4_claims.how_they_failed(rows, "bf16")
        self.assertEqual((failed.counted, failed.collapsed, failed.shares), (2, 1, [1.0, 0.4]))
        self.assertIsNone(q4_claims.how_they_failed(rows[3:4], "bf16"))


if __name__ == "__main__":
    unittest.main()
