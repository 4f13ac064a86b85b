#include "lib/probe/training_probe.h"

#include <torch/torch.h>

#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/compat/torch_compat.h"
#include "lib/models/fast_dropout.h"
#include "lib/probe/probe_math.h"
#include "lib/train/trainer.h"
#include "lib/util/file_util.h"

namespace hw1::probe {
namespace {

constexpr const char* kLayers[] = {"conv1", "conv2", "conv3", "conv4", "fc1", "fc2"};
constexpr int kConvLayers = 4;

std::vector<std::string> LandscapeHeader(const std::vector<double>& steps) {
  std::vector<std::string> header = {"step", "lr", "loss"};
  for (double s : steps) header.push_back(absl::StrCat("loss_s", FormatDouble(s)));
  for (const char* c : {"loss_range", "gradient_predictiveness", "beta", "relative_loss_change"})
    header.push_back(c);
  return header;
}

// For the probe's forward passes: BatchNorm on the batch's statistics with its
// running statistics restored afterwards, dropout off (no random numbers).
class ProbeMode {
 public:
  explicit ProbeMode(models::CifarCnn& model) : model_(model), was_training_(model->is_training()) {
    torch::NoGradGuard no_grad;
    for (const auto& buffer : model_->buffers()) saved_.push_back(buffer.clone());
    model_->train(true);
    for (auto& module : model_->modules(/*include_self=*/false)) {
      if (module->as<models::FastDropoutImpl>() != nullptr) module->eval();
    }
  }
  ~ProbeMode() {
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> buffers = model_->buffers();
    for (size_t i = 0; i < buffers.size(); ++i) buffers[i].copy_(saved_[i]);
    model_->train(was_training_);
  }
  ProbeMode(const ProbeMode&) = delete;
  ProbeMode& operator=(const ProbeMode&) = delete;

 private:
  models::CifarCnn& model_;
  bool was_training_;
  std::vector<torch::Tensor> saved_;
};

torch::Tensor WeightOf(models::CifarCnn& model, const std::string& layer) {
  return model->named_parameters()[layer + ".weight"];
}

// The rows of `table` whose step is below `steps_done`: what a resumed run keeps.
absl::Status KeepStepsBefore(const std::string& path, int64_t steps_done, CsvTable* table) {
  absl::StatusOr<CsvTable> old = CsvTable::Read(path);
  if (!old.ok()) return old.status();
  if (old->header() != table->header()) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": its columns are not the probe's; move it away to start afresh"));
  }
  for (size_t r = 0; r < old->num_rows(); ++r) {
    if (std::stoll(old->Get(r, "step")) < steps_done) table->AddRow(old->rows()[r]);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateProbeOptions(const ProbeOptions& o, int64_t train_images) {
  if (!o.enabled) return absl::OkStatus();
  if (o.every < 1)
    return absl::InvalidArgumentError(absl::StrCat("--probe_every=", o.every, ": must be >= 1"));
  if (o.landscape_every < 0 || (o.landscape_every > 0 && o.landscape_every % o.every != 0)) {
    return absl::InvalidArgumentError(absl::StrCat("--landscape_every=", o.landscape_every,
                                                   ": must be 0 or a multiple of --probe_every (",
                                                   o.every, ")"));
  }
  if (o.images < 1 || o.images > train_images) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--probe_images=", o.images, ": must be 1 to the training images (", train_images, ")"));
  }
  if (o.landscape_images < 1 || o.landscape_images > o.images) {
    return absl::InvalidArgumentError(absl::StrCat("--landscape_images=", o.landscape_images,
                                                   ": must be 1 to --probe_images (", o.images,
                                                   ")"));
  }
  return absl::OkStatus();
}

std::string LayersCsvPath(const std::string& dir, const std::string& run_id) {
  return absl::StrCat(dir, "/", run_id, "_layers.csv");
}
std::string NetworkCsvPath(const std::string& dir, const std::string& run_id) {
  return absl::StrCat(dir, "/", run_id, "_network.csv");
}
std::string LandscapeCsvPath(const std::string& dir, const std::string& run_id) {
  return absl::StrCat(dir, "/", run_id, "_landscape.csv");
}
std::string ProbeSettingsPath(const std::string& dir, const std::string& run_id) {
  return absl::StrCat(dir, "/", run_id, "_probe.json");
}

