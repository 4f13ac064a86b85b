#ifndef HW1_LIB_VIS_FEATURE_MAPS_H_
#define HW1_LIB_VIS_FEATURE_MAPS_H_

// Q3 (c): what makes a feature map fire.
//
// A "feature map" here is channel c of conv layer L (1–4) after its ReLU, as
// the network passes it on. For a batch of images, with s the logit of each
// image's predicted class and A the layer's feature maps (N × C × H × W):
//
//   pooled gradient   α[n, c] = mean over (y, x) of ∂s_n / ∂A[n, c, y, x]
//   homework variant  heatmap[n, c] = α[n, c] · A[n, c]          (one channel)
//   Grad-CAM          heatmap[n] = ReLU(Σ_c α[n, c] · A[n, c])  (Selvaraju et al. 2017)
//
// The homework ranks images by α[n, c] for a chosen channel and keeps the top
// two. Everything runs in float32 in eval mode (no dropout, BN running stats),
// so each image's gradient is its own.

#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "lib/models/cifar_cnn.h"

namespace hw1::vis {

struct LayerGradients {
  torch::Tensor activations;  // N × C × H × W
  torch::Tensor pooled;       // α: N × C
  torch::Tensor predicted;    // N, class index
  torch::Tensor score;        // N, logit of the predicted class
};

// `images`: N × 3 × 32 × 32 floats in [0, 1]. `layer`: 1–4.
LayerGradients PredictedClassGradients(models::CifarCnn& model, const torch::Tensor& images,
                                       int layer);

// α[n, c] · A[n, c]: H × W for one image and channel.
torch::Tensor HomeworkHeatmap(const LayerGradients& g, int64_t image, int64_t channel);
// ReLU(Σ_c α[n, c] · A[n, c]): H × W.
torch::Tensor GradCam(const LayerGradients& g, int64_t image);

// The indices of the `k` largest values (descending; ties by lower index).
std::vector<int64_t> TopK(const torch::Tensor& values, int64_t k);

// `count` distinct channels of `num_channels`, drawn with `seed`, ascending.
std::vector<int64_t> ChooseChannels(int64_t num_channels, int64_t count, uint64_t seed);

// The input pixels that can influence unit (y, x) of conv layer `layer`,
// from the layer geometry (3×3 convolutions, "same" at layers 1 and 3, "valid"
// at 2 and 4, 2×2 max-pooling after 2): `size` is the full field (3, 5, 10,
// 14 pixels on a side for layers 1–4), the bounds are clipped to the image.
struct ReceptiveField {
  int size = 0;
  int top = 0, left = 0, bottom = 0, right = 0;  // inclusive, clipped to [0, 31]
};
ReceptiveField UnitReceptiveField(int layer, int y, int x);

// Spearman's rank correlation of two tensors' entries (average ranks for ties).
double SpearmanCorrelation(const torch::Tensor& a, const torch::Tensor& b);

}  // namespace hw1::vis

#endif  // HW1_LIB_VIS_FEATURE_MAPS_H_
