"""Tensor creation against PyTorch: dtype inference, memory sharing, factories, ranges, fill_/zero_."""

import warnings

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import numpy as np
import pytest
from helpers import check_grad, parity, randn, requires_torch, same_error, torch
from hypothesis import given, settings

import ember

pytestmark = requires_torch


def agree(fn, **kwargs):
    """``fn`` gives the same values as in PyTorch, or raises the same exception type when PyTorch does."""
    try:
        fn(torch)
    except Exception:
        same_error(fn)
    else:
        parity(fn, grad=False, **kwargs)


# ----------------------------------------------------------------------------- tensor(): inference

INFERENCE_CASES = [
    3, 2.5, True, [1, 2], [1.0, 2], [True, False], [True, 2], [True, 2.0], [[1, 2], [3, 4]], ((1, 2), (3, 4)),
    [[1, 2], (3, 4)], [], [[]], [(), ()], range(3), [range(2), range(2)], [-1, 2 ** 62], [1e300, -1e-300],
    [float("nan"), float("inf")],
]


@pytest.mark.parametrize("data", INFERENCE_CASES, ids=repr)
def test_tensor_infers_dtype_of_python_data(data):
    parity(lambda m: m.tensor(data), grad=False)


NUMPY_SCALAR_CASES = [
    np.float64(1.5), np.float32(0.1), np.int32(7), np.int8(-3), np.float16(2.5),
    [np.float64(1.0), 2], [np.float16(1.0), 2.5], [np.int32(1), 2], [np.int8(1), True], [np.float32(0.1), 0.1],
]


@pytest.mark.parametrize("data", NUMPY_SCALAR_CASES, ids=repr)
def test_tensor_keeps_numpy_scalar_dtypes(data):
    parity(lambda m: m.tensor(data), grad=False)


@pytest.mark.filterwarnings("ignore:Creating a tensor from a list of numpy.ndarrays")
def test_tensor_of_tensors_and_arrays():
    parity(lambda m: m.tensor([m.tensor(1.0), m.tensor(2.0)]), grad=False)
    parity(lambda m: m.tensor([m.tensor(1), m.tensor(2.0, dtype=m.float64)]), grad=False)
    parity(lambda m: m.tensor([m.tensor(1, dtype=m.int8), 300]), grad=False)
    parity(lambda m: m.tensor([[m.tensor([1.5])]]), grad=False)
    parity(lambda m: m.tensor([np.array([1.0, 2.0]), np.array([3.0, 4.0])]), grad=False)
    parity(lambda m: m.tensor([np.array([1, 2], dtype=np.int32), [3, 4]]), grad=False)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64,
                                   np.uint8, np.bool_])
def test_tensor_from_numpy_array_keeps_dtype_and_layout(dtype):
    a = (randn(3, 4) * 5).astype(dtype)
    parity(lambda m: m.tensor(a), grad=False)
    parity(lambda m: m.tensor(a.T).stride(), grad=False)
    parity(lambda m: m.tensor(a, dtype=m.float64), grad=False)


@settings(max_examples=25, deadline=None)
@given(hnp.arrays(st.sampled_from([np.float32, np.float64, np.int64, np.int32, np.uint8, np.bool_]),
                  hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4)))
def test_tensor_round_trips_arrays_and_lists(array):
    parity(lambda m: m.tensor(array), grad=False)
    if array.dtype.kind in "biu":
        parity(lambda m: m.tensor(array.tolist()), grad=False)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.one_of(st.booleans(), st.integers(-1000, 1000), st.floats(-1e6, 1e6)), max_size=6))
def test_tensor_promotes_mixed_python_scalars(values):
    parity(lambda m: m.tensor(values), grad=False)


def test_tensor_with_default_float64(default_float64):
    parity(lambda m: m.tensor([1.5, 2]), grad=False)
    parity(lambda m: m.tensor([np.float32(0.1), 0.1]), grad=False)
    parity(lambda m: m.tensor(2.5), grad=False)


