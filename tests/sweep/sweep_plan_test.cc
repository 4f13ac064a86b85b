#include "lib/sweep/sweep_plan.h"

#include <map>
#include <set>

#include "gtest/gtest.h"

namespace hw1::sweep {
namespace {

SweepConfig Config() {
  SweepConfig config;
  config.train.precision = train::Precision::kBf16;
  config.train.threads = 2;
  config.seeds = {0, 1};
  config.data_digest = "0123456789ab";
  return config;
}

TEST(SweepPlanTest, DefaultGridInOrder) {
  const std::vector<RunSpec> plan = BuildPlan(Config());
  ASSERT_EQ(plan.size(), 2u * 2u * 4u);
  EXPECT_EQ(plan[0].arm, "baseline");
  EXPECT_EQ(plan[0].lr_multiplier, 1);
  EXPECT_EQ(plan[0].seed, 0u);
  EXPECT_DOUBLE_EQ(plan[3].lr, 30 * 1e-4);
  EXPECT_EQ(plan[4].arm, "bn");
  EXPECT_EQ(plan[8].seed, 1u);
  EXPECT_EQ(plan[8].arm, "baseline");
  EXPECT_EQ(plan[5].run_id, "bn_lr0.0005_seed0_bf16_t2");
  std::set<std::string> ids;
  for (const RunSpec& run : plan) ids.insert(run.run_id);
  EXPECT_EQ(ids.size(), plan.size());
}

TEST(SweepPlanTest, SignatureNamesLibTorchAndData) {
  SweepConfig config = Config();
  const RunSpec run = BuildPlan(config)[5];
  EXPECT_EQ(
      run.signature,
      "bn_lr0.0005_seed0_bf16_t2 batch=32 decay=1e-06 threads=2 libtorch=1.13 data=0123456789ab");
  config.data_digest = "ba9876543210";
  EXPECT_NE(BuildPlan(config)[5].signature, run.signature);
  EXPECT_EQ(BuildPlan(config)[5].run_id,
            run.run_id);  // the folder refuses it: same id, other signature
  config.libtorch = "2.15";
  EXPECT_EQ(BuildPlan(config)[5].run_id, "bn_lr0.0005_seed0_bf16_t2_torch2.15");
}

TEST(SweepPlanTest, QuickProfile) {
  SweepConfig config = Config();
  ApplyProfile(*FindSweepProfile("quick"), &config);
  const std::vector<RunSpec> plan = BuildPlan(config);
  EXPECT_EQ(plan.size(), 2u * 2u * 2u);
  EXPECT_EQ(plan[0].lr_multiplier, 1);
  EXPECT_EQ(plan[1].lr_multiplier, 30);
  // The whole test set: no _test suffix.
  EXPECT_EQ(plan[0].run_id, "baseline_lr0.0001_seed0_bf16_t2_e3_train20000");
}

TEST(SweepPlanTest, CollapseProfile) {
  SweepConfig config = Config();
  const SweepProfile profile = *FindSweepProfile("collapse");
  ApplyProfile(profile, &config);
  EXPECT_EQ(profile.precision, "fp32");  // the same on hosts with and without AMX
  EXPECT_EQ(profile.out_subdir, "collapse");
  const std::vector<RunSpec> plan = BuildPlan(config);
  // Per init: 10 baseline seeds and 3 bn seeds, at x5, x10, x30.
  EXPECT_EQ(plan.size(), 2u * (10u + 3u) * 3u);
  std::map<std::pair<std::string, std::string>, std::set<uint64_t>> seeds;  // (init, arm) -> seeds
  std::set<std::string> ids;
  for (const RunSpec& run : plan) {
    seeds[{run.init, run.arm}].insert(run.seed);
    ids.insert(run.run_id);
    EXPECT_EQ(run.index, &run - plan.data());
  }
  EXPECT_EQ(ids.size(), plan.size());
  const std::set<uint64_t> bn_seeds = {0, 1, 2};
  for (const std::string init : {"keras", "torch"}) {
    const auto baseline = std::make_pair(init, std::string("baseline")),
               bn = std::make_pair(init, std::string("bn"));
    EXPECT_EQ(seeds[baseline].size(), 10u) << init;
    EXPECT_EQ(seeds[bn], bn_seeds) << init;
  }
  // Seed-major: after seed 0's runs under both inits come seed 1's.
  EXPECT_EQ(plan[0].run_id, "baseline_lr0.0005_seed0_bf16_t2_e3");
  EXPECT_EQ(plan[6].run_id, "baseline_lr0.0005_seed0_bf16_t2_e3_inittorch");
  EXPECT_EQ(plan[12].seed, 1u);
  EXPECT_FALSE(FindSweepProfile("fast").ok());
  EXPECT_NE(FindSweepProfile("fast").status().message().find("full, quick, collapse"),
            std::string::npos);
}

TEST(SweepPlanTest, ShardsCoverEveryRunExactlyOnce) {
  const std::vector<RunSpec> plan = BuildPlan(Config());
  for (int shards : {1, 2, 3, 5, 16, 40}) {
    std::multiset<int> seen;
    for (int i = 0; i < shards; ++i) {
      for (const RunSpec& run : ShardOf(plan, shards, i)) seen.insert(run.index);
    }
    ASSERT_EQ(seen.size(), plan.size()) << shards;
    for (const RunSpec& run : plan) EXPECT_EQ(seen.count(run.index), 1u) << shards;
  }
}

TEST(SweepPlanTest, SignatureCoversWhatDecidesTheNumbers) {
  SweepConfig a = Config(), b = Config();
  b.train.batch_size = 64;
  EXPECT_NE(BuildPlan(a)[0].run_id, BuildPlan(b)[0].run_id);
  EXPECT_NE(BuildPlan(a)[0].signature, BuildPlan(b)[0].signature);
  SweepConfig c = Config();
  c.train.threads = 1;  // a run trained with --jobs=2 on two cores
  EXPECT_NE(BuildPlan(a)[0].run_id, BuildPlan(c)[0].run_id);
}

}  // namespace
}  // namespace hw1::sweep
