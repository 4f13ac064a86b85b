#include "lib/math/autograd_reference.h"

#include <torch/torch.h>

namespace hw1::math {
namespace {

torch::Tensor ToTensor(const Eigen::MatrixXd& m) {
  // Eigen is column-major: copy into a row-major tensor element by element.
  torch::Tensor t = torch::empty({m.rows(), m.cols()}, torch::kFloat64);
  auto a = t.accessor<double, 2>();
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j) a[i][j] = m(i, j);
  return t;
}

}  // namespace

Eigen::MatrixXd AutogradHessian(const LogisticProblem& problem, const Eigen::VectorXd& params) {
  torch::NoGradGuard no_grad_outside;
  const torch::Tensor design = ToTensor(problem.Design());
  const torch::Tensor labels = ToTensor(problem.labels).reshape({-1});
  const torch::Tensor penalty_mask = [&] {
    torch::Tensor mask = torch::ones({params.size()}, torch::kFloat64);
    if (problem.intercept) mask[params.size() - 1] = 0.0;
    return mask;
  }();
  torch::Tensor w = ToTensor(params).reshape({-1}).requires_grad_(true);

  torch::AutoGradMode enable_grad(true);
  const torch::Tensor z = torch::mv(design, w);
  // softplus(z) - y z: the same loss, written with LibTorch's own stable softplus.
  const torch::Tensor loss = (torch::nn::functional::softplus(z) - labels * z).sum() +
                             0.5 * problem.l2 * (penalty_mask * w * w).sum();
  const torch::Tensor grad =
      torch::autograd::grad({loss}, {w}, /*grad_outputs=*/{}, /*retain_graph=*/true,
                            /*create_graph=*/true)[0];
  const Eigen::Index p = params.size();
  Eigen::MatrixXd hessian(p, p);
  for (Eigen::Index j = 0; j < p; ++j) {
    const torch::Tensor row = torch::autograd::grad({grad[j]}, {w}, {}, /*retain_graph=*/true)[0];
    auto a = row.accessor<double, 1>();
    for (Eigen::Index k = 0; k < p; ++k) hessian(j, k) = a[k];
  }
  return hessian;
}

}  // namespace hw1::math
