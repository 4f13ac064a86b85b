#ifndef HW1_LIB_EXPERIMENT_CIFAR10_FLAGS_H_
#define HW1_LIB_EXPERIMENT_CIFAR10_FLAGS_H_

// The flags of the experiments that read CIFAR-10 (--data_dir, --partial_data,
// --download), defined once, and the one way they find and load the data.

#include <cstdint>

#include "absl/status/statusor.h"
#include "gflags/gflags.h"
#include "lib/data/cifar10.h"

DECLARE_string(data_dir);
DECLARE_bool(partial_data);
DECLARE_bool(download);

namespace hw1::experiment {

// The load options the flags say, with these limits (-1: all images).
data::LoadOptions LoadOptionsFromFlags(int64_t train_limit, int64_t test_limit);

// Finds the data (--data_dir, else $CIFAR10_DIR, else the user's cache, where
// --download fetches the official archive when it is missing) and loads it.
// Errors name the folder or file and the fix.
absl::StatusOr<data::Cifar10> LoadCifar10FromFlags(int64_t train_limit, int64_t test_limit);

}  // namespace hw1::experiment

#endif  // HW1_LIB_EXPERIMENT_CIFAR10_FLAGS_H_
