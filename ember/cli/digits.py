"""The UCI 8x8 handwritten digits that ship inside ember (see data/DIGITS.md for the source and licence)."""

import gzip
from pathlib import Path

import numpy as np

DATA_FILE = Path(__file__).with_name("data") / "digits.csv.gz"
SPLIT_SEED = 1797           # the train/test split is fixed, whatever --seed says
TEST_FRACTION = 0.2


def load_digits_arrays(path=DATA_FILE):
    """All 1,797 digits: images as float32 (N, 1, 8, 8) scaled to [0, 1], labels as int64 (N,)."""
    with gzip.open(path, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64)
    if table.ndim != 2 or table.shape[1] != 65:
        raise ValueError(f"{path}: expected rows of 64 pixels and a label, got a table of shape {table.shape}")
    images = (table[:, :64].astype(np.float32) / 16.0).reshape(-1, 1, 8, 8)
    return images, table[:, 64]


def digits_split():
    """``(train_images, train_labels, test_images, test_labels)`` as ember tensors, split 80/20 once and for all."""
    import ember

    images, labels = load_digits_arrays()
    order = np.random.default_rng(SPLIT_SEED).permutation(len(labels))
    n_test = int(round(len(labels) * TEST_FRACTION))
    test, train = order[:n_test], order[n_test:]
    return (ember.from_numpy(images[train]), ember.from_numpy(labels[train]),
            ember.from_numpy(images[test]), ember.from_numpy(labels[test]))
