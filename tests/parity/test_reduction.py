"""Parity of the reduction family: sums, means, products, statistics, extremes, norms, scans."""

import pickle
import warnings

import numpy as np
import pytest
from helpers import check_grad, noncontiguous, parity, positive, randint, randn, same_error
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember

NAN, INF = float("nan"), float("inf")

SHAPES_AND_DIMS = [((3, 4), None), ((3, 4), 0), ((3, 4), -1), ((2, 3, 4), (0, 2)), ((2, 3, 4), [-1, 1]),
                   ((2, 3, 4), ()), ((5,), 0), ((), None), ((), 0), ((), -1), ((0, 3), 0), ((0, 3), 1),
                   ((0, 3), None)]


def with_zeros(*shape, count=2):
    """Random values with ``count`` zeros per row of the last dimension (zeros test product gradients)."""
    x = randn(*shape)
    if x.ndim:
        x[..., :count] = 0
        x = np.ascontiguousarray(np.random.default_rng(0).permuted(x, axis=-1))
    return x


# ----------------------------------------------------------------------------- sum, mean and friends

@pytest.mark.parametrize("op", ["sum", "nansum", "mean", "nanmean"])
@pytest.mark.parametrize("shape,dim", SHAPES_AND_DIMS)
@pytest.mark.parametrize("keepdim", [False, True])
def test_sum_family_shapes_and_dims(op, shape, dim, keepdim):
    x = randn(*shape)
    if dim is None:
        parity(lambda m, t: getattr(m, op)(t), x)
        parity(lambda m, t: getattr(m, op)(t, dim=None, keepdim=keepdim), x)
    else:
        parity(lambda m, t: getattr(m, op)(t, dim, keepdim), x)
        parity(lambda m, t: getattr(t, op)(dim, keepdim=keepdim), x)


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_sum_and_mean_random_shapes(data):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4))
    ndim = len(shape)
    dims = data.draw(st.lists(st.integers(-ndim, ndim - 1), unique_by=lambda d: d % ndim, max_size=ndim)
                     if ndim else st.just([]))
    keepdim = data.draw(st.booleans())
    x = randn(*shape)
    parity(lambda m, t: m.sum(t, tuple(dims), keepdim), x)
    parity(lambda m, t: m.mean(t, tuple(dims), keepdim), x)
    parity(lambda m, t: m.sum(t, tuple(dims), keepdim), randint(-5, 5, *shape))


@pytest.mark.parametrize("op", ["sum", "mean", "prod", "nansum", "std", "var", "amax", "logsumexp", "norm"])
def test_noncontiguous_inputs(op):
    x = noncontiguous(positive(4, 5))
    parity(lambda m, t: getattr(m, op)(t, 0), x)
    parity(lambda m, t: getattr(m, op)(t, -1), x)


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8, np.int8, np.bool_])
def test_integer_and_bool_sums_give_int64(dtype):
    x = randint(0, 3, 3, 4).astype(dtype)
    parity(lambda m, t: (m.sum(t), m.sum(t, 1), m.nansum(t, 0), m.prod(t), m.prod(t, 0),
                         m.cumsum(t, 1), m.cumprod(t, 0)), x)


def test_dtype_arguments():
    ints, floats = randint(0, 5, 3, 4), randn(3, 4, dtype=np.float32)
    parity(lambda m, t: (m.sum(t, dtype=m.int32), m.sum(t, 0, dtype=m.float64), m.prod(t, 1, dtype=m.float32),
                         m.mean(t, dtype=m.float64), m.cumsum(t, 1, dtype=m.float32)), ints)
    parity(lambda m, t: (m.sum(t, dtype=m.float64), m.mean(t, 1, dtype=m.float64), m.nansum(t, dtype=m.float64),
                         m.cumsum(t, 0, dtype=m.float64)), floats)
    parity(lambda m, t: (m.sum(t, dtype=m.int64), m.prod(t, 1, dtype=m.int32)), floats, grad=False)
    parity(lambda m, t: m.sum(t, dtype=m.bool), np.array([True, False]))


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_low_precision_floats(dtype):
    x = randn(4, 6, dtype=dtype)
    parity(lambda m, t: (m.sum(t, 1), m.mean(t), m.std(t, 0), m.amax(t, 1), m.cumsum(t, 1), m.norm(t)), x,
           rtol=2e-3, atol=2e-3)


