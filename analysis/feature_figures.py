"""Q3 (c): heatmaps over images, top-activating patches and the randomisation
check, from the CSVs //experiments:q3_feature_maps writes."""

from collections import defaultdict

import numpy as np

from analysis import csv_io
from analysis import style

CLASS_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def read_images(images_csv):
    """{image_index: uint8 array 32 x 32 x 3}."""
    images = defaultdict(lambda: np.zeros((32, 32, 3), dtype=np.uint8))
    for row in csv_io.read_rows(images_csv):
        images[int(row["image_index"])][int(row["y"]), int(row["x"])] = (int(row["r"]), int(row["g"]), int(row["b"]))
    return dict(images)


def read_maps(maps_csv):
    """{(method, layer, channel, rank, image): (meta dict, H x W array)}."""
    cells = defaultdict(list)
    meta = {}
    for row in csv_io.read_rows(maps_csv):
        key = (row["method"], int(row["layer"]), int(row["channel"]), int(row["rank"]), int(row["image_index"]))
        cells[key].append((int(row["y"]), int(row["x"]), float(row["value"])))
        meta[key] = {"label": int(row["label"]), "predicted": int(row["predicted"]), "score": float(row["score"])}
    maps = {}
    for key, values in cells.items():
        size = max(y for y, _, _ in values) + 1, max(x for _, x, _ in values) + 1
        grid = np.zeros(size)
        for y, x, v in values:
            grid[y, x] = v
        maps[key] = (meta[key], grid)
    return maps


def _overlay(ax, image, heat, title):
    ax.imshow(image, interpolation="nearest")
    if heat is not None:
        # Upsampled over the image; scaled to its own maximum (|min| when all <= 0).
        scale = heat.max() if heat.max() > 0 else max(abs(heat.min()), 1e-12)
        ax.imshow(
            np.clip(heat / scale, 0, 1),
            cmap="inferno",
            alpha=0.55,
            extent=(-0.5, 31.5, 31.5, -0.5),
            interpolation="bilinear",
            vmin=0,
            vmax=1,
        )
    ax.set_title(title, fontsize=7)
    ax.set_xticks([])
    ax.set_yticks([])


def heatmap_figure(maps_csv, images_csv, layer, out_prefix):
    """The homework's Figures 4-9 for one layer: per chosen channel and top image,
    the image, the homework variant's heatmap and Grad-CAM, overlaid."""
    maps = read_maps(maps_csv)
    images = read_images(images_csv)
    keys = sorted(k for k in maps if k[0] == "homework" and k[1] == layer)
    fig, axes = style.subplots(len(keys), 3, width=6.3, height=2.1 * max(len(keys), 1))
    axes = np.atleast_2d(axes)
    drawn = []
    for row, key in enumerate(keys):
        _, _, channel, rank, n = key
        meta, heat = maps[key]
        cam = maps.get(("gradcam", layer, -1, 0, n))
        label = CLASS_NAMES[meta["label"]]
        predicted = CLASS_NAMES[meta["predicted"]]
        _overlay(axes[row][0], images[n], None, f"test image {n}: {label}\n(predicted {predicted})")
        _overlay(
            axes[row][1],
            images[n],
            heat,
            f"layer {layer} channel {channel}, top {rank}\n" f"pooled grad x map (grad {meta['score']:.2g})",
        )
        _overlay(axes[row][2], images[n], cam[1] if cam else None, "Grad-CAM (all channels)\nof the predicted class")
        drawn.append({"channel": channel, "rank": rank, "image": n, "max": float(heat.max())})
    fig.suptitle(f"Q3 (c): layer {layer}, the homework's Grad-CAM variant beside Grad-CAM", fontsize=10)
    return style.save(fig, out_prefix), drawn


def top_patches_figure(top_csv, images_csv, out_prefix):
    """Per layer and channel, the test images with the largest activation of
    that channel, cropped to the unit's receptive field (outlined in the image)."""
    rows = csv_io.read_rows(top_csv)
    images = read_images(images_csv)
    groups = defaultdict(list)
    for r in rows:
        groups[(int(r["layer"]), int(r["channel"]))].append(r)
    keys = sorted(groups)
    per = max(len(v) for v in groups.values()) if groups else 1
    fig, axes = style.subplots(len(keys), per, width=1.6 * per, height=1.8 * max(len(keys), 1))
    axes = np.atleast_2d(axes)
    drawn = {}
    for i, key in enumerate(keys):
        for j, r in enumerate(sorted(groups[key], key=lambda r: int(r["rank"]))):
            ax = axes[i][j]
            n = int(r["image_index"])
            top, left, bottom, right = (int(r[k]) for k in ("rf_top", "rf_left", "rf_bottom", "rf_right"))
            ax.imshow(images[n], interpolation="nearest")
            ax.add_patch(
                style.plt.Rectangle(
                    (left - 0.5, top - 0.5),
                    right - left + 1,
                    bottom - top + 1,
                    fill=False,
                    edgecolor=style.OKABE_ITO["yellow"],
                    linewidth=1.5,
                )
            )
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(
                f"L{key[0]} ch{key[1]} #{r['rank']}\n{CLASS_NAMES[int(r['label'])]} "
                f"{float(r['max_activation']):.2f}",
                fontsize=6,
            )
            drawn.setdefault(key, []).append((n, (top, left, bottom, right)))
        for j in range(len(groups[key]), per):
            axes[i][j].axis("off")
    fig.suptitle("Q3 (c): strongest activations per channel; box = receptive field of the peak unit", fontsize=9)
    return style.save(fig, out_prefix), drawn


def sanity_figure(sanity_csv, out_prefix):
    """Spearman correlation between each map of the trained model and the same
    map of a model with random weights: near 0 means the map reflects training."""
    rows = csv_io.read_rows(sanity_csv)
    groups = defaultdict(list)
    for r in rows:
        groups[(r["method"], int(r["layer"]))].append(float(r["spearman"]))
    keys = sorted(groups)
    fig, ax = style.new_figure(7.0, 3.8)
    means = []
    for i, key in enumerate(keys):
        values = groups[key]
        colour = style.OKABE_ITO["blue"] if key[0] == "homework" else style.OKABE_ITO["orange"]
        ax.scatter([i] * len(values), values, color=colour, alpha=0.6, s=15)
        means.append(sum(values) / len(values))
        ax.plot([i - 0.3, i + 0.3], [means[-1]] * 2, color="black")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(range(len(keys)))
    ax.set_xticklabels([f"{'homework' if m == 'homework' else 'Grad-CAM'}\nlayer {l}" for m, l in keys], fontsize=8)
    ax.set_ylim(-1, 1)
    ax.set_ylabel("Spearman rank correlation\n(trained vs random weights)")
    ax.set_title("Q3 (c): sanity check (Adebayo et al. 2018); bar = mean")
    return style.save(fig, out_prefix), {"keys": keys, "means": means}
