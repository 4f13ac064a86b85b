#include "lib/train/trainer.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/compat/torch_compat.h"
#include "lib/train/checkpoint.h"
#include "lib/train/fused_adam.h"
#include "lib/util/cpu_features.h"
#include "lib/util/file_util.h"
#include "lib/util/openblas.h"

namespace hw1::train {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

torch::Device ResolveDevice(Device device) {
  if (device == Device::kCuda || (device == Device::kAuto && torch::cuda::is_available())) {
    return torch::Device(torch::kCUDA);
  }
  return torch::Device(torch::kCPU);
}

bool UseBf16(const TrainOptions& options, const torch::Device& device) {
  (void)device;  // CPU autocast; on CUDA it has no effect
  return ResolvePrecision(options.precision) == Precision::kBf16;
}

// The data set as one uint8 tensor (no copy) and its labels.
struct TensorSet {
  torch::Tensor images;  // N × 3 × 32 × 32, uint8
  torch::Tensor labels;  // N, int64
};

TensorSet ToTensors(const data::ImageSet& set, const torch::Device& device) {
  auto* pixels = const_cast<uint8_t*>(set.pixels.data());
  auto* labels = const_cast<int64_t*>(set.labels.data());
  TensorSet out;
  out.images =
      torch::from_blob(pixels, {set.size(), data::kChannels, data::kImageSide, data::kImageSide},
                       torch::kUInt8)
          .to(device);
  out.labels = torch::from_blob(labels, {set.size()}, torch::kInt64).to(device);
  return out;
}

class Progress {
 public:
  Progress(bool enabled, std::string label)
      : enabled_(enabled),
        label_(std::move(label)),
        tty_(label_.empty() && isatty(STDERR_FILENO) == 1) {}
  void Batch(int epoch, int epochs, int64_t batch, int64_t batches, double loss, double acc,
             double images_per_second, double eta_seconds) {
    if (!enabled_ || !tty_ || batch % 50 != 0) return;
    std::fprintf(stderr,
                 "\repoch %d/%d  batch %ld/%ld  loss %.4f  acc %.4f  %.0f img/s  ETA %.0f s   ",
                 epoch, epochs, batch, batches, loss, acc, images_per_second, eta_seconds);
  }
  void Epoch(int epochs, const EpochMetrics& m) {
    if (!enabled_) return;
    std::fprintf(stderr,
                 "%s%sepoch %d/%d  loss %.4f  acc %.4f  val_loss %.4f  val_acc %.4f  lr %.3g  %.1f "
                 "s  %.0f img/s\n",
                 tty_ ? "\r" : "", label_.empty() ? "" : (label_ + ": ").c_str(), m.epoch, epochs,
                 m.train_loss, m.train_acc, m.val_loss, m.val_acc, m.lr_now, m.seconds,
                 m.images_per_second);
  }

 private:
  bool enabled_;
  std::string label_;
  bool tty_;
};

}  // namespace

int ConfigureThreads(int requested) {
  const int threads = requested > 0
                          ? requested
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(threads);
  // LibTorch already runs its ops on an OpenMP team; OpenBLAS's own pthreads
  // (Debian's libopenblas0-pthread) would then compete with the team's
  // spinning threads for the same cores: fp32 steps ran 25 % slower so.
  SetOpenBlasThreads(1);
  // Flush denormals to zero, on this thread and on every thread of the
  // intra-op team (the setting is per thread). Adam's moments of parameters
  // whose gradients stay zero (dead ReLUs, common at high learning rates)
  // decay through the denormal range for thousands of steps, and denormal
  // arithmetic is ~100x slower: epochs of the x5 baseline ran 2.4x slower.
  // TensorFlow, and so the homework's Keras, flushes denormals by default too.
  at::globalContext().setFlushDenormal(true);
  at::parallel_for(0, threads, 1,
                   [](int64_t, int64_t) { at::globalContext().setFlushDenormal(true); });
  return threads;
}

torch::Tensor ToInput(const torch::Tensor& images, InputScale scale) {
  torch::Tensor x = images.to(torch::kFloat32);
  if (scale == InputScale::kUnit) x.div_(255.0);
  return x.contiguous(torch::MemoryFormat::ChannelsLast);
}

void ToChannelsLast(models::CifarCnn& model) {
  torch::NoGradGuard no_grad;
  for (auto& p : model->parameters()) {
    if (p.dim() == 4) p.set_data(p.contiguous(torch::MemoryFormat::ChannelsLast));
  }
}

torch::optim::AdamOptions AdamOptionsFor(const TrainOptions& options) {
  return torch::optim::AdamOptions(options.lr).eps(options.adam_eps);
}

