#include "lib/experiment/bn_sweep_plan.h"

#include <cstdio>
#include <filesystem>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "lib/data/cifar10.h"
#include "lib/experiment/experiment.h"
#include "lib/sweep/grid_comparison.h"
#include "lib/sweep/sweep_runner.h"
#include "lib/util/cpu_features.h"
#include "lib/util/csv.h"

namespace hw1::experiment {
namespace {

// Seconds to train `todo` on `jobs` slots at each arm's `speed`.
double ScheduledSeconds(const sweep::SweepConfig& config, const std::vector<sweep::RunSpec>& todo,
                        int jobs, const data::Cifar10& data,
                        const std::map<std::string, sweep::Speed>& speed) {
  std::vector<double> run_seconds;
  for (const auto& run : todo) {
    const sweep::Speed& s = speed.at(run.arm);
    run_seconds.push_back(config.train.epochs *
                          (static_cast<double>(data.train.size()) / s.train_images_per_second +
                           static_cast<double>(data.test.size()) / s.eval_images_per_second));
  }
  return sweep::ScheduledSeconds(run_seconds, jobs);
}

std::string SpeedText(const std::map<std::string, sweep::Speed>& speed) {
  return absl::StrJoin(speed, ", ", [](std::string* out, const auto& kv) {
    absl::StrAppendFormat(out, "%s %.0f img/s", kv.first, kv.second.train_images_per_second);
  });
}

}  // namespace

// Prints the plan, one line per run with its state; returns the runs to train.
absl::StatusOr<std::vector<sweep::RunSpec>> PrintPlan(const BnSweepSettings& settings,
                                                      const SweepSetup& setup,
                                                      const std::vector<sweep::RunSpec>& plan,
                                                      const sweep::SweepStore& store,
                                                      const std::string& out_dir,
                                                      const std::optional<ProbeOutcome>& probe) {
  const sweep::SweepConfig& config = setup.config;
  const std::string precision = train::PrecisionName(config.train.precision);
  std::printf("q4_bn_sweep plan (%s, shard %d of %d) -> %s\n", settings.profile.c_str(),
              settings.shard_index + 1, settings.num_shards, out_dir.c_str());
  std::string precision_note;
  if (probe.has_value()) {
    precision_note = absl::StrCat(" (", DescribeOutcome(*probe), ")");
  } else if (settings.precision.empty()) {
    precision_note = absl::StrCat(" (the ", setup.profile.name, " profile's)");
  }
  std::printf("  host: %s (%s), oneDNN ISA %s; precision %s%s\n", CpuModelName().c_str(),
              HostKind(DetectCpuFeatures()).c_str(), OneDnnIsa().c_str(), precision.c_str(),
              precision_note.c_str());
  const int threads = config.train.threads;
  std::printf(
      "  %d run%s at once x %d thread%s each%s\n", setup.jobs, setup.jobs == 1 ? "" : "s", threads,
      threads == 1 ? "" : "s",
      settings.jobs == 0 && settings.threads == 0 ? " (default: one 1-thread run per core)" : "");
  std::printf("  %s profile: %s\n", setup.profile.name.c_str(), setup.profile.about.c_str());
  std::printf("  %-4s %-6s %-9s %6s %9s %5s  %s\n", "run", "init", "arm", "lr x", "lr", "seed",
              "status");
  std::vector<sweep::RunSpec> todo;
  for (const auto& run : plan) {
    absl::StatusOr<bool> done = store.IsComplete(run);
    if (!done.ok()) return done.status();
    const bool partial = !*done && std::filesystem::exists(store.CheckpointPath(run));
    std::printf("  %-4d %-6s %-9s %6g %9g %5lu  %s\n", run.index, run.init.c_str(), run.arm.c_str(),
                run.lr_multiplier, run.lr, static_cast<unsigned long>(run.seed),
                *done     ? "done, skipped"
                : partial ? "resumes from checkpoint"
                          : "to run");
    if (!*done) todo.push_back(run);
  }
  return todo;
}

// The estimate: each arm's step and evaluation timed with the runs' threads
// and precision (the probe's timings, taken with `jobs` processes at once,
// for both precisions when it ran), scaled to the plan, scheduled on the job slots.
double PrintEstimate(const sweep::SweepConfig& config, const std::vector<sweep::RunSpec>& todo,
                     int jobs, const data::Cifar10& data,
                     const std::optional<ProbeOutcome>& probe) {
  const std::string picked = train::PrecisionName(config.train.precision);
  std::map<std::string, std::map<std::string, sweep::Speed>> speed;  // precision -> arm -> speed
  if (probe.has_value()) {
    for (const ProbeTiming& t : probe->record.timings) {
      speed[train::PrecisionName(t.precision)][t.arm] = {t.train_images_per_second,
                                                         t.eval_images_per_second, t.step_ms};
    }
  } else {
    for (const auto& arm : config.arms) speed[picked][arm] = sweep::MeasureSpeed(arm, config.train);
  }
  const double estimate = ScheduledSeconds(config, todo, jobs, data, speed.at(picked));
  std::printf("  %zu runs to train; timed %s; estimated %s", todo.size(),
              SpeedText(speed.at(picked)).c_str(),
              absl::FormatDuration(absl::Seconds(static_cast<int64_t>(estimate))).c_str());
  for (const auto& [precision, arms] : speed) {
    if (precision == picked) continue;
    const double other = ScheduledSeconds(config, todo, jobs, data, arms);
    std::printf(" in %s; in %s (%s) it would take %s", picked.c_str(), precision.c_str(),
                SpeedText(arms).c_str(),
                absl::FormatDuration(absl::Seconds(static_cast<int64_t>(other))).c_str());
  }
  std::printf("\n");
  std::fflush(stdout);
  return estimate;
}

// The quick profile's margins beside the committed full grid's (reports/data/q4_summary.csv).
void PrintBesideFullGrid(const std::string& out_dir) {
  // The committed grid, wherever --out_dir put the quick runs.
  const std::string full_path =
      (std::filesystem::path(WorkspaceDir()) / "reports" / "data" / sweep::kSummaryCsv).string();
  absl::StatusOr<CsvTable> quick =
      CsvTable::Read((std::filesystem::path(out_dir) / sweep::kSummaryCsv).string());
  absl::StatusOr<CsvTable> full = CsvTable::Read(full_path);
  if (!quick.ok() || !full.ok()) {
    std::printf("quick profile: no full grid at %s to compare with\n", full_path.c_str());
    return;
  }
  absl::StatusOr<std::vector<sweep::GridComparison>> cells = sweep::CompareWithFullGrid(
      *quick, *full, data::kRecordsPerFile * data::TrainingFiles().size());
  if (!cells.ok()) {
    std::printf("quick profile: %s\n", std::string(cells.status().message()).c_str());
    return;
  }
  std::printf(
      "quick profile beside the full grid (%s; final val acc, mean over seeds (seeds)):\n%s",
      full_path.c_str(), sweep::FormatGridComparison(*cells).c_str());
}

}  // namespace hw1::experiment
