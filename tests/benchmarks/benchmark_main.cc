// main() of the LibTorch benchmarks: Google Benchmark's, after restarting with
// the OpenBLAS kernels for this CPU (lib/util/openblas.h), as the experiments do.

#include "benchmark/benchmark.h"
#include "lib/util/process_env.h"

int main(int argc, char** argv) {
  hw1::RestartWithRuntimeEnvironment(argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
