#include "lib/math/logistic_symbolic.h"

#include <algorithm>
#include <functional>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "ginac/ginac.h"

namespace hw1::math {
namespace {

using GiNaC::ex;
using GiNaC::exp;
using GiNaC::log;
using GiNaC::realsymbol;

std::string ToString(const ex& e) { return CanonicalText(e); }

// Simplified a − b.
ex Difference(const ex& a, const ex& b) { return GiNaC::normal(GiNaC::expand(a - b)); }

ex Sigma(const ex& z) { return 1 / (1 + exp(-z)); }

// A symbolic data set: X (n × d), y (n), weights w (d), direction v (d).
struct Symbols {
  std::vector<std::vector<realsymbol>> x;
  std::vector<realsymbol> y, w, v;

  Symbols(int n, int d) {
    for (int i = 0; i < n; ++i) {
      x.emplace_back();
      for (int j = 0; j < d; ++j) x[i].emplace_back(absl::StrCat("x", i + 1, "_", j + 1));
      y.emplace_back(absl::StrCat("y", i + 1));
    }
    for (int j = 0; j < d; ++j) {
      w.emplace_back(absl::StrCat("w", j + 1));
      v.emplace_back(absl::StrCat("v", j + 1));
    }
  }
  int n() const { return static_cast<int>(x.size()); }
  int d() const { return static_cast<int>(w.size()); }
  ex z(int i) const {
    ex sum = 0;
    for (int j = 0; j < d(); ++j) sum += w[j] * x[i][j];
    return sum;
  }
  ex p(int i) const { return Sigma(z(i)); }
  ex xv(int i) const {
    ex sum = 0;
    for (int j = 0; j < d(); ++j) sum += x[i][j] * v[j];
    return sum;
  }
  // Negative log-likelihood, homework line (1).
  ex NegLogLikelihood() const {
    ex sum = 0;
    for (int i = 0; i < n(); ++i) {
      sum += y[i] * log(Sigma(z(i))) + (1 - y[i]) * log(1 - Sigma(z(i)));
    }
    return -sum;
  }
  GiNaC::exmap AtZero() const {
    GiNaC::exmap m;
    for (const auto& wj : w) m[wj] = 0;
    return m;
  }
};

// Residual between two scalar functions of w that may contain logarithms:
// the gradient differences and the difference at w = 0 ("0" when all vanish).
ex FunctionDifference(const Symbols& s, const ex& a, const ex& b) {
  GiNaC::lst residuals;
  bool all_zero = true;
  for (const auto& wj : s.w) {
    ex r = Difference(a.diff(wj), b.diff(wj));
    all_zero = all_zero && r.is_zero();
    residuals.append(r);
  }
  ex at_zero = Difference(a.subs(s.AtZero()), b.subs(s.AtZero()));
  all_zero = all_zero && at_zero.is_zero();
  residuals.append(at_zero);
  return all_zero ? ex(0) : ex(residuals);
}

// Residual of two equal-sized lists of expressions: 0, or the list of differences.
ex ListDifference(const std::vector<ex>& a, const std::vector<ex>& b) {
  GiNaC::lst residuals;
  bool all_zero = true;
  for (size_t k = 0; k < a.size(); ++k) {
    ex r = Difference(a[k], b[k]);
    all_zero = all_zero && r.is_zero();
    residuals.append(r);
  }
  return all_zero ? ex(0) : ex(residuals);
}

std::string Verdict(const ex& residual) { return residual.is_zero() ? "true" : "false"; }

// A residual as a reader can take it in: exp(-w^T x_i) written e_i, and for a
// list of components only the first nonzero one, with its position.
std::string Display(const Symbols& s, const ex& residual) {
  if (residual.is_zero()) return "0";
  GiNaC::exmap names;
  for (int i = 0; i < s.n(); ++i) {
    const realsymbol e(absl::StrCat("e", i + 1));
    names[exp(-s.z(i))] = e;
    names[exp(-2 * s.z(i))] = GiNaC::pow(e, 2);  // squares appear in second derivatives
  }
  ex shown = residual;
  std::string where;
  if (GiNaC::is_a<GiNaC::lst>(residual)) {
    for (size_t k = 0; k < residual.nops(); ++k) {
      if (!residual.op(k).is_zero()) {
        shown = residual.op(k);
        where = absl::StrCat("[component ", k + 1, " of ", residual.nops(), "] ");
        break;
      }
    }
  }
  return absl::StrCat(where, ToString(GiNaC::factor(GiNaC::normal(shown.subs(names)))),
                      "  (e_i = exp(-w^T x_i))");
}

}  // namespace

std::string CanonicalText(const GiNaC::ex& e) {
  auto sorted_operands = [](const ex& x) {  // as text, in text order
    std::vector<std::string> parts;
    for (size_t k = 0; k < x.nops(); ++k) parts.push_back(CanonicalText(x.op(k)));
    std::sort(parts.begin(), parts.end());
    return parts;
  };
  auto grouped = [](const ex& x) {  // parenthesised where precedence needs it
    const std::string text = CanonicalText(x);
    const bool atom =
        GiNaC::is_a<GiNaC::symbol>(x) || GiNaC::is_a<GiNaC::function>(x) ||
        (GiNaC::is_a<GiNaC::numeric>(x) && GiNaC::ex_to<GiNaC::numeric>(x).is_nonneg_integer());
    return atom ? text : absl::StrCat("(", text, ")");
  };
  if (GiNaC::is_a<GiNaC::add>(e)) {
    std::string text;
    for (const std::string& term : sorted_operands(e)) {
      absl::StrAppend(&text, text.empty() || term[0] == '-' ? "" : "+", term);
    }
    return text;
  }
  if (GiNaC::is_a<GiNaC::mul>(e)) {
    // GiNaC may hold a − b as −(b − a) inside a product, depending on the same
    // hashes: of s and −s, write each sum factor as the one with fewer negative
    // terms (then the one whose text sorts first), and move the sign into the
    // numeric coefficient.
    GiNaC::numeric coefficient = 1;
    std::vector<std::string> factors;
    auto sign_normal_sum = [&](const ex& sum, bool odd_power) {
      auto key = [&sorted_operands](const ex& x) {
        const std::vector<std::string> terms = sorted_operands(x);
        const auto negative = std::count_if(terms.begin(), terms.end(),
                                            [](const std::string& t) { return t[0] == '-'; });
        return std::make_pair(negative, CanonicalText(x));
      };
      const auto as_is = key(sum), negated = key(ex(-sum));
      if (negated < as_is && odd_power) coefficient = -coefficient;
      return absl::StrCat("(", std::min(as_is, negated).second, ")");
    };
    for (size_t k = 0; k < e.nops(); ++k) {
      const ex& f = e.op(k);
      if (GiNaC::is_a<GiNaC::numeric>(f)) {
        coefficient *= GiNaC::ex_to<GiNaC::numeric>(f);
      } else if (GiNaC::is_a<GiNaC::add>(f)) {
        factors.push_back(sign_normal_sum(f, true));
      } else if (GiNaC::is_a<GiNaC::power>(f) && GiNaC::is_a<GiNaC::add>(f.op(0)) &&
                 GiNaC::is_a<GiNaC::numeric>(f.op(1)) &&
                 GiNaC::ex_to<GiNaC::numeric>(f.op(1)).is_integer()) {
        const bool odd = GiNaC::ex_to<GiNaC::numeric>(f.op(1)).is_odd();
        factors.push_back(absl::StrCat(sign_normal_sum(f.op(0), odd), "^", grouped(f.op(1))));
      } else {
        factors.push_back(CanonicalText(f));
      }
    }
    std::sort(factors.begin(), factors.end());
    std::string text = coefficient.is_equal(1)    ? ""
                       : coefficient.is_equal(-1) ? "-"
                                                  : absl::StrCat(CanonicalText(coefficient), "*");
    for (size_t k = 0; k < factors.size(); ++k) absl::StrAppend(&text, k ? "*" : "", factors[k]);
    return text;
  }
  if (GiNaC::is_a<GiNaC::power>(e)) return absl::StrCat(grouped(e.op(0)), "^", grouped(e.op(1)));
  if (GiNaC::is_a<GiNaC::function>(e)) {
    std::string text = absl::StrCat(GiNaC::ex_to<GiNaC::function>(e).get_name(), "(");
    for (size_t k = 0; k < e.nops(); ++k)
      absl::StrAppend(&text, k ? "," : "", CanonicalText(e.op(k)));
    return absl::StrCat(text, ")");
  }
  if (GiNaC::is_a<GiNaC::lst>(e)) {  // keeps its order: components are positional
    std::string text = "{";
    for (size_t k = 0; k < e.nops(); ++k)
      absl::StrAppend(&text, k ? "," : "", CanonicalText(e.op(k)));
    return absl::StrCat(text, "}");
  }
  std::ostringstream out;  // symbols and numbers print the same whatever the hashes
  out << e;
  return out.str();
}

std::vector<SymbolicCheck> ProveLogisticConvexity(int num_features, int num_examples) {
  std::vector<SymbolicCheck> checks;
  {
    Symbols s(1, num_features);
    const ex z = s.z(0);
    const ex loss = -(s.y[0] * log(Sigma(z)) + (1 - s.y[0]) * log(1 - Sigma(z)));
    for (int j = 0; j < num_features; ++j) {
      const ex grad = loss.diff(s.w[j]);
      const ex r = Difference(grad, (Sigma(z) - s.y[0]) * s.x[0][j]);
      checks.push_back(
          {absl::StrCat("dl/dw", j + 1, " = (sigma(z) - y) x", j + 1, ", d=", num_features),
           r.is_zero(), ToString(r)});
      for (int k = 0; k < num_features; ++k) {
        const ex h = grad.diff(s.w[k]);
        const ex rh = Difference(h, Sigma(z) * (1 - Sigma(z)) * s.x[0][j] * s.x[0][k]);
        checks.push_back({absl::StrCat("d2l/dw", j + 1, "dw", k + 1, " = sigma(z)(1 - sigma(z)) x",
                                       j + 1, " x", k + 1),
                          rh.is_zero(), ToString(rh)});
      }
    }
  }
  {
    Symbols s(num_examples, num_features);
    const ex loss = s.NegLogLikelihood();
    ex quadratic = 0, sum_of_squares = 0;
    for (int j = 0; j < num_features; ++j) {
      const ex grad = loss.diff(s.w[j]);
      for (int k = 0; k < num_features; ++k) quadratic += s.v[j] * grad.diff(s.w[k]) * s.v[k];
    }
    for (int i = 0; i < num_examples; ++i) {
      sum_of_squares += s.p(i) * (1 - s.p(i)) * GiNaC::pow(s.xv(i), 2);
    }
    const ex r = Difference(quadratic, sum_of_squares);
    checks.push_back(
        {absl::StrCat("v^T H v = sum_i c_i (x_i^T v)^2, c_i = sigma(z_i)(1 - sigma(z_i)), n=",
                      num_examples, ", d=", num_features),
         r.is_zero(), ToString(r)});
    for (int i = 0; i < num_examples; ++i) {
      const ex e = exp(-s.z(i));
      const ex form = e / GiNaC::pow(1 + e, 2);
      const ex rc = Difference(s.p(i) * (1 - s.p(i)), form);
      // exp of a real argument is positive, (1 + e)^2 > 0: GiNaC decides the sign itself.
      const bool positive = form.info(GiNaC::info_flags::positive);
      checks.push_back(
          {absl::StrCat("c_", i + 1, " = exp(-z_", i + 1, ")/(1 + exp(-z_", i + 1, "))^2 > 0"),
           rc.is_zero() && positive,
           rc.is_zero() ? (positive ? "0" : "sign not proved") : ToString(rc)});
    }
  }
  return checks;
}

std::vector<DerivationLine> CheckHomeworkDerivation(int num_examples, int num_features) {
  const Symbols s(num_examples, num_features);
  const int n = s.n(), d = s.d();
  const ex truth_loss = s.NegLogLikelihood();
  std::vector<ex> truth_grad(d);
  std::vector<ex> truth_hess(d * d);
  for (int j = 0; j < d; ++j) {
    truth_grad[j] = truth_loss.diff(s.w[j]);
    for (int k = 0; k < d; ++k) truth_hess[j * d + k] = truth_grad[j].diff(s.w[k]);
  }
  auto sum_i = [n](const std::function<ex(int)>& term) {
    ex total = 0;
    for (int i = 0; i < n; ++i) total += term(i);
    return total;
  };
  auto per_j = [d](const std::function<ex(int)>& f) {
    std::vector<ex> out(d);
    for (int j = 0; j < d; ++j) out[j] = f(j);
    return out;
  };
  auto per_jk = [d](const std::function<ex(int, int)>& f) {
    std::vector<ex> out(d * d);
    for (int j = 0; j < d; ++j)
      for (int k = 0; k < d; ++k) out[j * d + k] = f(j, k);
    return out;
  };
  auto e = [&](int i) { return exp(-s.z(i)); };
  auto grad_of = [&](const std::vector<ex>& f, int k) {
    return per_j([&](int j) { return f[j].diff(s.w[k]); });
  };

  std::vector<DerivationLine> lines;
  auto blank = [&](const char* line) {
    lines.push_back({line, "(empty line in the homework: no claim)", "n/a", "", "n/a", ""});
  };
  auto add = [&](const char* line, const char* claim, const ex& vs_truth, const ex* vs_previous) {
    lines.push_back({line, claim, Verdict(vs_truth), Display(s, vs_truth),
                     vs_previous ? Verdict(*vs_previous) : "n/a",
                     vs_previous ? Display(s, *vs_previous) : ""});
  };

  // (1) The negative log-likelihood: the definition everything is checked against.
  const ex line1 = truth_loss;
  const ex zero = 0;
  add("(1)", "ll(w) = -sum_i [y_i log(1/(1+exp(-w^T x_i))) + (1-y_i) log(1 - 1/(1+exp(-w^T x_i)))]",
      zero, nullptr);
  blank("(2)");
  // (3) Rearranged.
  const ex line3 = -sum_i([&](int i) { return (s.y[i] - 1) * s.z(i) + log(1 / (1 + e(i))); });
  const ex r3 = FunctionDifference(s, line3, truth_loss);
  const ex p3 = FunctionDifference(s, line3, line1);
  add("(3)", "ll(w) = -sum_i [(y_i - 1) w^T x_i + log(1/(1+exp(-w^T x_i)))]", r3, &p3);
  // (4) Its derivative, as written (note the factor (-x_ij)).
  const auto line4 = per_j([&](int j) {
    return -sum_i(
        [&](int i) { return (s.y[i] - 1) * s.x[i][j] + e(i) / (1 + e(i)) * (-s.x[i][j]); });
  });
  const ex r4 = ListDifference(line4, truth_grad);
  const ex p4 = ListDifference(line4, per_j([&](int j) { return line3.diff(s.w[j]); }));
  add("(4)", "d ll/d w_j = -sum_i [(y_i - 1) x_ij + exp(-w^T x_i)/(1+exp(-w^T x_i)) * (-x_ij)]", r4,
      &p4);
  const auto line5 = per_j([&](int j) {
    return -sum_i([&](int i) { return s.x[i][j] * (s.y[i] - 1 + e(i) / (1 + e(i))); });
  });
  const ex r5 = ListDifference(line5, truth_grad);
  const ex p5 = ListDifference(line5, line4);
  add("(5)", "= -sum_i x_ij (y_i - 1 + exp(-w^T x_i)/(1+exp(-w^T x_i)))", r5, &p5);
  const auto line6 = per_j(
      [&](int j) { return -sum_i([&](int i) { return s.x[i][j] * (s.y[i] - 1 / (1 + e(i))); }); });
  const ex r6 = ListDifference(line6, truth_grad);
  const ex p6 = ListDifference(line6, line5);
  add("(6)", "= -sum_i x_ij (y_i - 1/(1+exp(-w^T x_i)))", r6, &p6);
  // (7) Matrix notation: f_j is column j of X, p_i = sigma(w^T x_i).
  const auto line7 =
      per_j([&](int j) { return -sum_i([&](int i) { return s.x[i][j] * (s.y[i] - s.p(i)); }); });
  const ex r7 = ListDifference(line7, truth_grad);
  const ex p7 = ListDifference(line7, line6);
  add("(7)", "= -f_j^T (y - p)", r7, &p7);
  blank("(8)");
  const auto line9 = per_j([&](int j) {
    ex component = 0;  // (X^T (y - p))_j
    for (int i = 0; i < n; ++i) component += s.x[i][j] * (s.y[i] - s.p(i));
    return -component;
  });
  const ex r9 = ListDifference(line9, truth_grad);
  const ex p9 = ListDifference(line9, line7);
  add("(9)", "grad ll(w) = -X^T (y - p)", r9, &p9);
  // (10) Second derivative, as written.
  const auto line10 = per_jk([&](int j, int k) {
    return -sum_i([&](int i) { return s.x[i][j] * (e(i) / (1 + e(i))) * (-s.x[i][k]); });
  });
  std::vector<ex> from9(d * d);
  for (int k = 0; k < d; ++k) {
    const auto column = grad_of(line9, k);
    for (int j = 0; j < d; ++j) from9[j * d + k] = column[j];
  }
  const ex r10 = ListDifference(line10, truth_hess);
  const ex p10 = ListDifference(line10, from9);
  add("(10)", "d2 ll/dw_j dw_k = -sum_i x_ij * exp(-w^T x_i)/(1+exp(-w^T x_i)) * (-x_ik)", r10,
      &p10);
  const auto line11 = per_jk([&](int j, int k) {
    return sum_i(
        [&](int i) { return s.x[i][j] * (1 / (1 + e(i))) * (1 - 1 / (1 + e(i))) * s.x[i][k]; });
  });
  const ex r11 = ListDifference(line11, truth_hess);
  const ex p11 = ListDifference(line11, line10);
  add("(11)", "= sum_i x_ij * 1/(1+exp(-w^T x_i)) * (1 - 1/(1+exp(-w^T x_i))) x_ik", r11, &p11);
  const auto line12 = per_jk([&](int j, int k) {
    return sum_i([&](int i) { return s.x[i][j] * s.p(i) * (1 - s.p(i)) * s.x[i][k]; });
  });
  const ex r12 = ListDifference(line12, truth_hess);
  const ex p12 = ListDifference(line12, line11);
  add("(12)", "= f_j^T P(I - P) f_k", r12, &p12);
  blank("(13)");
  // (14) H = X^T P(I-P) X, built as a GiNaC matrix product.
  GiNaC::matrix X(n, d), D(n, n);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < d; ++j) X(i, j) = s.x[i][j];
    D(i, i) = s.p(i) * (1 - s.p(i));
  }
  const GiNaC::matrix H = X.transpose().mul(D).mul(X);
  const auto line14 = per_jk([&](int j, int k) { return H(j, k); });
  const ex r14 = ListDifference(line14, truth_hess);
  const ex p14 = ListDifference(line14, line12);
  add("(14)", "H = X^T P(I - P) X", r14, &p14);
  // (15), (16) with a symbolic direction z (here v).
  GiNaC::matrix V(d, 1);
  for (int j = 0; j < d; ++j) V(j, 0) = s.v[j];
  const ex line15 = V.transpose().mul(H).mul(V)(0, 0);
  ex truth_quadratic = 0;
  for (int j = 0; j < d; ++j)
    for (int k = 0; k < d; ++k) truth_quadratic += s.v[j] * truth_hess[j * d + k] * s.v[k];
  const ex r15 = Difference(line15, truth_quadratic);
  ex from14 = 0;
  for (int j = 0; j < d; ++j)
    for (int k = 0; k < d; ++k) from14 += s.v[j] * line14[j * d + k] * s.v[k];
  const ex p15 = Difference(line15, from14);
  add("(15)", "for all z: z^T H z = z^T [X^T P(I - P) X] z", r15, &p15);
  const GiNaC::matrix Xv = X.mul(V);
  const ex line16 = Xv.transpose().mul(D).mul(Xv)(0, 0);
  const ex r16 = Difference(line16, truth_quadratic);
  const ex p16 = Difference(line16, line15);
  // The inequality: each diagonal entry of P(I-P) is exp(-z)/(1+exp(-z))^2 > 0.
  bool nonnegative = r16.is_zero();
  for (int i = 0; i < n; ++i) {
    const ex form = e(i) / GiNaC::pow(1 + e(i), 2);
    nonnegative = nonnegative && Difference(D(i, i), form).is_zero() &&
                  form.info(GiNaC::info_flags::positive);
  }
  lines.push_back({"(16)", "= (Xz)^T P(I - P) (Xz) >= 0", nonnegative ? "true" : "false",
                   Display(s, r16), Verdict(p16), Display(s, p16)});
  return lines;
}

}  // namespace hw1::math
