#!/usr/bin/env bash
# Installs the Debian 12 packages hw1-repro builds, tests and runs with.
# Idempotent: when everything is present it only checks (well under 5 s).
# Usage: third_party/install_deps.sh [--check]   (--check: report, install nothing)
set -euo pipefail

# One line per package: why it is here is in README.md ("Dependencies").
PACKAGES=(
  bazel-bootstrap        # Bazel 4.2.3, the build
  bazel-platforms        # @platforms for Bazel, offline
  pkg-config             # link flags for the system libraries (third_party/system_library.bzl)
  g++
  libtorch-dev           # LibTorch 1.13.1, CPU with oneDNN: models and training
  libabsl-dev            # Abseil: Status, StrFormat, StrSplit, Time
  libeigen3-dev          # Eigen: the Q1/Q2 linear algebra
  libgtest-dev           # GoogleTest
  libgmock-dev           # GoogleMock matchers
  libbenchmark-dev       # Google Benchmark
  libgflags-dev          # command-line flags (also what LibTorch's c10 uses)
  nlohmann-json3-dev     # JSON for run manifests
  libginac-dev           # GiNaC: the symbolic Q2 proof
  libcurl4-openssl-dev   # libcurl: CIFAR-10 download
  libarchive-dev         # libarchive: unpacking the CIFAR-10 tarball
  libssl-dev             # OpenSSL libcrypto: MD5 checksums
  libopenblas0-pthread   # an optimised BLAS behind LibTorch's dense layers
  python3-matplotlib     # figures (analysis/)
  python3-numpy
  python3-scipy          # Fisher's exact test (analysis/stability.py)
  python3-statsmodels    # the logistic fit of collapse against log(lr) (analysis/stability.py)
  python3-torch          # the Python baseline for the training benchmark; pth_export_test's oracle
  clang-format           # formatting and lint, checked by every package's :lint test (tools/lint):
  black                  #   C++ (clang-format), Python (black, flake8)
  flake8
  slurmctld              # Slurm 22.05: the sweep's job-array scripts (tools/slurm), tested on a
  slurmd                 #   one-node cluster the test starts itself
  slurm-client
  munge                  # Slurm's authentication
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if [[ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null)" != installed ]]; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install_deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install_deps: missing: ${missing[*]}"
if [[ "${1:-}" == --check ]]; then
  exit 1
fi

SUDO=()
if [[ "$(id -u)" -ne 0 ]]; then
  if command -v sudo >/dev/null; then
    SUDO=(sudo)
  else
    echo "install_deps: not root and no sudo; install as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
if ! "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"; then
  echo "install_deps: apt-get install failed; refreshing the package lists and trying again" >&2
  if ! { "${SUDO[@]}" apt-get update -q && \
         "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"; }; then
    echo "install_deps: could not install: ${missing[*]}" >&2
    echo "install_deps: this needs Debian 12 (bookworm) package sources; see README.md" >&2
    exit 1
  fi
fi
echo "install_deps: installed ${missing[*]}"
