#include "lib/sweep/sweep_runner.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "lib/models/cifar_cnn.h"
#include "lib/train/fused_adam.h"
#include "lib/train/metrics_json.h"
#include "lib/train/trainer.h"

namespace hw1::sweep {
namespace {

// fork + exec of this program. Between the two only async-signal-safe calls:
// the parent runs LibTorch's OpenMP threads.
absl::StatusOr<pid_t> StartWorker(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0)
    return absl::InternalError(absl::StrCat("cannot start a worker: fork: ", std::strerror(errno)));
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(1);  // the parent died before prctl
    ::execv("/proc/self/exe", argv.data());
    ::_exit(127);
  }
  return pid;
}

std::string DescribeExit(int status) {
  if (WIFEXITED(status)) return absl::StrCat("exited with status ", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return absl::StrCat("was killed by signal ", WTERMSIG(status));
  return absl::StrCat("ended with wait status ", status);
}

}  // namespace

train::TrainOptions RunOptions(const RunSpec& run, const train::TrainOptions& base) {
  train::TrainOptions options = base;
  options.lr = run.lr;
  options.seed = run.seed;
  return options;
}

absl::StatusOr<train::TrainResult> TrainRun(const RunSpec& run, const data::Cifar10& data,
                                            const train::TrainOptions& base,
                                            const std::string& checkpoint_path,
                                            const train::EpochCallback& on_epoch,
                                            const probe::ProbeOptions& probe,
                                            const std::string& probe_dir) {
  models::CifarCnnOptions model_options;
  model_options.batchnorm = run.arm == "bn";
  absl::StatusOr<models::Init> init = models::ParseInit(run.init);
  if (!init.ok()) return init.status();
  model_options.init = *init;
  models::CifarCnn model(model_options);
  train::TrainOptions options = RunOptions(run, base);
  options.checkpoint_path = checkpoint_path;
  options.resume = true;
  if (!probe.enabled) return train::Train(model, data.train, data.test, options, on_epoch);
  if (absl::Status s = probe::ValidateProbeOptions(probe, data.train.size()); !s.ok()) return s;
  probe::TrainingProbe observer(probe, data.train, options, probe_dir, run.run_id);
  return train::Train(model, data.train, data.test, options, on_epoch, &observer);
}

Speed MeasureSpeed(const models::CifarCnnOptions& network, const train::TrainOptions& options,
                   const SpeedBudget& budget) {
  using Clock = std::chrono::steady_clock;
  models::CifarCnn model(network);
  train::ToChannelsLast(model);
  train::FusedAdam optimizer(model->parameters(), train::AdamOptionsFor(options));
  const bool bf16 = options.precision == train::Precision::kBf16;
  const torch::Device cpu(torch::kCPU);
  const torch::Tensor x = train::ToInput(torch::randint(
      0, 256, {options.batch_size, data::kChannels, data::kImageSide, data::kImageSide},
      torch::kUInt8));
  const torch::Tensor y = torch::randint(0, data::kNumClasses, {options.batch_size}, torch::kInt64);
  // Warm-up: oneDNN builds its kernels and the allocator its caches in the first steps.
  const auto warmup_start = Clock::now();
  for (int i = 0; i < budget.warmup_steps &&
                  std::chrono::duration<double>(Clock::now() - warmup_start).count() <
                      budget.max_warmup_seconds;
       ++i) {
    train::TrainStep(model, optimizer, x, y, options.lr, bf16, cpu).loss.item<float>();
  }
  Speed speed;
  int steps = 0;
  const auto start = Clock::now();
  double seconds = 0;
  while (steps < 1 || ((steps < budget.min_steps || seconds < budget.min_seconds) &&
                       seconds < budget.max_seconds)) {
    train::TrainStep(model, optimizer, x, y, options.lr, bf16, cpu).loss.item<float>();
    ++steps;
    seconds = std::chrono::duration<double>(Clock::now() - start).count();
  }
  speed.train_images_per_second = steps * options.batch_size / seconds;
  speed.step_ms = 1000.0 * seconds / steps;

  data::ImageSet images;  // evaluation batches of mid-grey pixels
  const int64_t n =
      static_cast<int64_t>(std::max(budget.eval_batches, 1)) * options.eval_batch_size;
  images.pixels.assign(static_cast<size_t>(n * data::kImageBytes), 128);
  images.labels.assign(static_cast<size_t>(n), 0);
  data::ImageSet one_batch = images;  // the warm-up
  one_batch.pixels.resize(static_cast<size_t>(options.eval_batch_size * data::kImageBytes));
  one_batch.labels.resize(static_cast<size_t>(options.eval_batch_size));
  if (budget.eval_warmup) train::Evaluate(model, one_batch, options);
  const auto eval_start = Clock::now();
  train::Evaluate(model, images, options);
  speed.eval_images_per_second =
      static_cast<double>(n) / std::chrono::duration<double>(Clock::now() - eval_start).count();
  return speed;
}

