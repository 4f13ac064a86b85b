#include "lib/models/cifar_cnn.h"

#include <torch/torch.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace hw1::models {
namespace {

torch::nn::Conv2dOptions Conv(int in, int out, bool same) {
  return torch::nn::Conv2dOptions(in, out, 3).padding(same ? 1 : 0);
}

}  // namespace

CifarCnnImpl::CifarCnnImpl(const CifarCnnOptions& options) : options_(options) {
  const auto& w = options_.widths;
  conv1_ = register_module("conv1", torch::nn::Conv2d(Conv(3, w[0], true)));
  conv2_ = register_module("conv2", torch::nn::Conv2d(Conv(w[0], w[1], false)));
  conv3_ = register_module("conv3", torch::nn::Conv2d(Conv(w[1], w[2], true)));
  conv4_ = register_module("conv4", torch::nn::Conv2d(Conv(w[2], w[3], false)));
  if (options_.batchnorm) {
    auto bn = [&](int64_t channels) {
      return torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(channels)
                                        .eps(options_.bn_eps)
                                        .momentum(options_.bn_momentum));
    };
    bn1_ = register_module("bn1", bn(w[0]));
    bn2_ = register_module("bn2", bn(w[1]));
    bn3_ = register_module("bn3", bn(w[2]));
    bn4_ = register_module("bn4", bn(w[3]));
  }
  drop1_ = register_module("drop1", FastDropout(options_.dropout[0]));
  drop2_ = register_module("drop2", FastDropout(options_.dropout[1]));
  drop3_ = register_module("drop3", FastDropout(options_.dropout[2]));
  fc1_ = register_module("fc1", torch::nn::Linear(w[3] * 6 * 6, 512));
  fc2_ = register_module("fc2", torch::nn::Linear(512, options_.num_classes));
  ResetParameters();
}

absl::StatusOr<Init> ParseInit(absl::string_view text) {
  if (text == "keras") return Init::kKeras;
  if (text == "torch") return Init::kTorch;
  return absl::InvalidArgumentError(absl::StrCat("--init=", text, ": expected keras or torch"));
}

std::string InitName(Init init) { return init == Init::kKeras ? "keras" : "torch"; }

absl::StatusOr<std::array<int64_t, 4>> ParseWidths(absl::string_view text) {
  const std::vector<std::string> parts = absl::StrSplit(text, ',');
  std::array<int64_t, 4> widths{};
  bool ok = parts.size() == widths.size();
  for (size_t i = 0; ok && i < parts.size(); ++i)
    ok = absl::SimpleAtoi(parts[i], &widths[i]) && widths[i] >= 1;
  if (!ok) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--widths=", text, ": expected the four conv layers' channels, e.g. 32,32,64,64"));
  }
  return widths;
}

absl::StatusOr<std::array<double, 3>> ParseDropout(absl::string_view text) {
  const std::vector<std::string> parts = absl::StrSplit(text, ',');
  std::array<double, 3> dropout{};
  bool ok = parts.size() == dropout.size();
  for (size_t i = 0; ok && i < parts.size(); ++i) {
    ok = absl::SimpleAtod(parts[i], &dropout[i]) && dropout[i] >= 0 && dropout[i] < 1;
  }
  if (!ok) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--dropout=", text,
        ": expected three rates in [0, 1) (after each pooling, after the dense layer), "
        "e.g. 0.25,0.25,0.5"));
  }
  return dropout;
}

std::string WidthsText(const std::array<int64_t, 4>& widths) { return absl::StrJoin(widths, ","); }

std::string DropoutText(const std::array<double, 3>& dropout) {
  return absl::StrJoin(dropout, ",",
                       [](std::string* out, double p) { absl::StrAppendFormat(out, "%g", p); });
}

std::string ArchitectureTag(const CifarCnnOptions& options) {
  const CifarCnnOptions keras_example;
  std::vector<std::string> parts;
  if (options.widths != keras_example.widths)
    parts.push_back(absl::StrCat("w", absl::StrJoin(options.widths, "-")));
  if (options.dropout != keras_example.dropout) {
    parts.push_back(
        absl::StrCat("d", absl::StrReplaceAll(DropoutText(options.dropout), {{",", "-"}})));
  }
  return absl::StrJoin(parts, "_");
}

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
  return h;
}