@pytest.mark.parametrize("data, dtype", [
    ([1, 2], "bool"), (3.7, "int64"), ([-1.7, 2.9], "int32"), ([-1], "uint8"), ([1e300], "float32"),
    ([1e10], "float16"), ([1.5], "bool"), ([1, 2], float), ([1, 2], int), ([1, 0], bool),
])
def test_tensor_casts_to_requested_dtype(data, dtype):
    parity(lambda m: m.tensor(data, dtype=getattr(m, dtype) if isinstance(dtype, str) else dtype), grad=False)


@pytest.mark.parametrize("fn", [
    lambda m: m.tensor([[1, 2], [3]]),                       # ragged: ValueError
    lambda m: m.tensor([[[1], [2]], [[3]]]),
    lambda m: m.tensor([np.array([1, 2]), [3, 4, 5]]),
    lambda m: m.tensor("abc"),                               # strings: TypeError
    lambda m: m.tensor(["a"]),
    lambda m: m.tensor(np.array(["a"])),
    lambda m: m.tensor(np.array([1, 2], dtype=object)),
    lambda m: m.tensor(None),
    lambda m: m.tensor([None]),
    lambda m: m.tensor([1, [2]]),
    lambda m: m.tensor([[1], 2]),
    lambda m: m.tensor([m.tensor([1.0, 2.0]), m.tensor([3.0, 4.0])]),
    lambda m: m.tensor([1, 2 ** 63]),                        # beyond int64
    lambda m: m.tensor([1, 2 ** 64]),
    lambda m: m.tensor([300], dtype=m.uint8),                # overflow of the requested dtype
    lambda m: m.tensor([-1.5, 2.7], dtype=m.uint8),
    lambda m: m.tensor([float("nan")], dtype=m.int32),
    lambda m: m.tensor([float("inf")], dtype=m.int64),
    lambda m: m.tensor([1, 2], requires_grad=True),
])
def test_tensor_errors(fn):
    same_error(fn)


def test_tensor_copies_and_requires_grad():
    a = np.array([1.0, 2.0])
    t = ember.tensor(a, requires_grad=True)
    a[0] = 9.0
    assert t.tolist() == [1.0, 2.0] and t.requires_grad and t.is_leaf
    source = ember.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match="detach"):
        copy = ember.tensor(source)
    assert not copy.requires_grad and copy.data_ptr() != source.data_ptr()


# ----------------------------------------------------------------------------- sharing memory

def test_from_numpy_shares_memory_both_ways():
    a = np.zeros((2, 3))
    t = ember.from_numpy(a)
    a[0, 1] = 5.0
    t.numpy()[1, 2] = 7.0
    assert t.tolist() == [[0.0, 5.0, 0.0], [0.0, 0.0, 7.0]] and a[1, 2] == 7.0
    assert t.dtype is ember.float64


@pytest.mark.parametrize("array", [np.zeros((2, 3))[:, ::2], np.zeros((3, 4)).T, np.array(1.5),
                                   np.zeros((0, 3), dtype=np.int32)])
def test_from_numpy_layouts(array):
    if array.size:      # PyTorch reports NumPy's zero strides for empty arrays; ember reports C order
        parity(lambda m: m.from_numpy(array).stride(), grad=False)
    parity(lambda m: m.from_numpy(array), grad=False)


@pytest.mark.parametrize("array", [np.array(["a"]), np.array([1], dtype=object),
                                   np.zeros(3, dtype=">f4"), np.zeros((2, 3))[:, ::-1]])
def test_from_numpy_errors(array):
    same_error(lambda m: m.from_numpy(array))
    same_error(lambda m: m.from_numpy([1, 2]))


