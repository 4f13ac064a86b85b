"""Records what the training probe costs, from tests/benchmarks/probe_benchmark's JSON, into
reports/data/speed/probe_overhead.csv (reports/speed.md shows it), each row naming its host:

    bazel-bin/tests/benchmarks/probe_benchmark --benchmark_out=/tmp/probe.json --benchmark_out_format=json
    /usr/bin/python3 -m tools.speed.record_probe_overhead --json /tmp/probe.json \\
        --csv reports/data/speed/probe_overhead.csv --isa avx2

The overhead of a cadence is its time per step over the same network's unprobed step, minus 1:
timed in alternating blocks of one case (BM_ProbeOverhead), or worked out from one probe's own time
(BM_ProbeCost) and an unprobed step's (BM_TrainStep), which a shared host's drift disturbs less."""

import argparse
import json
import re
import sys

from tools.speed import record_throughput

COLUMNS = [
    "date",
    "cpu_model",
    "host_kind",
    "isa",
    "arm",
    "probe_every",
    "landscape_every",
    "ms_per_step",
    "unprobed_ms_per_step",
    "overhead",
    "how",
    "source",
]
_BLOCKS = re.compile(r"BM_ProbeOverhead/(\d+)/(\d+)/([01])")
_STEP = re.compile(r"BM_TrainStep/([01])")
_COST = re.compile(r"BM_ProbeCost/([01])/([01])")
_MS = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}
# The cadences whose cost is worked out from a probe's own time: the default and the study's.
CADENCES = ((250, 0), (25, 200))


def _arm(flag):
    return "bn" if flag == "1" else "baseline"


def overhead_rows(benchmark, cpu_model, host_kind, isa, source):
    """Rows of a Google Benchmark JSON of tests/benchmarks/probe_benchmark: each BM_ProbeOverhead case
    (its counters: the unprobed and probed blocks' ms per step, timed in alternating blocks), and for
    each network with BM_TrainStep and both BM_ProbeCost cases, the cost of each of CADENCES worked
    out as (P/K + L/M) over a step, P a probe's time and L a landscape's."""
    host = {"date": benchmark["context"]["date"][:10], "cpu_model": cpu_model, "host_kind": host_kind, "isa": isa}
    rows, steps, costs = [], {}, {}
    for b in benchmark["benchmarks"]:
        name = b["name"]
        if _STEP.match(name):
            steps[_arm(_STEP.match(name).group(1))] = b["real_time"] * _MS[b["time_unit"]]
        elif _COST.match(name):
            landscape, arm = _COST.match(name).groups()
            costs[(_arm(arm), landscape == "1")] = b["real_time"] * _MS[b["time_unit"]]
        elif _BLOCKS.match(name):
            every, landscape, bn = _BLOCKS.match(name).groups()
            for counter in ("probed_ms_per_step", "unprobed_ms_per_step", "overhead"):
                if counter not in b:
                    raise ValueError(f"{source}: {name} has no counter {counter}")
            rows.append(
                dict(
                    host,
                    arm=_arm(bn),
                    probe_every=int(every),
                    landscape_every=int(landscape),
                    ms_per_step=f"{b['probed_ms_per_step']:.1f}",
                    unprobed_ms_per_step=f"{b['unprobed_ms_per_step']:.1f}",
                    overhead=f"{b['overhead']:.3f}",
                    how=f"{b.get('iterations', '?')} pairs of alternating blocks, unprobed and probed",
                    source=source,
                )
            )
    for arm, step in sorted(steps.items()):
        probe, with_landscape = costs.get((arm, False)), costs.get((arm, True))
        if probe is None or with_landscape is None:
            raise ValueError(f"{source}: BM_TrainStep for {arm} without both of its BM_ProbeCost cases")
        for every, landscape in CADENCES:
            extra = probe / every + ((with_landscape - probe) / landscape if landscape else 0.0)
            rows.append(
                dict(
                    host,
                    arm=arm,
                    probe_every=every,
                    landscape_every=landscape,
                    ms_per_step=f"{step + extra:.1f}",
                    unprobed_ms_per_step=f"{step:.1f}",
                    overhead=f"{extra / step:.3f}",
                    how=f"a probe's own time ({probe:.0f} ms; with a landscape {with_landscape:.0f} ms) over the steps",
                    source=source,
                )
            )
    return rows


def this_host():
    """(CPU model, host kind) from /proc/cpuinfo."""
    model, flags = "", []
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name") and not model:
                model = line.split(":", 1)[1].strip()
            elif line.startswith("flags") and not flags:
                flags = line.split(":", 1)[1].split()
    return model, record_throughput.host_kind(flags)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", required=True, action="append", help="probe_benchmark --benchmark_out=... JSON")
    parser.add_argument("--csv", required=True)
    parser.add_argument("--isa", required=True, help="oneDNN's ISA on this host (the sweep's plan prints it)")
    args = parser.parse_args(argv)
    rows = []
    model, kind = this_host()
    for path in args.json:
        try:
            with open(path) as handle:
                benchmark = json.load(handle)
            rows += overhead_rows(benchmark, model, kind, args.isa, "tests/benchmarks/probe_benchmark")
        except (OSError, ValueError, KeyError) as error:
            sys.exit(f"record_probe_overhead: {path}: {error}")
    if not rows:
        sys.exit(f"record_probe_overhead: {args.json}: no probe_benchmark case")
    record_throughput.append(args.csv, rows, COLUMNS)
    print(f"record_probe_overhead: {len(rows)} rows appended to {args.csv}")


if __name__ == "__main__":
    main()
