"""Parity of ember.special (and torch.i0, igamma, igammac, mvlgamma) with torch.special.

Values are compared over wide ranges in float64 (many points, large and small magnitudes, negative
arguments where the function is defined), then dtypes, shapes, gradients and errors on small inputs.
"""

import numpy as np
import pytest
from helpers import check_grad, noncontiguous, parity, positive, randn, requires_torch, same_error, torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

import ember

pytestmark = requires_torch

_rng = np.random.default_rng(2024)


def _signed_logspace(low, high, n):
    """``n`` values of random sign with magnitudes spread evenly in log10 over [low, high]."""
    return np.sign(_rng.standard_normal(n)) * 10.0 ** _rng.uniform(low, high, n)


WIDE = np.concatenate([_signed_logspace(-12, 2.5, 1500), _rng.uniform(-40, 40, 1000), [0.0, -0.0, 1.0, -1.0]])
EDGES = np.array([np.inf, -np.inf, np.nan, 1e-300, -1e-300, 700.0, -700.0, 720.0])


def _close(ours, theirs, rtol, atol=0.0):
    """ember's values against torch's: relative error at most rtol (above atol), NaN where torch has NaN."""
    a, b = ours.detach().numpy(), theirs.detach().numpy()
    assert ours.dtype.name == str(theirs.dtype).replace("torch.", "")
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)


def _both(fn, *arrays):
    """``fn`` applied with ember and with torch to float64 tensors of ``arrays``."""
    return (fn(ember, *[ember.tensor(a) for a in arrays]), fn(torch, *[torch.tensor(a) for a in arrays]))


# ----------------------------------------------------------------------------- the namespace

def test_every_torch_special_function_exists():
    skip = {"Tensor", "torch", "common_args", "multi_dim_common"}
    names = [n for n in dir(torch.special) if not n.startswith("_") and n not in skip]
    missing = [n for n in names if not callable(getattr(ember.special, n, None))]
    assert not missing
    assert sorted(set(ember.special.__all__)) == sorted(names)


def test_torch_level_names_and_methods():
    for name in ("i0", "i0_", "igamma", "igammac", "mvlgamma"):
        assert callable(getattr(ember, name))
    for name in ("i0", "i0_", "igamma", "igamma_", "igammac", "igammac_", "mvlgamma", "mvlgamma_"):
        assert callable(getattr(ember.Tensor, name))


# ----------------------------------------------------------------------------- values over wide ranges

