#include "lib/train/run_id.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace hw1::train {

std::string MakeRunId(const RunIdentity& run) {
  std::string id = absl::StrFormat("%s_lr%g_seed%d_%s_t%d", run.arm, run.lr, run.seed,
                                   run.precision, run.threads);
  if (run.batch_size != kHomeworkBatchSize) absl::StrAppend(&id, "_b", run.batch_size);
  if (run.decay != kHomeworkDecay) absl::StrAppend(&id, absl::StrFormat("_decay%g", run.decay));
  if (run.epochs != kHomeworkEpochs) absl::StrAppend(&id, "_e", run.epochs);
  if (run.train_limit >= 0) absl::StrAppend(&id, "_train", run.train_limit);
  if (run.test_limit >= 0) absl::StrAppend(&id, "_test", run.test_limit);
  if (run.libtorch != kReferenceLibTorch) absl::StrAppend(&id, "_torch", run.libtorch);
  if (run.init != "keras") absl::StrAppend(&id, "_init", run.init);
  if (!run.architecture.empty()) absl::StrAppend(&id, "_", run.architecture);
  if (run.input_scale != "unit") absl::StrAppend(&id, "_input", run.input_scale);
  return id;
}

std::string CheckpointFile(const std::string& program, const std::string& run_id) {
  return absl::StrCat("checkpoints/", program, "/", run_id, ".ckpt");
}

}  // namespace hw1::train
