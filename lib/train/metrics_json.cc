#include "lib/train/metrics_json.h"

#include "absl/strings/str_cat.h"
#include "lib/util/file_util.h"

namespace hw1::train {

absl::Status WriteTrainResult(const std::string& path, const TrainResult& result) {
  return WriteFileAtomically(path, nlohmann::json(result).dump(2) + "\n");
}

absl::StatusOr<TrainResult> ReadTrainResult(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  const nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded())
    return absl::DataLossError(absl::StrCat(path, ": not JSON; remove it to train the run again"));
  try {
    return j.get<TrainResult>();
  } catch (const nlohmann::json::exception& e) {
    return absl::DataLossError(absl::StrCat(path, ": not a training result (", e.what(),
                                            "); remove it to train the run again"));
  }
}

}  // namespace hw1::train
