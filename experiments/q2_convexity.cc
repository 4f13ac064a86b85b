// Q2: logistic-regression loss is convex, checked numerically and
// symbolically, and the homework's derivation line by line. What it writes:
// lib/experiment/convexity_job.h. Exits 1 when a Hessian is not PSD or the
// symbolic proof fails.

#include <gflags/gflags.h>

#include "lib/experiment/convexity_job.h"
#include "lib/experiment/experiment.h"

DEFINE_uint64(seed, 0, "Seed for the data sets and parameters");
DEFINE_int32(jensen_segments, 200, "Random segments per case for the Jensen check");
DEFINE_int32(symbolic_features, 3, "Features d in the symbolic proof");
DEFINE_int32(symbolic_examples, 2, "Examples n in the symbolic quadratic-form proof");

int main(int argc, char** argv) {
  hw1::Manifest manifest = hw1::experiment::Start(
      "q2_convexity", "Q2: convexity of the logistic-regression loss, checked", &argc, &argv);
  hw1::experiment::ConvexitySettings settings;
  settings.seed = FLAGS_seed;
  settings.jensen_segments = FLAGS_jensen_segments;
  settings.symbolic_features = FLAGS_symbolic_features;
  settings.symbolic_examples = FLAGS_symbolic_examples;
  const absl::StatusOr<hw1::experiment::ConvexityOutcome> outcome =
      hw1::experiment::CheckConvexity(settings, manifest);
  if (!outcome.ok()) return hw1::experiment::Fail("q2_convexity", outcome.status());
  return outcome->every_hessian_psd && outcome->symbolic_proof_holds ? 0 : 1;
}
