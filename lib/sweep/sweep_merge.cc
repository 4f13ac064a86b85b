// SweepStore::Merge: the finished runs of shard folders into this one (sweep_store.h).
#include <filesystem>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/sweep/sweep_store.h"

namespace hw1::sweep {
namespace fs = std::filesystem;

absl::Status SweepStore::Merge(const std::vector<std::string>& shard_dirs) {
  // 1. Read and check everything; decide which runs are new.
  absl::StatusOr<FolderRuns> own = ReadFolder(dir_);
  if (!own.ok()) return own.status();
  struct Seen {
    const RunRecord* record;
    const std::vector<train::EpochMetrics>* epochs;
    std::string dir;
  };
  std::map<std::string, Seen> seen;  // run id -> where it was first found
  std::string protocol, protocol_of;
  std::vector<FolderRuns> shards;
  shards.reserve(shard_dirs.size());
  std::vector<std::pair<const FolderRuns*, const RunRecord*>> incoming;
  auto admit = [&](const FolderRuns& folder, const RunRecord& r) -> absl::StatusOr<bool> {
    const std::string p = ProtocolOf(r);
    if (protocol.empty()) {
      protocol = p;
      protocol_of = absl::StrCat("run ", r.run_id, " in ", folder.dir);
    } else if (p != protocol) {
      return absl::FailedPreconditionError(
          absl::StrCat("run ", r.run_id, " in ", folder.dir, " has protocol \"", p, "\", ",
                       protocol_of, " has \"", protocol,
                       "\"; one sweep folder holds one protocol (epochs, batch size, decay, "
                       "limits, LibTorch, data): merge "
                       "these into separate folders. Nothing was written."));
    }
    auto it = seen.find(r.run_id);
    if (it == seen.end()) {
      seen[r.run_id] = {&r, &folder.epochs.at(r.run_id), folder.dir};
      return true;
    }
    const Seen& first = it->second;
    if (first.record->signature != r.signature) {
      return absl::FailedPreconditionError(
          absl::StrCat("run ", r.run_id, " was made as \"", first.record->signature, "\" in ",
                       first.dir, " but as \"", r.signature, "\" in ", folder.dir,
                       "; keep one of them. Nothing was written."));
    }
    if (first.record->diverged != r.diverged ||
        first.record->val_prediction_counts != r.val_prediction_counts ||
        !SameResults(*first.epochs, folder.epochs.at(r.run_id))) {
      return absl::FailedPreconditionError(absl::StrCat(
          "run ", r.run_id, " has different results in ", first.dir, " and ", folder.dir,
          " (same configuration; a damaged or hand-edited history?); keep one of them. Nothing was "
          "written."));
    }
    return false;  // the same run twice
  };
  for (const RunRecord& r : own->records) {
    if (absl::StatusOr<bool> fresh = admit(*own, r); !fresh.ok()) return fresh.status();
  }
  for (const std::string& dir : shard_dirs) {
    if (absl::Status s = CheckIsSweepFolder(dir); !s.ok()) return s;
    absl::StatusOr<FolderRuns> shard = ReadFolder(dir);
    if (!shard.ok()) return shard.status();
    shards.push_back(*std::move(shard));
  }
  for (const FolderRuns& shard : shards) {
    for (const RunRecord& r : shard.records) {
      absl::StatusOr<bool> fresh = admit(shard, r);
      if (!fresh.ok()) return fresh.status();
      if (*fresh) incoming.emplace_back(&shard, &r);
    }
  }
  if (incoming.empty()) return WriteSummary();

  // 2. Write: the history in one file, then the records, then the summary.
  CsvTable history = own->history;
  for (const auto& [shard, record] : incoming) {
    const size_t run_id =
        static_cast<size_t>(shard->history.ColumnIndex("run_id"));  // present: ReadHistory checked
    for (const auto& row : shard->history.rows()) {
      if (row[run_id] != record->run_id) continue;
      std::vector<std::string> ordered;  // in this folder's column order
      for (const std::string& column : history.header()) {
        const int index = shard->history.ColumnIndex(column);
        ordered.push_back(index < 0 ? "" : row[static_cast<size_t>(index)]);
      }
      history.AddRow(std::move(ordered));
    }
  }
  if (absl::Status s = history.Write((fs::path(dir_) / kHistoryCsv).string()); !s.ok()) return s;
  for (const auto& [shard, record] : incoming) {
    if (absl::Status s = WriteRecord(dir_, *record); !s.ok()) return s;
  }
  return WriteSummary();
}

}  // namespace hw1::sweep
