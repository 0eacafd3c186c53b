"""pixel_shuffle, pixel_unshuffle and channel_shuffle (torch.*, F.* and the modules) against PyTorch."""

import numpy as np
import pytest
from helpers import check_grad, noncontiguous, parity, randn, requires_torch, same_error, torch

import ember


@requires_torch
@pytest.mark.parametrize("shape,r", [((1, 4, 2, 3), 2), ((2, 18, 2, 2), 3), ((8, 2, 2), 2), ((2, 3, 4, 1, 1), 2),
                                     ((1, 3, 2, 2), 1), ((0, 4, 2, 2), 2)])
def test_pixel_shuffle_and_its_inverse(shape, r):
    x = randn(*shape)
    grad = 0 not in shape      # torch 2.13's own backward fails on an empty batch
    parity(lambda m, t: m.pixel_shuffle(t, r), x, grad=grad)
    parity(lambda m, t: m.nn.functional.pixel_shuffle(t, r), noncontiguous(x), grad=grad)
    shuffled_shape = torch.pixel_shuffle(torch.from_numpy(x), r).shape
    y = randn(*shuffled_shape)
    if grad:
        parity(lambda m, t: m.pixel_unshuffle(t, r), y)
        parity(lambda m, t: m.nn.PixelUnshuffle(r)(m.nn.PixelShuffle(r)(m.nn.PixelUnshuffle(r)(t))), y)
    else:       # torch 2.13 returns an empty input of pixel_unshuffle unchanged; ember reshapes it
        assert ember.pixel_unshuffle(ember.tensor(y), r).shape == x.shape
        x = ember.tensor(x, requires_grad=True)
        ember.pixel_shuffle(x, r).sum().backward()
        assert x.grad.shape == x.shape


@requires_torch
@pytest.mark.parametrize("shape,groups", [((1, 4, 3), 2), ((2, 6, 2, 2), 3), ((2, 6, 2, 2), 1), ((1, 6, 2, 2, 2), 6),
                                          ((0, 4, 1), 2)])
def test_channel_shuffle(shape, groups):
    x = randn(*shape)
    parity(lambda m, t: m.channel_shuffle(t, groups), x)
    parity(lambda m, t: m.nn.functional.native_channel_shuffle(t, groups), x, grad=False)
    parity(lambda m, t: m.nn.ChannelShuffle(groups)(t), noncontiguous(x))


def test_results_never_alias_the_input():
    x = ember.randn(1, 3, 2, 2)
    for y in (ember.pixel_shuffle(x, 1), ember.pixel_unshuffle(x, 1), ember.channel_shuffle(x, 1)):
        y.zero_()
    assert x.abs().sum().item() > 0


@pytest.mark.parametrize("fn", [lambda t: ember.pixel_shuffle(t, 2), lambda t: ember.pixel_unshuffle(t, 2),
                                lambda t: ember.channel_shuffle(t, 2)])
def test_finite_differences(fn):
    check_grad(fn, randn(2, 4, 4, 2))


@requires_torch
def test_reprs():
    for name, arg in (("PixelShuffle", 2), ("PixelUnshuffle", 3), ("ChannelShuffle", 4)):
        assert repr(getattr(ember.nn, name)(arg)) == repr(getattr(torch.nn, name)(arg))


@requires_torch
@pytest.mark.parametrize("call,shape", [
    (lambda m, t: m.pixel_shuffle(t, 2), (2, 3)), (lambda m, t: m.pixel_shuffle(t, 2), (1, 5, 2, 2)),
    (lambda m, t: m.pixel_shuffle(t, 0), (1, 4, 2, 2)), (lambda m, t: m.pixel_shuffle(t, 2.0), (1, 4, 2, 2)),
    (lambda m, t: m.pixel_unshuffle(t, 2), (1, 1, 5, 4)), (lambda m, t: m.pixel_unshuffle(t, 2), (1, 1, 4, 5)),
    (lambda m, t: m.pixel_unshuffle(t, -1), (1, 1, 4, 4)), (lambda m, t: m.pixel_unshuffle(t, 2), (4, 4)),
    (lambda m, t: m.channel_shuffle(t, 2), (1, 5, 2)), (lambda m, t: m.channel_shuffle(t, 0), (1, 4, 2)),
    (lambda m, t: m.channel_shuffle(t, 2), (4, 2)),
])
def test_errors_match_torch(call, shape):
    error = same_error(call, randn(*shape))
    with pytest.raises(type(error)) as theirs:
        call(torch, torch.from_numpy(randn(*shape)))
    if isinstance(error, RuntimeError):
        assert str(error) == str(theirs.value)


def test_second_order_gradient_through_shuffles():
    x = ember.randn(1, 4, 2, 2, dtype=ember.float64, requires_grad=True)
    y = (ember.pixel_shuffle(x, 2) ** 3).sum()
    (g,) = ember.autograd.grad(y, x, create_graph=True)
    (gg,) = ember.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), 6 * x.detach().numpy())
