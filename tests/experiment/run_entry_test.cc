#include "lib/experiment/run_entry.h"

#include <string>

#include "gtest/gtest.h"
#include "lib/util/cpu_features.h"
#include "tests/testing/test_manifest.h"

namespace hw1::experiment {
namespace {

TEST(RunEntryTest, NamesWhatChangesTheNumbersAndHowTheRunWent) {
  Manifest manifest = testing::TestManifest("q4_bn_sweep");
  FinishedRun run{"bn", "torch", {}, "checkpoints/q4_bn_sweep/x.ckpt"};
  run.options.lr = 5e-4;
  run.options.seed = 3;
  run.options.epochs = 3;
  run.options.batch_size = 64;
  train::TrainResult result;
  result.precision = "bf16";
  result.device = "cpu";
  result.threads = 1;
  result.train_images = 500;
  result.resumed_from_epoch = 2;
  result.diverged = true;
  data::Cifar10 data;
  data.file_md5 = {{"data_batch_1.bin", "abc"}};

  const nlohmann::json e = RunManifestEntry(run, result, data, manifest);
  EXPECT_EQ(e["arm"], "bn");
  EXPECT_EQ(e["init"], "torch");
  EXPECT_EQ(e["lr"], 5e-4);
  EXPECT_EQ(e["seed"], 3);
  EXPECT_EQ(e["epochs"], 3);
  EXPECT_EQ(e["batch_size"], 64);
  EXPECT_EQ(e["decay"], 1e-6);  // the protocol's, as the options carry it
  EXPECT_EQ(e["precision"], "bf16");
  EXPECT_EQ(e["threads"], 1);
  EXPECT_EQ(e["train_images"], 500);
  EXPECT_EQ(e["resumed_from_epoch"], 2);
  EXPECT_EQ(e["diverged"], true);
  EXPECT_EQ(e["checkpoint"], "checkpoints/q4_bn_sweep/x.ckpt");
  EXPECT_EQ(e["data_md5"]["data_batch_1.bin"], "abc");
  EXPECT_EQ(e["git_commit"], manifest.json()["git_commit"]);
  EXPECT_FALSE(e["git_commit"].get<std::string>().empty());
  EXPECT_EQ(e["host_kind"], HostKind(DetectCpuFeatures()));
  EXPECT_EQ(e["onednn_isa"], OneDnnIsa());
}

}  // namespace
}  // namespace hw1::experiment
