"""What moves the baseline's collapse, for the report's Q4 (b): precision against re-rolled numerics
(threads, host ISA), a late collapse in the full protocol, unscaled inputs, and which explanations of
the homework's collapse at x5 these leave standing. The facts: analysis/stability.py; the curve and
lr50: report_stability.py."""

import os
import statistics

from analysis import collapse
from analysis import csv_io
from analysis import stability
from analysis.stability import Setting

# The comparison of numerics: baseline at x30, each setting with this many seeds.
NUMERICS_MULTIPLIER = 30.0
NUMERICS_SEEDS = 30
FISHER_ALPHA = 0.05
# The late-collapse runs planned (run_all_experiments.sh): x5 and x10, 4 seeds each.
LATE_PLANNED_RUNS = 8


def describe_lr50(fit):
    if fit is None:
        return "-"
    if fit.kind == "fit":
        return f"x{fit.value:.1f} (95 %: x{fit.low:.1f}-x{fit.high:.1f})"
    if fit.kind == "above":
        return f"above x{fit.value:g} (no run collapsed)"
    if fit.kind == "below":
        return f"below x{fit.value:g} (every run collapsed)"
    if fit.kind == "open":
        return f"not placed (only x{fit.value:g} tried, where some seeds collapsed)"
    at = f", at x{fit.value:g} where only some seeds collapsed" if fit.value is not None else ""
    return (
        f"between x{fit.low:g} and x{fit.high:g}{at} (every run below survived and every run above collapsed: "
        "no slope to fit, so no interval from the fit)"
    )


def rate_text(cell):
    low, high = cell.interval
    return f"{cell.collapsed} of {cell.n} ({low:.2f}-{high:.2f})"


def agreement_text(agreeing, n, expected):
    low, high = collapse.wilson_interval(agreeing, n)
    near = low <= expected / n <= high
    return (
        f"{agreeing} of {n} seeds have the same outcome (95 %: {low:.2f}-{high:.2f}); independent draws at "
        f"the cells' rates would agree on {expected:.1f} ({expected / n:.2f})",
        near,
    )


def near_the_edge(by_cell, lr50s):
    """The explanation "x5 is this network's edge", against each fp32 1-thread baseline curve: it
    falls where no run collapsed at x5 and lr50's lower bound lies above x5."""
    out = []
    for key, fit in sorted(lr50s.items()):
        if key.arm != "baseline" or key.precision != "fp32" or key.threads != 1 or fit is None:
            continue
        x5 = by_cell.get(tuple(key) + (5.0,))
        low = fit.low if fit.kind in ("fit", "step") else (fit.value if fit.kind == "above" else None)
        if x5 and x5.n and x5.collapsed == 0 and low is not None and low > 5:
            out.append(("falls", f"on {key.isa} 0 of {x5.n} collapse at x5 and lr50 is {describe_lr50(fit)}"))
        elif x5 and x5.n and x5.collapsed * 2 > x5.n:
            out.append(("stands", f"on {key.isa} {x5.collapsed} of {x5.n} collapse at x5"))
    return out


def explanations_section(doc, by_cell, lr50s, late, numerics, unscaled):
    """Which explanations of the homework's collapse at x5 the numbers above leave standing."""
    items = [
        ("x5 is at this network's breaking point, and the homework's seed was unlucky", near_the_edge(by_cell, lr50s)),
        ("the precision decides (bf16 rather than fp32)", list(numerics.values())),
        ("a collapse that begins after the first epochs", [late] if late else []),
        ("unscaled inputs (0-255)", [unscaled] if unscaled else []),
    ]
    lines = []
    for name, verdicts in items:
        if not verdicts:
            lines.append(f"- *{name}*: **open** (not measured yet)")
            continue
        kinds = {v for v, _ in verdicts}
        word = kinds.pop() if len(kinds) == 1 else "mixed"
        lines.append(f"- *{name}*: **{word}**: " + "; ".join(reason for _, reason in verdicts))
    lines.append(
        "- *the homework trained another network* (Q3 (b)'s architecture search): **open** here; the runs above "
        "are all of the Keras example"
    )
    doc.add("**The homework's collapse at x5, explained?** What the runs above say of each explanation:", "")
    doc.add(*lines)
    doc.add("")


