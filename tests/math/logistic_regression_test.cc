#include "lib/math/logistic_regression.h"

#include <cmath>
#include <random>

#include "gtest/gtest.h"
#include "lib/math/autograd_reference.h"

namespace hw1::math {
namespace {

LogisticProblem RandomProblem(int n, int d, uint64_t seed, bool intercept = false, double l2 = 0) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::bernoulli_distribution coin;
  LogisticProblem problem;
  problem.features.resize(n, d);
  problem.labels.resize(n);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < d; ++j) problem.features(i, j) = normal(rng);
    problem.labels(i) = coin(rng) ? 1.0 : 0.0;
  }
  problem.intercept = intercept;
  problem.l2 = l2;
  return problem;
}

Eigen::VectorXd RandomParams(int p, double scale, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, scale);
  Eigen::VectorXd w(p);
  for (int j = 0; j < p; ++j) w(j) = normal(rng);
  return w;
}

TEST(LogisticRegressionTest, StableFunctionsAtExtremes) {
  EXPECT_DOUBLE_EQ(Softplus(1000.0), 1000.0);
  EXPECT_DOUBLE_EQ(Softplus(-1000.0), 0.0);
  EXPECT_NEAR(Softplus(0.0), std::log(2.0), 1e-16);
  EXPECT_DOUBLE_EQ(Sigmoid(1000.0), 1.0);
  EXPECT_DOUBLE_EQ(Sigmoid(-1000.0), 0.0);
  EXPECT_DOUBLE_EQ(Sigmoid(0.0), 0.5);
}

TEST(LogisticRegressionTest, LossMatchesCrossEntropyAndIsFiniteAtLargeLogits) {
  LogisticProblem problem = RandomProblem(20, 3, 1);
  const Eigen::VectorXd w = RandomParams(3, 1.0, 2);
  double cross_entropy = 0;
  for (int i = 0; i < 20; ++i) {
    const double p = 1.0 / (1.0 + std::exp(-problem.features.row(i).dot(w)));
    cross_entropy -= problem.labels(i) * std::log(p) + (1 - problem.labels(i)) * std::log(1 - p);
  }
  EXPECT_NEAR(Loss(problem, w), cross_entropy, 1e-10);
  // |w^T x| = 1000 with the wrong label: loss is 1000 per example, not inf.
  LogisticProblem one;
  one.features = Eigen::MatrixXd::Ones(1, 1);
  one.labels = Eigen::VectorXd::Zero(1);
  Eigen::VectorXd big(1);
  big << 1000.0;
  EXPECT_DOUBLE_EQ(Loss(one, big), 1000.0);
  EXPECT_TRUE(Gradient(one, big).allFinite());
  EXPECT_TRUE(Hessian(one, big).allFinite());
}

TEST(LogisticRegressionTest, GradientMatchesFiniteDifferencesOfLoss) {
  LogisticProblem problem = RandomProblem(30, 4, 3, /*intercept=*/true, /*l2=*/0.3);
  const Eigen::VectorXd w = RandomParams(5, 0.5, 4);
  const Eigen::VectorXd g = Gradient(problem, w);
  for (int j = 0; j < 5; ++j) {
    Eigen::VectorXd plus = w, minus = w;
    plus(j) += 1e-6;
    minus(j) -= 1e-6;
    EXPECT_NEAR(g(j), (Loss(problem, plus) - Loss(problem, minus)) / 2e-6, 1e-6);
  }
}

TEST(LogisticRegressionTest, HessianMatchesFiniteDifferencesAutogradAndTripleLoop) {
  for (bool intercept : {false, true}) {
    LogisticProblem problem = RandomProblem(40, 5, 5, intercept, intercept ? 0.1 : 0.0);
    const Eigen::VectorXd w = RandomParams(problem.num_parameters(), 0.7, 6);
    const Eigen::MatrixXd h = Hessian(problem, w);
    EXPECT_LT(RelativeError(h, FiniteDifferenceHessian(problem, w)), 1e-8);
    EXPECT_LT(RelativeError(h, AutogradHessian(problem, w)), 1e-12);
    EXPECT_LT(RelativeError(h, HessianTripleLoop(problem, w)), 1e-13);
  }
}

