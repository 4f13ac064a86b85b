"""tools/keras_reference's plain-Python parts (no TensorFlow): data, plan, collapse rule, CSV."""

import contextlib
import hashlib
import io
import os
import tempfile
import unittest

from tools.keras_reference import keras_data, keras_plan
from tools.keras_reference import keras_reference as k
from tools.migrate import migrate_run_signatures

FIXTURE = os.path.join(
    os.environ.get("TEST_SRCDIR", ""), os.environ.get("TEST_WORKSPACE", ""), "tests/data/cifar10_fixture"
)


def row(rid, epoch, val_acc="0.5"):
    values = {column: "1" for column in keras_plan.COLUMNS}
    values.update(run_id=rid, epoch=str(epoch), val_acc=val_acc)
    return values


class KerasReferenceTest(unittest.TestCase):
    def test_reads_the_records_into_keras_layout(self):
        x_train, y_train, x_test, y_test, md5 = keras_data.load_cifar10(FIXTURE, require_official_sizes=False)
        self.assertEqual(x_train.shape, (200, 32, 32, 3))
        self.assertEqual(x_test.shape, (100, 32, 32, 3))
        with open(os.path.join(FIXTURE, "data_batch_2.bin"), "rb") as handle:
            raw = handle.read()
        # Image 3 of batch 2 is training image 43; its pixel (row 5, column 7) of channel c is
        # byte 1 + c·1024 + 5·32 + 7 of its record (the format's CHW order).
        record = raw[3 * keras_data.RECORD_BYTES : 4 * keras_data.RECORD_BYTES]
        self.assertEqual(y_train[43], record[0])
        for c in range(3):
            self.assertEqual(x_train[43, 5, 7, c], record[1 + c * 1024 + 5 * 32 + 7])
        self.assertEqual(md5["data_batch_2.bin"], hashlib.md5(raw).hexdigest())
        self.assertEqual(keras_data.load_cifar10(FIXTURE, False, train_limit=50)[0].shape[0], 50)

    def test_refuses_partial_or_missing_data_naming_the_file(self):
        with self.assertRaisesRegex(keras_data.UsageError, r"data_batch_1.bin: 40 records.*--partial_data"):
            keras_data.load_cifar10(FIXTURE)
        with self.assertRaisesRegex(keras_data.UsageError, r"/nowhere/data_batch_1.bin: cannot read"):
            keras_data.load_cifar10("/nowhere")

    def test_data_digest_is_the_cpp_one(self):
        md5 = keras_data.load_cifar10(FIXTURE, require_official_sizes=False)[4]
        self.assertEqual(keras_data.data_digest(md5), migrate_run_signatures.data_digest(md5))
        lines = "".join(f"{name} {md5[name]}\n" for name in sorted(md5))
        self.assertEqual(keras_data.data_digest(md5), hashlib.md5(lines.encode()).hexdigest()[:12])

    def test_collapse_rule_is_lib_train_collapse(self):
        self.assertEqual(k.majority_class_share([1, 2, 7]), 0.7)
        self.assertEqual(k.majority_class_share([0, 0]), -1.0)
        self.assertTrue(k.is_collapsed(0.15, 0.90))
        self.assertFalse(k.is_collapsed(0.1501, 0.99))
        self.assertFalse(k.is_collapsed(0.10, 0.8999))
        self.assertFalse(k.is_collapsed(0.10, -1.0))

    def test_plan_and_ids(self):
        runs = keras_plan.plan_runs("homework", threads=2)
        self.assertEqual([r["seed"] for r in runs[:10]], list(range(10)))
        self.assertTrue(all(r["lr_multiplier"] == 5 and r["epochs"] == 3 for r in runs[:10]))
        self.assertEqual(runs[0]["run_id"], "keras_baseline_lr0.0005_seed0_fp32_t2_e3")
        self.assertEqual(runs[10]["run_id"], "keras_baseline_lr0.0001_seed0_fp32_t2")
        self.assertEqual(len({r["run_id"] for r in runs}), len(runs))
        self.assertEqual(
            keras_plan.plan_runs("homework", 1, train_limit=500, epochs_override=1)[10]["run_id"],
            "keras_baseline_lr0.0001_seed0_fp32_t1_e1_train500",
        )
        with self.assertRaisesRegex(keras_data.UsageError, "--plan=fast: expected one of"):
            keras_plan.plan_runs("fast", 1)

    def test_a_runs_rows_replace_its_earlier_rows_only(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, k.CSV_NAME)
            keras_plan.merge_run_rows(path, "a", [row("a", 1), row("a", 2)])
            keras_plan.merge_run_rows(path, "b", [row("b", 1)])
            keras_plan.merge_run_rows(path, "a", [row("a", 1, "0.7")])
            rows = keras_plan.read_csv(path)
            self.assertEqual(
                [(r["run_id"], r["epoch"], r["val_acc"]) for r in rows], [("b", "1", "0.5"), ("a", "1", "0.7")]
            )
            with open(path, "w") as handle:
                handle.write("run_id,epoch\na,1\n")
            with self.assertRaisesRegex(keras_data.UsageError, "keras_reference.csv: columns"):
                keras_plan.read_csv(path)

    def test_dry_run_lists_the_plan_and_bad_flags_fail(self):
        with tempfile.TemporaryDirectory() as tmp:
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                self.assertEqual(
                    k.main(["--data_dir", FIXTURE, "--partial_data", "--out_dir", tmp, "--threads", "1", "--dry_run"]),
                    0,
                )
                self.assertEqual(k.main(["--data_dir", FIXTURE, "--out_dir", tmp, "--dry_run"]), 2)
                self.assertEqual(k.main(["--data_dir", FIXTURE, "--partial_data", "--threads", "0"]), 2)
            self.assertIn("keras_baseline_lr0.0005_seed9_fp32_t1_e3", out.getvalue())
            self.assertEqual(out.getvalue().count("to run"), 11)
            self.assertIn("--partial_data", err.getvalue())
            self.assertIn("--threads=0: must be >= 1", err.getvalue())
            self.assertEqual(os.listdir(tmp), [])  # a dry run writes nothing


if __name__ == "__main__":
    unittest.main()
