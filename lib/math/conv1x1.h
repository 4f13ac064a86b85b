#ifndef HW1_LIB_MATH_CONV1X1_H_
#define HW1_LIB_MATH_CONV1X1_H_

// Q1: when is a 1×1 convolution the same as scaling its input by one scalar?
//
// A 1×1 convolution with weight W (C_out × C_in) and bias b (C_out) maps an
// input x (C_in channels × H × W pixels) pixel by pixel:
//
//     y[:, p] = W x[:, p] + b          for every pixel p.
//
// "Scaling the input by a scalar s" maps x to s·x, which has C_in channels.
//
// THE CONDITION. The convolution equals x ↦ s·x for every input x if and only if
//
//     C_out == C_in,   b == 0 (or no bias),   and   W == s·I.
//
// Any real s qualifies: s = 0 (the zero map), s < 0, s = 1 (identity).
//
// PROOF. (⇐) If C_out = C_in, b = 0 and W = s·I, then y[:, p] = s·I x[:, p] =
// s·x[:, p] for every pixel, so y = s·x.
// (⇒) Suppose y = s·x for every input x. The outputs must have the shape of
// the input, so C_out = C_in =: C. Take x = 0: y[:, p] = b must equal s·0 = 0,
// so b = 0. Take x with the standard basis vector e_j at one pixel: the output
// there is W e_j = (column j of W), and it must equal s·e_j. So every column j
// of W is s·e_j, i.e. W = s·I. ∎
//
// Consequences:
// - C = 1: W = [w] is always w·I, so a single-channel 1×1 convolution is a
//   scalar multiple exactly when it has no bias (or bias 0). The homework's
//   answer "yes when C = 1" misses the bias.
// - C > 1: it still can be a scalar multiple, when W = s·I (no mixing of
//   channels, the same gain on each), which the homework's answer excludes.
// - A diagonal W with unequal entries scales each channel separately: a
//   per-channel scaling, not one scalar. One off-diagonal entry mixes channels.
// - C_in ≠ C_out: never, the output does not even have the input's shape.
//
// The weight here is a matrix; a torch Conv2d weight of shape
// (C_out, C_in, 1, 1) is the same numbers.

#include <optional>

#include "Eigen/Core"

namespace hw1::math {

// Per-pixel 1×1 convolution: `input` is C_in × P (P pixels, e.g. H·W),
// result is C_out × P. `bias` may be empty (no bias) or have C_out entries.
Eigen::MatrixXd Conv1x1(const Eigen::MatrixXd& weight, const Eigen::VectorXd& bias,
                        const Eigen::MatrixXd& input);

// Decides the condition above. Returns s when the convolution equals x ↦ s·x,
// std::nullopt otherwise. `tolerance` bounds |W - s·I| and |b| entrywise
// (0 = exact comparison). `bias` may be empty (no bias).
std::optional<double> ScalarEquivalent(const Eigen::MatrixXd& weight, const Eigen::VectorXd& bias,
                                       double tolerance = 0.0);

// The scalar s minimising ||y - s·x||² over the given input/output pair,
// s = <x, y> / <x, x> (0 when x = 0). Shapes must match.
double BestScalarFit(const Eigen::MatrixXd& input, const Eigen::MatrixXd& output);

}  // namespace hw1::math

#endif  // HW1_LIB_MATH_CONV1X1_H_
