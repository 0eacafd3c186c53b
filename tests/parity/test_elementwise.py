"""Parity of the elementwise family with PyTorch: unary math, binary math, clamp and lerp, comparisons,
logical and bitwise ops, Python operators, dtype promotion, errors, and finite-difference gradients."""

import numpy as np
import pytest
from helpers import check_grad, noncontiguous, parity, positive, randint, randn, same_error, torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember
from ember.ops import elementwise

pytestmark = [pytest.mark.skipif(torch is None, reason="PyTorch (the parity oracle) is not installed"),
              pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")]   # NumPy on inf * 0

NAN, INF = float("nan"), float("inf")
SPECIAL = np.array([NAN, INF, -INF, 0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.5, -2.5, 30.0, -30.0, 1e-8, 0.9999])


def unit(*shape):
    """Values in (-0.9, 0.9): inside the domain of asin, atanh, erfinv."""
    return np.tanh(randn(*shape)) * 0.9


def nonzero(*shape):
    """Values of either sign with |x| in [0.5, 2): safe divisors."""
    return positive(*shape) * np.where(randn(*shape) > 0, 1.0, -1.0)


def scaled(*shape):
    return randn(*shape) * 3


def torch_raises(fn, *inputs):
    try:
        fn(torch, *[torch.from_numpy(np.array(x)) if isinstance(x, np.ndarray) else x for x in inputs])
    except Exception:
        return True
    return False


def parity_or_error(fn, *inputs, **kwargs):
    """Parity when torch computes ``fn``; otherwise ember must raise the same exception type."""
    if torch_raises(fn, *inputs):
        same_error(fn, *inputs)
    else:
        parity(fn, *inputs, **kwargs)


# ----------------------------------------------------------------------------- unary

UNARY_DOMAINS = {
    "abs": randn, "absolute": randn, "exp": randn, "exp2": randn, "expm1": randn, "log": positive, "log1p": positive,
    "log2": positive, "log10": positive, "sqrt": positive, "rsqrt": positive, "square": randn, "sin": randn,
    "cos": randn, "tan": unit, "asin": unit, "arcsin": unit, "acos": unit, "arccos": unit, "atan": randn,
    "arctan": randn, "sinh": randn, "cosh": randn, "tanh": randn, "asinh": randn, "arcsinh": randn,
    "acosh": lambda *s: positive(*s) + 1, "arccosh": lambda *s: positive(*s) + 1, "atanh": unit, "arctanh": unit,
    "sigmoid": randn, "logit": lambda *s: (unit(*s) + 1) / 2, "erf": randn, "erfc": randn, "erfinv": unit,
    "lgamma": positive, "digamma": positive, "floor": scaled, "ceil": scaled, "round": scaled, "trunc": scaled,
    "fix": scaled, "frac": scaled, "sign": randn, "sgn": randn, "reciprocal": positive, "neg": randn,
    "negative": randn, "positive": randn, "deg2rad": randn, "rad2deg": randn, "sinc": randn, "nan_to_num": randn,
    "relu": randn,
}
UNARY = sorted(UNARY_DOMAINS)
NO_GRADIENT = {"floor", "ceil", "round", "trunc", "fix", "sign", "sgn"}
# PyTorch has no derivative for these in-place forms; ember has (it is the out-of-place one).
NO_INPLACE_GRADIENT_IN_TORCH = {"asinh", "arcsinh", "acosh", "arccosh", "atanh", "arctanh"}


def call(name):
    if name == "sgn":     # torch's gradient of sgn is a ZeroTensor, which the helpers cannot read
        return lambda m, x: m.sgn(x) + 0 * x
    return lambda m, x: getattr(m, name)(x)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", UNARY)
def test_unary_values_and_gradients(name, dtype):
    parity(call(name), UNARY_DOMAINS[name](3, 4).astype(dtype), rtol=1e-4 if dtype == np.float32 else 1e-6)


@pytest.mark.parametrize("name", UNARY)
def test_unary_shapes_and_layouts(name):
    domain = UNARY_DOMAINS[name]
    parity(call(name), noncontiguous(domain(4, 3)))
    parity(call(name), np.asarray(domain()))           # 0-dim
    parity(call(name), domain(0, 3))                   # zero-size


@pytest.mark.parametrize("name", UNARY)
def test_unary_method_and_inplace(name):
    x = UNARY_DOMAINS[name](2, 3)
    if name in NO_INPLACE_GRADIENT_IN_TORCH:
        parity(lambda m, t: (getattr(t, name)(), getattr(t.clone(), name + "_")()), x, grad=False)
        check_grad(lambda t: getattr(t * 1, name + "_")(), x)
    elif hasattr(torch.Tensor, name + "_"):
        parity(lambda m, t: (getattr(t, name)(), getattr(t.clone(), name + "_")()), x, grad=name != "sgn")
    else:
        assert not hasattr(ember.Tensor, name + "_")
        parity(lambda m, t: getattr(t, name)(), x)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_])