def late_collapse_section(doc, results):
    """The baseline in fp32 over the full 25 epochs at x5 and x10 (reports/data/late_collapse/<isa>/):
    does a run collapse after the epochs the short protocols watch?"""
    root = results.csv(stability.LATE_COLLAPSE_DIR)
    verdict = None
    if not os.path.isdir(root):
        return verdict
    for isa in sorted(os.listdir(root)):
        history = results.rows(os.path.join(stability.LATE_COLLAPSE_DIR, isa, "q4_history.csv"))
        cells = stability.late_collapses(history)
        if not cells:
            continue
        parts = []
        late_total = n_total = 0
        for m, (n, collapsed, late) in sorted(cells.items()):
            parts.append(
                f"x{m:g}: {collapsed} of {n} collapsed, {late} of them after epoch {stability.LATE_AFTER_EPOCH}"
            )
            late_total, n_total = late_total + late, n_total + n
        low, high = collapse.wilson_interval(late_total, n_total)
        doc.add(
            f"**Late collapse** (the baseline, Keras' init, fp32, the full 25 epochs, {isa}; "
            f"`reports/data/late_collapse/{isa}/`): "
            + "; ".join(parts)
            + ". "
            + (
                f"No run collapsed after epoch {stability.LATE_AFTER_EPOCH}: in the homework's own condition, a late "
                f"collapse happens in at most {high:.2f} of runs (Wilson 95 %, n = {n_total})."
                if late_total == 0
                else f"{late_total} of {n_total} runs collapsed only after epoch {stability.LATE_AFTER_EPOCH} "
                f"(95 %: {low:.2f}-{high:.2f}): the short protocols miss such collapses."
            ),
            "",
        )
        if late_total:
            verdict = ("stands", f"{late_total} of {n_total} fp32 25-epoch runs collapsed after epoch 3")
        elif n_total < LATE_PLANNED_RUNS:
            verdict = (
                "open",
                f"0 of the {n_total} fp32 25-epoch runs finished so far (of {LATE_PLANNED_RUNS}) "
                "collapsed after epoch 3",
            )
        else:
            verdict = ("falls", f"no fp32 25-epoch run at x5 or x10 collapsed after epoch 3 (0 of {n_total})")
    return verdict


def numerics_section(doc, rows, by_cell):
    """Precision against re-rolled numerics: baseline x30 in fp32 1 thread, bf16 1 thread and fp32
    2 threads (the same maths in another summation order), on each host ISA that has all three."""
    m = NUMERICS_MULTIPLIER
    verdict_of_isa = {}
    for isa in sorted({k[3] for k in by_cell}):
        settings = {
            "fp32, 1 thread": Setting("baseline", "fp32", 1, isa, "unit"),
            "bf16, 1 thread": Setting("baseline", "bf16", 1, isa, "unit"),
            "fp32, 2 threads": Setting("baseline", "fp32", 2, isa, "unit"),
        }
        cells = {name: by_cell.get(tuple(s) + (m,)) for name, s in settings.items()}
        if any(c is None or c.n == 0 for c in cells.values()):
            continue
        names = list(settings)
        doc.add(f"#### Precision against re-rolled numerics: the baseline at x{m:g} on {isa}", "")
        doc.add(
            "Collapsed after one epoch (Wilson 95 %): "
            + "; ".join(f"{name} {rate_text(cells[name])}" for name in names)
            + ". Fisher's exact test, two-sided: "
            + "; ".join(
                f"{a} against {b} p = {stability.fisher_p(cells[a], cells[b]):.3g}"
                for i, a in enumerate(names)
                for b in names[i + 1 :]
            )
            + ".",
            "",
        )
        p_precision = stability.fisher_p(cells[names[0]], cells[names[1]])
        p_threads = stability.fisher_p(cells[names[0]], cells[names[2]])
        if p_precision < FISHER_ALPHA and p_threads >= FISHER_ALPHA:
            verdict = "bf16 changes the collapse rate beyond what a change of summation order does: a precision effect."
        elif p_precision < FISHER_ALPHA:
            verdict_of_isa[isa] = ("falls", f"on {isa} a second thread moves the x{m:g} rate as bf16 does")
            verdict = "bf16 changes the rate, and so does the second thread: any change of numerics moves it."
        else:
            verdict_of_isa[isa] = (
                "falls",
                f"on {isa} bf16's x{m:g} rate is not distinguishable from fp32's "
                f"({cells[names[1]].collapsed} of {cells[names[1]].n} against {cells[names[0]].collapsed} of "
                f"{cells[names[0]].n}, Fisher p = {p_precision:.2g})",
            )
            verdict = (
                f"No test separates the settings at the {FISHER_ALPHA:g} level: with these seeds the data show no "
                "effect of precision on the collapse rate, and none of the summation order."
            )
        text, near = agreement_text(*stability.agreement(rows, settings[names[0]], settings[names[2]], [m]))
        text_bf16, near_bf16 = agreement_text(*stability.agreement(rows, settings[names[0]], settings[names[1]], [m]))
        doc.add(
            verdict
            + f" Seed by seed, fp32 with 1 and with 2 threads: {text}; fp32 and bf16: {text_bf16}. "
            + (
                "That is no better than chance: which seeds collapse is re-rolled by any change of numerics, so "
                "this report compares rates over seeds across settings, never single seeds."
                if near and near_bf16
                else "A seed's outcome carries over between these settings more often than chance would have it."
            ),
            "",
        )
    return verdict_of_isa


