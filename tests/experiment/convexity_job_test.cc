#include "lib/experiment/convexity_job.h"

#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/experiment/experiment.h"
#include "lib/util/csv.h"
#include "tests/testing/test_manifest.h"

namespace hw1::experiment {
namespace {

TEST(ConvexityJobTest, EveryHessianIsPsdAndTheProofHolds) {
  FLAGS_out_dir = absl::StrCat(std::getenv("TEST_TMPDIR"), "/q2");
  Manifest manifest = testing::TestManifest("q2_convexity");
  ConvexitySettings settings;
  settings.jensen_segments = 20;  // the test's time, not the experiment's 200
  absl::StatusOr<ConvexityOutcome> outcome = CheckConvexity(settings, manifest);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_TRUE(outcome->every_hessian_psd);
  EXPECT_TRUE(outcome->symbolic_proof_holds);
  absl::StatusOr<CsvTable> checks = CsvTable::Read(FLAGS_out_dir + "/q2_hessian_checks.csv");
  ASSERT_TRUE(checks.ok()) << checks.status();
  ASSERT_EQ(checks->num_rows(),
            6u);  // random, with intercept and L2, separable, huge w, collinear, n < d
  for (size_t r = 0; r < checks->num_rows(); ++r) {
    EXPECT_EQ(checks->Get(r, "psd"), "true") << checks->Get(r, "case");
    EXPECT_EQ(checks->Get(r, "jensen_violations"), "0") << checks->Get(r, "case");
  }
  absl::StatusOr<CsvTable> steps = CsvTable::Read(FLAGS_out_dir + "/q2_derivation_steps.csv");
  ASSERT_TRUE(steps.ok()) << steps.status();
  int wrong = 0;
  for (size_t r = 0; r < steps->num_rows(); ++r) wrong += steps->Get(r, "holds") == "false";
  EXPECT_EQ(wrong, outcome->homework_lines_wrong);
}

TEST(ConvexityJobTest, BadSettingsNameTheirFlags) {
  Manifest manifest = testing::TestManifest("q2_convexity");
  ConvexitySettings settings;
  settings.symbolic_features = 0;
  const absl::Status status = CheckConvexity(settings, manifest).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("--symbolic_features"), std::string::npos) << status;
}

}  // namespace
}  // namespace hw1::experiment
