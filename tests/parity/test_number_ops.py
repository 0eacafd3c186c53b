"""gcd, lcm, heaviside, nextafter, ldexp and frexp against torch."""

import numpy as np
import pytest
from helpers import check_grad, noncontiguous, parity, randint, randn, same_error

import ember


@pytest.mark.parametrize("name", ["gcd", "lcm"])
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int16, np.uint8])
def test_gcd_lcm(name, dtype):
    a = randint(-30 if dtype != np.uint8 else 0, 30, 4, 5).astype(dtype)
    b = randint(-30 if dtype != np.uint8 else 0, 30, 5).astype(dtype)
    parity(lambda m, x, y: getattr(m, name)(x, y), a, b)
    parity(lambda m, x, y: (getattr(x, name)(y), getattr(x.clone(), name + "_")(y)), noncontiguous(a), b)
    parity(lambda m, x, y: getattr(m, name)(x, y), np.zeros((0, 5), dtype), b)


def test_heaviside_and_nextafter():
    x = np.array([-2.0, 0.0, 3.0, np.nan, -0.0])
    parity(lambda m, a, v: (m.heaviside(a, v), a.heaviside(v), a.clone().heaviside_(v)), x, np.array([0.5]),
           grad=False)
    parity(lambda m, a, v: m.heaviside(a, v), randint(-2, 3, 6), randint(5, 9, 6))
    parity(lambda m, a, b: (m.nextafter(a, b), a.nextafter(b), a.clone().nextafter_(b)), randn(3, 4),
           randn(4), grad=False)
    parity(lambda m, a, b: m.nextafter(a, b), randn(5).astype(np.float32), randn(5).astype(np.float32), grad=False)


def test_ldexp_values_gradients_and_promotion():
    # torch's gradient is 0 for negative exponents (it computes 2 ** other in integers); ember's is
    # 2 ** other, checked by finite differences below. Compare gradients where torch's is right.
    parity(lambda m, a, e: (m.ldexp(a, e), a.ldexp(e)), randn(3, 4), randint(0, 4, 4))
    parity(lambda m, a, e: m.ldexp(a, e), randn(3, 4), randint(-3, 4, 4), grad=False)
    parity(lambda m, a, e: m.ldexp(a, e), randint(-3, 4, 5), randint(-3, 4, 5))
    parity(lambda m, a, e: a.clone().ldexp_(e), randn(5), randint(-3, 4, 5), grad=False)
    check_grad(lambda a: ember.ldexp(a, ember.tensor([1, -2, 3])), randn(3))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_frexp(dtype):
    x = np.array([8.0, 0.3, -5.5, 0.0, 1e-30, 1e30], dtype=dtype)
    parity(lambda m, a: m.frexp(a), x, grad=False)
    parity(lambda m, a: tuple(a.frexp()), noncontiguous(randn(3, 4).astype(dtype)), grad=False)
    result = ember.frexp(ember.tensor(x))
    assert result.mantissa.dtype == ember.tensor(x).dtype and result.exponent.dtype == ember.int32


def test_errors():
    same_error(lambda m, a, b: m.gcd(a, b), randn(3), randn(3))
    same_error(lambda m, a, b: m.lcm(a, b), np.array([True]), np.array([False]))
    same_error(lambda m, a, b: m.heaviside(a, b), randn(3), randint(0, 2, 3))
    same_error(lambda m, a, b: m.nextafter(a, b), randint(0, 3, 3), randint(0, 3, 3))
    same_error(lambda m, a: m.frexp(a), randint(0, 3, 3))
    same_error(lambda m, a: m.ldexp(a, 2), randn(3))
    same_error(lambda m, a, b: m.gcd(a, b), randint(0, 3, 3), randint(0, 3, 2))
