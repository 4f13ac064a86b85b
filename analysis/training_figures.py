"""Figures of training runs (Q3 b, Q4), from q3_history.csv, q4_history.csv and
q4_summary.csv. Each function returns (png path, the data it drew)."""

import math
from collections import defaultdict

from analysis import csv_io
from analysis import homework_reference as homework
from analysis import style

ARM_LABEL = {"baseline": "baseline (no BN)", "bn": "BatchNorm"}


def _runs(rows, key=lambda row: (row["arm"],)):
    """Groups history rows: {key: {seed: [(epoch, row), ...]}}."""
    groups = defaultdict(lambda: defaultdict(list))
    for row in rows:
        groups[key(row)][row["seed"]].append((int(row["epoch"]), row))
    for seeds in groups.values():
        for epochs in seeds.values():
            epochs.sort(key=lambda pair: pair[0])
    return groups


def mean_and_spread(seeds, column):
    """Per epoch over seeds: (epochs, mean, min, max) of a column."""
    by_epoch = defaultdict(list)
    for epochs in seeds.values():
        for epoch, row in epochs:
            by_epoch[epoch].append(csv_io.to_float(row[column]))
    epochs = sorted(by_epoch)
    means = [sum(by_epoch[e]) / len(by_epoch[e]) for e in epochs]
    return epochs, means, [min(by_epoch[e]) for e in epochs], [max(by_epoch[e]) for e in epochs]


def _curve(ax, seeds, column, label, colour, linestyle="-"):
    epochs, means, lows, highs = mean_and_spread(seeds, column)
    n = len(seeds)
    ax.plot(
        epochs,
        means,
        color=colour,
        linestyle=linestyle,
        marker="o",
        markersize=3,
        label=f"{label} (mean of {n} seed{'s' if n != 1 else ''})" if n > 1 else label,
    )
    if n > 1:
        ax.fill_between(epochs, lows, highs, color=colour, alpha=0.2)
    ax.xaxis.set_major_locator(style.MaxNLocator(integer=True))
    return {"epochs": epochs, "mean": means, "min": lows, "max": highs}


def q3_training_curves(history_csv, out_prefix, arm="baseline", lr=None, run_ids=None):
    """The homework's Figure 3: loss and accuracy per epoch, training and
    validation, mean and min-max band over seeds; of the runs in `run_ids` when given
    (the Keras example's, not another network's of the same seed)."""
    rows = [
        r
        for r in csv_io.read_rows(history_csv)
        if r["arm"] == arm
        and (lr is None or math.isclose(float(r["lr"]), lr))
        and (run_ids is None or r["run_id"] in run_ids)
    ]
    seeds = _runs(rows)[(arm,)]
    fig, (loss_ax, acc_ax) = style.subplots(1, 2, width=11.0, height=4.0)
    drawn = {}
    for ax, metric, unit in ((loss_ax, "loss", "cross-entropy"), (acc_ax, "acc", "accuracy")):
        drawn[f"train_{metric}"] = _curve(ax, seeds, f"train_{metric}", "training", style.OKABE_ITO["blue"])
        drawn[f"val_{metric}"] = _curve(
            ax, seeds, f"val_{metric}", "validation (test set)", style.OKABE_ITO["orange"], "--"
        )
        ax.set_xlabel("epoch")
        ax.set_ylabel(unit)
        ax.legend(fontsize=8)
    loss_ax.set_title("Q3 (b): loss per epoch")
    acc_ax.set_title("Q3 (b): accuracy per epoch")
    return style.save(fig, out_prefix), drawn


def _q4_groups(history_csv, run_ids=None):
    """q4_history.csv's runs by (arm, multiplier, precision); only those in `run_ids` when given
    (Table 1's: the history has no train_images column, so a --train_limit run is told by its
    summary row)."""
    rows = [r for r in csv_io.read_rows(history_csv) if run_ids is None or r["run_id"] in run_ids]
    return _runs(rows, key=lambda r: (r["arm"], float(r["lr_multiplier"]), r["precision"]))


MULTIPLIER_COLOURS = ["blue", "orange", "green", "purple", "vermillion", "sky_blue"]


def q4_bn_vs_baseline_training(history_csv, out_prefix, multipliers=(1,), precision="bf16", run_ids=None):
    """The homework's Figure 11: training loss and accuracy with and without BN."""
    groups = _q4_groups(history_csv, run_ids)
    fig, (loss_ax, acc_ax) = style.subplots(1, 2, width=11.0, height=4.0)
    drawn = {}
    for arm, linestyle in (("baseline", "-"), ("bn", "--")):
        for i, m in enumerate(multipliers):
            seeds = groups.get((arm, float(m), precision))
            if not seeds:
                continue
            colour = style.OKABE_ITO[MULTIPLIER_COLOURS[i % len(MULTIPLIER_COLOURS)]]
            label = f"{ARM_LABEL[arm]}, lr x{m:g}"
            drawn[(arm, m, "train_loss")] = _curve(loss_ax, seeds, "train_loss", label, colour, linestyle)
            drawn[(arm, m, "train_acc")] = _curve(acc_ax, seeds, "train_acc", label, colour, linestyle)
    for ax, unit, title in (
        (loss_ax, "training loss (cross-entropy)", "Q4 (a): training loss"),
        (acc_ax, "training accuracy", "Q4 (a): training accuracy"),
    ):
        ax.set_xlabel("epoch")
        ax.set_ylabel(unit)
        ax.set_title(title)
        ax.legend(fontsize=8)
    return style.save(fig, out_prefix), drawn


