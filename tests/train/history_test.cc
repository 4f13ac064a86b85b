#include "lib/train/history.h"

#include <cstdlib>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace hw1::train {
namespace {

TrainResult MakeResult(std::vector<double> val_accs, bool diverged = false) {
  TrainResult result;
  result.precision = "bf16";
  int epoch = 0;
  for (double acc : val_accs) {
    EpochMetrics m;
    m.epoch = ++epoch;
    m.train_loss = 2.0 / epoch;
    m.val_acc = acc;
    m.seconds = 10;
    m.images_per_second = 1000 + epoch;
    result.history.push_back(m);
  }
  result.diverged = diverged;
  return result;
}

TEST(HistoryTest, SummaryFields) {
  const RunSummary s = Summarize(MakeResult({0.3, 0.6, 0.5, 0.7}), /*target=*/0.55);
  EXPECT_EQ(s.epochs_completed, 4);
  EXPECT_DOUBLE_EQ(s.final_val_acc, 0.7);
  EXPECT_DOUBLE_EQ(s.best_val_acc, 0.7);
  EXPECT_EQ(s.best_epoch, 4);
  EXPECT_EQ(s.epochs_to_target, 2);
  EXPECT_DOUBLE_EQ(s.final_train_loss, 0.5);
  EXPECT_DOUBLE_EQ(s.wall_seconds, 40);
  EXPECT_DOUBLE_EQ(s.mean_images_per_second, 1002.5);
  EXPECT_FALSE(s.diverged);
}

TEST(HistoryTest, TiesKeepTheFirstBestEpochAndReachingTheTargetExactlyCounts) {
  // As Keras' "best" (np.greater): a later epoch that only equals the best
  // does not move it. The target (claim (a)'s "epochs to reach") is >=.
  const RunSummary s = Summarize(MakeResult({0.5, 0.75, 0.625, 0.75}), /*target=*/0.75);
  EXPECT_EQ(s.best_epoch, 2);
  EXPECT_DOUBLE_EQ(s.best_val_acc, 0.75);
  EXPECT_EQ(s.epochs_to_target, 2);
}

TEST(HistoryTest, NeverReachingTheTargetAndDiverging) {
  const RunSummary never = Summarize(MakeResult({0.1, 0.1}), 0.8);
  EXPECT_EQ(never.epochs_to_target, 0);
  const RunSummary diverged = Summarize(MakeResult({0.2}, /*diverged=*/true), 0.8);
  EXPECT_TRUE(diverged.diverged);
  EXPECT_DOUBLE_EQ(diverged.final_val_acc, 0.2);  // last finite metrics
  const RunSummary empty = Summarize(MakeResult({}, true));
  EXPECT_EQ(empty.epochs_completed, 0);
  EXPECT_EQ(empty.best_epoch, 0);
}

TEST(HistoryTest, RunIdsSayWhatRan) {
  EXPECT_EQ(MakeRunId({"bn", 1e-3, 1, "bf16", 2}), "bn_lr0.001_seed1_bf16_t2");
  EXPECT_EQ(MakeRunId({"baseline", 1e-4, 0, "fp32", 1, 3, 32, 1e-6, 2000, 500}),
            "baseline_lr0.0001_seed0_fp32_t1_e3_train2000_test500");
  // Everything that changes the numbers changes the id.
  const RunIdentity base{"bn", 1e-3, 1, "bf16", 2};
  const std::vector<std::function<void(RunIdentity&)>> changes = {
      [](RunIdentity& r) { r.arm = "baseline"; },
      [](RunIdentity& r) { r.lr = 2e-3; },
      [](RunIdentity& r) { r.seed = 2; },
      [](RunIdentity& r) { r.precision = "fp32"; },
      [](RunIdentity& r) { r.threads = 1; },
      [](RunIdentity& r) { r.epochs = 3; },
      [](RunIdentity& r) { r.batch_size = 64; },
      [](RunIdentity& r) { r.decay = 0; },
      [](RunIdentity& r) { r.train_limit = 100; },
      [](RunIdentity& r) { r.test_limit = 100; },
      [](RunIdentity& r) { r.libtorch = "2.15"; },
      [](RunIdentity& r) { r.init = "torch"; },
      [](RunIdentity& r) { r.architecture = "w32-64-64-64"; }};
  std::set<std::string> ids = {MakeRunId(base)};
  for (const auto& change : changes) {
    RunIdentity changed = base;
    change(changed);
    ids.insert(MakeRunId(changed));
  }
  EXPECT_EQ(ids.size(), changes.size() + 1);
  RunIdentity torch2 = base;
  torch2.libtorch = "2.15";
  EXPECT_EQ(MakeRunId(torch2), "bn_lr0.001_seed1_bf16_t2_torch2.15");
  RunIdentity torch_init = base;
  torch_init.init = "torch";
  torch_init.epochs = 3;
  EXPECT_EQ(MakeRunId(torch_init), "bn_lr0.001_seed1_bf16_t2_e3_inittorch");
  RunIdentity wider = base;
  wider.architecture = "w32-64-64-64_d0-0-0";
  EXPECT_EQ(MakeRunId(wider), "bn_lr0.001_seed1_bf16_t2_w32-64-64-64_d0-0-0");
}

TEST(HistoryTest, CheckpointsAreKeptPerProgram) {
  EXPECT_EQ(CheckpointFile("q3_train_cnn", "bn_lr0.001_seed1_bf16"),
            "checkpoints/q3_train_cnn/bn_lr0.001_seed1_bf16.ckpt");
  EXPECT_NE(CheckpointFile("q3_train_cnn", "a"), CheckpointFile("q4_bn_sweep", "a"));
}

TEST(HistoryTest, MergeKeepsOtherRunsAndReplacesItsOwn) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/history.csv";
  RunInfo a{"run_a", "baseline", 1e-4, 0, {}};
  RunInfo b{"run_b", "bn", 1e-3, 1, {}};
  ASSERT_TRUE(MergeRunRows(path, HistoryTable(a, MakeResult({0.1, 0.2}))).ok());
  ASSERT_TRUE(MergeRunRows(path, HistoryTable(b, MakeResult({0.3}))).ok());
  ASSERT_TRUE(MergeRunRows(path, HistoryTable(a, MakeResult({0.1, 0.2, 0.4}))).ok());
  absl::StatusOr<CsvTable> table = CsvTable::Read(path);
  ASSERT_TRUE(table.ok());
  ASSERT_EQ(table->num_rows(), 4u);
  EXPECT_EQ(table->Get(0, "run_id"), "run_b");
  EXPECT_EQ(table->Get(3, "val_acc"), "0.4");
  EXPECT_EQ(table->Get(3, "precision"), "bf16");
  // A table with other columns is refused, naming the file.
  RunInfo q4{"run_c", "bn", 1e-3, 1, {{"lr_multiplier", "10"}}};
  absl::Status status = MergeRunRows(path, HistoryTable(q4, MakeResult({0.5})));
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find(path), std::string::npos);
}

}  // namespace
}  // namespace hw1::train
