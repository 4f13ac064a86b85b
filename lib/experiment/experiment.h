#ifndef HW1_LIB_EXPERIMENT_EXPERIMENT_H_
#define HW1_LIB_EXPERIMENT_EXPERIMENT_H_

// What every experiment binary does around its own work, in one place, so
// that each experiments/*.cc reads as: its flags, a call into lib/, output.
//
//   int main(int argc, char** argv) {
//     hw1::Manifest manifest = hw1::experiment::Start("q1_conv1x1", "Q1: …", &argc, &argv);
//     hw1::experiment::Conv1x1Settings settings;  // from the flags
//     settings.seed = FLAGS_seed;
//     const absl::StatusOr<int> result = hw1::experiment::CheckConv1x1(settings, manifest);
//     if (!result.ok()) return hw1::experiment::Fail("q1_conv1x1", result.status());
//     …
//   }
//
// Defines --out_dir, which every experiment has.

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "gflags/gflags.h"
#include "lib/util/run_context.h"

DECLARE_string(out_dir);

namespace hw1::experiment {

// Restarts the program in its runtime environment when that is not yet set
// (OpenBLAS kernels, OpenMP waits: lib/util/process_env.h; a restart must come
// before anything else), parses the flags and opens the run's manifest.
// `args`, when given, receives the command line as it was before the flags
// were parsed (q4_bn_sweep starts its workers with it).
Manifest Start(absl::string_view program, const char* usage, int* argc, char*** argv,
               std::vector<std::string>* args = nullptr);

// Restarts the program once more, with the command line Start() saw, when its
// training steps, timed at `step_ms` with `threads` threads by the precision
// probe, want another OpenMP wait than the PASSIVE that Start() set
// (OmpWaitPolicyForStep, lib/util/process_env.h). Call once the probe has
// chosen, before anything is written; a precision given by flag is not timed,
// and its steps keep Start()'s wait.
void MatchWaitsToStep(double step_ms, int threads);

// --out_dir, or <workspace>/reports/data when it is empty; `default_subdir`
// (e.g. "quick") goes below reports/data when --out_dir is empty.
std::filesystem::path OutDir(const std::string& default_subdir = "");

// Prints "<program>: <message>" to stderr and returns the exit status for it:
// 2 for bad input (InvalidArgument: a flag or value the user gave), 1 for
// anything else (a file, the data, a failed run).
int Fail(absl::string_view program, const absl::Status& status);

}  // namespace hw1::experiment

#endif  // HW1_LIB_EXPERIMENT_EXPERIMENT_H_
