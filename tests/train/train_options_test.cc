#include "lib/train/train_options.h"

#include <limits>

#include "gtest/gtest.h"

namespace hw1::train {
namespace {

TEST(TrainOptionsTest, DefaultsAreTheHomeworkProtocol) {
  const TrainOptions options;
  EXPECT_EQ(options.epochs, 25);
  EXPECT_EQ(options.batch_size, 32);
  EXPECT_DOUBLE_EQ(options.lr, 1e-4);
  EXPECT_DOUBLE_EQ(options.decay, 1e-6);
  EXPECT_DOUBLE_EQ(options.adam_eps, 1e-7);
  EXPECT_TRUE(ValidateTrainOptions(options).ok());
}

TEST(TrainOptionsTest, KerasTimeBasedDecay) {
  EXPECT_DOUBLE_EQ(KerasDecayedLr(1e-4, 1e-6, 0), 1e-4);
  // After 25 epochs of 1,563 batches: lr / (1 + 0.039075).
  EXPECT_DOUBLE_EQ(KerasDecayedLr(1e-4, 1e-6, 39075), 1e-4 / 1.039075);
  EXPECT_DOUBLE_EQ(KerasDecayedLr(1e-3, 0.0, 123456), 1e-3);
  EXPECT_DOUBLE_EQ(KerasDecayedLr(1.0, 1.0, 1), 0.5);
}

// The loop's schedule: the next batch's rate, and a resumed schedule (built
// from the checkpoint's step) continues where the first one stopped.
TEST(TrainOptionsTest, KerasDecayStepsAndResumes) {
  KerasDecay schedule(1.0, 1.0);
  EXPECT_EQ(schedule.step(), 0);
  EXPECT_DOUBLE_EQ(schedule.lr(), 1.0);
  schedule.Advance();
  schedule.Advance();
  EXPECT_EQ(schedule.step(), 2);
  EXPECT_DOUBLE_EQ(schedule.lr(), 1.0 / 3.0);
  KerasDecay resumed(1.0, 1.0, schedule.step());
  schedule.Advance();
  resumed.Advance();
  EXPECT_DOUBLE_EQ(resumed.lr(), schedule.lr());
  EXPECT_DOUBLE_EQ(resumed.lr(), 0.25);
}

TEST(TrainOptionsTest, ParsingNamesTheFlag) {
  EXPECT_EQ(*ParsePrecision("bf16"), Precision::kBf16);
  EXPECT_EQ(*ParsePrecision("fp32"), Precision::kFp32);
  EXPECT_EQ(*ParsePrecision("auto"), Precision::kAuto);
  absl::StatusOr<Precision> bad = ParsePrecision("fp16");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("--precision=fp16"), std::string::npos);
  EXPECT_EQ(*ParseDevice("cuda"), Device::kCuda);
  EXPECT_NE(ParseDevice("tpu").status().message().find("--device=tpu"), std::string::npos);
}

TEST(TrainOptionsTest, SetsPrecisionAndDeviceOrNamesTheBadFlag) {
  TrainOptions options;
  ASSERT_TRUE(SetPrecisionAndDevice("fp32", "cpu", &options).ok());
  EXPECT_EQ(options.precision, Precision::kFp32);
  EXPECT_EQ(options.device, Device::kCpu);
  EXPECT_NE(SetPrecisionAndDevice("fp32", "gpu", &options).message().find("--device=gpu"),
            std::string::npos);
  EXPECT_EQ(options.device, Device::kCpu);  // unchanged on error
}

TEST(TrainOptionsTest, ValidationNamesTheOption) {
  TrainOptions options;
  options.batch_size = 0;
  EXPECT_NE(ValidateTrainOptions(options).message().find("--batch_size=0"), std::string::npos);
  options = TrainOptions();
  options.lr = -1;
  EXPECT_NE(ValidateTrainOptions(options).message().find("--lr=-1"), std::string::npos);
  options = TrainOptions();
  options.epochs = 0;
  EXPECT_NE(ValidateTrainOptions(options).message().find("--epochs=0"), std::string::npos);
  options = TrainOptions();
  options.resume = true;
  EXPECT_FALSE(ValidateTrainOptions(options).ok());
  // Not finite: accepted before, and a run at lr=inf is no experiment.
  options = TrainOptions();
  options.lr = std::numeric_limits<double>::infinity();
  EXPECT_NE(ValidateTrainOptions(options).message().find("--lr=inf: must be a finite number"),
            std::string::npos);
  options = TrainOptions();
  options.decay = std::numeric_limits<double>::quiet_NaN();
  EXPECT_NE(ValidateTrainOptions(options).message().find("--decay=nan"), std::string::npos);
}

// Unmeasured, auto is the homework's fp32 (the binaries measure before they
// train: tests/experiment/precision_choice_test.cc); an explicit precision is kept.
TEST(TrainOptionsTest, AutoWithoutAProbeIsFp32) {
  EXPECT_EQ(ResolvePrecision(Precision::kAuto), Precision::kFp32);
  EXPECT_EQ(ResolvePrecision(Precision::kBf16), Precision::kBf16);
  EXPECT_EQ(ResolvePrecision(Precision::kFp32), Precision::kFp32);
}

}  // namespace
}  // namespace hw1::train
