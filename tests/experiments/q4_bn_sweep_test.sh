#!/usr/bin/env bash
# q4_bn_sweep end to end on the CIFAR-10 fixture: the grid, skipping finished
# runs, the lock, shards and merging.
source tests/experiments/testlib.sh
out="$TEST_TMPDIR/q4"
sweep() { experiments/q4_bn_sweep --data_dir="$FIXTURE" --partial_data --train_limit=64 --test_limit=32 --epochs=1 \
            --lr_multipliers=1,10 --threads=1 --precision=fp32 "$@"; }

sweep --out_dir="$out" >"$TEST_TMPDIR/first.log" 2>&1 || { cat "$TEST_TMPDIR/first.log"; fail "sweep failed"; }
[[ $(rows "$out/q4_summary.csv") -eq 4 ]] || fail "summary rows"
[[ $(rows "$out/q4_history.csv") -eq 4 ]] || fail "history rows"
grep -q "estimated" "$TEST_TMPDIR/first.log" || fail "no time estimate"
[[ "$(column "$out/q4_summary.csv" arm | sort | uniq -c | awk '{print $1}' | tr '\n' ' ')" == "2 2 " ]] || fail "arms"
# What each run trained on, a column the report reads (not the run id's _train64).
all_equal "$out/q4_summary.csv" train_images 64
all_equal "$out/q4_collapse.csv" train_images 64
grep -q '"train_images": 64' "$out/q4_bn_sweep.manifest.json" || fail "manifest lacks the runs' train_images"

sweep --out_dir="$out" >"$TEST_TMPDIR/second.log" 2>&1
grep -q "nothing to do" "$TEST_TMPDIR/second.log" || fail "second call retrained"
[[ $(grep -c "done, skipped" "$TEST_TMPDIR/second.log") -eq 4 ]] || fail "not every run skipped"

# Another process holding the folder's lock: refused, clearly.
# -o: flock itself holds the lock, not its sleep, so killing it below releases the folder (an
# orphaned sleep kept it locked for 30 s, and a later step failed when the steps ran faster).
flock -o "$out/.q4_bn_sweep.lock" sleep 30 &
holder=$!
sleep 0.5
expect_failure "is writing $out" sweep --out_dir="$out"
kill "$holder"; wait "$holder" 2>/dev/null || true

# Two shards, then merged: the same runs as the single sweep.
sweep --out_dir="$TEST_TMPDIR/s0" --num_shards=2 --shard_index=0 >/dev/null 2>&1
sweep --out_dir="$TEST_TMPDIR/s1" --num_shards=2 --shard_index=1 >/dev/null 2>&1
[[ $(rows "$TEST_TMPDIR/s0/q4_summary.csv") -eq 2 && $(rows "$TEST_TMPDIR/s1/q4_summary.csv") -eq 2 ]] || fail "shard sizes"
experiments/q4_bn_sweep --out_dir="$TEST_TMPDIR/merged" --merge="$TEST_TMPDIR/s0,$TEST_TMPDIR/s1" >/dev/null
[[ "$(column "$TEST_TMPDIR/merged/q4_summary.csv" final_val_acc)" == "$(column "$out/q4_summary.csv" final_val_acc)" ]] \
  || fail "merged shards differ from the single sweep"

# --jobs: runs trained at once in worker processes give the numbers of runs
# trained one after another with the same threads, and leave nothing behind.
sweep --out_dir="$TEST_TMPDIR/j1" --jobs=1 >"$TEST_TMPDIR/j1.log" 2>&1 || { cat "$TEST_TMPDIR/j1.log"; fail "--jobs=1"; }
sweep --out_dir="$TEST_TMPDIR/j2" --jobs=2 >"$TEST_TMPDIR/j2.log" 2>&1 || { cat "$TEST_TMPDIR/j2.log"; fail "--jobs=2"; }
grep -q "2 runs at once x 1 thread each" "$TEST_TMPDIR/j2.log" || fail "the plan does not say how it runs"
grep -q "2 workers for 4 runs" "$TEST_TMPDIR/j2.log" || fail "--jobs=2 did not start workers"
[[ "$(history_metrics "$TEST_TMPDIR/j1")" == "$(history_metrics "$TEST_TMPDIR/j2")" ]] || fail "--jobs=2 changed the numbers"
[[ -z "$(find "$TEST_TMPDIR/j2/checkpoints" -type f)" ]] || fail "workers left files: $(find "$TEST_TMPDIR/j2/checkpoints" -type f)"
grep -q '"jobs": 2' "$TEST_TMPDIR/j2/q4_bn_sweep.manifest.json" || fail "manifest lacks jobs"
grep -q '"cpu_features"' "$TEST_TMPDIR/j2/q4_bn_sweep.manifest.json" || fail "manifest lacks the CPU's features"

