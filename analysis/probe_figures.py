"""The training probes as figures (the facts: analysis/probes.py): dead ReLUs against the step, per
layer, for collapsing and surviving baseline seeds and BatchNorm; the angular update against the
step per network and lr; and the loss along the step taken as a band (Santurkar et al. 2018,
Figure 4's style). Each returns (png, what was drawn) for the tests."""

import statistics
from collections import defaultdict

from analysis import probes
from analysis import style

SURVIVED, COLLAPSED, BN = style.OKABE_ITO["blue"], style.OKABE_ITO["vermillion"], style.OKABE_ITO["green"]
LR_COLOURS = [style.OKABE_ITO[c] for c in ("sky_blue", "blue", "orange", "vermillion", "purple")]


def _kind(run):
    if run.arm == "bn":
        return "BatchNorm", BN
    return ("baseline, collapsed", COLLAPSED) if run.collapsed else ("baseline, survived", SURVIVED)


def dead_units_figure(runs, multiplier, out_prefix):
    """Dead fraction of each ReLU layer against the step, every run at `multiplier` a line."""
    chosen = sorted((r for r in runs.values() if r.lr_multiplier == multiplier), key=lambda r: (r.arm, r.seed))
    fig, axes = style.subplots(1, len(probes.LAYERS), width=3.0 * len(probes.LAYERS), height=3.2)
    drawn = defaultdict(list)
    for ax, layer in zip(axes, probes.LAYERS):
        labelled = set()
        for run in chosen:
            series = probes.by_layer(run.layers, "dead_fraction").get(layer, [])
            label, colour = _kind(run)
            ax.plot(
                [s for s, _ in series],
                [v for _, v in series],
                color=colour,
                linewidth=0.9,
                alpha=0.8,
                label=None if label in labelled else label,
            )
            labelled.add(label)
            drawn[layer].append((run.run_id, len(series)))
        ax.set_ylim(-0.03, 1.03)
        ax.set_title(layer, fontsize=9)
        ax.set_xlabel("step")
    axes[0].set_ylabel("dead fraction (no probe image fires)")
    if axes[0].get_legend_handles_labels()[0]:
        axes[0].legend(fontsize=7, loc="upper left")
    fig.suptitle(f"Dead ReLUs in the first epoch at lr x{multiplier:g} (each line a seed)", fontsize=10)
    return style.save(fig, out_prefix), dict(drawn)


def _mean_over_seeds(runs, value_of):
    """[(step, mean over runs)] of value_of(run) -> {step: value}, over the steps every run has."""
    per_run = [value_of(r) for r in runs]
    steps = sorted(set.intersection(*(set(v) for v in per_run))) if per_run else []
    return [(s, statistics.fmean(v[s] for v in per_run)) for s in steps]


def _conv_median_by_step(run):
    by_step = defaultdict(list)
    for row in run.layers:
        if row["layer"] in probes.CONV_LAYERS:
            by_step[int(row["step"])].append(row["update_ratio"])
    return {s: statistics.median(v) for s, v in by_step.items()}


def angular_update_figure(runs, out_prefix):
    """The median over the conv layers of ‖ΔW‖/‖W‖ against the step, the mean over seeds, one line per
    (network, lr); the baseline's collapsed runs are left out (a dead network's update is not
    training)."""
    cells = defaultdict(list)
    for run in runs.values():
        if not run.collapsed:
            cells[(run.arm, run.lr_multiplier)].append(run)
    fig, axes = style.subplots(1, 2, width=10.0, height=3.8)
    drawn = {}
    for ax, arm in zip(axes, ("baseline", "bn")):
        for i, (key, group) in enumerate(sorted((k, v) for k, v in cells.items() if k[0] == arm)):
            line = _mean_over_seeds(group, _conv_median_by_step)
            ax.plot(
                [s for s, _ in line],
                [v for _, v in line],
                color=LR_COLOURS[i % len(LR_COLOURS)],
                linewidth=1.0,
                label=f"x{key[1]:g} (n = {len(group)})",
            )
            drawn[key] = len(line)
        ax.set_yscale("log")
        ax.set_xlabel("step")
        ax.set_title("BatchNorm" if arm == "bn" else "baseline (surviving runs)", fontsize=9)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
    axes[0].set_ylabel("angular update ‖ΔW‖/‖W‖ (conv median)")
    fig.suptitle("Adam's step relative to the weights, first epoch (mean over seeds)", fontsize=10)
    return style.save(fig, out_prefix), drawn


def landscape_figure(runs, multipliers, out_prefix):
    """The loss along the step taken (its lowest and highest over the probed step sizes) as a band
    against the step, baseline against BatchNorm, one panel per lr."""
    fig, axes = style.subplots(1, len(multipliers), width=4.6 * len(multipliers), height=3.8)
    axes = list(getattr(axes, "flat", [axes]))
    drawn = {}
    for ax, m in zip(axes, multipliers):
        for arm, colour in (("baseline", SURVIVED), ("bn", BN)):
            group = [r for r in runs.values() if r.arm == arm and r.lr_multiplier == m and r.landscape]
            labelled = False
            for run in group:
                band = probes.landscape_band(run, probes.step_columns(run.landscape))
                ax.fill_between(
                    [s for s, _, _ in band],
                    [lo for _, lo, _ in band],
                    [hi for _, _, hi in band],
                    color=colour,
                    alpha=0.25,
                    label=None if labelled else f"{'BatchNorm' if arm == 'bn' else 'baseline'} (n = {len(group)})",
                )
                labelled = True
                drawn[(arm, m, run.seed)] = len(band)
        ax.set_yscale("log")
        ax.set_xlabel("step")
        ax.set_title(f"lr x{m:g}", fontsize=9)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
    axes[0].set_ylabel("loss along the step, lowest to highest")
    fig.suptitle("Loss landscape along Adam's step (step sizes 0.25-4 times the step taken)", fontsize=10)
    return style.save(fig, out_prefix), drawn
