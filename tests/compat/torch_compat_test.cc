#include "lib/compat/torch_compat.h"

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <torch/version.h>

namespace hw1::compat {
namespace {

// LibTorch's own ops are the oracle: under CPU autocast a matmul of fp32
// inputs returns bf16, outside it fp32.
torch::Tensor Matmul() { return torch::ones({4, 4}).matmul(torch::ones({4, 4})); }

TEST(TorchCompat, ReportsTheVersionCompiledAgainst) {
  EXPECT_EQ(kTorchMajorVersion, TORCH_VERSION_MAJOR);
  EXPECT_GE(kTorchMajorVersion, 1);
}

TEST(TorchCompat, SetAutocastTurnsCpuAutocastOnAndOff) {
  ASSERT_FALSE(AutocastEnabled(c10::DeviceType::CPU));
  SetAutocast(c10::DeviceType::CPU, true, c10::kBFloat16);
  EXPECT_TRUE(AutocastEnabled(c10::DeviceType::CPU));
  EXPECT_FALSE(AutocastEnabled(c10::DeviceType::CUDA));
  EXPECT_EQ(Matmul().scalar_type(), c10::kBFloat16);
  SetAutocast(c10::DeviceType::CPU, false);
  EXPECT_FALSE(AutocastEnabled(c10::DeviceType::CPU));
  EXPECT_EQ(Matmul().scalar_type(), c10::kFloat);
}

TEST(TorchCompat, ScopeEnablesOnlyWhenAskedAndRestores) {
  {
    Bf16AutocastScope off(false, c10::DeviceType::CPU);
    EXPECT_EQ(Matmul().scalar_type(), c10::kFloat);
  }
  {
    Bf16AutocastScope on(true, c10::DeviceType::CPU);
    EXPECT_EQ(Matmul().scalar_type(), c10::kBFloat16);
  }
  EXPECT_FALSE(AutocastEnabled(c10::DeviceType::CPU));
  EXPECT_EQ(Matmul().scalar_type(), c10::kFloat);
}

}  // namespace
}  // namespace hw1::compat
