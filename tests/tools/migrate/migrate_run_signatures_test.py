"""tools/migrate/migrate_run_signatures.py on a small sweep folder made here."""

import hashlib
import json
import os
import tempfile
import unittest

from tools.migrate import migrate_run_signatures as m

MD5 = {
    "data_batch_1.bin": "6289ec53d8d24fdbed7e8ff014f71e7d",
    "test_batch.bin": "f25608a90af9ac78c8962e58bd389089",
    "batches.meta.txt": "728051cd483f366e254dddb25bead8b3",
}
RUN = "bn_lr0.001_seed0_bf16_t2"
OLD_SIGNATURE = f"{RUN} batch=32 decay=1e-06 threads=2"


def write_json(path, value):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(value, f)


def make_folder(root, run_md5=MD5, torch_version="1.13.0"):
    write_json(f"{root}/runs/{RUN}.json", {"run_id": RUN, "signature": OLD_SIGNATURE, "epochs_completed": 25})
    manifest = {"runs": {RUN: {"threads": 2}}, "migrations": ["earlier"]}
    if run_md5 is not None:
        manifest["runs"][RUN]["data_md5"] = run_md5
    if torch_version is not None:
        manifest["torch_version"] = torch_version
    write_json(f"{root}/q4_bn_sweep.manifest.json", manifest)


class MigrateRunSignaturesTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))

    def record(self):
        return json.load(open(f"{self.root}/runs/{RUN}.json"))

    def test_digest_is_the_documented_one(self):
        # A hand value: the MD5 of the lines "<file> <md5>\n" in name order.
        lines = (
            "batches.meta.txt 728051cd483f366e254dddb25bead8b3\n"
            "data_batch_1.bin 6289ec53d8d24fdbed7e8ff014f71e7d\n"
            "test_batch.bin f25608a90af9ac78c8962e58bd389089\n"
        )
        self.assertEqual(m.data_digest(MD5), hashlib.md5(lines.encode()).hexdigest()[:12])
        other = dict(MD5, **{"test_batch.bin": "0" * 32})
        self.assertNotEqual(m.data_digest(other), m.data_digest(MD5))

    def test_appends_libtorch_and_data_once(self):
        make_folder(self.root)
        self.assertEqual(m.migrate(self.root), 1)
        expected = f"{OLD_SIGNATURE} libtorch=1.13 data={m.data_digest(MD5)}"
        self.assertEqual(self.record()["signature"], expected)
        self.assertEqual(self.record()["epochs_completed"], 25)  # the rest of the record is kept
        manifest = json.load(open(f"{self.root}/q4_bn_sweep.manifest.json"))
        self.assertEqual(manifest["migrations"], ["earlier", m.NOTE])
        self.assertEqual(m.migrate(self.root), 0)  # idempotent
        self.assertEqual(self.record()["signature"], expected)

    def test_falls_back_to_the_manifests_data(self):
        make_folder(self.root, run_md5=None)
        manifest = json.load(open(f"{self.root}/q4_bn_sweep.manifest.json"))
        manifest["data"] = {"md5": MD5}
        write_json(f"{self.root}/q4_bn_sweep.manifest.json", manifest)
        m.migrate(self.root)
        self.assertTrue(self.record()["signature"].endswith(f"data={m.data_digest(MD5)}"))

    def test_unrecorded_data_or_libtorch_stops_before_writing(self):
        for kwargs, needle in [({"run_md5": None}, "no data MD5s"), ({"torch_version": None}, "no torch_version")]:
            root = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
            make_folder(root, **kwargs)
            with self.assertRaises(m.MigrationError) as e:
                m.migrate(root)
            self.assertIn(needle, str(e.exception))
            self.assertEqual(json.load(open(f"{root}/runs/{RUN}.json"))["signature"], OLD_SIGNATURE)

    def test_main_names_a_folder_that_is_not_a_sweep(self):
        self.assertEqual(m.main(["x", self.root]), 1)


if __name__ == "__main__":
    unittest.main()
