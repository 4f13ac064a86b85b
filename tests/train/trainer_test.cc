#include "lib/train/trainer.h"

#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "gtest/gtest.h"
#include "lib/data/cifar10.h"
#include "lib/util/cpu_features.h"
#include "lib/util/file_util.h"
#include "tests/testing/test_paths.h"

namespace hw1::train {
namespace {

using ::hw1::testing::FixtureLoadOptions;
using ::hw1::testing::FreshTmpPath;

// A learnable task: class k is a bright 8×8 square at one of ten places, on noise.
data::ImageSet SquaresTask(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> noise(0, 60);
  data::ImageSet set;
  set.pixels.resize(static_cast<size_t>(n) * data::kImageBytes);
  for (int i = 0; i < n; ++i) {
    const int label = i % 10;
    set.labels.push_back(label);
    uint8_t* image = set.pixels.data() + static_cast<size_t>(i) * data::kImageBytes;
    for (int p = 0; p < data::kImageBytes; ++p) image[p] = static_cast<uint8_t>(noise(rng));
    const int top = (label / 5) * 16 + 4, left = (label % 5) * 6;
    for (int c = 0; c < 3; ++c)
      for (int y = top; y < top + 8; ++y)
        for (int x = left; x < left + 8 && x < 32; ++x) image[c * 1024 + y * 32 + x] = 250;
  }
  return set;
}

TrainOptions SmallOptions() {
  TrainOptions options;
  options.epochs = 4;
  options.batch_size = 16;
  options.lr = 1e-3;
  options.threads = 1;
  options.precision = Precision::kFp32;
  options.progress = false;
  return options;
}

// One epoch of a small task with a checkpoint at FreshTmpPath(checkpoint): how every
// resume test starts. Returns the options to resume it with (2 epochs).
TrainOptions TrainOneCheckpointedEpoch(models::CifarCnn& model, const data::ImageSet& train,
                                       const data::ImageSet& test, const std::string& checkpoint) {
  TrainOptions options = SmallOptions();
  options.epochs = 1;
  options.checkpoint_path = FreshTmpPath(checkpoint);
  EXPECT_TRUE(Train(model, train, test, options).ok());
  options.resume = true;
  options.epochs = 2;
  return options;
}

// Everything but the timing columns.
void ExpectSameMetrics(const TrainResult& a, const TrainResult& b) {
  ASSERT_EQ(a.history.size(), b.history.size());
  for (size_t i = 0; i < a.history.size(); ++i) {
    EXPECT_EQ(a.history[i].epoch, b.history[i].epoch);
    EXPECT_EQ(a.history[i].train_loss, b.history[i].train_loss) << "epoch " << i + 1;
    EXPECT_EQ(a.history[i].train_acc, b.history[i].train_acc) << "epoch " << i + 1;
    EXPECT_EQ(a.history[i].val_loss, b.history[i].val_loss) << "epoch " << i + 1;
    EXPECT_EQ(a.history[i].val_acc, b.history[i].val_acc) << "epoch " << i + 1;
    EXPECT_EQ(a.history[i].lr_now, b.history[i].lr_now) << "epoch " << i + 1;
  }
}

TEST(TrainerTest, LearnsASmallTask) {
  const data::ImageSet train = SquaresTask(200, 1), test = SquaresTask(100, 2);
  TrainOptions options = SmallOptions();
  options.epochs = 6;
  models::CifarCnn model;
  absl::StatusOr<TrainResult> result = Train(model, train, test, options);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->history.size(), 6u);
  EXPECT_GT(result->history.back().train_acc, 0.9);
  EXPECT_GT(result->history.back().val_acc, 0.9);
  EXPECT_LT(result->history.back().train_loss, result->history.front().train_loss);
  EXPECT_EQ(result->precision, "fp32");
  EXPECT_FALSE(result->diverged);
  // Keras decay: the last batch of epoch 6 is step 6·13 − 1.
  EXPECT_DOUBLE_EQ(result->history.back().lr_now, KerasDecayedLr(1e-3, 1e-6, 6 * 13 - 1));
  // The final model's predictions per class: those of the final evaluation.
  EXPECT_EQ(result->val_prediction_counts, Evaluate(model, test, options).prediction_counts);
}

TEST(TrainerTest, EvaluateOverSeveralBatchesEqualsOneForwardPass) {
  // 300 = 2 × 128 + 44: the last, short batch counts by its size. The oracle:
  // LibTorch's mean cross-entropy, argmax and bincount over all images at once.
  const data::ImageSet images = SquaresTask(300, 9);
  TrainOptions options = SmallOptions();
  options.eval_batch_size = 128;
  torch::manual_seed(3);
  models::CifarCnn model;
  const Evaluation batched = Evaluate(model, images, options);

  torch::NoGradGuard no_grad;
  model->eval();
  const torch::Tensor x =
      torch::from_blob(const_cast<uint8_t*>(images.pixels.data()), {300, 3, 32, 32}, torch::kUInt8)
          .to(torch::kFloat32)
          .div(255.0);
  const torch::Tensor y =
      torch::from_blob(const_cast<int64_t*>(images.labels.data()), {300}, torch::kInt64);
  const torch::Tensor logits = model->forward(x);
  const torch::Tensor predicted = logits.argmax(1);
  EXPECT_NEAR(batched.loss, torch::nn::functional::cross_entropy(logits, y).item<double>(), 1e-5);
  EXPECT_DOUBLE_EQ(batched.accuracy, predicted.eq(y).sum().item<int64_t>() / 300.0);
  const torch::Tensor counts = torch::bincount(predicted, {}, 10);
  ASSERT_EQ(batched.prediction_counts.size(), 10u);
  for (int c = 0; c < 10; ++c)
    EXPECT_EQ(batched.prediction_counts[c], counts[c].item<int64_t>()) << c;
}

TEST(TrainerTest, ACheckpointOfOneArchitectureIsNotResumedByAnother) {
  const data::ImageSet train = SquaresTask(32, 12), test = SquaresTask(16, 13);
  models::CifarCnnOptions narrow;
  narrow.widths = {8, 8, 16, 16};
  models::CifarCnn narrow_model(narrow);
  const TrainOptions options = TrainOneCheckpointedEpoch(narrow_model, train, test, "widths.ckpt");
  for (auto change : {+[](models::CifarCnnOptions& o) {
                        o.widths = {8, 8, 16, 32};
                      },
                      +[](models::CifarCnnOptions& o) {
                        o.dropout = {0, 0, 0};
                      }}) {
    models::CifarCnnOptions other = narrow;
    change(other);
    models::CifarCnn other_model(other);
    absl::StatusOr<TrainResult> refused = Train(other_model, train, test, options);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.status().message().find("different configuration"), std::string::npos)
        << refused.status();
  }
  models::CifarCnn same(narrow);
  EXPECT_TRUE(Train(same, train, test, options).ok());
}