@pytest.mark.parametrize("dtype", [np.uint16, np.uint32, np.clongdouble])
def test_from_numpy_rejects_types_ember_lacks(dtype):
    with pytest.raises(TypeError, match=np.dtype(dtype).name):
        ember.from_numpy(np.zeros(2, dtype=dtype))


def test_as_tensor_shares_unless_converting():
    a = np.array([1.0, 2.0])
    shared, converted = ember.as_tensor(a), ember.as_tensor(a, dtype=ember.float32)
    same = ember.as_tensor(a, dtype=ember.float64)
    a[0] = 9.0
    assert shared.tolist() == [9.0, 2.0] and same.tolist() == [9.0, 2.0]
    assert converted.tolist() == [1.0, 2.0] and converted.dtype is ember.float32
    t = ember.tensor([1.0, 2.0], requires_grad=True)
    assert ember.as_tensor(t) is t
    parity(lambda m, x: m.as_tensor(x, dtype=m.float64), np.array([1.0, 2.0], dtype=np.float32))
    parity(lambda m: m.as_tensor([1, 2.5]), grad=False)
    parity(lambda m: m.as_tensor(3), grad=False)
    parity(lambda m: m.as_tensor(np.array([1, 2], dtype=np.int32), dtype=m.int64), grad=False)


def test_asarray_sharing_copy_and_requires_grad():
    a = np.array([1.0, 2.0])
    shared, copied = ember.asarray(a), ember.asarray(a, copy=True)
    a[1] = 5.0
    assert shared.tolist() == [1.0, 5.0] and copied.tolist() == [1.0, 2.0]
    t = ember.tensor([1.0, 2.0])
    assert ember.asarray(t) is t and ember.asarray(t, copy=True) is not t
    assert ember.asarray(t, requires_grad=True).requires_grad
    parity(lambda m: m.asarray([1, 2.0]), grad=False)
    parity(lambda m: m.asarray(np.float64(3)), grad=False)
    parity(lambda m: m.asarray(range(3)), grad=False)
    parity(lambda m: m.asarray(np.array([1.0, 2.0]), dtype=m.float32), grad=False)
    same_error(lambda m: m.asarray([1, 2], copy=False))
    same_error(lambda m: m.asarray(np.array([1.0, 2.0]), dtype=m.float32, copy=False))
    same_error(lambda m: m.asarray(m.tensor([1.0]), dtype=m.float64, copy=False))


def test_scalar_tensor():
    for value in (3, True, 2.5, -1):
        parity(lambda m, value=value: m.scalar_tensor(value), grad=False)
    parity(lambda m: m.scalar_tensor(3, dtype=m.int64), grad=False)
    parity(lambda m: m.scalar_tensor(m.tensor(2.0)), grad=False)
    parity(lambda m: m.scalar_tensor(2.5, requires_grad=True), grad=False)
    parity(lambda m: m.scalar_tensor(1e10, dtype=m.float16), grad=False)


# ----------------------------------------------------------------------------- filled factories

@pytest.mark.parametrize("name", ["zeros", "ones"])
@pytest.mark.parametrize("size", [(2, 3), ((2, 3),), ([2, 3],), ((),), (0, 3), (4,)], ids=repr)
@pytest.mark.parametrize("dtype", [None, "float64", "int32", "bool", "float16", "uint8"])
def test_zeros_ones(name, size, dtype):
    parity(lambda m: getattr(m, name)(*size, dtype=getattr(m, dtype) if dtype else None), grad=False)


def test_factory_size_forms_and_flags():
    parity(lambda m: m.zeros(m.Size([2, 1])), grad=False)
    parity(lambda m: m.ones(m.tensor(2)), grad=False)
    parity(lambda m: m.zeros([m.tensor(2), 3]), grad=False)
    parity(lambda m: m.zeros(np.int64(2)), grad=False)
    parity(lambda m: m.ones(size=(2,)), grad=False)
    parity(lambda m: m.zeros(2, 3, requires_grad=True), grad=False)
    parity(lambda m: m.empty(2, 3).shape, grad=False)
    parity(lambda m: m.empty(2, dtype=m.int16).dtype == m.int16, grad=False)
    parity(lambda m: m.empty(0, 2, requires_grad=True).requires_grad, grad=False)