# name: (inputs, rtol, atol). PyTorch's own kernels are the limit for some: its ndtr is 1 + erf (no relative
# accuracy in the lower tail); its bessel_j*/y* are off by up to 9e-7 absolute (near x = 5, where its
# approximations switch) and its airy_ai by up to 3e-6 (near x = -2.09); ember's are good to ~1e-15 there.
UNARY_RANGES = {
    "i0": (np.concatenate([WIDE, _rng.uniform(-713, 713, 500)]), 1e-10, 0),
    "i0e": (np.concatenate([WIDE, _signed_logspace(2, 300, 300)]), 1e-10, 0),
    "i1": (np.concatenate([WIDE, _rng.uniform(-713, 713, 500)]), 1e-10, 0),
    "i1e": (np.concatenate([WIDE, _signed_logspace(2, 300, 300)]), 1e-10, 0),
    "modified_bessel_i0": (WIDE, 1e-10, 0),
    "modified_bessel_i1": (WIDE, 1e-10, 0),
    "modified_bessel_k0": (np.concatenate([WIDE, _rng.uniform(0, 740, 300)]), 1e-10, 1e-300),
    "modified_bessel_k1": (np.concatenate([WIDE, _rng.uniform(0, 740, 300)]), 1e-10, 1e-300),
    "scaled_modified_bessel_k0": (np.concatenate([WIDE, 10.0 ** _rng.uniform(2, 300, 300)]), 1e-10, 0),
    "scaled_modified_bessel_k1": (np.concatenate([WIDE, 10.0 ** _rng.uniform(2, 300, 300)]), 1e-10, 0),
    "bessel_j0": (np.concatenate([WIDE, _signed_logspace(2, 8, 300)]), 1e-6, 2e-6),
    "bessel_j1": (np.concatenate([WIDE, _signed_logspace(2, 8, 300)]), 1e-6, 2e-6),
    "bessel_y0": (np.concatenate([WIDE, _signed_logspace(2, 8, 300)]), 1e-6, 2e-6),
    "bessel_y1": (np.concatenate([WIDE, _signed_logspace(2, 8, 300)]), 1e-6, 2e-6),
    "spherical_bessel_j0": (WIDE, 1e-10, 1e-15),
    "airy_ai": (np.concatenate([_rng.uniform(-60, 120, 2000), -10.0 ** _rng.uniform(0, 3, 200)]), 1e-6, 5e-6),
    "ndtr": (np.concatenate([WIDE, _rng.uniform(-40, 10, 500)]), 1e-10, 1e-15),
    "log_ndtr": (np.concatenate([WIDE, -10.0 ** _rng.uniform(0, 150, 300), _rng.uniform(-40, 40, 500)]), 1e-10,
                 1e-300),
    "erfcx": (np.concatenate([WIDE, 10.0 ** _rng.uniform(0, 300, 300), _rng.uniform(-26, 26, 500)]), 1e-10, 0),
    "entr": (np.concatenate([WIDE, 10.0 ** _rng.uniform(-300, 300, 300)]), 1e-12, 0),
    "ndtri": (np.concatenate([_rng.uniform(0, 1, 2000), 10.0 ** _rng.uniform(-300, 0, 500),
                              1 - 10.0 ** _rng.uniform(-16, 0, 500), [0.0, 1.0, -0.5, 1.5, 0.5]]), 1e-10, 0),
}


@pytest.mark.parametrize("name", sorted(UNARY_RANGES))
def test_values_over_wide_ranges(name):
    x, rtol, atol = UNARY_RANGES[name]
    x = np.concatenate([x, EDGES])
    ours, theirs = _both(lambda m, t: getattr(m.special, name)(t), x)
    _close(ours, theirs, rtol, atol)


def test_gammainc_over_wide_ranges():
    a = np.concatenate([10.0 ** _rng.uniform(-8, 2, 1500), 10.0 ** _rng.uniform(2, 4.5, 200)])
    x = a * 10.0 ** _rng.uniform(-3, 1, a.size)
    x[-200:] = a[-200:] * (1 + _rng.uniform(-0.05, 0.05, 200))     # near x = a, where both branches meet
    edges_a = np.array([0, 0, 0.5, 1, 2, np.inf, np.inf, 1, np.nan, -1, 3, 1, 5])
    edges_x = np.array([0, 1, 0, np.inf, -1, 1, np.inf, np.nan, 1, 1, 1e-320, 1e-300, 1e300])
    a, x = np.concatenate([a, edges_a]), np.concatenate([x, edges_x])
    for name in ("gammainc", "gammaincc"):
        ours, theirs = _both(lambda m, s, t, name=name: getattr(m.special, name)(s, t), a, x)
        _close(ours, theirs, 1e-6, 1e-300)   # PyTorch's kernel itself is good to about 1e-8 here


def test_zeta_over_wide_ranges():
    s = np.concatenate([1 + 10.0 ** _rng.uniform(-6, 2.5, 1500), _rng.integers(2, 30, 300).astype(float)])
    q = np.concatenate([10.0 ** _rng.uniform(-5, 9, 1500), _rng.uniform(-20, 20, 300)])   # integer s: q < 0 too
    edges_s = np.array([1, 0.5, 2, 2, 2, 3, np.inf, np.inf, np.inf, 2, np.nan, 2, 3, 2.5, 30, 1.5])
    edges_q = np.array([1, 1, 0, -1, -1.5, -1.5, 0.5, 1, 2, np.inf, 1, 1e-300, 1e200, -1.5, 2e8, 2e8])
    s, q = np.concatenate([s, edges_s]), np.concatenate([q, edges_q])
    ours, theirs = _both(lambda m, a, b: m.special.zeta(a, b), s, q)
    _close(ours, theirs, 1e-10, 1e-300)


