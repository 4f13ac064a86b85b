#!/usr/bin/env bash
# q3_train_cnn and q4_bn_sweep train runs with the same ids (the baseline at lr
# 1e-4). Each keeps its own checkpoints: the sweep must train such a run
# itself, not take over the finished one q3 left, and the two must agree.
source tests/experiments/testlib.sh
out="$TEST_TMPDIR/shared"
limits=(--data_dir="$FIXTURE" --partial_data --out_dir="$out" --train_limit=64 --test_limit=32 --threads=1 --precision=fp32)

experiments/q3_train_cnn "${limits[@]}" --epochs=2 >/dev/null 2>&1 || fail "q3 failed"
id="$(column "$out/q3_final_metrics.csv" run_id)"
[[ -s "$out/checkpoints/q3_train_cnn/$id.ckpt" ]] || fail "q3 checkpoint not in checkpoints/q3_train_cnn"

experiments/q4_bn_sweep "${limits[@]}" --epochs=2 --arms=baseline --lr_multipliers=1 >"$TEST_TMPDIR/q4.log" 2>&1 \
  || { cat "$TEST_TMPDIR/q4.log"; fail "q4 failed"; }
[[ "$(column "$out/q4_summary.csv" run_id)" == "$id" ]] || fail "the sweep's run has another id than q3's ($id)"
resumed() {  # manifest run: epoch it resumed from, and its checkpoint
  /usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["runs"][sys.argv[2]]; print(r["resumed_from_epoch"], r["checkpoint"])' "$@"
}
[[ "$(resumed "$out/q4_bn_sweep.manifest.json" "$id")" == "0 checkpoints/q4_bn_sweep/$id.ckpt" ]] \
  || fail "the sweep did not train the run itself: $(resumed "$out/q4_bn_sweep.manifest.json" "$id")"
[[ ! -e "$out/checkpoints/q4_bn_sweep/$id.ckpt" ]] || fail "the sweep left its finished checkpoint"

# Trained twice, in two processes: the same numbers, epoch by epoch.
logged() { /usr/bin/python3 -c 'import csv,sys
for r in csv.DictReader(open(sys.argv[1])): print(r["epoch"], r["train_loss"], r["train_acc"], r["val_loss"], r["val_acc"], r["lr_now"])' "$1"; }
[[ "$(logged "$out/q3_history.csv")" == "$(logged "$out/q4_history.csv")" ]] || fail "q3 and q4 histories differ"

# q3 --resume continues its own checkpoint (here: the finished run, nothing to train).
experiments/q3_train_cnn "${limits[@]}" --epochs=2 --resume >/dev/null 2>&1 || fail "q3 --resume failed"
[[ "$(resumed "$out/q3_train_cnn.manifest.json" "$id")" == "2 checkpoints/q3_train_cnn/$id.ckpt" ]] \
  || fail "q3 --resume: $(resumed "$out/q3_train_cnn.manifest.json" "$id")"
echo "PASS"
