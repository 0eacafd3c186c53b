"""Activation functions: softmax and log-softmax, and the pointwise nonlinearities of ``nn.functional``.

Softmax and log-softmax are fused (one forward pass, one backward rule each). The pointwise
activations are Primitives built from a table: the array function and the derivative written
with Tensor ops (so second derivatives work). PyTorch exposes some of them as ``torch.*``
(``celu``, ``selu``, ``rrelu``, ``prelu``, ``threshold``, ``hardshrink``); those are listed in
``__all__`` here, the rest are reached through ``ember.nn.functional``, which uses the
Primitives below.

NumPy's ``where`` is about twenty times slower than arithmetic on a random mask, so the
selections here multiply by masks (``_keep``) and fall back to ``where`` only where a
non-finite value would turn ``0 * inf`` into NaN.
"""

import math

import numpy as np

from .. import _dtype
from .._device import array_module
from .._tensor import Tensor
from ..autograd.function import Primitive
from ._util import bool_arg, check_tensor, float_arg, in_blocks, refuse_complex, wrap_dim

__all__ = ["softmax", "log_softmax", "celu", "celu_", "selu", "selu_", "rrelu", "rrelu_", "prelu", "threshold",
           "threshold_", "hardshrink"]


def _shifted(x, dim):
    """``x`` minus its maximum along ``dim`` (so exp cannot overflow); a fresh array."""
    if x.size == 0:
        return x.copy()
    return x - array_module(x).max(x, axis=dim, keepdims=True)


class Softmax(Primitive):
    @staticmethod
    def forward(ctx, x, *, dim):
        xp = array_module(x)
        y = xp.exp(_shifted(x, dim))
        y /= xp.sum(y, axis=dim, keepdims=True)
        ctx.dim = dim
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return y * (grad - (grad * y).sum(ctx.dim, keepdim=True))


class LogSoftmax(Primitive):
    @staticmethod
    def forward(ctx, x, *, dim):
        xp = array_module(x)
        y = _shifted(x, dim)
        if y.size:
            y -= xp.log(xp.sum(xp.exp(y), axis=dim, keepdims=True))
        ctx.dim = dim
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad - y.exp() * grad.sum(ctx.dim, keepdim=True)


def _prepare(input, dim, dtype, name):
    check_tensor(input, "input", name)
    if dim is None:
        raise TypeError(f"{name}() missing required argument 'dim' (ember follows PyTorch, which deprecated the "
                        "implicit choice of dim)")
    if dtype is not None:
        input = input._cast(_dtype.to_dtype(dtype))
    elif not input.dtype.is_floating_point:
        # PyTorch's own error type here: it has no integer softmax kernel.
        raise NotImplementedError(f'"{name}_lastdim_kernel_impl" not implemented for \'{_type_word(input)}\'')
    return input, wrap_dim(dim, input.ndim)


def _type_word(input):
    from .._tensor import _type_word as word
    return word(input.dtype)


def softmax(input, dim=None, dtype=None):
    """``exp(x) / exp(x).sum(dim)``, computed stably; ``dtype`` casts the input first.

    >>> ember.softmax(ember.tensor([1.0, 2.0, 3.0]), dim=0)
    tensor([0.0900, 0.2447, 0.6652])
    """
    input, dim = _prepare(input, dim, dtype, "softmax")
    return Softmax.apply(input, dim=dim)


def log_softmax(input, dim=None, dtype=None):
    """``log(softmax(x))`` along ``dim``, computed without forming the softmax.

    >>> ember.log_softmax(ember.tensor([1.0, 2.0, 3.0]), dim=0)
    tensor([-2.4076, -1.4076, -0.4076])
    """
    input, dim = _prepare(input, dim, dtype, "log_softmax")
    return LogSoftmax.apply(input, dim=dim)




# ----------------------------------------------------------------------------- masks without np.where

def _keep_array(xp, x, mask):
    """``x`` where ``mask`` holds, else 0: a multiplication, with ``where`` only when ``0 * inf`` made a NaN."""
    with np.errstate(invalid="ignore"):
        out = x * mask
    if out.dtype.kind not in "biu" and xp.isnan(out).any():
        out = xp.where(mask, x, 0).astype(x.dtype, copy=False)
    return out


class Keep(Primitive):
    """``input`` where a constant mask holds, else 0: the gradient rule of piecewise activations."""

    @staticmethod
    def forward(ctx, x, *, mask):
        ctx.mask = mask
        return _keep_array(array_module(x), x, mask)

    @staticmethod
    def backward(ctx, grad):
        return Keep.apply(grad, mask=ctx.mask)


