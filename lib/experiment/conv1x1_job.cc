#include "lib/experiment/conv1x1_job.h"

#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/experiment/experiment.h"
#include "lib/math/conv1x1.h"
#include "lib/util/csv.h"

namespace hw1::experiment {
namespace {

struct Case {
  int c_in, c_out;
  std::string weight_kind;
  bool has_bias;
};

Eigen::MatrixXd MakeWeight(const Case& c, std::mt19937_64& rng) {
  std::normal_distribution<double> normal;
  auto random = [&] {
    Eigen::MatrixXd w(c.c_out, c.c_in);
    for (int o = 0; o < c.c_out; ++o)
      for (int i = 0; i < c.c_in; ++i) w(o, i) = normal(rng);
    return w;
  };
  const Eigen::MatrixXd eye = Eigen::MatrixXd::Identity(c.c_out, c.c_in);
  if (c.weight_kind == "random") return random();
  if (c.weight_kind == "s*I (s=2)") return 2.0 * eye;
  if (c.weight_kind == "s*I (s=1)") return eye;
  if (c.weight_kind == "s*I (s=0)") return 0.0 * eye;
  if (c.weight_kind == "s*I (s=-1.5)") return -1.5 * eye;
  if (c.weight_kind == "diagonal, unequal") {
    Eigen::MatrixXd w = 2.0 * eye;
    w(0, 0) = 3.0;
    return w;
  }
  if (c.weight_kind == "s*I plus one off-diagonal entry") {
    Eigen::MatrixXd w = 2.0 * eye;
    w(0, c.c_in - 1) = 0.5;
    return w;
  }
  return Eigen::MatrixXd();  // unreachable: every kind of kCases is handled above
}

torch::Tensor ToTensor(const Eigen::MatrixXd& w) {
  torch::Tensor t = torch::empty({w.rows(), w.cols(), 1, 1}, torch::kFloat64);
  auto a = t.accessor<double, 4>();
  for (Eigen::Index o = 0; o < w.rows(); ++o)
    for (Eigen::Index i = 0; i < w.cols(); ++i) a[o][i][0][0] = w(o, i);
  return t;
}

// The grid: each weight kind at the sizes where it tells something.
const std::vector<Case>& Cases() {
  static const auto* cases = new std::vector<Case>{
      {1, 1, "random", false},
      {1, 1, "random", true},
      {3, 3, "s*I (s=2)", false},
      {3, 3, "s*I (s=2)", true},
      {3, 3, "s*I (s=1)", false},
      {3, 3, "s*I (s=0)", false},
      {3, 3, "s*I (s=-1.5)", false},
      {64, 64, "s*I (s=2)", false},
      {3, 3, "diagonal, unequal", false},
      {3, 3, "s*I plus one off-diagonal entry", false},
      {3, 3, "random", false},
      {2, 3, "random", false},
      {3, 1, "random", false},
      {3, 2, "random", true},
  };
  return *cases;
}

}  // namespace

absl::StatusOr<int> CheckConv1x1(const Conv1x1Settings& settings, Manifest& manifest) {
  if (settings.num_inputs < 1 || settings.image_size < 1) {
    return absl::InvalidArgumentError("--num_inputs and --image_size must be >= 1");
  }
  const std::string out_dir = OutDir().string();
  torch::manual_seed(settings.seed);
  std::mt19937_64 rng(settings.seed);

  const std::vector<Case>& cases = Cases();

  CsvTable table({"c_in", "c_out", "weight_kind", "has_bias", "max_abs_diff", "equivalent",
                  "predicted", "predicted_scalar"});
  int disagreements = 0;
  for (const Case& c : cases) {
    const Eigen::MatrixXd weight = MakeWeight(c, rng);
    Eigen::VectorXd bias;
    if (c.has_bias) {
      bias = Eigen::VectorXd::Constant(c.c_out, 0.1);
    }
    const std::optional<double> predicted = math::ScalarEquivalent(weight, bias);

    // The convolution as LibTorch computes it, over random inputs.
    const torch::Tensor x = torch::randn(
        {settings.num_inputs, c.c_in, settings.image_size, settings.image_size}, torch::kFloat64);
    torch::Tensor b;
    if (c.has_bias) b = torch::full({c.c_out}, 0.1, torch::kFloat64);
    const torch::Tensor y = torch::conv2d(x, ToTensor(weight), b);

    std::string max_abs_diff;  // empty: output and input shapes differ, no scalar can match
    bool equivalent = false;
    if (c.c_in == c.c_out) {
      const double s = (x * y).sum().item<double>() / (x * x).sum().item<double>();
      const double diff = (y - s * x).abs().max().item<double>();
      const double scale = std::max(1.0, y.abs().max().item<double>());
      max_abs_diff = FormatDouble(diff);
      equivalent = diff <= 1e-12 * scale;
    }
    if (equivalent != predicted.has_value()) ++disagreements;
    table.AddRow({absl::StrCat(c.c_in), absl::StrCat(c.c_out), c.weight_kind,
                  FormatBool(c.has_bias), max_abs_diff, FormatBool(equivalent),
                  FormatBool(predicted.has_value()), predicted ? FormatDouble(*predicted) : ""});
  }

  const std::string csv_path = (std::filesystem::path(out_dir) / "q1_conv1x1.csv").string();
  if (auto status = table.Write(csv_path); !status.ok()) return status;
  manifest["torch_version"] = TORCH_VERSION;
  manifest["eigen_version"] =
      absl::StrCat(EIGEN_WORLD_VERSION, ".", EIGEN_MAJOR_VERSION, ".", EIGEN_MINOR_VERSION);
  manifest["threads"] = torch::get_num_threads();
  manifest["precision"] = "fp64";
  manifest["outputs"] = {"q1_conv1x1.csv"};
  manifest["cases"] = cases.size();
  manifest["disagreements"] = disagreements;
  if (auto status = manifest.Write(out_dir); !status.ok()) return status;
  std::printf("q1_conv1x1: %zu cases, %d where the condition disagrees with torch::conv2d -> %s\n",
              cases.size(), disagreements, csv_path.c_str());
  return disagreements;
}

}  // namespace hw1::experiment
