#ifndef HW1_LIB_EXPERIMENT_BN_SWEEP_JOB_H_
#define HW1_LIB_EXPERIMENT_BN_SWEEP_JOB_H_

// Q4's sweep from its settings to its folder: everything q4_bn_sweep does
// once its flags are read (experiments/q4_bn_sweep.cc is its flags and one
// call to RunBnSweep). The grid is lib/sweep/sweep_plan.h, the folder
// lib/sweep/sweep_store.h, the worker processes lib/sweep/sweep_runner.h.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/probe/training_probe.h"
#include "lib/sweep/sweep_plan.h"
#include "lib/train/train_options.h"
#include "lib/util/run_context.h"

namespace hw1::experiment {

// The sweep's settings as the user gave them (q4_bn_sweep's flags). Empty
// strings and zeros mean "the profile's".
struct BnSweepSettings {
  std::string profile = "full";
  std::string arms = "baseline,bn";
  std::string lr_multipliers;        // comma-separated
  std::string seeds;                 // comma-separated
  std::string bn_seeds;              // the bn arm's seeds when they differ
  std::string inits;                 // keras and/or torch
  std::string input_scale = "unit";  // or raw255: pixels as 0-255
  double base_lr = train::kHomeworkLr;
  int epochs = 0;
  int batch_size = train::kHomeworkBatchSize;
  double decay = train::kHomeworkDecay;
  int64_t train_limit = 0;  // -1: all images
  int64_t test_limit = 0;
  int threads = 0;        // per run; 0: the cores divided among the jobs
  int jobs = 0;           // runs at once; 0: one per core (or per `threads` cores)
  std::string precision;  // auto, fp32 or bf16
  std::string device = "auto";
  int num_shards = 1;
  int shard_index = 0;
  std::string merge;  // comma-separated shard folders to merge (trains nothing)
  // --probe and its cadence: measures taken inside each run, into
  // <out_dir>/probes.
  probe::ProbeOptions probe;
  bool dry_run = false;
  int worker_run = -1;  // >= 0: this process is a worker training that run of the plan
  // The command line before the flags were parsed: workers are started with it.
  std::vector<std::string> program_args;
};

// The grid and its training options from `settings` and its profile, with
// each run's threads: every value checked, errors naming the flag. Precision
// and threads are not yet resolved for this host.
struct SweepSetup {
  sweep::SweepProfile profile;
  sweep::SweepConfig config;
  int jobs = 1;
};
absl::StatusOr<SweepSetup> SetUpSweep(const BnSweepSettings& settings);

// Trains (or merges, or plans with dry_run) the sweep into OutDir(the
// profile's folder), recording the runs in `manifest`. Resumable and
// idempotent: finished runs are skipped, an interrupted run continues from
// its checkpoint. Restarts the program once when the probed step wants
// other OpenMP waits (MatchWaitsToStep), before anything is written.
absl::Status RunBnSweep(const BnSweepSettings& settings, Manifest& manifest);

}  // namespace hw1::experiment

#endif  // HW1_LIB_EXPERIMENT_BN_SWEEP_JOB_H_
