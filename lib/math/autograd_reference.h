#ifndef HW1_LIB_MATH_AUTOGRAD_REFERENCE_H_
#define HW1_LIB_MATH_AUTOGRAD_REFERENCE_H_

// The logistic-regression Hessian by LibTorch autograd (double backward), in
// float64: an implementation independent of lib/math/logistic_regression.cc
// to check it against.

#include "Eigen/Core"
#include "lib/math/logistic_regression.h"

namespace hw1::math {

Eigen::MatrixXd AutogradHessian(const LogisticProblem& problem, const Eigen::VectorXd& params);

}  // namespace hw1::math

#endif  // HW1_LIB_MATH_AUTOGRAD_REFERENCE_H_
