#include "lib/models/cifar_cnn.h"

#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace hw1::models {
namespace {

torch::nn::Conv2dOptions Conv(int in, int out, bool same) {
  return torch::nn::Conv2dOptions(in, out, 3).padding(same ? 1 : 0);
}

}  // namespace

CifarCnnImpl::CifarCnnImpl(const CifarCnnOptions& options) : options_(options) {
  conv1_ = register_module("conv1", torch::nn::Conv2d(Conv(3, 32, true)));
  conv2_ = register_module("conv2", torch::nn::Conv2d(Conv(32, 32, false)));
  conv3_ = register_module("conv3", torch::nn::Conv2d(Conv(32, 64, true)));
  conv4_ = register_module("conv4", torch::nn::Conv2d(Conv(64, 64, false)));
  if (options_.batchnorm) {
    auto bn = [&](int channels) {
      return torch::nn::BatchNorm2d(
          torch::nn::BatchNorm2dOptions(channels).eps(options_.bn_eps).momentum(options_.bn_momentum));
    };
    bn1_ = register_module("bn1", bn(32));
    bn2_ = register_module("bn2", bn(32));
    bn3_ = register_module("bn3", bn(64));
    bn4_ = register_module("bn4", bn(64));
  }
  drop1_ = register_module("drop1", FastDropout(0.25));
  drop2_ = register_module("drop2", FastDropout(0.25));
  drop3_ = register_module("drop3", FastDropout(0.5));
  fc1_ = register_module("fc1", torch::nn::Linear(64 * 6 * 6, 512));
  fc2_ = register_module("fc2", torch::nn::Linear(512, options_.num_classes));
  ResetParameters();
}

absl::StatusOr<Init> ParseInit(absl::string_view text) {
  if (text == "keras") return Init::kKeras;
  if (text == "torch") return Init::kTorch;
  return absl::InvalidArgumentError(absl::StrCat("--init=", text, ": expected keras or torch"));
}

std::string InitName(Init init) { return init == Init::kKeras ? "keras" : "torch"; }

void CifarCnnImpl::ResetParameters() {
  torch::NoGradGuard no_grad;
  const bool keras = options_.init == Init::kKeras;
  for (auto& module : modules(/*include_self=*/false)) {
    // LibTorch's own reset_parameters() is its default initialisation.
    if (auto* conv = module->as<torch::nn::Conv2dImpl>()) {
      if (keras) {
        torch::nn::init::xavier_uniform_(conv->weight);
        torch::nn::init::zeros_(conv->bias);
      } else {
        conv->reset_parameters();
      }
    } else if (auto* linear = module->as<torch::nn::LinearImpl>()) {
      if (keras) {
        torch::nn::init::xavier_uniform_(linear->weight);
        torch::nn::init::zeros_(linear->bias);
      } else {
        linear->reset_parameters();
      }
    } else if (auto* bn = module->as<torch::nn::BatchNorm2dImpl>()) {
      bn->reset_parameters();
    }
  }
}

torch::Tensor CifarCnnImpl::ConvBlock(int layer, const torch::Tensor& in) {
  torch::nn::Conv2d* convs[] = {&conv1_, &conv2_, &conv3_, &conv4_};
  torch::nn::BatchNorm2d* bns[] = {&bn1_, &bn2_, &bn3_, &bn4_};
  torch::Tensor h = (*convs[layer - 1])(in);
  if (options_.batchnorm) h = (*bns[layer - 1])(h);
  return torch::relu(h);
}

CnnOutput CifarCnnImpl::Run(const torch::Tensor& x, int first_layer, bool keep_activations) {
  CnnOutput out;
  torch::Tensor h = x;
  // Stage after conv layer k (k = first_layer … 4), then the classifier.
  for (int layer = first_layer + 1; layer <= kNumConvLayers; ++layer) {
    if (layer == 3) h = drop1_(torch::max_pool2d(h, 2));
    h = ConvBlock(layer, h);
    if (keep_activations) out.conv_activations.push_back(h);
  }
  h = drop2_(torch::max_pool2d(h, 2));
  h = drop3_(torch::relu(fc1_(h.flatten(1))));
  out.logits = fc2_(h);
  return out;
}

