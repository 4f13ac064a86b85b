#ifndef HW1_LIB_TRAIN_TRAIN_OPTIONS_H_
#define HW1_LIB_TRAIN_TRAIN_OPTIONS_H_

// How a network is trained: the homework's protocol by default (Adam, lr 1e-4,
// Keras time-based decay 1e-6, batch 32, 25 epochs). Free of LibTorch so that
// flag parsing and tests of the schedule compile fast.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hw1::train {

enum class Precision { kAuto, kFp32, kBf16 };
// How pixels reach the first layer: kUnit divides the bytes by 255 (the
// homework's `x / 255`), kRaw255 feeds them as 0-255, the classic slip that a
// network may survive at a small learning rate and not at a larger one.
enum class InputScale { kUnit, kRaw255 };
enum class Device { kAuto, kCpu, kCuda };

absl::StatusOr<Precision> ParsePrecision(absl::string_view text);    // auto|fp32|bf16
absl::StatusOr<Device> ParseDevice(absl::string_view text);          // auto|cpu|cuda
std::string PrecisionName(Precision precision);                      // "fp32" / "bf16" / "auto"
absl::StatusOr<InputScale> ParseInputScale(absl::string_view text);  // unit|raw255 (--input_scale)
std::string InputScaleName(InputScale scale);                        // "unit" / "raw255"

// The homework's protocol, given once: TrainOptions' defaults, every flag's
// default, and what a run id leaves unsaid (run_id.h).
inline constexpr int kHomeworkEpochs = 25;
inline constexpr int kHomeworkBatchSize = 32;
inline constexpr double kHomeworkLr = 1e-4;
inline constexpr double kHomeworkDecay = 1e-6;

struct TrainOptions {
  int epochs = kHomeworkEpochs;
  int batch_size = kHomeworkBatchSize;
  double lr = kHomeworkLr;
  double decay = kHomeworkDecay;  // Keras: lr_t = lr / (1 + decay * t), t = batches done
  double adam_eps = 1e-7;         // Keras' Adam epsilon (LibTorch: 1e-8)
  uint64_t seed = 0;
  int threads = 0;  // 0: every core
  Precision precision = Precision::kAuto;
  Device device = Device::kAuto;
  InputScale input_scale = InputScale::kUnit;
  int eval_batch_size = 128;    // fastest per image here (tests/benchmarks/train_step_benchmark)
  std::string checkpoint_path;  // empty: no checkpoints
  bool resume = false;          // continue from checkpoint_path if it exists
  bool progress = true;         // progress lines on stderr
  // Non-empty: epoch lines start with it and there are no batch lines (runs
  // trained at once share one terminal).
  std::string progress_label;
};

// Parses --precision and --device into `options`; errors name the flag.
absl::Status SetPrecisionAndDevice(absl::string_view precision, absl::string_view device,
                                   TrainOptions* options);

// Returns an error naming the option when a value is out of range; the
// learning rate as the flag `lr_flag` the user typed (q4_bn_sweep: base_lr).
absl::Status ValidateTrainOptions(const TrainOptions& options, absl::string_view lr_flag = "lr");

// Keras' time-based decay: the learning rate used for batch number `step`
// (counted from 0 over the whole run).
double KerasDecayedLr(double lr, double decay, int64_t step);

// Keras' time-based decay as the training loop steps through it: the
// learning rate of the next batch, and the batches done, which the checkpoint
// stores so that a resumed run continues the schedule where it stopped.
class KerasDecay {
 public:
  // `step`: batches already done (0 for a fresh run).
  KerasDecay(double lr, double decay, int64_t step = 0) : lr_(lr), decay_(decay), step_(step) {}
  double lr() const { return KerasDecayedLr(lr_, decay_, step_); }
  void Advance() { ++step_; }
  int64_t step() const { return step_; }

 private:
  double lr_, decay_;
  int64_t step_;
};

// What `requested` means when nothing was measured: kAuto is fp32, the
// homework's precision (and the one used on CUDA). Which precision is faster
// differs from host to host in ways the CPU's flags do not predict, so the
// training binaries decide `auto` by timing both before the first run
// (lib/experiment/precision_probe.h) and pass the winner down explicitly.
Precision ResolvePrecision(Precision requested);

}  // namespace hw1::train

#endif  // HW1_LIB_TRAIN_TRAIN_OPTIONS_H_
