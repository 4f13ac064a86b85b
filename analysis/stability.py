"""Q4 (b) as one number: the learning rate at which half the runs of a network collapse (lr50),
per network, precision, threads and host ISA, from the stability curve (reports/data/stability/
<isa>/q4_collapse.csv, written by q4_bn_sweep with one epoch per run; the collapse rule is
lib/train/collapse.h's).

Facts only: cells with Wilson intervals, a logistic fit of collapse against log(lr) (statsmodels)
with lr50 and its 95 % interval (delta method on log lr50), Fisher's exact test between cells
(scipy), and how often a full-protocol run is on the same side of the rule after its first epoch
as after its last (what makes one epoch enough). The report's words are in report_stability.py."""

import math
import os
import re
from collections import defaultdict, namedtuple

from analysis import csv_io
from analysis import homework_reference as hw
from analysis.collapse import COLLAPSE_MAX_VAL_ACC, Z95, Cell, early_verdict_agreement, wilson_interval  # noqa: F401

STABILITY_DIR = "stability"
# One folder per oneDNN ISA below STABILITY_DIR (reports/data/stability/<isa>/): runs made on
# another kind of host differ in their summation order, so they are kept, and counted, apart.
STABILITY_CSV = "q4_collapse.csv"
# The protocol: the first epoch of the full data (one epoch is enough: epoch1_check).
STABILITY_EPOCHS = 1

_THREADS = re.compile(r"_t(\d+)(?:_|$)")


class Setting(namedtuple("Setting", "arm precision threads isa input_scale")):
    """What a run's numbers depend on besides its lr and seed: the network, the precision, the
    intra-op threads, the host's oneDNN ISA and the input scaling ("unit": [0, 1], "raw255")."""


def threads_of(row):
    """The run's intra-op threads, as its id names them (q4_collapse.csv has no column for it)."""
    match = _THREADS.search(row["run_id"])
    if not match:
        raise ValueError(f"run id {row['run_id']!r} names no thread count (_t<N>)")
    return int(match.group(1))


def setting_of(row):
    """A run's Setting; `onednn_isa` and `input_scale` come from its manifest entry (load_rows)."""
    if not row.get("onednn_isa"):
        raise ValueError(f"run {row['run_id']!r} has no oneDNN ISA (its manifest entry names none)")
    return Setting(row["arm"], row["precision"], threads_of(row), row["onednn_isa"], row.get("input_scale") or "unit")


def load_rows(results):
    """Every stability run: the q4_collapse.csv rows of each folder below STABILITY_DIR, each with its
    manifest entry's `onednn_isa`, `input_scale`, `host_cpu` and the folder's `finished_at` date."""
    root = results.csv(STABILITY_DIR)
    if not os.path.isdir(root):
        return []
    rows = []
    for folder in sorted(os.listdir(root)):
        name = os.path.join(STABILITY_DIR, folder, STABILITY_CSV)
        if not results.exists(name):
            continue
        manifest = results.manifest(os.path.join(STABILITY_DIR, folder, "q4_bn_sweep")) or {}
        runs = manifest.get("runs") or {}
        for r in results.rows(name):
            entry = runs.get(r["run_id"])
            if entry is None:
                raise ValueError(f"{results.csv(name)}: run {r['run_id']!r} is not in its folder's manifest")
            rows.append(
                dict(
                    r,
                    onednn_isa=entry.get("onednn_isa", ""),
                    input_scale=entry.get("input_scale", "unit"),
                    host_cpu=(manifest.get("host") or {}).get("cpu", "?"),
                    date=(manifest.get("finished_at") or manifest.get("started_at") or "?")[:10],
                )
            )
    return rows


