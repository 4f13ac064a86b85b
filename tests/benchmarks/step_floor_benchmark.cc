// What a training step of the homework's CNN cannot go below with this
// LibTorch (Debian's 1.13.1 on oneDNN 2.6): its kernels timed in isolation,
// at batch 32 in bf16, channels-last, the layout and precision of the default
// step (//tests/benchmarks:train_step_benchmark, BM_TrainStep/32/1/0).
//
//   BM_ConvAndDenseKernels  the four convolutions and two dense layers, forward
//                           and backward (oneDNN; no autograd, no casts);
//   BM_Adam                 the optimizer step over all 1.25 M parameters;
//   BM_ElementwiseOps       ReLU, max-pool and dropout, forward and backward,
//                           as the ATen ops the step uses (none fused in 1.13);
//   BM_WeightCasts          autocast's fp32→bf16 casts of weights and biases and
//                           the bf16→fp32 gradient casts back.
//
// Their sum is the floor of a step built from these ops; 2,000 img/s at batch
// 32 needs a step of 16 ms.
//   bazel run //tests/benchmarks:step_floor_benchmark

#include <torch/torch.h>

#include <vector>

#include "benchmark/benchmark.h"
#include "lib/models/fast_dropout.h"
#include "lib/train/fused_adam.h"
#include "lib/train/trainer.h"

