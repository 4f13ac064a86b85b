// Q1: for a grid of 1×1 convolutions, does torch::conv2d equal scaling the input
// by one scalar, and does the condition in lib/math/conv1x1.h predict it?
// What it writes: lib/experiment/conv1x1_job.h. Exits 1 when the condition
// and LibTorch disagree on any case.

#include <gflags/gflags.h>

#include "lib/experiment/conv1x1_job.h"
#include "lib/experiment/experiment.h"

DEFINE_int32(num_inputs, 16, "Random inputs per case");
DEFINE_int32(image_size, 8, "Height and width of each random input");
DEFINE_uint64(seed, 0, "Seed for weights and inputs");

int main(int argc, char** argv) {
  hw1::Manifest manifest = hw1::experiment::Start(
      "q1_conv1x1", "Q1: when is a 1x1 convolution a scalar multiple of its input?", &argc, &argv);
  hw1::experiment::Conv1x1Settings settings;
  settings.num_inputs = FLAGS_num_inputs;
  settings.image_size = FLAGS_image_size;
  settings.seed = FLAGS_seed;
  const absl::StatusOr<int> disagreements = hw1::experiment::CheckConv1x1(settings, manifest);
  if (!disagreements.ok()) return hw1::experiment::Fail("q1_conv1x1", disagreements.status());
  return *disagreements == 0 ? 0 : 1;
}
