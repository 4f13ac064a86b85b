#ifndef HW1_LIB_EXPERIMENT_TRAIN_CNN_JOB_H_
#define HW1_LIB_EXPERIMENT_TRAIN_CNN_JOB_H_

// Q3's training run from its settings to its files: everything q3_train_cnn
// does once its flags are read (experiments/q3_train_cnn.cc is its flags and
// one call to TrainCnn). Writes to OutDir():
//   q3_history.csv         one row per epoch (rows of other runs are kept)
//   q3_final_metrics.csv   one row per run
//   q3_model_summary.csv   both networks, layer by layer (Keras' model.summary());
//                          another architecture: q3_model_summary_<tag>.csv
//   q3_architecture_search.csv  one row per run: the network, its accuracies
//                          (training accuracy also in eval mode), collapse
//   q3_train_cnn.manifest.json
//   weights/<run_id>.pt    (C++ archive)  and  weights/<run_id>.pth  (torch.load-able dict)
//   checkpoints/q3_train_cnn/<run_id>.ckpt  after every epoch; resume continues
//     from it. Its own folder: q4_bn_sweep trains runs with the same ids, and
//     neither program should take over a run the other trained.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/models/cifar_cnn.h"
#include "lib/train/train_options.h"
#include "lib/util/run_context.h"

namespace hw1::experiment {

// The run's settings as the user gave them (q3_train_cnn's flags).
struct TrainCnnSettings {
  int epochs = train::kHomeworkEpochs;
  int batch_size = train::kHomeworkBatchSize;
  double lr = train::kHomeworkLr;
  double decay = train::kHomeworkDecay;
  uint64_t seed = 0;
  int threads = 0;  // 0: every core
  std::string precision = "auto";
  std::string device = "auto";
  bool batchnorm = false;
  std::string widths = "32,32,64,64";
  std::string dropout = "0.25,0.25,0.5";
  std::string init = "keras";
  std::string input_scale = "unit";  // or raw255
  int64_t train_limit = -1;          // -1: all images
  int64_t test_limit = -1;
  bool resume = false;
  // The command line before the flags were parsed: the precision probe's processes run it.
  std::vector<std::string> program_args;
};

// The training options and the network the settings say, every value
// checked (errors name the flag); precision and threads not yet resolved.
struct TrainCnnSetup {
  train::TrainOptions train;
  models::CifarCnnOptions network;
};
absl::StatusOr<TrainCnnSetup> SetUpTrainCnn(const TrainCnnSettings& settings);

// Trains the run (continuing from its checkpoint with `resume`) and writes
// its files. Restarts the program once when the probed step wants
// other OpenMP waits (MatchWaitsToStep), before anything is written.
absl::Status TrainCnn(const TrainCnnSettings& settings, Manifest& manifest);

}  // namespace hw1::experiment

#endif  // HW1_LIB_EXPERIMENT_TRAIN_CNN_JOB_H_
