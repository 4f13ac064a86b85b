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
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "lib/compat/torch_compat.h"
#include "lib/data/cifar10.h"
#include "lib/experiment/cifar10_flags.h"
#include "lib/experiment/experiment.h"
#include "lib/sweep/sweep_plan.h"
#include "lib/sweep/sweep_runner.h"
#include "lib/sweep/sweep_store.h"
#include "lib/train/history.h"
#include "lib/train/metrics_json.h"
#include "lib/train/trainer.h"
#include "lib/util/cpu_features.h"
#include "lib/util/list_flags.h"
#include "lib/util/run_context.h"

DEFINE_string(profile, "full",
              "full: the homework's protocol; quick: 20,000 images, 3 epochs, multipliers 1,30 (a "
              "first look in "
              "minutes); collapse: Q4 (b)'s collapse study (3 epochs at x5,x10,x30, 10 baseline "
              "and 3 bn seeds, "
              "both inits, fp32, into reports/data/collapse)");
DEFINE_string(arms, "baseline,bn", "Arms to train: baseline and/or bn");
DEFINE_string(lr_multipliers, "",
              "Learning-rate multipliers of --base_lr (default: the profile's; full: 1,5,10,30)");
DEFINE_double(base_lr, 1e-4, "The baseline learning rate");
DEFINE_string(seeds, "", "Comma-separated seeds (default: the profile's; full and quick: 0)");
DEFINE_string(bn_seeds, "",
              "Seeds of the bn arm when they differ from --seeds (default: the profile's)");
DEFINE_string(init, "",
              "Initialisations, comma-separated: keras (Glorot-uniform, zero bias) and/or torch "
              "(LibTorch's defaults) (default: the profile's; full and quick: keras)");
DEFINE_int32(epochs, 0, "Epochs per run (0: the profile's, 25 or 3)");
DEFINE_int32(batch_size, 32, "Batch size");
DEFINE_double(decay, 1e-6, "Keras time-based decay");
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
    "auto (bf16 autocast on CPUs with AMX, else fp32), fp32 or bf16 (default: the profile's; "
    "full and quick: auto, collapse: fp32)");
DEFINE_string(device, "auto", "auto, cpu or cuda");
DEFINE_int32(num_shards, 1, "Split the grid into this many shards");
DEFINE_int32(shard_index, 0, "Run shard number i (0-based) of --num_shards");
DEFINE_string(merge, "", "Comma-separated shard folders to merge into --out_dir (trains nothing)");
DEFINE_bool(dry_run, false, "Print the plan and the time estimate, train nothing");

