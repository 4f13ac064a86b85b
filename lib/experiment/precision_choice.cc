#include "lib/experiment/precision_choice.h"

#include <cstdlib>
#include <filesystem>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "lib/util/file_util.h"
#include "nlohmann/json.hpp"

namespace hw1::experiment {

absl::StatusOr<PrecisionChoice> ChoosePrecision(const std::vector<ProbeTiming>& timings,
                                                double margin) {
  // Seconds per image of each precision, summed over the arms: each arm
  // weighs as one run, as in a grid with as many runs of each.
  std::map<std::string, std::map<train::Precision, const ProbeTiming*>> by_arm;
  for (const ProbeTiming& t : timings) {
    if (!(t.train_images_per_second > 0) || !(t.step_ms > 0)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "probe timing of ", t.arm, " ", train::PrecisionName(t.precision), " is not positive"));
    }
    by_arm[t.arm][t.precision] = &t;
  }
  if (by_arm.empty()) return absl::InvalidArgumentError("the precision probe timed nothing");
  double fp32_seconds = 0, bf16_seconds = 0, fp32_step = 0, bf16_step = 0;
  for (const auto& [arm, precisions] : by_arm) {
    auto fp32 = precisions.find(train::Precision::kFp32);
    auto bf16 = precisions.find(train::Precision::kBf16);
    if (fp32 == precisions.end() || bf16 == precisions.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("the precision probe lacks fp32 or bf16 for ", arm));
    }
    fp32_seconds += 1.0 / fp32->second->train_images_per_second;
    bf16_seconds += 1.0 / bf16->second->train_images_per_second;
    fp32_step += fp32->second->step_ms;
    bf16_step += bf16->second->step_ms;
  }
  PrecisionChoice choice;
  choice.bf16_speedup = fp32_seconds / bf16_seconds;
  const bool bf16 = choice.bf16_speedup >= margin;
  choice.precision = bf16 ? train::Precision::kBf16 : train::Precision::kFp32;
  choice.step_ms = (bf16 ? bf16_step : fp32_step) / static_cast<double>(by_arm.size());
  return choice;
}

std::string ProbeKeyText(const ProbeKey& key) {
  return absl::StrCat("cpu=", key.cpu_model, "; features=", key.cpu_features,
                      "; onednn=", key.onednn_isa, "; libtorch=", key.libtorch,
                      "; threads=", key.threads, "; processes=", key.processes,
                      "; batch=", key.batch_size, "; arms=", absl::StrJoin(key.arms, ","));
}

std::string ProbeRecordJson(const ProbeRecord& record) {
  nlohmann::json j;
  j["key"] = record.key;
  j["measured_at"] = record.measured_at;
  j["seconds"] = record.seconds;
  j["openmp_wait"] = record.openmp_wait;
  j["timings"] = nlohmann::json::array();
  for (const ProbeTiming& t : record.timings) {
    j["timings"].push_back({{"arm", t.arm},
                            {"precision", train::PrecisionName(t.precision)},
                            {"train_images_per_second", t.train_images_per_second},
                            {"eval_images_per_second", t.eval_images_per_second},
                            {"step_ms", t.step_ms}});
  }
  return j.dump(2) + "\n";
}

absl::StatusOr<ProbeRecord> ParseProbeRecord(const std::string& json, const std::string& source) {
  const nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  auto damaged = [&source](const std::string& why) {
    return absl::DataLossError(absl::StrCat(source, ": not a precision probe record (", why,
                                            "); delete it to probe again"));
  };
  if (j.is_discarded() || !j.is_object()) return damaged("not JSON");
  ProbeRecord record;
  try {
    record.key = j.at("key").get<std::string>();
    record.measured_at = j.at("measured_at").get<std::string>();
    record.seconds = j.at("seconds").get<double>();
    record.openmp_wait = j.value("openmp_wait", "");
    for (const nlohmann::json& t : j.at("timings")) {
      ProbeTiming timing;
      timing.arm = t.at("arm").get<std::string>();
      absl::StatusOr<train::Precision> p =
          train::ParsePrecision(t.at("precision").get<std::string>());
      if (!p.ok() || *p == train::Precision::kAuto) return damaged("a timing's precision");
      timing.precision = *p;
      timing.train_images_per_second = t.at("train_images_per_second").get<double>();
      timing.eval_images_per_second = t.at("eval_images_per_second").get<double>();
      timing.step_ms = t.at("step_ms").get<double>();
      record.timings.push_back(timing);
    }
  } catch (const nlohmann::json::exception& e) {
    return damaged(e.what());
  }
  return record;
}

std::string DefaultProbeCacheDir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  const std::string base = xdg != nullptr && *xdg != '\0'     ? std::string(xdg)
                           : home != nullptr && *home != '\0' ? absl::StrCat(home, "/.cache")
                                                              : std::string("/tmp");
  return absl::StrCat(base, "/hw1-repro/precision_probe");
}

std::string ProbeCachePath(const std::string& dir, const std::string& key) {
  return absl::StrCat(dir, "/", Md5OfBytes(key), ".json");
}

absl::StatusOr<std::optional<ProbeRecord>> ReadCachedProbe(const std::string& dir,
                                                           const std::string& key) {
  const std::string path = ProbeCachePath(dir, key);
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return std::optional<ProbeRecord>();
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  absl::StatusOr<ProbeRecord> record = ParseProbeRecord(*text, path);
  if (!record.ok()) return record.status();
  if (record->key != key) {
    return absl::DataLossError(absl::StrCat(path, ": cached for another host or setting (",
                                            record->key, "); delete it to probe again"));
  }
  return std::optional<ProbeRecord>(*record);
}

absl::Status WriteCachedProbe(const std::string& dir, const ProbeRecord& record) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot create the probe cache ", dir, ": ", error.message()));
  }
  return WriteFileAtomically(ProbeCachePath(dir, record.key), ProbeRecordJson(record));
}

std::vector<std::string> DescribeTimings(const std::vector<ProbeTiming>& timings) {
  std::vector<std::string> lines;
  for (const ProbeTiming& t : timings) {
    lines.push_back(absl::StrFormat("%s %s %.0f img/s (%.1f ms a step), eval %.0f img/s", t.arm,
                                    train::PrecisionName(t.precision), t.train_images_per_second,
                                    t.step_ms, t.eval_images_per_second));
  }
  return lines;
}

}  // namespace hw1::experiment
