// Q4, the project's main job: does BatchNorm (a) speed up convergence,
// (b) permit larger learning rates, (c) improve accuracy? Trains the grid
// {baseline, bn} × lr multipliers (default 1, 5, 10, 30 of 1e-4) × seeds with
// the homework's protocol and writes to --out_dir (default reports/data):
//   q4_history.csv, q4_summary.csv, runs/<run_id>.json, q4_bn_sweep.manifest.json
//
// Idempotent and resumable: finished runs are skipped, an interrupted run
// continues from its checkpoint. --num_shards/--shard_index run a share of the
// grid; --merge combines shard folders. See README.md ("Scaling out").

#include <gflags/gflags.h>

#include <string>
#include <vector>

#include "lib/experiment/bn_sweep_job.h"
#include "lib/experiment/experiment.h"

DEFINE_string(profile, "full",
              "full: the homework's protocol; quick: 20,000 images, 3 epochs, multipliers 1,30 (a "
              "first look in "
              "minutes); collapse: Q4 (b)'s collapse study (3 epochs at x5,x10,x30, 10 baseline "
              "and 3 bn seeds, "
              "both inits, fp32, into reports/data/collapse)");
DEFINE_string(arms, "baseline,bn", "Arms to train: baseline and/or bn");
DEFINE_string(lr_multipliers, "",
              "Learning-rate multipliers of --base_lr (default: the profile's; full: 1,5,10,30)");
DEFINE_double(base_lr, hw1::train::kHomeworkLr, "The baseline learning rate");
DEFINE_string(seeds, "", "Comma-separated seeds (default: the profile's; full and quick: 0)");
DEFINE_string(bn_seeds, "",
              "Seeds of the bn arm when they differ from --seeds (default: the profile's)");
DEFINE_string(init, "",
              "Initialisations, comma-separated: keras (Glorot-uniform, zero bias) and/or torch "
              "(LibTorch's defaults) (default: the profile's; full and quick: keras)");
DEFINE_string(input_scale, "unit",
              "How pixels reach the network: unit (pixels / 255, the homework's) or raw255 (0-255; "
              "run ids say _inputraw255)");
DEFINE_int32(epochs, 0, "Epochs per run (0: the profile's, 25 or 3)");
DEFINE_int32(batch_size, hw1::train::kHomeworkBatchSize, "Batch size");
DEFINE_double(decay, hw1::train::kHomeworkDecay, "Keras time-based decay");
DEFINE_int64(train_limit, 0, "Use the first N training images (0: the profile's, all or 20,000)");
DEFINE_int64(test_limit, 0, "Use the first N test images (0: the profile's: all 10,000)");
DEFINE_int32(threads, 0, "Intra-op threads of each run (0: the cores divided among --jobs)");
DEFINE_int32(
    jobs, 0,
    "Runs trained at once, each in a process of its own (0: one per core, or per --threads cores)");
DEFINE_int32(worker_run, -1,
             "Internal (set by --jobs): train run N of the plan in this process for its parent");
DEFINE_string(
    precision, "",
    "auto (time a few steps of each and take bf16 autocast only when it is >= 10% faster; "
    "cached per host), fp32 or bf16 (default: the profile's; full and quick: auto, collapse: "
    "fp32)");
DEFINE_string(device, "auto", "auto, cpu or cuda");
DEFINE_int32(num_shards, 1, "Split the grid into this many shards");
DEFINE_int32(shard_index, 0, "Run shard number i (0-based) of --num_shards");
DEFINE_string(merge, "", "Comma-separated shard folders to merge into --out_dir (trains nothing)");
DEFINE_bool(probe, false,
            "Probe each run (weights, updates, dead units, the probe batch, the loss landscape) "
            "into <out_dir>/probes; probes leave the training unchanged");
DEFINE_int32(probe_every, hw1::probe::ProbeOptions().every,
             "With --probe: steps between probes (the default costs <= 5% of a step)");
DEFINE_int32(landscape_every, hw1::probe::ProbeOptions().landscape_every,
             "With --probe: steps between landscape probes along the step taken (a multiple of "
             "--probe_every; 0: none)");
DEFINE_int32(probe_images, 512, "The probe batch: the first N training images");
DEFINE_int32(landscape_images, 128, "The landscape's batch: the first N of the probe batch");
DEFINE_bool(dry_run, false, "Print the plan and the time estimate, train nothing");

int main(int argc, char** argv) {
  hw1::experiment::BnSweepSettings settings;
  hw1::Manifest manifest = hw1::experiment::Start(
      "q4_bn_sweep", "Q4: the BatchNorm sweep (bazel run //experiments:q4_bn_sweep)", &argc, &argv,
      &settings.program_args);
  settings.profile = FLAGS_profile;
  settings.arms = FLAGS_arms;
  settings.lr_multipliers = FLAGS_lr_multipliers;
  settings.seeds = FLAGS_seeds;
  settings.bn_seeds = FLAGS_bn_seeds;
  settings.inits = FLAGS_init;
  settings.input_scale = FLAGS_input_scale;
  settings.base_lr = FLAGS_base_lr;
  settings.epochs = FLAGS_epochs;
  settings.batch_size = FLAGS_batch_size;
  settings.decay = FLAGS_decay;
  settings.train_limit = FLAGS_train_limit;
  settings.test_limit = FLAGS_test_limit;
  settings.threads = FLAGS_threads;
  settings.jobs = FLAGS_jobs;
  settings.precision = FLAGS_precision;
  settings.device = FLAGS_device;
  settings.num_shards = FLAGS_num_shards;
  settings.shard_index = FLAGS_shard_index;
  settings.merge = FLAGS_merge;
  settings.probe.enabled = FLAGS_probe;
  settings.probe.every = FLAGS_probe_every;
  settings.probe.landscape_every = FLAGS_landscape_every;
  settings.probe.images = FLAGS_probe_images;
  settings.probe.landscape_images = FLAGS_landscape_images;
  settings.dry_run = FLAGS_dry_run;
  settings.worker_run = FLAGS_worker_run;
  const absl::Status status = hw1::experiment::RunBnSweep(settings, manifest);
  return status.ok() ? 0 : hw1::experiment::Fail("q4_bn_sweep", status);
}
