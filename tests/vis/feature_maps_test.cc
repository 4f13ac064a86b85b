#include "lib/vis/feature_maps.h"

#include <torch/torch.h>

#include <cmath>
#include <random>

#include "gtest/gtest.h"
#include "lib/data/cifar10.h"
#include "lib/train/trainer.h"
#include "tests/testing/test_paths.h"

namespace hw1::vis {
namespace {

using ::hw1::testing::FixtureLoadOptions;

TEST(ReceptiveFieldTest, SizesAndBoundsByHand) {
  // Layer 1: 3×3 same conv. Layer 2: + 3×3 valid. Layer 3: + pool 2 + 3×3 same.
  // Layer 4: + 3×3 valid. Unit (y, x) of layer 4 sees input rows 2y−3 … 2y+10.
  EXPECT_EQ(UnitReceptiveField(1, 5, 5).size, 3);
  EXPECT_EQ(UnitReceptiveField(2, 5, 5).size, 5);
  EXPECT_EQ(UnitReceptiveField(3, 5, 5).size, 10);
  EXPECT_EQ(UnitReceptiveField(4, 5, 5).size, 14);
  const ReceptiveField l1 = UnitReceptiveField(1, 5, 7);
  EXPECT_EQ(l1.top, 4);
  EXPECT_EQ(l1.bottom, 6);
  EXPECT_EQ(l1.left, 6);
  EXPECT_EQ(l1.right, 8);
  const ReceptiveField l2 = UnitReceptiveField(2, 0, 29);
  EXPECT_EQ(l2.top, 0);  // −1 clipped
  EXPECT_EQ(l2.bottom, 3);
  EXPECT_EQ(l2.right, 31);
  const ReceptiveField l4 = UnitReceptiveField(4, 5, 0);
  EXPECT_EQ(l4.top, 7);
  EXPECT_EQ(l4.bottom, 20);
  EXPECT_EQ(l4.left, 0);  // −3 clipped
  EXPECT_EQ(l4.right, 10);
}

// The input pixels that move a unit all lie inside its computed field.
TEST(ReceptiveFieldTest, GradientSupportLiesInsideTheField) {
  torch::manual_seed(1);
  models::CifarCnn model;
  model->eval();
  for (int layer = 1; layer <= 4; ++layer) {
    const torch::Tensor x = torch::rand({1, 3, 32, 32}, torch::requires_grad());
    const torch::Tensor a = model->ForwardWithActivations(x).conv_activations[layer - 1];
    const int y = static_cast<int>(a.size(2) / 2), xx = static_cast<int>(a.size(3) / 2);
    // Sum over channels so that some channel is active.
    const torch::Tensor grad =
        torch::autograd::grad({a[0].select(1, y).select(1, xx).sum()}, {x})[0];
    const torch::Tensor support = grad.abs().sum(std::vector<int64_t>{0, 1}).gt(0);
    const ReceptiveField rf = UnitReceptiveField(layer, y, xx);
    const torch::Tensor outside = support.clone();
    outside.slice(0, rf.top, rf.bottom + 1).slice(1, rf.left, rf.right + 1).fill_(false);
    EXPECT_EQ(outside.sum().item<int64_t>(), 0) << "layer " << layer;
    EXPECT_GT(support.sum().item<int64_t>(), 0) << "layer " << layer;
    // With random weights the whole field is used.
    EXPECT_EQ(support.sum().item<int64_t>(), (rf.bottom - rf.top + 1) * (rf.right - rf.left + 1))
        << layer;
  }
}

// The pooled gradient against finite differences: raising every entry of
// channel c by h changes the score by h·H·W·α_c.
TEST(FeatureMapsTest, PooledGradientMatchesFiniteDifferences) {
  torch::manual_seed(2);
  models::CifarCnn model;
  model->to(torch::kFloat64);
  model->eval();
  const torch::Tensor images = torch::rand({3, 3, 32, 32}, torch::kFloat64);
  for (int layer = 1; layer <= 4; ++layer) {
    const LayerGradients g = PredictedClassGradients(model, images, layer);
    const double h = 1e-6;
    for (int64_t c : {0, 5, 17}) {
      torch::NoGradGuard no_grad;
      torch::Tensor plus = g.activations.clone(), minus = g.activations.clone();
      plus.select(1, c).add_(h);
      minus.select(1, c).add_(-h);
      const torch::Tensor lp = model->ForwardFromLayer(layer, plus),
                          lm = model->ForwardFromLayer(layer, minus);
      const int64_t hw = g.activations.size(2) * g.activations.size(3);
      for (int64_t n = 0; n < 3; ++n) {
        const int64_t k = g.predicted[n].item<int64_t>();
        const double fd = (lp[n][k].item<double>() - lm[n][k].item<double>()) / (2 * h * hw);
        EXPECT_NEAR(g.pooled[n][c].item<double>(), fd, 1e-7 + 1e-5 * std::abs(fd))
            << layer << " " << c;
      }
    }
  }
}

// A hand-built network that detects a bright square: the heatmaps peak on it.
TEST(FeatureMapsTest, HeatmapPeaksOnTheBrightSquare) {
  models::CifarCnn model;
  model->eval();
  {
    torch::NoGradGuard no_grad;
    for (auto& p : model->parameters()) p.zero_();
    auto params = model->named_parameters();
    params["conv1.weight"][0].fill_(1.0 / 27);  // channel 0: mean brightness of the 3×3 patch …
    params["conv1.bias"][0].fill_(-0.5);        // … above one half
    for (const char* name : {"conv2.weight", "conv3.weight", "conv4.weight"})
      params[name][0][0][1][1] = 1.0;
    params["fc1.weight"][0].slice(0, 0, 36).fill_(1.0);  // sums channel 0 of the last 6×6 map
    params["fc2.weight"][0][0] = 1.0;                    // into class 0
  }
  torch::Tensor image = torch::full({1, 3, 32, 32}, 0.1);
  image.slice(2, 20, 26).slice(3, 8, 14).fill_(1.0);  // square at rows 20–25, columns 8–13
  for (int layer = 1; layer <= 4; ++layer) {
    const LayerGradients g = PredictedClassGradients(model, image, layer);
    ASSERT_EQ(g.predicted[0].item<int64_t>(), 0);
    EXPECT_GT(g.pooled[0][0].item<double>(), 0) << layer;
    for (const torch::Tensor& map : {HomeworkHeatmap(g, 0, 0), GradCam(g, 0)}) {
      const int64_t where = map.flatten().argmax().item<int64_t>();
      const int y = static_cast<int>(where / map.size(1)),
                x = static_cast<int>(where % map.size(1));
      const ReceptiveField rf = UnitReceptiveField(layer, y, x);
      // The peak unit's field overlaps the square.
      EXPECT_TRUE(rf.bottom >= 20 && rf.top <= 25 && rf.right >= 8 && rf.left <= 13)
          << "layer " << layer << " peak at " << y << "," << x;
      EXPECT_GT(map.max().item<double>(), 0);
    }
  }
}

// Two channels, one of which lowers the score (α < 0): Grad-CAM weighs each
// channel by its α, sums, and keeps the positive part; values by hand.
TEST(FeatureMapsTest, GradCamAndHomeworkVariantByHand) {
  LayerGradients g;
  g.activations = torch::tensor({1.0, 2.0, 3.0, 4.0,   // channel 0
                                 4.0, 0.0, 1.0, 1.0})  // channel 1
                      .view({1, 2, 2, 2});
  g.pooled = torch::tensor({0.5, -1.0}).view({1, 2});
  // 0.5·A0 − A1 = [[−3.5, 1], [0.5, 1]]; ReLU keeps [[0, 1], [0.5, 1]].
  EXPECT_TRUE(torch::equal(GradCam(g, 0), torch::tensor({0.0, 1.0, 0.5, 1.0}).view({2, 2})));
  // The homework's variant keeps one channel's sign: −A1.
  EXPECT_TRUE(
      torch::equal(HomeworkHeatmap(g, 0, 1), torch::tensor({-4.0, 0.0, -1.0, -1.0}).view({2, 2})));
  EXPECT_TRUE(
      torch::equal(HomeworkHeatmap(g, 0, 0), torch::tensor({0.5, 1.0, 1.5, 2.0}).view({2, 2})));
}

TEST(FeatureMapsTest, RankingHelpers) {
  EXPECT_EQ(TopK(torch::tensor({0.1, 0.9, 0.5, 0.9}), 3), (std::vector<int64_t>{1, 3, 2}));
  const std::vector<int64_t> chosen = ChooseChannels(64, 3, 7);
  EXPECT_EQ(chosen.size(), 3u);
  EXPECT_TRUE(std::is_sorted(chosen.begin(), chosen.end()));
  EXPECT_EQ(chosen, ChooseChannels(64, 3, 7));
  EXPECT_NE(chosen, ChooseChannels(64, 3, 8));
  const torch::Tensor a = torch::tensor({1.0, 2.0, 3.0, 4.0});
  EXPECT_DOUBLE_EQ(SpearmanCorrelation(a, a * a), 1.0);
  EXPECT_DOUBLE_EQ(SpearmanCorrelation(a, -a), -1.0);
  EXPECT_NEAR(SpearmanCorrelation(torch::tensor({1.0, 2.0, 2.0, 3.0}), a), 0.9486832980505138,
              1e-12);
  EXPECT_EQ(SpearmanCorrelation(torch::zeros({4}), a), 0.0);
}

// Adebayo et al. (2018): maps of a trained model must not be those of a model
// with random weights. Trained here on real CIFAR-10 records (the fixture).
TEST(FeatureMapsTest, TrainedMapsDifferFromRandomWeightMaps) {
  absl::StatusOr<data::Cifar10> data =
      data::LoadCifar10("tests/data/cifar10_fixture", FixtureLoadOptions());
  ASSERT_TRUE(data.ok());
  train::TrainOptions options;
  options.epochs = 8;
  options.batch_size = 16;
  options.lr = 1e-3;
  options.threads = 1;
  options.precision = train::Precision::kFp32;
  options.progress = false;
  models::CifarCnn trained, random;
  ASSERT_TRUE(train::Train(trained, data->train, data->test, options).ok());
  const torch::Tensor images =
      torch::from_blob(data->test.pixels.data(), {20, 3, 32, 32}, torch::kUInt8)
          .to(torch::kFloat32) /
      255.0;
  for (int layer : {2, 4}) {
    const LayerGradients a = PredictedClassGradients(trained, images, layer);
    const LayerGradients b = PredictedClassGradients(random, images, layer);
    double total = 0;
    for (int64_t n = 0; n < 20; ++n) {
      const double rho = SpearmanCorrelation(GradCam(a, n), GradCam(b, n));
      EXPECT_LT(rho, 0.95) << "layer " << layer << " image " << n;
      total += rho;
    }
    EXPECT_LT(total / 20, 0.6) << "layer " << layer;
  }
}

}  // namespace
}  // namespace hw1::vis
