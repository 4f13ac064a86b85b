#include "lib/sweep/sweep_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "lib/train/collapse.h"
#include "lib/train/history.h"
#include "lib/train/run_id.h"
#include "lib/util/file_util.h"
#include "nlohmann/json.hpp"

namespace hw1::sweep {
namespace fs = std::filesystem;

// runs/<id>.json is a RunRecord, field for field; every field is required.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RunRecord, run_id, arm, signature, precision, init,
                                   val_prediction_counts, lr_multiplier, lr, seed, diverged,
                                   epochs_completed, wall_seconds, train_images)

namespace {

// Two fields are written only when they say something, so that records made
// before they existed stay byte for byte; read, they take RunRecord's defaults.
nlohmann::json ToJson(const RunRecord& r) {
  nlohmann::json j = r;
  if (r.init == RunRecord().init) j.erase("init");
  if (r.val_prediction_counts.empty()) j.erase("val_prediction_counts");
  return j;
}

// runs/<run id>.json of sweep folder `dir`.
std::string RecordPath(const std::string& dir, const std::string& run_id) {
  return (fs::path(dir) / "runs" / (run_id + ".json")).string();
}

absl::Status WriteRecord(const std::string& dir, const RunRecord& record) {
  return WriteFileAtomically(RecordPath(dir, record.run_id), ToJson(record).dump(2) + "\n");
}

absl::StatusOr<RunRecord> ReadRecord(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    return absl::DataLossError(absl::StrCat(path, ": not a JSON object"));
  if (!j.contains("train_images")) {
    return absl::FailedPreconditionError(absl::StrCat(
        path,
        ": no train_images (a record made before the field existed); run "
        "`python3 -m tools.migrate.migrate_train_images <results folder>` once, from the "
        "repository root"));
  }
  if (!j.contains("init")) j["init"] = RunRecord().init;
  if (!j.contains("val_prediction_counts")) j["val_prediction_counts"] = nlohmann::json::array();
  try {
    return j.get<RunRecord>();
  } catch (const nlohmann::json::exception& e) {
    return absl::DataLossError(absl::StrCat(path, ": ", e.what()));
  }
}

// q4_history.csv, its columns checked (an empty table when there is none).
absl::StatusOr<CsvTable> ReadHistory(const std::string& path) {
  if (!fs::exists(path)) return CsvTable(HistoryColumns());
  absl::StatusOr<CsvTable> table = CsvTable::Read(path);
  if (!table.ok()) return table.status();
  std::vector<std::string> missing;
  for (const std::string& column : HistoryColumns()) {
    if (table->ColumnIndex(column) < 0) missing.push_back(column);
  }
  if (!missing.empty()) {
    return absl::DataLossError(
        absl::StrCat(path, ": no column ", absl::StrJoin(missing, ", "),
                     " (damaged header?); restore it from git or rerun the runs"));
  }
  return table;
}

// A sweep folder as read and checked: its records, each with its epochs.
struct FolderRuns {
  std::string dir;
  std::vector<RunRecord> records;
  std::map<std::string, std::vector<train::EpochMetrics>> epochs;  // run id -> its history
  CsvTable history{HistoryColumns()};
};

absl::StatusOr<FolderRuns> ReadFolder(const std::string& dir) {
  FolderRuns folder;
  folder.dir = dir;
  const std::string history_path = (fs::path(dir) / kHistoryCsv).string();
  absl::StatusOr<CsvTable> history = ReadHistory(history_path);
  if (!history.ok()) return history.status();
  folder.history = *std::move(history);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path(dir) / "runs", ec)) {
    if (entry.path().extension() != ".json") continue;
    absl::StatusOr<RunRecord> record = ReadRecord(entry.path().string());
    if (!record.ok()) return record.status();
    if (entry.path().stem().string() != record->run_id) {
      return absl::DataLossError(absl::StrCat(entry.path().string(), ": holds run ", record->run_id,
                                              "; a record's file name is its run id"));
    }
    absl::StatusOr<std::vector<train::EpochMetrics>> epochs =
        train::ReadRunHistory(folder.history, record->run_id, history_path);
    if (!epochs.ok()) return epochs.status();
    if (static_cast<int>(epochs->size()) != record->epochs_completed) {
      return absl::DataLossError(absl::StrCat(
          history_path, ": run ", record->run_id, " has ", epochs->size(),
          " epoch rows, its record ", entry.path().string(), " says ", record->epochs_completed,
          "; restore the history from git, or delete the record to train the run again"));
    }
    folder.epochs[record->run_id] = *std::move(epochs);
    folder.records.push_back(*std::move(record));
  }
  if (ec) return absl::InternalError(absl::StrCat(dir, "/runs: cannot list: ", ec.message()));
  std::sort(folder.records.begin(), folder.records.end(),
            [](const RunRecord& a, const RunRecord& b) {
              return std::tie(a.seed, a.init, a.arm, a.lr_multiplier, a.run_id) <
                     std::tie(b.seed, b.init, b.arm, b.lr_multiplier, b.run_id);
            });
  return folder;
}

