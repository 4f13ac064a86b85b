"""Appends C++ throughput measurements to reports/data/speed/throughput.csv (reports/speed.md is
made from it), each row naming its host by CPU model, kind, oneDNN ISA and date:

    /usr/bin/python3 -m tools.speed.record_throughput --csv reports/data/speed/throughput.csv \\
        --probe ~/.cache/hw1-repro/precision_probe/<md5>.json   # a --precision=auto probe
        --sweep reports/data/stability/avx512_core_bf16            # a sweep folder's epochs

A probe gives its timed training steps (a few steps in each precision, as many processes at once
as the job ran); a sweep folder gives the median over its epochs of each (precision, arm,
threads), from q4_history.csv's images_per_second, with the processes the sweep ran at once
(its manifest's jobs). images_per_second is per process: the host's total is that x processes.
Python's rows come from tests/benchmarks/train_step_pytorch.py --csv."""

import argparse
import csv
import json
import os
import re
import statistics
import sys
from collections import defaultdict

COLUMNS = [
    "date",
    "cpu_model",
    "host_kind",
    "isa",
    "program",
    "libtorch",
    "precision",
    "arm",
    "threads",
    "processes",
    "channels_last",
    "images_per_second",
    "ms_per_step",
    "source",
]


def _key_fields(key):
    """The probe key's 'name=value; ...' text as a dict."""
    return dict(part.split("=", 1) for part in key.split("; ") if "=" in part)


def host_kind(flags):
    """As lib/util/cpu_features.h names hosts, from /proc/cpuinfo's flags: amx, avx512_bf16, avx512,
    avx2 or other."""
    flags = set(flags)
    if "amx_bf16" in flags:
        return "amx"
    if "avx512_bf16" in flags:
        return "avx512_bf16"
    if "avx512f" in flags:
        return "avx512"
    return "avx2" if "avx2" in flags else "other"


def probe_rows(path):
    with open(path) as handle:
        probe = json.load(handle)
    key = _key_fields(probe["key"])
    return [
        {
            "date": probe["measured_at"][:10],
            "cpu_model": key["cpu"],
            "host_kind": host_kind(key.get("features", "").split()),
            "isa": key["onednn"],
            "program": "C++ precision probe (train steps)",
            "libtorch": key["libtorch"],
            "precision": t["precision"],
            "arm": t["arm"],
            "threads": key["threads"],
            "processes": key["processes"],
            "channels_last": "",
            "images_per_second": f"{t['train_images_per_second']:.0f}",
            "ms_per_step": f"{t['step_ms']:.1f}",
            "source": f"precision probe {os.path.basename(path)}",
        }
        for t in probe["timings"]
    ]


_THREADS = re.compile(r"_t(\d+)(?:_|$)")


def sweep_rows(folder):
    with open(os.path.join(folder, "q4_bn_sweep.manifest.json")) as handle:
        manifest = json.load(handle)
    host = manifest.get("host") or {}
    runs = manifest.get("runs") or {}
    groups = defaultdict(list)
    with open(os.path.join(folder, "q4_history.csv"), newline="") as handle:
        for r in csv.DictReader(handle):
            match = _THREADS.search(r["run_id"])
            entry = runs.get(r["run_id"], {})
            if not match or not r["images_per_second"]:
                continue
            groups[(r["precision"], r["arm"], match.group(1), entry.get("onednn_isa", ""))].append(
                float(r["images_per_second"])
            )
    rows = []
    for (precision, arm, threads, isa), values in sorted(groups.items()):
        jobs = int(manifest.get("jobs", 1))
        rows.append(
            {
                "date": (manifest.get("finished_at") or manifest.get("started_at") or "?")[:10],
                "cpu_model": host.get("cpu", "?"),
                "host_kind": host.get("kind", "?"),
                "isa": isa or manifest.get("onednn_isa", ""),
                "program": f"C++ q4_bn_sweep epochs (median of {len(values)})",
                "libtorch": manifest.get("torch_version", "?"),
                "precision": precision,
                "arm": arm,
                "threads": threads,
                "processes": str(jobs if int(threads) * jobs <= int(host.get("hardware_threads", 2)) else 1),
                "channels_last": "",
                "images_per_second": f"{statistics.median(values):.0f}",
                "ms_per_step": "",
                "source": f"q4_history.csv of {folder}",
            }
        )
    return rows


def append(path, new_rows, columns=COLUMNS):
    """Appends to the CSV at `path` (its header, `columns`, first when new), atomically (temp file,
    rename); a file with other columns is refused."""
    rows = []
    if os.path.exists(path):
        with open(path, newline="") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames != columns:
                raise SystemExit(f"{path}: columns {reader.fieldnames} are not {columns}")
            rows = list(reader)
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w", newline="") as handle:
        writer = csv.DictWriter(handle, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows + new_rows)
    os.replace(tmp, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", required=True)
    parser.add_argument("--probe", action="append", default=[])
    parser.add_argument("--sweep", action="append", default=[])
    args = parser.parse_args(argv)
    rows = []
    for path in args.probe:
        rows += probe_rows(path)
    for folder in args.sweep:
        rows += sweep_rows(folder)
    if not rows:
        sys.exit("record_throughput: nothing to record (give --probe FILE or --sweep DIR)")
    append(args.csv, rows)
    print(f"record_throughput: {len(rows)} rows appended to {args.csv}")


if __name__ == "__main__":
    main()
