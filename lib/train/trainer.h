#ifndef HW1_LIB_TRAIN_TRAINER_H_
#define HW1_LIB_TRAIN_TRAINER_H_

// A plain training loop for the CIFAR-10 CNNs: Adam with Keras' time-based
// decay, cross-entropy, one pass over a seeded shuffle per epoch, evaluation
// on the test set after every epoch, a checkpoint after every epoch.
//
// Determinism: for a given seed, thread count and precision the per-epoch
// metrics (all but the timing columns) are identical run to run, and a run
// interrupted after any epoch and resumed from its checkpoint produces the
// same metrics as one that was never interrupted: the checkpoint holds the
// model, the optimizer, the global RNG state (dropout), the step count and the
// history; each epoch's shuffle is drawn from a generator seeded by (seed, epoch).

#include <torch/optim/adam.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/data/cifar10.h"
#include "lib/models/cifar_cnn.h"
#include "lib/train/metrics.h"
#include "lib/train/step_observer.h"
#include "lib/train/train_options.h"

namespace hw1::train {

// Called after each epoch's checkpoint is written, with the history so far.
using EpochCallback = std::function<absl::Status(const TrainResult&)>;

// Trains `model` in place; `observer` (if any) sees every step. Errors: bad
// options, an unreadable or mismatched checkpoint (named), or what the
// callback or the observer returns.
absl::StatusOr<TrainResult> Train(models::CifarCnn& model, const data::ImageSet& train,
                                  const data::ImageSet& test, const TrainOptions& options,
                                  const EpochCallback& on_epoch = nullptr,
                                  StepObserver* observer = nullptr);

// Loss and accuracy of `model` on `images` in eval mode, batched, and how
// many images it assigns to each class.
struct Evaluation {
  double loss = 0, accuracy = 0;
  std::vector<int64_t> prediction_counts;  // one per class
};
Evaluation Evaluate(models::CifarCnn& model, const data::ImageSet& images,
                    const TrainOptions& options);

// Sets LibTorch's intra-op threads (0: every core), keeps BLAS from starting
// threads of its own, and flushes denormals to zero on this thread and so on
// the intra-op threads made after it (they inherit the flag); call it before
// any parallel work, as the programs do: threads that already exist are set
// by one parallel region, which may miss one. Returns the thread count.
int ConfigureThreads(int requested);

// The pieces of a training step, for benchmarks and the loop above.
// uint8 pixels (N×3×32×32) → float in [0, 1] (kRaw255: in [0, 255]), channels-last
// (oneDNN's preferred layout).
torch::Tensor ToInput(const torch::Tensor& images, InputScale scale = InputScale::kUnit);
// Moves 4-d weights to channels-last.
void ToChannelsLast(models::CifarCnn& model);
struct StepOutput {
  torch::Tensor loss, logits;  // loss: scalar mean cross-entropy; logits: fp32
};
// Adam as the protocol sets it: `options.lr` and Keras' epsilon (`options.adam_eps`).
torch::optim::AdamOptions AdamOptionsFor(const TrainOptions& options);
// zero_grad, forward (bf16 autocast when `bf16`), cross-entropy, backward, Adam step at `lr`.
StepOutput TrainStep(models::CifarCnn& model, torch::optim::Adam& optimizer,
                     const torch::Tensor& input, const torch::Tensor& labels, double lr, bool bf16,
                     const torch::Device& device);

// InvalidArgument naming --device when it asks for CUDA and this LibTorch or
// machine has none (else the first tensor moved there aborts the program).
absl::Status CheckDeviceAvailable(Device device);
// Whether `device` means CUDA here (cuda, or auto with a GPU).
bool CudaPicked(Device device);

// The precision `options.precision` resolves to on this machine ("fp32"/"bf16").
std::string ResolvedPrecision(const TrainOptions& options);

// `options` as they run here, the values a run's id names: precision auto
// becomes fp32 or bf16 (ResolvePrecision), threads 0 the core count; LibTorch
// is set to those threads (ConfigureThreads).
TrainOptions ResolvedForThisHost(TrainOptions options);

}  // namespace hw1::train

#endif  // HW1_LIB_TRAIN_TRAINER_H_