StepOutput TrainStep(models::CifarCnn& model, torch::optim::Adam& optimizer,
                     const torch::Tensor& input, const torch::Tensor& labels, double lr, bool bf16,
                     const torch::Device& device) {
  for (auto& group : optimizer.param_groups()) {
    static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
  }
  // Gradients to "none" rather than zero (LibTorch 1.13's zero_grad() fills
  // zeros): backward then hands over its result without an extra add.
  for (auto& group : optimizer.param_groups()) {
    for (auto& p : group.params()) p.mutable_grad() = torch::Tensor();
  }
  StepOutput out;
  {
    compat::Bf16AutocastScope autocast(bf16, device.type());
    out.logits = model->forward(input);
  }
  out.logits = out.logits.to(torch::kFloat32);
  out.loss = torch::nn::functional::cross_entropy(out.logits, labels);
  out.loss.backward();
  optimizer.step();
  return out;
}

std::string ResolvedPrecision(const TrainOptions& options) {
  return UseBf16(options, ResolveDevice(options.device)) ? "bf16" : "fp32";
}

absl::Status CheckDeviceAvailable(Device device) {
  if (device != Device::kCuda || torch::cuda::is_available()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "--device=cuda: ",
      at::hasCUDA() ? "no CUDA GPU is visible" : "this LibTorch was built without CUDA",
      "; use --device=cpu (or auto, which picks CUDA when it is there)"));
}

bool CudaPicked(Device device) { return ResolveDevice(device).is_cuda(); }

TrainOptions ResolvedForThisHost(TrainOptions options) {
  options.precision =
      UseBf16(options, ResolveDevice(options.device)) ? Precision::kBf16 : Precision::kFp32;
  options.threads = ConfigureThreads(options.threads);
  return options;
}