def test_nan_handling_of_sums():
    x = np.array([[1.0, NAN, 2.0], [NAN, NAN, NAN], [3.0, 4.0, 5.0]])
    parity(lambda m, t: (m.nansum(t, 1), m.nanmean(t, 1), m.nanmean(t), m.nansum(t), m.sum(t, 1)), x)
    check_grad(lambda t: ember.nansum(t, 1) + ember.nanmean(t, 1)[0] * 0, np.array([[1.0, 2.0], [3.0, 4.0]]))


def test_sum_mean_errors():
    same_error(lambda m, t: m.mean(t), randint(0, 3, 4), match="Input dtype must be either a floating point")
    same_error(lambda m, t: m.mean(t, dtype=m.int64), randn(4), match="Optional dtype")
    same_error(lambda m, t: m.nanmean(t), randint(0, 3, 4))
    same_error(lambda m, t: m.sum(t, 2), randn(2, 3), match="Dimension out of range")
    same_error(lambda m, t: m.sum(t, 1), randn(), match="Dimension out of range")
    same_error(lambda m, t: m.mean(t, (0, -2)), randn(2, 3), match="appears multiple times")
    same_error(lambda m, t: m.sum(t, -3), randn(2, 3))


def test_sum_mean_message():
    with pytest.raises(RuntimeError, match="mean\\(\\): could not infer output dtype. Input dtype must be either a "
                                           "floating point or complex dtype. Got: Long"):
        ember.mean(ember.tensor([1, 2]))


@pytest.mark.parametrize("op", ["sum", "mean", "nansum", "nanmean"])
def test_sum_family_finite_differences(op):
    check_grad(lambda t: getattr(ember, op)(t, (0, 2), keepdim=True), randn(2, 3, 2))
    check_grad(lambda t: getattr(ember, op)(t), randn(3, 2))


def test_sum_to_size_still_works():
    parity(lambda m, t: t.sum_to_size(1, 3), randn(2, 3))
    parity(lambda m, t: t.sum_to_size((3,)), randn(4, 3))


# ----------------------------------------------------------------------------- products

@pytest.mark.parametrize("zeros", [0, 1, 2])
def test_prod_with_zeros(zeros):
    x = with_zeros(3, 5, count=zeros)
    parity(lambda m, t: (m.prod(t), m.prod(t, 1), m.prod(t, 0, keepdim=True), t.prod(-1)), x)
    check_grad(lambda t: ember.prod(t, 1), x)
    check_grad(lambda t: ember.prod(t), x[:2])


def test_prod_shapes_and_errors():
    parity(lambda m, t: (m.prod(t), m.prod(t, 0), m.prod(t, 0, True)), randn())
    parity(lambda m, t: (m.prod(t), m.prod(t, 0), m.prod(t, 1)), randn(0, 3))
    same_error(lambda m, t: m.prod(t, (0, 1)), randn(2, 3))
    same_error(lambda m, t: m.prod(t, keepdim=True), randn(2, 3))
    same_error(lambda m, t: m.prod(t, 2), randn(2, 3))


# ----------------------------------------------------------------------------- scans

@pytest.mark.parametrize("op", ["cumsum", "cumprod", "logcumsumexp", "cummax", "cummin"])
@pytest.mark.parametrize("shape,dim", [((3, 4), 0), ((3, 4), -1), ((2, 3, 4), 1), ((), 0), ((0, 3), 0),
                                       ((0, 3), 1), ((6,), -1)])
def test_scans(op, shape, dim):
    parity(lambda m, t: getattr(m, op)(t, dim), randn(*shape))
    parity(lambda m, t: getattr(t, op)(dim=dim), randn(*shape))


@pytest.mark.parametrize("op", ["cumsum", "cumprod"])
@pytest.mark.parametrize("shape", [(), (3,)])
def test_scans_with_integer_dtype(op, shape):
    parity(lambda m, t: getattr(m, op)(t, 0, dtype=m.int32), randint(-3, 4, *shape, dtype=np.int32))
    parity(lambda m, t: getattr(m, op)(t, 0), randint(-3, 4, *shape, dtype=np.int32))


@pytest.mark.parametrize("op", ["cumsum", "cumprod", "logcumsumexp", "cummax", "cummin"])
def test_scans_noncontiguous(op):
    parity(lambda m, t: getattr(m, op)(t, 0), noncontiguous(randn(4, 3)))


