"""The report's Q4: Table 1, where each network breaks, the homework's three claims checked, the
levels, the fp32 check and the figures. The facts: analysis/q4_claims.py."""

import statistics

from analysis import collapse
from analysis import csv_io
from analysis import homework_reference as hw
from analysis import q4_claims
from analysis import report_collapse
from analysis import report_probes
from analysis import report_stability
from analysis import training_figures
from analysis.markdown import fmt, fmt_mean_sd


def q4(doc, results):
    doc.add("## Q4. BatchNorm", "")
    doc.add(
        "Setup: the same network with BatchNorm after every convolution, before the ReLU (Keras' "
        "epsilon 1e-3 and momentum 0.99), against the baseline, at the learning rates of Table 1 (multiples "
        "of the homework's 1e-4: its 1, 5, 10 and 30, and 100 and 300 to find where each network breaks), "
        "every run with the Q3 protocol; several seeds where they have been run "
        "(`bazel run //experiments:q4_bn_sweep`).",
        "",
    )
    if not results.has("q4_summary.csv", "q4_history.csv"):
        return
    runs = q4_claims.Runs.from_summary(results.rows("q4_summary.csv"))
    if runs is None:
        doc.add("No full-protocol runs in `q4_summary.csv` yet.", "")
        return
    table1(doc, results, runs)
    short_answers(doc, runs)
    breaking_points(doc, results, runs)
    claims(doc, results, runs)
    if "fp32" in runs.precisions and runs.main != "fp32":
        precision_check(doc, runs)
    figures(doc, results, runs)
    report_collapse.collapse_study(doc, results, results.rows("q4_history.csv"))
    report_stability.stability_section(doc, results)
    report_probes.probes_section(doc, results.data_dir)


def table1(doc, results, runs):
    main = runs.main
    # Each run's thread count, from the manifest's per-run record: the count changes the
    # numbers (the run ids name it), so a cell says which it holds.
    run_threads = {k: v.get("threads") for k, v in (results.manifest("q4_bn_sweep") or {}).get("runs", {}).items()}
    table = []
    for arm in ("baseline", "bn"):
        for m in runs.arm_multipliers(arm):
            rows = runs.rows(arm, m)
            if not rows:
                continue
            homework = (hw.Q4_BN_VAL_ACC if arm == "bn" else hw.Q4_BASELINE_VAL_ACC).get(int(m))
            diverged = sum(csv_io.to_bool(r["diverged"]) for r in rows)
            reach = runs.reach(arm, m)
            reached = sum(e != q4_claims.NEVER for e in reach)
            median = q4_claims.censored_median(reach)
            lrs = ", ".join(sorted({f"{float(r['lr']):g}" for r in rows}))  # the runs' own, not m x a base
            table.append(
                [
                    training_figures.ARM_LABEL[arm],
                    f"x{m:g} ({lrs})",
                    fmt_mean_sd(runs.acc(arm, m)),
                    fmt_mean_sd(runs.acc(arm, m, "best_val_acc")),
                    fmt(homework),
                    f"{diverged} of {len(rows)}",
                    f"{reached} of {len(reach)}; median {epoch_text(median)}",
                    ", ".join(str(t) for t in sorted({run_threads.get(r["run_id"], "?") for r in rows}, key=str)),
                ]
            )
    doc.add(f"**Table 1** (final validation accuracy after 25 epochs, {main}; mean ± sd over seeds):", "")
    doc.table(
        [
            "network",
            "lr multiplier",
            "final val acc",
            "best val acc",
            "homework",
            "diverged",
            "reached its seed's baseline x1 final acc; median epoch",
            "threads per run",
        ],
        table,
    )


def epoch_text(median):
    return "never" if median == q4_claims.NEVER else f"{median:g}"


