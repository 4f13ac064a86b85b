"""Shared look of every figure: colour-blind-safe colours (Okabe-Ito), Agg backend."""

import matplotlib

matplotlib.use("Agg")
# Byte-identical SVGs from identical data: fixed element ids, no timestamp.
matplotlib.rcParams["svg.hashsalt"] = "hw1-repro"

import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)
from matplotlib.ticker import MaxNLocator  # noqa: E402,F401  (re-exported for the figure modules)

# Okabe & Ito (2008), safe for the common colour-vision deficiencies.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
}


def new_figure(width=7.0, height=4.0):
    fig, ax = plt.subplots(figsize=(width, height), dpi=120)
    ax.grid(True, alpha=0.3)
    return fig, ax


def subplots(rows, cols, width=10.0, height=4.0):
    fig, axes = plt.subplots(rows, cols, figsize=(width, height), dpi=120)
    for ax in getattr(axes, "flat", [axes]):
        ax.grid(True, alpha=0.3)
    return fig, axes


def save(fig, path_without_suffix):
    """Saves PNG and SVG next to each other; returns the PNG path."""
    # Leave room for a figure-wide title so it does not sit on the first row.
    fig.tight_layout(rect=(0, 0, 1, 0.96) if fig._suptitle is not None else (0, 0, 1, 1))
    fig.savefig(path_without_suffix + ".png", metadata={"Software": None})
    fig.savefig(path_without_suffix + ".svg", metadata={"Date": None})
    plt.close(fig)
    return path_without_suffix + ".png"