@pytest.mark.parametrize("name", UNARY)
def test_unary_integer_and_bool_inputs(name, dtype):
    x = randint(0, 4, 6).astype(dtype) if dtype in (np.uint8, np.bool_) else randint(-3, 4, 6).astype(dtype)
    parity_or_error(call(name), x, grad=False)
    if hasattr(torch.Tensor, name + "_"):    # in place: the float result cannot go back into an integer tensor
        parity_or_error(lambda m, t: getattr(t, name + "_")(), x, grad=False)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", UNARY)
def test_unary_special_values(name, dtype):
    parity(call(name), SPECIAL.astype(dtype), grad=False, rtol=1e-5)


@pytest.mark.parametrize("name", UNARY)
def test_unary_finite_differences(name):
    check_grad(lambda x: getattr(ember, name)(x), UNARY_DOMAINS[name](4), second_order=name not in NO_GRADIENT)


@pytest.mark.parametrize("name, values", [
    ("erf", np.linspace(-7, 7, 281)), ("erfc", np.linspace(-7, 27, 341)),
    ("erfinv", np.concatenate([np.linspace(-0.999, 0.999, 201), 1 - np.logspace(-15, -1, 29)])),
    ("lgamma", np.concatenate([np.linspace(-20.25, 40.25, 243), np.logspace(-8, 8, 33)])),
    ("digamma", np.concatenate([np.linspace(-20.25, 40.25, 243), np.logspace(-8, 8, 33)])),
])
def test_special_functions_are_accurate(name, values):
    """The NumPy-only kernels for erf & co. agree with PyTorch to near float64 precision."""
    parity(call(name), values, grad=False, rtol=1e-11, atol=1e-13)


def test_gamma_family_at_poles_and_negative_inputs():
    poles = np.array([0.0, -0.0, -1.0, -2.0, -7.0, INF, -INF, NAN])
    parity(lambda m, x: (m.lgamma(x), m.digamma(x)), poles, grad=False)
    parity(lambda m, x: (m.lgamma(x), m.digamma(x)), np.array([-0.5, -1.5, -2.7, -10.3]))
    check_grad(ember.lgamma, np.array([-0.5, -1.5, 2.5]))
    check_grad(ember.digamma, np.array([-0.5, -1.5, 2.5]))


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_polygamma(n):
    parity(lambda m, x: m.polygamma(n, x), np.concatenate([positive(5), np.array([-0.5, -2.3, 25.0])]),
           rtol=1e-8, atol=1e-10)
    parity(lambda m, x: x.polygamma(n), positive(3))
    check_grad(lambda x: ember.polygamma(n, x), positive(3))


def test_float_functions_follow_the_default_dtype():
    ember.set_default_dtype(ember.float64)
    try:
        assert ember.exp(ember.tensor([1, 2])).dtype is ember.float64
        assert ember.sqrt(ember.tensor([True])).dtype is ember.float64
    finally:
        ember.set_default_dtype(ember.float32)
    assert ember.exp(ember.tensor([1, 2])).dtype is ember.float32


@pytest.mark.parametrize("decimals", [-2, -1, 0, 1, 2, 3])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_round_decimals(decimals, dtype):
    x = np.array([1234.5678, -0.125, 2.675, 0.5, 1.5, -2.5, 0.05, 0.15, 0.25, 0.35]).astype(dtype)
    parity(lambda m, t: (m.round(t, decimals=decimals), t.round(decimals=decimals),
                         t.clone().round_(decimals=decimals)), x)


def test_round_errors():
    same_error(lambda m, x: m.round(x, decimals=1), randint(0, 5, 3))
    same_error(lambda m, x: m.round(x, decimals=1.5), randn(3))
    parity(lambda m, x: m.round(x), randint(-5, 5, 3), grad=False)


@pytest.mark.parametrize("eps", [None, 0.1, 0.3, -1.0])
def test_logit_eps(eps):
    x = np.array([-0.5, 0.05, 0.2, 0.5, 0.95, 1.5])
    parity(lambda m, t: (m.logit(t, eps), t.logit(eps=eps), t.clone().logit_(eps)), x)
    check_grad(lambda t: ember.logit(t, eps), np.array([0.35, 0.5, 0.6]))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_nan_to_num(dtype):
    x = np.array([NAN, INF, -INF, 1.5, -2.0]).astype(dtype)
    parity(lambda m, t: (m.nan_to_num(t), m.nan_to_num(t, nan=1.0, posinf=2.0, neginf=-3.0),
                         t.nan_to_num(posinf=7.0), t.clone().nan_to_num_(neginf=0.0)), x, atol=1e-3)
    parity(lambda m, t: m.nan_to_num(t, nan=1.5), randint(-3, 3, 4), grad=False)


