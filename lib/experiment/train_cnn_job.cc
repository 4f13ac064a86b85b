#include "lib/experiment/train_cnn_job.h"

#include <torch/torch.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "lib/compat/torch_compat.h"
#include "lib/data/cifar10.h"
#include "lib/experiment/cifar10_flags.h"
#include "lib/experiment/experiment.h"
#include "lib/experiment/precision_probe.h"
#include "lib/experiment/run_entry.h"
#include "lib/train/collapse.h"
#include "lib/train/history.h"
#include "lib/train/run_id.h"
#include "lib/train/trainer.h"
#include "lib/train/weights_io.h"
#include "lib/util/csv.h"

namespace hw1::experiment {
namespace {

constexpr char kProgram[] = "q3_train_cnn";

// Layer by layer: the Keras example without and with BN, or, for another
// architecture, that network without and with BN.
CsvTable ModelSummaryTable(const models::CifarCnnOptions& network) {
  CsvTable table(
      {"network", "layer", "type", "output_shape", "trainable_params", "non_trainable_params"});
  for (bool bn : {false, true}) {
    models::CifarCnnOptions options = network;
    options.batchnorm = bn;
    for (const auto& layer : models::Summarize(options)) {
      std::string shape;
      for (size_t i = 0; i < layer.output_shape.size(); ++i) {
        absl::StrAppend(&shape, i ? "x" : "", layer.output_shape[i]);
      }
      table.AddRow({bn ? "batchnorm" : "baseline", layer.name, layer.type, shape,
                    absl::StrCat(layer.trainable_params),
                    absl::StrCat(layer.non_trainable_params)});
    }
  }
  return table;
}

CsvTable FinalMetricsRow(const std::string& run_id, const std::string& arm,
                         const train::TrainOptions& options, const train::TrainResult& result,
                         const train::RunSummary& s) {
  CsvTable table({"run_id", "arm", "lr", "seed", "train_images", "epochs_completed",
                  "final_train_loss", "final_train_acc", "final_val_loss", "final_val_acc",
                  "best_val_acc", "best_epoch", "diverged", "mean_images_per_second",
                  "wall_seconds", "precision", "threads"});
  table.AddRow({run_id, arm, FormatDouble(options.lr), absl::StrCat(options.seed),
                absl::StrCat(result.train_images), absl::StrCat(s.epochs_completed),
                FormatDouble(s.final_train_loss), FormatDouble(s.final_train_acc),
                FormatDouble(s.final_val_loss), FormatDouble(s.final_val_acc),
                FormatDouble(s.best_val_acc), absl::StrCat(s.best_epoch), FormatBool(s.diverged),
                FormatDouble(s.mean_images_per_second), FormatDouble(s.wall_seconds),
                result.precision, absl::StrCat(result.threads)});
  return table;
}

// The homework's 0.9605 may have been Keras' running mean with dropout on
// (final_train_acc) or an evaluation of the trained network: record both.
CsvTable ArchitectureSearchRow(const std::string& run_id, models::CifarCnn& model,
                               const train::TrainOptions& options, const train::TrainResult& result,
                               const train::RunSummary& s, double train_acc_eval) {
  const models::CifarCnnOptions& network = model->options();
  const double majority = train::MajorityClassShare(result.val_prediction_counts);
  CsvTable table({"run_id", "widths", "dropout", "params", "lr_multiplier", "seed",
                  "final_train_acc", "final_train_acc_eval", "final_val_acc", "best_val_acc",
                  "val_majority_class_share", "collapsed", "diverged", "precision",
                  "wall_seconds"});
  table.AddRow({run_id, models::WidthsText(network.widths), models::DropoutText(network.dropout),
                absl::StrCat(models::CountParameters(*model)),
                FormatDouble(options.lr / train::TrainOptions().lr), absl::StrCat(options.seed),
                FormatDouble(s.final_train_acc), FormatDouble(train_acc_eval),
                FormatDouble(s.final_val_acc), FormatDouble(s.best_val_acc),
                majority >= 0 ? FormatDouble(majority) : "",
                FormatBool(!s.diverged && train::IsCollapsed(s.final_val_acc, majority)),
                FormatBool(s.diverged), result.precision, FormatDouble(s.wall_seconds)});
  return table;
}

}  // namespace

absl::StatusOr<TrainCnnSetup> SetUpTrainCnn(const TrainCnnSettings& settings) {
  TrainCnnSetup setup;
  train::TrainOptions& t = setup.train;
  t.epochs = settings.epochs;
  t.batch_size = settings.batch_size;
  t.lr = settings.lr;
  t.decay = settings.decay;
  t.seed = settings.seed;
  t.threads = settings.threads;
  if (absl::Status s = train::SetPrecisionAndDevice(settings.precision, settings.device, &t);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<train::InputScale> input_scale = train::ParseInputScale(settings.input_scale);
  if (!input_scale.ok()) return input_scale.status();
  t.input_scale = *input_scale;
  if (absl::Status s = train::ValidateTrainOptions(t); !s.ok()) return s;
  if (settings.train_limit == 0 || settings.train_limit < -1 || settings.test_limit == 0 ||
      settings.test_limit < -1) {
    return absl::InvalidArgumentError("--train_limit and --test_limit must be -1 (all) or >= 1");
  }
  models::CifarCnnOptions& network = setup.network;
  network.batchnorm = settings.batchnorm;
  absl::StatusOr<models::Init> init = models::ParseInit(settings.init);
  if (!init.ok()) return init.status();
  network.init = *init;
  absl::StatusOr<std::array<int64_t, 4>> widths = models::ParseWidths(settings.widths);
  if (!widths.ok()) return widths.status();
  network.widths = *widths;
  absl::StatusOr<std::array<double, 3>> dropout = models::ParseDropout(settings.dropout);
  if (!dropout.ok()) return dropout.status();
  network.dropout = *dropout;
  return setup;
}

absl::Status TrainCnn(const TrainCnnSettings& settings, Manifest& manifest) {
  absl::StatusOr<TrainCnnSetup> setup = SetUpTrainCnn(settings);
  if (!setup.ok()) return setup.status();
  if (absl::Status s = train::CheckDeviceAvailable(setup->train.device); !s.ok()) return s;
  const std::string arm_name = setup->network.batchnorm ? "bn" : "baseline";
  // auto: one run of this network timed in both precisions, with the run's threads.
  std::optional<ProbeOutcome> probe;
  if (setup->train.precision == train::Precision::kAuto &&
      !train::CudaPicked(setup->train.device)) {
    ProbeRequest request;
    request.networks.emplace_back(arm_name, setup->network);
    request.options = setup->train;
    request.options.threads = train::ConfigureThreads(setup->train.threads);
    request.processes = 1;
    request.program_args = settings.program_args;
    if (IsProbeWorker()) return RunProbeWorker(request);
    absl::StatusOr<ProbeOutcome> outcome = ProbePrecision(request);
    if (!outcome.ok()) return outcome.status();
    probe = *outcome;
    setup->train.precision = probe->choice.precision;
    std::fprintf(stderr, "precision: %s\n", DescribeOutcome(*probe).c_str());
  }
  // The precision and the thread count are part of the run's identity: resolved before naming it.
  train::TrainOptions options = train::ResolvedForThisHost(setup->train);
  const std::string precision = train::PrecisionName(options.precision);
  if (probe) MatchWaitsToStep(probe->choice.step_ms, options.threads);
  const models::CifarCnnOptions& network = setup->network;
  const std::string architecture = models::ArchitectureTag(network);
  const std::filesystem::path out_dir = OutDir();
  const std::string& arm = arm_name;
  const std::string run_id =
      train::MakeRunId({arm, options.lr, options.seed, precision, options.threads, options.epochs,
                        options.batch_size, options.decay, settings.train_limit,
                        settings.test_limit, compat::TorchMajorMinor(), settings.init, architecture,
                        train::InputScaleName(options.input_scale)});
  const std::string checkpoint = train::CheckpointFile(kProgram, run_id);  // relative to out_dir
  options.checkpoint_path = (out_dir / checkpoint).string();
  options.resume = settings.resume;

  absl::StatusOr<data::Cifar10> data =
      LoadCifar10FromFlags(settings.train_limit, settings.test_limit);
  if (!data.ok()) return data.status();
  // The id names everything but the data; a run of this id on other files is refused.
  if (absl::Status st =
          manifest.CheckRecordedRun(out_dir.string(), run_id, "data_md5", data->file_md5);
      !st.ok()) {
    return st;
  }

  const std::string summary_csv = architecture.empty()
                                      ? "q3_model_summary.csv"
                                      : absl::StrCat("q3_model_summary_", architecture, ".csv");
  if (auto s = ModelSummaryTable(network).Write((out_dir / summary_csv).string()); !s.ok())
    return s;
  std::fprintf(stderr, "%s",
               models::FormatSummary(models::Summarize(network),
                                     network.batchnorm ? "cifar10_cnn_bn" : "cifar10_cnn")
                   .c_str());
  models::CifarCnn model(network);
  std::fprintf(stderr, "run %s: %ld training and %ld test images from %s, checkpoint %s\n",
               run_id.c_str(), data->train.size(), data->test.size(), data->dir.c_str(),
               options.checkpoint_path.c_str());

  const train::RunInfo run{run_id, arm, options.lr, options.seed, {}};
  const std::string history_path = (out_dir / "q3_history.csv").string();
  auto on_epoch = [&](const train::TrainResult& result) {
    return train::MergeRunRows(history_path, train::HistoryTable(run, result));
  };
  absl::StatusOr<train::TrainResult> result =
      train::Train(model, data->train, data->test, options, on_epoch);
  if (!result.ok()) return result.status();
  if (auto s = on_epoch(*result); !s.ok()) return s;  // also when every epoch was already done

  const train::RunSummary summary = train::Summarize(*result);
  if (auto st = train::MergeRunRows((out_dir / "q3_final_metrics.csv").string(),
                                    FinalMetricsRow(run_id, arm, options, *result, summary));
      !st.ok()) {
    return st;
  }
  const train::Evaluation train_eval = train::Evaluate(model, data->train, options);
  if (auto st = train::MergeRunRows(
          (out_dir / "q3_architecture_search.csv").string(),
          ArchitectureSearchRow(run_id, model, options, *result, summary, train_eval.accuracy));
      !st.ok()) {
    return st;
  }
  const std::filesystem::path weights = out_dir / "weights";
  if (auto st = train::SaveWeights(model, (weights / (run_id + ".pt")).string()); !st.ok())
    return st;
  if (auto st = train::ExportWeightsForPython(model, (weights / (run_id + ".pth")).string());
      !st.ok()) {
    return st;
  }

  manifest["torch_version"] = TORCH_VERSION;
  manifest["data"] = {{"dir", data->dir},
                      {"md5", data->file_md5},
                      {"train_images", data->train.size()},
                      {"test_images", data->test.size()}};
  nlohmann::json entry =
      RunManifestEntry({arm, settings.init, options, checkpoint}, *result, *data, manifest);
  entry["widths"] = models::WidthsText(network.widths);
  entry["dropout"] = models::DropoutText(network.dropout);
  manifest["runs"][run_id] = std::move(entry);
  manifest["threads"] = result->threads;
  manifest["precision"] = result->precision;
  if (probe.has_value()) manifest["precision_probe"] = ProbeManifestEntry(*probe);
  if (auto st = manifest.Write(out_dir.string()); !st.ok()) return st;
  std::printf(
      "q3_train_cnn %s: %d epochs, train acc %.4f, val acc %.4f (best %.4f at epoch %d), %.0f "
      "img/s%s\n",
      run_id.c_str(), summary.epochs_completed, summary.final_train_acc, summary.final_val_acc,
      summary.best_val_acc, summary.best_epoch, summary.mean_images_per_second,
      summary.diverged ? ", DIVERGED" : "");
  return absl::OkStatus();
}

}  // namespace hw1::experiment
