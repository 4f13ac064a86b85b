#ifndef HW1_LIB_SWEEP_SWEEP_STORE_H_
#define HW1_LIB_SWEEP_SWEEP_STORE_H_

// The folder a sweep writes, and what makes the sweep idempotent, resumable
// and safe to shard:
//
//   q4_history.csv           every epoch of every finished run
//   q4_summary.csv           one row per finished run (recomputed from the above)
//   q4_collapse.csv          one row per finished run: did it collapse (train/collapse.h)?
//   runs/<run_id>.json       a finished run's record: its signature and outcome
//   checkpoints/q4_bn_sweep/<run_id>.ckpt  the latest epoch of a run in progress
//                            (train::CheckpointFile: one folder per program)
//   checkpoints/q4_bn_sweep/<run_id>.result.json  a worker's finished run,
//                            until the process holding the lock records it
//   .q4_bn_sweep.lock        held (flock) by the process writing the folder
//
// A run whose record exists with the same signature is skipped; a record
// with another signature is an error (the folder holds a different
// experiment). Two processes on one folder: the second is refused. What is
// read is checked first: the history's columns, each record's fields, and
// that the history holds every epoch a record claims; errors name the file
// and what to do. The files' formats: sweep_folder.h (records, history),
// sweep_tables.h (summary and collapse tables).

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/sweep/sweep_folder.h"
#include "lib/sweep/sweep_plan.h"
#include "lib/sweep/sweep_tables.h"
#include "lib/train/metrics.h"
#include "lib/util/csv.h"

namespace hw1::sweep {

// Paths of a run inside a sweep folder `dir`: its checkpoint, and the result a
// worker process leaves beside it for the process that records the run.
std::string CheckpointPathIn(const std::string& dir, const RunSpec& run);
std::string WorkerResultPathIn(const std::string& dir, const RunSpec& run);
// The epochs a worker has finished, one number, rewritten after each epoch:
// what the parent's progress line counts.
std::string WorkerProgressPathIn(const std::string& dir, const RunSpec& run);

class SweepStore {
 public:
  // Creates the folder if needed and takes its lock; FailedPrecondition,
  // naming the lock file and the holder's pid, when another process has it.
  static absl::StatusOr<SweepStore> Open(const std::string& dir);
  SweepStore(SweepStore&& other) noexcept;
  SweepStore& operator=(SweepStore&&) = delete;
  ~SweepStore();

  const std::string& dir() const { return dir_; }
  std::string CheckpointPath(const RunSpec& run) const;

  // True when `run` finished before with the same signature; an error when a
  // record of that run id has another signature.
  absl::StatusOr<bool> IsComplete(const RunSpec& run) const;

  // Records a finished (or diverged) run: its epochs into q4_history.csv, its
  // record into runs/, then rewrites q4_summary.csv. Each file atomically.
  absl::Status RecordRun(const RunSpec& run, const train::TrainResult& result);

  // Every record in runs/, checked as Check() does, in plan order.
  absl::StatusOr<std::vector<RunRecord>> ReadRecords() const;

  // q4_summary.csv and q4_collapse.csv from the records and q4_history.csv.
  absl::Status WriteSummary() const;

  // Checks the folder as every reader of it would (see the top); call before
  // planning, so that damage is reported before any training.
  absl::Status Check() const;

  // Copies the finished runs of other sweep folders (shards) into this one.
  // Everything is read and checked first, and nothing is written when any
  // folder is damaged, when one run id holds different signatures or
  // different results in two places, or when the runs' protocols (epochs,
  // batch size, decay, data limits, LibTorch, data) differ: so the order of
  // the folders cannot change the outcome. A run found twice alike is one run.
  absl::Status Merge(const std::vector<std::string>& shard_dirs);

 private:
  SweepStore(std::string dir, int lock_fd) : dir_(std::move(dir)), lock_fd_(lock_fd) {}
  std::string dir_;
  int lock_fd_ = -1;
};

// Is `dir` a sweep folder (has runs/)? NotFound naming it otherwise; checked
// before any output folder is created or locked.
absl::Status CheckIsSweepFolder(const std::string& dir);

}  // namespace hw1::sweep

#endif  // HW1_LIB_SWEEP_SWEEP_STORE_H_
