#ifndef HW1_LIB_UTIL_PROCESS_ENV_H_
#define HW1_LIB_UTIL_PROCESS_ENV_H_

// Settings that libraries read once, while the program loads, before main():
//
// - OPENBLAS_CORETYPE: OpenBLAS's kernel set (lib/util/openblas.h).
// - OMP_WAIT_POLICY: how libgomp's threads wait at a barrier. LibTorch runs a
//   training step as ~180 short parallel regions, each ending in a barrier.
//   libgomp's default spins 300,000 rounds first, so a thread that arrives
//   early keeps its core busy while its team mate, descheduled by another
//   busy process on a 2-core machine, waits for that very core. Measured with
//   tests/benchmarks/contention.sh (fp32, 2 threads, AVX2 host, two sittings):
//   beside one busy process the step took 2.7-3.0x as long as alone with the
//   default, 1.5-1.9x with GOMP_SPINCOUNT=1000 or 10000, 1.1-1.8x with
//   PASSIVE; alone, the settings differed less than the host's noise (66-90 ms).
//
// Each binary calls RestartWithRuntimeEnvironment(argv) first in main(); when
// a setting is missing it is set and the program re-executed once. A value the
// user set (OPENBLAS_CORETYPE, GOMP_SPINCOUNT or OMP_WAIT_POLICY) is kept.
// Neither setting changes what is computed, except OpenBLAS's kernels at the
// last bit of fp32 dense layers, which manifests record.

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "lib/util/openblas.h"

namespace hw1 {

// The wait policy this project sets (see above and README "Speed").
inline constexpr char kOmpWaitPolicy[] = "PASSIVE";

struct EnvSetting {
  std::string name, value;
  bool operator==(const EnvSetting& other) const {
    return name == other.name && value == other.value;
  }
};

// What to add to an environment read through `getenv`, in a process whose
// OpenBLAS chose `openblas_core` on a CPU with `cpu`. Empty: nothing to change.
std::vector<EnvSetting> MissingRuntimeSettings(
    const std::function<const char*(const char*)>& getenv, absl::string_view openblas_core,
    const CpuVectorFeatures& cpu);

// Call first in main(): sets MissingRuntimeSettings() and re-executes the
// program with the same arguments; returns when nothing is missing (or the
// restart failed, with a warning: the program then runs as it is).
void RestartWithRuntimeEnvironment(char** argv);

// How OpenMP threads wait, for manifests: e.g. "OMP_WAIT_POLICY=PASSIVE",
// "GOMP_SPINCOUNT=1000", or "libgomp default" when neither is set.
std::string OpenMpWaitSetting();

}  // namespace hw1

#endif  // HW1_LIB_UTIL_PROCESS_ENV_H_
