"""Q4: the homework's three claims about BatchNorm, as facts computed from Table 1's runs.

Facts only (tested in tests/analysis/q4_claims_test.py); analysis/report.py words them.
`by` maps (arm, lr multiplier, precision) to q4_summary.csv rows; `main` is the precision compared.
"""

import dataclasses
import statistics

from analysis import csv_io
from analysis.collapse_rule import COLLAPSE_MAX_VAL_ACC

# Epochs to the target of a run that never reached it within the protocol's 25.
NEVER = 26


def ended_at_chance(row):
    """A Table 1 run (q4_summary.csv row) that ended at chance, i.e. at or below the collapse rule's
    accuracy threshold, or diverged: the one failure test of claim (b) and of where each network breaks."""
    return csv_io.to_bool(row["diverged"]) or float(row["final_val_acc"] or 0) <= COLLAPSE_MAX_VAL_ACC


def mean(values):
    return statistics.fmean(values) if values else None


def verdict(hits, total):
    """All of `total` cases support a claim: supported; some: partly; none: not; no case: not yet."""
    if not total:
        return "not yet measured"
    return "supported" if hits == total else "partly supported" if hits else "not supported"


class Runs:
    """Table 1's runs at one precision, by arm and learning-rate multiplier."""

    def __init__(self, by, main):
        self.by, self.main = by, main
        self.multipliers = sorted({k[1] for k in by if k[2] == main})

    def rows(self, arm, m):
        return self.by.get((arm, float(m), self.main), [])

    def acc(self, arm, m):
        return [float(r["final_val_acc"]) for r in self.rows(arm, m) if r["final_val_acc"] != ""]

    def reach(self, arm, m):
        """Each run's epochs to the baseline x1's final accuracy (NEVER when not within 25)."""
        return [int(r["epochs_to_target"]) if r["epochs_to_target"] else NEVER for r in self.rows(arm, m)]

    def both(self):
        """Multipliers with finished runs of both networks."""
        return [m for m in self.multipliers if self.acc("baseline", m) and self.acc("bn", m)]

    def unequal(self):
        """Multipliers where the two networks do not have the same number of runs yet."""
        return [m for m in self.multipliers if len(self.rows("bn", m)) != len(self.rows("baseline", m))]


@dataclasses.dataclass
class BreakingPoint:
    """Where one network stops training: the lowest multiplier at which any of its runs ended at
    chance or diverged."""

    failed: dict  # m -> runs that ended at chance or diverged, for every multiplier with runs
    runs: dict  # m -> runs

    @property
    def first(self):
        """The lowest multiplier with a failed run; None when none failed."""
        return next((m for m in sorted(self.runs) if self.failed[m]), None)

    @property
    def trained_up_to(self):
        """The highest multiplier below the first failure; None when it fails from the lowest."""
        below = [m for m in self.runs if self.first is not None and m < self.first]
        return max(below) if below else None

    @property
    def highest(self):
        return max(self.runs)


def breaking_point(runs, arm):
    """`arm`'s BreakingPoint over the multipliers it has runs at; None when it has none."""
    cells = {m: runs.rows(arm, m) for m in runs.multipliers if runs.rows(arm, m)}
    if not cells:
        return None
    return BreakingPoint(
        failed={m: sum(ended_at_chance(r) for r in rows) for m, rows in cells.items()},
        runs={m: len(rows) for m, rows in cells.items()},
    )


@dataclasses.dataclass
class Convergence:
    """Claim (a): BN reaches the baseline x1's final accuracy in fewer epochs, at equal learning rate."""

    compared: list  # multipliers where at least one network reaches the target in 25 epochs
    neither: list  # multipliers where neither does: they say nothing about which is faster
    faster: list  # compared multipliers where BN's mean epochs are fewer
    epochs: dict  # (arm, m) -> mean epochs to the target (NEVER counted as 26)

    @property
    def verdict(self):
        return verdict(len(self.faster), len(self.compared))


def convergence(runs):
    both = runs.both()
    epochs = {(arm, m): mean(runs.reach(arm, m)) for m in both for arm in ("baseline", "bn")}
    compared = [m for m in both if min(epochs[("bn", m)], epochs[("baseline", m)]) < NEVER]
    return Convergence(
        compared=compared,
        neither=[m for m in both if m not in compared],
        faster=[m for m in compared if epochs[("bn", m)] < epochs[("baseline", m)]],
        epochs=epochs,
    )


@dataclasses.dataclass
class LargerRates:
    """Claim (b): the baseline fails at raised learning rates where BN does not."""

    failed: dict  # m -> baseline runs that ended at chance or diverged, where the baseline has runs
    runs: dict  # m -> baseline runs
    raised: list  # multipliers above x1 with runs of both networks
    bn_higher: list  # raised multipliers where BN's mean final accuracy is higher

    @property
    def verdict(self):
        if self.raised and len(self.bn_higher) == len(self.raised) and self.failed.get(5.0):
            return "supported"
        if self.bn_higher:
            return "partly supported"
        return "not supported" if self.raised else "not yet measured"

    def broke_at(self):
        """Raised multipliers above x5 at which every baseline run failed, lowest first."""
        return [m for m in sorted(self.failed) if m > 5 and self.failed[m] == self.runs[m]]


def larger_rates(runs):
    base = {m: runs.rows("baseline", m) for m in runs.multipliers if runs.rows("baseline", m)}
    raised = [m for m in runs.both() if m > 1]
    return LargerRates(
        failed={m: sum(ended_at_chance(r) for r in rows) for m, rows in base.items()},
        runs={m: len(rows) for m, rows in base.items()},
        raised=raised,
        bn_higher=[m for m in raised if mean(runs.acc("bn", m)) > mean(runs.acc("baseline", m))],
    )


@dataclasses.dataclass
class BetterAccuracy:
    """Claim (c): BN's best learning rate beats the baseline's best."""

    best: dict  # arm -> (mean final accuracy, multiplier) of its best setting, or None

    @property
    def measured(self):
        return bool(self.best["baseline"] and self.best["bn"])

    @property
    def gain(self):
        return self.best["bn"][0] - self.best["baseline"][0]

    @property
    def verdict(self):
        return "supported" if self.gain > 0 else "not supported"


def better_accuracy(runs):
    return BetterAccuracy(
        best={
            arm: max(((mean(runs.acc(arm, m)), m) for m in runs.multipliers if runs.acc(arm, m)), default=None)
            for arm in ("baseline", "bn")
        }
    )
