#!/usr/bin/env bash
# The mutation check (tools/mutation/mutate.py): each listed edit applied to a scratch copy, its
# tests run with Bazel, the score and the survivors printed. Arguments go to mutate.py.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec /usr/bin/python3 "$here/mutate.py" "$@"
