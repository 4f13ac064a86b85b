#ifndef HW1_LIB_MODELS_FAST_DROPOUT_H_
#define HW1_LIB_MODELS_FAST_DROPOUT_H_

// Inverted dropout (keep with probability 1−p, scale kept values by 1/(1−p)),
// as torch::nn::Dropout, with a mask drawn by a counter-based generator.
//
// Why: LibTorch 1.13's CPU dropout draws its mask with bernoulli_ from the
// global Mersenne Twister, one number at a time on one thread: 16 % of a
// bf16 training step here. This draws it with Philox-4×32-10 (ATen's
// philox_engine), in parallel, each block of the mask from its own
// subsequence, so the mask depends only on the seed and not on the number of
// threads. The seed is one 64-bit number taken from the global CPU generator
// per call, so torch::manual_seed and checkpointing that generator's state
// make runs repeatable, as with torch::nn::Dropout.
//
// Each element keeps when a 16-bit uniform draw is ≥ round(p · 65536): the
// drop probability is p to within 2⁻¹⁶ (exactly p for p = 0.25 and 0.5).

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

namespace hw1::models {

// The mask scaled by 1/(1−p), in the dtype and memory layout of `like`.
torch::Tensor DropoutMask(const torch::Tensor& like, double p, uint64_t seed);

class FastDropoutImpl : public torch::nn::Module {
 public:
  explicit FastDropoutImpl(double p);
  // Training: x · mask (autograd multiplies the gradient by the same mask).
  // Evaluation: x unchanged.
  torch::Tensor forward(const torch::Tensor& x);
  double p() const { return p_; }

 private:
  double p_;
};
TORCH_MODULE(FastDropout);

}  // namespace hw1::models

#endif  // HW1_LIB_MODELS_FAST_DROPOUT_H_
