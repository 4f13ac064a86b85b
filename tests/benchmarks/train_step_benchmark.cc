// Training throughput of the homework's CNN, in images per second:
// one training step (forward, backward, Adam) and evaluation, batch 32 and 128,
// fp32 and bf16 autocast, with and without BatchNorm. Random data: the speed
// does not depend on the pixels.
//   bazel run //tests/benchmarks:train_step_benchmark -- --benchmark_filter=TrainStep/32/0/0/0
// (batch 32, fp32, no BatchNorm, every core). tests/benchmarks/contention.sh
// runs it beside a busy process under several OpenMP wait settings.
// Compare with the Python loop: tests/benchmarks/train_step_pytorch.py.

#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/torch.h>

#include <cstdlib>
#include <string>
#include <thread>

#include "benchmark/benchmark.h"
#include "lib/compat/torch_compat.h"
#include "lib/models/cifar_cnn.h"
#include "lib/train/fused_adam.h"
#include "lib/train/trainer.h"

namespace {

struct Setup {
  explicit Setup(benchmark::State& state)
      : batch(state.range(0)), bf16(state.range(1) != 0), model(Options(state.range(2) != 0)) {
    hw1::train::ConfigureThreads(static_cast<int>(state.range(3)));
    torch::manual_seed(0);
    hw1::train::ToChannelsLast(model);
    images = torch::randint(0, 256, {batch, 3, 32, 32}, torch::kUInt8);
    labels = torch::randint(0, 10, {batch}, torch::kInt64);
    state.SetLabel(std::string(bf16 ? "bf16" : "fp32") + (state.range(2) ? " bn" : "") + " " +
                   std::to_string(at::get_num_threads()) + " threads");
  }
  static hw1::models::CifarCnnOptions Options(bool bn) {
    hw1::models::CifarCnnOptions o;
    o.batchnorm = bn;
    return o;
  }
  int64_t batch;
  bool bf16;
  hw1::models::CifarCnn model;
  torch::Tensor images, labels;
};

void BM_TrainStep(benchmark::State& state) {
  Setup s(state);
  const hw1::train::TrainOptions protocol;  // the homework's lr and Keras' epsilon
  hw1::train::FusedAdam optimizer(s.model->parameters(), hw1::train::AdamOptionsFor(protocol));
  s.model->train();
  const torch::Device cpu(torch::kCPU);
  for (int warmup = 0; warmup < 5; ++warmup) {
    hw1::train::TrainStep(s.model, optimizer, hw1::train::ToInput(s.images), s.labels, protocol.lr,
                          s.bf16, cpu);
  }
  if (const char* trace = std::getenv("HW1_PROFILE_TRACE")) {
    // A Chrome trace of 20 steps, for the per-op profile (chrome://tracing).
    torch::autograd::profiler::RecordProfile profile(
        std::string(trace) + (s.bf16 ? ".bf16" : ".fp32") + (state.range(2) ? ".bn" : "") + ".b" +
        std::to_string(s.batch) + ".json");
    for (int i = 0; i < 20; ++i) {
      hw1::train::TrainStep(s.model, optimizer, hw1::train::ToInput(s.images), s.labels,
                            protocol.lr, s.bf16, cpu);
    }
  }
  for (auto _ : state) {
    auto out = hw1::train::TrainStep(s.model, optimizer, hw1::train::ToInput(s.images), s.labels,
                                     protocol.lr, s.bf16, cpu);
    benchmark::DoNotOptimize(out.loss.item<float>());
  }
  state.counters["img/s"] = benchmark::Counter(static_cast<double>(s.batch),
                                               benchmark::Counter::kIsIterationInvariantRate);
}

void BM_Evaluate(benchmark::State& state) {
  Setup s(state);
  s.model->eval();
  torch::InferenceMode inference;
  hw1::compat::Bf16AutocastScope autocast(s.bf16, c10::DeviceType::CPU);
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        s.model->forward(hw1::train::ToInput(s.images)).argmax(1).sum().item<int64_t>());
  }
  state.counters["img/s"] = benchmark::Counter(static_cast<double>(s.batch),
                                               benchmark::Counter::kIsIterationInvariantRate);
}

// Args: batch, bf16, batchnorm, threads (0: every core).
BENCHMARK(BM_TrainStep)
    ->ArgsProduct({{32, 128}, {0, 1}, {0, 1}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2.0);
BENCHMARK(BM_Evaluate)
    ->ArgsProduct({{128, 1000}, {0, 1}, {0, 1}, {0}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2.0);

}  // namespace
