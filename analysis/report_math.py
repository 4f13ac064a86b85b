"""The report's Q1 and Q2: the 1x1 convolution's condition, checked against LibTorch, and the
logistic-regression loss's convexity, checked symbolically, numerically and line by line."""

from analysis import csv_io
from analysis import math_figures


def q1(doc, results):
    doc.add("## Q1. Is a 1x1 convolution the same as scaling the input by one scalar?", "")
    doc.add(
        "**Answer: only in a special case.** A 1x1 convolution with weight W (C_out x C_in) and bias b "
        "maps every pixel's channel vector x to Wx + b. It equals x -> s x for every input if and only "
        "if **C_out = C_in, b = 0 and W = s I** (any real s, including 0 and negative values). "
        "Proof (`lib/math/conv1x1.h`): x = 0 forces b = 0; the basis vector e_j forces column j of W to "
        'be s e_j. The homework\'s answer, "when C = 1", is incomplete both ways: a single-channel '
        "convolution *with a bias* is not a scaling, and a multi-channel one with W = s I is.",
        "",
    )
    if not results.has("q1_conv1x1.csv"):
        return
    rows = csv_io.read_rows(results.csv("q1_conv1x1.csv"))
    agree = sum(r["equivalent"] == r["predicted"] for r in rows)
    doc.add(
        f"Checked against `torch::conv2d` in float64 on random inputs: the condition predicts the "
        f"outcome in **{agree} of {len(rows)}** cases.",
        "",
    )
    doc.table(
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
    png, _ = math_figures.q1_condition_figure(results.csv("q1_conv1x1.csv"), doc.figure_path("q1_condition"))
    doc.figure(png, "Q1: distance between the convolution and the best scalar multiple, per case")


def q2(doc, results):
    doc.add("## Q2. The logistic-regression loss is convex", "")
    doc.add(
        "**Answer: yes.** With p_i = sigma(w^T x_i), the Hessian of the negative log-likelihood is "
        "H = X^T diag(p_i (1 - p_i)) X, and z^T H z = sum_i p_i (1 - p_i) (x_i^T z)^2 >= 0 because "
        "p_i (1 - p_i) = e^{-z_i} / (1 + e^{-z_i})^2 > 0. The computer checks this three ways.",
        "",
    )
    if results.has("q2_symbolic_proof.csv"):
        proof = csv_io.read_rows(results.csv("q2_symbolic_proof.csv"))
        held = sum(csv_io.to_bool(r["holds"]) for r in proof)
        doc.add(
            f"**Symbolically** (GiNaC, simplification to zero, no sampling): {held} of {len(proof)} "
            "identities hold: the gradient (sigma(z) - y) x_j, every Hessian entry "
            "sigma(z)(1 - sigma(z)) x_j x_k, the quadratic form as a sum of squares, and the positivity "
            "of its coefficients.",
            "",
        )
    if results.has("q2_hessian_checks.csv"):
        rows = csv_io.read_rows(results.csv("q2_hessian_checks.csv"))
        psd = sum(csv_io.to_bool(r["psd"]) for r in rows)
        fd = max(float(r["fd_rel_error"]) for r in rows)
        autograd = max(float(r["autograd_rel_error"]) for r in rows)
        jensen = sum(int(r["jensen_violations"]) for r in rows)
        doc.add(
            f"**Numerically** (Eigen, float64): the Hessian is PSD in {psd} of {len(rows)} data sets "
            "(random data, separable classes, |w^T x| = 1000, collinear features, n < d); its largest "
            f"relative difference to central finite differences is {fd:.1e} and to LibTorch's "
            f"double-backward autograd {autograd:.1e}; Jensen's inequality along random segments is "
            f"violated {jensen} times.",
            "",
        )
        doc.table(
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
            results.csv("q2_hessian_checks.csv"), doc.figure_path("q2_eigenvalues")
        )
        doc.figure(png, "Q2: Hessian eigenvalue range per data set")
    if results.has("q2_derivation_steps.csv"):
        steps = csv_io.read_rows(results.csv("q2_derivation_steps.csv"))
        wrong = [r["line"] for r in steps if r["holds"] == "false"]
        doc.add(
            "**The homework's derivation, line by line** (each displayed line encoded as written, for "
            "2 examples with 2 symbolic features, compared with the true quantity and with what the "
            f"previous line gives). Lines that do not hold as written: {', '.join(wrong) or 'none'}. "
            "Line (4) multiplies by (-x_ij) where the chain rule gives +x_ij, and line (10) "
            "differentiates exp(-z)/(1 + exp(-z)) as if it were a constant; in both cases the next "
            "line is correct again, so the conclusion stands.",
            "",
        )
        doc.table(
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
