#!/usr/bin/env bash
# Checks that each file given is formatted and lint-free: C++ with clang-format (.clang-format),
# Python with black (pyproject.toml) and flake8 (.flake8), all from the repository root. Prints
# the command that fixes each file. Run by every package's `:lint` test (tools/lint/lint.bzl).
set -uo pipefail
status=0
for file in "$@"; do
  case "$file" in
    *.cc | *.h)
      if ! clang-format --dry-run --Werror "$file" >/dev/null 2>&1; then
        echo "not formatted: $file (fix: clang-format -i $file)"
        clang-format "$file" | diff -u "$file" - | head -20
        status=1
      fi
      ;;
    *.py)
      if ! black --check -q --config pyproject.toml "$file" 2>/dev/null; then
        echo "not formatted: $file (fix: black $file)"
        status=1
      fi
      if ! flake8 --config .flake8 "$file"; then
        echo "lint: $file (flake8, above)"
        status=1
      fi
      ;;
    *) echo "lint_test.sh: no linter for $file"; status=1 ;;
  esac
done
[[ $status -eq 0 ]] && echo "PASS: $# files formatted and lint-free"
exit $status
