#ifndef HW1_LIB_EXPERIMENT_PRECISION_PROBE_H_
#define HW1_LIB_EXPERIMENT_PRECISION_PROBE_H_

// `--precision=auto` by measurement: before the first run, a few training
// steps of each network in fp32 and in bf16 autocast, timed in as many
// processes at once as the job will train (its speed is theirs together),
// each with the runs' threads; then ChoosePrecision (precision_choice.h).
// The outcome is cached under the user's cache, keyed by everything that
// changes the timings (CPU model and features, oneDNN's ISA, LibTorch,
// threads, processes, batch size, networks), so a second call costs nothing.
//
// The probe's processes are this program started again with
// --worker_probe=<file>; a job calls RunProbeWorker when IsProbeWorker().
// Cost: on a 2-core AVX2 host, where bf16 is emulated (a step takes seconds),
// the time caps below keep it near 20 s for both arms.

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "gflags/gflags.h"
#include "lib/experiment/precision_choice.h"
#include "lib/models/cifar_cnn.h"
#include "lib/train/train_options.h"
#include "nlohmann/json.hpp"

DECLARE_string(worker_probe);
DECLARE_string(probe_cache_dir);

namespace hw1::experiment {

struct ProbeRequest {
  // What the job trains: a name ("baseline", "bn", or a network's tag) and its network.
  std::vector<std::pair<std::string, models::CifarCnnOptions>> networks;
  train::TrainOptions options;            // threads (resolved, > 0), batch size, lr
  int processes = 1;                      // runs the job trains at once
  std::vector<std::string> program_args;  // the command line, to start the probe's processes
};

struct ProbeOutcome {
  ProbeRecord record;
  PrecisionChoice choice;
  bool from_cache = false;
  std::string cache_path;
};

// This process was started as one of a probe's processes.
bool IsProbeWorker();
// Times `request`'s networks in fp32 and bf16 here and writes the timings to --worker_probe.
absl::Status RunProbeWorker(const ProbeRequest& request);

// The cached outcome for `request` on this host, or a new probe (then cached
// in --probe_cache_dir, default DefaultProbeCacheDir()).
absl::StatusOr<ProbeOutcome> ProbePrecision(const ProbeRequest& request);

// For the plan: which precision, from which timings, cached or not.
std::string DescribeOutcome(const ProbeOutcome& outcome);
// For manifests: the key, the timings, the decision and where they came from.
nlohmann::json ProbeManifestEntry(const ProbeOutcome& outcome);

}  // namespace hw1::experiment

#endif  // HW1_LIB_EXPERIMENT_PRECISION_PROBE_H_
