"""Parity of ember.fft with torch.fft: values, dtypes, sizes, normalizations, gradients (irfft's doubling of the
mirrored frequencies included) and errors."""

import numpy as np
import pytest
from helpers import check_grad, noncontiguous, parity, randint, randn, same_error, same_result
from hypothesis import given, settings
from hypothesis import strategies as st

import ember

F = ember.fft
NORMS = [None, "backward", "ortho", "forward"]
REAL_ONLY = {"rfft", "ihfft", "rfft2", "ihfft2", "rfftn", "ihfftn"}
ONE_DIM = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft"]
MANY_DIMS = ["fft2", "ifft2", "rfft2", "irfft2", "hfft2", "ihfft2", "fftn", "ifftn", "rfftn", "irfftn", "hfftn",
             "ihfftn"]


def crandn(*shape, dtype=np.complex128):
    return np.asarray(randn(*shape) + 1j * randn(*shape)).astype(dtype)


def inputs_for(name, *shape):
    """A real input, and a complex one where the transform takes complex input."""
    return [randn(*shape)] if name in REAL_ONLY else [randn(*shape), crandn(*shape)]


@pytest.mark.parametrize("name", ONE_DIM)
@pytest.mark.parametrize("norm", NORMS)
def test_one_dimensional(name, norm):
    for x in inputs_for(name, 3, 6):
        parity(lambda m, a: getattr(m.fft, name)(a, norm=norm), x)
        parity(lambda m, a: getattr(m.fft, name)(a, n=5, dim=0, norm=norm), x)      # zero-padded
        parity(lambda m, a: getattr(m.fft, name)(a, n=4, norm=norm), x)             # cropped
        parity(lambda m, a: getattr(m.fft, name)(a, n=9, dim=-1, norm=norm), x)     # odd length


@pytest.mark.parametrize("name", MANY_DIMS)
@pytest.mark.parametrize("norm", NORMS)
def test_many_dimensional(name, norm):
    for x in inputs_for(name, 2, 3, 4):
        parity(lambda m, a: getattr(m.fft, name)(a, norm=norm), x)
        parity(lambda m, a: getattr(m.fft, name)(a, s=(3, 5), norm=norm), x)
        parity(lambda m, a: getattr(m.fft, name)(a, s=(-1, 6), dim=(0, 2), norm=norm), x)
        parity(lambda m, a: getattr(m.fft, name)(a, dim=(2, 0), norm=norm), x)        # the last dim given is halved


@pytest.mark.parametrize("name", ["fftn", "ifftn", "rfftn", "irfftn", "hfftn", "ihfftn"])
def test_default_dims_and_sizes(name):
    x = inputs_for(name, 2, 3, 4)[-1]
    parity(lambda m, a: getattr(m.fft, name)(a, s=(3,)), x)       # s alone names the last dimensions
    parity(lambda m, a: getattr(m.fft, name)(a, dim=1), x)
    parity(lambda m, a: getattr(m.fft, name)(a, s=(5,), dim=0), x)


@pytest.mark.parametrize("name", ["fft", "rfft", "fftn", "ifft2", "irfft", "hfftn"])
@pytest.mark.parametrize("dtype", [np.float32, np.complex64, np.int64, np.bool_])
def test_dtypes(name, dtype):
    if dtype == np.complex64:
        if name in REAL_ONLY:
            return
        x = crandn(4, 6, dtype=np.complex64)
    elif dtype == np.float32:
        x = randn(4, 6, dtype=np.float32)
    else:
        x = randint(0, 3, 4, 6).astype(dtype)
    parity(lambda m, a: getattr(m.fft, name)(a), x, rtol=1e-4, atol=1e-5, grad=dtype in (np.float32, np.complex64))


