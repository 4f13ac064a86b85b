#include <torch/torch.h>

#include <algorithm>
#include <cstdint>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/data/cifar10.h"
#include "lib/experiment/bn_sweep_job.h"
#include "lib/probe/training_probe.h"
#include "lib/train/train_options.h"
#include "lib/util/list_flags.h"

// SetUpSweep (bn_sweep_job.h): the flags checked and turned into the grid,
// before RunBnSweep plans or trains anything.

namespace hw1::experiment {

absl::StatusOr<SweepSetup> SetUpSweep(const BnSweepSettings& settings) {
  SweepSetup setup;
  absl::StatusOr<sweep::SweepProfile> profile = sweep::FindSweepProfile(settings.profile);
  if (!profile.ok()) return profile.status();
  setup.profile = *profile;
  sweep::SweepConfig& config = setup.config;
  sweep::ApplyProfile(*profile, &config);
  auto arms = ParseChoiceList("arms", settings.arms, {"baseline", "bn"});
  if (!arms.ok()) return arms.status();
  config.arms = *arms;
  if (!settings.lr_multipliers.empty()) {
    auto multipliers = ParsePositiveDoubleList("lr_multipliers", settings.lr_multipliers);
    if (!multipliers.ok()) return multipliers.status();
    config.lr_multipliers = *multipliers;
  }
  if (!settings.seeds.empty()) {
    auto seeds = ParseUnsignedList("seeds", settings.seeds);
    if (!seeds.ok()) return seeds.status();
    config.seeds = *seeds;
  }
  if (!settings.bn_seeds.empty()) {
    auto seeds = ParseUnsignedList("bn_seeds", settings.bn_seeds);
    if (!seeds.ok()) return seeds.status();
    config.arm_seeds["bn"] = *seeds;
  }
  if (!settings.inits.empty()) {
    auto inits = ParseChoiceList("init", settings.inits, {"keras", "torch"});
    if (!inits.ok()) return inits.status();
    config.inits = *inits;
  }
  for (const auto& [name, value] :
       {std::pair<const char*, int64_t>{"train_limit", settings.train_limit},
        {"test_limit", settings.test_limit}}) {
    if (value < -1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--", name, "=", value, ": must be -1 (all), 0 (the profile's) or a count >= 1"));
    }
  }
  if (settings.train_limit != 0) config.train_limit = settings.train_limit;
  if (settings.test_limit != 0) config.test_limit = settings.test_limit;
  if (settings.num_shards < 1 || settings.shard_index < 0 ||
      settings.shard_index >= settings.num_shards) {
    return absl::InvalidArgumentError(absl::StrCat("--shard_index=", settings.shard_index,
                                                   " --num_shards=", settings.num_shards,
                                                   ": need 0 <= shard_index < num_shards"));
  }
  // --threads and --jobs: each run's threads never depend on how many runs are
  // left (they change its numbers); by default one single-threaded run per core.
  if (settings.threads < 0)
    return absl::InvalidArgumentError(
        absl::StrCat("--threads=", settings.threads, ": must be >= 0"));
  if (settings.jobs < 0)
    return absl::InvalidArgumentError(absl::StrCat("--jobs=", settings.jobs, ": must be >= 0"));
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = settings.threads > 0 ? settings.threads
                      : settings.jobs > 0  ? std::max(1, cores / settings.jobs)
                                           : 1;
  setup.jobs = settings.jobs > 0 ? settings.jobs : std::max(1, cores / threads);

  train::TrainOptions& t = config.train;
  if (settings.epochs != 0) t.epochs = settings.epochs;
  t.batch_size = settings.batch_size;
  t.decay = settings.decay;
  t.lr = settings.base_lr;
  t.threads = threads;
  const std::string precision =
      settings.precision.empty() ? setup.profile.precision : settings.precision;
  if (absl::Status s = train::SetPrecisionAndDevice(precision, settings.device, &t); !s.ok())
    return s;
  absl::StatusOr<train::InputScale> input_scale = train::ParseInputScale(settings.input_scale);
  if (!input_scale.ok()) return input_scale.status();
  t.input_scale = *input_scale;
  if (absl::Status s = train::ValidateTrainOptions(t, "base_lr"); !s.ok()) return s;
  // Against the images the runs will have (five batch files, or --train_limit): a
  // bad probe flag is refused before anything is written; TrainRun checks the real count.
  const int64_t train_images =
      config.train_limit > 0 ? config.train_limit : 5 * data::kRecordsPerFile;
  if (absl::Status s = probe::ValidateProbeOptions(settings.probe, train_images); !s.ok()) return s;
  return setup;
}

}  // namespace hw1::experiment
