#include "lib/data/cifar10.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/util/file_util.h"

namespace hw1::data {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string FixtureDir() { return "tests/data/cifar10_fixture"; }

std::string TempDir(const std::string& name) {
  const fs::path dir = fs::path(std::getenv("TEST_TMPDIR")) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

// A copy of the fixture that a test may damage.
std::string CopyOfFixture(const std::string& name) {
  const std::string dir = TempDir(name);
  for (const auto& entry : fs::directory_iterator(FixtureDir())) {
    fs::copy_file(entry.path(), fs::path(dir) / entry.path().filename());
  }
  return dir;
}

// The fixture holds 40 records per training file and 100 test records.
LoadOptions SubsetOk() {
  LoadOptions options;
  options.require_official_sizes = false;
  return options;
}

TEST(Cifar10Test, LoadsTheFixture) {
  absl::StatusOr<Cifar10> data = LoadCifar10(FixtureDir(), SubsetOk());
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->train.size(), 200);
  EXPECT_EQ(data->test.size(), 100);
  EXPECT_EQ(data->train.pixels.size(), 200u * kImageBytes);
  EXPECT_EQ(data->class_names.front(), "airplane");
  EXPECT_EQ(data->class_names.back(), "truck");
  EXPECT_EQ(data->file_md5.size(), 7u);
  for (int64_t label : data->train.labels) {
    EXPECT_GE(label, 0);
    EXPECT_LT(label, 10);
  }
  // Record 0 of data_batch_1: label byte, then the red plane first.
  std::ifstream raw(FixtureDir() + "/data_batch_1.bin", std::ios::binary);
  std::string record(kRecordBytes, '\0');
  raw.read(record.data(), kRecordBytes);
  EXPECT_EQ(data->train.labels[0], static_cast<uint8_t>(record[0]));
  EXPECT_EQ(data->train.pixels[0], static_cast<uint8_t>(record[1]));
  EXPECT_EQ(data->train.pixels[kImageBytes - 1], static_cast<uint8_t>(record[kImageBytes]));
  // Records of data_batch_2 follow those of data_batch_1.
  std::ifstream raw2(FixtureDir() + "/data_batch_2.bin", std::ios::binary);
  raw2.read(record.data(), kRecordBytes);
  EXPECT_EQ(data->train.labels[40], static_cast<uint8_t>(record[0]));
}

TEST(Cifar10Test, LimitsKeepTheFirstImages) {
  LoadOptions options = SubsetOk();
  options.train_limit = 50;
  options.test_limit = 10;
  absl::StatusOr<Cifar10> data = LoadCifar10(FixtureDir(), options);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->train.size(), 50);
  EXPECT_EQ(data->test.size(), 10);
  EXPECT_EQ(data->test.pixels.size(), 10u * kImageBytes);
}

// A file cut short by whole records reads cleanly; only its count gives it away.
TEST(Cifar10Test, FilesShortOfTheOfficialCountAreRefusedUnlessAsked) {
  const std::string dir = CopyOfFixture("short");
  fs::resize_file(fs::path(dir) / "data_batch_4.bin", 3073 * 30);
  absl::StatusOr<Cifar10> refused = LoadCifar10(dir);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(
      std::string(refused.status().message()),
      HasSubstr("data_batch_1.bin: 40 records, the official CIFAR-10 files hold 10000 each"));
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("--partial_data"));
  absl::StatusOr<Cifar10> subset = LoadCifar10(dir, SubsetOk());
  ASSERT_TRUE(subset.ok()) << subset.status();
  EXPECT_EQ(subset->train.size(), 4 * 40 + 30);
}

TEST(Cifar10Test, MissingFileIsNamed) {
  const std::string dir = CopyOfFixture("missing");
  fs::remove(fs::path(dir) / "data_batch_3.bin");
  absl::StatusOr<Cifar10> data = LoadCifar10(dir, SubsetOk());
  ASSERT_FALSE(data.ok());
  EXPECT_THAT(std::string(data.status().message()), HasSubstr("data_batch_3.bin"));
  EXPECT_THAT(std::string(data.status().message()), HasSubstr("missing"));
}

TEST(Cifar10Test, TruncatedFileIsNamed) {
  const std::string dir = CopyOfFixture("truncated");
  fs::resize_file(fs::path(dir) / "test_batch.bin", 3073 * 2 + 100);
  absl::StatusOr<Cifar10> data = LoadCifar10(dir, SubsetOk());
  ASSERT_FALSE(data.ok());
  EXPECT_THAT(std::string(data.status().message()), HasSubstr("test_batch.bin"));
  EXPECT_THAT(std::string(data.status().message()),
              HasSubstr("not a multiple of the 3073-byte record"));
}

TEST(Cifar10Test, BadLabelIsNamed) {
  const std::string dir = CopyOfFixture("bad_label");
  {
    std::fstream file(fs::path(dir) / "data_batch_2.bin",
                      std::ios::binary | std::ios::in | std::ios::out);
    file.seekp(3073 * 5);
    file.put(static_cast<char>(11));
  }
  absl::StatusOr<Cifar10> data = LoadCifar10(dir, SubsetOk());
  ASSERT_FALSE(data.ok());
  EXPECT_THAT(std::string(data.status().message()),
              HasSubstr("data_batch_2.bin: record 5 has label 11"));
}

TEST(Cifar10Test, EmptyFolderAndEmptyFile) {
  absl::StatusOr<Cifar10> empty = LoadCifar10(TempDir("empty"), SubsetOk());
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(std::string(empty.status().message()), HasSubstr("empty"));

  const std::string dir = CopyOfFixture("empty_file");
  fs::resize_file(fs::path(dir) / "data_batch_1.bin", 0);
  absl::StatusOr<Cifar10> data = LoadCifar10(dir, SubsetOk());
  ASSERT_FALSE(data.ok());
  EXPECT_THAT(std::string(data.status().message()), HasSubstr("data_batch_1.bin: empty file"));
}

TEST(Cifar10Test, LocateFollowsFlagThenEnvironmentThenCache) {
  EXPECT_EQ(*LocateCifar10(FixtureDir()), FixtureDir());
  setenv("CIFAR10_DIR", FixtureDir().c_str(), 1);
  EXPECT_EQ(*LocateCifar10(""), FixtureDir());
  unsetenv("CIFAR10_DIR");
  setenv("HOME", TempDir("home").c_str(), 1);
  absl::StatusOr<std::string> none = LocateCifar10("");
  ASSERT_FALSE(none.ok());
  EXPECT_THAT(std::string(none.status().message()), HasSubstr(DefaultCacheDir()));
  EXPECT_THAT(std::string(none.status().message()), HasSubstr("--data_dir"));
}

}  // namespace
}  // namespace hw1::data
