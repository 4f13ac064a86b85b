#include "lib/train/collapse.h"

#include "gtest/gtest.h"

namespace hw1::train {
namespace {

TEST(CollapseTest, MajorityClassShare) {
  EXPECT_DOUBLE_EQ(MajorityClassShare({1, 2, 7}), 0.7);
  EXPECT_DOUBLE_EQ(MajorityClassShare({0, 0, 10000, 0}), 1.0);
  EXPECT_DOUBLE_EQ(MajorityClassShare({1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}),
                   0.1);
  EXPECT_EQ(MajorityClassShare({}), -1);
  EXPECT_EQ(MajorityClassShare({0, 0}), -1);
}

TEST(CollapseTest, TheRuleAndItsEdges) {
  // Validation accuracy <= 0.15 and one class >= 90 % of the predictions.
  EXPECT_TRUE(IsCollapsed(0.10, 1.0));
  EXPECT_TRUE(IsCollapsed(0.15, 0.90));     // both edges belong to a collapse
  EXPECT_FALSE(IsCollapsed(0.1501, 0.99));  // above chance's neighbourhood: still learning
  EXPECT_FALSE(IsCollapsed(0.10, 0.8999));  // at chance but spreading its guesses
  EXPECT_FALSE(IsCollapsed(0.10, -1));      // share unknown
}

}  // namespace
}  // namespace hw1::train
