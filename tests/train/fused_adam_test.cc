#include "lib/train/fused_adam.h"

#include <torch/torch.h>

#include <cmath>
#include <cstring>
#include <sstream>
#include <vector>

#include "gtest/gtest.h"
#include "lib/compat/torch_compat.h"

namespace hw1::train {
namespace {

// The same parameters and gradients through torch::optim::Adam and FusedAdam.
TEST(FusedAdamTest, MatchesLibTorchAdam) {
  torch::manual_seed(0);
  const torch::Tensor init_a = torch::randn({300, 7});
  const torch::Tensor init_b =
      torch::randn({16, 3, 3, 3}).contiguous(torch::MemoryFormat::ChannelsLast);
  torch::Tensor a1 = init_a.clone().requires_grad_(), b1 = init_b.clone().requires_grad_();
  torch::Tensor a2 = init_a.clone().requires_grad_(), b2 = init_b.clone().requires_grad_();
  const auto options = torch::optim::AdamOptions(1e-2).eps(1e-7);
  torch::optim::Adam reference({a1, b1}, options);
  FusedAdam fused({a2, b2}, options);
  for (int step = 0; step < 50; ++step) {
    const torch::Tensor ga = torch::randn({300, 7}), gb = torch::randn({16, 3, 3, 3});
    a1.mutable_grad() = ga.clone();
    a2.mutable_grad() = ga.clone();
    b1.mutable_grad() = gb.clone().contiguous(torch::MemoryFormat::ChannelsLast);
    b2.mutable_grad() = gb.clone().contiguous(torch::MemoryFormat::ChannelsLast);
    for (auto& group : reference.param_groups())
      static_cast<torch::optim::AdamOptions&>(group.options()).lr(1e-2 / (1 + 0.01 * step));
    for (auto& group : fused.param_groups())
      static_cast<torch::optim::AdamOptions&>(group.options()).lr(1e-2 / (1 + 0.01 * step));
    reference.step();
    fused.step();
  }
  EXPECT_TRUE(torch::allclose(a1, a2, /*rtol=*/1e-5, /*atol=*/1e-6));
  EXPECT_TRUE(torch::allclose(b1, b2, 1e-5, 1e-6));
  EXPECT_FALSE(torch::allclose(a1, init_a));  // it did move
}

// The update, element by element in float, exactly as documented in the header:
// the vectorised loop must give the same bits as this scalar one (no FMA, IEEE
// sqrt and division), so that results do not depend on the CPU's vector width.
TEST(FusedAdamTest, BitIdenticalToTheScalarFormula) {
  torch::manual_seed(1);
  const int64_t n = 100003;  // several parallel chunks and a ragged vector tail
  torch::Tensor w = torch::randn({n}).requires_grad_();
  std::vector<float> p(w.data_ptr<float>(), w.data_ptr<float>() + n), m(n, 0.0f), v(n, 0.0f);
  const double lr = 3e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-7;
  FusedAdam fused({w}, torch::optim::AdamOptions(lr).eps(eps));
  for (int step = 1; step <= 5; ++step) {
    // Gradients over eight orders of magnitude, none denormal.
    const torch::Tensor g = torch::randn({n}) * torch::pow(10.0, torch::randint(-6, 2, {n}));
    w.mutable_grad() = g;
    fused.step();
    const float* gp = g.data_ptr<float>();
    const float step_size = static_cast<float>(lr / (1 - std::pow(beta1, step)));
    const float inv_sqrt_bc2 = static_cast<float>(1.0 / std::sqrt(1 - std::pow(beta2, step)));
    for (int64_t i = 0; i < n; ++i) {
      m[i] = 0.9f * m[i] + static_cast<float>(1 - beta1) * gp[i];
      v[i] = 0.999f * v[i] + static_cast<float>(1 - beta2) * gp[i] * gp[i];
      p[i] -= step_size * m[i] / (std::sqrt(v[i]) * inv_sqrt_bc2 + static_cast<float>(eps));
    }
  }
  const float* got = w.data_ptr<float>();
  int64_t differing = 0;
  for (int64_t i = 0; i < n; ++i) differing += std::memcmp(&got[i], &p[i], sizeof(float)) != 0;
  EXPECT_EQ(differing, 0) << "of " << n << " parameters";
}

// State saved by one loads into the other: checkpoints stay interchangeable.
TEST(FusedAdamTest, StateIsAdamsOwn) {
  torch::Tensor w = torch::ones({10}, torch::requires_grad());
  FusedAdam fused({w}, torch::optim::AdamOptions(0.1));
  w.mutable_grad() = torch::ones({10});
  fused.step();
  std::stringstream buffer;
  {
    torch::serialize::OutputArchive archive;
    fused.save(archive);
    archive.save_to(buffer);
  }
  torch::optim::Adam plain({w}, torch::optim::AdamOptions(0.1));
  torch::serialize::InputArchive archive;
  archive.load_from(buffer);
  plain.load(archive);
  const auto& state =
      static_cast<torch::optim::AdamParamState&>(*plain.state().at(hw1::compat::StateKeyOf(w)));
  EXPECT_EQ(state.step(), 1);
  EXPECT_TRUE(torch::allclose(state.exp_avg(), torch::full({10}, 0.1f)));
}

TEST(FusedAdamTest, RefusesWhatItDoesNotImplement) {
  torch::Tensor w = torch::ones({3}, torch::requires_grad());
  EXPECT_THROW(FusedAdam({w}, torch::optim::AdamOptions(0.1).weight_decay(0.1)), c10::Error);
  EXPECT_THROW(FusedAdam({w}, torch::optim::AdamOptions(0.1).amsgrad(true)), c10::Error);
}

}  // namespace
}  // namespace hw1::train
