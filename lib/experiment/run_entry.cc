#include "lib/experiment/run_entry.h"

#include "lib/util/cpu_features.h"

namespace hw1::experiment {

nlohmann::json RunManifestEntry(const FinishedRun& run, const train::TrainResult& result,
                                const data::Cifar10& data, const Manifest& manifest) {
  const train::TrainOptions& o = run.options;
  return {{"arm", run.arm},
          {"init", run.init},
          {"lr", o.lr},
          {"seed", o.seed},
          {"epochs", o.epochs},
          {"batch_size", o.batch_size},
          {"decay", o.decay},
          {"input_scale", train::InputScaleName(o.input_scale)},
          {"precision", result.precision},
          {"device", result.device},
          {"threads", result.threads},
          {"host_kind", HostKind(DetectCpuFeatures())},
          {"onednn_isa", OneDnnIsa()},
          {"train_images", result.train_images},
          {"diverged", result.diverged},
          {"resumed_from_epoch", result.resumed_from_epoch},
          {"checkpoint", run.checkpoint},
          {"git_commit", manifest.json().value("git_commit", "")},
          {"data_md5", data.file_md5}};
}

}  // namespace hw1::experiment
