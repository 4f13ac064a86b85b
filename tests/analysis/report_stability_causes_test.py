"""analysis/report_stability_causes.py: the sections' verdicts follow the numbers, on hand-made rows."""

import os
import unittest

from analysis import markdown
from analysis import report_stability_causes
from analysis import stability
from analysis.results import Results
from tests.analysis import fixtures

row = fixtures.stability_row


def text_of(section, rows):
    doc = markdown.Document(fixtures.tmpdir())
    section(doc, rows, stability.cells(rows))
    return "\n".join(doc.lines)


def three_way(fp32_1t, bf16_1t, fp32_2t, n=30):
    """The baseline at x30: seeds below each count collapse in that setting."""
    return (
        [row("baseline", 30, s, s < fp32_1t) for s in range(n)]
        + [row("baseline", 30, s, s < bf16_1t, precision="bf16") for s in range(n)]
        + [row("baseline", 30, s, s < fp32_2t, threads=2) for s in range(n)]
    )


class NumericsSectionTest(unittest.TestCase):
    def test_a_precision_effect_needs_bf16_to_differ_and_the_second_thread_not(self):
        text = text_of(report_stability_causes.numerics_section, three_way(15, 2, 14))
        self.assertIn("fp32, 1 thread 15 of 30", text)
        self.assertIn("a precision effect", text)

    def test_any_change_of_numerics(self):
        text = text_of(report_stability_causes.numerics_section, three_way(15, 2, 28))
        self.assertIn("any change of numerics moves it", text)

    def test_no_effect_and_seeds_agreeing_by_construction(self):
        # The same seeds collapse in every setting: rates equal, agreement 30 of 30, far above chance (15).
        text = text_of(report_stability_causes.numerics_section, three_way(15, 15, 15))
        self.assertIn("No test separates the settings", text)
        self.assertIn("30 of 30 seeds have the same outcome", text)
        self.assertIn("more often than chance", text)

    def test_seeds_re_rolled(self):
        # Half collapse everywhere, but other seeds in each setting: fp32-1t 0-14, 2t the odd seeds,
        # bf16 the even seeds: agreement 15 of 30, chance 15.
        rows = [row("baseline", 30, s, s < 15) for s in range(30)]
        rows += [row("baseline", 30, s, s % 2 == 1, threads=2) for s in range(30)]
        rows += [row("baseline", 30, s, s % 2 == 0, precision="bf16") for s in range(30)]
        text = text_of(report_stability_causes.numerics_section, rows)
        self.assertIn("no better than chance", text)

    def test_nothing_without_all_three_settings(self):
        rows = [r for r in three_way(15, 2, 14) if r["precision"] == "fp32"]
        self.assertEqual(text_of(report_stability_causes.numerics_section, rows), "")


def history(run_id, m, accs):
    return [
        {"run_id": run_id, "lr_multiplier": str(m), "epoch": str(e + 1), "val_acc": str(v)} for e, v in enumerate(accs)
    ]


class LateCollapseTest(unittest.TestCase):
    def test_counts_collapses_after_epoch_3_and_skips_unfinished_runs(self):
        rows = (
            history("a", 5, [0.4] * 25)
            + history("b", 5, [0.1] * 25)  # collapsed from the start: not late
            + history("c", 10, [0.4] * 10 + [0.1] * 15)  # collapsed at epoch 11: late
            + history("d", 10, [0.4] * 12)  # still training: not counted
        )
        self.assertEqual(stability.late_collapses(rows), {5.0: (2, 1, 0), 10.0: (1, 1, 1)})

    def test_the_section_bounds_a_late_collapse_when_none_was_seen(self):
        data = fixtures.tmpdir()
        folder = os.path.join(data, "late_collapse", "avx2")
        os.makedirs(folder)
        lines = ["run_id,lr_multiplier,epoch,val_acc"] + [
            f"r{s}_{m},{m},{e},0.5" for m in (5, 10) for s in range(4) for e in range(1, 26)
        ]
        fixtures.write(folder, "q4_history.csv", "\n".join(lines) + "\n")
        doc = markdown.Document(fixtures.tmpdir())
        verdict = report_stability_causes.late_collapse_section(doc, Results(data))
        text = "\n".join(doc.lines)
        self.assertIn("x5: 0 of 4 collapsed, 0 of them after epoch 3", text)
        # 0 of 8: Wilson's upper bound 0.32.
        self.assertIn("at most 0.32 of runs (Wilson 95 %, n = 8)", text)
        self.assertEqual(verdict[0], "falls")
        # Fewer runs than planned: the explanation stays open, whatever they show.
        lines = [ln for ln in lines if not ln.startswith("r3_")]
        fixtures.write(folder, "q4_history.csv", "\n".join(lines) + "\n")
        verdict = report_stability_causes.late_collapse_section(markdown.Document(fixtures.tmpdir()), Results(data))
        self.assertEqual(verdict[0], "open")