namespace {

constexpr int64_t kBatch = 32;

struct ConvShape {
  int64_t in_channels, out_channels, side, padding;
  bool needs_input_grad;  // conv1's input is the image: no gradient wanted
};
// The homework's network (lib/models/cifar_cnn.h).
constexpr ConvShape kConvs[] = {
    {3, 32, 32, 1, false}, {32, 32, 32, 0, true}, {32, 64, 15, 1, true}, {64, 64, 15, 0, true}};
constexpr int64_t kDenseIn[] = {2304, 512}, kDenseOut[] = {512, 10};

torch::Tensor Bf16(std::vector<int64_t> shape, bool channels_last = false) {
  torch::Tensor t = torch::randn(shape).to(torch::kBFloat16);
  return channels_last ? t.contiguous(torch::MemoryFormat::ChannelsLast) : t;
}

int64_t OutSide(const ConvShape& c) { return c.side + 2 * c.padding - 2; }

// The network's weights and biases as the trainer holds them: fp32, 4-d ones channels-last.
std::vector<torch::Tensor> Float32Parameters() {
  std::vector<torch::Tensor> params;
  for (const ConvShape& c : kConvs) {
    params.push_back(torch::randn({c.out_channels, c.in_channels, 3, 3})
                         .contiguous(torch::MemoryFormat::ChannelsLast));
    params.push_back(torch::zeros({c.out_channels}));
  }
  for (int i = 0; i < 2; ++i) {
    params.push_back(torch::randn({kDenseOut[i], kDenseIn[i]}));
    params.push_back(torch::zeros({kDenseOut[i]}));
  }
  return params;
}

void SetRate(benchmark::State& state) {
  state.counters["img/s"] = benchmark::Counter(static_cast<double>(kBatch),
                                               benchmark::Counter::kIsIterationInvariantRate);
}

void BM_ConvAndDenseKernels(benchmark::State& state) {
  hw1::train::ConfigureThreads(0);
  torch::manual_seed(0);
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> inputs, weights, biases, grads;
  for (const ConvShape& c : kConvs) {
    inputs.push_back(Bf16({kBatch, c.in_channels, c.side, c.side}, true));
    weights.push_back(Bf16({c.out_channels, c.in_channels, 3, 3}, true));
    biases.push_back(Bf16({c.out_channels}));
    grads.push_back(Bf16({kBatch, c.out_channels, OutSide(c), OutSide(c)}, true));
  }
  std::vector<torch::Tensor> dense_in, dense_w, dense_b, dense_grad;
  for (int i = 0; i < 2; ++i) {
    dense_in.push_back(Bf16({kBatch, kDenseIn[i]}));
    dense_w.push_back(Bf16({kDenseOut[i], kDenseIn[i]}));
    dense_b.push_back(Bf16({kDenseOut[i]}));
    dense_grad.push_back(Bf16({kBatch, kDenseOut[i]}));
  }
  for (auto _ : state) {
    for (size_t i = 0; i < 4; ++i) {
      const ConvShape& c = kConvs[i];
      benchmark::DoNotOptimize(torch::conv2d(inputs[i], weights[i], biases[i], 1, c.padding));
      auto backward = at::convolution_backward(grads[i], inputs[i], weights[i], {{c.out_channels}},
                                               {1, 1}, {c.padding, c.padding}, {1, 1}, false,
                                               {0, 0}, 1, {c.needs_input_grad, true, true});
      benchmark::DoNotOptimize(std::get<1>(backward));
    }
    for (int i = 0; i < 2; ++i) {
      benchmark::DoNotOptimize(torch::addmm(dense_b[i], dense_in[i], dense_w[i].t()));
      benchmark::DoNotOptimize(dense_grad[i].mm(dense_w[i]));       // input gradient
      benchmark::DoNotOptimize(dense_grad[i].t().mm(dense_in[i]));  // weight gradient
      benchmark::DoNotOptimize(dense_grad[i].sum(0));               // bias gradient
    }
  }
  SetRate(state);
}

void BM_Adam(benchmark::State& state) {
  hw1::train::ConfigureThreads(0);
  torch::manual_seed(0);
  std::vector<torch::Tensor> params = Float32Parameters();
  for (auto& p : params) {
    p.requires_grad_(true);
    p.mutable_grad() = torch::randn_like(p) * 1e-3;
  }
  hw1::train::FusedAdam adam(params, hw1::train::AdamOptionsFor(hw1::train::TrainOptions()));
  for (auto _ : state) adam.step();
  SetRate(state);
}

void BM_ElementwiseOps(benchmark::State& state) {
  hw1::train::ConfigureThreads(0);
  torch::manual_seed(0);
  torch::NoGradGuard no_grad;
  // Conv outputs (ReLU), the two pooled maps (max-pool, dropout) and the dense hidden layer.
  std::vector<torch::Tensor> conv_out, conv_grad;
  for (const ConvShape& c : kConvs) {
    conv_out.push_back(Bf16({kBatch, c.out_channels, OutSide(c), OutSide(c)}, true));
    conv_grad.push_back(Bf16({kBatch, c.out_channels, OutSide(c), OutSide(c)}, true));
  }
  const torch::Tensor hidden = Bf16({kBatch, 512}), hidden_grad = Bf16({kBatch, 512});
  for (auto _ : state) {
    for (size_t i = 0; i < 4; ++i) {
      const torch::Tensor relu = torch::relu(conv_out[i]);
      benchmark::DoNotOptimize(torch::threshold_backward(conv_grad[i], relu, 0));
      if (i == 1 || i == 3) {
        auto [pooled, indices] = torch::max_pool2d_with_indices(relu, {2, 2}, {2, 2});
        const torch::Tensor mask = hw1::models::DropoutMask(pooled, 0.25, 7);
        const torch::Tensor dropped = pooled * mask;
        const torch::Tensor pooled_grad = torch::empty_like(pooled).copy_(dropped) * mask;
        benchmark::DoNotOptimize(torch::max_pool2d_with_indices_backward(
            pooled_grad, relu, {2, 2}, {2, 2}, {0, 0}, {1, 1}, false, indices));
      }
    }
    const torch::Tensor relu = torch::relu(hidden);
    const torch::Tensor mask = hw1::models::DropoutMask(relu, 0.5, 7);
    benchmark::DoNotOptimize(torch::threshold_backward(hidden_grad * mask, relu * mask, 0));
  }
  SetRate(state);
}

void BM_WeightCasts(benchmark::State& state) {
  hw1::train::ConfigureThreads(0);
  torch::manual_seed(0);
  const std::vector<torch::Tensor> weights = Float32Parameters();
  for (auto _ : state) {
    for (const torch::Tensor& w : weights) {
      const torch::Tensor half = w.to(torch::kBFloat16);
      benchmark::DoNotOptimize(half.to(torch::kFloat32));  // the gradient's way back
    }
  }
  SetRate(state);
}

BENCHMARK(BM_ConvAndDenseKernels)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_Adam)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_ElementwiseOps)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_WeightCasts)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

}  // namespace
