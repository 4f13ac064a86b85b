#ifndef HW1_LIB_UTIL_LIST_FLAGS_H_
#define HW1_LIB_UTIL_LIST_FLAGS_H_

// Comma-separated list flags, e.g. --seeds=0,1 or --lr_multipliers=1,5,10.
// Items may carry spaces around them. An empty item, an unreadable one or one
// out of range is an InvalidArgument error that names the flag, its text and
// the item, e.g. "--lr_multipliers=1,x: cannot read 'x'"; so is an item given
// twice ("--seeds=1,1: '1' is given twice"), which would plan one run twice.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hw1 {

// Numbers > 0.
absl::StatusOr<std::vector<double>> ParsePositiveDoubleList(absl::string_view flag,
                                                            absl::string_view text);

// Integers ≥ 0 (seeds).
absl::StatusOr<std::vector<uint64_t>> ParseUnsignedList(absl::string_view flag,
                                                        absl::string_view text);

// Integers in [min, max]; the error gives the range.
absl::StatusOr<std::vector<int64_t>> ParseIntListInRange(absl::string_view flag,
                                                         absl::string_view text, int64_t min,
                                                         int64_t max);

// Words from `allowed`; the error lists them.
absl::StatusOr<std::vector<std::string>> ParseChoiceList(absl::string_view flag,
                                                         absl::string_view text,
                                                         const std::vector<std::string>& allowed);

}  // namespace hw1

#endif  // HW1_LIB_UTIL_LIST_FLAGS_H_
