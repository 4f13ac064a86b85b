"""The report's Q4 (b) as one number: where each network breaks (lr50), from the stability curve
(reports/data/stability/<isa>/), the three-way comparison of numerics at x30, and the unscaled-input
runs. The facts: analysis/stability.py; the figure: analysis/stability_figure.py."""

import os
import statistics
from collections import defaultdict

from analysis import collapse
from analysis import report_stability_causes
from analysis import stability
from analysis import stability_figure
from analysis import training_figures

# Seeds each cell is planned with (run_all_experiments.sh): the section says where it has fewer.
PLANNED_SEEDS = {"baseline": 10, "bn": 5}


def ratio_text(bn, baseline):
    """BatchNorm's lr50 over the baseline's, or the bound the two allow."""
    if bn is None or baseline is None or baseline.kind != "fit":
        return None
    if bn.kind == "fit":
        return f"{bn.value / baseline.value:.1f}x"
    if bn.kind == "above":
        return f"more than {bn.value / baseline.high:.1f}x (BatchNorm's bound over the baseline's upper 95 % limit)"
    if bn.kind == "step":
        return (
            f"{bn.low / baseline.high:.1f}x to {bn.high / baseline.low:.1f}x (BatchNorm's range over the ends of the "
            "baseline's 95 % interval)"
        )
    return None


def stability_section(doc, results):
    rows = stability.load_rows(results)
    doc.add("### Q4 (b) as one number: the learning rate at which half the runs collapse", "")
    if not rows:
        doc.add("No stability runs in `reports/data/stability/` yet (`reports/run_all_experiments.sh`).", "")
        return
    full = results.rows("q4_history.csv") + results.rows(os.path.join("collapse", "q4_history.csv"))
    agreeing, total, below = stability.epoch1_check(full)
    doc.add(
        "Each run of the stability curve trains the first epoch of the full data, Keras' init, one thread "
        "unless said (`q4_bn_sweep --epochs=1`), into `reports/data/stability/<isa>/`, one folder for each "
        "oneDNN ISA of the hosts that trained them: the ISA changes the summation order, so runs of two kinds "
        "of host are never counted in one cell. One epoch is enough: of the "
        f"{total} runs of Table 1 and the collapse study that trained longer, {agreeing} are on the same side "
        f"of the collapse rule's {collapse.COLLAPSE_MAX_VAL_ACC} after epoch 1 as after their last epoch "
        f"({below} at or below it after epoch 1)"
        + (", so every one would have been judged as it was at its end." if agreeing == total else ".")
        + " A collapse that begins later than epoch 1 is the question of the 25-epoch runs, not of this curve.",
        "",
    )
    by_cell = stability.cells(rows)
    curves = {k: v for k, v in stability.curves(by_cell).items() if k.input_scale == "unit"}
    lr50s = {key: stability.fit_lr50(curve) for key, curve in curves.items()}
    table = []
    for key, curve in sorted(curves.items()):
        for m, cell in curve:
            accs = cell.val_accs
            table.append(
                [
                    training_figures.ARM_LABEL[key.arm],
                    f"{key.precision}, {key.threads}t",
                    key.isa,
                    f"x{m:g}",
                    f"{cell.collapsed} of {cell.n}",
                    f"{cell.interval[0]:.2f}-{cell.interval[1]:.2f}",
                    f"{statistics.fmean(accs):.4f} ({min(accs):.4f}-{max(accs):.4f})" if accs else "-",
                ]
            )
    doc.add("**Table 3** (after 1 epoch; Wilson 95 % interval of the collapse rate):", "")
    doc.table(["network", "numerics", "host ISA", "lr", "collapsed", "95 % interval", "val acc, mean (min-max)"], table)
    hosts = defaultdict(lambda: [set(), set(), 0])
    for r in rows:
        h = hosts[r["onednn_isa"]]
        h[0].add(r["host_cpu"])
        h[1].add(r["date"])
        h[2] += 1
    doc.add(
        "Hosts: "
        + "; ".join(
            f"{isa}: {', '.join(sorted(cpus))}, {', '.join(sorted(dates))} ({n} runs)"
            for isa, (cpus, dates, n) in sorted(hosts.items())
        )
        + ".",
        "",
    )
    png, _ = stability_figure.stability_figure(curves, lr50s, doc.figure_path("q4_stability_curve"))
    doc.figure(png, "Q4 (b): share of seeds collapsed after one epoch against the learning rate, with the logistic fit")
    lines = [
        f"{stability_figure.label(key)}: lr50 {report_stability_causes.describe_lr50(fit)}, from {fit.n} runs"
        for key, fit in sorted(lr50s.items())
    ]
    doc.add(
        "**lr50** (logistic regression of collapse on ln lr over every run of a curve, statsmodels; the "
        "interval by the delta method on ln lr50): " + "; ".join(lines) + ".",
        "",
    )
    ratios = []
    for key, bn in sorted(lr50s.items()):
        if key.arm != "bn":
            continue
        ratio = ratio_text(bn, lr50s.get(key._replace(arm="baseline")))
        if ratio:
            ratios.append(f"{ratio} in {key.precision} with {key.threads} thread(s) on {key.isa}")
    if ratios:
        doc.add(
            "So BatchNorm moves the learning rate at which half the runs break by " + "; ".join(ratios) + ": "
            "claim (b) as one number.",
            "",
        )
    late = report_stability_causes.late_collapse_section(doc, results)
    numerics = report_stability_causes.numerics_section(doc, rows, by_cell)
    report_stability_causes.host_agreement_section(doc, rows, curves)
    unscaled = report_stability_causes.unscaled_inputs_section(doc, rows, by_cell)
    report_stability_causes.unscaled_full_run_section(doc, results)
    report_stability_causes.explanations_section(doc, by_cell, lr50s, late, numerics, unscaled)
    short = [
        f"{stability_figure.label(key)} x{m:g} ({cell.n} of {PLANNED_SEEDS[key.arm]})"
        for key, curve in sorted(curves.items())
        for m, cell in curve
        if cell.n < PLANNED_SEEDS[key.arm]
    ]
    if short:
        doc.add("*Provisional:* cells with fewer seeds than planned: " + ", ".join(short) + ".", "")
