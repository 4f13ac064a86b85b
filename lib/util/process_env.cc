#include "lib/util/process_env.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace hw1 {

std::vector<EnvSetting> MissingRuntimeSettings(
    const std::function<const char*(const char*)>& getenv, absl::string_view openblas_core,
    const CpuVectorFeatures& cpu) {
  std::vector<EnvSetting> missing;
  if (getenv("OPENBLAS_CORETYPE") == nullptr) {
    const std::string better = BetterOpenBlasCore(openblas_core, cpu);
    if (!better.empty()) missing.push_back({"OPENBLAS_CORETYPE", better});
  }
  if (getenv("GOMP_SPINCOUNT") == nullptr && getenv("OMP_WAIT_POLICY") == nullptr) {
    missing.push_back({"OMP_WAIT_POLICY", kOmpWaitPolicy});
  }
  return missing;
}

void RestartWithRuntimeEnvironment(char** argv) {
  const std::vector<EnvSetting> missing =
      MissingRuntimeSettings(std::getenv, OpenBlasCore(), DetectCpuVectorFeatures());
  if (missing.empty()) return;
  std::string names;
  for (const EnvSetting& setting : missing) {
    setenv(setting.name.c_str(), setting.value.c_str(), /*overwrite=*/1);
    absl::StrAppend(&names, names.empty() ? "" : " ", setting.name, "=", setting.value);
  }
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
