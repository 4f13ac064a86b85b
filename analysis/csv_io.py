"""Reading the experiments' CSVs (lib/util/csv.h writes them) for figures."""

import csv


def read_rows(path):
    """Rows of a CSV as a list of dicts keyed by the header."""
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def to_float(text):
    """A CSV number; '' (no value) becomes NaN."""
    return float("nan") if text == "" else float(text)


def to_bool(text):
    return text == "true"
