"""Q4 (b)'s collapse study: how often a network ends at chance predicting one class, per
initialisation, network and learning rate, with Wilson 95 % intervals; from
reports/data/collapse/q4_collapse.csv (q4_bn_sweep --profile=collapse) and the Keras reference
(reports/data/keras_reference.csv). The rule is lib/train/collapse.h's."""

import math
from collections import defaultdict

from analysis import csv_io
from analysis import homework_reference as hw
from analysis import style
from analysis.collapse_rule import COLLAPSE_MAX_VAL_ACC, COLLAPSE_MIN_MAJORITY_SHARE, is_collapsed  # noqa: F401

Z95 = 1.959963984540054  # the standard normal's 97.5 % quantile
INIT_LABEL = {"keras": "Keras init (Glorot uniform, zero bias)", "torch": "PyTorch init (kaiming_uniform(a=√5))"}


def wilson_interval(k, n, z=Z95):
    """Wilson's score interval for k successes in n trials: (low, high); (0, 1) when n = 0.
    Unlike k/n ± z·se it stays inside [0, 1] and is not empty at k = 0 (0 of 10: up to 0.28)."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # At k = 0 (k = n) the bound is exactly 0 (1); rounding would leave 1e-17 off it.
    return (0.0 if k == 0 else centre - half), (1.0 if k == n else centre + half)


class Cell:
    """The runs of one (init, arm, lr multiplier)."""

    def __init__(self):
        self.seeds, self.collapsed, self.diverged, self.val_accs = [], 0, 0, []
        self.undecided = 0  # rows whose verdict cannot be told (no prediction counts)

    @property
    def n(self):
        return len(self.seeds)

    @property
    def interval(self):
        return wilson_interval(self.collapsed, self.n)

    def add(self, row):
        """Counts one q4_collapse.csv row; a row whose verdict cannot be told is undecided, not in n."""
        if row["collapsed"] == "":
            self.undecided += 1
            return
        self.seeds.append(int(row["seed"]))
        self.collapsed += csv_io.to_bool(row["collapsed"])
        self.diverged += csv_io.to_bool(row["diverged"])
        if row["final_val_acc"] != "":
            self.val_accs.append(float(row["final_val_acc"]))


def rates_and_bars(cells):
    """The collapse rate of each cell and its Wilson interval as error-bar lengths: (rates, lows, highs)."""
    rates = [c.collapsed / c.n for c in cells]
    return rates, [r - c.interval[0] for r, c in zip(rates, cells)], [c.interval[1] - r for r, c in zip(rates, cells)]


def draw_rates(ax, xs, cells, colour, label, linestyle):
    """The cells' collapse rates at `xs` with their Wilson 95 % bars; returns the rates."""
    rates, lows, highs = rates_and_bars(cells)
    ax.errorbar(xs, rates, yerr=[lows, highs], color=colour, marker="o", capsize=3, label=label, linestyle=linestyle)
    return rates


# The collapse profile's protocol (lib/sweep/sweep_plan.cc): Table 2 counts only its runs, so that
# a run made in the same folder with another precision or length is never pooled with them.
STUDY_PRECISION = "fp32"
STUDY_EPOCHS = 3
STUDY_TRAIN_IMAGES = hw.Q3_TRAIN_IMAGES  # the full data


def is_study_protocol(row, precision=STUDY_PRECISION):
    return row["precision"] == precision and int(row["epochs"]) == STUDY_EPOCHS and hw.on_all_training_images(row)


def cells(rows, precision=STUDY_PRECISION):
    """{(init, arm, multiplier): Cell} from the q4_collapse.csv rows of the study's protocol
    (is_study_protocol; `precision` to count a repeat in another one); undecided rows are left out of n."""
    out = defaultdict(Cell)
    for r in rows:
        if not is_study_protocol(r, precision):
            continue
        out[(r["init"], r["arm"], float(r["lr_multiplier"]))].add(r)
    return dict(out)


def keras_reference_cells(rows):
    """The Keras reference's runs on all the training data, each judged on its last epoch:
    {(arm, multiplier, epochs): Cell}."""
    last = {}
    for r in rows:
        if not hw.on_all_training_images(r):
            continue
        if r["run_id"] not in last or int(r["epoch"]) > int(last[r["run_id"]]["epoch"]):
            last[r["run_id"]] = r
    out = defaultdict(Cell)
    for r in last.values():
        cell = out[(r["arm"], float(r["lr_multiplier"]), int(r["epochs"]))]
        cell.seeds.append(int(r["seed"]))
        val_acc = float(r["val_acc"])
        cell.collapsed += is_collapsed(val_acc, float(r["val_majority_class_share"]))
        cell.val_accs.append(val_acc)
    return dict(out)


