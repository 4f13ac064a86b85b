"""The mutation check's list: small edits that would change a published number, each with the
tests that ought to notice. tools/mutation/mutate.py applies them one at a time to a scratch copy.

An entry is data, not code: `find` must occur exactly once in `path` (tests/tools/mutation checks
that every entry still applies, so an edit of the code that moves a mutation's text fails a test
instead of silently shrinking the check). `filter` narrows a gtest target to the cases that matter
(`--test_filter`), to keep the slow trainer test short.
"""

import collections

Mutation = collections.namedtuple("Mutation", "id path find replace tests filter why", defaults=("", ""))

MODELS = "//tests/models:cifar_cnn_test"
DROPOUT = "//tests/models:fast_dropout_test"
TRAINER = "//tests/train:trainer_test"
REPORT = "//tests/analysis:report_test"
COLLAPSE_PY = "//tests/analysis:collapse_test"

MUTATIONS = [
    # ---- the network (lib/models): what every accuracy in Q3 and Q4 comes from
    Mutation(
        "cnn_drop3_rate",
        "lib/models/cifar_cnn.cc",
        "FastDropout(options_.dropout[2])",
        "FastDropout(0.25)",
        [MODELS],
        why="the dense layer's dropout 0.5 becomes 0.25",
    ),
    Mutation(
        "cnn_drop2_rate",
        "lib/models/cifar_cnn.cc",
        "FastDropout(options_.dropout[1])",
        "FastDropout(0.5)",
        [MODELS],
        why="the second block's dropout 0.25 becomes 0.5",
    ),
    Mutation(
        "cnn_dropout_before_pool",
        "lib/models/cifar_cnn.cc",
        "if (layer == 3) h = drop1_(torch::max_pool2d(h, 2));",
        "if (layer == 3) h = torch::max_pool2d(drop1_(h), 2);",
        [MODELS],
        why="dropout before the pooling instead of after it",
    ),
    Mutation(
        "cnn_avg_pool",
        "lib/models/cifar_cnn.cc",
        "h = drop2_(torch::max_pool2d(h, 2));",
        "h = drop2_(torch::avg_pool2d(h, 2));",
        [MODELS],
        why="the second pooling averages",
    ),
    Mutation(
        "cnn_bn_after_relu",
        "lib/models/cifar_cnn.cc",
        "  if (options_.batchnorm) h = (*bns[layer - 1])(h);\n  return torch::relu(h);",
        "  h = torch::relu(h);\n  if (options_.batchnorm) h = (*bns[layer - 1])(h);\n  return h;",
        [MODELS],
        why="BatchNorm after the ReLU (the homework's Figure 10 puts it before)",
    ),
    Mutation(
        "cnn_bn_momentum",
        "lib/models/cifar_cnn.h",
        "double bn_momentum = 0.01;",
        "double bn_momentum = 0.1;",
        [MODELS],
        why="LibTorch's default momentum instead of Keras' 0.99",
    ),
    Mutation(
        "cnn_glorot_normal",
        "lib/models/cifar_cnn.cc",
        "torch::nn::init::xavier_uniform_(conv->weight);",
        "torch::nn::init::xavier_normal_(conv->weight);",
        [MODELS],
        why="Glorot normal instead of Keras' Glorot uniform for the convolutions",
    ),
    Mutation(
        "cnn_fc1_no_relu",
        "lib/models/cifar_cnn.cc",
        "h = drop3_(torch::relu(fc1_(h.flatten(1))));",
        "h = drop3_(fc1_(h.flatten(1)));",
        [MODELS],
        why="the dense layer without its ReLU",
    ),
    Mutation(
        "dropout_scale",
        "lib/models/fast_dropout.cc",
        "static_cast<float>(1.0 / (1.0 - p))",
        "static_cast<float>(1.002 / (1.0 - p))",
        [DROPOUT],
        why="the kept values 0.2 % too large (bf16's error for p = 0.25, in every precision)",
    ),
    Mutation(
        "dropout_odd_inverted",
        "lib/models/fast_dropout.cc",
        "(bits >> 16) >= threshold ? keep_value : drop_value",
        "(bits >> 16) >= threshold ? drop_value : keep_value",
        [DROPOUT],
        why="every second element keeps with probability p instead of 1 - p",
    ),
    # ---- training (lib/train)
    Mutation(
        "adam_eps_inside_sqrt",
        "lib/train/fused_adam.cc",
        "(std::sqrt(vi) * c.inv_sqrt_bc2 + c.eps)",
        "(std::sqrt(vi + c.eps) * c.inv_sqrt_bc2)",
        ["//tests/train:fused_adam_test"],
        why="epsilon under the square root",
    ),
    Mutation(
        "adam_no_bias_correction",
        "lib/train/fused_adam.cc",
        "static_cast<float>(options.lr() / bias_correction1)",
        "static_cast<float>(options.lr())",
        ["//tests/train:fused_adam_test"],
        why="the first moment's bias correction dropped",
    ),
    Mutation(
        "keras_decay_off_by_one",
        "lib/train/train_options.cc",
        "lr / (1.0 + decay * static_cast<double>(step))",
        "lr / (1.0 + decay * static_cast<double>(step + 1))",
        ["//tests/train:train_options_test"],
        why="the decayed learning rate one batch ahead",
    ),
    Mutation(
        "trainer_input_scale",
        "lib/train/trainer.cc",
        "images.to(torch::kFloat32).div_(255.0)",
        "images.to(torch::kFloat32).div_(256.0)",
        [TRAINER],
        filter="TrainerTest.Evaluate*",
        why="pixels scaled by 1/256 instead of 1/255",
    ),
    Mutation(
        "trainer_eval_denominator",
        "lib/train/trainer.cc",
        "Evaluation evaluation{loss_sum / n, static_cast<double>(correct) / n, {}};",
        "Evaluation evaluation{loss_sum / n, static_cast<double>(correct) / (n + 1), {}};",
        [TRAINER],
        filter="TrainerTest.Evaluate*",
        why="validation accuracy divided by one image too many",
    ),
    Mutation(
        "auto_precision_avx512_bf16",
        "lib/train/train_options.cc",
        "cpu.amx_bf16 && cpu.amx_tile ? Precision::kBf16",
        "cpu.amx_bf16 || cpu.avx512_bf16 ? Precision::kBf16",
        ["//tests/train:train_options_test"],
        why="auto picks bf16 on AVX-512 BF16 hosts, where it is slower",
    ),
    Mutation(
        "collapse_share_strict",
        "lib/train/collapse.cc",
        "majority_class_share >= kCollapseMinMajorityShare",
        "majority_class_share > kCollapseMinMajorityShare",
        ["//tests/train:collapse_test"],
        why="a run with exactly 90 % of one class no longer collapsed",
    ),
    Mutation(
        "collapse_acc_threshold",
        "lib/train/collapse.h",
        "kCollapseMaxValAcc = 0.15;",
        "kCollapseMaxValAcc = 0.2;",
        ["//tests/train:collapse_test"],
        why="the collapse rule's accuracy bound",
    ),
    Mutation(
        "history_best_epoch_ties",
        "lib/train/history.cc",
        "if (m.val_acc > s.best_val_acc || s.best_epoch == 0)",
        "if (m.val_acc >= s.best_val_acc || s.best_epoch == 0)",
        ["//tests/train:history_test"],
        why="a tie moves the best epoch to the later one",
    ),
    Mutation(
        "history_target_strict",
        "lib/train/history.cc",
        "m.val_acc >= target) s.epochs_to_target",
        "m.val_acc > target) s.epochs_to_target",
        ["//tests/train:history_test"],
        why="reaching the target exactly does not count (claim a's epochs)",
    ),
    # ---- the sweep
    Mutation(
        "sweep_lr_ignores_multiplier",
        "lib/sweep/sweep_plan.cc",
        "run.lr = config.base_lr * multiplier;",
        "run.lr = config.base_lr;",
        ["//tests/sweep:sweep_plan_test"],
        why="every run at the base learning rate",
    ),
    Mutation(
        "sweep_store_collapse_share",
        "lib/sweep/sweep_store.cc",
        "train::IsCollapsed(val_acc, majority)",
        "train::IsCollapsed(val_acc, 1.0)",
        ["//tests/sweep:sweep_store_test"],
        why="q4_collapse.csv ignores the majority share",
    ),
    # ---- data
    Mutation(
        "cifar_label_byte",
        "lib/data/cifar10.cc",
        "out->labels.push_back(record[0]);",
        "out->labels.push_back(record[1]);",
        ["//tests/data:cifar10_test"],
        why="labels read from the first pixel byte",
    ),
    # ---- Q3 (c) feature maps
    Mutation(
        "gradcam_no_relu",
        "lib/vis/feature_maps.cc",
        "return torch::relu((g.pooled[image].view({-1, 1, 1}) * g.activations[image]).sum(0));",
        "return (g.pooled[image].view({-1, 1, 1}) * g.activations[image]).sum(0);",
        ["//tests/vis:feature_maps_test"],
        why="Grad-CAM without its final ReLU",
    ),
    Mutation(
        "gradcam_abs_weights",
        "lib/vis/feature_maps.cc",
        "return torch::relu((g.pooled[image].view({-1, 1, 1})",
        "return torch::relu((g.pooled[image].abs().view({-1, 1, 1})",
        ["//tests/vis:feature_maps_test"],
        why="Grad-CAM counts channels that lower the score as raising it",
    ),
    Mutation(
        "pooled_gradient_sum",
        "lib/vis/feature_maps.cc",
        "g.pooled = grad.mean({2, 3}).detach();",
        "g.pooled = grad.sum({2, 3}).detach();",
        ["//tests/vis:feature_maps_test"],
        why="alpha as a sum over positions, not a mean",
    ),
    # ---- Q1, Q2 math
    Mutation(
        "conv1x1_ignores_bias",
        "lib/math/conv1x1.cc",
        "if (bias.size() != 0 && (bias.array().abs() > tolerance).any()) return std::nullopt;",
        "",
        ["//tests/math:conv1x1_test"],
        why="a 1x1 convolution with a bias called a scaling",
    ),
    Mutation(
        "logistic_slope",
        "lib/math/logistic_regression.cc",
        "return Sigmoid(z) * Sigmoid(-z);",
        "return Sigmoid(z) * Sigmoid(z);",
        ["//tests/math:logistic_regression_test"],
        why="the Hessian's weights p^2 instead of p(1 - p)",
    ),
    Mutation(
        "jensen_never_fires",
        "lib/math/logistic_regression.cc",
        "> chord + tol) ++violations;",
        "> chord + std::abs(chord) + tol) ++violations;",
        ["//tests/math:logistic_regression_test"],
        why="a tolerance so loose the Jensen check cannot fail",
    ),
    # ---- the report (analysis/)
    Mutation(
        "wilson_z",
        "analysis/collapse.py",
        "Z95 = 1.959963984540054",
        "Z95 = 1.6448536269514722",
        [COLLAPSE_PY],
        why="90 % intervals labelled 95 %",
    ),
    Mutation(
        "decisive_upper",
        "analysis/collapse.py",
        "DECISIVE_UPPER = 0.30",
        "DECISIVE_UPPER = 0.50",
        [COLLAPSE_PY, REPORT],
        why="an explanation 'ruled out' on weaker evidence",
    ),
    Mutation(
        "collapse_rule_py",
        "analysis/collapse_rule.py",
        "COLLAPSE_MAX_VAL_ACC = 0.15",
        "COLLAPSE_MAX_VAL_ACC = 0.2",
        [COLLAPSE_PY, "//tests/tools/keras_reference:keras_reference_test"],
        why="the report's collapse rule drifts from lib/train/collapse.h",
    ),
    Mutation(
        "claim_a_ties",
        "analysis/report.py",
        'if mean(reach("bn", m)) < mean(reach("baseline", m))]',
        'if mean(reach("bn", m)) <= mean(reach("baseline", m))]',
        [REPORT],
        why="claim (a) counts a tie as BN converging faster",
    ),
    Mutation(
        "claim_b_threshold",
        "analysis/report.py",
        'float(r["final_val_acc"] or 0) < 0.2',
        'float(r["final_val_acc"] or 0) < 0.1',
        [REPORT],
        why="claim (b) counts a baseline at 0.10 as not collapsed",
    ),
    Mutation(
        "claim_c_worst_setting",
        "analysis/report.py",
        "arm: max(((mean(acc(arm, m, main)), m)",
        "arm: min(((mean(acc(arm, m, main)), m)",
        [REPORT],
        why="claim (c) compares each network's worst setting",
    ),
    Mutation(
        "table1_keeps_partial_runs",
        "analysis/report.py",
        'csv_io.read_rows(self.csv("q4_summary.csv")) if "_train" not in r["run_id"]]',
        'csv_io.read_rows(self.csv("q4_summary.csv"))]',
        [REPORT],
        why="Table 1 averages in runs on a subset of the training data",
    ),
    Mutation(
        "population_sd",
        "analysis/report.py",
        "statistics.stdev(values)",
        "statistics.pstdev(values)",
        [REPORT],
        why="the spread over seeds as a population sd",
    ),
    Mutation(
        "figure_diverged_as_zero",
        "analysis/training_figures.py",
        "if acc is not None:\n                by_m[m].append(acc)",
        "by_m[m].append(acc if acc is not None else 0.0)",
        ["//tests/analysis:training_figures_test"],
        why="the accuracy-vs-lr figure averages a diverged run in as 0.0",
    ),
]
