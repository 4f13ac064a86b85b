#include "lib/sweep/sweep_progress.h"

#include "gtest/gtest.h"

namespace hw1::sweep {
namespace {

TEST(SweepProgressTest, CountsRunsAndEpochsAndReestimatesTheEta) {
  SweepProgress progress(/*runs=*/2, /*epochs_per_run=*/3);
  EXPECT_EQ(progress.Line(5),
            "progress: 0/2 runs, 0/6 epochs, elapsed 5s, ETA after the first epoch");
  EXPECT_TRUE(progress.EpochDone("a", 1));
  EXPECT_FALSE(progress.EpochDone("a", 1));  // no news
  // One epoch in 100 s, five left.
  EXPECT_EQ(progress.Line(100),
            "progress: 0/2 runs, 1/6 epochs, elapsed 1m40s, ETA 8m20s (from 1 epoch trained here)");
  EXPECT_TRUE(progress.EpochDone("b", 1));
  EXPECT_TRUE(progress.EpochDone("a", 2));
  // Three epochs in 150 s (two runs at once), three left: 150 s more.
  EXPECT_EQ(
      progress.Line(150),
      "progress: 0/2 runs, 3/6 epochs, elapsed 2m30s, ETA 2m30s (from 3 epochs trained here)");
  progress.EpochDone("a", 3);
  progress.RunDone("a");
  EXPECT_EQ(progress.epochs_done(), 4);
  progress.RunDone("b");  // diverged after its first epoch: done all the same
  EXPECT_EQ(progress.Line(3700), "progress: 2/2 runs, 6/6 epochs, elapsed 1h01m, done");
}

TEST(SweepProgressTest, AResumedRunsEarlierEpochsAreDoneButNotInTheRate) {
  SweepProgress progress(1, 25);
  progress.EpochDone("resumed", 20);  // its first epoch in this call is the 20th
  EXPECT_EQ(progress.epochs_done(), 20);
  EXPECT_EQ(progress.epochs_trained_here(), 1);
  EXPECT_EQ(
      progress.Line(60),
      "progress: 0/1 runs, 20/25 epochs, elapsed 1m00s, ETA 5m00s (from 1 epoch trained here)");
}

}  // namespace
}  // namespace hw1::sweep