def collapse_rate_figure(by_cell, out_prefix, keras_reference=None):
    """Collapse rate against learning rate, one line per (network, init), Wilson 95 % bars;
    the Keras reference's cells as open squares."""
    fig, ax = style.new_figure(width=7.5, height=4.2)
    colours = {
        ("baseline", "keras"): style.OKABE_ITO["blue"],
        ("baseline", "torch"): style.OKABE_ITO["vermillion"],
        ("bn", "keras"): style.OKABE_ITO["green"],
        ("bn", "torch"): style.OKABE_ITO["purple"],
    }
    offsets = {("baseline", "keras"): 0.97, ("baseline", "torch"): 1.03, ("bn", "keras"): 0.94, ("bn", "torch"): 1.06}
    drawn = {}
    for (arm, init), colour in colours.items():
        keys = sorted(k for k in by_cell if k[0] == init and k[1] == arm and by_cell[k].n)
        if not keys:
            continue
        xs = [k[2] * offsets[(arm, init)] for k in keys]
        label = (
            f"{'BatchNorm' if arm == 'bn' else 'baseline'}, {init} init (n = {min(by_cell[k].n for k in keys)}"
            f"{'' if len({by_cell[k].n for k in keys}) == 1 else '+'})"
        )
        rates = draw_rates(ax, xs, [by_cell[k] for k in keys], colour, label, "-" if arm == "baseline" else "--")
        drawn[(arm, init)] = {"multipliers": [k[2] for k in keys], "rates": rates}
    for (arm, multiplier, epochs), cell in sorted((keras_reference or {}).items()):
        if epochs > 3 or not cell.n:
            continue
        low, high = cell.interval
        rate = cell.collapsed / cell.n
        ax.errorbar(
            [multiplier * 1.09],
            [rate],
            yerr=[[rate - low], [high - rate]],
            color=style.OKABE_ITO["black"],
            marker="s",
            markerfacecolor="none",
            capsize=3,
            linestyle="none",
            label=f"tf-keras itself, {arm} (n = {cell.n})",
        )
        drawn[("tf-keras", arm)] = {"multipliers": [multiplier], "rates": [rate]}
    ax.set_xscale("log")
    ax.minorticks_off()
    ax.set_xlim(4, 38)
    ax.set_xticks([5, 10, 30])
    ax.set_xticklabels(["x5", "x10", "x30"])
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("learning rate (multiple of 1e-4)")
    ax.set_ylabel("share of seeds collapsed after 3 epochs")
    ax.set_title("Q4 (b): how often each network collapses (Wilson 95 % intervals)")
    ax.legend(fontsize=7, loc="upper left")
    return style.save(fig, out_prefix), drawn


def fmt_cell(cell):
    low, high = cell.interval
    return f"{cell.collapsed} of {cell.n} ({low:.2f}-{high:.2f})"


def overlap(a, b):
    return a.interval[0] <= b.interval[1] and b.interval[0] <= a.interval[1]


# An explanation is ruled out only when the collapse rate's Wilson upper bound is this low:
# 0 of 10 seeds gives 0.28; 0 of 3 (0.56) or 0 of 1 (0.79) leave it open.
DECISIVE_UPPER = 0.30


def explain(by_cell, keras_reference=None, multiplier=5.0):
    """What the collapse data say about the homework's collapse of the baseline at `multiplier`.
    Returns (facts, sentences): facts name each explanation "supported", "ruled out" or "open"
    (too few seeds to tell, or intervals that overlap)."""
    keras = by_cell.get(("keras", "baseline", multiplier))
    torch = by_cell.get(("torch", "baseline", multiplier))
    real = (keras_reference or {}).get(("baseline", multiplier, 3))
    facts, sentences = {}, []
    if keras and torch and keras.n and torch.n:
        if not overlap(keras, torch):
            facts["init"] = "supported"
            sentences.append(
                f"The initialisation decides it: the baseline collapsed in {fmt_cell(torch)} seeds with "
                f"PyTorch's init and {fmt_cell(keras)} with Keras' (Wilson 95 % intervals apart)."
            )
        elif (
            keras.collapsed == 0
            and torch.collapsed == 0
            and max(keras.interval[1], torch.interval[1]) <= DECISIVE_UPPER
        ):
            facts["init"] = "ruled out"
            sentences.append(
                f"Neither initialisation makes this network collapse at x{multiplier:g}: "
                f"{fmt_cell(keras)} seeds with Keras' init, {fmt_cell(torch)} with PyTorch's. "
                "The initialisation does not explain the homework's collapse."
            )
        else:
            facts["init"] = "open"
            sentences.append(
                f"The two initialisations cannot be told apart yet: {fmt_cell(keras)} seeds collapsed "
                f"with Keras' init, {fmt_cell(torch)} with PyTorch's (the intervals overlap, or are "
                f"too wide to rule anything out)."
            )
    if real and real.n and keras and keras.n:
        if not overlap(real, keras) and real.collapsed > keras.collapsed:
            facts["framework"] = "supported"
            sentences.append(
                f"Keras itself collapses where the LibTorch emulation does not: tf-keras {fmt_cell(real)} "
                f"against {fmt_cell(keras)}; the difference lies in the implementation."
            )
        elif real.collapsed == 0 and keras.collapsed == 0 and real.interval[1] <= DECISIVE_UPPER:
            facts["framework"] = "ruled out"
            sentences.append(
                f"Keras itself does not collapse either (tf-keras: {fmt_cell(real)} seeds), so the "
                "emulation is not hiding a collapse that Keras would show."
            )
        else:
            facts["framework"] = "open"
            sentences.append(
                f"tf-keras collapsed in {fmt_cell(real)} seeds, the emulation with Keras' init in "
                f"{fmt_cell(keras)}: consistent within the intervals."
            )
    pooled = [c for c in (keras, torch, real) if c and c.n]
    if pooled:
        k, n = sum(c.collapsed for c in pooled), sum(c.n for c in pooled)
        low, high = wilson_interval(k, n)
        facts["luck"] = "ruled out" if high <= DECISIVE_UPPER else "open"
        pool = " and ".join(
            name
            for name, c in (
                ("LibTorch with Keras' init", keras),
                ("LibTorch with PyTorch's init", torch),
                ("tf-keras", real),
            )
            if c and c.n
        )
        sentences.append(
            f"Over all {n} baseline runs at x{multiplier:g} here ({pool}), {k} collapsed: if the homework had "
            f"trained this network, one run collapsing would have had a probability of "
            f"{k / n:.2f} (95 %: {low:.2f}-{high:.2f})"
            + (", so its collapse is unlikely to be the luck of one seed." if facts["luck"] == "ruled out" else ".")
        )
    return facts, sentences


