#include "lib/util/cpu_features.h"

#include <string>

#include "gtest/gtest.h"

namespace hw1 {
namespace {

TEST(CpuFeaturesTest, ParsesTheFlagsLine) {
  const CpuFeatures amx = ParseCpuFlags(
      "flags\t\t: fpu vme avx2 fma avx512f avx512cd avx512_bf16 amx_bf16 avx512_fp16 amx_tile "
      "amx_int8");
  EXPECT_TRUE(amx.avx2);
  EXPECT_TRUE(amx.fma);
  EXPECT_TRUE(amx.avx512f);
  EXPECT_TRUE(amx.avx512_bf16);
  EXPECT_TRUE(amx.amx_bf16);
  EXPECT_TRUE(amx.amx_tile);
  EXPECT_EQ(HostKind(amx), "amx");

  // Whole words only: avx512_bf16 is not avx512f, avx512_fp16 is not avx512_bf16.
  const CpuFeatures partial = ParseCpuFlags("avx2 avx512_fp16 avx512_bf16x amx_int8");
  EXPECT_TRUE(partial.avx2);
  EXPECT_FALSE(partial.fma);
  EXPECT_FALSE(partial.avx512f);
  EXPECT_FALSE(partial.avx512_bf16);
  EXPECT_FALSE(partial.amx_bf16);
  EXPECT_EQ(HostKind(partial), "avx2");
}

TEST(CpuFeaturesTest, NamesTheKindOfHost) {
  EXPECT_EQ(HostKind(ParseCpuFlags("avx2 fma avx512f avx512_bf16")), "avx512_bf16");
  EXPECT_EQ(HostKind(ParseCpuFlags("avx2 fma avx512f")), "avx512");
  EXPECT_EQ(HostKind(ParseCpuFlags("sse4_2")), "baseline");
  EXPECT_EQ(HostKind(ParseCpuFlags("")), "baseline");
}

TEST(CpuFeaturesTest, ListsEveryFeatureByItsCpuinfoName) {
  const auto listed = ListCpuFeatures(ParseCpuFlags("fma amx_tile"));
  ASSERT_EQ(listed.size(), 6u);
  for (const auto& [name, present] : listed) {
    EXPECT_EQ(present, name == "fma" || name == "amx_tile") << name;
    // The name parses back to the same feature.
    const auto again = ListCpuFeatures(ParseCpuFlags(name));
    for (const auto& [other, on] : again) EXPECT_EQ(on, other == name) << name << " / " << other;
  }
}

TEST(CpuFeaturesTest, ThisMachineHasAModelName) {
  EXPECT_NE(CpuModelName(), "");
  // Without LibTorch in this test, oneDNN is not loaded.
  EXPECT_EQ(OneDnnIsa(), "unknown");
}

}  // namespace
}  // namespace hw1