POLYNOMIALS = [n for n in ember.special.__all__ if "polynomial" in n]


@pytest.mark.parametrize("name", POLYNOMIALS)
def test_polynomial_values(name):
    x = np.concatenate([_rng.uniform(-1.5, 1.5, 300), _rng.uniform(-0.2, 1.2, 100), [-1, 1, 0, 0.5, 2, np.inf,
                                                                                        -np.inf]])
    degrees = np.array([-3, 0, 1, 2, 3, 6, 7, 8, 9, 10, 15, 40, 2.7, -0.5, np.nan, 1e30])
    ours, theirs = _both(lambda m, a, n: getattr(m.special, name)(a[:, None], n), x, degrees)
    _close(ours, theirs, 1e-9, 1e-9)
    parity(lambda m, a: getattr(m.special, name)(a, 5), randn(3, 4), grad=False)


# ----------------------------------------------------------------------------- gradients

# name: (input maker, where the finite-difference check is smooth)
DIFFERENTIABLE = {
    "i0": lambda: randn(3, 4) * 5, "i0e": lambda: randn(3, 4) * 5, "i1": lambda: randn(3, 4) * 5,
    "i1e": lambda: randn(3, 4) * 5, "ndtr": lambda: randn(3, 4) * 3, "log_ndtr": lambda: randn(3, 4) * 10,
    "ndtri": lambda: _rng.uniform(0.02, 0.98, (3, 4)), "erfcx": lambda: randn(3, 4) * 4,
    "entr": lambda: positive(3, 4),
}


@pytest.mark.parametrize("name", sorted(DIFFERENTIABLE))
def test_unary_gradients(name):
    x = DIFFERENTIABLE[name]()
    parity(lambda m, t: getattr(m.special, name)(t), x, rtol=1e-9, atol=1e-12)
    parity(lambda m, t: getattr(m.special, name)(t), noncontiguous(x), rtol=1e-9, atol=1e-12)
    parity(lambda m, t: getattr(m.special, name)(t), np.array(x[0, 0]), rtol=1e-9, atol=1e-12)   # 0-dim
    parity(lambda m, t: getattr(m.special, name)(t), x[:0], rtol=1e-9, atol=1e-12)         # zero-size
    check_grad(lambda t: getattr(ember.special, name)(t), x[0])


def test_gradients_at_the_awkward_points():
    parity(lambda m, t: (m.special.i1(t), m.special.i1e(t), m.special.i0e(t)), np.array([0.0, 1e-20, -1e-20, 1.0]))
    parity(lambda m, t: m.special.entr(t), np.array([0.0, -1.0, 2.0]))
    parity(lambda m, x, y: m.special.xlog1py(x, y), np.array([0.0, -1.0, 2.0, 0.0]), np.array([-1.0, -2.0, 2.0, 3.0]))


def test_i0_matches_torch_i0():
    parity(lambda m, t: (m.i0(t), t.i0(), m.special.i0(t)), randn(5) * 10)


def test_float32_and_integer_inputs():
    for name in sorted(DIFFERENTIABLE) + ["bessel_j0", "modified_bessel_k1", "spherical_bessel_j0", "airy_ai"]:
        x = DIFFERENTIABLE.get(name, lambda: positive(3, 4))()
        parity(lambda m, t, name=name: getattr(m.special, name)(t), x.astype(np.float32), grad=False)
        parity(lambda m, t, name=name: getattr(m.special, name)(t), np.array([0, 1, 2]), grad=False)   # -> float32
        parity(lambda m, t, name=name: getattr(m.special, name)(t), np.array([True, False]), grad=False)


