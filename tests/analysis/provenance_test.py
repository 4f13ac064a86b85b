"""What the report's provenance table says of a manifest: a sweep's is described by its runs."""

import unittest

from analysis import provenance


class ProvenanceTest(unittest.TestCase):
    def test_host_of_names_each_runs_kind_of_host(self):
        manifest = {
            "host": {"cpu": "AMD EPYC", "kind": "avx2"},
            "runs": {"a": {"host_kind": "amx"}, "b": {"host_kind": "avx2"}, "c": {}, "d": {"host_kind": "amx"}},
        }
        self.assertEqual(provenance.host_of(manifest), "amx (2 runs), avx2 (1 run), not recorded (1 run)")
        self.assertEqual(provenance.host_of({"host": {"cpu": "AMD EPYC", "kind": "avx2"}}), "avx2")
        self.assertEqual(
            provenance.host_of({"host": {"cpu": "Intel(R) Xeon(R) Processor"}}),
            "Intel(R) Xeon(R) Processor, features not recorded",
        )

    def test_provenance_of_a_sweep_describes_its_runs(self):
        manifest = {
            "git_commit": "c" * 40,
            "precision": "fp32",
            "threads": 2,
            "runs": {
                "a": {"git_commit": "a" * 40 + "-dirty", "precision": "bf16", "threads": 2},
                "b": {"git_commit": "b" * 40, "precision": "bf16", "threads": 2},
                "c": {"git_commit": "c" * 40, "precision": "fp32", "threads": 2},
            },
        }
        self.assertEqual(
            provenance.provenance_of(manifest),
            (f"`{'a' * 12}`, `{'b' * 12}`, `{'c' * 12}`", "bf16 (2 runs), fp32 (1 run)", "2"),
        )
        del manifest["runs"]
        self.assertEqual(provenance.provenance_of(manifest), (f"`{'c' * 12}`", "fp32", "2"))


if __name__ == "__main__":
    unittest.main()
