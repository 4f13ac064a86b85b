#!/usr/bin/env bash
# How a training step fares beside one other busy process, under several
# OpenMP wait settings (lib/util/process_env.h). Google Benchmark times the
# step (train_step_benchmark, batch 32, fp32 unless --precision, every core unless
# --threads: 1 is what each of the sweep's default runs uses); each setting runs
# alone, then beside `python3 -c 'while 1: pass'`, which is killed afterwards.
# The setting `default` is what the experiment binaries choose for a step of this
# precision on this host (lib/util/process_env.h: libgomp's spin for bf16 on AMX,
# OMP_WAIT_POLICY=PASSIVE otherwise). The benchmark binary runs both precisions in
# one process, so it cannot choose by precision itself: the rule is applied here.
#
#   bazel build //tests/benchmarks:train_step_benchmark
#   tests/benchmarks/contention.sh [--precision=fp32|bf16] [--threads=0|1] [--settings="GOMP_SPINCOUNT=10000 OMP_WAIT_POLICY=PASSIVE"]
#
# Prints one line per setting: ms per step alone, beside the busy process, and
# their ratio. Take it side by side in one sitting: the host's speed drifts.
set -euo pipefail
cd "$(dirname "$0")/../.."

precision=0
threads=0  # the benchmark's last argument: 0 is every core
settings="default GOMP_SPINCOUNT=300000 GOMP_SPINCOUNT=100000 GOMP_SPINCOUNT=10000 GOMP_SPINCOUNT=1000 OMP_WAIT_POLICY=PASSIVE"
for arg in "$@"; do
  case "$arg" in
    --precision=fp32) precision=0 ;;
    --precision=bf16) precision=1 ;;
    --threads=[0-9]*) threads="${arg#--threads=}" ;;
    --settings=*) settings="${arg#--settings=}" ;;
    *) echo "contention.sh: unknown argument '$arg'; see the comment at the top" >&2; exit 2 ;;
  esac
done
bench=bazel-bin/tests/benchmarks/train_step_benchmark
[[ -x "$bench" ]] || { echo "contention.sh: build it first: bazel build //tests/benchmarks:train_step_benchmark" >&2; exit 1; }

# ms per step of BM_TrainStep/32/<precision>/0/<threads> under the environment setting $1.
step_ms() {
  local setting=("$1")
  if [[ "$1" == default ]]; then
    if [[ $precision == 1 ]] && grep -qw amx_bf16 /proc/cpuinfo && grep -qw amx_tile /proc/cpuinfo; then
      setting=()
    else
      setting=(OMP_WAIT_POLICY=PASSIVE)
    fi
  fi
  env -u GOMP_SPINCOUNT -u OMP_WAIT_POLICY "${setting[@]}" "$bench" --benchmark_filter="^BM_TrainStep/32/$precision/0/$threads/" \
    --benchmark_min_time=3 --benchmark_format=csv 2>/dev/null |
    awk -F, '/BM_TrainStep/ { printf "%.2f", $3 }'
}

busy_pid=""
stop_busy() { [[ -n "$busy_pid" ]] && kill "$busy_pid" 2>/dev/null; wait "$busy_pid" 2>/dev/null || true; busy_pid=""; }
trap stop_busy EXIT

# `bazel build --config=libtorch2` writes to the same bazel-bin: say which LibTorch this binary links.
echo "binary: $bench, links $(ldd "$bench" | grep -o 'libtorch_cpu\.so[.0-9]* => [^ ]*' | head -n1)"
echo "host: $(grep -m1 -o 'amx_bf16' /proc/cpuinfo || echo 'no AMX'), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
printf "%-26s %10s %12s %7s\n" "setting" "alone ms" "beside ms" "ratio"
for setting in $settings; do
  alone=$(step_ms "$setting")
  timeout 120 /usr/bin/python3 -c 'while 1: pass' &
  busy_pid=$!
  sleep 1
  beside=$(step_ms "$setting")
  stop_busy
  awk -v s="$setting" -v a="$alone" -v b="$beside" 'BEGIN { printf "%-26s %10s %12s %7.2f\n", s, a, b, b / a }'
done
