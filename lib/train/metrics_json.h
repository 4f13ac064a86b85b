#ifndef HW1_LIB_TRAIN_METRICS_JSON_H_
#define HW1_LIB_TRAIN_METRICS_JSON_H_

// EpochMetrics and TrainResult as JSON, field for field: how a sweep's worker
// process hands its finished run to the process that records it. nlohmann
// writes doubles with 17 significant digits, so a round trip is exact.

#include <string>

#include "absl/status/statusor.h"
#include "lib/train/metrics.h"
#include "nlohmann/json.hpp"

namespace hw1::train {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(EpochMetrics, epoch, train_loss, train_acc, val_loss, val_acc,
                                   lr_now, seconds, images_per_second)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TrainResult, history, diverged, diverged_in_epoch, precision,
                                   device, threads, resumed_from_epoch, train_images,
                                   val_prediction_counts)

// Writes `result` to `path` atomically.
absl::Status WriteTrainResult(const std::string& path, const TrainResult& result);

// Reads what WriteTrainResult wrote; DataLoss naming `path` when it is not that.
absl::StatusOr<TrainResult> ReadTrainResult(const std::string& path);

}  // namespace hw1::train

#endif  // HW1_LIB_TRAIN_METRICS_JSON_H_
