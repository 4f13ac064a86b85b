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


if __name__ == "__main__":
    unittest.main()
