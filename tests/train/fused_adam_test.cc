#include "lib/train/fused_adam.h"

#include <torch/torch.h>

#include <sstream>

#include "gtest/gtest.h"

namespace hw1::train {
namespace {

// The same parameters and gradients through torch::optim::Adam and FusedAdam.
TEST(FusedAdamTest, MatchesLibTorchAdam) {
  torch::manual_seed(0);
  const torch::Tensor init_a = torch::randn({300, 7});
  const torch::Tensor init_b = torch::randn({16, 3, 3, 3}).contiguous(torch::MemoryFormat::ChannelsLast);
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
  const auto& state = static_cast<torch::optim::AdamParamState&>(
      *plain.state().at(c10::guts::to_string(w.unsafeGetTensorImpl())));
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
