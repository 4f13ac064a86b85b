#ifndef HW1_LIB_TRAIN_HISTORY_H_
#define HW1_LIB_TRAIN_HISTORY_H_

// The per-epoch history CSV that Q3 and Q4 write, the numbers a run is judged
// by, and keeping several runs in one CSV: a run's rows replace that run's
// earlier rows, other runs stay. A run's id: lib/train/run_id.h.

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/train/metrics.h"
#include "lib/util/csv.h"

namespace hw1::train {

// What identifies a run in the CSVs.
struct RunInfo {
  std::string run_id;
  std::string arm;  // "baseline" or "bn"
  double lr = 0;
  uint64_t seed = 0;
  // Extra leading columns, e.g. {"lr_multiplier", "10"} for Q4.
  std::vector<std::pair<std::string, std::string>> extra;
};

// The history's columns: run_id, arm, <extra…>, lr, seed, then EpochColumns()
// (epoch, train_loss, …, images_per_second), then precision.
std::vector<std::string> HistoryColumns(const std::vector<std::string>& extra = {});

// One row per epoch of `result`, in HistoryColumns(names of run.extra).
CsvTable HistoryTable(const RunInfo& run, const TrainResult& result);

// The numbers a run is judged by.
struct RunSummary {
  int epochs_completed = 0;
  double final_train_loss = 0, final_train_acc = 0, final_val_loss = 0, final_val_acc = 0;
  double best_val_acc = 0;
  int best_epoch = 0;
  int epochs_to_target = 0;  // first epoch with val_acc >= target; 0 if never
  double wall_seconds = 0;   // sum of epoch seconds
  double mean_images_per_second = 0;
  bool diverged = false;
};
// `target`: the validation accuracy for epochs_to_target (ignored when <= 0).
RunSummary Summarize(const TrainResult& result, double target = 0.0);

// The epochs of run `run_id` in a history table written by HistoryTable().
// DataLoss names `source` when a field is not a number.
absl::StatusOr<std::vector<EpochMetrics>> ReadRunHistory(const CsvTable& table,
                                                         const std::string& run_id,
                                                         const std::string& source);

// Writes `rows` into the CSV at `path`, keeping the rows of other runs
// (column `run_id`) already there. The headers must agree. Safe for several
// processes merging into one CSV at once (WithFolderLock).
absl::Status MergeRunRows(const std::string& path, const CsvTable& rows);

}  // namespace hw1::train

#endif  // HW1_LIB_TRAIN_HISTORY_H_
