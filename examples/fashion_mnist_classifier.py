"""Image classification: a small convolutional network on Fashion-MNIST (70,000 28x28 grey images of clothes).

The data are the real Fashion-MNIST idx files, read by ``ember.vision.datasets.FashionMNIST`` (torchvision's
class and root layout). Offline, the Debian package ``dataset-fashion-mnist`` holds them under
``/usr/share/datasets/fashion-mnist`` (recompressed, so their MD5s differ from the download's); the program
decompresses them into ``<root>/FashionMNIST/raw/``, the layout torchvision's ``download=True`` leaves behind.

The network: two 3x3 convolutions (32 and 64 channels) each with batch norm, ReLU and 2x2 max pooling, then
dropout and two linear layers (W4 of benchmarks/run.py with batch norm). Training uses Adam with a one-cycle
learning-rate schedule and random shifts and horizontal flips of the training images; the figure of merit is the
accuracy on the 10,000 test images.

    python examples/fashion_mnist_classifier.py            # the full run: test accuracy >= 91%
    python examples/fashion_mnist_classifier.py --quick    # a few seconds on a subset, for CI
"""

import argparse
import gzip
import os
import shutil
import sys
import tempfile
import time

import numpy as np

import ember
import ember.nn as nn
from ember.utils.progress import ProgressBar
from ember.vision.datasets import FashionMNIST

DEBIAN_DIR = "/usr/share/datasets/fashion-mnist"
MEAN, STD = 0.2860, 0.3530          # of the training images' pixels, scaled to [0, 1]


# ----------------------------------------------------------------------------- data

def dataset_root(data_dir, root):
    """A torchvision-style root: the ``.gz`` files of ``data_dir`` decompressed into ``root/FashionMNIST/raw/``."""
    raw = os.path.join(root, "FashionMNIST", "raw")
    os.makedirs(raw, exist_ok=True)
    for name, _ in FashionMNIST.resources:
        source, target = os.path.join(data_dir, name), os.path.join(raw, name[:-len(".gz")])
        if os.path.exists(target):
            continue
        if not os.path.exists(source):
            raise SystemExit(f"{source} is missing: install Debian's dataset-fashion-mnist or pass --data-dir")
        partial = target + ".part"
        with gzip.open(source, "rb") as packed, open(partial, "wb") as unpacked:
            shutil.copyfileobj(packed, unpacked)
        os.replace(partial, target)
    return root


def load_split(root, train):
    """Images as float32 (N, 1, 28, 28), normalised, and int64 labels of one split, as NumPy arrays."""
    split = FashionMNIST(root, train=train)
    images = split.data.numpy().astype(np.float32)[:, None] / 255.0
    return (images - MEAN) / STD, split.targets.numpy()


def augment(images, rng, shift=2):
    """Shift each image by up to ``shift`` pixels (zero-padded, as RandomCrop(28, padding=2)) and flip half of them."""
    n, _, h, w = images.shape
    background = -MEAN / STD
    padded = np.full((n, 1, h + 2 * shift, w + 2 * shift), background, dtype=images.dtype)
    padded[:, :, shift:shift + h, shift:shift + w] = images
    dy, dx = rng.integers(0, 2 * shift + 1, (2, n))
    rows = dy[:, None] + np.arange(h)                                  # (n, h) source rows of each image
    cols = dx[:, None] + np.arange(w)
    shifted = padded[np.arange(n)[:, None, None], 0, rows[:, :, None], cols[:, None, :]][:, None]
    flip = rng.random(n) < 0.5
    shifted[flip] = shifted[flip, :, :, ::-1]
    return shifted


def batches(count, batch_size, rng=None):
    """Index arrays of consecutive batches over ``count`` items, shuffled when ``rng`` is given."""
    order = rng.permutation(count) if rng is not None else np.arange(count)
    return [order[start:start + batch_size] for start in range(0, count, batch_size)]


# ----------------------------------------------------------------------------- the network

def block(inputs, outputs):
    """3x3 convolution, batch norm, ReLU, 2x2 max pooling: half the resolution, more channels."""
    return nn.Sequential(nn.Conv2d(inputs, outputs, 3, padding=1, bias=False), nn.BatchNorm2d(outputs),
                         nn.ReLU(inplace=True), nn.MaxPool2d(2))


def make_model(width=32):
    return nn.Sequential(
        block(1, width), block(width, 2 * width),                                   # 28 -> 14 -> 7
        nn.Flatten(), nn.Dropout(0.25), nn.Linear(2 * width * 7 * 7, 128), nn.ReLU(inplace=True),
        nn.Linear(128, 10))


def evaluate(model, images, labels, batch_size=500):
    """Accuracy of ``model`` on the given images."""
    model.eval()
    correct = 0
    with ember.no_grad():
        for index in batches(len(images), batch_size):
            logits = model(ember.from_numpy(images[index]))
            correct += int((logits.argmax(1).numpy() == labels[index]).sum())
    return correct / len(images)


def train(model, images, labels, epochs, batch_size, max_lr, seed, stream):
    rng = np.random.default_rng(seed)
    optimizer = ember.optim.Adam(model.parameters(), lr=max_lr, weight_decay=1e-4)
    steps_per_epoch = -(-len(images) // batch_size)
    schedule = ember.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=max_lr, epochs=epochs,
                                                   steps_per_epoch=steps_per_epoch)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.05)
    for epoch in range(1, epochs + 1):
        model.train()
        bar = ProgressBar(steps_per_epoch, f"epoch {epoch}/{epochs}", stream=stream)
        total, seen, started = 0.0, 0, time.perf_counter()
        for index in batches(len(images), batch_size, rng):
            x = ember.from_numpy(augment(images[index], rng))
            y = ember.from_numpy(labels[index])
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item() * len(index)
            seen += len(index)
            bar.advance(loss=total / seen)
        bar.close()
        print(f"epoch {epoch}: training loss {total / seen:.4f} ({time.perf_counter() - started:.0f} s)", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=DEBIAN_DIR, help="folder holding the four Fashion-MNIST .gz files")
    parser.add_argument("--root", default=None,
                        help="dataset root to lay out and decompress into (default: a temporary folder)")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=3e-3, help="the one-cycle schedule's peak learning rate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="a few seconds on a subset (for CI)")
    args = parser.parse_args(argv)

    ember.manual_seed(args.seed)
    with tempfile.TemporaryDirectory() as scratch:
        root = dataset_root(args.data_dir, args.root or scratch)
        train_images, train_labels = load_split(root, train=True)
        test_images, test_labels = load_split(root, train=False)
    epochs = args.epochs
    if args.quick:
        train_images, train_labels = train_images[:2000], train_labels[:2000]
        test_images, test_labels = test_images[:1000], test_labels[:1000]
        epochs = 2
    print(f"Fashion-MNIST: {len(train_images)} training and {len(test_images)} test images", flush=True)

    model = make_model()
    started = time.perf_counter()
    train(model, train_images, train_labels, epochs, args.batch_size, args.lr, args.seed, sys.stderr)
    accuracy = evaluate(model, test_images, test_labels)
    print(f"test accuracy {accuracy:.4f} after {epochs} epochs in {time.perf_counter() - started:.0f} s")
    return accuracy


if __name__ == "__main__":
    main()
