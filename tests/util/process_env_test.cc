#include "lib/util/process_env.h"

#include <cstdlib>
#include <map>
#include <optional>
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
const EnvSetting kPassive{"OMP_WAIT_POLICY", "PASSIVE"};
const EnvSetting kMarkedPassive{kWaitChoiceVariable, "PASSIVE"};
const EnvSetting kMarkedSpin{kWaitChoiceVariable, "spin"};

std::vector<EnvSetting> Changes(const std::map<std::string, std::string>& env,
                                absl::string_view openblas_core,
                                const std::optional<std::string>& wait) {
  return RuntimeSettingChanges(Env(env), openblas_core, kAvx512, wait);
}

TEST(ProcessEnvTest, AtTheStartSetsWhatIsMissingAndPassiveWaits) {
  EXPECT_EQ(Changes({}, "prescott", std::nullopt),
            (std::vector<EnvSetting>{{"OPENBLAS_CORETYPE", "SkylakeX"}, kPassive, kMarkedPassive}));
  // OpenBLAS already right: only the wait.
  EXPECT_EQ(Changes({}, "skylakex", std::nullopt),
            (std::vector<EnvSetting>{kPassive, kMarkedPassive}));
}

TEST(ProcessEnvTest, TheWaitFollowsTheStepLength) {
  // Multi-threaded steps shorter than 30 ms keep libgomp's spin (bf16 on AMX: 12-24 ms);
  // longer ones (fp32: 36-90 ms) and 1-thread steps (no barrier) wait passively.
  EXPECT_EQ(OmpWaitPolicyForStep(20.0, 2), "");
  EXPECT_EQ(OmpWaitPolicyForStep(29.9, 2), "");
  EXPECT_EQ(OmpWaitPolicyForStep(30.0, 2), "PASSIVE");
  EXPECT_EQ(OmpWaitPolicyForStep(45.0, 2), "PASSIVE");
  EXPECT_EQ(OmpWaitPolicyForStep(20.0, 1), "PASSIVE");
}

TEST(ProcessEnvTest, AProbedShortStepUndoesTheProjectsPassiveWait) {
  // After the start: PASSIVE, marked as the project's. A short step then wants the spin.
  const std::map<std::string, std::string> started = {{"OMP_WAIT_POLICY", "PASSIVE"},
                                                      {kWaitChoiceVariable, "PASSIVE"}};
  const std::vector<EnvSetting> changes = Changes(started, "skylakex", "");
  EXPECT_EQ(changes,
            (std::vector<EnvSetting>{{"OMP_WAIT_POLICY", "", /*unset=*/true}, kMarkedSpin}));
  EXPECT_TRUE(NeedsRestart(changes));
  // The restarted process keeps the spin at its start and when the probe (cached) asks again.
  const std::map<std::string, std::string> restarted = {{kWaitChoiceVariable, "spin"}};
  EXPECT_TRUE(Changes(restarted, "skylakex", std::nullopt).empty());
  EXPECT_TRUE(Changes(restarted, "skylakex", "").empty());
  // A long step keeps the start's PASSIVE: nothing to change.
  EXPECT_TRUE(Changes(started, "skylakex", "PASSIVE").empty());
}

TEST(ProcessEnvTest, TheSpinWithNothingSetOnlyMarks) {
  const std::vector<EnvSetting> changes = Changes({}, "skylakex", "");
  EXPECT_EQ(changes, (std::vector<EnvSetting>{kMarkedSpin}));
  EXPECT_FALSE(NeedsRestart(changes));  // libgomp reads nothing new: no restart
  EXPECT_EQ(Changes({}, "prescott", ""),
            (std::vector<EnvSetting>{{"OPENBLAS_CORETYPE", "SkylakeX"}, kMarkedSpin}));
}

TEST(ProcessEnvTest, KeepsTheUsersSettings) {
  for (const std::optional<std::string>& wait :
       {std::optional<std::string>(), std::optional<std::string>(""),
        std::optional<std::string>("PASSIVE")}) {
    EXPECT_TRUE(Changes({{"OMP_WAIT_POLICY", "active"}}, "skylakex", wait).empty());
    EXPECT_TRUE(Changes({{"GOMP_SPINCOUNT", "infinite"}}, "skylakex", wait).empty());
    EXPECT_TRUE(
        Changes({{"OPENBLAS_CORETYPE", "Haswell"}, {"GOMP_SPINCOUNT", "0"}}, "haswell", wait)
            .empty());
  }
}

TEST(ProcessEnvTest, NothingChangesAfterTheRestart) {
  // What a restarted process sees: the settings of the first pass are set.
  std::map<std::string, std::string> env;
  for (const EnvSetting& s : Changes({}, "prescott", std::nullopt)) env[s.name] = s.value;
  EXPECT_TRUE(Changes(env, "skylakex", std::nullopt).empty());
}

// main() below called RestartWithRuntimeEnvironment, as every binary does.
TEST(ProcessEnvTest, ThisProcessWasRestartedWithPassiveWaits) {
  if (std::string(std::getenv("HW1_TEST_WAIT_BEFORE_RESTART")) == "set") {
    GTEST_SKIP() << "the caller set its own wait policy";
  }
  EXPECT_EQ(OpenMpWaitSetting(), "OMP_WAIT_POLICY=PASSIVE");
  EXPECT_STREQ(std::getenv(kWaitChoiceVariable), "PASSIVE");
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
