"""The report is built from whatever CSVs exist, and its numbers are the CSVs'."""

import json
import os
import re
import unittest
from unittest import mock

from analysis import report
from analysis import report_feature_maps
from analysis import training_figures
from tests.analysis import fixtures
from tests.analysis.math_figures_test import Q1_CSV, Q2_CSV


def build(data, out):
    """The report's text, built from `data` into `out`."""
    with open(report.Report(data, out).write()) as handle:
        return handle.read()


class ReportTest(unittest.TestCase):
    def test_empty_data_folder_lists_everything_missing(self):
        data, out = fixtures.tmpdir(), fixtures.tmpdir()
        r = report.Report(data, out)
        path = r.write()
        with open(path) as handle:
            text = handle.read()
        self.assertIn("q4_summary.csv", text)
        self.assertIn("bazel run //experiments:q4_bn_sweep", text)
        self.assertEqual(len(r.missing), len(report.EXPECTED))

    def test_provenance_names_every_folder_read_and_its_host(self):
        data, out = fixtures.tmpdir(), fixtures.tmpdir()
        for folder in ("collapse", "collapse_bf16", os.path.join("stability", "avx512_core_bf16")):
            os.makedirs(os.path.join(data, folder))
            manifest = {
                "host": {"cpu": "AMD EPYC"},
                "finished_at": "2026-12-07T15:00:00",
                "runs": {"r": {"git_commit": "abc", "precision": "fp32", "threads": 1, "host_kind": "avx512_bf16"}},
            }
            fixtures.write(os.path.join(data, folder), "q4_bn_sweep.manifest.json", json.dumps(manifest))
        fixtures.write(data, "keras_reference.manifest.json", json.dumps({"runs": {"k": {"threads": 1}}}))
        text = build(data, out)
        for label in (
            "| Q4 (b) collapse study | `collapse/q4_bn_sweep.manifest.json` |",
            "| Q4 (b) bf16 repeats | `collapse_bf16/q4_bn_sweep.manifest.json` |",
            "| Q4 (b) stability curve, avx512_core_bf16 | `stability/avx512_core_bf16/q4_bn_sweep.manifest.json` |",
            "| tf-keras reference | `keras_reference.manifest.json` |",
        ):
            self.assertIn(label, text)
        self.assertIn("| avx512_bf16 (1 run); AMD EPYC | 2026-12-07T15:00:00 |", text)

    def test_numbers_come_from_the_csvs(self):
        data, out = fixtures.tmpdir(), fixtures.tmpdir()
        fixtures.write(data, "q1_conv1x1.csv", Q1_CSV)
        fixtures.write(data, "q2_hessian_checks.csv", Q2_CSV)
        fixtures.write(data, "q3_history.csv", fixtures.q3_history())
        fixtures.write(data, "q3_final_metrics.csv", fixtures.q3_final_metrics())
        fixtures.write(data, "q3_model_summary.csv", fixtures.model_summary())
        fixtures.write(data, "q4_history.csv", fixtures.q4_history())
        fixtures.write(data, "q4_summary.csv", fixtures.q4_summary())
        fixtures.feature_csvs(data)
        r = report.Report(data, out)
        with open(r.write()) as handle:
            text = handle.read()
        # Q2: the largest finite-difference error of the two data sets, and the Jensen count.
        self.assertIn("central finite differences is 9.0e-11", text)
        self.assertIn("violated 0 times", text)
        self.assertIn("PSD in 2 of 2 data sets", text)
        # Q1: 3 of 3 predicted.
        self.assertIn("**3 of 3**", text)
        # Q3 (b): mean ± sd of final val acc over the two seeds: 0.78 and 0.80.
        self.assertIn("0.7900 ± 0.0141 (n=2)", text)
        self.assertIn("| final validation accuracy | 0.7900 ± 0.0141 (n=2) | 0.8012 |", text)
        # Q4 Table 1: BN x10 final 0.82 and 0.83 -> 0.8250; homework 0.8519.
        self.assertRegex(text, r"\| BatchNorm \| x10 \(0\.001\) \| 0\.8250 ± 0\.0071 \(n=2\) \|.*\| 0\.8519 \|")
        # The baseline at x5: one of two runs diverged; never reached the target.
        self.assertRegex(
            text, r"\| baseline \(no BN\) \| x5 \(0\.0005\) \| 0\.1050 .*\| 1 of 2 \| 0 of 2; median never \|"
        )
        # Every figure the report links exists.
        for link in re.findall(r"\]\((figures/[^)]+)\)", text):
            self.assertTrue(os.path.exists(os.path.join(out, link)), link)
        self.assertGreaterEqual(len(r.figures), 9)
        self.assertNotIn("q4_summary.csv` (run", text)
        # The homework's claims, each with a verdict computed from the runs.
        self.assertIn(
            "(a) *BN converges faster* (homework: reached 0.8012 5 epochs earlier): **supported**, BN "
            "reaches the baseline x1's final accuracy sooner at 1 of 1 learning rates",
            text,
        )
        self.assertIn(
            "**supported**, the baseline ended at chance (final accuracy at most 0.15) or diverged in 2 of 2 runs "
            "at x5; BN ends higher than the baseline at 1 of 1 raised learning rates (x5).",
            text,
        )
        self.assertIn(
            "(c) *BN improves accuracy* (homework: 0.8519 against 0.8012): **supported**, the best BN "
            "setting (x10, 0.8250) is 0.1200 above the best baseline setting (x1, 0.7050), both best settings "
            "picked on the test images that score them.",
            text,
        )
        self.assertNotIn("Where this disagrees with the homework", text)
        # Levels: BN x5 0.805 and x10 0.825, baseline x1 0.705, against 0.8365, 0.8519 and 0.8012.
        self.assertIn(
            "is 0.0269 to 0.0962 above ours (BN x5: 0.8050 vs 0.8365; BN x10: 0.8250 vs 0.8519; "
            "baseline x1: 0.7050 vs 0.8012). The baseline, without BatchNorm, is 0.0962 below the "
            "homework's as well (BN: 0.0292 on average)",
            text,
        )
        # The fixture has BN runs at x5 and x10 only, the baseline at x1 and x5.
        self.assertIn("*Provisional:* the two networks do not yet have the same runs at x1, x10;", text)

    def test_candidate_networks_are_tabled_apart_from_the_keras_example(self):
        data, out = fixtures.tmpdir(), fixtures.tmpdir()
        fixtures.write(data, "q3_history.csv", fixtures.q3_history())
        # The Keras example's seeds 0 and 1 (val 0.78, 0.80), then a wider network without dropout at
        # x1 and x5, full protocol: rows that must not join Q3 (b)'s seeds.
        candidate = "_w32-64-64-64_d0-0-0"
        extra = [
            f"baseline_lr0.0001_seed0_bf16_t1{candidate},baseline,1e-04,0,50000,25,0.02,0.99,0.9,0.79,0.80,24,false,"
            "900,1500,bf16,1",
            f"baseline_lr0.0005_seed0_bf16_t1{candidate},baseline,5e-04,0,50000,25,2.3,0.10,2.3,0.10,0.10,1,false,"
            "900,1500,bf16,1",
            # Its x5 run again in fp32: trained.
            f"baseline_lr0.0005_seed0_fp32_t1{candidate},baseline,5e-04,0,50000,25,0.5,0.80,0.7,0.74,0.75,20,false,"
            "900,1500,fp32,1",
        ]
        fixtures.write(data, "q3_final_metrics.csv", fixtures.q3_final_metrics() + "\n".join(extra) + "\n")
        header = (
            "run_id,widths,dropout,params,lr_multiplier,seed,final_train_acc,final_train_acc_eval,final_val_acc,"
            "best_val_acc,val_majority_class_share,collapsed,diverged,precision,wall_seconds"
        )
        fixtures.write(
            data,
            "q3_architecture_search.csv",
            "\n".join(
                [
                    header,
                    f'baseline_lr0.0001_seed0_bf16_t1{candidate},"32,64,64,64","0,0,0",1297834,1,0,0.99,0.995,0.79,'
                    "0.80,"
                    "0.12,false,false,bf16,1500",
                    f'baseline_lr0.0005_seed0_bf16_t1{candidate},"32,64,64,64","0,0,0",1297834,5,0,0.10,0.10,0.10,0.10,'
                    "1,true,false,bf16,1500",
                    f'baseline_lr0.0005_seed0_fp32_t1{candidate},"32,64,64,64","0,0,0",1297834,5,0,0.80,0.85,0.74,0.75,'
                    "0.12,false,false,fp32,1500",
                ]
            )
            + "\n",
        )
        text = build(data, out)
        # Q3 (b): still the Keras example's two seeds only.
        self.assertIn("| final validation accuracy | 0.7900 ± 0.0141 (n=2) | 0.8012 |", text)
        self.assertIn("| 32,64,64,64 | 0,0,0 | 1,297,834 | 0.9900 | 0.9950 | 0.7900 | 0.1000, collapsed | bf16 |", text)
        # No search row of the Keras example itself: Q3 (b)'s runs stand in for it.
        self.assertIn(
            "| Keras example 32,32,64,64 (Q3 b, mean of 2 seeds) | 0.25,0.25,0.5 | - | 0.9550 | - | 0.7900 |", text
        )
        self.assertIn("| homework | ? | ? | 0.9605 | - | 0.8012 | 0.1000, collapsed | fp32 |", text)
        self.assertIn("Closest to the homework's x1 pattern: widths 32,64,64,64, dropout 0,0,0", text)
        self.assertIn("It **reproduces** the homework's pattern", text)
        # 0.8012 - 0.79 = 0.0112: inside the JPEG copy's 1-3 points.
        self.assertIn(
            "falls short of the homework's by 0.0112; the JPEG export's 0.01-0.03 can explain all of it", text
        )
        # The fp32 repeat: a row of its own, and a sentence; never pooled with the bf16 x5 run.
        self.assertIn("| 32,64,64,64 | 0,0,0 | 1,297,834 | n/a | n/a | n/a | 0.7400, trained | fp32 |", text)
        self.assertIn(
            "In fp32, the precision of the homework's Keras, the same network ends at 0.7400 at x5 and does not "
            "collapse either",
            text,
        )

    def test_a_baseline_that_does_not_collapse_is_called_a_disagreement(self):
        data, out = fixtures.tmpdir(), fixtures.tmpdir()
        fixtures.write(data, "q4_history.csv", fixtures.q4_history())
        fixtures.write(data, "q4_summary.csv", fixtures.q4_summary(baseline_x5=0.78))
        text = build(data, out)
        # BN x5 (0.80, 0.81) still ends above the baseline x5 (0.78, 0.79), which no longer collapses.
        self.assertIn(
            "**partly supported**, the baseline ended at chance (final accuracy at most 0.15) or diverged in 0 of 2 "
            "runs at x5",
            text,
        )
        self.assertIn("Where this disagrees with the homework: its baseline at x5 ended at chance", text)

    def test_the_collapse_study_is_tabled_and_explains_the_disagreement(self):
        data, out = fixtures.tmpdir(), fixtures.tmpdir()
        fixtures.write(data, "q4_history.csv", fixtures.q4_history())
        fixtures.write(data, "q4_summary.csv", fixtures.q4_summary(baseline_x5=0.78))
        os.makedirs(os.path.join(data, "collapse"))
        lines = [fixtures.Q4_COLLAPSE_HEADER]
        for init, collapsed_seeds in (("keras", 0), ("torch", 7)):
            for seed in range(10):
                hit = seed < collapsed_seeds
                lines.append(
                    f"r{init}{seed},{init},baseline,5,{seed},3,50000,{0.1 if hit else 0.4},{0.99 if hit else 0.2},"
                    f"{'true' if hit else 'false'},false,fp32"
                )
        lines.append("rbn,keras,bn,5,0,3,50000,0.5,0.2,false,false,fp32")
        # A bf16 run, and one on part of the data, in the study's folder are left out of Table 2, and said so.
        lines.append("rbf16,keras,baseline,5,10,3,50000,0.1,0.99,true,false,bf16")
        lines.append("rpart,keras,baseline,5,11,3,640,0.1,0.99,true,false,fp32")
        fixtures.write(os.path.join(data, "collapse"), "q4_collapse.csv", "\n".join(lines) + "\n")
        # The same cell repeated in bf16 in its own folder, seeds 0 and 1: seed 0 collapses there.
        os.makedirs(os.path.join(data, "collapse_bf16"))
        bf16 = [
            lines[0],
            "b0,keras,baseline,5,0,3,50000,0.1,0.99,true,false,bf16",
            "b1,keras,baseline,5,1,3,50000,0.4,0.2,false,false,bf16",
        ]
        fixtures.write(os.path.join(data, "collapse_bf16"), "q4_collapse.csv", "\n".join(bf16) + "\n")
        keras = [fixtures.KERAS_REFERENCE_HEADER]
        for seed in range(4):
            keras.append(
                f"k{seed},tf-keras 2.21.0,baseline,5,{seed},3,50000,3,2.3,0.1,2.3,0.1,{0.95 if seed < 2 else 0.3},9"
            )
        fixtures.write(data, "keras_reference.csv", "\n".join(keras) + "\n")
        text = build(data, out)
        self.assertIn("| baseline (no BN) | torch | x5 | 7 of 10 | 0.40-0.89 | 0 | 0.1900 (0.1000-0.4000) |", text)
        self.assertIn("| tf-keras itself, baseline (no BN) | keras | x5 | 2 of 4 | 0.15-0.85 |", text)
        self.assertIn(
            "Left out of Table 2: 2 run(s) in the same folder made with another precision, length or amount of "
            "data than the study's fp32, 3 epochs, 50,000 training images (rbf16, rpart).",
            text,
        )
        # Seed by seed on the seeds both precisions have (fp32 seeds 0 and 1: 0.4, not collapsed).
        self.assertIn(
            "baseline (no BN), keras init, x5: collapsed in 1 of 2 seeds in bf16 and 0 of 2 in fp32 (final val "
            "acc, bf16 against fp32: seed 0: 0.1000 against 0.4000, seed 1: 0.4000 against 0.4000)",
            text,
        )
        self.assertIn(
            "The initialisation decides it: the baseline collapsed in 7 of 10 (0.40-0.89) seeds with "
            "PyTorch's init and 0 of 10 (0.00-0.28) with Keras'",
            text,
        )
        self.assertIn(
            "in the collapse study (3 epochs) the baseline collapsed at x5 in 7 of 10 seeds with PyTorch's " "init",
            text,
        )
        self.assertIn("*Provisional:* the study is not complete; seeds so far per cell: keras bn x5 (1 of 3)", text)
        self.assertIn("tests the explanations (seed, initialisation, framework)", text)
        self.assertTrue(os.path.exists(os.path.join(out, "figures", "q4_collapse_rate.png")))

    def claims(self, finals):
        data, out = fixtures.tmpdir(), fixtures.tmpdir()
        fixtures.write(data, "q4_history.csv", fixtures.q4_history())
        fixtures.write(data, "q4_summary.csv", fixtures.q4_summary_of(finals))
        return build(data, out)

    def test_each_claim_can_be_partly_or_not_supported(self):
        # BN reaches the target sooner at x5 only, ends below the baseline at x5, and its best
        # setting is below the baseline's best.
        text = self.claims(
            {("baseline", 1): (0.80, "3"), ("baseline", 5): (0.85, "2"), ("bn", 1): (0.75, ""), ("bn", 5): (0.80, "1")}
        )
        self.assertIn(
            "(a) *BN converges faster* (homework: reached 0.8012 5 epochs earlier): **partly supported**, "
            "BN reaches the baseline x1's final accuracy sooner at 1 of 2 learning rates (median epoch over seeds, "
            "'never' where the median run does not reach it within 25: x1: BN never vs baseline 3; x5: BN 1 vs "
            "baseline 2).",
            text,
        )
        self.assertIn(
            "(b) *BN permits larger learning rates* (homework: the baseline collapses to 0.1000 at x5): "
            "**not supported**, the baseline ended at chance (final accuracy at most 0.15) or diverged in 0 of 2 "
            "runs at x5; BN ends higher than the baseline at 0 of 1 raised learning rates (x5)",
            text,
        )
        self.assertIn(
            "(c) *BN improves accuracy* (homework: 0.8519 against 0.8012): **not supported**, the best BN "
            "setting (x5, 0.8050) is 0.0500 below the best baseline setting (x5, 0.8550), both best settings "
            "picked on the test images that score them.",
            text,
        )

    def test_claims_with_runs_at_one_learning_rate_only(self):
        # BN reaches the target in the same epoch as the baseline: a tie is not "faster".
        text = self.claims({("baseline", 1): (0.70, "3"), ("bn", 1): (0.75, "3")})
        self.assertIn(
            "(a) *BN converges faster* (homework: reached 0.8012 5 epochs earlier): **not supported**, "
            "BN reaches the baseline x1's final accuracy sooner at 0 of 1 learning rates",
            text,
        )
        self.assertIn(
            "(b) *BN permits larger learning rates* (homework: the baseline collapses to 0.1000 at x5): "
            "**not yet measured**.",
            text,
        )
        self.assertIn(
            "(c) *BN improves accuracy* (homework: 0.8519 against 0.8012): **supported**, the best BN "
            "setting (x1, 0.7550) is 0.0500 above the best baseline setting (x1, 0.7050), both best settings picked "
            "on the test images that score them.",
            text,
        )
        # Nothing at a shared learning rate: no verdicts at all.
        text = self.claims({("baseline", 1): (0.70, "3"), ("bn", 5): (0.75, "4")})
        self.assertIn("**The homework's claims, checked.** Not yet: no learning rate has runs of both networks.", text)

    def test_breaking_points_name_the_first_failing_rate_per_network(self):
        # Baseline: fine at x1, at chance at x100 (0.10, 0.11) and x300; BN: fine up to x100, one of
        # two runs at chance at x300 (0.14 and 0.15 + 0.01 = 0.16 for seed 1).
        text = self.claims(
            {
                ("baseline", 1): (0.70, "3"),
                ("baseline", 100): (0.10, ""),
                ("baseline", 300): (0.10, ""),
                ("bn", 1): (0.75, "2"),
                ("bn", 100): (0.60, ""),
                ("bn", 300): (0.15, ""),
            }
        )
        self.assertIn(
            "**Where each network breaks** (runs ending at or below 0.15 validation accuracy, i.e. at chance, "
            "or diverged, per learning rate): baseline (no BN): trains up to x1, breaks at x100 (x1 0 of 2, "
            "x100 2 of 2, x300 2 of 2); BatchNorm: trains up to x100, breaks at x300 (x1 0 of 2, x100 0 of 2, "
            "x300 1 of 2).",
            text,
        )
        self.assertRegex(text, r"\| baseline \(no BN\) \| x100 \(0\.01\) \| 0\.1050 ")
        self.assertNotIn("collapsed by the rule", text)
        # Claim (a) compares only where a network reaches the target: x1 here; x100 and x300 are named.
        self.assertIn(
            "BN reaches the baseline x1's final accuracy sooner at 1 of 1 learning rates (median epoch over seeds, "
            "'never' where the median run does not reach it within 25: x1: BN 2 vs baseline 3); neither network "
            "reaches it at x100, x300.",
            text,
        )

    def test_breaking_points_say_how_the_runs_failed(self):
        data, out = fixtures.tmpdir(), fixtures.tmpdir()
        fixtures.write(data, "q4_history.csv", fixtures.q4_history())
        fixtures.write(
            data,
            "q4_summary.csv",
            fixtures.q4_summary_of(
                {("baseline", 1): (0.70, "3"), ("baseline", 100): (0.10, ""), ("bn", 1): (0.75, "")}
            ),
        )
        # Seed 0 predicts one class for every image, seed 1 for 85 % of them (not collapsed by the
        # rule); x1 is no failure; a fp32 row is another precision than Table 1's.
        fixtures.write(
            data,
            "q4_collapse.csv",
            fixtures.Q4_COLLAPSE_HEADER + "\n"
            "b100s0,keras,baseline,100,0,25,50000,0.1,1,true,false,bf16\n"
            "b100s1,keras,baseline,100,1,25,50000,0.11,0.85,false,false,bf16\n"
            "b1s0,keras,baseline,1,0,25,50000,0.7,0.12,false,false,bf16\n"
            "b100f,keras,baseline,100,0,25,50000,0.1,0.95,true,false,fp32\n"
            "b100p,keras,baseline,100,2,25,640,0.1,0.95,true,false,bf16\n",  # part of the data: not Table 1's
        )
        text = build(data, out)
        self.assertIn(
            "Of the 2 such runs whose predictions were counted, 1 collapsed by the rule (one class takes at "
            "least 90% of the predictions; here 85%–100%), as the homework's baseline did at x5.",
            text,
        )
        text = self.claims({("baseline", 1): (0.70, "3"), ("bn", 1): (0.75, "2"), ("bn", 30): (0.72, "")})
        self.assertIn("BatchNorm: never breaks, up to x30 (x1 0 of 2, x30 0 of 2)", text)

    def test_table1_leaves_out_runs_on_part_of_the_data(self):
        data, out = fixtures.tmpdir(), fixtures.tmpdir()
        fixtures.write(data, "q4_history.csv", fixtures.q4_history())
        summary = fixtures.q4_summary_of({("baseline", 1): (0.70, "3"), ("bn", 1): (0.75, "4")})
        summary += "baseline_lr0.0001_seed2_bf16_train1000,baseline,1,0.0001,2,1000,0.2,0.2,1,,0.7,2.0,false,9,bf16\n"
        fixtures.write(data, "q4_summary.csv", summary)
        text = build(data, out)
        self.assertIn("| baseline (no BN) | x1 (0.0001) | 0.7050 ± 0.0071 (n=2) |", text)
        # With only such runs, Table 1 says so.
        fixtures.write(data, "q4_summary.csv", summary.splitlines()[0] + "\n" + summary.splitlines()[-1] + "\n")
        text = build(data, out)
        self.assertIn("No full-protocol runs in `q4_summary.csv` yet.", text)

    def test_runs_in_both_q3_and_q4_are_compared_epoch_by_epoch(self):
        data, out = fixtures.tmpdir(), fixtures.tmpdir()
        q3 = fixtures.q3_history()
        fixtures.write(data, "q3_history.csv", q3)
        fixtures.write(data, "q3_final_metrics.csv", fixtures.q3_final_metrics())

        # Q4's copy of the two runs: seed 0 as Q3 logged it, seed 1 with one validation loss changed.
        def change_seed1_epoch2(fields):
            if fields[3] == "1" and fields[4] == "2":
                fields[7] = "1.0999"

        fixtures.write(data, "q4_history.csv", fixtures.q4_copy_of_q3(q3, change_seed1_epoch2))
        runs = {f"baseline_lr0.0001_seed{seed}_bf16": {"resumed_from_epoch": 0} for seed in (0, 1)}
        fixtures.write(data, "q3_train_cnn.manifest.json", json.dumps({"runs": runs}))
        fixtures.write(data, "q4_bn_sweep.manifest.json", json.dumps({"runs": runs}))
        text = build(data, out)
        self.assertIn(
            "each from its own first epoch: 1 of 2 agree in every logged loss, accuracy and learning rate "
            "of every epoch, to the last digit written; these differ: baseline_lr0.0001_seed1_bf16.",
            text,
        )
        # Throughput per run: median and fastest epoch of the fixture's 1500 img/s epochs.
        self.assertIn("| seed 0: 1,500 (1,500); seed 1: 1,500 (1,500) | - |", text)
        # In seed order, also when a re-run moved seed 0's row to the end of the CSV.
        header, seed0, seed1 = fixtures.q3_final_metrics().splitlines()
        fixtures.write(data, "q3_final_metrics.csv", "\n".join([header, seed1, seed0]) + "\n")
        text = build(data, out)
        self.assertIn("| seeds | 0, 1 | 1 run |", text)
        self.assertIn("| seed 0: 1,500 (1,500); seed 1: 1,500 (1,500) | - |", text)
        # A Q3 run still training (not in q3_final_metrics.csv) is left out.
        fixtures.write(data, "q3_final_metrics.csv", fixtures.q3_final_metrics(seeds=(0,)))
        text = build(data, out)
        self.assertIn("1 run of Q3 is also in Q4's grid", text)
        self.assertIn("1 of 1 agree", text)

    def test_fp32_runs_are_compared_seed_by_seed(self):
        data, out = fixtures.tmpdir(), fixtures.tmpdir()
        fixtures.write(data, "q4_history.csv", fixtures.q4_history())
        fixtures.write(
            data,
            "q4_summary.csv",
            fixtures.q4_summary()
            + "baseline_lr0.0001_seed0_fp32,baseline,1,0.0001,0,50000,0.69,0.69,3,3,0.7,0.5,false,120,fp32\n"
            "bn_lr0.001_seed0_fp32,bn,10,0.001,0,50000,0.84,0.84,3,2,0.7,0.5,false,120,fp32\n",
        )
        text = build(data, out)
        # bf16 seed 0: baseline x1 0.70, BN x10 0.82; seed 1 adds 0.01.
        self.assertIn(
            "baseline (no BN) x1, seed 0: fp32 0.6900 vs bf16 0.7000 (-0.0100; bf16 over 2 seeds spans " "0.0100)", text
        )
        self.assertIn("BatchNorm x10, seed 0: fp32 0.8400 vs bf16 0.8200 (+0.0200; ", text)
        self.assertIn(
            "In fp32 BN x10 ends above the baseline x1 (0.8400 vs 0.6900), as in bf16: the precision does "
            "not change this conclusion.",
            text,
        )

    def test_a_run_one_program_may_have_taken_over_is_not_counted_as_two(self):
        data, out = fixtures.tmpdir(), fixtures.tmpdir()
        fixtures.write(data, "q3_history.csv", fixtures.q3_history())
        fixtures.write(data, "q3_final_metrics.csv", fixtures.q3_final_metrics())
        fixtures.write(data, "q4_history.csv", fixtures.q4_copy_of_q3(fixtures.q3_history()))
        seed0, seed1 = "baseline_lr0.0001_seed0_bf16", "baseline_lr0.0001_seed1_bf16"
        fixtures.write(
            data,
            "q3_train_cnn.manifest.json",
            json.dumps(
                {
                    "runs": {
                        seed0: {"resumed_from_epoch": 0},
                        seed1: {"resumed_from_epoch": 4, "checkpoint": f"checkpoints/q3_train_cnn/{seed1}.ckpt"},
                    }
                }
            ),
        )
        # Seed 0: the sweep resumed a finished run from the shared folder of old; seed 1: no record at all.
        fixtures.write(data, "q4_bn_sweep.manifest.json", json.dumps({"runs": {seed0: {"resumed_from_epoch": 25}}}))
        text = build(data, out)
        self.assertIn(
            f"**The same run from two programs.** Not counted: {seed0} (`q4_bn_sweep` continued it after "
            "epoch 25 from a checkpoint that, before each program kept its own, the other program may have "
            f"written). Not counted: {seed1} (`q4_bn_sweep`'s manifest has no record of it).",
            text,
        )
        # Resumed from its own checkpoint (the path says whose): counted.
        fixtures.write(
            data,
            "q4_bn_sweep.manifest.json",
            json.dumps(
                {
                    "runs": {
                        seed0: {"resumed_from_epoch": 25, "checkpoint": f"checkpoints/q4_bn_sweep/{seed0}.ckpt"},
                        seed1: {"resumed_from_epoch": 0},
                    }
                }
            ),
        )
        text = build(data, out)
        self.assertIn("each from its own first epoch: 2 of 2 agree", text)
        self.assertNotIn("Not counted", text)

    def test_q4_figures_draw_table1_runs_only(self):
        data, out = fixtures.tmpdir(), fixtures.tmpdir()
        fixtures.write(data, "q4_history.csv", fixtures.q4_history())
        partial = "bn_lr0.001_seed9_bf16_train640,bn,10,0.001,9,640,0.1,0.1,1,,0.7,2.3,false,9,bf16\n"
        fixtures.write(data, "q4_summary.csv", fixtures.q4_summary() + partial)
        table1 = {line.split(",")[0] for line in fixtures.q4_summary().splitlines()[1:]}
        seen = []

        def spy(original):
            def draw(*args, **kwargs):
                seen.append(kwargs.get("run_ids"))
                return original(*args, **kwargs)

            return draw

        with mock.patch.object(
            training_figures, "q4_validation_curves", spy(training_figures.q4_validation_curves)
        ), mock.patch.object(
            training_figures, "q4_bn_vs_baseline_training", spy(training_figures.q4_bn_vs_baseline_training)
        ):
            build(data, out)
        self.assertEqual(len(seen), 3)  # Figures 11, 12 and 13
        for ids in seen:
            self.assertEqual(ids, table1)

    def test_q3b_says_whether_training_levelled_off(self):
        data, out = fixtures.tmpdir(), fixtures.tmpdir()
        fixtures.write(data, "q3_final_metrics.csv", fixtures.q3_final_metrics())
        fixtures.write(data, "q3_history.csv", fixtures.q3_history(epochs=8))  # +0.1 every epoch
        text = build(data, out)
        self.assertIn(
            "Still improving at the end: validation accuracy rose by 0.5000 on average over the last 5 "
            "epochs (best epoch of each run: 20, 20); 25 epochs at lr 1e-4 do not train",
            text,
        )
        lines = fixtures.q3_history(epochs=8).splitlines()
        for i, line in enumerate(lines[1:], 1):  # validation accuracy fixed at 0.7 in every epoch
            f = line.split(",")
            f[8] = "0.7"
            lines[i] = ",".join(f)
        fixtures.write(data, "q3_history.csv", "\n".join(lines) + "\n")
        text = build(data, out)
        self.assertIn("Levelled off: validation accuracy rose by 0.0000 on average", text)
        self.assertNotIn("do not train this network", text)
        rising = fixtures.q3_history(seeds=(0,), epochs=8).splitlines()[1:]
        fixtures.write(data, "q3_history.csv", "\n".join([lines[0]] + rising + lines[9:]) + "\n")  # seed 1 flat
        text = build(data, out)
        self.assertIn("Some runs had levelled off, others had not: validation accuracy rose by 0.2500 on average", text)

    def test_feature_maps_of_a_candidate_network_are_a_second_set(self):
        data, out = fixtures.tmpdir(), fixtures.tmpdir()
        fixtures.feature_csvs(data)
        text = build(data, out)
        self.assertNotIn("on the closest candidate network", text)
        candidate = os.path.join(data, report_feature_maps.CANDIDATE_MAPS_DIR)
        os.makedirs(candidate)
        fixtures.feature_csvs(candidate)
        fixtures.write(
            candidate,
            "q3_feature_maps.manifest.json",
            json.dumps(
                {"weights": "/x/weights/baseline_lr0.0001_seed0_bf16_t1_w32-64-64-64.pt", "channels": "3,37,49"}
            ),
        )
        text = build(data, out)
        self.assertIn("**The homework's own channels, on the closest candidate network.**", text)
        self.assertIn("Weights: `baseline_lr0.0001_seed0_bf16_t1_w32-64-64-64.pt`; channels per layer: 3,37,49.", text)
        self.assertIn("![Q3 (c), candidate network: layer 2, homework variant", text)
        # Its own files: the Keras example's figures are not overwritten.
        self.assertTrue(os.path.exists(os.path.join(out, "figures", "q3_candidate_heatmaps_layer2.png")))
        self.assertTrue(os.path.exists(os.path.join(out, "figures", "q3_heatmaps_layer2.png")))

    def test_sanity_check_names_the_maps_that_fail(self):
        passed = report_feature_maps.sanity_verdict([("gradcam", 1), ("homework", 4)], [-0.19, 0.02])
        self.assertIn("**every method passes at every layer**; the largest mean is -0.1900 (Grad-CAM, layer 1)", passed)
        failed = report_feature_maps.sanity_verdict([("gradcam", 1), ("homework", 4)], [0.1, 0.8])
        self.assertIn("**fails** for the homework's variant, layer 4 (0.8000);", failed)
        self.assertNotIn("Grad-CAM, layer 1", failed)


if __name__ == "__main__":
    unittest.main()
