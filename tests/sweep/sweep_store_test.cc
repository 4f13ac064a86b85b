#include "lib/sweep/sweep_store.h"

#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "lib/util/file_util.h"

namespace hw1::sweep {
namespace {
namespace fs = std::filesystem;

std::string FreshDir(const std::string& name) {
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  fs::remove_all(dir);
  return dir;
}

RunSpec MakeRun(const std::string& arm, double multiplier, uint64_t seed = 0, int epochs = 25,
                const std::string& data = "0123456789ab") {
  SweepConfig config;
  config.arms = {arm};
  config.lr_multipliers = {multiplier};
  config.seeds = {seed};
  config.train.precision = train::Precision::kBf16;
  config.train.threads = 2;
  config.train.epochs = epochs;
  config.data_digest = data;
  return BuildPlan(config)[0];
}

RunSpec MakeRunWithInit(const std::string& arm, double multiplier, uint64_t seed,
                        const std::string& init) {
  SweepConfig config;
  config.arms = {arm};
  config.lr_multipliers = {multiplier};
  config.seeds = {seed};
  config.inits = {init};
  config.train.precision = train::Precision::kFp32;
  config.train.threads = 1;
  config.train.epochs = 3;
  config.data_digest = "0123456789ab";
  return BuildPlan(config)[0];
}

// A sweep folder holding `runs`, each with its result.
void MakeFolder(const std::string& dir,
                const std::vector<std::pair<RunSpec, train::TrainResult>>& runs) {
  absl::StatusOr<SweepStore> store = SweepStore::Open(dir);
  ASSERT_TRUE(store.ok()) << store.status();
  for (const auto& [run, result] : runs) ASSERT_TRUE(store->RecordRun(run, result).ok());
}

std::string Contents(const std::string& path) {
  absl::StatusOr<CsvTable> table = CsvTable::Read(path);
  return table.ok() ? table->ToString() : std::string(table.status().message());
}

train::TrainResult Result(std::vector<double> val_accs, bool diverged = false) {
  train::TrainResult result;
  result.precision = "bf16";
  int epoch = 0;
  for (double acc : val_accs) {
    train::EpochMetrics m;
    m.epoch = ++epoch;
    m.train_loss = 1.0 / epoch;
    m.val_acc = acc;
    m.seconds = 2;
    result.history.push_back(m);
  }
  result.diverged = diverged;
  return result;
}

TEST(SweepStoreTest, RecordsSkipsAndSummarises) {
  const std::string dir = FreshDir("store");
  absl::StatusOr<SweepStore> store = SweepStore::Open(dir);
  ASSERT_TRUE(store.ok()) << store.status();
  const RunSpec baseline = MakeRun("baseline", 1), bn = MakeRun("bn", 10),
                fast_baseline = MakeRun("baseline", 5);
  EXPECT_FALSE(*store->IsComplete(baseline));
  ASSERT_TRUE(store->RecordRun(baseline, Result({0.4, 0.6, 0.7})).ok());
  ASSERT_TRUE(store->RecordRun(bn, Result({0.65, 0.75, 0.8})).ok());
  ASSERT_TRUE(store->RecordRun(fast_baseline, Result({0.1}, /*diverged=*/true)).ok());
  EXPECT_TRUE(*store->IsComplete(baseline));
  EXPECT_TRUE(*store->IsComplete(bn));

  absl::StatusOr<CsvTable> summary = CsvTable::Read(dir + "/q4_summary.csv");
  ASSERT_TRUE(summary.ok()) << summary.status();
  ASSERT_EQ(summary->num_rows(), 3u);
  // Sorted: baseline ×1, baseline ×5, bn ×10.
  EXPECT_EQ(summary->Get(0, "epochs_to_target"), "3");  // reaches its own final accuracy at the end
  EXPECT_EQ(summary->Get(1, "diverged"), "true");
  EXPECT_EQ(summary->Get(1, "final_val_acc"), "0.1");  // last finite metrics
  EXPECT_EQ(summary->Get(1, "epochs_to_target"), "");  // never
  EXPECT_EQ(summary->Get(2, "arm"), "bn");
  EXPECT_EQ(summary->Get(2, "epochs_to_target"), "2");  // 0.75 >= 0.7
  EXPECT_EQ(summary->Get(2, "target_val_acc"), "0.7");
  EXPECT_EQ(summary->Get(2, "best_epoch"), "3");
  EXPECT_EQ(summary->Get(2, "wall_seconds"), "6");

  absl::StatusOr<CsvTable> history = CsvTable::Read(dir + "/q4_history.csv");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->num_rows(), 7u);
  EXPECT_EQ(history->Get(3, "lr_multiplier"), "10");
}

TEST(SweepStoreTest, RecordsSayWhatARunTrainedOn) {
  const std::string dir = FreshDir("train_images");
  const RunSpec run = MakeRun("baseline", 1);
  train::TrainResult result = Result({0.4, 0.5});
  result.train_images = 500;
  MakeFolder(dir, {{run, result}});
  absl::StatusOr<CsvTable> summary = CsvTable::Read(dir + "/q4_summary.csv");
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->Get(0, "train_images"), "500");
  absl::StatusOr<CsvTable> collapse = CsvTable::Read(dir + "/q4_collapse.csv");
  ASSERT_TRUE(collapse.ok()) << collapse.status();
  EXPECT_EQ(collapse->Get(0, "train_images"), "500");