def test_i0_overflows_like_pytorch_in_float32():
    x = np.array([88.0, 88.7, 88.73, 89.0, -90.0, 700.0], dtype=np.float32)
    for name in ("i0", "i1", "modified_bessel_i0", "modified_bessel_i1"):
        parity(lambda m, t, name=name: getattr(m.special, name)(t), x, grad=False)
    parity(lambda m, t: m.special.i0(t), np.array([1.0, 10.0, 11.5], dtype=np.float16), grad=False)


def test_functions_without_gradients_return_no_grad():
    x = positive(4)
    for name in ("bessel_j0", "bessel_y1", "modified_bessel_k0", "scaled_modified_bessel_k1", "airy_ai",
                 "spherical_bessel_j0", "modified_bessel_i1"):
        out = parity(lambda m, t, name=name: getattr(m.special, name)(t), x)   # torch's needs no grad either
        assert not out.requires_grad
    assert not ember.special.chebyshev_polynomial_t(ember.ones(2, requires_grad=True), 3).requires_grad


# ----------------------------------------------------------------------------- binary functions

def test_xlog1py():
    x, y = randn(3, 4), _rng.uniform(-0.9, 3, (3, 4))
    parity(lambda m, a, b: m.special.xlog1py(a, b), x, y)
    parity(lambda m, a, b: m.special.xlog1py(a, b), x[:, :1], y)                  # broadcasting
    parity(lambda m, a, b: m.special.xlog1py(a, b), noncontiguous(x), noncontiguous(y))
    parity(lambda m, a: m.special.xlog1py(a, 2.5), x)
    parity(lambda m, b: m.special.xlog1py(3, b), y)
    parity(lambda m, a, b: m.special.xlog1py(a, b), np.array([1, 2]), np.array([0, 3]), grad=False)   # -> float32
    parity(lambda m, a, b: m.special.xlog1py(a, b), x.astype(np.float32), y)   # float32 with float64
    check_grad(lambda a, b: ember.special.xlog1py(a, b), x[0], y[0])


def test_zeta():
    s, q = _rng.uniform(1.5, 6, (3, 4)), _rng.uniform(0.2, 4, (3, 4))
    parity(lambda m, b: m.special.zeta(m.tensor(s), b), q, rtol=1e-9)
    parity(lambda m, b: m.special.zeta(m.tensor(s[:1]), b), q, rtol=1e-9)        # broadcasting
    parity(lambda m, b: m.special.zeta(2.0, b), q, rtol=1e-9)
    parity(lambda m, a: m.special.zeta(a, 1), s, grad=False)
    parity(lambda m, a, b: m.special.zeta(a, b), np.array([2, 3]), np.array([1, 2]), grad=False)
    check_grad(lambda b: ember.special.zeta(ember.tensor(s[0]), b), q[0])


@pytest.mark.parametrize("name", ["gammainc", "gammaincc"])
def test_incomplete_gamma(name):
    a, x = _rng.uniform(0.3, 6, (3, 4)), _rng.uniform(0.1, 8, (3, 4))
    parity(lambda m, b: getattr(m.special, name)(m.tensor(a), b), x, rtol=1e-9)
    parity(lambda m, b: getattr(m.special, name)(m.tensor(a[:, :1]), b), x, rtol=1e-9)
    parity(lambda m, b: getattr(m.special, name)(m.tensor(np.array(a[0, 0])), b), noncontiguous(x), rtol=1e-9)
    parity(lambda m, s, b: getattr(m.special, name)(s, b), a.astype(np.float32), x.astype(np.float32), grad=False)
    parity(lambda m, s, b: getattr(m.special, name)(s, b), a[:0], x[:0], grad=False)
    check_grad(lambda b: getattr(ember.special, name)(ember.tensor(a[0]), b), x[0])