def _keep(tensor, mask):
    return Keep.apply(tensor, mask=mask)


# ----------------------------------------------------------------------------- pointwise activations
# Each is a Primitive: ``compute(xp, x, **attrs)`` gives the output array and ``derivative(x, y, grad,
# **attrs)`` the input's gradient in Tensor ops, from the input ``x`` and the output ``y``.

def _pointwise(name, compute, derivative):
    def forward(ctx, x, **attrs):
        with np.errstate(all="ignore"):
            y = compute(array_module(x), x, **attrs)
        if y.dtype != x.dtype:              # bfloat16 arithmetic with Python floats gives float32
            y = y.astype(x.dtype)
        ctx.attrs = attrs
        ctx.save_for_backward(x, y)
        return y

    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return derivative(x, y, grad, **ctx.attrs)

    return type(name, (Primitive,), {"forward": staticmethod(forward), "backward": staticmethod(backward),
                                     "__module__": __name__})


def _elu_array(xp, x, alpha, scale, input_scale):
    negative = xp.expm1(xp.minimum(x, 0) * input_scale)
    negative *= alpha * scale
    return xp.maximum(x, 0) * scale + negative


def _elu_derivative(x, y, g, alpha, scale, input_scale):
    positive = x._data > 0
    return _keep(g, positive) * scale + _keep(g * (y + alpha * scale), ~positive) * input_scale


def _leaky_relu_array(xp, x, slope):
    return xp.maximum(x, 0) + xp.minimum(x, 0) * slope


def _slope_factor(x, slope):
    """1 where ``x > 0``, else ``slope``: the derivative of leaky ReLU, as a constant tensor."""
    positive = x._data > 0
    factor = positive * (1 - slope)
    factor += slope
    return Tensor._make(factor.astype(x._data.dtype))


def _hardtanh_array(xp, x, low, high):
    return xp.clip(x, low, high).astype(x.dtype, copy=False)


def _inside(x, low, high):
    return (x._data > low) & (x._data < high)


def _hardsigmoid_array(xp, x):
    y = xp.clip(x + 3, 0, 6)
    y /= 6
    return y


_SIXTH = float(np.float32(1 / 6))     # PyTorch's hardsigmoid gradient uses 1/6 rounded to float32


def _hardswish_array(xp, x):
    y = xp.clip(x + 3, 0, 6)
    y *= x
    y /= 6
    return y


def _hardswish_derivative(x, y, g):
    data = x._data
    middle = (data > -3) & (data < 3)
    return _keep(g * (x / 3 + 0.5), middle) + _keep(g, data >= 3)


def _silu_array(xp, x):
    denominator = xp.exp(-x)
    denominator += 1
    return x / denominator


def _silu_derivative(x, y, g):
    s = x.sigmoid()
    return g * s * (1 + x * (1 - s))


def _mish_array(xp, x):
    return x * xp.tanh(xp.logaddexp(0, x))


def _mish_derivative(x, y, g):
    t = Softplus.apply(x, beta=1.0, threshold=20.0).tanh()
    return g * (t + x * x.sigmoid() * (1 - t * t))


def _softplus_array(xp, x, beta, threshold):
    scaled = x * beta
    linear = scaled > threshold
    soft = xp.log1p(xp.exp(scaled)) / beta
    return _keep_array(xp, soft, ~linear) + _keep_array(xp, x, linear)


def _softplus_derivative(x, y, g, beta, threshold):
    linear = x._data * beta > threshold
    return _keep(g, linear) + _keep(g * (x * beta).sigmoid(), ~linear)


def _log_sigmoid_array(xp, x):
    return xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))


def _outside(x, lambd):
    """Where ``x`` is not within ``[-lambd, lambd]`` (NaN counts as outside, so it passes through)."""
    return ~((x >= -lambd) & (x <= lambd))


def _softshrink_array(xp, x, lambd):
    shifted = x - xp.clip(x, -lambd, lambd)
    return shifted.astype(x.dtype, copy=False)


def _threshold_array(xp, x, threshold, value):
    below = x <= threshold
    out = _keep_array(xp, x, ~below)
    fill = np.asarray(value).astype(x.dtype)
    if fill != 0:
        if np.isfinite(fill):
            out += below * fill
        else:
            out = xp.where(below, fill, x)
    return out


