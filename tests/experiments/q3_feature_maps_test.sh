#!/usr/bin/env bash
# q3_feature_maps on weights from a short q3_train_cnn run on the fixture:
# four CSVs for 3 layers × 3 channels × 2 images; clear errors for bad weights.
source tests/experiments/testlib.sh
out="$TEST_TMPDIR/fm"
experiments/q3_train_cnn --data_dir="$FIXTURE" --partial_data --out_dir="$out" --epochs=1 --train_limit=64 --test_limit=32 \
  --threads=1 --precision=fp32 >/dev/null 2>&1
weights="$(ls "$out"/weights/baseline_lr0.0001_seed0_fp32_t1_e1_train64_test32*.pt)"  # _torch2.* with LibTorch 2
maps() { experiments/q3_feature_maps --data_dir="$FIXTURE" --partial_data --out_dir="$out" --num_images=20 --evidence_images=50 \
           --threads=1 "$@"; }

maps --weights="$weights" >/dev/null
for f in q3_feature_maps q3_top_activations q3_feature_images q3_sanity; do
  [[ -s "$out/$f.csv" ]] || fail "$f.csv missing"
done
# Homework variant: 3 layers × 3 channels × 2 images, each a full map (32², 30², 13² cells).
homework=$(column "$out/q3_feature_maps.csv" method | grep -c '^homework$')
[[ $homework -eq $(( 3 * 2 * (32*32 + 30*30 + 13*13) )) ]] || fail "homework map cells: $homework"
[[ $(column "$out/q3_feature_maps.csv" method | grep -c '^gradcam$') -gt 0 ]] || fail "no Grad-CAM maps"
[[ $(rows "$out/q3_sanity.csv") -ge 18 ]] || fail "sanity rows"
[[ $(rows "$out/q3_top_activations.csv") -eq $(( 3 * 3 * 4 )) ]] || fail "top activation rows"
[[ "$(column "$out/q3_top_activations.csv" rf_size | sort -un | tr '\n' ' ')" == "3 5 14 " ]] || fail "receptive fields"

maps --weights="$weights" --channels='3,8,26;3,17,29;25,51,55' >/dev/null
[[ "$(column "$out/q3_feature_maps.csv" channel | sort -un | tr '\n' ' ')" == "-1 3 8 17 25 26 29 51 55 " ]] || fail "--channels ignored"

expect_failure "weights file does not exist" maps --weights="$out/nope.pt"
expect_failure "weights of another network (this is the BatchNorm network" maps --weights="$weights" --batchnorm
# BatchNorm weights without --batchnorm: refused (they used to load into the baseline, exit 0).
experiments/q3_train_cnn --data_dir="$FIXTURE" --partial_data --out_dir="$out" --epochs=1 --train_limit=64 --test_limit=32 \
  --threads=1 --precision=fp32 --batchnorm >/dev/null 2>&1
expect_failure "the file has bn1.bias" maps --weights="${weights/baseline/bn}"
echo "not weights" >"$out/garbage.pt"
expect_failure "garbage.pt: not a weights file" maps --weights="$out/garbage.pt"
expect_failure "--weights is required" maps
expect_failure "--channels=40: cannot read '40': must be 0-31 (layer 1 has 32 channels)" maps --weights="$weights" --channels='40;1;1'
expect_failure "--layers=1,5: cannot read '5': must be 1-4" maps --weights="$weights" --layers=1,5
echo "PASS"
