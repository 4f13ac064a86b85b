# Helpers for the experiment end-to-end tests (sourced).
set -euo pipefail

fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_failure "<substring>" cmd...: the command exits non-zero and says <substring>.
expect_failure() {
  local want="$1"; shift
  local message
  if message="$("$@" 2>&1)"; then fail "expected failure: $*"; fi
  grep -qF -- "$want" <<<"$message" || fail "message of '$*' lacks '$want': $message"
}

# column CSV NAME: the values of a column, one per line.
column() {
  /usr/bin/python3 -c 'import csv,sys; [print(r[sys.argv[2]]) for r in csv.DictReader(open(sys.argv[1]))]' "$1" "$2"
}

# all_equal CSV NAME VALUE: the column exists, has at least one row, and every value is VALUE.
all_equal() {
  local values
  values="$(column "$1" "$2")" || fail "$1 has no column '$2'"
  [[ -n "$values" ]] || fail "$1 has no rows"
  local other
  other="$(grep -vxF -- "$3" <<<"$values" || true)"
  [[ -z "$other" ]] || fail "$1: column $2 is not all '$3': $(tr '\n' ' ' <<<"$other")"
}

rows() { echo $(( $(wc -l <"$1") - 1 )); }

# history_metrics DIR: DIR/q4_history.csv without its timing columns (seconds, images_per_second),
# one sorted line per row: what two runs of one configuration must agree on exactly.
history_metrics() {
  /usr/bin/python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
if rows and not {"seconds", "images_per_second"} <= rows[0].keys():
    sys.exit(f"{sys.argv[1]}: no timing columns to leave out; the history header changed")
print("\n".join(sorted(",".join(v for k, v in r.items() if k not in ("seconds", "images_per_second")) for r in rows)))
' "$1/q4_history.csv"
}

FIXTURE="tests/data/cifar10_fixture"