Elu = _pointwise("Elu", _elu_array, _elu_derivative)
LeakyRelu = _pointwise("LeakyRelu", _leaky_relu_array, lambda x, y, g, slope: g * _slope_factor(x, slope))
Hardtanh = _pointwise("Hardtanh", _hardtanh_array, lambda x, y, g, low, high: _keep(g, _inside(x, low, high)))
Hardsigmoid = _pointwise("Hardsigmoid", _hardsigmoid_array, lambda x, y, g: _keep(g, _inside(x, -3, 3)) * _SIXTH)
Hardswish = _pointwise("Hardswish", _hardswish_array, _hardswish_derivative)
Silu = _pointwise("Silu", _silu_array, _silu_derivative)
Mish = _pointwise("Mish", _mish_array, _mish_derivative)
Softplus = _pointwise("Softplus", _softplus_array, _softplus_derivative)
LogSigmoid = _pointwise("LogSigmoid", _log_sigmoid_array, lambda x, y, g: g * (-x).sigmoid())
Softshrink = _pointwise("Softshrink", _softshrink_array, lambda x, y, g, lambd: _keep(g, _outside(x._data, lambd)))
Hardshrink = _pointwise("Hardshrink", lambda xp, x, lambd: _keep_array(xp, x, _outside(x, lambd)),
                        lambda x, y, g, lambd: _keep(g, _outside(x._data, lambd)))
Threshold = _pointwise("Threshold", _threshold_array,
                       lambda x, y, g, threshold, value: _keep(g, ~(x._data <= threshold)))


# ----------------------------------------------------------------------------- GELU
# GELU(x) = x Phi(x), Phi the standard normal CDF. With h = Phi(-|x|) = erfc(|x| / sqrt 2) / 2, which
# keeps full relative precision in the tail, GELU(x) = relu(x) - |x| h for either sign of x, and
# Phi(x) = h below 0 and 1 - h from 0 on.
# float32 computes h in float32: erfc(z) = t exp(-z^2 + P(t)) with t = 2 / (2 + z) and P a degree-8
# polynomial fitted for this file (minimax on z in [0, 9.5], relative error 2e-7; below that erfc is
# under 1e-40 and h underflows anyway). That is about 20 passes over the array in place, several
# times faster than ember.erf's float64 series. float64 uses ember's float64 erfc.

_ERFC_POLYNOMIAL = (0.07976973175179627, -0.5621654769092475, 1.4926344817405583, -1.8055496521543763,
                    0.8711907577159963, -0.2450712334735252, 0.4417553133945593, 0.992605553659349,
                    -1.2651696765694034 + math.log(0.5))      # highest power first; the last includes the 1/2
_TWO_SQRT_TWO = 2 * math.sqrt(2)      # t = 2 / (2 + |x| / sqrt 2) = 2 sqrt 2 / (2 sqrt 2 + |x|)
_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_TANH_BETA = math.sqrt(2 / math.pi)
_TANH_KAPPA = 0.044715


def _lower_tail_float32(xp, magnitude):
    """Phi(-|x|) from ``magnitude`` = |x| (float32, at least 1-D), computed in place in float32."""
    t = magnitude + np.float32(_TWO_SQRT_TWO)
    xp.divide(np.float32(_TWO_SQRT_TWO), t, out=t)
    acc = t * np.float32(_ERFC_POLYNOMIAL[0])
    acc += np.float32(_ERFC_POLYNOMIAL[1])
    for c in _ERFC_POLYNOMIAL[2:]:
        acc *= t
        acc += np.float32(c)
    square = xp.multiply(magnitude, magnitude)
    square *= np.float32(-0.5)
    acc += square
    xp.exp(acc, out=acc)
    acc *= t
    return acc


def _lower_tail(xp, magnitude):
    """Phi(-|x|) given |x|: float32 arithmetic for float32 and smaller types, float64 for float64."""
    if magnitude.dtype == np.float64:
        from .elementwise import _erfc_array
        return _erfc_array(xp, magnitude * _SQRT_HALF) * 0.5
    return _lower_tail_float32(xp, magnitude.astype(np.float32, copy=False))


def _gelu_array(xp, x):
    """GELU(x) and h = Phi(-|x|) (kept for the backward), as arrays of at least one dimension."""
    magnitude = xp.abs(x)
    tail = _lower_tail(xp, magnitude)
    y = x + magnitude
    y *= 0.5                                    # relu(x)
    if magnitude.dtype == tail.dtype:
        y -= xp.multiply(magnitude, tail, out=magnitude)
    else:                                       # float16 and bfloat16 inputs: h is float32
        y -= (magnitude * tail).astype(x.dtype)
    return y, tail


