"""tools/migrate/migrate_run_ids.py on a small results folder made here."""

import csv
import json
import os
import tempfile
import unittest

from tools.migrate import migrate_run_ids as m

Q4_ID = "baseline_lr0.0001_seed0_bf16"  # also the prefix of the next id
Q4_SHORT = "baseline_lr0.0001_seed0_bf16_e3_train4000_test1000"
Q3_ID = "baseline_lr0.0001_seed1_bf16"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def make_folder(root, q3_threads="2"):
    write(f"{root}/q4_summary.csv", f"run_id,arm,final_val_acc\n{Q4_ID},baseline,0.76\n{Q4_SHORT},baseline,0.3\n")
    write(f"{root}/q3_final_metrics.csv", f"run_id,arm,threads\n{Q3_ID},baseline,{q3_threads}\n")
    write(f"{root}/q1_conv1x1.csv", "case,holds\na,true\n")
    for run_id, threads in [(Q4_ID, 2), (Q4_SHORT, 1)]:
        write(
            f"{root}/runs/{run_id}.json",
            json.dumps({"run_id": run_id, "signature": f"{run_id} batch=32 decay=1e-06 threads={threads}"}),
        )
    write(
        f"{root}/q4_bn_sweep.manifest.json",
        json.dumps({"runs": {Q4_ID: {"threads": 2, "checkpoint": f"checkpoints/q4_bn_sweep/{Q4_ID}.ckpt"}}}),
    )
    write(
        f"{root}/q3_feature_maps.manifest.json",
        json.dumps(
            {"weights": f"/w/reports/data/weights/{Q3_ID}.pt", "command_line": ["x", f"--weights=weights/{Q3_ID}.pt"]}
        ),
    )
    write(f"{root}/weights/{Q3_ID}.pt", "pt")
    write(f"{root}/weights/{Q3_ID}.pth", "pth")
    write(f"{root}/checkpoints/q4_bn_sweep/{Q4_SHORT}.ckpt", "ckpt")


def column(path, name):
    return [r[name] for r in csv.DictReader(open(path))]


class MigrateRunIdsTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp()

    def test_every_place_gets_the_new_id(self):
        make_folder(self.root)
        mapping = m.migrate(self.root)
        self.assertEqual(
            mapping,
            {
                Q4_ID: Q4_ID + "_t2",
                Q4_SHORT: "baseline_lr0.0001_seed0_bf16_t1_e3_train4000_test1000",
                Q3_ID: Q3_ID + "_t2",
            },
        )
        self.assertEqual(column(f"{self.root}/q4_summary.csv", "run_id"), [Q4_ID + "_t2", mapping[Q4_SHORT]])
        self.assertEqual(column(f"{self.root}/q3_final_metrics.csv", "run_id"), [Q3_ID + "_t2"])
        self.assertEqual(
            sorted(os.listdir(f"{self.root}/runs")), sorted(v + ".json" for v in (mapping[Q4_ID], mapping[Q4_SHORT]))
        )
        record = json.load(open(f"{self.root}/runs/{mapping[Q4_SHORT]}.json"))
        self.assertEqual(record["run_id"], mapping[Q4_SHORT])
        self.assertEqual(record["signature"], f"{mapping[Q4_SHORT]} batch=32 decay=1e-06 threads=1")
        q4 = json.load(open(f"{self.root}/q4_bn_sweep.manifest.json"))
        self.assertEqual(list(q4["runs"]), [Q4_ID + "_t2"])
        self.assertEqual(q4["runs"][Q4_ID + "_t2"]["checkpoint"], f"checkpoints/q4_bn_sweep/{Q4_ID}_t2.ckpt")
        self.assertEqual(q4["migrations"], [m.NOTE])
        maps = json.load(open(f"{self.root}/q3_feature_maps.manifest.json"))
        self.assertEqual(maps["weights"], f"/w/reports/data/weights/{Q3_ID}_t2.pt")
        self.assertEqual(sorted(os.listdir(f"{self.root}/weights")), [f"{Q3_ID}_t2.pt", f"{Q3_ID}_t2.pth"])
        self.assertEqual(os.listdir(f"{self.root}/checkpoints/q4_bn_sweep"), [mapping[Q4_SHORT] + ".ckpt"])
        self.assertEqual(open(f"{self.root}/q1_conv1x1.csv").read(), "case,holds\na,true\n")  # no run ids: untouched

    def test_a_second_run_changes_nothing(self):
        make_folder(self.root)
        m.migrate(self.root)
        before = {p: open(os.path.join(d, p)).read() for d, _, files in os.walk(self.root) for p in files}
        self.assertEqual(m.migrate(self.root), {})
        after = {p: open(os.path.join(d, p)).read() for d, _, files in os.walk(self.root) for p in files}
        self.assertEqual(before, after)

    def test_a_run_without_recorded_threads_stops_it_before_any_write(self):
        make_folder(self.root, q3_threads="")
        before = open(f"{self.root}/q4_summary.csv").read()
        with self.assertRaisesRegex(m.MigrationError, Q3_ID):
            m.migrate(self.root)
        self.assertEqual(open(f"{self.root}/q4_summary.csv").read(), before)
        self.assertTrue(os.path.exists(f"{self.root}/runs/{Q4_ID}.json"))

    def test_the_command_refuses_a_missing_folder(self):
        self.assertEqual(m.main(["migrate_run_ids.py", os.path.join(self.root, "nope")]), 1)


if __name__ == "__main__":
    unittest.main()
