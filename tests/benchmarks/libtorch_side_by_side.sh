#!/usr/bin/env bash
# LibTorch 1.13 (Debian, the default build) against LibTorch 2 (--config=libtorch2,
# third_party/install_libtorch2.sh) on this host, in one sitting, interleaved so
# that the host's drift hits both alike:
#   1. Google Benchmark's train step (batch 32, baseline and BatchNorm, fp32 and
#      bf16, every core);
#   2. q3_train_cnn for --epochs epochs of the full training set in fp32 (img/s
#      per epoch and the validation accuracies: the short-protocol check that
#      both LibTorches train the same network alike), and one epoch of
#      --bf16_epochs epochs of --bf16_images images in bf16 (-1: all; on an AMX host,
#      where bf16 is the default, use --bf16_images=-1 --bf16_epochs=3 for the same
#      short-protocol check in bf16).
#
#   tests/benchmarks/libtorch_side_by_side.sh [--out=DIR] [--epochs=3] [--bf16_images=10000] [--bf16_epochs=1]
#
# Needs CIFAR-10 (CIFAR10_DIR or --data_dir as for q3_train_cnn). Writes
# DIR/side_by_side.csv (libtorch, measure, precision, arm, epoch, value) and
# prints it as a table. Run it on a quiet machine: nothing else training.
set -euo pipefail
cd "$(dirname "$0")/../.."

out="${TMPDIR:-/tmp}/libtorch_side_by_side"
epochs=3
bf16_images=10000
bf16_epochs=1
for arg in "$@"; do
  case "$arg" in
    --out=*) out="${arg#--out=}" ;;
    --epochs=*) epochs="${arg#--epochs=}" ;;
    --bf16_images=*) bf16_images="${arg#--bf16_images=}" ;;
    --bf16_epochs=*) bf16_epochs="${arg#--bf16_epochs=}" ;;
    *) echo "libtorch_side_by_side.sh: unknown argument '$arg'; see the comment at the top" >&2; exit 2 ;;
  esac
done
[[ -f libtorch2.bazelrc ]] || { echo "libtorch_side_by_side.sh: run third_party/install_libtorch2.sh first" >&2; exit 1; }
mkdir -p "$out"

# Both builds' binaries, copied out of bazel-bin (they find LibTorch by rpath).
for build in 1.13 2; do
  config=()
  [[ $build == 2 ]] && config=(--config=libtorch2)
  bazel build "${config[@]}" //tests/benchmarks:train_step_benchmark //experiments:q3_train_cnn >/dev/null 2>&1 ||
    { echo "libtorch_side_by_side.sh: bazel build ${config[*]} failed" >&2; exit 1; }
  mkdir -p "$out/bin$build"
  cp -f bazel-bin/tests/benchmarks/train_step_benchmark bazel-bin/experiments/q3_train_cnn "$out/bin$build/"
done

csv="$out/side_by_side.csv"
echo "libtorch,measure,precision,arm,epoch,value" > "$csv.tmp"
# 1. The step: ms and img/s from Google Benchmark, per (precision, arm), builds interleaved.
for precision in 0 1; do
  for bn in 0 1; do
    for build in 1.13 2; do
      "$out/bin$build/train_step_benchmark" --benchmark_filter="^BM_TrainStep/32/$precision/$bn/0/" \
        --benchmark_min_time=3 --benchmark_format=csv 2>/dev/null |
        awk -F, -v b="$build" -v p="$([[ $precision == 1 ]] && echo bf16 || echo fp32)" \
          -v a="$([[ $bn == 1 ]] && echo bn || echo baseline)" \
          '/BM_TrainStep/ { printf "%s,step_ms,%s,%s,,%.2f\n", b, p, a, $3 }' >> "$csv.tmp"
    done
  done
done
# 2. Epochs of q3_train_cnn (baseline, seed 0, every core), fp32 full data, then bf16 on a subset.
run_epochs() {  # build precision epochs train_limit
  local dir="$out/run$1_$2"
  rm -rf "$dir"
  "$out/bin$1/q3_train_cnn" --epochs="$3" --precision="$2" --train_limit="$4" --out_dir="$dir" \
    --download=false > "$dir.log" 2>&1 || { echo "libtorch_side_by_side.sh: q3_train_cnn failed, see $dir.log" >&2; exit 1; }
  python3 - "$dir/q3_history.csv" "$1" "$2" >> "$csv.tmp" <<'EOF'
import csv, sys
for row in csv.DictReader(open(sys.argv[1])):
    print(f"{sys.argv[2]},images_per_second,{sys.argv[3]},baseline,{row['epoch']},{float(row['images_per_second']):.1f}")
    print(f"{sys.argv[2]},val_acc,{sys.argv[3]},baseline,{row['epoch']},{row['val_acc']}")
EOF
}
for build in 1.13 2; do run_epochs "$build" fp32 "$epochs" -1; done
for build in 1.13 2; do run_epochs "$build" bf16 "$bf16_epochs" "$bf16_images"; done
mv "$csv.tmp" "$csv"

host="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); flags: $(grep -o 'amx_bf16\|avx512_bf16\|avx512f\|avx2' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "host: $host"
python3 - "$csv" <<'EOF'
import csv, sys
from collections import defaultdict
cells = defaultdict(dict)
for r in csv.DictReader(open(sys.argv[1])):
    cells[(r["measure"], r["precision"], r["arm"], r["epoch"])][r["libtorch"]] = float(r["value"])
print(f"{'measure':18} {'prec':5} {'arm':9} {'epoch':5} {'LibTorch 1.13':>14} {'LibTorch 2':>11} {'2 / 1.13':>9}")
for (measure, precision, arm, epoch), v in cells.items():
    a, b = v.get("1.13"), v.get("2")
    ratio = f"{b / a:.2f}" if a and b else ""
    print(f"{measure:18} {precision:5} {arm:9} {epoch:5} {a:14.4g} {b:11.4g} {ratio:>9}")
EOF
