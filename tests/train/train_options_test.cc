#include "lib/train/train_options.h"

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
  EXPECT_NE(SetPrecisionAndDevice("fp32", "gpu", &options).message().find("--device=gpu"), std::string::npos);
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
}

}  // namespace
}  // namespace hw1::train
