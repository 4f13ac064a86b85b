#include "lib/vis/feature_maps.h"

#include <torch/torch.h>

#include <algorithm>
#include <numeric>
#include <random>

namespace hw1::vis {

LayerGradients PredictedClassGradients(models::CifarCnn& model, const torch::Tensor& images,
                                       int layer) {
  TORCH_CHECK(layer >= 1 && layer <= models::CifarCnnImpl::kNumConvLayers,
              "layer must be 1-4, got ", layer);
  model->eval();
  torch::AutoGradMode grad_mode(true);
  // In the model's own dtype (float32 normally; float64 for finite-difference checks).
  const models::CnnOutput out =
      model->ForwardWithActivations(images.to(model->parameters()[0].scalar_type()));
  LayerGradients g;
  g.activations = out.conv_activations[static_cast<size_t>(layer - 1)];
  g.predicted = out.logits.argmax(1);
  g.score = out.logits.gather(1, g.predicted.unsqueeze(1)).squeeze(1);
  // Images do not interact in eval mode: the gradient of the sum is each image's own.
  const torch::Tensor grad = torch::autograd::grad({g.score.sum()}, {g.activations})[0];
  g.pooled = grad.mean({2, 3}).detach();
  g.activations = g.activations.detach();
  g.score = g.score.detach();
  return g;
}

torch::Tensor HomeworkHeatmap(const LayerGradients& g, int64_t image, int64_t channel) {
  return g.pooled[image][channel] * g.activations[image][channel];
}

torch::Tensor GradCam(const LayerGradients& g, int64_t image) {
  return torch::relu((g.pooled[image].view({-1, 1, 1}) * g.activations[image]).sum(0));
}

std::vector<int64_t> TopK(const torch::Tensor& values, int64_t k) {
  const torch::Tensor flat = values.detach().to(torch::kFloat64).contiguous().view({-1});
  std::vector<int64_t> order(static_cast<size_t>(flat.numel()));
  std::iota(order.begin(), order.end(), 0);
  const double* v = flat.data_ptr<double>();
  std::stable_sort(order.begin(), order.end(), [v](int64_t a, int64_t b) { return v[a] > v[b]; });
  order.resize(static_cast<size_t>(std::min<int64_t>(k, flat.numel())));
  return order;
}

std::vector<int64_t> ChooseChannels(int64_t num_channels, int64_t count, uint64_t seed) {
  std::vector<int64_t> all(static_cast<size_t>(num_channels));
  std::iota(all.begin(), all.end(), 0);
  std::mt19937_64 rng(seed);
  std::shuffle(all.begin(), all.end(), rng);
  all.resize(static_cast<size_t>(std::min(count, num_channels)));
  std::sort(all.begin(), all.end());
  return all;
}

ReceptiveField UnitReceptiveField(int layer, int y, int x) {
  TORCH_CHECK(layer >= 1 && layer <= 4, "layer must be 1-4, got ", layer);
  struct Op {
    int kernel, stride, pad;
  };
  // conv1 (same), conv2 (valid), pool, conv3 (same), conv4 (valid).
  const Op ops[] = {{3, 1, 1}, {3, 1, 0}, {2, 2, 0}, {3, 1, 1}, {3, 1, 0}};
  const int ops_for_layer[] = {0, 1, 2, 4, 5};
  // Field size r, jump j between neighbouring units, start: input coordinate of
  // unit 0's first pixel (the textbook recurrence, without rounding).
  int r = 1, j = 1, first = 0;
  for (int i = 0; i < ops_for_layer[layer]; ++i) {
    first += -ops[i].pad * j;
    r += (ops[i].kernel - 1) * j;
    j *= ops[i].stride;
  }
  ReceptiveField rf;
  rf.size = r;
  rf.top = std::max(0, first + y * j);
  rf.left = std::max(0, first + x * j);
  rf.bottom = std::min(31, first + y * j + r - 1);
  rf.right = std::min(31, first + x * j + r - 1);
  return rf;
}

namespace {

std::vector<double> Ranks(const torch::Tensor& t) {
  const torch::Tensor flat = t.detach().to(torch::kFloat64).contiguous().view({-1});
  const double* v = flat.data_ptr<double>();
  const size_t n = static_cast<size_t>(flat.numel());
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [v](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> ranks(n);
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j + 1 < n && v[order[j + 1]] == v[order[i]]) ++j;
    const double average = (static_cast<double>(i) + static_cast<double>(j)) / 2.0;
    for (size_t k = i; k <= j; ++k) ranks[order[k]] = average;
    i = j + 1;
  }
  return ranks;
}

}  // namespace

double SpearmanCorrelation(const torch::Tensor& a, const torch::Tensor& b) {
  TORCH_CHECK(a.numel() == b.numel() && a.numel() > 1,
              "Spearman: need two tensors of equal size > 1");
  const std::vector<double> ra = Ranks(a), rb = Ranks(b);
  const double n = static_cast<double>(ra.size());
  const double mean = (n - 1) / 2.0;
  double cov = 0, va = 0, vb = 0;
  for (size_t i = 0; i < ra.size(); ++i) {
    cov += (ra[i] - mean) * (rb[i] - mean);
    va += (ra[i] - mean) * (ra[i] - mean);
    vb += (rb[i] - mean) * (rb[i] - mean);
  }
  if (va == 0 || vb == 0) return 0.0;  // a constant map has no ranking to agree with
  return cov / std::sqrt(va * vb);
}

}  // namespace hw1::vis
