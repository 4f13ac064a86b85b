"""Figures for Q1 (1x1 convolutions) and Q2 (Hessian eigenvalues), from the CSVs
that //experiments:q1_conv1x1 and //experiments:q2_convexity write."""

import math

from analysis import csv_io
from analysis import style


def q1_condition_figure(csv_path, out_prefix):
    """Per case: max |conv(x) - s*x| for the best scalar s (log scale), coloured by
    whether the condition C_in = C_out, b = 0, W = s*I predicts equivalence.
    Returns (png path, figure data) so that tests can compare it to the CSV."""
    rows = csv_io.read_rows(csv_path)
    labels, values, colours = [], [], []
    floor = 1e-17  # exact zeros drawn at the floor of the log axis
    for row in rows:
        bias = "+b" if csv_io.to_bool(row["has_bias"]) else ""
        labels.append(f'{row["c_in"]}->{row["c_out"]} {row["weight_kind"]}{bias}')
        diff = csv_io.to_float(row["max_abs_diff"])
        values.append(diff)
        predicted = csv_io.to_bool(row["predicted"])
        colours.append(style.OKABE_ITO["blue"] if predicted else style.OKABE_ITO["vermillion"])
    fig, ax = style.new_figure(8.0, 0.35 * len(rows) + 1.5)
    drawn = [floor if (v == 0 or math.isnan(v)) else v for v in values]
    bars = ax.barh(range(len(rows)), drawn, color=colours)
    for index, value in enumerate(values):
        if math.isnan(value):
            ax.text(floor * 3, index, "shapes differ: no scalar", va="center", fontsize=8)
        elif value == 0:
            ax.text(floor * 3, index, "exactly 0", va="center", fontsize=8)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlim(floor, max(max(drawn) * 10, 1.0))
    ax.set_xlabel("max |conv(x) - s x| over random inputs (best scalar s; log scale)")
    ax.set_title("Q1: 1x1 conv = scalar multiple  iff  C_in = C_out, b = 0, W = sI", fontsize=10)
    from matplotlib.patches import Patch

    ax.legend(
        handles=[
            Patch(color=style.OKABE_ITO["blue"], label="condition predicts: scalar"),
            Patch(color=style.OKABE_ITO["vermillion"], label="condition predicts: not scalar"),
        ],
        loc="lower right",
        fontsize=8,
    )
    return style.save(fig, out_prefix), {"labels": labels, "values": values, "bars": bars}


def q2_eigenvalue_figure(csv_path, out_prefix):
    """Per data set: the Hessian's eigenvalue range [min, max] on a symlog axis,
    with the PSD tolerance band around 0."""
    rows = csv_io.read_rows(csv_path)
    cases = [row["case"] for row in rows]
    lows = [csv_io.to_float(row["min_eigenvalue"]) for row in rows]
    highs = [csv_io.to_float(row["max_eigenvalue"]) for row in rows]
    fig, ax = style.new_figure(7.5, 4.0)
    for index, (low, high) in enumerate(zip(lows, highs)):
        ax.plot([index, index], [low, high], color=style.OKABE_ITO["blue"], linewidth=3)
    ax.scatter(range(len(rows)), lows, color=style.OKABE_ITO["vermillion"], zorder=3, label="smallest eigenvalue")
    ax.scatter(range(len(rows)), highs, color=style.OKABE_ITO["green"], zorder=3, label="largest eigenvalue")
    ax.axhline(0.0, color=style.OKABE_ITO["black"], linewidth=0.8)
    ax.set_yscale("symlog", linthresh=1e-12)
    ax.set_ylim(-1e-9, max(highs) * 10)
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels(cases, rotation=20, fontsize=8)
    ax.set_ylabel("Hessian eigenvalue (symlog)")
    ax.set_title("Q2: Hessian eigenvalues of the logistic loss (all >= -tolerance: PSD)", fontsize=10)
    ax.legend(fontsize=8)
    return style.save(fig, out_prefix), {"cases": cases, "lows": lows, "highs": highs}