def test_positive_neg_relu_and_bool_errors():
    x = ember.tensor([1.0, -2.0])
    assert ember.positive(x) is x and (+x) is x
    for fn in (lambda m, t: +t, lambda m, t: -t, lambda m, t: m.relu(t), lambda m, t: m.abs(t),
               lambda m, t: m.positive(t), lambda m, t: m.floor(t), lambda m, t: m.frac(t)):
        same_error(fn, np.array([True, False]))
    same_error(lambda m, x: m.exp(x), 2.0)   # not a Tensor


def test_square_dtypes():
    parity(lambda m, x: m.square(x), np.array([True, False]), grad=False)
    parity(lambda m, x: (m.square(x), x.square()), randint(-3, 3, 4).astype(np.uint8), grad=False)


# ----------------------------------------------------------------------------- tests of each element

PREDICATES = ["isnan", "isinf", "isposinf", "isneginf", "isfinite", "isreal", "signbit"]


@pytest.mark.parametrize("name", PREDICATES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.uint8, np.bool_])
def test_predicates(name, dtype):
    x = SPECIAL.astype(dtype) if dtype in (np.float32, np.float64) else randint(-3, 3, 5).astype(dtype)
    parity(lambda m, t: (getattr(m, name)(t), getattr(t, name)()), x, grad=False)
    parity(call(name), np.zeros((0, 2), dtype=dtype), grad=False)
    assert not hasattr(ember.Tensor, name + "_")


# ----------------------------------------------------------------------------- binary math

BINARY_DOMAINS = {
    "maximum": (randn, randn), "minimum": (randn, randn), "fmax": (randn, randn), "fmin": (randn, randn),
    "fmod": (scaled, nonzero), "remainder": (scaled, nonzero), "atan2": (randn, randn), "arctan2": (randn, randn),
    "hypot": (randn, randn), "copysign": (randn, randn), "logaddexp": (randn, randn), "logaddexp2": (randn, randn),
    "xlogy": (randn, positive), "float_power": (positive, randn), "pow": (positive, randn), "add": (randn, randn),
    "sub": (randn, randn), "mul": (randn, randn), "div": (randn, nonzero), "true_divide": (randn, nonzero),
}
BINARY = sorted(BINARY_DOMAINS)
SHAPES = [((3, 4), (3, 4)), ((3, 1), (1, 4)), ((4,), (2, 3, 4)), ((), (3,)), ((2, 3), ()), ((0, 3), (1, 3))]


def call2(name):
    if name == "copysign":     # torch's gradient for `other` is a ZeroTensor, which the helpers cannot read
        return lambda m, x, y: m.copysign(x, y) + 0 * y
    return lambda m, x, y: getattr(m, name)(x, y)


def binary_inputs(name, shape_a, shape_b, dtype=np.float64):
    da, db = BINARY_DOMAINS[name]
    return np.asarray(da(*shape_a), dtype=dtype), np.asarray(db(*shape_b), dtype=dtype)


@pytest.mark.parametrize("shapes", SHAPES)
@pytest.mark.parametrize("name", BINARY)
def test_binary_broadcasting(name, shapes):
    parity(call2(name), *binary_inputs(name, *shapes))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", BINARY)
def test_binary_dtypes_layouts_and_methods(name, dtype):
    a, b = binary_inputs(name, (4, 3), (4, 3), dtype)
    parity(call2(name), noncontiguous(a), noncontiguous(b), rtol=1e-4 if dtype == np.float32 else 1e-6)
    parity(call2(name), a.astype(np.float32), b.astype(np.float64))           # promotion between tensors
    parity(call2(name), a, np.asarray(b[0, 0], dtype=np.float64))              # 0-dim other
    if hasattr(torch.Tensor, name + "_"):
        parity_or_error(lambda m, x, y: (call2(name)(m, x, y), getattr(x.clone(), name + "_")(y)), a, b)
    else:
        assert not hasattr(ember.Tensor, name + "_")
        parity(lambda m, x, y: getattr(x, name)(y), a, b)


@pytest.mark.parametrize("left, right", [(np.int64, np.int64), (np.int32, np.uint8), (np.bool_, np.bool_),
                                         (np.int64, np.float32), (np.bool_, np.int16)])