Evaluation Evaluate(models::CifarCnn& model, const data::ImageSet& images,
                    const TrainOptions& options) {
  const torch::Device device = ResolveDevice(options.device);
  const bool bf16 = UseBf16(options, device);
  const TensorSet set = ToTensors(images, device);
  model->eval();
  torch::InferenceMode inference;
  compat::Bf16AutocastScope autocast(bf16, device.type());
  double loss_sum = 0;
  int64_t correct = 0;
  torch::Tensor predicted = torch::zeros({model->options().num_classes}, torch::kInt64);
  for (int64_t start = 0; start < images.size(); start += options.eval_batch_size) {
    const int64_t end = std::min<int64_t>(start + options.eval_batch_size, images.size());
    const torch::Tensor logits =
        model->forward(ToInput(set.images.slice(0, start, end), options.input_scale))
            .to(torch::kFloat32);
    const torch::Tensor labels = set.labels.slice(0, start, end);
    loss_sum +=
        torch::nn::functional::cross_entropy(
            logits, labels, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
            .item<double>();
    const torch::Tensor prediction = logits.argmax(1);
    correct += prediction.eq(labels).sum().item<int64_t>();
    predicted += torch::bincount(prediction.to(torch::kCPU), {}, model->options().num_classes);
  }
  const double n = static_cast<double>(std::max<int64_t>(images.size(), 1));
  Evaluation evaluation{loss_sum / n, static_cast<double>(correct) / n, {}};
  for (int64_t c = 0; c < predicted.size(0); ++c)
    evaluation.prediction_counts.push_back(predicted[c].item<int64_t>());
  return evaluation;
}

absl::StatusOr<TrainResult> Train(models::CifarCnn& model, const data::ImageSet& train,
                                  const data::ImageSet& test, const TrainOptions& options,
                                  const EpochCallback& on_epoch, StepObserver* observer) {
  if (absl::Status status = ValidateTrainOptions(options); !status.ok()) return status;
  if (train.size() == 0) return absl::InvalidArgumentError("no training images");
  const torch::Device device = ResolveDevice(options.device);
  const int threads = ConfigureThreads(options.threads);
  const bool bf16 = UseBf16(options, device);

  TrainResult result;
  result.precision = bf16 ? "bf16" : "fp32";
  result.device = device.is_cuda() ? "cuda" : "cpu";
  result.threads = threads;
  result.train_images = train.size();

  torch::manual_seed(options.seed);
  model->ResetParameters();  // from the seed just set, whatever happened to the model before
  model->to(device);
  ToChannelsLast(model);
  FusedAdam optimizer(model->parameters(), AdamOptionsFor(options));
  const std::string signature =
      CheckpointSignature(options, model->options(), result.precision, threads, train, test);

  TrainingState state;
  // A kill during a checkpoint write leaves <checkpoint>.tmp.<pid>; tidy those.
  if (!options.checkpoint_path.empty()) RemoveStaleTemporaries(options.checkpoint_path);
  if (options.resume && std::filesystem::exists(options.checkpoint_path)) {
    absl::StatusOr<TrainingState> loaded =
        LoadCheckpoint(options.checkpoint_path, model, optimizer, signature, device);
    if (!loaded.ok()) return loaded.status();
    state = *loaded;
    result.history = state.history;
    result.resumed_from_epoch = state.epoch;
    ToChannelsLast(model);
  }

  KerasDecay schedule(options.lr, options.decay, state.step);
  const TensorSet train_set = ToTensors(train, device);
  const int64_t n = train.size();
  const int64_t batches = (n + options.batch_size - 1) / options.batch_size;
  Progress progress(options.progress, options.progress_label);
  StepObserver unobserved;
  StepObserver& watch = observer != nullptr ? *observer : unobserved;
  if (absl::Status s = watch.Begin(state.step); !s.ok()) return s;

  std::vector<int64_t> last_prediction_counts;
  for (int epoch = state.epoch + 1; epoch <= options.epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    model->train();
    // The shuffle depends only on (seed, epoch): resuming reproduces it.
    auto generator = at::make_generator<at::CPUGeneratorImpl>(options.seed * 1000003ULL + epoch);
    const torch::Tensor order = torch::randperm(n, generator, torch::kInt64).to(device);
    torch::Tensor loss_sum = torch::zeros({}, torch::kFloat64);
    torch::Tensor correct = torch::zeros({}, torch::kInt64);
    double lr_now = options.lr;
    bool finite = true;
    for (int64_t b = 0; b < batches; ++b) {
      const int64_t start = b * options.batch_size;
      const int64_t end = std::min<int64_t>(start + options.batch_size, n);
      const torch::Tensor index = order.slice(0, start, end);
      const torch::Tensor x = ToInput(train_set.images.index_select(0, index), options.input_scale);
      const torch::Tensor y = train_set.labels.index_select(0, index);
      lr_now = schedule.lr();
      const int64_t step = schedule.step();
      watch.BeforeStep(step, model);
      const StepOutput out = TrainStep(model, optimizer, x, y, lr_now, bf16, device);
      schedule.Advance();
      const torch::Tensor& loss = out.loss;
      const torch::Tensor& logits = out.logits;
      watch.AfterStep(step, lr_now, loss, model);
      {
        torch::NoGradGuard no_grad;
        loss_sum += loss.detach().to(torch::kFloat64) * (end - start);
        correct += logits.argmax(1).eq(y).sum();
      }
      if ((b + 1) % 100 == 0 || b + 1 == batches) {
        const double running = loss_sum.item<double>();
        if (!std::isfinite(running)) {
          finite = false;
          break;
        }
        const double seen = static_cast<double>(end);
        const double elapsed = SecondsSince(epoch_start);
        const double rate = seen / std::max(elapsed, 1e-9);
        progress.Batch(epoch, options.epochs, b + 1, batches, running / seen,
                       static_cast<double>(correct.item<int64_t>()) / seen, rate,
                       (n - seen) / rate + (options.epochs - epoch) * n / rate);
      }
    }
    if (absl::Status s = watch.EndEpoch(epoch); !s.ok()) return s;
    if (!finite) {
      result.diverged = true;
      result.diverged_in_epoch = epoch;
      std::fprintf(stderr, "\nepoch %d: the training loss is not finite: the run diverged\n",
                   epoch);
      break;
    }
    const double train_seconds = SecondsSince(epoch_start);
    const Evaluation val = Evaluate(model, test, options);
    EpochMetrics m;
    m.epoch = epoch;
    m.train_loss = loss_sum.item<double>() / static_cast<double>(n);
    m.train_acc = static_cast<double>(correct.item<int64_t>()) / static_cast<double>(n);
    m.val_loss = val.loss;
    m.val_acc = val.accuracy;
    m.lr_now = lr_now;
    m.seconds = SecondsSince(epoch_start);
    m.images_per_second = static_cast<double>(n) / train_seconds;
    if (!std::isfinite(m.val_loss)) {
      result.diverged = true;
      result.diverged_in_epoch = epoch;
      std::fprintf(stderr, "\nepoch %d: the validation loss is not finite: the run diverged\n",
                   epoch);
      break;
    }
    result.history.push_back(m);
    last_prediction_counts = val.prediction_counts;
    state.epoch = epoch;
    state.step = schedule.step();
    state.history = result.history;
    progress.Epoch(options.epochs, m);
    if (!options.checkpoint_path.empty()) {
      if (absl::Status s =
              SaveCheckpoint(options.checkpoint_path, model, optimizer, state, signature);
          !s.ok()) {
        return s;
      }
    }
    if (on_epoch) {
      if (absl::Status s = on_epoch(result); !s.ok()) return s;
    }
  }
  // What the final model predicts on the test set (collapse: one class for
  // all). A run resumed after its last epoch evaluates its checkpoint again.
  if (!result.diverged && !result.history.empty()) {
    result.val_prediction_counts = last_prediction_counts.empty()
                                       ? Evaluate(model, test, options).prediction_counts
                                       : last_prediction_counts;
  }
  return result;
}

}  // namespace hw1::train
