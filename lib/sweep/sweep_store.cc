#include "lib/sweep/sweep_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "lib/train/history.h"
#include "lib/util/file_util.h"
#include "nlohmann/json.hpp"

namespace hw1::sweep {
namespace fs = std::filesystem;

namespace {

nlohmann::json ToJson(const RunRecord& r) {
  return {{"run_id", r.run_id},       {"arm", r.arm},
          {"signature", r.signature}, {"precision", r.precision},
          {"lr_multiplier", r.lr_multiplier}, {"lr", r.lr},
          {"seed", r.seed},           {"diverged", r.diverged},
          {"epochs_completed", r.epochs_completed}, {"wall_seconds", r.wall_seconds}};
}

absl::StatusOr<RunRecord> ReadRecord(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  const nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return absl::DataLossError(absl::StrCat(path, ": not a JSON object"));
  try {
    RunRecord r;
    r.run_id = j.at("run_id").get<std::string>();
    r.arm = j.at("arm").get<std::string>();
    r.signature = j.at("signature").get<std::string>();
    r.precision = j.at("precision").get<std::string>();
    r.lr_multiplier = j.at("lr_multiplier").get<double>();
    r.lr = j.at("lr").get<double>();
    r.seed = j.at("seed").get<uint64_t>();
    r.diverged = j.at("diverged").get<bool>();
    r.epochs_completed = j.at("epochs_completed").get<int>();
    r.wall_seconds = j.at("wall_seconds").get<double>();
    return r;
  } catch (const nlohmann::json::exception& e) {
    return absl::DataLossError(absl::StrCat(path, ": ", e.what()));
  }
}

absl::StatusOr<CsvTable> ReadHistory(const std::string& path) {
  if (!fs::exists(path)) return CsvTable({"run_id"});
  return CsvTable::Read(path);
}

}  // namespace

absl::StatusOr<SweepStore> SweepStore::Open(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(fs::path(dir) / "runs", ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", dir, ": ", ec.message()));
  const std::string lock_path = (fs::path(dir) / ".q4_bn_sweep.lock").string();
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return absl::InternalError(absl::StrCat("cannot open ", lock_path, ": ", std::strerror(errno)));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char pid[32] = {0};
    const ssize_t n = ::pread(fd, pid, sizeof(pid) - 1, 0);
    ::close(fd);
    return absl::FailedPreconditionError(absl::StrCat(
        "another q4_bn_sweep (pid ", n > 0 ? std::string(pid, static_cast<size_t>(n)) : "?", ") is writing ", dir,
        " (lock ", lock_path, "); wait for it, or give this one another --out_dir"));
  }
  const std::string pid = std::to_string(::getpid());
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    // The pid is only a courtesy for the error above; the lock is what counts.
  }
  return SweepStore(dir, fd);
}

