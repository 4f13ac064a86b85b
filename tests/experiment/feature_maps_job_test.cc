#include "lib/experiment/feature_maps_job.h"

#include <string>

#include "gtest/gtest.h"

namespace hw1::experiment {
namespace {

FeatureMapsSettings HomeworksChannels(const std::string& widths) {
  FeatureMapsSettings settings;
  settings.weights = "w.pt";
  settings.widths = widths;
  settings.channels = "3,8,26;3,37,49;25,51,55";  // the homework's, layers 1, 2, 4
  return settings;
}

// The homework's channels exist in a network with 64 channels in layers 2
// and 4, not in the Keras example, and the error says which layer is too narrow.
TEST(FeatureMapsJobTest, TheHomeworksChannelsNeedAWiderNetwork) {
  absl::StatusOr<FeatureMapsSetup> wide = SetUpFeatureMaps(HomeworksChannels("32,64,64,64"));
  ASSERT_TRUE(wide.ok()) << wide.status();
  EXPECT_EQ(wide->layers, (std::vector<int>{1, 2, 4}));
  EXPECT_EQ(wide->channels.at(2), (std::vector<int64_t>{3, 37, 49}));
  EXPECT_EQ(wide->channels.at(4), (std::vector<int64_t>{25, 51, 55}));
  const absl::Status narrow = SetUpFeatureMaps(HomeworksChannels("32,32,64,64")).status();
  EXPECT_EQ(narrow.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(narrow.message().find("(layer 2 has 32 channels)"), std::string::npos) << narrow;
}

TEST(FeatureMapsJobTest, WithoutChannelsThreeAreDrawnPerLayerWithinItsWidth) {
  FeatureMapsSettings settings;
  settings.weights = "w.pt";
  absl::StatusOr<FeatureMapsSetup> setup = SetUpFeatureMaps(settings);
  ASSERT_TRUE(setup.ok()) << setup.status();
  for (int layer : {1, 2, 4}) {
    ASSERT_EQ(setup->channels.at(layer).size(), 3u);
    for (int64_t c : setup->channels.at(layer)) {
      EXPECT_GE(c, 0);
      EXPECT_LT(c, setup->network.widths[static_cast<size_t>(layer - 1)]);
    }
  }
}

TEST(FeatureMapsJobTest, BadSettingsNameTheirFlag) {
  FeatureMapsSettings settings = HomeworksChannels("32,64,64,64");
  settings.layers = "1,2";
  EXPECT_NE(SetUpFeatureMaps(settings).status().message().find("one group per layer in --layers"),
            std::string::npos);
  settings = HomeworksChannels("32,64,64,64");
  settings.weights = "";
  EXPECT_NE(SetUpFeatureMaps(settings).status().message().find("--weights is required"),
            std::string::npos);
  settings = HomeworksChannels("32,64,64,64");
  settings.layers = "1,2,5";
  EXPECT_NE(SetUpFeatureMaps(settings).status().message().find("--layers"), std::string::npos);
}

}  // namespace
}  // namespace hw1::experiment
