#include "lib/probe/training_probe.h"

#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "gtest/gtest.h"
#include "lib/train/trainer.h"
#include "lib/util/csv.h"
#include "tests/testing/test_paths.h"

namespace hw1::probe {
namespace {

using ::hw1::testing::FreshTmpPath;

data::ImageSet RandomImages(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> byte(0, 255);
  data::ImageSet set;
  set.pixels.resize(static_cast<size_t>(n) * data::kImageBytes);
  for (auto& p : set.pixels) p = static_cast<uint8_t>(byte(rng));
  for (int i = 0; i < n; ++i) set.labels.push_back(i % 10);
  return set;
}

train::TrainOptions Options(const std::string& checkpoint) {
  train::TrainOptions options;
  options.epochs = 2;
  options.batch_size = 16;
  options.lr = 3e-3;  // high: BN's statistics and dead units move within a few steps
  options.threads = 1;
  options.precision = train::Precision::kFp32;
  options.progress = false;
  options.checkpoint_path = checkpoint;
  options.seed = 7;
  return options;
}

ProbeOptions EveryFewSteps() {
  ProbeOptions probe;
  probe.enabled = true;
  probe.every = 2;
  probe.landscape_every = 4;
  probe.images = 48;
  probe.landscape_images = 24;
  return probe;
}

struct Finished {
  train::TrainResult result;
  std::vector<torch::Tensor> state;  // parameters, then buffers
};

Finished TrainNet(bool batchnorm, const train::TrainOptions& options, TrainingProbe* probe) {
  static const data::ImageSet train_images = RandomImages(96, 1), test_images = RandomImages(32, 2);
  models::CifarCnnOptions net;
  net.batchnorm = batchnorm;
  models::CifarCnn model(net);
  absl::StatusOr<train::TrainResult> result =
      train::Train(model, train_images, test_images, options, nullptr, probe);
  EXPECT_TRUE(result.ok()) << result.status();
  Finished out{result.ok() ? *result : train::TrainResult{}, {}};
  for (const auto& p : model->parameters()) out.state.push_back(p.detach().clone());
  for (const auto& b : model->buffers()) out.state.push_back(b.clone());
  return out;
}

void ExpectSameRun(const Finished& a, const Finished& b) {
  ASSERT_EQ(a.result.history.size(), b.result.history.size());
  for (size_t e = 0; e < a.result.history.size(); ++e) {
    EXPECT_EQ(a.result.history[e].train_loss, b.result.history[e].train_loss);
    EXPECT_EQ(a.result.history[e].train_acc, b.result.history[e].train_acc);
    EXPECT_EQ(a.result.history[e].val_loss, b.result.history[e].val_loss);
    EXPECT_EQ(a.result.history[e].val_acc, b.result.history[e].val_acc);
  }
  ASSERT_EQ(a.state.size(), b.state.size());
  for (size_t i = 0; i < a.state.size(); ++i)
    EXPECT_TRUE(torch::equal(a.state[i], b.state[i])) << i;
}

class ProbeIdentityTest : public ::testing::TestWithParam<bool> {};

TEST_P(ProbeIdentityTest, AProbedRunTrainsAsAnUnprobedOne) {
  const bool batchnorm = GetParam();
  const std::string dir = FreshTmpPath(batchnorm ? "probe_identity_bn" : "probe_identity");
  std::filesystem::create_directories(dir);
  const train::TrainOptions options = Options(dir + "/plain.ckpt");
  const Finished plain = TrainNet(batchnorm, options, nullptr);
  train::TrainOptions probed_options = options;
  probed_options.checkpoint_path = dir + "/probed.ckpt";
  static const data::ImageSet train_images = RandomImages(96, 1);
  TrainingProbe probe(EveryFewSteps(), train_images, probed_options, dir, "run");
  const Finished probed = TrainNet(batchnorm, probed_options, &probe);
  ExpectSameRun(plain, probed);

  // 96 images in batches of 16: 6 steps an epoch, probes at steps 0, 2, …, 10.
  absl::StatusOr<CsvTable> network = CsvTable::Read(NetworkCsvPath(dir, "run"));
  ASSERT_TRUE(network.ok()) << network.status();
  EXPECT_EQ(network->num_rows(), 6u);
  absl::StatusOr<CsvTable> layers = CsvTable::Read(LayersCsvPath(dir, "run"));
  ASSERT_TRUE(layers.ok());
  EXPECT_EQ(layers->num_rows(), 36u);
  absl::StatusOr<CsvTable> landscape = CsvTable::Read(LandscapeCsvPath(dir, "run"));
  ASSERT_TRUE(landscape.ok());
  EXPECT_EQ(landscape->num_rows(), 3u);  // steps 0, 4, 8
  EXPECT_EQ(landscape->Get(1, "step"), "4");
  // Effective lr only where a BN follows (conv layers of the BN network).
  EXPECT_EQ(layers->Get(0, "effective_lr").empty(), !batchnorm);
  EXPECT_TRUE(layers->Get(4, "effective_lr").empty());   // fc1
  EXPECT_TRUE(layers->Get(5, "dead_fraction").empty());  // fc2: logits, no ReLU
}

INSTANTIATE_TEST_SUITE_P(BothArms, ProbeIdentityTest, ::testing::Values(false, true));

TEST(TrainingProbeTest, FirstUpdateRatioIsAdamsFirstStep) {
  // Adam's first step moves every weight with a nonzero gradient by ≈ lr, so
  // conv1's ratio is lr·√(moved weights)/‖W₀‖, with W₀ the seed's init.
  const std::string dir = FreshTmpPath("probe_first_step");
  std::filesystem::create_directories(dir);
  train::TrainOptions options = Options("");
  options.epochs = 1;
  static const data::ImageSet train_images = RandomImages(96, 1);
  TrainingProbe probe(EveryFewSteps(), train_images, options, dir, "run");
  TrainNet(false, options, &probe);
  torch::manual_seed(options.seed);
  models::CifarCnn fresh;
  fresh->ResetParameters();
  const double w0 = fresh->named_parameters()["conv1.weight"].norm().item<double>();
  const double numel = 32 * 3 * 9;
  absl::StatusOr<CsvTable> layers = CsvTable::Read(LayersCsvPath(dir, "run"));
  ASSERT_TRUE(layers.ok());
  ASSERT_EQ(layers->Get(0, "layer"), "conv1");
  ASSERT_EQ(layers->Get(0, "step"), "0");
  const double ratio = std::stod(layers->Get(0, "update_ratio"));
  EXPECT_LE(ratio, options.lr * std::sqrt(numel) / w0 * (1 + 1e-6));
  EXPECT_GE(ratio, options.lr * std::sqrt(0.9 * numel) / w0);
  // The effective lr column is lr/‖W‖² where it is written (BN); here the
  // weight norm is the one after the step.
  EXPECT_NEAR(std::stod(layers->Get(0, "weight_norm")), w0, 0.05 * w0);
}

TEST(TrainingProbeTest, AResumedRunKeepsItsRowsAndRefusesOtherSettings) {
  const std::string dir = FreshTmpPath("probe_resume");
  std::filesystem::create_directories(dir);
  static const data::ImageSet train_images = RandomImages(96, 1);
  // Uninterrupted, into its own folder.
  const std::string whole_dir = dir + "/whole";
  train::TrainOptions options = Options(dir + "/whole.ckpt");
  {
    TrainingProbe probe(EveryFewSteps(), train_images, options, whole_dir, "run");
    TrainNet(false, options, &probe);
  }
  // One epoch, then resumed to two.
  options.checkpoint_path = dir + "/split.ckpt";
  options.resume = true;
  train::TrainOptions first = options;
  first.epochs = 1;
  {
    TrainingProbe probe(EveryFewSteps(), train_images, first, dir, "run");
    TrainNet(false, first, &probe);
  }
  {
    ProbeOptions other = EveryFewSteps();
    other.every = 3;
    other.landscape_every = 0;
    TrainingProbe probe(other, train_images, options, dir, "run");
    models::CifarCnn model;
    absl::StatusOr<train::TrainResult> refused =
        train::Train(model, train_images, RandomImages(32, 2), options, nullptr, &probe);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.status().message().find("_probe.json"), std::string::npos)
        << refused.status();
    EXPECT_NE(refused.status().message().find("--probe_every"), std::string::npos);
  }
  {
    TrainingProbe probe(EveryFewSteps(), train_images, options, dir, "run");
    TrainNet(false, options, &probe);
  }
  for (auto path : {&NetworkCsvPath, &LayersCsvPath, &LandscapeCsvPath}) {
    absl::StatusOr<CsvTable> whole = CsvTable::Read((*path)(whole_dir, "run"));
    absl::StatusOr<CsvTable> split = CsvTable::Read((*path)(dir, "run"));
    ASSERT_TRUE(whole.ok() && split.ok());
    EXPECT_EQ(whole->ToString(), split->ToString());
  }
}

TEST(ProbeOptionsTest, ErrorsNameTheFlag) {
  ProbeOptions o = EveryFewSteps();
  EXPECT_TRUE(ValidateProbeOptions(o, 96).ok());
  o.landscape_every = 5;
  EXPECT_NE(ValidateProbeOptions(o, 96).message().find("--landscape_every=5"), std::string::npos);
  o = EveryFewSteps();
  o.images = 97;
  EXPECT_NE(ValidateProbeOptions(o, 96).message().find("--probe_images=97"), std::string::npos);
  o = EveryFewSteps();
  o.landscape_images = 49;
  EXPECT_NE(ValidateProbeOptions(o, 96).message().find("--landscape_images=49"), std::string::npos);
  o = EveryFewSteps();
  o.every = 0;
  EXPECT_NE(ValidateProbeOptions(o, 96).message().find("--probe_every=0"), std::string::npos);
  o.enabled = false;  // without --probe, its cadence flags are not used
  EXPECT_TRUE(ValidateProbeOptions(o, 96).ok());
}

}  // namespace
}  // namespace hw1::probe
