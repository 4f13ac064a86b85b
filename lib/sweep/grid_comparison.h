#ifndef HW1_LIB_SWEEP_GRID_COMPARISON_H_
#define HW1_LIB_SWEEP_GRID_COMPARISON_H_

// The quick profile beside the full grid: for each learning rate the quick
// plan trained, BatchNorm's margin over the baseline in the quick runs and in
// the committed full-protocol runs (q4_summary.csv of each folder), and
// whether the quick runs "rank the arms as the full grid": only when the two
// margins have one sign and the quick margin is larger than the seed-to-seed
// spread known for that cell (the range of final accuracies over seeds of
// either arm, quick runs first, else the full grid's). With one seed
// everywhere the spread is unknown and nothing is claimed.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/util/csv.h"

namespace hw1::sweep {

struct ArmCell {
  double mean = 0;
  double range = 0;  // max - min over seeds (0 with one)
  int seeds = 0;
};

struct GridComparison {
  double lr_multiplier = 0;
  ArmCell quick_baseline, quick_bn;
  std::optional<ArmCell> full_baseline, full_bn;  // absent: the full grid lacks the cell
  std::optional<double> seed_spread;              // absent: unknown (one seed everywhere)
  std::string verdict;  // "ranks as the full grid", "same order, within the seed spread", ...
};

// `quick` and `full`: q4_summary.csv tables (run_id, arm, lr_multiplier,
// train_images, final_val_acc, ...); `full_train_images` selects the full
// protocol's rows (all the training images). Errors name a missing column.
absl::StatusOr<std::vector<GridComparison>> CompareWithFullGrid(const CsvTable& quick,
                                                                const CsvTable& full,
                                                                int64_t full_train_images);

// The table and verdicts as the sweep prints them.
std::string FormatGridComparison(const std::vector<GridComparison>& cells);

}  // namespace hw1::sweep

#endif  // HW1_LIB_SWEEP_GRID_COMPARISON_H_
