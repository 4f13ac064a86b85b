#include "lib/util/process_env.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace hw1 {

std::string OmpWaitPolicyFor(const CpuFeatures& cpu, bool bf16_steps) {
  return bf16_steps && HasAmx(cpu) ? "" : "PASSIVE";
}

std::string DefaultOmpWaitPolicyFor(const CpuFeatures& cpu) {
  return OmpWaitPolicyFor(cpu, /*bf16_steps=*/HasAmx(cpu));
}

std::vector<EnvSetting> MissingRuntimeSettings(
    const std::function<const char*(const char*)>& getenv, absl::string_view openblas_core,
    const CpuVectorFeatures& vector_features, absl::string_view wait_policy) {
  std::vector<EnvSetting> missing;
  if (getenv("OPENBLAS_CORETYPE") == nullptr) {
    const std::string better = BetterOpenBlasCore(openblas_core, vector_features);
    if (!better.empty()) missing.push_back({"OPENBLAS_CORETYPE", better});
  }
  if (!wait_policy.empty() && getenv("GOMP_SPINCOUNT") == nullptr &&
      getenv("OMP_WAIT_POLICY") == nullptr) {
    missing.push_back({"OMP_WAIT_POLICY", std::string(wait_policy)});
  }
  return missing;
}

void RestartWithRuntimeEnvironment(char** argv) {
  RestartWithRuntimeEnvironment(argv, DefaultOmpWaitPolicyFor(DetectCpuFeatures()));
}

void RestartWithRuntimeEnvironment(char** argv, absl::string_view wait_policy) {
  const std::vector<EnvSetting> missing =
      MissingRuntimeSettings(std::getenv, OpenBlasCore(), DetectCpuVectorFeatures(), wait_policy);
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
