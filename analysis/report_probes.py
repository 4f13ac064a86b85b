"""The report's "Why BatchNorm permits larger learning rates, measured": the four explanations,
each against its measure in the training probes (reports/data/probes/<isa>/). The facts:
analysis/probes.py; the figures: analysis/probe_figures.py."""

import os
import statistics

from analysis import csv_io
from analysis import probe_figures
from analysis import probes

HIGH, LOW = 30.0, 1.0  # the lr multipliers whose angular updates are compared
MEASURE_LABEL = {
    "max_dead_fraction": "dead fraction, the most-dead layer",
    "max_update_ratio": "angular update, the largest layer's",
    "probe_loss": "probe-batch loss",
    "logits_sd": "sd of the logits",
    "first_step_loss_change": "relative loss change of the first step",
}


# Seeds each cell is planned with (reports/run_all_experiments.sh): the section says where it has fewer.
PLANNED_SEEDS = {
    ("baseline", 30.0): 10,
    ("bn", 30.0): 3,
    ("bn", 100.0): 3,
    ("baseline", 1.0): 2,
    ("baseline", 5.0): 2,
    ("bn", 1.0): 2,
    ("bn", 5.0): 2,
}


def _seeds_per_cell(runs):
    out = {}
    for run in runs.values():
        out[(run.arm, run.lr_multiplier)] = out.get((run.arm, run.lr_multiplier), 0) + 1
    return out


def _rows_if_there(path):
    return csv_io.read_rows(path) if os.path.exists(path) else []


def _median_or_none(values):
    return statistics.median(values) if values else None


def _fmt(value):
    return "-" if value is None else f"{value:.3g}"


def _dead_units(doc, runs, isa, multiplier):
    """The dead-units paragraph and figure of the baseline at one lr; returns its runs."""
    base = [r for r in runs.values() if r.arm == "baseline" and r.lr_multiplier == multiplier]
    collapsing = [r for r in base if r.collapsed]
    lines = []
    for run in sorted(collapsing, key=lambda r: r.seed):
        onset, first = probes.collapse_onset(run.network), probes.first_dead_layer(run.layers)
        at = probes.dead_fractions_at(run.layers, onset) if onset is not None else {}
        lines.append(
            f"seed {run.seed}: onset step {onset if onset is not None else '-'}, first dead layer "
            + (f"{first[0]} at step {first[1]}" if first else "none")
            + (", dead fractions then " + ", ".join(f"{k} {v:.2f}" for k, v in at.items()) if at else "")
        )
    surviving_dead = sum(probes.first_dead_layer(r.layers) is not None for r in base if not r.collapsed)
    png, _ = probe_figures.dead_units_figure(
        runs, multiplier, doc.figure_path(f"q4_probe_dead_units_x{multiplier:g}_{isa}")
    )
    doc.add(
        f"**Dead units, the baseline at x{multiplier:g}.** {len(collapsing)} of {len(base)} seeds collapsed in the "
        "first epoch (the collapse rule on the validation images)"
        + (": " + "; ".join(lines) if lines else "")
        + f". {surviving_dead} of the {len(base) - len(collapsing)} surviving seeds had a dead layer at some probe.",
        "",
    )
    doc.figure(png, f"Dead ReLUs per layer in the first epoch at lr x{multiplier:g}, {isa}")
    return base


