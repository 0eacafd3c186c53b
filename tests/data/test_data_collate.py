"""default_collate / default_convert / collate against torch.utils.data on the same samples: types, dtypes, errors."""

import collections
import doctest

import numpy as np
import pytest
from helpers import randn, same_error, torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember
from ember.utils.data import _collate

Point = collections.namedtuple("Point", ["x", "y"])


def assert_same(actual, expected, path="result"):
    """An ember (nested) batch against torch's: tensor dtypes/shapes/values, container types, plain values."""
    if isinstance(expected, torch.Tensor):
        assert isinstance(actual, ember.Tensor), f"{path}: {type(actual).__name__} is not a Tensor"
        assert actual.dtype.name == str(expected.dtype).replace("torch.", ""), f"{path}: {actual.dtype}"
        assert tuple(actual.shape) == tuple(expected.shape), f"{path}: shape {tuple(actual.shape)}"
        np.testing.assert_array_equal(actual.numpy(), expected.numpy(), err_msg=path)
        return
    assert type(actual) is type(expected), f"{path}: {type(actual).__name__} != {type(expected).__name__}"
    if isinstance(expected, dict):
        assert list(actual) == list(expected), f"{path}: keys {list(actual)}"
        for key in expected:
            assert_same(actual[key], expected[key], f"{path}[{key!r}]")
    elif isinstance(expected, (list, tuple)):
        assert len(actual) == len(expected), f"{path}: length {len(actual)}"
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_same(a, e, f"{path}[{i}]")
    elif isinstance(expected, np.ndarray):
        np.testing.assert_array_equal(actual, expected, err_msg=path)
    else:
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"


def same_batch(make_batch, function="default_collate"):
    """Collate ``make_batch(m)`` with ember and with torch and compare; returns ember's batch."""
    expected = getattr(torch.utils.data, function)(make_batch(torch))
    actual = getattr(ember.utils.data, function)(make_batch(ember))
    assert_same(actual, expected)
    return actual


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "uint8", "bool", "float16"])
def test_tensors_are_stacked(dtype):
    values = randn(4, 2, 3) > 0 if dtype == "bool" else (randn(4, 2, 3) * 5).astype(dtype)
    same_batch(lambda m: [m.tensor(v) for v in values])


def test_zero_dim_and_empty_tensors():
    same_batch(lambda m: [m.tensor(1.5), m.tensor(-2.0)])
    same_batch(lambda m: [m.zeros(0, 3), m.zeros(0, 3)])


def test_tensors_of_different_shapes_cannot_stack():
    same_error(lambda m: m.utils.data.default_collate([m.zeros(2), m.zeros(3)]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64, np.uint8, np.bool_])
def test_numpy_arrays_become_stacked_tensors(dtype):
    arrays = [(randn(3) * 4).astype(dtype) for _ in range(2)]
    same_batch(lambda m: arrays)


def test_noncontiguous_numpy_arrays():
    base = randn(2, 4, 3)
    same_batch(lambda m: [base[0].T, base[1].T])


@pytest.mark.parametrize("values", [[np.float32(1.5), np.float32(2)], [np.float64(1), np.float64(3)],
                                    [np.int32(4), np.int32(5)], [np.int64(4)], [np.bool_(True), np.bool_(False)],
                                    [np.uint8(7), np.uint8(9)]])
def test_numpy_scalars(values):
    same_batch(lambda m: values)


@pytest.mark.parametrize("values", [[1, 2, 3], [1.5, 2.0], [True, False], [0]])
def test_python_numbers(values):
    batch = same_batch(lambda m: values)
    assert batch.dtype is {int: ember.int64, float: ember.float64, bool: ember.bool}[type(values[0])]


def test_strings_and_bytes_stay_lists():
    assert same_batch(lambda m: ["a", "bc"]) == ["a", "bc"]
    assert same_batch(lambda m: [b"a", b"bc"]) == [b"a", b"bc"]


def test_mappings():
    same_batch(lambda m: [{"x": m.ones(2), "label": 1, "name": "a"}, {"x": m.zeros(2), "label": 0, "name": "b"}])
    same_batch(lambda m: [collections.OrderedDict(b=1.0, a=2), collections.OrderedDict(b=3.0, a=4)])
    same_batch(lambda m: [{"outer": {"inner": np.arange(2)}}, {"outer": {"inner": np.arange(2, 4)}}])


def test_namedtuples_keep_their_type():
    batch = same_batch(lambda m: [Point(m.tensor([1.0]), 2), Point(m.tensor([3.0]), 4)])
    assert isinstance(batch, Point)


def test_sequences_are_transposed():
    same_batch(lambda m: [(m.zeros(2), 1, "a"), (m.ones(2), 2, "b")])
    same_batch(lambda m: [[1, 2.0], [3, 4.0]])
    same_batch(lambda m: [[[1, 2], [3]], [[4, 5], [6]]])


def test_sequences_of_unequal_size():
    error = same_error(lambda m: m.utils.data.default_collate([[1, 2], [3]]))
    assert str(error) == "each element in list of batch should be of equal size"


@pytest.mark.parametrize("make", [lambda m: [object(), object()], lambda m: [None],
                                  lambda m: [np.array(["a", "b"]), np.array(["c", "d"])],
                                  lambda m: [{1, 2}, {3, 4}]])
def test_unsupported_types(make):
    def run(m):
        return m.utils.data.default_collate(make(m))
    error = same_error(run)
    with pytest.raises(TypeError) as expected:
        run(torch)
    assert str(error) == str(expected.value)


@settings(max_examples=25, deadline=None)
@given(arrays=st.integers(1, 4).flatmap(lambda n: hnp.array_shapes(max_dims=3, max_side=3).flatmap(
    lambda shape: st.lists(hnp.arrays(np.float32, shape, elements=st.floats(-9, 9, width=32)),
                           min_size=n, max_size=n))))
def test_random_shapes(arrays):
    same_batch(lambda m: [(a, float(a.sum()), {"t": m.from_numpy(a.copy())}) for a in arrays])


@pytest.mark.parametrize("make", [
    lambda m: np.arange(3), lambda m: np.float32(2.5), lambda m: m.ones(2), lambda m: 3, lambda m: "text",
    lambda m: {"a": np.arange(2), "b": [np.int32(1), 2]}, lambda m: (np.zeros(2), 1),
    lambda m: Point(np.ones(1), "p"), lambda m: [np.array(["a"]), b"x"],
])
def test_default_convert(make):
    same_batch(make, "default_convert")


def test_default_convert_keeps_strings_array():
    text = np.array(["a", "b"])
    assert ember.utils.data.default_convert(text) is text


def test_collate_with_a_custom_map():
    def collate_ints(batch, *, collate_fn_map=None):
        return sum(batch)
    custom = {int: collate_ints}
    for m in (torch, ember):
        result = m.utils.data._utils.collate.collate([(1, 2), (3, 4)], collate_fn_map=custom) if m is torch else \
            _collate.collate([(1, 2), (3, 4)], collate_fn_map=custom)
        assert result == [4, 6]
    extended = {**_collate.default_collate_fn_map, float: collate_ints}
    batch = _collate.collate([{"a": 1.5, "b": 1}, {"a": 2.0, "b": 2}], collate_fn_map=extended)
    assert batch["a"] == 3.5 and batch["b"].tolist() == [1, 2]


def test_docstring_examples():
    globs = {"ember": ember, "np": np, **{name: getattr(_collate, name) for name in _collate.__all__}}
    result = doctest.testmod(_collate, globs=globs)
    assert result.attempted > 0 and result.failed == 0
