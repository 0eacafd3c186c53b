"""Parity of the statistics family: cov/corrcoef, quantiles, histograms, distances, renorm, trapezoid."""

import math
import warnings

import numpy as np
import pytest
from helpers import check_grad, noncontiguous, parity, positive, randint, randn, same_error, torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember

INF = math.inf


def _quiet(fn, *args, **kwargs):
    """Run ``fn`` with warnings (no degrees of freedom; NaNs in the matrix products of backward) silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(*args, **kwargs)


# ----------------------------------------------------------------------------- cov and corrcoef

@pytest.mark.parametrize("shape", [(3, 5), (1, 4), (5,), (4, 1), (0, 3)])
def test_cov_shapes(shape):
    _quiet(parity, lambda m, x: m.cov(x), randn(*shape))


@pytest.mark.parametrize("shape", [(2, 0), ()])
def test_cov_without_degrees_of_freedom_warns_and_gives_nan(shape):
    with pytest.warns(UserWarning, match="degrees of freedom"):
        result = ember.cov(ember.from_numpy(randn(*shape)))
    _quiet(parity, lambda m, x: m.cov(x), randn(*shape))
    assert np.isnan(result.numpy()).all()


@pytest.mark.parametrize("correction", [0, 1, 2])
def test_cov_correction_and_method(correction):
    parity(lambda m, x: x.cov(correction=correction), randn(3, 6))
    parity(lambda m, x: m.cov(x, correction=correction), noncontiguous(randn(4, 5)))


def test_cov_weights():
    x, f, a = randn(3, 5), randint(0, 4, 5), positive(5)
    parity(lambda m, x, f: m.cov(x, fweights=f), x, f)
    parity(lambda m, x, a: m.cov(x, aweights=a), x, a)                    # aweights get a gradient too
    parity(lambda m, x, f, a: m.cov(x, fweights=f, aweights=a, correction=2), x, f, a)
    parity(lambda m, x, a: m.cov(x, aweights=a, correction=0), x, a)


def test_cov_dtypes():
    parity(lambda m, x: m.cov(x), randint(-5, 5, 3, 4), grad=False)                 # ints give float32
    parity(lambda m, x, f: m.cov(x, fweights=f), randint(-5, 5, 2, 4), randint(1, 3, 4, dtype=np.int32), grad=False)
    parity(lambda m, x, a: m.cov(x, aweights=a), randn(2, 4, dtype=np.float32), positive(4))      # float64 wins
    parity(lambda m, x: m.cov(x), randn(2, 5, dtype=np.float32))


def test_cov_errors():
    same_error(lambda m, x: m.cov(x), randn(2, 3, 4))
    same_error(lambda m, x: m.cov(x), np.array([[True, False]]))
    same_error(lambda m, x: m.cov(x, correction=1.5), randn(2, 3))
    x = randn(2, 3)
    same_error(lambda m, x, f: m.cov(x, fweights=f), x, positive(3))
    same_error(lambda m, x, f: m.cov(x, fweights=f), x, np.array([1, -2, 1]))
    same_error(lambda m, x, f: m.cov(x, fweights=f), x, np.array([1, 2]))
    same_error(lambda m, x, f: m.cov(x, fweights=f), x, np.array([[1, 2, 1]]))
    same_error(lambda m, x, f: m.cov(x, fweights=f), x, np.array([True, False, True]))
    same_error(lambda m, x, a: m.cov(x, aweights=a), x, np.array([1, 2, 1]))
    same_error(lambda m, x, a: m.cov(x, aweights=a), x, np.array([1.0, -2.0, 1.0]))


def test_cov_finite_differences():
    check_grad(lambda x, a: ember.cov(x, aweights=a), randn(3, 5), positive(5))
    check_grad(lambda x: ember.cov(x, correction=0), randn(4))


@pytest.mark.parametrize("shape", [(3, 6), (6,), (1, 4), (0, 3)])
def test_corrcoef(shape):
    parity(lambda m, x: m.corrcoef(x), randn(*shape))
    parity(lambda m, x: x.corrcoef(), noncontiguous(randn(3, 5)))


def test_corrcoef_constant_rows_and_ints():
    parity(lambda m, x: m.corrcoef(x), np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 3.0]]), grad=False)
    parity(lambda m, x: m.corrcoef(x), randint(0, 9, 3, 5), grad=False)
    same_error(lambda m, x: m.corrcoef(x), randn(2, 3, 4))


def test_corrcoef_finite_differences():
    check_grad(lambda x: ember.corrcoef(x), randn(3, 5))


# ----------------------------------------------------------------------------- quantile and nanquantile

INTERPOLATIONS = ["linear", "lower", "higher", "midpoint", "nearest"]


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
@pytest.mark.parametrize("dim, keepdim", [(None, False), (None, True), (1, False), (-1, True), (0, True)])
def test_quantile_levels_dims_and_interpolation(interpolation, dim, keepdim):
    x = randn(3, 7)
    levels = np.array([0.0, 0.1, 0.5, 0.75, 1.0])
    parity(lambda m, x: m.quantile(x, 0.3, dim, keepdim, interpolation=interpolation), x)
    parity(lambda m, x, q: m.quantile(x, q, dim=dim, keepdim=keepdim, interpolation=interpolation), x, levels)
    parity(lambda m, x, q: x.nanquantile(q, dim, keepdim, interpolation=interpolation), x, np.array(0.6))


def test_quantile_nearest_rounds_halves_to_even():
    levels = np.array([0.1, 0.3, 0.5, 0.7, 0.9], dtype=np.float32)
    parity(lambda m, x, q: m.quantile(x, q, interpolation="nearest"), np.arange(1.0, 7.0, dtype=np.float32), levels)


def test_quantile_small_shapes_and_layouts():
    parity(lambda m, x: m.quantile(x, 0.25), np.array(3.0))
    parity(lambda m, x: m.quantile(x, 0.25, dim=0, keepdim=True), np.array(3.0))
    parity(lambda m, x, q: m.quantile(x, q), randn(4), np.zeros(0))
    parity(lambda m, x: m.quantile(x, 0.4, dim=0), noncontiguous(randn(5, 3)))
    parity(lambda m, x: m.quantile(x, 0.4, dim=1), randn(2, 5, 3, dtype=np.float32))


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
def test_quantile_nan(interpolation):
    x = randn(3, 6)
    x[0, 2] = x[2, 0] = x[2, 4] = np.nan
    x[1, :] = np.nan
    parity(lambda m, x: m.quantile(x, 0.35, dim=1, interpolation=interpolation), x)
    parity(lambda m, x: m.nanquantile(x, 0.35, dim=1, interpolation=interpolation), x)
    parity(lambda m, x, q: m.nanquantile(x, q, interpolation=interpolation), x, np.array([0.2, 0.9]))


@settings(max_examples=25, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5),
                  elements=st.floats(-100, 100)),
       st.floats(0, 1), st.integers(-3, 2), st.booleans())
def test_quantile_random_shapes(x, q, dim, keepdim):
    dim = dim % x.ndim
    parity(lambda m, x: m.quantile(x, q, dim, keepdim), x, grad=False)
    parity(lambda m, x: m.nanquantile(x, q, dim, keepdim, interpolation="midpoint"), x, grad=False)


def test_quantile_errors():
    x = randn(2, 3)
    same_error(lambda m, x: m.quantile(x, 0.5), randint(0, 3, 4))
    same_error(lambda m, x: m.quantile(x, 0.5), randn(4, dtype=np.float16))
    same_error(lambda m, x: m.quantile(x, 1.5), x)
    same_error(lambda m, x: m.quantile(x, -0.1), x)
    same_error(lambda m, x, q: m.quantile(x, q), x, np.array([0.5, 1.5]))
    same_error(lambda m, x, q: m.quantile(x, q), x, np.array([0.2, np.nan]))
    same_error(lambda m, x, q: m.quantile(x, q), x, np.array([[0.5]]))
    same_error(lambda m, x, q: m.quantile(x, q), x, np.array([0.5], dtype=np.float32))
    same_error(lambda m, x: m.quantile(x, 0.5, interpolation="foo"), x)
    same_error(lambda m, x: m.nanquantile(x, 0.5), np.zeros((2, 0)))
    same_error(lambda m, x: m.quantile(x, 0.5, dim=2), x)


def test_quantile_finite_differences():
    check_grad(lambda x: ember.quantile(x, ember.tensor([0.2, 0.7], dtype=ember.float64), dim=1), randn(3, 5))
    check_grad(lambda x: ember.nanquantile(x, 0.4, interpolation="midpoint"), randn(6))


# ----------------------------------------------------------------------------- histc and histogram

def test_histc_values():
    x = np.array([1.0, 2.0, 1.0, 4.0, 2.5, 7.0, -3.0])
    for dtype in (np.float32, np.float64, np.float16):
        parity(lambda m, x: m.histc(x, bins=4), x.astype(dtype), grad=False)
        parity(lambda m, x: m.histc(x, bins=4, min=0, max=3), x.astype(dtype), grad=False)
    parity(lambda m, x: x.histc(bins=7, min=-1.5, max=2.5), randn(5, 20), grad=False)
    parity(lambda m, x: m.histc(x), noncontiguous(randn(6, 5)), grad=False)
    parity(lambda m, x: m.histc(x, bins=3, min=5, max=5), randn(50), grad=False)      # equal: the data's range


def test_histc_edge_cases():
    parity(lambda m, x: m.histc(x, bins=4), np.ones(3), grad=False)
    parity(lambda m, x: m.histc(x, bins=4), np.zeros(0), grad=False)
    parity(lambda m, x: m.histc(x, bins=2), np.array(3.0), grad=False)
    parity(lambda m, x: m.histc(x, bins=4, min=0, max=2), np.array([1.0, np.nan, 2.0, 0.0]), grad=False)
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    assert not ember.histc(x).requires_grad


def test_histc_errors():
    same_error(lambda m, x: m.histc(x, bins=4), np.array([1, 2]))
    same_error(lambda m, x: m.histc(x, bins=0), randn(3))
    same_error(lambda m, x: m.histc(x, bins=4, min=3, max=1), randn(3))
    same_error(lambda m, x: m.histc(x, bins=4), np.array([1.0, np.inf]))
    same_error(lambda m, x: m.histc(x, bins=4), np.array([1.0, np.nan]))


def test_histogram_counts_and_edges():
    x = np.array([1.0, 2.0, 1.0, 4.0, 2.5, 7.0], dtype=np.float32)
    parity(lambda m, x: m.histogram(x, 4), x, grad=False)
    parity(lambda m, x: m.histogram(x, bins=4, range=(0.0, 3.0)), x, grad=False)
    parity(lambda m, x: m.histogram(x, bins=4, range=(0, 3)), x, grad=False)
    parity(lambda m, x, b: m.histogram(x, b), x, np.array([0.0, 1.0, 2.5, 8.0], dtype=np.float32), grad=False)
    parity(lambda m, x, b: x.histogram(b, density=True), x, np.array([0.0, 1.0, 2.5, 8.0], dtype=np.float32),
           grad=False)
    parity(lambda m, x, w: m.histogram(x, 4, weight=w, density=True), x, np.arange(6.0, dtype=np.float32),
           grad=False)
    parity(lambda m, x, w: m.histogram(x, 5, weight=w), randn(3, 4), positive(3, 4), grad=False)
    parity(lambda m, x: m.histogram(x, 3), noncontiguous(randn(4, 5)), grad=False)


def test_histogram_edge_cases():
    parity(lambda m, x: m.histogram(x, 4), np.ones(3), grad=False)
    parity(lambda m, x: m.histogram(x, 4), np.zeros(0), grad=False)
    parity(lambda m, x: m.histogram(x, 4, range=(2.0, 2.0)), np.zeros(0), grad=False)
    parity(lambda m, x: m.histogram(x, 4, range=(0.0, 2.0)), np.array([np.nan, 1.0, 2.0]), grad=False)
    parity(lambda m, x, b: m.histogram(x, b), randn(5), np.array([3.0, 1.0]), grad=False)
    result = ember.histogram(ember.tensor([1.0, 2.0, 4.0]), 2)
    assert isinstance(result, ember.return_types.histogram)
    assert result.hist.tolist() == [2.0, 1.0] and result.bin_edges.tolist() == [1.0, 2.5, 4.0]


def test_histogram_has_no_derivative():
    for lib in (ember, torch):
        x = lib.tensor([1.0, 2.0, 4.0], requires_grad=True)
        hist, edges = lib.histogram(x, 2)
        assert hist.requires_grad
        with pytest.raises(RuntimeError):
            hist.sum().backward()


def test_histogram_errors():
    x = randn(6)
    same_error(lambda m, x: m.histogram(x, 4), np.array([1, 2]))
    same_error(lambda m, x: m.histogram(x, 0), x)
    same_error(lambda m, x: m.histogram(x, 3, range=(3.0, 1.0)), x)
    same_error(lambda m, x: m.histogram(x, 3, range=(0.0, INF)), x)
    same_error(lambda m, x: m.histogram(x, 3), np.array([np.nan, 1.0]))
    same_error(lambda m, x, b: m.histogram(x, b), x, np.array([3.0]))
    same_error(lambda m, x, b: m.histogram(x, b), x, np.array([[1.0, 3.0]]))
    same_error(lambda m, x, b: m.histogram(x, b), x, np.array([1.0, 3.0], dtype=np.float32))
    same_error(lambda m, x, b: m.histogram(x, b, range=(0.0, 1.0)), x, np.array([1.0, 3.0]))
    same_error(lambda m, x, w: m.histogram(x, 3, weight=w), x, np.ones(5))
    same_error(lambda m, x, w: m.histogram(x, 3, weight=w), x, np.ones(6, dtype=np.float32))


# ----------------------------------------------------------------------------- cdist and dist

@pytest.mark.parametrize("p", [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, INF])
def test_cdist_norms(p):
    parity(lambda m, a, b: m.cdist(a, b, p=p), randn(4, 3), randn(5, 3))
    parity(lambda m, a, b: m.cdist(a, b, p), randn(2, 3, 2), noncontiguous(randn(4, 2)))


@pytest.mark.parametrize("p", [0.0, 0.5, 1.0, 2.0, 3.0, INF])
def test_cdist_zero_distances_and_ties(p):
    a = np.array([[0.0, 1.0], [2.0, 2.0], [1.0, -1.0]])
    b = np.array([[1.0, 0.0], [2.0, 2.0]])                       # a repeated row, and inf-norm ties
    parity(lambda m, a, b: m.cdist(a, b, p=p, compute_mode="donot_use_mm_for_euclid_dist"), a, b)


@pytest.mark.parametrize("mode", ["use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
                                  "donot_use_mm_for_euclid_dist"])
def test_cdist_compute_modes(mode):
    parity(lambda m, a, b: m.cdist(a, b, compute_mode=mode), randn(30, 4), randn(6, 4))
    parity(lambda m, a, b: m.cdist(a, b, compute_mode=mode), randn(2, 3, 4), randn(1, 5, 4))


def test_cdist_batches_and_empty():
    parity(lambda m, a, b: m.cdist(a, b), randn(2, 1, 3, 2), randn(5, 4, 2))
    parity(lambda m, a, b: m.cdist(a, b), randn(0, 2), randn(4, 2))
    parity(lambda m, a, b: m.cdist(a, b, p=1), randn(3, 0), randn(4, 0))
    parity(lambda m, a, b: m.cdist(a, b), randn(3, 2, dtype=np.float32), randn(40, 2, dtype=np.float32), atol=1e-5)


def test_cdist_errors():
    a, b = randn(3, 2), randn(4, 2)
    same_error(lambda m, a, b: m.cdist(a, b), randint(0, 3, 3, 2), randint(0, 3, 4, 2))
    same_error(lambda m, a, b: m.cdist(a, b), a, b.astype(np.float32))
    same_error(lambda m, a, b: m.cdist(a, b), a.astype(np.float16), b.astype(np.float16))
    same_error(lambda m, a, b: m.cdist(a, b), a[0], b)
    same_error(lambda m, a, b: m.cdist(a, b), a, b[:, :1])
    same_error(lambda m, a, b: m.cdist(a, b, p=-1), a, b)
    same_error(lambda m, a, b: m.cdist(a, b, compute_mode="foo"), a, b)
    same_error(lambda m, a, b: m.cdist(a, b), randn(2, 3, 2), randn(3, 4, 2))


@pytest.mark.parametrize("p", [1.5, 2.0, 3.0, INF])
def test_cdist_finite_differences(p):
    check_grad(lambda a, b: ember.cdist(a, b, p=p), randn(3, 2), randn(4, 2))


def test_cdist_by_products_finite_differences():
    check_grad(lambda a, b: ember.cdist(a, b, compute_mode="use_mm_for_euclid_dist"), randn(3, 2), randn(2, 4, 2))


@pytest.mark.parametrize("p", [0, 1, 2, 3.5, INF, -INF, -1])
def test_dist(p):
    grad = p != 0                                   # torch's backward of dist(p=0) fails (an undefined tensor)
    parity(lambda m, a, b: m.dist(a, b, p), randn(3, 4), randn(4), grad=grad)
    parity(lambda m, a, b: a.dist(b, p=p), noncontiguous(randn(3, 2)), randn(3, 2), grad=grad)


def test_dist_edge_cases_and_errors():
    parity(lambda m, a: m.dist(a, a), randn(3))                            # zero distance: zero gradient
    parity(lambda m, a, b: m.dist(a, b), randn(3, dtype=np.float32), randn(3))
    parity(lambda m, a, b: m.dist(a, b), np.zeros(0), np.zeros(0))
    same_error(lambda m, a, b: m.dist(a, b), randint(0, 3, 3), randint(0, 3, 3))
    same_error(lambda m, a, b: m.dist(a, b), randn(3), randn(4))
    same_error(lambda m, a, b: m.dist(a, b, INF), np.zeros(0), np.zeros(0))
    check_grad(lambda a, b: ember.dist(a, b, 3), randn(2, 3), randn(3))


# ----------------------------------------------------------------------------- renorm

@pytest.mark.parametrize("p", [1, 2, 3.0, INF])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_renorm(p, dim):
    parity(lambda m, x: m.renorm(x, p, dim, 1.0), randn(3, 4, 2))
    parity(lambda m, x: x.renorm(p, dim, 0.5), noncontiguous(randn(4, 3)))


def test_renorm_inplace_dtypes_and_empty():
    parity(lambda m, x: x.clone().renorm_(2, 0, 1.0), randn(3, 4))
    parity(lambda m, x: m.renorm(x, 2, 0, 1.0), randn(3, 4, dtype=np.float16) * 3, rtol=2e-3, atol=2e-3)
    parity(lambda m, x: m.renorm(x, 2, 1, 0.0), randn(3, 4))
    parity(lambda m, x: m.renorm(x, 2, 0, 1.0), np.zeros((2, 0)))


def test_renorm_errors():
    x = randn(3, 2)
    same_error(lambda m, x: m.renorm(x, 2, 0, -1.0), x)
    same_error(lambda m, x: m.renorm(x, 0, 0, 1.0), x)
    same_error(lambda m, x: m.renorm(x, -1, 0, 1.0), x)
    same_error(lambda m, x: m.renorm(x, 2, 0, 1), randint(0, 3, 3, 2))
    same_error(lambda m, x: m.renorm(x, 2, 0, 1), randn(3))
    same_error(lambda m, x: m.renorm(x, 2, 5, 1), np.array(3.0))
    same_error(lambda m, x: m.renorm(x, 2, 5, 1), x)


def test_renorm_finite_differences():
    check_grad(lambda x: ember.renorm(x, 2, 0, 1.0), randn(3, 4) * 2)
    check_grad(lambda x: ember.renorm(x, 1.5, 1, 0.7), randn(3, 4))


# ----------------------------------------------------------------------------- trapezoid and cumulative_trapezoid

@pytest.mark.parametrize("fn", ["trapezoid", "trapz", "cumulative_trapezoid"])
def test_trapezoid_spacing_forms(fn):
    y = randn(3, 5)
    parity(lambda m, y: getattr(m, fn)(y), y)
    parity(lambda m, y: getattr(m, fn)(y, dx=0.5, dim=0), y)
    parity(lambda m, y, x: getattr(m, fn)(y, x), y, np.sort(randn(5)))                  # 1-D sample points
    parity(lambda m, y, x: getattr(m, fn)(y, x, dim=0), y, randn(3, 5))                  # same shape as y
    parity(lambda m, y, x: getattr(m, fn)(y, x), y, randn(1, 5))                         # broadcasting
    parity(lambda m, y, x: getattr(m, fn)(y, x), randn(2, 3, 4), randn(3, 4))             # fewer dimensions
    parity(lambda m, y, x: getattr(m, fn)(y, x, dim=1), noncontiguous(randn(4, 3)), noncontiguous(randn(4, 3)))


@pytest.mark.parametrize("fn", ["trapezoid", "cumulative_trapezoid"])
def test_trapezoid_dtypes_and_small_shapes(fn):
    y = np.array([1, 2, 4, 7])
    parity(lambda m, y: getattr(m, fn)(y), y, grad=False)
    parity(lambda m, y: getattr(m, fn)(y, dx=2), y, grad=False)
    parity(lambda m, y, x: getattr(m, fn)(y, x), y, np.array([0, 1, 3, 4]), grad=False)
    parity(lambda m, y, x: getattr(m, fn)(y, x), y.astype(np.float16), np.array([0.0, 1.0, 3.0, 4.0]), grad=False)
    parity(lambda m, y: getattr(m, fn)(y), np.ones((2, 0)))
    parity(lambda m, y: getattr(m, fn)(y), np.ones((2, 0), dtype=np.int64), grad=False)
    parity(lambda m, y: getattr(m, fn)(y), randn(2, 1))


@pytest.mark.parametrize("fn", ["trapezoid", "cumulative_trapezoid"])
def test_trapezoid_errors(fn):
    same_error(lambda m, y: getattr(m, fn)(y), np.array([True, False]))
    same_error(lambda m, y: getattr(m, fn)(y), np.array(3.0))
    same_error(lambda m, y, x: getattr(m, fn)(y, x), randn(4), randn(3))
    same_error(lambda m, y, x: getattr(m, fn)(y, x), randn(4), np.array([True, False, True, True]))
    same_error(lambda m, y, x: getattr(m, fn)(y, x), randn(2, 3), randn(2, 2, 3))
    same_error(lambda m, y: getattr(m, fn)(y, dim=3), randn(2, 3))
    same_error(lambda m, y, x: getattr(m, fn)(y, x, dx=1), randn(3), randn(3))


def test_trapezoid_dx_errors():
    same_error(lambda m, y: m.trapezoid(y, dx=True), randn(3))
    same_error(lambda m, y: m.cumulative_trapezoid(y, dx=True), randn(3))


def test_trapezoid_finite_differences():
    check_grad(lambda y, x: ember.trapezoid(y, x), randn(3, 4), randn(4))
    check_grad(lambda y: ember.trapezoid(y, dx=0.3, dim=0), randn(3, 4))
    check_grad(lambda y, x: ember.cumulative_trapezoid(y, x, dim=0), randn(3, 4), randn(3, 4))
