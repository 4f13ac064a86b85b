#ifndef HW1_LIB_TRAIN_RUN_ID_H_
#define HW1_LIB_TRAIN_RUN_ID_H_

// A run's identity: the id that names it in every CSV, record and weights
// file, made of the settings that change its numbers, and where its
// checkpoint lives. Two runs with one id must be the same run.

#include <cstdint>
#include <string>

#include "lib/train/train_options.h"

namespace hw1::train {

// The LibTorch of the committed results (Debian's libtorch-dev 1.13): run ids
// name any other ("_torch2.15").
inline constexpr char kReferenceLibTorch[] = "1.13";

// What a run's id is made of: the settings that change its numbers.
struct RunIdentity {
  std::string arm;  // "baseline" or "bn"
  double lr = kHomeworkLr;
  uint64_t seed = 0;
  std::string precision;  // resolved: "fp32" or "bf16"
  int threads = 1;        // intra-op threads: reductions split differently
  int epochs = kHomeworkEpochs;
  int batch_size = kHomeworkBatchSize;
  double decay = kHomeworkDecay;
  int64_t train_limit = -1;  // -1: all images
  int64_t test_limit = -1;
  std::string libtorch = kReferenceLibTorch;  // "major.minor" it ran with
  std::string init = "keras";                 // models::InitName of the initialisation
  std::string architecture;                   // models::ArchitectureTag: "" for the Keras example
  std::string input_scale = "unit";           // InputScaleName: "unit" (pixels / 255) or "raw255"
};

// A run id that says what the run was: arm, lr, seed, precision and threads
// ("bn_lr0.001_seed1_bf16_t2"), then batch size, decay, epochs and data
// limits where they differ from the homework's protocol ("_b64_decay0_e3_train4000"),
// the LibTorch version when it is not kReferenceLibTorch ("_torch2.15"), and
// the initialisation when it is not Keras' ("_inittorch"), and the
// architecture when it is not the Keras example's ("_w32-64-64-64_d0-0-0"),
// and the input scaling when it is not pixels / 255 ("_inputraw255").
std::string MakeRunId(const RunIdentity& run);

// Where `program` keeps a run's checkpoint, relative to its output folder:
// checkpoints/<program>/<run_id>.ckpt. One folder per program: q3_train_cnn
// and q4_bn_sweep train runs with the same ids, and neither may continue a
// run the other trained.
std::string CheckpointFile(const std::string& program, const std::string& run_id);

}  // namespace hw1::train

#endif  // HW1_LIB_TRAIN_RUN_ID_H_
