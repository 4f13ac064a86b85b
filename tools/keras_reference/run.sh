#!/usr/bin/env bash
# Runs the Keras reference (keras_reference.py) with the project's own pinned TensorFlow,
# installing it first if needed (third_party/install_keras_reference.sh). Arguments go to the script.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python="$("$here/../../third_party/install_keras_reference.sh" | tail -n 1)"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"  # TensorFlow's start-up chatter (no GPU, oneDNN notes)
exec "$python" "$here/keras_reference.py" "$@"
