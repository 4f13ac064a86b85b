#ifndef HW1_LIB_TRAIN_CHECKPOINT_H_
#define HW1_LIB_TRAIN_CHECKPOINT_H_

// A training run's checkpoint: everything needed to continue as if never
// stopped (the model, Adam's moments, the global RNG state that dropout draws
// from, the epoch, the decay schedule's step and the history), and the
// signature of the configuration that wrote it. A checkpoint is resumed only
// by the configuration that wrote it: one file is one run.

#include <torch/optim/adam.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/data/cifar10.h"
#include "lib/models/cifar_cnn.h"
#include "lib/train/metrics.h"
#include "lib/train/train_options.h"

namespace hw1::train {

// Where a run stands after an epoch.
struct TrainingState {
  int epoch = 0;     // epochs done
  int64_t step = 0;  // batches done: KerasDecay's step
  std::vector<EpochMetrics> history;
};

// Writes the state, the model, the optimizer and the global CPU RNG state to
// `path` atomically (a kill mid-write leaves the previous checkpoint).
absl::Status SaveCheckpoint(const std::string& path, models::CifarCnn& model,
                            torch::optim::Adam& optimizer, const TrainingState& state,
                            const std::string& signature);

// Loads what SaveCheckpoint wrote into `model`, `optimizer` and the global
// RNG. FailedPrecondition naming `path` and both signatures when the file was
// written by another configuration; DataLoss naming `path` when it is not a
// checkpoint.
absl::StatusOr<TrainingState> LoadCheckpoint(const std::string& path, models::CifarCnn& model,
                                             torch::optim::Adam& optimizer,
                                             const std::string& signature,
                                             const torch::Device& device);

// What a checkpoint must match to be resumed: everything that decides the
// metrics (network, init, lr, decay, batch, seed, precision, threads, LibTorch,
// the kind of host and oneDNN's ISA, and the digest of the images and labels).
// The host kind and ISA are part of it: oneDNN picks other kernels on another
// ISA, which round differently (seed 0, 3 fp32 epochs: 0.5652 on an AVX2 host,
// 0.5629 on an AMX host), so a run requeued onto another kind of node starts afresh.
std::string CheckpointSignature(const TrainOptions& options,
                                const models::CifarCnnOptions& model_options,
                                const std::string& precision, int threads,
                                const data::ImageSet& train, const data::ImageSet& test);

}  // namespace hw1::train

#endif  // HW1_LIB_TRAIN_CHECKPOINT_H_
