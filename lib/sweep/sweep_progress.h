#ifndef HW1_LIB_SWEEP_SWEEP_PROGRESS_H_
#define HW1_LIB_SWEEP_SWEEP_PROGRESS_H_

// One line of a sweep's overall progress, printed after each finished epoch:
//   progress: 3/40 runs, 7/40 epochs, elapsed 18m2s, ETA 1h25m (from 7 epochs trained here)
// The ETA divides the epochs left by the rate of the epochs this call has
// trained so far (all runs at once together), so it is re-estimated with every
// epoch; epochs a resumed run had trained before this call count as done but
// not toward the rate.

#include <map>
#include <string>

namespace hw1::sweep {

class SweepProgress {
 public:
  // `runs` to train in this call, `epochs_per_run` each.
  SweepProgress(int runs, int epochs_per_run);

  // Run `run_id` has finished `epoch` epochs (its own count, 1-based). Returns
  // true when that is news (a later epoch than last reported).
  bool EpochDone(const std::string& run_id, int epoch);
  // Run `run_id` is recorded (all its epochs, or it diverged and stops early).
  void RunDone(const std::string& run_id);

  // The line, at `elapsed_seconds` since the sweep started training.
  std::string Line(double elapsed_seconds) const;

  int epochs_done() const;
  int epochs_trained_here() const;

 private:
  struct RunState {
    int first_reported = 0;  // the first epoch this call saw (resumed runs start later)
    int last_reported = 0;
    bool done = false;
  };
  int runs_;
  int epochs_per_run_;
  std::map<std::string, RunState> state_;
};

// "1h25m", "18m2s", "42s".
std::string ShortDuration(double seconds);

}  // namespace hw1::sweep

#endif  // HW1_LIB_SWEEP_SWEEP_PROGRESS_H_