@pytest.mark.parametrize("zeros", [0, 1, 2])
def test_cumprod_gradient_with_zeros(zeros):
    x = with_zeros(2, 5, count=zeros)
    parity(lambda m, t: m.cumprod(t, 1), x)
    check_grad(lambda t: ember.cumprod(t, 1), x)
    check_grad(lambda t: ember.cumprod(t, 0), x.T.copy())


@pytest.mark.parametrize("op", ["cumsum", "logcumsumexp", "cummax", "cummin"])
def test_scan_finite_differences(op):
    check_grad(lambda t: getattr(ember, op)(t, 1), randn(2, 5))


def test_cummax_ties_nan_and_dtypes():
    parity(lambda m, t: (m.cummax(t, 0), m.cummin(t, 0)), np.array([1, 3, 3, 2, 3, 1, 1]))
    parity(lambda m, t: (m.cummax(t, 0), m.cummin(t, 0)), np.array([1.0, NAN, 3.0, NAN, -1.0]))
    parity(lambda m, t: (m.cummax(t, 0), m.cummin(t, 0)), np.array([True, False, True]))
    parity(lambda m, t: m.cummax(t, 1), randint(0, 3, 4, 6).astype(np.uint8))
    parity(lambda m, t: m.cummax(t, 1), np.array([[1.0, 2.0, 2.0, 0.5]]))   # tied maxima: gradient to the later


def test_logcumsumexp_extremes():
    parity(lambda m, t: m.logcumsumexp(t, 0), np.array([1000.0, -1000.0, 1001.0, 3.0]))
    parity(lambda m, t: m.logcumsumexp(t, 0), np.array([1.0, INF, 2.0]), grad=False)
    check_grad(lambda t: ember.logcumsumexp(t, 0), np.array([200.0, -50.0, 201.0, 3.0]))


def test_scan_errors_and_inplace():
    same_error(lambda m, t: m.logcumsumexp(t, 0), randint(0, 3, 4))
    same_error(lambda m, t: m.cumsum(t, 2), randn(2, 3), match="Dimension out of range")
    same_error(lambda m, t: m.cumsum(t, 0, dtype=m.bool), randint(0, 3, 4))
    parity(lambda m, t: t.clone().cumsum_(1), randn(2, 3))
    parity(lambda m, t: t.clone().cumprod_(0), randn(2, 3))


# ----------------------------------------------------------------------------- variance and deviation

VARIANCE_CALLS = [((), {}), ((True,), {}), ((0,), {}), ((1, False, True), {}), ((False,), {}),
                  ((), {"dim": (0, 1), "correction": 0, "keepdim": True}), ((), {"unbiased": False}),
                  ((-1,), {"correction": 2.5}), ((), {"dim": None, "correction": 0}), ((1,), {"keepdim": True}),
                  (([0, 1],), {"unbiased": True})]


@pytest.mark.parametrize("args,kwargs", VARIANCE_CALLS)
@pytest.mark.parametrize("op", ["var", "std"])
def test_variance_forms(op, args, kwargs):
    parity(lambda m, t: getattr(m, op)(t, *args, **kwargs), randn(4, 5))
    parity(lambda m, t: getattr(t, op)(*args, **kwargs), noncontiguous(randn(4, 5)))


@pytest.mark.parametrize("op", ["std_mean", "var_mean"])
def test_std_mean_and_var_mean(op):
    x = randn(3, 4)
    parity(lambda m, t: getattr(m, op)(t), x)
    parity(lambda m, t: getattr(m, op)(t, 1, keepdim=True), x)
    parity(lambda m, t: getattr(m, op)(t, True), x)
    parity(lambda m, t: getattr(m, op)(t, (0, 1), correction=0), x)
    assert type(getattr(ember, op)(ember.tensor(x))) is tuple


def test_variance_edge_cases():
    parity(lambda m, t: (m.std(t, 1), m.var(t, 1)), np.array([[2.0, 2.0, 2.0], [1.0, 2.0, 4.0]]))  # 0 gradient
    parity(lambda m, t: (m.std(t, correction=0), m.var(t, correction=0)), randn())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")        # both libraries warn about the degrees of freedom here
        parity(lambda m, t: (m.std(t, 0), m.var(t, 1), m.var(t, 1, correction=5)), randn(0, 3), grad=False)
        parity(lambda m, t: (m.std(t, 1, correction=5), m.var(t, 1, correction=3)), randn(2, 3), grad=False)
    with pytest.warns(UserWarning, match="degrees of freedom"):
        ember.var(ember.ones(2, 3), 1, correction=3)


