#include "lib/math/conv1x1.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace hw1::math {

Eigen::MatrixXd Conv1x1(const Eigen::MatrixXd& weight, const Eigen::VectorXd& bias,
                        const Eigen::MatrixXd& input) {
  if (weight.cols() != input.rows() || (bias.size() != 0 && bias.size() != weight.rows())) {
    std::fprintf(stderr, "Conv1x1: weight %ldx%ld, bias %ld, input %ldx%ld do not fit\n",
                 weight.rows(), weight.cols(), bias.size(), input.rows(), input.cols());
    std::abort();
  }
  Eigen::MatrixXd output = weight * input;
  if (bias.size() != 0) output.colwise() += bias;
  return output;
}

std::optional<double> ScalarEquivalent(const Eigen::MatrixXd& weight, const Eigen::VectorXd& bias,
                                       double tolerance) {
  if (weight.rows() != weight.cols() || weight.rows() == 0) return std::nullopt;
  if (bias.size() != 0 && (bias.array().abs() > tolerance).any()) return std::nullopt;
  const double s = weight.diagonal().mean();
  const Eigen::MatrixXd residual =
      weight - s * Eigen::MatrixXd::Identity(weight.rows(), weight.cols());
  if ((residual.array().abs() > tolerance).any()) return std::nullopt;
  return s;
}

double BestScalarFit(const Eigen::MatrixXd& input, const Eigen::MatrixXd& output) {
  if (input.rows() != output.rows() || input.cols() != output.cols()) {
    std::fprintf(stderr, "BestScalarFit: input %ldx%ld and output %ldx%ld differ in shape\n",
                 input.rows(), input.cols(), output.rows(), output.cols());
    std::abort();
  }
  const double xx = input.squaredNorm();
  if (xx == 0.0) return 0.0;
  return (input.array() * output.array()).sum() / xx;
}

}  // namespace hw1::math
