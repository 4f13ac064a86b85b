#ifndef HW1_LIB_MATH_LOGISTIC_REGRESSION_H_
#define HW1_LIB_MATH_LOGISTIC_REGRESSION_H_

// Q2, numerically: binary logistic regression's loss, gradient and Hessian,
// and the checks that the loss is convex in the parameters.
//
// With data X (n × d), labels y ∈ {0,1}ⁿ, parameters w (and an optional
// intercept c, which is then the last parameter), z = Xw + c and
//
//     L(w) = Σᵢ [softplus(zᵢ) − yᵢ zᵢ] + (λ/2)‖w‖²       (c is not penalised)
//
// which equals the cross-entropy −Σ[yᵢ log σ(zᵢ) + (1−yᵢ) log(1−σ(zᵢ))] plus
// the L2 term. softplus(z) = max(z,0) + log1p(exp(−|z|)) never overflows, so
// the loss is finite at |z| = 1000 and beyond.
//
//     ∇L = X̃ᵀ(σ(z) − y) + λ w̃,     H = X̃ᵀ diag(σ(z)(1−σ(z))) X̃ + λ Ĩ,
//
// where X̃ is X with a column of ones when there is an intercept and Ĩ is the
// identity without the intercept's entry.

#include <cstdint>
#include <functional>
#include <string>

#include "Eigen/Core"

namespace hw1::math {

struct LogisticProblem {
  Eigen::MatrixXd features;  // n × d
  Eigen::VectorXd labels;    // n, each 0 or 1
  bool intercept = false;    // adds a column of ones (its weight is last)
  double l2 = 0.0;           // λ ≥ 0

  int num_parameters() const { return static_cast<int>(features.cols()) + (intercept ? 1 : 0); }
  // X̃: the features, with the column of ones when there is an intercept.
  Eigen::MatrixXd Design() const;
};

// σ(z) without overflow for any finite z.
double Sigmoid(double z);
// log(1 + exp(z)) without overflow.
double Softplus(double z);

double Loss(const LogisticProblem& problem, const Eigen::VectorXd& params);
Eigen::VectorXd Gradient(const LogisticProblem& problem, const Eigen::VectorXd& params);
// X̃ᵀ diag(p(1−p)) X̃ + λĨ, assembled with Eigen (a rank-update product).
Eigen::MatrixXd Hessian(const LogisticProblem& problem, const Eigen::VectorXd& params);
// The same matrix by a plain triple loop: the benchmark's baseline.
Eigen::MatrixXd HessianTripleLoop(const LogisticProblem& problem, const Eigen::VectorXd& params);

// Central finite differences of Gradient(): column j is
// (∇L(w + h eⱼ) − ∇L(w − h eⱼ)) / 2h with h = step·max(1, |wⱼ|).
Eigen::MatrixXd FiniteDifferenceHessian(const LogisticProblem& problem,
                                        const Eigen::VectorXd& params, double step = 1e-5);

// ‖A − B‖_F / max(‖A‖_F, ‖B‖_F); 0 when both are zero.
double RelativeError(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b);

struct PsdReport {
  double min_eigenvalue = 0.0;
  double max_eigenvalue = 0.0;
  double tolerance = 0.0;  // eigenvalues ≥ −tolerance count as ≥ 0
  bool psd = false;
};
// Eigenvalues of a symmetric matrix; the tolerance is 64·d·ε·‖H‖₂, the size of
// rounding error in the eigenvalues of a matrix of that norm.
PsdReport CheckPsd(const Eigen::MatrixXd& hessian);

// Jensen along random segments: for `num_segments` pairs (a, b) drawn around
// `center` with spread `radius`, and t on a grid of `points_per_segment`
// interior points, counts the t with
//     L(t a + (1−t) b) > t L(a) + (1−t) L(b) + tol,
// tol = 1e-12·(1 + |t L(a)| + |(1−t) L(b)|) (rounding in the sums).
int CountJensenViolations(const LogisticProblem& problem, const Eigen::VectorXd& center,
                          double radius, int num_segments, int points_per_segment, uint64_t seed);
// The same check for any function of the parameters: a convex f gives 0, a
// strictly concave one num_segments · points_per_segment (what the tests
// use to show that the check can fire).
int CountJensenViolations(const std::function<double(const Eigen::VectorXd&)>& f,
                          const Eigen::VectorXd& center, double radius, int num_segments,
                          int points_per_segment, uint64_t seed);

}  // namespace hw1::math

#endif  // HW1_LIB_MATH_LOGISTIC_REGRESSION_H_
