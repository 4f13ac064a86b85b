"""Q4: the homework's three claims about BatchNorm, as facts computed from Table 1's runs.

Facts only (tested in tests/analysis/q4_claims_test.py); analysis/report_q4.py words them.
`by` maps (arm, lr multiplier, precision) to q4_summary.csv rows; `main` is the precision compared.
"""

import dataclasses
import statistics
from collections import defaultdict

from analysis import csv_io
from analysis import homework_reference as hw
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

    @classmethod
    def from_summary(cls, summary_rows):
        """Table 1's runs from q4_summary.csv rows: those on all the training data, at the main
        precision (bf16 where there are bf16 runs: the sweep's default on AMX); None without any."""
        rows = [r for r in summary_rows if hw.on_all_training_images(r)]
        if not rows:
            return None
        by = defaultdict(list)
        for r in rows:
            by[(r["arm"], float(r["lr_multiplier"]), r["precision"])].append(r)
        precisions = sorted({r["precision"] for r in rows})
        return cls(by, "bf16" if "bf16" in precisions else precisions[0])

    @property
    def precisions(self):
        return sorted({k[2] for k in self.by})

    def run_ids(self):
        """Every run of Table 1, at any precision."""
        return {r["run_id"] for rows in self.by.values() for r in rows}

    def arm_multipliers(self, arm):
        """Multipliers with runs of `arm` at any precision."""
        return sorted({k[1] for k in self.by if k[0] == arm})

    def rows(self, arm, m):
        return self.by.get((arm, float(m), self.main), [])

    def acc(self, arm, m, column="final_val_acc"):
        return [float(r[column]) for r in self.rows(arm, m) if r[column] != ""]

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
    faster: list  # compared multipliers where BN's median epochs are fewer
    epochs: dict  # (arm, m) -> censored_median of the epochs to the target (NEVER: not reached by the median run)

    @property
    def verdict(self):
        return verdict(len(self.faster), len(self.compared))


def censored_median(epochs):
    """The median of runs' epochs to the target, where a run that never reached it (NEVER) counts
    as later than every run that did: NEVER when the middle run (either middle run, for an even
    count) never reached it. Unlike a mean over 26s, it does not invent an epoch for "never"."""
    ordered = sorted(epochs)
    if not ordered:
        return NEVER
    half = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[half]
    low, high = ordered[half - 1], ordered[half]
    return NEVER if high == NEVER else (low + high) / 2


def convergence(runs):
    both = runs.both()
    epochs = {(arm, m): censored_median(runs.reach(arm, m)) for m in both for arm in ("baseline", "bn")}
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


@dataclasses.dataclass
class PrecisionCheck:
    """Table 1's runs repeated in fp32, seed by seed against the main precision."""

    main: str
    seeds: dict  # (arm, m) -> seeds with runs in both precisions
    means: dict  # (arm, m) -> (fp32 mean, main mean) over those seeds
    spread: dict  # (arm, m) -> (seeds, max - min) of the main precision's runs over all its seeds, or None

    @property
    def same_conclusion(self):
        """Does BN x10 end on the same side of the baseline x1 in fp32 as in the main precision?
        None unless both cells were repeated."""
        if ("baseline", 1) not in self.means or ("bn", 10) not in self.means:
            return None
        (base32, base_main), (bn32, bn_main) = self.means[("baseline", 1)], self.means[("bn", 10)]
        return (bn32 > base32) == (bn_main > base_main)


def precision_check(runs, cells=(("baseline", 1), ("bn", 10))):
    """fp32 against `runs.main` in each of `cells` (arm, multiplier) that has fp32 runs of its seeds."""

    def finals(arm, m, precision):
        return {r["seed"]: float(r["final_val_acc"]) for r in runs.by.get((arm, float(m), precision), [])}

    check = PrecisionCheck(runs.main, {}, {}, {})
    for arm, m in cells:
        fp32, other = finals(arm, m, "fp32"), finals(arm, m, runs.main)
        seeds = sorted(set(fp32) & set(other))
        if not seeds:
            continue
        check.seeds[(arm, m)] = seeds
        check.means[(arm, m)] = statistics.fmean(fp32[s] for s in seeds), statistics.fmean(other[s] for s in seeds)
        check.spread[(arm, m)] = (len(other), max(other.values()) - min(other.values())) if len(other) > 1 else None
    return check


@dataclasses.dataclass
class LevelGap:
    """Our accuracies against every one the homework reports for a run that trained (not its
    collapse): BN's per multiplier, then the baseline x1's."""

    pairs: list  # (label, ours, theirs)

    @property
    def gaps(self):
        return [theirs - ours for _, ours, theirs in self.pairs]

    @property
    def all_below(self):
        """Is every one of ours below the homework's?"""
        return min(self.gaps) > 0

    @property
    def bn_gap(self):
        return statistics.fmean(self.gaps[:-1])

    @property
    def shared(self):
        """Is the baseline's gap at least half BN's: a difference in what both networks share?"""
        return self.gaps[-1] >= 0.5 * self.bn_gap


def level_gap(runs, bn_reported, baseline_reported):
    """LevelGap against the homework's `bn_reported` {multiplier: accuracy} and its baseline x1;
    None without BN runs at a reported multiplier or without a baseline x1."""
    pairs = [
        (f"BN x{m}", statistics.fmean(runs.acc("bn", m)), theirs)
        for m, theirs in sorted(bn_reported.items())
        if runs.acc("bn", m)
    ]
    if not pairs or not runs.acc("baseline", 1):
        return None
    return LevelGap(pairs + [("baseline x1", statistics.fmean(runs.acc("baseline", 1)), baseline_reported)])


@dataclasses.dataclass
class HowTheyFailed:
    """Of Table 1's runs that ended at chance and whose predictions were counted (q4_collapse.csv):
    how many collapsed by the rule, and the majority class's shares."""

    counted: int
    collapsed: int
    shares: list


def how_they_failed(collapse_rows, main):
    """From the sweep folder's q4_collapse.csv rows at precision `main`; None when none ended at chance."""
    rule = [
        r
        for r in collapse_rows
        if r["precision"] == main
        and hw.on_all_training_images(r)
        and r["collapsed"] != ""
        and float(r["final_val_acc"] or 0) <= COLLAPSE_MAX_VAL_ACC
    ]
    if not rule:
        return None
    return HowTheyFailed(
        counted=len(rule),
        collapsed=sum(csv_io.to_bool(r["collapsed"]) for r in rule),
        shares=[float(r["majority_class_share"]) for r in rule if r["majority_class_share"]],
    )
