#include "lib/train/weights_io.h"

#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <set>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/util/file_util.h"

namespace hw1::train {

absl::Status ExportWeightsForPython(models::CifarCnn& model, const std::string& path) {
  c10::Dict<std::string, torch::Tensor> weights;
  for (const auto& item : model->named_parameters()) {
    weights.insert(item.key(), item.value().detach().to(torch::kCPU).contiguous());
  }
  for (const auto& item : model->named_buffers()) {
    weights.insert(item.key(), item.value().detach().to(torch::kCPU).contiguous());
  }
  const std::vector<char> bytes = torch::pickle_save(c10::IValue(weights));
  return WriteFileAtomically(path, absl::string_view(bytes.data(), bytes.size()));
}

absl::Status SaveWeights(models::CifarCnn& model, const std::string& path) {
  try {
    torch::serialize::OutputArchive archive;
    model->save(archive);
    std::ostringstream bytes;
    archive.save_to(bytes);
    return WriteFileAtomically(path, bytes.str());
  } catch (const c10::Error& e) {
    return absl::InternalError(
        absl::StrCat(path, ": cannot save weights: ", e.what_without_backtrace()));
  }
}

namespace {

// Every tensor name in a saved module ("conv1.weight", "bn1.running_mean", …).
void TensorNames(torch::serialize::InputArchive& archive, const std::string& prefix,
                 std::set<std::string>* out) {
  for (const std::string& key : archive.keys()) {
    torch::serialize::InputArchive child;
    if (archive.try_read(key, child)) {
      TensorNames(child, prefix + key + ".", out);
    } else {
      out->insert(prefix + key);
    }
  }
}

}  // namespace

absl::Status LoadWeights(models::CifarCnn& model, const std::string& path) {
  if (!std::filesystem::exists(path)) {
    return absl::NotFoundError(absl::StrCat(path, ": weights file does not exist"));
  }
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path);
  } catch (const c10::Error& e) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": not a weights file written by SaveWeights (", e.what_without_backtrace(), ")"));
  }
  // Module::load reads the tensors the model has and ignores the rest: weights
  // of the BatchNorm network would load into the baseline. Compare the names.
  std::set<std::string> saved, expected;
  try {
    TensorNames(archive, "", &saved);
  } catch (const c10::Error& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": unreadable weights (", e.what_without_backtrace(), ")"));
  }
  for (const auto& item : model->named_parameters()) expected.insert(item.key());
  for (const auto& item : model->named_buffers()) expected.insert(item.key());
  if (saved != expected) {
    std::vector<std::string> extra, missing;
    std::set_difference(saved.begin(), saved.end(), expected.begin(), expected.end(),
                        std::back_inserter(extra));
    std::set_difference(expected.begin(), expected.end(), saved.begin(), saved.end(),
                        std::back_inserter(missing));
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": weights of another network (",
        model->options().batchnorm ? "this is the BatchNorm network"
                                   : "this is the baseline network",
        "; the file ", extra.empty() ? "" : absl::StrCat("has ", absl::StrJoin(extra, ", ")),
        !extra.empty() && !missing.empty() ? " and " : "",
        missing.empty() ? "" : absl::StrCat("lacks ", absl::StrJoin(missing, ", ")),
        "); pass --batchnorm exactly when the weights were trained with it"));
  }
  try {
    model->load(archive);
    return absl::OkStatus();
  } catch (const c10::Error& e) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": weights do not match the architecture (", e.what_without_backtrace(), ")"));
  }
}

}  // namespace hw1::train