def test_igamma_names_methods_and_inplace():
    a, x = _rng.uniform(0.3, 6, 5), _rng.uniform(0.1, 8, 5)
    parity(lambda m, s, b: (m.igamma(s, b), m.igammac(s, b), s.igamma(b), s.igammac(b)), a, x, grad=False)
    parity(lambda m, s, b: (s.clone().igamma_(b), s.clone().igammac_(b)), a, x, grad=False)
    parity(lambda m, b: m.igamma(m.tensor(a), b) + m.igammac(m.tensor(a), b), x)


def test_gradients_pytorch_does_not_define():
    a, x = np.array([1.0, 2.0]), np.array([0.5, 1.5])
    for name in ("gammainc", "gammaincc"):
        same_error(lambda m, s, b, name=name: getattr(m.special, name)(s.requires_grad_(), b).sum().backward(), a,
                   x, match="is not implemented")
    same_error(lambda m, s, b: m.special.zeta(s.requires_grad_(), b).sum().backward(), a + 1, x,
               match="is not implemented")


# ----------------------------------------------------------------------------- multigammaln / mvlgamma

@pytest.mark.parametrize("p", [1, 2, 5])
def test_multigammaln(p):
    x = _rng.uniform((p - 1) / 2 + 0.1, 8, (3, 4))
    parity(lambda m, t: m.special.multigammaln(t, p), x, rtol=1e-9)
    parity(lambda m, t: (m.mvlgamma(t, p), t.mvlgamma(p)), np.array(x[0, 0]), rtol=1e-9)
    parity(lambda m, t: m.mvlgamma(t, p), x[:0], rtol=1e-9)
    parity(lambda m, t: t.clone().mvlgamma_(p), x, grad=False, rtol=1e-9)
    parity(lambda m, t: m.mvlgamma(t, p), np.array([3, 4]), grad=False)             # int64 -> float32
    check_grad(lambda t: ember.special.multigammaln(t, p), x[0])


# ----------------------------------------------------------------------------- polynomials

def test_polynomial_arguments():
    f = "chebyshev_polynomial_t"
    x = _rng.uniform(-1, 1, (3, 4))
    parity(lambda m, a, n: getattr(m.special, f)(a, n), x, np.array([2, 3, 7, 12]), grad=False)    # n a tensor
    parity(lambda m, a, n: getattr(m.special, f)(a, n), x.astype(np.float32), np.array([2.0, 3.0, 9.0, 9.9]),
           grad=False)
    parity(lambda m, n: getattr(m.special, f)(0.5, n), np.array([1, 2, 3]), grad=False)            # x a number
    parity(lambda m, a: getattr(m.special, f)(a, True), x, grad=False)
    parity(lambda m, a: m.special.hermite_polynomial_h(a, 4), np.array([0, 1, 2]), grad=False)     # -> float32
    parity(lambda m, a: m.special.legendre_polynomial_p(a, 3), np.array(0.25), grad=False)         # 0-dim
    parity(lambda m, a: m.special.laguerre_polynomial_l(a, 3), noncontiguous(x), grad=False)
    same_error(lambda m: getattr(m.special, f)(m.tensor([0.5, 0.2]), m.tensor([1, 2, 3])))         # shapes clash


# ----------------------------------------------------------------------------- aliases of ember ops

def test_aliases():
    x, p = randn(3, 4), _rng.uniform(0.05, 0.95, (3, 4))
    parity(lambda m, t: (m.special.expit(t), m.special.exp2(t), m.special.expm1(t), m.special.erf(t),
                         m.special.erfc(t), m.special.sinc(t), m.special.psi(t.abs() + 0.5),
                         m.special.digamma(t.abs() + 0.5), m.special.gammaln(t.abs() + 0.5),
                         m.special.log1p(t.abs()), m.special.round(t), m.special.round(t, decimals=2)), x)
    parity(lambda m, t: (m.special.erfinv(t * 2 - 1), m.special.logit(t), m.special.logit(t, eps=0.1),
                         m.special.polygamma(2, t), m.special.xlogy(t, t + 1)), p)
    parity(lambda m, t: (m.special.softmax(t, 1), m.special.log_softmax(t, 0), m.special.logsumexp(t, 1),
                         m.special.softmax(t, -1, dtype=m.float32)), x)


