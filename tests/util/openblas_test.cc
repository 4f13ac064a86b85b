#include <string>

#include "gtest/gtest.h"
#include "lib/util/process_env.h"

namespace hw1 {
namespace {

TEST(OpenBlasTest, AsksForKernelsAsNewAsTheCpu) {
  CpuVectorFeatures avx512{/*avx2_fma=*/true, /*avx512=*/true};
  CpuVectorFeatures avx2{/*avx2_fma=*/true, /*avx512=*/false};
  CpuVectorFeatures sse{/*avx2_fma=*/false, /*avx512=*/false};
  // OpenBLAS 0.3.21 on an AVX-512 Xeon model it does not know.
  EXPECT_EQ(BetterOpenBlasCore("prescott", avx512), "SkylakeX");
  EXPECT_EQ(BetterOpenBlasCore("haswell", avx512), "SkylakeX");
  EXPECT_EQ(BetterOpenBlasCore("prescott", avx2), "Haswell");
  // Already right, or nothing better to ask for, or no OpenBLAS.
  EXPECT_EQ(BetterOpenBlasCore("skylakex", avx512), "");
  EXPECT_EQ(BetterOpenBlasCore("cooperlake", avx512), "");
  EXPECT_EQ(BetterOpenBlasCore("zen", avx2), "");
  EXPECT_EQ(BetterOpenBlasCore("prescott", sse), "");
  EXPECT_EQ(BetterOpenBlasCore("", avx512), "");
}

// main() below called RestartWithRuntimeEnvironment, as the experiments do: the
// process now runs on kernels that use what the CPU has.
TEST(OpenBlasTest, ThisProcessUsesKernelsForThisCpu) {
  const std::string core = OpenBlasCore();
  ASSERT_FALSE(core.empty()) << "OpenBLAS is linked into this test";
  EXPECT_EQ(BetterOpenBlasCore(core, DetectCpuVectorFeatures()), "")
      << "OpenBLAS runs '" << core << "' kernels";
}

}  // namespace
}  // namespace hw1

int main(int argc, char** argv) {
  hw1::RestartWithRuntimeEnvironment(argv);
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
