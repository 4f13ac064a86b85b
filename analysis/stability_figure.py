"""Q4 (b)'s stability curve as a figure: the share of seeds that collapsed against the learning
rate, one panel per host ISA and one line per (network, precision, threads) in it, Wilson 95 %
bars, and the fitted logistic curve with its lr50 where a fit exists. The facts: analysis/stability.py."""

from analysis import collapse
from analysis import stability
from analysis import style

COLOURS = [style.OKABE_ITO[c] for c in ("blue", "green", "vermillion", "purple", "orange", "sky_blue")]


def label(key, with_isa=True):
    """'baseline, fp32, 1 thread, avx2' (and ', inputs 0-255' for raw255 runs)."""
    threads = f"{key.threads} thread{'s' if key.threads > 1 else ''}"
    text = f"{'BatchNorm' if key.arm == 'bn' else 'baseline'}, {key.precision}, {threads}"
    if with_isa:
        text += f", {key.isa}"
    if key.input_scale != "unit":
        text += ", inputs 0-255"
    return text


def stability_figure(curves, lr50s, out_prefix):
    """curves: stability.curves(); lr50s: {Setting: stability.Lr50}. Returns (png, what was drawn)."""
    isas = sorted({key.isa for key in curves})
    fig, axes = style.subplots(1, max(len(isas), 1), width=5.2 * max(len(isas), 1), height=4.4)
    axes = list(getattr(axes, "flat", [axes]))
    drawn = {}
    all_multipliers = [m for curve in curves.values() for m, _ in curve]
    ticks = sorted(set(all_multipliers))
    for ax, isa in zip(axes, isas):
        panel = sorted(key for key in curves if key.isa == isa)
        for i, key in enumerate(panel):
            curve = curves[key]
            colour = COLOURS[i % len(COLOURS)]
            nudge = 1 + 0.02 * (i - (len(panel) - 1) / 2)  # keeps the error bars of one lr apart
            xs = [m * nudge for m, _ in curve]
            n_seeds = sorted({c.n for _, c in curve})
            label_text = (
                f"{label(key, with_isa=False)} (n = {n_seeds[0]}"
                f"{'' if len(n_seeds) == 1 else f'-{n_seeds[-1]}'} a cell)"
            )
            rates = collapse.draw_rates(ax, xs, [c for _, c in curve], colour, label_text, "none")
            fit = lr50s.get(key)
            if fit is not None and fit.kind == "fit":
                grid = [ticks[0] * (ticks[-1] / ticks[0]) ** (j / 100) for j in range(101)]
                ax.plot(grid, [stability.fitted_rate(fit, m) for m in grid], color=colour, linewidth=1)
                ax.axvline(fit.value, color=colour, linewidth=0.8, linestyle=":")
            elif fit is not None and fit.kind == "step":  # no slope: lr50 lies somewhere in this band
                ax.axvspan(fit.low, fit.high, color=colour, alpha=0.08)
            drawn[key] = {"multipliers": [m for m, _ in curve], "rates": rates}
        ax.set_xscale("log")
        ax.minorticks_off()
        ax.set_xticks(ticks)
        ax.set_xticklabels([f"x{m:g}" for m in ticks], fontsize=7)
        if ticks:
            ax.set_xlim(ticks[0] / 1.25, ticks[-1] * 1.25)
        ax.set_ylim(-0.03, 1.03)
        ax.set_xlabel("learning rate (multiple of 1e-4)")
        ax.set_ylabel("share of seeds collapsed after 1 epoch")
        ax.set_title(f"host ISA {isa}", fontsize=9)
        ax.legend(fontsize=7, loc="upper left")
    fig.suptitle(
        "Q4 (b): where each network breaks (Wilson 95 %; fit and lr50, or lr50's range as a band)", fontsize=10
    )
    return style.save(fig, out_prefix), drawn
