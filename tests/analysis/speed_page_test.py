"""analysis/speed_page.py: the C++ default against Python's best, on hand-made rows."""

import os
import unittest

from analysis import speed_page
from tests.analysis import fixtures

HEADER = (
    "date,cpu_model,host_kind,isa,program,libtorch,precision,arm,threads,processes,channels_last,"
    "images_per_second,ms_per_step,source"
)


def line(program, precision, threads, processes, ips, date="2026-12-07", kind="avx512_bf16", cl=""):
    host = f"{date},AMD EPYC,{kind},avx512_core_bf16"
    return f"{host},{program},1.13.0,{precision},baseline,{threads},{processes},{cl},{ips},,x"


PROBE = "C++ precision probe (train steps)"
PYTHON = "python train step"


def page(lines, hosts=None):
    data, out = fixtures.tmpdir(), fixtures.tmpdir()
    os.makedirs(os.path.join(data, "speed"))
    fixtures.write(os.path.join(data, "speed"), "throughput.csv", "\n".join([HEADER] + lines) + "\n")
    if hosts is not None:
        fixtures.write(os.path.join(data, "speed"), "hosts.csv", hosts)
    with open(speed_page.speed_page(data, out)) as handle:
        return handle.read()


class SpeedPageTest(unittest.TestCase):
    def test_bf16_picked_when_ten_percent_faster_and_compared_with_pythons_best(self):
        text = page(
            [
                line(PROBE, "fp32", 1, 2, 500),
                line(PROBE, "bf16", 1, 2, 1000),
                line(PYTHON, "bf16", 2, 1, 1150, cl="1"),
                line(PYTHON, "fp32", 2, 1, 800),
            ]
        )
        # 2 x 1000 against 1150: 1.74x.
        self.assertIn("bf16: 2,000 img/s (2 x 1000)", text)
        self.assertIn("bf16, channels-last, LibTorch 1.13.0: 1,150 img/s", text)
        self.assertIn("1.74x", text)

    def test_fp32_kept_below_the_margin(self):
        text = page([line(PROBE, "fp32", 1, 2, 500), line(PROBE, "bf16", 1, 2, 540), line(PYTHON, "fp32", 2, 1, 500)])
        self.assertIn("fp32: 1,000 img/s (2 x 500)", text)
        self.assertIn("2.00x", text)

    def test_sittings_are_not_mixed(self):
        # The Python row is from another day: nothing to compare.
        text = page([line(PROBE, "fp32", 1, 2, 500), line(PYTHON, "fp32", 2, 1, 500, date="2026-12-01")])
        self.assertIn("No sitting has both", text)

    def test_a_side_by_side_file_needs_its_host(self):
        data, out = fixtures.tmpdir(), fixtures.tmpdir()
        os.makedirs(os.path.join(data, "speed"))
        fixtures.write(os.path.join(data, "speed"), "throughput.csv", HEADER + "\n")
        fixtures.write(
            os.path.join(data, "speed"), "libtorch_side_by_side.x.csv", "libtorch,measure,precision,arm,epoch,value\n"
        )
        with self.assertRaisesRegex(ValueError, "no row for libtorch_side_by_side.x.csv"):
            speed_page.speed_page(data, out)

    def test_probe_overhead_as_a_signed_percentage(self):
        data, out = fixtures.tmpdir(), fixtures.tmpdir()
        os.makedirs(os.path.join(data, "speed"))
        fixtures.write(os.path.join(data, "speed"), "throughput.csv", HEADER + "\n")
        fixtures.write(
            os.path.join(data, "speed"),
            "probe_overhead.csv",
            "date,cpu_model,host_kind,isa,arm,probe_every,landscape_every,ms_per_step,unprobed_ms_per_step,overhead,"
            "how,source\n2026-12-08,AMD EPYC,avx2,avx2,bn,200,1000,147.0,140.0,0.050,blocks,x\n",
        )
        with open(speed_page.speed_page(data, out)) as handle:
            text = handle.read()
        self.assertIn("| 2026-12-08 | AMD EPYC | avx2 | bn | 200 | 1000 | 147.0 | 140.0 | +5.0% | blocks |", text)


if __name__ == "__main__":
    unittest.main()
