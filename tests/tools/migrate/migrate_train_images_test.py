"""tools/migrate/migrate_train_images.py on a small results folder made here."""

import json
import os
import tempfile
import unittest

from tools.migrate import migrate_train_images as m

FULL, PART = "bn_lr0.001_seed0_bf16_t2", "bn_lr0.001_seed1_bf16_t2_train640_test32"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        handle.write(text)


def read(path):
    with open(path) as handle:
        return handle.read()


def record(run_id):
    return m.dump_json({"run_id": run_id, "arm": "bn", "signature": f"{run_id} batch=32", "wall_seconds": 1.5})


def make_folder(root, train_images=50000):
    data = {"data": {"train_images": train_images}} if train_images else {}
    write(f"{root}/q4_bn_sweep.manifest.json", m.dump_json(data))
    write(f"{root}/q4_summary.csv", f"run_id,arm,lr_multiplier,lr,seed,final_val_acc\n{FULL},bn,10,0.001,0,0.8\n")
    write(f"{root}/runs/{FULL}.json", record(FULL))
    write(f"{root}/q3_train_cnn.manifest.json", m.dump_json(data))
    write(
        f"{root}/q3_final_metrics.csv",
        f'run_id,arm,lr,seed,epochs_completed,widths\n{FULL},bn,0.001,0,25,"32,64"\n{PART},bn,0.001,1,2,"32,64"\n',
    )
    # A sweep subfolder (the collapse study's) with a run on part of the data.
    write(f"{root}/collapse/q4_bn_sweep.manifest.json", m.dump_json(data))
    write(f"{root}/collapse/runs/{PART}.json", record(PART))
    write(
        f"{root}/collapse/q4_collapse.csv",
        f"run_id,init,arm,lr_multiplier,seed,epochs,final_val_acc\n{PART},keras,bn,10,1,3,0.5\n",
    )


class MigrateTrainImagesTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))

    def test_every_csv_and_record_gets_the_count_from_the_run_id_or_the_data(self):
        make_folder(self.root)
        changed = m.migrate(self.root)
        self.assertEqual(len(changed), 8)  # 3 CSVs, 2 records, and the 3 manifests that note it
        self.assertEqual(
            read(f"{self.root}/q4_summary.csv"),
            f"run_id,arm,lr_multiplier,lr,seed,train_images,final_val_acc\n{FULL},bn,10,0.001,0,50000,0.8\n",
        )
        self.assertEqual(
            read(f"{self.root}/q3_final_metrics.csv"),
            "run_id,arm,lr,seed,train_images,epochs_completed,widths\n"
            f'{FULL},bn,0.001,0,50000,25,"32,64"\n{PART},bn,0.001,1,640,2,"32,64"\n',
        )
        self.assertEqual(
            read(f"{self.root}/collapse/q4_collapse.csv"),
            f"run_id,init,arm,lr_multiplier,seed,epochs,train_images,final_val_acc\n{PART},keras,bn,10,1,3,640,0.5\n",
        )
        full = json.loads(read(f"{self.root}/runs/{FULL}.json"))
        self.assertEqual(full["train_images"], 50000)
        self.assertEqual(full["signature"], f"{FULL} batch=32")  # nothing else changes
        self.assertEqual(json.loads(read(f"{self.root}/collapse/runs/{PART}.json"))["train_images"], 640)
        self.assertIn(m.NOTE, json.loads(read(f"{self.root}/collapse/q4_bn_sweep.manifest.json"))["migrations"])
        # Idempotent: a second run changes nothing.
        before = {p: read(p) for p in changed}
        self.assertEqual(m.migrate(self.root), [])
        self.assertEqual({p: read(p) for p in changed}, before)

    def test_a_folder_whose_data_size_is_unknown_is_left_untouched(self):
        make_folder(self.root, train_images=None)
        before = read(f"{self.root}/q4_summary.csv")
        with self.assertRaisesRegex(m.MigrationError, "manifest.json: no data.train_images; cannot say how"):
            m.migrate(self.root)
        self.assertEqual(read(f"{self.root}/q4_summary.csv"), before)
        self.assertEqual(read(f"{self.root}/collapse/runs/{PART}.json"), record(PART))  # nothing written

    def test_a_file_not_written_as_the_programs_write_is_refused(self):
        make_folder(self.root)
        write(f"{self.root}/runs/{FULL}.json", json.dumps({"run_id": FULL}))  # one line, not dump(2)
        with self.assertRaisesRegex(m.MigrationError, f"runs/{FULL}.json: not written as q4_bn_sweep writes"):
            m.migrate(self.root)

    def test_the_command_line(self):
        self.assertEqual(m.main(["migrate_train_images.py"]), 2)
        self.assertEqual(m.main(["migrate_train_images.py", f"{self.root}/nowhere"]), 1)


if __name__ == "__main__":
    unittest.main()