@pytest.mark.parametrize("fn", [
    lambda m: m.zeros(), lambda m: m.ones(2, 3.0), lambda m: m.zeros((2, -1)), lambda m: m.empty(-1),
    lambda m: m.zeros(2, (3,)), lambda m: m.ones(2, dtype=m.int64, requires_grad=True),
    lambda m: m.full(2, 1.0), lambda m: m.full((2,), m.tensor([3.0])), lambda m: m.full((2,), 300, dtype=m.uint8),
    lambda m: m.full((2,), float("nan"), dtype=m.int64), lambda m: m.full((2,), 1e10, dtype=m.float16),
    lambda m: m.full((2,), -1.5, dtype=m.uint8), lambda m: m.eye(-1), lambda m: m.eye(2, -1), lambda m: m.eye(2.0),
    lambda m: m.zeros_like([1, 2]), lambda m: m.full_like(m.zeros(2, dtype=m.uint8), 300),
    lambda m: m.empty_strided((2, 3), (1,)), lambda m: m.empty_strided((2, 3), (-1, 1)),
])
def test_factory_errors(fn):
    same_error(fn)


@pytest.mark.parametrize("value", [3, True, 2.5, -1, np.float64(2.0), np.int32(2), float("inf")])
def test_full_infers_dtype_from_value(value):
    parity(lambda m: m.full((2, 3), value), grad=False)
    parity(lambda m: m.full((), value), grad=False)


def test_full_with_dtype_and_tensor_values():
    parity(lambda m: m.full((2,), 3.7, dtype=m.int64), grad=False)
    parity(lambda m: m.full((2,), -1, dtype=m.uint8), grad=False)
    parity(lambda m: m.full([2, 2], m.tensor(3)), grad=False)
    parity(lambda m: m.full((2,), m.tensor(3.5, dtype=m.float64)), grad=False)
    parity(lambda m: m.full((2, 1), 1.0, requires_grad=True), grad=False)


@pytest.mark.parametrize("args", [(3,), (2, 3), (0,), (3, 1), (1, 4)])
@pytest.mark.parametrize("dtype", [None, "int64", "bool", "float64"])
def test_eye(args, dtype):
    parity(lambda m: m.eye(*args, dtype=getattr(m, dtype) if dtype else None), grad=False)
    parity(lambda m: m.eye(n=args[0], m=args[-1], requires_grad=dtype in (None, "float64"),
                           dtype=getattr(m, dtype) if dtype else None), grad=False)


def test_empty_strided():
    parity(lambda m: m.empty_strided((2, 3), (1, 2)).stride(), grad=False)
    parity(lambda m: m.empty_strided((2, 3), (0, 1)).stride(), grad=False)
    parity(lambda m: m.empty_strided((2, 3), (3, 1), dtype=m.int64).is_contiguous(), grad=False)
    parity(lambda m: m.empty_strided((0, 3), (3, 1)).shape, grad=False)
    t = ember.empty_strided((2, 3), (1, 2))
    t.fill_(1.5)
    assert t.tolist() == [[1.5] * 3] * 2


# ----------------------------------------------------------------------------- *_like

LIKE_SOURCES = [
    lambda m: m.ones(2, 3), lambda m: m.ones(2, 3).T, lambda m: m.ones(3, 1).expand(3, 4),
    lambda m: m.ones(2, 3)[:, ::2], lambda m: m.ones(4, 3).T[::2], lambda m: m.ones(2, 3, 4).permute(2, 0, 1),
    lambda m: m.ones(()), lambda m: m.ones(0, 3), lambda m: m.ones(3, dtype=m.int16),
]