def short_answers(doc, runs):
    """(a), (b) and (c) in a sentence each, beside the homework's numbers."""
    base = runs.acc("baseline", 1)
    if base:
        targets = sorted({r["target_val_acc"] for r in runs.rows("baseline", 1) if r.get("target_val_acc")})
        doc.add(
            "(a) **Convergence.** Each run's target is the final accuracy of the baseline x1 run with its seed "
            f"({', '.join(targets) if targets else fmt(statistics.fmean(base))}); the column above counts the runs "
            "that reach it within 25 epochs and the median epoch of reaching it over all runs, a run that never "
            "does counting as later than any that does ('never' when the median run does not) (homework: BN "
            f"reached {fmt(hw.Q3_VAL_ACC)} {hw.Q4_BN_EPOCHS_EARLIER} epochs earlier and "
            f"converged around epoch {hw.Q4_BN_CONVERGENCE_EPOCH}).",
            "",
        )
    if runs.acc("baseline", 5):
        doc.add(
            "(b) **Larger learning rates.** The baseline at x5 ends at "
            f"{fmt(statistics.fmean(runs.acc('baseline', 5)))} "
            f"(homework: {fmt(hw.Q4_BASELINE_VAL_ACC[5])}); BN at x5/x10/x30 ends at "
            + ", ".join(fmt(statistics.fmean(runs.acc("bn", m))) if runs.acc("bn", m) else "n/a" for m in (5, 10, 30))
            + ".",
            "",
        )
    bn_best = max(((statistics.fmean(runs.acc("bn", m)), m) for m in (1, 5, 10, 30) if runs.acc("bn", m)), default=None)
    if bn_best and base:
        doc.add(
            f"(c) **Accuracy.** The best BN setting (x{bn_best[1]:g}) reaches {fmt(bn_best[0])} against the "
            f"baseline's {fmt(statistics.fmean(base))} at x1. The best setting is picked on the test images that "
            "also score it (there is no separate validation split), so its margin is optimistic by the selection.",
            "",
        )


def breaking_points(doc, results, runs):
    """Where each network stops training: per arm, the runs at each multiplier that ended at
    chance (final accuracy at most the collapse threshold) or diverged."""
    parts = []
    for arm in ("baseline", "bn"):
        point = q4_claims.breaking_point(runs, arm)
        if point is None:
            continue
        counts = ", ".join(f"x{m:g} {point.failed[m]} of {point.runs[m]}" for m in point.runs)
        where = (
            (f"trains up to x{point.trained_up_to:g}, " if point.trained_up_to is not None else "")
            + f"breaks at x{point.first:g}"
            if point.first is not None
            else f"never breaks, up to x{point.highest:g}"
        )
        parts.append(f"{training_figures.ARM_LABEL[arm]}: {where} ({counts})")
    if not parts:
        return
    text = (
        f"**Where each network breaks** (runs ending at or below {collapse.COLLAPSE_MAX_VAL_ACC} validation "
        "accuracy, i.e. at chance, or diverged, per learning rate): " + "; ".join(parts) + "."
    )
    # The sweep folder's own q4_collapse.csv says how such a run failed: one class predicted for
    # (nearly) every image is the homework's collapse; a spread of predictions is not.
    failed = q4_claims.how_they_failed(results.rows("q4_collapse.csv"), runs.main)
    if failed:
        shares = failed.shares
        text += (
            f" Of the {failed.counted} such runs whose predictions were counted, {failed.collapsed} collapsed by "
            f"the rule (one class takes at least {collapse.COLLAPSE_MIN_MAJORITY_SHARE:.0%} of the predictions"
            + (
                f"; here {min(shares):.0%}" + (f"–{max(shares):.0%}" if max(shares) > min(shares) else "")
                if shares
                else ""
            )
            + "), as the homework's baseline did at x5."
        )
    doc.add(text, "")