def test_noncontiguous_and_zero_size():
    parity(lambda m, a: (m.fft.fft(a, dim=0), m.fft.rfft2(a), m.fft.ifftn(a)), noncontiguous(randn(4, 6)))
    parity(lambda m, a: m.fft.irfft(a, dim=0), noncontiguous(crandn(4, 6)))
    parity(lambda m, a: (m.fft.fft(a, n=3), m.fft.rfft(a, n=4), m.fft.irfft(a, n=3)), randn(4, 0))
    parity(lambda m, a: m.fft.fftn(a, dim=()), randn(2, 3))      # no transform: the input as complex


def test_out_argument():
    same_result(lambda m: m.fft.fft(m.arange(4.0), out=m.empty(4, dtype=m.complex64)))
    same_result(lambda m: m.fft.irfft(m.ones(3, dtype=m.complex64), out=m.empty(4)))


def test_round_trips():
    x = ember.randn(3, 8, dtype=ember.float64)
    z = ember.randn(3, 8, dtype=ember.complex128)
    for norm in NORMS:
        assert ember.allclose(F.irfft(F.rfft(x, norm=norm), n=8, norm=norm), x)
        assert ember.allclose(F.ifft(F.fft(z, norm=norm), norm=norm), z)
        assert ember.allclose(F.irfftn(F.rfftn(x, norm=norm), s=(3, 8), norm=norm), x)
        assert ember.allclose(F.hfft(F.ihfft(x, norm=norm), n=8, norm=norm), x)


# ----------------------------------------------------------------------------- gradients

