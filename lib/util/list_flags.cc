#include "lib/util/list_flags.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace hw1 {
namespace {

// `parse` reads one item; it returns false, or a non-empty reason, to refuse it.
template <typename T, typename Parse>
absl::StatusOr<std::vector<T>> ParseList(absl::string_view flag, absl::string_view text,
                                         Parse parse) {
  std::vector<T> values;
  for (absl::string_view item : absl::StrSplit(text, ',')) {
    item = absl::StripAsciiWhitespace(item);
    T value;
    std::string why;
    if (item.empty() || !parse(item, &value, &why)) {
      return absl::InvalidArgumentError(absl::StrCat("--", flag, "=", text, ": cannot read '", item,
                                                     "'", why.empty() ? "" : ": ", why));
    }
    // A repeat would plan the same run twice, and two workers would train it
    // into one checkpoint at once.
    if (std::find(values.begin(), values.end(), value) != values.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", flag, "=", text, ": '", item, "' is given twice; list each once"));
    }
    values.push_back(value);
  }
  return values;
}

}  // namespace

absl::StatusOr<std::vector<double>> ParsePositiveDoubleList(absl::string_view flag,
                                                            absl::string_view text) {
  return ParseList<double>(flag, text, [](absl::string_view s, double* v, std::string* why) {
    if (!absl::SimpleAtod(s, v)) return false;
    if (*v > 0) return true;
    *why = "must be > 0";
    return false;
  });
}

absl::StatusOr<std::vector<uint64_t>> ParseUnsignedList(absl::string_view flag,
                                                        absl::string_view text) {
  return ParseList<uint64_t>(flag, text, [](absl::string_view s, uint64_t* v, std::string*) {
    return absl::SimpleAtoi(s, v);
  });
}

absl::StatusOr<std::vector<int64_t>> ParseIntListInRange(absl::string_view flag,
                                                         absl::string_view text, int64_t min,
                                                         int64_t max) {
  return ParseList<int64_t>(flag, text,
                            [min, max](absl::string_view s, int64_t* v, std::string* why) {
                              if (!absl::SimpleAtoi(s, v)) return false;
                              if (*v >= min && *v <= max) return true;
                              *why = absl::StrCat("must be ", min, "-", max);
                              return false;
                            });
}

absl::StatusOr<std::vector<std::string>> ParseChoiceList(absl::string_view flag,
                                                         absl::string_view text,
                                                         const std::vector<std::string>& allowed) {
  return ParseList<std::string>(
      flag, text, [&allowed](absl::string_view s, std::string* v, std::string* why) {
        *v = std::string(s);
        if (std::find(allowed.begin(), allowed.end(), *v) != allowed.end()) return true;
        *why = absl::StrCat("must be one of ", absl::StrJoin(allowed, ", "));
        return false;
      });
}

}  // namespace hw1
