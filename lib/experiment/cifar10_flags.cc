#include "lib/experiment/cifar10_flags.h"

#include <string>

#include "lib/data/cifar10_download.h"
#include "lib/util/run_context.h"

DEFINE_string(data_dir, "",
              "CIFAR-10 binary folder (default: $CIFAR10_DIR, then "
              "~/.cache/hw1-repro/cifar10/cifar-10-batches-bin)");
DEFINE_bool(partial_data, false,
            "Accept CIFAR-10 batch files with fewer than the official 10,000 records (a subset "
            "copy, a test fixture)");
DEFINE_bool(download, true,
            "Download the official archive into the default cache folder when no data is found "
            "there");

namespace hw1::experiment {

data::LoadOptions LoadOptionsFromFlags(int64_t train_limit, int64_t test_limit) {
  data::LoadOptions load;
  load.require_official_sizes = !FLAGS_partial_data;
  load.train_limit = train_limit;
  load.test_limit = test_limit;
  return load;
}

absl::StatusOr<data::Cifar10> LoadCifar10FromFlags(int64_t train_limit, int64_t test_limit) {
  absl::StatusOr<std::string> dir =
      data::LocateOrDownloadCifar10(ResolveUserPath(FLAGS_data_dir), FLAGS_download);
  if (!dir.ok()) return dir.status();
  return data::LoadCifar10(*dir, LoadOptionsFromFlags(train_limit, test_limit));
}

}  // namespace hw1::experiment
