#!/usr/bin/env bash
# The Q1 and Q2 binaries write their CSVs and manifests, and their claims hold.
source tests/experiments/testlib.sh
out="$TEST_TMPDIR/math"

experiments/q1_conv1x1 --out_dir="$out" --num_inputs=4 >/dev/null
[[ "$(column "$out/q1_conv1x1.csv" equivalent)" == "$(column "$out/q1_conv1x1.csv" predicted)" ]] \
  || fail "equivalent != predicted in q1_conv1x1.csv"
[[ $(rows "$out/q1_conv1x1.csv") -ge 10 ]] || fail "too few Q1 cases"
grep -q '"experiment": "q1_conv1x1"' "$out/q1_conv1x1.manifest.json" || fail "no Q1 manifest"
expect_failure "--num_inputs" experiments/q1_conv1x1 --out_dir="$out" --num_inputs=0

experiments/q2_convexity --out_dir="$out" --jensen_segments=5 >/dev/null
all_equal "$out/q2_hessian_checks.csv" psd true
all_equal "$out/q2_hessian_checks.csv" jensen_violations 0
all_equal "$out/q2_symbolic_proof.csv" holds true
# The helper itself fails on a missing column and on a differing value (run in subshells).
! (all_equal "$out/q2_hessian_checks.csv" no_such_column true) 2>/dev/null || fail "all_equal passed a missing column"
! (all_equal "$out/q2_derivation_steps.csv" holds true) 2>/dev/null || fail "all_equal passed a 'false'"
[[ "$(column "$out/q2_derivation_steps.csv" holds | tr '\n' ' ')" == \
   "true n/a true false true true true n/a true false true true n/a true true true " ]] \
  || fail "derivation verdicts changed: $(column "$out/q2_derivation_steps.csv" holds | tr '\n' ' ')"
echo "PASS"
