#include "lib/sweep/sweep_plan.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/train/run_id.h"

namespace hw1::sweep {

const std::vector<SweepProfile>& SweepProfiles() {
  static const auto* profiles = [] {
    auto* list = new std::vector<SweepProfile>;
    SweepProfile full;
    full.name = "full";
    full.lr_multipliers = {1, 5, 10, 30};
    full.about = "the homework's protocol: 25 epochs of the full data (Table 1)";
    list->push_back(full);

    SweepProfile quick;
    quick.name = "quick";
    quick.lr_multipliers = {1, 30};
    quick.epochs = 3;
    quick.train_limit =
        20000;  // the whole test set: the ×30 margin is a point or two, 1,000 images' noise
    quick.out_subdir = "quick";
    quick.about =
        "the first look, not the result. 3 epochs of 20,000 images at x1 and x30\n"
        "  rank the arms as the full grid does (seed 0, AVX2 host: BatchNorm ahead by 3 points at "
        "x1 and x30);\n"
        "  it cannot show the sizes of the gaps, epochs to target, or where the baseline breaks\n"
        "  (claim b): before ~3 epochs BatchNorm can trail at high lr. The full grid: "
        "--profile=full.";
    list->push_back(quick);

    SweepProfile collapse;
    collapse.name = "collapse";
    collapse.lr_multipliers = {5, 10, 30};
    collapse.epochs = 3;
    collapse.seeds = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    collapse.arm_seeds = {{"bn", {0, 1, 2}}};
    collapse.inits = {"keras", "torch"};
    collapse.precision = "fp32";
    collapse.out_subdir = "collapse";
    collapse.about =
        "Q4 (b)'s collapse study: how often each arm ends its first 3 epochs at chance with one\n"
        "  class predicted (q4_collapse.csv), per init and multiplier. It measures early "
        "collapse,\n"
        "  not final accuracy; fp32 on every host, so runs made on any host add to one table.";
    list->push_back(collapse);
    return list;
  }();
  return *profiles;
}

absl::StatusOr<SweepProfile> FindSweepProfile(absl::string_view name) {
  std::vector<std::string> names;
  for (const SweepProfile& profile : SweepProfiles()) {
    if (profile.name == name) return profile;
    names.push_back(profile.name);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--profile=", name, ": expected one of ", absl::StrJoin(names, ", ")));
}

void ApplyProfile(const SweepProfile& profile, SweepConfig* config) {
  config->lr_multipliers = profile.lr_multipliers;
  config->train.epochs = profile.epochs;
  config->train_limit = profile.train_limit;
  config->test_limit = profile.test_limit;
  if (!profile.seeds.empty()) config->seeds = profile.seeds;
  config->arm_seeds = profile.arm_seeds;
  if (!profile.inits.empty()) config->inits = profile.inits;
}

std::vector<RunSpec> BuildPlan(const SweepConfig& config) {
  const train::TrainOptions& t = config.train;
  std::vector<RunSpec> plan;
  for (uint64_t seed : config.seeds) {
    for (const std::string& init : config.inits) {
      for (const std::string& arm : config.arms) {
        if (auto own = config.arm_seeds.find(arm);
            own != config.arm_seeds.end() &&
            std::find(own->second.begin(), own->second.end(), seed) == own->second.end()) {
          continue;
        }
        for (double multiplier : config.lr_multipliers) {
          RunSpec run;
          run.index = static_cast<int>(plan.size());
          run.arm = arm;
          run.init = init;
          run.lr_multiplier = multiplier;
          run.lr = t.lr * multiplier;
          run.seed = seed;
          run.run_id = train::MakeRunId(
              {arm, run.lr, seed, train::PrecisionName(t.precision), t.threads, t.epochs,
               t.batch_size, t.decay, config.train_limit, config.test_limit, config.libtorch, init,
               /*architecture=*/"", train::InputScaleName(t.input_scale)});
          run.signature = absl::StrCat(run.run_id, " batch=", t.batch_size, " decay=", t.decay,
                                       " threads=", t.threads, " libtorch=", config.libtorch,
                                       " data=", config.data_digest);
          plan.push_back(run);
        }
      }
    }
  }
  return plan;
}

std::vector<RunSpec> ShardOf(const std::vector<RunSpec>& plan, int num_shards, int shard_index) {
  std::vector<RunSpec> shard;
  for (const RunSpec& run : plan) {
    if (run.index % num_shards == shard_index) shard.push_back(run);
  }
  return shard;
}

double ScheduledSeconds(const std::vector<double>& run_seconds, int jobs) {
  std::vector<double> slot_free_at(static_cast<size_t>(std::max(jobs, 1)), 0.0);
  for (double seconds : run_seconds) {
    auto first_free = std::min_element(slot_free_at.begin(), slot_free_at.end());
    *first_free += seconds;
  }
  return *std::max_element(slot_free_at.begin(), slot_free_at.end());
}

}  // namespace hw1::sweep
