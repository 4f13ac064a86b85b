#!/usr/bin/env bash
# q3_train_cnn end to end on the CIFAR-10 fixture: CSVs, weights, resume, bad input.
source tests/experiments/testlib.sh
out="$TEST_TMPDIR/q3"
run() { experiments/q3_train_cnn --data_dir="$FIXTURE" --partial_data --out_dir="$out" --train_limit=64 --test_limit=32 \
          --threads=1 --precision=fp32 "$@"; }

run --epochs=2 >/dev/null 2>"$TEST_TMPDIR/log"
# The id as the run printed it: built with LibTorch 2, ids end in _torch<version>.
id="$(sed -n 's/^run \([^:]*\): .*/\1/p' "$TEST_TMPDIR/log")"
[[ "$id" == baseline_lr0.0001_seed0_fp32_t1_e2_train64_test32 || "$id" == baseline_lr0.0001_seed0_fp32_t1_e2_train64_test32_torch2.* ]] \
  || fail "run id '$id'"
[[ $(rows "$out/q3_history.csv") -eq 2 ]] || fail "history rows"
[[ "$(head -1 "$out/q3_history.csv")" == "run_id,arm,lr,seed,epoch,train_loss,train_acc,val_loss,val_acc,lr_now,seconds,images_per_second,precision" ]] \
  || fail "history header"
[[ $(rows "$out/q3_model_summary.csv") -gt 20 ]] || fail "model summary"
grep -q "Total params: 1250858" "$TEST_TMPDIR/log" || fail "summary not printed"
[[ -s "$out/weights/$id.pt" && -s "$out/weights/$id.pth" ]] || fail "weights"
grep -q '"md5"' "$out/q3_train_cnn.manifest.json" || fail "manifest lacks data MD5s"
/usr/bin/python3 -c "import torch,sys; d=torch.load(sys.argv[1]); assert d['fc1.weight'].shape == (512, 2304)" \
  "$out/weights/$id.pth" || fail "python cannot load the weights"

# --precision=auto, the default: both precisions timed before the run (lib/experiment/precision_probe.h),
# the choice cached, recorded in the manifest and used.
auto_run() { experiments/q3_train_cnn --data_dir="$FIXTURE" --partial_data --out_dir="$TEST_TMPDIR/$1" --train_limit=32 \
               --test_limit=16 --threads=1 --epochs=1 --probe_cache_dir="$TEST_TMPDIR/probe_cache"; }
auto_run auto >/dev/null 2>"$TEST_TMPDIR/auto.log" || { cat "$TEST_TMPDIR/auto.log"; fail "--precision=auto run"; }
grep -q "probed now, cached in" "$TEST_TMPDIR/auto.log" || fail "the first auto run did not probe"
probe_field() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["precision_probe"][sys.argv[2]])' "$1" "$2"; }
manifest="$TEST_TMPDIR/auto/q3_train_cnn.manifest.json"
want="$(probe_field "$manifest" chosen)"
all_equal "$TEST_TMPDIR/auto/q3_history.csv" precision "$want"
grep -q "\"precision\": \"$want\"" "$manifest" || fail "manifest precision is not the probe's $want"
# The oracle of the choice: the timings the manifest recorded, through the rule (bf16 only when >= 1.10x).
/usr/bin/python3 - "$manifest" <<'PY' || fail "the probe's choice does not follow from its timings"
import json, sys
p = json.load(open(sys.argv[1]))["precision_probe"]
speed = {t["precision"]: t["train_images_per_second"] for t in p["timings"]}
assert p["chosen"] == ("bf16" if speed["bf16"] >= 1.10 * speed["fp32"] else "fp32"), p
PY
# A second call reads the cache; with its timings made to favour the other precision, it follows them.
cache="$(probe_field "$manifest" cache_path)"
/usr/bin/python3 - "$cache" "$want" <<'PY'
import json, sys
record = json.load(open(sys.argv[1]))
for t in record["timings"]:  # the precision not picked becomes twice as fast as the one picked
    t["train_images_per_second"] = 200.0 if t["precision"] != sys.argv[2] else 100.0
json.dump(record, open(sys.argv[1], "w"))
PY
if [[ $want == bf16 ]]; then other=fp32; else other=bf16; fi
auto_run auto2 >/dev/null 2>"$TEST_TMPDIR/auto2.log" || { cat "$TEST_TMPDIR/auto2.log"; fail "cached auto run"; }
grep -q "auto picked $other: .* from the cache" "$TEST_TMPDIR/auto2.log" || fail "the cached timings were not used: $(grep auto "$TEST_TMPDIR/auto2.log")"
all_equal "$TEST_TMPDIR/auto2/q3_history.csv" precision "$other"
echo garbage >"$cache"
expect_failure "$cache: not a precision probe record" auto_run auto3
[[ ! -e "$TEST_TMPDIR/auto3" ]] || fail "a refused auto run wrote its folder"
if [[ ! -e /dev/nvidia0 ]]; then  # no GPU: --device=cuda is refused before anything is written
  expect_failure "--device=cuda: " experiments/q3_train_cnn --out_dir="$TEST_TMPDIR/cuda" --device=cuda
  [[ ! -e "$TEST_TMPDIR/cuda" ]] || fail "--device=cuda without CUDA wrote its folder"