def test_variance_errors():
    same_error(lambda m, t: m.var(t), randint(0, 3, 4), match="floating point")
    same_error(lambda m, t: m.std(t), np.array([True, False]))
    same_error(lambda m, t: m.var(t, 1, correction=0, unbiased=False), randn(2, 3))
    same_error(lambda m, t: m.var(t, True, False), randn(3))
    same_error(lambda m, t: m.std(t, 2), randn(2, 3))


@pytest.mark.parametrize("op", ["std", "var"])
def test_variance_finite_differences(op):
    check_grad(lambda t: getattr(ember, op)(t, 1), randn(3, 4))
    check_grad(lambda t: getattr(ember, op)(t, (0, 1), correction=0, keepdim=True), randn(2, 3))
    check_grad(lambda t: ember.std_mean(t, 0)[0] + ember.var_mean(t, 0)[1], randn(3, 2))


# ----------------------------------------------------------------------------- max, min and friends

@pytest.mark.parametrize("op", ["max", "min"])
def test_max_min_forms(op):
    x = randn(3, 4)
    parity(lambda m, t: getattr(m, op)(t), x)
    parity(lambda m, t: getattr(m, op)(t, 1), x)
    parity(lambda m, t: getattr(m, op)(t, dim=0, keepdim=True), x)
    parity(lambda m, t: getattr(t, op)(-1), noncontiguous(x))
    parity(lambda m, t: getattr(m, op)(t, 0), randn())
    parity(lambda m, t: getattr(m, op)(t, 1), randn(0, 3))
    parity(lambda m, t, u: getattr(m, op)(t, u), randn(3, 4), randn(4))
    parity(lambda m, t, u: getattr(m, op)(t, other=u), randn(3, 1), randn(2, 1, 4))
    parity(lambda m, t, u: getattr(t, op)(u), randn(3), np.array([0.5]))


@pytest.mark.parametrize("op", ["max", "min"])
def test_max_min_dtypes_ties_and_nan(op):
    parity(lambda m, t: (getattr(m, op)(t), getattr(m, op)(t, 1)), randint(-3, 3, 4, 6))
    parity(lambda m, t: (getattr(m, op)(t), getattr(m, op)(t, 0)), np.array([True, False, True]))
    ties = np.array([[1.0, 3.0, 3.0, -2.0, -2.0], [0.5, 0.5, 0.5, 0.5, 0.5]])
    parity(lambda m, t: (getattr(m, op)(t), getattr(m, op)(t, 1)), ties)          # whole-tensor ties share
    parity(lambda m, t: (getattr(m, op)(t), getattr(m, op)(t, 1)), np.array([[1.0, NAN, 2.0, NAN]]))
    parity(lambda m, t, u: getattr(m, op)(t, u), np.array([1.0, 2.0, NAN]), np.array([1.0, 3.0, 0.0]))
    parity(lambda m, t, u: getattr(m, op)(t, u), randint(0, 4, 3), randn(3))


@pytest.mark.parametrize("op", ["max", "min"])
def test_max_min_with_a_tensor_without_the_elementwise_family(op, monkeypatch):
    from ember.ops import elementwise
    monkeypatch.delattr(elementwise, "maximum" if op == "max" else "minimum", raising=False)
    parity(lambda m, t, u: getattr(m, op)(t, u), randn(3, 4), randn(4))
    parity(lambda m, t, u: getattr(m, op)(t, u), np.array([1.0, 2.0, NAN, 0.5]), np.array([1.0, 3.0, 0.0, NAN]))
    parity(lambda m, t, u: getattr(t, op)(u), randint(0, 4, 3), randn(3, dtype=np.float32))
    check_grad(lambda t, u: getattr(ember, op)(t, u), randn(3, 4), randn(4))


