#include "lib/sweep/sweep_folder.h"

#include <algorithm>
#include <filesystem>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "lib/train/history.h"
#include "lib/util/file_util.h"
#include "nlohmann/json.hpp"

namespace hw1::sweep {
namespace fs = std::filesystem;

// runs/<id>.json is a RunRecord, field for field; every field is required.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RunRecord, run_id, arm, signature, precision, init,
                                   val_prediction_counts, lr_multiplier, lr, seed, diverged,
                                   epochs_completed, wall_seconds, train_images)

namespace {

// Two fields are written only when they say something, so that records made
// before they existed stay byte for byte; read, they take RunRecord's defaults.
nlohmann::json ToJson(const RunRecord& r) {
  nlohmann::json j = r;
  if (r.init == RunRecord().init) j.erase("init");
  if (r.val_prediction_counts.empty()) j.erase("val_prediction_counts");
  return j;
}

}  // namespace

std::string RecordPath(const std::string& dir, const std::string& run_id) {
  return (fs::path(dir) / "runs" / (run_id + ".json")).string();
}

absl::Status WriteRecord(const std::string& dir, const RunRecord& record) {
  return WriteFileAtomically(RecordPath(dir, record.run_id), ToJson(record).dump(2) + "\n");
}

absl::StatusOr<RunRecord> ReadRecord(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    return absl::DataLossError(absl::StrCat(path, ": not a JSON object"));
  if (!j.contains("train_images")) {
    return absl::FailedPreconditionError(absl::StrCat(
        path,
        ": no train_images (a record made before the field existed); run "
        "`python3 -m tools.migrate.migrate_train_images <results folder>` once, from the "
        "repository root"));
  }
  if (!j.contains("init")) j["init"] = RunRecord().init;
  if (!j.contains("val_prediction_counts")) j["val_prediction_counts"] = nlohmann::json::array();
  try {
    return j.get<RunRecord>();
  } catch (const nlohmann::json::exception& e) {
    return absl::DataLossError(absl::StrCat(path, ": ", e.what()));
  }
}

absl::StatusOr<CsvTable> ReadHistory(const std::string& path) {
  if (!fs::exists(path)) return CsvTable(HistoryColumns());
  absl::StatusOr<CsvTable> table = CsvTable::Read(path);
  if (!table.ok()) return table.status();
  std::vector<std::string> missing;
  for (const std::string& column : HistoryColumns()) {
    if (table->ColumnIndex(column) < 0) missing.push_back(column);
  }
  if (!missing.empty()) {
    return absl::DataLossError(
        absl::StrCat(path, ": no column ", absl::StrJoin(missing, ", "),
                     " (damaged header?); restore it from git or rerun the runs"));
  }
  return table;
}

absl::StatusOr<FolderRuns> ReadFolder(const std::string& dir) {
  FolderRuns folder;
  folder.dir = dir;
  const std::string history_path = (fs::path(dir) / kHistoryCsv).string();
  absl::StatusOr<CsvTable> history = ReadHistory(history_path);
  if (!history.ok()) return history.status();
  folder.history = *std::move(history);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path(dir) / "runs", ec)) {
    if (entry.path().extension() != ".json") continue;
    absl::StatusOr<RunRecord> record = ReadRecord(entry.path().string());
    if (!record.ok()) return record.status();
    if (entry.path().stem().string() != record->run_id) {
      return absl::DataLossError(absl::StrCat(entry.path().string(), ": holds run ", record->run_id,
                                              "; a record's file name is its run id"));
    }
    absl::StatusOr<std::vector<train::EpochMetrics>> epochs =
        train::ReadRunHistory(folder.history, record->run_id, history_path);
    if (!epochs.ok()) return epochs.status();
    if (static_cast<int>(epochs->size()) != record->epochs_completed) {
      return absl::DataLossError(absl::StrCat(
          history_path, ": run ", record->run_id, " has ", epochs->size(),
          " epoch rows, its record ", entry.path().string(), " says ", record->epochs_completed,
          "; restore the history from git, or delete the record to train the run again"));
    }
    folder.epochs[record->run_id] = *std::move(epochs);
    folder.records.push_back(*std::move(record));
  }
  if (ec) return absl::InternalError(absl::StrCat(dir, "/runs: cannot list: ", ec.message()));
  std::sort(folder.records.begin(), folder.records.end(),
            [](const RunRecord& a, const RunRecord& b) {
              return std::tie(a.seed, a.init, a.arm, a.lr_multiplier, a.run_id) <
                     std::tie(b.seed, b.init, b.arm, b.lr_multiplier, b.run_id);
            });
  return folder;
}

bool SameResults(const std::vector<train::EpochMetrics>& a,
                 const std::vector<train::EpochMetrics>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].epoch != b[i].epoch || a[i].train_loss != b[i].train_loss ||
        a[i].train_acc != b[i].train_acc || a[i].val_loss != b[i].val_loss ||
        a[i].val_acc != b[i].val_acc || a[i].lr_now != b[i].lr_now) {
      return false;
    }
  }
  return true;
}

std::string ProtocolOf(const RunRecord& record) {
  // The id: <arm>_lr<lr>_seed<seed>_<precision>_t<threads><tail>; the tail
  // names epochs, batch size, decay, limits and LibTorch when not the
  // default, then the init (a dimension of the grid, like the arm: dropped).
  const std::string& id = record.run_id;
  size_t t = id.find("_t", id.find("_seed"));
  std::string tail;
  if (t != std::string::npos) {
    t += 2;
    while (t < id.size() && absl::ascii_isdigit(static_cast<unsigned char>(id[t]))) ++t;
    tail = id.substr(t);
  }
  if (const std::string init = absl::StrCat("_init", record.init); absl::EndsWith(tail, init)) {
    tail.resize(tail.size() - init.size());
  }
  std::vector<std::string> rest;
  bool first = true;
  for (absl::string_view token : absl::StrSplit(record.signature, ' ', absl::SkipEmpty())) {
    if (first) {  // the id itself
      first = false;
      continue;
    }
    if (!absl::StartsWith(token, "threads=")) rest.emplace_back(token);
  }
  return absl::StrCat(tail.empty() ? "(homework protocol)" : tail, " ", absl::StrJoin(rest, " "));
}

const std::vector<std::string>& HistoryColumns() {
  static const auto* columns =
      new std::vector<std::string>(train::HistoryColumns({"lr_multiplier"}));
  return *columns;
}

}  // namespace hw1::sweep