# A worker that fails stops the sweep with the run's name; the runs recorded stay.
rm -rf "$TEST_TMPDIR/j3"; mkdir -p "$TEST_TMPDIR/j3/checkpoints/q4_bn_sweep"
suffix="$(column "$out/q4_summary.csv" run_id | sed -n 1p)"
suffix="${suffix#baseline_lr0.0001_seed0_fp32_t1_e1_train64_test32}"  # "", or _torch2.* with LibTorch 2
echo garbage >"$TEST_TMPDIR/j3/checkpoints/q4_bn_sweep/bn_lr0.001_seed0_fp32_t1_e1_train64_test32$suffix.ckpt"
expect_failure "the worker of run bn_lr0.001_seed0_fp32_t1_e1_train64_test32$suffix" sweep --out_dir="$TEST_TMPDIR/j3" --jobs=2

# Flags are checked before any side effect: no folder, no lock.
expect_failure "--train_limit=-5: must be -1 (all), 0 (the profile's) or a count >= 1" \
  sweep --out_dir="$TEST_TMPDIR/never" --train_limit=-5
expect_failure "--base_lr=inf: must be a finite number" sweep --out_dir="$TEST_TMPDIR/never" --base_lr=inf
expect_failure "$TEST_TMPDIR/nowhere: not a q4_bn_sweep folder" \
  experiments/q4_bn_sweep --out_dir="$TEST_TMPDIR/never" --merge="$TEST_TMPDIR/s0,$TEST_TMPDIR/nowhere"
[[ ! -e "$TEST_TMPDIR/never" ]] || fail "a refused call created its output folder"

# Data short of the official record counts needs --partial_data.
expect_failure "records, the official CIFAR-10 files hold 10000 each" sweep --out_dir="$TEST_TMPDIR/never2" --nopartial_data

# A damaged folder: the summary is derived and heals; a lost history row is named before any training.
summary="$(cat "$out/q4_summary.csv")"
sed -i '2s/.*/garbled,line/' "$out/q4_summary.csv"
sweep --out_dir="$out" >"$TEST_TMPDIR/garbled.log" 2>&1 || fail "rerun on a garbled summary failed: $(tail -2 "$TEST_TMPDIR/garbled.log")"
[[ "$(cat "$out/q4_summary.csv")" == "$summary" ]] || fail "the garbled summary was left in place"
sed -i '$d' "$out/q4_history.csv"
expect_failure "delete the record to train the run again" sweep --out_dir="$out"

expect_failure "--jobs=-1" sweep --out_dir="$out" --jobs=-1
expect_failure "--shard_index=2" sweep --out_dir="$out" --num_shards=2 --shard_index=2
expect_failure "--arms=baseline,vgg" sweep --out_dir="$out" --arms=baseline,vgg
# --input_scale=raw255: named in the run id and the manifest; a bad value is refused.
sweep --out_dir="$TEST_TMPDIR/raw" --arms=baseline --lr_multipliers=1 --input_scale=raw255 >/dev/null 2>&1 || fail "--input_scale=raw255"
grep -q "baseline_lr0.0001_seed0_fp32_t1_e1_train64_test32.*_inputraw255" "$TEST_TMPDIR/raw/q4_summary.csv" || fail "the run id lacks _inputraw255"
grep -q '"input_scale": "raw255"' "$TEST_TMPDIR/raw/q4_bn_sweep.manifest.json" || fail "the manifest lacks input_scale"
expect_failure "--input_scale=255: expected unit" sweep --out_dir="$TEST_TMPDIR/raw" --input_scale=255

# A value given twice would plan one run twice: refused, and no folder is made.
for flag in --seeds=1,1 --arms=bn,bn --init=keras,keras --lr_multipliers=5,5; do
  expect_failure "is given twice" sweep --out_dir="$TEST_TMPDIR/twice" "$flag"
