// For pth_export_test: writes two seeded networks (the baseline, and the BN
// network with running statistics away from their start) as q3_train_cnn
// exports them for Python (<dir>/<name>.pth), and their eval-mode logits on a
// fixed input (<dir>/<name>_logits.csv), which the test recomputes in PyTorch.

#include <torch/torch.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "lib/models/cifar_cnn.h"
#include "lib/train/weights_io.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: export_weights_main OUT_DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  for (bool batchnorm : {false, true}) {
    torch::manual_seed(3);
    hw1::models::CifarCnnOptions options;
    options.batchnorm = batchnorm;
    hw1::models::CifarCnn model(options);
    torch::NoGradGuard no_grad;
    if (batchnorm) {
      model->train();
      for (int i = 0; i < 20; ++i) model->forward(torch::rand({8, 3, 32, 32}) * 2);
      for (auto& item : model->named_parameters()) {
        if (item.key().rfind("bn", 0) == 0) item.value().uniform_(0.5, 1.5);
      }
    }
    model->eval();
    // The input Python rebuilds: 0, 1/n, 2/n, … in N×C×H×W order, N = 4.
    const int64_t n = 4 * 3 * 32 * 32;
    const torch::Tensor x =
        torch::arange(n, torch::kFloat64).div(n).to(torch::kFloat32).view({4, 3, 32, 32});
    const torch::Tensor logits = model->forward(x).contiguous();
    const std::string name = batchnorm ? "bn" : "baseline";
    if (auto status = hw1::train::ExportWeightsForPython(model, dir + "/" + name + ".pth");
        !status.ok()) {
      std::fprintf(stderr, "%s\n", status.ToString().c_str());
      return 1;
    }
    std::ofstream csv(dir + "/" + name + "_logits.csv");
    csv.precision(9);  // float's round-trip digits
    const float* v = logits.data_ptr<float>();
    for (int64_t i = 0; i < logits.size(0); ++i) {
      for (int64_t j = 0; j < logits.size(1); ++j)
        csv << (j ? "," : "") << v[i * logits.size(1) + j];
      csv << "\n";
    }
  }
  return 0;
}
