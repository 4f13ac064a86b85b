#include "lib/sweep/grid_comparison.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace hw1::sweep {
namespace {

// {(arm, multiplier): final accuracies}, from the rows `keep` accepts.
using Cells = std::map<std::pair<std::string, double>, std::vector<double>>;

absl::StatusOr<Cells> ReadCells(const CsvTable& table, int64_t train_images) {
  for (const char* column : {"arm", "lr_multiplier", "train_images", "final_val_acc"}) {
    if (table.ColumnIndex(column) < 0)
      return absl::InvalidArgumentError(absl::StrCat("q4_summary.csv has no column ", column));
  }
  Cells cells;
  for (size_t i = 0; i < table.num_rows(); ++i) {
    double multiplier = 0, acc = 0;
    int64_t images = 0;
    if (!absl::SimpleAtod(table.Get(i, "lr_multiplier"), &multiplier) ||
        !absl::SimpleAtoi(table.Get(i, "train_images"), &images) ||
        !absl::SimpleAtod(table.Get(i, "final_val_acc"), &acc)) {
      continue;  // a diverged run has no final accuracy
    }
    if (train_images >= 0 && images != train_images) continue;
    cells[{table.Get(i, "arm"), multiplier}].push_back(acc);
  }
  return cells;
}

std::optional<ArmCell> CellOf(const Cells& cells, const std::string& arm, double multiplier) {
  auto it = cells.find({arm, multiplier});
  if (it == cells.end() || it->second.empty()) return std::nullopt;
  const std::vector<double>& accs = it->second;
  ArmCell cell;
  for (double a : accs) cell.mean += a / accs.size();
  cell.range =
      *std::max_element(accs.begin(), accs.end()) - *std::min_element(accs.begin(), accs.end());
  cell.seeds = static_cast<int>(accs.size());
  return cell;
}

std::optional<double> Spread(const std::optional<ArmCell>& a, const std::optional<ArmCell>& b) {
  std::optional<double> spread;
  for (const auto& cell : {a, b}) {
    if (cell && cell->seeds >= 2) spread = std::max(spread.value_or(0.0), cell->range);
  }
  return spread;
}

}  // namespace

absl::StatusOr<std::vector<GridComparison>> CompareWithFullGrid(const CsvTable& quick,
                                                                const CsvTable& full,
                                                                int64_t full_train_images) {
  absl::StatusOr<Cells> quick_cells = ReadCells(quick, -1);
  if (!quick_cells.ok()) return quick_cells.status();
  absl::StatusOr<Cells> full_cells = ReadCells(full, full_train_images);
  if (!full_cells.ok()) return full_cells.status();
  std::vector<double> multipliers;
  for (const auto& [key, accs] : *quick_cells) {
    if (std::find(multipliers.begin(), multipliers.end(), key.second) == multipliers.end())
      multipliers.push_back(key.second);
  }
  std::sort(multipliers.begin(), multipliers.end());
  std::vector<GridComparison> out;
  for (double m : multipliers) {
    std::optional<ArmCell> qb = CellOf(*quick_cells, "baseline", m),
                           qn = CellOf(*quick_cells, "bn", m);
    if (!qb || !qn) continue;  // a one-arm plan ranks nothing
    GridComparison c;
    c.lr_multiplier = m;
    c.quick_baseline = *qb;
    c.quick_bn = *qn;
    c.full_baseline = CellOf(*full_cells, "baseline", m);
    c.full_bn = CellOf(*full_cells, "bn", m);
    c.seed_spread = Spread(qb, qn);
    if (!c.seed_spread) c.seed_spread = Spread(c.full_baseline, c.full_bn);
    const double quick_margin = qn->mean - qb->mean;
    if (!c.full_baseline || !c.full_bn) {
      c.verdict = "no full-grid cell to compare with";
    } else if ((quick_margin > 0) != (c.full_bn->mean - c.full_baseline->mean > 0)) {
      c.verdict = "ranks the arms otherwise than the full grid";
    } else if (!c.seed_spread) {
      c.verdict = "same order as the full grid; seed spread unknown (one seed), so not a ranking";
    } else if (std::abs(quick_margin) > *c.seed_spread) {
      c.verdict = "ranks the arms as the full grid";
    } else {
      c.verdict = absl::StrFormat("same order as the full grid, but within the seed spread (%.4f)",
                                  *c.seed_spread);
    }
    out.push_back(c);
  }
  return out;
}

std::string FormatGridComparison(const std::vector<GridComparison>& cells) {
  std::string text = absl::StrFormat("  %-6s %-22s %-22s  %s\n", "lr x", "quick: BN - baseline",
                                     "full grid: BN - baseline", "verdict");
  for (const GridComparison& c : cells) {
    const std::string quick = absl::StrFormat("%.4f - %.4f (%d)", c.quick_bn.mean,
                                              c.quick_baseline.mean, c.quick_baseline.seeds);
    const std::string full = c.full_bn && c.full_baseline
                                 ? absl::StrFormat("%.4f - %.4f (%d)", c.full_bn->mean,
                                                   c.full_baseline->mean, c.full_baseline->seeds)
                                 : std::string("-");
    absl::StrAppendFormat(&text, "  x%-5g %-22s %-22s  %s\n", c.lr_multiplier, quick, full,
                          c.verdict);
  }
  return text;
}

}  // namespace hw1::sweep
