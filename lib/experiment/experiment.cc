#include "lib/experiment/experiment.h"

#include <cstdio>

#include "lib/util/process_env.h"

DEFINE_string(out_dir, "",
              "Output folder (default: <workspace>/reports/data; q4_bn_sweep: its profile's "
              "folder below it)");

namespace hw1::experiment {

Manifest Start(absl::string_view program, const char* usage, int* argc, char*** argv,
               std::vector<std::string>* args) {
  RestartWithRuntimeEnvironment(*argv);
  if (args != nullptr) args->assign(*argv, *argv + *argc);
  gflags::SetUsageMessage(usage);
  gflags::ParseCommandLineFlags(argc, argv, true);
  return Manifest(program, *argc, *argv);
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
