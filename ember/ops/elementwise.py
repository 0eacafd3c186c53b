"""Elementwise math: arithmetic with PyTorch's type promotion, unary functions, comparisons, operators.

Unary functions are tables: a name, what it computes, the array function, and the
derivative written with Tensor ops in terms of the input ``x``, the output ``y`` and
the incoming ``grad``. Binary functions are tables too (one derivative per operand)
or Primitive classes where they need more. Operands are promoted first
(``promote_operands``); broadcasting in backward is undone by the engine, so each rule
is written for same-shaped operands. Comparisons, logical and bitwise ops have no
gradient and work on the arrays directly.

Complex tensors follow PyTorch: the rules here are the real formulas, which the autograd
engine applies to complex gradients as ``conj(rule(conj(grad)))`` (grad times the conjugate
derivative, see ``Primitive``); abs and sgn, which are not holomorphic, have rules of their
own. Ops PyTorch does not define for complex numbers raise its error (``_COMPLEX_ERRORS``)
instead of dropping a part.
"""

import math

import numpy as np

from .. import _dtype, return_types
from .._device import array_module
from .._tensor import Tensor, _type_word
from ..autograd import grad_mode
from ..autograd.function import Primitive
from ._util import (
    as_float_input,
    broadcast_shapes,
    c_type_name,
    check_tensor,
    check_tensor_args,
    float_arg,
    int_arg,
    promote_operands,
)

__all__ = ["add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "floor_divide", "neg",
           "negative", "positive", "pow", "float_power", "square", "round", "relu", "logit", "nan_to_num", "polygamma"]

# How a function treats integer and bool inputs.
FLOAT = "float"           # they are computed in the default float dtype (exp of an int tensor is float32)
INTEGRAL = "integral"     # integers keep their dtype; bool is not implemented (abs, floor)
FLOATING = "floating"     # only floating-point inputs are implemented (frac, hypot)
ANY = "any"               # every dtype keeps its dtype (sign of a bool tensor is bool)

LN2, LN10 = math.log(2.0), math.log(10.0)
TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
HALF_SQRT_PI = math.sqrt(math.pi) / 2


# ----------------------------------------------------------------------------- helpers

def _not_implemented(kernel, dtype):
    """PyTorch's error for a kernel that has no implementation for ``dtype``."""
    return NotImplementedError(f"\"{kernel}\" not implemented for '{_type_word(dtype)}'")


def _check_dtypes(name, tensor, dtypes):
    """Raise PyTorch's error when ``tensor``'s dtype is not accepted by a ``dtypes`` policy."""
    if dtypes == INTEGRAL and tensor.dtype is _dtype.bool or \
            dtypes == FLOATING and not tensor.dtype.is_floating_point:
        raise _not_implemented(f"{name}_cpu", tensor.dtype)


def _prepare(name, tensor, dtypes):
    """The tensor a ``dtypes``-policy op computes on: checked, and cast to float for FLOAT ops."""
    _check_complex(name, tensor.dtype)
    _check_dtypes(name, tensor, dtypes)
    return as_float_input(tensor) if dtypes == FLOAT else tensor


# What PyTorch raises for ops it does not define on complex tensors: name -> (exception, message).
_KERNEL_MISSING = "\"{kernel}\" not implemented for '{dtype}'"
_COMPLEX_ERRORS = {
    **{name: (NotImplementedError, _KERNEL_MISSING.replace("{kernel}", f"{name}_vml_cpu"))
       for name in ("erf", "erfc", "erfinv", "lgamma")},
    **{name: (NotImplementedError, _KERNEL_MISSING.replace("{kernel}", f"{name}_cpu"))
       for name in ("fmod", "remainder", "atan2", "hypot", "copysign", "logaddexp2", "xlogy", "logit", "nextafter",
                    "lt", "le", "gt", "ge", "gcd", "lcm")},
    **{name: (NotImplementedError, f"{name} is not supported for complex inputs")
       for name in ("floor", "ceil", "trunc")},
    **{name: (RuntimeError, f"{name} is not supported for complex tensors.") for name in ("deg2rad", "rad2deg")},
    **{name: (RuntimeError, f"{name} not implemented for complex tensors.")
       for name in ("maximum", "minimum", "fmax", "fmin")},
    **{name: (RuntimeError, f"{name} does not support complex inputs.") for name in ("isposinf", "isneginf")},
    "digamma": (NotImplementedError, _KERNEL_MISSING.replace("{kernel}", "digamma")),
    "polygamma": (NotImplementedError, _KERNEL_MISSING.replace("{kernel}", "polygamma")),
    "round": (NotImplementedError, _KERNEL_MISSING.replace("{kernel}", "round_vml_cpu")),
    "round_decimals": (NotImplementedError, _KERNEL_MISSING.replace("{kernel}", "round_cpu")),
    "sign": (NotImplementedError, "Unlike NumPy, torch.sign is not intended to support complex numbers. Please use "
                                  "torch.sgn instead."),
    "signbit": (NotImplementedError, "signbit is not implemented for complex tensors."),
    "clamp": (NotImplementedError, "clamp is not supported for complex types"),
    "relu": (NotImplementedError, "clamp is not supported for complex types"),
    "heaviside": (RuntimeError, "heaviside is not yet implemented for complex tensors."),
    "floor_divide": (NotImplementedError, _KERNEL_MISSING.replace("{kernel}", "div_floor_cpu")),
    "div_floor": (NotImplementedError, _KERNEL_MISSING.replace("{kernel}", "div_floor_cpu")),
    "div_trunc": (NotImplementedError, _KERNEL_MISSING.replace("{kernel}", "div_trunc_cpu")),
}


def _check_complex(name, dtype):
    """PyTorch's error when op ``name`` is given a complex ``dtype`` it is not defined for."""
    if dtype.is_complex and name in _COMPLEX_ERRORS:
        kind, message = _COMPLEX_ERRORS[name]
        raise kind(message.format(dtype=_type_word(dtype)))




def _zeros_like(tensor):
    return Tensor._zeros(tensor.shape, tensor.dtype)


def _is_integral_array(x):
    return x.dtype.kind in "biu"


def _scalar_array(value, dtype):
    """A Python number as a 0-dim array of ``dtype``; integers wrap around as in PyTorch (uint8 + 300)."""
    return np.asarray(value).astype(dtype.np_dtype)


def _promoted_arrays(*operands):
    """The arrays of ``operands`` (Tensors and numbers) in their common dtype, for ops without gradients."""
    result = _dtype.result_type(*operands)
    shapes = [op.shape for op in operands if isinstance(op, Tensor)]
    if len(shapes) > 1 and any(s != shapes[0] for s in shapes):
        broadcast_shapes(*shapes)
    arrays = [op._data.astype(result.np_dtype, copy=False) if isinstance(op, Tensor) else _scalar_array(op, result)
              for op in operands]
    return arrays, result


def _is_number(value):
    return isinstance(value, (bool, int, float, complex, np.bool_, np.number))


def _check_operand(value, name, position, fn, numbers_allowed):
    """PyTorch's TypeError when an argument is neither a Tensor nor (where allowed) a number."""
    if isinstance(value, Tensor) or numbers_allowed and _is_number(value):
        return
    raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be Tensor, not {type(value).__name__}")


def _as_tensor_result(array):
    """Wrap the array result of an op without gradients (bool results, integer bit math)."""
    return Tensor._make(array)


def _named(op, name, summary, example):
    """Give a table-built op its name and a docstring: ``summary``, then the runnable ``example``."""
    op.__name__ = name
    op.__doc__ = f"{summary}\n\n    >>> {example}\n    "
    return op


def _export(ops):
    """Make table-built ops (a dict name -> function) functions of this module, listed in ``__all__``."""
    globals().update(ops)
    __all__.extend(ops)
    return ops


class Where(Primitive):
    """``where(condition, a, b)``: each side gets the gradient where it was picked (``ember.where``, backward rules)."""

    @staticmethod
    def forward(ctx, condition, a, b):
        ctx.save_for_backward(condition)
        xp = array_module(condition)
        if type(b) is int and b == 0 and type(a) is xp.ndarray and a.dtype.kind == "f" and a.shape == condition.shape:
            with np.errstate(invalid="ignore"):
                kept = a * condition        # NumPy's where is ~20x slower on a random mask (gradients of relu)
            if not xp.isnan(kept).any():    # 0 * inf made a NaN: fall back
                return kept
        return xp.where(condition, a, b)

    @staticmethod
    def backward(ctx, grad):
        (condition,) = ctx.saved_tensors
        return (None,
                _select(condition, grad, 0) if ctx.needs_input_grad[1] else None,
                _select(condition, 0, grad) if ctx.needs_input_grad[2] else None)


def _select(condition, a, b):
    """``a`` where ``condition`` holds, else ``b`` (either may be a number); gradients flow to the picked side."""
    return Where.apply(condition, a, b)


# ----------------------------------------------------------------------------- special functions NumPy lacks
# erf, erfc, erfinv, lgamma, digamma and polygamma as array math (so they run on CuPy arrays too),
# computed in float64 and accurate to a few units in the last place of float64.

# erfc(z) = t * exp(-z^2 + P(t)) with t = 2 / (2 + z), z >= 0; P as a Chebyshev series in 2t - 1,
# fitted for this file at 50 digits (the form of Numerical Recipes' erfccheb).
_ERFC_CHEBYSHEV = (
    -0.6513268598908547, 0.6419697923564902, 0.019476473204185836, -0.009561514786808632,
    -0.0009465953444820369, 0.00036683949785276145, 4.252332480690777e-05, -2.0278578112534242e-05,
    -1.6242900046470256e-06, 1.3036558355805232e-06, 1.5626441722066142e-08, -8.523809591492654e-08,
    6.5290544390988515e-09, 5.059343495551469e-09, -9.91364156493033e-10, -2.273651222931836e-10,
    9.646791102015527e-11, 2.3940380830391146e-12, -6.886027526497553e-12, 8.944879273090722e-13,
    3.130921399342962e-13, -1.1270822361367115e-13, 3.810905255097813e-16, 7.106097613630246e-15,
    -1.5230282014484016e-15, -9.457494594664812e-17, 1.2102371970404282e-16, -2.816663146506955e-17,
    5.0024405411648076e-20, 2.3281308992411927e-18,
)
_ERFC_TERMS_SINGLE = 16     # enough for float32 and smaller results
# erf(z) = z * sum_n (-1)^n 2/sqrt(pi) z^(2n) / (n! (2n + 1)), used for |z| < 0.5
_ERF_TAYLOR = tuple((-1) ** n * TWO_OVER_SQRT_PI / (math.factorial(n) * (2 * n + 1)) for n in range(13))
# Lanczos' approximation of Gamma (g = 7, 9 terms)
_LANCZOS_G = 7.0
_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7)
# Bernoulli numbers B_2 ... B_16 for the asymptotic series of digamma and polygamma
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510)


