#ifndef HW1_LIB_MODELS_CIFAR_CNN_H_
#define HW1_LIB_MODELS_CIFAR_CNN_H_

// The homework's CIFAR-10 CNN: Keras' `cifar10_cnn` example (the homework's
// Figure 2 is lost; this is the network it describes), and its BatchNorm
// variant (the homework's Figure 10: BN after every convolution, before ReLU).
//
//   conv 32 3×3 same → ReLU → conv 32 3×3 valid → ReLU → max-pool 2 → dropout 0.25
//   conv 64 3×3 same → ReLU → conv 64 3×3 valid → ReLU → max-pool 2 → dropout 0.25
//   flatten → dense 512 → ReLU → dropout 0.5 → dense 10 (logits)
//
// 1,250,858 parameters without BN. Keras' defaults are kept where they differ
// from LibTorch's: Glorot-uniform weights, zero biases, BN eps 1e-3 and
// momentum 0.99 (LibTorch's momentum 0.01 is the same thing: 1 − 0.99).
// Init::kTorch gives LibTorch's (and PyTorch's) default initialisation
// instead, which a PyTorch user of the homework would have had: Q4 (b) asks
// whether the baseline's collapse at 5x depends on it.
//
// Flatten order: LibTorch flattens C×H×W, Keras H×W×C. The two networks are the
// same up to a fixed permutation of the dense layer's input weights.

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/models/fast_dropout.h"

namespace hw1::models {

// How the weights start.
enum class Init {
  kKeras,  // Glorot-uniform weights, zero biases (Keras' defaults)
  kTorch,  // LibTorch's defaults: kaiming_uniform(a=√5) weights, biases U(±1/√fan_in)
};
absl::StatusOr<Init> ParseInit(
    absl::string_view text);      // "keras" | "torch"; the error names --init
std::string InitName(Init init);  // "keras" | "torch"

// --widths=a,b,c,d (each >= 1) and --dropout=p,q,r (each in [0, 1)); errors name the flag.
absl::StatusOr<std::array<int64_t, 4>> ParseWidths(absl::string_view text);
absl::StatusOr<std::array<double, 3>> ParseDropout(absl::string_view text);
// "32,32,64,64" and "0.25,0.25,0.5": as the flags take them.
std::string WidthsText(const std::array<int64_t, 4>& widths);
std::string DropoutText(const std::array<double, 3>& dropout);

struct CifarCnnOptions {
  bool batchnorm = false;
  Init init = Init::kKeras;
  // The four conv layers' channels and the three dropout rates (after each
  // pooling, after the dense layer): the Keras example's by default. Q3 asks
  // which network the homework trained; its Q3 (c) names channel 49 of layer 2
  // and 55 of layer 4, which the Keras example does not have.
  std::array<int64_t, 4> widths = {32, 32, 64, 64};
  std::array<double, 3> dropout = {0.25, 0.25, 0.5};
  double bn_eps = 1e-3;       // Keras
  double bn_momentum = 0.01;  // LibTorch convention; Keras momentum 0.99
  int num_classes = 10;
};

// What a run id says of the architecture: "" for the Keras example, else
// "w32-64-64-64" and/or "d0-0-0.5" (joined by '_') for what differs.
std::string ArchitectureTag(const CifarCnnOptions& options);

// Logits and, when asked, the output of each conv layer after its ReLU (the
// feature maps of layers 1–4, in order), or what each ReLU receives: conv
// layers 1–4 (after BN in the BN variant) and the dense layer fc1.
struct CnnOutput {
  torch::Tensor logits;
  std::vector<torch::Tensor> conv_activations;
  std::vector<torch::Tensor> pre_activations;
};

class CifarCnnImpl : public torch::nn::Module {
 public:
  explicit CifarCnnImpl(const CifarCnnOptions& options = {});

  // x: N × 3 × 32 × 32, values in [0, 1].
  torch::Tensor forward(const torch::Tensor& x);
  CnnOutput ForwardWithActivations(const torch::Tensor& x);
  CnnOutput ForwardWithPreActivations(const torch::Tensor& x);
  // The rest of the network from the feature map of conv layer `layer`
  // (1–4, after its ReLU) to the logits: for probing a layer, e.g. finite
  // differences of the class score with respect to one activation.
  torch::Tensor ForwardFromLayer(int layer, const torch::Tensor& activation);

  // Draws every weight afresh from the global generator as options().init
  // says; BN γ = 1, β = 0 and fresh running statistics either way.
  void ResetParameters();

  const CifarCnnOptions& options() const { return options_; }
  static constexpr int kNumConvLayers = 4;

 private:
  // Conv layer `layer` (1–4) with its BN, before the ReLU; pooling and
  // dropout after layers 2 and 4 belong to the next stage.
  torch::Tensor ConvBlock(int layer, const torch::Tensor& in);
  enum class Keep { kNothing, kActivations, kPreActivations };
  // From the output of conv layer `first_layer` (0: the input) to the logits.
  CnnOutput Run(const torch::Tensor& x, int first_layer, Keep keep);

  CifarCnnOptions options_;
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr}, conv3_{nullptr}, conv4_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr}, bn2_{nullptr}, bn3_{nullptr}, bn4_{nullptr};
  FastDropout drop1_{nullptr}, drop2_{nullptr}, drop3_{nullptr};  // see fast_dropout.h
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
};
TORCH_MODULE(CifarCnn);

// One row of a Keras-style summary.
struct LayerSummary {
  std::string name;                   // e.g. "conv2d_1"
  std::string type;                   // e.g. "Conv2D"
  std::vector<int64_t> output_shape;  // without the batch dimension, Keras order (H, W, C)
  int64_t trainable_params = 0;
  int64_t non_trainable_params = 0;  // BN running mean and variance
};

// Layer by layer, as Keras' model.summary() lists the same network.
std::vector<LayerSummary> Summarize(const CifarCnnOptions& options);
// The summary as text laid out like Keras' model.summary().
std::string FormatSummary(const std::vector<LayerSummary>& layers, const std::string& title);

int64_t CountParameters(CifarCnnImpl& model);  // trainable + BN running statistics

}  // namespace hw1::models

#endif  // HW1_LIB_MODELS_CIFAR_CNN_H_
