#include "lib/train/checkpoint.h"

#include <torch/torch.h>

#include <mutex>
#include <sstream>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "lib/compat/torch_compat.h"
#include "lib/util/cpu_features.h"
#include "lib/util/file_util.h"

namespace hw1::train {
namespace {

// The history as a float64 table, one row per epoch, columns in
// ForEachEpochField's order.
torch::Tensor HistoryToTensor(const std::vector<EpochMetrics>& history) {
  const auto columns = static_cast<int64_t>(EpochColumns().size());
  torch::Tensor t = torch::zeros({static_cast<int64_t>(history.size()), columns}, torch::kFloat64);
  auto a = t.accessor<double, 2>();
  for (size_t i = 0; i < history.size(); ++i) {
    int j = 0;
    ForEachEpochField(history[i], [&](const char*, const auto& value) {
      a[static_cast<int64_t>(i)][j++] = static_cast<double>(value);
    });
  }
  return t;
}

std::vector<EpochMetrics> HistoryFromTensor(const torch::Tensor& t) {
  std::vector<EpochMetrics> history;
  auto a = t.accessor<double, 2>();
  for (int64_t i = 0; i < t.size(0); ++i) {
    EpochMetrics m;
    int j = 0;
    ForEachEpochField(m, [&](const char*, auto& field) {
      field = static_cast<std::remove_reference_t<decltype(field)>>(a[i][j++]);
    });
    history.push_back(m);
  }
  return history;
}

// The images and labels a run trains and is evaluated on, as one short digest
// of their bytes: a checkpoint made on other data (other files, limits or
// order) is not resumed, whatever the sizes.
std::string ContentDigest(const data::ImageSet& train, const data::ImageSet& test) {
  std::string digests;
  for (const data::ImageSet* set : {&train, &test}) {
    absl::StrAppend(&digests,
                    Md5OfBytes(absl::string_view(reinterpret_cast<const char*>(set->pixels.data()),
                                                 set->pixels.size())),
                    Md5OfBytes(absl::string_view(reinterpret_cast<const char*>(set->labels.data()),
                                                 set->labels.size() * sizeof(int64_t))));
  }
  return Md5OfBytes(digests).substr(0, 12);
}

}  // namespace

absl::Status SaveCheckpoint(const std::string& path, models::CifarCnn& model,
                            torch::optim::Adam& optimizer, const TrainingState& state,
                            const std::string& signature) {
  try {
    torch::serialize::OutputArchive archive;
    torch::serialize::OutputArchive model_archive, optimizer_archive;
    model->save(model_archive);
    optimizer.save(optimizer_archive);
    archive.write("model", model_archive);
    archive.write("optimizer", optimizer_archive);
    archive.write("rng_state", at::detail::getDefaultCPUGenerator().get_state());
    archive.write("epoch", torch::tensor(static_cast<int64_t>(state.epoch)));
    archive.write("step", torch::tensor(state.step));
    archive.write("history", HistoryToTensor(state.history));
    archive.write("signature", c10::IValue(signature));
    std::ostringstream bytes;
    archive.save_to(bytes);
    return WriteFileAtomically(path, bytes.str());
  } catch (const c10::Error& e) {
    return absl::InternalError(
        absl::StrCat(path, ": cannot write checkpoint: ", e.what_without_backtrace()));
  }
}

absl::StatusOr<TrainingState> LoadCheckpoint(const std::string& path, models::CifarCnn& model,
                                             torch::optim::Adam& optimizer,
                                             const std::string& signature,
                                             const torch::Device& device) {
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path, device);
    c10::IValue stored_signature;
    archive.read("signature", stored_signature);
    if (!stored_signature.isString() || stored_signature.toStringRef() != signature) {
      return absl::FailedPreconditionError(
          absl::StrCat(path, ": checkpoint was written by a different configuration (",
                       stored_signature.isString() ? stored_signature.toStringRef() : "?", " vs ",
                       signature, "); remove it or change --out_dir"));
    }
    torch::serialize::InputArchive model_archive, optimizer_archive;
    archive.read("model", model_archive);
    archive.read("optimizer", optimizer_archive);
    model->load(model_archive);
    optimizer.load(optimizer_archive);
    torch::Tensor rng_state, epoch, step, history;
    archive.read("rng_state", rng_state);
    archive.read("epoch", epoch);
    archive.read("step", step);
    archive.read("history", history);
    {
      // The default generator is shared process-wide: lock it as LibTorch does.
      at::Generator generator = at::detail::getDefaultCPUGenerator();
      std::lock_guard<std::mutex> lock(generator.mutex());
      generator.set_state(rng_state);
    }
    TrainingState state;
    state.epoch = static_cast<int>(epoch.item<int64_t>());
    state.step = step.item<int64_t>();
    state.history = HistoryFromTensor(history.to(torch::kCPU));
    return state;
  } catch (const c10::Error& e) {
    return absl::DataLossError(
        absl::StrCat(path, ": cannot read checkpoint: ", e.what_without_backtrace()));
  }
}

std::string CheckpointSignature(const TrainOptions& o, const models::CifarCnnOptions& model_options,
                                const std::string& precision, int threads,
                                const data::ImageSet& train, const data::ImageSet& test) {
  return absl::StrCat(
      "bn=", model_options.batchnorm, " init=", models::InitName(model_options.init),
      " widths=", models::WidthsText(model_options.widths),
      " dropout=", models::DropoutText(model_options.dropout), " lr=", o.lr, " decay=", o.decay,
      " batch=", o.batch_size, " seed=", o.seed, " precision=", precision, " threads=", threads,
      " train=", train.size(), " test=", test.size(), " libtorch=", compat::TorchMajorMinor(),
      " host=", HostKind(DetectCpuFeatures()), " isa=", OneDnnIsa(),
      " data=", ContentDigest(train, test),
      // Named only when not the default, so that earlier checkpoints still match.
      o.input_scale == InputScale::kUnit ? ""
                                         : absl::StrCat(" input=", InputScaleName(o.input_scale)));
}

}  // namespace hw1::train
