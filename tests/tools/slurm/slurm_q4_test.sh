#!/usr/bin/env bash
# The Q4 sweep on a real (one-node) Slurm cluster, end to end: tools/slurm/submit_q4.sh submits a
# job array of 4 shards and a merge job for a tiny grid on the CIFAR-10 fixture; the merged CSVs
# must equal, row for row, those of the same grid run unsharded without Slurm. Then one array
# element is cancelled mid-run (scancel) and resubmitted: the merge must still be the same.
# The cluster (munged, slurmctld, slurmd on localhost) lives in $TEST_TMPDIR and is stopped, by
# PID, whatever happens. Needs root (the daemons) and Debian's slurmctld, slurmd, slurm-client,
# munge (third_party/install_deps.sh).
source tests/experiments/testlib.sh

for tool in munged slurmctld slurmd sbatch squeue scancel; do
  command -v "$tool" >/dev/null || fail "$tool not found; run third_party/install_deps.sh"
done
[[ $(id -u) -eq 0 ]] || fail "the Slurm test starts munged and slurmd, which need root"

binary="$PWD/experiments/q4_bn_sweep"
submit="$PWD/tools/slurm/submit_q4.sh"
fixture="$PWD/$FIXTURE"
root="$(mktemp -d "${TEST_TMPDIR:-/tmp}/slurm.XXXXXX")"
mkdir -p "$root"/{munge,log}
# Unix socket paths may not exceed 108 bytes and Bazel's TEST_TMPDIR can: munge's socket and
# Slurm's spool (slurmstepd makes sockets there) get a short folder, removed at the end.
short="$(mktemp -d /tmp/hw1slurm.XXXXXX)"
mkdir -p "$short"/{state,spool}

pids=()
stop_cluster() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$short"
}
trap stop_cluster EXIT

# munge: a key of our own, a socket in the test folder.
dd if=/dev/urandom of="$root/munge/munge.key" bs=1024 count=1 status=none
chmod 0400 "$root/munge/munge.key"
munged --force --key-file="$root/munge/munge.key" --socket="$short/munge.socket" \
  --pid-file="$root/munge/munged.pid" --log-file="$root/log/munged.log" --seed-file="$root/munge/seed"
pids+=("$(cat "$root/munge/munged.pid")")

