"""Why BatchNorm permits larger learning rates, as facts from the training probes
(reports/data/probes/<isa>/: q4_bn_sweep --probe writes probes/<run_id>_{layers,network,landscape}.csv
beside the sweep's q4_collapse.csv; the columns are lib/probe/training_probe.h's).

Four explanations, each a measure: dead ReLUs (the dead fraction of each layer, where a unit is dead
when no probe image makes it fire), scale invariance (the angular update ‖ΔW‖/‖W‖ of Adam's step),
a smoother landscape (the loss range, gradient predictiveness and β along the step taken) and a
one-step blow-up (the relative loss change of one step). Facts only; the words are in
report_probes.py, the figures in probe_figures.py."""

import math
import os
import statistics
from collections import defaultdict, namedtuple
from itertools import combinations

from analysis import csv_io
from analysis.collapse import Z95

PROBES_DIR = "probes"
LAYERS = ("conv1", "conv2", "conv3", "conv4", "fc1")  # the layers with a ReLU (fc2 gives the logits)
CONV_LAYERS = ("conv1", "conv2", "conv3", "conv4")
# The loss of a network whose outputs ignore its input, on a balanced batch, is ln 10.
LN10_TOLERANCE = 0.01
# A layer is dead when at least this share of its units never fire on the probe batch.
DEAD_LAYER = 0.99
# The early measures that may tell a collapsing seed from a surviving one, fixed before the runs
# were looked at; each is taken at EARLY_STEPS.
EARLY_MEASURES = ("max_dead_fraction", "max_update_ratio", "probe_loss", "logits_sd")
EARLY_STEPS = (50, 100)
# (measure, step) pairs tested: the four at each early step, and the relative loss change of the
# first step (the landscape probe at step 0: Bjorck et al.'s one-step blow-up).
EARLY_TESTS = tuple((m, s) for m in EARLY_MEASURES for s in EARLY_STEPS) + (("first_step_loss_change", 0),)


class ProbeRun(namedtuple("ProbeRun", "run_id arm lr_multiplier seed collapsed layers network landscape")):
    """One probed run: its q4_collapse.csv verdict and its three probe tables (lists of dicts)."""


def _numbers(rows):
    """The rows with every value that reads as a number made a float ('' becomes NaN)."""
    out = []
    for row in rows:
        parsed = {}
        for key, value in row.items():
            try:
                parsed[key] = csv_io.to_float(value)
            except ValueError:
                parsed[key] = value
        out.append(parsed)
    return out


def load_runs(folder):
    """Every run of a probe folder that has its probe tables, keyed by run id; {} when there is none."""
    collapse_csv = os.path.join(folder, "q4_collapse.csv")
    if not os.path.exists(collapse_csv):
        return {}
    runs = {}
    for row in csv_io.read_rows(collapse_csv):
        prefix = os.path.join(folder, PROBES_DIR, row["run_id"])
        tables = [f"{prefix}_{name}.csv" for name in ("layers", "network", "landscape")]
        if not all(os.path.exists(path) for path in tables):
            continue
        layers, network, landscape = (_numbers(csv_io.read_rows(path)) for path in tables)
        runs[row["run_id"]] = ProbeRun(
            row["run_id"],
            row["arm"],
            float(row["lr_multiplier"]),
            int(row["seed"]),
            csv_io.to_bool(row["collapsed"]),
            layers,
            network,
            landscape,
        )
    return runs


def probe_folders(data_dir):
    """{isa: folder} below data_dir/probes/."""
    root = os.path.join(data_dir, "probes")
    if not os.path.isdir(root):
        return {}
    return {isa: os.path.join(root, isa) for isa in sorted(os.listdir(root)) if os.path.isdir(os.path.join(root, isa))}


def by_layer(layers_rows, column):
    """{layer: [(step, value), ...]} of one column of a run's layers table."""
    out = defaultdict(list)
    for row in layers_rows:
        out[row["layer"]].append((int(row["step"]), row[column]))
    return dict(out)