def claims(doc, results, runs):
    """The homework's three claims about BatchNorm, each checked against the runs here
    (the facts: analysis/q4_claims.py)."""
    if not runs.both():
        doc.add("**The homework's claims, checked.** Not yet: no learning rate has runs of both networks.", "")
        return
    lines = ["**The homework's claims, checked** (mean over seeds, where both networks have runs):", ""]
    if runs.unequal():
        lines += [
            f"*Provisional:* the two networks do not yet have the same runs at "
            f"{', '.join(f'x{m:g}' for m in runs.unequal())}; the verdicts below use only what has been run.",
            "",
        ]
    a = q4_claims.convergence(runs)
    detail = "; ".join(
        f"x{m:g}: BN {epoch_text(a.epochs[('bn', m)])} vs baseline {epoch_text(a.epochs[('baseline', m)])}"
        for m in a.compared
    )
    lines.append(
        f"- (a) *BN converges faster* (homework: reached 0.8012 {hw.Q4_BN_EPOCHS_EARLIER} epochs earlier): "
        f"**{a.verdict}**, BN reaches the baseline x1's final accuracy sooner at {len(a.faster)} of "
        f"{len(a.compared)} learning rates (median epoch over seeds, 'never' where the median run does not reach "
        f"it within 25: {detail})"
        + (f"; neither network reaches it at {', '.join(f'x{m:g}' for m in a.neither)}" if a.neither else "")
        + "."
    )
    b = q4_claims.larger_rates(runs)
    details = []
    if 5.0 in b.failed:
        others = [f"x{m:g}: {c} of {b.runs[m]}" for m, c in b.failed.items() if m > 5]
        details.append(
            f"the baseline ended at chance (final accuracy at most {collapse.COLLAPSE_MAX_VAL_ACC}) or "
            f"diverged in {b.failed[5.0]} of {b.runs[5.0]} runs at x5" + (f" ({', '.join(others)})" if others else "")
        )
    if b.raised:
        details.append(
            f"BN ends higher than the baseline at {len(b.bn_higher)} of {len(b.raised)} raised learning "
            f"rates ({', '.join(f'x{m:g}' for m in b.raised)})"
        )
    study = collapse.cells(results.collapse_rows())
    for init in ("keras", "torch"):
        base, bn = study.get((init, "baseline", 5.0)), study.get((init, "bn", 5.0))
        if base and base.n:
            details.append(
                f"in the collapse study (3 epochs) the baseline collapsed at x5 in {base.collapsed} of "
                f"{base.n} seeds with {'Keras' if init == 'keras' else 'PyTorch'}'s init"
                + (f", BatchNorm in {bn.collapsed} of {bn.n}" if bn and bn.n else "")
            )
    lines.append(
        f"- (b) *BN permits larger learning rates* (homework: the baseline collapses to "
        f"{fmt(hw.Q4_BASELINE_VAL_ACC[5])} at x5): **{b.verdict}**"
        + (", " + "; ".join(details) if details else "")
        + "."
    )
    c = q4_claims.better_accuracy(runs)
    if c.measured:
        lines.append(
            f"- (c) *BN improves accuracy* (homework: {fmt(max(hw.Q4_BN_VAL_ACC.values()))} against "
            f"{fmt(hw.Q4_BASELINE_VAL_ACC[1])}): **{c.verdict}**, "
            f"the best BN setting (x{c.best['bn'][1]:g}, {fmt(c.best['bn'][0])}) is {fmt(abs(c.gain))} "
            f"{'above' if c.gain > 0 else 'below'} the best baseline setting (x{c.best['baseline'][1]:g}, "
            f"{fmt(c.best['baseline'][0])}), both best settings picked on the test images that score them."
        )
    lines.append(
        "- Why (b) holds, explanation by explanation, measured inside the runs: *Why BatchNorm permits larger "
        "learning rates, measured*, below."
    )
    lines.append("")
    # The lowest raised rate at which every baseline run failed: the homework's collapse, elsewhere.
    broke = b.broke_at()
    if b.failed.get(5.0, 1) == 0 and study:
        lines += [
            "Where this disagrees with the homework: its baseline at x5 ended at chance (0.10), what a "
            "network scores when it predicts one class for every image; that did not happen here in "
            "Table 1's runs at x5"
            + (
                f". It does happen at x{broke[0]:g} (every run; see where each network breaks, above), so "
                f"this network has the homework's failure, at a learning rate {broke[0] / 5:g} times the "
                "homework's"
                if broke
                else ""
            )
            + ". The collapse study below tests the explanations (seed, initialisation, framework) one by one.",
            "",
        ]
    elif b.failed.get(5.0, 1) == 0:
        lines += [
            "Where this disagrees with the homework: its baseline at x5 ended at chance (0.10), what a "
            "network scores when it predicts one class for every image (for instance after its ReLUs died "
            "early in training); that did not happen here in any seed, and Q3 (b) gives reasons to think "
            "the homework's network "
            "differed from the Keras example. Whether ReLUs die at a given learning rate depends on the "
            "initialisation, the width of the network and the seed, and the homework reports a single run "
            "per setting. Its collapse is therefore not evidence about BatchNorm in this network; the "
            "comparison at equal learning rates above is.",
            "",
        ]
    lines += level_gap(runs)
    doc.add(*lines)


