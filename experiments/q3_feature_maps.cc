// Q3 (c): what makes a feature map fire, for three channels in each of
// --layers of weights q3_train_cnn wrote. What it writes:
// lib/experiment/feature_maps_job.h.

#include <gflags/gflags.h>

#include "lib/experiment/experiment.h"
#include "lib/experiment/feature_maps_job.h"

DEFINE_string(weights, "", "Weights written by q3_train_cnn (<out_dir>/weights/<run_id>.pt)");
DEFINE_bool(batchnorm, false, "The weights are of the BatchNorm variant");
DEFINE_string(
    widths, "32,32,64,64",
    "Channels of the four conv layers the weights were trained with (q3_train_cnn --widths)");
DEFINE_string(layers, "1,2,4", "Conv layers (1-4) to visualise");
DEFINE_string(
    channels, "",
    "Channels per layer, e.g. '3,8,26;3,37,49;25,51,55' (default: three per layer from --seed)");
DEFINE_uint64(seed, 0, "Seed for choosing channels and for the random-weights model");
DEFINE_int32(num_images, 100, "Test images the homework variant ranks");
DEFINE_int32(top_k, 2, "Images kept per channel");
DEFINE_int32(evidence_images, 1000, "Test images searched for the largest activations");
DEFINE_int32(threads, 0, "Intra-op threads (0: every core)");

int main(int argc, char** argv) {
  hw1::Manifest manifest = hw1::experiment::Start(
      "q3_feature_maps", "Q3 (c): visualise what makes feature maps fire", &argc, &argv);
  hw1::experiment::FeatureMapsSettings settings;
  settings.weights = FLAGS_weights;
  settings.batchnorm = FLAGS_batchnorm;
  settings.widths = FLAGS_widths;
  settings.layers = FLAGS_layers;
  settings.channels = FLAGS_channels;
  settings.seed = FLAGS_seed;
  settings.num_images = FLAGS_num_images;
  settings.top_k = FLAGS_top_k;
  settings.evidence_images = FLAGS_evidence_images;
  settings.threads = FLAGS_threads;
  const absl::Status status = hw1::experiment::DrawFeatureMaps(settings, manifest);
  return status.ok() ? 0 : hw1::experiment::Fail("q3_feature_maps", status);
}
