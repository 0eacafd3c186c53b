"""examples/fashion_mnist_classifier.py: the --quick run on the real Fashion-MNIST files, and its helpers."""

import importlib.util
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import ember

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "examples", "fashion_mnist_classifier.py")
DEBIAN_DIR = "/usr/share/datasets/fashion-mnist"

needs_data = pytest.mark.skipif(not os.path.exists(os.path.join(DEBIAN_DIR, "t10k-labels-idx1-ubyte.gz")),
                                reason="Debian's dataset-fashion-mnist is not installed")


def load_example():
    spec = importlib.util.spec_from_file_location("fashion_mnist_classifier_example", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@needs_data
def test_quick_run_trains_and_reports_accuracy(tmp_path):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run([sys.executable, SCRIPT, "--quick", "--root", str(tmp_path / "data")], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "2000 training and 1000 test images" in result.stdout
    losses = [float(v) for v in re.findall(r"epoch \d: training loss ([0-9.]+)", result.stdout)]
    assert len(losses) == 2 and losses[1] < losses[0]
    accuracy = float(re.search(r"test accuracy ([0-9.]+)", result.stdout).group(1))
    assert 0.5 < accuracy <= 1.0                  # ten classes: chance is 0.1; two short epochs reach ~0.75
    raw = tmp_path / "data" / "FashionMNIST" / "raw"
    assert sorted(os.listdir(raw)) == ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
                                       "train-images-idx3-ubyte", "train-labels-idx1-ubyte"]


@needs_data
def test_dataset_root_holds_torchvision_layout(tmp_path):
    example = load_example()
    root = example.dataset_root(DEBIAN_DIR, str(tmp_path))
    images, labels = example.load_split(root, train=False)
    assert images.shape == (10000, 1, 28, 28) and images.dtype == np.float32
    assert labels.shape == (10000,) and labels.dtype == np.int64
    assert np.bincount(labels).tolist() == [1000] * 10
    assert abs(float(images.mean())) < 0.1           # normalised with the training set's statistics


def test_augment_shifts_and_flips_within_bounds():
    example = load_example()
    rng = np.random.default_rng(0)
    images = rng.standard_normal((64, 1, 28, 28)).astype(np.float32)
    out = example.augment(images, np.random.default_rng(1))
    assert out.shape == images.shape and out.dtype == np.float32
    background = -example.MEAN / example.STD
    for image, moved in zip(images[:, 0], out[:, 0]):   # each output is a shifted (maybe flipped) input
        found = False
        for candidate in (moved, moved[:, ::-1]):
            padded = np.full((32, 32), background, dtype=np.float32)
            for dy in range(5):
                for dx in range(5):
                    padded[...] = background
                    padded[2:30, 2:30] = image
                    found |= np.array_equal(padded[dy:dy + 28, dx:dx + 28], candidate)
        assert found


def test_model_shapes_and_one_step():
    example = load_example()
    ember.manual_seed(0)
    model = example.make_model(width=8)
    logits = model(ember.zeros(4, 1, 28, 28))
    assert tuple(logits.shape) == (4, 10)
    x = np.random.default_rng(0).standard_normal((16, 1, 28, 28)).astype(np.float32)
    labels = np.arange(16) % 10
    example.train(model, x, labels, epochs=1, batch_size=8, max_lr=1e-3, seed=0, stream=None)
    accuracy = example.evaluate(model, x, labels)
    assert 0.0 <= accuracy <= 1.0