// Equal results: every metric of every epoch (not the timings) and the outcome.
bool SameResults(const std::vector<train::EpochMetrics>& a,
                 const std::vector<train::EpochMetrics>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].epoch != b[i].epoch || a[i].train_loss != b[i].train_loss ||
        a[i].train_acc != b[i].train_acc || a[i].val_loss != b[i].val_loss ||
        a[i].val_acc != b[i].val_acc || a[i].lr_now != b[i].lr_now) {
      return false;
    }
  }
  return true;
}

}  // namespace

const std::vector<std::string>& HistoryColumns() {
  static const auto* columns =
      new std::vector<std::string>(train::HistoryColumns({"lr_multiplier"}));
  return *columns;
}

std::string ProtocolOf(const RunRecord& record) {
  // The id: <arm>_lr<lr>_seed<seed>_<precision>_t<threads><tail>; the tail
  // names epochs, batch size, decay, limits and LibTorch when not the
  // default, then the init (a dimension of the grid, like the arm: dropped).
  const std::string& id = record.run_id;
  size_t t = id.find("_t", id.find("_seed"));
  std::string tail;
  if (t != std::string::npos) {
    t += 2;
    while (t < id.size() && absl::ascii_isdigit(static_cast<unsigned char>(id[t]))) ++t;
    tail = id.substr(t);
  }
  if (const std::string init = absl::StrCat("_init", record.init); absl::EndsWith(tail, init)) {
    tail.resize(tail.size() - init.size());
  }
  std::vector<std::string> rest;
  bool first = true;
  for (absl::string_view token : absl::StrSplit(record.signature, ' ', absl::SkipEmpty())) {
    if (first) {  // the id itself
      first = false;
      continue;
    }
    if (!absl::StartsWith(token, "threads=")) rest.emplace_back(token);
  }
  return absl::StrCat(tail.empty() ? "(homework protocol)" : tail, " ", absl::StrJoin(rest, " "));
}

absl::Status CheckIsSweepFolder(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(fs::path(dir) / "runs", ec)) {
    return absl::NotFoundError(absl::StrCat(dir, ": not a q4_bn_sweep folder (no runs/ inside)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<SweepStore> SweepStore::Open(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(fs::path(dir) / "runs", ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", dir, ": ", ec.message()));
  const std::string lock_path = (fs::path(dir) / ".q4_bn_sweep.lock").string();
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return absl::InternalError(absl::StrCat("cannot open ", lock_path, ": ", std::strerror(errno)));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char pid[32] = {0};
    const ssize_t n = ::pread(fd, pid, sizeof(pid) - 1, 0);
    ::close(fd);
    return absl::FailedPreconditionError(
        absl::StrCat("another q4_bn_sweep (pid ",
                     n > 0 ? std::string(pid, static_cast<size_t>(n)) : "?", ") is writing ", dir,
                     " (lock ", lock_path, "); wait for it, or give this one another --out_dir"));
  }
  const std::string pid = std::to_string(::getpid());
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    // The pid is only a courtesy for the error above; the lock is what counts.
  }
  return SweepStore(dir, fd);
}

