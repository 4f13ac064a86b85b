#include "lib/models/cifar_cnn.h"

#include <torch/torch.h>

#include <array>
#include <cmath>

#include "gtest/gtest.h"

namespace hw1::models {
namespace {

TEST(CifarCnnTest, ParameterCountsMatchKeras) {
  CifarCnn baseline;
  EXPECT_EQ(CountParameters(*baseline), 1250858);
  CifarCnnOptions bn_options;
  bn_options.batchnorm = true;
  CifarCnn bn(bn_options);
  // Four BN layers with γ, β, running mean and variance: 4·(32+32+64+64) = 768.
  EXPECT_EQ(CountParameters(*bn), 1250858 + 768);
}

TEST(CifarCnnTest, SummaryAgreesWithTheModule) {
  for (bool batchnorm : {false, true}) {
    CifarCnnOptions options;
    options.batchnorm = batchnorm;
    CifarCnn model(options);
    int64_t trainable = 0, non_trainable = 0;
    for (const auto& layer : Summarize(options)) {
      trainable += layer.trainable_params;
      non_trainable += layer.non_trainable_params;
    }
    int64_t module_trainable = 0;
    for (const auto& p : model->parameters()) module_trainable += p.numel();
    EXPECT_EQ(trainable, module_trainable);
    EXPECT_EQ(trainable + non_trainable, CountParameters(*model));
  }
  const std::string text = FormatSummary(Summarize({}), "cifar10_cnn");
  EXPECT_NE(text.find("conv2d_3 (Conv2D)"), std::string::npos);
  EXPECT_NE(text.find("(None, 6, 6, 64)"), std::string::npos);
  EXPECT_NE(text.find("Total params: 1250858"), std::string::npos);
}

TEST(CifarCnnTest, OutputAndActivationShapes) {
  for (bool batchnorm : {false, true}) {
    CifarCnnOptions options;
    options.batchnorm = batchnorm;
    CifarCnn model(options);
    model->eval();
    const CnnOutput out = model->ForwardWithActivations(torch::rand({4, 3, 32, 32}));
    EXPECT_EQ(out.logits.sizes(), (std::vector<int64_t>{4, 10}));
    ASSERT_EQ(out.conv_activations.size(), 4u);
    EXPECT_EQ(out.conv_activations[0].sizes(), (std::vector<int64_t>{4, 32, 32, 32}));
    EXPECT_EQ(out.conv_activations[1].sizes(), (std::vector<int64_t>{4, 32, 30, 30}));
    EXPECT_EQ(out.conv_activations[2].sizes(), (std::vector<int64_t>{4, 64, 15, 15}));
    EXPECT_EQ(out.conv_activations[3].sizes(), (std::vector<int64_t>{4, 64, 13, 13}));
  }
}

TEST(CifarCnnTest, ActivationsAreTheOnesTheLogitsComeFrom) {
  CifarCnn model;
  model->eval();
  const torch::Tensor x = torch::rand({2, 3, 32, 32});
  const CnnOutput out = model->ForwardWithActivations(x);
  EXPECT_TRUE(torch::equal(out.logits, model->forward(x)));
  EXPECT_GE(out.conv_activations[0].min().item<float>(), 0.0f);  // after ReLU
}

TEST(CifarCnnTest, KerasInitialisation) {
  torch::manual_seed(0);
  CifarCnn model;
  for (const auto& item : model->named_parameters()) {
    const torch::Tensor& p = item.value();
    if (item.key().find("bias") != std::string::npos) {
      EXPECT_EQ(p.abs().max().item<float>(), 0.0f) << item.key();
      continue;
    }
    // Glorot uniform: U(-a, a), a = sqrt(6 / (fan_in + fan_out)).
    const int64_t receptive = p.dim() == 4 ? p.size(2) * p.size(3) : 1;
    const double a = std::sqrt(6.0 / static_cast<double>((p.size(0) + p.size(1)) * receptive));
    EXPECT_LE(p.abs().max().item<double>(), a + 1e-6) << item.key();
    EXPECT_GT(p.abs().max().item<double>(), 0.9 * a) << item.key();
  }
}

TEST(CifarCnnTest, TorchInitialisationIsLibTorchsOwnDefault) {
  // The oracle: LibTorch's own layers, built from the same seed in the same
  // order, draw their default initialisation (kaiming_uniform(a=√5) weights,
  // U(±1/√fan_in) biases) in their constructors.
  for (bool batchnorm : {false, true}) {
    CifarCnnOptions options;
    options.batchnorm = batchnorm;
    options.init = Init::kTorch;
    CifarCnn model(options);
    torch::manual_seed(7);
    model->ResetParameters();
    torch::manual_seed(7);
    std::vector<torch::Tensor> expected;
    for (auto [in, out] : {std::pair{3, 32}, {32, 32}, {32, 64}, {64, 64}}) {
      torch::nn::Conv2d conv(torch::nn::Conv2dOptions(in, out, 3));
      expected.push_back(conv->weight);
      expected.push_back(conv->bias);
    }
    for (auto [in, out] : {std::pair{2304, 512}, {512, 10}}) {
      torch::nn::Linear linear(in, out);
      expected.push_back(linear->weight);
      expected.push_back(linear->bias);
    }
    std::vector<torch::Tensor> actual;
    for (const auto& item : model->named_parameters()) {
      if (item.key().rfind("bn", 0) == 0) continue;
      actual.push_back(item.value());
    }
    ASSERT_EQ(actual.size(), expected.size());
    for (size_t i = 0; i < actual.size(); ++i) {
      EXPECT_TRUE(torch::equal(actual[i], expected[i])) << "parameter " << i << ", batchnorm " << batchnorm;
    }
  }
}

TEST(CifarCnnTest, TorchInitialisationRanges) {
  // Per layer, both weights and biases lie in ±1/√fan_in and nearly fill it;
  // no bias is zero (Keras' are).
  CifarCnnOptions options;
  options.init = Init::kTorch;
  torch::manual_seed(0);
  CifarCnn model(options);
  for (const auto& item : model->named_parameters()) {
    const std::string& name = item.key();
    const std::string layer = name.substr(0, name.find('.'));
    const torch::Tensor weight = model->named_parameters()[layer + ".weight"];
    const int64_t fan_in = weight.dim() == 4 ? weight.size(1) * weight.size(2) * weight.size(3) : weight.size(1);
    const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
    const torch::Tensor& p = item.value();
    EXPECT_LE(p.abs().max().item<double>(), bound + 1e-7) << name;
    EXPECT_GT(p.abs().max().item<double>(), (p.numel() > 100 ? 0.95 : 0.5) * bound) << name;
  }
  EXPECT_GT(model->named_parameters()["conv1.bias"].abs().sum().item<double>(), 0.0);
}

TEST(CifarCnnTest, OtherWidthsAndDropoutRates) {
  CifarCnnOptions options;
  options.widths = {32, 64, 64, 64};
  options.dropout = {0.1, 0.2, 0.3};
  CifarCnn model(options);
  // By hand: 3·32·9+32, 32·64·9+64, 64·64·9+64 twice, 2304·512+512, 512·10+10.
  EXPECT_EQ(CountParameters(*model), 896 + 18496 + 36928 + 36928 + 1180160 + 5130);
  int64_t trainable = 0;
  for (const auto& layer : Summarize(options)) trainable += layer.trainable_params;
  EXPECT_EQ(trainable, CountParameters(*model));
  model->eval();
  const CnnOutput out = model->ForwardWithActivations(torch::rand({2, 3, 32, 32}));
  EXPECT_EQ(out.conv_activations[1].sizes(), (std::vector<int64_t>{2, 64, 30, 30}));
  EXPECT_EQ(out.logits.sizes(), (std::vector<int64_t>{2, 10}));
  std::vector<double> rates;
  for (const auto& item : model->named_modules("", /*include_self=*/false)) {
    if (auto* dropout = item.value()->as<FastDropoutImpl>()) rates.push_back(dropout->p());
  }
  EXPECT_EQ(rates, (std::vector<double>{0.1, 0.2, 0.3}));
  EXPECT_EQ(ArchitectureTag(options), "w32-64-64-64_d0.1-0.2-0.3");
  EXPECT_EQ(ArchitectureTag({}), "");
  CifarCnnOptions no_dropout;
  no_dropout.dropout = {0, 0, 0};
  EXPECT_EQ(ArchitectureTag(no_dropout), "d0-0-0");
  // The Keras example's own rates, for the default network.
  CifarCnn keras_example;
  rates.clear();
  for (const auto& item : keras_example->named_modules("", false)) {
    if (auto* dropout = item.value()->as<FastDropoutImpl>()) rates.push_back(dropout->p());
  }
  EXPECT_EQ(rates, (std::vector<double>{0.25, 0.25, 0.5}));
}

TEST(CifarCnnTest, ParseWidthsAndDropout) {
  EXPECT_EQ(*ParseWidths("64,64,128,128"), (std::array<int64_t, 4>{64, 64, 128, 128}));
  EXPECT_EQ(*ParseDropout("0,0,0.5"), (std::array<double, 3>{0, 0, 0.5}));
  EXPECT_EQ(WidthsText({32, 32, 64, 64}), "32,32,64,64");
  EXPECT_EQ(DropoutText({0.25, 0.25, 0.5}), "0.25,0.25,0.5");
  for (const char* bad : {"32,32,64", "32,32,64,0", "32,32,64,x", ""}) {
    const auto widths = ParseWidths(bad);
    ASSERT_FALSE(widths.ok()) << bad;
    EXPECT_NE(widths.status().message().find(std::string("--widths=") + bad), std::string::npos);
  }
  for (const char* bad : {"0.25,0.25", "0.25,0.25,1", "-0.1,0,0"}) {
    const auto dropout = ParseDropout(bad);
    ASSERT_FALSE(dropout.ok()) << bad;
    EXPECT_NE(dropout.status().message().find("[0, 1)"), std::string::npos);
  }
}

TEST(CifarCnnTest, ParseInit) {
  EXPECT_EQ(*ParseInit("keras"), Init::kKeras);
  EXPECT_EQ(*ParseInit("torch"), Init::kTorch);
  EXPECT_EQ(InitName(Init::kTorch), "torch");
  const absl::StatusOr<Init> bad = ParseInit("xavier");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("--init=xavier"), std::string::npos);
}

TEST(CifarCnnTest, BatchNormUsesKerasEpsilonAndMomentum) {
  CifarCnnOptions options;
  options.batchnorm = true;
  CifarCnn model(options);
  int found = 0;
  for (const auto& module : model->modules(false)) {
    if (auto* bn = module->as<torch::nn::BatchNorm2dImpl>()) {
      EXPECT_DOUBLE_EQ(bn->options.eps(), 1e-3);
      EXPECT_DOUBLE_EQ(bn->options.momentum().value(), 0.01);  // Keras momentum 0.99
      ++found;
    }
  }
  EXPECT_EQ(found, 4);
}

}  // namespace
}  // namespace hw1::models
