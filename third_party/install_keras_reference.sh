#!/usr/bin/env bash
# Installs the Keras reference's Python packages (TensorFlow 2.21 and tf-keras 2.21, pinned and
# hash-checked in third_party/keras_reference/requirements.txt) for tools/keras_reference.
#
#   third_party/install_keras_reference.sh        # install (idempotent; ~2 GB, a minute or two with pip's cache)
#   tools/keras_reference/run.sh --help           # then run the reference
#
# Where it goes: a virtual environment owned by the project,
# ${XDG_CACHE_HOME:-~/.cache}/hw1-repro/keras-<version>/venv, made with Debian's /usr/bin/python3
# (never the Python first on PATH). Prints the venv's python on its last line.
set -euo pipefail

VERSION=2.21.0  # tensorflow and tf-keras
workspace="$(cd "$(dirname "$0")/.." && pwd)"
requirements="$workspace/third_party/keras_reference/requirements.txt"
venv="${XDG_CACHE_HOME:-$HOME/.cache}/hw1-repro/keras-$VERSION/venv"
python=/usr/bin/python3  # the wheels are cp311

if [[ ! -x "$python" ]]; then
  echo "install_keras_reference: $python not found; run third_party/install_deps.sh first" >&2
  exit 1
fi
if [[ ! -x "$venv/bin/python" ]]; then
  "$python" -m venv "$venv"
fi
installed="$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("tensorflow"), m.version("tf_keras"))' \
  2>/dev/null || true)"
if [[ "$installed" != "$VERSION $VERSION" ]]; then
  echo "install_keras_reference: installing tensorflow and tf-keras $VERSION into $venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes \
    -r "$requirements"
fi
echo "$venv/bin/python"