TEST(TrainerTest, InitIsPartOfTheRunAndOfItsCheckpoint) {
  const data::ImageSet train = SquaresTask(32, 10), test = SquaresTask(16, 11);
  TrainOptions options = SmallOptions();
  options.epochs = 1;
  options.checkpoint_path = FreshTmpPath("init.ckpt");
  models::CifarCnnOptions torch_init;
  torch_init.init = models::Init::kTorch;
  models::CifarCnn keras_model, torch_model(torch_init);
  const TrainResult keras = *Train(keras_model, train, test, options);
  options.resume = true;
  options.epochs = 2;
  absl::StatusOr<TrainResult> refused = Train(torch_model, train, test, options);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("init=torch"), std::string::npos) << refused.status();
  std::filesystem::remove(options.checkpoint_path);
  options.epochs = 1;
  const TrainResult torch = *Train(torch_model, train, test, options);
  EXPECT_NE(keras.history[0].train_loss, torch.history[0].train_loss);
  // Resumed after its last epoch, a run still reports its final predictions.
  models::CifarCnn again(torch_init);
  const TrainResult resumed = *Train(again, train, test, options);
  EXPECT_EQ(resumed.resumed_from_epoch, 1);
  EXPECT_EQ(resumed.val_prediction_counts, torch.val_prediction_counts);
}

TEST(TrainerTest, SameSeedSameMetricsOtherSeedOtherMetrics) {
  const data::ImageSet train = SquaresTask(96, 3), test = SquaresTask(32, 4);
  TrainOptions options = SmallOptions();
  options.epochs = 2;
  models::CifarCnn first, second, third;
  const TrainResult a = *Train(first, train, test, options);
  const TrainResult b = *Train(second, train, test, options);
  ExpectSameMetrics(a, b);
  options.seed = 1;
  const TrainResult c = *Train(third, train, test, options);
  EXPECT_NE(a.history[0].train_loss, c.history[0].train_loss);
}

