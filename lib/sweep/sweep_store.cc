#include "lib/sweep/sweep_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "lib/train/history.h"
#include "lib/train/run_id.h"

namespace hw1::sweep {
namespace fs = std::filesystem;

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

}  // namespace hw1::sweep
