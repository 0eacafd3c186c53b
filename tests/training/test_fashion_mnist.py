"""Real data: a small CNN trained with ember on Fashion-MNIST reaches at least 88% test accuracy.

The data is Debian's ``dataset-fashion-mnist`` package (.ci/run installs it), in the idx format
torchvision reads. Two epochs over the 60,000 training images, then the 10,000 test images
(one epoch lands at ~88.2%, too close to the bar to be a stable test).
"""

import gzip
from pathlib import Path

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn

ROOT = Path("/usr/share/datasets/fashion-mnist")


def read_idx(path):
    """An idx file (big-endian header: magic with the rank, then each dimension) as a uint8 array."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(rank))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(shape)


def load(split):
    images = read_idx(ROOT / f"{split}-images-idx3-ubyte.gz").astype(np.float32) / 255.0
    labels = read_idx(ROOT / f"{split}-labels-idx1-ubyte.gz").astype(np.int64)
    return ember.from_numpy((images[:, None] - 0.286) / 0.353), ember.from_numpy(labels)


@pytest.mark.slow
@pytest.mark.skipif(not ROOT.is_dir(), reason="Fashion-MNIST (Debian dataset-fashion-mnist) is not installed")
def test_cnn_reaches_88_percent():
    train_images, train_labels = load("train")
    test_images, test_labels = load("t10k")
    assert train_images.shape == (60000, 1, 28, 28) and test_images.shape == (10000, 1, 28, 28)

    ember.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 10))
    optimizer = ember.optim.Adam(model.parameters(), lr=2e-3)
    loader = ember.utils.data.DataLoader(ember.utils.data.TensorDataset(train_images, train_labels),
                                         batch_size=64, shuffle=True, generator=ember.Generator().manual_seed(0))
    model.train()
    for _ in range(2):
        for images, labels in loader:
            optimizer.zero_grad()
            F.cross_entropy(model(images), labels).backward()
            optimizer.step()

    model.eval()
    correct = 0
    with ember.no_grad():
        for start in range(0, 10000, 1000):
            logits = model(test_images[start:start + 1000])
            correct += (logits.argmax(1) == test_labels[start:start + 1000]).sum().item()
    accuracy = correct / 10000
    print(f"Fashion-MNIST test accuracy after two epochs: {accuracy:.4f}")
    assert accuracy >= 0.88
