#ifndef HW1_LIB_PROBE_TRAINING_PROBE_H_
#define HW1_LIB_PROBE_TRAINING_PROBE_H_

// Measures taken inside a training run without changing it (a
// train::StepObserver): every `every` steps, per layer and on a fixed probe
// batch, and every `landscape_every` steps the landscape along the step
// taken (probe_math.h). The probe consumes no random numbers (dropout is off
// for its forward passes), leaves BatchNorm's running statistics and Adam's
// state untouched and restores the weights bit for bit, so that a probed run
// has the losses, accuracies and checkpoints of an unprobed one
// (tests/probe/training_probe_test).
//
// Files, in `dir`, for run id R (rewritten atomically after every epoch,
// before its checkpoint; a resumed run keeps the rows of the steps it had
// done):
//   R_layers.csv     step, lr, layer (conv1-4, fc1, fc2), weight_norm ‖W‖,
//                    grad_norm ‖∇W‖ (the training batch's), update_ratio
//                    ‖ΔW‖/‖W‖ (the step Adam took), effective_lr η/‖W‖² (conv
//                    layers followed by BN; empty otherwise), dead_fraction,
//                    preact_mean, preact_sd (what the ReLU receives; for fc2
//                    the logits, with no dead fraction)
//   R_network.csv    step, lr, batch_loss, probe_loss, probe_acc, logits_sd,
//                    top_class_share (the largest class's share of the probe
//                    batch's predictions)
//   R_landscape.csv  step, lr, loss, loss_s<s> for each s, loss_range,
//                    gradient_predictiveness, beta, relative_loss_change
//   R_probe.json     the probe's settings: a resume with other settings is
//                    refused rather than mixed into one file.
//
// BatchNorm in the probe's forward passes normalises with the probe batch's
// own statistics, as in training (running statistics are barely formed in the
// first epoch); dropout is off.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "lib/data/cifar10.h"
#include "lib/models/cifar_cnn.h"
#include "lib/train/step_observer.h"
#include "lib/train/train_options.h"
#include "lib/util/csv.h"
#include "nlohmann/json.hpp"

namespace hw1::probe {

// The default cadence costs <= 5 % of a training step: on an AMD EPYC (AVX2,
// 2026-12-08; reports/data/speed/probe_overhead.csv, tests/benchmarks/
// probe_benchmark) a probe takes ~1.1 s (one forward pass of the 512-image
// probe batch and the per-layer norms) against a ~125 ms step, so one every
// 250 steps costs 3.4 % (baseline) and 3.8 % (BatchNorm), and 6 pairs of
// alternating probed and unprobed blocks gave +3.4 % for BatchNorm. A
// landscape adds ~2.2-2.8 s (six forward-backward passes of its 128 images):
// a probe every 25 steps with a landscape every 200 costs +32-60 %, for a
// study of the first epoch; the landscape is off unless asked for.
struct ProbeOptions {
  bool enabled = false;        // --probe
  int every = 250;             // --probe_every: steps between probes
  int landscape_every = 0;     // --landscape_every: a multiple of `every`; 0: no landscape
  int images = 512;            // --probe_images: the first N training images, in every run
  int landscape_images = 128;  // --landscape_images: the first N of those
  std::vector<double> landscape_steps = {0.25, 0.5, 1, 2, 4};
};
// Errors name the flag; `train_images`: how many the run has.
absl::Status ValidateProbeOptions(const ProbeOptions& options, int64_t train_images);
// The cadence and batches, as R_probe.json and the sweep's manifest record them.
nlohmann::json ProbeSettings(const ProbeOptions& options);

std::string LayersCsvPath(const std::string& dir, const std::string& run_id);
std::string NetworkCsvPath(const std::string& dir, const std::string& run_id);
std::string LandscapeCsvPath(const std::string& dir, const std::string& run_id);
std::string ProbeSettingsPath(const std::string& dir, const std::string& run_id);

class TrainingProbe final : public train::StepObserver {
 public:
  // `train`: the run's training images (the probe batch is their first
  // options.images); `run`: the options the run trains with (precision,
  // input scale). Nothing is read or written before Begin.
  TrainingProbe(const ProbeOptions& options, const data::ImageSet& train,
                const train::TrainOptions& run, std::string dir, std::string run_id);

  absl::Status Begin(int64_t steps_done) override;
  void BeforeStep(int64_t step, models::CifarCnn& model) override;
  void AfterStep(int64_t step, double lr, const torch::Tensor& batch_loss,
                 models::CifarCnn& model) override;
  absl::Status EndEpoch(int epoch) override;

 private:
  void ProbeLayersAndBatch(int64_t step, double lr, double batch_loss, models::CifarCnn& model);
  void ProbeLandscape(int64_t step, double lr, models::CifarCnn& model);

  ProbeOptions options_;
  bool bf16_;
  std::string dir_, run_id_;
  torch::Tensor probe_input_, probe_labels_;
  std::vector<torch::Tensor> before_;  // every parameter before the probed step
  CsvTable layers_, network_, landscape_;
};

}  // namespace hw1::probe

#endif  // HW1_LIB_PROBE_TRAINING_PROBE_H_
