#ifndef HW1_LIB_SWEEP_SWEEP_FOLDER_H_
#define HW1_LIB_SWEEP_SWEEP_FOLDER_H_

// What a sweep folder holds on disk, read and written: a finished run's record
// (runs/<run_id>.json) and the history of its epochs (q4_history.csv), each
// checked as it is read. SweepStore (sweep_store.h) owns the folder and its lock.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/train/metrics.h"
#include "lib/util/csv.h"

namespace hw1::sweep {

inline constexpr char kHistoryCsv[] = "q4_history.csv";
inline constexpr char kSummaryCsv[] = "q4_summary.csv";
inline constexpr char kCollapseCsv[] = "q4_collapse.csv";
inline constexpr char kProgram[] = "q4_bn_sweep";  // names its checkpoint folder

struct RunRecord {
  std::string run_id, arm, signature, precision;
  std::string init = "keras";  // records made before --init existed were all Keras'
  // Test images the final model assigned to each class; empty when the run
  // diverged or was recorded before these were kept.
  std::vector<int64_t> val_prediction_counts;
  double lr_multiplier = 0, lr = 0;
  uint64_t seed = 0;
  bool diverged = false;
  int epochs_completed = 0;
  double wall_seconds = 0;
  int64_t train_images = 0;  // what it trained on (the run id names a --train_limit too)
};

// What runs of one grid share: the signature without arm, init, lr, seed,
// precision and threads (epochs, batch size, decay, data limits, LibTorch, data).
std::string ProtocolOf(const RunRecord& record);

// The columns q4_history.csv must have.
const std::vector<std::string>& HistoryColumns();

// runs/<run id>.json of sweep folder `dir`.
std::string RecordPath(const std::string& dir, const std::string& run_id);
// Writes `record` into `dir`/runs/ atomically.
absl::Status WriteRecord(const std::string& dir, const RunRecord& record);
// A record, every field checked; a record made before train_images existed is
// refused with the migration that fixes it.
absl::StatusOr<RunRecord> ReadRecord(const std::string& path);

// q4_history.csv, its columns checked (an empty table when there is none).
absl::StatusOr<CsvTable> ReadHistory(const std::string& path);

// A sweep folder as read and checked: its records, each with its epochs.
struct FolderRuns {
  std::string dir;
  std::vector<RunRecord> records;  // in plan order: seed, init, arm, lr multiplier
  std::map<std::string, std::vector<train::EpochMetrics>> epochs;  // run id -> its history
  CsvTable history{HistoryColumns()};
};
// Reads `dir`; DataLoss naming the file when a record and the history disagree.
absl::StatusOr<FolderRuns> ReadFolder(const std::string& dir);

// Equal results: every metric of every epoch (not the timings).
bool SameResults(const std::vector<train::EpochMetrics>& a,
                 const std::vector<train::EpochMetrics>& b);

}  // namespace hw1::sweep

#endif  // HW1_LIB_SWEEP_SWEEP_FOLDER_H_