@pytest.mark.parametrize("index", range(len(LIKE_SOURCES)))
def test_like_factories_keep_shape_dtype_and_layout(index):
    def make(m):
        x = LIKE_SOURCES[index](m)
        return (m.zeros_like(x), m.ones_like(x), m.full_like(x, 2.5), m.empty_like(x).shape,
                m.zeros_like(x).stride(), m.empty_like(x).stride(), m.full_like(x, 1).stride(),
                m.ones_like(x, dtype=m.int32), m.full_like(x, 7, dtype=m.int64),
                m.zeros_like(x, dtype=m.float64, requires_grad=True))
    parity(make, grad=False)


def test_like_factories_follow_input_dtype():
    parity(lambda m: m.full_like(m.zeros(2, dtype=m.int64), 2.7), grad=False)
    parity(lambda m: m.ones_like(m.zeros(2, dtype=m.bool)), grad=False)
    parity(lambda m: m.zeros_like(m.zeros(2, dtype=m.float16)), grad=False)
    parity(lambda m: m.empty_like(m.zeros(2, 3), dtype=m.int8).dtype == m.int8, grad=False)
    same_error(lambda m: m.zeros_like(m.zeros(2), dtype=m.int64, requires_grad=True))


# ----------------------------------------------------------------------------- ranges

ARANGE_CASES = [
    (5,), (0, 1, 0.1), (0, 1, 0.3), (1, 2.5, 0.5), (5, 0, -1), (10, 0, -3), (-7, 8, 4), (3, 3), (0, 1, 1e-3),
    (0, -5, -0.7), (-0.5, 0.5, 0.25), (1.0, 0.0, -0.5), (0.5, 5.0), (2.5,),
]


@pytest.mark.parametrize("args", ARANGE_CASES, ids=repr)
@pytest.mark.parametrize("dtype", [None, "float64", "float32", "float16", "int64", "int32", "int16"])
def test_arange(args, dtype):
    # lengths and integer values are exact; PyTorch's vectorised float kernel may differ in the last bit
    agree(lambda m: m.arange(*args, dtype=getattr(m, dtype) if dtype else None),
          rtol=1e-3 if dtype == "float16" else 1e-6, atol=0)


@settings(max_examples=25, deadline=None)
@given(st.integers(-50, 50), st.integers(-50, 50), st.integers(-7, 7).filter(lambda s: s != 0))
def test_arange_integer_ranges(start, end, step):
    if (end - start) * step < 0:
        same_error(lambda m: m.arange(start, end, step))
    else:
        parity(lambda m: m.arange(start, end, step), grad=False)


@settings(max_examples=25, deadline=None)
@given(st.floats(-10, 10), st.floats(-10, 10), st.floats(0.05, 3), st.booleans())
def test_arange_float_lengths_match_torch(start, end, step, backwards):
    step = -step if backwards else step
    if (end - start) * step < 0:
        return
    parity(lambda m: m.arange(start, end, step, dtype=m.float64), grad=False, rtol=0, atol=1e-12)
    parity(lambda m: m.arange(start, end, step), grad=False, rtol=0, atol=1e-6)


def test_arange_keywords_and_tensor_arguments():
    parity(lambda m: m.arange(end=3), grad=False)
    parity(lambda m: m.arange(start=1, end=3), grad=False)
    parity(lambda m: m.arange(m.tensor(3)), grad=False)
    parity(lambda m: m.arange(m.tensor(3.0)), grad=False)
    parity(lambda m: m.arange(np.int64(3)), grad=False)
    parity(lambda m: m.arange(3.0, requires_grad=True), grad=False)
    parity(lambda m: m.arange(0, 5, 1.5, dtype=m.uint8), grad=False)