CnnOutput CifarCnnImpl::Run(const torch::Tensor& x, int first_layer, Keep keep) {
  CnnOutput out;
  torch::Tensor h = x;
  // Stage after conv layer k (k = first_layer … 4), then the classifier.
  for (int layer = first_layer + 1; layer <= kNumConvLayers; ++layer) {
    if (layer == 3) h = drop1_(torch::max_pool2d(h, 2));
    h = ConvBlock(layer, h);
    if (keep == Keep::kPreActivations) out.pre_activations.push_back(h);
    h = torch::relu(h);
    if (keep == Keep::kActivations) out.conv_activations.push_back(h);
  }
  h = fc1_(drop2_(torch::max_pool2d(h, 2)).flatten(1));
  if (keep == Keep::kPreActivations) out.pre_activations.push_back(h);
  h = drop3_(torch::relu(h));
  out.logits = fc2_(h);
  return out;
}

torch::Tensor CifarCnnImpl::forward(const torch::Tensor& x) {
  return Run(x, 0, Keep::kNothing).logits;
}

CnnOutput CifarCnnImpl::ForwardWithActivations(const torch::Tensor& x) {
  return Run(x, 0, Keep::kActivations);
}

CnnOutput CifarCnnImpl::ForwardWithPreActivations(const torch::Tensor& x) {
  return Run(x, 0, Keep::kPreActivations);
}

torch::Tensor CifarCnnImpl::ForwardFromLayer(int layer, const torch::Tensor& activation) {
  TORCH_CHECK(layer >= 1 && layer <= kNumConvLayers, "conv layer must be 1-4, got ", layer);
  return Run(activation, layer, Keep::kNothing).logits;
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
  auto conv = [&](int64_t in, int64_t out, int64_t side) {
    add(0, "conv2d", "Conv2D", {side, side, out}, in * out * 9 + out);
    if (options.batchnorm) {
      add(1, "batch_normalization", "BatchNormalization", {side, side, out}, 2 * out, 2 * out);
    }
    add(2, "activation", "Activation", {side, side, out}, 0);
  };
  const auto& w = options.widths;
  conv(3, w[0], 32);
  conv(w[0], w[1], 30);
  add(3, "max_pooling2d", "MaxPooling2D", {15, 15, w[1]}, 0);
  add(4, "dropout", "Dropout", {15, 15, w[1]}, 0);
  conv(w[1], w[2], 15);
  conv(w[2], w[3], 13);
  add(3, "max_pooling2d", "MaxPooling2D", {6, 6, w[3]}, 0);
  add(4, "dropout", "Dropout", {6, 6, w[3]}, 0);
  add(5, "flatten", "Flatten", {6 * 6 * w[3]}, 0);
  add(6, "dense", "Dense", {512}, 6 * 6 * w[3] * 512 + 512);
  add(2, "activation", "Activation", {512}, 0);
  add(4, "dropout", "Dropout", {512}, 0);
  add(6, "dense", "Dense", {options.num_classes},
      512 * static_cast<int64_t>(options.num_classes) + options.num_classes);
  return layers;
}

std::string FormatSummary(const std::vector<LayerSummary>& layers, const std::string& title) {
  const std::string rule(65, '_'), double_rule(65, '=');
  std::string text =
      absl::StrCat("Model: \"", title, "\"\n", rule, "\n",
                   absl::StrFormat("%-29s%-26s%s\n", "Layer (type)", "Output Shape", "Param #"),
                   double_rule, "\n");
  int64_t trainable = 0, non_trainable = 0;
  for (size_t i = 0; i < layers.size(); ++i) {
    const LayerSummary& layer = layers[i];
    const std::string shape = absl::StrCat("(None, ", absl::StrJoin(layer.output_shape, ", "), ")");
    absl::StrAppend(
        &text, absl::StrFormat("%-29s%-26s%d\n", absl::StrCat(layer.name, " (", layer.type, ")"),
                               shape, layer.trainable_params + layer.non_trainable_params));
    absl::StrAppend(&text, i + 1 < layers.size() ? rule : double_rule, "\n");
    trainable += layer.trainable_params;
    non_trainable += layer.non_trainable_params;
  }
  absl::StrAppend(
      &text,
      absl::StrFormat("Total params: %d\nTrainable params: %d\nNon-trainable params: %d\n",
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
