#include "lib/math/logistic_regression.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "Eigen/Eigenvalues"

namespace hw1::math {
namespace {

// z = X̃ params, without materialising X̃.
Eigen::VectorXd Logits(const LogisticProblem& problem, const Eigen::VectorXd& params) {
  const Eigen::Index d = problem.features.cols();
  Eigen::VectorXd z = problem.features * params.head(d);
  if (problem.intercept) z.array() += params(d);
  return z;
}

// λ w̃: the penalty's gradient (no penalty on the intercept).
Eigen::VectorXd PenaltyGradient(const LogisticProblem& problem, const Eigen::VectorXd& params) {
  Eigen::VectorXd g = problem.l2 * params;
  if (problem.intercept) g(g.size() - 1) = 0.0;
  return g;
}

void AddPenaltyHessian(const LogisticProblem& problem, Eigen::MatrixXd* hessian) {
  const Eigen::Index penalised = problem.features.cols();
  hessian->diagonal().head(penalised).array() += problem.l2;
}

// σ(z)(1 − σ(z)) = σ(z)σ(−z): no cancellation for large |z|.
double SigmoidSlope(double z) { return Sigmoid(z) * Sigmoid(-z); }

}  // namespace

Eigen::MatrixXd LogisticProblem::Design() const {
  if (!intercept) return features;
  Eigen::MatrixXd design(features.rows(), features.cols() + 1);
  design << features, Eigen::VectorXd::Ones(features.rows());
  return design;
}

double Sigmoid(double z) {
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}

double Softplus(double z) { return std::max(z, 0.0) + std::log1p(std::exp(-std::abs(z))); }

double Loss(const LogisticProblem& problem, const Eigen::VectorXd& params) {
  const Eigen::VectorXd z = Logits(problem, params);
  double loss = 0.0;
  for (Eigen::Index i = 0; i < z.size(); ++i) loss += Softplus(z(i)) - problem.labels(i) * z(i);
  Eigen::VectorXd penalised = params.head(problem.features.cols());
  return loss + 0.5 * problem.l2 * penalised.squaredNorm();
}

Eigen::VectorXd Gradient(const LogisticProblem& problem, const Eigen::VectorXd& params) {
  const Eigen::VectorXd z = Logits(problem, params);
  const Eigen::VectorXd residual = z.unaryExpr(&Sigmoid) - problem.labels;
  const Eigen::Index d = problem.features.cols();
  Eigen::VectorXd g(problem.num_parameters());
  g.head(d) = problem.features.transpose() * residual;
  if (problem.intercept) g(d) = residual.sum();
  return g + PenaltyGradient(problem, params);
}

Eigen::MatrixXd Hessian(const LogisticProblem& problem, const Eigen::VectorXd& params) {
  const Eigen::VectorXd weights = Logits(problem, params).unaryExpr(&SigmoidSlope);
  const Eigen::MatrixXd design = problem.Design();
  // Xᵀ diag(c) X = (√c ⊙ X)ᵀ(√c ⊙ X): a symmetric rank-k update (BLAS syrk).
  const Eigen::MatrixXd scaled = weights.array().sqrt().matrix().asDiagonal() * design;
  const Eigen::Index p = design.cols();
  Eigen::MatrixXd hessian = Eigen::MatrixXd::Zero(p, p);
  hessian.selfadjointView<Eigen::Lower>().rankUpdate(scaled.transpose());
  hessian.triangularView<Eigen::StrictlyUpper>() = hessian.transpose();
  AddPenaltyHessian(problem, &hessian);
  return hessian;
}

Eigen::MatrixXd HessianTripleLoop(const LogisticProblem& problem, const Eigen::VectorXd& params) {
  const Eigen::VectorXd weights = Logits(problem, params).unaryExpr(&SigmoidSlope);
  const Eigen::MatrixXd design = problem.Design();
  const Eigen::Index n = design.rows(), p = design.cols();
  Eigen::MatrixXd hessian = Eigen::MatrixXd::Zero(p, p);
  for (Eigen::Index j = 0; j < p; ++j) {
    for (Eigen::Index k = 0; k < p; ++k) {
      double sum = 0.0;
      for (Eigen::Index i = 0; i < n; ++i) sum += design(i, j) * weights(i) * design(i, k);
      hessian(j, k) = sum;
    }
  }
  AddPenaltyHessian(problem, &hessian);
  return hessian;
}

Eigen::MatrixXd FiniteDifferenceHessian(const LogisticProblem& problem,
                                        const Eigen::VectorXd& params, double step) {
  const Eigen::Index p = params.size();
  Eigen::MatrixXd hessian(p, p);
  for (Eigen::Index j = 0; j < p; ++j) {
    const double h = step * std::max(1.0, std::abs(params(j)));
    Eigen::VectorXd plus = params, minus = params;
    plus(j) += h;
    minus(j) -= h;
    hessian.col(j) = (Gradient(problem, plus) - Gradient(problem, minus)) / (2.0 * h);
  }
  return hessian;
}

double RelativeError(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  const double scale = std::max(a.norm(), b.norm());
  return scale == 0.0 ? 0.0 : (a - b).norm() / scale;
}

PsdReport CheckPsd(const Eigen::MatrixXd& hessian) {
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(hessian, Eigen::EigenvaluesOnly);
  PsdReport report;
  const Eigen::VectorXd& eig = solver.eigenvalues();  // ascending
  report.min_eigenvalue = eig(0);
  report.max_eigenvalue = eig(eig.size() - 1);
  const double norm = std::max(std::abs(report.min_eigenvalue), std::abs(report.max_eigenvalue));
  report.tolerance =
      64.0 * static_cast<double>(hessian.rows()) * std::numeric_limits<double>::epsilon() * norm;
  report.psd = report.min_eigenvalue >= -report.tolerance;
  return report;
}

int CountJensenViolations(const LogisticProblem& problem, const Eigen::VectorXd& center,
                          double radius, int num_segments, int points_per_segment, uint64_t seed) {
  return CountJensenViolations(
      [&problem](const Eigen::VectorXd& params) { return Loss(problem, params); }, center, radius,
      num_segments, points_per_segment, seed);
}

int CountJensenViolations(const std::function<double(const Eigen::VectorXd&)>& f,
                          const Eigen::VectorXd& center, double radius, int num_segments,
                          int points_per_segment, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, radius);
  const Eigen::Index p = center.size();
  auto random_point = [&] {
    Eigen::VectorXd v(p);
    for (Eigen::Index j = 0; j < p; ++j) v(j) = center(j) + normal(rng);
    return v;
  };
  int violations = 0;
  for (int s = 0; s < num_segments; ++s) {
    const Eigen::VectorXd a = random_point(), b = random_point();
    const double la = f(a), lb = f(b);
    for (int k = 1; k <= points_per_segment; ++k) {
      const double t = static_cast<double>(k) / (points_per_segment + 1);
      const double chord = t * la + (1 - t) * lb;
      const double tol = 1e-12 * (1.0 + std::abs(t * la) + std::abs((1 - t) * lb));
      if (f(t * a + (1 - t) * b) > chord + tol) ++violations;
    }
  }
  return violations;
}

}  // namespace hw1::math
