#include "lib/train/weights_io.h"

#include <torch/torch.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "gtest/gtest.h"
#include "lib/util/file_util.h"
#include "tests/testing/test_paths.h"

namespace hw1::train {
namespace {

using ::hw1::testing::FreshTmpPath;

TEST(WeightsIoTest, WeightsRoundTripAndMismatchIsNamed) {
  models::CifarCnn model;
  const std::string path = FreshTmpPath("weights.pt");
  ASSERT_TRUE(SaveWeights(model, path).ok());
  models::CifarCnn same;
  ASSERT_TRUE(LoadWeights(same, path).ok());
  for (const auto& item : model->named_parameters()) {
    EXPECT_TRUE(torch::equal(item.value(), same->named_parameters()[item.key()]));
  }
  models::CifarCnnOptions bn;
  bn.batchnorm = true;
  models::CifarCnn other(bn);
  absl::Status status = LoadWeights(other, path);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find(
                "weights of another network (this is the BatchNorm network; the file lacks "
                "bn1.bias"),
            std::string::npos)
      << status.message();
  // The other way round: Module::load alone took BatchNorm weights into the baseline.
  const std::string bn_path = FreshTmpPath("bn_weights.pt");
  ASSERT_TRUE(SaveWeights(other, bn_path).ok());
  status = LoadWeights(same, bn_path);
  EXPECT_NE(status.message().find("the file has bn1.bias"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("pass --batchnorm exactly when"), std::string::npos);
  // Not weights at all.
  const std::string garbage_path = FreshTmpPath("garbage.pt");
  ASSERT_TRUE(WriteFileAtomically(garbage_path, "not a zip archive").ok());
  const absl::Status garbage = LoadWeights(same, garbage_path);
  EXPECT_NE(garbage.message().find("not a weights file"), std::string::npos) << garbage;
  EXPECT_EQ(LoadWeights(same, path + ".missing").code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(ExportWeightsForPython(model, FreshTmpPath("weights.pth")).ok());
  EXPECT_GT(std::filesystem::file_size(std::string(std::getenv("TEST_TMPDIR")) + "/weights.pth"),
            5000000u);
}

}  // namespace
}  // namespace hw1::train