def collapse_onset(network_rows, tolerance=LN10_TOLERANCE):
    """The first probed step from which, to the run's last probe, the probe batch's loss stays within
    `tolerance` of ln 10 (outputs that no longer depend on the image); None when the run ends
    otherwise. The probe at step 0 does not count: every run starts near ln 10 from its
    initialisation, so a stretch from there dates from the next probe."""
    onset = None
    for row in sorted(network_rows, key=lambda r: r["step"]):
        if row["step"] == 0:
            continue
        if abs(row["probe_loss"] - math.log(10)) <= tolerance:
            onset = int(row["step"]) if onset is None else onset
        else:
            onset = None
    return onset


def peak_dead_fraction(layers_rows):
    """The largest dead fraction of any ReLU layer at any probe."""
    values = [r["dead_fraction"] for r in layers_rows if r["layer"] in LAYERS and not math.isnan(r["dead_fraction"])]
    return max(values) if values else None


def value_at(series, step):
    """The value of [(step, value)] at the last probed step <= `step`; None before the first."""
    before = [value for s, value in series if s <= step]
    return before[-1] if before else None


def dead_fractions_at(layers_rows, step):
    """{layer: dead fraction at the last probe <= step} for the ReLU layers."""
    dead = by_layer(layers_rows, "dead_fraction")
    return {layer: value_at(dead[layer], step) for layer in LAYERS if layer in dead}


def first_dead_layer(layers_rows, threshold=DEAD_LAYER):
    """(layer, step) of the first layer whose dead fraction reaches `threshold` (the earlier layer
    on a tie); None when no layer dies."""
    dead = by_layer(layers_rows, "dead_fraction")
    first = []
    for order, layer in enumerate(LAYERS):
        steps = [s for s, value in dead.get(layer, []) if value >= threshold]
        if steps:
            first.append((min(steps), order, layer))
    if not first:
        return None
    step, _, layer = min(first)
    return layer, step


def early_measure(run, name, step):
    """One of EARLY_MEASURES (or first_step_loss_change) of a run at the last probe <= step."""
    if name == "first_step_loss_change":
        first = [r for r in run.landscape if r["step"] == 0]
        return first[0]["relative_loss_change"] if first else None
    if name in ("probe_loss", "logits_sd"):
        series = [(int(r["step"]), r[name]) for r in run.network]
        return value_at(sorted(series), step)
    column = {"max_dead_fraction": "dead_fraction", "max_update_ratio": "update_ratio"}[name]
    values = [value_at(series, step) for layer, series in by_layer(run.layers, column).items() if layer in LAYERS]
    values = [v for v in values if v is not None and not math.isnan(v)]
    return max(values) if values else None


def auc(positives, negatives):
    """The probability that a positive scores above a negative (ties count one half): Mann-Whitney's
    U over n_pos·n_neg."""
    if not positives or not negatives:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def hanley_mcneil_interval(area, n_pos, n_neg, z=Z95):
    """Hanley & McNeil's (1982) 95 % interval of an AUC, clipped to [0, 1]."""
    q1, q2 = area / (2 - area), 2 * area * area / (1 + area)
    variance = (area * (1 - area) + (n_pos - 1) * (q1 - area * area) + (n_neg - 1) * (q2 - area * area)) / (
        n_pos * n_neg
    )
    half = z * math.sqrt(max(variance, 0.0))
    return max(0.0, area - half), min(1.0, area + half)


def permutation_p(positives, negatives):
    """Exact two-sided p of an AUC this far from 1/2 when the labels are exchangeable: the share of
    all relabellings of the pooled scores with |AUC - 1/2| at least the observed one."""
    pooled = list(positives) + list(negatives)
    observed = abs(auc(positives, negatives) - 0.5)
    hits = total = 0
    for chosen in combinations(range(len(pooled)), len(positives)):
        picked = set(chosen)
        pos = [pooled[i] for i in picked]
        neg = [pooled[i] for i in range(len(pooled)) if i not in picked]
        hits += abs(auc(pos, neg) - 0.5) >= observed - 1e-12
        total += 1
    return hits / total


