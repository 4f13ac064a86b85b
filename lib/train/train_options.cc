#include "lib/train/train_options.h"

#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"

namespace hw1::train {

absl::StatusOr<Precision> ParsePrecision(absl::string_view text) {
  if (text == "auto") return Precision::kAuto;
  if (text == "fp32") return Precision::kFp32;
  if (text == "bf16") return Precision::kBf16;
  return absl::InvalidArgumentError(
      absl::StrCat("--precision=", text, ": expected auto, fp32 or bf16"));
}

absl::StatusOr<InputScale> ParseInputScale(absl::string_view text) {
  if (text == "unit") return InputScale::kUnit;
  if (text == "raw255") return InputScale::kRaw255;
  return absl::InvalidArgumentError(
      absl::StrCat("--input_scale=", text, ": expected unit (pixels / 255) or raw255 (0-255)"));
}

std::string InputScaleName(InputScale scale) {
  return scale == InputScale::kRaw255 ? "raw255" : "unit";
}

absl::StatusOr<Device> ParseDevice(absl::string_view text) {
  if (text == "auto") return Device::kAuto;
  if (text == "cpu") return Device::kCpu;
  if (text == "cuda") return Device::kCuda;
  return absl::InvalidArgumentError(
      absl::StrCat("--device=", text, ": expected auto, cpu or cuda"));
}

std::string PrecisionName(Precision precision) {
  switch (precision) {
    case Precision::kFp32:
      return "fp32";
    case Precision::kBf16:
      return "bf16";
    case Precision::kAuto:
      break;
  }
  return "auto";
}

absl::Status SetPrecisionAndDevice(absl::string_view precision, absl::string_view device,
                                   TrainOptions* options) {
  absl::StatusOr<Precision> p = ParsePrecision(precision);
  if (!p.ok()) return p.status();
  absl::StatusOr<Device> d = ParseDevice(device);
  if (!d.ok()) return d.status();
  options->precision = *p;
  options->device = *d;
  return absl::OkStatus();
}

absl::Status ValidateTrainOptions(const TrainOptions& o, absl::string_view lr_flag) {
  if (o.epochs < 1)
    return absl::InvalidArgumentError(absl::StrCat("--epochs=", o.epochs, ": must be >= 1"));
  if (o.batch_size < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--batch_size=", o.batch_size, ": must be >= 1"));
  }
  if (!(o.lr > 0) || !std::isfinite(o.lr)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", lr_flag, "=", o.lr, ": must be a finite number > 0"));
  }
  if (!(o.decay >= 0) || !std::isfinite(o.decay)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--decay=", o.decay, ": must be a finite number >= 0"));
  }
  if (o.threads < 0)
    return absl::InvalidArgumentError(absl::StrCat("--threads=", o.threads, ": must be >= 0"));
  if (o.eval_batch_size < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("eval batch size ", o.eval_batch_size, ": must be >= 1"));
  }
  if (o.resume && o.checkpoint_path.empty()) {
    return absl::InvalidArgumentError("--resume needs a checkpoint path");
  }
  return absl::OkStatus();
}

double KerasDecayedLr(double lr, double decay, int64_t step) {
  return lr / (1.0 + decay * static_cast<double>(step));
}

Precision ResolvePrecision(Precision requested) {
  return requested == Precision::kAuto ? Precision::kFp32 : requested;
}

}  // namespace hw1::train
