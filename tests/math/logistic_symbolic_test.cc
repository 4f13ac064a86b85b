#include "lib/math/logistic_symbolic.h"

#include <map>

#include "ginac/ginac.h"
#include "gtest/gtest.h"

namespace hw1::math {
namespace {

// GiNaC orders terms by hashes that depend on symbol creation order and on
// addresses; the residuals written to the CSVs must not.
TEST(CanonicalTextTest, DependsOnlyOnTheExpression) {
  auto build = [](const GiNaC::realsymbol& a, const GiNaC::realsymbol& b) {
    return GiNaC::pow(1 + a * b, -2) * (a - 3 * b) + GiNaC::exp(-a - b);
  };
  std::string first, second;
  {
    const GiNaC::realsymbol a("a"), b("b");
    first = CanonicalText(build(a, b));
  }
  {
    const GiNaC::realsymbol b("b"), a("a");  // created in the other order
    second = CanonicalText(build(a, b));
  }
  EXPECT_EQ(first, second);
  EXPECT_EQ(first, "(-3*b+a)*(1+a*b)^(-2)+exp(-a-b)");
}

TEST(LogisticSymbolicTest, GradientHessianAndQuadraticFormAreProved) {
  const auto checks = ProveLogisticConvexity(/*num_features=*/3, /*num_examples=*/2);
  // 3 gradient entries, 9 Hessian entries, one quadratic form, two coefficients.
  ASSERT_EQ(checks.size(), 3u + 9u + 1u + 2u);
  for (const auto& check : checks) {
    EXPECT_TRUE(check.holds) << check.claim << " residual " << check.residual;
    EXPECT_EQ(check.residual, "0") << check.claim;
  }
}

TEST(LogisticSymbolicTest, HomeworkDerivationVerdicts) {
  const auto lines = CheckHomeworkDerivation(/*num_examples=*/2, /*num_features=*/2);
  ASSERT_EQ(lines.size(), 16u);
  std::map<std::string, DerivationLine> by_line;
  for (const auto& line : lines) by_line[line.line] = line;
  for (const char* empty : {"(2)", "(8)", "(13)"}) EXPECT_EQ(by_line[empty].holds, "n/a");
  // Correct lines.
  for (const char* good :
       {"(1)", "(3)", "(5)", "(6)", "(7)", "(9)", "(11)", "(12)", "(14)", "(15)", "(16)"}) {
    EXPECT_EQ(by_line[good].holds, "true") << good << ": " << by_line[good].residual;
  }
  // Line (4) multiplies by (-x_ij) where the chain rule gives +x_ij; line (10)
  // differentiates exp(-z)/(1+exp(-z)) as if it were constant. Both are wrong as
  // written, and the next line in each case silently corrects them.
  EXPECT_EQ(by_line["(4)"].holds, "false");
  EXPECT_NE(by_line["(4)"].residual, "0");
  EXPECT_EQ(by_line["(5)"].follows_from_previous, "false");
  EXPECT_EQ(by_line["(10)"].holds, "false");
  EXPECT_EQ(by_line["(11)"].follows_from_previous, "false");
  EXPECT_EQ(by_line["(3)"].follows_from_previous, "true");
  EXPECT_EQ(by_line["(6)"].follows_from_previous, "true");
}

}  // namespace
}  // namespace hw1::math
