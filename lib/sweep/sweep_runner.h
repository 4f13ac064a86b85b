#ifndef HW1_LIB_SWEEP_SWEEP_RUNNER_H_
#define HW1_LIB_SWEEP_SWEEP_RUNNER_H_

// Training a sweep's runs: one in this process, or N at once, each in a
// process of its own.
//
// Why processes: LibTorch's intra-op thread pool belongs to the process, and
// a training step at batch 32 is ~180 short parallel regions, each ending in a
// barrier, so a second thread adds little to one run while a second run adds
// nearly a whole run: on a 2-core AVX2 host two 1-thread fp32 runs trained
// 643 images/s together, one 2-thread run 466 (full-data epoch, README "Speed"). A run's numbers
// depend on its own seed, thread count and precision only, never on which
// runs share the machine: every process has its own model, RNG and data.
//
// A worker is the same program started again with `--worker_run=<plan index>`
// (and --threads, --jobs=1): it trains that one run from its checkpoint and
// leaves its result in WorkerResultPath(); the parent, which holds the
// folder's lock, records it. Nothing else writes the folder's CSVs.

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/data/cifar10.h"
#include "lib/models/cifar_cnn.h"
#include "lib/probe/training_probe.h"
#include "lib/sweep/sweep_plan.h"
#include "lib/train/metrics.h"
#include "lib/train/train_options.h"
#include "lib/train/trainer.h"

namespace hw1::sweep {

// `base` (epochs, batch, decay, threads, precision …) at the run's lr and seed:
// the options `run` trains with, and its manifest entry records.
train::TrainOptions RunOptions(const RunSpec& run, const train::TrainOptions& base);

// Trains `run` with RunOptions(run, base), continuing from `checkpoint_path`
// if it is there.
// `on_epoch` as train::Train's (e.g. a worker's progress file). With
// probe.enabled the run is probed (lib/probe/training_probe.h), its probe
// files written into `probe_dir`.
absl::StatusOr<train::TrainResult> TrainRun(const RunSpec& run, const data::Cifar10& data,
                                            const train::TrainOptions& base,
                                            const std::string& checkpoint_path,
                                            const train::EpochCallback& on_epoch = nullptr,
                                            const probe::ProbeOptions& probe = {},
                                            const std::string& probe_dir = "");

// How fast one run of a network trains and evaluates with `options`' threads
// and precision (kFp32 or kBf16), timed on random images after a warm-up: for
// the plan's estimate and the precision probe.
struct Speed {
  double train_images_per_second = 0;
  double eval_images_per_second = 0;
  double step_ms = 0;  // one training step of options.batch_size images
};
// How long to time: `warmup_steps`, then at least `min_steps` and
// `min_seconds`, stopping after `max_seconds` (at least one timed step), then
// `eval_batches` evaluation batches (after one untimed one with `eval_warmup`).
struct SpeedBudget {
  int warmup_steps = 5;
  double max_warmup_seconds = 60.0;  // fewer warm-up steps when they are this slow
  int min_steps = 10;
  double min_seconds = 1.0;
  double max_seconds = 60.0;
  int eval_batches = 2;
  bool eval_warmup = true;
};
Speed MeasureSpeed(const models::CifarCnnOptions& network, const train::TrainOptions& options,
                   const SpeedBudget& budget = {});
// The sweep's network of `arm` ("baseline" or "bn").
Speed MeasureSpeed(const std::string& arm, const train::TrainOptions& options);

// Starts every command at once (each a run of this program: commands[i][0] is
// ignored) and waits for all; error naming the first that did not exit 0.
absl::Status RunAllAtOnce(const std::vector<std::vector<std::string>>& commands);

// Called in the parent for each run a worker finished.
using RunDone = std::function<absl::Status(const RunSpec& run, const train::TrainResult& result)>;

// Called every few seconds while workers run (e.g. to print progress).
using WorkersTick = std::function<void()>;

// Runs `program_args` + "--worker_run=<index>" for each of `runs`, in order,
// at most `jobs` at a time (program_args[0] is ignored: the program itself is
// started again). When a worker exits 0, reads `result_path(run)` and calls
// `on_done`. When a worker fails (or on_done does), starts no more, stops the
// others (SIGTERM; each keeps its last epoch's checkpoint) and returns an
// error naming the run. Workers die with this process (PR_SET_PDEATHSIG).
absl::Status RunInWorkers(const std::vector<RunSpec>& runs, int jobs,
                          const std::vector<std::string>& program_args,
                          const std::function<std::string(const RunSpec&)>& result_path,
                          const RunDone& on_done, const WorkersTick& on_tick = nullptr);

}  // namespace hw1::sweep

#endif  // HW1_LIB_SWEEP_SWEEP_RUNNER_H_
