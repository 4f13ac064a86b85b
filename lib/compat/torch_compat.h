// The one place that knows how LibTorch 1.13 (Debian's libtorch-dev, the default
// build) and LibTorch 2 (PyPI's torch wheel, `--config=libtorch2`) differ in the
// APIs this project uses. Everything else includes this header instead of
// branching on TORCH_VERSION_MAJOR.
//
// What changed between them for this code base:
//   - autocast: 1.13 has one setter per device (set_cpu_enabled,
//     set_autocast_cpu_dtype, set_enabled + set_autocast_gpu_dtype for CUDA);
//     2.x takes the device type (set_autocast_enabled(kCPU, ...)) and deprecates
//     or drops the old names.
//   - optimizer state: 1.13 keys torch::optim::Optimizer::state() by the
//     parameter's TensorImpl address printed as a string, 2.x by the address.
//   - the language: LibTorch 2's headers require C++20, 1.13's build with C++17
//     (the flag is in libtorch2.bazelrc, not here).
#ifndef HW1_LIB_COMPAT_TORCH_COMPAT_H_
#define HW1_LIB_COMPAT_TORCH_COMPAT_H_

#include <ATen/autocast_mode.h>
#include <ATen/core/Tensor.h>
#include <c10/core/DeviceType.h>
#include <c10/core/ScalarType.h>
#include <torch/version.h>

#include <string>
#if TORCH_VERSION_MAJOR < 2
#include <c10/util/string_utils.h>  // c10::guts::to_string
#endif

namespace hw1::compat {

// The LibTorch these binaries were compiled against, e.g. 1 or 2.
inline constexpr int kTorchMajorVersion = TORCH_VERSION_MAJOR;

// "major.minor" of that LibTorch ("1.13", "2.15"): part of a run's identity,
// since kernels, and so the numbers, change between versions.
inline std::string TorchMajorMinor() {
  return std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR);
}

// Whether autocast is on for `device` (kCPU or kCUDA) in this thread.
inline bool AutocastEnabled(c10::DeviceType device) {
#if TORCH_VERSION_MAJOR >= 2
  return at::autocast::is_autocast_enabled(device);
#else
  return device == c10::DeviceType::CUDA ? at::autocast::is_enabled()
                                         : at::autocast::is_cpu_enabled();
#endif
}

// Turns autocast on for `device` with the given lower precision, or off (which
// also drops autocast's cache of cast weights, as leaving torch.autocast does).
inline void SetAutocast(c10::DeviceType device, bool enabled,
                        c10::ScalarType dtype = c10::kBFloat16) {
#if TORCH_VERSION_MAJOR >= 2
  at::autocast::set_autocast_enabled(device, enabled);
  if (enabled) at::autocast::set_autocast_dtype(device, dtype);
#else
  if (device == c10::DeviceType::CUDA) {
    at::autocast::set_enabled(enabled);
    if (enabled) at::autocast::set_autocast_gpu_dtype(dtype);
  } else {
    at::autocast::set_cpu_enabled(enabled);
    if (enabled) at::autocast::set_autocast_cpu_dtype(dtype);
  }
#endif
  if (!enabled) at::autocast::clear_cache();
}

// The key of parameter `p` in torch::optim::Optimizer::state().
#if TORCH_VERSION_MAJOR >= 2
using OptimizerStateKey = void*;
inline OptimizerStateKey StateKeyOf(const at::Tensor& p) { return p.unsafeGetTensorImpl(); }
#else
using OptimizerStateKey = std::string;
inline OptimizerStateKey StateKeyOf(const at::Tensor& p) {
  return c10::guts::to_string(p.unsafeGetTensorImpl());
}
#endif

// bf16 autocast for the lifetime of the object when `enabled`; a no-op otherwise.
class Bf16AutocastScope {
 public:
  Bf16AutocastScope(bool enabled, c10::DeviceType device) : enabled_(enabled), device_(device) {
    if (enabled_) SetAutocast(device_, true, c10::kBFloat16);
  }
  ~Bf16AutocastScope() {
    if (enabled_) SetAutocast(device_, false);
  }
  Bf16AutocastScope(const Bf16AutocastScope&) = delete;
  Bf16AutocastScope& operator=(const Bf16AutocastScope&) = delete;

 private:
  bool enabled_;
  c10::DeviceType device_;
};

}  // namespace hw1::compat

#endif  // HW1_LIB_COMPAT_TORCH_COMPAT_H_
