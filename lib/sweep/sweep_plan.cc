#include "lib/sweep/sweep_plan.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "lib/train/history.h"

namespace hw1::sweep {

void ApplyQuickProfile(SweepConfig* config) {
  config->lr_multipliers = {1, 30};
  config->epochs = 3;
  config->train_limit = 20000;
  config->test_limit = -1;  // all 10,000: the ×30 margin is a point or two, 1,000 images' noise
}

std::vector<RunSpec> BuildPlan(const SweepConfig& config) {
  std::vector<RunSpec> plan;
  for (uint64_t seed : config.seeds) {
    for (const std::string& arm : config.arms) {
      for (double multiplier : config.lr_multipliers) {
        RunSpec run;
        run.index = static_cast<int>(plan.size());
        run.arm = arm;
        run.lr_multiplier = multiplier;
        run.lr = config.base_lr * multiplier;
        run.seed = seed;
        run.run_id = train::MakeRunId({arm, run.lr, seed, config.precision, config.threads, config.epochs,
                                       config.batch_size, config.decay, config.train_limit, config.test_limit,
                                       config.libtorch});
        run.signature = absl::StrCat(run.run_id, " batch=", config.batch_size, " decay=", config.decay,
                                     " threads=", config.threads, " libtorch=", config.libtorch,
                                     " data=", config.data_digest);
        plan.push_back(run);
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
