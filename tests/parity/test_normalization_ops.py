"""torch.batch_norm, native_batch_norm, layer_norm, native_layer_norm, group_norm, native_group_norm,
instance_norm and rms_norm against PyTorch: values, gradients, running statistics, errors."""

import numpy as np
import pytest
from helpers import check_grad, noncontiguous, parity, randn, same_error, same_result, to_numpy, torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember

pytestmark = pytest.mark.skipif(torch is None, reason="PyTorch (the parity oracle) is not installed")


def _stats(lib, channels, dtype="float32"):
    """Fresh running statistics (mean 0, variance 1) of ``lib``."""
    d = getattr(lib, dtype)
    return lib.zeros(channels, dtype=d), lib.ones(channels, dtype=d)


# ----------------------------------------------------------------------------- batch_norm

@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (2, 3, 4, 5), (2, 3, 2, 3, 2)])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_training(shape, affine):
    c = shape[1]
    w, b = (randn(c), randn(c)) if affine else (None, None)
    parity(lambda m, x, w, b: m.batch_norm(x, w, b, None, None, True, 0.1, 1e-5, True), randn(*shape), w, b)


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (2, 3, 4, 5)])
def test_batch_norm_eval(shape):
    c = shape[1]
    mean, var = randn(c), np.abs(randn(c)) + 0.5

    def fn(m, x, w, b):
        return m.batch_norm(x, w, b, _as(m, mean), _as(m, var), False, 0.1, 1e-3, True)
    parity(fn, randn(*shape), randn(c), randn(c))
    parity(lambda m, x: m.batch_norm(x, None, None, _as(m, mean), _as(m, var), False, 0.1, 1e-5, True),
           randn(*shape))


def _as(m, array):
    """A copy of ``array`` as a tensor of library ``m`` (not requiring grad)."""
    return m.from_numpy(np.array(array))


