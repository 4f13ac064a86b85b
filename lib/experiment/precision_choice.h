#ifndef HW1_LIB_EXPERIMENT_PRECISION_CHOICE_H_
#define HW1_LIB_EXPERIMENT_PRECISION_CHOICE_H_

// What `--precision=auto` means on this host, decided by measurement: a few
// timed training steps of each precision (lib/experiment/precision_probe.h)
// and the rule below. CPU flags do not predict the answer: bf16 autocast was
// 2-3x faster than fp32 on an Intel Xeon with AMX, 1.35x slower on an Intel
// Xeon with AVX-512 BF16 and no AMX, and 1.8x faster on an AMD EPYC with
// AVX-512 BF16 and no AMX; with AVX2 only it is emulated (15x slower).
//
// This file holds the decision, the cache key and the cache; it is free of
// LibTorch so that its tests compile in seconds.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/train/train_options.h"

namespace hw1::experiment {

// One (arm, precision) timing: what each of `processes` processes, trained
// at once with the runs' threads, did per second (the mean over them).
struct ProbeTiming {
  std::string arm;  // "baseline", "bn", or a network's tag
  train::Precision precision = train::Precision::kFp32;
  double train_images_per_second = 0;
  double eval_images_per_second = 0;
  double step_ms = 0;  // one training step at the runs' batch size
};

// bf16 must be at least this much faster to be picked: fp32 is the
// homework's precision, and a smaller gain sits within the drift of these
// shared hosts (up to 2x between minutes, a few percent between seconds).
inline constexpr double kBf16Margin = 1.10;

struct PrecisionChoice {
  train::Precision precision = train::Precision::kFp32;
  // fp32's time per image over bf16's, summed over the arms (> 1: bf16 faster).
  double bf16_speedup = 0;
  double step_ms = 0;  // the chosen precision's training step, mean over the arms
};

// bf16 when, over the arms timed in both precisions, bf16 trains at least
// `margin` times as many images a second as fp32; fp32 otherwise. Error when
// an arm lacks one of the two timings or a timing is not positive.
absl::StatusOr<PrecisionChoice> ChoosePrecision(const std::vector<ProbeTiming>& timings,
                                                double margin = kBf16Margin);

// Everything that changes the timings; a cached probe is reused only when
// every field matches.
struct ProbeKey {
  std::string cpu_model;     // CpuModelName()
  std::string cpu_features;  // the flags of ListCpuFeatures(), e.g. "avx2 fma"
  std::string onednn_isa;
  std::string libtorch;  // TORCH_VERSION
  int threads = 1;       // per process
  int processes = 1;     // processes at once (the sweep's jobs)
  int batch_size = train::kHomeworkBatchSize;
  std::vector<std::string> arms;  // what was timed, in order (networks other than the
                                  // homework's named by their architecture tag)
};
std::string ProbeKeyText(const ProbeKey& key);

// A probe's outcome, as cached and as manifests record it.
struct ProbeRecord {
  std::string key;  // ProbeKeyText
  std::vector<ProbeTiming> timings;
  std::string measured_at;  // UTC, RFC 3339
  double seconds = 0;       // the probe's wall time
  // How the probe's OpenMP threads waited (OpenMpWaitSetting()): recorded, not
  // keyed, so that a program restarted for another wait finds its own probe.
  std::string openmp_wait;
};
std::string ProbeRecordJson(const ProbeRecord& record);
// Errors name `source` (a file) and what is wrong.
absl::StatusOr<ProbeRecord> ParseProbeRecord(const std::string& json, const std::string& source);

// $XDG_CACHE_HOME/hw1-repro/precision_probe, else ~/.cache/hw1-repro/precision_probe.
std::string DefaultProbeCacheDir();
// `dir`/<MD5 of the key text>.json.
std::string ProbeCachePath(const std::string& dir, const std::string& key);
// The cached record for `key`, or nullopt when there is none. A damaged file,
// or one whose key differs, is an error naming it (delete it to probe again).
absl::StatusOr<std::optional<ProbeRecord>> ReadCachedProbe(const std::string& dir,
                                                           const std::string& key);
// Writes atomically (temporary file, rename), creating `dir`.
absl::Status WriteCachedProbe(const std::string& dir, const ProbeRecord& record);

// One line per timing for the plan, e.g. "baseline fp32 365 img/s (87.6 ms a step)".
std::vector<std::string> DescribeTimings(const std::vector<ProbeTiming>& timings);

}  // namespace hw1::experiment

#endif  // HW1_LIB_EXPERIMENT_PRECISION_CHOICE_H_
