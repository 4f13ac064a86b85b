#ifndef HW1_LIB_TRAIN_FUSED_ADAM_H_
#define HW1_LIB_TRAIN_FUSED_ADAM_H_

// torch::optim::Adam with its update done in one pass over memory.
//
// LibTorch 1.13's Adam::step runs five to six tensor operations per parameter
// (mul_, add_, mul_, addcmul_, sqrt, div, add_, addcdiv_), each a full pass
// over the 1.25 M parameters and their moments: memory-bound work that took
// about 15 % of a training step here. This computes the same update,
//
//   m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,
//   p ← p − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε),
//
// element by element in a single parallel loop. Its state is Adam's own
// (AdamParamState: step, exp_avg, exp_avg_sq), so save()/load() and
// checkpoints are interchangeable with torch::optim::Adam. No weight decay,
// AMSGrad or non-float parameters: the constructor refuses them.

#include <torch/optim/adam.h>

#include <vector>

namespace hw1::train {

class FusedAdam : public torch::optim::Adam {
 public:
  FusedAdam(std::vector<torch::Tensor> params, torch::optim::AdamOptions options);
  torch::Tensor step(LossClosure closure = nullptr) override;
};

}  // namespace hw1::train

#endif  // HW1_LIB_TRAIN_FUSED_ADAM_H_
