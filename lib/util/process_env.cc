#include "lib/util/process_env.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace hw1 {

std::string OmpWaitPolicyForStep(double step_ms, int threads) {
  return threads > 1 && step_ms < kSpinBelowStepMs ? "" : "PASSIVE";
}

std::vector<EnvSetting> RuntimeSettingChanges(const std::function<const char*(const char*)>& getenv,
                                              absl::string_view openblas_core,
                                              const CpuVectorFeatures& vector_features,
                                              const std::optional<std::string>& wait_policy) {
  std::vector<EnvSetting> changes;
  if (getenv("OPENBLAS_CORETYPE") == nullptr) {
    const std::string better = BetterOpenBlasCore(openblas_core, vector_features);
    if (!better.empty()) changes.push_back({"OPENBLAS_CORETYPE", better});
  }
  const char* chosen = getenv(kWaitChoiceVariable);
  const bool users = chosen == nullptr &&
                     (getenv("GOMP_SPINCOUNT") != nullptr || getenv("OMP_WAIT_POLICY") != nullptr);
  if (users || (chosen != nullptr && !wait_policy.has_value())) return changes;
  const std::string want = wait_policy.value_or("PASSIVE");
  const std::string mark = want.empty() ? "spin" : want;
  if (chosen != nullptr && mark == chosen) return changes;
  const char* current = getenv("OMP_WAIT_POLICY");
  if (want.empty() && current != nullptr) {
    changes.push_back({"OMP_WAIT_POLICY", "", /*unset=*/true});
  } else if (!want.empty() && (current == nullptr || want != current)) {
    changes.push_back({"OMP_WAIT_POLICY", want});
  }
  changes.push_back({kWaitChoiceVariable, mark});
  return changes;
}

bool NeedsRestart(const std::vector<EnvSetting>& changes) {
  for (const EnvSetting& change : changes) {
    if (change.name != kWaitChoiceVariable) return true;
  }
  return false;
}

void RestartWithRuntimeEnvironment(char** argv, const std::optional<std::string>& wait_policy) {
  const std::vector<EnvSetting> changes =
      RuntimeSettingChanges(std::getenv, OpenBlasCore(), DetectCpuVectorFeatures(), wait_policy);
  std::string names;
  for (const EnvSetting& setting : changes) {
    if (setting.unset) {
      unsetenv(setting.name.c_str());
    } else {
      setenv(setting.name.c_str(), setting.value.c_str(), /*overwrite=*/1);
    }
    absl::StrAppend(&names, names.empty() ? "" : " ", setting.name, "=", setting.value);
  }
  if (!NeedsRestart(changes)) return;  // the marker alone: nothing loaded reads it
  std::fflush(nullptr);
  execv("/proc/self/exe", argv);
  // Still here: carry on as we are rather than fail.
  std::fprintf(stderr, "warning: could not restart with %s (%s); running without\n", names.c_str(),
               std::strerror(errno));
}

std::string OpenMpWaitSetting() {
  std::string out;
  for (const char* name : {"OMP_WAIT_POLICY", "GOMP_SPINCOUNT"}) {
    if (const char* value = std::getenv(name))
      absl::StrAppend(&out, out.empty() ? "" : " ", name, "=", value);
  }
  return out.empty() ? "libgomp default" : out;
}

}  // namespace hw1
