#include "lib/experiment/feature_maps_job.h"

#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/data/cifar10.h"
#include "lib/experiment/cifar10_flags.h"
#include "lib/experiment/experiment.h"
#include "lib/train/trainer.h"
#include "lib/train/weights_io.h"
#include "lib/util/csv.h"
#include "lib/util/list_flags.h"
#include "lib/vis/feature_maps.h"

namespace hw1::experiment {
namespace {

torch::Tensor Images(const data::ImageSet& set, int64_t count) {
  const int64_t n = std::min<int64_t>(count, set.size());
  torch::Tensor bytes =
      torch::from_blob(const_cast<uint8_t*>(set.pixels.data()),
                       {n, data::kChannels, data::kImageSide, data::kImageSide}, torch::kUInt8);
  return bytes.to(torch::kFloat32).div(255.0);
}

void AddMapRows(CsvTable* table, const std::string& method, int layer, int64_t channel, int rank,
                int64_t image, int64_t label, int64_t predicted, double score,
                const torch::Tensor& map) {
  const torch::Tensor m = map.to(torch::kFloat64).contiguous();
  auto a = m.accessor<double, 2>();
  for (int64_t y = 0; y < m.size(0); ++y) {
    for (int64_t x = 0; x < m.size(1); ++x) {
      table->AddRow({method, absl::StrCat(layer), absl::StrCat(channel), absl::StrCat(rank),
                     absl::StrCat(image), absl::StrCat(label), absl::StrCat(predicted),
                     FormatDouble(score), absl::StrCat(y), absl::StrCat(x), FormatDouble(a[y][x])});
    }
  }
}

}  // namespace

absl::StatusOr<FeatureMapsSetup> SetUpFeatureMaps(const FeatureMapsSettings& settings) {
  if (settings.weights.empty()) {
    return absl::InvalidArgumentError("--weights is required (a .pt file written by q3_train_cnn)");
  }
  if (settings.num_images < 1 || settings.top_k < 1 || settings.evidence_images < 1) {
    return absl::InvalidArgumentError("--num_images, --top_k and --evidence_images must be >= 1");
  }
  FeatureMapsSetup setup;
  absl::StatusOr<std::vector<int64_t>> layer_list =
      ParseIntListInRange("layers", settings.layers, 1, 4);
  if (!layer_list.ok()) return layer_list.status();
  setup.layers.assign(layer_list->begin(), layer_list->end());
  setup.network.batchnorm = settings.batchnorm;
  absl::StatusOr<std::array<int64_t, 4>> widths = models::ParseWidths(settings.widths);
  if (!widths.ok()) return widths.status();
  setup.network.widths = *widths;  // dropout rates do not matter in eval mode

  // Channels: given per layer, or three drawn per layer.
  const auto& w = setup.network.widths;
  const int64_t layer_channels[] = {0, w[0], w[1], w[2], w[3]};
  if (!settings.channels.empty()) {
    std::vector<std::string> groups = absl::StrSplit(settings.channels, ';');
    if (groups.size() != setup.layers.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--channels=", settings.channels, ": one group per layer in --layers"));
    }
    for (size_t i = 0; i < setup.layers.size(); ++i) {
      const int layer = setup.layers[i];
      auto list = ParseIntListInRange("channels", groups[i], 0, layer_channels[layer] - 1);
      if (!list.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(list.status().message(), " (layer ", layer,
                                                       " has ", layer_channels[layer],
                                                       " channels)"));
      }
      setup.channels[layer] = *list;
    }
  } else {
    for (int layer : setup.layers)
      setup.channels[layer] = vis::ChooseChannels(layer_channels[layer], 3, settings.seed + layer);
  }
  return setup;
}

