// Hessian assembly for logistic regression at n = 10^5, d = 100:
// Eigen's symmetric rank-k update X^T diag(p(1-p)) X against a plain triple loop.
//   bazel run //tests/benchmarks:hessian_benchmark

#include <random>

#include "benchmark/benchmark.h"
#include "lib/math/logistic_regression.h"

namespace {

hw1::math::LogisticProblem MakeProblem(int n, int d) {
  std::mt19937_64 rng(0);
  std::normal_distribution<double> normal;
  std::bernoulli_distribution coin;
  hw1::math::LogisticProblem problem;
  problem.features.resize(n, d);
  problem.labels.resize(n);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < d; ++j) problem.features(i, j) = normal(rng);
    problem.labels(i) = coin(rng) ? 1.0 : 0.0;
  }
  return problem;
}

template <Eigen::MatrixXd (*Assemble)(const hw1::math::LogisticProblem&, const Eigen::VectorXd&)>
void BM_Hessian(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0)), d = static_cast<int>(state.range(1));
  const hw1::math::LogisticProblem problem = MakeProblem(n, d);
  const Eigen::VectorXd w = Eigen::VectorXd::Constant(d, 0.01);
  for (auto _ : state) benchmark::DoNotOptimize(Assemble(problem, w));
  // n·d² multiply-adds for the full product.
  state.counters["GFLOP/s"] = benchmark::Counter(
      2.0 * n * d * d, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
}

BENCHMARK_TEMPLATE(BM_Hessian, hw1::math::Hessian)
    ->Args({100000, 100})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_TEMPLATE(BM_Hessian, hw1::math::HessianTripleLoop)
    ->Args({100000, 100})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
