"""tools/speed/record_throughput.py: rows from a probe and from a sweep folder, against hand values."""

import csv
import json
import os
import tempfile
import unittest

from tools.speed import record_throughput as rt

PROBE = {
    "key": "cpu=AMD EPYC; features=avx2 fma avx512f avx512_bf16; onednn=avx512_core_bf16; libtorch=1.13.0; "
    "threads=1; processes=2; batch=32; arms=baseline",
    "measured_at": "2026-12-07T14:55:22+00:00",
    "timings": [
        {"arm": "baseline", "precision": "fp32", "step_ms": 64.84, "train_images_per_second": 494.17},
        {"arm": "baseline", "precision": "bf16", "step_ms": 32.06, "train_images_per_second": 998.27},
    ],
}

HISTORY_HEADER = "run_id,arm,lr_multiplier,lr,seed,epoch,train_loss,train_acc,val_loss,val_acc,lr_now,seconds,"
HISTORY_HEADER += "images_per_second,precision"


def tmpdir():
    return tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))


class RecordThroughputTest(unittest.TestCase):
    def test_probe_rows(self):
        path = os.path.join(tmpdir(), "probe.json")
        with open(path, "w") as handle:
            json.dump(PROBE, handle)
        rows = rt.probe_rows(path)
        self.assertEqual(
            [(r["precision"], r["images_per_second"], r["ms_per_step"]) for r in rows],
            [("fp32", "494", "64.8"), ("bf16", "998", "32.1")],
        )
        self.assertEqual(
            {(r["date"], r["cpu_model"], r["host_kind"], r["isa"], r["threads"], r["processes"]) for r in rows},
            {("2026-12-07", "AMD EPYC", "avx512_bf16", "avx512_core_bf16", "1", "2")},
        )

    def test_sweep_rows_take_the_median_per_setting(self):
        folder = tmpdir()
        lines = [HISTORY_HEADER]
        for seed, ips in enumerate([1000, 1100, 900]):
            lines.append(
                f"baseline_lr0.003_seed{seed}_bf16_t1_e1,baseline,30,0.003,{seed},1,2,0.1,2,0.1,0.003,50," f"{ips},bf16"
            )
        lines.append("baseline_lr0.003_seed0_fp32_t2_e1,baseline,30,0.003,0,1,2,0.1,2,0.1,0.003,50,700,fp32")
        with open(os.path.join(folder, "q4_history.csv"), "w") as handle:
            handle.write("\n".join(lines) + "\n")
        manifest = {
            "host": {"cpu": "AMD EPYC", "kind": "avx512_bf16", "hardware_threads": 2},
            "jobs": 2,
            "finished_at": "2026-12-07T15:00:00",
            "torch_version": "1.13.0",
            "runs": {"baseline_lr0.003_seed0_bf16_t1_e1": {"onednn_isa": "avx512_core_bf16"}},
        }
        with open(os.path.join(folder, "q4_bn_sweep.manifest.json"), "w") as handle:
            json.dump(manifest, handle)
        rows = {(r["precision"], r["threads"]): r for r in rt.sweep_rows(folder)}
        self.assertEqual(rows[("bf16", "1")]["images_per_second"], "1000")
        self.assertEqual(rows[("bf16", "1")]["processes"], "2")
        # Two threads each on two cores: the sweep ran them one at a time.
        self.assertEqual(rows[("fp32", "2")]["processes"], "1")

    def test_append_keeps_old_rows_and_refuses_other_columns(self):
        path = os.path.join(tmpdir(), "throughput.csv")
        row = {c: "x" for c in rt.COLUMNS}
        rt.append(path, [row])
        rt.append(path, [row])
        with open(path, newline="") as handle:
            self.assertEqual(len(list(csv.DictReader(handle))), 2)
        with open(path, "w") as handle:
            handle.write("a,b\n1,2\n")
        with self.assertRaisesRegex(SystemExit, "throughput.csv: columns"):
            rt.append(path, [row])
        with open(path) as handle:
            self.assertEqual(handle.read(), "a,b\n1,2\n")  # left as it was

    def test_host_kind(self):
        self.assertEqual(rt.host_kind("avx2 fma avx512f avx512_bf16 amx_bf16".split()), "amx")
        self.assertEqual(rt.host_kind("avx2 fma avx512f avx512_bf16".split()), "avx512_bf16")
        self.assertEqual(rt.host_kind("avx2 fma".split()), "avx2")


if __name__ == "__main__":
    unittest.main()
