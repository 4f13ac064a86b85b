#include "lib/util/csv.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>

#include "gtest/gtest.h"

namespace hw1 {
namespace {

TEST(CsvTableTest, RoundTripsQuotedFields) {
  CsvTable table({"name", "value"});
  table.AddRow({"plain", "1"});
  table.AddRow({"with, comma", "say \"hi\""});
  table.AddRow({"line\nbreak", ""});
  const std::string text = table.ToString();
  EXPECT_EQ(text, "name,value\nplain,1\n\"with, comma\",\"say \"\"hi\"\"\"\n\"line\nbreak\",\n");
  absl::StatusOr<CsvTable> parsed = CsvTable::Parse(text, "memory");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->header(), table.header());
  EXPECT_EQ(parsed->rows(), table.rows());
  EXPECT_EQ(parsed->Get(1, "value"), "say \"hi\"");
  EXPECT_EQ(parsed->ColumnIndex("missing"), -1);
}

TEST(CsvTableTest, ParseErrorsNameTheSource) {
  absl::StatusOr<CsvTable> ragged = CsvTable::Parse("a,b\n1\n", "f.csv");
  ASSERT_FALSE(ragged.ok());
  EXPECT_NE(ragged.status().message().find("f.csv: record 2 has 1 fields"), std::string::npos);
  absl::StatusOr<CsvTable> unterminated = CsvTable::Parse("a\n\"open\n", "g.csv");
  ASSERT_FALSE(unterminated.ok());
  EXPECT_NE(unterminated.status().message().find("g.csv"), std::string::npos);
  EXPECT_FALSE(CsvTable::Parse("", "empty.csv").ok());
}

TEST(CsvTableTest, WritesAndReadsFiles) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/sub/dir/t.csv";
  CsvTable table({"x"});
  table.AddRow({"1"});
  ASSERT_TRUE(table.Write(path).ok());
  absl::StatusOr<CsvTable> read = CsvTable::Read(path);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->Get(0, "x"), "1");
  EXPECT_FALSE(CsvTable::Read(path + ".missing").ok());
}

TEST(FormatDoubleTest, ShortestRoundTrip) {
  EXPECT_EQ(FormatDouble(0.1), "0.1");
  EXPECT_EQ(FormatDouble(2.0), "2");
  EXPECT_EQ(std::stod(FormatDouble(1.0 / 3.0)), 1.0 / 3.0);
  EXPECT_EQ(FormatDouble(std::numeric_limits<double>::quiet_NaN()), "nan");
  EXPECT_EQ(FormatDouble(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(FormatBool(true), "true");
}

}  // namespace
}  // namespace hw1
