"""Migrates a results folder to run ids that name the thread count.

Run ids gained `_t<threads>` after the precision (lib/train/history.h,
MakeRunId): the thread count changes a run's numbers, and runs trained with
`q4_bn_sweep --jobs=2` on two cores have one thread where the committed ones
had two, so without it two different runs would share an id.

    /usr/bin/python3 -m tools.migrate.migrate_run_ids reports/data   # from the repository root

Rewrites, for every run whose id lacks the thread count: the `run_id` column of
every CSV, runs/<id>.json (name, run_id, signature), the `runs` of every
manifest (keys, checkpoint paths, weights paths and command lines), and the
names of weights and checkpoint files. A run's threads come from its own
record (the sweep's signature, a manifest's `threads`, q3's `threads` column);
a run whose threads are not recorded anywhere stops the migration before
anything is written. Idempotent: ids that already name their threads are left.
Each manifest touched lists the migration under "migrations".
"""

import csv
import io
import json
import os
import re
import sys

from tools.migrate.write_all import write_all

OLD_ID = re.compile(
    r"^(?P<head>(?:baseline|bn)_lr[0-9.e+-]+_seed\d+_(?:bf16|fp32))(?P<tail>(?:_e\d+)?(?:_train\d+)?(?:_test\d+)?)$"
)
NOTE = "run ids gained _t<threads> (tools/migrate/migrate_run_ids.py)"


class MigrationError(Exception):
    pass


def new_id(old, threads):
    m = OLD_ID.match(old)
    return f"{m['head']}_t{threads}{m['tail']}"


def _threads_seen(folder):
    """old run id -> set of thread counts recorded for it anywhere in `folder`."""
    seen = {}

    def note(run_id, threads):
        if OLD_ID.match(run_id) and threads not in (None, "", "?"):
            seen.setdefault(run_id, set()).add(int(threads))

    runs_dir = os.path.join(folder, "runs")
    if os.path.isdir(runs_dir):
        for name in os.listdir(runs_dir):
            if name.endswith(".json"):
                record = json.load(open(os.path.join(runs_dir, name)))
                m = re.search(r"\bthreads=(\d+)", record.get("signature", ""))
                note(record["run_id"], m and m.group(1))
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        if name.endswith(".manifest.json"):
            for run_id, run in (json.load(open(path)).get("runs") or {}).items():
                note(run_id, run.get("threads"))
        elif name.endswith(".csv"):
            for row in csv.DictReader(open(path, newline="")):
                if "run_id" in row and "threads" in row:
                    note(row["run_id"], row["threads"])
    return seen


def _ids_in_use(folder):
    ids = set()
    for name in os.listdir(folder):
        if name.endswith(".csv"):
            for row in csv.DictReader(open(os.path.join(folder, name), newline="")):
                if row.get("run_id"):
                    ids.add(row["run_id"])
        elif name.endswith(".manifest.json"):
            ids.update((json.load(open(os.path.join(folder, name))).get("runs") or {}).keys())
    runs_dir = os.path.join(folder, "runs")
    if os.path.isdir(runs_dir):
        ids.update(n[:-5] for n in os.listdir(runs_dir) if n.endswith(".json"))
    return {i for i in ids if OLD_ID.match(i)}


def plan(folder):
    """old id -> new id for every old id in `folder`; MigrationError when one can't be named."""
    seen = _threads_seen(folder)
    mapping, problems = {}, []
    for run_id in sorted(_ids_in_use(folder)):
        threads = seen.get(run_id, set())
        if len(threads) != 1:
            problems.append(f"{run_id}: threads recorded as {sorted(threads) or 'nothing'}")
        else:
            mapping[run_id] = new_id(run_id, threads.pop())
    if problems:
        raise MigrationError(
            f"{folder}: cannot name these runs' threads; nothing was changed:\n  " + "\n  ".join(problems)
        )
    return mapping


def _replace_ids(text, mapping):
    # Longest first, whole ids only: an id may be the prefix of another (…_seed0_bf16 / …_seed0_bf16_e3).
    for old in sorted(mapping, key=len, reverse=True):
        text = re.sub(re.escape(old) + r"(?![A-Za-z0-9_])", mapping[old], text)
    return text


def _rewrite_csv(path, mapping):
    text = open(path, newline="").read()
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or "run_id" not in rows[0]:
        return None
    col = rows[0].index("run_id")
    for row in rows[1:]:
        if len(row) > col:
            row[col] = mapping.get(row[col], row[col])
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue() if out.getvalue() != text else None


def _rewrite_manifest(path, mapping):
    text = open(path).read()
    manifest = json.loads(text)
    new = json.loads(_replace_ids(text, mapping))
    if new == manifest:
        return None
    new.setdefault("migrations", [])
    if NOTE not in new["migrations"]:
        new["migrations"].append(NOTE)
    return json.dumps(new, indent=2, sort_keys=True) + "\n"


def migrate(folder):
    """Migrates `folder` in place; returns the mapping applied."""
    mapping = plan(folder)
    if not mapping:
        return mapping
    writes, renames = {}, []
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        if name.endswith(".csv"):
            text = _rewrite_csv(path, mapping)
        elif name.endswith(".manifest.json"):
            text = _rewrite_manifest(path, mapping)
        else:
            continue
        if text is not None:
            writes[path] = text
    runs_dir = os.path.join(folder, "runs")
    for old, new in mapping.items():
        record_path = os.path.join(runs_dir, old + ".json")
        if os.path.exists(record_path):
            record = json.load(open(record_path))
            record["run_id"] = new
            record["signature"] = _replace_ids(record["signature"], mapping)
            writes[os.path.join(runs_dir, new + ".json")] = json.dumps(record, indent=2) + "\n"
            renames.append((record_path, None))  # removed once the new record is in place
    for sub in ["weights"] + [
        os.path.join("checkpoints", d)
        for d in (
            os.listdir(os.path.join(folder, "checkpoints"))
            if os.path.isdir(os.path.join(folder, "checkpoints"))
            else []
        )
    ]:
        d = os.path.join(folder, sub)
        if not os.path.isdir(d):
            continue
        for name in os.listdir(d):
            # "<id>.pt", "<id>.ckpt", …: run ids hold dots themselves (lr0.0001).
            old = next((o for o in mapping if name.startswith(o + ".")), None)
            if old is not None:
                renames.append((os.path.join(d, name), os.path.join(d, mapping[old] + name[len(old) :])))
    write_all(writes)  # an error before this point leaves the folder as it was
    for old_path, new_path in renames:
        if new_path is None:
            os.remove(old_path)
        else:
            os.replace(old_path, new_path)
    return mapping


def main(argv):
    if len(argv) != 2:
        print(
            __doc__.strip().splitlines()[0] + "\nusage: python3 -m tools.migrate.migrate_run_ids RESULTS_FOLDER",
            file=sys.stderr,
        )
        return 2
    folder = argv[1]
    if not os.path.isdir(folder):
        print(f"migrate_run_ids: {folder}: no such folder", file=sys.stderr)
        return 1
    try:
        mapping = migrate(folder)
    except MigrationError as e:
        print(f"migrate_run_ids: {e}", file=sys.stderr)
        return 1
    for old, new in sorted(mapping.items()):
        print(f"{old} -> {new}")
    print(f"migrate_run_ids: {len(mapping)} run ids migrated in {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