absl::Status DrawFeatureMaps(const FeatureMapsSettings& settings, Manifest& manifest) {
  absl::StatusOr<FeatureMapsSetup> setup = SetUpFeatureMaps(settings);
  if (!setup.ok()) return setup.status();
  train::ConfigureThreads(settings.threads);
  const std::vector<int>& layers = setup->layers;
  std::map<int, std::vector<int64_t>>& channels = setup->channels;
  models::CifarCnn model(setup->network);
  const std::string weights = ResolveUserPath(settings.weights);
  if (absl::Status s = train::LoadWeights(model, weights); !s.ok()) return s;
  model->eval();
  torch::manual_seed(settings.seed);
  models::CifarCnn random_model(setup->network);  // Keras initialisation, untrained
  random_model->eval();

  absl::StatusOr<data::Cifar10> data = LoadCifar10FromFlags(
      /*train_limit=*/1, /*test_limit=*/std::max(settings.num_images, settings.evidence_images));
  if (!data.ok()) return data.status();
  const torch::Tensor pool = Images(data->test, settings.num_images);
  const torch::Tensor evidence_pool = Images(data->test, settings.evidence_images);
  const auto& labels = data->test.labels;

  CsvTable maps({"method", "layer", "channel", "rank", "image_index", "label", "predicted", "score",
                 "y", "x", "value"});
  CsvTable top({"layer", "channel", "rank", "image_index", "label", "predicted", "max_activation",
                "y", "x", "rf_size", "rf_top", "rf_left", "rf_bottom", "rf_right"});
  CsvTable sanity({"method", "layer", "channel", "image_index", "spearman"});
  std::set<int64_t> used_images;

  for (int layer : layers) {
    const vis::LayerGradients g = vis::PredictedClassGradients(model, pool, layer);
    const vis::LayerGradients r = vis::PredictedClassGradients(random_model, pool, layer);
    std::set<int64_t> layer_images;
    torch::Tensor evidence_maps, predicted;
    {
      torch::NoGradGuard no_grad;
      const models::CnnOutput out = model->ForwardWithActivations(evidence_pool);
      evidence_maps = out.conv_activations[static_cast<size_t>(layer - 1)];
      predicted = out.logits.argmax(1);
    }
    for (int64_t channel : channels[layer]) {
      const std::vector<int64_t> best = vis::TopK(g.pooled.select(1, channel), settings.top_k);
      for (size_t rank = 0; rank < best.size(); ++rank) {
        const int64_t n = best[rank];
        const torch::Tensor heat = vis::HomeworkHeatmap(g, n, channel);
        AddMapRows(&maps, "homework", layer, channel, static_cast<int>(rank + 1), n, labels[n],
                   g.predicted[n].item<int64_t>(), g.pooled[n][channel].item<double>(), heat);
        sanity.AddRow(
            {"homework", absl::StrCat(layer), absl::StrCat(channel), absl::StrCat(n),
             FormatDouble(vis::SpearmanCorrelation(heat, vis::HomeworkHeatmap(r, n, channel)))});
        layer_images.insert(n);
      }
      // Dataset evidence: the largest single activation of this channel.
      const torch::Tensor activations = evidence_maps.select(1, channel);
      const std::vector<int64_t> strongest =
          vis::TopK(std::get<0>(activations.flatten(1).max(1)), settings.top_k * 2);
      for (size_t rank = 0; rank < strongest.size(); ++rank) {
        const int64_t n = strongest[rank];
        const int64_t where = activations[n].flatten().argmax().item<int64_t>();
        const int y = static_cast<int>(where / activations.size(2)),
                  x = static_cast<int>(where % activations.size(2));
        const vis::ReceptiveField rf = vis::UnitReceptiveField(layer, y, x);
        top.AddRow({absl::StrCat(layer), absl::StrCat(channel), absl::StrCat(rank + 1),
                    absl::StrCat(n), absl::StrCat(labels[n]),
                    absl::StrCat(predicted[n].item<int64_t>()),
                    FormatDouble(activations[n][y][x].item<double>()), absl::StrCat(y),
                    absl::StrCat(x), absl::StrCat(rf.size), absl::StrCat(rf.top),
                    absl::StrCat(rf.left), absl::StrCat(rf.bottom), absl::StrCat(rf.right)});
        used_images.insert(n);
      }
    }
    for (int64_t n : layer_images) {
      const torch::Tensor cam = vis::GradCam(g, n);
      AddMapRows(&maps, "gradcam", layer, -1, 0, n, labels[n], g.predicted[n].item<int64_t>(),
                 g.score[n].item<double>(), cam);
      sanity.AddRow({"gradcam", absl::StrCat(layer), "-1", absl::StrCat(n),
                     FormatDouble(vis::SpearmanCorrelation(cam, vis::GradCam(r, n)))});
      used_images.insert(n);
    }
  }

  CsvTable pixels({"image_index", "label", "y", "x", "r", "g", "b"});
  for (int64_t n : used_images) {
    const uint8_t* image = data->test.pixels.data() + n * data::kImageBytes;
    constexpr int kSide = data::kImageSide, kPlane = kSide * kSide;  // channel-major bytes
    for (int y = 0; y < kSide; ++y) {
      for (int x = 0; x < kSide; ++x) {
        const int at = y * kSide + x;
        pixels.AddRow({absl::StrCat(n), absl::StrCat(labels[n]), absl::StrCat(y), absl::StrCat(x),
                       absl::StrCat(image[at]), absl::StrCat(image[kPlane + at]),
                       absl::StrCat(image[2 * kPlane + at])});
      }
    }
  }

  const std::filesystem::path out_dir = OutDir();
  for (const auto& [table, name] :
       {std::pair{&maps, "q3_feature_maps.csv"}, std::pair{&top, "q3_top_activations.csv"},
        std::pair{&pixels, "q3_feature_images.csv"}, std::pair{&sanity, "q3_sanity.csv"}}) {
    if (absl::Status s = table->Write((out_dir / name).string()); !s.ok()) return s;
  }
  manifest["weights"] = weights;
  manifest["channels"] = channels;
  manifest["class_names"] = data->class_names;
  manifest["data"] = {{"dir", data->dir}, {"md5", data->file_md5}};
  manifest["torch_version"] = TORCH_VERSION;
  manifest["precision"] = "fp32";
  manifest["threads"] = torch::get_num_threads();
  if (absl::Status s = manifest.Write(out_dir.string()); !s.ok()) return s;
  std::printf("q3_feature_maps: %zu layers, %zu images -> %s\n", layers.size(), used_images.size(),
              out_dir.c_str());
  return absl::OkStatus();
}

}  // namespace hw1::experiment
