#include "lib/train/checkpoint.h"

#include <torch/torch.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "gtest/gtest.h"
#include "lib/train/fused_adam.h"
#include "lib/util/cpu_features.h"
#include "lib/util/file_util.h"
#include "tests/testing/test_paths.h"

namespace hw1::train {
namespace {

using ::hw1::testing::FreshTmpPath;

data::ImageSet Images(int n, uint8_t value) {
  data::ImageSet set;
  set.pixels.assign(static_cast<size_t>(n) * data::kImageBytes, value);
  for (int i = 0; i < n; ++i) set.labels.push_back(i % data::kNumClasses);
  return set;
}

// One Adam step on `x` in eval mode (no dropout draws), so that the optimizer has moments.
void StepOn(models::CifarCnn& model, FusedAdam& optimizer, const torch::Tensor& x) {
  model->eval();
  optimizer.zero_grad();
  torch::nn::functional::cross_entropy(model->forward(x), torch::tensor({0, 1, 2, 3})).backward();
  optimizer.step();
}

TEST(CheckpointTest, LoadRestoresModelOptimizerRngAndState) {
  torch::manual_seed(1);
  models::CifarCnn model;
  FusedAdam optimizer(model->parameters(), torch::optim::AdamOptions(1e-3));
  StepOn(model, optimizer, torch::rand({4, 3, 32, 32}));
  TrainingState state;
  state.epoch = 3;
  state.step = 4689;
  state.history = {{1, 2.1, 0.25, 1.9, 0.31, 1e-4, 61.5, 812.5},
                   {2, 1.7, 0.38, 1.6, 0.42, 9.9e-5, 60.25, 820.75}};
  const std::string path = FreshTmpPath("state.ckpt");
  ASSERT_TRUE(SaveCheckpoint(path, model, optimizer, state, "sig A").ok());
  const torch::Tensor next_draw = torch::rand({5});  // what dropout would draw next

  torch::manual_seed(99);  // elsewhere: another model, another RNG position
  models::CifarCnn restored;
  FusedAdam restored_optimizer(restored->parameters(), torch::optim::AdamOptions(1e-3));
  absl::StatusOr<TrainingState> loaded =
      LoadCheckpoint(path, restored, restored_optimizer, "sig A", torch::Device(torch::kCPU));
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->epoch, 3);
  EXPECT_EQ(loaded->step, 4689);
  ASSERT_EQ(loaded->history.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(loaded->history[i].epoch, state.history[i].epoch);
    EXPECT_EQ(loaded->history[i].val_acc, state.history[i].val_acc);
    EXPECT_EQ(loaded->history[i].lr_now, state.history[i].lr_now);
    EXPECT_EQ(loaded->history[i].images_per_second, state.history[i].images_per_second);
  }
  for (const auto& item : model->named_parameters()) {
    EXPECT_TRUE(torch::equal(item.value(), restored->named_parameters()[item.key()])) << item.key();
  }
  EXPECT_TRUE(torch::equal(torch::rand({5}), next_draw));
  // Adam's moments and step count came back too: one more step on one batch
  // moves both networks to the same weights.
  const torch::Tensor x = torch::rand({4, 3, 32, 32});
  StepOn(model, optimizer, x);
  StepOn(restored, restored_optimizer, x);
  for (const auto& item : model->named_parameters()) {
    EXPECT_TRUE(torch::equal(item.value(), restored->named_parameters()[item.key()])) << item.key();
  }
}

TEST(CheckpointTest, AnotherConfigurationIsRefusedNamingFileAndBothSignatures) {
  models::CifarCnn model;
  FusedAdam optimizer(model->parameters(), torch::optim::AdamOptions(1e-3));
  const std::string path = FreshTmpPath("other.ckpt");
  ASSERT_TRUE(SaveCheckpoint(path, model, optimizer, {}, "lr=0.001").ok());
  absl::StatusOr<TrainingState> refused =
      LoadCheckpoint(path, model, optimizer, "lr=0.005", torch::Device(torch::kCPU));
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  for (const char* part : {path.c_str(), "lr=0.001 vs lr=0.005", "remove it"}) {
    EXPECT_NE(refused.status().message().find(part), std::string::npos) << refused.status();
  }
  const std::string garbage = FreshTmpPath("garbage.ckpt");
  ASSERT_TRUE(WriteFileAtomically(garbage, "not a checkpoint").ok());
  absl::StatusOr<TrainingState> unreadable =
      LoadCheckpoint(garbage, model, optimizer, "lr=0.001", torch::Device(torch::kCPU));
  EXPECT_EQ(unreadable.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(unreadable.status().message().find(garbage), std::string::npos);
}

// A run requeued onto another kind of node, or given other images of the same
// size, or another network, must not continue silently: each is in the signature.
TEST(CheckpointTest, SignatureNamesHostKindIsaDataAndNetwork) {
  const TrainOptions options;
  const models::CifarCnnOptions network;
  const data::ImageSet train = Images(20, 7), test = Images(10, 8);
  const std::string signature = CheckpointSignature(options, network, "fp32", 1, train, test);
  EXPECT_NE(signature.find(" host=" + HostKind(DetectCpuFeatures()) + " "), std::string::npos)
      << signature;
  EXPECT_NE(signature.find(" isa=" + OneDnnIsa() + " "), std::string::npos) << signature;
  EXPECT_NE(CheckpointSignature(options, network, "fp32", 1, Images(20, 9), test), signature);
  models::CifarCnnOptions wider = network;
  wider.widths = {32, 64, 64, 64};
  EXPECT_NE(CheckpointSignature(options, wider, "fp32", 1, train, test), signature);
  EXPECT_NE(CheckpointSignature(options, network, "bf16", 1, train, test), signature);
  EXPECT_NE(CheckpointSignature(options, network, "fp32", 2, train, test), signature);
}

}  // namespace
}  // namespace hw1::train