  // The record: every field, but init and counts only when they say something.
  const std::string record_path = dir + "/runs/" + run.run_id + ".json";
  absl::StatusOr<std::string> text = ReadFile(record_path);
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("\"train_images\": 500"), std::string::npos) << *text;
  EXPECT_EQ(text->find("\"init\""), std::string::npos) << *text;
  EXPECT_EQ(text->find("val_prediction_counts"), std::string::npos) << *text;
  absl::StatusOr<SweepStore> store = SweepStore::Open(dir);
  ASSERT_TRUE(store.ok());
  absl::StatusOr<std::vector<RunRecord>> records = store->ReadRecords();
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_EQ((*records)[0].train_images, 500);
  EXPECT_EQ((*records)[0].init, "keras");
  EXPECT_EQ((*records)[0].signature, run.signature);

  // A record from before the field: refused, naming the file and the migration.
  const std::string without = absl::StrReplaceAll(*text, {{"\"train_images\": 500,\n", ""}});
  ASSERT_NE(without, *text);
  ASSERT_TRUE(WriteFileAtomically(record_path, without).ok());
  const absl::Status status = store->Check();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find(record_path), std::string::npos) << status;
  EXPECT_NE(status.message().find("python3 -m tools.migrate.migrate_train_images"),
            std::string::npos)
      << status;
}

TEST(SweepStoreTest, AnotherSignatureIsAnError) {
  const std::string dir = FreshDir("signature");
  absl::StatusOr<SweepStore> store = SweepStore::Open(dir);
  ASSERT_TRUE(store.ok());
  RunSpec run = MakeRun("bn", 1);
  ASSERT_TRUE(store->RecordRun(run, Result({0.5})).ok());
  run.signature += " batch=64";
  absl::StatusOr<bool> complete = store->IsComplete(run);
  ASSERT_FALSE(complete.ok());
  EXPECT_NE(complete.status().message().find("use another --out_dir"), std::string::npos);
}

