"""Parity of the window functions (hann, hamming, blackman, bartlett, kaiser) with PyTorch's."""

import numpy as np
import pytest
from helpers import requires_torch, same_error, same_result, torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember

pytestmark = requires_torch

WINDOWS = ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]
LENGTHS = list(range(0, 18)) + [31, 64, 101, 256, 1000]
# float32 windows round exactly as PyTorch's, but for its float32 cos and I0 kernels (a few units in the
# last place); float16 and bfloat16 ones are computed in float32 and rounded after each step, as PyTorch does.
TOLERANCE = {"float64": 1e-14, "float32": 1e-6, "float16": 1e-6, "bfloat16": 1e-6}


def _compare(ours, theirs, atol):
    assert ours.dtype.name == str(theirs.dtype).replace("torch.", "")
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert ours.requires_grad == theirs.requires_grad
    np.testing.assert_allclose(ours.detach().to(ember.float64).numpy(), theirs.detach().double().numpy(), rtol=0,
                               atol=atol, equal_nan=True)


@pytest.mark.parametrize("name", WINDOWS)
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_values_for_many_lengths(name, dtype):
    for length in LENGTHS:
        for periodic in (True, False):
            ours = getattr(ember, name)(length, periodic, dtype=getattr(ember, dtype))
            theirs = getattr(torch, name)(length, periodic, dtype=getattr(torch, dtype))
            _compare(ours, theirs, TOLERANCE[dtype])


@pytest.mark.parametrize("name", WINDOWS)
def test_defaults_and_keywords(name):
    same_result(lambda m: getattr(m, name)(7))                                   # periodic, default dtype
    same_result(lambda m: getattr(m, name)(7, periodic=False))
    same_result(lambda m: getattr(m, name)(5, dtype=m.float64, requires_grad=True))
    same_result(lambda m: getattr(m, name)(1, requires_grad=True))
    same_result(lambda m: getattr(m, name)(0, dtype=m.float64))


def test_default_dtype_is_followed(default_float64):
    for name in WINDOWS:
        same_result(lambda m, name=name: getattr(m, name)(6), rtol=1e-14, atol=1e-14)


def test_requires_grad_gives_a_leaf():
    w = ember.hann_window(4, requires_grad=True)
    assert w.is_leaf and w.requires_grad
    (w * 2).sum().backward()
    assert w.grad.tolist() == [2.0, 2.0, 2.0, 2.0]


def test_hamming_alpha_beta():
    for args in [(7, True, 0.3, 0.9), (7, False, 0.5), (6, True, 1, 2), (5, False, 0.54, 0.46)]:
        same_result(lambda m, args=args: m.hamming_window(*args), atol=1e-6)
        same_result(lambda m, args=args: m.hamming_window(*args, dtype=m.float64), rtol=1e-14, atol=1e-14)
    same_result(lambda m: m.hamming_window(8, True, alpha=0.6, beta=0.2, dtype=m.float64))


@pytest.mark.parametrize("beta", [0.0, 0.5, 3.0, 12.0, 40.0, -3.0, 95.0, 800.0])   # large beta: I0 overflows
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_kaiser_beta(beta, dtype):
    same_result(lambda m: m.kaiser_window(9, True, beta, dtype=getattr(m, dtype)), rtol=1e-6, atol=1e-6)
    same_result(lambda m: m.kaiser_window(10, False, beta, dtype=getattr(m, dtype)), rtol=1e-6, atol=1e-6)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 300), st.booleans(), st.sampled_from(WINDOWS))
def test_property_lengths(length, periodic, name):
    _compare(getattr(ember, name)(length, periodic, dtype=ember.float64),
             getattr(torch, name)(length, periodic, dtype=torch.float64), 1e-14)


def test_periodic_is_the_longer_symmetric_window_cut():
    for name in WINDOWS:
        periodic = getattr(ember, name)(8, True, dtype=ember.float64).numpy()
        symmetric = getattr(ember, name)(9, False, dtype=ember.float64).numpy()
        np.testing.assert_array_equal(periodic, symmetric[:-1])


@pytest.mark.parametrize("name", WINDOWS)
def test_errors(name):
    same_error(lambda m: getattr(m, name)(-1))
    same_error(lambda m: getattr(m, name)(3.0))
    same_error(lambda m: getattr(m, name)(True))
    same_error(lambda m: getattr(m, name)(3, 1))                      # periodic must be a bool
    same_error(lambda m: getattr(m, name)(3, dtype=m.int64))
    same_error(lambda m: getattr(m, name)(0, dtype=m.int64))
    same_error(lambda m: getattr(m, name)(3, dtype=m.bool))
    same_error(lambda m: getattr(m, name)(3, True, dtype=m.int32))
    with pytest.raises(RuntimeError, match="floating point"):
        getattr(ember, name)(4, dtype=ember.uint8)
