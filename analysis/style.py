"""Shared look of every figure: colour-blind-safe colours (Okabe-Ito), Agg backend."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)

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


def save(fig, path_without_suffix):
    """Saves PNG and SVG next to each other; returns the PNG path."""
    fig.tight_layout()
    fig.savefig(path_without_suffix + ".png")
    fig.savefig(path_without_suffix + ".svg")
    plt.close(fig)
    return path_without_suffix + ".png"