def level_gap(runs):
    """Our accuracies against every one the homework reports for a run that trained (not its collapse)."""
    gap = q4_claims.level_gap(runs, hw.Q4_BN_VAL_ACC, hw.Q4_BASELINE_VAL_ACC[1])
    if gap is None:
        return []
    gaps = gap.gaps
    listed = "; ".join(f"{label}: {fmt(ours)} vs {fmt(theirs)}" for label, ours, theirs in gap.pairs)
    if not gap.all_below:
        return [f"Levels: ours against the homework's, {listed}.", ""]
    text = (
        f"Where the levels differ: every accuracy the homework reports for a run that trained is "
        f"{fmt(min(gaps))} to {fmt(max(gaps))} above ours ({listed})."
    )
    if gap.shared:
        text += (
            f" The baseline, without BatchNorm, is {fmt(gaps[-1])} below the homework's as well (BN: "
            f"{fmt(gap.bn_gap)} on average), so the difference lies in what both networks share: the "
            "JPEG-derived data (see Provenance) and a network that was probably not the Keras example "
            "(Q3 (b)). The differences between settings, which the homework's claims are about, can be "
            "compared with the homework's; the levels cannot."
        )
    return [text, ""]


def precision_check(doc, runs):
    """fp32 against the main precision, seed by seed, beside the main precision's spread over seeds."""
    check, main = q4_claims.precision_check(runs), runs.main
    parts = []
    for (arm, m), (fp32, other) in check.means.items():
        spread = check.spread[(arm, m)]
        spread = f"; {main} over {spread[0]} seeds spans {fmt(spread[1])}" if spread else ""
        parts.append(
            f"{training_figures.ARM_LABEL[arm]} x{m:g}, seed {', '.join(check.seeds[(arm, m)])}: fp32 "
            f"{fmt(fp32)} vs {main} {fmt(other)} ({fp32 - other:+.4f}{spread})"
        )
    if not parts:
        return
    text = "**Precision check.** The same runs in fp32: " + "; ".join(parts) + "."
    if check.same_conclusion is not None:
        (base32, _), (bn32, _) = check.means[("baseline", 1)], check.means[("bn", 10)]
        text += (
            f" In fp32 BN x10 ends {'above' if bn32 > base32 else 'below'} the baseline x1 "
            f"({fmt(bn32)} vs {fmt(base32)}), "
            + (
                f"as in {main}: the precision does not change this conclusion."
                if check.same_conclusion
                else f"unlike {main}: the precision changes this conclusion."
            )
        )
    doc.add(text, "")


def figures(doc, results, runs):
    """The homework's Figures 11-13 and the final accuracies, of Table 1's runs only."""
    h, main, ids = results.csv("q4_history.csv"), runs.main, runs.run_ids()
    png, _ = training_figures.q4_bn_vs_baseline_training(
        h, doc.figure_path("q4_training"), multipliers=(1, 10), precision=main, run_ids=ids
    )
    doc.figure(png, "Q4 (a): training loss and accuracy with and without BatchNorm (homework Figure 11)")
    png, _ = training_figures.q4_validation_curves(
        h,
        doc.figure_path("q4_higher_lr"),
        [("baseline", 1), ("baseline", 5), ("bn", 5), ("bn", 10), ("bn", 30)],
        "Q4 (b): validation accuracy at higher learning rates",
        precision=main,
        run_ids=ids,
    )
    doc.figure(png, "Q4 (b): validation accuracy per epoch at higher learning rates (homework Figure 12)")
    png, _ = training_figures.q4_validation_curves(
        h,
        doc.figure_path("q4_bn_vs_baseline_val"),
        [("baseline", 1), ("bn", 5), ("bn", 10)],
        "Q4 (c): validation accuracy, BN vs baseline",
        precision=main,
        run_ids=ids,
    )
    doc.figure(png, "Q4 (c): validation accuracy of BN x5 and x10 against the baseline (homework Figure 13)")
    png, _ = training_figures.q4_final_accuracy_vs_lr(
        results.csv("q4_summary.csv"), doc.figure_path("q4_final_vs_lr"), precision=main
    )
    doc.figure(
        png,
        "Q4: final validation accuracy against learning rate; x = diverged, "
        "hollow diamonds = the homework's numbers",
    )
