#include "lib/sweep/sweep_progress.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_format.h"

namespace hw1::sweep {

SweepProgress::SweepProgress(int runs, int epochs_per_run)
    : runs_(runs), epochs_per_run_(epochs_per_run) {}

bool SweepProgress::EpochDone(const std::string& run_id, int epoch) {
  RunState& run = state_[run_id];
  if (epoch <= run.last_reported) return false;
  if (run.first_reported == 0) run.first_reported = epoch;
  run.last_reported = epoch;
  return true;
}

void SweepProgress::RunDone(const std::string& run_id) {
  RunState& run = state_[run_id];
  run.done = true;
}

int SweepProgress::epochs_done() const {
  int done = 0;
  for (const auto& [id, run] : state_) done += run.done ? epochs_per_run_ : run.last_reported;
  return std::min(done, runs_ * epochs_per_run_);
}

int SweepProgress::epochs_trained_here() const {
  int trained = 0;
  for (const auto& [id, run] : state_) {
    if (run.first_reported > 0) trained += run.last_reported - run.first_reported + 1;
  }
  return trained;
}

std::string SweepProgress::Line(double elapsed_seconds) const {
  int runs_done = 0;
  for (const auto& [id, run] : state_) runs_done += run.done ? 1 : 0;
  const int total = runs_ * epochs_per_run_;
  const int done = epochs_done();
  const int trained = epochs_trained_here();
  std::string eta;
  if (done >= total) {
    eta = "done";
  } else if (trained == 0 || elapsed_seconds <= 0) {
    eta = "ETA after the first epoch";
  } else {
    eta = absl::StrFormat("ETA %s (from %d epoch%s trained here)",
                          ShortDuration(elapsed_seconds / trained * (total - done)), trained,
                          trained == 1 ? "" : "s");
  }
  return absl::StrFormat("progress: %d/%d runs, %d/%d epochs, elapsed %s, %s", runs_done, runs_,
                         done, total, ShortDuration(elapsed_seconds), eta);
}

std::string ShortDuration(double seconds) {
  const long s = std::lround(std::max(seconds, 0.0));
  if (s >= 3600) return absl::StrFormat("%ldh%02ldm", s / 3600, (s % 3600) / 60);
  if (s >= 60) return absl::StrFormat("%ldm%02lds", s / 60, s % 60);
  return absl::StrFormat("%lds", s);
}

}  // namespace hw1::sweep
