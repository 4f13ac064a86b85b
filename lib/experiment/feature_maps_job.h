#ifndef HW1_LIB_EXPERIMENT_FEATURE_MAPS_JOB_H_
#define HW1_LIB_EXPERIMENT_FEATURE_MAPS_JOB_H_

// Q3 (c): what makes a feature map fire, from its settings to its files:
// everything q3_feature_maps does once its flags are read. Loads weights from
// q3_train_cnn and, for three channels in each of the layers, writes to OutDir():
//   q3_feature_maps.csv      heatmaps: the homework's variant (pooled gradient ×
//                            that channel's map, top --top_k of --num_images test
//                            images by pooled gradient) and standard Grad-CAM of
//                            the predicted class for the same images
//   q3_top_activations.csv   per channel, the test images with the largest
//                            maximum activation and the input patch (receptive
//                            field) under that unit
//   q3_feature_images.csv    the pixels of every image used
//   q3_sanity.csv            Spearman correlation of each map with the same map
//                            from a model with random weights (Adebayo et al. 2018)
//   q3_feature_maps.manifest.json

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/models/cifar_cnn.h"
#include "lib/util/run_context.h"

namespace hw1::experiment {

// The settings as the user gave them (q3_feature_maps' flags).
struct FeatureMapsSettings {
  std::string weights;  // a .pt file written by q3_train_cnn
  bool batchnorm = false;
  std::string widths = "32,32,64,64";
  std::string layers = "1,2,4";
  std::string channels;  // "3,8,26;3,37,49;25,51,55": a group per layer ("": drawn from seed)
  uint64_t seed = 0;
  int num_images = 100;
  int top_k = 2;
  int evidence_images = 1000;
  int threads = 0;
};

// The network and the channels of each layer the settings say, every value
// checked (errors name the flag and, for a channel, the layer's width).
struct FeatureMapsSetup {
  models::CifarCnnOptions network;
  std::vector<int> layers;
  std::map<int, std::vector<int64_t>> channels;  // layer -> channels
};
absl::StatusOr<FeatureMapsSetup> SetUpFeatureMaps(const FeatureMapsSettings& settings);

// Draws the maps and writes the CSVs and the manifest.
absl::Status DrawFeatureMaps(const FeatureMapsSettings& settings, Manifest& manifest);

}  // namespace hw1::experiment

#endif  // HW1_LIB_EXPERIMENT_FEATURE_MAPS_JOB_H_
