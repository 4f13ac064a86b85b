#ifndef HW1_LIB_UTIL_PROCESS_ENV_H_
#define HW1_LIB_UTIL_PROCESS_ENV_H_

// Settings that libraries read once, while the program loads, before main():
//
// - OPENBLAS_CORETYPE: OpenBLAS's kernel set (lib/util/openblas.h).
// - OMP_WAIT_POLICY: how libgomp's threads wait at a barrier. LibTorch runs a
//   training step as ~180 short parallel regions, each ending in a barrier.
//   libgomp's default spins 300,000 rounds first, so a thread that arrives
//   early keeps its core busy while its team mate, descheduled by another
//   busy process on a 2-core machine, waits for that very core. Which wait is
//   better depends on how long a step is (tests/benchmarks/contention.sh, 2 threads):
//   - AVX2 host, fp32 steps of 66-90 ms: beside one busy process the step took
//     2.7-3.0x as long as alone with libgomp's spin, 1.5-1.9x with
//     GOMP_SPINCOUNT=1000 or 10000, 1.1-1.8x with PASSIVE; alone, the settings
//     differed less than the host's noise.
//   - AMX host, fp32 steps of 36-47 ms (session 10, 4 rounds): spin 2.8-4.1x,
//     PASSIVE 1.55-1.76x beside the busy process; alone PASSIVE cost 15-25 %.
//   - AMX host, bf16 steps of 12-24 ms: PASSIVE did not help beside the busy
//     process (3.6-4.1x against the spin's 2.1-3.9x; spin counts 1,000 and
//     10,000: 5.7x and 6.0x) and cost up to 65 % alone (19.6 against 11.9 ms,
//     session 9). Steps this short wake a sleeping thread too often.
//   So: libgomp's own spin for bf16 steps on AMX, PASSIVE for everything else.
//   With one thread per run (the sweep's default) nothing waits at a barrier.
// Each binary calls RestartWithRuntimeEnvironment(argv) first in main(), with
// the wait for the host's default precision (bf16 with AMX, else fp32); a
// binary whose flags pick the other precision calls it again with the wait for
// that one, before it writes anything (lib/experiment/experiment.h). When a
// setting is missing it is set and the program re-executed once. A value the
// user set (OPENBLAS_CORETYPE, GOMP_SPINCOUNT or OMP_WAIT_POLICY) is kept; the
// two calls never disagree about a setting the first one made (it sets
// PASSIVE only without AMX, where every precision wants it).
// Neither setting changes what is computed, except OpenBLAS's kernels at the
// last bit of fp32 dense layers, which manifests record.

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "lib/util/cpu_features.h"
#include "lib/util/openblas.h"

namespace hw1 {

// The OMP_WAIT_POLICY this project sets for training steps in bf16 (`bf16_steps`)
// or fp32 on a CPU with `cpu` (see above and README "Speed"): "" to keep
// libgomp's own spin (bf16 on AMX), "PASSIVE" otherwise.
std::string OmpWaitPolicyFor(const CpuFeatures& cpu, bool bf16_steps);

// The same for the precision `--precision=auto` picks on `cpu` (bf16 with AMX).
std::string DefaultOmpWaitPolicyFor(const CpuFeatures& cpu);

struct EnvSetting {
  std::string name, value;
  bool operator==(const EnvSetting& other) const {
    return name == other.name && value == other.value;
  }
};

// What to add to an environment read through `getenv`, in a process whose
// OpenBLAS chose `openblas_core` on a CPU with `vector_features`, to wait as
// `wait_policy` says (OmpWaitPolicyFor; "": libgomp's own). Empty: nothing to change.
std::vector<EnvSetting> MissingRuntimeSettings(
    const std::function<const char*(const char*)>& getenv, absl::string_view openblas_core,
    const CpuVectorFeatures& vector_features, absl::string_view wait_policy);

// Sets MissingRuntimeSettings() and re-executes the program with `argv`
// (null-terminated); returns when nothing is missing (or the restart failed,
// with a warning: the program then runs as it is).
void RestartWithRuntimeEnvironment(char** argv, absl::string_view wait_policy);

// Call first in main(): the above with this host's DefaultOmpWaitPolicyFor().
void RestartWithRuntimeEnvironment(char** argv);

// How OpenMP threads wait, for manifests: e.g. "OMP_WAIT_POLICY=PASSIVE",
// "GOMP_SPINCOUNT=1000", or "libgomp default" when neither is set.
std::string OpenMpWaitSetting();

}  // namespace hw1

#endif  // HW1_LIB_UTIL_PROCESS_ENV_H_
