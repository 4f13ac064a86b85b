#ifndef HW1_LIB_SWEEP_SWEEP_TABLES_H_
#define HW1_LIB_SWEEP_SWEEP_TABLES_H_

// The tables a sweep folder derives from its records and history, rewritten
// whole after every run: q4_summary.csv and q4_collapse.csv.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/sweep/sweep_folder.h"
#include "lib/util/csv.h"

namespace hw1::sweep {

// q4_summary.csv's rows (run_id, arm, lr_multiplier, lr, seed, train_images,
// final_val_acc, …), from records and the history table. epochs_to_target
// is the first epoch whose val accuracy reaches the final val accuracy of the
// baseline ×1 run of the same seed, precision and protocol (empty when there
// is none or never).
absl::StatusOr<CsvTable> BuildSummary(const std::vector<RunRecord>& records,
                                      const CsvTable& history, const std::string& history_source);

// q4_collapse.csv's rows: run_id, init, arm, lr_multiplier, seed, epochs,
// train_images, final_val_acc, majority_class_share, collapsed, diverged, precision.
// `collapsed` is empty when it cannot be told (no prediction counts and a
// final accuracy at or below the rule's threshold); a diverged run has no
// final accuracy and is not counted as collapsed.
absl::StatusOr<CsvTable> BuildCollapseTable(const std::vector<RunRecord>& records,
                                            const CsvTable& history,
                                            const std::string& history_source);

}  // namespace hw1::sweep

#endif  // HW1_LIB_SWEEP_SWEEP_TABLES_H_
