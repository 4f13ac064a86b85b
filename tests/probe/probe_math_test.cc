#include "lib/probe/probe_math.h"

#include <torch/torch.h>

#include <cmath>

#include "gtest/gtest.h"
#include "lib/models/cifar_cnn.h"

namespace hw1::probe {
namespace {

TEST(DeadFractionTest, CountsChannelsThatNeverFire) {
  // 2 images × 4 channels × 2 × 2: channel 1 is ≤ 0 everywhere, channel 3
  // fires at one position of one image only, channel 2 is exactly 0.
  torch::Tensor x = -torch::ones({2, 4, 2, 2});
  x.select(1, 0).fill_(1);
  x.select(1, 2).fill_(0);
  x[1][3][1][0] = 0.5;
  EXPECT_DOUBLE_EQ(DeadFraction(x), 0.5);  // channels 1 and 2
}

TEST(DeadFractionTest, CountsNeuronsOfADenseLayer) {
  const torch::Tensor x = torch::tensor({{-1.0, 2.0, -3.0}, {-1.0, -2.0, 0.0}});
  EXPECT_NEAR(DeadFraction(x), 2.0 / 3.0, 1e-12);
}

TEST(DeadFractionTest, SeesHandSetDeadFiltersOfTheNetwork) {
  torch::manual_seed(0);
  models::CifarCnn model;
  {
    torch::NoGradGuard no_grad;
    auto params = model->named_parameters();
    // Filters 0-7 of conv1: zero weights and a negative bias never fire.
    params["conv1.weight"].slice(0, 0, 8).zero_();
    params["conv1.bias"].slice(0, 0, 8).fill_(-1);
  }
  model->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::rand({16, 3, 32, 32});
  const models::CnnOutput out = model->ForwardWithPreActivations(x);
  ASSERT_EQ(out.pre_activations.size(), 5u);
  EXPECT_DOUBLE_EQ(DeadFraction(out.pre_activations[0]), 8.0 / 32.0);
  // What the ReLUs receive, in order: conv1-4 maps, then fc1.
  EXPECT_EQ(out.pre_activations[1].size(1), 32);
  EXPECT_EQ(out.pre_activations[4].sizes(), (torch::IntArrayRef{16, 512}));
  EXPECT_TRUE(torch::equal(out.logits, model->forward(x)));
}

TEST(UpdateRatioTest, MatchesAHandComputedAdamStep) {
  // Adam's first step moves each element by lr·g/(|g| + ε) (bias corrections cancel).
  const double lr = 1e-3, eps = 1e-7;
  torch::Tensor w = torch::tensor({3.0, -4.0, 0.5, 2.0}, torch::kFloat64).requires_grad_(true);
  const torch::Tensor before = w.detach().clone();
  torch::optim::Adam adam({w}, torch::optim::AdamOptions(lr).eps(eps));
  const torch::Tensor target = torch::tensor({1.0, 1.0, 0.5, 3.0}, torch::kFloat64);
  (w - target).pow(2).sum().backward();  // g = 2(w − target) = (4, −10, 0, −2)
  adam.step();
  const double step = lr * std::sqrt(std::pow(4 / (4 + eps), 2) + std::pow(10 / (10 + eps), 2) +
                                     std::pow(2 / (2 + eps), 2));
  const double size = std::sqrt(9 + 16 + 0.25 + 4);
  EXPECT_NEAR(UpdateRatio(before, w.detach()), step / size, 1e-9 * step / size);
}

TEST(UpdateRatioTest, ZeroWhenNothingMoved) {
  const torch::Tensor w = torch::zeros({3});
  EXPECT_EQ(UpdateRatio(w, w), 0);
}

TEST(EffectiveLrTest, IsLrOverSquaredNorm) { EXPECT_DOUBLE_EQ(EffectiveLr(0.01, 2.0), 0.0025); }

TEST(EffectiveLrTest, BatchNormMakesTheGradientScaleAsOneOverTheNorm) {
  // Why η/‖W‖²: with BN after it, a conv at c·W computes the same function
  // and its gradient is 1/c times the gradient at W.
  torch::manual_seed(1);
  // In double, with a negligible BN epsilon (which is what breaks exactness).
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(3, 4, 3).bias(false));
  torch::nn::BatchNorm2d bn(torch::nn::BatchNorm2dOptions(4).eps(1e-12));
  conv->to(torch::kFloat64);
  bn->to(torch::kFloat64);
  const torch::Tensor x = torch::randn({8, 3, 6, 6}, torch::kFloat64);
  auto gradient_at = [&](double c) {
    torch::Tensor w = (conv->weight.detach() * c).requires_grad_(true);
    const torch::Tensor y = bn(torch::nn::functional::conv2d(x, w));
    (y.pow(3)).sum().backward();
    return w.grad().clone();
  };
  const torch::Tensor g1 = gradient_at(1), g2 = gradient_at(2);
  EXPECT_TRUE(torch::allclose(g2, g1 / 2, 1e-9, 1e-12));
}

// L(w) = ½ wᵀHw: ∇L(w + s·d) − ∇L(w) = s·H·d exactly.
class QuadraticLandscapeTest : public ::testing::Test {
 protected:
  torch::Tensor h =
      torch::tensor({{2.0, 0.5, 0.0}, {0.5, 1.0, 0.0}, {0.0, 0.0, 3.0}}, torch::kFloat64);
  torch::Tensor w = torch::tensor({1.0, -2.0, 0.5}, torch::kFloat64);
  torch::Tensor d = torch::tensor({0.1, 0.2, -0.3}, torch::kFloat64);
  double Loss(const torch::Tensor& at) { return 0.5 * at.dot(h.mv(at)).item<double>(); }
  LossFunction Quadratic() {
    return [this] { return LossAndGradient{Loss(w), {h.mv(w)}}; };
  }
};

TEST_F(QuadraticLandscapeTest, GradientChangeIsSTimesHd) {
  const std::vector<double> steps = {0.25, 0.5, 1, 2, 4};
  const torch::Tensor start = w.clone();
  const Landscape out = LossAlong({w}, {d}, steps, Quadratic());
  const double hd = h.mv(d).norm().item<double>();
  EXPECT_NEAR(out.gradient_predictiveness, 4 * hd, 1e-12);
  EXPECT_NEAR(out.beta, hd / d.norm().item<double>(), 1e-12);
  ASSERT_EQ(out.losses.size(), steps.size());
  double lowest = Loss(start), highest = Loss(start);
  for (size_t i = 0; i < steps.size(); ++i) {
    const double expected = Loss(start + steps[i] * d);
    EXPECT_NEAR(out.losses[i], expected, 1e-12);
    lowest = std::min(lowest, expected);
    highest = std::max(highest, expected);
  }
  EXPECT_NEAR(out.loss_range, highest - lowest, 1e-12);
  EXPECT_NEAR(out.relative_loss_change, (Loss(start + d) - Loss(start)) / Loss(start), 1e-12);
  EXPECT_TRUE(torch::equal(w, start));  // restored bit for bit
}

TEST_F(QuadraticLandscapeTest, TakesTheUnitStepEvenWhenNotListed) {
  const torch::Tensor start = w.clone();
  const Landscape out = LossAlong({w}, {d}, {0.5}, Quadratic());
  EXPECT_NEAR(out.relative_loss_change, (Loss(start + d) - Loss(start)) / Loss(start), 1e-12);
  EXPECT_TRUE(torch::equal(w, start));
}

}  // namespace
}  // namespace hw1::probe