TrainingProbe::TrainingProbe(const ProbeOptions& options, const data::ImageSet& train,
                             const train::TrainOptions& run, std::string dir, std::string run_id)
    : options_(options),
      bf16_(run.precision == train::Precision::kBf16),
      dir_(std::move(dir)),
      run_id_(std::move(run_id)),
      layers_({"step", "lr", "layer", "weight_norm", "grad_norm", "update_ratio", "effective_lr",
               "dead_fraction", "preact_mean", "preact_sd"}),
      network_(
          {"step", "lr", "batch_loss", "probe_loss", "probe_acc", "logits_sd", "top_class_share"}),
      landscape_(LandscapeHeader(options.landscape_steps)) {
  const int64_t n = std::min<int64_t>(options_.images, train.size());
  auto* pixels = const_cast<uint8_t*>(train.pixels.data());
  auto* labels = const_cast<int64_t*>(train.labels.data());
  probe_input_ = train::ToInput(
      torch::from_blob(pixels, {n, data::kChannels, data::kImageSide, data::kImageSide},
                       torch::kUInt8),
      run.input_scale);
  probe_labels_ = torch::from_blob(labels, {n}, torch::kInt64).clone();
}

nlohmann::json ProbeSettings(const ProbeOptions& options) {
  return {{"probe_every", options.every},
          {"landscape_every", options.landscape_every},
          {"probe_images", options.images},
          {"landscape_images", options.landscape_images},
          {"landscape_steps", options.landscape_steps}};
}

absl::Status TrainingProbe::Begin(int64_t steps_done) {
  std::error_code error;
  std::filesystem::create_directories(dir_, error);
  if (error) return absl::InternalError(absl::StrCat(dir_, ": cannot create: ", error.message()));
  const std::string settings_path = ProbeSettingsPath(dir_, run_id_);
  if (steps_done > 0 && std::filesystem::exists(settings_path)) {
    absl::StatusOr<std::string> old = ReadFile(settings_path);
    if (!old.ok()) return old.status();
    const nlohmann::json was = nlohmann::json::parse(*old, nullptr, /*allow_exceptions=*/false);
    if (was != ProbeSettings(options_)) {
      return absl::FailedPreconditionError(
          absl::StrCat(settings_path, ": the run was probed with ", was.dump(),
                       " and is resumed with other --probe_every/--landscape_every/"
                       "--probe_images/--landscape_images; use those, or another --out_dir"));
    }
    for (auto& [path, table] : {std::pair{LayersCsvPath(dir_, run_id_), &layers_},
                                {NetworkCsvPath(dir_, run_id_), &network_},
                                {LandscapeCsvPath(dir_, run_id_), &landscape_}}) {
      if (!std::filesystem::exists(path)) continue;
      if (absl::Status s = KeepStepsBefore(path, steps_done, table); !s.ok()) return s;
    }
  }
  return WriteFileAtomically(settings_path, ProbeSettings(options_).dump() + "\n");
}

void TrainingProbe::BeforeStep(int64_t step, models::CifarCnn& model) {
  before_.clear();
  if (!options_.enabled || step % options_.every != 0) return;
  torch::NoGradGuard no_grad;
  for (const auto& p : model->parameters()) before_.push_back(p.detach().clone());
}

void TrainingProbe::AfterStep(int64_t step, double lr, const torch::Tensor& batch_loss,
                              models::CifarCnn& model) {
  if (before_.empty()) return;
  ProbeLayersAndBatch(step, lr, batch_loss.item<double>(), model);
  if (options_.landscape_every > 0 && step % options_.landscape_every == 0)
    ProbeLandscape(step, lr, model);
  before_.clear();
}

