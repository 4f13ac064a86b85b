"""Q3 (b) as facts: the Keras example's full-protocol runs, how far from levelling off they
stopped, tf-keras' own runs beside them, and the runs both q3_train_cnn and q4_bn_sweep trained.

Facts only (tested in tests/analysis/q3_facts_test.py); analysis/report_q3.py words them.
"""

import dataclasses
import math
import statistics
from collections import defaultdict

from analysis import homework_reference as hw

# A run has levelled off when its validation accuracy rose by at most this over its last
# RISE_WINDOW epochs.
LEVEL_TOLERANCE = 0.005
RISE_WINDOW = 5
# tf-keras and the LibTorch emulation agree when their mean validation accuracies are this close.
FRAMEWORK_TOLERANCE = 0.01
# What q3_history.csv and q4_history.csv log per epoch and must agree in for one run.
LOGGED = ("train_loss", "train_acc", "val_loss", "val_acc", "lr_now")


def is_full_protocol(row, epochs_column="epochs_completed"):
    """A run of the homework's protocol: all its epochs, on all the training data (the CSV's
    train_images column, written since tools/migrate/migrate_train_images.py)."""
    return int(row[epochs_column]) == hw.Q3_EPOCHS and hw.on_all_training_images(row)


def throughput(history, run_id):
    """Images per second over one run's epochs: "median (fastest)"."""
    rates = [float(r["images_per_second"]) for r in history if r["run_id"] == run_id]
    return f"{statistics.median(rates):,.0f} ({max(rates):,.0f})" if rates else "-"


def late_rise(history, run_id, window=RISE_WINDOW):
    """Change in validation accuracy over a run's last `window` epochs: how far
    from levelling off training stopped. None if the run is shorter."""
    acc = [
        float(r["val_acc"])
        for r in sorted((r for r in history if r["run_id"] == run_id), key=lambda r: int(r["epoch"]))
    ]
    return acc[-1] - acc[-1 - window] if len(acc) > window else None


def keras_example_runs(final_rows, other_networks):
    """Q3 (b)'s runs: the Keras example's baseline at the homework's lr and full protocol, from
    q3_final_metrics.csv rows, in seed order (a re-run run's rows move to the end of the CSV)."""
    return sorted(
        (
            r
            for r in final_rows
            if is_full_protocol(r)
            and r["arm"] == "baseline"
            and r["run_id"] not in other_networks
            and math.isclose(float(r["lr"]), hw.Q3_LR)
        ),
        key=lambda r: int(r["seed"]),
    )


@dataclasses.dataclass
class Evaluation:
    """Q3 (b)'s runs (q3_final_metrics.csv rows) and their history."""

    runs: list
    history: list

    def column(self, name):
        return [float(r[name]) for r in self.runs]

    @property
    def train_acc(self):
        return self.column("final_train_acc")

    @property
    def val_acc(self):
        return self.column("final_val_acc")

    @property
    def gap(self):
        """Mean training accuracy less mean validation accuracy."""
        return statistics.fmean(self.train_acc) - statistics.fmean(self.val_acc)

    @property
    def rises(self):
        return [late_rise(self.history, r["run_id"]) for r in self.runs]

    @property
    def trend(self):
        """ "rising" when every run still rose by more than LEVEL_TOLERANCE over its last epochs,
        "levelled" when none did, "mixed" otherwise; None when a run is too short to tell."""
        rises = self.rises
        if any(x is None for x in rises):
            return None
        if min(rises) > LEVEL_TOLERANCE:
            return "rising"
        return "levelled" if max(rises) <= LEVEL_TOLERANCE else "mixed"


def keras_reference_runs(rows):
    """tf-keras' finished full-protocol baseline runs at x1 (keras_reference.csv rows, one per
    epoch), their last epoch each, in seed order."""
    finished = {}
    for r in rows:
        if (
            r["arm"] == "baseline"
            and float(r["lr_multiplier"]) == 1
            and is_full_protocol(r, "epochs")
            and int(r["epoch"]) == hw.Q3_EPOCHS
        ):
            finished[r["run_id"]] = r
    return sorted(finished.values(), key=lambda r: int(r["seed"]))


def frameworks_agree(keras_val_acc, libtorch_val_acc):
    """Do tf-keras and the LibTorch runs agree in mean validation accuracy?"""
    return abs(statistics.fmean(keras_val_acc) - statistics.fmean(libtorch_val_acc)) <= FRAMEWORK_TOLERANCE


def borrowed_epochs(manifest, experiment, run_id):
    """Why `experiment` may not have trained every epoch of a run itself, or
    None if it did: from scratch, or resumed from its own checkpoint (recorded
    since each program keeps its own; before that, a resumed run may have
    continued the other program's checkpoint)."""
    run = ((manifest or {}).get("runs") or {}).get(run_id)
    if run is None:
        return f"`{experiment}`'s manifest has no record of it"
    epoch = int(run.get("resumed_from_epoch", 0))
    if epoch == 0 or str(run.get("checkpoint", "")).startswith(f"checkpoints/{experiment}/"):
        return None
    return (
        f"`{experiment}` continued it after epoch {epoch} from a checkpoint that, before each program kept "
        "its own, the other program may have written"
    )


@dataclasses.dataclass
class Agreement:
    """Runs trained by both programs: those compared, those that differ in a logged value, and why
    others were not compared (run id -> reasons)."""

    compared: list
    differ: list
    borrowed: dict


def agreement(q3_history, q4_history, finished, manifests):
    """The runs in both histories and in `finished` (Q3 runs done training), epoch by epoch.
    `manifests` maps "q3_train_cnn" and "q4_bn_sweep" to their manifests. None when no run is in both."""

    def curves(rows):
        by_run = defaultdict(dict)
        for r in rows:
            by_run[r["run_id"]][r["epoch"]] = tuple(r[c] for c in LOGGED)
        return by_run

    q3, q4 = curves(q3_history), curves(q4_history)
    both = sorted(set(q3) & set(q4) & finished)
    if not both:
        return None
    borrowed = {run: [why for e, m in manifests.items() if (why := borrowed_epochs(m, e, run))] for run in both}
    compared = [run for run in both if not borrowed[run]]
    return Agreement(compared, [run for run in compared if q3[run] != q4[run]], borrowed)
