#include "lib/util/run_context.h"

#include <gflags/gflags.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "lib/util/cpu_features.h"
#include "lib/util/file_util.h"
#include "lib/util/openblas.h"
#include "lib/util/process_env.h"

namespace hw1 {
namespace {

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return (value != nullptr && *value != '\0') ? std::string(value) : fallback;
}

// Runs a command and returns its standard output, or nullopt on failure.
bool RunCommand(const std::string& command, std::string* output) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return false;
  std::array<char, 256> buffer;
  output->clear();
  while (fgets(buffer.data(), buffer.size(), pipe.get()) != nullptr) output->append(buffer.data());
  return pclose(pipe.release()) == 0;
}

}  // namespace

std::string ResolveUserPath(const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty() || fs::path(path).is_absolute()) return path;
  const std::string base = EnvOr("BUILD_WORKING_DIRECTORY", "");
  return base.empty() ? path : (fs::path(base) / path).lexically_normal().string();
}

std::string WorkspaceDir() {
  return EnvOr("BUILD_WORKSPACE_DIRECTORY", std::filesystem::current_path().string());
}

std::string ResolveOutDir(const std::string& out_dir_flag) {
  if (!out_dir_flag.empty()) return ResolveUserPath(out_dir_flag);
  return (std::filesystem::path(WorkspaceDir()) / "reports" / "data").string();
}

std::string GitCommit() {
  const std::string dir = WorkspaceDir();
  std::string head, status;
  if (!RunCommand(absl::StrCat("git -C '", dir, "' rev-parse HEAD 2>/dev/null"), &head)) {
    return "unknown";
  }
  std::string commit(absl::StripAsciiWhitespace(head));
  // What the experiments write (reports/data, and the figures and report made
  // from it) does not make the code dirty: a run that follows another would
  // otherwise always be marked so.
  if (RunCommand(absl::StrCat("git -C '", dir, "' status --porcelain --untracked-files=no -- . ",
                              "':(exclude)reports/data' ':(exclude)reports/figures' ",
                              "':(exclude)reports/hw1.md' 2>/dev/null"),
                 &status) &&
      !absl::StripAsciiWhitespace(status).empty()) {
    commit += "-dirty";
  }
  return commit;
}

Manifest::Manifest(absl::string_view experiment, int argc, char** argv)
    : experiment_(experiment), start_(absl::Now()) {
  json_["experiment"] = experiment_;
  json_["started_at"] = absl::FormatTime(absl::RFC3339_sec, start_, absl::UTCTimeZone());
  // gflags removes the flags it parsed from argv; it keeps the original.
  std::vector<std::string> command_line = gflags::GetArgvs();
  if (command_line.empty()) command_line.assign(argv, argv + argc);
  json_["command_line"] = command_line;
  nlohmann::json flags = nlohmann::json::object();
  std::vector<gflags::CommandLineFlagInfo> all_flags;
  gflags::GetAllFlags(&all_flags);
  for (const auto& flag : all_flags) {
    // Only this project's flags; LibTorch's c10 registers its own in the same registry.
    if (absl::StartsWith(flag.filename, "experiments/") ||
        absl::StartsWith(flag.filename, "lib/") || absl::StartsWith(flag.filename, "tests/")) {
      flags[flag.name] = flag.current_value;
    }
  }
  json_["flags"] = flags;
  json_["git_commit"] = GitCommit();
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  // Which kind of host made a number: its vector features decide the kernels
  // (and with --precision=auto, the precision) and so the last bits of results.
  const CpuFeatures cpu = DetectCpuFeatures();
  nlohmann::json features = nlohmann::json::object();
  for (const auto& [name, present] : ListCpuFeatures(cpu)) features[name] = present;
  json_["host"] = {{"hostname", host},
                   {"cpu", CpuModelName()},
                   {"kind", HostKind(cpu)},
                   {"cpu_features", features},
                   {"hardware_threads", std::thread::hardware_concurrency()}};
  json_["onednn_isa"] = OneDnnIsa();
  json_["openmp_wait"] = OpenMpWaitSetting();
  // fp32 matrix products depend on OpenBLAS's kernels at the last bit.
  const std::string blas = OpenBlasCore();
  json_["openblas_core"] = blas.empty() ? "not loaded" : blas;
}

absl::Status Manifest::CheckRecordedRun(const std::string& out_dir, const std::string& run_id,
                                        const std::string& key, const nlohmann::json& value) const {
  const std::string path =
      (std::filesystem::path(out_dir) / (experiment_ + ".manifest.json")).string();
  if (!std::filesystem::exists(path)) return absl::OkStatus();
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  const nlohmann::json old = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (old.is_discarded() || !old.is_object()) {
    return absl::DataLossError(
        absl::StrCat(path, ": not a JSON object; restore it from git or move it away"));
  }
  if (!old.contains("runs") || !old["runs"].is_object() || !old["runs"].contains(run_id))
    return absl::OkStatus();
  const nlohmann::json& run = old["runs"][run_id];
  if (!run.is_object() || !run.contains(key) || run[key] == value) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      path, ": run ", run_id, " was made with another ", key, " (", run[key].dump(), ", now ",
      value.dump(),
      "); its results would be replaced by a different experiment's. Use another --out_dir"));
}

absl::Status Manifest::Write(const std::string& out_dir) {
  const absl::Time end = absl::Now();
  json_["finished_at"] = absl::FormatTime(absl::RFC3339_sec, end, absl::UTCTimeZone());
  json_["wall_seconds"] = absl::ToDoubleSeconds(end - start_);
  const std::string path =
      (std::filesystem::path(out_dir) / absl::StrCat(experiment_, ".manifest.json")).string();
  // Runs recorded by earlier invocations into the same folder are kept; under
  // the folder's lock, so that two invocations finishing at once keep both.
  return WithFolderLock(out_dir, [&]() -> absl::Status {
    if (json_.contains("runs")) {
      absl::StatusOr<std::string> previous = ReadFile(path);
      if (previous.ok()) {
        nlohmann::json old = nlohmann::json::parse(*previous, nullptr, /*allow_exceptions=*/false);
        if (old.is_object() && old.contains("runs") && old["runs"].is_object()) {
          for (auto& [run_id, run] : old["runs"].items()) {
            if (!json_["runs"].contains(run_id)) json_["runs"][run_id] = run;
          }
        }
      }
    }
    return WriteFileAtomically(path, json_.dump(2) + "\n");
  });
}

}  // namespace hw1