void TrainingProbe::ProbeLayersAndBatch(int64_t step, double lr, double batch_loss,
                                        models::CifarCnn& model) {
  torch::NoGradGuard no_grad;
  models::CnnOutput out;
  {
    ProbeMode mode(model);
    compat::Bf16AutocastScope autocast(bf16_, torch::kCPU);
    out = model->ForwardWithPreActivations(probe_input_);
  }
  const torch::Tensor logits = out.logits.to(torch::kFloat32);
  const std::vector<torch::Tensor> params = model->parameters();
  const auto named = model->named_parameters();
  for (int i = 0; i < 6; ++i) {
    const std::string layer = kLayers[i];
    const torch::Tensor w = WeightOf(model, layer);
    // before_ follows model->parameters()' order; find this weight's place.
    size_t index = 0;
    while (index < params.size() && !params[index].is_same(w)) ++index;
    const double weight_norm = w.to(torch::kFloat64).norm().item<double>();
    const double grad_norm =
        w.grad().defined() ? w.grad().to(torch::kFloat64).norm().item<double>() : 0.0;
    const bool scale_invariant = model->options().batchnorm && i < kConvLayers;
    // In float32: a double copy of every pre-activation costs more than the
    // forward pass, and ATen's pairwise sums keep float32 exact enough here.
    const torch::Tensor pre =
        (i < static_cast<int>(out.pre_activations.size()) ? out.pre_activations[i] : logits)
            .to(torch::kFloat32);
    const auto [pre_sd, pre_mean] = torch::std_mean(pre);
    const bool has_relu = i < static_cast<int>(out.pre_activations.size());
    layers_.AddRow({absl::StrCat(step), FormatDouble(lr), layer, FormatDouble(weight_norm),
                    FormatDouble(grad_norm), FormatDouble(UpdateRatio(before_[index], w)),
                    scale_invariant ? FormatDouble(EffectiveLr(lr, weight_norm)) : "",
                    has_relu ? FormatDouble(DeadFraction(pre)) : "",
                    FormatDouble(pre_mean.item<double>()), FormatDouble(pre_sd.item<double>())});
  }
  const torch::Tensor predicted = logits.argmax(1);
  const torch::Tensor counts = torch::bincount(predicted, {}, model->options().num_classes);
  const double n = static_cast<double>(probe_labels_.size(0));
  network_.AddRow(
      {absl::StrCat(step), FormatDouble(lr), FormatDouble(batch_loss),
       FormatDouble(torch::nn::functional::cross_entropy(logits, probe_labels_).item<double>()),
       FormatDouble(predicted.eq(probe_labels_).sum().item<double>() / n),
       FormatDouble(logits.std().item<double>()), FormatDouble(counts.max().item<double>() / n)});
}

void TrainingProbe::ProbeLandscape(int64_t step, double lr, models::CifarCnn& model) {
  std::vector<torch::Tensor> params = model->parameters();
  std::vector<torch::Tensor> after, direction;
  {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < params.size(); ++i) {
      after.push_back(params[i].detach().clone());
      direction.push_back(after.back() - before_[i]);
      params[i].copy_(before_[i]);
    }
  }
  const torch::Tensor x = probe_input_.slice(0, 0, options_.landscape_images);
  const torch::Tensor y = probe_labels_.slice(0, 0, options_.landscape_images);
  Landscape landscape;
  {
    ProbeMode mode(model);
    landscape = LossAlong(params, direction, options_.landscape_steps, [&]() {
      torch::AutoGradMode grad_mode(true);
      torch::Tensor logits;
      {
        compat::Bf16AutocastScope autocast(bf16_, torch::kCPU);
        logits = model->forward(x);
      }
      const torch::Tensor loss =
          torch::nn::functional::cross_entropy(logits.to(torch::kFloat32), y);
      LossAndGradient out;
      out.loss = loss.item<double>();
      out.gradient = torch::autograd::grad({loss}, params);
      return out;
    });
  }
  {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < params.size(); ++i) params[i].copy_(after[i]);
  }
  std::vector<std::string> row = {absl::StrCat(step), FormatDouble(lr),
                                  FormatDouble(landscape.loss)};
  for (double loss : landscape.losses) row.push_back(FormatDouble(loss));
  for (double v : {landscape.loss_range, landscape.gradient_predictiveness, landscape.beta,
                   landscape.relative_loss_change})
    row.push_back(FormatDouble(v));
  landscape_.AddRow(std::move(row));
}

absl::Status TrainingProbe::EndEpoch(int /*epoch*/) {
  for (const auto& [path, table] : {std::pair{LayersCsvPath(dir_, run_id_), &layers_},
                                    {NetworkCsvPath(dir_, run_id_), &network_},
                                    {LandscapeCsvPath(dir_, run_id_), &landscape_}}) {
    if (absl::Status s = table->Write(path); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace hw1::probe
