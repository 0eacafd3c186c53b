"""Average pooling of integer tensors against PyTorch: int64 is pooled (sums divided with truncation toward
zero), every other integer type and bool is refused with PyTorch's NotImplementedError, after its shape checks."""

import numpy as np
import pytest
from helpers import noncontiguous, parity, randint, requires_torch, same_error, torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember

REFUSED = ["uint8", "int8", "int16", "int32", "bool"]
SHAPES = {1: (2, 3, 9), 2: (2, 3, 7, 6), 3: (2, 2, 5, 4, 6)}


def F(m):
    return m.nn.functional


def _avg_pool(d):
    return lambda m, x, *args, **kwargs: getattr(F(m), f"avg_pool{d}d")(x, *args, **kwargs)


def _ints(shape, low=-40, high=40):
    return randint(low, high, *shape)


def _outcome(m, fn):
    """What ``fn(m)`` gives: the result's dtype and values, or the exception's type and message."""
    try:
        result = fn(m)
    except Exception as error:          # noqa: BLE001  (the error itself is what is compared)
        return type(error).__name__, str(error)
    return str(result.dtype).split(".")[-1], result.numpy().tolist(), result.requires_grad


# ----------------------------------------------------------------------------- int64 values

@requires_torch
@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("options", [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
    dict(kernel_size=2, stride=2, ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    dict(kernel_size=3, stride=1, padding=1, ceil_mode=True),
], ids=["plain", "padded", "padding_excluded", "ceil", "ceil_padding_excluded", "stride_one"])
def test_int64_matches_torch(d, options):
    out = parity(lambda m, x: _avg_pool(d)(m, x, **options), _ints(SHAPES[d]))
    assert out.dtype is ember.int64 and not out.requires_grad


@requires_torch
@pytest.mark.parametrize("d", [2, 3])
@pytest.mark.parametrize("divisor", [1, 3, 7, -2])
def test_int64_divisor_override(d, divisor):
    parity(lambda m, x: _avg_pool(d)(m, x, 3, 2, 1, divisor_override=divisor), _ints(SHAPES[d]))


@requires_torch
def test_int64_rounds_toward_zero():
    x = np.array([[[-3, -2, 3, 2, -7, 0, 5, -1, -1, 0]]], dtype=np.int64)
    out = parity(lambda m, t: F(m).avg_pool1d(t, 2), x)
    assert out.tolist() == [[[-2, 2, -3, 2, 0]]]


@requires_torch
def test_int64_is_exact_beyond_float64_precision():
    big = 2 ** 53
    x = np.array([[[big + 1, big + 2, -big - 1, -big - 2]]], dtype=np.int64)
    out = parity(lambda m, t: F(m).avg_pool1d(t, 2), x)
    assert out.tolist() == [[[big + 1, -big - 1]]]


@requires_torch
@pytest.mark.parametrize("d", [1, 2, 3])
def test_int64_unbatched_noncontiguous_and_empty_batch(d):
    shape = SHAPES[d]
    parity(lambda m, x: _avg_pool(d)(m, x, 2), _ints(shape[1:]))
    parity(lambda m, x: _avg_pool(d)(m, x, 2, 1), noncontiguous(_ints(shape)))
    parity(lambda m, x: _avg_pool(d)(m, x, 2), np.zeros((0,) + shape[1:], dtype=np.int64))


@requires_torch
@pytest.mark.parametrize("layer, shape", [
    (lambda m: m.nn.AvgPool1d(3, 2, 1, count_include_pad=False), (2, 3, 9)),
    (lambda m: m.nn.AvgPool2d(2, ceil_mode=True), (2, 3, 7, 6)),
    (lambda m: m.nn.AvgPool3d(2, 1, divisor_override=3), (2, 5, 4, 6)),
], ids=["AvgPool1d", "AvgPool2d", "AvgPool3d"])
def test_layers(layer, shape):
    parity(lambda m, x: layer(m)(x), _ints(shape))


@requires_torch
@pytest.mark.parametrize("d", [1, 2, 3])
def test_layers_per_dimension(d):
    layer = {1: "AvgPool1d", 2: "AvgPool2d", 3: "AvgPool3d"}[d]
    parity(lambda m, x: getattr(m.nn, layer)(3, 2, 1, ceil_mode=True)(x), _ints(SHAPES[d]))


@requires_torch
@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("norm_type", [1, 2, 2.0])
def test_lp_pool_of_integers_goes_through_int64_average_pooling(d, norm_type):
    parity(lambda m, x: getattr(F(m), f"lp_pool{d}d")(x, norm_type, 2), _ints(SHAPES[d], 0, 9))
    parity(lambda m, x: getattr(F(m), f"lp_pool{d}d")(x > 4, norm_type, 2), _ints(SHAPES[d], 0, 9))


# ----------------------------------------------------------------------------- refused dtypes

def _same_outcome(fn):
    expected, actual = _outcome(torch, fn), _outcome(ember, fn)
    assert actual == expected
    return actual


@requires_torch
@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("dtype", REFUSED)
def test_other_integer_types_are_refused(d, dtype):
    def run(m):
        return _avg_pool(d)(m, m.ones(SHAPES[d], dtype=getattr(m, dtype)), 2)

    kind, message = _same_outcome(run)
    assert kind == "NotImplementedError" and "not implemented for" in message


@requires_torch
@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_precision_is_refused_in_3d_only(dtype):
    def run(m, d):
        return _avg_pool(d)(m, m.ones(SHAPES[d], dtype=getattr(m, dtype)), 2)

    assert _same_outcome(lambda m: run(m, 3))[0] == "NotImplementedError"
    for d in (1, 2):
        assert ember.equal(run(ember, d).float(), ember.from_numpy(run(torch, d).float().numpy()))


@requires_torch
@pytest.mark.parametrize("call", [
    lambda m, x: F(m).avg_pool2d(x, 5),                                  # output too small
    lambda m, x: F(m).avg_pool2d(x[:, :0], 2),                           # no channels
    lambda m, x: F(m).avg_pool2d(x[0, 0], 2),                            # too few dims: IndexError
    lambda m, x: F(m).avg_pool2d(x, 2, padding=2),                       # padding above half the kernel
    lambda m, x: F(m).avg_pool2d(x, 2, divisor_override=0),
    lambda m, x: F(m).avg_pool1d(x[0, 0], 2),                            # 1-d needs 2 or 3 dims
    lambda m, x: F(m).avg_pool1d(x[0], 9),
    lambda m, x: F(m).avg_pool3d(x, 2),                                  # unbatched 3-d input
    lambda m, x: F(m).avg_pool3d(x[0], 2),                               # 3-d pooling needs 4 or 5 dims
    lambda m, x: F(m).avg_pool3d(x.unsqueeze(0), 5, padding=2),          # kernel larger than the input
    lambda m, x: F(m).avg_pool3d(x[:0], 2),                              # empty non-batch dimension
    lambda m, x: F(m).avg_pool2d(x, 2, stride=0),
    lambda m, x: F(m).avg_pool2d(x, 2, padding=-1),
    lambda m, x: F(m).avg_pool2d(x, 0, stride=1),
], ids=["too_small", "no_channels", "too_few_dims", "big_padding", "zero_divisor", "1d_dims", "1d_too_small",
        "3d_unbatched", "3d_dims", "3d_kernel_too_large", "3d_empty", "zero_stride", "negative_padding",
        "zero_kernel"])
@pytest.mark.parametrize("dtype", ["int32", "int64", "float32"])
def test_shape_errors_come_before_the_dtype_error(call, dtype):
    def run(m):
        return call(m, m.arange(2 * 4 * 4 * 4).reshape(2, 4, 4, 4).to(getattr(m, dtype)))

    _same_outcome(run)


@requires_torch
@pytest.mark.parametrize("d", [1, 2, 3])
def test_adaptive_average_pooling_refuses_integers(d):
    same_error(lambda m, x: getattr(F(m), f"adaptive_avg_pool{d}d")(x, 2), _ints(SHAPES[d]),
               match="not implemented for 'Long'")


# ----------------------------------------------------------------------------- random configurations

@requires_torch
@settings(max_examples=25, deadline=None)
@given(d=st.integers(1, 3), batch=st.integers(0, 2), size=st.integers(1, 6), kernel=st.integers(1, 4),
       stride=st.integers(1, 3), padding=st.integers(0, 2), ceil_mode=st.booleans(),
       count_include_pad=st.booleans(), divisor=st.sampled_from([None, 2, -3]),
       dtype=st.sampled_from(["int64", "int64", "int32", "uint8", "bool"]))
def test_random_configurations(d, batch, size, kernel, stride, padding, ceil_mode, count_include_pad, divisor, dtype):
    options = dict(kernel_size=kernel, stride=stride, padding=padding, ceil_mode=ceil_mode,
                   count_include_pad=count_include_pad)
    if d > 1:
        options["divisor_override"] = divisor
    values = np.arange(batch * 2 * size ** d).reshape((batch, 2) + (size,) * d) * 7919 % 41 - 20

    def run(m):
        x = m.from_numpy(values.astype(np.int64)).to(getattr(m, dtype))
        return _avg_pool(d)(m, x, **options)

    _same_outcome(run)
