"""Pooling (ember.max_pool*/avg_pool1d/adaptive_*, F.*pool*, max_unpool*, nn pooling layers) against PyTorch."""

import numpy as np
import pytest
from helpers import check_grad, noncontiguous, parity, randn, same_error, torch

import ember


def F(m):
    return m.nn.functional


POOL2D = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=(3, 2), stride=(2, 1), ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=(2, 3), stride=(3, 2), padding=(1, 1)),
]


@pytest.mark.parametrize("kw", POOL2D + [dict(kernel_size=3, stride=2, dilation=2, padding=1, ceil_mode=True)])
def test_max_pool2d(kw):
    parity(lambda m, x: F(m).max_pool2d(x, return_indices=True, **kw), randn(2, 3, 9, 8))
    parity(lambda m, x: F(m).max_pool2d_with_indices(x, **kw), randn(3, 7, 8))
    parity(lambda m, x: m.max_pool2d(x, **kw), noncontiguous(randn(2, 3, 9, 8)))


@pytest.mark.parametrize("kw", POOL2D)
@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool2d(kw, count_include_pad):
    parity(lambda m, x: F(m).avg_pool2d(x, count_include_pad=count_include_pad, **kw), randn(2, 3, 9, 8))


def test_avg_pool_divisor_and_other_dims():
    parity(lambda m, x: F(m).avg_pool2d(x, 3, 2, 1, divisor_override=4), randn(2, 3, 9, 8))
    parity(lambda m, x: F(m).avg_pool3d(x, 2, ceil_mode=True), randn(2, 3, 4, 5, 4))
    parity(lambda m, x: F(m).avg_pool3d(x, 3, 2, 1, count_include_pad=False, divisor_override=5), randn(1, 2, 4, 5, 4))
    parity(lambda m, x: m.avg_pool1d(x, 2, ceil_mode=True), randn(2, 3, 5))
    parity(lambda m, x: F(m).avg_pool1d(x, 3, 2, 1, count_include_pad=False), randn(3, 7))
    parity(lambda m, x: F(m).avg_pool2d(x, 2), randn(2, 3, 8, 8, dtype=np.float32))


def test_max_pool_other_dims():
    parity(lambda m, x: F(m).max_pool1d(x, 3, 2, 1, ceil_mode=True, return_indices=True), randn(2, 3, 9))
    parity(lambda m, x: m.max_pool1d_with_indices(x, 2), randn(3, 9))
    parity(lambda m, x: m.max_pool1d(x, 3, 1, dilation=2), randn(2, 9))
    parity(lambda m, x: F(m).max_pool3d(x, 2, return_indices=True), randn(2, 3, 4, 5, 4))
    parity(lambda m, x: F(m).max_pool3d_with_indices(x, 3, 2, 1, ceil_mode=True), randn(1, 2, 4, 5, 4))
    parity(lambda m, x: m.max_pool2d(x, 2), randn(2, 4, 28, 28, dtype=np.float32))


def test_max_pool_ties_and_integers():
    x = np.zeros((1, 2, 4, 4))
    x[0, 1, 1:3, 1:3] = 1.0
    parity(lambda m, x: F(m).max_pool2d(x, 2, return_indices=True), x)
    parity(lambda m, x: F(m).max_pool2d(x, 3, 1, 1, return_indices=True), x)
    parity(lambda m, x: F(m).max_pool2d(x, 2, return_indices=True), np.arange(32).reshape(1, 2, 4, 4))


@pytest.mark.parametrize("size", [1, (3, 2), (5, None), (4, 7), (9, 7)])
def test_adaptive_pool2d(size):
    parity(lambda m, x: F(m).adaptive_avg_pool2d(x, size), randn(2, 3, 9, 7))
    parity(lambda m, x: F(m).adaptive_max_pool2d(x, size, return_indices=True), randn(2, 3, 9, 7))
    parity(lambda m, x: F(m).adaptive_max_pool2d_with_indices(x, size), randn(3, 9, 7))


