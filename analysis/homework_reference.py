"""The numbers the original solution reported ("CS 7150: Deep Learning, Summer 2020, HW 1"), quoted so
that the report can set ours beside them. These are the homework's claims, not
results of this project."""

# Q3 (b): the baseline CNN, Adam lr 1e-4, 25 epochs on all 50,000 training images.
Q3_LR = 1e-4
Q3_EPOCHS = 25
Q3_TRAIN_IMAGES = 50000


def on_all_training_images(row):
    """Did the run of this CSV row (its train_images column) train on all the protocol's images,
    not on --train_limit's first N? The one test every table and figure applies."""
    return int(row["train_images"]) == Q3_TRAIN_IMAGES


Q3_TRAIN_ACC = 0.9605
Q3_VAL_ACC = 0.8012

# Q4, Table 1: final validation accuracy of the BN network per lr multiplier.
Q4_BN_VAL_ACC = {5: 0.8365, 10: 0.8519, 30: 0.8182}
# Q4 (b): the baseline at 5x the learning rate.
Q4_BASELINE_VAL_ACC = {1: 0.8012, 5: 0.10}
# Q4 (a): "converges around epoch 15", "reached 0.8012 5 epochs earlier".
Q4_BN_CONVERGENCE_EPOCH = 15
Q4_BN_EPOCHS_EARLIER = 5

# Q3 (c): the channels the homework visualised, by conv layer.
Q3_CHANNELS = {1: [3, 8, 26], 2: [3, 37, 49], 4: [25, 51, 55]}