fi
grep -q '"openmp_wait": "OMP_WAIT_POLICY=PASSIVE"' "$out/q3_train_cnn.manifest.json" \
  || fail "--precision=fp32 did not wait passively"

# A second run (BN arm) lands beside the first in the same CSVs.
run --epochs=2 --batchnorm >/dev/null 2>&1
[[ $(rows "$out/q3_history.csv") -eq 4 ]] || fail "BN run rows"
[[ $(rows "$out/q3_final_metrics.csv") -eq 2 ]] || fail "final metrics rows"
all_equal "$out/q3_final_metrics.csv" train_images 64  # what each run trained on, a column the report reads
grep -q '"train_images": 64' "$out/q3_train_cnn.manifest.json" || fail "manifest lacks the run's train_images"

# Another network: its id, its own summary file, one row per run in the architecture search.
run --epochs=1 --widths=8,8,16,16 --dropout=0,0,0 >/dev/null 2>"$TEST_TMPDIR/log_w"
wid="$(sed -n 's/^run \([^:]*\): .*/\1/p' "$TEST_TMPDIR/log_w")"
[[ "$wid" == baseline_lr0.0001_seed0_fp32_t1_e1_train64_test32*_w8-8-16-16_d0-0-0 ]] || fail "run id '$wid'"
grep -q "Total params: $((3*8*9+8 + 8*8*9+8 + 8*16*9+16 + 16*16*9+16 + 16*36*512+512 + 5130))" "$TEST_TMPDIR/log_w" \
  || fail "summary of the narrow network"
[[ -s "$out/q3_model_summary_w8-8-16-16_d0-0-0.csv" ]] || fail "no summary file of the narrow network"
search="$out/q3_architecture_search.csv"
[[ "$(head -1 "$search")" == "run_id,widths,dropout,params,lr_multiplier,seed,final_train_acc,final_train_acc_eval,final_val_acc,best_val_acc,val_majority_class_share,collapsed,diverged,precision,wall_seconds" ]] \
  || fail "architecture search header"
[[ $(rows "$search") -eq 3 ]] || fail "architecture search rows"
grep -q "^$wid,\"8,8,16,16\",\"0,0,0\",$((3*8*9+8 + 8*8*9+8 + 8*16*9+16 + 16*16*9+16 + 16*36*512+512 + 5130)),1,0," "$search" \
  || fail "narrow network's row: $(grep "^$wid" "$search")"
grep -q "^$id,\"32,32,64,64\",\"0.25,0.25,0.5\",1250858,1,0," "$search" || fail "the Keras example's row"
expect_failure "--widths=8,8,16: expected the four conv layers' channels" run --widths=8,8,16

# Bad input: a clear message naming the flag or the file, non-zero exit, nothing lost.
before="$(cat "$out/q3_history.csv")"
expect_failure "--precision=fp16" run --precision=fp16
expect_failure "--batch_size=0" run --batch_size=0
expect_failure "CIFAR-10 not found in $TEST_TMPDIR/nowhere" run --data_dir="$TEST_TMPDIR/nowhere"
mkdir -p "$TEST_TMPDIR/broken" && cp "$FIXTURE"/* "$TEST_TMPDIR/broken/" && truncate -s 100 "$TEST_TMPDIR/broken/data_batch_4.bin"
expect_failure "data_batch_4.bin: size 100 bytes is not a multiple" run --data_dir="$TEST_TMPDIR/broken"
expect_failure "data_batch_1.bin: 40 records, the official CIFAR-10 files hold 10000 each" run --nopartial_data
expect_failure "--lr=inf: must be a finite number" run --lr=inf
# The same run id on another copy of the data: refused, not replaced.
mkdir -p "$TEST_TMPDIR/other" && cp "$FIXTURE"/* "$TEST_TMPDIR/other/"
printf '\x01' | dd of="$TEST_TMPDIR/other/test_batch.bin" bs=1 seek=2000 conv=notrunc status=none
expect_failure "was made with another data_md5" run --epochs=2 --data_dir="$TEST_TMPDIR/other"
[[ "$(cat "$out/q3_history.csv")" == "$before" ]] || fail "a failed run changed the history"
echo "PASS"
