#include "lib/models/fast_dropout.h"

#include <torch/torch.h>

#include "gtest/gtest.h"

namespace hw1::models {
namespace {

TEST(FastDropoutTest, KeepRateAndScale) {
  for (double p : {0.25, 0.5}) {
    const torch::Tensor mask = DropoutMask(torch::empty({1000, 1000}), p, /*seed=*/1);
    const double keep = mask.ne(0).to(torch::kFloat64).mean().item<double>();
    EXPECT_NEAR(keep, 1 - p, 0.002) << p;  // 1e6 draws: sd 0.0005
    EXPECT_FLOAT_EQ(mask.max().item<float>(), static_cast<float>(1 / (1 - p)));
    // Inverted dropout keeps the mean.
    EXPECT_NEAR(mask.to(torch::kFloat64).mean().item<double>(), 1.0, 0.003);
  }
}

TEST(FastDropoutTest, MaskDependsOnSeedNotOnThreads) {
  const torch::Tensor like = torch::empty({64, 32, 15, 15});
  torch::set_num_threads(1);
  const torch::Tensor one = DropoutMask(like, 0.25, 42);
  torch::set_num_threads(2);
  const torch::Tensor two = DropoutMask(like, 0.25, 42);
  EXPECT_TRUE(torch::equal(one, two));
  EXPECT_FALSE(torch::equal(one, DropoutMask(like, 0.25, 43)));
}

TEST(FastDropoutTest, ChannelsLastAndBf16) {
  const torch::Tensor x =
      torch::ones({2, 8, 5, 5}).contiguous(torch::MemoryFormat::ChannelsLast).to(torch::kBFloat16);
  const torch::Tensor mask = DropoutMask(x, 0.5, 3);
  EXPECT_EQ(mask.scalar_type(), torch::kBFloat16);
  EXPECT_TRUE(mask.is_contiguous(torch::MemoryFormat::ChannelsLast));
  EXPECT_EQ(mask.to(torch::kFloat32).max().item<float>(), 2.0f);
}

TEST(FastDropoutTest, Bf16KeptValueIsLibTorchsOwn) {
  // In bf16 the kept value is 1/(1−p) rounded to bf16: for p = 0.25, 4/3 becomes
  // 1.3359375 (0.2 % high). LibTorch's own dropout does the same (its noise is
  // bernoulli · 1/(1−p) in the input's dtype), so a bf16 run here scales as a
  // bf16 run of torch::dropout would.
  const torch::Tensor x = torch::ones({4096}, torch::kBFloat16);
  const float kept = DropoutMask(x, 0.25, 1).to(torch::kFloat32).max().item<float>();
  EXPECT_EQ(kept, 1.3359375f);
  torch::manual_seed(0);
  EXPECT_EQ(torch::dropout(x, 0.25, /*train=*/true).to(torch::kFloat32).max().item<float>(), kept);
  // p = 0.5: 2 is exact in bf16.
  EXPECT_EQ(DropoutMask(x, 0.5, 1).to(torch::kFloat32).max().item<float>(), 2.0f);
}

TEST(FastDropoutTest, GradientUsesTheSameMaskAndEvalIsIdentity) {
  FastDropout dropout(0.5);
  torch::manual_seed(0);
  const torch::Tensor x = torch::randn({100, 100}, torch::requires_grad());
  const torch::Tensor y = dropout(x);
  y.sum().backward();
  // Where the output is zero the gradient is zero, elsewhere it is 1/(1-p).
  const torch::Tensor kept = y.ne(0);
  EXPECT_TRUE(torch::equal(x.grad().ne(0), kept));
  EXPECT_TRUE(torch::allclose(x.grad().masked_select(kept),
                              torch::full({kept.sum().item<int64_t>()}, 2.0f)));
  EXPECT_TRUE(torch::allclose(y.masked_select(kept), 2 * x.detach().masked_select(kept)));
  dropout->eval();
  EXPECT_TRUE(torch::equal(dropout(x), x));
}

TEST(FastDropoutTest, RepeatableFromTheGlobalSeed) {
  FastDropout dropout(0.25);
  const torch::Tensor x = torch::ones({50, 50});
  torch::manual_seed(5);
  const torch::Tensor a = dropout(x);
  torch::manual_seed(5);
  EXPECT_TRUE(torch::equal(a, dropout(x)));
  EXPECT_FALSE(torch::equal(a, dropout(x)));  // the next call draws a new mask
}

TEST(FastDropoutTest, RejectsBadProbability) {
  EXPECT_THROW(FastDropout(1.0), c10::Error);
  EXPECT_THROW(FastDropout(-0.1), c10::Error);
}

}  // namespace
}  // namespace hw1::models