def _normal_cdf_from_tail(xp, x, tail):
    """Phi(x) from h = Phi(-|x|): h below 0, 1 - h from 0 on."""
    upper = tail * -2
    upper += 1
    upper *= x >= 0
    upper += tail
    return upper


def _normal_pdf(x):
    """The normal density at the Tensor ``x``, in Tensor ops."""
    return (x * x * -0.5).exp() * _INV_SQRT_2PI


def _gelu_tanh_array(xp, x):
    inner = x * x
    inner *= _TANH_KAPPA
    inner += 1
    inner *= x
    inner *= _TANH_BETA
    y = xp.tanh(inner)
    y += 1
    y *= x
    y *= 0.5
    return y


def _gelu_tanh_derivative(x):
    inner = _TANH_BETA * (x + _TANH_KAPPA * x * x * x)
    t = inner.tanh()
    slope = _TANH_BETA * (1 + 3 * _TANH_KAPPA * x * x)
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * slope


def _at_least_1d(fn, x, *rest):
    """``fn`` on 1-element versions of 0-dim arrays (in-place NumPy math needs arrays), results reshaped back."""
    if x.ndim:
        return fn(x, *rest)
    results = fn(x.reshape(1), *(r.reshape(1) for r in rest))
    if isinstance(results, tuple):
        return tuple(r.reshape(()) for r in results)
    return results.reshape(())


class Gelu(Primitive):
    """``x * Phi(x)`` (or its tanh approximation), fused; the exact form's backward is GeluBackward below."""

    @staticmethod
    def forward(ctx, x, *, approximate):
        xp = array_module(x)
        ctx.approximate = approximate
        with np.errstate(all="ignore"):
            if approximate == "tanh":
                ctx.save_for_backward(x)
                return _gelu_tanh_array(xp, x)
            y, tail = _at_least_1d(lambda a: in_blocks(lambda block: _gelu_array(xp, block), a), x)
        ctx.save_for_backward(x, tail)
        return y

    @staticmethod
    def backward(ctx, grad):
        if ctx.approximate == "tanh":
            (x,) = ctx.saved_tensors
            return grad * _gelu_tanh_derivative(x)
        x, tail = ctx.saved_tensors
        return GeluBackward.apply(x, grad, tail)


def _gelu_slope_array(xp, x, grad, tail):
    """``grad * (Phi(x) + x phi(x))``."""
    slope = xp.multiply(x, x, dtype=tail.dtype)
    slope *= -0.5
    xp.exp(slope, out=slope)
    slope *= x
    slope *= _INV_SQRT_2PI
    slope += _normal_cdf_from_tail(xp, x, tail)
    slope *= grad
    return slope.astype(x.dtype, copy=False)


class GeluBackward(Primitive):
    """``grad * (Phi(x) + x phi(x))``, GELU's derivative applied to ``grad``; differentiable again.

    ``tail`` is h = Phi(-|x|) from the forward.
    """

    grad_fn_name = "GeluBackwardBackward0"

    @staticmethod
    def forward(ctx, x, grad, tail):
        xp = array_module(x)
        with np.errstate(all="ignore"):
            slope = _at_least_1d(lambda *whole: in_blocks(lambda a, g, h: _gelu_slope_array(xp, a, g, h), *whole),
                                 x, grad, tail)
        ctx.save_for_backward(x, grad, tail)
        return slope

    @staticmethod
    def backward(ctx, outer):
        x, grad, tail = ctx.saved_tensors
        d_x = outer * grad * _normal_pdf(x) * (2 - x * x) if ctx.needs_input_grad[0] else None
        d_grad = GeluBackward.apply(x, outer, tail) if ctx.needs_input_grad[1] else None
        return d_x, d_grad, None


# ----------------------------------------------------------------------------- argument checks

def _float_kernel(input, kernel):
    """PyTorch's NotImplementedError when a floating-point-only kernel gets an integer or bool tensor."""
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_type_word(input)}\'')


# ----------------------------------------------------------------------------- the functions
# Those in __all__ are torch.*; the others are the kernels behind ember.nn.functional.

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def elu(input, alpha=1.0, scale=1.0, input_scale=1.0, *, name="elu"):
    """ELU's kernel, shared by ``selu`` and ``celu``: ``scale * x`` above 0, else
    ``scale * alpha * (exp(x * input_scale) - 1)``."""
    check_tensor(input, "input", name)
    _float_kernel(input, "elu_cpu")
    return Elu.apply(input, alpha=float_arg(alpha, name, "alpha"), scale=scale, input_scale=input_scale)