done
[[ ! -e "$TEST_TMPDIR/twice" ]] || fail "a refused list flag made its folder"
if [[ ! -e /dev/nvidia0 ]]; then
  expect_failure "--device=cuda: " sweep --out_dir="$TEST_TMPDIR/cuda" --device=cuda
  [[ ! -e "$TEST_TMPDIR/cuda" ]] || fail "--device=cuda without CUDA made its folder"
fi

# Progress after each epoch: runs and epochs done, elapsed, an ETA; plain lines in a log.
grep -q "^progress: [0-3]/4 runs, [1-3]/4 epochs, elapsed [0-9ms]*, ETA [0-9hms]* (from [1-3] epochs\? trained here)$" \
  "$TEST_TMPDIR/j2.log" || fail "no progress line with an ETA"
grep -q "^progress: 4/4 runs, 4/4 epochs, elapsed .*, done$" "$TEST_TMPDIR/j2.log" || fail "no final progress line"
if grep -q $'\r' "$TEST_TMPDIR/j2.log"; then fail "carriage returns in a log"; fi

# The quick profile ends beside the committed full grid (the workspace's reports/data/q4_summary.csv).
mkdir -p "$TEST_TMPDIR/ws/reports/data"
cat >"$TEST_TMPDIR/ws/reports/data/q4_summary.csv" <<'CSV'
run_id,arm,lr_multiplier,train_images,final_val_acc
b1,baseline,1,50000,0.76
n1,bn,1,50000,0.80
b30,baseline,30,50000,0.70
n30,bn,30,50000,0.80
CSV
BUILD_WORKSPACE_DIRECTORY="$TEST_TMPDIR/ws" experiments/q4_bn_sweep --profile=quick --data_dir="$FIXTURE" --partial_data \
  --train_limit=64 --test_limit=32 --epochs=1 --threads=1 --precision=fp32 --out_dir="$TEST_TMPDIR/quick" \
  >"$TEST_TMPDIR/quick.log" 2>&1 || { cat "$TEST_TMPDIR/quick.log"; fail "quick profile"; }
grep -q "quick profile beside the full grid ($TEST_TMPDIR/ws/reports/data/q4_summary.csv" "$TEST_TMPDIR/quick.log" \
  || fail "the quick profile did not compare with the full grid: $(tail -5 "$TEST_TMPDIR/quick.log")"
grep -q "^  x30 .*0.8000 - 0.7000 (1) .*\(ranks the arms otherwise\|seed spread unknown\)" "$TEST_TMPDIR/quick.log" \
  || fail "the x30 comparison: $(grep x30 "$TEST_TMPDIR/quick.log")"

# --precision=auto: the dry run probes (2 processes, as it would train), picks, and estimates both precisions.
auto_sweep() { experiments/q4_bn_sweep --data_dir="$FIXTURE" --partial_data --train_limit=64 --test_limit=32 --epochs=1 \
                 --arms=baseline --lr_multipliers=1 --jobs=2 --threads=1 --dry_run --probe_cache_dir="$TEST_TMPDIR/probe" \
                 --out_dir="$TEST_TMPDIR/auto" "$@"; }
auto_sweep >"$TEST_TMPDIR/auto.log" 2>&1 || { cat "$TEST_TMPDIR/auto.log"; fail "auto dry run"; }
grep -q "auto picked .* probed now, cached in" "$TEST_TMPDIR/auto.log" || fail "the dry run did not probe: $(cat "$TEST_TMPDIR/auto.log")"
grep -q "baseline fp32 .* img/s" "$TEST_TMPDIR/auto.log" || fail "the plan lacks the fp32 timing"
grep -q "baseline bf16 .* img/s" "$TEST_TMPDIR/auto.log" || fail "the plan lacks the bf16 timing"
grep -q "estimated .* in fp32; in bf16 .* it would take\|estimated .* in bf16; in fp32 .* it would take" "$TEST_TMPDIR/auto.log" \
  || fail "the dry run does not estimate both precisions"
auto_sweep >"$TEST_TMPDIR/auto2.log" 2>&1
grep -q "auto picked .* from the cache" "$TEST_TMPDIR/auto2.log" || fail "the second dry run did not use the cache"
[[ $(ls "$TEST_TMPDIR/probe" | wc -l) -eq 1 ]] || fail "one cache file per key"
# Another thread count is another key: probed again.
auto_sweep --threads=2 >"$TEST_TMPDIR/auto3.log" 2>&1 || true
[[ $(ls "$TEST_TMPDIR/probe" | wc -l) -eq 2 ]] || fail "threads are not part of the probe's key"
echo "PASS"
