#ifndef HW1_LIB_TRAIN_METRICS_H_
#define HW1_LIB_TRAIN_METRICS_H_

// What a training run measured, epoch by epoch (LibTorch-free).

#include <cstdint>
#include <string>
#include <vector>

namespace hw1::train {

struct EpochMetrics {
  int epoch = 0;                         // 1-based
  double train_loss = 0, train_acc = 0;  // running means over the epoch, as Keras reports
  double val_loss = 0, val_acc = 0;      // on the test set, in eval mode
  double lr_now = 0;                     // learning rate of the epoch's last batch
  double seconds = 0;                    // training + evaluation wall time
  double images_per_second = 0;          // training images / training seconds
};

struct TrainResult {
  std::vector<EpochMetrics> history;  // finite epochs only
  bool diverged = false;              // a non-finite loss ended the run
  int diverged_in_epoch = 0;
  std::string precision;  // what ran: "fp32" or "bf16"
  std::string device;     // "cpu" or "cuda"
  int threads = 0;
  int resumed_from_epoch = 0;  // 0: started fresh
  // Test images the final model assigns to each class (empty when the run
  // diverged): a collapsed network puts nearly all in one.
  std::vector<int64_t> val_prediction_counts;
};

}  // namespace hw1::train

#endif  // HW1_LIB_TRAIN_METRICS_H_
