#include "lib/util/csv.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/util/file_util.h"

namespace hw1 {
namespace {

std::string Quote(const std::string& field) {
  if (field.find_first_of(",\"\n\r") == std::string::npos) return field;
  std::string quoted = "\"";
  for (char c : field) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

}  // namespace

CsvTable::CsvTable(std::vector<std::string> header) : header_(std::move(header)) {}

void CsvTable::AddRow(std::vector<std::string> row) {
  if (row.size() != header_.size()) {
    std::fprintf(stderr, "CsvTable::AddRow: %zu fields for %zu columns\n", row.size(),
                 header_.size());
    std::abort();
  }
  rows_.push_back(std::move(row));
}

int CsvTable::ColumnIndex(absl::string_view column) const {
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == column) return static_cast<int>(i);
  }
  return -1;
}

const std::string& CsvTable::Get(size_t row, absl::string_view column) const {
  const int index = ColumnIndex(column);
  if (index < 0) {
    std::fprintf(stderr, "CsvTable::Get: no column %s\n", std::string(column).c_str());
    std::abort();
  }
  return rows_.at(row)[static_cast<size_t>(index)];
}

std::string CsvTable::ToString() const {
  auto quoted_join = [](const std::vector<std::string>& fields) {
    return absl::StrJoin(fields, ",",
                         [](std::string* out, const std::string& f) { out->append(Quote(f)); });
  };
  std::string text = quoted_join(header_) + "\n";
  for (const auto& row : rows_) absl::StrAppend(&text, quoted_join(row), "\n");
  return text;
}

absl::Status CsvTable::Write(const std::string& path) const {
  return WriteFileAtomically(path, ToString());
}

absl::StatusOr<CsvTable> CsvTable::Parse(absl::string_view text, absl::string_view source) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool in_quotes = false;
  bool field_started = false;
  size_t line = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    if (c == '"' && field.empty()) {
      in_quotes = true;
      field_started = true;
    } else if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
      field_started = true;
    } else if (c == '\n') {
      if (!record.empty() || field_started || !field.empty()) {
        record.push_back(std::move(field));
        records.push_back(std::move(record));
      }
      record.clear();
      field.clear();
      field_started = false;
      ++line;
    } else if (c != '\r') {
      field.push_back(c);
    }
  }
  if (in_quotes) {
    return absl::DataLossError(absl::StrCat(source, ": unterminated quoted field at line ", line));
  }
  if (!record.empty() || field_started || !field.empty()) {
    record.push_back(std::move(field));
    records.push_back(std::move(record));
  }
  if (records.empty()) return absl::DataLossError(absl::StrCat(source, ": empty CSV, no header"));
  CsvTable table(std::move(records.front()));
  for (size_t r = 1; r < records.size(); ++r) {
    if (records[r].size() != table.header_.size()) {
      return absl::DataLossError(absl::StrCat(source, ": record ", r + 1, " has ",
                                              records[r].size(), " fields, header has ",
                                              table.header_.size()));
    }
    table.rows_.push_back(std::move(records[r]));
  }
  return table;
}

absl::StatusOr<CsvTable> CsvTable::Read(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  return Parse(*text, path);
}

std::string FormatDouble(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[64];
  // Shortest representation that round-trips.
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

std::string FormatBool(bool value) { return value ? "true" : "false"; }

}  // namespace hw1
