"""examples/vae_fashion_mnist.py: the --quick run on the real Fashion-MNIST files, and the model's parts."""

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
SCRIPT = os.path.join(ROOT, "examples", "vae_fashion_mnist.py")
DEBIAN_DIR = "/usr/share/datasets/fashion-mnist"

needs_data = pytest.mark.skipif(not os.path.exists(os.path.join(DEBIAN_DIR, "t10k-labels-idx1-ubyte.gz")),
                                reason="Debian's dataset-fashion-mnist (Fashion-MNIST files) is not installed")


def load_example():
    spec = importlib.util.spec_from_file_location("vae_fashion_mnist_example", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def grid_size(rows, columns, image=28, padding=2):
    """(height, width) of a make_grid of ``rows`` x ``columns`` images."""
    return rows * image + (rows + 1) * padding, columns * image + (columns + 1) * padding


@needs_data
def test_quick_run_trains_and_saves_grids(tmp_path):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""), OMP_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1")
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, SCRIPT, "--quick", "--root", str(tmp_path / "data"), "--output-dir",
                             str(out)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "2000 training and 500 test images" in result.stdout
    metrics = json.loads((out / "metrics.json").read_text())
    history = metrics["history"]
    assert [row["epoch"] for row in history] == [1, 2, 3]
    for row in history:
        assert math.isfinite(row["test_reconstruction"]) and math.isfinite(row["test_kl"])
        assert row["test_kl"] >= 0
        assert row["test_loss"] == pytest.approx(row["test_reconstruction"] + row["test_kl"])
    # The reconstruction term falls as the model learns (an untrained decoder gives 784 log 2 = 543 nats).
    assert history[-1]["test_reconstruction"] < history[0]["test_reconstruction"] < 543
    assert history[-1]["test_loss"] < history[0]["test_loss"]
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    assert 0 < metrics["active_units"] <= 16
    shapes = {"reconstructions": grid_size(2, 10), "samples": grid_size(8, 8), "interpolation": grid_size(8, 10)}
    for name, (height, width) in shapes.items():
        image = read_image(metrics["grids"][name])
        assert tuple(image.shape) == (3, height, width), name
        assert image.float().std().item() > 5          # not a blank grid
    assert f"test negative ELBO {metrics['test_loss']:.2f}" in result.stdout


def test_kl_term_matches_the_closed_form_and_is_zero_at_the_prior():
    example = load_example()
    rng = np.random.default_rng(0)
    mu, logvar = rng.standard_normal((2, 4, 3))
    x = rng.random((4, 1, 28, 28)).astype(np.float32)
    logits = rng.standard_normal((4, 1, 28, 28)).astype(np.float32)
    reconstruction, kl = example.loss_terms(ember.tensor(logits), ember.tensor(x), ember.tensor(mu),
                                            ember.tensor(logvar))
    expected_kl = 0.5 * np.sum(mu ** 2 + np.exp(logvar) - 1 - logvar)     # KL(N(mu, var) || N(0, 1)), summed
    assert kl.item() == pytest.approx(expected_kl, rel=1e-6)
    p = 1 / (1 + np.exp(-logits.astype(np.float64)))
    expected_bce = -np.sum(x * np.log(p) + (1 - x) * np.log(1 - p))
    assert reconstruction.item() == pytest.approx(expected_bce, rel=1e-4)
    _, zero = example.loss_terms(ember.tensor(logits), ember.tensor(x), ember.zeros(4, 3), ember.zeros(4, 3))
    assert zero.item() == 0


def test_reparameterisation_samples_the_posterior_and_carries_gradients():
    example = load_example()
    ember.manual_seed(0)
    model = example.VAE(latent_dim=3, width=4, hidden=8)
    mu = ember.tensor([[1.0, -2.0, 0.5]], requires_grad=True)
    logvar = ember.tensor([[0.0, math.log(4.0), math.log(0.25)]], requires_grad=True)
    z = model.reparameterize(mu.expand(20000, 3), logvar.expand(20000, 3))
    assert np.allclose(z.detach().numpy().mean(0), [1.0, -2.0, 0.5], atol=0.05)
    assert np.allclose(z.detach().numpy().std(0), [1.0, 2.0, 0.5], rtol=0.05)
    z.sum().backward()
    assert np.allclose(mu.grad.numpy(), 20000)                     # dz/dmu = 1 per sample
    assert abs(logvar.grad.numpy()).min() > 0                      # dz/dlogvar = 0.5 eps std: random but not zero
    logits, mu_out, logvar_out = model(ember.rand(5, 1, 28, 28))
    assert tuple(logits.shape) == (5, 1, 28, 28) and tuple(mu_out.shape) == tuple(logvar_out.shape) == (5, 3)


def test_active_units_counts_latents_that_vary():
    example = load_example()
    means = ember.tensor(np.stack([np.linspace(-1, 1, 50), np.full(50, 3.0), np.linspace(0, 0.1, 50)], axis=1))
    assert example.active_units(means) == 1