@pytest.mark.parametrize("name", BINARY)
def test_binary_integer_and_bool_inputs(name, left, right):
    a = randint(-4, 5, 6).astype(left) if left not in (np.bool_, np.uint8) else randint(0, 3, 6).astype(left)
    b = randint(1, 4, 6).astype(right)        # nonzero divisors
    parity_or_error(call2(name), a, b, grad=False)


@pytest.mark.parametrize("scalar", [2, 2.5, True, -3])
@pytest.mark.parametrize("name", BINARY)
def test_binary_with_python_numbers(name, scalar):
    da, db = BINARY_DOMAINS[name]
    parity_or_error(lambda m, x: getattr(m, name)(x, scalar), da(3).astype(np.float32))
    if not (scalar is True and name in ("pow", "float_power")):     # torch fails an internal assert there
        # torch has no derivative for remainder(number, tensor); ember's is checked by finite differences
        parity_or_error(lambda m, x: getattr(m, name)(scalar, x), db(3).astype(np.float32),
                        grad=name != "remainder")
    parity_or_error(lambda m, x: getattr(m, name)(x, scalar), randint(1, 5, 3), grad=False)


@pytest.mark.parametrize("name", BINARY)
def test_binary_finite_differences(name):
    da, db = BINARY_DOMAINS[name]
    check_grad(lambda x, y: getattr(ember, name)(x, y), da(3, 1), db(1, 2))


@pytest.mark.parametrize("name", ["maximum", "minimum", "fmax", "fmin", "fmod", "remainder", "atan2", "hypot",
                                  "copysign", "logaddexp", "logaddexp2", "xlogy"])
def test_binary_special_values(name):
    a = np.repeat(SPECIAL, len(SPECIAL))
    b = np.tile(SPECIAL, len(SPECIAL))
    parity(call2(name), a, b, grad=False)


@pytest.mark.parametrize("name", ["maximum", "minimum", "fmax", "fmin"])
def test_extremes_gradient_on_ties_and_nan(name):
    """maximum/minimum split the gradient in half on ties; fmax/fmin give it to input; NaN as PyTorch."""
    a = np.array([1.0, 2.0, 3.0, NAN, 1.0, NAN])
    b = np.array([1.0, 3.0, 2.0, 1.0, NAN, NAN])
    parity(call2(name), a, b)


def test_binary_gradients_at_singular_points():
    zeros = np.zeros(3)
    parity(lambda m, x, y: (m.atan2(x, y), m.hypot(x, y)), zeros, zeros)
    parity(lambda m, x, y: m.copysign(x, y), np.array([0.0, 2.0, -2.0]), np.array([1.0, -1.0, -0.0]))
    parity(lambda m, x, y: m.xlogy(x, y), np.array([0.0, 0.0, 1.0, 0.0]), np.array([0.0, 2.0, 3.0, NAN]))
    parity(lambda m, x, y: m.logaddexp(x, y), np.array([-INF, 1.0]), np.array([-INF, 2.0]))


@pytest.mark.parametrize("name", ["fmod", "remainder", "floor_divide"])
def test_integer_division_by_zero_raises(name):
    same_error(call2(name), randint(-3, 3, 4), np.array([1, 0, 2, 3]))
    same_error(lambda m, x: getattr(m, name)(x, 0), randint(-3, 3, 4))
    parity(call2(name), randn(4), np.array([1.0, 0.0, -0.0, 2.0]), grad=False)   # floats give inf/nan


