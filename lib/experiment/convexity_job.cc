#include "lib/experiment/convexity_job.h"

#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ginac/version.h"
#include "lib/experiment/experiment.h"
#include "lib/math/autograd_reference.h"
#include "lib/math/logistic_regression.h"
#include "lib/math/logistic_symbolic.h"
#include "lib/util/csv.h"

namespace hw1::experiment {
namespace {

using math::LogisticProblem;

struct Case {
  std::string name;
  LogisticProblem problem;
  Eigen::VectorXd params;
};

Eigen::MatrixXd Gaussian(int rows, int cols, std::mt19937_64& rng) {
  std::normal_distribution<double> normal;
  Eigen::MatrixXd m(rows, cols);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) m(i, j) = normal(rng);
  return m;
}

Eigen::VectorXd RandomLabels(int n, std::mt19937_64& rng) {
  std::bernoulli_distribution coin;
  Eigen::VectorXd y(n);
  for (int i = 0; i < n; ++i) y(i) = coin(rng) ? 1.0 : 0.0;
  return y;
}

std::vector<Case> MakeCases(std::mt19937_64& rng) {
  std::vector<Case> cases;
  auto add = [&](std::string name, Eigen::MatrixXd x, Eigen::VectorXd y, Eigen::VectorXd w,
                 bool intercept = false, double l2 = 0.0) {
    LogisticProblem p;
    p.features = std::move(x);
    p.labels = std::move(y);
    p.intercept = intercept;
    p.l2 = l2;
    cases.push_back({std::move(name), std::move(p), std::move(w)});
  };
  add("random", Gaussian(200, 5, rng), RandomLabels(200, rng), Gaussian(5, 1, rng));
  add("random_intercept_l2", Gaussian(200, 5, rng), RandomLabels(200, rng), Gaussian(6, 1, rng),
      /*intercept=*/true, /*l2=*/0.1);
  {
    // Linearly separable: labels are the side of a hyperplane; the MLE runs off
    // to infinity along it, so evaluate far out along the separating direction.
    Eigen::MatrixXd x = Gaussian(200, 3, rng);
    Eigen::VectorXd u = Gaussian(3, 1, rng).normalized();
    Eigen::VectorXd y = ((x * u).array() > 0).cast<double>();
    add("separable", x, y, 50.0 * u);
  }
  {
    // Huge |w|: the largest |w^T x| is exactly 1000.
    Eigen::MatrixXd x = Gaussian(100, 4, rng);
    Eigen::VectorXd w = Gaussian(4, 1, rng);
    w *= 1000.0 / (x * w).cwiseAbs().maxCoeff();
    add("huge_w", x, RandomLabels(100, rng), w);
  }
  {
    Eigen::MatrixXd x = Gaussian(200, 4, rng);
    x.col(2) = x.col(0) + x.col(1);
    x.col(3) = 2.0 * x.col(0);
    add("collinear", x, RandomLabels(200, rng), Gaussian(4, 1, rng));
  }
  add("n_less_than_d", Gaussian(10, 50, rng), RandomLabels(10, rng), Gaussian(50, 1, rng));
  return cases;
}

}  // namespace

absl::StatusOr<ConvexityOutcome> CheckConvexity(const ConvexitySettings& settings,
                                                Manifest& manifest) {
  if (settings.jensen_segments < 1 || settings.symbolic_features < 1 ||
      settings.symbolic_examples < 1) {
    return absl::InvalidArgumentError(
        "--jensen_segments, --symbolic_features and --symbolic_examples must be >= 1");
  }
  const std::filesystem::path out_dir = OutDir();
  std::mt19937_64 rng(settings.seed);

  CsvTable checks({"case", "n", "d", "min_eigenvalue", "max_eigenvalue", "eigenvalue_tolerance",
                   "fd_rel_error", "autograd_rel_error", "jensen_violations", "psd"});
  bool all_psd = true;
  for (const Case& c : MakeCases(rng)) {
    const Eigen::MatrixXd h = math::Hessian(c.problem, c.params);
    const math::PsdReport psd = math::CheckPsd(h);
    const double fd = math::RelativeError(h, math::FiniteDifferenceHessian(c.problem, c.params));
    const double autograd = math::RelativeError(h, math::AutogradHessian(c.problem, c.params));
    const double radius = std::max(1.0, c.params.norm());
    const int violations = math::CountJensenViolations(
        c.problem, c.params, radius, settings.jensen_segments, /*points_per_segment=*/9, rng());
    all_psd = all_psd && psd.psd;
    checks.AddRow({c.name, absl::StrCat(c.problem.features.rows()),
                   absl::StrCat(c.problem.features.cols()), FormatDouble(psd.min_eigenvalue),
                   FormatDouble(psd.max_eigenvalue), FormatDouble(psd.tolerance), FormatDouble(fd),
                   FormatDouble(autograd), absl::StrCat(violations), FormatBool(psd.psd)});
  }

  CsvTable proof({"claim", "holds", "residual"});
  bool proved = true;
  for (const auto& check :
       math::ProveLogisticConvexity(settings.symbolic_features, settings.symbolic_examples)) {
    proved = proved && check.holds;
    proof.AddRow({check.claim, FormatBool(check.holds), check.residual});
  }

  CsvTable steps(
      {"line", "claim", "holds", "residual", "follows_from_previous", "residual_vs_previous"});
  int wrong_lines = 0;
  for (const auto& line : math::CheckHomeworkDerivation(/*num_examples=*/2, /*num_features=*/2)) {
    if (line.holds == "false") ++wrong_lines;
    steps.AddRow({line.line, line.claim, line.holds, line.residual, line.follows_from_previous,
                  line.residual_vs_previous});
  }

  for (const auto& [table, name] :
       {std::pair{&checks, "q2_hessian_checks.csv"}, std::pair{&proof, "q2_symbolic_proof.csv"},
        std::pair{&steps, "q2_derivation_steps.csv"}}) {
    if (auto status = table->Write((out_dir / name).string()); !status.ok()) return status;
  }
  manifest["torch_version"] = TORCH_VERSION;
  manifest["ginac_version"] = GINACLIB_VERSION;
  manifest["eigen_version"] =
      absl::StrCat(EIGEN_WORLD_VERSION, ".", EIGEN_MAJOR_VERSION, ".", EIGEN_MINOR_VERSION);
  manifest["threads"] = torch::get_num_threads();
  manifest["precision"] = "fp64";
  manifest["derivation_examples_features"] = {2, 2};
  manifest["outputs"] = {"q2_hessian_checks.csv", "q2_symbolic_proof.csv",
                         "q2_derivation_steps.csv"};
  if (auto status = manifest.Write(out_dir.string()); !status.ok()) return status;
  std::printf(
      "q2_convexity: every Hessian PSD: %s; symbolic proof: %s; homework lines wrong as written: "
      "%d -> %s\n",
      all_psd ? "yes" : "NO", proved ? "holds" : "FAILED", wrong_lines, out_dir.c_str());
  return ConvexityOutcome{all_psd, proved, wrong_lines};
}

}  // namespace hw1::experiment