def early_verdict_agreement(history_rows, epoch=3, threshold=COLLAPSE_MAX_VAL_ACC):
    """Full-protocol runs whose side of `threshold` at `epoch` is also their side at the end:
    (agreeing, total, at or below the threshold at `epoch`). Evidence that a short protocol
    sees what the full one would."""
    runs = defaultdict(dict)
    for r in history_rows:
        runs[r["run_id"]][int(r["epoch"])] = float(r["val_acc"])
    agreeing = total = below = 0
    for accs in runs.values():
        if epoch not in accs or max(accs) <= epoch:
            continue
        total += 1
        below += accs[epoch] <= threshold
        agreeing += (accs[epoch] <= threshold) == (accs[max(accs)] <= threshold)
    return agreeing, total, below


# The collapse profile's seeds per cell (lib/sweep/sweep_plan.cc): 10 baseline, 3 BatchNorm.
PLANNED_SEEDS = {"baseline": 10, "bn": 3}


def short_cells(by_cell):
    """Cells with fewer seeds than the profile plans: [(init, arm, multiplier, n, planned)], sorted."""
    return [
        (init, arm, m, cell.n, PLANNED_SEEDS[arm])
        for (init, arm, m), cell in sorted(by_cell.items())
        if cell.n < PLANNED_SEEDS[arm]
    ]


def other_protocol_rows(rows):
    """Runs in the study's folder made with another precision or length: left out of its counts."""
    return [r for r in rows if not is_study_protocol(r)]


class PrecisionPair:
    """One cell's seeds trained in both the study's precision and a repeat's: per seed, the two
    final accuracies and verdicts."""

    def __init__(self, init, arm, multiplier):
        self.init, self.arm, self.multiplier = init, arm, multiplier
        self.seeds, self.repeat_acc, self.study_acc = [], [], []
        self.repeat_collapsed = self.study_collapsed = 0

    @property
    def n(self):
        return len(self.seeds)


def precision_pairs(study_rows, repeat_rows, repeat_precision="bf16"):
    """The study's runs (fp32) that were repeated in `repeat_precision`, otherwise identical
    (same init, arm, multiplier, seed and epochs), paired per cell; runs whose verdict cannot be
    told are left out. Sorted by (init, arm, multiplier)."""

    def verdicts(rows, precision):
        return {
            (r["init"], r["arm"], float(r["lr_multiplier"]), int(r["seed"])): r
            for r in rows
            if is_study_protocol(r, precision) and r["collapsed"] != ""
        }

    study, repeat = verdicts(study_rows, STUDY_PRECISION), verdicts(repeat_rows, repeat_precision)
    pairs = {}
    for key in sorted(set(study) & set(repeat)):
        pair = pairs.setdefault(key[:3], PrecisionPair(*key[:3]))
        pair.seeds.append(key[3])
        pair.repeat_acc.append(float(repeat[key]["final_val_acc"]))
        pair.study_acc.append(float(study[key]["final_val_acc"]))
        pair.repeat_collapsed += csv_io.to_bool(repeat[key]["collapsed"])
        pair.study_collapsed += csv_io.to_bool(study[key]["collapsed"])
    return [pairs[k] for k in sorted(pairs)]
