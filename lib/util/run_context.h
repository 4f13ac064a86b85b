#ifndef HW1_LIB_UTIL_RUN_CONTEXT_H_
#define HW1_LIB_UTIL_RUN_CONTEXT_H_

// Where an experiment reads and writes, and the manifest that records how a
// run was made (flags, git commit, library versions, threads, data checksums).

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace hw1 {

// `bazel run` starts binaries inside the runfiles tree; it tells them the
// user's folder (BUILD_WORKING_DIRECTORY) and the workspace
// (BUILD_WORKSPACE_DIRECTORY). Relative paths the user typed are resolved
// against the former, like any command-line tool.
std::string ResolveUserPath(const std::string& path);

// The workspace root when run with `bazel run`, else the current folder.
std::string WorkspaceDir();

// `--out_dir` when given, else <workspace>/reports/data.
std::string ResolveOutDir(const std::string& out_dir_flag);

// `git rev-parse HEAD` of the workspace, with "-dirty" appended when the work
// tree has uncommitted changes to tracked files other than the experiments'
// outputs (reports/data, reports/figures, reports/hw1.md); "unknown" outside a
// git checkout.
std::string GitCommit();

// Collects what a run was, then writes <out_dir>/<name>.manifest.json.
class Manifest {
 public:
  // Records the start time, command line, every gflag defined in this project
  // (lib/, experiments/, tests/) with its value, the git commit and host facts.
  Manifest(absl::string_view experiment, int argc, char** argv);

  // Anything else worth keeping: threads, precision, data MD5s, versions.
  nlohmann::json& operator[](const std::string& key) { return json_[key]; }
  const nlohmann::json& json() const { return json_; }

  // Stamps the finish time and wall seconds, then writes atomically. When the
  // manifest has a "runs" object, entries of other runs already in the file
  // on disk are kept (several invocations, one run each, share one manifest).
  absl::Status Write(const std::string& out_dir);

  // Before a run replaces its own results in `out_dir`: FailedPrecondition,
  // naming the manifest, when the manifest there records run `run_id` with
  // another value of `key` (e.g. the data's MD5s); OK when it has no such run,
  // or no value for `key` (made before the key was recorded).
  absl::Status CheckRecordedRun(const std::string& out_dir, const std::string& run_id,
                                const std::string& key, const nlohmann::json& value) const;

 private:
  std::string experiment_;
  absl::Time start_;
  nlohmann::json json_;
};

}  // namespace hw1

#endif  // HW1_LIB_UTIL_RUN_CONTEXT_H_
