#include "lib/train/run_id.h"

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace hw1::train {
namespace {

TEST(RunIdTest, RunIdsSayWhatRan) {
  EXPECT_EQ(MakeRunId({"bn", 1e-3, 1, "bf16", 2}), "bn_lr0.001_seed1_bf16_t2");
  EXPECT_EQ(MakeRunId({"baseline", 1e-4, 0, "fp32", 1, 3, 32, 1e-6, 2000, 500}),
            "baseline_lr0.0001_seed0_fp32_t1_e3_train2000_test500");
  // Everything that changes the numbers changes the id.
  const RunIdentity base{"bn", 1e-3, 1, "bf16", 2};
  const std::vector<std::function<void(RunIdentity&)>> changes = {
      [](RunIdentity& r) { r.arm = "baseline"; },
      [](RunIdentity& r) { r.lr = 2e-3; },
      [](RunIdentity& r) { r.seed = 2; },
      [](RunIdentity& r) { r.precision = "fp32"; },
      [](RunIdentity& r) { r.threads = 1; },
      [](RunIdentity& r) { r.epochs = 3; },
      [](RunIdentity& r) { r.batch_size = 64; },
      [](RunIdentity& r) { r.decay = 0; },
      [](RunIdentity& r) { r.train_limit = 100; },
      [](RunIdentity& r) { r.test_limit = 100; },
      [](RunIdentity& r) { r.libtorch = "2.15"; },
      [](RunIdentity& r) { r.init = "torch"; },
      [](RunIdentity& r) { r.architecture = "w32-64-64-64"; },
      [](RunIdentity& r) { r.input_scale = "raw255"; }};
  std::set<std::string> ids = {MakeRunId(base)};
  for (const auto& change : changes) {
    RunIdentity changed = base;
    change(changed);
    ids.insert(MakeRunId(changed));
  }
  EXPECT_EQ(ids.size(), changes.size() + 1);
  RunIdentity torch2 = base;
  torch2.libtorch = "2.15";
  EXPECT_EQ(MakeRunId(torch2), "bn_lr0.001_seed1_bf16_t2_torch2.15");
  RunIdentity torch_init = base;
  torch_init.init = "torch";
  torch_init.epochs = 3;
  EXPECT_EQ(MakeRunId(torch_init), "bn_lr0.001_seed1_bf16_t2_e3_inittorch");
  RunIdentity wider = base;
  wider.architecture = "w32-64-64-64_d0-0-0";
  EXPECT_EQ(MakeRunId(wider), "bn_lr0.001_seed1_bf16_t2_w32-64-64-64_d0-0-0");
  RunIdentity raw = base;
  raw.input_scale = "raw255";
  raw.epochs = 1;
  EXPECT_EQ(MakeRunId(raw), "bn_lr0.001_seed1_bf16_t2_e1_inputraw255");
}

TEST(RunIdTest, CheckpointsAreKeptPerProgram) {
  EXPECT_EQ(CheckpointFile("q3_train_cnn", "bn_lr0.001_seed1_bf16"),
            "checkpoints/q3_train_cnn/bn_lr0.001_seed1_bf16.ckpt");
  EXPECT_NE(CheckpointFile("q3_train_cnn", "a"), CheckpointFile("q4_bn_sweep", "a"));
}

}  // namespace
}  // namespace hw1::train
