#!/usr/bin/env bash
# q4_bn_sweep as the main job runs it (bf16, 2 threads): a run killed mid-way (SIGKILL, after its
# first checkpoint) and resumed by the next call ends with the numbers of an uninterrupted run.
source tests/experiments/testlib.sh
args=(--data_dir="$FIXTURE" --partial_data --train_limit=200 --test_limit=40 --epochs=3
      --arms=baseline --lr_multipliers=1 --seeds=0 --precision=bf16 --threads=2 --jobs=1)
sweep() { experiments/q4_bn_sweep "${args[@]}" "$@"; }

sweep --out_dir="$TEST_TMPDIR/whole" >"$TEST_TMPDIR/whole.log" 2>&1 || { cat "$TEST_TMPDIR/whole.log"; fail "sweep"; }
[[ $(rows "$TEST_TMPDIR/whole/q4_history.csv") -eq 3 ]] || fail "uninterrupted run: 3 epochs expected"
all_equal "$TEST_TMPDIR/whole/q4_history.csv" precision bf16

out="$TEST_TMPDIR/killed"
# A simple command, not the function: $! is then the sweep's own pid, not a subshell's.
experiments/q4_bn_sweep "${args[@]}" --out_dir="$out" >"$TEST_TMPDIR/killed.log" 2>&1 &
pid=$!
for _ in $(seq 1 6000); do  # up to 10 minutes for the first epoch
  [[ -n "$(find "$out/checkpoints" -name '*.ckpt' 2>/dev/null)" ]] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
kill -KILL "$pid" 2>/dev/null || fail "the run ended before it could be killed: $(cat "$TEST_TMPDIR/killed.log")"
wait "$pid" 2>/dev/null || true
[[ ! -e "$out/q4_summary.csv" ]] || [[ $(rows "$out/q4_summary.csv") -eq 0 ]] || fail "the killed run was recorded as done"

sweep --out_dir="$out" >"$TEST_TMPDIR/resumed.log" 2>&1 || { cat "$TEST_TMPDIR/resumed.log"; fail "resume"; }
grep -q "resumes from checkpoint" "$TEST_TMPDIR/resumed.log" || fail "the plan does not say it resumes"
resumed="$(/usr/bin/python3 -c 'import json,sys; print(*[r["resumed_from_epoch"] for r in json.load(open(sys.argv[1]))["runs"].values()])' \
  "$out/q4_bn_sweep.manifest.json")"
[[ "$resumed" == 1 || "$resumed" == 2 ]] || fail "resumed_from_epoch '$resumed', expected 1 or 2"
[[ "$(history_metrics "$out")" == "$(history_metrics "$TEST_TMPDIR/whole")" ]] \
  || fail "resumed after epoch $resumed, the history differs from the uninterrupted run's:
$(diff <(history_metrics "$out") <(history_metrics "$TEST_TMPDIR/whole"))"
[[ "$(column "$out/q4_summary.csv" final_val_acc)" == "$(column "$TEST_TMPDIR/whole/q4_summary.csv" final_val_acc)" ]] \
  || fail "final accuracy differs"
echo "PASS (killed after epoch $resumed)"