def celu(input, alpha=1.0):
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``, elementwise.

    >>> ember.celu(ember.tensor([-1.0, 2.0]), alpha=0.5)
    tensor([-0.4323,  2.0000])
    """
    check_tensor(input, "input", "celu")
    alpha = float_arg(alpha, "celu", "alpha")
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return elu(input, alpha, 1.0, 1.0 / alpha, name="celu")


def celu_(input, alpha=1.0):
    """In-place :func:`celu`.

    >>> ember.celu_(ember.tensor([-1.0, 2.0]))
    tensor([-0.6321,  2.0000])
    """
    return input._assign_inplace(celu(input, alpha))


def selu(input):
    """``scale * elu(x, alpha)`` with the self-normalising constants of Klambauer et al.

    >>> ember.selu(ember.tensor([-1.0, 2.0]))
    tensor([-1.1113,  2.1014])
    """
    return elu(input, SELU_ALPHA, SELU_SCALE, 1.0, name="selu")


def selu_(input):
    """In-place :func:`selu`.

    >>> ember.selu_(ember.tensor([-1.0, 2.0]))
    tensor([-1.1113,  2.1014])
    """
    return input._assign_inplace(selu(input))


def leaky_relu(input, negative_slope=0.01):
    """``x`` above 0, else ``negative_slope * x`` (the kernel of ``F.leaky_relu``)."""
    check_tensor(input, "input", "leaky_relu")
    _float_kernel(input, "leaky_relu_cpu")
    return LeakyRelu.apply(input, slope=float_arg(negative_slope, "leaky_relu", "negative_slope"))


def _check_rrelu_bounds(lower, upper):
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    """Randomized leaky ReLU: in training each input <= 0 gets a slope drawn from U(lower, upper), else the mean slope.

    >>> ember.rrelu(ember.tensor([-1.0, 2.0]))
    tensor([-0.2292,  2.0000])
    """
    check_tensor(input, "input", "rrelu")
    lower, upper = float_arg(lower, "rrelu", "lower"), float_arg(upper, "rrelu", "upper")
    training = bool_arg(training, "rrelu", "training")
    _check_rrelu_bounds(lower, upper)
    _float_kernel(input, "leaky_relu_cpu")
    if not training:
        return LeakyRelu.apply(input, slope=(lower + upper) / 2)
    from ..random import _numpy_generator
    data = input._data
    slopes = _numpy_generator(generator).random(data.shape, dtype=np.float64) * (upper - lower) + lower
    noise = np.where(data <= 0, slopes, 1.0).astype(data.dtype)
    return input * Tensor._make(noise)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    """In-place :func:`rrelu`.

    >>> ember.rrelu_(ember.tensor([-1.0, 2.0]))
    tensor([-0.2292,  2.0000])
    """
    return input._assign_inplace(rrelu(input, lower, upper, training, generator))


class Prelu(Primitive):
    """``max(0, x) + weight * min(0, x)``, the weight already shaped to broadcast along the channels."""

    @staticmethod
    def forward(ctx, x, weight):
        xp = array_module(x)
        ctx.save_for_backward(x, weight)
        return (xp.maximum(x, 0) + weight * xp.minimum(x, 0)).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        positive = x._data > 0
        d_x = _keep(grad, positive) + _keep(grad, ~positive) * weight if ctx.needs_input_grad[0] else None
        d_weight = _keep(grad * x, ~positive) if ctx.needs_input_grad[1] else None
        return d_x, d_weight


def prelu(input, weight):
    """Leaky ReLU with a learned slope: one ``weight`` for all, or one per channel (dimension 1).

    >>> ember.prelu(ember.tensor([[-1.0, 2.0]]), ember.tensor([0.25, 0.5]))
    tensor([[-0.2500,  2.0000]])
    """
    check_tensor(input, "input", "prelu")
    check_tensor(weight, "weight", "prelu")
    _float_kernel(input, "prelu_cpu")
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.ndim}")
    channels = input.shape[1] if input.ndim >= 2 else 1
    count = weight.numel()
    if count != 1 and count != channels:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                           f"{count} and channel size = {channels}.")
    if weight.dtype is not input.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got {_type_word(input)} and {_type_word(weight)}")
    shape = (channels,) + (1,) * (input.ndim - 2) if count > 1 else ()
    return Prelu.apply(input, weight.reshape(shape))


def hardtanh(input, min_val=-1.0, max_val=1.0):
    """``x`` clamped to ``[min_val, max_val]`` (the kernel of ``F.hardtanh`` and ``F.relu6``)."""
    refuse_complex(input, NotImplementedError, "clamp is not supported for complex types")
    check_tensor(input, "input", "hardtanh")
    if input.dtype is _dtype.bool:
        raise RuntimeError("Bool inputs not supported for hardtanh")
    return Hardtanh.apply(input, low=float_arg(min_val, "hardtanh", "min_val"),
                          high=float_arg(max_val, "hardtanh", "max_val"))


def _float_activation(primitive, kernel, name):
    """The kernel of a float-only activation without parameters (silu, mish, hardswish, ...)."""
    def op(input):
        check_tensor(input, "input", name)
        _float_kernel(input, kernel)
        return primitive.apply(input)
    op.__name__ = name
    op.__doc__ = f"The kernel of ``F.{name}``."
    return op


hardsigmoid = _float_activation(Hardsigmoid, "hardsigmoid_cpu", "hardsigmoid")
hardswish = _float_activation(Hardswish, "hardswish_cpu", "hardswish")
silu = _float_activation(Silu, "silu_cpu", "silu")
mish = _float_activation(Mish, "mish_cpu", "mish")
logsigmoid = _float_activation(LogSigmoid, "log_sigmoid_cpu", "log_sigmoid")


def softplus(input, beta=1.0, threshold=20.0):
    """``log(1 + exp(beta * x)) / beta``, linear once ``beta * x > threshold`` (the kernel of ``F.softplus``)."""
    check_tensor(input, "input", "softplus")
    _float_kernel(input, "softplus_cpu")
    return Softplus.apply(input, beta=float_arg(beta, "softplus", "beta"),
                          threshold=float_arg(threshold, "softplus", "threshold"))


def softshrink(input, lambd=0.5):
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, else 0 (the kernel of ``F.softshrink``)."""
    check_tensor(input, "input", "softshrink")
    _float_kernel(input, "softshrink_check")
    lambd = float_arg(lambd, "softshrink", "lambd")
    if not lambd >= 0:
        limit = "3.40282e+38" if input.dtype is _dtype.float32 else "1.79769e+308"
        raise RuntimeError(f"lambda must be in range [0, {limit}] for input dtype {_type_word(input)}, but found "
                           f"{lambd:g}")
    return Softshrink.apply(input, lambd=lambd)


