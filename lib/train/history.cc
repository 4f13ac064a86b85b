#include "lib/train/history.h"

#include <filesystem>
#include <set>
#include <type_traits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/util/file_util.h"

namespace hw1::train {

std::vector<std::string> HistoryColumns(const std::vector<std::string>& extra) {
  std::vector<std::string> header = {"run_id", "arm"};
  header.insert(header.end(), extra.begin(), extra.end());
  header.insert(header.end(), {"lr", "seed"});
  for (const std::string& column : EpochColumns()) header.push_back(column);
  header.push_back("precision");
  return header;
}

CsvTable HistoryTable(const RunInfo& run, const TrainResult& result) {
  std::vector<std::string> extra;
  for (const auto& [name, value] : run.extra) extra.push_back(name);
  CsvTable table(HistoryColumns(extra));
  for (const EpochMetrics& m : result.history) {
    std::vector<std::string> row = {run.run_id, run.arm};
    for (const auto& [name, value] : run.extra) row.push_back(value);
    row.push_back(FormatDouble(run.lr));
    row.push_back(absl::StrCat(run.seed));
    ForEachEpochField(m,
                      [&](const char*, const auto& value) { row.push_back(FormatDouble(value)); });
    row.push_back(result.precision);
    table.AddRow(std::move(row));
  }
  return table;
}

RunSummary Summarize(const TrainResult& result, double target) {
  RunSummary s;
  s.diverged = result.diverged;
  s.epochs_completed = static_cast<int>(result.history.size());
  for (const EpochMetrics& m : result.history) {
    if (m.val_acc > s.best_val_acc || s.best_epoch == 0) {
      s.best_val_acc = m.val_acc;
      s.best_epoch = m.epoch;
    }
    if (target > 0 && s.epochs_to_target == 0 && m.val_acc >= target) s.epochs_to_target = m.epoch;
    s.wall_seconds += m.seconds;
    s.mean_images_per_second += m.images_per_second;
  }
  if (!result.history.empty()) {
    const EpochMetrics& last = result.history.back();
    s.final_train_loss = last.train_loss;
    s.final_train_acc = last.train_acc;
    s.final_val_loss = last.val_loss;
    s.final_val_acc = last.val_acc;
    s.mean_images_per_second /= static_cast<double>(result.history.size());
  }
  return s;
}

absl::StatusOr<std::vector<EpochMetrics>> ReadRunHistory(const CsvTable& table,
                                                         const std::string& run_id,
                                                         const std::string& source) {
  std::vector<EpochMetrics> history;
  for (size_t r = 0; r < table.num_rows(); ++r) {
    if (table.Get(r, "run_id") != run_id) continue;
    EpochMetrics m;
    absl::Status status;
    ForEachEpochField(m, [&](const char* name, auto& field) {
      double value = 0;
      if (!status.ok()) return;
      if (!absl::SimpleAtod(table.Get(r, name), &value)) {
        status =
            absl::DataLossError(absl::StrCat(source, ": run ", run_id, " column ", name, " holds '",
                                             table.Get(r, name), "', not a number"));
      }
      field = static_cast<std::remove_reference_t<decltype(field)>>(value);
    });
    if (!status.ok()) return status;
    history.push_back(m);
  }
  return history;
}

absl::Status MergeRunRows(const std::string& path, const CsvTable& rows) {
  // Read, merge and write back under the folder's lock: another run merging
  // into the same CSV meanwhile would otherwise lose its rows or ours.
  return WithFolderLock(std::filesystem::path(path).parent_path().string(), [&]() -> absl::Status {
    std::set<std::string> replaced;
    for (size_t r = 0; r < rows.num_rows(); ++r) replaced.insert(rows.Get(r, "run_id"));
    CsvTable merged(rows.header());
    if (std::filesystem::exists(path)) {
      absl::StatusOr<CsvTable> existing = CsvTable::Read(path);
      if (!existing.ok()) return existing.status();
      if (existing->header() != rows.header()) {
        return absl::FailedPreconditionError(
            absl::StrCat(path, ": existing columns (", absl::StrJoin(existing->header(), ","),
                         ") differ from this run's; move the file away or use another --out_dir "
                         "(a results folder from before a column was added: tools/migrate/)"));
      }
      for (const auto& row : existing->rows()) {
        if (!replaced.count(row[0])) merged.AddRow(row);
      }
    }
    for (const auto& row : rows.rows()) merged.AddRow(row);
    return merged.Write(path);
  });
}

}  // namespace hw1::train
