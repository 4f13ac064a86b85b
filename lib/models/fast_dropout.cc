#include "lib/models/fast_dropout.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <ATen/core/PhiloxRNGEngine.h>
#include <torch/torch.h>

#include <cmath>
#include <mutex>

namespace hw1::models {
namespace {

// Elements per Philox subsequence; fixed, so the mask does not depend on threads.
constexpr int64_t kBlock = 4096;

uint64_t NextSeed() {
  at::Generator generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  return at::check_generator<at::CPUGeneratorImpl>(generator)->random64();
}

template <typename T>
void FillMask(T* out, int64_t n, uint32_t threshold, float scale, uint64_t seed) {
  const T keep_value = static_cast<T>(scale), drop_value = static_cast<T>(0.0f);
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  at::parallel_for(0, blocks, 1, [&](int64_t first, int64_t last) {
    for (int64_t block = first; block < last; ++block) {
      at::Philox4_32 engine(seed, /*subsequence=*/static_cast<uint64_t>(block), /*offset=*/0);
      const int64_t begin = block * kBlock, end = std::min(n, begin + kBlock);
      for (int64_t i = begin; i < end; i += 2) {
        const uint32_t bits = engine();
        out[i] = (bits & 0xffffu) >= threshold ? keep_value : drop_value;
        if (i + 1 < end) out[i + 1] = (bits >> 16) >= threshold ? keep_value : drop_value;
      }
    }
  });
}

}  // namespace

torch::Tensor DropoutMask(const torch::Tensor& like, double p, uint64_t seed) {
  TORCH_CHECK(p >= 0 && p < 1, "dropout probability must be in [0, 1), got ", p);
  // empty_like keeps the layout (channels-last included); fill it in memory order.
  torch::Tensor mask =
      torch::empty_like(like.is_non_overlapping_and_dense() ? like : like.contiguous());
  const uint32_t threshold = static_cast<uint32_t>(std::lround(p * 65536.0));
  const float scale = static_cast<float>(1.0 / (1.0 - p));
  AT_DISPATCH_FLOATING_TYPES_AND(at::kBFloat16, mask.scalar_type(), "DropoutMask", [&] {
    FillMask<scalar_t>(mask.data_ptr<scalar_t>(), mask.numel(), threshold, scale, seed);
  });
  return mask;
}

FastDropoutImpl::FastDropoutImpl(double p) : p_(p) {
  TORCH_CHECK(p >= 0 && p < 1, "dropout probability must be in [0, 1), got ", p);
}

torch::Tensor FastDropoutImpl::forward(const torch::Tensor& x) {
  if (!is_training() || p_ == 0) return x;
  torch::Tensor input = x.is_non_overlapping_and_dense() ? x : x.contiguous();
  return input * DropoutMask(input, p_, NextSeed());
}

}  // namespace hw1::models