@pytest.mark.parametrize("n", [7, 8])     # odd: every non-DC frequency is mirrored; even: not the Nyquist one either
def test_irfft_gradient_doubles_mirrored_frequencies(n):
    parity(lambda m, a: m.fft.irfft(a, n=n), crandn(2, n // 2 + 1))
    parity(lambda m, a: m.fft.irfftn(a, s=(3, n)), crandn(3, n // 2 + 1))
    parity(lambda m, a: m.fft.hfft(a, n=n), crandn(n // 2 + 1))


def test_irfft_ignores_imaginary_dc_and_nyquist():
    z = crandn(5)
    moved = z.copy()
    moved[0] += 3j
    moved[-1] += 2j
    assert ember.allclose(F.irfft(ember.tensor(z), n=8), F.irfft(ember.tensor(moved), n=8))
    parity(lambda m, a: m.fft.irfft(a, n=8), moved)


def test_finite_differences():
    check_grad(lambda a: ember.view_as_real(F.fft(a, n=7)), randn(3, 6))
    check_grad(lambda a: ember.view_as_real(F.rfft(a, norm="ortho")), randn(3, 6))
    check_grad(lambda a, b: F.irfft(ember.complex(a, b), n=7), randn(3, 4), randn(3, 4))
    check_grad(lambda a, b: F.irfft(ember.complex(a, b)), randn(3, 4), randn(3, 4))
    check_grad(lambda a, b: F.hfft(ember.complex(a, b), n=5, norm="forward"), randn(3, 4), randn(3, 4))
    check_grad(lambda a, b: F.irfftn(ember.complex(a, b), s=(2, 6)), randn(3, 4), randn(3, 4))
    check_grad(lambda a: ember.view_as_real(F.ihfftn(a)), randn(3, 6))
    check_grad(lambda a, b: ember.view_as_real(F.ifft2(ember.complex(a, b), s=(4, 3))), randn(3, 4), randn(3, 4))
    check_grad(lambda a: F.fftshift(a, dim=1) * F.ifftshift(a), randn(3, 5))


def test_grad_fn_names():
    x = ember.ones(4, requires_grad=True)
    z = ember.ones(4, dtype=ember.complex64, requires_grad=True)
    assert [F.fft(x).grad_fn.name(), F.rfft(x).grad_fn.name(), F.irfft(z).grad_fn.name(),
            F.fft(z).grad_fn.name()] == ["FftR2CBackward0", "FftR2CBackward0", "FftC2RBackward0", "FftC2CBackward0"]


# ----------------------------------------------------------------------------- frequencies and shifts

@pytest.mark.parametrize("n", [0, 1, 4, 5])
@pytest.mark.parametrize("d", [1.0, 0.1, 3, 0])
def test_frequencies(n, d):
    same_result(lambda m: [m.fft.fftfreq(n, d), m.fft.rfftfreq(n, d), m.fft.fftfreq(n, d, dtype=m.float64),
                           m.fft.fftfreq(n, requires_grad=True)])


def test_frequency_edge_cases_and_errors():
    same_result(lambda m: [m.fft.rfftfreq(-1), m.fft.rfftfreq(-3)])
    same_error(lambda m: m.fft.fftfreq(4, dtype=m.int64))
    same_error(lambda m: m.fft.fftfreq(4, dtype=m.complex64))
    same_error(lambda m: m.fft.fftfreq(-1))
    same_error(lambda m: m.fft.rfftfreq(-4))
    same_error(lambda m: m.fft.fftfreq(2.5))


@pytest.mark.parametrize("dim", [None, 0, 1, (0, 1), (-1,)])
def test_shifts(dim):
    parity(lambda m, a: (m.fft.fftshift(a, dim=dim), m.fft.ifftshift(a, dim=dim)), randn(4, 5))
    parity(lambda m, a: m.fft.ifftshift(m.fft.fftshift(a, dim=dim), dim=dim), randint(0, 9, 3, 5), grad=False)
    parity(lambda m, a: m.fft.fftshift(a), crandn(3))
    same_error(lambda m, a: m.fft.fftshift(a), np.array(2.0))
    same_error(lambda m, a: m.fft.ifftshift(a, dim=()), randn(3))
    same_error(lambda m, a: m.fft.fftshift(a, dim=2), randn(3, 2))


# ----------------------------------------------------------------------------- errors

def test_errors():
    same_error(lambda m, a: m.fft.fft(a, norm="foo"), randn(4))
    same_error(lambda m, a: m.fft.fft(a, n=0), randn(4))
    same_error(lambda m, a: m.fft.ifft(a, n=-1), randn(4))
    same_error(lambda m, a: m.fft.fft(a, dim=2), randn(4, 3))
    same_error(lambda m, a: m.fft.fft(a), randn(0))
    same_error(lambda m, a: m.fft.fft(a), np.array(1.0))
    same_error(lambda m, a: m.fft.fft(a, dim=(0,)), randn(4))
    same_error(lambda m, a: m.fft.fft(a, n=2.5), randn(4))
    same_error(lambda m: m.fft.fft([1.0]))
    same_error(lambda m, a: m.fft.fft(a), randn(4).astype(np.float16))
    same_error(lambda m, a: m.fft.rfft(a), crandn(4))
    same_error(lambda m, a: m.fft.ihfft(a), crandn(4))
    same_error(lambda m, a: m.fft.irfft(a), crandn(1))
    same_error(lambda m, a: m.fft.fftn(a, s=(3,), dim=(0, 1)), randn(4, 6))
    same_error(lambda m, a: m.fft.fftn(a, dim=(0, 0)), randn(4, 6))
    same_error(lambda m, a: m.fft.fftn(a, s=(3, 3)), randn(4))
    same_error(lambda m, a: m.fft.rfftn(a, dim=()), randn(4, 6))
    same_error(lambda m, a: m.fft.irfftn(a, dim=()), crandn(4, 6))
    same_error(lambda m, a: m.fft.fft2(a), randn(4))


# ----------------------------------------------------------------------------- properties over shapes

@settings(max_examples=25, deadline=None)
@given(st.integers(1, 9), st.integers(1, 4), st.sampled_from(NORMS), st.integers(1, 12))
def test_properties_over_lengths(length, batch, norm, n):
    x = randn(batch, length)
    parity(lambda m, a: (m.fft.fft(a, n=n, norm=norm), m.fft.rfft(a, n=n, norm=norm)), x)
    parity(lambda m, a: m.fft.irfft(a, n=n, norm=norm), crandn(batch, length))
