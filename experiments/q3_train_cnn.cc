// Q3 (a, b): trains the homework's CNN on CIFAR-10 with the homework's protocol
// (Adam, lr 1e-4, decay 1e-6, batch 32, 25 epochs) and evaluates it after every
// epoch. Writes to --out_dir:
//   q3_history.csv         one row per epoch (rows of other runs are kept)
//   q3_final_metrics.csv   one row per run
//   q3_model_summary.csv   both networks, layer by layer (Keras' model.summary());
//                          with --widths: q3_model_summary_<tag>.csv, that network
//   q3_architecture_search.csv  one row per run: the network, its accuracies
//                          (training accuracy also in eval mode), collapse
//   q3_train_cnn.manifest.json
//   weights/<run_id>.pt    (C++ archive)  and  weights/<run_id>.pth  (torch.load-able dict)
//   checkpoints/q3_train_cnn/<run_id>.ckpt  after every epoch; --resume continues
//     from it. Its own folder: q4_bn_sweep trains runs with the same ids, and
//     neither program should take over a run the other trained.

#include <gflags/gflags.h>
#include <torch/torch.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "lib/compat/torch_compat.h"
#include "lib/data/cifar10.h"
#include "lib/experiment/cifar10_flags.h"
#include "lib/experiment/experiment.h"
#include "lib/models/cifar_cnn.h"
#include "lib/train/collapse.h"
#include "lib/train/history.h"
#include "lib/train/trainer.h"
#include "lib/util/cpu_features.h"
#include "lib/util/csv.h"
#include "lib/util/run_context.h"

DEFINE_int32(epochs, 25, "Epochs");
DEFINE_int32(batch_size, 32, "Batch size");
DEFINE_double(lr, 1e-4, "Adam learning rate");
DEFINE_double(decay, 1e-6, "Keras time-based decay: lr / (1 + decay * batches)");
DEFINE_uint64(seed, 0, "Seed for initialisation, shuffling and dropout");
DEFINE_int32(threads, 0, "Intra-op threads (0: every core)");
DEFINE_string(precision, "auto", "auto (bf16 autocast on CPUs with AMX, else fp32), fp32 or bf16");
DEFINE_string(device, "auto", "auto, cpu or cuda");
DEFINE_bool(batchnorm, false, "Train the BatchNorm variant (homework Figure 10)");
DEFINE_string(widths, "32,32,64,64",
              "Channels of the four conv layers (default: the Keras example's)");
DEFINE_string(
    dropout, "0.25,0.25,0.5",
    "Dropout rates after each pooling and after the dense layer (default: the Keras example's)");
DEFINE_string(
    init, "keras",
    "Initialisation: keras (Glorot-uniform weights, zero biases) or torch (LibTorch's defaults)");
DEFINE_int64(train_limit, -1, "Use the first N training images (-1: all 50,000)");
DEFINE_int64(test_limit, -1, "Use the first N test images (-1: all 10,000)");
DEFINE_bool(resume, false,
            "Continue from this run's checkpoint in --out_dir/checkpoints/q3_train_cnn");