TEST(SweepStoreTest, SecondProcessIsRefused) {
  const std::string dir = FreshDir("lock");
  absl::StatusOr<SweepStore> store = SweepStore::Open(dir);
  ASSERT_TRUE(store.ok());
  // flock locks belong to open files: a child process opening the folder must fail.
  const pid_t child = fork();
  if (child == 0) {
    absl::StatusOr<SweepStore> second = SweepStore::Open(dir);
    _exit(!second.ok() && second.status().message().find("is writing") != std::string::npos ? 0
                                                                                            : 1);
  }
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(SweepStoreTest, MergeCombinesShards) {
  const std::string a = FreshDir("shard_a"), b = FreshDir("shard_b"), merged = FreshDir("merged");
  {
    absl::StatusOr<SweepStore> store = SweepStore::Open(a);
    ASSERT_TRUE(store->RecordRun(MakeRun("baseline", 1), Result({0.5, 0.6})).ok());
  }
  {
    absl::StatusOr<SweepStore> store = SweepStore::Open(b);
    ASSERT_TRUE(store->RecordRun(MakeRun("bn", 1), Result({0.6, 0.7})).ok());
  }
  absl::StatusOr<SweepStore> store = SweepStore::Open(merged);
  ASSERT_TRUE(store->Merge({a}).ok());
  ASSERT_TRUE(store->Merge({b, b}).ok());
  ASSERT_TRUE(store->Merge({b}).ok());  // twice changes nothing
  absl::StatusOr<CsvTable> summary = CsvTable::Read(merged + "/q4_summary.csv");
  ASSERT_EQ(summary->num_rows(), 2u);
  EXPECT_EQ(summary->Get(1, "epochs_to_target"), "1");  // bn's 0.6 reaches baseline's 0.6
  EXPECT_EQ(CsvTable::Read(merged + "/q4_history.csv")->num_rows(), 4u);
  EXPECT_FALSE(store->Merge({FreshDir("not_a_sweep")}).ok());
}

// Merge refuses, writes nothing, and the order of the folders does not matter.
void ExpectMergeRefused(const std::vector<std::string>& shards, const std::string& needle) {
  for (bool reversed : {false, true}) {
    const std::string merged = FreshDir("merged_refused");
    MakeFolder(merged, {{MakeRun("baseline", 1), Result({0.5, 0.6})}});
    const std::string before = Contents(merged + "/q4_history.csv");
    std::vector<std::string> order = shards;
    if (reversed) std::reverse(order.begin(), order.end());
    absl::StatusOr<SweepStore> store = SweepStore::Open(merged);
    const absl::Status status = store->Merge(order);
    ASSERT_FALSE(status.ok()) << "reversed=" << reversed;
    EXPECT_NE(status.message().find(needle), std::string::npos) << status.message();
    EXPECT_EQ(Contents(merged + "/q4_history.csv"), before);
    EXPECT_EQ(std::distance(fs::directory_iterator(merged + "/runs"), fs::directory_iterator()), 1);
  }
}

TEST(SweepStoreTest, MergeRefusesTheSameRunWithOtherResults) {
  const std::string a = FreshDir("conflict_a"), b = FreshDir("conflict_b");
  MakeFolder(a, {{MakeRun("bn", 1), Result({0.6, 0.7})}});
  MakeFolder(b, {{MakeRun("bn", 1), Result({0.6, 0.71})}});
  ExpectMergeRefused({a, b}, "has different results in");
}

TEST(SweepStoreTest, MergeRefusesOtherDataOrProtocol) {
  const std::string data = FreshDir("other_data"), epochs = FreshDir("other_epochs");
  MakeFolder(data, {{MakeRun("bn", 1, 0, 25, "ffffffffffff"), Result({0.6})}});
  ExpectMergeRefused({data}, "data=ffffffffffff");
  MakeFolder(epochs, {{MakeRun("bn", 5, 0, 3), Result({0.6, 0.7, 0.75})}});
  ExpectMergeRefused({epochs}, "one sweep folder holds one protocol");
  // The same id made another way (here: other data, same id) is named as such.
  const std::string same_id = FreshDir("same_id");
  MakeFolder(same_id, {{MakeRun("baseline", 1, 0, 25, "ffffffffffff"), Result({0.5, 0.6})}});
  ExpectMergeRefused({same_id}, "protocol");
}

TEST(SweepStoreTest, MergeRefusesDamagedFoldersWithoutAborting) {
  const std::string header = FreshDir("damaged_header"), rows = FreshDir("missing_rows");
  MakeFolder(header, {{MakeRun("bn", 1), Result({0.6, 0.7})}});
  {
    std::string text = Contents(header + "/q4_history.csv");
    text.replace(0, text.find(','), "rnu_id");
    ASSERT_TRUE(WriteFileAtomically(header + "/q4_history.csv", text).ok());
  }
  ExpectMergeRefused({header}, header + "/q4_history.csv: no column run_id");
  MakeFolder(rows, {{MakeRun("bn", 1), Result({0.6, 0.7})}});
  {
    std::string text = Contents(rows + "/q4_history.csv");
    text.erase(text.rfind('\n', text.size() - 2) + 1);  // the last epoch's row
    ASSERT_TRUE(WriteFileAtomically(rows + "/q4_history.csv", text).ok());
  }
  ExpectMergeRefused({rows}, "has 1 epoch rows, its record");
  // The folder's own check, before a sweep plans, finds the same.
  absl::StatusOr<SweepStore> store = SweepStore::Open(rows);
  EXPECT_NE(store->Check().message().find("delete the record to train the run again"),
            std::string::npos);
}

TEST(SweepStoreTest, ProtocolIgnoresWhatOneGridVaries) {
  RunRecord a{MakeRun("bn", 10, 1).run_id, "bn", MakeRun("bn", 10, 1).signature};
  RunRecord b{MakeRun("baseline", 1, 0).run_id, "baseline", MakeRun("baseline", 1, 0).signature};
  EXPECT_EQ(ProtocolOf(a), ProtocolOf(b));
  RunRecord c{MakeRun("bn", 10, 1, 3).run_id, "bn", MakeRun("bn", 10, 1, 3).signature};
  EXPECT_NE(ProtocolOf(a), ProtocolOf(c));
  EXPECT_EQ(ProtocolOf(a),
            "(homework protocol) batch=32 decay=1e-06 libtorch=1.13 data=0123456789ab");
}

train::TrainResult Predicting(double val_acc, std::vector<int64_t> counts, bool diverged = false) {
  train::TrainResult result = Result({0.3, val_acc}, diverged);
  result.precision = "fp32";
  if (!diverged) result.val_prediction_counts = std::move(counts);
  return result;
}

TEST(SweepStoreTest, CollapseTableAppliesTheRuleToEachRun) {
  const std::string dir = FreshDir("collapse");
  const std::vector<int64_t> one_class = {9500, 0, 0, 500, 0, 0, 0, 0, 0, 0};  // share 0.95
  const std::vector<int64_t> spread = {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000};
  MakeFolder(
      dir,
      {
          {MakeRunWithInit("baseline", 5, 0, "torch"), Predicting(0.1, one_class)},  // collapsed
          {MakeRunWithInit("baseline", 5, 0, "keras"),
           Predicting(0.1, spread)},  // at chance, not one class
          {MakeRunWithInit("baseline", 10, 0, "keras"),
           Predicting(0.2, one_class)},  // one class, above 0.15
          {MakeRunWithInit("bn", 5, 0, "keras"), Predicting(0.6, spread)},
          {MakeRunWithInit("baseline", 30, 0, "keras"), Predicting(0.1, {}, /*diverged=*/true)},
      });
  absl::StatusOr<CsvTable> table = CsvTable::Read(dir + "/q4_collapse.csv");
  ASSERT_TRUE(table.ok()) << table.status();
  ASSERT_EQ(table->num_rows(), 5u);
  std::map<std::string, std::vector<std::string>>
      rows;  // "init arm multiplier" -> share, collapsed, diverged
  for (size_t i = 0; i < table->num_rows(); ++i) {
    EXPECT_EQ(table->Get(i, "epochs"), "2");  // epochs completed (a diverged run: its finite ones)
    EXPECT_EQ(table->Get(i, "precision"), "fp32");
    rows[table->Get(i, "init") + " " + table->Get(i, "arm") + " " +
         table->Get(i, "lr_multiplier")] = {table->Get(i, "final_val_acc"),
                                            table->Get(i, "majority_class_share"),
                                            table->Get(i, "collapsed"), table->Get(i, "diverged")};
  }
  EXPECT_EQ(rows["torch baseline 5"], (std::vector<std::string>{"0.1", "0.95", "true", "false"}));
  EXPECT_EQ(rows["keras baseline 5"], (std::vector<std::string>{"0.1", "0.1", "false", "false"}));
  EXPECT_EQ(rows["keras baseline 10"], (std::vector<std::string>{"0.2", "0.95", "false", "false"}));
  EXPECT_EQ(rows["keras bn 5"], (std::vector<std::string>{"0.6", "0.1", "false", "false"}));
  EXPECT_EQ(rows["keras baseline 30"], (std::vector<std::string>{"", "", "false", "true"}));

  // The init and the counts survive a merge into another folder (records read back).
  const std::string merged = FreshDir("collapse_merged");
  absl::StatusOr<SweepStore> store = SweepStore::Open(merged);
  ASSERT_TRUE(store->Merge({dir}).ok());  // both inits: one protocol
  EXPECT_EQ(Contents(merged + "/q4_collapse.csv"), Contents(dir + "/q4_collapse.csv"));
}

TEST(SweepStoreTest, RecordsWithoutCountsAreJudgedWhereTheyCanBe) {
  // Records made before prediction counts were kept: above 0.15 is never a
  // collapse; at or below it the share is unknown, so is the verdict.
  std::vector<RunRecord> records = {
      {"a", "baseline", "a x", "bf16", "keras", {}, 5, 5e-4, 0, false, 1, 1},
      {"b", "baseline", "b x", "bf16", "keras", {}, 10, 1e-3, 0, false, 1, 1}};
  CsvTable history(HistoryColumns());
  history.AddRow({"a", "baseline", "5", "0.0005", "0", "1", "1", "0.5", "1", "0.7", "0.0005", "1",
                  "1", "bf16"});
  history.AddRow({"b", "baseline", "10", "0.001", "0", "1", "2", "0.1", "2.3", "0.1", "0.001", "1",
                  "1", "bf16"});
  absl::StatusOr<CsvTable> table = BuildCollapseTable(records, history, "history");
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->Get(0, "collapsed"), "false");
  EXPECT_EQ(table->Get(0, "majority_class_share"), "");
  EXPECT_EQ(table->Get(1, "collapsed"), "");
}

TEST(SweepStoreTest, InitIsAGridDimensionNotAProtocol) {
  const RunSpec keras = MakeRunWithInit("baseline", 5, 0, "keras"),
                torch = MakeRunWithInit("baseline", 5, 0, "torch");
  RunRecord a{keras.run_id, "baseline", keras.signature, "fp32", "keras"};
  RunRecord b{torch.run_id, "baseline", torch.signature, "fp32", "torch"};
  EXPECT_NE(a.run_id, b.run_id);
  EXPECT_EQ(ProtocolOf(a), ProtocolOf(b));
  EXPECT_EQ(ProtocolOf(b), "_e3 batch=32 decay=1e-06 libtorch=1.13 data=0123456789ab");
}

}  // namespace
}  // namespace hw1::sweep
