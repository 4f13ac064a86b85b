#ifndef HW1_LIB_UTIL_CSV_H_
#define HW1_LIB_UTIL_CSV_H_

// A small CSV table: what every experiment writes and every resume reads.
// Fields are quoted (RFC 4180) only when they hold a comma, quote or newline.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hw1 {

class CsvTable {
 public:
  explicit CsvTable(std::vector<std::string> header);

  const std::vector<std::string>& header() const { return header_; }
  const std::vector<std::vector<std::string>>& rows() const { return rows_; }
  size_t num_rows() const { return rows_.size(); }

  // Appends a row; it must have one field per header column.
  void AddRow(std::vector<std::string> row);

  // Index of `column` in the header, or -1.
  int ColumnIndex(absl::string_view column) const;
  // The field of `column` in row `row`; the column must exist.
  const std::string& Get(size_t row, absl::string_view column) const;

  std::string ToString() const;
  // Writes atomically (lib/util/file_util.h).
  absl::Status Write(const std::string& path) const;

  // Parses CSV text; `source` names it in errors (a file path).
  static absl::StatusOr<CsvTable> Parse(absl::string_view text, absl::string_view source);
  static absl::StatusOr<CsvTable> Read(const std::string& path);

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// Number formatting shared by all CSVs: shortest text that reads back to the
// same double ("%.17g" trimmed), "nan"/"inf" for non-finite values.
std::string FormatDouble(double value);
std::string FormatBool(bool value);  // "true" / "false"

}  // namespace hw1

#endif  // HW1_LIB_UTIL_CSV_H_
