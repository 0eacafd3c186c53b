"""HED (ember.vision.models.hed): trunk layout against torchvision's VGG-16, output shapes and alignment,
the class-balanced loss against a NumPy formula, gradients, and a few training steps."""

import json
import os

import numpy as np
import pytest
from helpers import check_grad

import ember
import ember.nn.functional as F
from ember.vision.models.hed import HED, _upsample_to, hed_loss

GOLDEN = os.path.join(os.path.dirname(__file__), "golden", "hed", "vgg16_features_layout.json")


def load_layout():
    with open(GOLDEN) as f:
        return json.load(f)


# ----------------------------------------------------------------------------- trunk layout
def test_trunk_matches_torchvision_vgg16_features():
    layout = load_layout()
    features = HED().features
    assert len(features) == len(layout["modules"])
    for index, (module, expected) in enumerate(zip(features, layout["modules"])):
        assert type(module).__name__ == expected["type"], f"features[{index}]"
        if expected["type"] == "Conv2d":
            got = {"in_channels": module.in_channels, "out_channels": module.out_channels,
                   "kernel_size": list(module.kernel_size), "padding": list(module.padding)}
            assert got == {k: v for k, v in expected.items() if k != "type"}, f"features[{index}]"
        if expected["type"] == "MaxPool2d":
            assert (module.kernel_size, module.stride) == (expected["kernel_size"], expected["stride"])
    state = {key: list(value.shape) for key, value in features.state_dict().items()}
    assert state == layout["state_dict"]


def test_vgg16_checkpoint_loads_strictly():
    # A torchvision-shaped VGG-16 state_dict (random values): the trunk takes it with strict=True, both
    # bare and as the "features." part of a whole VGG-16 checkpoint (classifier entries ignored).
    rng = np.random.default_rng(0)
    trunk = {key: ember.from_numpy(rng.standard_normal(shape).astype(np.float32))
             for key, shape in load_layout()["state_dict"].items()}
    hed = HED()
    hed.features.load_state_dict(trunk, strict=True)
    np.testing.assert_array_equal(hed.features[28].weight.detach().numpy(), trunk["28.weight"].numpy())
    whole = {f"features.{key}": value * 2 for key, value in trunk.items()}
    whole["classifier.0.weight"] = ember.zeros(4096, 25088)
    hed.load_vgg16_trunk(whole)
    np.testing.assert_array_equal(hed.features[0].bias.detach().numpy(), 2 * trunk["0.bias"].numpy())
    with pytest.raises(RuntimeError):
        HED(base_channels=32).features.load_state_dict(trunk, strict=True)


def test_state_dict_names():
    keys = list(HED(base_channels=4).state_dict())
    assert keys[:2] == ["features.0.weight", "features.0.bias"]
    assert [k for k in keys if not k.startswith("features.")] == (
        [f"side_outputs.{i}.{p}" for i in range(5) for p in ("weight", "bias")] + ["fuse.weight", "fuse.bias"])


# ----------------------------------------------------------------------------- forward
@pytest.mark.parametrize("size", [(16, 16), (33, 47), (17, 31), (40, 24)])
def test_output_shapes(size):
    hed = HED(base_channels=4)
    outputs = hed(ember.rand(2, 3, *size))
    assert isinstance(outputs, list) and len(outputs) == 6
    for out in outputs:
        assert out.shape == (2, 1, *size) and out.dtype == ember.float32


def test_full_width_forward():
    outputs = HED()(ember.rand(1, 3, 32, 36))
    assert [tuple(o.shape) for o in outputs] == [(1, 1, 32, 36)] * 6


