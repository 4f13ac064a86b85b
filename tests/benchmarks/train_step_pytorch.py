#!/usr/bin/python3
"""The same network and training step in Python PyTorch (Debian's python3-torch,
the same LibTorch build), for comparison with //tests/benchmarks:train_step_benchmark.

    /usr/bin/python3 tests/benchmarks/train_step_pytorch.py --precision bf16 --batch 32
    ~/.cache/hw1-repro/libtorch-2.15.0/python tests/benchmarks/train_step_pytorch.py  # the wheel's

--csv FILE appends the measurement, with the host's CPU model, kind and the date, to FILE
(reports/data/speed/throughput.csv), which reports/speed.md is made from. Its `isa` is oneDNN's
for the C++ rows and ATen's CPU capability ("aten avx512") for these, where torch reports one.
"""

import argparse
import datetime
import os
import platform
import sys
import time

# As the C++ trainer does (lib/train/trainer.cc, ConfigureThreads): OpenBLAS's own
# threads would compete with PyTorch's OpenMP team for the same cores.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def _cpu_flags():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


# As the C++ binaries do (lib/util/openblas.h): Debian's OpenBLAS falls back to
# SSE3 kernels on CPU models newer than it knows; ask for the kernels the CPU
# supports. (It reads the variable when torch loads it, so before the import.)
_flags = _cpu_flags()
if {"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx2", "fma"} <= _flags:
    os.environ.setdefault("OPENBLAS_CORETYPE", "SkylakeX")
elif {"avx2", "fma"} <= _flags:
    os.environ.setdefault("OPENBLAS_CORETYPE", "Haswell")

import torch  # noqa: E402
from torch import nn  # noqa: E402


def make_model(batchnorm):
    def block(cin, cout, padding):
        layers = [nn.Conv2d(cin, cout, 3, padding=padding)]
        if batchnorm:
            layers.append(nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01))
        layers.append(nn.ReLU())
        return layers

    return nn.Sequential(
        *block(3, 32, 1),
        *block(32, 32, 0),
        nn.MaxPool2d(2),
        nn.Dropout(0.25),
        *block(32, 64, 1),
        *block(64, 64, 0),
        nn.MaxPool2d(2),
        nn.Dropout(0.25),
        nn.Flatten(),
        nn.Linear(2304, 512),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(512, 10),
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--precision", choices=["fp32", "bf16"], default="bf16")
    parser.add_argument("--batchnorm", action="store_true")
    parser.add_argument("--channels_last", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--csv", help="append the measurement to this CSV (reports/data/speed/throughput.csv)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = make_model(args.batchnorm)
    fmt = torch.channels_last if args.channels_last else torch.contiguous_format
    model = model.to(memory_format=fmt)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4, eps=1e-7)
    images = torch.randint(0, 256, (args.batch, 3, 32, 32), dtype=torch.uint8)
    labels = torch.randint(0, 10, (args.batch,))
    loss_fn = nn.CrossEntropyLoss()

    def step():
        x = (images.float() / 255.0).contiguous(memory_format=fmt)
        optimizer.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.precision == "bf16"):
            logits = model(x)
        loss = loss_fn(logits.float(), labels)
        loss.backward()
        optimizer.step()
        return loss.item()

    for _ in range(5):
        step()
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < args.seconds:
        step()
        steps += 1
    elapsed = time.perf_counter() - start
    if args.csv:
        # The CSV's columns and its atomic append are tools/speed's (run from anywhere, with any Python).
        sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
        from tools.speed import record_throughput

        capability = getattr(getattr(torch.backends, "cpu", None), "get_cpu_capability", lambda: "")()
        record_throughput.append(
            args.csv,
            [
                {
                    "date": datetime.date.today().isoformat(),
                    "cpu_model": _cpu_model(),
                    "host_kind": record_throughput.host_kind(_flags),
                    "isa": f"aten {capability.lower()}" if capability else "",
                    "program": "python train step",
                    "libtorch": torch.__version__.split("+")[0],
                    "precision": args.precision,
                    "arm": "bn" if args.batchnorm else "baseline",
                    "threads": args.threads,
                    "processes": 1,
                    "channels_last": args.channels_last,
                    "images_per_second": f"{steps * args.batch / elapsed:.0f}",
                    "ms_per_step": f"{1000 * elapsed / steps:.1f}",
                    "source": "tests/benchmarks/train_step_pytorch.py",
                }
            ],
        )
    print(
        f"python train step: batch {args.batch} {args.precision}"
        f"{' bn' if args.batchnorm else ''} channels_last={args.channels_last}: "
        f"{steps * args.batch / elapsed:.0f} img/s ({1000 * elapsed / steps:.1f} ms/step)"
    )


if __name__ == "__main__":
    main()