def test_batch_norm_float32_and_noncontiguous():
    x = noncontiguous(randn(4, 3, 5).astype(np.float32))
    w, b = randn(5).astype(np.float32), randn(5).astype(np.float32)
    parity(lambda m, x, w, b: m.batch_norm(x, w, b, None, None, True, 0.1, 1e-5, True), x.swapaxes(1, 2), w, b,
           rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("momentum", [0.1, 0.5, 1.0, 0.0])
def test_batch_norm_running_statistics(momentum):
    """Several training steps update running_mean and running_var (unbiased) in place, like PyTorch's."""
    batches = [randn(5, 3, 4).astype(np.float32) for _ in range(3)]

    def run(m):
        mean, var = _stats(m, 3)
        for batch in batches:
            m.batch_norm(m.from_numpy(batch), None, None, mean, var, True, momentum, 1e-5, True)
        return mean, var
    same_result(run)


def test_batch_norm_running_stats_bump_version():
    mean, var = _stats(ember, 3)
    before = mean._version, var._version
    ember.batch_norm(ember.randn(4, 3), None, None, mean, var, True, 0.1, 1e-5, True)
    assert mean._version > before[0] and var._version > before[1]


def test_batch_norm_saved_input_modified_is_an_error():
    x = ember.randn(4, 3, requires_grad=True)
    y = x * 1
    out = ember.batch_norm(y, None, None, None, None, True, 0.1, 1e-5, True)
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()


def test_batch_norm_one_value_per_channel_gives_nan_variance():
    """torch.batch_norm itself allows a single value per channel: output 0, running variance NaN."""
    def run(m):
        mean, var = _stats(m, 3)
        out = m.batch_norm(m.from_numpy(randn(1, 3).astype(np.float32)), None, None, mean, var, True, 0.1, 1e-5,
                           True)
        return out.abs() < 1e-2, mean * 0, var.isnan()
    same_result(run)


@pytest.mark.parametrize("shape", [(0, 3), (0, 3, 4), (2, 0, 4)])
def test_batch_norm_zero_size(shape):
    c = shape[1]

    def run(m):
        x = m.zeros(shape, requires_grad=True)
        w = m.ones(c, requires_grad=True)
        mean, var = _stats(m, c)
        out = m.batch_norm(x, w, w, mean, var, True, 0.1, 1e-5, True)
        return (out.detach(), mean, var) + m.autograd.grad(out.sum(), (x, w))
    if shape[1]:
        same_result(run)
    else:       # weight[0] of no channels
        same_error(lambda m: run(m))


def test_batch_norm_half_input_with_float_parameters():
    x = randn(6, 3).astype(np.float16)
    w = randn(3).astype(np.float32)
    parity(lambda m, x, w: m.batch_norm(x, w, None, None, None, True, 0.1, 1e-5, True), x, w, grad=False,
           rtol=2e-3, atol=2e-3)


def test_batch_norm_gradcheck():
    x, w, b = randn(4, 3, 2), randn(3), randn(3)
    check_grad(lambda x, w, b: ember.batch_norm(x, w, b, None, None, True, 0.1, 1e-5, True), x, w, b)
    check_grad(lambda x: ember.batch_norm(x, None, None, None, None, True, 0.1, 1e-5, True), randn(5, 2))
    mean, var = ember.from_numpy(randn(3)), ember.from_numpy(np.abs(randn(3)) + 0.5)
    check_grad(lambda x, w, b: ember.batch_norm(x, w, b, mean, var, False, 0.1, 1e-5, True), x, w, b)


def test_batch_norm_double_backward_parity():
    """Second derivatives (through the batch statistics) match PyTorch's."""
    x, w = randn(4, 3, 2), randn(3)

    def fn(m, x, w):
        out = m.batch_norm(x, w, None, None, None, True, 0.1, 1e-5, True)
        (gx,) = m.autograd.grad((out * out * out).sum(), x, create_graph=True)
        return gx
    parity(fn, x, w, rtol=1e-4, atol=1e-6)


def test_native_batch_norm():
    x, w, b = randn(4, 3, 5), randn(3), randn(3)
    parity(lambda m, x, w, b: m.native_batch_norm(x, w, b, None, None, True, 0.1, 1e-5)[0], x, w, b)
    same_result(lambda m: m.native_batch_norm(m.from_numpy(x), None, None, None, None, True, 0.1, 1e-5))
    same_result(lambda m: m.native_batch_norm(m.from_numpy(x), None, None, *_stats(m, 3, "float64"), False, 0.1,
                                              1e-5))


BATCH_NORM_ERRORS = [
    lambda m: m.batch_norm(m.randn(4, 3), None, None, m.zeros(4), m.ones(3), True, 0.1, 1e-5, True),
    lambda m: m.batch_norm(m.randn(4, 3), None, None, m.zeros(3), m.ones(4), True, 0.1, 1e-5, True),
    lambda m: m.batch_norm(m.randn(4, 3), m.ones(4), None, None, None, True, 0.1, 1e-5, True),
    lambda m: m.batch_norm(m.randn(4, 3), None, m.ones(2), None, None, True, 0.1, 1e-5, True),
    lambda m: m.batch_norm(m.randn(4, 3), None, None, None, None, False, 0.1, 1e-5, True),
    lambda m: m.batch_norm(m.randn(4, 3), None, None, None, m.ones(3), False, 0.1, 1e-5, True),
    lambda m: m.batch_norm(m.randn(3), None, None, m.zeros(3), m.ones(3), True, 0.1, 1e-5, True),
    lambda m: m.batch_norm(m.randn(3), None, None, None, None, True, 0.1, 1e-5, True),
    lambda m: m.batch_norm(m.randn(4, 3).double(), None, None, m.zeros(3), m.ones(3), True, 0.1, 1e-5, True),
    lambda m: m.batch_norm(m.randn(4, 3), m.ones(3).double(), None, None, None, True, 0.1, 1e-5, True),
    lambda m: m.batch_norm(m.randn(4, 3).half(), m.ones(3).half(), None, m.zeros(3), m.ones(3), True, 0.1, 1e-5,
                           True),
    lambda m: m.batch_norm(m.ones(4, 3, dtype=m.int64), None, None, None, None, True, 0.1, 1e-5, True),
    lambda m: m.batch_norm(m.randn(4, 3), 1.0, None, None, None, True, 0.1, 1e-5, True),
    lambda m: m.batch_norm(m.randn(4, 3), None, None, None, None, 1, 0.1, 1e-5, True),
    lambda m: m.batch_norm(m.randn(4, 3), None, None, None, None, True, None, 1e-5, True),
    lambda m: m.batch_norm(m.randn(4, 3), None, None, None, None, True, 0.1, 1e-5, 1),
    lambda m: m.batch_norm(m.randn(4, 3), None, None, m.zeros(3, requires_grad=True), m.ones(3), True, 0.1, 1e-5,
                           True),
]


@pytest.mark.parametrize("fn", BATCH_NORM_ERRORS)
def test_batch_norm_errors(fn):
    same_error(fn)


# ----------------------------------------------------------------------------- layer_norm

@settings(max_examples=25, deadline=None)
@given(batch=st.lists(st.integers(1, 3), min_size=0, max_size=2), normalized=st.lists(st.integers(1, 4), min_size=1,
                                                                                          max_size=2),
       affine=st.sampled_from(["both", "weight", "none"]))
def test_layer_norm_shapes(batch, normalized, affine):
    shape = tuple(batch) + tuple(normalized)
    w = randn(*normalized) if affine != "none" else None
    b = randn(*normalized) if affine == "both" else None
    parity(lambda m, x, w, b: m.layer_norm(x, normalized, w, b, 1e-5, True), randn(*shape), w, b,
           rtol=1e-4, atol=1e-6)


def test_layer_norm_float32_noncontiguous_and_eps():
    x = noncontiguous(randn(3, 4, 5).astype(np.float32))
    w = randn(5).astype(np.float32)
    parity(lambda m, x, w: m.layer_norm(x, [5], w, None, 0.1, True), x, w, rtol=1e-4, atol=1e-5)
    parity(lambda m, x: m.layer_norm(x, (4, 5), eps=1e-3), x, rtol=1e-4, atol=1e-5)


def test_layer_norm_zero_size():
    parity(lambda m, x, w: m.layer_norm(x, [4], w), randn(0, 4), randn(4))
    parity(lambda m, x: m.layer_norm(x, [0]), randn(3, 0))


def test_layer_norm_half():
    parity(lambda m, x: m.layer_norm(x, [6]), randn(3, 6).astype(np.float16), grad=False, rtol=2e-3, atol=2e-3)


def test_layer_norm_gradcheck():
    x, w, b = randn(2, 3, 4), randn(3, 4), randn(3, 4)
    check_grad(lambda x, w, b: ember.layer_norm(x, [3, 4], w, b), x, w, b)
    check_grad(lambda x: ember.layer_norm(x, [4]), x)


def test_native_layer_norm():
    x, w, b = randn(2, 3, 4), randn(4), randn(4)
    parity(lambda m, x, w, b: m.native_layer_norm(x, [4], w, b, 1e-5)[0], x, w, b)
    same_result(lambda m: m.native_layer_norm(m.from_numpy(x), [3, 4], None, None, 1e-5))


LAYER_NORM_ERRORS = [
    lambda m: m.layer_norm(m.randn(2, 3, 4), 4),
    lambda m: m.layer_norm(m.randn(2, 3, 4), [3]),
    lambda m: m.layer_norm(m.randn(2, 3, 4), [2, 3, 4, 5]),
    lambda m: m.layer_norm(m.randn(2, 3, 4), []),
    lambda m: m.layer_norm(m.randn(2, 3, 4), [4.0]),
    lambda m: m.layer_norm(m.randn(2, 3, 4), [4], m.ones(3)),
    lambda m: m.layer_norm(m.randn(2, 3, 4), [4], None, m.ones(3)),
    lambda m: m.layer_norm(m.randn(2, 3, 4), [4], m.ones(4).double()),
    lambda m: m.layer_norm(m.randn(2, 3, 4).double(), [4], m.ones(4)),
    lambda m: m.layer_norm(m.ones(2, 4, dtype=m.int64), [4]),
    lambda m: m.layer_norm(m.randn(2, 4), [4], None, None, None),
    lambda m: m.layer_norm(m.randn(2, 4), [4], None, None, 1e-5, 1),
    lambda m: m.native_layer_norm(m.randn(2, 4), [3], None, None, 1e-5),
]


@pytest.mark.parametrize("fn", LAYER_NORM_ERRORS)
def test_layer_norm_errors(fn):
    same_error(fn)


# ----------------------------------------------------------------------------- group_norm

@pytest.mark.parametrize("shape,groups", [((2, 6, 5), 3), ((2, 6), 2), ((3, 4, 2, 3), 4), ((2, 4, 3), 1),
                                          ((1, 6), 3), ((0, 6, 3), 3)])
def test_group_norm(shape, groups):
    c = shape[1]
    parity(lambda m, x, w, b: m.group_norm(x, groups, w, b, 1e-5, True), randn(*shape), randn(c), randn(c),
           rtol=1e-4, atol=1e-6)
    parity(lambda m, x: m.group_norm(x, groups), randn(*shape), rtol=1e-4, atol=1e-6)


def test_group_norm_float32_noncontiguous():
    x = noncontiguous(randn(2, 6, 5).astype(np.float32))
    w, b = randn(6).astype(np.float32), randn(6).astype(np.float32)
    parity(lambda m, x, w, b: m.group_norm(x, 2, w, b, 0.01), x, w, b, rtol=1e-4, atol=1e-5)


def test_group_norm_gradcheck():
    x, w, b = randn(2, 4, 3), randn(4), randn(4)
    check_grad(lambda x, w, b: ember.group_norm(x, 2, w, b), x, w, b)


def test_native_group_norm():
    x, w = randn(2, 6, 5), randn(6)
    parity(lambda m, x, w: m.native_group_norm(x, w, None, 2, 6, 5, 3, 1e-5)[0], x, w)
    same_result(lambda m: m.native_group_norm(m.from_numpy(x), None, None, 2, 6, 5, 3, 1e-5))


GROUP_NORM_ERRORS = [
    lambda m: m.group_norm(m.randn(2, 6, 5), 4),
    lambda m: m.group_norm(m.randn(2, 6, 5), -3),
    lambda m: m.group_norm(m.randn(6), 3),
    lambda m: m.group_norm(m.randn(2, 6, 5), 1.5),
    lambda m: m.group_norm(m.randn(2, 6, 5), True),
    lambda m: m.group_norm(m.randn(2, 6, 5), 3, m.ones(5)),
    lambda m: m.group_norm(m.randn(2, 6, 5), 3, None, m.ones(6, 1)),
    lambda m: m.group_norm(m.randn(2, 6, 5), 3, m.ones(6).double()),
    lambda m: m.group_norm(m.ones(2, 6, dtype=m.int64), 3),
    lambda m: m.native_group_norm(m.randn(2, 6, 5), None, None, 2, 6, 4, 3, 1e-5),
]


@pytest.mark.parametrize("fn", GROUP_NORM_ERRORS)
def test_group_norm_errors(fn):
    same_error(fn)


# ----------------------------------------------------------------------------- instance_norm

@pytest.mark.parametrize("shape", [(2, 3, 5), (2, 3, 4, 2), (1, 2, 3)])
def test_instance_norm(shape):
    c = shape[1]
    parity(lambda m, x, w, b: m.instance_norm(x, w, b, None, None, True, 0.1, 1e-5, True), randn(*shape), randn(c),
           randn(c), rtol=1e-4, atol=1e-6)


def test_instance_norm_running_statistics():
    batches = [randn(3, 2, 5).astype(np.float32) for _ in range(3)]

    def run(m):
        mean, var = _stats(m, 2)
        outs = [m.instance_norm(m.from_numpy(b), None, None, mean, var, True, 0.3, 1e-5, True) for b in batches]
        evaluated = m.instance_norm(m.from_numpy(batches[0]), None, None, mean, var, False, 0.3, 1e-5, True)
        return outs[-1], mean, var, evaluated
    same_result(run, rtol=1e-4, atol=1e-5)


def test_instance_norm_zero_size():
    def run(m):
        mean, var = _stats(m, 3)
        out = m.instance_norm(m.zeros(0, 3, 4), None, None, mean, var, True, 0.1, 1e-5, True)
        return out, mean.isnan(), var.isnan()
    same_result(run)


def test_instance_norm_gradcheck():
    x, w, b = randn(2, 3, 4), randn(3), randn(3)
    check_grad(lambda x, w, b: ember.instance_norm(x, w, b, None, None, True, 0.1, 1e-5, True), x, w, b)


INSTANCE_NORM_ERRORS = [
    lambda m: m.instance_norm(m.randn(2, 3, 5), None, None, None, None, False, 0.1, 1e-5, True),
    lambda m: m.instance_norm(m.randn(2, 3, 5), None, None, m.zeros(6), m.ones(6), True, 0.1, 1e-5, True),
    lambda m: m.instance_norm(m.randn(2, 3, 5), m.ones(2), None, None, None, True, 0.1, 1e-5, True),
    lambda m: m.instance_norm(m.randn(2, 3, 5), None, None, None, None, 1, 0.1, 1e-5, True),
]


@pytest.mark.parametrize("fn", INSTANCE_NORM_ERRORS)
def test_instance_norm_errors(fn):
    same_error(fn)


# ----------------------------------------------------------------------------- rms_norm

@pytest.mark.parametrize("eps", [None, 1e-3])
@pytest.mark.parametrize("shape,normalized", [((2, 3, 4), [4]), ((2, 3, 4), [3, 4]), ((5,), [5]), ((0, 4), [4])])
def test_rms_norm(shape, normalized, eps):
    parity(lambda m, x, w: m.rms_norm(x, normalized, w, eps), randn(*shape), randn(*normalized))
    parity(lambda m, x: m.rms_norm(x, normalized, eps=eps), randn(*shape))


def test_rms_norm_float32_and_half():
    parity(lambda m, x, w: m.rms_norm(x, [4], w), noncontiguous(randn(3, 4).astype(np.float32)),
           randn(4).astype(np.float32), rtol=1e-4, atol=1e-5)
    parity(lambda m, x: m.rms_norm(x, [4]), randn(3, 4).astype(np.float16), grad=False, rtol=2e-3, atol=2e-3)


def test_rms_norm_gradcheck():
    check_grad(lambda x, w: ember.rms_norm(x, [3], w, 1e-5), randn(2, 3), randn(3))


RMS_NORM_ERRORS = [
    lambda m: m.rms_norm(m.randn(2, 4), 4),
    lambda m: m.rms_norm(m.randn(2, 4), [3]),
    lambda m: m.rms_norm(m.randn(2, 4), []),
    lambda m: m.rms_norm(m.randn(2, 4), [4], m.ones(3)),
    lambda m: m.rms_norm(m.ones(2, 4, dtype=m.int64), [4]),
    lambda m: m.rms_norm(m.randn(2, 4), [4], None, "a"),
]


@pytest.mark.parametrize("fn", RMS_NORM_ERRORS)
def test_rms_norm_errors(fn):
    same_error(fn)


def test_namespace():
    for name in ("batch_norm", "layer_norm", "group_norm", "instance_norm", "rms_norm", "native_batch_norm",
                 "native_layer_norm", "native_group_norm"):
        assert callable(getattr(ember, name)), name
    assert to_numpy(ember.rms_norm(ember.tensor([[3.0, 4.0]]), [2])).shape == (1, 2)


def test_grad_fn_names():
    x = randn(4, 6)

    def names(m):
        t = m.from_numpy(x.copy()).requires_grad_()
        return [m.batch_norm(t, None, None, None, None, True, 0.1, 1e-5, True).grad_fn.name(),
                m.layer_norm(t, [6]).grad_fn.name(), m.group_norm(t, 3).grad_fn.name()]
    same_result(names)
