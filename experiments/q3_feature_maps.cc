// Q3 (c): what makes a feature map fire. Loads weights from q3_train_cnn and,
// for three channels in each of --layers, writes to --out_dir:
//   q3_feature_maps.csv      heatmaps: the homework's variant (pooled gradient ×
//                            that channel's map, top --top_k of --num_images test
//                            images by pooled gradient) and standard Grad-CAM of
//                            the predicted class for the same images
//   q3_top_activations.csv   per channel, the test images with the largest
//                            maximum activation and the input patch (receptive
//                            field) under that unit
//   q3_feature_images.csv    the pixels of every image used
//   q3_sanity.csv            Spearman correlation of each map with the same map
//                            from a model with random weights (Adebayo et al. 2018)
//   q3_feature_maps.manifest.json

#include <gflags/gflags.h>
#include <torch/torch.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/data/cifar10.h"
#include "lib/experiment/cifar10_flags.h"
#include "lib/experiment/experiment.h"
#include "lib/models/cifar_cnn.h"
#include "lib/train/trainer.h"
#include "lib/train/weights_io.h"
#include "lib/util/csv.h"
#include "lib/util/list_flags.h"
#include "lib/util/run_context.h"
#include "lib/vis/feature_maps.h"

DEFINE_string(weights, "", "Weights written by q3_train_cnn (<out_dir>/weights/<run_id>.pt)");
DEFINE_bool(batchnorm, false, "The weights are of the BatchNorm variant");
DEFINE_string(
    widths, "32,32,64,64",
    "Channels of the four conv layers the weights were trained with (q3_train_cnn --widths)");
DEFINE_string(layers, "1,2,4", "Conv layers (1-4) to visualise");
DEFINE_string(
    channels, "",
    "Channels per layer, e.g. '3,8,26;3,37,49;25,51,55' (default: three per layer from --seed)");
DEFINE_uint64(seed, 0, "Seed for choosing channels and for the random-weights model");
DEFINE_int32(num_images, 100, "Test images the homework variant ranks");
DEFINE_int32(top_k, 2, "Images kept per channel");
DEFINE_int32(evidence_images, 1000, "Test images searched for the largest activations");
DEFINE_int32(threads, 0, "Intra-op threads (0: every core)");

