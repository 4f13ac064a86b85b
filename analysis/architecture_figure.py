"""Q3 (a): the two networks drawn from q3_model_summary.csv (Keras-style layers)."""

from analysis import csv_io
from analysis import style

TYPE_COLOUR = {
    "Conv2D": "sky_blue",
    "BatchNormalization": "yellow",
    "Activation": "green",
    "MaxPooling2D": "orange",
    "Dropout": "purple",
    "Flatten": "black",
    "Dense": "blue",
}


def architecture_figure(summary_csv, out_prefix):
    rows = csv_io.read_rows(summary_csv)
    networks = [n for n in ("baseline", "batchnorm") if any(r["network"] == n for r in rows)]
    fig, axes = style.subplots(1, len(networks), width=6.0 * len(networks), height=9.0)
    axes = list(getattr(axes, "flat", [axes]))
    drawn = {}
    for ax, network in zip(axes, networks):
        layers = [r for r in rows if r["network"] == network]
        ax.grid(False)
        ax.set_xlim(0, 1)
        ax.set_ylim(len(layers) + 0.5, -1.2)
        ax.axis("off")
        total = 0
        labels = []
        for i, layer in enumerate(layers):
            params = int(layer["trainable_params"]) + int(layer["non_trainable_params"])
            total += params
            colour = style.OKABE_ITO[TYPE_COLOUR.get(layer["type"], "black")]
            ax.add_patch(
                style.plt.Rectangle(
                    (0.05, i - 0.4), 0.9, 0.8, facecolor=colour, alpha=0.35, edgecolor="black", linewidth=0.6
                )
            )
            text = f'{layer["type"]}   out {layer["output_shape"].replace("x", " x ")}   params {params:,}'
            labels.append(text)
            ax.text(0.5, i, text, ha="center", va="center", fontsize=8)
        ax.set_title(
            f'{"Baseline CNN" if network == "baseline" else "BatchNorm CNN"} '
            f"(Keras cifar10_cnn), {total:,} parameters",
            fontsize=10,
        )
        ax.text(0.5, -0.8, "input 32 x 32 x 3", ha="center", fontsize=8)
        drawn[network] = {"labels": labels, "total_params": total}
    fig.suptitle("Q3 (a): architectures (output shapes H x W x C, as Keras lists them)", fontsize=11)
    return style.save(fig, out_prefix), drawn