SweepStore::SweepStore(SweepStore&& other) noexcept
    : dir_(std::move(other.dir_)), lock_fd_(other.lock_fd_) {
  other.lock_fd_ = -1;
}

SweepStore::~SweepStore() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

std::string CheckpointPathIn(const std::string& dir, const RunSpec& run) {
  return (fs::path(dir) / train::CheckpointFile(kProgram, run.run_id)).string();
}

std::string WorkerResultPathIn(const std::string& dir, const RunSpec& run) {
  return fs::path(CheckpointPathIn(dir, run)).replace_extension(".result.json").string();
}

std::string WorkerProgressPathIn(const std::string& dir, const RunSpec& run) {
  return fs::path(CheckpointPathIn(dir, run)).replace_extension(".epochs").string();
}

std::string SweepStore::CheckpointPath(const RunSpec& run) const {
  return CheckpointPathIn(dir_, run);
}

absl::StatusOr<bool> SweepStore::IsComplete(const RunSpec& run) const {
  const std::string path = RecordPath(dir_, run.run_id);
  if (!fs::exists(path)) return false;
  absl::StatusOr<RunRecord> record = ReadRecord(path);
  if (!record.ok()) return record.status();
  if (record->signature != run.signature) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": run ", run.run_id, " was made with \"", record->signature,
                     "\", this sweep asks for \"", run.signature, "\"; use another --out_dir"));
  }
  return true;
}

absl::Status SweepStore::Check() const {
  absl::StatusOr<FolderRuns> folder = ReadFolder(dir_);
  return folder.status();
}

absl::Status SweepStore::RecordRun(const RunSpec& run, const train::TrainResult& result) {
  train::RunInfo info{
      run.run_id, run.arm, run.lr, run.seed, {{"lr_multiplier", FormatDouble(run.lr_multiplier)}}};
  if (absl::Status s = train::MergeRunRows((fs::path(dir_) / kHistoryCsv).string(),
                                           train::HistoryTable(info, result));
      !s.ok()) {
    return s;
  }
  const train::RunSummary summary = train::Summarize(result);
  RunRecord record;
  record.run_id = run.run_id;
  record.arm = run.arm;
  record.signature = run.signature;
  record.precision = result.precision;
  record.init = run.init;
  record.val_prediction_counts = result.val_prediction_counts;
  record.lr_multiplier = run.lr_multiplier;
  record.lr = run.lr;
  record.seed = run.seed;
  record.diverged = result.diverged;
  record.epochs_completed = summary.epochs_completed;
  record.train_images = result.train_images;
  record.wall_seconds = summary.wall_seconds;
  if (absl::Status s = WriteRecord(dir_, record); !s.ok()) return s;
  return WriteSummary();
}

absl::StatusOr<std::vector<RunRecord>> SweepStore::ReadRecords() const {
  absl::StatusOr<FolderRuns> folder = ReadFolder(dir_);
  if (!folder.ok()) return folder.status();
  return std::move(folder->records);
}