def test_remainder_and_fmod_signs():
    a, b = np.array([-7, 7, -7, 7, 0]), np.array([3, -3, -3, 3, -3])
    parity(lambda m, x, y: (m.remainder(x, y), m.fmod(x, y), x % y, m.floor_divide(x, y), x // y), a, b,
           grad=False)
    parity(lambda m, x, y: (m.remainder(x, y), m.fmod(x, y), x % y, m.floor_divide(x, y)),
           a.astype(np.float64) + 0.5, b.astype(np.float64), grad=False)
    parity(lambda m, x: (m.remainder(2, x), 2 % x, m.remainder(2.5, x)), nonzero(4), grad=False)
    check_grad(lambda x: ember.remainder(2.5, x), nonzero(4))
    parity(lambda m, x, y: m.floor_divide(x, y), np.array([1.0, -1.0, 7.5]), np.array([0.1, 0.1, -2.0]), grad=False)


def test_floor_divide_has_no_derivative():
    for lib in (torch, ember):
        x = lib.tensor([3.0, 5.0], requires_grad=True)
        y = lib.floor_divide(x, 2)
        assert y.requires_grad
        with pytest.raises(RuntimeError, match="derivative for aten::floor_divide is not implemented"):
            (x // 2).sum().backward()
    parity(lambda m, x: m.div(x, 2, rounding_mode="floor"), randn(3))       # div(floor) has a zero gradient
    same_error(lambda m, x: m.div(x, x, rounding_mode="trunc"), np.array([True, False]))
    same_error(lambda m, x: m.floor_divide(x, x), np.array([True, False]))


# ----------------------------------------------------------------------------- pow and friends

def test_pow_exponent_gradient_at_zero_base():
    parity(lambda m, x, y: m.pow(x, y), np.array([0.0, 0.0, 2.0, -2.0, 0.0]), np.array([0.0, 2.0, -1.0, 2.0, 0.5]))
    parity(lambda m, x, y: m.pow(x, y), np.array([0.0, 0.0]), np.array([-1.0, -0.5]))
    check_grad(lambda x, y: x ** y, positive(3), randn(3))
    check_grad(lambda x: x ** 3 + x ** 2 + x ** 0.5 + x ** 1, positive(3))
    check_grad(lambda y: 2.5 ** y, randn(3))


def test_pow_integer_rules():
    base, exponent = np.array([1, -1, 2, 0, -3]), np.array([-1, -3, -1, -2, 3])
    parity(lambda m, x, y: (m.pow(x, y), x ** y, 2 ** y), base, exponent, grad=False)
    parity(lambda m, x: (x ** 2, m.pow(x, 0), x ** 2.5), np.array([True, False]), grad=False)
    same_error(lambda m, x: x ** -1, np.array([True]))
    same_error(lambda m, x: m.pow(x, x), np.array([True]))
    same_error(lambda m: m.pow(2.5, 3))
    parity(lambda m, x: m.pow(x, 0), randn(3))           # zero gradient


def test_float_power():
    parity(lambda m, x, y: (m.float_power(x, y), m.float_power(x, 2), m.float_power(2, y), x.float_power(y)),
           positive(3).astype(np.float32), randint(-2, 3, 3))
    parity(lambda m, x: x.clone().float_power_(2.5), positive(3))
    same_error(lambda m, x: x.float_power_(2), positive(3).astype(np.float32))
    same_error(lambda m: m.float_power(2, 3))


# ----------------------------------------------------------------------------- clamp

@pytest.mark.parametrize("low, high", [(-0.5, 0.5), (None, 0.5), (-0.5, None), (1, -1), (0, 0)])
def test_clamp_numbers(low, high):
    x = np.array([-1.0, -0.5, 0.0, 0.25, 0.5, 2.0, NAN])
    parity(lambda m, t: (m.clamp(t, low, high), m.clip(t, low, high), t.clamp(min=low, max=high),
                         t.clone().clamp_(low, high), t.clone().clip_(low, high)), x)
    parity(lambda m, t: m.clamp(t, low, high), randint(-3, 3, 5), grad=False)


def test_clamp_tensors_and_their_gradients():
    x = np.array([0.0, 1.0, 2.0, 3.0, 5.0, 1.5])
    low = np.array([1.0, 1.0, 1.0, 4.0, 6.0, 1.5])
    high = np.array([2.0, 2.0, 2.0, 2.0, 4.0, 3.0])
    parity(lambda m, t, lo, hi: (m.clamp(t, lo, hi), m.clamp(t, min=lo), m.clamp(t, max=hi), t.clamp(lo, hi)),
           x, low, high)
    parity(lambda m, t, lo: m.clamp(t, lo[:, None], None), randn(3, 4), randn(3))      # broadcast bounds
    check_grad(lambda t, lo, hi: ember.clamp(t, lo, hi), randn(4) * 3, -positive(4), positive(4))
    check_grad(lambda t: ember.clamp(t, -0.5, 0.7), np.array([-1.0, 0.1, 0.3, 1.0]))


def test_clamp_promotion_and_errors():
    parity(lambda m, t: (m.clamp(t, min=0.5), m.clamp(t, 0, 1), m.clamp_min(t, 0.5), m.clamp_max(t, 1)),
           randint(-3, 3, 4), grad=False)
    parity(lambda m, t, lo: (m.clamp(t, min=lo), m.clamp_min(t, lo), m.clamp_max(t, lo)),
           randint(-3, 3, 4), randn(4).astype(np.float32))
    parity(lambda m, t, lo: (m.clamp(t, min=lo), t.clamp_min(lo), t.clone().clamp_max_(lo)),
           randn(4).astype(np.float32), randn(4))
    parity(lambda m, t: m.clamp(t, min=0), np.array([True, False]), grad=False)
    same_error(lambda m, t: m.clamp(t), randn(3))
    same_error(lambda m, t, lo: m.clamp(t, min=lo, max=1.0), randn(3), randn(3))
    same_error(lambda m, t: m.clamp(t, min="a"), randn(3))
    same_error(lambda m, t: t.clamp_(min=0.5), randint(-3, 3, 3))


# ----------------------------------------------------------------------------- lerp, addcmul, addcdiv

@pytest.mark.parametrize("weight", [0.25, 0.5, 0.75, 1.5, -0.5])
def test_lerp_number_weight(weight):
    parity(lambda m, a, b: (m.lerp(a, b, weight), a.lerp(b, weight), a.clone().lerp_(b, weight)),
           randn(3, 4), randn(4))
    check_grad(lambda a, b: ember.lerp(a, b, weight), randn(3), randn(3))


def test_lerp_tensor_weight():
    parity(lambda m, a, b, w: m.lerp(a, b, w), randn(3, 1), randn(1, 4), np.linspace(-0.5, 1.5, 4))
    parity(lambda m, a, b, w: m.lerp(a, b, w), randn(3).astype(np.float32), randn(3).astype(np.float32),
           np.array(0.3))     # a 0-dim weight of another dtype is allowed
    parity(lambda m, a, b, w: m.lerp(a, b, w), randn(0, 3), randn(3), randn(3))
    check_grad(lambda a, b, w: ember.lerp(a, b, w), randn(3), randn(3), randn(3))


def test_lerp_errors():
    same_error(lambda m, a, b: m.lerp(a, b, 0.5), randn(3).astype(np.float32), randn(3))
    same_error(lambda m, a, w: m.lerp(a, a, w), randn(3).astype(np.float32), randn(3))
    same_error(lambda m, a: m.lerp(a, a, 0.5), randint(0, 3, 3))
    same_error(lambda m, a: m.lerp(a, a, a), randint(0, 3, 3))


@pytest.mark.parametrize("value", [1, 0.5, -2])
def test_addcmul_addcdiv(value):
    a, t1, t2 = randn(3, 1), randn(1, 4), nonzero(3, 4)
    parity(lambda m, x, y, z: (m.addcmul(x, y, z, value=value), m.addcdiv(x, y, z, value=value),
                               x.addcmul(y, z, value=value), x.expand(3, 4).clone().addcdiv_(y, z, value=value)),
           a, t1, t2)
    check_grad(lambda x, y, z: ember.addcmul(x, y, z, value=value) + ember.addcdiv(x, y, z, value=value),
               randn(2), randn(2), nonzero(2))


def test_addcmul_addcdiv_dtypes_and_errors():
    i = randint(-3, 3, 3)
    parity(lambda m, x: (m.addcmul(x, x, x, value=2), m.addcmul(x, x, x, value=0.5), m.addcmul(x, x, x, value=True)),
           i, grad=False)
    parity(lambda m, x, f: (m.addcdiv(x, f, f), m.addcmul(f, x, x, value=0.5)), i, nonzero(3).astype(np.float32))
    same_error(lambda m, f, x: m.addcdiv(f, x, x), randn(3), i)
    same_error(lambda m, b: m.addcmul(b, b, b), np.array([True, False]))


# ----------------------------------------------------------------------------- comparisons

COMPARISONS = ["eq", "ne", "not_equal", "lt", "less", "le", "less_equal", "gt", "greater", "ge", "greater_equal"]


@pytest.mark.parametrize("name", COMPARISONS)
def test_comparisons(name):
    a = np.array([1.0, NAN, 2.0, -INF, 3.0, 0.0])
    b = np.array([1.0, NAN, 3.0, -INF, 2.0, -0.0])
    parity(lambda m, x, y: (getattr(m, name)(x, y), getattr(x, name)(y), getattr(m, name)(x, 2.0)), a, b,
           grad=False)
    parity(call2(name), randint(0, 3, 3, 1), randint(0, 3, 4).astype(np.float32), grad=False)
    parity(lambda m, x: (getattr(m, name)(x, 2.5), getattr(m, name)(x, 257), getattr(m, name)(x, -1)),
           np.array([1, 2, 255], dtype=np.uint8), grad=False)     # numbers promote (and wrap) as in PyTorch
    parity(call2(name), noncontiguous(randint(0, 2, 3, 2)), np.zeros((0, 1, 2)), grad=False)
    parity(lambda m, x, y: getattr(x.clone(), name + "_")(y), randn(4), np.array([0.0]), grad=False)
    same_error(call2(name), randn(3), randn(2))
    same_error(lambda m, x: getattr(m, name)(x, None), randn(3))


def test_comparison_operators():
    a, b = randint(0, 3, 5).astype(np.float32), randint(0, 3, 5)
    parity(lambda m, x, y: (x == y, x != y, x < y, x <= y, x > y, x >= y, 1 < x, 1.5 >= y, 2 == y), a, b,
           grad=False)
    x = ember.tensor([1, 2])
    assert (x == None) is False and (x != None) is True and (x == "a") is False   # noqa: E711
    with pytest.raises(TypeError):
        x < None   # noqa: B015
    assert {x: 1}[x] == 1        # tensors stay hashable by identity


def test_equal_isclose_allclose():
    parity(lambda m, x, y: (m.equal(x, y), m.equal(x, x), m.equal(x, y[:2]), x.equal(x)), randint(0, 3, 3),
           randint(0, 3, 3).astype(np.float32), grad=False)
    parity(lambda m, x: m.equal(x, x), np.array([NAN]), grad=False)
    a = np.array([1.0, 1.0 + 1e-6, 1.1, INF, -INF, NAN, NAN, 1e10])
    b = np.array([1.0, 1.0, 1.0, INF, INF, NAN, 1.0, 1.00001e10])
    for dtype in (np.float32, np.float64):
        parity(lambda m, x, y: (m.isclose(x, y), m.isclose(x, y, equal_nan=True), x.isclose(y, rtol=0.2),
                                m.isclose(x, y, rtol=0, atol=0), m.allclose(x[:3], y[:3]),
                                x.allclose(y, equal_nan=True), m.allclose(x[:3], y[:3], atol=0.2)),
               a.astype(dtype), b.astype(dtype), grad=False)
    parity(lambda m, x, y: (m.isclose(x, y), m.isclose(x, y, atol=1), m.allclose(x, x)),
           np.array([100000000, 5, 0]), np.array([100000001, 7, 0]), grad=False)
    parity(lambda m, x: m.isclose(x, ~x), np.array([True, False]), grad=False)
    same_error(lambda m, x, y: m.isclose(x, y), randn(3).astype(np.float32), randn(3))
    same_error(lambda m, x: m.isclose(x, x, rtol=-1), randn(3))
    same_error(lambda m, x: m.isclose(x, 2.5), randn(3))
    same_error(lambda m, x, y: m.allclose(x, y), randn(3), randn(2))
    same_error(lambda m, x: m.equal(x, 2), randn(3))


# ----------------------------------------------------------------------------- logical and bitwise

@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
def test_logical(name):
    a = np.array([0.0, 1.0, NAN, -2.0])
    b = np.array([0, 0, 3, 1])
    parity(lambda m, x, y: (getattr(m, name)(x, y), getattr(x, name)(y), getattr(x.clone(), name + "_")(y)), a, b,
           grad=False)
    parity(call2(name), np.array([True, False]), randint(0, 2, 3, 1), grad=False)
    same_error(lambda m, x: getattr(m, name)(x, 2), randn(3))


def test_logical_not():
    parity(lambda m, x: (m.logical_not(x), x.logical_not(), x.clone().logical_not_()), np.array([0.0, 2.0, NAN]),
           grad=False)
    parity(lambda m, x: m.logical_not(x), randint(0, 3, 2, 2), grad=False)


BITWISE = ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift"]


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int16, np.int8, np.uint8, np.bool_])
@pytest.mark.parametrize("name", BITWISE)
def test_bitwise(name, dtype):
    a = randint(0, 2, 6).astype(dtype) if dtype == np.bool_ else randint(-60, 60, 6).astype(dtype)
    b = randint(0, 2, 6).astype(dtype) if dtype == np.bool_ else randint(0, 7, 6).astype(dtype)
    parity_or_error(lambda m, x, y: (getattr(m, name)(x, y), getattr(x, name)(y),
                                     getattr(x.clone(), name + "_")(y)), a, b, grad=False)
    parity_or_error(lambda m, x: (getattr(m, name)(x, 3), getattr(m, name)(x, 300)), a, grad=False)
    parity_or_error(lambda m, x: getattr(m, name)(x, True), a, grad=False)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int16, np.int8, np.uint8])