Speed MeasureSpeed(const std::string& arm, const train::TrainOptions& options) {
  models::CifarCnnOptions network;
  network.batchnorm = arm == "bn";
  train::TrainOptions resolved = options;
  resolved.precision = train::ResolvedPrecision(options) == "bf16" ? train::Precision::kBf16
                                                                   : train::Precision::kFp32;
  return MeasureSpeed(network, resolved);
}

absl::Status RunAllAtOnce(const std::vector<std::vector<std::string>>& commands) {
  std::map<pid_t, size_t> running;
  for (size_t i = 0; i < commands.size(); ++i) {
    absl::StatusOr<pid_t> pid = StartWorker(commands[i]);
    if (!pid.ok()) {
      for (const auto& [started, index] : running) ::kill(started, SIGTERM);
      for (const auto& [started, index] : running) ::waitpid(started, nullptr, 0);
      return pid.status();
    }
    running[*pid] = i;
  }
  absl::Status failure;
  while (!running.empty()) {
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      return absl::InternalError(absl::StrCat("waiting for the processes: ", std::strerror(errno)));
    }
    auto it = running.find(pid);
    if (it == running.end()) continue;
    const size_t index = it->second;
    running.erase(it);
    if (failure.ok() && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
      failure = absl::InternalError(absl::StrCat("process ", index + 1, " of ", commands.size(),
                                                 " (pid ", pid, ") ", DescribeExit(status),
                                                 "; its messages are above"));
    }
  }
  return failure;
}

absl::Status RunInWorkers(const std::vector<RunSpec>& runs, int jobs,
                          const std::vector<std::string>& program_args,
                          const std::function<std::string(const RunSpec&)>& result_path,
                          const RunDone& on_done, const WorkersTick& on_tick) {
  std::map<pid_t, RunSpec> running;
  size_t next = 0;
  absl::Status failure;
  auto stop_all = [&running] {
    for (const auto& [pid, run] : running) ::kill(pid, SIGTERM);
  };
  while ((failure.ok() && next < runs.size()) || !running.empty()) {
    while (failure.ok() && next < runs.size() && static_cast<int>(running.size()) < jobs) {
      std::vector<std::string> args = program_args;
      args.push_back(absl::StrCat("--worker_run=", runs[next].index));
      absl::StatusOr<pid_t> pid = StartWorker(args);
      if (!pid.ok()) {
        failure = pid.status();
        stop_all();
        break;
      }
      running[*pid] = runs[next++];
    }
    if (running.empty()) break;
    int status = 0;
    // With a tick: poll, so that it runs every few seconds while the workers train.
    const pid_t pid = ::waitpid(-1, &status, on_tick ? WNOHANG : 0);
    if (pid == 0) {
      on_tick();
      std::this_thread::sleep_for(std::chrono::seconds(2));
      continue;
    }
    if (pid < 0) {
      if (errno == EINTR) continue;
      return absl::InternalError(absl::StrCat("waiting for the workers: ", std::strerror(errno)));
    }
    auto it = running.find(pid);
    if (it == running.end()) continue;  // not a worker of ours
    const RunSpec run = it->second;
    running.erase(it);
    if (!failure.ok()) continue;  // stopping: their checkpoints stay for the next call
    absl::Status outcome;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      absl::StatusOr<train::TrainResult> result = train::ReadTrainResult(result_path(run));
      outcome = result.ok() ? on_done(run, *result) : result.status();
    } else {
      outcome =
          absl::InternalError(absl::StrCat("the worker of run ", run.run_id, " (pid ", pid, ") ",
                                           DescribeExit(status), "; its messages are above"));
    }
    if (!outcome.ok()) {
      failure = outcome;
      stop_all();
    }
  }
  return failure;
}

}  // namespace hw1::sweep
