"""The results folder the report reads (reports/data): which CSVs it expects and from which
binary, and its CSVs and manifests, each read where it is optional without failing."""

import json
import os

from analysis import csv_io

# The CSVs every full report needs, and the command that writes each.
EXPECTED = {
    "q1_conv1x1.csv": "//experiments:q1_conv1x1",
    "q2_hessian_checks.csv": "//experiments:q2_convexity",
    "q2_symbolic_proof.csv": "//experiments:q2_convexity",
    "q2_derivation_steps.csv": "//experiments:q2_convexity",
    "q3_model_summary.csv": "//experiments:q3_train_cnn",
    "q3_history.csv": "//experiments:q3_train_cnn",
    "q3_final_metrics.csv": "//experiments:q3_train_cnn",
    "q3_feature_maps.csv": "//experiments:q3_feature_maps",
    "q3_top_activations.csv": "//experiments:q3_feature_maps",
    "q3_feature_images.csv": "//experiments:q3_feature_maps",
    "q3_sanity.csv": "//experiments:q3_feature_maps",
    "q4_history.csv": "//experiments:q4_bn_sweep",
    "q4_summary.csv": "//experiments:q4_bn_sweep",
}


class Results:
    def __init__(self, data_dir):
        self.data_dir = data_dir
        self.missing = [name for name in EXPECTED if not os.path.exists(self.csv(name))]

    def csv(self, name):
        """The path of `name` (may be in a subfolder: "collapse/q4_collapse.csv")."""
        return os.path.join(self.data_dir, name)

    def has(self, *names):
        return all(name not in self.missing for name in names)

    def exists(self, name):
        return os.path.exists(self.csv(name))

    def rows(self, name):
        """The rows of CSV `name`; [] when the file is not there (an optional result)."""
        return csv_io.read_rows(self.csv(name)) if self.exists(name) else []

    def manifest(self, experiment):
        path = os.path.join(self.data_dir, f"{experiment}.manifest.json")
        if not os.path.exists(path):
            return None
        with open(path) as handle:
            return json.load(handle)

    def collapse_rows(self):
        """The collapse study's runs (q4_bn_sweep --profile=collapse)."""
        return self.rows(os.path.join("collapse", "q4_collapse.csv"))

    def keras_reference_rows(self):
        """tf-keras' own runs (tools/keras_reference)."""
        return self.rows("keras_reference.csv")