def test_shifts_out_of_range(dtype):
    bits = np.dtype(dtype).itemsize * 8
    a = np.array([-3, 5, -100, 7, 1]).astype(dtype)
    for shift in (bits - 1, bits, bits + 1, -1, 100):
        parity(lambda m, x, s=shift: (x << s, x >> s), a, grad=False)
    parity(lambda m, x, s: (m.bitwise_left_shift(x, s), m.bitwise_right_shift(x, s)), a,
           np.array([0, 1, bits - 1, bits, bits + 3]).astype(dtype), grad=False)


def test_bitwise_errors_and_not():
    for fn in (lambda m, x: m.bitwise_and(x, x), lambda m, x: x | 1, lambda m, x: x << 1,
               lambda m, x: m.bitwise_right_shift(x, 1), lambda m, x: m.bitwise_not(x), lambda m, x: ~x):
        same_error(fn, randn(3))
    same_error(lambda m, x: x & 1.5, randint(0, 3, 3))
    same_error(lambda m, x: x << x, np.array([True]))
    parity(lambda m, x: (m.bitwise_not(x), ~x, x.bitwise_not(), x.clone().bitwise_not_()), randint(-5, 5, 4),
           grad=False)
    parity(lambda m, x: (m.bitwise_not(x), ~x), np.array([True, False]), grad=False)


