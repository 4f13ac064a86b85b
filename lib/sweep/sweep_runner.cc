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
                                            const std::string& checkpoint_path) {
  models::CifarCnnOptions model_options;
  model_options.batchnorm = run.arm == "bn";
  absl::StatusOr<models::Init> init = models::ParseInit(run.init);
  if (!init.ok()) return init.status();
  model_options.init = *init;
  models::CifarCnn model(model_options);
  train::TrainOptions options = RunOptions(run, base);
  options.checkpoint_path = checkpoint_path;
  options.resume = true;
  return train::Train(model, data.train, data.test, options);
}

Speed MeasureSpeed(const std::string& arm, const train::TrainOptions& options) {
  using Clock = std::chrono::steady_clock;
  models::CifarCnnOptions model_options;
  model_options.batchnorm = arm == "bn";
  models::CifarCnn model(model_options);
  train::ToChannelsLast(model);
  train::FusedAdam optimizer(model->parameters(), train::AdamOptionsFor(options));
  const bool bf16 = train::ResolvedPrecision(options) == "bf16";
  const torch::Device cpu(torch::kCPU);
  const torch::Tensor x = train::ToInput(torch::randint(
      0, 256, {options.batch_size, data::kChannels, data::kImageSide, data::kImageSide},
      torch::kUInt8));
  const torch::Tensor y = torch::randint(0, data::kNumClasses, {options.batch_size}, torch::kInt64);
  // Warm-up: oneDNN builds its kernels and the allocator its caches in the first steps.
  for (int i = 0; i < 5; ++i) train::TrainStep(model, optimizer, x, y, options.lr, bf16, cpu);
  Speed speed;
  int steps = 0;
  const auto start = Clock::now();
  double seconds = 0;
  while (steps < 10 || seconds < 1.0) {
    train::TrainStep(model, optimizer, x, y, options.lr, bf16, cpu).loss.item<float>();
    ++steps;
    seconds = std::chrono::duration<double>(Clock::now() - start).count();
  }
  speed.train_images_per_second = steps * options.batch_size / seconds;

  data::ImageSet images;  // two evaluation batches of random pixels
  const int64_t n = 2 * options.eval_batch_size;
  images.pixels.assign(static_cast<size_t>(n * data::kImageBytes), 128);
  images.labels.assign(static_cast<size_t>(n), 0);
  train::Evaluate(model, images, options);  // warm-up
  const auto eval_start = Clock::now();
  train::Evaluate(model, images, options);
  speed.eval_images_per_second =
      static_cast<double>(n) / std::chrono::duration<double>(Clock::now() - eval_start).count();
  return speed;
}

absl::Status RunInWorkers(const std::vector<RunSpec>& runs, int jobs,
                          const std::vector<std::string>& program_args,
                          const std::function<std::string(const RunSpec&)>& result_path,
                          const RunDone& on_done) {
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
    const pid_t pid = ::waitpid(-1, &status, 0);
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
