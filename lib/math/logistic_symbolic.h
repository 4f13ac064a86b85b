#ifndef HW1_LIB_MATH_LOGISTIC_SYMBOLIC_H_
#define HW1_LIB_MATH_LOGISTIC_SYMBOLIC_H_

// Q2, symbolically (GiNaC): the derivatives of the logistic loss, and a
// line-by-line check of the homework's derivation.
//
// Every check here is an identity A = B decided by simplifying A − B to 0
// with GiNaC's normal() (rational normal form, which treats each exp(·) as an
// atom), never by sampling. Functions with logarithms are compared through
// their gradients plus their value at w = 0: two differentiable functions on
// ℝᵈ with equal gradients that agree at one point are equal.

#include <string>
#include <vector>

namespace GiNaC {
class ex;
}  // namespace GiNaC

namespace hw1::math {

// `e` as text that depends only on the expression. GiNaC orders the terms of
// sums and products by hash values seeded from type-info addresses, so its own
// printing changes from one run to the next (address-space randomisation);
// here the terms and factors of every sum and product are sorted as text.
std::string CanonicalText(const GiNaC::ex& e);

struct SymbolicCheck {
  std::string claim;     // what is proved, in words and formulas
  bool holds = false;    // residual simplified to exactly 0 (or the sign is proved)
  std::string residual;  // the simplified difference, "0" when it holds
};

// With `num_features` symbolic features x, weights w and a symbolic label y,
// per-example loss ℓ = −[y log σ(z) + (1−y) log(1−σ(z))], z = wᵀx:
//  - ∂ℓ/∂wⱼ = (σ(z) − y) xⱼ for every j;
//  - ∂²ℓ/∂wⱼ∂wₖ = σ(z)(1 − σ(z)) xⱼxₖ for every j, k;
//  - with `num_examples` examples and a symbolic direction v,
//    vᵀHv = Σᵢ cᵢ (xᵢᵀv)² with cᵢ = σ(zᵢ)(1−σ(zᵢ));
//  - cᵢ = e/(1+e)² with e = exp(−zᵢ) > 0, hence cᵢ ≥ 0 and H is PSD.
std::vector<SymbolicCheck> ProveLogisticConvexity(int num_features, int num_examples);

struct DerivationLine {
  std::string line;      // "(1)" … "(16)"
  std::string claim;     // the line as the homework writes it
  std::string holds;     // "true" / "false" against the true quantity; "n/a" for empty lines
  std::string residual;  // simplified (claim − truth), "0" when it holds
  std::string follows_from_previous;  // "true" / "false" / "n/a"
  std::string residual_vs_previous;   // simplified (claim − what the previous line gives)
};

// Encodes the homework's displayed lines (1)–(16) as written, for a data set
// of `num_examples` examples with `num_features` symbolic features, and checks
// each against the true quantity and against its predecessor.
std::vector<DerivationLine> CheckHomeworkDerivation(int num_examples, int num_features);

}  // namespace hw1::math

#endif  // HW1_LIB_MATH_LOGISTIC_SYMBOLIC_H_
