"""Window functions for spectral analysis: ``hann_window``, ``hamming_window``, ``blackman_window``,
``bartlett_window`` and ``kaiser_window``, as PyTorch makes them.

A window of length N is computed over N + 1 points and the last dropped when ``periodic`` (the default;
what ``stft`` wants), over N points otherwise. Each step is done in the target dtype (float32 arithmetic
for float16/bfloat16 windows, rounded after each step) in PyTorch's order, so float32 windows round the
way PyTorch's do.
"""

import math

import numpy as np

from .. import _dtype
from .._creation import _finish
from ._util import bool_arg, float_arg

__all__ = ["bartlett_window", "blackman_window", "hamming_window", "hann_window", "kaiser_window"]

TENSOR_METHODS = {}

_C_NAMES = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
            "bool": "bool"}


class _Arithmetic:
    """Array steps in a window's dtype: float16/bfloat16 are computed in float32 and rounded after each step."""

    def __init__(self, target):
        self.target = np.dtype(target.np_dtype)
        self.compute = np.dtype(np.float32 if target.name in ("float16", "bfloat16") else self.target)

    def fit(self, array):
        """``array`` rounded to the target dtype, held in the compute dtype."""
        return np.asarray(array).astype(self.target).astype(self.compute)

    def scalar(self, value):
        """A Python number as PyTorch uses it against a tensor of the target dtype: rounded to that dtype."""
        return self.compute.type(self.target.type(value))

    def arange(self, n):
        return self.fit(np.arange(n))


def _window(name, window_length, periodic, dtype, layout, device, requires_grad, values):
    """Check the arguments as PyTorch does, then make the window from ``values(n, arithmetic)`` (n points)."""
    if isinstance(window_length, bool) or not isinstance(window_length, (int, np.integer)):
        raise TypeError(f"{name}(): argument 'window_length' (position 1) must be int, not "
                        f"{type(window_length).__name__}")
    bool_arg(periodic, name, "periodic")
    target = _dtype.to_dtype(dtype) if dtype is not None else _dtype.get_default_dtype()
    if not target.is_floating_point:
        raise RuntimeError(f"{name} expects floating point dtypes, got: TensorOptions(dtype={_C_NAMES[target.name]}, "
                           f"device=cpu, layout=Strided (default), requires_grad=false (default), "
                           f"pinned_memory=false, memory_format=(nullopt))")
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got window_length={window_length}")
    if window_length <= 1:
        array = np.ones(window_length, dtype=target.np_dtype)
    else:
        n = window_length + 1 if periodic else window_length
        arithmetic = _Arithmetic(target)
        array = values(n, arithmetic).astype(target.np_dtype)
        if periodic:
            array = np.ascontiguousarray(array[:-1])
    return _finish(array, device, requires_grad)


def _cosine_window(n, arithmetic, alpha, beta):
    """alpha - beta cos(2 pi k / (n - 1)), k = 0 .. n-1."""
    angle = arithmetic.fit(arithmetic.arange(n) * arithmetic.scalar(2 * math.pi / (n - 1)))
    cosine = arithmetic.fit(np.cos(angle))
    scaled = arithmetic.fit(cosine * arithmetic.scalar(-beta))
    return arithmetic.fit(scaled + arithmetic.scalar(alpha))


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None, layout=None, device=None,
                   pin_memory=False, requires_grad=False):
    """The generalized Hamming window ``alpha - beta cos(2 pi k / (N - 1))``; N is ``window_length + 1`` when periodic.

    >>> ember.hamming_window(4, periodic=False)
    tensor([0.0800, 0.7700, 0.7700, 0.0800])
    """
    alpha = float(float_arg(alpha, "hamming_window", "alpha"))
    beta = float(float_arg(beta, "hamming_window", "beta"))
    return _window("hamming_window", window_length, periodic, dtype, layout, device, requires_grad,
                   lambda n, arithmetic: _cosine_window(n, arithmetic, alpha, beta))


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                requires_grad=False):
    """The Hann window ``0.5 - 0.5 cos(2 pi k / (N - 1))`` (the Hamming window with alpha = beta = 0.5).

    >>> ember.hann_window(4)
    tensor([0.0000, 0.5000, 1.0000, 0.5000])
    """
    return _window("hann_window", window_length, periodic, dtype, layout, device, requires_grad,
                   lambda n, arithmetic: _cosine_window(n, arithmetic, 0.5, 0.5))


def _blackman(n, arithmetic):
    """0.42 - 0.5 cos(2 pi k / (n - 1)) + 0.08 cos(4 pi k / (n - 1))."""
    fit, scalar = arithmetic.fit, arithmetic.scalar
    angle = fit(arithmetic.arange(n) * scalar(math.pi / (n - 1)))
    fourth = fit(fit(np.cos(fit(angle * scalar(4)))) * scalar(0.08))
    second = fit(fit(np.cos(fit(angle * scalar(2)))) * scalar(0.5))
    return fit(fit(fourth - second) + scalar(0.42))


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                    requires_grad=False):
    """The Blackman window ``0.42 - 0.5 cos(2 pi k / (N - 1)) + 0.08 cos(4 pi k / (N - 1))``.

    >>> ember.blackman_window(3, periodic=False)
    tensor([-2.9802e-08,  1.0000e+00, -2.9802e-08])
    """
    return _window("blackman_window", window_length, periodic, dtype, layout, device, requires_grad, _blackman)


def _bartlett(n, arithmetic):
    """The triangle 2k / (n - 1), folded down as 2 - 2k / (n - 1) past the middle."""
    ramp = arithmetic.fit(arithmetic.arange(n) * arithmetic.scalar(2 / (n - 1)))
    first_half = (n - 1) // 2 + 1
    ramp[first_half:] = arithmetic.fit(arithmetic.fit(ramp[first_half:] * arithmetic.scalar(-1)) + arithmetic.scalar(2))
    return ramp


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                    requires_grad=False):
    """The Bartlett (triangular) window ``1 - |2k / (N - 1) - 1|``.

    >>> ember.bartlett_window(5, periodic=False)
    tensor([0.0000, 0.5000, 1.0000, 0.5000, 0.0000])
    """
    return _window("bartlett_window", window_length, periodic, dtype, layout, device, requires_grad, _bartlett)


def _kaiser(n, arithmetic, beta):
    """I0(beta sqrt(1 - ((k - c) / c)^2)) / I0(beta), c = (n - 1) / 2, with I0 as PyTorch's kernel gives it."""
    from ..special import i0_values
    fit, compute = arithmetic.fit, arithmetic.compute.type     # PyTorch's kernel keeps these unrounded
    center = compute((n - 1) / 2.0)
    beta = compute(beta)
    ratio = (arithmetic.arange(n) - center) / center
    argument = beta * np.sqrt(np.abs(1 - ratio ** compute(2)))
    with np.errstate(all="ignore"):
        return fit(i0_values(argument) / i0_values(np.array([beta]))[0])


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None, device=None, pin_memory=False,
                  requires_grad=False):
    """The Kaiser window ``I0(beta sqrt(1 - ((k - c) / c)^2)) / I0(beta)`` with c = (N - 1) / 2.

    >>> ember.kaiser_window(3, periodic=False, beta=2.0)
    tensor([0.4387, 1.0000, 0.4387])
    """
    beta = float(float_arg(beta, "kaiser_window", "beta"))
    return _window("kaiser_window", window_length, periodic, dtype, layout, device, requires_grad,
                   lambda n, arithmetic: _kaiser(n, arithmetic, beta))

