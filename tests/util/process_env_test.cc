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

TEST(ProcessEnvTest, SetsWhatIsMissing) {
  const std::vector<EnvSetting> expected = {{"OPENBLAS_CORETYPE", "SkylakeX"},
                                            {"OMP_WAIT_POLICY", kOmpWaitPolicy}};
  EXPECT_EQ(MissingRuntimeSettings(Env({}), "prescott", kAvx512), expected);
  // OpenBLAS already right: only the wait.
  EXPECT_EQ(MissingRuntimeSettings(Env({}), "skylakex", kAvx512),
            (std::vector<EnvSetting>{{"OMP_WAIT_POLICY", kOmpWaitPolicy}}));
}

TEST(ProcessEnvTest, KeepsTheUsersSettings) {
  EXPECT_EQ(
      MissingRuntimeSettings(Env({{"OMP_WAIT_POLICY", "active"}}), "skylakex", kAvx512).size(), 0u);
  EXPECT_EQ(
      MissingRuntimeSettings(Env({{"GOMP_SPINCOUNT", "infinite"}}), "skylakex", kAvx512).size(),
      0u);
  EXPECT_EQ(MissingRuntimeSettings(Env({{"OPENBLAS_CORETYPE", "Haswell"}, {"GOMP_SPINCOUNT", "0"}}),
                                   "haswell", kAvx512)
                .size(),
            0u);
}

TEST(ProcessEnvTest, NothingIsMissingAfterTheRestart) {
  // What a restarted process sees: the settings of the first pass are set.
  std::map<std::string, std::string> env;
  for (const EnvSetting& s : MissingRuntimeSettings(Env({}), "prescott", kAvx512))
    env[s.name] = s.value;
  EXPECT_TRUE(MissingRuntimeSettings(Env(env), "skylakex", kAvx512).empty());
}

// main() below called RestartWithRuntimeEnvironment, as every binary does.
TEST(ProcessEnvTest, ThisProcessWasRestartedWithPassiveWaits) {
  if (std::string(std::getenv("HW1_TEST_WAIT_BEFORE_RESTART")) == "set") {
    GTEST_SKIP() << "the caller set its own wait policy";
  }
  EXPECT_EQ(OpenMpWaitSetting(), std::string("OMP_WAIT_POLICY=") + kOmpWaitPolicy);
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
