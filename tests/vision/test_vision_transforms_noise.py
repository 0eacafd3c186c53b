"""GaussianNoise / functional.gaussian_noise: torchvision v2's noise transform.

torchvision is not installed, so the oracle is its formula evaluated by torch on the same normal
draws (ember's generator is reseeded to replay them): noise = mean + z * sigma added to float
images and clamped to [0, 1]; for uint8, the noise is scaled by 255 and truncated to int16 first.
"""

import numpy as np
import pytest
from helpers import requires_torch, torch

import ember
from ember.vision import transforms as T
from ember.vision.transforms import functional as F


def draws(image, seed, dtype=None):
    """The standard normal draws ``gaussian_noise`` takes for ``image`` after ``ember.manual_seed(seed)``."""
    ember.manual_seed(seed)
    return ember.randn_like(image, dtype=dtype).numpy().copy()


@requires_torch
@pytest.mark.parametrize("shape", [(1, 28, 28), (2, 3, 5, 4), (4, 4)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("mean, sigma, clip", [(0.0, 0.1, True), (0.2, 0.5, True), (-0.1, 0.3, False)])
def test_float_images_follow_torchvisions_formula(shape, dtype, mean, sigma, clip):
    image = np.random.default_rng(0).random(shape).astype(dtype)
    z = draws(ember.from_numpy(image), 7)
    ember.manual_seed(7)
    ours = T.GaussianNoise(mean=mean, sigma=sigma, clip=clip)(ember.from_numpy(image))
    theirs = torch.from_numpy(image) + (mean + torch.from_numpy(z) * sigma)
    if clip:
        theirs = torch.clamp(theirs, 0, 1)
    assert ours.dtype.name == str(theirs.dtype).replace("torch.", "")
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@requires_torch
@pytest.mark.parametrize("mean, sigma, clip", [(0.0, 0.1, True), (0.3, 0.4, True), (0.0, 0.5, False)])
def test_uint8_images_use_the_same_scale(mean, sigma, clip):
    image = np.random.default_rng(1).integers(0, 256, (3, 16, 16)).astype(np.uint8)
    z = draws(ember.from_numpy(image), 3, dtype=ember.float32)
    ember.manual_seed(3)
    ours = F.gaussian_noise(ember.from_numpy(image), mean=mean, sigma=sigma, clip=clip)
    noise = ((mean * 255) + torch.from_numpy(z) * (sigma * 255)).to(torch.int16)
    theirs = torch.from_numpy(image) + noise
    if clip:
        theirs = torch.clamp(theirs, 0, 255)
    theirs = theirs.to(torch.uint8)
    assert ours.dtype == ember.uint8
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_noise_statistics_and_independence():
    ember.manual_seed(0)
    images = ember.full((8, 1, 64, 64), 0.5)
    noisy = F.gaussian_noise(images, mean=0.05, sigma=0.1, clip=False)
    noise = (noisy - images).numpy()
    assert abs(noise.mean() - 0.05) < 3e-3 and abs(noise.std() - 0.1) < 3e-3
    assert not np.allclose(noise[0], noise[1])            # each image of the batch gets its own draw


def test_clipping_and_zero_sigma():
    image = ember.tensor([[[0.0, 0.5, 1.0]]])
    assert F.gaussian_noise(image, sigma=0.0).equal(image)
    assert F.gaussian_noise(image, mean=0.25, sigma=0.0).allclose(ember.tensor([[[0.25, 0.75, 1.0]]]))
    assert F.gaussian_noise(image, mean=0.25, sigma=0.0, clip=False).allclose(ember.tensor([[[0.25, 0.75, 1.25]]]))
    ember.manual_seed(1)
    noisy = T.GaussianNoise(sigma=2.0)(ember.rand(2, 3, 8, 8))
    assert float(noisy.min()) == 0.0 and float(noisy.max()) == 1.0
    bright = ember.full((1, 8, 8), 250, dtype=ember.uint8)
    assert int(F.gaussian_noise(bright, mean=0.5, sigma=0.0).min()) == 255


def test_seeded_runs_repeat_and_gradients_pass_through():
    image = ember.rand(1, 6, 6)
    ember.manual_seed(5)
    first = T.GaussianNoise()(image)
    ember.manual_seed(5)
    assert T.GaussianNoise()(image).equal(first)
    x = ember.full((1, 4, 4), 0.5, requires_grad=True)
    F.gaussian_noise(x, sigma=0.01).sum().backward()
    assert x.grad.equal(ember.ones(1, 4, 4))              # well inside [0, 1]: the clamp passes gradients on


def test_bad_input_raises_as_torchvision():
    with pytest.raises(ValueError, match="sigma shouldn't be negative"):
        F.gaussian_noise(ember.rand(1, 2, 2), sigma=-0.1)
    with pytest.raises(ValueError, match="uint8 or float dtype"):
        T.GaussianNoise()(ember.ones(1, 2, 2, dtype=ember.int32))
    with pytest.raises(TypeError):
        F.gaussian_noise([[0.5]])
    image = pytest.importorskip("PIL.Image").new("L", (4, 4))
    with pytest.raises(ValueError, match="not implemented for PIL images"):
        T.GaussianNoise()(image)


def test_repr_defaults_and_composition():
    noise = T.GaussianNoise()
    assert (noise.mean, noise.sigma, noise.clip) == (0.0, 0.1, True)
    assert repr(noise) == "GaussianNoise(mean=0.0, sigma=0.1, clip=True)"
    assert repr(T.GaussianNoise(0.1, 0.2, False)) == "GaussianNoise(mean=0.1, sigma=0.2, clip=False)"
    pipeline = T.Compose([T.ToTensor(), T.GaussianNoise(sigma=0.2)])
    out = pipeline(np.full((5, 5, 1), 128, dtype=np.uint8))
    assert out.shape == (1, 5, 5) and out.dtype == ember.float32
    assert "GaussianNoise(mean=0.0, sigma=0.2, clip=True)" in repr(pipeline)
