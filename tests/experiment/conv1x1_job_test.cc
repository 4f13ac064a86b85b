#include "lib/experiment/conv1x1_job.h"

#include <cstdlib>
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/experiment/experiment.h"
#include "lib/util/csv.h"
#include "tests/testing/test_manifest.h"

namespace hw1::experiment {
namespace {

TEST(Conv1x1JobTest, TheConditionAgreesWithConv2dOnEveryCase) {
  FLAGS_out_dir = absl::StrCat(std::getenv("TEST_TMPDIR"), "/q1");
  Manifest manifest = testing::TestManifest("q1_conv1x1");
  absl::StatusOr<int> disagreements = CheckConv1x1(Conv1x1Settings(), manifest);
  ASSERT_TRUE(disagreements.ok()) << disagreements.status();
  EXPECT_EQ(*disagreements, 0);
  absl::StatusOr<CsvTable> table = CsvTable::Read(FLAGS_out_dir + "/q1_conv1x1.csv");
  ASSERT_TRUE(table.ok()) << table.status();
  ASSERT_EQ(table->num_rows(), 14u);
  int scalar = 0;
  for (size_t r = 0; r < table->num_rows(); ++r) {
    EXPECT_EQ(table->Get(r, "equivalent"), table->Get(r, "predicted")) << r;
    scalar += table->Get(r, "equivalent") == "true";
  }
  // s*I without bias at s = 2 (3 and 64 channels), 1, 0, -1.5, and the 1-channel case without bias.
  EXPECT_EQ(scalar, 6);
  EXPECT_TRUE(std::filesystem::exists(FLAGS_out_dir + "/q1_conv1x1.manifest.json"));
}

TEST(Conv1x1JobTest, BadSettingsNameTheirFlags) {
  Manifest manifest = testing::TestManifest("q1_conv1x1");
  Conv1x1Settings settings;
  settings.image_size = 0;
  const absl::Status status = CheckConv1x1(settings, manifest).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("--image_size"), std::string::npos) << status;
}

}  // namespace
}  // namespace hw1::experiment