def test_max_min_return_types():
    result = ember.max(ember.tensor([[1.0, 5.0], [4.0, 2.0]], requires_grad=True), 1)
    values, indices = result
    assert isinstance(result, tuple) and isinstance(result, ember.return_types.max)
    assert result.values is values and result[1] is indices and len(result) == 2
    assert values.requires_grad and not indices.requires_grad and indices.dtype is ember.int64
    assert repr(result).startswith("ember.return_types.max(\nvalues=tensor(")
    again = pickle.loads(pickle.dumps(ember.min(ember.tensor([3, 1]), 0)))
    assert type(again) is ember.return_types.min and again.indices.item() == 1
    assert ember.return_types.aminmax((1, 2)).max == 2
    with pytest.raises(TypeError):
        ember.return_types.max((1, 2, 3))


def test_max_min_errors():
    same_error(lambda m, t: m.max(t), randn(0, 3), match="Expected reduction dim to be specified")
    same_error(lambda m, t: m.min(t, 0), randn(0, 3), match="Expected reduction dim 0 to have non-zero size")
    same_error(lambda m, t: m.max(t, 2), randn(2, 3), match="Dimension out of range")
    same_error(lambda m, t: m.max(t, keepdim=True), randn(2, 3))
    same_error(lambda m, t: m.max(t, 0.5), randn(2, 3))
    same_error(lambda m, t, u: m.min(t, u), randn(2, 3), randn(3, 2))


@pytest.mark.parametrize("op", ["max", "min"])
def test_max_min_finite_differences(op):
    x = randn(3, 4)
    check_grad(lambda t: getattr(ember, op)(t, 1)[0], x)
    check_grad(lambda t: getattr(ember, op)(t, 0, keepdim=True).values, x)
    check_grad(lambda t: getattr(ember, op)(t), x)
    check_grad(lambda t, u: getattr(ember, op)(t, u), randn(3, 4), randn(4))


@pytest.mark.parametrize("op", ["amax", "amin"])
@pytest.mark.parametrize("shape,dim", [s for s in SHAPES_AND_DIMS if 0 not in s[0]])
def test_amax_amin_dims(op, shape, dim):
    x = randn(*shape)
    if dim is None:
        parity(lambda m, t: getattr(m, op)(t), x)
    else:
        parity(lambda m, t: (getattr(m, op)(t, dim), getattr(t, op)(dim, keepdim=True)), x)


@pytest.mark.parametrize("op", ["amax", "amin"])
def test_amax_amin_ties_dtypes_and_errors(op):
    ties = np.array([[1.0, 3.0, 3.0, -2.0], [-2.0, 0.5, 3.0, -2.0]])
    parity(lambda m, t: (getattr(m, op)(t), getattr(m, op)(t, 0), getattr(m, op)(t, 1)), ties)
    parity(lambda m, t: getattr(m, op)(t, 1), randint(-3, 3, 3, 4))
    parity(lambda m, t: getattr(m, op)(t), np.array([True, False]))
    parity(lambda m, t: getattr(m, op)(t, 1), randn(0, 3))
    same_error(lambda m, t: getattr(m, op)(t), randn(0, 3), match="Expected reduction dim to be specified")
    same_error(lambda m, t: getattr(m, op)(t, 0), randn(0, 3), match="non-zero size")
    check_grad(lambda t: getattr(ember, op)(t, (0, 2)), randn(2, 3, 2))


@pytest.mark.parametrize("op", ["argmax", "argmin"])
def test_argmax_argmin(op):
    x = randn(3, 4)
    parity(lambda m, t: (getattr(m, op)(t), getattr(m, op)(t, 1), getattr(m, op)(t, 0, True),
                         getattr(m, op)(t, keepdim=True), getattr(t, op)(dim=-1)), x)
    parity(lambda m, t: (getattr(m, op)(t), getattr(m, op)(t, 1)), randint(0, 2, 3, 5))        # first of ties
    parity(lambda m, t: (getattr(m, op)(t), getattr(m, op)(t, 0, True)), randn())
    parity(lambda m, t: (getattr(m, op)(t), getattr(m, op)(t, 0)), np.array([1.0, NAN, 2.0, NAN]))
    parity(lambda m, t: getattr(m, op)(t, 1), randn(0, 3))
    same_error(lambda m, t: getattr(m, op)(t), randn(0, 3), match="numel\\(\\) == 0")
    same_error(lambda m, t: getattr(m, op)(t, 0), randn(0, 3), match="non-zero size")
    same_error(lambda m, t: getattr(m, op)(t), np.array([True, False]), match="bool")