def host_agreement_section(doc, rows, curves):
    """The same seeds in fp32 with one thread on two kinds of host: does a seed's fate carry over?"""
    fp32 = sorted(k for k in curves if k.arm == "baseline" and k.precision == "fp32" and k.threads == 1)
    for i, a in enumerate(fp32):
        for b in fp32[i + 1 :]:
            shared = sorted({m for m, _ in curves[a]} & {m for m, _ in curves[b]})
            mixed = [m for m in shared if any(0 < c.collapsed < c.n for mm, c in curves[a] + curves[b] if mm == m)]
            agreeing, n, expected = stability.agreement(rows, a, b, mixed)
            if not n:
                continue
            text, near = agreement_text(agreeing, n, expected)
            doc.add(
                f"The baseline's seeds in fp32 with one thread on {a.isa} and on {b.isa}, at the lrs where some but "
                f"not all collapse ({', '.join(f'x{m:g}' for m in mixed)}): {text}"
                + (": the host's ISA re-rolls which seeds collapse, as a second thread does." if near else "."),
                "",
            )


def unscaled_inputs_section(doc, rows, by_cell):
    """The baseline fed raw bytes (0-255) instead of [0, 1]: the classic slip that trains at a small
    lr and collapses at a larger one. Does it reproduce the homework's pattern (x1 trains, x5 collapses)?"""
    raw = sorted(k for k in by_cell if k[4] == "raw255")
    if not raw:
        return None
    doc.add("#### Unscaled inputs (0-255)", "")
    parts = []
    by_m = {}
    for key in raw:
        cell = by_cell[key]
        if not cell.n:
            continue
        m = key[-1]
        by_m[m] = cell
        unit = by_cell.get(key[:4] + ("unit", m))
        accs = cell.val_accs
        parts.append(
            f"x{m:g}: {rate_text(cell)} collapsed, val acc mean {statistics.fmean(accs):.4f}"
            + (f" (inputs in [0, 1]: {rate_text(unit)} collapsed)" if unit and unit.n else "")
        )
    doc.add(
        "The baseline, Keras' init, fp32, fed the raw bytes (`--input_scale=raw255`), after one epoch: "
        + "; ".join(parts)
        + ".",
        "",
    )
    x1, x5 = by_m.get(1.0), by_m.get(5.0)
    if not (x1 and x5):
        return None
    trains = x1.collapsed == 0
    breaks = x5.collapsed * 2 > x5.n
    doc.add(
        "So unscaled inputs "
        + (
            "reproduce the homework's pattern: the network trains at the homework's lr and collapses at 5x."
            if trains and breaks
            else "do not reproduce the homework's pattern (train at x1, collapse at x5): "
            + ("at x1 " + ("it trains" if trains else f"{x1.collapsed} of {x1.n} collapse already"))
            + "; "
            + ("at x5 most collapse" if breaks else f"at x5 {x5.collapsed} of {x5.n} collapse")
            + "."
        ),
        "",
    )
    if trains and breaks:
        return "stands", f"unscaled inputs train at x1 and collapse at x5 ({x5.collapsed} of {x5.n})"
    return "falls", f"unscaled inputs collapse in {x1.collapsed} of {x1.n} at x1 and {x5.collapsed} of {x5.n} at x5"


UNSCALED_DIR = "unscaled"


def unscaled_full_run_section(doc, results):
    """The full 25-epoch protocol with raw bytes at x1 (reports/data/unscaled/<isa>/), beside Table 1's
    baseline at x1 with inputs in [0, 1]: what else unscaled inputs change when they train."""
    root = results.csv(UNSCALED_DIR)
    if not os.path.isdir(root):
        return
    table1 = [r for r in results.rows("q4_summary.csv") if r["arm"] == "baseline" and float(r["lr_multiplier"]) == 1]
    for isa in sorted(os.listdir(root)):
        runs = results.rows(os.path.join(UNSCALED_DIR, isa, "q4_collapse.csv"))
        history = results.rows(os.path.join(UNSCALED_DIR, isa, "q4_history.csv"))
        for run in runs:
            epochs = [h for h in history if h["run_id"] == run["run_id"]]
            if not epochs:
                continue
            by_epoch = {int(h["epoch"]): float(h["val_acc"]) for h in epochs}
            # Table 1's runs in the same precision only: a count never mixes precisions.
            scaled = [float(r["final_val_acc"]) for r in table1 if r["precision"] == run["precision"]]
            doc.add(
                f"The full protocol with raw bytes at x{float(run['lr_multiplier']):g} (seed {run['seed']}, {isa}, "
                f"`reports/data/{UNSCALED_DIR}/{isa}/`): {len(by_epoch)} epochs, "
                + ("collapsed" if csv_io.to_bool(run["collapsed"]) else "did not collapse")
                + ", val acc "
                + ", ".join(f"{by_epoch[e]:.4f} after epoch {e}" for e in sorted(by_epoch) if e in (1, 5, 10, 25))
                + (
                    f"; Table 1's baseline at x1 in {run['precision']} with inputs in [0, 1] ends at "
                    f"{statistics.fmean(scaled):.4f} (mean of {len(scaled)}, its own host)"
                    if scaled
                    else f"; Table 1 has no baseline run at x1 in {run['precision']} to set beside it"
                )
                + ".",
                "",
            )