torch::Tensor CifarCnnImpl::forward(const torch::Tensor& x) { return Run(x, 0, false).logits; }

CnnOutput CifarCnnImpl::ForwardWithActivations(const torch::Tensor& x) { return Run(x, 0, true); }

torch::Tensor CifarCnnImpl::ForwardFromLayer(int layer, const torch::Tensor& activation) {
  TORCH_CHECK(layer >= 1 && layer <= kNumConvLayers, "conv layer must be 1-4, got ", layer);
  return Run(activation, layer, false).logits;
}

std::vector<LayerSummary> Summarize(const CifarCnnOptions& options) {
  std::vector<LayerSummary> layers;
  int counters[8] = {0};
  auto add = [&](int kind, const char* keras_name, const char* type, std::vector<int64_t> shape,
                 int64_t trainable, int64_t non_trainable = 0) {
    const int index = ++counters[kind];
    layers.push_back({absl::StrCat(keras_name, index == 1 ? "" : absl::StrCat("_", index - 1)),
                      type, std::move(shape), trainable, non_trainable});
  };
  auto conv = [&](int in, int out, int side) {
    add(0, "conv2d", "Conv2D", {side, side, out}, static_cast<int64_t>(in) * out * 9 + out);
    if (options.batchnorm) {
      add(1, "batch_normalization", "BatchNormalization", {side, side, out}, 2 * out, 2 * out);
    }
    add(2, "activation", "Activation", {side, side, out}, 0);
  };
  conv(3, 32, 32);
  conv(32, 32, 30);
  add(3, "max_pooling2d", "MaxPooling2D", {15, 15, 32}, 0);
  add(4, "dropout", "Dropout", {15, 15, 32}, 0);
  conv(32, 64, 15);
  conv(64, 64, 13);
  add(3, "max_pooling2d", "MaxPooling2D", {6, 6, 64}, 0);
  add(4, "dropout", "Dropout", {6, 6, 64}, 0);
  add(5, "flatten", "Flatten", {2304}, 0);
  add(6, "dense", "Dense", {512}, 2304 * 512 + 512);
  add(2, "activation", "Activation", {512}, 0);
  add(4, "dropout", "Dropout", {512}, 0);
  add(6, "dense", "Dense", {options.num_classes},
      512 * static_cast<int64_t>(options.num_classes) + options.num_classes);
  return layers;
}

std::string FormatSummary(const std::vector<LayerSummary>& layers, const std::string& title) {
  const std::string rule(65, '_'), double_rule(65, '=');
  std::string text = absl::StrCat("Model: \"", title, "\"\n", rule, "\n",
                                  absl::StrFormat("%-29s%-26s%s\n", "Layer (type)", "Output Shape", "Param #"),
                                  double_rule, "\n");
  int64_t trainable = 0, non_trainable = 0;
  for (size_t i = 0; i < layers.size(); ++i) {
    const LayerSummary& layer = layers[i];
    const std::string shape = absl::StrCat("(None, ", absl::StrJoin(layer.output_shape, ", "), ")");
    absl::StrAppend(&text, absl::StrFormat("%-29s%-26s%d\n",
                                           absl::StrCat(layer.name, " (", layer.type, ")"), shape,
                                           layer.trainable_params + layer.non_trainable_params));
    absl::StrAppend(&text, i + 1 < layers.size() ? rule : double_rule, "\n");
    trainable += layer.trainable_params;
    non_trainable += layer.non_trainable_params;
  }
  absl::StrAppend(&text, absl::StrFormat("Total params: %d\nTrainable params: %d\nNon-trainable params: %d\n",
                                         trainable + non_trainable, trainable, non_trainable),
                  rule, "\n");
  return text;
}

int64_t CountParameters(CifarCnnImpl& model) {
  int64_t total = 0;
  for (const auto& p : model.parameters()) total += p.numel();
  for (const auto& b : model.named_buffers()) {
    if (b.key().find("running_") != std::string::npos) total += b.value().numel();
  }
  return total;
}

}  // namespace hw1::models
