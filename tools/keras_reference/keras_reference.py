"""The homework's network and protocol in Keras itself: the reference the C++ runs emulate.

Every other number here comes from LibTorch made to behave like Keras (Glorot init, Adam with
epsilon 1e-7 and time-based decay, BatchNorm momentum 0.99 / epsilon 1e-3). This runs the real
thing, tf-keras (Keras 2 semantics, the homework's framework), on the same CIFAR-10 files, so
that the Q3 level and the Q4 (b) collapse can be asked of Keras directly.

    tools/keras_reference/run.sh                 # the plan below, into reports/data
    tools/keras_reference/run.sh --dry_run       # what it would train

Writes <out_dir>/keras_reference.csv (one row per epoch of every run; a run's rows replace its
earlier rows) and <out_dir>/keras_reference.manifest.json (versions, data MD5s, git commit, each
run's configuration). Runs already finished with the same signature are skipped; a run stopped
mid-way continues from its last epoch's checkpoint (<out_dir>/checkpoints/keras_reference/).

Only the data, the plan, the collapse rule and the CSV are plain Python (tested under
`bazel test //tools/keras_reference/...` without TensorFlow); TensorFlow is imported to train.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np

# The collapse rule of lib/train/collapse.h, the one the report uses, the data and plan parts
# (plain Python, tested without TensorFlow) and the project's atomic write (run.sh starts this
# file directly, so the repository root goes on the path first).
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from analysis.collapse_rule import is_collapsed, majority_class_share  # noqa: E402
from tools.keras_reference.keras_data import UsageError, data_digest, load_cifar10  # noqa: E402
from tools.keras_reference.keras_plan import BASE_LR, PLANS, merge_run_rows, plan_runs, read_csv  # noqa: E402
from tools.migrate.write_all import write_all  # noqa: E402

CSV_NAME = "keras_reference.csv"
MANIFEST_NAME = "keras_reference.manifest.json"


def fmt(value):
    return repr(float(value))


def git_commit(workspace):
    try:
        head = subprocess.run(
            ["git", "-C", workspace, "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            [
                "git",
                "-C",
                workspace,
                "status",
                "--porcelain",
                "--untracked-files=no",
                "--",
                ".",
                ":!reports/data",
                ":!reports/figures",
                ":!reports/hw1.md",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return head + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def build_model(tf_keras, arm):
    """Keras' cifar10_cnn example as the homework trained it; "bn": BatchNormalization (Keras'
    defaults, momentum 0.99 and epsilon 1e-3) after every convolution, before its ReLU."""
    layers = tf_keras.layers
    model = tf_keras.Sequential()
    model.add(layers.InputLayer(input_shape=(32, 32, 3)))
    for filters in (32, 64):
        for padding in ("same", "valid"):
            model.add(layers.Conv2D(filters, (3, 3), padding=padding))
            if arm == "bn":
                model.add(layers.BatchNormalization())
            model.add(layers.Activation("relu"))
        model.add(layers.MaxPooling2D(pool_size=(2, 2)))
        model.add(layers.Dropout(0.25))
    model.add(layers.Flatten())
    model.add(layers.Dense(512))
    model.add(layers.Activation("relu"))
    model.add(layers.Dropout(0.5))
    model.add(layers.Dense(10))
    model.add(layers.Activation("softmax"))
    return model


def train_run(run, data, out_dir, threads, signature, log):
    """Trains one run, epoch by epoch, checkpointing after each; returns (rows, diverged)."""
    import tensorflow as tf
    import tf_keras

    x_train, y_train, x_test, y_test = data
    tf_keras.utils.set_random_seed(run["seed"])
    tf.config.experimental.enable_op_determinism()
    # Dropout draws from a tf.random.Generator whose state is a variable. Keras does not track it
    # (a checkpoint of model and optimizer alone resumed with other masks: epoch-2 loss 2.0158
    # against 2.0273 uninterrupted), so the generators are made now and checkpointed beside them;
    # a resumed run then repeats an uninterrupted one exactly. (tf-keras 2.21's RandomGenerator.)
    tf_keras.backend.experimental.enable_tf_random_generator()
    model = build_model(tf_keras, run["arm"])
    optimizer = tf_keras.optimizers.legacy.Adam(learning_rate=BASE_LR * run["lr_multiplier"], decay=1e-6, epsilon=1e-7)
    model.compile(loss="categorical_crossentropy", optimizer=optimizer, metrics=["accuracy"])
    generators = []
    for layer in model.layers:
        if isinstance(layer, tf_keras.layers.Dropout):
            layer._random_generator._maybe_init()  # noqa: SLF001  (see above)
            generators.append(layer._random_generator._generator)  # noqa: SLF001
    checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer, dropout=generators)

    ckpt_dir = os.path.join(out_dir, "checkpoints", "keras_reference", run["run_id"])
    state_path = os.path.join(ckpt_dir, "state.json")
    rows, start_epoch = [], 0
    if os.path.exists(state_path):
        with open(state_path) as handle:
            state = json.load(handle)
        if state.get("signature") != signature:
            raise UsageError(
                f"{state_path}: checkpoint of another configuration ({state.get('signature')} vs "
                f"{signature}); remove {ckpt_dir}"
            )
        # Deferred restoration: variables made later (optimizer slots, the dropout generators'
        # state) take their saved values when they are created.
        checkpoint.read(os.path.join(ckpt_dir, "ckpt"))
        rows, start_epoch = state["rows"], state["epoch"]
        log(f"{run['run_id']}: resumed after epoch {start_epoch}")

    x_test_float = x_test.astype(np.float32) / 255.0
    y_train_hot = tf_keras.utils.to_categorical(y_train, 10)
    n = len(y_train)
    for epoch in range(start_epoch + 1, run["epochs"] + 1):
        began = time.monotonic()
        # The epoch's order depends only on (seed, epoch), as in the C++ trainer: resuming reproduces it.
        order = np.random.RandomState(run["seed"] * 1000003 + epoch).permutation(n)
        history = model.fit(
            x_train[order].astype(np.float32) / 255.0,
            y_train_hot[order],
            batch_size=32,
            epochs=1,
            shuffle=False,
            verbose=0,
        )
        train_loss, train_acc = history.history["loss"][0], history.history["accuracy"][0]
        if not np.isfinite(train_loss):
            log(f"{run['run_id']}: epoch {epoch}: the training loss is not finite: the run diverged")
            return rows, True
        probabilities = model.predict(x_test_float, batch_size=256, verbose=0)
        # Keras' categorical cross-entropy of probabilities: clipped to [1e-7, 1 - 1e-7].
        picked = np.clip(probabilities[np.arange(len(y_test)), y_test], 1e-7, 1 - 1e-7)
        predicted = probabilities.argmax(axis=1)
        counts = np.bincount(predicted, minlength=10).tolist()
        row = {
            "run_id": run["run_id"],
            "framework": f"tf-keras {tf_keras.__version__}",
            "arm": run["arm"],
            "lr_multiplier": f"{run['lr_multiplier']:g}",
            "seed": str(run["seed"]),
            "epochs": str(run["epochs"]),
            "train_images": str(n),
            "epoch": str(epoch),
            "train_loss": fmt(train_loss),
            "train_acc": fmt(train_acc),
            "val_loss": fmt(-np.log(picked).mean()),
            "val_acc": fmt((predicted == y_test).mean()),
            "val_majority_class_share": fmt(majority_class_share(counts)),
            "seconds": f"{time.monotonic() - began:.1f}",
        }
        rows.append(row)
        log(
            f"{run['run_id']}: epoch {epoch}/{run['epochs']} loss {train_loss:.4f} acc {train_acc:.4f} "
            f"val_acc {float(row['val_acc']):.4f} majority {float(row['val_majority_class_share']):.3f} "
            f"{row['seconds']} s"
        )
        tmp = ckpt_dir + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        checkpoint.write(os.path.join(tmp, "ckpt"))
        with open(os.path.join(tmp, "state.json"), "w") as handle:
            json.dump({"signature": signature, "epoch": epoch, "rows": rows}, handle)
        shutil.rmtree(ckpt_dir, ignore_errors=True)
        os.makedirs(os.path.dirname(ckpt_dir), exist_ok=True)
        os.replace(tmp, ckpt_dir)
    return rows, False


def default_data_dir():
    return os.environ.get("CIFAR10_DIR") or os.path.expanduser("~/.cache/hw1-repro/cifar10/cifar-10-batches-bin")


def main(argv):
    workspace = os.environ.get("BUILD_WORKSPACE_DIRECTORY") or os.path.abspath(
        os.path.join(os.path.dirname(__file__), "..", "..")
    )
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data_dir", default=default_data_dir(), help="CIFAR-10 binary folder")
    parser.add_argument("--out_dir", default=os.path.join(workspace, "reports", "data"))
    parser.add_argument("--plan", default="homework", help=f"one of {', '.join(sorted(PLANS))}")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="TensorFlow intra-op threads")
    parser.add_argument("--epochs", type=int, default=0, help="override the plan's epochs (0: the plan's)")
    parser.add_argument("--train_limit", type=int, default=-1, help="first N training images (-1: all)")
    parser.add_argument("--max_runs", type=int, default=0, help="stop after this many runs (0: all)")
    parser.add_argument("--partial_data", action="store_true", help="accept files of fewer than 10,000 records")
    parser.add_argument("--dry_run", action="store_true")
    args = parser.parse_args(argv)

    def log(message):
        print(f"keras_reference: {message}", file=sys.stderr, flush=True)

    try:
        if args.threads < 1:
            raise UsageError(f"--threads={args.threads}: must be >= 1")
        if args.epochs < 0 or args.train_limit < -1 or args.train_limit == 0:
            raise UsageError("--epochs must be >= 0 and --train_limit -1 or >= 1")
        runs = plan_runs(args.plan, args.threads, args.train_limit, args.epochs)
        x_train, y_train, x_test, y_test, md5 = load_cifar10(args.data_dir, not args.partial_data, args.train_limit)
        os.makedirs(args.out_dir, exist_ok=True)
        csv_path = os.path.join(args.out_dir, CSV_NAME)
        manifest_path = os.path.join(args.out_dir, MANIFEST_NAME)
        read_csv(csv_path)  # a damaged CSV is reported before any training
        manifest = {}
        if os.path.exists(manifest_path):
            with open(manifest_path) as handle:
                manifest = json.load(handle)
        recorded = manifest.get("runs", {})
        digest = data_digest(md5)
        todo = []
        for run in runs:
            signature = f"{run['run_id']} data={digest}"
            done = recorded.get(run["run_id"], {})
            if done and done.get("signature") != signature:
                raise UsageError(
                    f"{manifest_path}: run {run['run_id']} was made as \"{done.get('signature')}\", "
                    f'this asks for "{signature}"; use another --out_dir'
                )
            status = "done, skipped" if done else "to run"
            print(f"  {run['run_id']:<45} {status}")
            if not done:
                todo.append((run, signature))
        if args.max_runs:
            todo = todo[: args.max_runs]
        if args.dry_run or not todo:
            return 0

        commit = git_commit(workspace)  # what this process runs, whatever the tree becomes meanwhile
        import tensorflow as tf
        import tf_keras

        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
        for run, signature in todo:
            began = time.monotonic()
            rows, diverged = train_run(
                run, (x_train, y_train, x_test, y_test), args.out_dir, args.threads, signature, log
            )
            merge_run_rows(csv_path, run["run_id"], rows)
            last = rows[-1] if rows else None
            manifest.update(
                {
                    "experiment": "keras_reference",
                    "tensorflow": tf.__version__,
                    "tf_keras": tf_keras.__version__,
                    "numpy": np.__version__,
                    "python": sys.version.split()[0],
                    "threads": args.threads,
                    "data": {
                        "dir": os.path.abspath(args.data_dir),
                        "md5": md5,
                        "train_images": int(len(y_train)),
                        "test_images": int(len(y_test)),
                    },
                    "cpu_flags": sorted(
                        set(open("/proc/cpuinfo").read().split())
                        & {"avx2", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile"}
                    ),
                }
            )
            manifest.setdefault("runs", {})[run["run_id"]] = {
                "signature": signature,
                "arm": run["arm"],
                "lr_multiplier": run["lr_multiplier"],
                "lr": BASE_LR * run["lr_multiplier"],
                "seed": run["seed"],
                "epochs": run["epochs"],
                "batch_size": 32,
                "decay": 1e-6,
                "adam_epsilon": 1e-7,
                "diverged": diverged,
                "epochs_completed": len(rows),
                "wall_seconds": round(time.monotonic() - began, 1),
                "collapsed": bool(last)
                and is_collapsed(float(last["val_acc"]), float(last["val_majority_class_share"])),
                "git_commit": commit,
                "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            }
            write_all({manifest_path: json.dumps(manifest, indent=2, sort_keys=True) + "\n"})
            shutil.rmtree(
                os.path.join(args.out_dir, "checkpoints", "keras_reference", run["run_id"]), ignore_errors=True
            )
            log(f"{run['run_id']}: done, final val acc {float(last['val_acc']) if last else float('nan'):.4f}")
        return 0
    except UsageError as error:
        print(f"keras_reference: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