# Ports of our own, so that a cluster already on this machine is not disturbed.
base=$((20000 + RANDOM % 20000))
cat >"$root/slurm.conf" <<EOF
ClusterName=hw1test
SlurmctldHost=localhost
SlurmctldPort=$base
SlurmdPort=$((base + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$short/munge.socket
StateSaveLocation=$short/state
SlurmdSpoolDir=$short/spool
SlurmctldPidFile=$root/slurmctld.pid
SlurmdPidFile=$root/slurmd.pid
SlurmctldLogFile=$root/log/slurmctld.log
SlurmdLogFile=$root/log/slurmd.log
ProctrackType=proctrack/pgid
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
SchedulerParameters=defer_batch
MinJobAge=600
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
EOF
export SLURM_CONF="$root/slurm.conf"
slurmctld -f "$SLURM_CONF" -i
slurmd -f "$SLURM_CONF" -N localhost
for _ in $(seq 100); do [[ -s "$root/slurmctld.pid" && -s "$root/slurmd.pid" ]] && break; sleep 0.1; done
pids+=("$(cat "$root/slurmctld.pid")" "$(cat "$root/slurmd.pid")")
for _ in $(seq 100); do sinfo -h -o %T 2>/dev/null | grep -q idle && break; sleep 0.2; done
sinfo -h -o %T | grep -q idle || fail "the node did not come up: $(tail -5 "$root/log/slurmd.log" "$root/log/slurmctld.log")"

# wait_for JOB_ID...: until none of them is pending or running (at most 3 minutes).
wait_for() {
  for _ in $(seq 360); do
    [[ -z "$(squeue -h -j "$(IFS=,; echo "$*")" -o %i 2>/dev/null)" ]] && return 0
    sleep 0.5
  done
  fail "jobs $* still queued: $(squeue -o '%i %T %r'; tail -20 "$root/log/slurmctld.log" "$root/log/slurmd.log")"
}

# states JOB_ID...: each job's and array element's final state, as the controller reports it.
states() {
  local id
  for id in "$@"; do
    scontrol -o show job "$id" | sed -n 's/.*JobId=\([0-9]*\) .*ArrayJobId=\([0-9]*\) ArrayTaskId=\([0-9]*\).*JobState=\([A-Z_]*\).*/  job \2_\3: \4/p; s/.*JobId=\([0-9]*\) JobName=\([a-z0-9_]*\).*JobState=\([A-Z_]*\).*Dependency=\([^ ]*\).*/  job \1 (\2): \3/p' | sort -u
  done
}

# The same tiny grid as the sweep's own tests: 2 arms x 2 multipliers on the fixture.
grid=(--data_dir="$fixture" --partial_data --nodownload --arms=baseline,bn --lr_multipliers=1,5 --train_limit=64
      --test_limit=32 --precision=fp32)
# Rows of a CSV without the timing columns, sorted: what must agree.
results() {
  /usr/bin/python3 - "$1" <<'PY'
import csv, sys
timing = {"seconds", "images_per_second", "wall_seconds"}
rows = list(csv.DictReader(open(sys.argv[1])))
keep = [c for c in rows[0] if c not in timing] if rows else []
for line in sorted(",".join(r[c] for c in keep) for r in rows):
    print(line)
PY
}
compare() {  # compare MERGED_DIR REFERENCE_DIR
  local name
  for name in q4_summary.csv q4_history.csv q4_collapse.csv; do
    [[ -s "$1/$name" ]] || fail "$1/$name missing ($(cat "$2/../logs/merge.log" 2>/dev/null))"
    diff <(results "$1/$name") <(results "$2/$name") >&2 || fail "$name of the Slurm merge differs from the unsharded run"
  done
}

# 1. The whole array, then the merge.
"$binary" "${grid[@]}" --epochs=1 --threads=1 --jobs=1 --out_dir="$root/unsharded1" >/dev/null
ids="$("$submit" --shards=4 --threads=1 --out="$root/q4" --binary="$binary" -- "${grid[@]}" --epochs=1)"
array_id="$(sed -n 's/^array //p' <<<"$ids")"
merge_id="$(sed -n 's/^merge //p' <<<"$ids")"
[[ -n "$array_id" && -n "$merge_id" ]] || fail "submit_q4.sh printed '$ids'"
echo "submitted: array $array_id (4 shards), merge $merge_id (afterok:$array_id)"
wait_for "$array_id" "$merge_id"
states "$array_id" "$merge_id"
[[ $(rows "$root/q4/merged/q4_summary.csv") -eq 4 ]] || fail "merged summary: $(cat "$root/q4/logs/"*.log)"
compare "$root/q4/merged" "$root/unsharded1"
echo "merge check 1: q4_summary.csv ($(rows "$root/q4/merged/q4_summary.csv") rows), q4_history.csv" \
  "($(rows "$root/q4/merged/q4_history.csv") rows) and q4_collapse.csv equal the unsharded grid's (timings aside)"

# 2. Element 1 cancelled after its first epoch's checkpoint, resubmitted alone: the same merge.
# All 200 fixture images and 6 epochs: long enough (seconds) to be caught mid-run.
long=("${grid[@]}" --train_limit=200 --epochs=6)
"$binary" "${long[@]}" --threads=1 --jobs=1 --out_dir="$root/unsharded6" >/dev/null
ids="$("$submit" --shards=4 --threads=1 --out="$root/q4k" --binary="$binary" -- "${long[@]}")"
array_id="$(sed -n 's/^array //p' <<<"$ids")"
merge_id="$(sed -n 's/^merge //p' <<<"$ids")"
for _ in $(seq 600); do
  compgen -G "$root/q4k/shard_1/checkpoints/q4_bn_sweep/*.ckpt" >/dev/null && break
  [[ -s "$root/q4k/shard_1/q4_summary.csv" ]] && fail "shard 1 finished before it could be cancelled"
  sleep 0.05
done
scancel "${array_id}_1"
echo "submitted: array $array_id, merge $merge_id; cancelled ${array_id}_1 after its first checkpoint"
wait_for "$array_id" "$merge_id"  # the merge's dependency can no longer be met: it is cancelled
states "$array_id" "$merge_id"
[[ ! -e "$root/q4k/merged/q4_summary.csv" ]] || fail "merged although shard 1 was cancelled"
grep -q "epoch 1/6" "$root/q4k/logs/shard_1.log" || fail "shard 1 was not cancelled mid-run: $(cat "$root/q4k/logs/shard_1.log")"
ids="$("$submit" --shards=4 --threads=1 --only=1 --out="$root/q4k" --binary="$binary" -- "${long[@]}")"
again="$(sed -n 's/^array //p' <<<"$ids")" merge_again="$(sed -n 's/^merge //p' <<<"$ids")"
echo "resubmitted: element 1 as array $again, merge $merge_again"
wait_for "$again" "$merge_again"
states "$again" "$merge_again"
grep -q "resumes from checkpoint" "$root/q4k/logs/shard_1.log" || fail "shard 1 did not resume: $(cat "$root/q4k/logs/shard_1.log")"
compare "$root/q4k/merged" "$root/unsharded6"
echo "merge check 2: after the cancel and the resubmission (which resumed from its checkpoint), the three" \
  "CSVs equal the unsharded grid's"

stop_cluster
trap - EXIT
for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && fail "daemon $pid still running"; done
[[ ! -e "$short" ]] || fail "$short left behind"
echo "stopped munged, slurmctld, slurmd (pids ${pids[*]}): none running; $short removed"
echo "PASS"
