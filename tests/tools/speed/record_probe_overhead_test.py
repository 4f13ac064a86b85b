"""tools/speed/record_probe_overhead.py on a hand-made Google Benchmark JSON."""

import unittest

from tools.speed import record_probe_overhead


def case(name, probed, unprobed, overhead):
    return {
        "name": f"BM_ProbeOverhead/{name}/iterations:3",
        "probed_ms_per_step": probed,
        "unprobed_ms_per_step": unprobed,
        "overhead": overhead,
        "iterations": 3,
    }


def benchmark(*cases):
    return {"context": {"date": "2026-12-08T00:13:56+00:00"}, "benchmarks": list(cases)}


class OverheadRowsTest(unittest.TestCase):
    def test_one_row_per_case_from_its_counters(self):
        rows = record_probe_overhead.overhead_rows(
            benchmark(case("25/200/0", 170.04, 100.0, 0.7004), case("250/0/1", 147.0, 140.0, 0.05), {"name": "other"}),
            "AMD EPYC",
            "avx2",
            "avx2",
            "bench",
        )
        self.assertEqual(
            [(r["arm"], r["probe_every"], r["landscape_every"], r["overhead"]) for r in rows],
            [("baseline", 25, 200, "0.700"), ("bn", 250, 0, "0.050")],
        )
        self.assertEqual(
            (rows[0]["date"], rows[0]["ms_per_step"], rows[1]["unprobed_ms_per_step"]), ("2026-12-08", "170.0", "140.0")
        )

    def test_a_cadence_worked_out_from_a_probes_own_time(self):
        def timed(name, ms):
            return {"name": f"{name}/iterations:10", "real_time": ms, "time_unit": "ms"}

        # Step 100 ms; probe 1000 ms, 3000 with a landscape: every 250 costs 1000/250 = 4 ms (4 %);
        # every 25 with a landscape every 200 costs 1000/25 + 2000/200 = 50 ms (50 %).
        rows = record_probe_overhead.overhead_rows(
            benchmark(
                timed("BM_TrainStep/0", 100.0), timed("BM_ProbeCost/0/0", 1000.0), timed("BM_ProbeCost/1/0", 3000.0)
            ),
            "AMD EPYC",
            "avx2",
            "avx2",
            "bench",
        )
        self.assertEqual(
            [(r["arm"], r["probe_every"], r["landscape_every"], r["ms_per_step"], r["overhead"]) for r in rows],
            [("baseline", 250, 0, "104.0", "0.040"), ("baseline", 25, 200, "150.0", "0.500")],
        )
        self.assertIn("1000 ms", rows[0]["how"])
        with self.assertRaisesRegex(ValueError, "without both of its BM_ProbeCost cases"):
            record_probe_overhead.overhead_rows(benchmark(timed("BM_TrainStep/1", 1.0)), "", "", "", "x")

    def test_a_case_without_its_counters_is_refused(self):
        broken = {"name": "BM_ProbeOverhead/25/200/1/iterations:3", "real_time": 2.0}
        with self.assertRaisesRegex(ValueError, "has no counter probed_ms_per_step"):
            record_probe_overhead.overhead_rows(benchmark(broken), "", "", "", "x")


if __name__ == "__main__":
    unittest.main()
