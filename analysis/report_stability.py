"""The report's Q4 (b) as one number: where each network breaks (lr50), from the stability curve
(reports/data/stability). The facts: analysis/stability.py; the figure: analysis/stability_figure.py."""

import os
import statistics

from analysis import collapse
from analysis import stability
from analysis import stability_figure
from analysis import training_figures
from analysis.provenance import host_of

# Seeds each cell is planned with (run_all_experiments.sh): the section says where it has fewer.
PLANNED_SEEDS = {"baseline": 10, "bn": 5}


def describe_lr50(fit):
    if fit is None:
        return "-"
    if fit.kind == "fit":
        return f"x{fit.value:.1f} (95 %: x{fit.low:.1f}-x{fit.high:.1f})"
    if fit.kind == "above":
        return f"above x{fit.value:g} (no run collapsed)"
    if fit.kind == "below":
        return f"below x{fit.value:g} (every run collapsed)"
    at = f", at x{fit.value:g} where only some seeds collapsed" if fit.value is not None else ""
    return (
        f"between x{fit.low:g} and x{fit.high:g}{at} (every run below survived and every run above collapsed: "
        "no slope to fit, so no interval from the fit)"
    )


def ratio_text(bn, baseline):
    """BatchNorm's lr50 over the baseline's, or the bound the two allow."""
    if bn is None or baseline is None or baseline.kind != "fit":
        return None
    if bn.kind == "fit":
        return f"{bn.value / baseline.value:.1f}x"
    if bn.kind == "above":
        return f"more than {bn.value / baseline.high:.1f}x (BatchNorm's bound over the baseline's upper 95 % limit)"
    return None


def stability_section(doc, results):
    rows = results.rows(stability.STABILITY_CSV)
    doc.add("### Q4 (b) as one number: the learning rate at which half the runs collapse", "")
    if not rows:
        doc.add("No stability runs in `reports/data/stability/` yet (`reports/run_all_experiments.sh`).", "")
        return
    full = results.rows("q4_history.csv") + results.rows(os.path.join("collapse", "q4_history.csv"))
    agreeing, total, below = stability.epoch1_check(full)
    doc.add(
        "Each run of the stability curve trains the first epoch of the full data in fp32, Keras' init, one "
        "thread (`q4_bn_sweep --epochs=1`, into `reports/data/stability/`). One epoch is enough: of the "
        f"{total} runs of Table 1 and the collapse study that trained longer, {agreeing} are on the same side "
        f"of the collapse rule's {collapse.COLLAPSE_MAX_VAL_ACC} after epoch 1 as after their last epoch "
        f"({below} at or below it after epoch 1)"
        + (", so every one would have been judged as it was at its end." if agreeing == total else ".")
        + " A collapse that begins later than epoch 1 is the question of the 25-epoch runs, not of this curve.",
        "",
    )
    by_cell = stability.cells(rows)
    curves = stability.curves(by_cell)
    lr50s = {key: stability.fit_lr50(curve) for key, curve in curves.items()}
    table = []
    for key, curve in sorted(curves.items()):
        arm, precision, threads = key
        for m, cell in curve:
            accs = cell.val_accs
            table.append(
                [
                    training_figures.ARM_LABEL[arm],
                    f"{precision}, {threads}t",
                    f"x{m:g}",
                    f"{cell.collapsed} of {cell.n}",
                    f"{cell.interval[0]:.2f}-{cell.interval[1]:.2f}",
                    f"{statistics.fmean(accs):.4f} ({min(accs):.4f}-{max(accs):.4f})" if accs else "-",
                ]
            )
    doc.add("**Table 3** (after 1 epoch; Wilson 95 % interval of the collapse rate):", "")
    doc.table(["network", "numerics", "lr", "collapsed", "95 % interval", "val acc, mean (min-max)"], table)
    manifest = results.manifest(os.path.join(stability.STABILITY_DIR, "q4_bn_sweep"))
    if manifest:
        doc.add(f"Host: {manifest.get('host', {}).get('cpu', '?')}, {host_of(manifest)}.", "")
    png, _ = stability_figure.stability_figure(curves, lr50s, doc.figure_path("q4_stability_curve"))
    doc.figure(png, "Q4 (b): share of seeds collapsed after one epoch against the learning rate, with the logistic fit")
    lines = [
        f"{stability_figure.label(key)}: lr50 {describe_lr50(fit)}, from {fit.n} runs"
        for key, fit in sorted(lr50s.items())
    ]
    doc.add(
        "**lr50** (logistic regression of collapse on ln lr over every run of a curve, statsmodels; the "
        "interval by the delta method on ln lr50): " + "; ".join(lines) + ".",
        "",
    )
    baseline = lr50s.get(("baseline", "fp32", 1))
    bn = lr50s.get(("bn", "fp32", 1))
    ratio = ratio_text(bn, baseline)
    if ratio:
        doc.add(
            f"So in fp32 BatchNorm moves the learning rate at which half the runs break by {ratio}: "
            "claim (b) as one number.",
            "",
        )
    short = [
        f"{stability_figure.label(key)} x{m:g} ({cell.n} of {PLANNED_SEEDS[key[0]]})"
        for key, curve in sorted(curves.items())
        for m, cell in curve
        if cell.n < PLANNED_SEEDS[key[0]]
    ]
    if short:
        doc.add("*Provisional:* cells with fewer seeds than planned: " + ", ".join(short) + ".", "")