def _separation(doc, base, multiplier):
    found = probes.separations(base)
    if not found or not found[0].n_collapsed or not found[0].n_survived:
        return None
    tests = len(found)
    rows = [
        [
            MEASURE_LABEL[s.measure],
            s.step,
            f"{s.auc:.2f}",
            f"{s.low:.2f}-{s.high:.2f}" if 0 < s.auc < 1 else "- (none at 0 or 1)",
            f"{s.p:.3f}",
        ]
        for s in found
    ]
    doc.add(
        f"**Telling early which seeds will collapse** (baseline x{multiplier:g}; AUC: the probability that a "
        "collapsing run scores above a surviving one; its 95 % interval by Hanley and McNeil; p: exact, over every "
        f"relabelling of the {found[0].n_collapsed} collapsing and {found[0].n_survived} surviving runs):",
        "",
    )
    doc.table(["measure", "step", "AUC", "95 % interval", "p"], rows)
    best = min(found, key=lambda s: s.p)
    separated = best.p * tests < 0.05
    onsets = [probes.collapse_onset(r.network) for r in base if r.collapsed]
    onsets = [o for o in onsets if o is not None]
    if onsets and max(onsets) <= min(probes.EARLY_STEPS):
        doc.add(
            f"Every collapsing run's loss had reached ln 10 by step {max(onsets)}, before the earliest of these "
            "measures: at steps 50 and 100 they describe a collapse under way, not a forecast. Only the first step's "
            "loss change comes before it. An AUC below 0.5 means lower in the collapsing runs.",
            "",
        )
    doc.add(
        (
            f"With {tests} measures tested, {MEASURE_LABEL[best.measure]} at step {best.step} separates the seeds "
            f"(Bonferroni-adjusted p {min(1.0, best.p * tests):.3f})."
            if separated
            else f"No measure separates the seeds at the family-wise 5 % level ({tests} measures, Bonferroni); "
            f"the closest is {MEASURE_LABEL[best.measure]} at step {best.step} (AUC {best.auc:.2f}, "
            f"{best.low:.2f}-{best.high:.2f}, p {best.p:.3f} before adjustment), so which seed collapses is not "
            "read from these measures this early."
        ),
        "",
    )
    return best if separated else None


def _auto_tuning(doc, runs, isa):
    def cell(arm, m):
        group = [r for r in runs.values() if r.arm == arm and r.lr_multiplier == m and not r.collapsed]
        return _median_or_none([probes.median_update_ratio(r) for r in group]), group

    ratios, parts = {}, []
    for arm in ("baseline", "bn"):
        high, high_runs = cell(arm, HIGH)
        low, low_runs = cell(arm, LOW)
        ratios[arm] = high / low if high and low else None
        growth = _median_or_none([probes.weight_norm_growth(r) for r in high_runs])
        parts.append(
            f"{'BatchNorm' if arm == 'bn' else 'the baseline (surviving runs)'}: median {_fmt(low)} at "
            f"x{LOW:g} (n = {len(low_runs)}) and {_fmt(high)} at x{HIGH:g} (n = {len(high_runs)}), conv weight "
            f"norms x{_fmt(growth)} over the epoch at x{HIGH:g}"
        )
    verdict = probes.auto_tuning_verdict(ratios["bn"], ratios["baseline"], HIGH / LOW)
    png, _ = probe_figures.angular_update_figure(runs, doc.figure_path(f"q4_probe_angular_update_{isa}"))
    doc.add(
        "**Scale invariance and an auto-tuned effective lr.** The angular update ‖ΔW‖/‖W‖ of Adam's step, "
        "the median over the four conv layers and the probed steps of the first epoch, then over seeds: "
        + "; ".join(parts)
        + f". So {verdict.evidence} (the Adam step's size follows the lr; what can shrink the ratio is ‖W‖ "
        "growing, which for a conv followed by BatchNorm lowers the effective lr η/‖W‖² and leaves the output "
        "unchanged).",
        "",
    )
    doc.figure(png, f"Angular update against the step, per network and lr, {isa}")
    return verdict


def _landscape(doc, runs, isa):
    shared = sorted(
        {r.lr_multiplier for r in runs.values() if r.arm == "bn"}
        & {r.lr_multiplier for r in runs.values() if r.arm == "baseline" and r.lr_multiplier < HIGH}
    )
    verdicts = {}
    for column in ("loss_range", "beta"):
        pairs = []
        for m in shared:
            values = {
                arm: [
                    probes.landscape_median(r, column)
                    for r in runs.values()
                    if r.arm == arm and r.lr_multiplier == m and r.landscape
                ]
                for arm in ("bn", "baseline")
            }
            pairs.append((m, values["bn"], values["baseline"]))
        verdicts[column] = probes.lower_verdict(pairs)
    first = {
        arm: [
            probes.early_measure(r, "first_step_loss_change", 0)
            for r in runs.values()
            if r.arm == arm and r.lr_multiplier == HIGH
        ]
        for arm in ("bn", "baseline")
    }
    blowup = probes.lower_verdict([(HIGH, [v for v in first["bn"] if v is not None], first["baseline"])])
    shown = [m for m in shared + [HIGH] if any(r.lr_multiplier == m for r in runs.values())]
    png, _ = probe_figures.landscape_figure(runs, shown, doc.figure_path(f"q4_probe_landscape_{isa}"))
    doc.add(
        "**A smoother landscape.** Along Adam's step d, the loss at w + s·d for s = 0.25 to 4 (its range), and "
        "β = the largest ‖∇L(w + s·d) − ∇L(w)‖/‖s·d‖, every 200 steps on 128 probe images, the median over a "
        "run's probes (the baseline at x30 is left out: a collapsed network is flat). Loss range: "
        + verdicts["loss_range"].evidence
        + ". β: "
        + verdicts["beta"].evidence
        + ".",
        "",
        "**A one-step blow-up.** The relative loss change of the first step at x30 (Adam's first step moves "
        "every weight by about the lr): " + blowup.evidence + ".",
        "",
    )
    doc.figure(png, f"Loss along the step taken, lowest to highest over the step sizes, {isa}")
    return verdicts, blowup