namespace {

int Fail(const absl::Status& status) { return hw1::experiment::Fail("q3_train_cnn", status); }

// Layer by layer: the Keras example without and with BN, or, for another
// architecture, that network without and with BN.
hw1::CsvTable ModelSummaryTable(const hw1::models::CifarCnnOptions& network) {
  hw1::CsvTable table(
      {"network", "layer", "type", "output_shape", "trainable_params", "non_trainable_params"});
  for (bool bn : {false, true}) {
    hw1::models::CifarCnnOptions options = network;
    options.batchnorm = bn;
    for (const auto& layer : hw1::models::Summarize(options)) {
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

}  // namespace

int main(int argc, char** argv) {
  hw1::Manifest manifest =
      hw1::experiment::Start("q3_train_cnn", "Q3: train the homework's CIFAR-10 CNN", &argc, &argv);

  hw1::train::TrainOptions options;
  options.epochs = FLAGS_epochs;
  options.batch_size = FLAGS_batch_size;
  options.lr = FLAGS_lr;
  options.decay = FLAGS_decay;
  options.seed = FLAGS_seed;
  options.threads = FLAGS_threads;
  options.resume = FLAGS_resume;
  if (absl::Status s = hw1::train::SetPrecisionAndDevice(FLAGS_precision, FLAGS_device, &options);
      !s.ok()) {
    return Fail(s);
  }
  hw1::experiment::MatchWaitsToPrecision(hw1::train::ResolvedPrecision(options));
  if (FLAGS_train_limit == 0 || FLAGS_train_limit < -1 || FLAGS_test_limit == 0 ||
      FLAGS_test_limit < -1) {
    return Fail(
        absl::InvalidArgumentError("--train_limit and --test_limit must be -1 (all) or >= 1"));
  }

  hw1::models::CifarCnnOptions model_options;
  model_options.batchnorm = FLAGS_batchnorm;
  absl::StatusOr<hw1::models::Init> init = hw1::models::ParseInit(FLAGS_init);
  if (!init.ok()) return Fail(init.status());
  model_options.init = *init;
  absl::StatusOr<std::array<int64_t, 4>> widths = hw1::models::ParseWidths(FLAGS_widths);
  if (!widths.ok()) return Fail(widths.status());
  model_options.widths = *widths;
  absl::StatusOr<std::array<double, 3>> dropout = hw1::models::ParseDropout(FLAGS_dropout);
  if (!dropout.ok()) return Fail(dropout.status());
  model_options.dropout = *dropout;
  const std::string architecture = hw1::models::ArchitectureTag(model_options);

  const std::filesystem::path out_dir = hw1::experiment::OutDir();
  const std::string arm = FLAGS_batchnorm ? "bn" : "baseline";
  // The thread count is part of the run's identity: resolve it before naming the run.
  options.threads = hw1::train::ConfigureThreads(options.threads);
  const std::string run_id = hw1::train::MakeRunId(
      {arm, options.lr, options.seed, hw1::train::ResolvedPrecision(options), options.threads,
       options.epochs, options.batch_size, options.decay, FLAGS_train_limit, FLAGS_test_limit,
       hw1::compat::TorchMajorMinor(), FLAGS_init, architecture});
  const std::string checkpoint =
      hw1::train::CheckpointFile("q3_train_cnn", run_id);  // relative to out_dir
  options.checkpoint_path = (out_dir / checkpoint).string();
  if (absl::Status status = hw1::train::ValidateTrainOptions(options); !status.ok())
    return Fail(status);

  absl::StatusOr<hw1::data::Cifar10> data =
      hw1::experiment::LoadCifar10FromFlags(FLAGS_train_limit, FLAGS_test_limit);
  if (!data.ok()) return Fail(data.status());
  // The id names everything but the data; a run of this id on other files is refused.
  if (absl::Status st =
          manifest.CheckRecordedRun(out_dir.string(), run_id, "data_md5", data->file_md5);
      !st.ok()) {
    return Fail(st);
  }

  const std::string summary_csv = architecture.empty()
                                      ? "q3_model_summary.csv"
                                      : absl::StrCat("q3_model_summary_", architecture, ".csv");
  if (auto s = ModelSummaryTable(model_options).Write((out_dir / summary_csv).string()); !s.ok())
    return Fail(s);
  std::fprintf(stderr, "%s",
               hw1::models::FormatSummary(hw1::models::Summarize(model_options),
                                          FLAGS_batchnorm ? "cifar10_cnn_bn" : "cifar10_cnn")
                   .c_str());
  hw1::models::CifarCnn model(model_options);
  std::fprintf(stderr, "run %s: %ld training and %ld test images from %s, checkpoint %s\n",
               run_id.c_str(), data->train.size(), data->test.size(), data->dir.c_str(),
               options.checkpoint_path.c_str());

  hw1::train::RunInfo run{run_id, arm, options.lr, options.seed, {}};
  const std::string history_path = (out_dir / "q3_history.csv").string();
  auto on_epoch = [&](const hw1::train::TrainResult& result) {
    return hw1::train::MergeRunRows(history_path, hw1::train::HistoryTable(run, result));
  };
  absl::StatusOr<hw1::train::TrainResult> result =
      hw1::train::Train(model, data->train, data->test, options, on_epoch);
  if (!result.ok()) return Fail(result.status());
  if (auto s = on_epoch(*result); !s.ok())
    return Fail(s);  // also when every epoch was already done

  const hw1::train::RunSummary s = hw1::train::Summarize(*result);
  hw1::CsvTable final_metrics({"run_id", "arm", "lr", "seed", "epochs_completed",
                               "final_train_loss", "final_train_acc", "final_val_loss",
                               "final_val_acc", "best_val_acc", "best_epoch", "diverged",
                               "mean_images_per_second", "wall_seconds", "precision", "threads"});
  final_metrics.AddRow({run_id, arm, hw1::FormatDouble(options.lr), absl::StrCat(options.seed),
                        absl::StrCat(s.epochs_completed), hw1::FormatDouble(s.final_train_loss),
                        hw1::FormatDouble(s.final_train_acc), hw1::FormatDouble(s.final_val_loss),
                        hw1::FormatDouble(s.final_val_acc), hw1::FormatDouble(s.best_val_acc),
                        absl::StrCat(s.best_epoch), hw1::FormatBool(s.diverged),
                        hw1::FormatDouble(s.mean_images_per_second),
                        hw1::FormatDouble(s.wall_seconds), result->precision,
                        absl::StrCat(result->threads)});
  if (auto st =
          hw1::train::MergeRunRows((out_dir / "q3_final_metrics.csv").string(), final_metrics);
      !st.ok()) {
    return Fail(st);
  }
  // The homework's 0.9605 may have been Keras' running mean with dropout on
  // (final_train_acc) or an evaluation of the trained network: record both.
  const hw1::train::Evaluation train_eval = hw1::train::Evaluate(model, data->train, options);
  const double majority = hw1::train::MajorityClassShare(result->val_prediction_counts);
  hw1::CsvTable search({"run_id", "widths", "dropout", "params", "lr_multiplier", "seed",
                        "final_train_acc", "final_train_acc_eval", "final_val_acc", "best_val_acc",
                        "val_majority_class_share", "collapsed", "diverged", "precision",
                        "wall_seconds"});
  search.AddRow(
      {run_id, hw1::models::WidthsText(model_options.widths),
       hw1::models::DropoutText(model_options.dropout),
       absl::StrCat(hw1::models::CountParameters(*model)), hw1::FormatDouble(options.lr / 1e-4),
       absl::StrCat(options.seed), hw1::FormatDouble(s.final_train_acc),
       hw1::FormatDouble(train_eval.accuracy), hw1::FormatDouble(s.final_val_acc),
       hw1::FormatDouble(s.best_val_acc), majority >= 0 ? hw1::FormatDouble(majority) : "",
       hw1::FormatBool(!s.diverged && hw1::train::IsCollapsed(s.final_val_acc, majority)),
       hw1::FormatBool(s.diverged), result->precision, hw1::FormatDouble(s.wall_seconds)});
  if (auto st = hw1::train::MergeRunRows((out_dir / "q3_architecture_search.csv").string(), search);
      !st.ok()) {
    return Fail(st);
  }
  const std::filesystem::path weights = out_dir / "weights";
  if (auto st = hw1::train::SaveWeights(model, (weights / (run_id + ".pt")).string()); !st.ok())
    return Fail(st);
  if (auto st = hw1::train::ExportWeightsForPython(model, (weights / (run_id + ".pth")).string());
      !st.ok()) {
    return Fail(st);
  }

  manifest["torch_version"] = TORCH_VERSION;
  manifest["data"] = {{"dir", data->dir},
                      {"md5", data->file_md5},
                      {"train_images", data->train.size()},
                      {"test_images", data->test.size()}};
  manifest["runs"][run_id] = {{"arm", arm},
                              {"init", FLAGS_init},
                              {"widths", hw1::models::WidthsText(model_options.widths)},
                              {"dropout", hw1::models::DropoutText(model_options.dropout)},
                              {"lr", options.lr},
                              {"decay", options.decay},
                              {"batch_size", options.batch_size},
                              {"epochs", options.epochs},
                              {"seed", options.seed},
                              {"precision", result->precision},
                              {"device", result->device},
                              {"threads", result->threads},
                              {"host_kind", hw1::HostKind(hw1::DetectCpuFeatures())},
                              {"onednn_isa", hw1::OneDnnIsa()},
                              {"resumed_from_epoch", result->resumed_from_epoch},
                              {"checkpoint", checkpoint},
                              {"diverged", result->diverged},
                              {"data_md5", data->file_md5},
                              {"git_commit", manifest["git_commit"]}};
  manifest["threads"] = result->threads;
  manifest["precision"] = result->precision;
  if (auto st = manifest.Write(out_dir.string()); !st.ok()) return Fail(st);
  std::printf(
      "q3_train_cnn %s: %d epochs, train acc %.4f, val acc %.4f (best %.4f at epoch %d), %.0f "
      "img/s%s\n",
      run_id.c_str(), s.epochs_completed, s.final_train_acc, s.final_val_acc, s.best_val_acc,
      s.best_epoch, s.mean_images_per_second, s.diverged ? ", DIVERGED" : "");
  return 0;
}