namespace {

int Fail(const absl::Status& status) { return hw1::experiment::Fail("q4_bn_sweep", status); }

// --threads and --jobs: each run's threads never depend on how many runs are
// left (they change its numbers); by default one single-threaded run per core.
struct Parallelism {
  int threads = 1;  // per run
  int jobs = 1;     // runs at once
};
absl::StatusOr<Parallelism> ResolveParallelism(int threads_flag, int jobs_flag) {
  if (threads_flag < 0)
    return absl::InvalidArgumentError(absl::StrCat("--threads=", threads_flag, ": must be >= 0"));
  if (jobs_flag < 0)
    return absl::InvalidArgumentError(absl::StrCat("--jobs=", jobs_flag, ": must be >= 0"));
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  Parallelism p;
  p.threads = threads_flag > 0 ? threads_flag : jobs_flag > 0 ? std::max(1, cores / jobs_flag) : 1;
  p.jobs = jobs_flag > 0 ? jobs_flag : std::max(1, cores / p.threads);
  return p;
}

// --worker_run: one run of the plan, trained here, its result left for the parent.
int RunWorker(const std::vector<hw1::sweep::RunSpec>& plan, int index, const std::string& out_dir,
              const hw1::data::Cifar10& data, hw1::train::TrainOptions options) {
  auto run =
      std::find_if(plan.begin(), plan.end(), [index](const auto& r) { return r.index == index; });
  if (run == plan.end())
    return Fail(absl::InvalidArgumentError(absl::StrCat("--worker_run=", index, ": no such run")));
  options.progress_label = run->run_id;
  absl::StatusOr<hw1::train::TrainResult> result =
      hw1::sweep::TrainRun(*run, data, options, hw1::sweep::CheckpointPathIn(out_dir, *run));
  if (!result.ok()) return Fail(result.status());
  if (absl::Status s =
          hw1::train::WriteTrainResult(hw1::sweep::WorkerResultPathIn(out_dir, *run), *result);
      !s.ok()) {
    return Fail(s);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> program_args;  // for workers: the command line before gflags edits it
  hw1::Manifest manifest = hw1::experiment::Start(
      "q4_bn_sweep", "Q4: the BatchNorm sweep (bazel run //experiments:q4_bn_sweep)", &argc, &argv,
      &program_args);
  const bool worker = FLAGS_worker_run >= 0;

  hw1::sweep::SweepConfig config;
  absl::StatusOr<hw1::sweep::SweepProfile> profile = hw1::sweep::FindSweepProfile(FLAGS_profile);
  if (!profile.ok()) return Fail(profile.status());
  hw1::sweep::ApplyProfile(*profile, &config);
  auto arms = hw1::ParseChoiceList("arms", FLAGS_arms, {"baseline", "bn"});
  if (!arms.ok()) return Fail(arms.status());
  config.arms = *arms;
  if (!FLAGS_lr_multipliers.empty()) {
    auto multipliers = hw1::ParsePositiveDoubleList("lr_multipliers", FLAGS_lr_multipliers);
    if (!multipliers.ok()) return Fail(multipliers.status());
    config.lr_multipliers = *multipliers;
  }
  if (!FLAGS_seeds.empty()) {
    auto seeds = hw1::ParseUnsignedList("seeds", FLAGS_seeds);
    if (!seeds.ok()) return Fail(seeds.status());
    config.seeds = *seeds;
  }
  if (!FLAGS_bn_seeds.empty()) {
    auto seeds = hw1::ParseUnsignedList("bn_seeds", FLAGS_bn_seeds);
    if (!seeds.ok()) return Fail(seeds.status());
    config.arm_seeds["bn"] = *seeds;
  }
  if (!FLAGS_init.empty()) {
    auto inits = hw1::ParseChoiceList("init", FLAGS_init, {"keras", "torch"});
    if (!inits.ok()) return Fail(inits.status());
    config.inits = *inits;
  }
  config.base_lr = FLAGS_base_lr;
  for (const auto& [name, value] :
       {std::pair<const char*, int64_t>{"train_limit", FLAGS_train_limit},
        {"test_limit", FLAGS_test_limit}}) {
    if (value < -1) {
      return Fail(absl::InvalidArgumentError(absl::StrCat(
          "--", name, "=", value, ": must be -1 (all), 0 (the profile's) or a count >= 1")));
    }
  }
  if (FLAGS_epochs != 0) config.epochs = FLAGS_epochs;
  if (FLAGS_train_limit != 0) config.train_limit = FLAGS_train_limit;
  if (FLAGS_test_limit != 0) config.test_limit = FLAGS_test_limit;
  config.batch_size = FLAGS_batch_size;
  config.decay = FLAGS_decay;
  if (FLAGS_num_shards < 1 || FLAGS_shard_index < 0 || FLAGS_shard_index >= FLAGS_num_shards) {
    return Fail(absl::InvalidArgumentError(absl::StrCat("--shard_index=", FLAGS_shard_index,
                                                        " --num_shards=", FLAGS_num_shards,
                                                        ": need 0 <= shard_index < num_shards")));
  }
  absl::StatusOr<Parallelism> parallelism = ResolveParallelism(FLAGS_threads, FLAGS_jobs);
  if (!parallelism.ok()) return Fail(parallelism.status());

  hw1::train::TrainOptions options;
  options.epochs = config.epochs;
  options.batch_size = config.batch_size;
  options.decay = config.decay;
  options.lr = config.base_lr;
  options.threads = parallelism->threads;
  const std::string precision_flag = FLAGS_precision.empty() ? profile->precision : FLAGS_precision;
  if (absl::Status s = hw1::train::SetPrecisionAndDevice(precision_flag, FLAGS_device, &options);
      !s.ok()) {
    return Fail(s);
  }
  if (absl::Status s = hw1::train::ValidateTrainOptions(options); !s.ok()) return Fail(s);
  config.precision = hw1::train::ResolvedPrecision(options);
  hw1::experiment::MatchWaitsToPrecision(config.precision);
  config.libtorch = hw1::compat::TorchMajorMinor();
  config.threads = hw1::train::ConfigureThreads(options.threads);
  options.threads = config.threads;

  const std::string out_dir = hw1::experiment::OutDir(profile->out_subdir).string();

  if (worker) {
    // The parent holds the folder's lock and found the data.
    absl::StatusOr<hw1::data::Cifar10> data = hw1::data::LoadCifar10(
        hw1::ResolveUserPath(FLAGS_data_dir),
        hw1::experiment::LoadOptionsFromFlags(config.train_limit, config.test_limit));
    if (!data.ok()) return Fail(data.status());
    config.data_digest =
        hw1::data::DataDigest(data->file_md5);  // the parent's plan, signatures included
    return RunWorker(hw1::sweep::BuildPlan(config), FLAGS_worker_run, out_dir, *data, options);
  }

  std::vector<std::string> shards;
  for (absl::string_view shard : absl::StrSplit(FLAGS_merge, ',', absl::SkipEmpty())) {
    shards.push_back(hw1::ResolveUserPath(std::string(shard)));
    // Before the output folder is created or locked.
    if (absl::Status s = hw1::sweep::CheckIsSweepFolder(shards.back()); !s.ok()) return Fail(s);
  }
  absl::StatusOr<hw1::sweep::SweepStore> store = hw1::sweep::SweepStore::Open(out_dir);
  if (!store.ok()) return Fail(store.status());
  if (!shards.empty()) {
    if (absl::Status s = store->Merge(shards); !s.ok()) return Fail(s);
    std::printf("q4_bn_sweep: merged %s into %s\n", absl::StrJoin(shards, ", ").c_str(),
                out_dir.c_str());
    return 0;
  }
  // A damaged folder is reported now, before any training.
  if (absl::Status s = store->Check(); !s.ok()) return Fail(s);

  // The data before the plan: its digest is part of every run's signature, so
  // a folder made from other files is refused rather than mixed in.
  absl::StatusOr<hw1::data::Cifar10> data =
      hw1::experiment::LoadCifar10FromFlags(config.train_limit, config.test_limit);
  if (!data.ok()) return Fail(data.status());
  config.data_digest = hw1::data::DataDigest(data->file_md5);
  const std::vector<hw1::sweep::RunSpec> plan =
      hw1::sweep::ShardOf(hw1::sweep::BuildPlan(config), FLAGS_num_shards, FLAGS_shard_index);
  std::vector<hw1::sweep::RunSpec> todo;
  const hw1::CpuFeatures cpu = hw1::DetectCpuFeatures();
  std::printf("q4_bn_sweep plan (%s, shard %d of %d) -> %s\n", FLAGS_profile.c_str(),
              FLAGS_shard_index + 1, FLAGS_num_shards, out_dir.c_str());
  std::string precision_note;
  if (precision_flag == "auto") {
    precision_note = config.precision == "bf16" ? " (auto: AMX present)"
                                                : " (auto: no AMX, bf16 would be slower)";
  } else if (FLAGS_precision.empty()) {
    precision_note = absl::StrCat(" (the ", profile->name, " profile's)");
  }
  std::printf("  host: %s (%s), oneDNN ISA %s; precision %s%s\n", hw1::CpuModelName().c_str(),
              hw1::HostKind(cpu).c_str(), hw1::OneDnnIsa().c_str(), config.precision.c_str(),
              precision_note.c_str());
  std::printf(
      "  %d run%s at once x %d thread%s each%s\n", parallelism->jobs,
      parallelism->jobs == 1 ? "" : "s", config.threads, config.threads == 1 ? "" : "s",
      FLAGS_jobs == 0 && FLAGS_threads == 0
          ? " (default: one 1-thread run per core beat one run on every core, README \"Speed\")"
          : "");
  std::printf("  %s profile: %s\n", profile->name.c_str(), profile->about.c_str());
  std::printf("  %-4s %-6s %-9s %6s %9s %5s  %s\n", "run", "init", "arm", "lr x", "lr", "seed",
              "status");
  for (const auto& run : plan) {
    absl::StatusOr<bool> done = store->IsComplete(run);
    if (!done.ok()) return Fail(done.status());
    const bool partial = !*done && std::filesystem::exists(store->CheckpointPath(run));
    std::printf("  %-4d %-6s %-9s %6g %9g %5lu  %s\n", run.index, run.init.c_str(), run.arm.c_str(),
                run.lr_multiplier, run.lr, static_cast<unsigned long>(run.seed),
                *done     ? "done, skipped"
                : partial ? "resumes from checkpoint"
                          : "to run");
    if (!*done) todo.push_back(run);
  }
  if (todo.empty()) {
    // The summary is derived data: rewritten from the records and history, so a damaged one heals.
    if (absl::Status st = store->WriteSummary(); !st.ok()) return Fail(st);
    std::printf("q4_bn_sweep: every run of this plan is already in %s; nothing to do\n",
                out_dir.c_str());
    return 0;
  }

  // The estimate: each arm's step and evaluation timed with the runs' threads
  // and precision, scaled to the plan, scheduled on the job slots.
  const int jobs = std::min<int>(parallelism->jobs, static_cast<int>(todo.size()));
  std::map<std::string, hw1::sweep::Speed> speed;
  for (const auto& arm : config.arms) speed[arm] = hw1::sweep::MeasureSpeed(arm, options);
  std::vector<double> run_seconds;
  for (const auto& run : todo) {
    const hw1::sweep::Speed& s = speed[run.arm];
    run_seconds.push_back(config.epochs *
                          (static_cast<double>(data->train.size()) / s.train_images_per_second +
                           static_cast<double>(data->test.size()) / s.eval_images_per_second));
  }
  const double estimate = hw1::sweep::ScheduledSeconds(run_seconds, jobs);
  std::printf("  %zu runs to train; timed %s; estimated %s\n", todo.size(),
              absl::StrJoin(speed, ", ",
                            [](std::string* out, const auto& kv) {
                              absl::StrAppendFormat(out, "%s %.0f img/s", kv.first,
                                                    kv.second.train_images_per_second);
                            })
                  .c_str(),
              absl::FormatDuration(absl::Seconds(static_cast<int64_t>(estimate))).c_str());
  std::fflush(stdout);
  if (FLAGS_dry_run) return 0;

  manifest["torch_version"] = TORCH_VERSION;
  manifest["threads"] = config.threads;
  manifest["jobs"] = parallelism->jobs;
  manifest["precision"] = config.precision;
  manifest["profile"] = profile->name;
  manifest["data"] = {{"dir", data->dir},
                      {"md5", data->file_md5},
                      {"train_images", data->train.size()},
                      {"test_images", data->test.size()}};
  auto record = [&](const hw1::sweep::RunSpec& run,
                    const hw1::train::TrainResult& result) -> absl::Status {
    if (absl::Status s = store->RecordRun(run, result); !s.ok()) return s;
    std::filesystem::remove(store->CheckpointPath(run));
    std::filesystem::remove(hw1::sweep::WorkerResultPathIn(out_dir, run));
    const hw1::train::RunSummary s = hw1::train::Summarize(result);
    std::printf("  done %s: final val acc %.4f, best %.4f (epoch %d)%s\n", run.run_id.c_str(),
                s.final_val_acc, s.best_val_acc, s.best_epoch, result.diverged ? ", DIVERGED" : "");
    std::fflush(stdout);
    manifest["runs"][run.run_id] = {
        {"arm", run.arm},
        {"init", run.init},
        {"lr_multiplier", run.lr_multiplier},
        {"lr", run.lr},
        {"seed", run.seed},
        {"epochs", config.epochs},
        {"batch_size", config.batch_size},
        {"decay", config.decay},
        {"precision", result.precision},
        {"threads", result.threads},
        {"host_kind", hw1::HostKind(cpu)},
        {"onednn_isa", hw1::OneDnnIsa()},
        {"diverged", result.diverged},
        {"resumed_from_epoch", result.resumed_from_epoch},
        {"checkpoint", hw1::train::CheckpointFile(hw1::sweep::kProgram, run.run_id)},
        {"git_commit", manifest["git_commit"]},
        {"data_md5", data->file_md5}};
    return manifest.Write(out_dir);
  };

  const auto start = std::chrono::steady_clock::now();
  if (jobs == 1) {
    for (const auto& run : todo) {
      std::fprintf(stderr, "q4_bn_sweep: run %d %s\n", run.index, run.run_id.c_str());
      absl::StatusOr<hw1::train::TrainResult> result =
          hw1::sweep::TrainRun(run, *data, options, store->CheckpointPath(run));
      if (!result.ok()) return Fail(result.status());
      if (absl::Status s = record(run, *result); !s.ok()) return Fail(s);
    }
  } else {
    std::vector<std::string> worker_args = program_args;
    for (const std::string& flag :
         {absl::StrCat("--threads=", config.threads), std::string("--jobs=1"),
          absl::StrCat("--out_dir=", out_dir), absl::StrCat("--data_dir=", data->dir),
          std::string("--nodownload"), std::string("--nodry_run")}) {
      worker_args.push_back(flag);
    }
    std::fprintf(stderr, "q4_bn_sweep: %d workers for %zu runs\n", jobs, todo.size());
    if (absl::Status s = hw1::sweep::RunInWorkers(
            todo, jobs, worker_args,
            [&out_dir](const hw1::sweep::RunSpec& run) {
              return hw1::sweep::WorkerResultPathIn(out_dir, run);
            },
            record);
        !s.ok()) {
      return Fail(s);
    }
  }
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("q4_bn_sweep: %zu runs trained in %s (estimated %s, %+.0f%%); summary in %s/%s\n",
              todo.size(), absl::FormatDuration(absl::Seconds(static_cast<int64_t>(took))).c_str(),
              absl::FormatDuration(absl::Seconds(static_cast<int64_t>(estimate))).c_str(),
              100.0 * (estimate - took) / took, out_dir.c_str(), hw1::sweep::kSummaryCsv);
  return 0;
}
