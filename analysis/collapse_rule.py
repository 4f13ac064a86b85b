"""The collapse rule of lib/train/collapse.h in Python, for the report (analysis/collapse.py) and
the Keras reference (tools/keras_reference), which runs in a venv without matplotlib: this module
imports nothing.

A run *collapsed* when its validation accuracy is at most 0.15 and one class takes at least 90 %
of its predictions (the majority share; -1 when there were no predictions)."""

COLLAPSE_MAX_VAL_ACC = 0.15
COLLAPSE_MIN_MAJORITY_SHARE = 0.90


def majority_class_share(counts):
    """The largest count's share of all predictions; -1 when there are none."""
    total = sum(counts)
    return max(counts) / total if total > 0 else -1.0


def is_collapsed(val_acc, share):
    return share >= 0 and val_acc <= COLLAPSE_MAX_VAL_ACC and share >= COLLAPSE_MIN_MAJORITY_SHARE
