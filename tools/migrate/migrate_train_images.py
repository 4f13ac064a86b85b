"""Migrates a results folder to the train_images column: what each run trained on.

The report used to tell a run on all the training data from one on --train_limit's first N by
looking for `_train<N>` in its run id. The programs now write the count: a `train_images` column
in q3_final_metrics.csv, q4_summary.csv, q4_collapse.csv and keras_reference.csv, and a field in
every q4_bn_sweep record (runs/<id>.json), which the report reads.

    /usr/bin/python3 -m tools.migrate.migrate_train_images reports/data   # from the repository root

Rows and records made before get the count from what named it then, the run id
(lib/train/run_id.cc, tools/keras_reference: `_train<N>` when limited): N, or else all the
training images of the data, which the experiment's manifest records (`data.train_images`);
a manifest that does not record it stops the migration before anything is written. Covers the
folder and its sweep subfolders (collapse/, collapse_bf16/: any with runs/). Each file is
rewritten through a temporary file, and only when reading it back gives the same bytes as it
had, so that nothing else in it changes. Idempotent. Each manifest lists the migration under
"migrations".
"""

import csv
import io
import json
import os
import re
import sys

from tools.migrate.write_all import write_all

NOTE = "train_images column and record field (tools/migrate/migrate_train_images.py)"
LIMIT = re.compile(r"_train(\d+)(?:_|$)")

# file -> (the manifest that records its data, the column the new one follows)
CSVS = {
    "q3_final_metrics.csv": ("q3_train_cnn.manifest.json", "seed"),
    "q4_summary.csv": ("q4_bn_sweep.manifest.json", "seed"),
    "q4_collapse.csv": ("q4_bn_sweep.manifest.json", "epochs"),
    "keras_reference.csv": ("keras_reference.manifest.json", "epochs"),
}


class MigrationError(Exception):
    pass


def read_json(path):
    with open(path) as handle:
        return json.load(handle)


def dump_json(obj):
    """As the programs write JSON (nlohmann's dump(2), keys sorted)."""
    return json.dumps(obj, indent=2, sort_keys=True) + "\n"


def train_images(run_id, manifest, manifest_path):
    """What run `run_id` trained on: its id's `_train<N>`, or all the data its manifest records."""
    limited = LIMIT.search(run_id)
    if limited:
        return int(limited.group(1))
    count = ((manifest or {}).get("data") or {}).get("train_images")
    if count is None:
        raise MigrationError(
            f"{manifest_path}: no data.train_images; cannot say how many images run {run_id} trained on"
        )
    return int(count)


def csv_text(header, rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def migrated_csv(path, after, manifest, manifest_path):
    """The CSV's new text with train_images after column `after`; None when it has the column."""
    with open(path, newline="") as handle:
        text = handle.read()
    table = list(csv.reader(io.StringIO(text)))
    if not table:
        return None
    header, rows = table[0], table[1:]
    if "train_images" in header:
        return None
    if after not in header or "run_id" not in header:
        raise MigrationError(f"{path}: no column {after!r} or 'run_id'; restore it from git")
    if csv_text(header, rows) != text:
        raise MigrationError(f"{path}: not written as the programs write CSVs; restore it from git")
    at, rid = header.index(after) + 1, header.index("run_id")
    new_rows = [row[:at] + [str(train_images(row[rid], manifest, manifest_path))] + row[at:] for row in rows]
    return csv_text(header[:at] + ["train_images"] + header[at:], new_rows)


def with_note(manifest, manifest_path, writes):
    if manifest and NOTE not in manifest.get("migrations", []):
        manifest.setdefault("migrations", []).append(NOTE)
        writes[manifest_path] = dump_json(manifest)


def plan_folder(folder, writes):
    """Adds to `writes` ({path: new text}) what `folder` itself needs."""
    manifests = {}
    for name, (manifest_name, after) in CSVS.items():
        path = os.path.join(folder, name)
        if not os.path.exists(path):
            continue
        manifest_path = os.path.join(folder, manifest_name)
        if manifest_path not in manifests:
            manifests[manifest_path] = read_json(manifest_path) if os.path.exists(manifest_path) else None
        text = migrated_csv(path, after, manifests[manifest_path], manifest_path)
        if text is not None:
            writes[path] = text
    runs_dir = os.path.join(folder, "runs")
    if os.path.isdir(runs_dir):
        manifest_path = os.path.join(folder, "q4_bn_sweep.manifest.json")
        if manifest_path not in manifests:
            manifests[manifest_path] = read_json(manifest_path) if os.path.exists(manifest_path) else None
        for name in sorted(os.listdir(runs_dir)):
            if not name.endswith(".json"):
                continue
            path = os.path.join(runs_dir, name)
            with open(path) as handle:
                text = handle.read()
            record = json.loads(text)
            if "train_images" in record:
                continue
            if dump_json(record) != text:
                raise MigrationError(f"{path}: not written as q4_bn_sweep writes records; restore it from git")
            record["train_images"] = train_images(record["run_id"], manifests[manifest_path], manifest_path)
            writes[path] = dump_json(record)
    for manifest_path, manifest in manifests.items():
        if any(os.path.dirname(p) in (folder, runs_dir) for p in writes if p != manifest_path):
            with_note(manifest, manifest_path, writes)


def plan(folder):
    """{path: new text} for everything to migrate in `folder` and its sweep subfolders."""
    if not os.path.isdir(folder):
        raise MigrationError(f"{folder}: no such folder")
    writes = {}
    plan_folder(folder, writes)
    for name in sorted(os.listdir(folder)):
        sub = os.path.join(folder, name)
        if os.path.isdir(os.path.join(sub, "runs")):
            plan_folder(sub, writes)
    return writes


def migrate(folder):
    """Rewrites what `plan` found (each through a temporary file); returns the files changed."""
    return sorted(write_all(plan(folder)))  # plan raises every error before anything is written


def main(argv):
    if len(argv) != 2:
        print(
            __doc__.strip().splitlines()[0] + "\nusage: python3 -m tools.migrate.migrate_train_images RESULTS_FOLDER",
            file=sys.stderr,
        )
        return 2
    try:
        changed = migrate(argv[1])
    except (MigrationError, OSError, ValueError, KeyError) as e:
        print(f"migrate_train_images: {e}", file=sys.stderr)
        return 1
    records = sum(1 for p in changed if os.path.basename(os.path.dirname(p)) == "runs")
    print(
        f"migrate_train_images: {len(changed) - records} files and {records} run records migrated in {argv[1]}"
        + "".join(f"\n  {p}" for p in changed if os.path.basename(os.path.dirname(p)) != "runs")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
