#ifndef HW1_LIB_EXPERIMENT_CONV1X1_JOB_H_
#define HW1_LIB_EXPERIMENT_CONV1X1_JOB_H_

// Q1 from its settings to its files: for a grid of 1×1 convolutions, does
// torch::conv2d equal scaling the input by one scalar, and does the condition
// in lib/math/conv1x1.h predict it? Everything q1_conv1x1 does once its flags
// are read. Writes q1_conv1x1.csv and q1_conv1x1.manifest.json to OutDir().

#include <cstdint>

#include "absl/status/statusor.h"
#include "lib/util/run_context.h"

namespace hw1::experiment {

struct Conv1x1Settings {
  int num_inputs = 16;  // random inputs per case
  int image_size = 8;   // height and width of each
  uint64_t seed = 0;    // weights and inputs
};

// The number of cases where the condition disagrees with torch::conv2d (0
// when lib/math/conv1x1.h is right); errors name the flag or the file.
absl::StatusOr<int> CheckConv1x1(const Conv1x1Settings& settings, Manifest& manifest);

}  // namespace hw1::experiment

#endif  // HW1_LIB_EXPERIMENT_CONV1X1_JOB_H_
