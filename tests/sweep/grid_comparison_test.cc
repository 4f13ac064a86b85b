#include "lib/sweep/grid_comparison.h"

#include "gtest/gtest.h"

namespace hw1::sweep {
namespace {

CsvTable Summary(const std::vector<std::vector<std::string>>& rows) {
  CsvTable table({"run_id", "arm", "lr_multiplier", "train_images", "final_val_acc"});
  for (const auto& row : rows) table.AddRow(row);
  return table;
}

TEST(GridComparisonTest, RanksOnlyWhenTheMarginExceedsTheSeedSpread) {
  const CsvTable quick = Summary({{"q1", "baseline", "1", "20000", "0.46"},
                                  {"q2", "bn", "1", "20000", "0.49"},
                                  {"q3", "baseline", "30", "20000", "0.48"},
                                  {"q4", "bn", "30", "20000", "0.49"}});
  const CsvTable full =
      Summary({{"f1", "baseline", "1", "50000", "0.760"},
               {"f2", "baseline", "1", "50000", "0.762"},
               {"f3", "bn", "1", "50000", "0.800"},
               {"f4", "bn", "1", "50000", "0.806"},
               {"f5", "baseline", "30", "50000", "0.70"},
               {"f6", "baseline", "30", "50000", "0.74"},
               {"f7", "bn", "30", "50000", "0.80"},
               {"f8", "bn", "30", "50000", "0.81"},
               {"partial", "bn", "30", "4000", "0.10"}});  // not the full protocol
  absl::StatusOr<std::vector<GridComparison>> cells = CompareWithFullGrid(quick, full, 50000);
  ASSERT_TRUE(cells.ok()) << cells.status();
  ASSERT_EQ(cells->size(), 2u);
  // x1: margin 0.03 against a spread of 0.006 (the full grid's BN seeds).
  EXPECT_EQ((*cells)[0].verdict, "ranks the arms as the full grid");
  EXPECT_NEAR(*(*cells)[0].seed_spread, 0.006, 1e-12);
  EXPECT_NEAR((*cells)[0].full_bn->mean, 0.803, 1e-12);
  // x30: margin 0.01 against a spread of 0.04 (the full grid's baseline seeds).
  EXPECT_EQ((*cells)[1].verdict,
            "same order as the full grid, but within the seed spread (0.0400)");
  EXPECT_EQ((*cells)[1].full_bn->seeds, 2);  // the partial-data row is left out
}

TEST(GridComparisonTest, SaysSoWhenItCannotTell) {
  const CsvTable quick = Summary({{"q1", "baseline", "1", "20000", "0.49"},
                                  {"q2", "bn", "1", "20000", "0.46"},
                                  {"q3", "baseline", "10", "20000", "0.40"},
                                  {"q4", "bn", "10", "20000", "0.45"},
                                  {"q5", "baseline", "5", "20000", "0.40"},
                                  {"q6", "bn", "5", "20000", "0.45"}});
  const CsvTable full = Summary({{"f1", "baseline", "1", "50000", "0.76"},
                                 {"f2", "bn", "1", "50000", "0.80"},
                                 {"f3", "baseline", "10", "50000", "0.70"},
                                 {"f4", "bn", "10", "50000", "0.80"}});
  absl::StatusOr<std::vector<GridComparison>> cells = CompareWithFullGrid(quick, full, 50000);
  ASSERT_TRUE(cells.ok());
  ASSERT_EQ(cells->size(), 3u);
  EXPECT_EQ((*cells)[0].verdict, "ranks the arms otherwise than the full grid");
  EXPECT_EQ((*cells)[1].verdict, "no full-grid cell to compare with");  // x5
  EXPECT_EQ((*cells)[2].verdict,
            "same order as the full grid; seed spread unknown (one seed), so not a ranking");
  EXPECT_NE(FormatGridComparison(*cells).find("x10"), std::string::npos);
  EXPECT_FALSE(CompareWithFullGrid(CsvTable({"arm"}), full, 50000).ok());
}

}  // namespace
}  // namespace hw1::sweep