def probes_section(doc, data_dir):
    """The section, once per host ISA with probe runs; returns {isa: {explanation: Verdict}}."""
    doc.add("### Why BatchNorm permits larger learning rates, measured", "")
    folders = probes.probe_folders(data_dir)
    if not folders:
        doc.add("No probe runs in `reports/data/probes/` yet (`reports/run_all_experiments.sh`).", "")
        return {}
    out = {}
    for isa, folder in folders.items():
        runs = probes.load_runs(folder)
        if not runs:
            continue
        equal, shared = probes.same_as_unprobed(
            csv_io.read_rows(os.path.join(folder, "q4_collapse.csv")),
            _rows_if_there(os.path.join(data_dir, "stability", isa, "q4_collapse.csv")),
        )
        doc.add(
            f"Runs in `reports/data/probes/{isa}/` (`q4_bn_sweep --probe --probe_every=25 --landscape_every=200 "
            "--epochs=1`, fp32, Keras' init, one thread): the first epoch, probed every 25 steps on the first 512 "
            "training images, the same for every run. Probes leave training unchanged (the probe-identity test "
            f"in `tests/probe/`), so these runs are the runs they would be unprobed; {len(runs)} runs"
            + (
                f"; {equal} of the {shared} that the stability curve also trained unprobed on this ISA end with "
                "its final accuracy, majority share and verdict digit for digit."
                if shared
                else "."
            ),
            "",
        )
        doc.add(
            "The collapse onset is the first probe from which the probe batch's loss stays within 0.01 of ln 10 to "
            "the run's end (outputs that no longer depend on the image); a layer is dead when at least "
            f"{probes.DEAD_LAYER:.0%} of its units fire for no probe image.",
            "",
        )
        high = sorted({r.lr_multiplier for r in runs.values() if r.arm == "baseline" and r.lr_multiplier >= HIGH})
        collapsing, surviving = [], []
        for m in high:
            base = _dead_units(doc, runs, isa, m)
            collapsing += [r for r in base if r.collapsed]
            surviving += [r for r in base if not r.collapsed]
            _separation(doc, base, m)
        bn_high = [r for r in runs.values() if r.arm == "bn" and r.lr_multiplier >= HIGH]
        dead = probes.dead_units_verdict(collapsing, surviving, bn_high)
        tuning = _auto_tuning(doc, runs, isa)
        landscape, blowup = _landscape(doc, runs, isa)
        verdicts = {
            "dead units": dead,
            "auto-tuned effective lr (scale invariance)": tuning,
            "smoother landscape: loss range": landscape["loss_range"],
            "smoother landscape: β": landscape["beta"],
            "one-step blow-up": blowup,
        }
        short = [
            f"{'BatchNorm' if arm == 'bn' else 'baseline'} x{m:g} ({n} of {PLANNED_SEEDS[(arm, m)]})"
            for (arm, m), n in sorted(_seeds_per_cell(runs).items())
            if (arm, m) in PLANNED_SEEDS and n < PLANNED_SEEDS[(arm, m)]
        ]
        if short:
            doc.add("*Provisional:* cells with fewer seeds than planned: " + ", ".join(short) + ".", "")
        doc.add(f"**Which explanations the numbers support** ({isa}):", "")
        doc.table(
            ["explanation", "verdict", "what was measured"], [[k, v.verdict, v.evidence] for k, v in verdicts.items()]
        )
        out[isa] = verdicts
    return out