SweepStore::SweepStore(SweepStore&& other) noexcept : dir_(std::move(other.dir_)), lock_fd_(other.lock_fd_) {
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

std::string SweepStore::CheckpointPath(const RunSpec& run) const { return CheckpointPathIn(dir_, run); }

absl::StatusOr<bool> SweepStore::IsComplete(const RunSpec& run) const {
  const std::string path = (fs::path(dir_) / "runs" / (run.run_id + ".json")).string();
  if (!fs::exists(path)) return false;
  absl::StatusOr<RunRecord> record = ReadRecord(path);
  if (!record.ok()) return record.status();
  if (record->signature != run.signature) {
    return absl::FailedPreconditionError(absl::StrCat(path, ": run ", run.run_id, " was made with \"",
                                                      record->signature, "\", this sweep asks for \"",
                                                      run.signature, "\"; use another --out_dir"));
  }
  return true;
}

absl::Status SweepStore::RecordRun(const RunSpec& run, const train::TrainResult& result) {
  train::RunInfo info{run.run_id, run.arm, run.lr, run.seed, {{"lr_multiplier", FormatDouble(run.lr_multiplier)}}};
  if (absl::Status s = train::MergeRunRows((fs::path(dir_) / kHistoryCsv).string(), train::HistoryTable(info, result));
      !s.ok()) {
    return s;
  }
  const train::RunSummary summary = train::Summarize(result);
  RunRecord record{run.run_id, run.arm, run.signature, result.precision, run.lr_multiplier, run.lr, run.seed,
                   result.diverged, summary.epochs_completed, summary.wall_seconds};
  const std::string path = (fs::path(dir_) / "runs" / (run.run_id + ".json")).string();
  if (absl::Status s = WriteFileAtomically(path, ToJson(record).dump(2) + "\n"); !s.ok()) return s;
  return WriteSummary();
}

absl::StatusOr<std::vector<RunRecord>> SweepStore::ReadRecords() const {
  std::vector<RunRecord> records;
  for (const auto& entry : fs::directory_iterator(fs::path(dir_) / "runs")) {
    if (entry.path().extension() != ".json") continue;
    absl::StatusOr<RunRecord> record = ReadRecord(entry.path().string());
    if (!record.ok()) return record.status();
    records.push_back(*record);
  }
  std::sort(records.begin(), records.end(), [](const RunRecord& a, const RunRecord& b) {
    return std::tie(a.seed, a.arm, a.lr_multiplier, a.run_id) < std::tie(b.seed, b.arm, b.lr_multiplier, b.run_id);
  });
  return records;
}

absl::StatusOr<CsvTable> BuildSummary(const std::vector<RunRecord>& records, const CsvTable& history,
                                      const std::string& history_source) {
  CsvTable summary({"run_id", "arm", "lr_multiplier", "lr", "seed", "final_val_acc", "best_val_acc", "best_epoch",
                    "epochs_to_target", "target_val_acc", "final_train_loss", "diverged", "wall_seconds",
                    "precision"});
  std::map<std::string, train::TrainResult> results;
  for (const RunRecord& r : records) {
    absl::StatusOr<std::vector<train::EpochMetrics>> epochs = train::ReadRunHistory(history, r.run_id, history_source);
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
          other.precision == r.precision && !results[other.run_id].history.empty()) {
        target = results[other.run_id].history.back().val_acc;
      }
    }
    const train::RunSummary s = train::Summarize(results[r.run_id], target);
    const bool has_epochs = s.epochs_completed > 0;
    summary.AddRow({r.run_id, r.arm, FormatDouble(r.lr_multiplier), FormatDouble(r.lr), absl::StrCat(r.seed),
                    has_epochs ? FormatDouble(s.final_val_acc) : "", has_epochs ? FormatDouble(s.best_val_acc) : "",
                    has_epochs ? absl::StrCat(s.best_epoch) : "",
                    s.epochs_to_target > 0 ? absl::StrCat(s.epochs_to_target) : "",
                    target > 0 ? FormatDouble(target) : "", has_epochs ? FormatDouble(s.final_train_loss) : "",
                    FormatBool(r.diverged), FormatDouble(r.wall_seconds), r.precision});
  }
  return summary;
}

absl::Status SweepStore::WriteSummary() const {
  absl::StatusOr<std::vector<RunRecord>> records = ReadRecords();
  if (!records.ok()) return records.status();
  const std::string history_path = (fs::path(dir_) / kHistoryCsv).string();
  absl::StatusOr<CsvTable> history = ReadHistory(history_path);
  if (!history.ok()) return history.status();
  absl::StatusOr<CsvTable> summary = BuildSummary(*records, *history, history_path);
  if (!summary.ok()) return summary.status();
  return summary->Write((fs::path(dir_) / kSummaryCsv).string());
}

absl::Status SweepStore::MergeFrom(const std::string& shard_dir) {
  const fs::path runs = fs::path(shard_dir) / "runs";
  if (!fs::is_directory(runs)) {
    return absl::NotFoundError(absl::StrCat(shard_dir, ": not a q4_bn_sweep folder (no runs/ inside)"));
  }
  const std::string history_path = (fs::path(shard_dir) / kHistoryCsv).string();
  absl::StatusOr<CsvTable> history = ReadHistory(history_path);
  if (!history.ok()) return history.status();
  for (const auto& entry : fs::directory_iterator(runs)) {
    if (entry.path().extension() != ".json") continue;
    absl::StatusOr<RunRecord> record = ReadRecord(entry.path().string());
    if (!record.ok()) return record.status();
    CsvTable rows(history->header());
    for (const auto& row : history->rows()) {
      if (row[0] == record->run_id) rows.AddRow(row);
    }
    if (rows.num_rows() > 0) {
      if (absl::Status s = train::MergeRunRows((fs::path(dir_) / kHistoryCsv).string(), rows); !s.ok()) return s;
    }
    const std::string target = (fs::path(dir_) / "runs" / entry.path().filename()).string();
    if (absl::Status s = WriteFileAtomically(target, ToJson(*record).dump(2) + "\n"); !s.ok()) return s;
  }
  return WriteSummary();
}

}  // namespace hw1::sweep