namespace {

int Fail(const absl::Status& status) { return hw1::experiment::Fail("q3_feature_maps", status); }

torch::Tensor Images(const hw1::data::ImageSet& set, int64_t count) {
  const int64_t n = std::min<int64_t>(count, set.size());
  torch::Tensor bytes =
      torch::from_blob(const_cast<uint8_t*>(set.pixels.data()), {n, 3, 32, 32}, torch::kUInt8);
  return bytes.to(torch::kFloat32).div(255.0);
}

void AddMapRows(hw1::CsvTable* table, const std::string& method, int layer, int64_t channel,
                int rank, int64_t image, int64_t label, int64_t predicted, double score,
                const torch::Tensor& map) {
  const torch::Tensor m = map.to(torch::kFloat64).contiguous();
  auto a = m.accessor<double, 2>();
  for (int64_t y = 0; y < m.size(0); ++y) {
    for (int64_t x = 0; x < m.size(1); ++x) {
      table->AddRow({method, absl::StrCat(layer), absl::StrCat(channel), absl::StrCat(rank),
                     absl::StrCat(image), absl::StrCat(label), absl::StrCat(predicted),
                     hw1::FormatDouble(score), absl::StrCat(y), absl::StrCat(x),
                     hw1::FormatDouble(a[y][x])});
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  hw1::Manifest manifest = hw1::experiment::Start(
      "q3_feature_maps", "Q3 (c): visualise what makes feature maps fire", &argc, &argv);
  hw1::experiment::MatchWaitsToPrecision("fp32");  // it runs in float32 (lib/vis/feature_maps.h)
  hw1::train::ConfigureThreads(FLAGS_threads);
  if (FLAGS_weights.empty()) {
    return Fail(
        absl::InvalidArgumentError("--weights is required (a .pt file written by q3_train_cnn)"));
  }
  if (FLAGS_num_images < 1 || FLAGS_top_k < 1 || FLAGS_evidence_images < 1) {
    return Fail(
        absl::InvalidArgumentError("--num_images, --top_k and --evidence_images must be >= 1"));
  }
  absl::StatusOr<std::vector<int64_t>> layer_list =
      hw1::ParseIntListInRange("layers", FLAGS_layers, 1, 4);
  if (!layer_list.ok()) return Fail(layer_list.status());
  const std::vector<int> layers(layer_list->begin(), layer_list->end());

  hw1::models::CifarCnnOptions model_options;
  model_options.batchnorm = FLAGS_batchnorm;
  absl::StatusOr<std::array<int64_t, 4>> widths = hw1::models::ParseWidths(FLAGS_widths);
  if (!widths.ok()) return Fail(widths.status());
  model_options.widths = *widths;  // dropout rates do not matter in eval mode
  hw1::models::CifarCnn model(model_options);
  const std::string weights = hw1::ResolveUserPath(FLAGS_weights);
  if (absl::Status s = hw1::train::LoadWeights(model, weights); !s.ok()) return Fail(s);
  model->eval();
  torch::manual_seed(FLAGS_seed);
  hw1::models::CifarCnn random_model(model_options);  // Keras initialisation, untrained
  random_model->eval();

  // Channels: given per layer, or three drawn per layer.
  std::map<int, std::vector<int64_t>> channels;
  const int64_t layer_channels[] = {0, model_options.widths[0], model_options.widths[1],
                                    model_options.widths[2], model_options.widths[3]};
  if (!FLAGS_channels.empty()) {
    std::vector<std::string> groups = absl::StrSplit(FLAGS_channels, ';');
    if (groups.size() != layers.size()) {
      return Fail(absl::InvalidArgumentError(
          absl::StrCat("--channels=", FLAGS_channels, ": one group per layer in --layers")));
    }
    for (size_t i = 0; i < layers.size(); ++i) {
      auto list = hw1::ParseIntListInRange("channels", groups[i], 0, layer_channels[layers[i]] - 1);
      if (!list.ok()) {
        return Fail(absl::InvalidArgumentError(
            absl::StrCat(list.status().message(), " (layer ", layers[i], " has ",
                         layer_channels[layers[i]], " channels)")));
      }
      channels[layers[i]] = *list;
    }
  } else {
    for (int layer : layers)
      channels[layer] = hw1::vis::ChooseChannels(layer_channels[layer], 3, FLAGS_seed + layer);
  }

  absl::StatusOr<hw1::data::Cifar10> data = hw1::experiment::LoadCifar10FromFlags(
      /*train_limit=*/1, /*test_limit=*/std::max(FLAGS_num_images, FLAGS_evidence_images));
  if (!data.ok()) return Fail(data.status());
  const torch::Tensor pool = Images(data->test, FLAGS_num_images);
  const torch::Tensor evidence_pool = Images(data->test, FLAGS_evidence_images);
  const auto& labels = data->test.labels;

  hw1::CsvTable maps({"method", "layer", "channel", "rank", "image_index", "label", "predicted",
                      "score", "y", "x", "value"});
  hw1::CsvTable top({"layer", "channel", "rank", "image_index", "label", "predicted",
                     "max_activation", "y", "x", "rf_size", "rf_top", "rf_left", "rf_bottom",
                     "rf_right"});
  hw1::CsvTable sanity({"method", "layer", "channel", "image_index", "spearman"});
  std::set<int64_t> used_images;

  for (int layer : layers) {
    const hw1::vis::LayerGradients g = hw1::vis::PredictedClassGradients(model, pool, layer);
    const hw1::vis::LayerGradients r = hw1::vis::PredictedClassGradients(random_model, pool, layer);
    std::set<int64_t> layer_images;
    torch::Tensor evidence_maps, predicted;
    {
      torch::NoGradGuard no_grad;
      const hw1::models::CnnOutput out = model->ForwardWithActivations(evidence_pool);
      evidence_maps = out.conv_activations[static_cast<size_t>(layer - 1)];
      predicted = out.logits.argmax(1);
    }
    for (int64_t channel : channels[layer]) {
      const std::vector<int64_t> best = hw1::vis::TopK(g.pooled.select(1, channel), FLAGS_top_k);
      for (size_t rank = 0; rank < best.size(); ++rank) {
        const int64_t n = best[rank];
        const torch::Tensor heat = hw1::vis::HomeworkHeatmap(g, n, channel);
        AddMapRows(&maps, "homework", layer, channel, static_cast<int>(rank + 1), n, labels[n],
                   g.predicted[n].item<int64_t>(), g.pooled[n][channel].item<double>(), heat);
        sanity.AddRow({"homework", absl::StrCat(layer), absl::StrCat(channel), absl::StrCat(n),
                       hw1::FormatDouble(hw1::vis::SpearmanCorrelation(
                           heat, hw1::vis::HomeworkHeatmap(r, n, channel)))});
        layer_images.insert(n);
      }
      // Dataset evidence: the largest single activation of this channel.
      const torch::Tensor activations = evidence_maps.select(1, channel);
      const std::vector<int64_t> strongest =
          hw1::vis::TopK(std::get<0>(activations.flatten(1).max(1)), FLAGS_top_k * 2);
      for (size_t rank = 0; rank < strongest.size(); ++rank) {
        const int64_t n = strongest[rank];
        const int64_t where = activations[n].flatten().argmax().item<int64_t>();
        const int y = static_cast<int>(where / activations.size(2)),
                  x = static_cast<int>(where % activations.size(2));
        const hw1::vis::ReceptiveField rf = hw1::vis::UnitReceptiveField(layer, y, x);
        top.AddRow({absl::StrCat(layer), absl::StrCat(channel), absl::StrCat(rank + 1),
                    absl::StrCat(n), absl::StrCat(labels[n]),
                    absl::StrCat(predicted[n].item<int64_t>()),
                    hw1::FormatDouble(activations[n][y][x].item<double>()), absl::StrCat(y),
                    absl::StrCat(x), absl::StrCat(rf.size), absl::StrCat(rf.top),
                    absl::StrCat(rf.left), absl::StrCat(rf.bottom), absl::StrCat(rf.right)});
        used_images.insert(n);
      }
    }
    for (int64_t n : layer_images) {
      const torch::Tensor cam = hw1::vis::GradCam(g, n);
      AddMapRows(&maps, "gradcam", layer, -1, 0, n, labels[n], g.predicted[n].item<int64_t>(),
                 g.score[n].item<double>(), cam);
      sanity.AddRow(
          {"gradcam", absl::StrCat(layer), "-1", absl::StrCat(n),
           hw1::FormatDouble(hw1::vis::SpearmanCorrelation(cam, hw1::vis::GradCam(r, n)))});
      used_images.insert(n);
    }
  }

  hw1::CsvTable pixels({"image_index", "label", "y", "x", "r", "g", "b"});
  for (int64_t n : used_images) {
    const uint8_t* image = data->test.pixels.data() + n * hw1::data::kImageBytes;
    for (int y = 0; y < 32; ++y) {
      for (int x = 0; x < 32; ++x) {
        pixels.AddRow({absl::StrCat(n), absl::StrCat(labels[n]), absl::StrCat(y), absl::StrCat(x),
                       absl::StrCat(image[y * 32 + x]), absl::StrCat(image[1024 + y * 32 + x]),
                       absl::StrCat(image[2048 + y * 32 + x])});
      }
    }
  }

  const std::filesystem::path out_dir = hw1::experiment::OutDir();
  for (const auto& [table, name] :
       {std::pair{&maps, "q3_feature_maps.csv"}, std::pair{&top, "q3_top_activations.csv"},
        std::pair{&pixels, "q3_feature_images.csv"}, std::pair{&sanity, "q3_sanity.csv"}}) {
    if (absl::Status s = table->Write((out_dir / name).string()); !s.ok()) return Fail(s);
  }
  manifest["weights"] = weights;
  manifest["channels"] = channels;
  manifest["class_names"] = data->class_names;
  manifest["data"] = {{"dir", data->dir}, {"md5", data->file_md5}};
  manifest["torch_version"] = TORCH_VERSION;
  manifest["precision"] = "fp32";
  manifest["threads"] = torch::get_num_threads();
  if (absl::Status s = manifest.Write(out_dir.string()); !s.ok()) return Fail(s);
  std::printf("q3_feature_maps: %zu layers, %zu images -> %s\n", layers.size(), used_images.size(),
              out_dir.c_str());
  return 0;
}
