#ifndef HW1_LIB_TRAIN_WEIGHTS_IO_H_
#define HW1_LIB_TRAIN_WEIGHTS_IO_H_

// A trained network's weights on disk: LibTorch's C++ archive (which
// q3_feature_maps loads) and a name -> tensor dict that Python's torch.load
// opens. Both written atomically.

#include <string>

#include "absl/status/status.h"
#include "lib/models/cifar_cnn.h"

namespace hw1::train {

// Saves / loads the module with torch::save / torch::load (C++ archive).
absl::Status SaveWeights(models::CifarCnn& model, const std::string& path);
// Refuses, naming `path` and the tensors that differ, weights of another
// network (the BatchNorm one into the baseline, say), which Module::load
// would partly accept.
absl::Status LoadWeights(models::CifarCnn& model, const std::string& path);

// Saves the weights as a name -> tensor dict with torch::pickle_save.
absl::Status ExportWeightsForPython(models::CifarCnn& model, const std::string& path);

}  // namespace hw1::train

#endif  // HW1_LIB_TRAIN_WEIGHTS_IO_H_