absl::StatusOr<CsvTable> BuildSummary(const std::vector<RunRecord>& records,
                                      const CsvTable& history, const std::string& history_source) {
  CsvTable summary({"run_id", "arm", "lr_multiplier", "lr", "seed", "train_images", "final_val_acc",
                    "best_val_acc", "best_epoch", "epochs_to_target", "target_val_acc",
                    "final_train_loss", "diverged", "wall_seconds", "precision"});
  std::map<std::string, train::TrainResult> results;
  for (const RunRecord& r : records) {
    absl::StatusOr<std::vector<train::EpochMetrics>> epochs =
        train::ReadRunHistory(history, r.run_id, history_source);
    if (!epochs.ok()) return epochs.status();
    train::TrainResult result;
    result.history = *epochs;
    result.diverged = r.diverged;
    results[r.run_id] = result;
  }
  for (const RunRecord& r : records) {
    // The target: the same seed's baseline ×1 run (same precision and protocol).
    double target = 0;
    for (const RunRecord& other : records) {
      if (other.arm == "baseline" && other.lr_multiplier == 1 && other.seed == r.seed &&
          other.init == r.init && other.precision == r.precision &&
          ProtocolOf(other) == ProtocolOf(r) && !results[other.run_id].history.empty()) {
        target = results[other.run_id].history.back().val_acc;
      }
    }
    const train::RunSummary s = train::Summarize(results[r.run_id], target);
    const bool has_epochs = s.epochs_completed > 0;
    summary.AddRow(
        {r.run_id, r.arm, FormatDouble(r.lr_multiplier), FormatDouble(r.lr), absl::StrCat(r.seed),
         absl::StrCat(r.train_images), has_epochs ? FormatDouble(s.final_val_acc) : "",
         has_epochs ? FormatDouble(s.best_val_acc) : "",
         has_epochs ? absl::StrCat(s.best_epoch) : "",
         s.epochs_to_target > 0 ? absl::StrCat(s.epochs_to_target) : "",
         target > 0 ? FormatDouble(target) : "", has_epochs ? FormatDouble(s.final_train_loss) : "",
         FormatBool(r.diverged), FormatDouble(r.wall_seconds), r.precision});
  }
  return summary;
}

absl::StatusOr<CsvTable> BuildCollapseTable(const std::vector<RunRecord>& records,
                                            const CsvTable& history,
                                            const std::string& history_source) {
  CsvTable table({"run_id", "init", "arm", "lr_multiplier", "seed", "epochs", "train_images",
                  "final_val_acc", "majority_class_share", "collapsed", "diverged", "precision"});
  for (const RunRecord& r : records) {
    absl::StatusOr<std::vector<train::EpochMetrics>> epochs =
        train::ReadRunHistory(history, r.run_id, history_source);
    if (!epochs.ok()) return epochs.status();
    std::string final_val_acc, share, collapsed;
    if (!r.diverged && !epochs->empty()) {
      const double val_acc = epochs->back().val_acc;
      const double majority = train::MajorityClassShare(r.val_prediction_counts);
      final_val_acc = FormatDouble(val_acc);
      if (majority >= 0) {
        share = FormatDouble(majority);
        collapsed = FormatBool(train::IsCollapsed(val_acc, majority));
      } else if (val_acc > train::kCollapseMaxValAcc) {
        collapsed = FormatBool(false);  // above chance: not collapsed, whatever the share
      }
    } else if (r.diverged) {
      collapsed = FormatBool(false);
    }
    table.AddRow({r.run_id, r.init, r.arm, FormatDouble(r.lr_multiplier), absl::StrCat(r.seed),
                  absl::StrCat(r.epochs_completed), absl::StrCat(r.train_images), final_val_acc,
                  share, collapsed, FormatBool(r.diverged), r.precision});
  }
  return table;
}

absl::Status SweepStore::WriteSummary() const {
  absl::StatusOr<FolderRuns> folder = ReadFolder(dir_);
  if (!folder.ok()) return folder.status();
  const std::string history_source = (fs::path(dir_) / kHistoryCsv).string();
  absl::StatusOr<CsvTable> summary = BuildSummary(folder->records, folder->history, history_source);
  if (!summary.ok()) return summary.status();
  absl::StatusOr<CsvTable> collapse =
      BuildCollapseTable(folder->records, folder->history, history_source);
  if (!collapse.ok()) return collapse.status();
  if (absl::Status s = summary->Write((fs::path(dir_) / kSummaryCsv).string()); !s.ok()) return s;
  return collapse->Write((fs::path(dir_) / kCollapseCsv).string());
}

