#include "lib/math/conv1x1.h"

#include <torch/torch.h>

#include <optional>
#include <random>

#include "gtest/gtest.h"

namespace hw1::math {
namespace {

Eigen::MatrixXd Random(Eigen::Index rows, Eigen::Index cols, std::mt19937_64& rng) {
  std::normal_distribution<double> normal;
  Eigen::MatrixXd m(rows, cols);
  for (Eigen::Index i = 0; i < rows; ++i)
    for (Eigen::Index j = 0; j < cols; ++j) m(i, j) = normal(rng);
  return m;
}

// The Eigen per-pixel formulation against torch::conv2d with a 1×1 kernel.
TEST(Conv1x1Test, MatchesTorchConv2dAcrossShapes) {
  std::mt19937_64 rng(7);
  torch::manual_seed(7);
  for (int c_in : {1, 2, 3, 8}) {
    for (int c_out : {1, 3, 5, 16}) {
      for (bool bias : {false, true}) {
        const int height = 4, width = 6;
        const Eigen::MatrixXd weight = Random(c_out, c_in, rng);
        const Eigen::VectorXd b = bias ? Eigen::VectorXd(Random(c_out, 1, rng)) : Eigen::VectorXd();
        const torch::Tensor x = torch::randn({1, c_in, height, width}, torch::kFloat64);
        torch::Tensor w = torch::empty({c_out, c_in, 1, 1}, torch::kFloat64);
        for (int o = 0; o < c_out; ++o)
          for (int i = 0; i < c_in; ++i) w[o][i][0][0] = weight(o, i);
        torch::Tensor tb;
        if (bias) {
          tb = torch::empty({c_out}, torch::kFloat64);
          for (int o = 0; o < c_out; ++o) tb[o] = b(o);
        }
        const torch::Tensor y =
            torch::conv2d(x, w, tb).reshape({c_out, height * width}).contiguous();
        // Input as C_in × pixels (row-major tensor → Eigen).
        const torch::Tensor flat = x.reshape({c_in, height * width}).contiguous();
        Eigen::MatrixXd input(c_in, height * width);
        auto xa = flat.accessor<double, 2>();
        for (int i = 0; i < c_in; ++i)
          for (int p = 0; p < height * width; ++p) input(i, p) = xa[i][p];
        const Eigen::MatrixXd ours = Conv1x1(weight, b, input);
        auto ya = y.accessor<double, 2>();
        for (int o = 0; o < c_out; ++o)
          for (int p = 0; p < height * width; ++p)
            ASSERT_NEAR(ours(o, p), ya[o][p], 1e-12) << c_in << "->" << c_out << " bias " << bias;
      }
    }
  }
}

Eigen::VectorXd NoBias() { return Eigen::VectorXd(); }

TEST(ScalarEquivalentTest, SingleChannelWithoutBiasIsItsWeight) {
  Eigen::MatrixXd w(1, 1);
  w << 2.5;
  EXPECT_EQ(ScalarEquivalent(w, NoBias()), std::optional<double>(2.5));
  EXPECT_EQ(ScalarEquivalent(w, Eigen::VectorXd::Zero(1)), std::optional<double>(2.5));
}

TEST(ScalarEquivalentTest, SingleChannelWithBiasIsNot) {
  Eigen::MatrixXd w(1, 1);
  w << 2.5;
  Eigen::VectorXd b(1);
  b << 0.1;
  EXPECT_EQ(ScalarEquivalent(w, b), std::nullopt);
}

TEST(ScalarEquivalentTest, MultiChannelScaledIdentityIs) {
  EXPECT_EQ(ScalarEquivalent(3.0 * Eigen::MatrixXd::Identity(4, 4), NoBias()),
            std::optional<double>(3.0));
}

TEST(ScalarEquivalentTest, ZeroAndNegativeScalars) {
  EXPECT_EQ(ScalarEquivalent(Eigen::MatrixXd::Zero(3, 3), NoBias()), std::optional<double>(0.0));
  EXPECT_EQ(ScalarEquivalent(-1.5 * Eigen::MatrixXd::Identity(2, 2), NoBias()),
            std::optional<double>(-1.5));
}

TEST(ScalarEquivalentTest, DifferentChannelCountsNever) {
  EXPECT_EQ(ScalarEquivalent(Eigen::MatrixXd::Ones(2, 3), NoBias()), std::nullopt);
  EXPECT_EQ(ScalarEquivalent(Eigen::MatrixXd::Identity(3, 2), NoBias()), std::nullopt);
}

TEST(ScalarEquivalentTest, ScalarOnAllButOneEntryIsNot) {
  Eigen::MatrixXd off_diagonal = 2.0 * Eigen::MatrixXd::Identity(3, 3);
  off_diagonal(0, 2) = 1e-3;
  EXPECT_EQ(ScalarEquivalent(off_diagonal, NoBias()), std::nullopt);
  Eigen::MatrixXd unequal_diagonal = 2.0 * Eigen::MatrixXd::Identity(3, 3);
  unequal_diagonal(1, 1) = 2.001;
  EXPECT_EQ(ScalarEquivalent(unequal_diagonal, NoBias()), std::nullopt);
}

TEST(ScalarEquivalentTest, ToleranceAdmitsRoundingOnly) {
  Eigen::MatrixXd w = 2.0 * Eigen::MatrixXd::Identity(3, 3);
  w(0, 1) = 1e-15;
  EXPECT_EQ(ScalarEquivalent(w, NoBias()), std::nullopt);
  EXPECT_TRUE(ScalarEquivalent(w, NoBias(), 1e-12).has_value());
}

// The condition is also sufficient in practice: when it says s, conv(x) == s·x.
TEST(ScalarEquivalentTest, PredictedScalarReproducesTheConvolution) {
  std::mt19937_64 rng(3);
  const Eigen::MatrixXd x = Random(4, 50, rng);
  const Eigen::MatrixXd w = -0.75 * Eigen::MatrixXd::Identity(4, 4);
  const auto s = ScalarEquivalent(w, NoBias());
  ASSERT_TRUE(s.has_value());
  EXPECT_NEAR((Conv1x1(w, NoBias(), x) - *s * x).cwiseAbs().maxCoeff(), 0.0, 1e-15);
  EXPECT_DOUBLE_EQ(BestScalarFit(x, Conv1x1(w, NoBias(), x)), -0.75);
}

TEST(BestScalarFitTest, LeastSquaresScalar) {
  Eigen::MatrixXd x(1, 2), y(1, 2);
  x << 1, 2;
  y << 2, 3;  // s = (2 + 6) / 5
  EXPECT_DOUBLE_EQ(BestScalarFit(x, y), 8.0 / 5.0);
  EXPECT_EQ(BestScalarFit(Eigen::MatrixXd::Zero(1, 2), y), 0.0);
}

}  // namespace
}  // namespace hw1::math
