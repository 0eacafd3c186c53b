"""F.grid_sample, F.affine_grid and torch.grid_sampler* / affine_grid_generator against PyTorch."""

import warnings

import numpy as np
import pytest
from helpers import check_grad, noncontiguous, parity, randn, requires_torch, same_error, torch

import ember

MODES_2D = [(mode, pad, ac) for mode in ("bilinear", "nearest", "bicubic")
            for pad in ("zeros", "border", "reflection") for ac in (False, True)]
MODES_3D = [(mode, pad, ac) for mode, pad, ac in MODES_2D if mode != "bicubic"]


def _grid(*shape, spread=1.6):
    """Sampling positions, many of them outside [-1, 1] (every padding rule is exercised)."""
    g = randn(*shape) * spread
    g.flat[:4] = [-1.0, 1.0, 0.0, 2.7]       # the corners themselves and one far outside
    return g


def _sample(mode, pad, ac):
    return lambda m, x, g: m.nn.functional.grid_sample(x, g, mode=mode, padding_mode=pad, align_corners=ac)


@requires_torch
@pytest.mark.parametrize("mode,pad,ac", MODES_2D)
def test_grid_sample_2d_values_and_gradients(mode, pad, ac):
    parity(_sample(mode, pad, ac), randn(2, 3, 5, 6), _grid(2, 4, 3, 2), rtol=1e-6, atol=1e-9)
    parity(_sample(mode, pad, ac), randn(1, 2, 4, 4, dtype=np.float32), _grid(1, 3, 5, 2).astype(np.float32),
           atol=1e-5)
    parity(_sample(mode, pad, ac), randn(1, 2, 1, 3), _grid(1, 2, 3, 2), rtol=1e-6, atol=1e-9)   # a unit-size axis


@requires_torch
@pytest.mark.parametrize("mode,pad,ac", MODES_3D)
def test_grid_sample_3d_values_and_gradients(mode, pad, ac):
    parity(_sample(mode, pad, ac), randn(2, 3, 4, 5, 3), _grid(2, 3, 2, 4, 3), rtol=1e-6, atol=1e-9)


@requires_torch
def test_grid_sample_noncontiguous_inputs_and_grid():
    x, g = randn(2, 3, 5, 6), _grid(2, 4, 3, 2)
    parity(_sample("bilinear", "zeros", False), noncontiguous(x), noncontiguous(g))
    parity(_sample("bicubic", "reflection", True), noncontiguous(x), g)


@requires_torch
@pytest.mark.parametrize("x_shape,g_shape", [((0, 3, 4, 4), (0, 3, 3, 2)), ((2, 0, 4, 4), (2, 3, 3, 2)),
                                             ((2, 3, 4, 4), (2, 0, 3, 2)), ((2, 0, 3, 4, 4), (2, 1, 3, 3, 3))])
def test_grid_sample_empty_batch_channels_or_grid(x_shape, g_shape):
    out = parity(_sample("bilinear", "zeros", False), randn(*x_shape), _grid(*g_shape), grad=False)
    assert out.shape == x_shape[:2] + g_shape[1:-1]


@pytest.mark.parametrize("mode,pad,ac", [("bilinear", "zeros", False), ("bilinear", "border", True),
                                         ("bilinear", "reflection", False), ("bicubic", "zeros", True),
                                         ("bicubic", "reflection", False), ("bicubic", "border", False)])
def test_grid_sample_2d_gradients_by_finite_differences(mode, pad, ac):
    x, g = randn(1, 2, 3, 4), randn(1, 2, 3, 2) * 1.3
    check_grad(lambda t, u: ember.nn.functional.grid_sample(t, u, mode=mode, padding_mode=pad, align_corners=ac),
               x, g)


@pytest.mark.parametrize("pad", ["zeros", "reflection"])
def test_grid_sample_3d_gradients_by_finite_differences(pad):
    x, g = randn(1, 2, 3, 2, 3), randn(1, 2, 1, 2, 3) * 1.3
    check_grad(lambda t, u: ember.nn.functional.grid_sample(t, u, padding_mode=pad, align_corners=False), x, g)


def test_nearest_grid_sample_has_a_zero_gradient_for_the_grid():
    x = ember.tensor(randn(1, 1, 3, 3), requires_grad=True)
    g = ember.tensor(randn(1, 2, 2, 2) * 0.5, requires_grad=True)
    ember.nn.functional.grid_sample(x, g, mode="nearest", align_corners=False).sum().backward()
    assert g.grad is not None and not g.grad.any()
    check_grad(lambda t: ember.nn.functional.grid_sample(t, g.detach(), mode="nearest", align_corners=True),
               randn(1, 1, 3, 3))


@requires_torch
@pytest.mark.parametrize("name,d", [("grid_sampler", 2), ("grid_sampler", 3), ("grid_sampler_2d", 2),
                                    ("grid_sampler_3d", 3)])
@pytest.mark.parametrize("mode_code,pad_code", [(0, 0), (1, 1), (0, 2)])
def test_torch_grid_sampler_functions(name, d, mode_code, pad_code):
    x = randn(2, 2, *(4,) * d)
    g = _grid(2, *(3,) * d, d)
    parity(lambda m, t, u: getattr(m, name)(t, u, mode_code, pad_code, True), x, g)


@requires_torch
def test_align_corners_none_warns_and_means_false():
    x, g = randn(1, 1, 3, 3), _grid(1, 2, 2, 2)
    with pytest.warns(UserWarning, match="Default grid_sample and affine_grid behavior has changed"):
        parity(lambda m, t, u: m.nn.functional.grid_sample(t, u), x, g)
    with pytest.warns(UserWarning, match="Default grid_sample and affine_grid behavior has changed"):
        parity(lambda m, t: m.nn.functional.affine_grid(t, [1, 1, 2, 3]), randn(1, 2, 3))


