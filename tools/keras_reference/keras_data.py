"""The CIFAR-10 binary files as the Keras reference reads them (Keras' N×32×32×3 layout), with the
MD5s and the digest lib/data records: plain Python, tested without TensorFlow."""

import hashlib
import os

import numpy as np

FILES = [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]
RECORD_BYTES = 1 + 3 * 32 * 32
OFFICIAL_RECORDS = 10000


class UsageError(Exception):
    """Bad input: the message names the file, flag or value."""


def load_cifar10(folder, require_official_sizes=True, train_limit=-1):
    """(x_train, y_train, x_test, y_test, md5 by file name); x uint8 N×32×32×3 (Keras' layout)."""
    parts, md5 = {}, {}
    for name in FILES:
        path = os.path.join(folder, name)
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
        except OSError as error:
            raise UsageError(f"{path}: cannot read ({error.strerror}); pass --data_dir=<cifar-10-batches-bin>")
        if len(raw) == 0 or len(raw) % RECORD_BYTES:
            raise UsageError(f"{path}: {len(raw)} bytes is not a whole number of {RECORD_BYTES}-byte records")
        records = len(raw) // RECORD_BYTES
        if require_official_sizes and records != OFFICIAL_RECORDS:
            raise UsageError(
                f"{path}: {records} records, the official file has {OFFICIAL_RECORDS}; "
                "pass --partial_data for a subset copy"
            )
        md5[name] = hashlib.md5(raw).hexdigest()
        table = np.frombuffer(raw, dtype=np.uint8).reshape(records, RECORD_BYTES)
        labels = table[:, 0].astype(np.int64)
        if labels.max() > 9:
            raise UsageError(f"{path}: label {labels.max()} out of range 0-9")
        images = table[:, 1:].reshape(records, 3, 32, 32).transpose(0, 2, 3, 1)  # CHW -> HWC
        parts[name] = (np.ascontiguousarray(images), labels)
    x_train = np.concatenate([parts[name][0] for name in FILES[:5]])
    y_train = np.concatenate([parts[name][1] for name in FILES[:5]])
    if train_limit >= 0:
        x_train, y_train = x_train[:train_limit], y_train[:train_limit]
    x_test, y_test = parts["test_batch.bin"]
    return x_train, y_train, x_test, y_test, md5


def data_digest(md5):
    """lib/data's DataDigest: the first 12 hex digits of the MD5 of "name md5" lines in name order."""
    lines = "".join(f"{name} {md5[name]}\n" for name in sorted(md5))
    return hashlib.md5(lines.encode()).hexdigest()[:12]