TEST(LogisticRegressionTest, L2TermSkipsTheIntercept) {
  LogisticProblem problem = RandomProblem(10, 2, 7, /*intercept=*/true, /*l2=*/2.0);
  LogisticProblem unpenalised = problem;
  unpenalised.l2 = 0.0;
  const Eigen::VectorXd w = RandomParams(3, 1.0, 8);
  const Eigen::MatrixXd diff = Hessian(problem, w) - Hessian(unpenalised, w);
  EXPECT_NEAR(diff(0, 0), 2.0, 1e-12);
  EXPECT_NEAR(diff(1, 1), 2.0, 1e-12);
  EXPECT_NEAR(diff(2, 2), 0.0, 1e-12);
}

TEST(CheckPsdTest, DetectsIndefiniteMatrices) {
  Eigen::MatrixXd indefinite(2, 2);
  indefinite << 1, 2, 2, 1;  // eigenvalues 3 and -1
  const PsdReport report = CheckPsd(indefinite);
  EXPECT_FALSE(report.psd);
  EXPECT_NEAR(report.min_eigenvalue, -1.0, 1e-12);
  EXPECT_NEAR(report.max_eigenvalue, 3.0, 1e-12);
  EXPECT_TRUE(CheckPsd(Eigen::MatrixXd::Identity(3, 3)).psd);
  // Rounding-sized negative eigenvalue of a PSD matrix is tolerated.
  Eigen::MatrixXd nearly(2, 2);
  nearly << 1, 1, 1, 1 - 1e-16;
  EXPECT_TRUE(CheckPsd(nearly).psd);
}

TEST(CheckPsdTest, LogisticHessianIsPsdOnHardData) {
  // n < d: rank-deficient, eigenvalue 0 up to rounding.
  LogisticProblem wide = RandomProblem(5, 20, 9);
  EXPECT_TRUE(CheckPsd(Hessian(wide, RandomParams(20, 1.0, 10))).psd);
  // Collinear features: duplicate columns.
  LogisticProblem collinear = RandomProblem(50, 3, 11);
  collinear.features.col(2) = 2.0 * collinear.features.col(0);
  EXPECT_TRUE(CheckPsd(Hessian(collinear, RandomParams(3, 1.0, 12))).psd);
}

TEST(JensenTest, ConvexLossHasNoViolationsAndAConcaveOneWould) {
  LogisticProblem problem = RandomProblem(30, 3, 13);
  EXPECT_EQ(CountJensenViolations(problem, Eigen::VectorXd::Zero(3), 5.0, 50, 9, 14), 0);
  // The detector itself: a strictly concave function (−‖w‖²) lies above every
  // chord at every interior point, so all 50 · 9 points fire; −L does as well
  // wherever L is strictly convex (here, on random data, everywhere).
  auto concave = [](const Eigen::VectorXd& w) { return -w.squaredNorm(); };
  EXPECT_EQ(CountJensenViolations(concave, Eigen::VectorXd::Zero(3), 5.0, 50, 9, 14), 450);
  auto minus_loss = [&problem](const Eigen::VectorXd& w) { return -Loss(problem, w); };
  EXPECT_EQ(CountJensenViolations(minus_loss, Eigen::VectorXd::Zero(3), 5.0, 50, 9, 14), 450);
  // A function convex along one axis and concave along another fires on some segments only.
  auto saddle = [](const Eigen::VectorXd& w) { return w(0) * w(0) - w(1) * w(1); };
  const int some = CountJensenViolations(saddle, Eigen::VectorXd::Zero(3), 5.0, 50, 9, 14);
  EXPECT_GT(some, 0);
  EXPECT_LT(some, 450);
  // ‖w‖² is convex: no violation.
  auto convex = [](const Eigen::VectorXd& w) { return w.squaredNorm(); };
  EXPECT_EQ(CountJensenViolations(convex, Eigen::VectorXd::Zero(3), 5.0, 50, 9, 14), 0);
}

}  // namespace
}  // namespace hw1::math
