// What the training probe (lib/probe/training_probe.h) costs: training steps
// of batch 32, fp32, one thread, with the probe's hooks at a cadence, against
// the same steps unprobed. The overhead of a cadence is its time per step over
// the unprobed one, minus 1:
//   bazel run -c opt //tests/benchmarks:probe_benchmark -- --benchmark_out=/tmp/probe.json
//     --benchmark_out_format=json
//   /usr/bin/python3 -m tools.speed.record_probe_overhead --json /tmp/probe.json ...
// Arguments: probe every N steps / landscape every M steps / BatchNorm.

#include <torch/torch.h>

#include <chrono>
#include <random>
#include <string>
#include <vector>

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

// The network, optimizer and batch of every case: fp32, one thread, batch 32,
// at x30 the homework's lr.
struct Bench {
  explicit Bench(bool batchnorm) : model(Network(batchnorm)), optimizer(Params(model), Adam()) {
    hw1::train::ToChannelsLast(model);
    model->train();
  }
  static hw1::models::CifarCnn Network(bool batchnorm) {
    hw1::train::ConfigureThreads(1);
    torch::manual_seed(0);
    hw1::models::CifarCnnOptions network;
    network.batchnorm = batchnorm;
    return hw1::models::CifarCnn(network);
  }
  static std::vector<torch::Tensor> Params(hw1::models::CifarCnn& m) { return m->parameters(); }
  static hw1::train::TrainOptions Options() {
    hw1::train::TrainOptions options;
    options.precision = hw1::train::Precision::kFp32;
    options.lr = 30 * hw1::train::kHomeworkLr;
    return options;
  }
  static torch::optim::AdamOptions Adam() { return hw1::train::AdamOptionsFor(Options()); }
  hw1::train::StepOutput Step() {
    return hw1::train::TrainStep(model, optimizer, x, y, Options().lr, false,
                                 torch::Device(torch::kCPU));
  }
  hw1::models::CifarCnn model;
  hw1::train::FusedAdam optimizer;
  torch::Tensor x =
      hw1::train::ToInput(torch::randint(0, 256, {Options().batch_size, 3, 32, 32}, torch::kUInt8));
  torch::Tensor y = torch::randint(0, 10, {Options().batch_size}, torch::kInt64);
};

// An unprobed training step.
void BM_TrainStep(benchmark::State& state) {
  Bench bench(state.range(0) != 0);
  for (int i = 0; i < 3; ++i) bench.Step();
  for (auto _ : state) benchmark::DoNotOptimize(bench.Step().loss.item<double>());
  state.SetLabel(std::string(state.range(0) ? "bn" : "baseline") + " fp32 1 thread");
}
BENCHMARK(BM_TrainStep)->Arg(0)->Arg(1)->Iterations(100)->Unit(benchmark::kMillisecond);

// One probe's own time (BeforeStep and AfterStep; the training step between
// them is not timed), without and with a landscape: what a cadence of a probe
// every K steps and a landscape every M costs is P/K + L/M over a step.
void BM_ProbeCost(benchmark::State& state) {
  Bench bench(state.range(1) != 0);
  hw1::probe::ProbeOptions cadence;  // the default probe and landscape batches
  cadence.enabled = true;
  cadence.every = 1;
  cadence.landscape_every = state.range(0) != 0 ? 1 : 0;
  static const hw1::data::ImageSet images = RandomImages(cadence.images);
  hw1::probe::TrainingProbe probe(cadence, images, Bench::Options(), "/tmp/hw1_probe_benchmark",
                                  "run");
  for (int i = 0; i < 3; ++i) bench.Step();
  int64_t step = 0;
  for (auto _ : state) {
    probe.BeforeStep(step, bench.model);
    state.PauseTiming();
    const hw1::train::StepOutput out = bench.Step();
    state.ResumeTiming();
    probe.AfterStep(step, Bench::Options().lr, out.loss, bench.model);
    ++step;
  }
  state.SetLabel(std::string(state.range(1) ? "bn" : "baseline") + " fp32 1 thread" +
                 (state.range(0) ? ", with landscape" : ""));
}
BENCHMARK(BM_ProbeCost)
    ->ArgsProduct({{0, 1}, {0, 1}})
    ->Iterations(10)
    ->Unit(benchmark::kMillisecond);

// Alternating blocks of one period each (the landscape's when it has one),
// unprobed then probed, timed apart: a shared host drifts by 10 % within
// minutes, and interleaving puts the drift on both alike. The counters give
// each block's ms per step and the overhead, probed over unprobed minus 1.
void BM_ProbeOverhead(benchmark::State& state) {
  Bench bench(state.range(2) != 0);
  hw1::probe::ProbeOptions cadence;  // the default probe and landscape batches
  cadence.enabled = true;
  cadence.every = static_cast<int>(state.range(0));
  cadence.landscape_every = static_cast<int>(state.range(1));
  static const hw1::data::ImageSet images = RandomImages(cadence.images);
  hw1::probe::TrainingProbe probe(cadence, images, Bench::Options(), "/tmp/hw1_probe_benchmark",
                                  "run");
  const int64_t period = cadence.landscape_every > 0 ? cadence.landscape_every : cadence.every;
  // Blocks start at multiples of the period: each probed block holds
  // period/every probes and one landscape, at its first step.
  int64_t step = 0;
  auto block = [&](bool probed) {
    const auto start = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < period; ++i, ++step) {
      if (probed) probe.BeforeStep(step, bench.model);
      const hw1::train::StepOutput out = bench.Step();
      if (probed) probe.AfterStep(step, Bench::Options().lr, out.loss, bench.model);
      benchmark::DoNotOptimize(out.loss.item<double>());
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  block(false);  // warm-up: one period unprobed
  double plain = 0, probed = 0;
  for (auto _ : state) {
    plain += block(false);
    probed += block(true);
  }
  const double steps = static_cast<double>(period * state.iterations());
  state.counters["unprobed_ms_per_step"] = 1e3 * plain / steps;
  state.counters["probed_ms_per_step"] = 1e3 * probed / steps;
  state.counters["overhead"] = probed / plain - 1;
  state.SetLabel(std::string(state.range(2) ? "bn" : "baseline") + " fp32 1 thread");
}

// The study's cadence (reports/run_all_experiments.sh) and the default
// (probes only; the two give a landscape's cost).
BENCHMARK(BM_ProbeOverhead)
    ->Args({25, 200, 0})
    ->Args({25, 200, 1})
    ->Args({250, 0, 0})
    ->Args({250, 0, 1})
    ->Iterations(6)
    ->Unit(benchmark::kSecond);

}  // namespace
