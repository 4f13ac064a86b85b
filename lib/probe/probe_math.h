#ifndef HW1_LIB_PROBE_PROBE_MATH_H_
#define HW1_LIB_PROBE_PROBE_MATH_H_

// The measures behind the competing explanations of why BatchNorm permits
// larger learning rates, each a function of tensors so that it can be checked
// against a closed form (tests/probe/probe_math_test):
//
//   dead units        DeadFraction: ReLUs that never fire on a probe batch
//   auto-tuned lr     UpdateRatio ‖ΔW‖/‖W‖ (the angular update) and
//                     EffectiveLr η/‖W‖² of a weight followed by BN, which is
//                     scale invariant (Arora et al. 2019, Hoffer et al. 2018)
//   smoothness        LossAlong: the loss range, gradient predictiveness and
//                     effective β along the update direction (Santurkar et
//                     al. 2018, Figure 4), and the one-step relative loss
//                     change (Bjorck et al. 2018)

#include <torch/types.h>

#include <functional>
#include <vector>

namespace hw1::probe {

// The fraction of a layer's units that output zero after the ReLU for every
// image of the batch, from what the ReLU receives: for N×C×H×W a unit is a
// channel (its filter is dead when ≤ 0 at every image and position), for N×F
// a neuron.
double DeadFraction(const torch::Tensor& pre_activation);

// ‖after − before‖ / ‖before‖ (Frobenius norms, in double): the step a layer
// took relative to its size. 0 when both are zero.
double UpdateRatio(const torch::Tensor& before, const torch::Tensor& after);

// η / ‖W‖²: the step size a scale-invariant layer (a conv followed by BN) in
// effect trains with, since its gradient scales as 1/‖W‖ and its function
// depends on W/‖W‖ only.
double EffectiveLr(double lr, double weight_norm);

// The loss and its gradient with respect to the probed parameters, at their
// current values.
struct LossAndGradient {
  double loss = 0;
  std::vector<torch::Tensor> gradient;  // one per parameter
};
using LossFunction = std::function<LossAndGradient()>;

// The landscape along `direction` d from the parameters' current values w:
// the loss at w + s·d for each s of `steps`, and
//   loss_range                 max − min of the loss over {w} ∪ {w + s·d}
//   gradient_predictiveness    max over s of ‖∇L(w + s·d) − ∇L(w)‖
//   beta                       max over s of ‖∇L(w + s·d) − ∇L(w)‖ / ‖s·d‖
//   relative_loss_change       (L(w + d) − L(w)) / L(w): one step of d
// For the training probe d is the step the optimizer took (Adam's, not −η∇L:
// Adam rescales each coordinate, so the region training moves through is
// where its own step goes). `params` are moved in place and restored to their
// values bit for bit before returning.
struct Landscape {
  double loss = 0;            // L(w)
  std::vector<double> steps;  // s
  std::vector<double> losses;
  double loss_range = 0;
  double gradient_predictiveness = 0;
  double beta = 0;
  double relative_loss_change = 0;
};
Landscape LossAlong(const std::vector<torch::Tensor>& params,
                    const std::vector<torch::Tensor>& direction, const std::vector<double>& steps,
                    const LossFunction& loss_at_params);

}  // namespace hw1::probe

#endif  // HW1_LIB_PROBE_PROBE_MATH_H_
