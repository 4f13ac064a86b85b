"""Small hand-made CSVs in the experiments' formats, for the figure and report tests."""

import math
import os
import tempfile

from analysis import probes

HISTORY_HEADER = (
    "run_id,arm,lr,seed,epoch,train_loss,train_acc,val_loss,val_acc,lr_now,seconds,images_per_second,precision"
)


def tmpdir():
    return tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))


def write(directory, name, text):
    path = os.path.join(directory, name)
    with open(path, "w") as handle:
        handle.write(text)
    return path


def q3_history(seeds=(0, 1), epochs=3):
    lines = [HISTORY_HEADER]
    for seed in seeds:
        for epoch in range(1, epochs + 1):
            acc = 0.3 + 0.1 * epoch + 0.01 * seed
            lines.append(
                f"baseline_lr0.0001_seed{seed}_bf16,baseline,1e-04,{seed},{epoch},{2.0 / epoch},"
                f"{acc + 0.05},{2.2 / epoch},{acc},1e-04,30,1500,bf16"
            )
    return "\n".join(lines) + "\n"


def q4_copy_of_q3(q3_history_csv, edit=None):
    """Q3's runs as q4_bn_sweep logs them (an lr_multiplier column); `edit`
    may change a row's fields first."""
    lines = [HISTORY_HEADER.replace("run_id,arm,", "run_id,arm,lr_multiplier,")]
    for line in q3_history_csv.splitlines()[1:]:
        fields = line.split(",")
        if edit:
            edit(fields)
        lines.append(",".join(fields[:2] + ["1"] + fields[2:]))
    return "\n".join(lines) + "\n"


def q3_final_metrics(seeds=(0, 1)):
    lines = [
        "run_id,arm,lr,seed,train_images,epochs_completed,final_train_loss,final_train_acc,final_val_loss,"
        "final_val_acc,best_val_acc,best_epoch,diverged,mean_images_per_second,wall_seconds,precision,threads"
    ]
    for seed in seeds:
        lines.append(
            f"baseline_lr0.0001_seed{seed}_bf16,baseline,1e-04,{seed},50000,25,0.2,{0.95 + 0.01 * seed},0.7,"
            f"{0.78 + 0.02 * seed},{0.79 + 0.02 * seed},20,false,1400,900,bf16,2"
        )
    return "\n".join(lines) + "\n"


def q4_history():
    lines = [HISTORY_HEADER.replace("run_id,arm,", "run_id,arm,lr_multiplier,")]
    curves = {
        ("baseline", 1): [0.5, 0.6, 0.7],
        ("baseline", 5): [0.1, 0.1, 0.1],
        ("bn", 5): [0.6, 0.72, 0.8],
        ("bn", 10): [0.65, 0.75, 0.82],
    }
    for seed in (0, 1):
        for (arm, m), accs in curves.items():
            for epoch, acc in enumerate(accs, 1):
                acc += 0.01 * seed
                lines.append(
                    f"{arm}_lr{m * 1e-4:g}_seed{seed}_bf16,{arm},{m},{m * 1e-4:g},{seed},{epoch},"
                    f"{1.5 / epoch},{acc},{1.6 / epoch},{acc},1e-04,40,1300,bf16"
                )
    return "\n".join(lines) + "\n"


Q4_SUMMARY_HEADER = (
    "run_id,arm,lr_multiplier,lr,seed,train_images,final_val_acc,best_val_acc,best_epoch,epochs_to_target,"
    "target_val_acc,final_train_loss,diverged,wall_seconds,precision"
)
# q4_collapse.csv's columns (lib/sweep/sweep_store.h).
Q4_COLLAPSE_HEADER = (
    "run_id,init,arm,lr_multiplier,seed,epochs,train_images,final_val_acc,majority_class_share,collapsed,"
    "diverged,precision"
)
KERAS_REFERENCE_HEADER = (
    "run_id,framework,arm,lr_multiplier,seed,epochs,train_images,epoch,train_loss,train_acc,val_loss,val_acc,"
    "val_majority_class_share,seconds"
)


def q4_summary(baseline_x5=0.1):
    header = Q4_SUMMARY_HEADER
    lines = [header]
    finals = {
        ("baseline", 1): (0.7, "3"),
        ("baseline", 5): (baseline_x5, "" if baseline_x5 < 0.7 else "4"),
        ("bn", 5): (0.8, "2"),
        ("bn", 10): (0.82, "2"),
    }
    for seed in (0, 1):
        for (arm, m), (acc, reach) in finals.items():
            acc += 0.01 * seed
            lines.append(
                f"{arm}_lr{m * 1e-4:g}_seed{seed}_bf16,{arm},{m},{m * 1e-4:g},{seed},50000,{acc},{acc},3,{reach},"
                f"{0.7 + 0.01 * seed},0.5,"
                f"{'true' if (arm, m) == ('baseline', 5) and seed == 1 and baseline_x5 < 0.7 else 'false'},"
                "120,bf16"
            )
    return "\n".join(lines) + "\n"


