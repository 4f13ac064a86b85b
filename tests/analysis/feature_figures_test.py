"""Q3 (c) and architecture figures draw what the CSVs hold."""

import os
import unittest

from analysis import architecture_figure
from analysis import feature_figures
from tests.analysis import fixtures


class FeatureFiguresTest(unittest.TestCase):
    def setUp(self):
        self.dir = fixtures.tmpdir()
        fixtures.feature_csvs(self.dir)

    def path(self, name):
        return os.path.join(self.dir, name)

    def test_images_and_maps_round_trip(self):
        images = feature_figures.read_images(self.path("q3_feature_images.csv"))
        self.assertEqual(sorted(images), [7, 9])
        self.assertEqual(tuple(images[7][3, 5]), (24, 40, 100))
        maps = feature_figures.read_maps(self.path("q3_feature_maps.csv"))
        meta, grid = maps[("homework", 2, 5, 1, 7)]
        self.assertEqual(grid.shape, (30, 30))
        self.assertAlmostEqual(grid[2, 3], 63 / 900)
        self.assertEqual(meta["label"], 3)

    def test_heatmaps_top_patches_and_sanity(self):
        png, drawn = feature_figures.heatmap_figure(
            self.path("q3_feature_maps.csv"), self.path("q3_feature_images.csv"), 2, self.path("h")
        )
        self.assertTrue(os.path.getsize(png) > 0)
        self.assertEqual([(d["channel"], d["rank"], d["image"]) for d in drawn], [(5, 1, 7), (5, 2, 9)])
        self.assertAlmostEqual(drawn[0]["max"], 899 / 900)
        _, patches = feature_figures.top_patches_figure(
            self.path("q3_top_activations.csv"), self.path("q3_feature_images.csv"), self.path("t")
        )
        self.assertEqual(patches[(2, 5)], [(7, (3, 5, 7, 9)), (9, (0, 0, 3, 3))])
        _, sanity = feature_figures.sanity_figure(self.path("q3_sanity.csv"), self.path("s"))
        self.assertEqual(sanity["keys"], [("gradcam", 2), ("homework", 2)])
        self.assertAlmostEqual(sanity["means"][0], 0.3)
        self.assertAlmostEqual(sanity["means"][1], -0.1)

    def test_architecture_lists_every_layer(self):
        csv = fixtures.write(self.dir, "summary.csv", fixtures.model_summary())
        _, drawn = architecture_figure.architecture_figure(csv, self.path("a"))
        self.assertEqual(drawn["baseline"]["total_params"], 896 + 5130)
        self.assertEqual(drawn["batchnorm"]["total_params"], 896 + 128)
        self.assertIn("Conv2D   out 32 x 32 x 32   params 896", drawn["baseline"]["labels"])


if __name__ == "__main__":
    unittest.main()
