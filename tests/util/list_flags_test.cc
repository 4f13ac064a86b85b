#include "lib/util/list_flags.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace hw1 {
namespace {

// The message a user sees for --flag=text.
std::string Error(const absl::Status& status) { return std::string(status.message()); }

TEST(ListFlagsTest, ReadsItemsWithSpaces) {
  EXPECT_EQ(*ParsePositiveDoubleList("lr_multipliers", "1, 5,10"), (std::vector<double>{1, 5, 10}));
  EXPECT_EQ(*ParseUnsignedList("seeds", "0,1,2"), (std::vector<uint64_t>{0, 1, 2}));
  EXPECT_EQ(*ParseIntListInRange("layers", "1, 2,4", 1, 4), (std::vector<int64_t>{1, 2, 4}));
  EXPECT_EQ(*ParseChoiceList("arms", "bn,baseline", {"baseline", "bn"}),
            (std::vector<std::string>{"bn", "baseline"}));
}

TEST(ListFlagsTest, ErrorsNameTheFlagTheTextAndTheItem) {
  EXPECT_EQ(Error(ParsePositiveDoubleList("lr_multipliers", "1,x").status()),
            "--lr_multipliers=1,x: cannot read 'x'");
  EXPECT_EQ(Error(ParsePositiveDoubleList("lr_multipliers", "1,-5").status()),
            "--lr_multipliers=1,-5: cannot read '-5': must be > 0");
  EXPECT_EQ(Error(ParseUnsignedList("seeds", "0,,1").status()), "--seeds=0,,1: cannot read ''");
  EXPECT_EQ(Error(ParseUnsignedList("seeds", "-1").status()), "--seeds=-1: cannot read '-1'");
  EXPECT_EQ(Error(ParseIntListInRange("layers", "0,2", 1, 4).status()),
            "--layers=0,2: cannot read '0': must be 1-4");
  EXPECT_EQ(Error(ParseIntListInRange("layers", "1.5", 1, 4).status()),
            "--layers=1.5: cannot read '1.5'");
  EXPECT_EQ(Error(ParseChoiceList("arms", "baseline,resnet", {"baseline", "bn"}).status()),
            "--arms=baseline,resnet: cannot read 'resnet': must be one of baseline, bn");
  EXPECT_FALSE(ParseUnsignedList("seeds", "").ok());  // an empty flag is one empty item
}

// A repeated value would plan one run twice (two workers, one checkpoint).
TEST(ListFlagsTest, RefusesAValueGivenTwice) {
  EXPECT_EQ(Error(ParseUnsignedList("seeds", "1,1").status()),
            "--seeds=1,1: '1' is given twice; list each once");
  EXPECT_EQ(Error(ParseChoiceList("arms", "bn,bn", {"baseline", "bn"}).status()),
            "--arms=bn,bn: 'bn' is given twice; list each once");
  EXPECT_EQ(Error(ParseChoiceList("init", "keras, keras", {"keras", "torch"}).status()),
            "--init=keras, keras: 'keras' is given twice; list each once");
  EXPECT_EQ(Error(ParsePositiveDoubleList("lr_multipliers", "5,5.0").status()),
            "--lr_multipliers=5,5.0: '5.0' is given twice; list each once");
  EXPECT_EQ(Error(ParseIntListInRange("layers", "2,2", 1, 4).status()),
            "--layers=2,2: '2' is given twice; list each once");
}

}  // namespace
}  // namespace hw1
