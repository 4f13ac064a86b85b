#ifndef HW1_LIB_DATA_CIFAR10_DOWNLOAD_H_
#define HW1_LIB_DATA_CIFAR10_DOWNLOAD_H_

// Fetching the official CIFAR-10 binary archive when it is not on disk:
// libcurl downloads it (with a progress bar on a terminal), OpenSSL checks its
// MD5, libarchive unpacks it. Everything happens in a temporary folder beside
// the target, renamed into place only when complete and valid, so an
// interrupted or failed download never leaves a half-filled data folder.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace hw1::data {

inline constexpr char kCifar10Url[] = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";
inline constexpr char kCifar10Md5[] = "c32a1d4ab5d03f1284b67883e8d87530";

struct DownloadOptions {
  std::string url = kCifar10Url;
  std::string md5 = kCifar10Md5;
  bool progress = true;  // a progress bar on stderr when it is a terminal
  long timeout_seconds = 3600;
};

// Downloads and unpacks into `target_dir` (the cifar-10-batches-bin folder,
// which must not exist yet). Errors name the URL, the HTTP status, the
// checksum mismatch or the archive problem.
absl::Status DownloadCifar10(const std::string& target_dir, const DownloadOptions& options = {});

// LocateCifar10(flag_dir), and when that fails for the default cache folder
// (no --data_dir, no $CIFAR10_DIR) and `allow_download`, downloads into it.
// Never downloads under `bazel test` (TEST_TMPDIR set). When the download is
// impossible (offline) the error says where to put the files.
absl::StatusOr<std::string> LocateOrDownloadCifar10(const std::string& flag_dir,
                                                    bool allow_download);

}  // namespace hw1::data

#endif  // HW1_LIB_DATA_CIFAR10_DOWNLOAD_H_
