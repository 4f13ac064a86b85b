#include "lib/experiment/experiment.h"

#include <cstdio>

#include "lib/util/process_env.h"

DEFINE_string(out_dir, "",
              "Output folder (default: <workspace>/reports/data; q4_bn_sweep: its profile's "
              "folder below it)");

namespace hw1::experiment {
namespace {

// The command line before gflags removed the flags from it: what a restart runs again.
std::vector<std::string>& OriginalArgs() {
  static auto* args = new std::vector<std::string>;
  return *args;
}

}  // namespace

Manifest Start(absl::string_view program, const char* usage, int* argc, char*** argv,
               std::vector<std::string>* args) {
  RestartWithRuntimeEnvironment(*argv);
  OriginalArgs().assign(*argv, *argv + *argc);
  if (args != nullptr) *args = OriginalArgs();
  gflags::SetUsageMessage(usage);
  gflags::ParseCommandLineFlags(argc, argv, true);
  return Manifest(program, *argc, *argv);
}

void MatchWaitsToStep(double step_ms, int threads) {
  if (OriginalArgs().empty()) return;  // Start() was not called: nothing to run again
  std::vector<char*> argv;
  for (std::string& arg : OriginalArgs()) argv.push_back(arg.data());
  argv.push_back(nullptr);
  RestartWithRuntimeEnvironment(argv.data(), OmpWaitPolicyForStep(step_ms, threads));
}

std::filesystem::path OutDir(const std::string& default_subdir) {
  if (FLAGS_out_dir.empty() && !default_subdir.empty()) {
    return ResolveOutDir(
        (std::filesystem::path(WorkspaceDir()) / "reports" / "data" / default_subdir).string());
  }
  return ResolveOutDir(FLAGS_out_dir);
}

int Fail(absl::string_view program, const absl::Status& status) {
  std::fprintf(stderr, "%s: %s\n", std::string(program).c_str(),
               std::string(status.message()).c_str());
  return status.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
}

}  // namespace hw1::experiment