TEST(TrainerTest, ResumedRunEqualsUninterruptedRun) {
  const data::ImageSet train = SquaresTask(96, 5), test = SquaresTask(32, 6);
  for (bool batchnorm : {false, true}) {
    models::CifarCnnOptions model_options;
    model_options.batchnorm = batchnorm;
    TrainOptions options = SmallOptions();
    options.checkpoint_path = FreshTmpPath("uninterrupted.ckpt");
    models::CifarCnn whole(model_options);
    const TrainResult uninterrupted = *Train(whole, train, test, options);

    options.checkpoint_path = FreshTmpPath("interrupted.ckpt");
    options.epochs = 2;  // "killed" after epoch 2
    models::CifarCnn part(model_options);
    ASSERT_TRUE(Train(part, train, test, options).ok());
    options.epochs = 4;
    options.resume = true;
    models::CifarCnn resumed_model(model_options);  // a fresh process
    absl::StatusOr<TrainResult> resumed = Train(resumed_model, train, test, options);
    ASSERT_TRUE(resumed.ok()) << resumed.status();
    EXPECT_EQ(resumed->resumed_from_epoch, 2);
    ExpectSameMetrics(uninterrupted, *resumed);
    // Weights are the same too.
    for (const auto& item : whole->named_parameters()) {
      EXPECT_TRUE(torch::equal(item.value(), resumed_model->named_parameters()[item.key()]))
          << item.key();
    }
  }
}

// What the first layer receives: pixels / 255 by default, the bytes themselves with kRaw255.
TEST(TrainerTest, InputScaleSetsTheFirstLayersInputRange) {
  const torch::Tensor bytes = torch::arange(0, 256, torch::kInt64)
                                  .to(torch::kUInt8)
                                  .repeat({3 * 1024 / 256 * 2})
                                  .reshape({2, 3, 32, 32});
  const torch::Tensor unit = ToInput(bytes), raw = ToInput(bytes, InputScale::kRaw255);
  EXPECT_FLOAT_EQ(unit.max().item<float>(), 1.0f);
  EXPECT_FLOAT_EQ(raw.max().item<float>(), 255.0f);
  EXPECT_TRUE(torch::equal(raw, bytes.to(torch::kFloat32)));
  EXPECT_TRUE(torch::allclose(unit * 255, raw, /*rtol=*/1e-6, /*atol=*/1e-4));
  EXPECT_TRUE(raw.is_contiguous(torch::MemoryFormat::ChannelsLast));
}

TEST(TrainerTest, InputScaleChangesTheRunAndItsCheckpoint) {
  const data::ImageSet train = SquaresTask(32, 7), test = SquaresTask(16, 8);
  models::CifarCnn model;
  TrainOptions options = TrainOneCheckpointedEpoch(model, train, test, "scale.ckpt");
  options.input_scale = InputScale::kRaw255;
  absl::StatusOr<TrainResult> refused = Train(model, train, test, options);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("different configuration"), std::string::npos);
  TrainOptions unit = SmallOptions(), raw = SmallOptions();
  unit.epochs = raw.epochs = 1;
  raw.input_scale = InputScale::kRaw255;
  absl::StatusOr<TrainResult> a = Train(model, train, test, unit);
  absl::StatusOr<TrainResult> b = Train(model, train, test, raw);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->history[0].train_loss, b->history[0].train_loss);
}

TEST(TrainerTest, ResumeRefusesAnotherConfiguration) {
  const data::ImageSet train = SquaresTask(32, 7), test = SquaresTask(16, 8);
  models::CifarCnn model;
  TrainOptions options = TrainOneCheckpointedEpoch(model, train, test, "other.ckpt");
  options.lr = 5e-3;
  absl::StatusOr<TrainResult> refused = Train(model, train, test, options);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("different configuration"), std::string::npos);
  EXPECT_NE(refused.status().message().find(options.checkpoint_path), std::string::npos);
}