Separation = namedtuple("Separation", "measure step auc low high p n_collapsed n_survived")


def separations(runs):
    """How well each early measure tells collapsing from surviving runs, over `runs` (one arm and lr)."""
    out = []
    for name, step in EARLY_TESTS:
        pos = [early_measure(r, name, step) for r in runs if r.collapsed]
        neg = [early_measure(r, name, step) for r in runs if not r.collapsed]
        pos, neg = [v for v in pos if v is not None], [v for v in neg if v is not None]
        area = auc(pos, neg)
        if area is None:
            continue
        low, high = hanley_mcneil_interval(area, len(pos), len(neg))
        out.append(Separation(name, step, area, low, high, permutation_p(pos, neg), len(pos), len(neg)))
    return out


def median_update_ratio(run, layers=CONV_LAYERS, until=None):
    """The median angular update ‖ΔW‖/‖W‖ over the given layers and the probed steps (<= until)."""
    values = [
        r["update_ratio"]
        for r in run.layers
        if r["layer"] in layers and (until is None or r["step"] <= until) and not math.isnan(r["update_ratio"])
    ]
    return statistics.median(values) if values else None


def weight_norm_growth(run, layers=CONV_LAYERS):
    """‖W‖ at the run's last probe over ‖W‖ at its first, the median over `layers`."""
    norms = by_layer(run.layers, "weight_norm")
    ratios = [series[-1][1] / series[0][1] for layer, series in norms.items() if layer in layers and series[0][1] > 0]
    return statistics.median(ratios) if ratios else None


def landscape_median(run, column, until=None):
    """The median of a landscape column over a run's landscape probes (<= until)."""
    values = [r[column] for r in run.landscape if (until is None or r["step"] <= until) and not math.isnan(r[column])]
    return statistics.median(values) if values else None


def landscape_band(run, steps_columns):
    """[(step, lowest, highest)] of the loss along the step taken, over the probed step sizes."""
    out = []
    for row in sorted(run.landscape, key=lambda r: r["step"]):
        losses = [row[c] for c in steps_columns] + [row["loss"]]
        out.append((int(row["step"]), min(losses), max(losses)))
    return out


def step_columns(landscape_rows):
    """The loss_s<s> columns of a landscape table."""
    return [c for c in (landscape_rows[0] if landscape_rows else {}) if c.startswith("loss_s")]


def lower_in_every_pair(bn_values, baseline_values):
    """True when every BatchNorm seed's value is below every baseline seed's (None without both)."""
    if not bn_values or not baseline_values:
        return None
    return max(bn_values) < min(baseline_values)


Verdict = namedtuple("Verdict", "verdict evidence")


