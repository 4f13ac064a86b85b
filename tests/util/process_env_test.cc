#include "lib/util/process_env.h"

#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace hw1 {
namespace {

// An environment to ask, instead of the process's.
std::function<const char*(const char*)> Env(const std::map<std::string, std::string>& vars) {
  return [vars](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

const CpuVectorFeatures kAvx512{/*avx2_fma=*/true, /*avx512=*/true};
// The two kinds of AVX-512 host: bf16 instructions only, and AMX tiles besides.
const CpuFeatures kAvx512Bf16Host = ParseCpuFlags("avx2 fma avx512f avx512_bf16");
const CpuFeatures kAmxHost = ParseCpuFlags("avx2 fma avx512f avx512_bf16 amx_bf16 amx_tile");

TEST(ProcessEnvTest, SetsWhatIsMissing) {
  const std::vector<EnvSetting> expected = {{"OPENBLAS_CORETYPE", "SkylakeX"},
                                            {"OMP_WAIT_POLICY", "PASSIVE"}};
  EXPECT_EQ(MissingRuntimeSettings(Env({}), "prescott", kAvx512, "PASSIVE"), expected);
  // OpenBLAS already right: only the wait.
  EXPECT_EQ(MissingRuntimeSettings(Env({}), "skylakex", kAvx512, "PASSIVE"),
            (std::vector<EnvSetting>{{"OMP_WAIT_POLICY", "PASSIVE"}}));
}

TEST(ProcessEnvTest, PassiveWaitsExceptForBf16StepsOnAmx) {
  // Long steps (fp32 anywhere, bf16 without AMX): passive (beside a busy
  // process 1.1-1.8x instead of 2.7-4.1x). Short steps (bf16 on AMX) keep
  // libgomp's spin: passive cost up to 65 % alone and did not help beside one.
  EXPECT_EQ(OmpWaitPolicyFor(ParseCpuFlags("avx2 fma"), /*bf16_steps=*/false), "PASSIVE");
  EXPECT_EQ(OmpWaitPolicyFor(ParseCpuFlags("avx2 fma"), /*bf16_steps=*/true), "PASSIVE");
  EXPECT_EQ(OmpWaitPolicyFor(kAvx512Bf16Host, /*bf16_steps=*/true), "PASSIVE");
  EXPECT_EQ(OmpWaitPolicyFor(kAmxHost, /*bf16_steps=*/false), "PASSIVE");
  EXPECT_EQ(OmpWaitPolicyFor(kAmxHost, /*bf16_steps=*/true), "");
  // AMX tiles without bf16 cannot run the bf16 step on AMX.
  EXPECT_EQ(OmpWaitPolicyFor(ParseCpuFlags("avx512f amx_tile"), /*bf16_steps=*/true), "PASSIVE");
  // The default follows --precision=auto: bf16 on AMX, fp32 elsewhere.
  EXPECT_EQ(DefaultOmpWaitPolicyFor(kAmxHost), "");
  EXPECT_EQ(DefaultOmpWaitPolicyFor(kAvx512Bf16Host), "PASSIVE");
}

TEST(ProcessEnvTest, LibgompsOwnWaitSetsNothing) {
  EXPECT_TRUE(MissingRuntimeSettings(Env({}), "skylakex", kAvx512, "").empty());
  EXPECT_EQ(MissingRuntimeSettings(Env({}), "prescott", kAvx512, ""),
            (std::vector<EnvSetting>{{"OPENBLAS_CORETYPE", "SkylakeX"}}));
}

TEST(ProcessEnvTest, KeepsTheUsersSettings) {
  EXPECT_EQ(
      MissingRuntimeSettings(Env({{"OMP_WAIT_POLICY", "active"}}), "skylakex", kAvx512, "PASSIVE")
          .size(),
      0u);
  EXPECT_EQ(
      MissingRuntimeSettings(Env({{"GOMP_SPINCOUNT", "infinite"}}), "skylakex", kAvx512, "PASSIVE")
          .size(),
      0u);
  EXPECT_EQ(MissingRuntimeSettings(Env({{"OPENBLAS_CORETYPE", "Haswell"}, {"GOMP_SPINCOUNT", "0"}}),
                                   "haswell", kAvx512, "PASSIVE")
                .size(),
            0u);
}

TEST(ProcessEnvTest, NothingIsMissingAfterTheRestart) {
  // What a restarted process sees: the settings of the first pass are set.
  std::map<std::string, std::string> env;
  for (const EnvSetting& s : MissingRuntimeSettings(Env({}), "prescott", kAvx512, "PASSIVE"))
    env[s.name] = s.value;
  EXPECT_TRUE(MissingRuntimeSettings(Env(env), "skylakex", kAvx512, "PASSIVE").empty());
}

// main() below called RestartWithRuntimeEnvironment, as every binary does.
TEST(ProcessEnvTest, ThisProcessWasRestartedWithThisHostsWaitPolicy) {
  if (std::string(std::getenv("HW1_TEST_WAIT_BEFORE_RESTART")) == "set") {
    GTEST_SKIP() << "the caller set its own wait policy";
  }
  const std::string policy = DefaultOmpWaitPolicyFor(DetectCpuFeatures());
  EXPECT_EQ(OpenMpWaitSetting(), policy.empty() ? "libgomp default" : "OMP_WAIT_POLICY=" + policy);
}

}  // namespace
}  // namespace hw1

int main(int argc, char** argv) {
  // What the caller gave, remembered across the restart (the first pass sets it).
  const bool set =
      std::getenv("OMP_WAIT_POLICY") != nullptr || std::getenv("GOMP_SPINCOUNT") != nullptr;
  setenv("HW1_TEST_WAIT_BEFORE_RESTART", set ? "set" : "unset", /*overwrite=*/0);
  hw1::RestartWithRuntimeEnvironment(argv);
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
