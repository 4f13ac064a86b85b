"""Q4 (b) as one number: the learning rate at which half the runs of a network collapse (lr50),
per network and precision, from the stability curve (reports/data/stability/q4_collapse.csv,
written by q4_bn_sweep with one epoch per run; the collapse rule is lib/train/collapse.h's).

Facts only: cells with Wilson intervals, a logistic fit of collapse against log(lr) (statsmodels)
with lr50 and its 95 % interval (delta method on log lr50), Fisher's exact test between cells
(scipy), and how often a full-protocol run is on the same side of the rule after its first epoch
as after its last (what makes one epoch enough). The report's words are in report_stability.py."""

import math
import re
from collections import defaultdict

from analysis import csv_io
from analysis import homework_reference as hw
from analysis.collapse import Z95, Cell, early_verdict_agreement, wilson_interval  # noqa: F401

STABILITY_DIR = "stability"
STABILITY_CSV = STABILITY_DIR + "/q4_collapse.csv"
# The protocol: the first epoch of the full data (one epoch is enough: epoch1_check).
STABILITY_EPOCHS = 1

_THREADS = re.compile(r"_t(\d+)(?:_|$)")


def threads_of(row):
    """The run's intra-op threads, as its id names them (q4_collapse.csv has no column for it)."""
    match = _THREADS.search(row["run_id"])
    if not match:
        raise ValueError(f"run id {row['run_id']!r} names no thread count (_t<N>)")
    return int(match.group(1))


def setting_of(row):
    """What a run's numerics are: (arm, precision, threads)."""
    return row["arm"], row["precision"], threads_of(row)


def cells(rows, epochs=STABILITY_EPOCHS):
    """{(arm, precision, threads, multiplier): Cell} of the runs of one protocol (`epochs`, all the
    training images, Keras' init); rows whose verdict cannot be told are counted as undecided."""
    out = defaultdict(Cell)
    for r in rows:
        if int(r["epochs"]) != epochs or not hw.on_all_training_images(r) or r["init"] != "keras":
            continue
        out[setting_of(r) + (float(r["lr_multiplier"]),)].add(r)
    return dict(out)


def curves(by_cell):
    """{(arm, precision, threads): [(multiplier, Cell), ...] sorted by multiplier}."""
    out = defaultdict(list)
    for (arm, precision, threads, multiplier), cell in by_cell.items():
        if cell.n:
            out[(arm, precision, threads)].append((multiplier, cell))
    return {k: sorted(v, key=lambda mc: mc[0]) for k, v in out.items()}


class Lr50:
    """The fitted lr50 of one curve (as a multiple of the base lr), or the bound the data allow.

    kind: "fit" (a logistic fit: value, low, high), "above" (no run collapsed: lr50 is above the
    largest multiplier tried, `value`), "below" (every run collapsed: below the smallest), or
    "step" (the cells separate: lr50 lies between low and high, at `value` when one cell is mixed;
    no slope to fit)."""

    def __init__(self, kind, value=None, low=None, high=None, slope=None, n=0):
        self.kind, self.value, self.low, self.high, self.slope, self.n = kind, value, low, high, slope, n


def fit_lr50(curve):
    """Logistic regression of collapsed (0/1 per run) on ln(multiplier) over the cells of one curve;
    lr50 = exp(-b0/b1), its 95 % interval exp(ln lr50 ± z·se), se by the delta method."""
    import numpy as np
    import statsmodels.api as sm

    xs, ys = [], []
    for multiplier, cell in curve:
        xs += [math.log(multiplier)] * cell.n
        ys += [1] * cell.collapsed + [0] * (cell.n - cell.collapsed)
    n = len(ys)
    multipliers = [m for m, c in curve]
    if n == 0:
        return None
    if sum(ys) == 0:
        return Lr50("above", value=max(multipliers), n=n)
    if sum(ys) == n:
        return Lr50("below", value=min(multipliers), n=n)
    # (Quasi-)separation: cells below one point never collapse and cells above it always do, with
    # at most one mixed cell at that point. The MLE's slope is then infinite: lr50 lies between the
    # last cell that never collapsed and the first that always did (at the mixed cell, if any).
    mixed = [m for m, c in curve if 0 < c.collapsed < c.n]
    if len(mixed) <= 1:
        pivot = mixed[0] if mixed else None
        below = [c for m, c in curve if pivot is None or m < pivot]
        above = [c for m, c in curve if pivot is None or m > pivot]
        never = [m for m, c in curve if c.collapsed == 0]
        always = [m for m, c in curve if c.collapsed == c.n]
        if pivot is None and max(never) < min(always):
            return Lr50("step", low=max(never), high=min(always), n=n)
        if pivot is not None and all(c.collapsed == 0 for c in below) and all(c.collapsed == c.n for c in above):
            return Lr50(
                "step",
                low=max([m for m in never if m < pivot], default=pivot),
                high=min([m for m in always if m > pivot], default=pivot),
                value=pivot,
                n=n,
            )
    exog = sm.add_constant(np.array(xs))
    result = sm.Logit(np.array(ys), exog).fit(disp=0, maxiter=200)
    if not result.mle_retvals.get("converged", True):
        raise ArithmeticError(f"the logistic fit did not converge over {n} runs")
    b0, b1 = result.params
    cov = result.cov_params()
    log_lr50 = -b0 / b1
    gradient = np.array([-1 / b1, b0 / b1**2])
    se = math.sqrt(float(gradient @ cov @ gradient))
    return Lr50(
        "fit",
        value=math.exp(log_lr50),
        low=math.exp(log_lr50 - Z95 * se),
        high=math.exp(log_lr50 + Z95 * se),
        slope=b1,
        n=n,
    )


def fitted_rate(lr50, multiplier):
    """The fitted collapse probability at `multiplier` (for the figure's curve)."""
    return 1 / (1 + math.exp(-lr50.slope * (math.log(multiplier) - math.log(lr50.value))))


def fisher_p(a, b):
    """Fisher's exact test, two-sided, between two cells' collapsed/total (scipy)."""
    from scipy.stats import fisher_exact

    return fisher_exact([[a.collapsed, a.n - a.collapsed], [b.collapsed, b.n - b.collapsed]])[1]


def same_outcome(rows_a, rows_b):
    """Seeds run in two settings: (agreeing, n, expected agreement if the outcomes were drawn
    independently at each setting's rate). Rows: q4_collapse.csv rows with a decided verdict."""

    def verdicts(rows):
        return {int(r["seed"]): csv_io.to_bool(r["collapsed"]) for r in rows if r["collapsed"] != ""}

    a, b = verdicts(rows_a), verdicts(rows_b)
    seeds = sorted(set(a) & set(b))
    if not seeds:
        return 0, 0, None
    agreeing = sum(a[s] == b[s] for s in seeds)
    pa = sum(a[s] for s in seeds) / len(seeds)
    pb = sum(b[s] for s in seeds) / len(seeds)
    return agreeing, len(seeds), pa * pb + (1 - pa) * (1 - pb)


def epoch1_check(history_rows):
    """(agreeing, total, at or below the rule's accuracy after epoch 1) over full-length runs:
    one epoch is enough when agreeing == total."""
    return early_verdict_agreement(history_rows, epoch=1)