def test_aminmax():
    x = np.array([[1.0, 3.0, 3.0], [-2.0, 0.5, -2.0]])
    parity(lambda m, t: (m.aminmax(t), m.aminmax(t, dim=1), m.aminmax(t, dim=0, keepdim=True),
                         t.aminmax(keepdim=True)), x)
    parity(lambda m, t: m.aminmax(t, dim=1), randn(0, 3))
    parity(lambda m, t: m.aminmax(t), randint(0, 5, 6))
    result = ember.aminmax(ember.tensor([3, 1, 2]))
    assert isinstance(result, ember.return_types.aminmax) and (result.min.item(), result.max.item()) == (1, 3)
    same_error(lambda m, t: m.aminmax(t), randn(0, 3), match="empty")
    same_error(lambda m, t: m.aminmax(t, dim=0), randn(0, 3), match="non-zero size")
    check_grad(lambda t: ember.aminmax(t, dim=0)[0] + ember.aminmax(t, dim=0)[1], randn(3, 2))


# ----------------------------------------------------------------------------- logsumexp

@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")   # inf - inf in the backward
def test_logsumexp():
    x = randn(3, 4)
    parity(lambda m, t: (m.logsumexp(t, 1), m.logsumexp(t, (0, 1), keepdim=True), t.logsumexp(-2)), x)
    parity(lambda m, t: m.logsumexp(t, 1), np.array([[1000.0, 1000.0, -5.0], [-1000.0, -1001.0, -1002.0]]))
    parity(lambda m, t: m.logsumexp(t, 1), np.array([[-INF, -INF], [INF, 1.0], [NAN, 1.0]]))
    parity(lambda m, t: (m.logsumexp(t, 0), m.logsumexp(t, 1)), randn(0, 3))
    parity(lambda m, t: m.logsumexp(t, 0), randn())
    parity(lambda m, t: m.logsumexp(t, 0), randint(0, 4, 5))
    parity(lambda m, t: m.logsumexp(t, 0), noncontiguous(randn(3, 4)))
    same_error(lambda m, t: m.logsumexp(t), randn(3))
    check_grad(lambda t: ember.logsumexp(t, 1), x)
    check_grad(lambda t: ember.logsumexp(t, (0, 1)), randn(2, 2) * 30)


# ----------------------------------------------------------------------------- norms

NORM_ORDERS = [2, 1, 3, 0.5, 1.5, INF, -INF, 0, -1, "fro", None]


