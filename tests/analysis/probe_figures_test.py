"""analysis/probe_figures.py draws every run it is given, on hand-made rows."""

import os
import unittest

from analysis import probe_figures
from analysis import probes
from tests.analysis import fixtures


def probed_run(arm, lr, seed, collapsed):
    layers = [
        fixtures.probe_layer_row(s, layer, dead=0.1 * s / 25, update=0.01)
        for s in (0, 25, 50)
        for layer in probes.LAYERS
    ]
    landscape = [
        {"step": float(s), "loss": 2.0, "loss_s0.5": 1.9, "loss_s2": 2.5, "relative_loss_change": 0.1} for s in (0, 200)
    ]
    return fixtures.probe_run(collapsed, layers=layers, landscape=landscape, arm=arm, lr=lr, seed=seed)


class ProbeFiguresTest(unittest.TestCase):
    def setUp(self):
        runs = [probed_run("baseline", 30.0, 0, True), probed_run("baseline", 30.0, 1, False)]
        runs += [
            probed_run("bn", 30.0, 0, False),
            probed_run("baseline", 1.0, 0, False),
            probed_run("bn", 1.0, 0, False),
        ]
        self.runs = {
            f"{r.arm}{r.lr_multiplier}{r.seed}": r._replace(run_id=f"{r.arm}{r.lr_multiplier}{r.seed}") for r in runs
        }
        self.out = fixtures.tmpdir()

    def test_dead_units_a_line_per_run_at_the_lr_in_each_layer(self):
        png, drawn = probe_figures.dead_units_figure(self.runs, 30.0, os.path.join(self.out, "dead"))
        self.assertTrue(os.path.exists(png))
        self.assertEqual(sorted(drawn), sorted(probes.LAYERS))
        self.assertEqual(sorted(rid for rid, _ in drawn["conv1"]), ["baseline30.00", "baseline30.01", "bn30.00"])
        self.assertEqual(drawn["fc1"][0][1], 3)  # three probes each

    def test_angular_update_leaves_collapsed_runs_out(self):
        _, drawn = probe_figures.angular_update_figure(self.runs, os.path.join(self.out, "angular"))
        self.assertEqual(sorted(drawn), [("baseline", 1.0), ("baseline", 30.0), ("bn", 1.0), ("bn", 30.0)])
        self.assertEqual(drawn[("baseline", 30.0)], 3)

    def test_landscape_a_band_per_run(self):
        _, drawn = probe_figures.landscape_figure(self.runs, [1.0, 30.0], os.path.join(self.out, "landscape"))
        self.assertEqual(drawn[("baseline", 30.0, 1)], 2)
        self.assertEqual(len(drawn), 5)


if __name__ == "__main__":
    unittest.main()
