#include "lib/train/collapse.h"

#include <algorithm>
#include <numeric>

namespace hw1::train {

double MajorityClassShare(const std::vector<int64_t>& prediction_counts) {
  const int64_t total =
      std::accumulate(prediction_counts.begin(), prediction_counts.end(), int64_t{0});
  if (total <= 0) return -1;
  return static_cast<double>(
             *std::max_element(prediction_counts.begin(), prediction_counts.end())) /
         static_cast<double>(total);
}

bool IsCollapsed(double final_val_acc, double majority_class_share) {
  return majority_class_share >= 0 && final_val_acc <= kCollapseMaxValAcc &&
         majority_class_share >= kCollapseMinMajorityShare;
}

}  // namespace hw1::train
