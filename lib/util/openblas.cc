#include "lib/util/openblas.h"

#include <dlfcn.h>

#include "absl/strings/ascii.h"

namespace hw1 {

std::string OpenBlasCore() {
  using GetCoreName = char* (*)();
  auto get = reinterpret_cast<GetCoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  if (get == nullptr) return "";
  const char* name = get();
  return name == nullptr ? "" : absl::AsciiStrToLower(name);
}

void SetOpenBlasThreads(int threads) {
  using SetThreads = void (*)(int);
  if (auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
    set(threads);
}

CpuVectorFeatures DetectCpuVectorFeatures() {
  __builtin_cpu_init();
  CpuVectorFeatures cpu;
  cpu.avx2_fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  cpu.avx512 = cpu.avx2_fma && __builtin_cpu_supports("avx512f") &&
               __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
  return cpu;
}

std::string BetterOpenBlasCore(absl::string_view core, const CpuVectorFeatures& cpu) {
  // Kernel sets of OpenBLAS 0.3.21 that use AVX-512, and those that use at least AVX2.
  const bool core_avx512 = core == "skylakex" || core == "cooperlake" || core == "sapphirerapids";
  const bool core_avx2 = core_avx512 || core == "haswell" || core == "zen";
  if (core.empty()) return "";
  if (cpu.avx512 && !core_avx512) return "SkylakeX";
  if (cpu.avx2_fma && !core_avx2) return "Haswell";
  return "";
}

}  // namespace hw1
