#ifndef HW1_LIB_TRAIN_STEP_OBSERVER_H_
#define HW1_LIB_TRAIN_STEP_OBSERVER_H_

// What the training loop tells an observer (lib/probe/training_probe.h) about
// each step. An observer measures; it must leave the run as it found it: the
// weights (bit for bit), BatchNorm's running statistics, the optimizer's state
// and every random generator, so that a run with an observer has the same
// losses, accuracies and checkpoints as one without (tests/probe). The base
// class observes nothing.

#include <cstdint>

#include "absl/status/status.h"
#include "lib/models/cifar_cnn.h"

namespace hw1::train {

class StepObserver {
 public:
  virtual ~StepObserver() = default;
  // Once before the first step; `steps_done`: the batches a resumed run
  // already trained (0 for a fresh run).
  virtual absl::Status Begin(int64_t /*steps_done*/) { return absl::OkStatus(); }
  // Around training step `step` (counted from 0 over the whole run), which
  // uses learning rate `lr`; `batch_loss` is the step's training loss (a
  // tensor: reading it waits for the device, so only a step that is measured does).
  virtual void BeforeStep(int64_t /*step*/, models::CifarCnn& /*model*/) {}
  virtual void AfterStep(int64_t /*step*/, double /*lr*/, const torch::Tensor& /*batch_loss*/,
                         models::CifarCnn& /*model*/) {}
  // After each epoch's last step and before its checkpoint is written, so
  // that what the observer saved never lags behind the checkpoint.
  virtual absl::Status EndEpoch(int /*epoch*/) { return absl::OkStatus(); }
};

}  // namespace hw1::train

#endif  // HW1_LIB_TRAIN_STEP_OBSERVER_H_
