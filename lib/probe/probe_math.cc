#include "lib/probe/probe_math.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace hw1::probe {
namespace {

double Norm(const torch::Tensor& t) { return t.to(torch::kFloat64).norm().item<double>(); }

// ‖a − b‖ over a list of tensors, in double.
double DistanceBetween(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double d = Norm(a[i].to(torch::kFloat64) - b[i].to(torch::kFloat64));
    sum += d * d;
  }
  return std::sqrt(sum);
}

double NormOf(const std::vector<torch::Tensor>& tensors) {
  double sum = 0;
  for (const auto& t : tensors) sum += std::pow(Norm(t), 2);
  return std::sqrt(sum);
}

}  // namespace

double DeadFraction(const torch::Tensor& pre_activation) {
  TORCH_CHECK(pre_activation.dim() == 4 || pre_activation.dim() == 2,
              "DeadFraction: expected N×C×H×W or N×F, got ", pre_activation.dim(), " dims");
  torch::NoGradGuard no_grad;
  const torch::Tensor x = pre_activation.to(torch::kFloat32);
  // Largest input each unit receives over the batch (and positions).
  torch::Tensor peak = x.dim() == 4 ? x.amax({0, 2, 3}) : x.amax({0});
  return peak.le(0).to(torch::kFloat64).mean().item<double>();
}

double UpdateRatio(const torch::Tensor& before, const torch::Tensor& after) {
  torch::NoGradGuard no_grad;
  const double size = Norm(before);
  const double step = Norm(after.to(torch::kFloat64) - before.to(torch::kFloat64));
  if (size == 0) return step == 0 ? 0 : INFINITY;
  return step / size;
}

double EffectiveLr(double lr, double weight_norm) { return lr / (weight_norm * weight_norm); }

Landscape LossAlong(const std::vector<torch::Tensor>& params,
                    const std::vector<torch::Tensor>& direction, const std::vector<double>& steps,
                    const LossFunction& loss_at_params) {
  TORCH_CHECK(params.size() == direction.size(), "LossAlong: ", params.size(), " parameters, ",
              direction.size(), " directions");
  std::vector<torch::Tensor> start;
  {
    torch::NoGradGuard no_grad;
    for (const auto& p : params) start.push_back(p.detach().clone());
  }
  auto move_to = [&](double s) {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < params.size(); ++i) {
      params[i].copy_(start[i]);
      if (s != 0) params[i].add_(direction[i], s);
    }
  };
  Landscape out;
  const LossAndGradient at_start = loss_at_params();
  out.loss = at_start.loss;
  const double direction_norm = NormOf(direction);
  double lowest = out.loss, highest = out.loss;
  bool have_unit_step = false;
  double unit_step_loss = 0;
  for (double s : steps) {
    move_to(s);
    const LossAndGradient there = loss_at_params();
    out.steps.push_back(s);
    out.losses.push_back(there.loss);
    lowest = std::min(lowest, there.loss);
    highest = std::max(highest, there.loss);
    const double change = DistanceBetween(there.gradient, at_start.gradient);
    out.gradient_predictiveness = std::max(out.gradient_predictiveness, change);
    if (direction_norm > 0 && s != 0) {
      out.beta = std::max(out.beta, change / (std::abs(s) * direction_norm));
    }
    if (s == 1) {
      have_unit_step = true;
      unit_step_loss = there.loss;
    }
  }
  if (!have_unit_step) {
    move_to(1);
    unit_step_loss = loss_at_params().loss;
  }
  out.loss_range = highest - lowest;
  out.relative_loss_change = (unit_step_loss - out.loss) / out.loss;
  // Back to the start bit for bit (w + 0·d would be, but copying says so).
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < params.size(); ++i) params[i].copy_(start[i]);
  return out;
}

}  // namespace hw1::probe
