#include "lib/data/cifar10.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "lib/util/file_util.h"

namespace hw1::data {
namespace fs = std::filesystem;

const std::vector<std::string>& TrainingFiles() {
  static const auto* files =
      new std::vector<std::string>{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                                   "data_batch_4.bin", "data_batch_5.bin"};
  return *files;
}

absl::Status ReadBatchFile(const std::string& path, ImageSet* out) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return absl::NotFoundError(absl::StrCat(path, ": missing CIFAR-10 batch file"));
  }
  const uintmax_t bytes = fs::file_size(path, ec);
  if (ec) return absl::DataLossError(absl::StrCat(path, ": cannot stat: ", ec.message()));
  if (bytes == 0)
    return absl::DataLossError(absl::StrCat(path, ": empty file, expected records of 3073 bytes"));
  if (bytes % kRecordBytes != 0) {
    return absl::DataLossError(
        absl::StrCat(path, ": size ", bytes, " bytes is not a multiple of the 3073-byte record"));
  }
  const int64_t records = static_cast<int64_t>(bytes / kRecordBytes);
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> buffer(bytes);
  if (!in.read(reinterpret_cast<char*>(buffer.data()), static_cast<std::streamsize>(bytes))) {
    return absl::DataLossError(absl::StrCat(path, ": short read"));
  }
  const size_t first_pixel = out->pixels.size();
  out->pixels.resize(first_pixel + static_cast<size_t>(records) * kImageBytes);
  out->labels.reserve(out->labels.size() + static_cast<size_t>(records));
  for (int64_t r = 0; r < records; ++r) {
    const uint8_t* record = buffer.data() + r * kRecordBytes;
    if (record[0] >= kNumClasses) {
      return absl::DataLossError(absl::StrCat(path, ": record ", r, " has label ",
                                              static_cast<int>(record[0]), ", outside 0-9"));
    }
    out->labels.push_back(record[0]);
    std::copy(record + 1, record + kRecordBytes,
              out->pixels.begin() + static_cast<std::ptrdiff_t>(first_pixel + r * kImageBytes));
  }
  return absl::OkStatus();
}

namespace {

void Truncate(ImageSet* set, int64_t limit) {
  if (limit < 0 || limit >= set->size()) return;
  set->labels.resize(static_cast<size_t>(limit));
  set->pixels.resize(static_cast<size_t>(limit) * kImageBytes);
}

}  // namespace

absl::StatusOr<Cifar10> LoadCifar10(const std::string& dir, const LoadOptions& options) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return absl::NotFoundError(absl::StrCat(dir, ": CIFAR-10 folder does not exist"));
  }
  if (fs::is_empty(dir, ec)) {
    return absl::NotFoundError(
        absl::StrCat(dir, ": CIFAR-10 folder is empty; expected ",
                     "data_batch_1..5.bin, test_batch.bin, batches.meta.txt"));
  }
  Cifar10 data;
  data.dir = dir;
  std::vector<std::string> files = TrainingFiles();
  files.push_back(kTestFile);
  for (const std::string& name : files) {
    const std::string path = (fs::path(dir) / name).string();
    ImageSet* target = name == kTestFile ? &data.test : &data.train;
    const int64_t before = target->size();
    if (absl::Status status = ReadBatchFile(path, target); !status.ok()) return status;
    if (options.require_official_sizes && target->size() - before != kRecordsPerFile) {
      return absl::DataLossError(absl::StrCat(path, ": ", target->size() - before,
                                              " records, the official CIFAR-10 files hold ",
                                              kRecordsPerFile,
                                              " each (a truncated copy?); restore it, or pass "
                                              "--partial_data to train on a subset copy"));
    }
    if (options.compute_md5) {
      absl::StatusOr<std::string> md5 = Md5OfFile(path);
      if (!md5.ok()) return md5.status();
      data.file_md5[name] = *md5;
    }
  }
  const std::string meta_path = (fs::path(dir) / kMetaFile).string();
  absl::StatusOr<std::string> meta = ReadFile(meta_path);
  if (!meta.ok()) return absl::NotFoundError(absl::StrCat(meta_path, ": missing class-name file"));
  for (absl::string_view line : absl::StrSplit(*meta, '\n', absl::SkipWhitespace())) {
    data.class_names.emplace_back(absl::StripAsciiWhitespace(line));
  }
  if (data.class_names.size() != kNumClasses) {
    return absl::DataLossError(
        absl::StrCat(meta_path, ": ", data.class_names.size(), " class names, expected 10"));
  }
  if (options.compute_md5) {
    absl::StatusOr<std::string> md5 = Md5OfFile(meta_path);
    if (md5.ok()) data.file_md5[kMetaFile] = *md5;
  }
  Truncate(&data.train, options.train_limit);
  Truncate(&data.test, options.test_limit);
  return data;
}

std::string DataDigest(const std::map<std::string, std::string>& file_md5) {
  std::string lines;
  for (const auto& [name, md5] : file_md5) absl::StrAppend(&lines, name, " ", md5, "\n");
  return Md5OfBytes(lines).substr(0, 12);
}

std::string DefaultCacheDir() {
  const char* home = std::getenv("HOME");
  return (fs::path(home != nullptr ? home : ".") / ".cache" / "hw1-repro" / "cifar10" /
          "cifar-10-batches-bin")
      .string();
}

absl::StatusOr<std::string> LocateCifar10(const std::string& flag_dir) {
  std::string dir, source;
  if (!flag_dir.empty()) {
    dir = flag_dir;
    source = "--data_dir";
  } else if (const char* env = std::getenv("CIFAR10_DIR"); env != nullptr && *env != '\0') {
    dir = env;
    source = "$CIFAR10_DIR";
  } else {
    dir = DefaultCacheDir();
    source = "the default cache folder";
  }
  std::error_code ec;
  if (fs::is_regular_file(fs::path(dir) / kTestFile, ec)) return dir;
  return absl::NotFoundError(absl::StrCat(
      "CIFAR-10 not found in ", dir, " (", source, "). Put the official binary files ",
      "(data_batch_1..5.bin, test_batch.bin, batches.meta.txt from cifar-10-binary.tar.gz) ",
      "there, or pass --data_dir=<folder> or set CIFAR10_DIR."));
}

}  // namespace hw1::data