def test_adaptive_pool_other_dims():
    parity(lambda m, x: m.adaptive_avg_pool1d(x, 4), randn(2, 3, 9))
    parity(lambda m, x: m.adaptive_max_pool1d(x, 4), randn(2, 3, 9))
    parity(lambda m, x: F(m).adaptive_max_pool1d(x, 4, return_indices=True), randn(3, 9))
    parity(lambda m, x: F(m).adaptive_max_pool1d_with_indices(x, 5), randn(3, 9))
    parity(lambda m, x: F(m).adaptive_avg_pool3d(x, (2, 3, 1)), randn(1, 2, 4, 5, 3))
    parity(lambda m, x: F(m).adaptive_max_pool3d(x, (2, 3, 1), return_indices=True), randn(1, 2, 4, 5, 3))
    parity(lambda m, x: F(m).adaptive_max_pool3d_with_indices(x, 2), randn(2, 4, 5, 3))


def test_lp_pool():
    parity(lambda m, x: F(m).lp_pool2d(x, 2, 3, 2), randn(2, 3, 9, 8))
    parity(lambda m, x: F(m).lp_pool2d(x, 3, (2, 3), ceil_mode=True), np.abs(randn(2, 3, 9, 8)) + 0.1)
    parity(lambda m, x: F(m).lp_pool1d(x, 1.5, 3), np.abs(randn(2, 3, 9)) + 0.1)
    parity(lambda m, x: F(m).lp_pool3d(x, 2, 2), randn(1, 2, 4, 4, 4))


@pytest.mark.parametrize("d, shape", [(1, (2, 3, 8)), (2, (2, 3, 8, 6)), (3, (1, 2, 4, 4, 6))])
def test_max_unpool(d, shape):
    def fn(m, x):
        values, indices = getattr(F(m), f"max_pool{d}d")(x, 2, return_indices=True)
        return getattr(F(m), f"max_unpool{d}d")(values, indices, 2)
    parity(fn, randn(*shape))

    def sized(m, x):
        values, indices = getattr(F(m), f"max_pool{d}d")(x, 2, return_indices=True)
        return getattr(F(m), f"max_unpool{d}d")(values, indices, 2, output_size=[s + 1 for s in shape[2:]])
    parity(sized, randn(*shape))


def test_pool_grad_finite_differences():
    check_grad(lambda x: ember.nn.functional.max_pool2d(x, 3, 2, 1), randn(1, 2, 5, 5))
    check_grad(lambda x: ember.nn.functional.max_pool2d(x, 2), randn(1, 2, 4, 4))
    check_grad(lambda x: ember.nn.functional.avg_pool2d(x, 3, 2, 1, ceil_mode=True), randn(1, 2, 5, 5))
    check_grad(lambda x: ember.nn.functional.avg_pool2d(x, 2, count_include_pad=False), randn(1, 2, 4, 5))
    check_grad(lambda x: ember.nn.functional.adaptive_avg_pool2d(x, (2, 3)), randn(1, 2, 5, 5))
    check_grad(lambda x: ember.nn.functional.adaptive_max_pool2d(x, (2, 3)), randn(1, 2, 5, 5))
    check_grad(lambda x: ember.nn.functional.lp_pool2d(x, 2, 2), np.abs(randn(1, 2, 4, 4)) + 0.5)

    def unpool(x):
        values, indices = ember.nn.functional.max_pool2d(x.detach(), 2, return_indices=True)
        return ember.nn.functional.max_unpool2d(x[..., ::2, ::2], indices, 2)
    check_grad(unpool, randn(1, 2, 4, 4))


def test_pool_double_backward_parity():
    def fn(m, x):
        y = F(m).max_pool2d(x, 3, 2, 1) + F(m).avg_pool2d(x, 2)[..., :3, :3]
        (gx,) = m.autograd.grad((y * y).sum(), x, create_graph=True)
        return (gx * gx * x).sum()
    parity(fn, randn(2, 2, 6, 6))