def cells(rows, epochs=STABILITY_EPOCHS):
    """{(arm, precision, threads, isa, input_scale, multiplier): Cell} of the runs of one protocol
    (`epochs`, all the training images, Keras' init); rows whose verdict cannot be told are counted
    as undecided."""
    out = defaultdict(Cell)
    for r in rows:
        if int(r["epochs"]) != epochs or not hw.on_all_training_images(r) or r["init"] != "keras":
            continue
        out[tuple(setting_of(r)) + (float(r["lr_multiplier"]),)].add(r)
    return dict(out)


def curves(by_cell):
    """{Setting: [(multiplier, Cell), ...] sorted by multiplier}."""
    out = defaultdict(list)
    for key, cell in by_cell.items():
        if cell.n:
            out[Setting(*key[:-1])].append((key[-1], cell))
    return {k: sorted(v, key=lambda mc: mc[0]) for k, v in out.items()}


class Lr50:
    """The fitted lr50 of one curve (as a multiple of the base lr), or the bound the data allow.

    kind: "fit" (a logistic fit: value, low, high), "above" (no run collapsed: lr50 is above the
    largest multiplier tried, `value`), "below" (every run collapsed: below the smallest), "step"
    (the cells separate: lr50 lies between low and high, at `value` when one cell is mixed; no
    slope to fit), or "open" (one lr tried, `value`, where some seeds collapsed: no bound)."""

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
    if len(multipliers) == 1:  # some seeds collapse at the one lr tried: nothing on either side of it
        return Lr50("open", value=multipliers[0], n=n)
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


def rows_of(rows, setting, multiplier, epochs=STABILITY_EPOCHS):
    """The rows of one cell (the protocol of cells(), one Setting, one lr multiplier)."""
    return [
        r
        for r in rows
        if int(r["epochs"]) == epochs
        and hw.on_all_training_images(r)
        and r["init"] == "keras"
        and setting_of(r) == setting
        and float(r["lr_multiplier"]) == multiplier
    ]


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


def agreement(rows, a, b, multipliers):
    """Same-seed agreement between Settings a and b over the cells at `multipliers`, pooled:
    (agreeing, n, expected) with `expected` the agreeing seeds that independent draws at each
    cell's two rates would give (summed over the cells, as the rates differ from lr to lr)."""
    agreeing = n = 0
    expected = 0.0
    for m in multipliers:
        k, n_cell, chance = same_outcome(rows_of(rows, a, m), rows_of(rows, b, m))
        agreeing, n = agreeing + k, n + n_cell
        expected += (chance or 0.0) * n_cell
    return agreeing, n, expected


LATE_COLLAPSE_DIR = "late_collapse"
LATE_AFTER_EPOCH = 3  # the collapse study's protocol: a collapse after it is one that study could miss


def late_collapses(history_rows, threshold=COLLAPSE_MAX_VAL_ACC):
    """Full-length runs (25 epochs): {multiplier: (runs, collapsed at any epoch, collapsed after
    LATE_AFTER_EPOCH only)}; a run is at or below `threshold` validation accuracy when collapsed
    (the rule's accuracy half; q4_collapse.csv holds the full rule's verdict for the last epoch)."""
    runs = defaultdict(dict)
    multiplier = {}
    for r in history_rows:
        runs[r["run_id"]][int(r["epoch"])] = float(r["val_acc"])
        multiplier[r["run_id"]] = float(r["lr_multiplier"])
    out = defaultdict(lambda: [0, 0, 0])
    for run_id, accs in runs.items():
        if max(accs) < 25:
            continue  # still training
        cell = out[multiplier[run_id]]
        cell[0] += 1
        down = [e for e, v in accs.items() if v <= threshold]
        cell[1] += bool(down)
        cell[2] += bool(down) and min(down) > LATE_AFTER_EPOCH
    return {m: tuple(v) for m, v in out.items()}


def epoch1_check(history_rows):
    """(agreeing, total, at or below the rule's accuracy after epoch 1) over full-length runs:
    one epoch is enough when agreeing == total."""
    return early_verdict_agreement(history_rows, epoch=1)