class ExplanationsTest(unittest.TestCase):
    def test_each_explanation_stands_falls_or_stays_open(self):
        # A curve that never collapses at x5 and breaks near x40: "x5 is the edge" falls.
        rows = [
            row("baseline", m, s, m >= 40 and s < (5 if m == 40 else 10)) for m in (5, 20, 40, 100) for s in range(10)
        ]
        by_cell = stability.cells(rows)
        lr50s = {k: stability.fit_lr50(c) for k, c in stability.curves(by_cell).items()}
        doc = markdown.Document(fixtures.tmpdir())
        report_stability_causes.explanations_section(
            doc, by_cell, lr50s, None, {"avx2": ("falls", "no effect")}, ("stands", "trains at x1")
        )
        text = "\n".join(doc.lines)
        self.assertIn("*x5 is at this network's breaking point, and the homework's seed was unlucky*: **falls**", text)
        self.assertIn("*the precision decides (bf16 rather than fp32)*: **falls**: no effect", text)
        self.assertIn("*a collapse that begins after the first epochs*: **open**", text)
        self.assertIn("*unscaled inputs (0-255)*: **stands**: trains at x1", text)


class UnscaledInputsSectionTest(unittest.TestCase):
    def raw(self, m, k, n=10):
        return [row("baseline", m, s, s < k, scale="raw255") for s in range(n)]

    def test_the_homeworks_pattern(self):
        rows = self.raw(1, 0) + self.raw(5, 8) + [row("baseline", 5, s, False) for s in range(10)]
        text = text_of(report_stability_causes.unscaled_inputs_section, rows)
        self.assertIn("x5: 8 of 10", text)
        self.assertIn("inputs in [0, 1]: 0 of 10", text)
        self.assertIn("reproduce the homework's pattern", text)

    def test_not_the_pattern(self):
        text = text_of(report_stability_causes.unscaled_inputs_section, self.raw(1, 3) + self.raw(5, 4))
        self.assertIn("do not reproduce", text)
        self.assertIn("3 of 10 collapse already", text)
        self.assertIn("at x5 4 of 10 collapse", text)

    def test_no_raw_runs_no_section(self):
        self.assertEqual(text_of(report_stability_causes.unscaled_inputs_section, [row("baseline", 5, 0, False)]), "")


class UnscaledFullRunTest(unittest.TestCase):
    def test_reads_the_run_beside_table_1s_baseline_at_x1(self):
        data = fixtures.tmpdir()
        fixtures.write(data, "q4_summary.csv", fixtures.q4_summary())  # baseline x1 in bf16: 0.70 and 0.71
        folder = os.path.join(data, "unscaled", "avx2")
        os.makedirs(folder)
        run_id = "baseline_lr0.0001_seed0_fp32_t1_inputraw255"
        fixtures.write(
            folder,
            "q4_collapse.csv",
            "run_id,init,arm,lr_multiplier,seed,epochs,train_images,final_val_acc,majority_class_share,collapsed,"
            f"diverged,precision\n{run_id},keras,baseline,1,0,25,50000,0.6,0.2,false,false,fp32\n",
        )
        fixtures.write(
            folder,
            "q4_history.csv",
            fixtures.HISTORY_HEADER
            + "".join(f"\n{run_id},baseline,1e-04,0,{e},1,0.5,1,{0.3 + 0.01 * e},1e-4,1,1,fp32" for e in range(1, 26))
            + "\n",
        )
        doc = markdown.Document(fixtures.tmpdir())
        report_stability_causes.unscaled_full_run_section(doc, Results(data))
        text = "\n".join(doc.lines)
        self.assertIn("25 epochs, did not collapse", text)
        self.assertIn("0.3100 after epoch 1", text)
        self.assertIn("0.5500 after epoch 25", text)
        self.assertIn("Table 1 has no baseline run at x1 in fp32", text)  # its runs are bf16: not mixed in
        fixtures.write(data, "q4_summary.csv", fixtures.q4_summary().replace(",bf16\n", ",fp32\n"))
        doc = markdown.Document(fixtures.tmpdir())
        report_stability_causes.unscaled_full_run_section(doc, Results(data))
        self.assertIn("in fp32 with inputs in [0, 1] ends at 0.7050 (mean of 2", "\n".join(doc.lines))


if __name__ == "__main__":
    unittest.main()
