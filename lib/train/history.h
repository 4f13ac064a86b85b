#ifndef HW1_LIB_TRAIN_HISTORY_H_
#define HW1_LIB_TRAIN_HISTORY_H_

// The per-epoch history CSV that Q3 and Q4 write, and keeping several runs
// in one CSV: a run's rows replace that run's earlier rows, other runs stay.

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

// The LibTorch of the committed results (Debian's libtorch-dev 1.13): run ids
// name any other ("_torch2.15").
inline constexpr char kReferenceLibTorch[] = "1.13";

// What a run's id is made of: the settings that change its numbers.
struct RunIdentity {
  std::string arm;  // "baseline" or "bn"
  double lr = 1e-4;
  uint64_t seed = 0;
  std::string precision;  // resolved: "fp32" or "bf16"
  int threads = 1;        // intra-op threads: reductions split differently
  int epochs = 25;
  int batch_size = 32;
  double decay = 1e-6;
  int64_t train_limit = -1;  // -1: all images
  int64_t test_limit = -1;
  std::string libtorch = kReferenceLibTorch;  // "major.minor" it ran with
  std::string init = "keras";                 // models::InitName of the initialisation
  std::string architecture;                   // models::ArchitectureTag: "" for the Keras example
};

// A run id that says what the run was: arm, lr, seed, precision and threads
// ("bn_lr0.001_seed1_bf16_t2"), then batch size, decay, epochs and data
// limits where they differ from the homework's protocol ("_b64_decay0_e3_train4000"),
// the LibTorch version when it is not kReferenceLibTorch ("_torch2.15"), and
// the initialisation when it is not Keras' ("_inittorch"), and the
// architecture when it is not the Keras example's ("_w32-64-64-64_d0-0-0").
std::string MakeRunId(const RunIdentity& run);

// Where `program` keeps a run's checkpoint, relative to its output folder:
// checkpoints/<program>/<run_id>.ckpt. One folder per program: q3_train_cnn
// and q4_bn_sweep train runs with the same ids, and neither may continue a
// run the other trained.
std::string CheckpointFile(const std::string& program, const std::string& run_id);

// Columns: run_id, arm, <extra…>, lr, seed, epoch, train_loss, train_acc,
// val_loss, val_acc, lr_now, seconds, images_per_second, precision.
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
// (column `run_id`) already there. The headers must agree.
absl::Status MergeRunRows(const std::string& path, const CsvTable& rows);

}  // namespace hw1::train

#endif  // HW1_LIB_TRAIN_HISTORY_H_