def test_fused_map_is_the_initial_average_of_the_sides():
    hed = HED(base_channels=4)
    outputs = hed(ember.rand(1, 3, 20, 21))
    mean = sum(o.detach().numpy() for o in outputs[:5]) / 5
    np.testing.assert_allclose(outputs[-1].detach().numpy(), mean, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("stride", [2, 4, 8, 16])
def test_upsampled_side_maps_are_aligned_with_the_input(stride):
    # Average-pooling a ramp gives its value at each window's centre; bilinear upsampling of that
    # reproduces the ramp exactly wherever it interpolates (not at the outer margin) iff centres align.
    height, width = 37, 53
    ramp = np.add.outer(np.arange(height) * 0.3, np.arange(width) * 1.0)[None, None]
    pooled = F.avg_pool2d(ember.from_numpy(ramp), stride)
    up = _upsample_to(pooled, stride, (height, width)).numpy()[0, 0]
    assert up.shape == (height, width)
    inner = (slice(stride, (height // stride - 1) * stride), slice(stride, (width // stride - 1) * stride))
    np.testing.assert_allclose(up[inner], ramp[0, 0][inner], atol=1e-10)
    constant = _upsample_to(ember.full((1, 1, height // stride, width // stride), 2.5), stride, (height, width))
    np.testing.assert_allclose(constant.numpy(), 2.5, rtol=1e-6)


def test_bad_inputs():
    hed = HED(base_channels=2)
    with pytest.raises(ValueError, match="at least 16"):
        hed(ember.rand(1, 3, 15, 40))
    with pytest.raises(ValueError, match=r"\(B, 3, H, W\)"):
        hed(ember.rand(1, 1, 32, 32))
    with pytest.raises(ValueError, match="base_channels"):
        HED(base_channels=0)


# ----------------------------------------------------------------------------- loss
def numpy_hed_loss(logits_list, target, side_weights, reduction):
    total = 0.0
    weights = list(side_weights) + [1.0]
    for weight, logits in zip(weights, logits_list):
        probability = 1.0 / (1.0 + np.exp(-logits))
        term = 0.0
        for p, y in zip(probability, target):
            beta = (y == 0).sum() / y.size if set(np.unique(y)) <= {0.0, 1.0} else (1 - y).mean()
            pixels = -(beta * y * np.log(p) + (1 - beta) * (1 - y) * np.log(1 - p))
            term += pixels.sum()
        if reduction == "mean":
            term /= target.size
        total += weight * term
    return total


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("soft", [False, True])
def test_loss_matches_numpy(reduction, soft):
    rng = np.random.default_rng(1)
    logits = [rng.standard_normal((3, 1, 7, 9)) for _ in range(6)]
    target = rng.random((3, 1, 7, 9)) if soft else (rng.random((3, 1, 7, 9)) < 0.15).astype(np.float64)
    side_weights = [0.5, 1.0, 1.5, 2.0, 0.25]
    expected = numpy_hed_loss(logits, target, side_weights, reduction)
    got = hed_loss([ember.from_numpy(x) for x in logits], ember.from_numpy(target), side_weights, reduction)
    np.testing.assert_allclose(got.item(), expected, rtol=1e-10)
    default = hed_loss([ember.from_numpy(x) for x in logits], ember.from_numpy(target), reduction=reduction)
    np.testing.assert_allclose(default.item(), numpy_hed_loss(logits, target, [1.0] * 5, reduction), rtol=1e-10)


def test_loss_is_stable_for_large_logits():
    logits = ember.tensor([[[[80.0, -80.0]]]])
    target = ember.tensor([[[[1.0, 0.0]]]])
    assert hed_loss(logits, target).item() == pytest.approx(0.0, abs=1e-12)
    wrong = hed_loss(-logits, target).item()
    assert np.isfinite(wrong) and wrong == pytest.approx(40.0, rel=1e-6)   # beta 1/2, mean of 0.5 * 80


def test_loss_gradcheck():
    rng = np.random.default_rng(2)
    target = (rng.random((2, 1, 3, 4)) < 0.3).astype(np.float64)
    check_grad(lambda a, b: hed_loss([a, b], ember.from_numpy(target), side_weights=[0.7]),
               rng.standard_normal((2, 1, 3, 4)), rng.standard_normal((2, 1, 3, 4)))


def test_loss_bad_arguments():
    x, y = ember.zeros(1, 1, 4, 4), ember.zeros(1, 1, 4, 4)
    with pytest.raises(ValueError, match="reduction"):
        hed_loss([x], y, reduction="none")
    with pytest.raises(ValueError, match="side_weights"):
        hed_loss([x, x, x], y, side_weights=[1.0])
    with pytest.raises(ValueError, match="target shape"):
        hed_loss([x], ember.zeros(1, 1, 4, 5))
    with pytest.raises(ValueError, match="empty"):
        hed_loss([], y)


# ----------------------------------------------------------------------------- gradients and training
def test_gradients_reach_every_parameter():
    hed = HED(base_channels=4)
    target = ember.zeros(2, 1, 24, 20)
    target[..., 8, :] = 1.0
    hed_loss(hed(ember.rand(2, 3, 24, 20)), target).backward()
    for name, parameter in hed.named_parameters():
        assert parameter.grad is not None, name
        assert np.all(np.isfinite(parameter.grad.numpy())), name
    assert all(np.any(p.grad.numpy()) for p in (*hed.side_outputs.parameters(), *hed.fuse.parameters()))


def test_input_gradcheck_small_model():
    ember.manual_seed(0)
    hed = HED(base_channels=1).double()
    x = np.random.default_rng(3).random((1, 3, 16, 17))
    check_grad(lambda t: hed(t)[-1], x, fast=True, second_order=False)


def squares_batch(rng, count, size=32):
    """Bright squares on a dark noisy background and their one-pixel boundaries as targets."""
    images = 0.1 * rng.standard_normal((count, 3, size, size))
    targets = np.zeros((count, 1, size, size))
    for i in range(count):
        top, left = rng.integers(4, size // 2, size=2)
        bottom, right = top + rng.integers(6, size // 2 - 2, size=2)
        images[i, :, top:bottom, left:right] += 1.0
        targets[i, 0, [top, bottom - 1], left:right] = 1.0
        targets[i, 0, top:bottom, [left, right - 1]] = 1.0
    return ember.from_numpy(images.astype(np.float32)), ember.from_numpy(targets.astype(np.float32))


def test_training_steps_lower_the_loss():
    ember.manual_seed(0)
    rng = np.random.default_rng(4)
    hed = HED(base_channels=4)
    optimizer = ember.optim.Adam(hed.parameters(), lr=1e-2)
    images, targets = squares_batch(rng, 2, size=24)
    losses = []
    for _ in range(15):
        optimizer.zero_grad()
        loss = hed_loss(hed(images), targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.8 * losses[0]
    assert min(losses[-3:]) < min(losses[:-3])
