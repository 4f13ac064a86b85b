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

// Calls f(column name, field) for each field of `m` in the history CSV's
// column order: the one list of EpochMetrics' fields, which the CSV writer
// and reader and the checkpoint walk (the JSON hand-over, metrics_json.h,
// names them in nlohmann's macro). `M` is
// EpochMetrics or const EpochMetrics; `field` is an int& (epoch) or double&.
template <typename M, typename F>
void ForEachEpochField(M& m, F&& f) {
  f("epoch", m.epoch);
  f("train_loss", m.train_loss);
  f("train_acc", m.train_acc);
  f("val_loss", m.val_loss);
  f("val_acc", m.val_acc);
  f("lr_now", m.lr_now);
  f("seconds", m.seconds);
  f("images_per_second", m.images_per_second);
}

// The history's column names, in ForEachEpochField's order.
inline std::vector<std::string> EpochColumns() {
  std::vector<std::string> names;
  const EpochMetrics none;
  ForEachEpochField(none, [&](const char* name, const auto&) { names.push_back(name); });
  return names;
}

struct TrainResult {
  std::vector<EpochMetrics> history;  // finite epochs only
  bool diverged = false;              // a non-finite loss ended the run
  int diverged_in_epoch = 0;
  std::string precision;  // what ran: "fp32" or "bf16"
  std::string device;     // "cpu" or "cuda"
  int threads = 0;
  int resumed_from_epoch = 0;  // 0: started fresh
  int64_t train_images = 0;    // what it trained on: all 50,000, or --train_limit's first N
  // Test images the final model assigns to each class (empty when the run
  // diverged): a collapsed network puts nearly all in one.
  std::vector<int64_t> val_prediction_counts;
};

}  // namespace hw1::train

#endif  // HW1_LIB_TRAIN_METRICS_H_
