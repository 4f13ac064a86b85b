#include "lib/train/history.h"

#include <filesystem>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace hw1::train {

std::string MakeRunId(const RunIdentity& run) {
  std::string id = absl::StrFormat("%s_lr%g_seed%d_%s_t%d", run.arm, run.lr, run.seed,
                                   run.precision, run.threads);
  if (run.batch_size != 32) absl::StrAppend(&id, "_b", run.batch_size);
  if (run.decay != 1e-6) absl::StrAppend(&id, absl::StrFormat("_decay%g", run.decay));
  if (run.epochs != 25) absl::StrAppend(&id, "_e", run.epochs);
  if (run.train_limit >= 0) absl::StrAppend(&id, "_train", run.train_limit);
  if (run.test_limit >= 0) absl::StrAppend(&id, "_test", run.test_limit);
  if (run.libtorch != kReferenceLibTorch) absl::StrAppend(&id, "_torch", run.libtorch);
  if (run.init != "keras") absl::StrAppend(&id, "_init", run.init);
  if (!run.architecture.empty()) absl::StrAppend(&id, "_", run.architecture);
  return id;
}

std::string CheckpointFile(const std::string& program, const std::string& run_id) {
  return absl::StrCat("checkpoints/", program, "/", run_id, ".ckpt");
}

CsvTable HistoryTable(const RunInfo& run, const TrainResult& result) {
  std::vector<std::string> header = {"run_id", "arm"};
  for (const auto& [name, value] : run.extra) header.push_back(name);
  for (const char* column : {"lr", "seed", "epoch", "train_loss", "train_acc", "val_loss",
                             "val_acc", "lr_now", "seconds", "images_per_second", "precision"}) {
    header.push_back(column);
  }
  CsvTable table(header);
  for (const EpochMetrics& m : result.history) {
    std::vector<std::string> row = {run.run_id, run.arm};
    for (const auto& [name, value] : run.extra) row.push_back(value);
    for (const std::string& field :
         {FormatDouble(run.lr), absl::StrCat(run.seed), absl::StrCat(m.epoch),
          FormatDouble(m.train_loss), FormatDouble(m.train_acc), FormatDouble(m.val_loss),
          FormatDouble(m.val_acc), FormatDouble(m.lr_now), FormatDouble(m.seconds),
          FormatDouble(m.images_per_second), result.precision}) {
      row.push_back(field);
    }
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
    double epoch = 0;
    double* fields[] = {&epoch,     &m.train_loss, &m.train_acc, &m.val_loss,
                        &m.val_acc, &m.lr_now,     &m.seconds,   &m.images_per_second};
    const char* names[] = {"epoch",   "train_loss", "train_acc", "val_loss",
                           "val_acc", "lr_now",     "seconds",   "images_per_second"};
    for (int i = 0; i < 8; ++i) {
      if (!absl::SimpleAtod(table.Get(r, names[i]), fields[i])) {
        return absl::DataLossError(absl::StrCat(source, ": run ", run_id, " column ", names[i],
                                                " holds '", table.Get(r, names[i]),
                                                "', not a number"));
      }
    }
    m.epoch = static_cast<int>(epoch);
    history.push_back(m);
  }
  return history;
}

absl::Status MergeRunRows(const std::string& path, const CsvTable& rows) {
  std::set<std::string> replaced;
  for (size_t r = 0; r < rows.num_rows(); ++r) replaced.insert(rows.Get(r, "run_id"));
  CsvTable merged(rows.header());
  if (std::filesystem::exists(path)) {
    absl::StatusOr<CsvTable> existing = CsvTable::Read(path);
    if (!existing.ok()) return existing.status();
    if (existing->header() != rows.header()) {
      return absl::FailedPreconditionError(
          absl::StrCat(path, ": existing columns (", absl::StrJoin(existing->header(), ","),
                       ") differ from this run's; move the file away or use another --out_dir"));
    }
    for (const auto& row : existing->rows()) {
      if (!replaced.count(row[0])) merged.AddRow(row);
    }
  }
  for (const auto& row : rows.rows()) merged.AddRow(row);
  return merged.Write(path);
}

}  // namespace hw1::train
