#ifndef HW1_LIB_UTIL_OPENBLAS_H_
#define HW1_LIB_UTIL_OPENBLAS_H_

// OpenBLAS kernels for the CPU at hand.
//
// LibTorch runs fp32 dense layers (and float64 convolutions) on the system
// BLAS, Debian's OpenBLAS 0.3.21. It picks its kernels from the CPU model, and
// a model newer than it knows falls back to SSE3 "Prescott" kernels: on this
// project's machines (Xeon, family 6 model 207, AVX-512) the network's fp32
// dense layer then runs 3.2x slower than with the AVX-512 kernels (8.7 against
// 2.7 ms per step, forward and backward). OPENBLAS_CORETYPE overrides the
// choice, but OpenBLAS reads it once, when it is loaded, before main(): the
// binaries restart themselves with it (lib/util/process_env.h). The results of
// fp32 matrix products depend on the kernels at the last bit, so manifests
// record OpenBlasCore().

#include <string>

#include "absl/strings/string_view.h"

namespace hw1 {

// The kernel set OpenBLAS uses, lower case ("skylakex", "prescott", …); empty
// when OpenBLAS is not loaded in this process.
std::string OpenBlasCore();

// What the CPU offers, as far as OpenBLAS's kernel sets go.
struct CpuVectorFeatures {
  bool avx2_fma = false;  // AVX2 and FMA: OpenBLAS's Haswell kernels
  bool avx512 = false;    // AVX-512 F, CD, BW, DQ and VL: its SkylakeX kernels
};
CpuVectorFeatures DetectCpuVectorFeatures();

// The OPENBLAS_CORETYPE to ask for when OpenBLAS chose `core` on a CPU with
// `cpu`: "SkylakeX" or "Haswell" when it chose kernels older than the CPU
// supports, "" when its choice is already as good.
std::string BetterOpenBlasCore(absl::string_view core, const CpuVectorFeatures& cpu);

// Sets OpenBLAS's own thread count, when OpenBLAS is loaded; does nothing otherwise.
void SetOpenBlasThreads(int threads);

}  // namespace hw1

#endif  // HW1_LIB_UTIL_OPENBLAS_H_
