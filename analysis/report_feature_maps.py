"""The report's Q3 (c): the homework's Grad-CAM variant, Grad-CAM, the strongest activations and
the sanity check, for the Keras example and, when its maps exist, the closest candidate network."""

import os

from analysis import feature_figures
from analysis.markdown import fmt
from analysis.results import Results

# The second set of Q3 (c) figures (the closest candidate network): q3_feature_maps --out_dir=reports/data/<this> on the
# best-matching candidate network's weights, with the homework's own channels (optional).
CANDIDATE_MAPS_DIR = "q3_candidate_maps"


def sanity_verdict(keys, means, threshold=0.5):
    """Reads the sanity table: a map that mostly shows the input image, not what
    the network learned, stays similar when the weights are randomised."""
    names = {"homework": "the homework's variant", "gradcam": "Grad-CAM"}
    label = [f"{names.get(m, m)}, layer {l}" for m, l in keys]
    failed = [f"{n} ({fmt(v)})" for n, v in zip(label, means) if abs(v) >= threshold]
    worst = max(range(len(means)), key=lambda i: abs(means[i]))
    head = (
        "A map that showed the image rather than what the network learned would barely change with random "
        f"weights (rank correlation near 1). Counting a mean |correlation| below {threshold} as a pass "
        "(Adebayo et al. judge by eye): "
    )
    if failed:
        return head + f"**fails** for {', '.join(failed)}; those maps say little about the trained network."
    return head + (
        f"**every method passes at every layer**; the largest mean is {fmt(means[worst])} "
        f"({label[worst]}), so these maps depend on the trained weights."
    )


def q3c(doc, results):
    doc.add("### (c) What makes a feature map fire", "")
    doc.add(
        "**The homework's variant of Grad-CAM** (as it describes it): for a conv layer and a chosen "
        "channel c, compute over 100 test images the gradient of the predicted class's score with "
        "respect to that channel's feature map, average it over positions (alpha_c), keep the two images "
        "with the largest alpha_c and show alpha_c x (feature map c), upsampled over the image. Beside it: "
        "**standard Grad-CAM**, ReLU(sum_c alpha_c A_c); the **strongest activations** of each channel in "
        "1,000 test images with the unit's receptive field (3, 5 and 14 pixels at layers 1, 2 and 4); and "
        "a **sanity check** (Adebayo et al. 2018): each map is compared with the same map from a network "
        "with random weights.",
        "",
    )
    if not results.has("q3_feature_maps.csv", "q3_feature_images.csv"):
        return
    feature_figures_of(doc, results.data_dir, "q3_", "Q3 (c)")
    candidate_dir = results.csv(CANDIDATE_MAPS_DIR)
    if results.exists(os.path.join(CANDIDATE_MAPS_DIR, "q3_feature_maps.csv")):
        doc.add(
            "**The homework's own channels, on the closest candidate network.** The Keras example has "
            "too few channels in layers 2 and 4 for the homework's choice; the best-matching candidate of "
            '"Which network did the homework train?" has them, so the same figures follow for its weights '
            f"(`reports/data/{CANDIDATE_MAPS_DIR}`).",
            "",
        )
        feature_figures_of(doc, candidate_dir, "q3_candidate_", "Q3 (c), candidate network")


def feature_figures_of(doc, data_dir, name_prefix, caption_prefix):
    """Q3 (c)'s figures and sanity table from one folder that q3_feature_maps wrote."""
    maps = Results(data_dir)
    m = maps.manifest("q3_feature_maps")
    if m is not None:
        doc.add(
            f"Weights: `{os.path.basename(m.get('weights', '?'))}`; channels per layer: " f"{m.get('channels')}.",
            "",
        )
    csv = maps.csv
    layers = sorted({int(r["layer"]) for r in maps.rows("q3_top_activations.csv")}) or [1, 2, 4]
    for layer in layers:
        png, _ = feature_figures.heatmap_figure(
            csv("q3_feature_maps.csv"),
            csv("q3_feature_images.csv"),
            layer,
            doc.figure_path(f"{name_prefix}heatmaps_layer{layer}"),
        )
        doc.figure(png, f"{caption_prefix}: layer {layer}, homework variant and Grad-CAM (homework Figures 4-9)")
    if maps.exists("q3_top_activations.csv"):
        png, _ = feature_figures.top_patches_figure(
            csv("q3_top_activations.csv"),
            csv("q3_feature_images.csv"),
            doc.figure_path(f"{name_prefix}top_activations"),
        )
        doc.figure(png, f"{caption_prefix}: test images that activate each channel most, receptive field outlined")
    if maps.exists("q3_sanity.csv"):
        png, drawn = feature_figures.sanity_figure(csv("q3_sanity.csv"), doc.figure_path(f"{name_prefix}sanity"))
        doc.figure(png, f"{caption_prefix}: rank correlation of trained and random-weight maps")
        doc.table(
            ["method", "layer", "mean Spearman (trained vs random)"],
            [[k[0], k[1], fmt(v)] for k, v in zip(drawn["keys"], drawn["means"])],
        )
        if drawn["keys"]:
            doc.add(sanity_verdict(drawn["keys"], drawn["means"]), "")
