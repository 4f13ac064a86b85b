#include "lib/sweep/sweep_tables.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "lib/train/collapse.h"
#include "lib/train/history.h"

namespace hw1::sweep {

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

}  // namespace hw1::sweep