def q4_summary_of(finals, seeds=(0, 1)):
    """q4_summary.csv rows for {(arm, multiplier): (final acc, epochs to target or "")}; seed s adds 0.01 s."""
    lines = [Q4_SUMMARY_HEADER]
    for seed in seeds:
        for (arm, m), (acc, reach) in finals.items():
            acc += 0.01 * seed
            lines.append(
                f"{arm}_lr{m * 1e-4:g}_seed{seed}_bf16,{arm},{m},{m * 1e-4:g},{seed},50000,{acc},{acc},3,{reach},"
                f"0.7,0.5,false,120,bf16"
            )
    return "\n".join(lines) + "\n"


def model_summary():
    return """network,layer,type,output_shape,trainable_params,non_trainable_params
baseline,conv2d,Conv2D,32x32x32,896,0
baseline,dense,Dense,10,5130,0
batchnorm,conv2d,Conv2D,32x32x32,896,0
batchnorm,batch_normalization,BatchNormalization,32x32x32,64,64
"""


def feature_csvs(directory):
    """A 2-image, 1-layer (layer 2: 30 x 30 maps) feature-map data set."""
    maps = ["method,layer,channel,rank,image_index,label,predicted,score,y,x,value"]
    for method, channel, rank in (("homework", 5, 1), ("homework", 5, 2), ("gradcam", -1, 0)):
        for image in ((7,) if rank == 1 else (9,)) if method == "homework" else (7, 9):
            for y in range(30):
                for x in range(30):
                    maps.append(f"{method},2,{channel},{rank},{image},3,3,0.5,{y},{x},{(y * 30 + x) / 900}")
    images = ["image_index,label,y,x,r,g,b"]
    for image in (7, 9):
        for y in range(32):
            for x in range(32):
                images.append(f"{image},3,{y},{x},{y * 8},{x * 8},100")
    top = [
        "layer,channel,rank,image_index,label,predicted,max_activation,y,x,rf_size,rf_top,rf_left,rf_bottom,rf_right",
        "2,5,1,7,3,3,0.9,4,6,5,3,5,7,9",
        "2,5,2,9,3,3,0.8,0,0,5,0,0,3,3",
    ]
    sanity = [
        "method,layer,channel,image_index,spearman",
        "homework,2,5,7,0.1",
        "homework,2,5,9,-0.3",
        "gradcam,2,-1,7,0.2",
        "gradcam,2,-1,9,0.4",
    ]
    for name, lines in (
        ("q3_feature_maps.csv", maps),
        ("q3_feature_images.csv", images),
        ("q3_top_activations.csv", top),
        ("q3_sanity.csv", sanity),
    ):
        write(directory, name, "\n".join(lines) + "\n")


def stability_row(
    arm, m, seed, collapsed, precision="fp32", threads=1, epochs=1, val_acc=None, isa="avx2", scale="unit"
):
    """One q4_collapse.csv row of a stability run, with the fields load_rows adds from the manifest."""
    return {
        "onednn_isa": isa,
        "input_scale": scale,
        "run_id": f"{arm}_lr{m * 1e-4:g}_seed{seed}_{precision}_t{threads}_e{epochs}",
        "init": "keras",
        "arm": arm,
        "lr_multiplier": f"{m:g}",
        "seed": str(seed),
        "epochs": str(epochs),
        "train_images": "50000",
        "final_val_acc": val_acc or ("0.1" if collapsed else "0.5"),
        "majority_class_share": "1" if collapsed else "0.2",
        "collapsed": "true" if collapsed else "false",
        "diverged": "false",
        "precision": precision,
    }


# ---- training probes (analysis/probes.py)


def probe_layer_row(step, layer, dead=0.0, update=0.01, norm=1.0):
    return {
        "step": float(step),
        "lr": 3e-3,
        "layer": layer,
        "weight_norm": norm,
        "grad_norm": 1.0,
        "update_ratio": update,
        "effective_lr": math.nan,
        "dead_fraction": dead,
        "preact_mean": 0.0,
        "preact_sd": 1.0,
    }


def probe_network_row(step, share, loss=2.0, sd=1.0):
    return {
        "step": float(step),
        "lr": 3e-3,
        "batch_loss": loss,
        "probe_loss": loss,
        "probe_acc": 0.1,
        "logits_sd": sd,
        "top_class_share": share,
    }


def probe_run(collapsed, layers=(), network=(), landscape=(), arm="baseline", lr=30.0, seed=0):
    """A probes.ProbeRun of hand-made rows."""
    return probes.ProbeRun(f"r{seed}", arm, lr, seed, collapsed, list(layers), list(network), list(landscape))
