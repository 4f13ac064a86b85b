#ifndef HW1_LIB_DATA_CIFAR10_H_
#define HW1_LIB_DATA_CIFAR10_H_

// CIFAR-10 in the official binary layout: a folder with data_batch_1.bin …
// data_batch_5.bin (training), test_batch.bin and batches.meta.txt. Each
// record is 3,073 bytes: a label byte (0–9), then 1,024 red, 1,024 green and
// 1,024 blue bytes of a 32×32 image, row by row.
//
// Kept free of LibTorch: the trainer wraps the bytes in a tensor without a copy.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace hw1::data {

inline constexpr int kImageSide = 32;
inline constexpr int kChannels = 3;
inline constexpr int kImageBytes = kChannels * kImageSide * kImageSide;  // 3,072
inline constexpr int kRecordBytes = 1 + kImageBytes;                     // 3,073
inline constexpr int kNumClasses = 10;
inline constexpr int64_t kRecordsPerFile = 10000;  // every official batch file

// Images stored N × 3 × 32 × 32 (channel-major per image), labels 0–9.
struct ImageSet {
  std::vector<uint8_t> pixels;
  std::vector<int64_t> labels;
  int64_t size() const { return static_cast<int64_t>(labels.size()); }
};

struct Cifar10 {
  std::string dir;
  ImageSet train, test;
  std::vector<std::string> class_names;
  std::map<std::string, std::string> file_md5;  // file name -> MD5 of its bytes
};

// The training files in order, then the test file.
const std::vector<std::string>& TrainingFiles();
inline constexpr char kTestFile[] = "test_batch.bin";
inline constexpr char kMetaFile[] = "batches.meta.txt";

// Reads one batch file, appending to `out`. Errors name the file and the
// problem: missing, empty, size not a multiple of 3,073, label outside 0–9.
absl::Status ReadBatchFile(const std::string& path, ImageSet* out);

struct LoadOptions {
  int64_t train_limit = -1;  // keep the first N training images (-1: all)
  int64_t test_limit = -1;   // keep the first N test images (-1: all)
  // Each batch file must hold exactly kRecordsPerFile records: a file cut
  // short by whole records is otherwise indistinguishable from a good one.
  // False accepts any whole number (a subset copy, the tests' fixture).
  bool require_official_sizes = true;
  bool compute_md5 = true;  // record each file's MD5 (for manifests)
};

// Loads the whole data set from `dir`.
absl::StatusOr<Cifar10> LoadCifar10(const std::string& dir, const LoadOptions& options = {});

// One short name for the data a run read: the first 12 hex digits of the MD5
// of "<file> <md5>\n" lines in file-name order (what `file_md5` holds). Runs
// on different files get different digests; tools/migrate computes the same.
std::string DataDigest(const std::map<std::string, std::string>& file_md5);

// Where the data set is: `flag_dir` if given, else $CIFAR10_DIR, else
// ~/.cache/hw1-repro/cifar10/cifar-10-batches-bin. NotFound, with what to do,
// when that folder lacks the files.
absl::StatusOr<std::string> LocateCifar10(const std::string& flag_dir);

// The default cache folder (the third choice above).
std::string DefaultCacheDir();

}  // namespace hw1::data

#endif  // HW1_LIB_DATA_CIFAR10_H_
