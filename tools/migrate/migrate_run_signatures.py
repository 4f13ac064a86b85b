"""Migrates a sweep folder's run records to signatures that name LibTorch and the data.

A q4_bn_sweep run's signature (lib/sweep/sweep_plan.h) gained
` libtorch=<major.minor> data=<digest>`: both change a run's numbers, and
without them runs made with another LibTorch, or on another copy of CIFAR-10,
looked identical to the sweep and to `--merge`.

    /usr/bin/python3 -m tools.migrate.migrate_run_signatures reports/data   # from the repository root

For every runs/<id>.json whose signature lacks them, appends them: the data
digest from the data MD5s that q4_bn_sweep.manifest.json recorded for that run
(`runs.<id>.data_md5`, else the manifest's `data.md5`), computed as
lib/data/cifar10.h's DataDigest does; LibTorch from the manifest's
`torch_version`. A record whose data or LibTorch is not recorded stops the
migration before anything is written. Idempotent. The manifest lists the
migration under "migrations".
"""

import hashlib
import json
import os
import sys

from tools.migrate.write_all import write_all

NOTE = "run signatures gained libtorch= and data= (tools/migrate/migrate_run_signatures.py)"


class MigrationError(Exception):
    pass


def data_digest(file_md5):
    """lib/data/cifar10.h DataDigest: MD5 of "<file> <md5>\\n" lines in name order, 12 hex digits."""
    lines = "".join(f"{name} {file_md5[name]}\n" for name in sorted(file_md5))
    return hashlib.md5(lines.encode()).hexdigest()[:12]


def major_minor(version):
    parts = str(version).split(".")
    if len(parts) < 2 or not all(p.isdigit() for p in parts[:2]):
        raise MigrationError(f"torch_version {version!r} is not major.minor[.patch]")
    return f"{parts[0]}.{parts[1]}"


def plan(folder):
    """{record path: new record text} for the records to migrate."""
    runs_dir = os.path.join(folder, "runs")
    if not os.path.isdir(runs_dir):
        raise MigrationError(f"{folder}: not a q4_bn_sweep folder (no runs/ inside)")
    manifest_path = os.path.join(folder, "q4_bn_sweep.manifest.json")
    manifest = json.load(open(manifest_path)) if os.path.exists(manifest_path) else {}
    writes = {}
    for name in sorted(os.listdir(runs_dir)):
        if not name.endswith(".json"):
            continue
        path = os.path.join(runs_dir, name)
        record = json.load(open(path))
        signature = record.get("signature", "")
        if " libtorch=" in signature and " data=" in signature:
            continue
        run_id = record.get("run_id", name[: -len(".json")])
        run = (manifest.get("runs") or {}).get(run_id) or {}
        md5 = run.get("data_md5") or (manifest.get("data") or {}).get("md5")
        if not md5:
            raise MigrationError(
                f"{path}: no data MD5s recorded for run {run_id} in {manifest_path}; "
                "cannot say which data it was trained on"
            )
        if "torch_version" not in manifest:
            raise MigrationError(f"{manifest_path}: no torch_version; cannot say which LibTorch made {run_id}")
        record["signature"] = f"{signature} libtorch={major_minor(manifest['torch_version'])} data={data_digest(md5)}"
        writes[path] = json.dumps(record, indent=2) + "\n"
    if writes and manifest:
        migrations = manifest.setdefault("migrations", [])
        if NOTE not in migrations:
            migrations.append(NOTE)
        writes[manifest_path] = json.dumps(manifest, indent=2) + "\n"
    return writes


def migrate(folder):
    """Rewrites the records (each through a temporary file); returns how many records changed."""
    writes = plan(folder)  # every error is raised here, before anything is written
    write_all(writes)
    return sum(1 for p in writes if not p.endswith(".manifest.json"))


def main(argv):
    if len(argv) != 2:
        print(
            __doc__.strip().splitlines()[0] + "\nusage: python3 -m tools.migrate.migrate_run_signatures SWEEP_FOLDER",
            file=sys.stderr,
        )
        return 2
    try:
        n = migrate(argv[1])
    except MigrationError as e:
        print(f"migrate_run_signatures: {e}", file=sys.stderr)
        return 1
    print(f"migrate_run_signatures: {n} run records migrated in {argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
