#ifndef HW1_LIB_UTIL_FILE_UTIL_H_
#define HW1_LIB_UTIL_FILE_UTIL_H_

// Whole-file I/O that never leaves a half-written file behind, and the MD5
// digests experiments record for their inputs.

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

// Reads a whole file. NotFound names the path when it is missing.
absl::StatusOr<std::string> ReadFile(const std::string& path);

// Lowercase hex MD5 of a file's bytes (OpenSSL's EVP interface, streamed).
absl::StatusOr<std::string> Md5OfFile(const std::string& path);

// Lowercase hex MD5 of a byte string.
std::string Md5OfBytes(absl::string_view bytes);

}  // namespace hw1

#endif  // HW1_LIB_UTIL_FILE_UTIL_H_
