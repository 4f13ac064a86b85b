#!/usr/bin/env bash
# Installs LibTorch 2 (the C++ half of PyTorch's `torch` wheel from PyPI, pinned and
# hash-checked in third_party/libtorch2/requirements.txt) for `bazel ... --config=libtorch2`.
#
#   third_party/install_libtorch2.sh          # install (idempotent; ~1 min with pip's cache)
#   bazel test --config=libtorch2 //...       # then build and test against it
#   third_party/install_libtorch2.sh --python # also Python PyTorch from the same wheel (+ 530 MB,
#                                             # python_requirements.txt); run it as <cache>/python
#
# Where it goes: a virtual environment owned by the project, under
# ${XDG_CACHE_HOME:-~/.cache}/hw1-repro/libtorch-<version>/venv (never the system Python), and
# a prefix beside it whose lib/ holds only the CPU libraries. The wheel is a CUDA build;
# linking its libtorch.so would pull in libtorch_cuda.so and all of CUDA, so the prefix
# exposes libtorch_cpu.so and libc10.so (and the libgomp and CUDA runtime stubs they name).
# The Bazel settings go to <workspace>/libtorch2.bazelrc (not committed; .bazelrc imports it).
set -euo pipefail

TORCH_VERSION=2.15.0
workspace="$(cd "$(dirname "$0")/.." && pwd)"
requirements="$workspace/third_party/libtorch2/requirements.txt"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/hw1-repro/libtorch-$TORCH_VERSION"
venv="$cache/venv"
prefix="$cache/prefix"
python=/usr/bin/python3  # Debian's: the wheel is cp311, and venvs must not depend on PATH

if [[ ! -x "$python" ]]; then
  echo "install_libtorch2: $python not found; run third_party/install_deps.sh first" >&2
  exit 1
fi
if [[ ! -x "$venv/bin/python" ]]; then
  "$python" -m venv "$venv"
fi
site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
installed="$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("torch"))' 2>/dev/null || true)"
if [[ "$installed" != "$TORCH_VERSION" ]]; then
  echo "install_libtorch2: installing torch==$TORCH_VERSION (a 540 MB wheel) into $venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes \
    -r "$requirements"
fi

torch="$site/torch"
for f in "$torch/include/torch/csrc/api/include/torch/all.h" "$torch/lib/libtorch_cpu.so" "$torch/lib/libc10.so" \
         "$site/nvidia/cu13/lib/libcudart.so.13" "$site/nvidia/cu13/lib/libcupti.so.13"; do
  if [[ ! -e "$f" ]]; then
    echo "install_libtorch2: $f missing after the install; delete $cache and run again" >&2
    exit 1
  fi
done

# The prefix: include/ and a lib/ of the CPU libraries only (symlinks into the venv).
rm -rf "$prefix.tmp"
mkdir -p "$prefix.tmp/lib"
ln -s "$torch/include" "$prefix.tmp/include"
for lib in "$torch/lib/libtorch_cpu.so" "$torch/lib/libc10.so" "$torch/lib/libgomp.so.1" \
           "$site/nvidia/cu13/lib/libcudart.so.13" "$site/nvidia/cu13/lib/libcupti.so.13"; do
  ln -s "$lib" "$prefix.tmp/lib/$(basename "$lib")"
done
rm -rf "$prefix"
mv "$prefix.tmp" "$prefix"

if [[ "${1:-}" == --python ]]; then
  toolkit=/usr/local/cuda/lib64
  if [[ ! -d "$toolkit" ]]; then
    echo "install_libtorch2: --python needs the CUDA toolkit's libraries in $toolkit (the wheel's" \
         "libtorch_cuda.so loads them at import; nothing of CUDA runs)" >&2
    exit 1
  fi
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes \
    -r "$workspace/third_party/libtorch2/python_requirements.txt"
  cat > "$cache/python.tmp" <<EOF
#!/bin/sh
# Python PyTorch $TORCH_VERSION (third_party/install_libtorch2.sh --python).
LD_LIBRARY_PATH=$toolkit\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH} exec "$venv/bin/python" "\$@"
EOF
  chmod +x "$cache/python.tmp"
  mv "$cache/python.tmp" "$cache/python"
  if ! version="$("$cache/python" -c 'import torch; print(torch.__version__)' 2>&1 | tail -1)"; then
    echo "install_libtorch2: import torch failed with $cache/python: $version" >&2
    exit 1
  fi
  echo "install_libtorch2: Python PyTorch $version as $cache/python"
fi

rc="$workspace/libtorch2.bazelrc"
cat > "$rc.tmp" <<EOF
# Written by third_party/install_libtorch2.sh; not committed. Selects LibTorch $TORCH_VERSION
# (PyPI's torch wheel, CPU libraries only) with: bazel build|test|run --config=libtorch2 ...
build:libtorch2 --repo_env=LIBTORCH_HOME=$prefix
# LibTorch 2 headers require C++20 (torch/csrc/api/include/torch/all.h).
build:libtorch2 --cxxopt=-std=c++20 --host_cxxopt=-std=c++20
EOF
mv "$rc.tmp" "$rc"
echo "install_libtorch2: LibTorch $TORCH_VERSION in $prefix; build with --config=libtorch2"