def _horner(xp, coefficients, x):
    """sum c_k x^k with in-place updates (coefficients from the highest power down)."""
    acc = xp.full_like(x, coefficients[0])
    for c in coefficients[1:]:
        acc *= x
        acc += c
    return acc


def _clenshaw(xp, coefficients, u):
    """sum c_k T_k(u) for a Chebyshev series, with in-place updates."""
    u2 = 2 * u
    b1 = xp.full_like(u, coefficients[-1])
    b2 = xp.zeros_like(u)
    spare = xp.empty_like(u)
    for c in reversed(coefficients[1:-1]):
        xp.multiply(u2, b1, out=spare)
        spare -= b2
        spare += c
        b1, b2, spare = spare, b1, b2
    xp.multiply(u, b1, out=spare)
    spare -= b2
    spare += coefficients[0]
    return spare


def _erfc_positive(xp, z, terms):
    """erfc(z) for z >= 0.5; exp(-z^2) is split so that large z keep full relative precision."""
    z = xp.minimum(z, 30.0)     # erfc underflows to 0 from 27.3 on; this keeps inf out of the arithmetic
    t = 2 / (2 + z)
    head = xp.floor(z * 4096) / 4096
    tail = (head - z) * (head + z)
    return t * xp.exp(-head * head) * xp.exp(tail + _clenshaw(xp, _ERFC_CHEBYSHEV[:terms], 2 * t - 1))


def _erf_small(xp, z):
    return _horner(xp, _ERF_TAYLOR[::-1], z * z) * z


def _erf_terms(dtype):
    return len(_ERFC_CHEBYSHEV) if dtype == np.float64 else _ERFC_TERMS_SINGLE


def _erf_array(xp, x):
    z = x.astype(np.float64)
    out = xp.empty_like(z)
    small = xp.abs(z) < 0.5
    out[small] = _erf_small(xp, z[small])
    big = ~small & ~xp.isnan(z)
    zb = z[big]
    out[big] = xp.copysign(1 - _erfc_positive(xp, xp.abs(zb), _erf_terms(x.dtype)), zb)
    out[xp.isnan(z)] = np.nan
    return out.astype(x.dtype)


def _erfc_array(xp, x):
    z = x.astype(np.float64)
    out = xp.empty_like(z)
    small = xp.abs(z) < 0.5
    out[small] = 1 - _erf_small(xp, z[small])
    high, low = z >= 0.5, z <= -0.5
    out[high] = _erfc_positive(xp, z[high], _erf_terms(x.dtype))
    out[low] = 2 - _erfc_positive(xp, -z[low], _erf_terms(x.dtype))
    out[xp.isnan(z)] = np.nan
    return out.astype(x.dtype)


def _erfinv_array(xp, x):
    """Winitzki's closed form to start, then two Halley steps on erf (erfc near +-1, where erf is flat)."""
    a = xp.abs(x.astype(np.float64))
    log_term = xp.log1p(-a) + xp.log1p(a)          # log(1 - a^2) without cancellation
    k = 0.147
    first = 2 / (math.pi * k) + log_term / 2
    y = xp.sqrt(xp.sqrt(first * first - log_term / k) - first)
    near_one = a > 0.5
    for _ in range(2):
        f = xp.where(near_one, (1 - a) - _erfc_array(xp, y), _erf_array(xp, y) - a)
        slope = TWO_OVER_SQRT_PI * xp.exp(-y * y)
        y = y - f / (slope + y * f)
    y = xp.where(a == 1, np.inf, y)
    y = xp.where(a > 1, np.nan, y)
    return xp.copysign(y, x).astype(x.dtype)


def _sinpi(xp, x):
    """sin(pi x), reducing x first so integers give exact zeros."""
    return xp.sin(math.pi * (x - 2 * xp.round(x / 2)))


def _lgamma_right(xp, x):
    """log Gamma(x) for x >= 0.5 (Lanczos)."""
    z = x - 1
    series = xp.full_like(z, _LANCZOS[0])
    for i, c in enumerate(_LANCZOS[1:], start=1):
        series += c / (z + i)
    t = z + _LANCZOS_G + 0.5
    return 0.5 * math.log(2 * math.pi) + (z + 0.5) * xp.log(t) - t + xp.log(series)


def _lgamma_array(xp, x):
    """log|Gamma(x)|, with the reflection formula below 0.5; +inf at the poles."""
    z = x.astype(np.float64)
    out = xp.empty_like(z)
    left = z < 0.5
    out[~left] = _lgamma_right(xp, z[~left])
    zl = z[left]
    out[left] = xp.log(math.pi / xp.abs(_sinpi(xp, zl))) - _lgamma_right(xp, 1 - zl)
    out[((z <= 0) & (z == xp.floor(z))) | xp.isinf(z)] = np.inf
    return out.astype(x.dtype)


def _digamma_right(xp, x):
    """psi(x) for x > 0: recurrence up to x >= 10, then the asymptotic series."""
    z = x.copy()
    shift = xp.zeros_like(z)
    for _ in range(10):
        low = z < 10
        shift -= xp.where(low, 1 / z, 0)
        z += low
    inv2 = 1 / (z * z)
    series = _horner(xp, [b / (2 * k) for k, b in reversed(list(enumerate(_BERNOULLI[:7], start=1)))], inv2)
    return shift + xp.log(z) - 0.5 / z - series * inv2


def _digamma_array(xp, x):
    """psi(x) = d/dx log Gamma(x), with the reflection formula for x <= 0; NaN at negative integers."""
    z = x.astype(np.float64)
    out = xp.empty_like(z)
    right = z > 0
    out[right] = _digamma_right(xp, z[right])
    zl = z[~right]
    out[~right] = _digamma_right(xp, 1 - zl) - math.pi / xp.tan(math.pi * (zl - xp.round(zl)))
    out[(z < 0) & (z == xp.floor(z))] = np.nan
    zero = z == 0
    out[zero] = xp.copysign(np.inf, -z[zero])
    out[z == np.inf] = np.inf
    return out.astype(x.dtype)


def _polygamma_right(xp, n, z):
    """psi^(n)(z) = (-1)^(n+1) n! zeta(n + 1, z) for z > 0, n >= 1: a direct sum up to z >= 20, then asymptotics."""
    s = n + 1
    total = xp.zeros_like(z)
    low = z < 20
    while low.any():
        total += xp.where(low, z ** -s, 0)
        z = z + low
        low = z < 20
    # Hurwitz zeta(s, z) ~ z^(1-s)/(s-1) + z^-s/2 + sum_k B_2k/(2k)! s(s+1)...(s+2k-2) z^(-s-2k+1)
    tail = z ** (1 - s) / (s - 1) + z ** -s / 2
    rising = float(s)
    power = z ** (-s - 1)
    for k, bernoulli in enumerate(_BERNOULLI, start=1):
        tail += bernoulli / math.factorial(2 * k) * rising * power
        rising *= (s + 2 * k - 1) * (s + 2 * k)
        power = power / (z * z)
    sign = 1.0 if n % 2 else -1.0
    return sign * math.factorial(n) * (total + tail)


def _cot_derivative(n):
    """Coefficients (highest power first) of P_n, where the n-th derivative of cot(u) is P_n(cot u)."""
    p = [1.0, 0.0]                               # P_0(c) = c
    for _ in range(n):
        degree = len(p) - 1
        slope = [c * (degree - i) for i, c in enumerate(p[:-1])]         # P'
        p = [-c for c in slope] + [0.0, 0.0]                             # -c^2 P'
        for i, c in enumerate(slope):                                    # - P'
            p[i + 2] -= c
    return p


def _polygamma_array(xp, n, x):
    """psi^(n)(x) for n >= 1; x <= 0 uses the reflection (-1)^n psi^(n)(1 - x) - pi^(n+1) P_n(cot(pi x))."""
    z = x.astype(np.float64)
    out = xp.empty_like(z)
    right = z > 0
    out[right] = _polygamma_right(xp, n, z[right])
    zl = z[~right]
    cot = 1 / xp.tan(math.pi * (zl - xp.round(zl)))
    reflected = (-1.0) ** n * _polygamma_right(xp, n, 1 - zl)
    out[~right] = reflected - math.pi ** (n + 1) * _horner(xp, _cot_derivative(n), cot)
    return out.astype(x.dtype)