def test_out_argument():
    x = positive(4)
    for name in ("i0e", "ndtr", "bessel_j0", "airy_ai"):
        out = ember.empty(4, dtype=ember.float64)
        assert getattr(ember.special, name)(ember.tensor(x), out=out) is out
        np.testing.assert_allclose(out.numpy(), getattr(torch.special, name)(torch.tensor(x)).numpy(), rtol=1e-6)
    out = ember.empty(0, dtype=ember.float64)
    ember.special.chebyshev_polynomial_t(ember.tensor(x), 3, out=out)
    np.testing.assert_allclose(out.numpy(), torch.special.chebyshev_polynomial_t(torch.tensor(x), 3).numpy())
    out = ember.empty(4, dtype=ember.float64)
    ember.igamma(ember.tensor(x), ember.tensor(x), out=out)
    np.testing.assert_allclose(out.numpy(), torch.igamma(torch.tensor(x), torch.tensor(x)).numpy())
    same_error(lambda m, t: m.special.i0e(t.requires_grad_(), out=m.empty(4, dtype=m.float64)), x)   # no autograd


def test_inplace_i0():
    x = randn(5)
    parity(lambda m, t: (m.i0_(t.clone()), t.clone().i0_()), x, grad=False)
    same_error(lambda m, t: t.i0_(), np.array([1, 2]))          # an int tensor cannot hold the float result


# ----------------------------------------------------------------------------- errors

def test_errors():
    x = positive(3)
    same_error(lambda m: m.special.i0e([1.0]))
    same_error(lambda m: m.special.zeta(2, 3))
    same_error(lambda m: m.special.xlog1py(2.0, 3.0))
    same_error(lambda m, t: m.special.gammainc(t, 2.0), x)
    same_error(lambda m, t: m.special.gammaincc(1, t), x)
    same_error(lambda m, t: m.igamma(t, t), np.array([1, 2]))                    # no integer kernel
    same_error(lambda m, t: m.special.chebyshev_polynomial_t(0.5, 3))
    same_error(lambda m, t: m.mvlgamma(t, 0), x)
    same_error(lambda m, t: m.mvlgamma(t, 2.0), x)
    same_error(lambda m, t: m.mvlgamma(t, 1), np.array([True]))
    same_error(lambda m, a, b: m.special.xlog1py(a, b), randn(2, 3), randn(3, 2))
    same_error(lambda m: m.special.softmax(m.ones(2)))
    for name in ("ndtri", "log_ndtr", "erfcx", "bessel_j0", "airy_ai", "modified_bessel_k0", "spherical_bessel_j0"):
        same_error(lambda m, t, name=name: getattr(m.special, name)(t), x.astype(np.float16))
    same_error(lambda m, t: m.special.zeta(t, t), x.astype(np.float16))
    same_error(lambda m, t: m.special.hermite_polynomial_h(t, 2), x.astype(np.float16))


# ----------------------------------------------------------------------------- properties over shapes

@settings(max_examples=25, deadline=None)
@given(arrays(np.float64, array_shapes(min_dims=0, max_dims=3, max_side=4),
              elements=st.floats(-30, 30, allow_nan=False)),
       st.sampled_from(["i0e", "i1", "ndtr", "log_ndtr", "erfcx", "bessel_y0", "scaled_modified_bessel_k0"]))
def test_shapes_property(x, name):
    ours, theirs = _both(lambda m, t: getattr(m.special, name)(t), x)
    assert tuple(ours.shape) == tuple(theirs.shape)
    _close(ours, theirs, 1e-6, 1e-6)
