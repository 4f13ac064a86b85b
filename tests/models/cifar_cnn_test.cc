#include "lib/models/cifar_cnn.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <array>
#include <cmath>
#include <map>
#include <string>

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
      EXPECT_TRUE(torch::equal(actual[i], expected[i]))
          << "parameter " << i << ", batchnorm " << batchnorm;
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
    const int64_t fan_in =
        weight.dim() == 4 ? weight.size(1) * weight.size(2) * weight.size(3) : weight.size(1);
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

// The network written out with LibTorch's functional ops, as Keras' cifar10_cnn
// example defines it: the oracle for the module's wiring (order of layers,
// padding, pooling, dropout rates and where they act, BN before the ReLU).
// BatchNorm in training mode is written as its formula. `seeds` are the three
// dropout masks' seeds in the order the layers draw them.
torch::Tensor KerasExampleTrainForward(CifarCnnImpl& model, const torch::Tensor& x,
                                       const std::array<uint64_t, 3>& seeds, bool batchnorm) {
  auto p = model.named_parameters();
  auto conv = [&](const torch::Tensor& in, const std::string& name, int64_t padding) {
    torch::Tensor h = torch::conv2d(in, p[name + ".weight"], p[name + ".bias"], 1, padding);
    if (batchnorm) {
      const std::string bn = "bn" + name.substr(4);
      const torch::Tensor mean = h.mean({0, 2, 3}, true);
      const torch::Tensor var =
          (h - mean).pow(2).mean({0, 2, 3}, true);  // biased, as BN normalises
      h = (h - mean) / torch::sqrt(var + 1e-3) * p[bn + ".weight"].view({1, -1, 1, 1}) +
          p[bn + ".bias"].view({1, -1, 1, 1});
    }
    return torch::relu(h);
  };
  torch::Tensor h = conv(conv(x, "conv1", 1), "conv2", 0);
  h = torch::max_pool2d(h, 2);
  h = h * DropoutMask(h, 0.25, seeds[0]);
  h = conv(conv(h, "conv3", 1), "conv4", 0);
  h = torch::max_pool2d(h, 2);
  h = h * DropoutMask(h, 0.25, seeds[1]);
  h = torch::relu(torch::linear(h.flatten(1), p["fc1.weight"], p["fc1.bias"]));
  h = h * DropoutMask(h, 0.5, seeds[2]);
  return torch::linear(h, p["fc2.weight"], p["fc2.bias"]);
}

// The seeds FastDropout will draw next from the global generator (fast_dropout.h).
std::array<uint64_t, 3> NextDropoutSeeds(uint64_t global_seed) {
  torch::manual_seed(global_seed);
  at::Generator generator = at::detail::getDefaultCPUGenerator();
  auto* cpu = at::check_generator<at::CPUGeneratorImpl>(generator);
  std::array<uint64_t, 3> seeds{};
  for (auto& s : seeds) s = cpu->random64();
  torch::manual_seed(global_seed);
  return seeds;
}

TEST(CifarCnnTest, TrainModeForwardIsKerasExampleWrittenOut) {
  for (bool batchnorm : {false, true}) {
    CifarCnnOptions options;
    options.batchnorm = batchnorm;
    torch::manual_seed(21);
    CifarCnn model(options);
    if (batchnorm) {  // γ and β away from 1 and 0, so that their use shows
      torch::NoGradGuard no_grad;
      for (auto& item : model->named_parameters()) {
        if (item.key().rfind("bn", 0) == 0) item.value().uniform_(0.5, 1.5);
      }
    }
    model->train();
    const torch::Tensor x = torch::rand({6, 3, 32, 32});
    torch::Tensor expected;
    {
      torch::NoGradGuard no_grad;
      expected = KerasExampleTrainForward(*model, x, NextDropoutSeeds(5), batchnorm);
    }
    torch::manual_seed(5);  // the module draws the same three seeds
    const torch::Tensor logits = model->forward(x);
    ASSERT_EQ(logits.sizes(), expected.sizes());
    EXPECT_TRUE(torch::allclose(logits, expected, 1e-4, 1e-5))
        << "batchnorm " << batchnorm << ": max difference "
        << (logits - expected).abs().max().item<float>();
  }
}

TEST(CifarCnnTest, BatchNormRunningStatisticsFollowKerasMomentum) {
  // After one training-mode forward pass, each running statistic moves 1 %
  // (Keras' momentum 0.99) from its start (mean 0, variance 1) towards the
  // batch's: the mean over (N, H, W) of the conv output, and its unbiased variance.
  CifarCnnOptions options;
  options.batchnorm = true;
  torch::manual_seed(4);
  CifarCnn model(options);
  model->train();
  const torch::Tensor x = torch::rand({5, 3, 32, 32});
  torch::NoGradGuard no_grad;
  auto p = model->named_parameters();
  const torch::Tensor conv1 = torch::conv2d(x, p["conv1.weight"], p["conv1.bias"], 1, 1);
  model->forward(x);
  auto buffers = model->named_buffers();
  const torch::Tensor mean = conv1.mean({0, 2, 3});
  const torch::Tensor var = conv1.var({0, 2, 3}, /*unbiased=*/true);
  EXPECT_TRUE(torch::allclose(buffers["bn1.running_mean"], 0.99 * 0 + 0.01 * mean, 1e-5, 1e-7));
  EXPECT_TRUE(torch::allclose(buffers["bn1.running_var"], 0.99 * 1 + 0.01 * var, 1e-5, 1e-7));
  // Evaluation uses them: BN becomes (h − running_mean) / √(running_var + ε) · γ + β.
  model->eval();
  const torch::Tensor a1 = model->ForwardWithActivations(x).conv_activations[0];
  const torch::Tensor expected =
      torch::relu((conv1 - buffers["bn1.running_mean"].view({1, -1, 1, 1})) /
                      torch::sqrt(buffers["bn1.running_var"].view({1, -1, 1, 1}) + 1e-3) *
                      p["bn1.weight"].view({1, -1, 1, 1}) +
                  p["bn1.bias"].view({1, -1, 1, 1}));
  EXPECT_TRUE(torch::allclose(a1, expected, 1e-4, 1e-5));
}

TEST(CifarCnnTest, EvalModeForwardHasNoDropout) {
  torch::manual_seed(8);
  CifarCnn model;
  model->eval();
  const torch::Tensor x = torch::rand({3, 3, 32, 32});
  torch::NoGradGuard no_grad;
  auto p = model->named_parameters();
  auto conv = [&](const torch::Tensor& in, const std::string& name, int64_t padding) {
    return torch::relu(torch::conv2d(in, p[name + ".weight"], p[name + ".bias"], 1, padding));
  };
  torch::Tensor h = torch::max_pool2d(conv(conv(x, "conv1", 1), "conv2", 0), 2);
  h = torch::max_pool2d(conv(conv(h, "conv3", 1), "conv4", 0), 2);
  h = torch::relu(torch::linear(h.flatten(1), p["fc1.weight"], p["fc1.bias"]));
  const torch::Tensor expected = torch::linear(h, p["fc2.weight"], p["fc2.bias"]);
  EXPECT_TRUE(torch::allclose(model->forward(x), expected, 1e-4, 1e-5));
}

}  // namespace
}  // namespace hw1::models