@pytest.mark.parametrize("fn", [
    lambda m: m.arange(5, 0), lambda m: m.arange(0, 5, -1), lambda m: m.arange(0, 5, 0),
    lambda m: m.arange(float("inf")), lambda m: m.arange(0, float("nan")), lambda m: m.arange(1e20),
    lambda m: m.arange(3, requires_grad=True), lambda m: m.arange(0, 3, dtype=m.bool),
    lambda m: m.arange(0, 3, 0.3, dtype=m.int64), lambda m: m.linspace(0, 1, -1), lambda m: m.linspace(0, 1),
    lambda m: m.linspace(m.tensor([0.0]), 1, 3), lambda m: m.linspace(0, 1, 2.0), lambda m: m.logspace(0, 1, -2),
])
def test_range_errors(fn):
    same_error(fn)


LINSPACE_CASES = [(0, 1, 5), (-3.3, 7.1, 17), (1, -1, 5), (3, 3, 4), (0, 1, 1), (0, 1, 0), (0, 10, 7), (-5, 10, 7),
                  (10, -5, 7), (0.7, 10.2, 7), (0, 1e4, 101)]


@pytest.mark.parametrize("args", LINSPACE_CASES, ids=repr)
@pytest.mark.parametrize("dtype", [None, "float64", "float16", "int64", "uint8", "int32"])
def test_linspace(args, dtype):
    if dtype == "uint8" and min(args[:2]) < 0:
        return
    agree(lambda m: m.linspace(*args, dtype=getattr(m, dtype) if dtype else None), rtol=1e-6)


@pytest.mark.parametrize("args", [(0, 2, 3), (0.5, 3.2, 5), (-1, 1, 3), (0, 2, 0), (2, 0, 4)], ids=repr)
@pytest.mark.parametrize("base", [10.0, 2, 3.0])
@pytest.mark.parametrize("dtype", [None, "float64", "int64"])
def test_logspace(args, base, dtype):
    parity(lambda m: m.logspace(*args, base=base, dtype=getattr(m, dtype) if dtype else None), grad=False,
           rtol=1e-6)
    parity(lambda m: m.logspace(*args, base), grad=False, rtol=1e-6)


def test_linspace_tensor_bounds_and_flags():
    parity(lambda m: m.linspace(m.tensor(0.0), m.tensor(1.0), 3), grad=False)
    parity(lambda m: m.linspace(m.tensor(0.0, dtype=m.float64), 1.0, 3), grad=False)
    parity(lambda m: m.linspace(0, 1, 3, requires_grad=True), grad=False)


def test_range_is_inclusive_and_deprecated():
    for args in [(0, 3), (0, 1, 0.5), (0, 1, 0.3), (3, 0, -1)]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parity(lambda m, args=args: m.range(*args), grad=False)
    with pytest.warns(UserWarning, match="deprecated"):
        ember.range(0, 2)


def test_out_arguments():
    parity(lambda m: m.zeros(2, out=m.empty(3)), grad=False)
    parity(lambda m: m.ones(2, 2, out=m.empty(4, dtype=m.int64)), grad=False)
    parity(lambda m: m.arange(3, out=m.empty(0, dtype=m.int32)), grad=False)
    parity(lambda m: m.linspace(0, 1, 3, out=m.empty(3, dtype=m.float64)), grad=False)
    parity(lambda m: m.eye(2, out=m.empty(0)), grad=False)
    same_error(lambda m: m.zeros(2, out=m.empty(2), dtype=m.int64))
    out = ember.empty(2)
    assert ember.full((2,), 3.0, out=out) is out and out.tolist() == [3.0, 3.0]


# ----------------------------------------------------------------------------- new_* methods

@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.bool_])
def test_new_methods_take_dtype_of_self(dtype):
    base = np.ones((2, 3), dtype=dtype)

    def make(m, x):
        return (x.new_zeros(2, 3), x.new_zeros((2, 3)), x.new_ones(3), x.new_ones(m.Size([2, 1])),
                x.new_full((2,), 3), x.new_empty(4).shape, x.new_empty((2, 2)).dtype == x.dtype,
                x.new_tensor([1, 2]), x.new_zeros(2, dtype=m.float64), x.new_zeros(()))
    parity(make, base, grad=False)


