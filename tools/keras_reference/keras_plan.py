"""The Keras reference's runs and its CSV: run ids like MakeRunId's, the plans as data, and the merge
of one run's rows into keras_reference.csv (through the project's atomic write)."""

import csv
import io
import os

from tools.keras_reference.keras_data import UsageError
from tools.migrate.write_all import write_all

BASE_LR = 1e-4
COLUMNS = [
    "run_id",
    "framework",
    "arm",
    "lr_multiplier",
    "seed",
    "epochs",
    "train_images",
    "epoch",
    "train_loss",
    "train_acc",
    "val_loss",
    "val_acc",
    "val_majority_class_share",
    "seconds",
]
BASE_LR = 1e-4


def run_id(arm, multiplier, seed, epochs, threads, train_limit=-1):
    """Like MakeRunId's ids, prefixed keras_ (fp32: TensorFlow's CPU default)."""
    rid = f"keras_{arm}_lr{BASE_LR * multiplier:g}_seed{seed}_fp32_t{threads}"
    if epochs != 25:
        rid += f"_e{epochs}"
    if train_limit >= 0:
        rid += f"_train{train_limit}"
    return rid


# Plans as data: (arm, lr multiplier, seeds, epochs). "homework": the collapse question at 5x
# over 10 seeds with the short protocol of the Q4 (b) study (3 epochs) first, then the
# baseline's full protocol at 1x (Q3's level).
PLANS = {
    "homework": [("baseline", 5, list(range(10)), 3), ("baseline", 1, [0], 25)],
    "collapse_bn": [("bn", 5, [0, 1, 2], 3)],
}


def plan_runs(name, threads, train_limit=-1, epochs_override=0):
    if name not in PLANS:
        raise UsageError(f"--plan={name}: expected one of {', '.join(sorted(PLANS))}")
    runs = []
    for arm, multiplier, seeds, epochs in PLANS[name]:
        epochs = epochs_override or epochs
        for seed in seeds:
            runs.append(
                {
                    "run_id": run_id(arm, multiplier, seed, epochs, threads, train_limit),
                    "arm": arm,
                    "lr_multiplier": multiplier,
                    "seed": seed,
                    "epochs": epochs,
                }
            )
    return runs


def read_csv(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != COLUMNS:
            raise UsageError(
                f"{path}: columns {reader.fieldnames}, expected {COLUMNS}; restore it from git, or migrate a "
                "file from before train_images: /usr/bin/python3 -m tools.migrate.migrate_train_images <its folder>"
            )
        return list(reader)


def merge_run_rows(path, rid, rows):
    """Writes `rows` (dicts of COLUMNS) as run `rid`'s rows of the CSV, keeping other runs'."""
    kept = [row for row in read_csv(path) if row["run_id"] != rid]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in kept + rows:
        writer.writerow(row)
    write_all({path: out.getvalue()})
