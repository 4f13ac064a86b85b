#include "lib/experiment/precision_probe.h"

#include <stdlib.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "lib/sweep/sweep_runner.h"
#include "lib/train/trainer.h"
#include "lib/util/cpu_features.h"
#include "lib/util/file_util.h"
#include "lib/util/process_env.h"

DEFINE_string(worker_probe, "",
              "Internal (set by --precision=auto): time the precisions in this process and write "
              "the timings to this file");
DEFINE_string(
    probe_cache_dir, "",
    "Where --precision=auto keeps its probes (default: ~/.cache/hw1-repro/precision_probe)");

namespace hw1::experiment {
namespace {

constexpr train::Precision kPrecisions[] = {train::Precision::kFp32, train::Precision::kBf16};

// Short, and capped, so that a host where a bf16 step takes seconds (AVX2,
// emulated) still probes both arms in well under 30 s; the shortest step
// measured here (bf16 on AMX, ~12 ms) still gets 40 timed steps.
sweep::SpeedBudget ProbeBudget() {
  sweep::SpeedBudget budget;
  budget.warmup_steps = 2;
  budget.max_warmup_seconds = 1.5;  // one slow step is warm-up enough
  budget.min_steps = 3;
  budget.min_seconds = 0.5;
  budget.max_seconds = 2.0;
  budget.eval_batches = 1;
  budget.eval_warmup = false;  // the training steps built the kernels for this batch size
  return budget;
}

ProbeKey KeyFor(const ProbeRequest& request) {
  ProbeKey key;
  key.cpu_model = CpuModelName();
  std::vector<std::string> features;
  for (const auto& [name, present] : ListCpuFeatures(DetectCpuFeatures()))
    if (present) features.push_back(name);
  key.cpu_features = absl::StrJoin(features, " ");
  key.onednn_isa = OneDnnIsa();
  key.libtorch = TORCH_VERSION;
  key.threads = request.options.threads;
  key.processes = request.processes;
  key.batch_size = request.options.batch_size;
  for (const auto& [name, network] : request.networks) {
    const std::string tag = models::ArchitectureTag(network);
    key.arms.push_back(tag.empty() ? name : absl::StrCat(name, "_", tag));
  }
  return key;
}

std::string CacheDir() {
  return FLAGS_probe_cache_dir.empty() ? DefaultProbeCacheDir() : FLAGS_probe_cache_dir;
}

}  // namespace

bool IsProbeWorker() { return !FLAGS_worker_probe.empty(); }

absl::Status RunProbeWorker(const ProbeRequest& request) {
  train::TrainOptions options = request.options;
  train::ConfigureThreads(options.threads);
  options.eval_batch_size = options.batch_size;  // one small batch: bf16 may be emulated
  ProbeRecord record;
  record.key = ProbeKeyText(KeyFor(request));
  for (const auto& [name, network] : request.networks) {
    for (train::Precision precision : kPrecisions) {
      options.precision = precision;
      const sweep::Speed speed = sweep::MeasureSpeed(network, options, ProbeBudget());
      record.timings.push_back({name, precision, speed.train_images_per_second,
                                speed.eval_images_per_second, speed.step_ms});
    }
  }
  return WriteFileAtomically(FLAGS_worker_probe, ProbeRecordJson(record));
}

absl::StatusOr<ProbeOutcome> ProbePrecision(const ProbeRequest& request) {
  const std::string key = ProbeKeyText(KeyFor(request));
  const std::string dir = CacheDir();
  ProbeOutcome outcome;
  outcome.cache_path = ProbeCachePath(dir, key);
  absl::StatusOr<std::optional<ProbeRecord>> cached = ReadCachedProbe(dir, key);
  if (!cached.ok()) return cached.status();
  if (cached->has_value()) {
    outcome.record = **cached;
    outcome.from_cache = true;
  } else {
    std::fprintf(stderr, "precision probe: timing fp32 and bf16 in %d process%s at once ...\n",
                 request.processes, request.processes == 1 ? "" : "es");
    const auto start = std::chrono::steady_clock::now();
    char scratch_template[] = "/tmp/hw1-precision-probe.XXXXXX";
    if (::mkdtemp(scratch_template) == nullptr)
      return absl::InternalError("cannot make a scratch folder for the precision probe in /tmp");
    const std::string scratch = scratch_template;
    std::vector<std::vector<std::string>> commands;
    for (int i = 0; i < request.processes; ++i) {
      std::vector<std::string> args = request.program_args;
      args.push_back(absl::StrCat("--worker_probe=", scratch, "/", i, ".json"));
      commands.push_back(std::move(args));
    }
    absl::Status ran = sweep::RunAllAtOnce(commands);
    // The mean over the processes of each timing.
    std::map<std::pair<std::string, train::Precision>, ProbeTiming> sums;
    std::vector<std::pair<std::string, train::Precision>> order;
    for (int i = 0; ran.ok() && i < request.processes; ++i) {
      const std::string path = absl::StrCat(scratch, "/", i, ".json");
      absl::StatusOr<std::string> text = ReadFile(path);
      if (!text.ok()) {
        ran = text.status();
        break;
      }
      absl::StatusOr<ProbeRecord> part = ParseProbeRecord(*text, path);
      if (!part.ok()) {
        ran = part.status();
        break;
      }
      for (const ProbeTiming& t : part->timings) {
        auto [it, fresh] = sums.try_emplace({t.arm, t.precision}, ProbeTiming{t.arm, t.precision});
        if (fresh) order.push_back(it->first);
        it->second.train_images_per_second += t.train_images_per_second / request.processes;
        it->second.eval_images_per_second += t.eval_images_per_second / request.processes;
        it->second.step_ms += t.step_ms / request.processes;
      }
    }
    std::error_code ignored;
    std::filesystem::remove_all(scratch, ignored);
    if (!ran.ok()) return absl::InternalError(absl::StrCat("precision probe: ", ran.message()));
    outcome.record.key = key;
    for (const auto& k : order) outcome.record.timings.push_back(sums[k]);
    outcome.record.measured_at =
        absl::FormatTime(absl::RFC3339_sec, absl::Now(), absl::UTCTimeZone());
    outcome.record.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    outcome.record.openmp_wait = OpenMpWaitSetting();
    if (absl::Status s = WriteCachedProbe(dir, outcome.record); !s.ok()) {
      // The choice stands without a cache; the next call probes again.
      std::fprintf(stderr, "precision probe: not cached: %s\n", std::string(s.message()).c_str());
    }
  }
  absl::StatusOr<PrecisionChoice> choice = ChoosePrecision(outcome.record.timings);
  if (!choice.ok()) {
    return absl::InternalError(
        absl::StrCat("precision probe (", outcome.cache_path, "): ", choice.status().message()));
  }
  outcome.choice = *choice;
  return outcome;
}

std::string DescribeOutcome(const ProbeOutcome& o) {
  const bool bf16 = o.choice.precision == train::Precision::kBf16;
  std::string text =
      absl::StrFormat("auto picked %s: bf16 trains %.2fx as fast as fp32 (bf16 needs >= %.2fx); ",
                      bf16 ? "bf16" : "fp32", o.choice.bf16_speedup, kBf16Margin);
  absl::StrAppend(
      &text, o.from_cache ? "from the cache " : "probed now, cached in ", o.cache_path,
      absl::StrFormat(" (measured %s in %.0f s)", o.record.measured_at, o.record.seconds));
  for (const std::string& line : DescribeTimings(o.record.timings))
    absl::StrAppend(&text, "\n    ", line);
  return text;
}

nlohmann::json ProbeManifestEntry(const ProbeOutcome& o) {
  nlohmann::json entry = nlohmann::json::parse(ProbeRecordJson(o.record));
  entry["chosen"] = train::PrecisionName(o.choice.precision);
  entry["bf16_speedup"] = o.choice.bf16_speedup;
  entry["bf16_margin"] = kBf16Margin;
  entry["from_cache"] = o.from_cache;
  entry["cache_path"] = o.cache_path;
  return entry;
}

}  // namespace hw1::experiment