def test_new_methods_flags_and_errors():
    parity(lambda m: m.zeros(2).new_zeros(2, requires_grad=True), grad=False)
    parity(lambda m: m.zeros(2, dtype=m.int64).new_full((2,), 3.5), grad=False)
    parity(lambda m: m.zeros(2, dtype=m.int32).new_ones(3, dtype=m.float64), grad=False)
    same_error(lambda m: m.zeros(2).new_zeros())
    same_error(lambda m: m.zeros(2).new_full(2, 1))
    same_error(lambda m: m.zeros(2, dtype=m.int64).new_ones(2, requires_grad=True))


# ----------------------------------------------------------------------------- fill_ and zero_

@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16, np.int64, np.uint8, np.bool_])
@pytest.mark.parametrize("value", [2, 2.7, True, -1, 0])
def test_fill_casts_value_to_dtype(dtype, value):
    parity(lambda m, x: x.fill_(value), np.zeros((2, 3), dtype=dtype), grad=False)
    parity(lambda m, x: x.fill_(m.tensor(value)), np.zeros(3, dtype=dtype), grad=False)
    parity(lambda m, x: x.zero_(), np.ones((2, 3), dtype=dtype), grad=False)


def test_fill_and_zero_shapes_and_layouts():
    for array in (np.zeros(()), np.zeros((0, 3)), np.zeros((3, 4)).T):
        parity(lambda m, x: x.fill_(1.5), array, grad=False)
        parity(lambda m, x: x.zero_(), np.ones_like(array), grad=False)


@pytest.mark.parametrize("fn", [
    lambda m: m.zeros(3).fill_(m.tensor([1.0])), lambda m: m.zeros(3).fill_("a"),
    lambda m: m.zeros(3, dtype=m.uint8).fill_(300), lambda m: m.zeros(2, dtype=m.int64).fill_(float("nan")),
    lambda m: m.zeros(2, dtype=m.float16).fill_(1e10), lambda m: m.zeros(3, requires_grad=True).fill_(1),
    lambda m: m.zeros(3, requires_grad=True).zero_(),
])
def test_fill_errors(fn):
    same_error(fn)


def test_fill_writes_in_place_through_views():
    base = ember.zeros(2, 3)
    row = base[1]
    assert row.fill_(4.0) is row
    assert base.tolist() == [[0.0] * 3, [4.0] * 3] and base._version == 1
    base.zero_()
    assert row.tolist() == [0.0] * 3 and base._version == 2
    with ember.no_grad():
        leaf = ember.ones(2, requires_grad=True)
        leaf.fill_(3.0)
    assert leaf.tolist() == [3.0, 3.0] and leaf.is_leaf and leaf.requires_grad


def test_fill_and_zero_gradients_match_torch():
    parity(lambda m, x, v: (x * 2).fill_(v), randn(3), randn())
    parity(lambda m, x: (x * 2).zero_() + x, randn(2, 3))
    parity(lambda m, x: (x * 2).fill_(1.5) * x, randn(4))
    parity(lambda m, x: (x * 1).fill_(m.tensor(2.0)), randn(3))


def test_fill_finite_differences():
    check_grad(lambda v: ember.zeros(3, dtype=ember.float64).fill_(v) * ember.arange(3.0, dtype=ember.float64),
               randn())
    check_grad(lambda x: (x * 2).zero_() + x * x, randn(3))


@pytest.mark.parametrize("args", [([3.7, 4.2],), (2, 3), (), ((2, 1),)])
def test_legacy_new(args):
    from helpers import parity
    parity(lambda m: tuple(m.tensor([1, 2]).new(*args).shape), grad=False)
    if args and isinstance(args[0], list):
        parity(lambda m: m.tensor([1, 2]).new(*args), grad=False)
