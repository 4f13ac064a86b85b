"""How the report writes: numbers at fixed digits, and a Markdown document of paragraphs, tables
and figures. Sections (analysis/report_*.py) write into one Document."""

import math
import os
import statistics


def fmt(value, digits=4):
    """How every number is printed: fixed digits, so tests can find it."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, int):
        return str(value)
    return f"{value:.{digits}f}"


def mean_sd(values):
    values = list(values)
    if not values:
        return None, None
    return statistics.fmean(values), (statistics.stdev(values) if len(values) > 1 else None)


def fmt_mean_sd(values, digits=4):
    values = list(values)
    mean, sd = mean_sd(values)
    if mean is None:
        return "n/a"
    return fmt(mean, digits) + (f" ± {fmt(sd, digits)}" if sd is not None else "") + f" (n={len(values)})"


class Document:
    """The report's lines, and the figures it shows (written into `out_dir`/figures)."""

    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.fig_dir = os.path.join(out_dir, "figures")
        os.makedirs(self.fig_dir, exist_ok=True)
        self.lines = []
        self.figures = []

    def figure_path(self, name):
        """Where a figure named `name` (no extension) goes."""
        return os.path.join(self.fig_dir, name)

    def add(self, *lines):
        self.lines.extend(lines)

    def figure(self, png, caption):
        rel = os.path.relpath(png, self.out_dir)
        self.figures.append(png)
        self.add(f"![{caption}]({rel})", "", f"*{caption}*", "")

    def table(self, header, rows):
        self.add("| " + " | ".join(header) + " |", "|" + "---|" * len(header))
        for row in rows:
            self.add("| " + " | ".join(str(c) for c in row) + " |")
        self.add("")

    def write(self, name):
        """Writes the document to `out_dir`/`name` atomically; returns the path."""
        path = os.path.join(self.out_dir, name)
        tmp = path + f".tmp.{os.getpid()}"
        with open(tmp, "w") as handle:
            handle.write("\n".join(self.lines).rstrip() + "\n")
        os.replace(tmp, path)
        return path
