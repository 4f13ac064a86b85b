#include "lib/experiment/train_cnn_job.h"

#include <string>

#include "gtest/gtest.h"

namespace hw1::experiment {
namespace {

TEST(TrainCnnJobTest, DefaultsAreTheHomeworksProtocolAndTheKerasExample) {
  absl::StatusOr<TrainCnnSetup> setup = SetUpTrainCnn(TrainCnnSettings());
  ASSERT_TRUE(setup.ok()) << setup.status();
  EXPECT_EQ(setup->train.epochs, 25);
  EXPECT_EQ(setup->train.batch_size, 32);
  EXPECT_EQ(setup->train.lr, 1e-4);
  EXPECT_EQ(setup->train.decay, 1e-6);
  EXPECT_EQ(models::ArchitectureTag(setup->network), "");
  EXPECT_FALSE(setup->network.batchnorm);
}

TEST(TrainCnnJobTest, TheNetworkSettingsReachTheNetwork) {
  TrainCnnSettings settings;
  settings.widths = "32,64,64,64";
  settings.dropout = "0,0,0";
  settings.init = "torch";
  settings.batchnorm = true;
  settings.lr = 5e-4;
  settings.seed = 3;
  absl::StatusOr<TrainCnnSetup> setup = SetUpTrainCnn(settings);
  ASSERT_TRUE(setup.ok()) << setup.status();
  EXPECT_EQ(setup->network.widths, (std::array<int64_t, 4>{32, 64, 64, 64}));
  EXPECT_EQ(setup->network.dropout, (std::array<double, 3>{0, 0, 0}));
  EXPECT_EQ(setup->network.init, models::Init::kTorch);
  EXPECT_TRUE(setup->network.batchnorm);
  EXPECT_EQ(setup->train.lr, 5e-4);
  EXPECT_EQ(setup->train.seed, 3u);
}

TEST(TrainCnnJobTest, BadSettingsNameTheirFlag) {
  const auto error = [](void (*change)(TrainCnnSettings&)) {
    TrainCnnSettings settings;
    change(settings);
    const absl::Status status = SetUpTrainCnn(settings).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    return std::string(status.message());
  };
  EXPECT_NE(error([](TrainCnnSettings& s) { s.train_limit = 0; }).find("--train_limit"),
            std::string::npos);
  EXPECT_NE(error([](TrainCnnSettings& s) { s.widths = "32,64"; }).find("--widths"),
            std::string::npos);
  EXPECT_NE(error([](TrainCnnSettings& s) { s.dropout = "0.5,0.5,1.5"; }).find("--dropout"),
            std::string::npos);
  EXPECT_NE(error([](TrainCnnSettings& s) { s.init = "he"; }).find("--init"), std::string::npos);
  EXPECT_NE(error([](TrainCnnSettings& s) { s.epochs = 0; }).find("--epochs"), std::string::npos);
  EXPECT_NE(error([](TrainCnnSettings& s) { s.precision = "fp8"; }).find("--precision"),
            std::string::npos);
}

}  // namespace
}  // namespace hw1::experiment