// Same sizes, other images (another copy of the data set, another order): the
// checkpoint's data digest differs, so it is not resumed.
TEST(TrainerTest, ResumeRefusesOtherDataOfTheSameSize) {
  const data::ImageSet train = SquaresTask(32, 7), test = SquaresTask(16, 8);
  models::CifarCnn model;
  const TrainOptions options = TrainOneCheckpointedEpoch(model, train, test, "other_data.ckpt");
  absl::StatusOr<TrainResult> refused = Train(model, SquaresTask(32, 9), test, options);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("data="), std::string::npos)
      << refused.status().message();
  ASSERT_TRUE(Train(model, train, test, options).ok());  // the same data resumes
}

// A learning rate so large that activations overflow float: the loss turns
// non-finite. (At lr = 10 this network does not overflow: its ReLUs die and it
// collapses to a constant prediction with a finite loss, like the homework's
// baseline at 5× lr; that is a result, not a divergence.)
TEST(TrainerTest, DivergenceIsRecordedNotCrashed) {
  const data::ImageSet train = SquaresTask(128, 9), test = SquaresTask(16, 10);
  TrainOptions options = SmallOptions();
  options.lr = 1e20;
  options.epochs = 5;
  models::CifarCnn model;
  absl::StatusOr<TrainResult> result = Train(model, train, test, options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->diverged);
  EXPECT_GE(result->diverged_in_epoch, 1);
  EXPECT_EQ(static_cast<int>(result->history.size()), result->diverged_in_epoch - 1);
  for (const EpochMetrics& m : result->history) {
    EXPECT_TRUE(std::isfinite(m.train_loss));
    EXPECT_TRUE(std::isfinite(m.val_loss));
  }
}

// Precision honesty: bf16 autocast follows fp32's loss curve on real CIFAR-10
// records over 200+ steps. Stated tolerance: the per-epoch mean training loss
// differs by at most 0.15 (losses start near 2.3).
TEST(TrainerTest, Bf16LossCurveFollowsFp32) {
  absl::StatusOr<data::Cifar10> data =
      data::LoadCifar10("tests/data/cifar10_fixture", FixtureLoadOptions());
  ASSERT_TRUE(data.ok()) << data.status();
  TrainOptions options = SmallOptions();
  options.epochs = 16;  // 13 steps each: 208 steps
  options.lr = 3e-4;
  models::CifarCnn fp32_model, bf16_model;
  const TrainResult fp32 = *Train(fp32_model, data->train, data->test, options);
  options.precision = Precision::kBf16;
  const TrainResult bf16 = *Train(bf16_model, data->train, data->test, options);
  EXPECT_EQ(bf16.precision, "bf16");
  ASSERT_EQ(fp32.history.size(), bf16.history.size());
  for (size_t i = 0; i < fp32.history.size(); ++i) {
    EXPECT_NEAR(fp32.history[i].train_loss, bf16.history[i].train_loss, 0.15) << "epoch " << i + 1;
  }
  EXPECT_LT(fp32.history.back().train_loss, fp32.history.front().train_loss - 0.3);
}

// Denormals are flushed to zero on the calling thread and on the intra-op
// threads (a large tensor is split across them).
TEST(TrainerTest, ConfigureThreadsFlushesDenormals) {
  // In a fresh process, as every program calls it: before any parallel work,
  // so that the intra-op threads, made later, inherit the flag (POSIX threads
  // inherit the floating-point environment). Threads that already exist are
  // reached only by the parallel region in ConfigureThreads, and not reliably:
  // in this test binary, after other tests' parallel work and on a loaded
  // host, one thread kept denormals (524288 of 2^20 products).
  ::testing::FLAGS_gtest_death_test_style = "threadsafe";
  EXPECT_EXIT(
      {
        const bool two = ConfigureThreads(2) == 2;
        const torch::Tensor tiny = torch::full({1 << 20}, 1e-20f);
        const int64_t denormal =
            (tiny * tiny).count_nonzero().item<int64_t>();  // 1e-40: a float denormal
        volatile float a = 1e-20f;
        volatile float b = 1e-20f;
        std::fprintf(stderr, "threads %d, denormal products %ld, scalar %g\n", two ? 2 : 0,
                     static_cast<long>(denormal), static_cast<double>(a * b));
        std::exit(two && denormal == 0 && a * b == 0.0f ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "threads 2, denormal products 0, scalar 0");
}

}  // namespace
}  // namespace hw1::train
