#include "lib/train/history.h"

#include <cstdlib>
#include <functional>
#include <set>
#include <string>
#include <thread>
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

// The writer and the reader walk one list of columns: every field of every
// epoch comes back as written, the extra columns after arm.
TEST(HistoryTest, WrittenHistoryReadsBackFieldForField) {
  TrainResult result;
  result.precision = "fp32";
  for (int e = 1; e <= 2; ++e) {
    result.history.push_back(
        {e, 0.1 * e, 0.2 * e, 0.3 * e, 0.4 * e, 1e-4 / e, 10.5 * e, 900.25 * e});
  }
  const CsvTable table = HistoryTable({"r1", "bn", 1e-3, 7, {{"lr_multiplier", "10"}}}, result);
  EXPECT_EQ(table.header(), HistoryColumns({"lr_multiplier"}));
  EXPECT_EQ(table.header(),
            (std::vector<std::string>{"run_id", "arm", "lr_multiplier", "lr", "seed", "epoch",
                                      "train_loss", "train_acc", "val_loss", "val_acc", "lr_now",
                                      "seconds", "images_per_second", "precision"}));
  // Each number under its own name (a round trip alone would not see two swapped).
  EXPECT_EQ(table.Get(1, "epoch"), "2");
  EXPECT_EQ(table.Get(1, "train_loss"), "0.2");
  EXPECT_EQ(table.Get(1, "train_acc"), "0.4");
  EXPECT_EQ(table.Get(1, "val_loss"), "0.6");
  EXPECT_EQ(table.Get(1, "val_acc"), "0.8");
  EXPECT_EQ(table.Get(1, "lr_now"), "5e-05");
  EXPECT_EQ(table.Get(1, "seconds"), "21");
  EXPECT_EQ(table.Get(1, "images_per_second"), "1800.5");
  absl::StatusOr<std::vector<EpochMetrics>> read = ReadRunHistory(table, "r1", "test");
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const EpochMetrics& a = result.history[i];
    const EpochMetrics& b = (*read)[i];
    EXPECT_EQ(b.epoch, a.epoch);
    EXPECT_EQ(b.train_loss, a.train_loss);
    EXPECT_EQ(b.train_acc, a.train_acc);
    EXPECT_EQ(b.val_loss, a.val_loss);
    EXPECT_EQ(b.val_acc, a.val_acc);
    EXPECT_EQ(b.lr_now, a.lr_now);
    EXPECT_EQ(b.seconds, a.seconds);
    EXPECT_EQ(b.images_per_second, a.images_per_second);
  }
}

// Several runs merging into one CSV at once (two q3_train_cnn processes, one
// folder) keep every run's rows.
TEST(HistoryTest, ConcurrentMergesKeepEveryRun) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/concurrent/history.csv";
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&path, t] {
      const RunInfo run{"run" + std::to_string(t), "baseline", 1e-4, static_cast<uint64_t>(t), {}};
      std::vector<double> accs;
      for (int epoch = 1; epoch <= 15; ++epoch) {
        accs.push_back(0.01 * epoch);
        const absl::Status status = MergeRunRows(path, HistoryTable(run, MakeResult(accs)));
        EXPECT_TRUE(status.ok()) << status;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  absl::StatusOr<CsvTable> table = CsvTable::Read(path);
  ASSERT_TRUE(table.ok()) << table.status();
  for (int t = 0; t < 4; ++t) {
    absl::StatusOr<std::vector<EpochMetrics>> epochs =
        ReadRunHistory(*table, "run" + std::to_string(t), path);
    ASSERT_TRUE(epochs.ok());
    EXPECT_EQ(epochs->size(), 15u) << "run" << t;
  }
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