class Polygamma(Primitive):
    @staticmethod
    def forward(ctx, x, *, n):
        ctx.save_for_backward(x)
        ctx.n = n
        with np.errstate(all="ignore"):
            if n == 0:
                return _digamma_array(array_module(x), x)
            return _polygamma_array(array_module(x), n, x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * Polygamma.apply(x, n=ctx.n + 1)


def polygamma(n, input, *, out=None):
    """The ``n``-th derivative of the digamma function (``n = 0`` is digamma itself).

    >>> ember.polygamma(1, ember.tensor([1.0]))
    tensor([1.6449])
    """
    check_tensor(input, "input", "polygamma")
    n = int_arg(n, "polygamma", "n")
    _check_complex("digamma" if n == 0 else "polygamma", input.dtype)
    if n < 0:
        raise RuntimeError(f"polygamma(n, x) does not support negative n, got n={n}")
    return _into(out, Polygamma.apply(as_float_input(input), n=n), "polygamma")


# ----------------------------------------------------------------------------- unary tables

def _unary(name, what, array_fn, derivative, dtypes, array_derivative=None):
    """Build a unary op: a Primitive named ``name`` and the public function wrapping it.

    ``derivative(x, y, grad)`` gives the input's gradient in Tensor ops; ``dtypes``
    says how integer and bool inputs are treated (FLOAT, INTEGRAL, FLOATING, ANY).
    An optional ``array_derivative(x, y, grad)`` computes the same on arrays, used when
    backward builds no graph (a hot op's shortcut past the Tensor-op overhead).
    """
    def forward(ctx, x):
        with np.errstate(all="ignore"):
            y = array_fn(array_module(x), x)
        ctx.save_for_backward(x, y)
        return y

    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        if array_derivative is not None and not grad_mode.is_grad_enabled():
            return Tensor._make(array_derivative(x._data, y._data, grad._data))
        return derivative(x, y, grad)

    cls = type(name.capitalize(), (Primitive,), {
        "forward": staticmethod(forward), "backward": staticmethod(backward), "__module__": __name__,
        "complex_backward": name in _NOT_HOLOMORPHIC})

    def op(input, *, out=None):
        check_tensor(input, "input", name)
        return _into(out, cls.apply(_prepare(name, input, dtypes)), name)

    return _named(op, name, f"{what}, elementwise.", f"y = ember.{name}(ember.tensor([0.5, 1.0]))")


def _same_for_integers(float_fn):
    """An array function applying ``float_fn`` to floating arrays and copying integer ones (floor of an int)."""
    return lambda xp, x: x.copy() if _is_integral_array(x) else float_fn(xp, x)


def _sign_array(xp, x):
    """-1, 0 or 1 in ``x``'s dtype; NaN gives 0 as in PyTorch; a bool array is its own sign."""
    if x.dtype == np.bool_:
        return x.copy()
    return (x > 0).astype(x.dtype) - (x < 0).astype(x.dtype)


def _sgn_array(xp, x):
    """``sign`` for real arrays; ``z / |z|`` (0 at 0) for complex ones."""
    if x.dtype.kind != "c":
        return _sign_array(xp, x)
    magnitude = xp.abs(x)
    return xp.where(magnitude == 0, 0, x / xp.where(magnitude == 0, 1, magnitude)).astype(x.dtype)


def _sgn_derivative(x, y, g):
    """Zero for real inputs; for complex ones ``(g - y^2 conj(g)) / (2 |x|)`` (0 at 0), PyTorch's rule."""
    if not x.is_complex():
        return _zeros_like(g)
    magnitude = x.abs()
    zero = magnitude == 0
    return _select(zero, 0, (g - y * y * g.conj()) / (2 * _select(zero, 1, magnitude)))


def _sinc_array(xp, x):
    px = math.pi * x
    return xp.where(x == 0, 1, xp.sin(px) / xp.where(x == 0, 1, px)).astype(x.dtype)


def _sinc_slope(x, y):
    """d sinc/dx = (cos(pi x) - sinc(x)) / x, taken as 0 at x = 0 (PyTorch's rule)."""
    zero = x == 0
    safe = _select(zero, 1, x)
    return _select(zero, 0, ((math.pi * safe).cos() - y) / safe)


def _acosh_slope(x):
    """1 / sqrt(x^2 - 1); for complex x as 1 / (sqrt(x - 1) sqrt(x + 1)), the branch arccosh takes."""
    if x.is_complex():
        return (x - 1).rsqrt() * (x + 1).rsqrt()
    return (x * x - 1).rsqrt()


def _zero_grad(x, y, g):
    return _zeros_like(g)


_UNARY = {
    # Float results (integer inputs give the default float dtype).
    # name:  (what it computes, array function, derivative from input x, output y and incoming grad g)
    "exp": ("e to the power of input", lambda xp, x: xp.exp(x), lambda x, y, g: g * y),
    "exp2": ("2 to the power of input", lambda xp, x: xp.exp2(x), lambda x, y, g: g * y * LN2),
    "expm1": ("exp(input) - 1, accurate near 0", lambda xp, x: xp.expm1(x), lambda x, y, g: g * (y + 1)),
    "log": ("The natural logarithm", lambda xp, x: xp.log(x), lambda x, y, g: g / x),
    "log1p": ("log(1 + input), accurate near 0", lambda xp, x: xp.log1p(x), lambda x, y, g: g / (x + 1)),
    "log2": ("The base-2 logarithm", lambda xp, x: xp.log2(x), lambda x, y, g: g / (x * LN2)),
    "log10": ("The base-10 logarithm", lambda xp, x: xp.log10(x), lambda x, y, g: g / (x * LN10)),
    "sqrt": ("The square root", lambda xp, x: xp.sqrt(x), lambda x, y, g: g / (2 * y)),
    "rsqrt": ("1 / sqrt(input)", lambda xp, x: 1 / xp.sqrt(x), lambda x, y, g: -0.5 * g * y * y * y),
    "sin": ("The sine", lambda xp, x: xp.sin(x), lambda x, y, g: g * x.cos()),
    "cos": ("The cosine", lambda xp, x: xp.cos(x), lambda x, y, g: g * -x.sin()),
    "tan": ("The tangent", lambda xp, x: xp.tan(x), lambda x, y, g: g * (1 + y * y)),
    "asin": ("The arcsine", lambda xp, x: xp.arcsin(x), lambda x, y, g: g * (1 - x * x).rsqrt()),
    "acos": ("The arccosine", lambda xp, x: xp.arccos(x), lambda x, y, g: g * -(1 - x * x).rsqrt()),
    "atan": ("The arctangent", lambda xp, x: xp.arctan(x), lambda x, y, g: g / (x * x + 1)),
    "sinh": ("The hyperbolic sine", lambda xp, x: xp.sinh(x), lambda x, y, g: g * x.cosh()),
    "cosh": ("The hyperbolic cosine", lambda xp, x: xp.cosh(x), lambda x, y, g: g * x.sinh()),
    "tanh": ("The hyperbolic tangent", lambda xp, x: xp.tanh(x), lambda x, y, g: g * (1 - y * y)),
    "asinh": ("The inverse hyperbolic sine", lambda xp, x: xp.arcsinh(x), lambda x, y, g: g * (x * x + 1).rsqrt()),
    "acosh": ("The inverse hyperbolic cosine", lambda xp, x: xp.arccosh(x), lambda x, y, g: g * _acosh_slope(x)),
    "atanh": ("The inverse hyperbolic tangent", lambda xp, x: xp.arctanh(x), lambda x, y, g: g / (1 - x * x)),
    "sigmoid": ("The logistic function 1 / (1 + exp(-input))", lambda xp, x: 1 / (1 + xp.exp(-x)),
                lambda x, y, g: g * y * (1 - y)),
    "erf": ("The error function", _erf_array, lambda x, y, g: g * TWO_OVER_SQRT_PI * (-x * x).exp()),
    "erfc": ("The complementary error function 1 - erf(input)", _erfc_array,
             lambda x, y, g: g * -TWO_OVER_SQRT_PI * (-x * x).exp()),
    "erfinv": ("The inverse error function", _erfinv_array, lambda x, y, g: g * HALF_SQRT_PI * (y * y).exp()),
    "lgamma": ("log|Gamma(input)|", _lgamma_array, lambda x, y, g: g * x.digamma()),
    "digamma": ("The digamma function, the derivative of lgamma", _digamma_array,
                lambda x, y, g: g * Polygamma.apply(x, n=1)),
    "reciprocal": ("1 / input", lambda xp, x: 1 / x, lambda x, y, g: -g * (y * y)),
    "deg2rad": ("Degrees converted to radians", lambda xp, x: x * (math.pi / 180), lambda x, y, g: g * (math.pi / 180)),
    "rad2deg": ("Radians converted to degrees", lambda xp, x: x * (180 / math.pi), lambda x, y, g: g * (180 / math.pi)),
    "sinc": ("The normalized sinc, sin(pi x) / (pi x) and 1 at 0", _sinc_array, lambda x, y, g: g * _sinc_slope(x, y)),
}

_UNARY_INTEGRAL = {
    # Integer inputs keep their dtype (floor of an int tensor is itself); bool is not implemented.
    "abs": ("The absolute value", lambda xp, x: xp.abs(x), lambda x, y, g: g * x.sgn()),
    "floor": ("The largest integer not above input", _same_for_integers(lambda xp, x: xp.floor(x)), _zero_grad),
    "ceil": ("The smallest integer not below input", _same_for_integers(lambda xp, x: xp.ceil(x)), _zero_grad),
    "trunc": ("input rounded toward zero", _same_for_integers(lambda xp, x: xp.trunc(x)), _zero_grad),
}

_UNARY_FLOATING = {
    # Only floating-point inputs.
    "frac": ("The fractional part, input - trunc(input)", lambda xp, x: x - xp.trunc(x), lambda x, y, g: g),
}

_UNARY_ANY = {
    # Every dtype keeps its dtype.
    "sign": ("-1, 0 or 1 by the sign of input (0 for NaN)", _sign_array, _zero_grad),
    "sgn": ("The sign, as ``sign`` for real tensors and z / |z| for complex ones", _sgn_array, _sgn_derivative),
}

# Unary functions taking complex inputs that are not holomorphic: their rules above handle complex numbers.
_NOT_HOLOMORPHIC = ("abs", "sgn")

_UNARY_OPS = {}
for _table, _dtypes in ((_UNARY, FLOAT), (_UNARY_INTEGRAL, INTEGRAL), (_UNARY_FLOATING, FLOATING),
                        (_UNARY_ANY, ANY)):
    for _name, (_what, _fn, _derivative) in _table.items():
        _UNARY_OPS[_name] = _unary(_name, _what, _fn, _derivative, _dtypes)
_export(_UNARY_OPS)

_ALIASES = {"absolute": "abs", "arcsin": "asin", "arccos": "acos", "arctan": "atan", "arcsinh": "asinh",
            "arccosh": "acosh", "arctanh": "atanh", "fix": "trunc", "clip": "clamp", "arctan2": "atan2",
            "not_equal": "ne", "less": "lt", "less_equal": "le", "greater": "gt", "greater_equal": "ge"}

# Unary ops whose public function adds an argument or a check to the table-built one.
_relu = _unary("relu", "max(input, 0)", lambda xp, x: xp.maximum(x, 0).astype(x.dtype, copy=False),
               lambda x, y, g: _select(y > 0, g, 0), INTEGRAL, array_derivative=lambda x, y, g: g * (y > 0))
_round_to_integer = _unary("round", "input rounded to the nearest integer, halves to even",
                           _same_for_integers(lambda xp, x: xp.rint(x)), _zero_grad, INTEGRAL)


def relu(input, *, out=None):
    """``max(input, 0)``, elementwise; integer tensors stay integer.

    >>> ember.relu(ember.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """
    if isinstance(input, Tensor) and input.dtype is _dtype.bool:
        raise RuntimeError("Boolean inputs not supported for relu")
    if isinstance(input, Tensor):
        _check_complex("relu", input.dtype)
    return _relu(input, out=out)


class RoundDecimals(Primitive):
    grad_fn_name = "RoundBackward1"

    @staticmethod
    def forward(ctx, x, *, decimals):
        scale = x.dtype.type(10.0 ** (decimals if decimals > 0 else -decimals))
        xp = array_module(x)
        with np.errstate(all="ignore"):
            if decimals > 0:
                return xp.rint(x * scale) / scale
            return xp.rint(x / scale) * scale

    @staticmethod
    def backward(ctx, grad):
        return _zeros_like(grad)


def round(input, *, decimals=0, out=None):
    """``input`` rounded to ``decimals`` decimal places (halves to even); integers stay as they are.

    >>> ember.round(ember.tensor([1.2345, 2.5]), decimals=2)
    tensor([1.2300, 2.5000])
    """
    check_tensor(input, "input", "round")
    if isinstance(decimals, bool) or not isinstance(decimals, (int, np.integer)):
        raise TypeError(f"round(): argument 'decimals' must be int, not {type(decimals).__name__}")
    if decimals == 0:
        return _round_to_integer(input, out=out)
    _check_complex("round_decimals", input.dtype)
    _check_dtypes("round", input, FLOATING)
    return _into(out, RoundDecimals.apply(input, decimals=int(decimals)), "round")


class Logit(Primitive):
    @staticmethod
    def forward(ctx, x, *, eps):
        ctx.save_for_backward(x)
        ctx.eps = eps
        xp = array_module(x)
        z = x if eps is None or eps < 0 else xp.clip(x, eps, 1 - eps)
        with np.errstate(all="ignore"):
            return xp.log(z / (1 - z))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        eps = ctx.eps
        slope = grad / (x * (1 - x))
        if eps is None or eps < 0:
            return _select((x < 0) | (x > 1), math.nan, slope)
        return _select((x < eps) | (x > 1 - eps), 0, slope)


def logit(input, eps=None, *, out=None):
    """``log(p / (1 - p))``, the inverse of sigmoid; with ``eps``, ``p`` is clamped to [eps, 1 - eps] first.

    >>> ember.logit(ember.tensor([0.25, 0.5]))
    tensor([-1.0986,  0.0000])
    """
    check_tensor(input, "input", "logit")
    _check_complex("logit", input.dtype)
    eps = float_arg(eps, "logit", "eps", optional=True)
    return _into(out, Logit.apply(as_float_input(input), eps=None if eps is None else float(eps)), "logit")


class NanToNum(Primitive):
    @staticmethod
    def forward(ctx, x, *, nan, posinf, neginf):
        ctx.save_for_backward(x)
        if _is_integral_array(x):
            return x.copy()
        return array_module(x).nan_to_num(x, copy=True, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.isfinite()


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """Replace NaN, +inf and -inf by ``nan``, ``posinf`` and ``neginf`` (default: the dtype's extremes).

    >>> ember.nan_to_num(ember.tensor([float("nan"), float("inf"), 1.0]), posinf=9.0)
    tensor([0., 9., 1.])
    """
    check_tensor(input, "input", "nan_to_num")
    nan = float_arg(nan, "nan_to_num", "nan", optional=True) or 0.0     # None means 0, as in PyTorch
    posinf = float_arg(posinf, "nan_to_num", "posinf", optional=True)
    neginf = float_arg(neginf, "nan_to_num", "neginf", optional=True)
    return _into(out, NanToNum.apply(input, nan=nan, posinf=posinf, neginf=neginf), "nan_to_num")


class Neg(Primitive):
    @staticmethod
    def forward(ctx, x):
        if x.dtype == np.bool_:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are "
                               "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
        return -x

    @staticmethod
    def backward(ctx, grad):
        return -grad


def neg(input, *, out=None):
    """``-input``, elementwise.

    >>> ember.neg(ember.tensor([1., -2.]))
    tensor([-1.,  2.])
    """
    check_tensor(input, "input", "neg")
    return _into(out, Neg.apply(input), "neg")


negative = neg


def positive(input):
    """``input`` itself (``+input``); an error for bool tensors, as in PyTorch.

    >>> ember.positive(ember.tensor([-1, 2]))
    tensor([-1,  2])
    """
    check_tensor(input, "input", "positive")
    if input.dtype is _dtype.bool:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def square(input, *, out=None):
    """``input ** 2``; integer tensors stay integer and bool becomes int64.

    >>> ember.square(ember.tensor([-2, 3]))
    tensor([4, 9])
    """
    check_tensor(input, "input", "square")
    return pow(input, 2, out=out)


# ----------------------------------------------------------------------------- tests of each element

_PREDICATES = {
    # name: (what it tells, for floating-point arrays, for integer and bool arrays)
    "isnan": ("Whether each element is NaN", lambda xp, x: xp.isnan(x), lambda xp, x: xp.zeros(x.shape, bool)),
    "isinf": ("Whether each element is +-inf", lambda xp, x: xp.isinf(x), lambda xp, x: xp.zeros(x.shape, bool)),
    "isposinf": ("Whether each element is +inf", lambda xp, x: x == np.inf, lambda xp, x: xp.zeros(x.shape, bool)),
    "isneginf": ("Whether each element is -inf", lambda xp, x: x == -np.inf, lambda xp, x: xp.zeros(x.shape, bool)),
    "isfinite": ("Whether each element is finite", lambda xp, x: xp.isfinite(x),
                 lambda xp, x: xp.ones(x.shape, bool)),
    "isreal": ("Whether each element is real (always, for real dtypes)", lambda xp, x: x.imag == 0 if
               x.dtype.kind == "c" else xp.ones(x.shape, bool), lambda xp, x: xp.ones(x.shape, bool)),
    "signbit": ("Whether each element has its sign bit set (true for -0.0)", lambda xp, x: xp.signbit(x),
                lambda xp, x: x < 0),
}


def _predicate(name, what, float_fn, integral_fn):
    def op(input, *, out=None):
        check_tensor(input, "input", name)
        _check_complex(name, input.dtype)
        x = input._data
        fn = integral_fn if _is_integral_array(x) else float_fn
        return _into(out, _as_tensor_result(fn(array_module(x), x)), name)

    return _named(op, name, f"{what} (a bool tensor).",
                  f"mask = ember.{name}(ember.tensor([1.0, float('inf'), float('nan')]))")


_PREDICATE_OPS = _export({name: _predicate(name, *spec) for name, spec in _PREDICATES.items()})


# ----------------------------------------------------------------------------- binary arithmetic

class Add(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class Sub(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, grad):
        return grad, -grad


class Mul(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return (grad * b if ctx.needs_input_grad[0] else None,
                grad * a if ctx.needs_input_grad[1] else None)


class Div(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        with np.errstate(all="ignore"):
            return a / b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return (grad / b if ctx.needs_input_grad[0] else None,
                -grad * a / (b * b) if ctx.needs_input_grad[1] else None)


class FloorDivide(Primitive):
    """Division rounded toward negative infinity (``mode='floor'``) or zero; its gradient is zero."""

    @staticmethod
    def forward(ctx, a, b, *, mode):
        xp = array_module(a)
        if _is_integral_array(a):
            _check_integer_divisor(b)
            quotient = xp.floor_divide(a, b)
            if mode == "floor":
                return quotient
            fix = (quotient < 0) & (quotient * b != a)
            return quotient + fix.astype(quotient.dtype)
        with np.errstate(all="ignore"):
            if mode == "floor":
                return xp.floor_divide(a, b)     # Python's float //, as PyTorch: 1 // 0.1 is 9
            return xp.trunc(a / b)

    @staticmethod
    def backward(ctx, grad):
        return _zeros_like(grad), _zeros_like(grad)


class FloorDivideNoGrad(FloorDivide):
    """``floor_divide`` and ``//``: PyTorch defines no derivative for them."""

    grad_fn_name = "FloorDivideBackward0"

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


def _check_integer_divisor(b):
    if (np.asarray(b) == 0).any():
        raise RuntimeError("ZeroDivisionError")


def _scaled(input, other, alpha):
    """``alpha * other``, refusing a float ``alpha`` when ``input`` and ``other`` give an integral result."""
    if alpha == 1:
        return other
    if isinstance(alpha, float) and not _dtype.result_type(input, other).is_floating_point:
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
    return other * alpha


def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other`` with broadcasting and PyTorch's type promotion.

    >>> ember.add(ember.tensor([1, 2]), 0.5)
    tensor([1.5000, 2.5000])
    """
    (a, b), _ = promote_operands(input, _scaled(input, other, alpha))
    return _into(out, Add.apply(a, b), "add")


def sub(input, other, *, alpha=1, out=None):
    """``input - alpha * other``.

    >>> ember.sub(ember.tensor([3.]), ember.tensor([1.]), alpha=2)
    tensor([1.])
    """
    if _is_bool(input) and _is_bool(other):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
                           "`^` or `logical_xor()` operator instead.")
    if _is_bool(input) or _is_bool(other):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying "
                           "to invert a mask, use the `~` or `logical_not()` operator instead.")
    (a, b), _ = promote_operands(input, _scaled(input, other, alpha))
    return _into(out, Sub.apply(a, b), "sub")


def mul(input, other, *, out=None):
    """``input * other``.

    >>> ember.mul(ember.tensor([1., 2.]), 3)
    tensor([3., 6.])
    """
    (a, b), _ = promote_operands(input, other)
    return _into(out, Mul.apply(a, b), "mul")


def _as_default_float(operand):
    float_type = _dtype.get_default_dtype()
    return operand._cast(float_type) if isinstance(operand, Tensor) else operand.astype(float_type.np_dtype)


def div(input, other, *, rounding_mode=None, out=None):
    """``input / other``: true division (integers give floats), or rounded with ``'trunc'``/``'floor'``.

    >>> ember.div(ember.tensor([7, -7]), 2, rounding_mode="floor")
    tensor([ 3, -4])
    """
    if rounding_mode not in (None, "trunc", "floor"):
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                           f"'{rounding_mode}'")
    (a, b), result = promote_operands(input, other)
    if rounding_mode is None:
        if not (result.is_floating_point or result.is_complex):
            a, b = _as_default_float(a), _as_default_float(b)
        return _into(out, Div.apply(a, b), "div")
    _check_complex(f"div_{rounding_mode}", result)
    if result is _dtype.bool:
        raise _not_implemented(f"div_{rounding_mode}_cpu", result)
    return _into(out, FloorDivide.apply(a, b, mode=rounding_mode), "div")


subtract, multiply, divide, true_divide = sub, mul, div, div


def floor_divide(input, other, *, out=None):
    """``input // other``: division rounded toward negative infinity (it has no gradient in PyTorch).

    >>> ember.floor_divide(ember.tensor([7, -7]), 2)
    tensor([ 3, -4])
    """
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        check_tensor(input, "input", "floor_divide")
    (a, b), result = promote_operands(input, other)
    _check_complex("floor_divide", result)
    if result is _dtype.bool:
        raise _not_implemented("div_floor_cpu", result)
    return _into(out, FloorDivideNoGrad.apply(a, b, mode="floor"), "floor_divide")


def _integer_power(xp, base, exponent):
    """Integer ``base ** exponent``; negative exponents give 1, -1 or 0 as in PyTorch (not an error)."""
    negative = exponent < 0
    if not xp.any(negative):
        return xp.power(base, exponent)
    result = xp.power(base, xp.where(negative, 0, exponent))
    one = xp.ones_like(result)
    odd_sign = xp.where(exponent % 2 == 0, one, -one)
    inverse = xp.where(base == 1, one, xp.where(base == -1, odd_sign, 0 * one))
    return xp.where(negative, inverse, result)


class Pow(Primitive):
    """``base ** exponent`` with both Tensors (or a constant base)."""

    grad_fn_name = "PowBackward1"

    @staticmethod
    def forward(ctx, base, exponent):
        xp = array_module(base)
        with np.errstate(all="ignore"):
            y = _integer_power(xp, base, exponent) if _is_integral_array(base) else xp.power(base, exponent)
        ctx.save_for_backward(base, exponent, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        base, exponent, y = ctx.saved_tensors
        grad_base = grad_exponent = None
        if ctx.needs_input_grad[0]:
            grad_base = _select(exponent == 0, 0, grad * exponent * base ** (exponent - 1))
        if ctx.needs_input_grad[1]:
            # log(base) is taken as 0 where base is 0 and exponent >= 0: 0 ** e contributes no exponent gradient
            real_exponent = exponent.real if exponent.is_complex() else exponent
            zero_base = (base == 0) & (real_exponent >= 0)
            grad_exponent = grad * y * _select(zero_base, 1, base).log()
        return grad_base, grad_exponent


class PowScalar(Primitive):
    """``base ** exponent`` with a Python-number exponent."""

    grad_fn_name = "PowBackward0"

    @staticmethod
    def forward(ctx, base, *, exponent):
        ctx.save_for_backward(base)
        ctx.exponent = exponent
        xp = array_module(base)
        with np.errstate(all="ignore"):
            if exponent == 2:
                return base * base
            return xp.power(base, base.dtype.type(exponent))

    @staticmethod
    def backward(ctx, grad):
        (base,) = ctx.saved_tensors
        e = ctx.exponent
        if e == 0:
            return _zeros_like(grad)
        if e == 2:
            return grad * 2 * base
        return grad * e * PowScalar.apply(base, exponent=e - 1)


def pow(input, exponent, *, out=None):
    """``input ** exponent``; either may be a Python number.

    >>> ember.pow(ember.tensor([2., 3.]), 2)
    tensor([4., 9.])
    """
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        check_tensor(input, "input", "pow")
    (a, b), result = promote_operands(input, exponent)
    if result is _dtype.bool and isinstance(b, Tensor):
        raise _not_implemented("pow", result)
    if isinstance(exponent, Tensor) or not isinstance(a, Tensor):
        return _into(out, Pow.apply(a, b), "pow")
    if not (result.is_floating_point or result.is_complex) and exponent < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return _into(out, PowScalar.apply(a, exponent=exponent), "pow")


def _to_float64(operand):
    """A float_power operand in double precision: float64, or complex128 for complex ones."""
    if isinstance(operand, Tensor):
        return operand._cast(_dtype.complex128 if operand.dtype.is_complex else _dtype.float64)
    if isinstance(operand, complex):
        return operand
    return float(float_arg(operand, "float_power", "exponent"))


def float_power(input, exponent, *, out=None):
    """``input ** exponent`` computed in float64 whatever the input dtypes.

    >>> ember.float_power(ember.tensor([2, 3]), 2)
    tensor([4., 9.], dtype=ember.float64)
    """
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        check_tensor(input, "input", "float_power")
    return pow(_to_float64(input), _to_float64(exponent), out=out)


def _abs_(self):
    """In-place :func:`abs`; refused for complex tensors, whose absolute values are real (PyTorch's rule)."""
    if self.dtype.is_complex:
        raise RuntimeError("In-place abs is not supported for complex tensors.")
    return self._assign_inplace(abs(self))


def float_power_(self, exponent):
    """In-place :func:`float_power`; ``self`` must already be float64."""
    if self.dtype is not _dtype.float64:
        raise RuntimeError(f"the base given to float_power_ has dtype {_type_word(self.dtype)} but the operation's "
                           "result requires dtype Double")
    return self._assign_inplace(float_power(self, exponent))


def _is_bool(value):
    return isinstance(value, bool) or isinstance(value, Tensor) and value.dtype is _dtype.bool


def _into(out, result, name=None):
    """Honour an ``out=`` argument: copy ``result`` into it (resizing an empty one) and return it."""
    if out is None:
        return result
    if result._requires_grad:
        raise RuntimeError(f"{name or 'op'}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    if out.shape != result.shape:
        if out.numel() != 0:
            raise RuntimeError(f"output with shape {list(out.shape)} doesn't match the broadcast shape "
                               f"{list(result.shape)}")
        out._data = np.empty(result.shape, dtype=out._data.dtype)
    return out.copy_(result)


# ----------------------------------------------------------------------------- binary table

def _tie_share(g, a, b, loses):
    """``a``'s share of the gradient of max/min(a, b): none where it lost, half on ties (PyTorch's rule)."""
    return _select(loses, 0, _select(a == b, g / 2, g))


def _fmod_array(xp, a, b):
    if _is_integral_array(a):
        _check_integer_divisor(b)
    return xp.fmod(a, b)


def _remainder_array(xp, a, b):
    """The remainder with the divisor's sign: fmod, moved by one divisor where the signs differ."""
    if _is_integral_array(a):
        _check_integer_divisor(b)
        return xp.remainder(a, b)
    mod = xp.fmod(a, b)
    wrong_sign = (mod != 0) & ((b < 0) != (mod < 0))
    return xp.where(wrong_sign, mod + b, mod)


def _xlogy_array(xp, a, b):
    """``a * log(b)``, 0 where ``a`` is 0 (unless ``b`` is NaN)."""
    product = xp.where(a == 0, 0, a * xp.log(b)).astype(a.dtype)
    return xp.where(xp.isnan(b), np.nan, product).astype(a.dtype)


def _logaddexp_array(xp, a, b):
    """NumPy's logaddexp for real arrays; complex ones (which it lacks) shift by the larger real part first."""
    if a.dtype.kind != "c":
        return xp.logaddexp(a, b)
    shift = xp.maximum(a.real, b.real)
    shift = xp.where(xp.isfinite(shift), shift, 0)
    return (shift + xp.log(xp.exp(a - shift) + xp.exp(b - shift))).astype(a.dtype)


def _atan2_denominator(a, b):
    squares = a * a + b * b
    return _select(squares == 0, 1, squares)


_BINARY = {
    # name: (what it computes, array function, derivative for input, derivative for other),
    # the derivatives as functions of input a, other b, output y and incoming grad g.
    "maximum": ("The larger of input and other (NaN wins)", lambda xp, a, b: xp.maximum(a, b),
                lambda a, b, y, g: _tie_share(g, a, b, a < b), lambda a, b, y, g: _tie_share(g, a, b, a > b)),
    "minimum": ("The smaller of input and other (NaN wins)", lambda xp, a, b: xp.minimum(a, b),
                lambda a, b, y, g: _tie_share(g, a, b, a > b), lambda a, b, y, g: _tie_share(g, a, b, a < b)),
    "fmax": ("The larger of input and other, ignoring a NaN", lambda xp, a, b: xp.fmax(a, b),
             lambda a, b, y, g: _select((a >= b) | b.isnan(), g, 0),
             lambda a, b, y, g: _select((a >= b) | b.isnan(), 0, g)),
    "fmin": ("The smaller of input and other, ignoring a NaN", lambda xp, a, b: xp.fmin(a, b),
             lambda a, b, y, g: _select((a <= b) | b.isnan(), g, 0),
             lambda a, b, y, g: _select((a <= b) | b.isnan(), 0, g)),
    "fmod": ("The remainder of input / other with the sign of input (C's fmod)", _fmod_array,
             lambda a, b, y, g: g, lambda a, b, y, g: -g * div(a, b, rounding_mode="trunc")),
    "remainder": ("The remainder of input / other with the sign of other (Python's %)", _remainder_array,
                  lambda a, b, y, g: g, lambda a, b, y, g: -g * div(a, b, rounding_mode="floor")),
    "atan2": ("The angle of the point (other, input), arctan(input / other) in the right quadrant",
              lambda xp, a, b: xp.arctan2(a, b),
              lambda a, b, y, g: g * b / _atan2_denominator(a, b),
              lambda a, b, y, g: g * -a / _atan2_denominator(a, b)),
    "hypot": ("sqrt(input ** 2 + other ** 2)", lambda xp, a, b: xp.hypot(a, b),
              lambda a, b, y, g: g * a / y, lambda a, b, y, g: g * b / y),
    "copysign": ("The magnitude of input with the sign of other", lambda xp, a, b: xp.copysign(a, b),
                 lambda a, b, y, g: g * _select(a == 0, 0, y / _select(a == 0, 1, a)),
                 lambda a, b, y, g: _zeros_like(g)),
    "logaddexp": ("log(exp(input) + exp(other)) without overflow", _logaddexp_array,
                  lambda a, b, y, g: g / (1 + (b - a).exp()), lambda a, b, y, g: g / (1 + (a - b).exp())),
    "logaddexp2": ("log2(2 ** input + 2 ** other) without overflow", lambda xp, a, b: xp.logaddexp2(a, b),
                   lambda a, b, y, g: g / (1 + (b - a).exp2()), lambda a, b, y, g: g / (1 + (a - b).exp2())),
    "xlogy": ("input * log(other), and 0 where input is 0", _xlogy_array,
              lambda a, b, y, g: _select((a == 0) & (b <= 0), 0, g.xlogy(b)), lambda a, b, y, g: g * a / b),
}

_BINARY_DTYPES = {"fmod": INTEGRAL, "remainder": INTEGRAL, "atan2": FLOAT, "copysign": FLOAT, "xlogy": FLOAT,
                  "hypot": FLOATING, "logaddexp": FLOATING, "logaddexp2": FLOATING}   # the others: ANY
# Which arguments may be Python numbers (the others must be Tensors).
_BINARY_NUMBERS = {"fmod": ("other",), "copysign": ("other",), "remainder": ("input", "other"),
                   "xlogy": ("input", "other")}


def _binary(name, what, array_fn, d_input, d_other, dtypes, numbers):
    """Build a binary op: a Primitive named ``name`` and the public function wrapping it."""
    def forward(ctx, a, b):
        with np.errstate(all="ignore"):
            y = array_fn(array_module(a), a, b)
        ctx.save_for_backward(a, b, y)
        return y

    def backward(ctx, grad):
        a, b, y = ctx.saved_tensors
        return (d_input(a, b, y, grad) if ctx.needs_input_grad[0] else None,
                d_other(a, b, y, grad) if ctx.needs_input_grad[1] else None)

    cls = type(name.capitalize(), (Primitive,), {
        "forward": staticmethod(forward), "backward": staticmethod(backward), "__module__": __name__})

    def op(input, other, *, out=None):
        _check_operand(input, "input", 1, name, "input" in numbers and isinstance(other, Tensor))
        _check_operand(other, "other", 2, name, "other" in numbers)
        (a, b), result = promote_operands(input, other)
        _check_complex(name, result)        # complex results that get past it are defined (logaddexp)
        inexact = result.is_floating_point or result.is_complex
        if dtypes == FLOATING and not inexact or dtypes == INTEGRAL and result is _dtype.bool:
            raise _not_implemented(f"{name}_cpu", result)
        if dtypes == FLOAT and not result.is_floating_point:
            a, b = _as_default_float(a), _as_default_float(b)
        return _into(out, cls.apply(a, b), name)

    return _named(op, name, f"{what}, elementwise with broadcasting.",
                  f"y = ember.{name}(ember.tensor([1.0, -2.0]), ember.tensor([0.5, 3.0]))")


_BINARY_OPS = _export({name: _binary(name, *spec, _BINARY_DTYPES.get(name, ANY), _BINARY_NUMBERS.get(name, ()))
                       for name, spec in _BINARY.items()})


# ----------------------------------------------------------------------------- clamp

class ClampScalar(Primitive):
    grad_fn_name = "ClampBackward1"

    @staticmethod
    def forward(ctx, x, *, low, high):
        ctx.save_for_backward(x)
        ctx.low, ctx.high = low, high
        xp = array_module(x)
        y = x
        if low is not None:
            y = xp.maximum(y, _scalar_array(low, _dtype.from_numpy_dtype(x.dtype)))
        if high is not None:
            y = xp.minimum(y, _scalar_array(high, _dtype.from_numpy_dtype(x.dtype)))
        return y.copy() if y is x else y

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        inside = None
        if ctx.low is not None:
            inside = x >= ctx.low
        if ctx.high is not None:
            below_high = x <= ctx.high
            inside = below_high if inside is None else inside & below_high
        return _select(inside, grad, 0)


class ClampTensor(Primitive):
    """``clamp`` with Tensor bounds (either may be None); when min > max the result is max, as in PyTorch."""

    grad_fn_name = "ClampBackward0"

    @staticmethod
    def forward(ctx, x, low, high):
        ctx.save_for_backward(x, low, high)
        xp = array_module(x)
        y = x
        if low is not None:
            y = xp.maximum(y, low)
        if high is not None:
            y = xp.minimum(y, high)
        return y.copy() if y is x else y

    @staticmethod
    def backward(ctx, grad):
        x, low, high = ctx.saved_tensors
        need_x, need_low, need_high = ctx.needs_input_grad
        if low is not None and high is not None:
            inside = (x >= low) & (x <= high)
            low_wins = (x < low) & (low < high)
            high_wins = (x > high) | (high < low)
        else:
            inside = x >= low if low is not None else x <= high
            low_wins = x < low if low is not None else None
            high_wins = x > high if high is not None else None
        return (_select(inside, grad, 0) if need_x else None,
                _select(low_wins, grad, 0) if need_low else None,
                _select(high_wins, grad, 0) if need_high else None)


def _clamp_call_error(min, max):
    given = ", ".join(f"{k}={type(v).__name__}" for k, v in (("min", min), ("max", max)) if v is not None)
    return TypeError(f"clamp() received an invalid combination of arguments - got (Tensor, {given}), but expected "
                     "one of:\n * (Tensor input, Tensor min = None, Tensor max = None)\n"
                     " * (Tensor input, Number min = None, Number max = None)")


def clamp(input, min=None, max=None, *, out=None):
    """Limit each element to [min, max]; bounds are numbers or Tensors (broadcast), and either may be None.

    >>> ember.clamp(ember.tensor([-2.0, 0.5, 3.0]), min=-1, max=1)
    tensor([-1.0000,  0.5000,  1.0000])
    """
    check_tensor(input, "input", "clamp")
    _check_complex("clamp", input.dtype)
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    bounds = [b for b in (min, max) if b is not None]
    if all(_is_number(b) for b in bounds):
        result = _dtype.result_type(input, *bounds)
        x = input if input.dtype is result else input._cast(result)
        return _into(out, ClampScalar.apply(x, low=min, high=max), "clamp")
    if not all(isinstance(b, Tensor) for b in bounds):
        raise _clamp_call_error(min, max)
    operands, _ = promote_operands(input, *bounds)
    x = operands[0]
    low = operands[1] if min is not None else None
    high = operands[-1] if max is not None else None
    return _into(out, ClampTensor.apply(x, low, high), "clamp")


def clamp_min(input, min, *, out=None):
    """``clamp(input, min=min)``: raise every element to at least ``min``.

    >>> ember.clamp_min(ember.tensor([-1.0, 2.0]), 0)
    tensor([0., 2.])
    """
    return clamp(input, min=min, out=out)


def clamp_max(input, max, *, out=None):
    """``clamp(input, max=max)``: lower every element to at most ``max``.

    >>> ember.clamp_max(ember.tensor([-1.0, 2.0]), 0)
    tensor([-1.,  0.])
    """
    return clamp(input, max=max, out=out)


clip = clamp
__all__ += ["clamp", "clamp_min", "clamp_max"]


# ----------------------------------------------------------------------------- lerp, addcmul, addcdiv

def _lerp_array(xp, start, end, weight):
    """PyTorch's two-sided formula: exact at both ends of the interval."""
    small = xp.abs(weight) < 0.5
    return xp.where(small, start + weight * (end - start), end - (end - start) * (1 - weight))


class LerpScalar(Primitive):
    grad_fn_name = "LerpBackward0"

    @staticmethod
    def forward(ctx, start, end, *, weight):
        ctx.weight = weight
        return _lerp_array(array_module(start), start, end, start.dtype.type(weight)).astype(start.dtype)

    @staticmethod
    def backward(ctx, grad):
        w = ctx.weight
        return (grad * (1 - w) if ctx.needs_input_grad[0] else None,
                grad * w if ctx.needs_input_grad[1] else None)


class LerpTensor(Primitive):
    grad_fn_name = "LerpBackward1"

    @staticmethod
    def forward(ctx, start, end, weight):
        ctx.save_for_backward(start, end, weight)
        return _lerp_array(array_module(start), start, end, weight)

    @staticmethod
    def backward(ctx, grad):
        start, end, weight = ctx.saved_tensors
        need_start, need_end, need_weight = ctx.needs_input_grad
        return (grad * (1 - weight) if need_start else None,
                grad * weight if need_end else None,
                grad * (end - start) if need_weight else None)


def lerp(input, end, weight, *, out=None):
    """Linear interpolation ``input + weight * (end - input)``; ``weight`` is a number or a Tensor.

    >>> ember.lerp(ember.tensor([0.0, 10.0]), ember.tensor([10.0, 20.0]), 0.25)
    tensor([ 2.5000, 12.5000])
    """
    check_tensor_args("lerp", input=input, end=end)
    _check_same_dtype(input, end, "end")
    if isinstance(weight, Tensor):
        broadcast_shapes(input.shape, end.shape, weight.shape)
        if weight.ndim > 0:
            _check_same_dtype(input, weight, "weight")
        if not input.dtype.is_floating_point:
            raise _not_implemented("lerp_kernel_tensor", input.dtype)
        return _into(out, LerpTensor.apply(input, end, weight._cast(input.dtype)), "lerp")
    if not _is_number(weight):
        raise TypeError(f"lerp(): argument 'weight' must be Number or Tensor, not {type(weight).__name__}")
    if not input.dtype.is_floating_point:
        raise _not_implemented("lerp_kernel_scalar", input.dtype)
    broadcast_shapes(input.shape, end.shape)
    return _into(out, LerpScalar.apply(input, end, weight=float(weight)), "lerp")


def _check_same_dtype(input, other, name):
    if other.dtype is not input.dtype:
        raise RuntimeError(f"expected dtype {c_type_name(input.dtype)} for `{name}` but got dtype "
                           f"{c_type_name(other.dtype)}")


def _pointwise_operands(name, input, tensor1, tensor2, value):
    """The three tensors in their common dtype, and ``value`` as that dtype takes it (ints truncate)."""
    check_tensor_args(name, input=input, tensor1=tensor1, tensor2=tensor2)
    (a, t1, t2), result = promote_operands(input, tensor1, tensor2)
    if result is _dtype.bool:
        raise _not_implemented(f"{name}_cpu_out", result)
    if not result.is_floating_point:
        value = int(value)
    return a, t1, t2, value


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 * tensor2`` in one call.

    >>> ember.addcmul(ember.zeros(2), ember.tensor([1.0, 2.0]), ember.tensor([3.0, 4.0]), value=0.5)
    tensor([1.5000, 4.0000])
    """
    a, t1, t2, value = _pointwise_operands("addcmul", input, tensor1, tensor2, value)
    scaled = t1 if value == 1 else t1 * value
    return _into(out, a + scaled * t2, "addcmul")


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 / tensor2`` in one call (integer tensor1 and tensor2 are refused).

    >>> ember.addcdiv(ember.zeros(2), ember.tensor([1.0, 2.0]), ember.tensor([4.0, 4.0]), value=2)
    tensor([0.5000, 1.0000])
    """
    check_tensor_args("addcdiv", tensor1=tensor1, tensor2=tensor2)
    if not (tensor1.dtype.is_floating_point or tensor1.dtype.is_complex or tensor2.dtype.is_floating_point or
            tensor2.dtype.is_complex):
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future  release addcdiv "
                           "will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can "
                           "be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for "
                           "integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future "
                           "addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), "
                           "for all dtypes.")
    a, t1, t2, value = _pointwise_operands("addcdiv", input, tensor1, tensor2, value)
    scaled = t1 if value == 1 else t1 * value
    return _into(out, a + scaled / t2, "addcdiv")


__all__ += ["lerp", "addcmul", "addcdiv"]


# ----------------------------------------------------------------------------- comparisons

_COMPARISONS = {
    # name: (the operator, array function)
    "eq": ("==", lambda xp, a, b: xp.equal(a, b)),
    "ne": ("!=", lambda xp, a, b: xp.not_equal(a, b)),
    "lt": ("<", lambda xp, a, b: xp.less(a, b)),
    "le": ("<=", lambda xp, a, b: xp.less_equal(a, b)),
    "gt": (">", lambda xp, a, b: xp.greater(a, b)),
    "ge": (">=", lambda xp, a, b: xp.greater_equal(a, b)),
}


def _array_op(name, operands, array_fn, summary, example):
    """Build a binary op without gradients (comparisons, logical and bitwise ops).

    ``operands(name, input, other)`` checks the arguments and returns their arrays;
    ``array_fn(xp, a, b)`` computes the result array.
    """
    def op(input, other, *, out=None):
        a, b = operands(name, input, other)
        return _into(out, _as_tensor_result(array_fn(array_module(a), a, b)), name)

    return _named(op, name, summary, example)


def _comparison_operands(name, input, other):
    """A Tensor and a Tensor or number, as arrays of their promoted dtype."""
    check_tensor(input, "input", name)
    _check_operand(other, "other", 2, name, True)
    arrays, result = _promoted_arrays(input, other)
    _check_complex(name, result)
    return arrays


_COMPARISON_OPS = _export({
    name: _array_op(name, _comparison_operands, array_fn,
                    f"``input {symbol} other`` elementwise after type promotion, as a bool tensor.",
                    f"mask = ember.{name}(ember.tensor([1, 2, 3]), 2)")
    for name, (symbol, array_fn) in _COMPARISONS.items()})


def equal(input, other):
    """``True`` when both tensors have the same shape and the same values (after type promotion).

    >>> ember.equal(ember.tensor([1, 2]), ember.tensor([1.0, 2.0]))
    True
    """
    check_tensor(input, "input", "equal")
    _check_operand(other, "other", 2, "equal", False)
    if input.shape != other.shape:
        return False
    (a, b), _ = _promoted_arrays(input, other)
    return bool(array_module(a).array_equal(a, b))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether ``|input - other| <= atol + rtol * |other|`` elementwise (infinities must match exactly).

    >>> ember.isclose(ember.tensor([1.0, 1.1]), ember.tensor([1.0, 1.0]))
    tensor([ True, False])
    """
    check_tensor(input, "input", "isclose")
    _check_operand(other, "other", 2, "isclose", False)
    if input.dtype is not other.dtype:
        raise RuntimeError(f"{_type_word(input.dtype)} did not match {_type_word(other.dtype)}")
    for name, value in (("rtol", rtol), ("atol", atol)):
        if value < 0:
            raise RuntimeError(f"{name} must be greater than or equal to zero, but got {value}")
    broadcast_shapes(input.shape, other.shape)
    a, b = input._data, other._data
    xp = array_module(a)
    close = a == b
    inexact = input.dtype.is_floating_point or input.dtype.is_complex
    if equal_nan and inexact:
        close = close | (xp.isnan(a) & xp.isnan(b))
    if rtol == 0 and atol == 0:
        return _as_tensor_result(close)
    if input.dtype is _dtype.bool:
        default = _dtype.get_default_dtype().np_dtype
        a, b = a.astype(default), b.astype(default)
    with np.errstate(all="ignore"):
        if inexact or input.dtype is _dtype.bool:
            allowed = atol + xp.abs(rtol * b)
            actual = xp.abs(a - b)
        else:   # integers: the error is exact, the tolerance is in the default float dtype
            default = _dtype.get_default_dtype().np_dtype
            allowed = (atol + xp.abs(rtol * b.astype(default))).astype(default)
            actual = xp.abs(a - b).astype(default)
        close = close | (xp.isfinite(actual) & (actual <= allowed))
    return _as_tensor_result(close)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """``True`` when :func:`isclose` holds for every element.

    >>> ember.allclose(ember.tensor([1.0, 2.0]), ember.tensor([1.0, 2.0 + 1e-9]))
    True
    """
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


__all__ += ["equal", "isclose", "allclose"]


# ----------------------------------------------------------------------------- logical and bitwise

_LOGICAL = {
    "logical_and": ("Both elements are nonzero", lambda xp, a, b: xp.logical_and(a, b)),
    "logical_or": ("Either element is nonzero", lambda xp, a, b: xp.logical_or(a, b)),
    "logical_xor": ("Exactly one element is nonzero", lambda xp, a, b: xp.logical_xor(a, b)),
}


def _logical_operands(name, input, other):
    """Two Tensors of any dtypes, as their arrays."""
    check_tensor(input, "input", name)
    _check_operand(other, "other", 2, name, False)
    broadcast_shapes(input.shape, other.shape)
    return input._data, other._data


_LOGICAL_OPS = _export({
    name: _array_op(name, _logical_operands, array_fn, f"{what} (any dtype; the result is bool).",
                    f"mask = ember.{name}(ember.tensor([0, 1, 2]), ember.tensor([1, 1, 0]))")
    for name, (what, array_fn) in _LOGICAL.items()})


def logical_not(input, *, out=None):
    """Whether each element is zero (a bool tensor).

    >>> ember.logical_not(ember.tensor([0.0, 2.0]))
    tensor([ True, False])
    """
    check_tensor(input, "input", "logical_not")
    return _into(out, _as_tensor_result(array_module(input._data).logical_not(input._data)), "logical_not")


def _left_shift_array(xp, a, b):
    """``a << b``; shifts that are negative or at least the bit width give 0, as in PyTorch."""
    bits = a.dtype.itemsize * 8
    in_range = (b >= 0) & (b < bits)
    shifted = xp.left_shift(a, xp.where(in_range, b, 0).astype(a.dtype))
    return xp.where(in_range, shifted, 0).astype(a.dtype)


def _right_shift_array(xp, a, b):
    """``a >> b``; out-of-range shifts fill with the sign bit (signed) or give 0 (unsigned)."""
    bits = a.dtype.itemsize * 8
    in_range = (b >= 0) & (b < bits)
    shifted = xp.right_shift(a, xp.where(in_range, b, 0).astype(a.dtype))
    fill = xp.right_shift(a, a.dtype.type(bits - 1)) if a.dtype.kind == "i" else xp.zeros_like(a)
    return xp.where(in_range, shifted, fill).astype(a.dtype)


_BITWISE = {
    # name: (what it computes, the kernel named in PyTorch's dtype errors, array function)
    "bitwise_and": ("The bitwise AND (logical for bool)", "bitwise_and_cpu", lambda xp, a, b: xp.bitwise_and(a, b)),
    "bitwise_or": ("The bitwise OR (logical for bool)", "bitwise_or_cpu", lambda xp, a, b: xp.bitwise_or(a, b)),
    "bitwise_xor": ("The bitwise XOR (logical for bool)", "bitwise_xor_cpu", lambda xp, a, b: xp.bitwise_xor(a, b)),
    "bitwise_left_shift": ("input shifted left by other bits", "lshift_cpu", _left_shift_array),
    "bitwise_right_shift": ("input shifted right by other bits (arithmetic shift for signed types)", "rshift_cpu",
                            _right_shift_array),
}
_SHIFTS = ("bitwise_left_shift", "bitwise_right_shift")


def _bitwise_operands(name, input, other):
    """Integer or bool Tensors and numbers (one at least a Tensor), as arrays of their promoted dtype."""
    _check_operand(input, "input", 1, name, isinstance(other, Tensor))
    _check_operand(other, "other", 2, name, True)
    (a, b), result = _promoted_arrays(input, other)
    if result.is_floating_point or result.is_complex or name in _SHIFTS and result is _dtype.bool:
        raise _not_implemented(_BITWISE[name][1], result)
    return a, b


_BITWISE_OPS = _export({
    name: _array_op(name, _bitwise_operands, array_fn, f"{what}, for integer and bool tensors.",
                    f"bits = ember.{name}(ember.tensor([12, 10]), ember.tensor([1, 2]))")
    for name, (what, _, array_fn) in _BITWISE.items()})


def bitwise_not(input, *, out=None):
    """The bitwise NOT of an integer tensor, the logical NOT of a bool one.

    >>> ember.bitwise_not(ember.tensor([0, 5]))
    tensor([-1, -6])
    """
    check_tensor(input, "input", "bitwise_not")
    if input.dtype.is_floating_point or input.dtype.is_complex:
        raise _not_implemented("bitwise_not_cpu", input.dtype)
    return _into(out, _as_tensor_result(array_module(input._data).invert(input._data)), "bitwise_not")


__all__ += ["logical_not", "bitwise_not"]
for _alias, _target in _ALIASES.items():
    globals()[_alias] = globals()[_target]
__all__ += list(_ALIASES)


# ----------------------------------------------------------------------------- methods and operators

def _inplace(fn):
    def method(self, *args, **kwargs):
        return self._assign_inplace(fn(self, *args, **kwargs))
    method.__name__ = fn.__name__ + "_"
    method.__doc__ = f"In-place version of :func:`{fn.__name__}`."
    return method


def _is_operand(value):
    return isinstance(value, Tensor) or _is_number(value)


def _operator(fn, reflected=False):
    """A binary operator method: unsupported operand types give NotImplemented, so Python raises TypeError."""
    def method(self, other):
        if not _is_operand(other):
            return NotImplemented
        return fn(other, self) if reflected else fn(self, other)
    method.__name__ = fn.__name__
    return method


def _inplace_operator(fn):
    def method(self, other):
        if not _is_operand(other):
            return NotImplemented
        return self._assign_inplace(fn(self, other))
    method.__name__ = fn.__name__ + "_"
    return method


def _divide_into(self, other):
    """``other / self`` for a number ``other``: PyTorch computes it as ``reciprocal(self) * other``, so ember does too
    (the two roundings differ from one division in the last bit)."""
    if not _is_operand(other):
        return NotImplemented
    return mul(_UNARY_OPS["reciprocal"](self), other)


def _invert(self):
    if self.dtype.is_floating_point or self.dtype.is_complex:
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return bitwise_not(self)


# ----------------------------------------------------------------------------- number-theoretic and bit-level

def _integer_operands(name, input, other):
    """Two integer Tensors, as arrays of their promoted dtype (gcd, lcm)."""
    check_tensor(input, "input", name)
    check_tensor(other, "other", name)
    (a, b), result = _promoted_arrays(input, other)
    _check_complex(name, result)
    if result.is_floating_point or result is _dtype.bool:
        raise _not_implemented(f"{name}_cpu", result)
    return a, b


def _same_dtype_operands(name, input, other):
    """Two Tensors of one dtype (heaviside does not promote)."""
    check_tensor(input, "input", name)
    check_tensor(other, "values", name)
    if input.dtype is not other.dtype:
        raise RuntimeError(f"{name} is not yet implemented for tensors with different dtypes.")
    _check_complex(name, input.dtype)
    return _promoted_arrays(input, other)[0]


def _floating_operands(name, input, other):
    """Two floating-point Tensors, as arrays of their promoted dtype (nextafter)."""
    check_tensor(input, "input", name)
    check_tensor(other, "other", name)
    (a, b), result = _promoted_arrays(input, other)
    if not result.is_floating_point:
        raise _not_implemented(f"{name}_cpu", result)
    return a, b


def _heaviside_array(xp, a, b):
    return xp.where(a == 0, b, (a > 0).astype(a.dtype)).astype(a.dtype)   # NaN gives 0, as in PyTorch


_NUMBER_OPS = _export({
    "gcd": _array_op("gcd", _integer_operands, lambda xp, a, b: xp.gcd(a, b),
                     "The greatest common divisor of integer tensors (non-negative), elementwise.",
                     "ember.gcd(ember.tensor([12, 18]), ember.tensor([8, 27]))"),
    "lcm": _array_op("lcm", _integer_operands, lambda xp, a, b: xp.lcm(a, b),
                     "The least common multiple of integer tensors (non-negative), elementwise.",
                     "ember.lcm(ember.tensor([4, 6]), ember.tensor([6, 4]))"),
    "heaviside": _array_op("heaviside", _same_dtype_operands, _heaviside_array,
                           "The step function: 0 below zero, 1 above, ``values`` at zero.",
                           "ember.heaviside(ember.tensor([-1.0, 0.0, 2.0]), ember.tensor([0.5]))"),
    "nextafter": _array_op("nextafter", _floating_operands, lambda xp, a, b: xp.nextafter(a, b),
                           "The next representable floating-point value after input towards other.",
                           "ember.nextafter(ember.tensor([1.0]), ember.tensor([2.0]))"),
})


def ldexp(input, other, *, out=None):
    """``input * 2 ** other``, in floating point (integer inputs give the default float dtype).

    >>> ember.ldexp(ember.tensor([1.0, 2.0]), ember.tensor([3]))
    tensor([ 8., 16.])
    """
    check_tensor(input, "input", "ldexp")
    check_tensor(other, "other", "ldexp")
    return _into(out, mul(input, _UNARY_OPS["exp2"](other)), "ldexp")


def frexp(input, *, out=None):
    """Split floats into a mantissa in [0.5, 1) (with input's sign) and an int32 exponent: ``m * 2 ** e``.

    >>> ember.frexp(ember.tensor([8.0, 0.3]))
    ember.return_types.frexp(
    mantissa=tensor([0.5000, 0.6000]),
    exponent=tensor([ 4, -1], dtype=ember.int32))
    """
    check_tensor(input, "input", "frexp")
    if not input.dtype.is_floating_point:
        raise RuntimeError("ember.frexp() only supports floating-point dtypes")
    mantissa, exponent = array_module(input._data).frexp(input._data)
    result = return_types.frexp(Tensor._make(mantissa), Tensor._make(exponent.astype(np.int32)))
    if out is not None:
        for target, value in zip(out, result):
            target.copy_(value)
        return return_types.frexp(*out)
    return result


def rsub(input, other, *, alpha=1):
    """``other - alpha * input``: subtraction with the operands reversed (PyTorch's ``torch.rsub``).

    >>> ember.rsub(ember.tensor([1.0, 2.0]), 5, alpha=2)
    tensor([3., 1.])
    """
    check_tensor(input, "input", "rsub")
    return sub(other, input, alpha=alpha)


__all__ += ["ldexp", "frexp", "rsub"]


_OPERATORS = {
    # Python's name for the operator: the function behind it (the reflected and in-place forms come from it)
    "add": add, "sub": sub, "mul": mul, "truediv": div, "floordiv": floor_divide, "pow": pow,
    "mod": _BINARY_OPS["remainder"], "and": _BITWISE_OPS["bitwise_and"], "or": _BITWISE_OPS["bitwise_or"],
    "xor": _BITWISE_OPS["bitwise_xor"], "lshift": _BITWISE_OPS["bitwise_left_shift"],
    "rshift": _BITWISE_OPS["bitwise_right_shift"],
}

# Functions that are also Tensor methods, with an in-place ``name_`` form unless listed in _NO_INPLACE.
_METHODS = ["add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "floor_divide", "neg",
            "negative", "positive", "pow", "float_power", "square", "round", "relu", "logit", "nan_to_num",
            "clamp", "clip", "clamp_min", "clamp_max", "lerp", "addcmul", "addcdiv", "equal", "isclose", "allclose",
            "logical_not", "bitwise_not", *_UNARY_OPS, *_PREDICATE_OPS, *_BINARY_OPS, *_COMPARISON_OPS,
            *_LOGICAL_OPS, *_BITWISE_OPS, *_NUMBER_OPS, "ldexp", "frexp", *_ALIASES]
_NO_INPLACE = {"positive", "float_power", "equal", "isclose", "allclose", "maximum", "minimum", "fmax", "fmin",
               "logaddexp", "logaddexp2", "frexp", *_PREDICATE_OPS}

TENSOR_METHODS = {}
for _name in _METHODS:
    TENSOR_METHODS[_name] = globals()[_name]
    if _name not in _NO_INPLACE:
        TENSOR_METHODS[_name + "_"] = _inplace(globals()[_name])
TENSOR_METHODS["float_power_"] = float_power_
TENSOR_METHODS["abs_"] = TENSOR_METHODS["absolute_"] = _abs_
TENSOR_METHODS["polygamma"] = lambda self, n: polygamma(n, self)
TENSOR_METHODS["polygamma_"] = lambda self, n: self._assign_inplace(polygamma(n, self))
for _op, _fn in _OPERATORS.items():
    TENSOR_METHODS[f"__{_op}__"] = _operator(_fn)
    TENSOR_METHODS[f"__r{_op}__"] = _operator(_fn, reflected=True)
    TENSOR_METHODS[f"__i{_op}__"] = _inplace_operator(_fn)
for _op in _COMPARISONS:
    TENSOR_METHODS[f"__{_op}__"] = _operator(_COMPARISON_OPS[_op])
TENSOR_METHODS["__rtruediv__"] = _divide_into
TENSOR_METHODS.update({"__neg__": neg, "__pos__": positive, "__abs__": abs, "__invert__": _invert})
for _legacy, _modern in (("div", "truediv"), ("rdiv", "rtruediv"), ("idiv", "itruediv")):   # Python 2 names
    TENSOR_METHODS[f"__{_legacy}__"] = TENSOR_METHODS[f"__{_modern}__"]