# ----------------------------------------------------------------------------- Python operators

def test_arithmetic_operators_reflected_and_inplace():
    parity(lambda m, x, y: (x + y, x - y, x * y, x / y, x % y, x ** 2, abs(x), -x, +x,
                            2 + x, 2 - x, 2 * x, 2 / y, 2 ** x, x + True, x * False), randn(3, 4), nonzero(4))
    parity(lambda m, x, y: (x // y, 2 // y, 2 % y, 7 // x), randn(3, 4), nonzero(4), grad=False)

    def inplace(m, x, y):
        z = x.clone()
        z += y
        z -= 1
        z *= y
        z /= 2
        z **= 2
        z %= 3
        return z
    parity(inplace, randn(3, 4), nonzero(4))


def test_bitwise_operators_reflected_and_inplace():
    def ops(m, x, y):
        z = x.clone()
        z &= y
        z |= 4
        z ^= y
        z <<= 1
        z >>= y
        w = x.clone()
        w //= 2
        w %= 3
        return (x & y, x | y, x ^ y, x << y, x >> y, 3 & x, 3 | x, 3 ^ x, 1 << y, 64 >> y, ~x, z, w)
    parity(ops, randint(-20, 20, 3, 4), randint(0, 4, 4), grad=False)
    parity(lambda m, x, y: (x & y, x | y, x ^ y, True ^ x, ~x), np.array([True, False]), np.array([True, True]),
           grad=False)
    same_error(lambda m, x, y: x.__iand__(y), np.array([True]), np.array([3]))


def test_operators_refuse_other_types():
    x = ember.tensor([1.0, 2.0])
    for op in ("__add__", "__sub__", "__mul__", "__truediv__", "__pow__", "__and__", "__lt__"):
        assert getattr(x, op)([1, 2]) is NotImplemented
    with pytest.raises(TypeError, match="unsupported operand"):
        x + [1, 2]   # noqa: B018
    with pytest.raises(TypeError, match="unsupported operand"):
        x -= "a"


def test_inplace_casting_rules():
    same_error(lambda m, x: x.exp_(), randint(0, 3, 3))
    same_error(lambda m, x: x.__itruediv__(2), randint(0, 3, 3))
    parity(lambda m, x: x.clone().eq_(2.0), randint(0, 3, 3).astype(np.float32), grad=False)
    parity(lambda m, x: x.clone().add_(300), np.array([1, 2], dtype=np.uint8), grad=False)   # wraps


def test_out_argument():
    for lib in (ember, torch):
        out = lib.empty(3)
        result = lib.exp(lib.tensor([0.0, 1.0, 2.0]), out=out)
        assert result is out
        assert np.allclose(out.numpy(), np.exp([0.0, 1.0, 2.0]))
        mask = lib.empty(0, dtype=lib.bool)
        lib.lt(lib.tensor([1, 2, 3]), 2, out=mask)
        assert mask.tolist() == [True, False, False]
    same_error(lambda m: m.exp(m.ones(2, requires_grad=True), out=m.empty(2)))


# ----------------------------------------------------------------------------- the API as a whole

def test_every_function_and_method_exists_in_torch():
    for name in elementwise.__all__:
        assert hasattr(ember, name), name
        assert hasattr(torch, name), name
    for name in elementwise.TENSOR_METHODS:
        assert hasattr(torch.Tensor, name), name
        if hasattr(torch.Tensor, name + "_") and not name.startswith("__"):
            assert name + "_" in elementwise.TENSOR_METHODS, name + "_"


@settings(max_examples=25, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=0, max_side=3),
       name=st.sampled_from(["add", "mul", "maximum", "atan2", "remainder", "xlogy", "lt", "bitwise_xor"]))
def test_binary_broadcasting_property(shapes, name):
    a_shape, b_shape = shapes.input_shapes
    if name == "bitwise_xor":
        a, b = randint(-5, 5, *a_shape), randint(0, 5, *b_shape)
    else:
        a, b = randn(*a_shape), np.asarray(positive(*b_shape))
    parity(call2(name), a, b, grad=name not in ("lt", "bitwise_xor"))
