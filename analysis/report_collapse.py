"""The report's collapse study (Q4 (b) tested): Table 2, its figure, what explains the homework's
collapse, and the study's runs repeated in bf16. The facts: analysis/collapse.py."""

import os
import statistics

from analysis import collapse
from analysis import training_figures
from analysis.markdown import fmt

COLLAPSE_CSV = os.path.join("collapse", "q4_collapse.csv")
BF16_REPEAT_CSV = os.path.join("collapse_bf16", "q4_collapse.csv")


def collapse_study(doc, results, full_history):
    """Q4 (b) tested: how often each network collapses, per init and learning rate (q4_bn_sweep
    --profile=collapse), with the Keras reference's runs under the same rule."""
    doc.add("### Q4 (b) tested: how often does the baseline collapse?", "")
    doc.add(
        "The homework's baseline ended at chance (0.10) at x5, in its single run; here it never did "
        "(Table 1). The collapse study counts collapses over seeds: the first 3 epochs of the full data "
        "at x5, x10 and x30, 10 baseline and 3 BatchNorm seeds per cell, under Keras' initialisation "
        "(Glorot-uniform weights, zero biases, as everywhere else here) and PyTorch's default "
        "(kaiming_uniform(a=√5) weights, uniform biases), which a PyTorch user of the homework would have had; "
        "fp32 (`bazel run //experiments:q4_bn_sweep -- --profile=collapse`). A run *collapsed* when its "
        f"validation accuracy is at most {collapse.COLLAPSE_MAX_VAL_ACC} and one class takes at least "
        f"{collapse.COLLAPSE_MIN_MAJORITY_SHARE:.0%} of its predictions (`lib/train/collapse.h`).",
        "",
    )
    if not results.exists(COLLAPSE_CSV):
        doc.add("No collapse study in `reports/data/collapse/` yet.", "")
        return
    study_rows = results.collapse_rows()
    by_cell = collapse.cells(study_rows)
    others = collapse.other_protocol_rows(study_rows)
    if others:
        doc.add(
            f"Left out of Table 2: {len(others)} run(s) in the same folder made with another precision, "
            f"length or amount of data than the study's {collapse.STUDY_PRECISION}, {collapse.STUDY_EPOCHS} "
            f"epochs, {collapse.STUDY_TRAIN_IMAGES:,} training images ("
            + ", ".join(sorted(r["run_id"] for r in others))
            + ").",
            "",
        )
    keras_cells = collapse.keras_reference_cells(results.keras_reference_rows())
    why_three_epochs(doc, full_history)
    table2(doc, by_cell, keras_cells)
    png, _ = collapse.collapse_rate_figure(by_cell, doc.figure_path("q4_collapse_rate"), keras_cells)
    doc.figure(
        png,
        "Q4 (b): share of seeds that collapsed, per network and initialisation, against the learning "
        "rate (Wilson 95 % intervals; open squares: tf-keras itself)",
    )
    _, sentences = collapse.explain(by_cell, keras_cells)
    short = collapse.short_cells(by_cell)
    if short:
        sentences.append(
            "*Provisional:* the study is not complete; seeds so far per cell: "
            + ", ".join(f"{init} {arm} x{m:g} ({n} of {planned})" for init, arm, m, n, planned in short)
            + "."
        )
    doc.add("**What explains the homework's collapse.** " + " ".join(sentences), "")
    precision_repeat(doc, results, study_rows)


def why_three_epochs(doc, full_history):
    agreeing, total, below = collapse.early_verdict_agreement(full_history)
    if not total:
        return
    doc.add(
        f"Why 3 epochs: of the {total} full-protocol runs of Table 1, {agreeing} are on the same side "
        f"of {collapse.COLLAPSE_MAX_VAL_ACC} after epoch 3 as after their last epoch ({below} were at "
        "or below it after epoch 3), so judged after 3 epochs "
        + (
            "each would have been judged as after 25. "
            if agreeing == total
            else "some would have been judged otherwise than after 25. "
        )
        + "What 3 epochs cannot see is a collapse that begins later; none was seen in the full runs. "
        "The homework reports only its run's final accuracy (0.10; the curve, its Figure 12, is lost), "
        "so when its collapse began is unknown.",
        "",
    )


def table2(doc, by_cell, keras_cells):
    def row(network, init, m, cell, diverged):
        accs = cell.val_accs
        return [
            network,
            init,
            f"x{m:g}",
            f"{cell.collapsed} of {cell.n}",
            f"{cell.interval[0]:.2f}-{cell.interval[1]:.2f}",
            diverged,
            f"{statistics.fmean(accs):.4f} ({min(accs):.4f}-{max(accs):.4f})" if accs else "-",
            ", ".join(str(s) for s in sorted(cell.seeds)),
        ]

    table = [
        row(training_figures.ARM_LABEL[arm], init, m, cell, cell.diverged)
        for (init, arm, m), cell in sorted(by_cell.items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2]))
    ]
    table += [
        row(f"tf-keras itself, {training_figures.ARM_LABEL[arm]}", "keras", m, cell, "-")
        for (arm, m, epochs), cell in sorted(keras_cells.items())
        if epochs == collapse.STUDY_EPOCHS
    ]
    doc.add("**Table 2** (after 3 epochs; Wilson 95 % interval of the collapse rate):", "")
    doc.table(
        ["network", "init", "lr", "collapsed", "95 % interval", "diverged", "val acc, mean (min-max)", "seeds"],
        table,
    )


def precision_repeat(doc, results, study_rows):
    """The study's runs repeated in bf16 (reports/data/collapse_bf16: the same protocol, seeds and
    init, --precision=bf16), seed by seed beside the fp32 runs: does the precision decide whether a
    run collapses?"""
    if not results.exists(BF16_REPEAT_CSV):
        return
    pairs = [
        f"{training_figures.ARM_LABEL[p.arm]}, {p.init} init, x{p.multiplier:g}: collapsed in "
        f"{p.repeat_collapsed} of {p.n} seeds in bf16 and {p.study_collapsed} of {p.n} in fp32 "
        "(final val acc, bf16 against fp32: "
        + ", ".join(f"seed {s}: {fmt(b)} against {fmt(f)}" for s, b, f in zip(p.seeds, p.repeat_acc, p.study_acc))
        + ")"
        for p in collapse.precision_pairs(study_rows, results.rows(BF16_REPEAT_CSV))
    ]
    if pairs:
        doc.add(
            "**Precision.** Some of the study's runs repeated in bf16 autocast, otherwise identical (seed, "
            "init, 3 epochs, one thread; `reports/data/collapse_bf16`): "
            + "; ".join(pairs)
            + ". Table 1 trains in bf16, the homework's Keras in fp32: where the precisions disagree, Table 1 "
            "misplaces where the fp32 network breaks.",
            "",
        )