@pytest.mark.parametrize("p", NORM_ORDERS)
@pytest.mark.parametrize("dim", [None, 1, (0, 1), -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_norm_orders(p, dim, keepdim):
    x = randn(3, 4)
    parity(lambda m, t: m.norm(t, p, dim, keepdim), x)
    parity(lambda m, t: t.norm(p, dim=dim, keepdim=keepdim), noncontiguous(x))


@pytest.mark.parametrize("p", [2, 1, 3, 0.5, INF, -INF, 0, -1, "fro"])
def test_norm_gradient_at_zero(p):
    x = np.array([[0.0, 0.0, 0.0], [0.0, 1.5, -2.0], [3.0, -1.0, 3.0]])
    parity(lambda m, t: m.norm(t, p, 1), x)


@pytest.mark.parametrize("p", [2, 1, 3, 0.5, -1.5, INF, -INF, "fro"])
def test_norm_finite_differences(p):
    check_grad(lambda t: ember.norm(t, p, 1), positive(3, 4) * np.sign(randn(3, 4)))
    check_grad(lambda t: ember.norm(t, p), randn(2, 3))


def test_norm_second_order_at_a_zero_entry():
    check_grad(lambda t: ember.norm(t, 2, 1), np.array([[0.0, 1.0, -2.0], [3.0, 0.0, 0.5]]))


def test_nuclear_norm_goes_to_linalg():
    parity(lambda m, t: m.norm(t, "nuc"), randn(3, 4))
    parity(lambda m, t: t.norm("nuc", dim=(0, 2), keepdim=True), randn(3, 4, 2))


def test_norm_dtypes_shapes_and_errors():
    parity(lambda m, t: (m.norm(t), m.norm(t, 3, 1, dtype=m.float64), m.norm(t, 2, 0)), randn(3, 4, dtype=np.float32))
    parity(lambda m, t: (m.norm(t), m.norm(t, 1, 0), m.norm(t, INF, 1)), randn(0, 3))
    parity(lambda m, t: (m.norm(t), m.norm(t, 1)), randn())
    parity(lambda m, t: m.norm(t, 2, (0, 1, 2)), randn(2, 3, 2))
    same_error(lambda m, t: m.norm(t), randint(0, 3, 4), match="floating point")
    same_error(lambda m, t: m.norm(t, dtype=m.int64), randn(3), match="floating point")
    same_error(lambda m, t: m.norm(t, "fro", (0, 1, 2)), randn(2, 3, 2), match="2-tuple")
    same_error(lambda m, t: m.norm(t, "abc"), randn(2, 3), match="not supported")
    same_error(lambda m, t: m.norm(t, INF), randn(0, 3), match="inf norm")
    same_error(lambda m, t: m.norm(t, 2, 3), randn(2, 3), match="Dimension out of range")


# ----------------------------------------------------------------------------- all, any, count_nonzero

@pytest.mark.parametrize("op", ["all", "any"])
def test_all_any(op):
    x = randint(0, 2, 3, 4)
    for data in (x, x.astype(bool), x.astype(np.uint8), randn(3, 4), noncontiguous(x.astype(bool))):
        parity(lambda m, t: (getattr(m, op)(t), getattr(m, op)(t, 1), getattr(m, op)(t, 0, keepdim=True),
                             getattr(m, op)(t, (0, 1)), getattr(t, op)(-1)), data)
    parity(lambda m, t: (getattr(m, op)(t), getattr(m, op)(t, 0), getattr(m, op)(t, 1)), np.zeros((0, 3), bool))
    parity(lambda m, t: getattr(m, op)(t), np.array([NAN, 1.0]))
    parity(lambda m, t: (getattr(m, op)(t), getattr(m, op)(t, 0)), np.array(True))
    same_error(lambda m, t: getattr(m, op)(t, 2), randn(2, 3))


def test_count_nonzero():
    x = randint(0, 3, 3, 4)
    parity(lambda m, t: (m.count_nonzero(t), m.count_nonzero(t, 0), m.count_nonzero(t, (0, 1)),
                         m.count_nonzero(t, [-1]), t.count_nonzero(dim=1)), x)
    parity(lambda m, t: (m.count_nonzero(t), m.count_nonzero(t, 1)), np.array([[1.0, 0.0, NAN]]))
    parity(lambda m, t: (m.count_nonzero(t), m.count_nonzero(t, 0)), randn(0, 3))
    parity(lambda m, t: m.count_nonzero(t, 0), np.array(3.0))
    same_error(lambda m, t: m.count_nonzero(t, 2), randn(2, 3))


# ----------------------------------------------------------------------------- median and mode

@pytest.mark.parametrize("op", ["median", "nanmedian"])
def test_median_values_and_indices(op):
    x = randn(4, 7)
    parity(lambda m, t: (getattr(m, op)(t), getattr(m, op)(t, 1), getattr(m, op)(t, 0, keepdim=True),
                         getattr(t, op)(-1)), x)
    parity(lambda m, t: (getattr(m, op)(t), getattr(m, op)(t, 1)), randn(3, 6))          # even lengths: lower
    parity(lambda m, t: (getattr(m, op)(t), getattr(m, op)(t, 0)), noncontiguous(x))
    parity(lambda m, t: (getattr(m, op)(t), getattr(m, op)(t, 0)), randn())
    parity(lambda m, t: (getattr(m, op)(t), getattr(m, op)(t, 1)), randn(0, 3))
    ties = randint(0, 3, 6, 9)
    parity(lambda m, t: (getattr(m, op)(t), getattr(m, op)(t, 1), getattr(m, op)(t, 0)), ties)
    parity(lambda m, t: (getattr(m, op)(t), getattr(m, op)(t, 1)), ties.astype(np.float64))  # ties share
    same_error(lambda m, t: getattr(m, op)(t, 0), randn(0, 3), match="non-zero size")
    same_error(lambda m, t: getattr(m, op)(t), np.array([True, False]))


def test_median_nan():
    x = np.array([[1.0, NAN, 2.0, NAN, 0.5], [3.0, 1.0, 2.0, 5.0, 4.0], [NAN, 1.0, 1.0, 2.0, NAN]])
    parity(lambda m, t: (m.median(t), m.median(t, 1), m.nanmedian(t), m.nanmedian(t, 1)), x)
    parity(lambda m, t: (m.median(t), m.nanmedian(t)), np.array([NAN, NAN]))


@pytest.mark.parametrize("op", ["median", "nanmedian"])
def test_median_finite_differences(op):
    check_grad(lambda t: getattr(ember, op)(t, 1).values, randn(3, 5))
    check_grad(lambda t: getattr(ember, op)(t), randn(3, 5))


def test_mode():
    ties = randint(0, 4, 5, 8)
    parity(lambda m, t: (m.mode(t), m.mode(t, 0), m.mode(t, 1, keepdim=True), t.mode(-2)), ties)
    parity(lambda m, t: (m.mode(t), m.mode(t, 0)), ties.astype(np.float64))
    parity(lambda m, t: m.mode(t, 0), noncontiguous(ties.astype(np.float64)))
    parity(lambda m, t: m.mode(t), np.array([[3, 1, 1, 3, 2, 2, 1, 3], [2, 2, 1, 1, 0, 5, 5, 0]]))
    parity(lambda m, t: m.mode(t), np.array([True, False, True]))
    parity(lambda m, t: m.mode(t), randn())
    parity(lambda m, t: m.mode(t, 1), randn(0, 3))
    same_error(lambda m, t: m.mode(t, 0), randn(0, 3), match="non-zero size")
    assert isinstance(ember.mode(ember.tensor([1, 1])), ember.return_types.mode)
    check_grad(lambda t: ember.mode(t, 1).values, randn(3, 5))     # distinct values: the mode is the minimum


# ----------------------------------------------------------------------------- diff

def test_diff():
    x = randn(3, 5)
    parity(lambda m, t: (m.diff(t), m.diff(t, 2), m.diff(t, 1, 0), t.diff(dim=-2), m.diff(t, 6)), x)
    parity(lambda m, t, a, b: (m.diff(t, prepend=a), m.diff(t, 2, -1, a, b), m.diff(t, append=b)),
           x, randn(3, 2), randn(3, 1))
    parity(lambda m, t, a: m.diff(t, dim=0, append=a), x, randint(0, 3, 2, 5))
    parity(lambda m, t: (m.diff(t), m.diff(t, 2)), randint(0, 9, 6))
    parity(lambda m, t: (m.diff(t), m.diff(t, 2)), np.array([True, False, False, True]))
    parity(lambda m, t: (m.diff(t), m.diff(t, 0)), noncontiguous(x))
    parity(lambda m, t: m.diff(t, dim=0), randn(0, 3))
    same_error(lambda m, t: m.diff(t), randn(), match="at least one-dimensional")
    same_error(lambda m, t: m.diff(t, -1), randn(3), match="non-negative")
    same_error(lambda m, t, a: m.diff(t, prepend=a), randn(2, 3), randn(3))
    same_error(lambda m, t, a: m.diff(t, dim=0, prepend=a), randn(2, 3), randn(1, 2))
    check_grad(lambda t, a: ember.diff(t, 2, 1, prepend=a), randn(2, 4), randn(2, 1))


# ----------------------------------------------------------------------------- out= and double backward

def test_out_arguments():
    x = ember.tensor([[1.0, 5.0], [4.0, 2.0]])
    out = ember.empty(0)
    assert ember.sum(x, 1, out=out) is out and out.tolist() == [6.0, 6.0]
    values, indices = ember.empty(2), ember.empty(2, dtype=ember.int64)
    result = ember.max(x, 1, out=(values, indices))
    assert result.values is values and indices.tolist() == [1, 0]
    assert ember.cumsum(x, 0, out=ember.empty(2, 2)).tolist() == [[1.0, 5.0], [5.0, 7.0]]
    with pytest.raises(RuntimeError, match="out=... arguments don't support automatic differentiation"):
        ember.sum(x.requires_grad_(), out=ember.empty(()))


def test_gradients_of_gradients_through_reductions():
    def second(lib, t):
        y = (t.prod(1) + t.std(0).sum() + t.norm() + lib.logsumexp(t, 1) + t.cumprod(1).sum(1)).sum()
        (g,) = lib.autograd.grad(y, t, create_graph=True)
        return g
    parity(second, with_zeros(3, 4, count=1))
