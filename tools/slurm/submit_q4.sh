#!/usr/bin/env bash
# Submits the Q4 sweep to Slurm: a job array over shards (one shard per element) and a merge
# job that runs when every element has succeeded. Prints the two job ids.
#
#   tools/slurm/submit_q4.sh --shards=8 --threads=4 --out=/shared/hw1/q4 -- --seeds=0,1,2 --data_dir=/shared/cifar
#
# --shards=N       array elements (default 4); run k of the plan belongs to shard k mod N
# --threads=T      threads per element (default 1); the run ids name it, so keep it fixed
# --out=DIR        a folder every node sees; shards go to DIR/shard_<i>, the merge to DIR/merged
# --binary=PATH    q4_bn_sweep (default: bazel-bin/experiments/q4_bn_sweep of this workspace;
#                  build it first with `bazel build //experiments:q4_bn_sweep`)
# --only=i,j       resubmit just these array elements (e.g. one that was cancelled), then merge
# --sbatch="..."   more sbatch options for both jobs, e.g. "--partition=cpu --account=lab"
# after --          flags for q4_bn_sweep itself (seeds, data folder, profile, precision …)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
workspace="$(cd "$here/../.." && pwd)"
shards=4 threads=1 out="" binary="$workspace/bazel-bin/experiments/q4_bn_sweep" only="" extra_sbatch=""
usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --shards=*) shards="${1#*=}" ;;
    --threads=*) threads="${1#*=}" ;;
    --out=*) out="${1#*=}" ;;
    --binary=*) binary="${1#*=}" ;;
    --only=*) only="${1#*=}" ;;
    --sbatch=*) extra_sbatch="${1#*=}" ;;
    --) shift; break ;;
    -h|--help) usage ;;
    *) echo "submit_q4: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ "$shards" =~ ^[1-9][0-9]*$ ]] || { echo "submit_q4: --shards=$shards: expected a count >= 1" >&2; exit 2; }
[[ "$threads" =~ ^[1-9][0-9]*$ ]] || { echo "submit_q4: --threads=$threads: expected a count >= 1" >&2; exit 2; }
[[ -n "$out" ]] || { echo "submit_q4: --out=DIR is required (a folder every node sees)" >&2; exit 2; }
[[ -x "$binary" ]] || { echo "submit_q4: --binary=$binary: not an executable; bazel build //experiments:q4_bn_sweep" >&2; exit 2; }
mkdir -p "$out/logs"
out="$(cd "$out" && pwd)"
array="0-$((shards - 1))"
[[ -z "$only" ]] || array="$only"

export Q4_BINARY="$binary" Q4_OUT="$out" Q4_NUM_SHARDS="$shards" Q4_THREADS="$threads"
# shellcheck disable=SC2086  # extra_sbatch is a list of options
array_id="$(sbatch --parsable --export=ALL --array="$array" --cpus-per-task="$threads" $extra_sbatch \
  --output="$out/logs/shard_%a.log" "$here/q4_shard.sbatch" "$@")"
array_id="${array_id%%;*}"
# shellcheck disable=SC2086
merge_id="$(sbatch --parsable --export=ALL --dependency="afterok:$array_id" --kill-on-invalid-dep=yes $extra_sbatch \
  --output="$out/logs/merge.log" "$here/q4_merge.sbatch")"
merge_id="${merge_id%%;*}"
echo "array $array_id"
echo "merge $merge_id"
