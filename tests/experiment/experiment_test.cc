#include "lib/experiment/experiment.h"

#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "lib/experiment/cifar10_flags.h"

namespace hw1::experiment {
namespace {

TEST(ExperimentTest, FailNamesTheProgramAndTellsBadInputFromFailure) {
  testing::internal::CaptureStderr();
  EXPECT_EQ(Fail("q9_demo", absl::InvalidArgumentError("--epochs=0: must be >= 1")), 2);
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "q9_demo: --epochs=0: must be >= 1\n");
  testing::internal::CaptureStderr();
  EXPECT_EQ(Fail("q9_demo", absl::NotFoundError("/x/test_batch.bin: no such file")), 1);
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "q9_demo: /x/test_batch.bin: no such file\n");
  EXPECT_EQ(Fail("q9_demo", absl::DataLossError("bad record")), 1);
}

TEST(ExperimentTest, OutDirIsTheFlagOrTheWorkspacesReportsData) {
  setenv("BUILD_WORKSPACE_DIRECTORY", "/repo", 1);
  FLAGS_out_dir = "";
  EXPECT_EQ(OutDir().string(), "/repo/reports/data");
  EXPECT_EQ(OutDir("quick").string(), "/repo/reports/data/quick");
  FLAGS_out_dir = "/elsewhere/out";
  EXPECT_EQ(OutDir().string(), "/elsewhere/out");
  EXPECT_EQ(OutDir("quick").string(), "/elsewhere/out");  // the flag wins over a profile's folder
  FLAGS_out_dir = "";
  unsetenv("BUILD_WORKSPACE_DIRECTORY");
}

TEST(Cifar10FlagsTest, LoadsWhatTheFlagsSay) {
  FLAGS_data_dir = "tests/data/cifar10_fixture";
  FLAGS_download = false;
  FLAGS_partial_data = false;  // the fixture holds 40 records a file: refused …
  const absl::StatusOr<data::Cifar10> refused = LoadCifar10FromFlags(-1, -1);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("the official CIFAR-10 files hold 10000 each"),
            std::string::npos);
  FLAGS_partial_data = true;  // … unless --partial_data
  const absl::StatusOr<data::Cifar10> data = LoadCifar10FromFlags(30, 7);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->train.size(), 30);
  EXPECT_EQ(data->test.size(), 7);
  const data::LoadOptions load = LoadOptionsFromFlags(5, -1);
  EXPECT_FALSE(load.require_official_sizes);
  EXPECT_EQ(load.train_limit, 5);
  EXPECT_EQ(load.test_limit, -1);
  FLAGS_data_dir = std::string(std::getenv("TEST_TMPDIR")) + "/nowhere";
  const absl::StatusOr<data::Cifar10> missing = LoadCifar10FromFlags(-1, -1);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find(FLAGS_data_dir), std::string::npos);
}

}  // namespace
}  // namespace hw1::experiment
