#ifndef HW1_LIB_UTIL_CPU_FEATURES_H_
#define HW1_LIB_UTIL_CPU_FEATURES_H_

// The vector features of the CPU that decide how fast, and with which
// kernels, a training step runs. Hosts differ: some have AMX (bf16 autocast
// 2-3x faster than fp32), some AVX-512 BF16 without AMX (bf16 1.35x slower on
// one Intel Xeon, 1.9x faster on an AMD EPYC: flags do not predict it, so
// --precision=auto times it, lib/experiment/precision_probe.h), some only AVX2
// (bf16 emulated). Manifests record these flags so that a reader can tell
// which kind of host made a number.

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace hw1 {

struct CpuFeatures {
  bool avx2 = false;
  bool fma = false;
  bool avx512f = false;
  bool avx512_bf16 = false;
  bool amx_bf16 = false;
  bool amx_tile = false;
};

// From the space-separated "flags" line of /proc/cpuinfo (the part after the colon, or the whole
// line).
CpuFeatures ParseCpuFlags(absl::string_view flags);

// This machine's features, read from /proc/cpuinfo; all false when it cannot be read.
CpuFeatures DetectCpuFeatures();

// Each feature by its /proc/cpuinfo name, in a fixed order: for manifests.
std::vector<std::pair<std::string, bool>> ListCpuFeatures(const CpuFeatures& cpu);

// AMX tiles with bf16: the one kind of host where bf16 autocast is faster than
// fp32 here. `--precision=auto`, the host label and the OpenMP wait policy
// (lib/util/process_env.h) all decide by it.
bool HasAmx(const CpuFeatures& cpu);

// "amx", "avx512_bf16", "avx512", "avx2" or "baseline": the best of them, to label a host.
std::string HostKind(const CpuFeatures& cpu);

// oneDNN's effective ISA ("avx2", "avx512_core_amx", …) when LibTorch loaded
// oneDNN as a shared library that exports dnnl_get_effective_cpu_isa (Debian's
// LibTorch does); "unknown" when it is linked in statically or not at all.
std::string OneDnnIsa();

// The CPU's model name from /proc/cpuinfo, or "unknown".
std::string CpuModelName();

}  // namespace hw1

#endif  // HW1_LIB_UTIL_CPU_FEATURES_H_
