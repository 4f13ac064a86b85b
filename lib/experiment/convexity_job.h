#ifndef HW1_LIB_EXPERIMENT_CONVEXITY_JOB_H_
#define HW1_LIB_EXPERIMENT_CONVEXITY_JOB_H_

// Q2 from its settings to its files: logistic-regression loss is convex.
// Checks the Hessian numerically on random and hard data (finite differences,
// LibTorch autograd, eigenvalues, Jensen along segments) and symbolically
// (GiNaC), and checks the homework's derivation line by line. Everything
// q2_convexity does once its flags are read. Writes q2_hessian_checks.csv,
// q2_symbolic_proof.csv, q2_derivation_steps.csv and q2_convexity.manifest.json
// to OutDir().

#include <cstdint>

#include "absl/status/statusor.h"
#include "lib/util/run_context.h"

namespace hw1::experiment {

struct ConvexitySettings {
  uint64_t seed = 0;          // the data sets and parameters
  int jensen_segments = 200;  // random segments per case for the Jensen check
  int symbolic_features = 3;  // features d in the symbolic proof
  int symbolic_examples = 2;  // examples n in the symbolic quadratic-form proof
};

// What the checks found.
struct ConvexityOutcome {
  bool every_hessian_psd = false;
  bool symbolic_proof_holds = false;
  int homework_lines_wrong = 0;  // lines of the homework's derivation wrong as written
};

// Errors name the flag or the file.
absl::StatusOr<ConvexityOutcome> CheckConvexity(const ConvexitySettings& settings,
                                                Manifest& manifest);

}  // namespace hw1::experiment

#endif  // HW1_LIB_EXPERIMENT_CONVEXITY_JOB_H_
