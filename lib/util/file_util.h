#ifndef HW1_LIB_UTIL_FILE_UTIL_H_
#define HW1_LIB_UTIL_FILE_UTIL_H_

// Whole-file I/O that never leaves a half-written file behind, and the MD5
// digests experiments record for their inputs.

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hw1 {

// Writes `contents` to `path` atomically: to a temporary file in the same
// folder, flushed to disk, then renamed over `path`. Readers see the old file
// or the new one, never a mix. Creates missing parent folders.
absl::Status WriteFileAtomically(const std::string& path, absl::string_view contents);

// Removes what a killed WriteFileAtomically(path, ...) left behind: files
// named `path`.tmp.<pid> whose process no longer runs. Returns how many.
int RemoveStaleTemporaries(const std::string& path);

// Runs `update` while this process holds an exclusive flock on the folder
// `dir` (created if missing), waiting for any other holder: processes that
// read, change and rewrite a file there (two q3_train_cnn runs merging their
// rows into one q3_history.csv) then take turns instead of each writing back
// a copy without the other's rows. Locks the folder itself, so no lock file
// is left behind. Returns what `update` returns, or an error naming `dir`.
absl::Status WithFolderLock(const std::string& dir, const std::function<absl::Status()>& update);

// Reads a whole file. NotFound names the path when it is missing.
absl::StatusOr<std::string> ReadFile(const std::string& path);

// Lowercase hex MD5 of a file's bytes (OpenSSL's EVP interface, streamed).
absl::StatusOr<std::string> Md5OfFile(const std::string& path);

// Lowercase hex MD5 of a byte string.
std::string Md5OfBytes(absl::string_view bytes);

}  // namespace hw1

#endif  // HW1_LIB_UTIL_FILE_UTIL_H_
