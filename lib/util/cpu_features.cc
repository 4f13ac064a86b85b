#include "lib/util/cpu_features.h"

#include <dlfcn.h>

#include <fstream>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace hw1 {
namespace {

// The value after "<key> :" of the first /proc/cpuinfo line that starts with `key`.
std::string CpuInfoField(absl::string_view key) {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (!absl::StartsWith(line, key)) continue;
    const size_t colon = line.find(':');
    if (colon != std::string::npos)
      return std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  }
  return "";
}

}  // namespace

CpuFeatures ParseCpuFlags(absl::string_view flags) {
  const size_t colon = flags.find(':');
  if (colon != absl::string_view::npos) flags.remove_prefix(colon + 1);
  const std::set<absl::string_view> set = absl::StrSplit(flags, ' ', absl::SkipWhitespace());
  CpuFeatures cpu;
  cpu.avx2 = set.count("avx2") > 0;
  cpu.fma = set.count("fma") > 0;
  cpu.avx512f = set.count("avx512f") > 0;
  cpu.avx512_bf16 = set.count("avx512_bf16") > 0;
  cpu.amx_bf16 = set.count("amx_bf16") > 0;
  cpu.amx_tile = set.count("amx_tile") > 0;
  return cpu;
}

CpuFeatures DetectCpuFeatures() { return ParseCpuFlags(CpuInfoField("flags")); }

std::vector<std::pair<std::string, bool>> ListCpuFeatures(const CpuFeatures& cpu) {
  return {{"avx2", cpu.avx2},         {"fma", cpu.fma},
          {"avx512f", cpu.avx512f},   {"avx512_bf16", cpu.avx512_bf16},
          {"amx_bf16", cpu.amx_bf16}, {"amx_tile", cpu.amx_tile}};
}

bool HasAmx(const CpuFeatures& cpu) { return cpu.amx_bf16 && cpu.amx_tile; }

std::string HostKind(const CpuFeatures& cpu) {
  if (HasAmx(cpu)) return "amx";
  if (cpu.avx512_bf16) return "avx512_bf16";
  if (cpu.avx512f) return "avx512";
  if (cpu.avx2) return "avx2";
  return "baseline";
}

std::string OneDnnIsa() {
  using GetIsa = int (*)();
  auto get = reinterpret_cast<GetIsa>(dlsym(RTLD_DEFAULT, "dnnl_get_effective_cpu_isa"));
  if (get == nullptr) return "unknown";
  // dnnl_cpu_isa_t of oneDNN 2.x and 3.x; the AMX value moved between them.
  const int isa = get();
  switch (isa) {
    case 0x1:
      return "sse41";
    case 0x3:
      return "avx";
    case 0x7:
      return "avx2";
    case 0x27:
      return "avx512_core";
    case 0x67:
      return "avx512_core_vnni";
    case 0xe7:
      return "avx512_core_bf16";
    case 0x3e7:
    case 0xfe7:
      return "avx512_core_amx";
    default:
      return absl::StrFormat("0x%x", isa);
  }
}

std::string CpuModelName() {
  const std::string name = CpuInfoField("model name");
  return name.empty() ? "unknown" : name;
}

}  // namespace hw1
