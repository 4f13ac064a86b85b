#ifndef HW1_LIB_SWEEP_SWEEP_PLAN_H_
#define HW1_LIB_SWEEP_SWEEP_PLAN_H_

// Q4's grid: arms {baseline, bn} × learning-rate multipliers × seeds, and a
// deterministic split of it into shards for running on several machines.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/train/train_options.h"

namespace hw1::sweep {

struct SweepConfig {
  std::vector<std::string> arms = {"baseline", "bn"};
  std::vector<double> lr_multipliers = {1, 5, 10, 30};
  std::vector<uint64_t> seeds = {0};
  // An arm's own seeds where they differ from `seeds` (the collapse study
  // trains fewer BatchNorm seeds than baseline ones).
  std::map<std::string, std::vector<uint64_t>> arm_seeds;
  std::vector<std::string> inits = {"keras"};  // models::InitName of each
  // How every run trains (one owner of the protocol): `train.lr` is the base
  // rate, a run's is train.lr × its multiplier; a run's seed replaces
  // train.seed. Precision and threads must be resolved (not kAuto, not 0)
  // before BuildPlan: the run ids name them.
  train::TrainOptions train;
  int64_t train_limit = -1;
  int64_t test_limit = -1;
  std::string libtorch = "1.13";  // compat::TorchMajorMinor() of the binary
  std::string data_digest;        // data::DataDigest of the files the runs read
};

// A named preset of the grid (--profile=<name>): data, applied over the defaults.
struct SweepProfile {
  std::string name;
  std::vector<double> lr_multipliers;
  int epochs = 25;
  int64_t train_limit = -1;
  int64_t test_limit = -1;
  std::vector<uint64_t> seeds;  // empty: the flag's
  std::map<std::string, std::vector<uint64_t>> arm_seeds;
  std::vector<std::string> inits;  // empty: the flag's
  std::string precision = "auto";  // the --precision default
  std::string out_subdir;          // default folder under reports/data ("": itself)
  std::string about;               // printed with the plan: what it can and cannot show
};

// full: the homework's protocol, the grid of Table 1.
// quick: 20,000 training images, 3 epochs, multipliers 1 and 30, the whole
//   test set. Sized so that its ranking of the arms agrees with the full
//   grid's (seed 0, fp32: BatchNorm 0.4928 against 0.4619 at ×1, 0.5077
//   against 0.4808 at ×30; with 4,000 images, or ×10, the baseline led; README).
// collapse: Q4 (b)'s collapse study: the first 3 epochs of the full data at
//   ×5, ×10, ×30, baseline seeds 0-9 and BatchNorm seeds 0-2, under Keras'
//   and LibTorch's initialisations, in fp32 on every host (so that runs made
//   on hosts with and without AMX add to one table).
const std::vector<SweepProfile>& SweepProfiles();
// The profile called `name`; the error lists the names.
absl::StatusOr<SweepProfile> FindSweepProfile(absl::string_view name);
void ApplyProfile(const SweepProfile& profile, SweepConfig* config);

struct RunSpec {
  int index = 0;  // position in the plan
  std::string arm;
  std::string init = "keras";
  double lr_multiplier = 1;
  double lr = 0;
  uint64_t seed = 0;
  std::string run_id;
  // Everything that decides the run's numbers (the id's fields, then batch
  // size, decay, threads, LibTorch and the data's digest); a finished run is
  // reused, merged or compared only when this matches.
  std::string signature;
};

// The plan in a fixed order: seed, then init, then arm, then multiplier (so
// each seed's baseline ×1 run, the target for epochs_to_target, comes first);
// an arm skips the seeds its arm_seeds entry leaves out.
std::vector<RunSpec> BuildPlan(const SweepConfig& config);

// Run i belongs to shard i mod num_shards: every run in exactly one shard.
std::vector<RunSpec> ShardOf(const std::vector<RunSpec>& plan, int num_shards, int shard_index);

// Wall time of runs taking `run_seconds` each, started in order on `jobs`
// slots, each run on the first slot to become free (as RunInWorkers does).
double ScheduledSeconds(const std::vector<double>& run_seconds, int jobs);

}  // namespace hw1::sweep

#endif  // HW1_LIB_SWEEP_SWEEP_PLAN_H_