def hardshrink(input, lambd=0.5):
    """``x`` where ``|x| > lambd``, else 0, elementwise.

    >>> ember.hardshrink(ember.tensor([-1.0, 0.2, 0.7]))
    tensor([-1.0000,  0.0000,  0.7000])
    """
    check_tensor(input, "input", "hardshrink")
    _float_kernel(input, "hardshrink_cpu")
    return Hardshrink.apply(input, lambd=float_arg(lambd, "hardshrink", "lambd"))


def threshold(input, threshold, value):
    """``x`` where ``x > threshold``, else ``value``, elementwise.

    >>> ember.threshold(ember.tensor([0.5, 2.0]), 1.0, -1.0)
    tensor([-1.,  2.])
    """
    check_tensor(input, "input", "threshold")
    if input.dtype is _dtype.bool:
        raise NotImplementedError("\"threshold_cpu\" not implemented for 'Bool'")
    return Threshold.apply(input, threshold=float_arg(threshold, "threshold", "threshold"),
                           value=float_arg(value, "threshold", "value"))


def threshold_(input, threshold, value):
    """In-place :func:`threshold`.

    >>> ember.threshold_(ember.tensor([0.5, 2.0]), 1.0, -1.0)
    tensor([-1.,  2.])
    """
    return input._assign_inplace(globals()["threshold"](input, threshold, value))


_GELU_MODES = ("none", "tanh")


def gelu(input, approximate="none"):
    """``x * Phi(x)`` with Phi the normal CDF, or its tanh approximation (the kernel of ``F.gelu``)."""
    check_tensor(input, "input", "gelu")
    if approximate not in _GELU_MODES:
        raise RuntimeError("approximate argument must be either none or tanh.")
    _float_kernel(input, "GeluKernelImpl")
    return Gelu.apply(input, approximate=approximate)


TENSOR_METHODS = {"softmax": softmax, "log_softmax": log_softmax, "prelu": prelu, "hardshrink": hardshrink}
