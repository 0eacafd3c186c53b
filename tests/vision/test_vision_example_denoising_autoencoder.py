"""examples/denoising_autoencoder.py: the --quick run on the real Fashion-MNIST files, and the example's helpers."""

import importlib.util
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import ember
from ember.vision.io import read_image

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "examples", "denoising_autoencoder.py")
DEBIAN_DIR = "/usr/share/datasets/fashion-mnist"
GRID_SHAPE = (3, 3 * 28 + 4 * 2, 8 * 28 + 9 * 2)     # clean / noisy / denoised rows of 8, padding 2

needs_data = pytest.mark.skipif(not os.path.exists(os.path.join(DEBIAN_DIR, "t10k-labels-idx1-ubyte.gz")),
                                reason="Debian's dataset-fashion-mnist is not installed")


def load_example():
    spec = importlib.util.spec_from_file_location("denoising_autoencoder_example", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EXAMPLE = load_example()


@needs_data
def test_quick_run_denoises_and_saves_grids(tmp_path):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, SCRIPT, "--quick", "--root", str(tmp_path / "data"),
                             "--output-dir", str(out)], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert "2000 training and 500 test images" in result.stdout
    with open(out / "metrics.json") as f:
        metrics = json.load(f)
    assert not [name for name in os.listdir(out) if name.endswith(".tmp")]      # written atomically
    losses = metrics["train_loss"]
    assert len(losses) == 2 and losses[1] < losses[0]
    assert set(metrics["noise"]) == {"gaussian", "salt_and_pepper"}
    assert metrics["noise"]["gaussian"]["transform"] == "GaussianNoise(mean=0.0, sigma=0.3, clip=True)"
    for name, figures in metrics["noise"].items():
        assert 9.0 < figures["noisy_psnr_db"] < 15.0, name          # sigma 0.3 ~ 12.8 dB; 20% s&p ~ 10.8 dB
        assert figures["denoised_psnr_db"] > figures["noisy_psnr_db"], name      # even two short epochs help
        assert figures["gain_db"] == pytest.approx(figures["denoised_psnr_db"] - figures["noisy_psnr_db"], abs=2e-3)
        printed = re.search(rf"{name}: PSNR noisy ([0-9.]+) dB -> denoised ([0-9.]+) dB", result.stdout)
        assert float(printed.group(1)) == pytest.approx(figures["noisy_psnr_db"], abs=0.01)
        grid = read_image(figures["grid"])
        assert tuple(grid.shape) == GRID_SHAPE and grid.dtype == ember.uint8
        pixels = grid.numpy()
        assert pixels[:, 2:30, 2:30].std() > 10                      # a clothing image, not a blank tile
        assert (pixels[:, :2, :] == 255).all()                       # white padding (pad_value=1.0)


def test_salt_and_pepper_noise():
    noise = EXAMPLE.SaltAndPepperNoise(amount=0.2, salt_vs_pepper=0.25)
    assert repr(noise) == "SaltAndPepperNoise(amount=0.2, salt_vs_pepper=0.25)"
    ember.manual_seed(0)
    image = ember.full((4, 1, 64, 64), 0.5)
    noisy = noise(image).numpy()
    white, black = (noisy == 1.0).mean(), (noisy == 0.0).mean()
    assert abs(white - 0.05) < 0.01 and abs(black - 0.15) < 0.01
    assert set(np.unique(noisy)) == {0.0, 0.5, 1.0}
    assert not np.array_equal(noisy[0], noisy[1])
    uint8 = EXAMPLE.SaltAndPepperNoise(amount=1.0, salt_vs_pepper=1.0)(ember.zeros(1, 4, 4, dtype=ember.uint8))
    assert uint8.dtype == ember.uint8 and int(uint8.min()) == 255
    assert EXAMPLE.SaltAndPepperNoise(amount=0.0)(image).equal(image)
    with pytest.raises(ValueError, match="amount"):
        EXAMPLE.SaltAndPepperNoise(amount=1.5)
    with pytest.raises(ValueError, match="salt_vs_pepper"):
        EXAMPLE.SaltAndPepperNoise(salt_vs_pepper=-0.1)
    with pytest.raises(TypeError):
        noise(np.zeros((1, 4, 4)))


def test_noise_is_chosen_per_image():
    mix = EXAMPLE.RandomNoisePerImage([lambda x: x * 0 + 1, lambda x: x * 0 + 2])
    ember.manual_seed(0)
    out = mix(ember.zeros(64, 1, 3, 3)).numpy()
    per_image = out.reshape(64, -1)
    assert (per_image == per_image[:, :1]).all()                    # one transform per whole image
    assert set(np.unique(per_image[:, 0])) == {1.0, 2.0}
    assert "RandomNoisePerImage(" in repr(EXAMPLE.RandomNoisePerImage(EXAMPLE.noise_kinds(0.1, 0.1).values()))


def test_psnr_values():
    clean = ember.zeros(2, 1, 4, 4)
    noisy = ember.stack([ember.full((1, 4, 4), 0.1), ember.full((1, 4, 4), 0.5)])
    np.testing.assert_allclose(EXAMPLE.psnr(noisy, clean).numpy(), [20.0, 10 * np.log10(4.0)], rtol=1e-5)
    assert float(EXAMPLE.psnr(clean, clean)[0]) == pytest.approx(100.0)


def test_model_shapes_range_and_a_training_step():
    ember.manual_seed(0)
    model = EXAMPLE.DenoisingAutoencoder(width=8)
    out = model(ember.rand(4, 1, 28, 28))
    assert tuple(out.shape) == (4, 1, 28, 28) and float(out.min()) >= 0.0 and float(out.max()) <= 1.0
    images = ember.rand(16, 1, 28, 28)
    noise = EXAMPLE.RandomNoisePerImage(EXAMPLE.noise_kinds(0.2, 0.1).values())
    history = EXAMPLE.train(model, images, noise, epochs=2, batch_size=8, lr=1e-2, loss_kind="bce", stream=None)
    assert len(history) == 2 and all(np.isfinite(history))
    figures, noisy, denoised = EXAMPLE.evaluate(model, images, EXAMPLE.SaltAndPepperNoise(0.2), seed=3)
    assert noisy.shape == denoised.shape == images.shape
    again, _, _ = EXAMPLE.evaluate(model, images, EXAMPLE.SaltAndPepperNoise(0.2), seed=3)
    assert again == figures                                          # the test noise comes from a fixed seed
    with pytest.raises(ValueError, match="loss"):
        EXAMPLE.reconstruction_loss("l1")
