// What the training probe (lib/probe/training_probe.h) costs: training steps
// of batch 32, fp32, one thread, with the probe's hooks at a cadence, against
// the same steps unprobed (every = 0). The overhead of a cadence is its time
// per step over the unprobed one, minus 1:
//   bazel run -c opt //tests/benchmarks:probe_benchmark
// Arguments: probe every N steps / landscape every M steps / BatchNorm.

#include <torch/torch.h>

#include <random>
#include <string>

#include "benchmark/benchmark.h"
#include "lib/models/cifar_cnn.h"
#include "lib/probe/training_probe.h"
#include "lib/train/fused_adam.h"
#include "lib/train/trainer.h"

namespace {

hw1::data::ImageSet RandomImages(int n) {
  std::mt19937_64 rng(0);
  std::uniform_int_distribution<int> byte(0, 255);
  hw1::data::ImageSet set;
  set.pixels.resize(static_cast<size_t>(n) * hw1::data::kImageBytes);
  for (auto& p : set.pixels) p = static_cast<uint8_t>(byte(rng));
  for (int i = 0; i < n; ++i) set.labels.push_back(i % 10);
  return set;
}

void BM_ProbedStep(benchmark::State& state) {
  hw1::train::ConfigureThreads(1);
  torch::manual_seed(0);
  hw1::models::CifarCnnOptions network;
  network.batchnorm = state.range(2) != 0;
  hw1::models::CifarCnn model(network);
  hw1::train::ToChannelsLast(model);
  hw1::train::TrainOptions options;
  options.precision = hw1::train::Precision::kFp32;
  options.lr = 30 * hw1::train::kHomeworkLr;
  hw1::train::FusedAdam optimizer(model->parameters(), hw1::train::AdamOptionsFor(options));
  hw1::probe::ProbeOptions cadence;  // the default probe and landscape batches
  cadence.enabled = state.range(0) > 0;
  cadence.every = static_cast<int>(state.range(0));
  cadence.landscape_every = static_cast<int>(state.range(1));
  static const hw1::data::ImageSet images = RandomImages(cadence.images);
  hw1::probe::TrainingProbe probe(cadence, images, options, "/tmp/hw1_probe_benchmark", "run");
  const torch::Tensor x =
      hw1::train::ToInput(torch::randint(0, 256, {options.batch_size, 3, 32, 32}, torch::kUInt8));
  const torch::Tensor y = torch::randint(0, 10, {options.batch_size}, torch::kInt64);
  const torch::Device cpu(torch::kCPU);
  model->train();
  int64_t step = 1;  // step 0 is probed whatever the cadence: start past it
  for (int warmup = 0; warmup < 5; ++warmup, ++step)
    hw1::train::TrainStep(model, optimizer, x, y, options.lr, false, cpu);
  for (auto _ : state) {
    if (cadence.enabled) probe.BeforeStep(step, model);
    auto out = hw1::train::TrainStep(model, optimizer, x, y, options.lr, false, cpu);
    const double loss = out.loss.item<double>();
    if (cadence.enabled) probe.AfterStep(step, options.lr, loss, model);
    benchmark::DoNotOptimize(loss);
    ++step;
  }
  state.SetLabel(std::string(network.batchnorm ? "bn" : "baseline") + " fp32 1 thread");
}

// A multiple of every cadence's period of iterations, so that each run sees
// its probes in proportion: 1,000 steps.
BENCHMARK(BM_ProbedStep)
    ->ArgsProduct({{0}, {0}, {0, 1}})
    ->Args({25, 200, 0})
    ->Args({25, 200, 1})
    ->Args({200, 1000, 0})
    ->Args({200, 1000, 1})
    ->Iterations(1000)
    ->Unit(benchmark::kMillisecond);

}  // namespace
