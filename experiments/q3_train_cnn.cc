// Q3 (a, b): trains the homework's CNN on CIFAR-10 with the homework's protocol
// (Adam, lr 1e-4, decay 1e-6, batch 32, 25 epochs) and evaluates it after every
// epoch; --widths and --dropout train another network of the same shape.
// What it writes: lib/experiment/train_cnn_job.h.

#include <gflags/gflags.h>

#include "lib/experiment/experiment.h"
#include "lib/experiment/train_cnn_job.h"

DEFINE_int32(epochs, hw1::train::kHomeworkEpochs, "Epochs");
DEFINE_int32(batch_size, hw1::train::kHomeworkBatchSize, "Batch size");
DEFINE_double(lr, hw1::train::kHomeworkLr, "Adam learning rate");
DEFINE_double(decay, hw1::train::kHomeworkDecay,
              "Keras time-based decay: lr / (1 + decay * batches)");
DEFINE_uint64(seed, 0, "Seed for initialisation, shuffling and dropout");
DEFINE_int32(threads, 0, "Intra-op threads (0: every core)");
DEFINE_string(precision, "auto", "auto (bf16 autocast on CPUs with AMX, else fp32), fp32 or bf16");
DEFINE_string(device, "auto", "auto, cpu or cuda");
DEFINE_bool(batchnorm, false, "Train the BatchNorm variant (homework Figure 10)");
DEFINE_string(widths, "32,32,64,64",
              "Channels of the four conv layers (default: the Keras example's)");
DEFINE_string(
    dropout, "0.25,0.25,0.5",
    "Dropout rates after each pooling and after the dense layer (default: the Keras example's)");
DEFINE_string(
    init, "keras",
    "Initialisation: keras (Glorot-uniform weights, zero biases) or torch (LibTorch's defaults)");
DEFINE_string(input_scale, "unit",
              "How pixels reach the network: unit (pixels / 255, the homework's) or raw255 (0-255; "
              "the run id says _inputraw255)");
DEFINE_int64(train_limit, -1, "Use the first N training images (-1: all 50,000)");
DEFINE_int64(test_limit, -1, "Use the first N test images (-1: all 10,000)");
DEFINE_bool(resume, false,
            "Continue from this run's checkpoint in --out_dir/checkpoints/q3_train_cnn");

int main(int argc, char** argv) {
  hw1::experiment::TrainCnnSettings settings;
  hw1::Manifest manifest =
      hw1::experiment::Start("q3_train_cnn", "Q3: train the homework's CIFAR-10 CNN", &argc, &argv,
                             &settings.program_args);
  settings.epochs = FLAGS_epochs;
  settings.batch_size = FLAGS_batch_size;
  settings.lr = FLAGS_lr;
  settings.decay = FLAGS_decay;
  settings.seed = FLAGS_seed;
  settings.threads = FLAGS_threads;
  settings.precision = FLAGS_precision;
  settings.device = FLAGS_device;
  settings.batchnorm = FLAGS_batchnorm;
  settings.widths = FLAGS_widths;
  settings.dropout = FLAGS_dropout;
  settings.init = FLAGS_init;
  settings.input_scale = FLAGS_input_scale;
  settings.train_limit = FLAGS_train_limit;
  settings.test_limit = FLAGS_test_limit;
  settings.resume = FLAGS_resume;
  const absl::Status status = hw1::experiment::TrainCnn(settings, manifest);
  return status.ok() ? 0 : hw1::experiment::Fail("q3_train_cnn", status);
}