def dead_units_verdict(collapsing, surviving, bn):
    """Supported when every collapsing baseline run had a dead layer (DEAD_LAYER) at some probe, a
    smaller share of the surviving runs had one, and no BatchNorm run had one; contradicted when no
    collapsing run had one; else not decided. The probes are 25 steps apart, which cannot order a
    layer's death and the loss reaching ln 10 inside them: the evidence gives the dead fraction at
    the onset. Each argument: a list of ProbeRun."""
    if not collapsing:
        return Verdict("not decided", "no run collapsed")
    dead = [first_dead_layer(r.layers) for r in collapsing]
    at_onset = []
    for run in collapsing:
        onset = collapse_onset(run.network)
        fractions = dead_fractions_at(run.layers, onset) if onset is not None else {}
        values = [v for v in fractions.values() if v is not None]
        if values:
            at_onset.append(max(values))
    peaks = [p for p in (peak_dead_fraction(r.layers) for r in surviving) if p is not None]
    bn_dead = sum(first_dead_layer(r.layers) is not None for r in bn)
    surviving_dead = sum(first_dead_layer(r.layers) is not None for r in surviving)
    n_dead = sum(d is not None for d in dead)
    layers = sorted({d[0] for d in dead if d is not None})
    evidence = (
        f"{n_dead} of {len(collapsing)} collapsing runs had a dead layer ({', '.join(layers) or 'none'})"
        + (f", its most-dead layer {min(at_onset):.2f}-{max(at_onset):.2f} dead at the onset" if at_onset else "")
        + (
            f"; the {len(peaks)} surviving runs' most-dead layer peaked at {min(peaks):.2f}-{max(peaks):.2f}"
            if peaks
            else ""
        )
        + f" ({surviving_dead} of {len(surviving)} had a dead layer)" * bool(surviving)
        + f"; {bn_dead} of {len(bn)} BatchNorm runs had a dead layer"
    )
    rarer_in_survivors = not surviving or surviving_dead / len(surviving) < n_dead / len(collapsing)
    if n_dead == len(collapsing) and bn_dead == 0 and rarer_in_survivors:
        return Verdict("supported", evidence)
    if n_dead == 0:
        return Verdict("contradicted", evidence)
    return Verdict("not decided", evidence)


def auto_tuning_verdict(bn_ratio, baseline_ratio, lr_ratio):
    """bn_ratio, baseline_ratio: each arm's angular update at the high lr over its own at the low one;
    lr_ratio: the lrs' ratio. Supported when BatchNorm's update grows by less than half the lr's
    factor and the baseline's by more than twice BatchNorm's; contradicted when BatchNorm's grows as
    much as the baseline's; else not decided."""
    if bn_ratio is None or baseline_ratio is None:
        return Verdict("not decided", "an arm lacks the runs")
    evidence = (
        f"{lr_ratio:g} times the lr moves BatchNorm's angular update {bn_ratio:.1f} times and the baseline's "
        f"{baseline_ratio:.1f} times"
    )
    if bn_ratio < lr_ratio / 2 and baseline_ratio > 2 * bn_ratio:
        return Verdict("supported", evidence)
    if bn_ratio >= baseline_ratio:
        return Verdict("contradicted", evidence)
    return Verdict("not decided", evidence)


def lower_verdict(pairs):
    """pairs: [(lr multiplier, BatchNorm's per-seed values, the baseline's)] of a measure where lower
    means smoother. Supported when BatchNorm is lower in every pair of seeds at every lr;
    contradicted when higher in every pair at every lr; else not decided."""
    pairs = [(m, bn, base) for m, bn, base in pairs if bn and base]
    if not pairs:
        return Verdict("not decided", "no lr has both networks")
    lower = [lower_in_every_pair(bn, base) for _, bn, base in pairs]
    higher = [lower_in_every_pair(base, bn) for _, bn, base in pairs]
    evidence = "; ".join(
        f"x{m:g}: BatchNorm {min(bn):.3g}-{max(bn):.3g} (n = {len(bn)}), baseline {min(base):.3g}-{max(base):.3g} "
        f"(n = {len(base)})"
        for m, bn, base in pairs
    )
    if all(lower):
        return Verdict("supported", evidence)
    if all(higher):
        return Verdict("contradicted", evidence)
    return Verdict("not decided", evidence)


def same_as_unprobed(probe_rows, unprobed_rows):
    """(equal, shared): of the run ids in both q4_collapse.csv tables (a probe folder's and the
    unprobed runs' of the same host ISA), how many have the same final validation accuracy, majority
    share and verdict, digit for digit."""
    unprobed = {r["run_id"]: r for r in unprobed_rows}
    shared = [r for r in probe_rows if r["run_id"] in unprobed]
    keys = ("final_val_acc", "majority_class_share", "collapsed")
    equal = sum(all(r[k] == unprobed[r["run_id"]][k] for k in keys) for r in shared)
    return equal, len(shared)
