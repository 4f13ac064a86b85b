#ifndef HW1_LIB_EXPERIMENT_RUN_ENTRY_H_
#define HW1_LIB_EXPERIMENT_RUN_ENTRY_H_

// What a manifest keeps of one finished run, under "runs"/<run id>: every
// value that changes its numbers (protocol, lr, seed, precision, threads, the
// host's kind and oneDNN ISA, the data's MD5s, the commit) and how it ran
// (resumed from which epoch, diverged, its checkpoint), so that a reader can
// reproduce it and tell it from another run. q3_train_cnn and q4_bn_sweep
// both write these; each adds what only it has (the network's widths, the lr
// multiplier).

#include <string>

#include "lib/data/cifar10.h"
#include "lib/train/metrics.h"
#include "lib/train/train_options.h"
#include "lib/util/run_context.h"
#include "nlohmann/json.hpp"

namespace hw1::experiment {

struct FinishedRun {
  std::string arm;              // "baseline" or "bn"
  std::string init;             // "keras" or "torch"
  train::TrainOptions options;  // as the run trained: its lr and seed
  std::string checkpoint;       // relative to the results folder
};

nlohmann::json RunManifestEntry(const FinishedRun& run, const train::TrainResult& result,
                                const data::Cifar10& data, const Manifest& manifest);

}  // namespace hw1::experiment

#endif  // HW1_LIB_EXPERIMENT_RUN_ENTRY_H_
