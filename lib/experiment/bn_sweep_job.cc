#include "lib/experiment/bn_sweep_job.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "lib/compat/torch_compat.h"
#include "lib/data/cifar10.h"
#include "lib/experiment/bn_sweep_plan.h"
#include "lib/experiment/cifar10_flags.h"
#include "lib/experiment/experiment.h"
#include "lib/experiment/precision_probe.h"
#include "lib/experiment/run_entry.h"
#include "lib/sweep/grid_comparison.h"
#include "lib/sweep/sweep_progress.h"
#include "lib/sweep/sweep_runner.h"
#include "lib/sweep/sweep_store.h"
#include "lib/train/history.h"
#include "lib/train/metrics_json.h"
#include "lib/train/run_id.h"
#include "lib/train/trainer.h"
#include "lib/util/cpu_features.h"
#include "lib/util/csv.h"
#include "lib/util/file_util.h"

namespace hw1::experiment {
namespace {

std::string ProbeDirIn(const std::string& out_dir) { return out_dir + "/probes"; }

// One run of the plan, trained in this process (a worker) for its parent,
// which holds the folder's lock and found the data; the result is left for it.
absl::Status RunWorker(const sweep::SweepConfig& config, const probe::ProbeOptions& probe,
                       int index, const std::string& out_dir) {
  absl::StatusOr<data::Cifar10> data = data::LoadCifar10(
      ResolveUserPath(FLAGS_data_dir), LoadOptionsFromFlags(config.train_limit, config.test_limit));
  if (!data.ok()) return data.status();
  sweep::SweepConfig with_data = config;
  with_data.data_digest = data::DataDigest(data->file_md5);  // the parent's plan, signatures too
  const std::vector<sweep::RunSpec> plan = sweep::BuildPlan(with_data);
  auto run =
      std::find_if(plan.begin(), plan.end(), [index](const auto& r) { return r.index == index; });
  if (run == plan.end())
    return absl::InvalidArgumentError(absl::StrCat("--worker_run=", index, ": no such run"));
  train::TrainOptions options = config.train;
  options.progress_label = run->run_id;
  const std::string progress_path = sweep::WorkerProgressPathIn(out_dir, *run);
  auto on_epoch = [&progress_path](const train::TrainResult& so_far) {
    return WriteFileAtomically(progress_path, absl::StrCat(so_far.history.size(), "\n"));
  };
  absl::StatusOr<train::TrainResult> result =
      sweep::TrainRun(*run, *data, options, sweep::CheckpointPathIn(out_dir, *run), on_epoch, probe,
                      ProbeDirIn(out_dir));
  if (!result.ok()) return result.status();
  return train::WriteTrainResult(sweep::WorkerResultPathIn(out_dir, *run), *result);
}

// --merge: the shard folders' finished runs into `out_dir`; trains nothing.
absl::Status MergeShards(const std::string& merge_flag, const std::string& out_dir) {
  std::vector<std::string> shards;
  for (absl::string_view shard : absl::StrSplit(merge_flag, ',', absl::SkipEmpty())) {
    shards.push_back(ResolveUserPath(std::string(shard)));
    // Before the output folder is created or locked.
    if (absl::Status s = sweep::CheckIsSweepFolder(shards.back()); !s.ok()) return s;
  }
  absl::StatusOr<sweep::SweepStore> store = sweep::SweepStore::Open(out_dir);
  if (!store.ok()) return store.status();
  if (absl::Status s = store->Merge(shards); !s.ok()) return s;
  std::printf("q4_bn_sweep: merged %s into %s\n", absl::StrJoin(shards, ", ").c_str(),
              out_dir.c_str());
  return absl::OkStatus();
}

// Trains `todo` (in this process, or in `jobs` worker processes), recording
// each finished run into `store` and its manifest entry as it finishes.
absl::Status TrainTodo(const BnSweepSettings& settings, const SweepSetup& setup,
                       const std::vector<sweep::RunSpec>& todo, int jobs, const data::Cifar10& data,
                       sweep::SweepStore& store, const std::string& out_dir,
                       const std::optional<ProbeOutcome>& probe, Manifest& manifest) {
  const sweep::SweepConfig& config = setup.config;
  const train::TrainOptions& t = config.train;
  manifest["torch_version"] = TORCH_VERSION;
  manifest["threads"] = t.threads;
  manifest["jobs"] = setup.jobs;
  manifest["precision"] = train::PrecisionName(t.precision);
  if (probe.has_value()) manifest["precision_probe"] = ProbeManifestEntry(*probe);
  if (settings.probe.enabled) {
    manifest["training_probe"] = probe::ProbeSettings(settings.probe);
    manifest["training_probe"]["dir"] = ProbeDirIn(out_dir);
  }
  manifest["profile"] = setup.profile.name;
  manifest["data"] = {{"dir", data.dir},
                      {"md5", data.file_md5},
                      {"train_images", data.train.size()},
                      {"test_images", data.test.size()}};
  const auto start = std::chrono::steady_clock::now();
  sweep::SweepProgress progress(static_cast<int>(todo.size()), t.epochs);
  auto elapsed = [&start] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  auto print_progress = [&] {
    std::fprintf(stderr, "%s\n", progress.Line(elapsed()).c_str());
    std::fflush(stderr);
  };
  auto record = [&](const sweep::RunSpec& run, const train::TrainResult& result) -> absl::Status {
    if (absl::Status s = store.RecordRun(run, result); !s.ok()) return s;
    std::filesystem::remove(store.CheckpointPath(run));
    std::filesystem::remove(sweep::WorkerResultPathIn(out_dir, run));
    std::filesystem::remove(sweep::WorkerProgressPathIn(out_dir, run));
    progress.EpochDone(run.run_id, static_cast<int>(result.history.size()));
    progress.RunDone(run.run_id);
    print_progress();
    const train::RunSummary s = train::Summarize(result);
    std::printf("  done %s: final val acc %.4f, best %.4f (epoch %d)%s\n", run.run_id.c_str(),
                s.final_val_acc, s.best_val_acc, s.best_epoch, result.diverged ? ", DIVERGED" : "");
    std::fflush(stdout);
    nlohmann::json entry = RunManifestEntry({run.arm, run.init, sweep::RunOptions(run, t),
                                             train::CheckpointFile(sweep::kProgram, run.run_id)},
                                            result, data, manifest);
    entry["lr_multiplier"] = run.lr_multiplier;
    manifest["runs"][run.run_id] = std::move(entry);
    return manifest.Write(out_dir);
  };

  if (jobs == 1) {
    for (const auto& run : todo) {
      std::fprintf(stderr, "q4_bn_sweep: run %d %s\n", run.index, run.run_id.c_str());
      auto on_epoch = [&](const train::TrainResult& so_far) {
        if (progress.EpochDone(run.run_id, static_cast<int>(so_far.history.size())))
          print_progress();
        return absl::OkStatus();
      };
      absl::StatusOr<train::TrainResult> result = sweep::TrainRun(
          run, data, t, store.CheckpointPath(run), on_epoch, settings.probe, ProbeDirIn(out_dir));
      if (!result.ok()) return result.status();
      if (absl::Status s = record(run, *result); !s.ok()) return s;
    }
  } else {
    std::vector<std::string> worker_args = settings.program_args;
    for (const std::string& flag :
         {absl::StrCat("--threads=", t.threads), std::string("--jobs=1"),
          absl::StrCat("--out_dir=", out_dir), absl::StrCat("--data_dir=", data.dir),
          absl::StrCat("--precision=", train::PrecisionName(t.precision)),
          std::string("--nodownload"), std::string("--nodry_run")}) {
      worker_args.push_back(flag);
    }
    std::fprintf(stderr, "q4_bn_sweep: %d workers for %zu runs\n", jobs, todo.size());
    if (absl::Status s = sweep::RunInWorkers(
            todo, jobs, worker_args,
            [&out_dir](const sweep::RunSpec& run) {
              return sweep::WorkerResultPathIn(out_dir, run);
            },
            record,
            [&] {  // each worker's epochs so far, from its progress file
              bool news = false;
              for (const auto& run : todo) {
                absl::StatusOr<std::string> text =
                    ReadFile(sweep::WorkerProgressPathIn(out_dir, run));
                int epochs = 0;
                if (text.ok() && absl::SimpleAtoi(absl::StripAsciiWhitespace(*text), &epochs))
                  news = progress.EpochDone(run.run_id, epochs) || news;
              }
              if (news) print_progress();
            });
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

// What the probe times: the networks of the planned arms, with the runs'
// threads, in as many processes as the sweep trains at once.
ProbeRequest ProbeRequestFor(const SweepSetup& setup, const BnSweepSettings& settings) {
  ProbeRequest request;
  for (const std::string& arm : setup.config.arms) {
    models::CifarCnnOptions network;
    network.batchnorm = arm == "bn";
    request.networks.emplace_back(arm, network);
  }
  request.options = setup.config.train;
  request.processes = setup.jobs;
  request.program_args = settings.program_args;
  return request;
}

}  // namespace

absl::Status RunBnSweep(const BnSweepSettings& settings, Manifest& manifest) {
  absl::StatusOr<SweepSetup> set_up = SetUpSweep(settings);
  if (!set_up.ok()) return set_up.status();
  SweepSetup& setup = *set_up;
  sweep::SweepConfig& config = setup.config;
  if (absl::Status s = train::CheckDeviceAvailable(config.train.device); !s.ok()) return s;
  if (IsProbeWorker()) return RunProbeWorker(ProbeRequestFor(setup, settings));
  config.libtorch = compat::TorchMajorMinor();
  const std::string out_dir = OutDir(setup.profile.out_subdir).string();

  if (!settings.merge.empty()) return MergeShards(settings.merge, out_dir);

  // auto: timed, before anything is written (a worker is told the parent's choice).
  std::optional<ProbeOutcome> probe;
  if (config.train.precision == train::Precision::kAuto &&
      !train::CudaPicked(config.train.device)) {
    absl::StatusOr<ProbeOutcome> outcome = ProbePrecision(ProbeRequestFor(setup, settings));
    if (!outcome.ok()) return outcome.status();
    probe = *outcome;
    config.train.precision = probe->choice.precision;
  }
  config.train = train::ResolvedForThisHost(config.train);
  if (probe) MatchWaitsToStep(probe->choice.step_ms, config.train.threads);
  if (settings.worker_run >= 0)
    return RunWorker(config, settings.probe, settings.worker_run, out_dir);

  absl::StatusOr<sweep::SweepStore> store = sweep::SweepStore::Open(out_dir);
  if (!store.ok()) return store.status();
  // A damaged folder is reported now, before any training.
  if (absl::Status s = store->Check(); !s.ok()) return s;

  // The data before the plan: its digest is part of every run's signature, so
  // a folder made from other files is refused rather than mixed in.
  absl::StatusOr<data::Cifar10> data = LoadCifar10FromFlags(config.train_limit, config.test_limit);
  if (!data.ok()) return data.status();
  config.data_digest = data::DataDigest(data->file_md5);
  const std::vector<sweep::RunSpec> plan =
      sweep::ShardOf(sweep::BuildPlan(config), settings.num_shards, settings.shard_index);
  absl::StatusOr<std::vector<sweep::RunSpec>> todo =
      PrintPlan(settings, setup, plan, *store, out_dir, probe);
  if (!todo.ok()) return todo.status();
  if (todo->empty()) {
    // The summary is derived data: rewritten from the records and history, so a damaged one heals.
    if (absl::Status st = store->WriteSummary(); !st.ok()) return st;
    std::printf("q4_bn_sweep: every run of this plan is already in %s; nothing to do\n",
                out_dir.c_str());
    if (setup.profile.name == "quick") PrintBesideFullGrid(out_dir);
    return absl::OkStatus();
  }
  const int jobs = std::min<int>(setup.jobs, static_cast<int>(todo->size()));
  const double estimate = PrintEstimate(config, *todo, jobs, *data, probe);
  if (settings.dry_run) return absl::OkStatus();

  const auto start = std::chrono::steady_clock::now();
  if (absl::Status s =
          TrainTodo(settings, setup, *todo, jobs, *data, *store, out_dir, probe, manifest);
      !s.ok()) {
    return s;
  }
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("q4_bn_sweep: %zu runs trained in %s (estimated %s, %+.0f%%); summary in %s/%s\n",
              todo->size(), absl::FormatDuration(absl::Seconds(static_cast<int64_t>(took))).c_str(),
              absl::FormatDuration(absl::Seconds(static_cast<int64_t>(estimate))).c_str(),
              100.0 * (estimate - took) / took, out_dir.c_str(), sweep::kSummaryCsv);
  if (setup.profile.name == "quick") PrintBesideFullGrid(out_dir);
  return absl::OkStatus();
}

}  // namespace hw1::experiment