@requires_torch
@pytest.mark.parametrize("case", [
    lambda m, x, g: m.nn.functional.grid_sample(x, g, mode="area", align_corners=False),
    lambda m, x, g: m.nn.functional.grid_sample(x, g, padding_mode="circular", align_corners=False),
    lambda m, x, g: m.nn.functional.grid_sample(x, g[:1].expand(3, -1, -1, -1), align_corners=False),
    lambda m, x, g: m.nn.functional.grid_sample(x, m.cat([g, g[..., :1]], -1), align_corners=False),
    lambda m, x, g: m.nn.functional.grid_sample(x, g[..., None], align_corners=False),
    lambda m, x, g: m.nn.functional.grid_sample(x[:, :, 0], g[:, :, 0], align_corners=False),
    lambda m, x, g: m.nn.functional.grid_sample(x[..., None], m.cat([g, g[..., :1]], -1)[:, None], mode="bicubic",
                                                align_corners=False),
    lambda m, x, g: m.nn.functional.grid_sample(x, g.float(), align_corners=False),
    lambda m, x, g: m.nn.functional.grid_sample(x.long(), g.long(), align_corners=False),
    lambda m, x, g: m.nn.functional.grid_sample(x[:, :, :0], g, align_corners=False),
    lambda m, x, g: m.grid_sampler_2d(x[..., None], m.cat([g, g[..., :1]], -1)[:, None], 0, 0, False),
    lambda m, x, g: m.grid_sampler_3d(x, g, 0, 0, False),
    lambda m, x, g: m.grid_sampler(x.numpy(), g, 0, 0, False),
])
def test_grid_sample_bad_arguments_raise_like_torch(case):
    same_error(case, randn(2, 3, 4, 5), _grid(2, 3, 3, 2))


@requires_torch
@pytest.mark.parametrize("size,theta_shape", [([2, 3, 4, 5], (2, 2, 3)), ([2, 3, 4, 5, 6], (2, 3, 4)),
                                              ([2, 3, 1, 5], (2, 2, 3)), ([2, 1, 1, 1], (2, 2, 3)),
                                              ([1, 2, 1, 3, 1], (1, 3, 4))])
@pytest.mark.parametrize("ac", [False, True])
def test_affine_grid_values_and_gradients(size, theta_shape, ac):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")         # torch warns for unit sizes with align_corners=True
        parity(lambda m, t: m.nn.functional.affine_grid(t, size, align_corners=ac), randn(*theta_shape))
        parity(lambda m, t: m.affine_grid_generator(t, size, ac), randn(*theta_shape).astype(np.float32))


def test_affine_grid_gradient_by_finite_differences():
    check_grad(lambda t: ember.nn.functional.affine_grid(t, [1, 1, 3, 2], align_corners=False), randn(1, 2, 3))
    check_grad(lambda t: ember.nn.functional.affine_grid(t, [1, 1, 2, 2, 3], align_corners=True), randn(1, 3, 4))


def test_identity_affine_grid_samples_the_input_back():
    x = ember.tensor(randn(2, 3, 4, 5, dtype=np.float32))
    theta = ember.eye(2, 3).expand(2, 2, 3)
    for ac in (False, True):
        grid = ember.nn.functional.affine_grid(theta, list(x.shape), align_corners=ac)
        y = ember.nn.functional.grid_sample(x, grid, align_corners=ac)
        np.testing.assert_allclose(y.numpy(), x.numpy(), atol=1e-6)


@requires_torch
def test_affine_grid_and_grid_sample_chain_gradients_match():
    parity(lambda m, x, t: m.nn.functional.grid_sample(
        x, m.nn.functional.affine_grid(t, [2, 3, 4, 4], align_corners=False), align_corners=False,
        padding_mode="border"), randn(2, 3, 5, 5), randn(2, 2, 3))


@requires_torch
def test_affine_grid_warns_for_unit_sizes_with_align_corners():
    with pytest.warns(UserWarning, match="unit-size grids"):
        ember.nn.functional.affine_grid(ember.zeros(1, 2, 3), [1, 1, 1, 4], align_corners=True)


@requires_torch
@pytest.mark.parametrize("case", [
    lambda m, t: m.nn.functional.affine_grid(t.long(), [2, 3, 4, 5], align_corners=False),
    lambda m, t: m.nn.functional.affine_grid(t, [2, 3, 4, 5, 6], align_corners=False),
    lambda m, t: m.nn.functional.affine_grid(t, [2, 3, 4], align_corners=False),
    lambda m, t: m.nn.functional.affine_grid(t, [2, 3, 0, 5], align_corners=False),
    lambda m, t: m.nn.functional.affine_grid(t, [3, 3, 4, 5], align_corners=False),
    lambda m, t: m.nn.functional.affine_grid(t[0], [2, 3, 4, 5], align_corners=False),
    lambda m, t: m.affine_grid_generator(t, [2, 3, 4], False),
])
def test_affine_grid_bad_arguments_raise_like_torch(case):
    same_error(case, randn(2, 2, 3))


def test_grid_sample_mode_tables():
    assert ember.nn.functional.GRID_SAMPLE_INTERPOLATION_MODES == torch.nn.functional.GRID_SAMPLE_INTERPOLATION_MODES
    assert ember.nn.functional.GRID_SAMPLE_PADDING_MODES == torch.nn.functional.GRID_SAMPLE_PADDING_MODES
