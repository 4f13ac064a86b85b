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
//   - AMX host, fp32 steps of 36-47 ms (4 rounds): spin 2.8-4.1x,
//     PASSIVE 1.55-1.76x beside the busy process; alone PASSIVE cost 15-25 %.
//   - AMX host, bf16 steps of 12-24 ms: PASSIVE did not help beside the busy
//     process (3.6-4.1x against the spin's 2.1-3.9x; spin counts 1,000 and
//     10,000: 5.7x and 6.0x) and cost up to 65 % alone (19.6 against 11.9 ms).
//     Steps this short wake a sleeping thread too often.
//   So the wait follows the step's length as the precision probe timed it
//   (lib/experiment/precision_probe.h): libgomp's own spin for multi-threaded
//   steps shorter than kSpinBelowStepMs, PASSIVE for everything else. With one
//   thread per run (the sweep's default) nothing waits at a barrier.
// Each binary calls RestartWithRuntimeEnvironment(argv) first in main(), which
// sets PASSIVE; once a probe has timed the step, the binary calls it again with
// OmpWaitPolicyForStep(), before it writes anything (lib/experiment/experiment.h).
// When a setting has to change, it is changed and the program re-executed. The
// project's choice is marked in the environment (kWaitChoiceVariable), so a
// restarted process, or a worker it starts, keeps it; a value the user set
// (OPENBLAS_CORETYPE, GOMP_SPINCOUNT or OMP_WAIT_POLICY) is never changed.
// Neither setting changes what is computed, except OpenBLAS's kernels at the
// last bit of fp32 dense layers, which manifests record.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "lib/util/cpu_features.h"
#include "lib/util/openblas.h"

namespace hw1 {

// Multi-threaded steps shorter than this keep libgomp's spin (see above: bf16
// steps of 12-24 ms lost up to 65 % to PASSIVE, fp32 steps of 36-47 ms gained
// beside a busy process).
inline constexpr double kSpinBelowStepMs = 30.0;

// The OMP_WAIT_POLICY for training steps of `step_ms` with `threads` threads per
// process: "" (libgomp's own spin) for threads > 1 and step_ms < kSpinBelowStepMs,
// "PASSIVE" otherwise (a 1-thread step waits at no barrier).
std::string OmpWaitPolicyForStep(double step_ms, int threads);

// The wait this project chose for the process ("PASSIVE" or "spin"), kept in the
// environment so that a restart, or a worker, tells the project's choice from the user's.
inline constexpr char kWaitChoiceVariable[] = "HW1_OMP_WAIT";

struct EnvSetting {
  std::string name, value;
  bool unset = false;  // remove `name` from the environment instead
  bool operator==(const EnvSetting& other) const {
    return name == other.name && value == other.value && unset == other.unset;
  }
};

// What to change in an environment read through `getenv`, in a process whose
// OpenBLAS chose `openblas_core` on a CPU with `vector_features`: OPENBLAS_CORETYPE
// when a faster core fits, and the wait `wait_policy` asks for ("PASSIVE", or ""
// for libgomp's own spin), marked with kWaitChoiceVariable. `wait_policy` nullopt
// (a program's start): PASSIVE, unless a wait was chosen already. A wait the user
// set (OMP_WAIT_POLICY or GOMP_SPINCOUNT, unmarked) is kept. Empty: nothing to change.
std::vector<EnvSetting> RuntimeSettingChanges(const std::function<const char*(const char*)>& getenv,
                                              absl::string_view openblas_core,
                                              const CpuVectorFeatures& vector_features,
                                              const std::optional<std::string>& wait_policy);

// Whether `changes` touch a setting the libraries read at load (anything but the marker).
bool NeedsRestart(const std::vector<EnvSetting>& changes);

// Makes RuntimeSettingChanges() and, when NeedsRestart(), re-executes the program
// with `argv` (null-terminated); returns when nothing had to change (or the restart
// failed, with a warning: the program then runs as it is).
void RestartWithRuntimeEnvironment(char** argv,
                                   const std::optional<std::string>& wait_policy = std::nullopt);

// How OpenMP threads wait, for manifests: e.g. "OMP_WAIT_POLICY=PASSIVE",
// "GOMP_SPINCOUNT=1000", or "libgomp default" when neither is set.
std::string OpenMpWaitSetting();

}  // namespace hw1

#endif  // HW1_LIB_UTIL_PROCESS_ENV_H_