def q4_validation_curves(history_csv, out_prefix, curves, title, precision="bf16", run_ids=None):
    """Validation accuracy per epoch for the given (arm, multiplier) pairs: the
    homework's Figures 12 and 13."""
    groups = _q4_groups(history_csv, run_ids)
    fig, ax = style.new_figure(7.5, 4.2)
    drawn = {}
    for i, (arm, m) in enumerate(curves):
        seeds = groups.get((arm, float(m), precision))
        if not seeds:
            continue
        colour = style.OKABE_ITO[MULTIPLIER_COLOURS[i % len(MULTIPLIER_COLOURS)]]
        drawn[(arm, m)] = _curve(
            ax, seeds, "val_acc", f"{ARM_LABEL[arm]}, lr x{m:g}", colour, "-" if arm == "bn" else "--"
        )
    ax.axhline(0.1, color=style.OKABE_ITO["black"], linewidth=0.8, linestyle=":", label="chance (0.10)")
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation accuracy (test set)")
    ax.set_ylim(0, 1)
    ax.set_title(title)
    ax.legend(fontsize=8)
    return style.save(fig, out_prefix), drawn


def q4_final_accuracy_vs_lr(summary_csv, out_prefix, precision="bf16"):
    """Final validation accuracy against the lr multiplier for both arms, one
    point per seed, mean joined by a line. A diverged run has no final
    accuracy: it is marked with an x on the axis and, as in Table 1, left out
    of the mean (a multiplier where every run diverged has no mean point). Table 1's runs: those on
    all the training data."""
    rows = [
        r for r in csv_io.read_rows(summary_csv) if r["precision"] == precision and homework.on_all_training_images(r)
    ]
    fig, ax = style.new_figure(7.0, 4.2)
    drawn = {}
    for arm, colour in (("baseline", style.OKABE_ITO["vermillion"]), ("bn", style.OKABE_ITO["blue"])):
        arm_rows = [r for r in rows if r["arm"] == arm]
        if not arm_rows:
            continue
        by_m, diverged_at = defaultdict(list), set()
        for r in arm_rows:
            m = float(r["lr_multiplier"])
            acc = csv_io.to_float(r["final_val_acc"]) if r["final_val_acc"] else None
            if csv_io.to_bool(r["diverged"]):
                diverged_at.add(m)
            if acc is not None:
                by_m[m].append(acc)
            ax.scatter(
                [m],
                [acc if acc is not None else 0.0],
                color=colour,
                marker="o" if acc is not None else "x",
                s=25 if acc is not None else 50,
                zorder=3,
                clip_on=False,
            )
        ms = sorted(by_m)
        means = [sum(by_m[m]) / len(by_m[m]) for m in ms]
        ax.plot(ms, means, color=colour, label=ARM_LABEL[arm])
        drawn[arm] = {
            "multipliers": sorted(set(ms) | diverged_at),
            "mean_multipliers": ms,
            "mean": means,
            "diverged": sorted(diverged_at),
        }
    # The homework's Table 1 and its baseline at x5, as hollow diamonds of the arm's colour.
    for arm, colour, reported in (
        ("baseline", style.OKABE_ITO["vermillion"], homework.Q4_BASELINE_VAL_ACC),
        ("bn", style.OKABE_ITO["blue"], homework.Q4_BN_VAL_ACC),
    ):
        ms = sorted(m for m in reported if arm in drawn)
        if ms:
            ax.scatter(
                ms,
                [reported[m] for m in ms],
                facecolors="none",
                edgecolors=colour,
                marker="D",
                s=45,
                zorder=4,
                label=f"homework, {ARM_LABEL[arm]}",
            )
            drawn[arm]["homework"] = {float(m): reported[m] for m in ms}
    ax.scatter([], [], color="grey", marker="x", label="diverged (non-finite loss; no accuracy)")
    ax.axhline(0.1, color=style.OKABE_ITO["black"], linewidth=0.8, linestyle=":", label="chance (0.10)")
    ax.set_xscale("log")
    ticks = sorted({m for d in drawn.values() for m in d["multipliers"]})
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"x{m:g}" for m in ticks])
    ax.minorticks_off()
    ax.set_xlabel("learning-rate multiplier of 1e-4 (log scale)")
    ax.set_ylabel("final validation accuracy")
    ax.set_ylim(0, 1)
    ax.set_title("Q4 (b, c): final accuracy against learning rate")
    ax.legend(fontsize=8)
    return style.save(fig, out_prefix), drawn
