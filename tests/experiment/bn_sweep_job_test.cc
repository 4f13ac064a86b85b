#include "lib/experiment/bn_sweep_job.h"

#include <string>
#include <thread>

#include "gtest/gtest.h"

namespace hw1::experiment {
namespace {

TEST(BnSweepJobTest, TheProfileGivesWhatTheSettingsLeaveOpen) {
  BnSweepSettings settings;
  settings.profile = "collapse";
  absl::StatusOr<SweepSetup> setup = SetUpSweep(settings);
  ASSERT_TRUE(setup.ok()) << setup.status();
  const sweep::SweepConfig& config = setup->config;
  EXPECT_EQ(config.train.epochs, 3);
  EXPECT_EQ(config.train.precision, train::Precision::kFp32);  // the profile pins it
  EXPECT_EQ(config.lr_multipliers, (std::vector<double>{5, 10, 30}));
  EXPECT_EQ(config.seeds.size(), 10u);
  EXPECT_EQ(config.inits, (std::vector<std::string>{"keras", "torch"}));
  // The homework's protocol, held once, in the training options.
  EXPECT_EQ(config.train.lr, 1e-4);
  EXPECT_EQ(config.train.decay, 1e-6);
  EXPECT_EQ(config.train.batch_size, 32);
}

TEST(BnSweepJobTest, SettingsOverrideTheProfile) {
  BnSweepSettings settings;
  settings.profile = "collapse";
  settings.precision = "bf16";
  settings.epochs = 5;
  settings.base_lr = 2e-4;
  settings.lr_multipliers = "30";
  settings.seeds = "0,1";
  settings.inits = "keras";
  settings.arms = "baseline";
  settings.threads = 1;
  settings.jobs = 2;
  absl::StatusOr<SweepSetup> setup = SetUpSweep(settings);
  ASSERT_TRUE(setup.ok()) << setup.status();
  const sweep::SweepConfig& config = setup->config;
  EXPECT_EQ(config.train.precision, train::Precision::kBf16);
  EXPECT_EQ(config.train.epochs, 5);
  EXPECT_EQ(config.train.lr, 2e-4);
  EXPECT_EQ(config.train.threads, 1);
  EXPECT_EQ(setup->jobs, 2);
  EXPECT_EQ(config.lr_multipliers, (std::vector<double>{30}));
  EXPECT_EQ(config.seeds, (std::vector<uint64_t>{0, 1}));
  EXPECT_EQ(config.arms, (std::vector<std::string>{"baseline"}));
}

// Each run's threads never depend on how many runs there are: by default one
// 1-thread run per core; --jobs alone divides the cores.
TEST(BnSweepJobTest, ThreadsAndJobsDefaults) {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  BnSweepSettings settings;
  absl::StatusOr<SweepSetup> setup = SetUpSweep(settings);
  ASSERT_TRUE(setup.ok()) << setup.status();
  EXPECT_EQ(setup->config.train.threads, 1);
  EXPECT_EQ(setup->jobs, cores);
  settings.jobs = 1;
  setup = SetUpSweep(settings);
  ASSERT_TRUE(setup.ok()) << setup.status();
  EXPECT_EQ(setup->config.train.threads, cores);
}

TEST(BnSweepJobTest, BadSettingsNameTheirFlag) {
  const auto error = [](void (*change)(BnSweepSettings&)) {
    BnSweepSettings settings;
    change(settings);
    return std::string(SetUpSweep(settings).status().message());
  };
  EXPECT_NE(error([](BnSweepSettings& s) { s.profile = "huge"; }).find("--profile=huge"),
            std::string::npos);
  EXPECT_NE(error([](BnSweepSettings& s) { s.arms = "bn,big"; }).find("--arms"), std::string::npos);
  EXPECT_NE(error([](BnSweepSettings& s) { s.train_limit = -2; }).find("--train_limit=-2"),
            std::string::npos);
  EXPECT_NE(error([](BnSweepSettings& s) { s.shard_index = 3; }).find("--shard_index=3"),
            std::string::npos);
  EXPECT_NE(error([](BnSweepSettings& s) { s.jobs = -1; }).find("--jobs=-1"), std::string::npos);
  EXPECT_NE(error([](BnSweepSettings& s) { s.precision = "fp16"; }).find("--precision"),
            std::string::npos);
  EXPECT_NE(error([](BnSweepSettings& s) { s.base_lr = -1; }).find("--base_lr=-1"),
            std::string::npos);
}

}  // namespace
}  // namespace hw1::experiment
