#include "lib/experiment/precision_choice.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace hw1::experiment {
namespace {

using train::Precision;

// Timings of the kind measured on the three kinds of host: per process, batch 32.
std::vector<ProbeTiming> Timings(double fp32_img_s, double bf16_img_s) {
  return {{"baseline", Precision::kFp32, fp32_img_s, 3 * fp32_img_s, 32000 / fp32_img_s},
          {"baseline", Precision::kBf16, bf16_img_s, 3 * bf16_img_s, 32000 / bf16_img_s}};
}

TEST(PrecisionChoiceTest, Bf16OnlyWhenAtLeastTenPercentFaster) {
  // AMD EPYC with AVX-512 BF16: 1.8x.
  absl::StatusOr<PrecisionChoice> epyc = ChoosePrecision(Timings(700, 1260));
  ASSERT_TRUE(epyc.ok()) << epyc.status();
  EXPECT_EQ(epyc->precision, Precision::kBf16);
  EXPECT_NEAR(epyc->bf16_speedup, 1.8, 1e-12);
  EXPECT_NEAR(epyc->step_ms, 32000.0 / 1260, 1e-9);
  // Intel Xeon with AVX-512 BF16 and no AMX: bf16 1.35x slower.
  EXPECT_EQ(ChoosePrecision(Timings(891, 660))->precision, Precision::kFp32);
  // AVX2, bf16 emulated.
  EXPECT_EQ(ChoosePrecision(Timings(365, 27))->precision, Precision::kFp32);
  // The margin: 1.09x stays fp32, 1.10x is bf16.
  EXPECT_EQ(ChoosePrecision(Timings(1000, 1090))->precision, Precision::kFp32);
  EXPECT_EQ(ChoosePrecision(Timings(1000, 1100))->precision, Precision::kBf16);
  EXPECT_EQ(ChoosePrecision(Timings(1000, 1100), 1.2)->precision, Precision::kFp32);
}

TEST(PrecisionChoiceTest, WeighsEachArmAsOneRun) {
  // bf16 doubles the baseline's speed but halves BatchNorm's: per image over
  // both arms, fp32 1/100 + 1/100, bf16 1/200 + 1/50 -> bf16 is slower.
  std::vector<ProbeTiming> timings = Timings(100, 200);
  timings.push_back({"bn", Precision::kFp32, 100, 300, 320});
  timings.push_back({"bn", Precision::kBf16, 50, 150, 640});
  absl::StatusOr<PrecisionChoice> choice = ChoosePrecision(timings);
  ASSERT_TRUE(choice.ok());
  EXPECT_EQ(choice->precision, Precision::kFp32);
  EXPECT_NEAR(choice->bf16_speedup, (0.01 + 0.01) / (0.005 + 0.02), 1e-12);
}

TEST(PrecisionChoiceTest, RefusesMissingOrNonPositiveTimings) {
  std::vector<ProbeTiming> only_fp32 = {Timings(100, 200)[0]};
  EXPECT_FALSE(ChoosePrecision(only_fp32).ok());
  EXPECT_FALSE(ChoosePrecision({}).ok());
  EXPECT_FALSE(ChoosePrecision(Timings(100, 0)).ok());
}

ProbeKey AKey() {
  ProbeKey key;
  key.cpu_model = "AMD EPYC";
  key.cpu_features = "avx2 fma";
  key.onednn_isa = "avx2";
  key.libtorch = "1.13.0";
  key.threads = 1;
  key.processes = 2;
  key.arms = {"baseline", "bn"};
  return key;
}

TEST(PrecisionChoiceTest, TheKeyNamesEverythingThatChangesTheTimings) {
  const std::string base = ProbeKeyText(AKey());
  EXPECT_EQ(base,
            "cpu=AMD EPYC; features=avx2 fma; onednn=avx2; libtorch=1.13.0; threads=1; "
            "processes=2; batch=32; arms=baseline,bn");
  std::vector<ProbeKey> changed(8, AKey());
  changed[0].cpu_model = "Intel(R) Xeon(R) Processor";
  changed[1].cpu_features = "avx2 fma avx512f avx512_bf16";
  changed[2].onednn_isa = "avx512_core_bf16";
  changed[3].libtorch = "2.15.0";
  changed[4].threads = 2;
  changed[5].processes = 1;
  changed[6].batch_size = 64;
  changed[7].arms = {"baseline"};
  for (const ProbeKey& key : changed) {
    EXPECT_NE(ProbeKeyText(key), base);
    EXPECT_NE(ProbeCachePath("/c", ProbeKeyText(key)), ProbeCachePath("/c", base));
  }
}

std::string TempDir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/" + name;
  std::filesystem::remove_all(dir);
  return dir;
}

TEST(PrecisionChoiceTest, TheCacheRoundTripsAndMissesOtherKeys) {
  const std::string dir = TempDir("probe_cache");
  ProbeRecord record;
  record.key = ProbeKeyText(AKey());
  record.timings = Timings(365, 27);
  record.measured_at = "2026-12-07T11:40:00Z";
  record.seconds = 18.5;
  absl::StatusOr<std::optional<ProbeRecord>> none = ReadCachedProbe(dir, record.key);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(WriteCachedProbe(dir, record).ok());
  absl::StatusOr<std::optional<ProbeRecord>> read = ReadCachedProbe(dir, record.key);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->key, record.key);
  EXPECT_EQ((*read)->measured_at, record.measured_at);
  ASSERT_EQ((*read)->timings.size(), 2u);
  EXPECT_EQ((*read)->timings[1].precision, Precision::kBf16);
  EXPECT_DOUBLE_EQ((*read)->timings[1].train_images_per_second, 27);
  ProbeKey other = AKey();
  other.threads = 2;
  EXPECT_FALSE(ReadCachedProbe(dir, ProbeKeyText(other))->has_value());
}

TEST(PrecisionChoiceTest, ADamagedCacheFileIsNamed) {
  const std::string dir = TempDir("probe_cache_damaged");
  std::filesystem::create_directories(dir);
  const std::string key = ProbeKeyText(AKey());
  std::ofstream(ProbeCachePath(dir, key)) << "{not json";
  absl::StatusOr<std::optional<ProbeRecord>> read = ReadCachedProbe(dir, key);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find(ProbeCachePath(dir, key)), std::string::npos);
  EXPECT_NE(read.status().message().find("delete it to probe again"), std::string::npos);
}

}  // namespace
}  // namespace hw1::experiment