absl::Status SweepStore::Merge(const std::vector<std::string>& shard_dirs) {
  // 1. Read and check everything; decide which runs are new.
  absl::StatusOr<FolderRuns> own = ReadFolder(dir_);
  if (!own.ok()) return own.status();
  struct Seen {
    const RunRecord* record;
    const std::vector<train::EpochMetrics>* epochs;
    std::string dir;
  };
  std::map<std::string, Seen> seen;  // run id -> where it was first found
  std::string protocol, protocol_of;
  std::vector<FolderRuns> shards;
  shards.reserve(shard_dirs.size());
  std::vector<std::pair<const FolderRuns*, const RunRecord*>> incoming;
  auto admit = [&](const FolderRuns& folder, const RunRecord& r) -> absl::StatusOr<bool> {
    const std::string p = ProtocolOf(r);
    if (protocol.empty()) {
      protocol = p;
      protocol_of = absl::StrCat("run ", r.run_id, " in ", folder.dir);
    } else if (p != protocol) {
      return absl::FailedPreconditionError(
          absl::StrCat("run ", r.run_id, " in ", folder.dir, " has protocol \"", p, "\", ",
                       protocol_of, " has \"", protocol,
                       "\"; one sweep folder holds one protocol (epochs, batch size, decay, "
                       "limits, LibTorch, data): merge "
                       "these into separate folders. Nothing was written."));
    }
    auto it = seen.find(r.run_id);
    if (it == seen.end()) {
      seen[r.run_id] = {&r, &folder.epochs.at(r.run_id), folder.dir};
      return true;
    }
    const Seen& first = it->second;
    if (first.record->signature != r.signature) {
      return absl::FailedPreconditionError(
          absl::StrCat("run ", r.run_id, " was made as \"", first.record->signature, "\" in ",
                       first.dir, " but as \"", r.signature, "\" in ", folder.dir,
                       "; keep one of them. Nothing was written."));
    }
    if (first.record->diverged != r.diverged ||
        first.record->val_prediction_counts != r.val_prediction_counts ||
        !SameResults(*first.epochs, folder.epochs.at(r.run_id))) {
      return absl::FailedPreconditionError(absl::StrCat(
          "run ", r.run_id, " has different results in ", first.dir, " and ", folder.dir,
          " (same configuration; a damaged or hand-edited history?); keep one of them. Nothing was "
          "written."));
    }
    return false;  // the same run twice
  };
  for (const RunRecord& r : own->records) {
    if (absl::StatusOr<bool> fresh = admit(*own, r); !fresh.ok()) return fresh.status();
  }
  for (const std::string& dir : shard_dirs) {
    if (absl::Status s = CheckIsSweepFolder(dir); !s.ok()) return s;
    absl::StatusOr<FolderRuns> shard = ReadFolder(dir);
    if (!shard.ok()) return shard.status();
    shards.push_back(*std::move(shard));
  }
  for (const FolderRuns& shard : shards) {
    for (const RunRecord& r : shard.records) {
      absl::StatusOr<bool> fresh = admit(shard, r);
      if (!fresh.ok()) return fresh.status();
      if (*fresh) incoming.emplace_back(&shard, &r);
    }
  }
  if (incoming.empty()) return WriteSummary();

  // 2. Write: the history in one file, then the records, then the summary.
  CsvTable history = own->history;
  for (const auto& [shard, record] : incoming) {
    const size_t run_id =
        static_cast<size_t>(shard->history.ColumnIndex("run_id"));  // present: ReadHistory checked
    for (const auto& row : shard->history.rows()) {
      if (row[run_id] != record->run_id) continue;
      std::vector<std::string> ordered;  // in this folder's column order
      for (const std::string& column : history.header()) {
        const int index = shard->history.ColumnIndex(column);
        ordered.push_back(index < 0 ? "" : row[static_cast<size_t>(index)]);
      }
      history.AddRow(std::move(ordered));
    }
  }
  if (absl::Status s = history.Write((fs::path(dir_) / kHistoryCsv).string()); !s.ok()) return s;
  for (const auto& [shard, record] : incoming) {
    if (absl::Status s = WriteRecord(dir_, *record); !s.ok()) return s;
  }
  return WriteSummary();
}

}  // namespace hw1::sweep