ERRORS = [
    lambda m, x: F(m).max_pool2d(x, 0),
    lambda m, x: F(m).max_pool2d(x, 2, stride=0),
    lambda m, x: F(m).max_pool2d(x, 2, padding=2),
    lambda m, x: F(m).max_pool2d(x, 2, dilation=0),
    lambda m, x: F(m).max_pool2d(x, 7),
    lambda m, x: F(m).max_pool2d(x[0, 0, 0], 2),
    lambda m, x: F(m).avg_pool2d(x, 2, padding=2),
    lambda m, x: F(m).avg_pool2d(x, 7),
    lambda m, x: F(m).avg_pool2d(x, 2, divisor_override=0),
    lambda m, x: F(m).adaptive_avg_pool2d(x[0, 0, 0], 2),
    lambda m, x: F(m).adaptive_max_pool2d(x[0, 0, 0], 2),
    lambda m, x: m.max_pool1d(x, 2),
    lambda m, x: F(m).max_unpool2d(x, m.zeros(2, 4, 5, 5, dtype=m.int64) + 100, 2),
    lambda m, x: F(m).max_unpool2d(x, m.zeros(2, 4, 5, 4, dtype=m.int64), 2),
]


@pytest.mark.parametrize("fn", ERRORS)
def test_pool_errors(fn):
    same_error(fn, randn(2, 4, 5, 5))


MODULES = [
    ("MaxPool1d", (3,), dict(stride=2, padding=1, ceil_mode=True), (2, 3, 9)),
    ("MaxPool2d", (2,), {}, (2, 3, 8, 8)),
    ("MaxPool2d", ((3, 2),), dict(stride=1, dilation=(1, 2), return_indices=True), (2, 3, 8, 8)),
    ("MaxPool3d", (2,), dict(padding=1), (1, 2, 4, 5, 4)),
    ("AvgPool1d", (3,), dict(stride=2, count_include_pad=False, padding=1), (2, 3, 9)),
    ("AvgPool2d", (3,), dict(stride=2, padding=1, divisor_override=2), (2, 3, 8, 8)),
    ("AvgPool3d", (2,), dict(ceil_mode=True), (1, 2, 5, 5, 5)),
    ("AdaptiveAvgPool1d", (4,), {}, (2, 3, 9)),
    ("AdaptiveAvgPool2d", ((3, None),), {}, (2, 3, 8, 7)),
    ("AdaptiveAvgPool3d", (2,), {}, (1, 2, 5, 5, 5)),
    ("AdaptiveMaxPool1d", (4,), dict(return_indices=True), (2, 3, 9)),
    ("AdaptiveMaxPool2d", ((3, 2),), {}, (2, 3, 8, 7)),
    ("AdaptiveMaxPool3d", (2,), {}, (1, 2, 5, 5, 5)),
    ("LPPool1d", (2, 3), dict(stride=2), (2, 3, 9)),
    ("LPPool2d", (2, (2, 3)), {}, (2, 3, 8, 7)),
    ("LPPool3d", (1.5, 2), {}, (1, 2, 4, 4, 4)),
]


@pytest.mark.parametrize("name, args, kw, shape", MODULES)
def test_pool_modules(name, args, kw, shape):
    assert repr(getattr(ember.nn, name)(*args, **kw)) == repr(getattr(torch.nn, name)(*args, **kw))
    x = randn(*shape)
    if name.startswith("LP"):
        x = np.abs(x) + 0.1
    parity(lambda m, x: getattr(m.nn, name)(*args, **kw)(x), x)


@pytest.mark.parametrize("d", [1, 2, 3])
def test_unpool_modules(d):
    name = f"MaxUnpool{d}d"
    assert repr(getattr(ember.nn, name)(2, stride=2, padding=0)) == repr(getattr(torch.nn, name)(2, stride=2))
    shape = (2, 3) + (4,) * d

    def fn(m, x):
        values, indices = getattr(m.nn, f"MaxPool{d}d")(2, return_indices=True)(x)
        return getattr(m.nn, name)(2)(values, indices)
    parity(fn, randn(*shape))
