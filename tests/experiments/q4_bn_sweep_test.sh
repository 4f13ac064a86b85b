#!/usr/bin/env bash
# q4_bn_sweep end to end on the CIFAR-10 fixture: the grid, skipping finished
# runs, the lock, shards and merging.
source tests/experiments/testlib.sh
out="$TEST_TMPDIR/q4"
sweep() { experiments/q4_bn_sweep --data_dir="$FIXTURE" --train_limit=64 --test_limit=32 --epochs=1 \
            --lr_multipliers=1,10 --threads=1 --precision=fp32 "$@"; }

sweep --out_dir="$out" >"$TEST_TMPDIR/first.log" 2>&1 || { cat "$TEST_TMPDIR/first.log"; fail "sweep failed"; }
[[ $(rows "$out/q4_summary.csv") -eq 4 ]] || fail "summary rows"
[[ $(rows "$out/q4_history.csv") -eq 4 ]] || fail "history rows"
grep -q "estimated" "$TEST_TMPDIR/first.log" || fail "no time estimate"
[[ "$(column "$out/q4_summary.csv" arm | sort | uniq -c | awk '{print $1}' | tr '\n' ' ')" == "2 2 " ]] || fail "arms"

sweep --out_dir="$out" >"$TEST_TMPDIR/second.log" 2>&1
grep -q "nothing to do" "$TEST_TMPDIR/second.log" || fail "second call retrained"
[[ $(grep -c "done, skipped" "$TEST_TMPDIR/second.log") -eq 4 ]] || fail "not every run skipped"

# Another process holding the folder's lock: refused, clearly.
flock "$out/.q4_bn_sweep.lock" sleep 30 &
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

expect_failure "--shard_index=2" sweep --out_dir="$out" --num_shards=2 --shard_index=2
expect_failure "--arms=baseline,vgg" sweep --out_dir="$out" --arms=baseline,vgg
echo "PASS"
