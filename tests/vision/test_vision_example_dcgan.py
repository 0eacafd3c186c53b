"""examples/dcgan_fashion_mnist.py: the --quick runs (plain and --conditional) on real Fashion-MNIST, and helpers."""

import importlib.util
import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

import ember
from ember.vision.io import read_image

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "examples", "dcgan_fashion_mnist.py")
DEBIAN_DIR = "/usr/share/datasets/fashion-mnist"

needs_data = pytest.mark.skipif(not os.path.exists(os.path.join(DEBIAN_DIR, "t10k-labels-idx1-ubyte.gz")),
                                reason="Debian's dataset-fashion-mnist (Fashion-MNIST files) is not installed")


def load_example():
    spec = importlib.util.spec_from_file_location("dcgan_fashion_mnist_example", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def grid_size(rows, columns, image=28, padding=2):
    return rows * image + (rows + 1) * padding, columns * image + (columns + 1) * padding


def quick_run(tmp_path, *extra):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""), OMP_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1")
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, SCRIPT, "--quick", "--root", str(tmp_path / "data"), "--output-dir",
                             str(out), *extra], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads((out / "metrics.json").read_text()), result.stdout


def check_history(metrics):
    """Per-epoch figures that a working adversarial loop gives after a few dozen steps."""
    history = metrics["history"]
    assert [row["epoch"] for row in history] == [1, 2]
    assert metrics["steps"] == 2 * (1024 // 64)
    for row in history:
        for name in ("loss_D", "loss_G", "fd_pca", "diversity"):
            assert math.isfinite(row[name]) and row[name] >= 0, name
        for name in ("D_x", "D_G_z_before", "D_G_z_after"):
            assert 0 < row[name] < 1, name
        assert sum(row["class_histogram"]) == 1000
    last = history[-1]
    assert last["D_x"] > last["D_G_z_before"]                        # the discriminator tells real from fake
    assert last["fd_pca"] < metrics["untrained"]["fd_pca"]           # samples moved towards the data
    assert last["diversity"] > metrics["untrained"]["diversity"]
    assert metrics["real_test"]["fd_pca"] < last["fd_pca"]           # but a few steps are far from real images
    assert 0.6 < metrics["real_test"]["knn_accuracy"] < 1
    image = read_image(metrics["loss_curves"])
    assert tuple(image.shape) == (3, 160, 480)
    red = (image[0] > 150) & (image[1] < 100)
    blue = (image[2] > 150) & (image[0] < 100)
    assert red.sum().item() > 100 and blue.sum().item() > 100       # both curves drawn


@needs_data
def test_quick_run_logs_losses_and_saves_sample_grids(tmp_path):
    metrics, stdout = quick_run(tmp_path)
    assert metrics["conditional"] is False
    check_history(metrics)
    assert [os.path.basename(path) for path in metrics["grids"]] == ["samples_epoch_01.png", "samples_epoch_02.png"]
    for path in metrics["grids"]:
        assert tuple(read_image(path).shape) == (3, *grid_size(8, 8))
    assert "epoch 2: loss_D" in stdout and "FD-PCA" in stdout


@needs_data
def test_quick_conditional_run_saves_one_row_per_class(tmp_path):
    metrics, _ = quick_run(tmp_path, "--conditional")
    assert metrics["conditional"] is True
    check_history(metrics)
    for row in metrics["history"]:
        assert 0 <= row["class_match"] <= 1
    grid = read_image(metrics["grids"][-1])
    assert tuple(grid.shape) == (3, *grid_size(10, 10))               # ten rows: one per class


def test_networks_shapes_and_dcgan_initialisation():
    example = load_example()
    ember.manual_seed(0)
    for conditional in (False, True):
        netG = example.Generator(nz=100, ngf=32, conditional=conditional)
        netD = example.Discriminator(ndf=32, conditional=conditional)
        netG.apply(example.weights_init)
        netD.apply(example.weights_init)
        labels = ember.arange(6) if conditional else None
        fake = netG(ember.randn(6, 100, 1, 1), labels)
        assert tuple(fake.shape) == (6, 1, 28, 28)
        assert fake.abs().max().item() <= 1                           # Tanh output
        assert tuple(netD(fake, labels).shape) == (6,)
    weights = ember.cat([m.weight.detach().flatten() for m in netG.modules() if type(m).__name__ == "ConvTranspose2d"])
    assert abs(weights.mean().item()) < 2e-3 and weights.std().item() == pytest.approx(0.02, rel=0.05)
    norms = [m for m in netD.modules() if type(m).__name__ == "BatchNorm2d"]
    assert norms and all(m.bias.abs().max().item() == 0 for m in norms)
    assert norms[0].weight.std().item() == pytest.approx(0.02, rel=0.5)
    assert norms[0].weight.mean().item() == pytest.approx(1.0, abs=0.02)


def test_scorer_distances_and_neighbour_classes():
    example = load_example()
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((10, 1, 28, 28))              # ten well separated "classes"

    def draw(count, noise=0.3):
        labels = rng.integers(0, 10, count)
        return (centres[labels] + noise * rng.standard_normal((count, 1, 28, 28))).astype(np.float32), labels

    train, train_labels = draw(600)
    test, test_labels = draw(300)
    scorer = example.SampleScorer(train, train_labels, test, test_labels, components=12)
    assert scorer.knn_accuracy == 1.0
    assert scorer.floor < 0.05 * np.trace(scorer.real_cov)         # real held-out images: near 0
    collapsed = np.repeat(test[:1], 300, axis=0)                   # one image repeated: a collapsed generator
    assert scorer.frechet_distance(collapsed) > 100 * scorer.floor
    assert scorer.frechet_distance(test[test_labels < 5]) > 20 * scorer.floor     # half the modes missing
    assert scorer.diversity(collapsed) == pytest.approx(0, abs=1e-6)
    assert scorer.diversity(test) == pytest.approx(1)
    assert example.class_entropy(scorer.classify(collapsed)) == 0
    assert example.class_entropy(np.arange(1000) % 10) == pytest.approx(1)
    points = np.array([[0.0, 0.0], [3.0, 4.0], [0.0, 8.0]])
    assert example.mean_pairwise_distance(points) == pytest.approx((5 + 8 + 5) / 3)


def test_loss_plot_and_smoothing():
    example = load_example()
    assert example.smooth([1, 3, 5, 7], 2).tolist() == [1, 2, 4, 6]
    image = example.plot_curves([np.array([0.0, 1.0]), np.array([1.0, 0.0])], [(1, 0, 0), (0, 0, 1)], [],
                                height=40, width=60, margin=4)
    assert image.shape == (3, 40, 60) and image.min() >= 0 and image.max() <= 1
    # The rising red line starts bottom left and ends top right; the blue one the other way round.
    assert tuple(image[:, 35, 4]) == (1, 0, 0) and tuple(image[:, 4, 55]) == (1, 0, 0)
    assert tuple(image[:, 4, 4]) == (0, 0, 1) and tuple(image[:, 35, 55]) == (0, 0, 1)
