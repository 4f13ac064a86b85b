#ifndef HW1_LIB_EXPERIMENT_BN_SWEEP_PLAN_H_
#define HW1_LIB_EXPERIMENT_BN_SWEEP_PLAN_H_

// What q4_bn_sweep prints before and after it trains: the plan with each run's
// state, the time estimate (in both precisions when the probe timed both), and
// the quick profile beside the committed full grid.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/data/cifar10.h"
#include "lib/experiment/bn_sweep_job.h"
#include "lib/experiment/precision_probe.h"
#include "lib/sweep/sweep_plan.h"
#include "lib/sweep/sweep_store.h"

namespace hw1::experiment {

// Prints the plan, one line per run with its state; returns the runs to train.
absl::StatusOr<std::vector<sweep::RunSpec>> PrintPlan(const BnSweepSettings& settings,
                                                      const SweepSetup& setup,
                                                      const std::vector<sweep::RunSpec>& plan,
                                                      const sweep::SweepStore& store,
                                                      const std::string& out_dir,
                                                      const std::optional<ProbeOutcome>& probe);

// The estimate: each arm's step and evaluation timed with the runs' threads
// and precision (the probe's timings, taken with `jobs` processes at once,
// for both precisions when it ran), scaled to the plan, scheduled on the job
// slots. Prints it and returns the seconds for the chosen precision.
double PrintEstimate(const sweep::SweepConfig& config, const std::vector<sweep::RunSpec>& todo,
                     int jobs, const data::Cifar10& data, const std::optional<ProbeOutcome>& probe);

// The quick profile's margins beside the committed full grid's
// (<workspace>/reports/data/q4_summary.csv), wherever --out_dir put the quick runs.
void PrintBesideFullGrid(const std::string& out_dir);

}  // namespace hw1::experiment

#endif  // HW1_LIB_EXPERIMENT_BN_SWEEP_PLAN_H_
