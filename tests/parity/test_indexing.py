"""Parity of indexing and data-dependent selection: x[key], x[key] = v, gather/scatter, masks, sort, unique..."""

import warnings

import numpy as np
import pytest
from helpers import check_grad, noncontiguous, parity, randint, randn, same_error
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


# ============================================================================= x[key]: basic keys give views

BASIC_KEYS = [1, -1, (1, 2), slice(1, 3), slice(None, None, 2), (Ellipsis, 1), (None, 0),
              (0, None, slice(1, None, 2)), (Ellipsis, None), (), Ellipsis, (1, Ellipsis, 2), slice(10, 20),
              slice(-100, 2), (slice(None), 0, None), (2, 3, 4), (-1, slice(1, 4, 3), -2), (None, Ellipsis, None)]


@pytest.mark.parametrize("key", BASIC_KEYS, ids=repr)
def test_basic_index(key):
    out = parity(lambda m, x: x[key], randn(3, 4, 5))
    assert out._base is not None, "basic indexing must give a view"


@pytest.mark.parametrize("make", [lambda m: m.tensor(1), lambda m: np.int64(2), lambda m: (m.tensor(-1), 1),
                                  lambda m: slice(m.tensor(1), m.tensor(3)), lambda m: np.array(1)])
def test_basic_index_with_integer_objects(make):
    out = parity(lambda m, x: x[make(m)], randn(3, 4))
    assert out._base is not None, "a 0-dim integer tensor indexes like an int (a view)"


def test_basic_index_is_a_view_in_place_writes_reach_the_base():
    x = ember.zeros(3, 4)
    row = x[1, ::2]
    row.add_(1)
    assert x.tolist()[1] == [1.0, 0.0, 1.0, 0.0]
    assert x._version == row._version == 1


def test_basic_index_noncontiguous_and_zero_size():
    parity(lambda m, x: (x[1], x[:, 1:3], x[None, ::2, -1]), noncontiguous(randn(4, 5)))
    parity(lambda m, x: (x[:, 1], x[1:, :2], x[..., None]), randn(0, 3))
    parity(lambda m, x: (x[None], x[...], x[()]), randn())


# ============================================================================= x[key]: advanced keys copy

ADVANCED_KEYS = {
    "list": lambda m, x: [0, 2, 0],
    "two lists": lambda m, x: ([0, 1], [1, 2]),
    "int and list apart": lambda m, x: (0, slice(None), [1, 2]),
    "lists split by None": lambda m, x: ([0, 1], None, [1, 2]),
    "lists split by slice": lambda m, x: ([0, 2], slice(1, 3), [1, 4]),
    "broadcast index tensors": lambda m, x: (slice(None), m.tensor([[0], [1]]), m.tensor([1, 2, 1])),
    "mask": lambda m, x: x > 0,
    "partial mask": lambda m, x: m.tensor([True, False, True]),
    "mask after slice": lambda m, x: (slice(1, 3), m.tensor([True, False, True, True])),
    "ellipsis then negative list": lambda m, x: (Ellipsis, [0, -1]),
    "True": lambda m, x: True,
    "False and int": lambda m, x: (False, 1),
    "0-dim bool tensor": lambda m, x: (m.tensor(True), 0),
    "numpy array": lambda m, x: np.array([2, 0]),
    "numpy mask": lambda m, x: np.array([True, False, True]),
    "empty list": lambda m, x: [],
    "int32 tensor": lambda m, x: m.tensor([1, 1], dtype=m.int32),
    "uint8 mask": lambda m, x: m.tensor([1, 0, 1], dtype=m.uint8),
    "range": lambda m, x: range(1, 3),
    "nested list read as tuple": lambda m, x: [[0, 1], [1, 2]],
    "list of floats": lambda m, x: [1.7, 0.0],
    "duplicates": lambda m, x: ([1, 1, 1], [2, 2, 0]),
}


@pytest.mark.parametrize("name", ADVANCED_KEYS)
def test_advanced_index(name):
    make = ADVANCED_KEYS[name]
    out = parity(lambda m, x: x[make(m, x)], randn(3, 4, 5))
    assert out._base is None, "advanced indexing copies"


def test_advanced_index_noncontiguous_zero_size_and_0dim():
    parity(lambda m, x: (x[[1, 0]], x[:, [2, 2]], x[x > 0]), noncontiguous(randn(4, 5)))
    parity(lambda m, x: (x[[]], x[:, [0, 1]], x[x > 0]), randn(0, 3))
    parity(lambda m, x: (x[True], x[m.tensor(False)], x[None][[0, 0]]), randn())
    parity(lambda m, x: x[[1, 0]], randint(0, 9, 3), grad=False)
    parity(lambda m, x: x[x], np.array([True, False, True]), grad=False)


def test_advanced_index_gradient_adds_duplicates():
    x = ember.zeros(4, requires_grad=True)
    x[[1, 1, 3, 1]].sum().backward()
    assert x.grad.tolist() == [0.0, 3.0, 0.0, 1.0]


@pytest.mark.parametrize("fn,arrays", [
    (lambda m, x: x[5], (randn(3, 4),)),
    (lambda m, x: x[:, 4], (randn(3, 4),)),
    (lambda m, x: x[[3]], (randn(3, 4),)),
    (lambda m, x: x[:, [-5]], (randn(3, 4),)),
    (lambda m, x: x[[0], [9]], (randn(3, 4),)),
    (lambda m, x: x[0, 0, 0], (randn(3, 4),)),
    (lambda m, x: x[x[:2] > 0], (randn(3, 4),)),
    (lambda m, x: x[m.tensor([True, False])], (randn(3, 4),)),
    (lambda m, x: x[[0, 1], [0, 1, 2]], (randn(3, 4),)),
    (lambda m, x: x[1.0], (randn(3, 4),)),
    (lambda m, x: x[m.tensor([1.0])], (randn(3, 4),)),
    (lambda m, x: x[m.tensor([1], dtype=m.int16)], (randn(3, 4),)),
    (lambda m, x: x[np.bool_(True)], (randn(3, 4),)),
    (lambda m, x: x[object()], (randn(3, 4),)),
    (lambda m, x: x[0, "a"], (randn(3, 4),)),
    (lambda m, x: x[1.5:3], (randn(3, 4),)),
    (lambda m, x: x[::-1], (randn(3, 4),)),
    (lambda m, x: x[::0], (randn(3, 4),)),
    (lambda m, x: x[0], (randn(),)),
    (lambda m, x: x[:], (randn(),)),
    (lambda m, x: x[[0]], (randn(),)),
])
def test_index_errors(fn, arrays):
    same_error(fn, *arrays)


def test_index_error_messages():
    x = ember.zeros(3, 4)
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 3"):
        x[5]
    with pytest.raises(IndexError, match="index 9 is out of bounds for dimension 1 with size 4"):
        x[[0], [9]]
    with pytest.raises(ValueError, match="step must be greater than zero"):
        x[::-1]
    with pytest.raises(IndexError, match=r"The shape of the mask \[2\] at index 0 does not match"):
        x[ember.tensor([True, False])]


# ----------------------------------------------------------------------------- random basic keys

@st.composite
def basic_keys(draw):
    """A shape and a basic key for it: ints, slices with positive steps, None and at most one Ellipsis."""
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5))
    items = []
    for size in shape:
        if size and draw(st.booleans()):
            items.append(draw(st.integers(-size, size - 1)))
        else:
            bound = st.none() | st.integers(-7, 7)
            items.append(slice(draw(bound), draw(bound), draw(st.none() | st.integers(1, 3))))
    start = draw(st.integers(0, len(items)))
    stop = draw(st.integers(start, len(items)))
    if draw(st.booleans()):
        items[start:stop] = [Ellipsis]          # the Ellipsis stands for the dimensions it replaced
    else:
        del items[stop:]                        # trailing dimensions left out are taken whole
    for _ in range(draw(st.integers(0, 2))):
        items.insert(draw(st.integers(0, len(items))), None)
    key = items[0] if len(items) == 1 and draw(st.booleans()) else tuple(items)
    return shape, key


@settings(max_examples=25, deadline=None)
@given(basic_keys())
def test_random_basic_keys_match_numpy_and_torch(case):
    shape, key = case
    array = randn(*shape)
    out = parity(lambda m, x: x[key], array)
    np.testing.assert_array_equal(out.detach().numpy(), array[key])
    assert out._base is not None
    target = ember.tensor(array)
    target[key] = 7.0
    expected = array.copy()
    expected[key] = 7.0
    np.testing.assert_array_equal(target.numpy(), expected)


# ============================================================================= x[key] = value

def _assigned(key, value_fn=None):
    def fn(m, x, *values):
        y = x * 1
        y[key(m, y) if callable(key) else key] = value_fn(m, *values) if value_fn else values[0]
        return y
    return fn


SETITEM_CASES = {      # key, shape of the assigned value
    "row": (1, (4,)), "column": ((slice(None), 1), (3,)), "ellipsis and None": ((Ellipsis, None, 2), (1,)),
    "leading ones": (0, (1, 1, 4)), "rows": ([0, 2], (4,)), "duplicates": (([0, 0, 2], [1, 1, 3]), (3,)),
    "slice and list": ((slice(1, None), [3, 0]), (2, 2)), "mask": (lambda m, y: y > 0, ()),
    "broadcast column": ((0, slice(None), None), (4, 1)),
}


@pytest.mark.parametrize("name", SETITEM_CASES)
def test_setitem_gradients(name):
    key, value_shape = SETITEM_CASES[name]
    parity(_assigned(key), randn(3, 4), randn(*value_shape))


def test_setitem_numbers_casts_and_masks():
    parity(_assigned(1, lambda m: 2.5), randn(3, 4))
    parity(_assigned([0, 2], lambda m: 7), randint(0, 5, 3, 4), grad=False)
    parity(_assigned(0, lambda m: 2.7), randint(0, 5, 3, 4), grad=False)
    parity(_assigned(lambda m, y: y > 2, lambda m: -1.5), randint(0, 5, 3, 4), grad=False)
    parity(_assigned(slice(0, 2), lambda m: m.tensor([[1.5], [2.5]], dtype=m.float64)), randint(0, 5, 3, 4),
           grad=False)
    parity(_assigned(0, lambda m: 2), np.array([False, False]), grad=False)
    parity(_assigned(Ellipsis, lambda m: 4.0), noncontiguous(randn(3, 4)))


def test_setitem_without_grad_writes_in_place_and_bumps_version():
    x = ember.zeros(3, 4)
    data = x.numpy()
    x[[0, 1], 2] = ember.tensor([1.0, 2.0])
    x[2] = 5
    assert x.numpy() is data and x._version == 2
    assert x.tolist() == [[0, 0, 1, 0], [0, 0, 2, 0], [5, 5, 5, 5]]
    x[1:] = x[:-1]          # overlapping source and target
    assert x.tolist()[1:] == [[0, 0, 1, 0], [0, 0, 2, 0]]


def test_setitem_through_a_view_is_tracked():
    def fn(m, x, v):
        base = x * 1
        row = base[1]
        row[[0, 2]] = v
        return base, row
    parity(fn, randn(3, 4), randn(2))


def test_setitem_errors():
    same_error(_assigned([0, 1], lambda m: m.ones(2, dtype=m.float32)), randn(3))
    same_error(_assigned([0, 1], lambda m: m.ones(3)), randn(3).astype(np.float32))
    same_error(_assigned(slice(0, 2), lambda m: m.ones(3)), randn(3))
    same_error(_assigned(slice(0, 2), lambda m: m.ones(2, 2)), randn(3))
    same_error(_assigned(0, lambda m: [1.0]), randn(3))
    same_error(_assigned(0, lambda m: "a"), randn(3))
    same_error(_assigned(5, lambda m: 1.0), randn(3))
    leaf = ember.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        leaf[0] = 1.0


def test_index_finite_differences():
    check_grad(lambda x: x[[0, 0, 2], :, [1, 1, 3]] * x[1, 2:4, None, ::2].sum(), randn(3, 4, 5))
    check_grad(lambda x: x[x.detach() > 0], randn(3, 4))

    def assign(x, v):
        y = x * 1
        y[[0, 1, 2], 1] = v
        y[1, 1:3] = v[:2]
        return y
    check_grad(assign, randn(3, 4), randn(3))


# ============================================================================= gather and scatter

GATHER_INDEX = randint(0, 5, 3, 4, 2)


def test_gather():
    parity(lambda m, x: m.gather(x, 1, m.tensor(GATHER_INDEX)), randn(4, 5, 6))
    parity(lambda m, x: x.gather(-1, m.tensor(GATHER_INDEX[0, :3, :1]).to(m.int32)), noncontiguous(randn(4, 5)))
    parity(lambda m, x: m.gather(x, 0, m.tensor([0, 0])), randn())
    parity(lambda m, x: m.gather(x, 0, m.tensor(0)), randn())
    parity(lambda m, x: m.gather(x, 1, m.zeros(3, 0, dtype=m.int64)), randn(3, 4))
    parity(lambda m, x: m.gather(x, 0, m.tensor([[1, 1, 0]])), randint(0, 9, 2, 3), grad=False)


def test_gather_gradient_adds_duplicates():
    parity(lambda m, x: m.gather(x, 0, m.tensor([[1, 1], [1, 0], [1, 1]])), randn(2, 2))


@pytest.mark.parametrize("fn", [
    lambda m, x: m.gather(x, 1, m.tensor([[0]], dtype=m.int16)),
    lambda m, x: m.gather(x, 1, m.tensor([0])),
    lambda m, x: m.gather(x, 1, m.zeros(4, 1, dtype=m.int64)),
    lambda m, x: m.gather(x, 1, m.tensor([[4]])),
    lambda m, x: m.gather(x, 1, m.tensor([[-1]])),
    lambda m, x: m.gather(x, 2, m.tensor([[0]])),
])
def test_gather_errors(fn):
    same_error(fn, randn(3, 4))


SCATTER_INDEX = randint(0, 5, 3, 2, 2)


@pytest.mark.parametrize("reduce", [None, "add", "multiply"])
def test_scatter(reduce):
    grad = reduce is None
    options = {} if reduce is None else {"reduce": reduce}
    parity(lambda m, x, s: m.scatter(x, 1, m.tensor(SCATTER_INDEX), s, **options), randn(4, 5, 3),
           randn(3, 2, 2), grad=grad)
    parity(lambda m, x, s: m.scatter(x, 1, m.tensor(SCATTER_INDEX), s, **options), randn(4, 5, 3),
           randn(3, 2, 4), grad=False)
    parity(lambda m, x: m.scatter(x, 1, m.tensor(SCATTER_INDEX), 2.5, **options), randn(4, 5, 3), grad=grad)
    parity(lambda m, x: x.scatter(0, m.tensor([[1, 0]]), value=7, **options), randint(0, 5, 2, 3), grad=False)


def test_scatter_src_larger_than_index_gradient():
    """PyTorch fails here (its src gradient has the index's shape); ember pads it with zeros."""
    x, src = ember.zeros(2, 3, requires_grad=True), ember.ones(2, 4, requires_grad=True)
    ember.scatter(x, 1, ember.tensor([[2], [0]]), src).sum().backward()
    assert src.grad.tolist() == [[1, 0, 0, 0], [1, 0, 0, 0]]
    assert x.grad.tolist() == [[1, 1, 0], [0, 1, 1]]


def test_scatter_with_reduce_has_no_derivative():
    x = ember.ones(3, requires_grad=True)
    y = ember.scatter(x * 1, 0, ember.tensor([0]), 2.0, reduce="multiply")
    with pytest.raises(RuntimeError, match="derivative for aten::scatter is not implemented"):
        y.sum().backward()


def test_scatter_shapes():
    parity(lambda m, x, s: m.scatter(x, 0, m.tensor(0), s), randn(), randn())
    parity(lambda m, x, s: m.scatter(x, 1, m.zeros(3, 0, dtype=m.int64), s), randn(3, 4), randn(3, 0))
    parity(lambda m, x, s: m.scatter(x, 1, m.tensor([[0, 3]]).int(), s), noncontiguous(randn(3, 4)),
           noncontiguous(randn(1, 2)))


def test_scatter_add():
    parity(lambda m, x, s: m.scatter_add(x, 1, m.tensor(SCATTER_INDEX), s), randn(4, 5, 3), randn(3, 2, 2))
    parity(lambda m, x, s: m.scatter_add(x, 1, m.tensor(SCATTER_INDEX), s), randn(4, 5, 3), randn(3, 2, 4),
           grad=False)
    parity(lambda m, x, s: x.scatter_add(0, m.tensor([[0, 0, 0]]), s), randint(0, 5, 2, 3), randint(0, 5, 1, 3),
           grad=False)


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce(reduce, include_self):
    parity(lambda m, x, s: m.scatter_reduce(x, 1, m.tensor(SCATTER_INDEX), s, reduce, include_self=include_self),
           randn(4, 5, 3), randn(3, 2, 2))
    parity(lambda m, x, s: x.scatter_reduce(1, m.tensor([[0, 0, 2]]), s, reduce, include_self=include_self),
           randint(-5, 5, 2, 3), randint(-5, 5, 1, 3), grad=False)


@pytest.mark.parametrize("reduce", ["prod", "amax", "amin", "mean"])
def test_scatter_reduce_gradient_with_zeros_and_ties(reduce):
    x = np.array([[0.0, 2.0, 3.0, 1.0]])
    src = np.array([[0.0, 2.0, 5.0, 5.0, 0.0, 4.0]])
    index = np.array([[0, 0, 1, 1, 2, 2]])
    parity(lambda m, a, b: m.scatter_reduce(a, 1, m.tensor(index), b, reduce), x, src)


@pytest.mark.parametrize("fn", [
    lambda m, x: m.scatter(x, 1, m.tensor([[0]], dtype=m.int16), 1.0),
    lambda m, x: m.scatter(x, 1, m.tensor([[0]]), m.ones(1, 1, dtype=m.float32)),
    lambda m, x: m.scatter(x, 1, m.tensor([[0, 1]]), m.ones(1, 1, dtype=m.float64)),
    lambda m, x: m.scatter(x, 1, m.tensor([0]), 1.0),
    lambda m, x: m.scatter(x, 1, m.tensor([[4]]), 1.0),
    lambda m, x: m.scatter(x, 0, m.zeros(2, 5, dtype=m.int64), 1.0),
    lambda m, x: m.scatter(x, 1, m.tensor([[0]]), 1.0, reduce="sum"),
    lambda m, x: m.scatter_add(x, 1, m.tensor([[0]]), 1.0),
    lambda m, x: m.scatter_reduce(x, 1, m.tensor([[0]]), x, "add"),
    lambda m, x: m.scatter_reduce(x, 1, m.tensor([[0]]), x.float(), "sum"),
])
def test_scatter_errors(fn):
    same_error(fn, randn(3, 4))


def test_gather_scatter_finite_differences():
    index = ember.tensor([[0, 0], [2, 1], [0, 0]])
    check_grad(lambda x: ember.gather(x, 1, index), randn(3, 4))
    check_grad(lambda x, s: ember.scatter(x, 1, ember.tensor([[0, 3], [2, 1], [1, 0]]), s), randn(3, 4),
               randn(3, 2))
    check_grad(lambda x, s: ember.scatter_add(x, 1, index, s), randn(3, 4), randn(3, 2))


@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_finite_differences(reduce, include_self):
    index = ember.tensor([[0, 0], [2, 1], [0, 0]])
    check_grad(lambda x, s: ember.scatter_reduce(x, 1, index, s, reduce, include_self=include_self),
               randn(3, 4), randn(3, 2))


# ============================================================================= index_select and index_* writes

def test_index_select():
    parity(lambda m, x: m.index_select(x, 1, m.tensor([0, 0, 4])), randn(4, 5, 6))
    parity(lambda m, x: x.index_select(0, m.tensor([3, 1], dtype=m.int32)), noncontiguous(randn(4, 5)))
    parity(lambda m, x: m.index_select(x, -1, m.tensor(1)), randn(3, 4))
    parity(lambda m, x: m.index_select(x, 0, m.tensor([0])), randn())
    parity(lambda m, x: m.index_select(x, 0, m.tensor([], dtype=m.int64)), randn(3, 2))
    parity(lambda m, x: m.index_select(x, 0, m.tensor([1, 1])), randint(0, 9, 3), grad=False)


@pytest.mark.parametrize("fn", [
    lambda m, x: m.index_select(x, 1, m.tensor([0], dtype=m.int16)),
    lambda m, x: m.index_select(x, 1, m.tensor([[0]])),
    lambda m, x: m.index_select(x, 1, m.tensor([4])),
    lambda m, x: m.index_select(x, 1, m.tensor([-1])),
    lambda m, x: m.index_select(x[0, 0], 0, m.tensor([0, 0])),
])
def test_index_select_errors(fn):
    same_error(fn, randn(3, 4))


def test_index_add():
    parity(lambda m, x, s: m.index_add(x, 1, m.tensor([0, 0, 4]), s, alpha=2), randn(4, 5, 6), randn(4, 3, 6))
    parity(lambda m, x, s: x.index_add(0, m.tensor([1, 1], dtype=m.int32), s), noncontiguous(randn(3, 4)),
           noncontiguous(randn(2, 4)))
    parity(lambda m, x, s: m.index_add(x, 0, m.tensor([0, 0]), s, alpha=1.5), randint(0, 5, 2, 3),
           randint(0, 5, 2, 3), grad=False)
    parity(lambda m, x, s: m.index_add(x, 0, m.tensor([0]), s), randn(), randn())


def test_index_copy():
    parity(lambda m, x, s: m.index_copy(x, 1, m.tensor([0, 3, 4]), s), randn(4, 5, 6), randn(4, 3, 6))
    parity(lambda m, x, s: m.index_copy(x, 1, m.tensor(1), s), randn(3, 4), randn(3, 1))
    parity(lambda m, x, s: m.index_copy(x, 0, m.tensor([0]), s), randn(), randn())


def test_index_fill():
    parity(lambda m, x: m.index_fill(x, 1, m.tensor([0, 3, -1, 0]), 2.5), randn(4, 5, 6))
    parity(lambda m, x, v: m.index_fill(x, 1, m.tensor([0, 3, 4, 0]), v), noncontiguous(randn(4, 5)), randn())
    parity(lambda m, x: x.index_fill(0, m.tensor(1), 5.7), randint(0, 5, 3, 2), grad=False)
    parity(lambda m, x: m.index_fill(x, 0, m.tensor([0]), 5.0), randn())


@pytest.mark.parametrize("fn", [
    lambda m, x: m.index_add(x, 1, m.tensor([0, 0]), m.ones(3, 2, dtype=m.float32)),
    lambda m, x: m.index_add(x, 1, m.tensor([0, 0]), x[:, :3]),
    lambda m, x: m.index_add(x, 1, m.tensor([0, 0]), x[:2, :2]),
    lambda m, x: m.index_add(x, 1, m.tensor([0, 0], dtype=m.int16), x[:, :2]),
    lambda m, x: m.index_add(x, 1, m.tensor([0, 7]), x[:, :2]),
    lambda m, x: m.index_add(x, 1, m.tensor([[0, 1]]), x[:, :2]),
    lambda m, x: m.index_copy(x, 1, m.tensor([0, 1], dtype=m.int32), x[:, :2]),
    lambda m, x: m.index_copy(x, 1, m.tensor([0, 1]), x[:, :2].float()),
    lambda m, x: m.index_copy(x, 1, m.tensor([0, 9]), x[:, :2]),
    lambda m, x: m.index_copy(x, 1, m.tensor([0, 1]), x[:, :3]),
    lambda m, x: m.index_copy(x, 1, m.tensor([0, 1]), x[:2, :2]),
    lambda m, x: m.index_copy(x, 1, m.tensor([[0, 1]]), x[:, :2]),
    lambda m, x: m.index_copy(x, 1, m.tensor(1), x[:, 0]),
    lambda m, x: m.index_fill(x, 1, m.tensor([0], dtype=m.int32), 1.0),
    lambda m, x: m.index_fill(x, 1, m.tensor([9]), 1.0),
    lambda m, x: m.index_fill(x, 1, m.tensor([0]), m.tensor([1.0])),
    lambda m, x: m.index_fill(x, 1, m.tensor([[0]]), 1.0),
])
def test_index_write_errors(fn):
    same_error(fn, randn(3, 4))


def test_index_put():
    parity(lambda m, x, v: m.index_put(x, (m.tensor([0, 0]), m.tensor([1, 1])), v, accumulate=True), randn(3, 4),
           randn())
    parity(lambda m, x, v: m.index_put(x, [m.tensor([0, 2])], v), randn(3, 4), randn(4))
    parity(lambda m, x, v: x.index_put((x > 0,), v), noncontiguous(randn(3, 4)), randn())
    parity(lambda m, x, v: m.index_put(x, (m.tensor([1, 1]),), v, True), randint(0, 5, 3), randint(0, 5, 2),
           grad=False)


@pytest.mark.parametrize("fn", [
    lambda m, x: m.index_put(x, (m.tensor([0]),), 1.0),
    lambda m, x: m.index_put(x, (m.tensor([0]),), m.tensor(1.0, dtype=m.float32)),
    lambda m, x: m.index_put(x, (None, m.tensor([0])), m.tensor(1.0, dtype=m.float64)),
    lambda m, x: m.index_put(x, (m.tensor([0, 1]),), m.ones(3, dtype=m.float64)),
    lambda m, x: m.index_put(x, (m.tensor([0]),) * 3, m.tensor(1.0, dtype=m.float64)),
])
def test_index_put_errors(fn):
    same_error(fn, randn(3, 4))


def test_index_family_finite_differences():
    index = ember.tensor([0, 2, 0])
    check_grad(lambda x: ember.index_select(x, 1, index), randn(3, 4))
    check_grad(lambda x, s: ember.index_add(x, 1, index, s, alpha=2), randn(3, 4), randn(3, 3))
    check_grad(lambda x, s: ember.index_copy(x, 1, ember.tensor([0, 2, 3]), s), randn(3, 4), randn(3, 3))
    check_grad(lambda x, v: ember.index_fill(x, 1, index, v), randn(3, 4), randn())
    check_grad(lambda x, v: ember.index_put(x, (index, index), v, accumulate=True), randn(3, 4), randn(3))


# ============================================================================= masks, where, nonzero

def test_masked_fill():
    parity(lambda m, x: m.masked_fill(x, x > 0, 0.5), randn(3, 4))
    parity(lambda m, x, v: x.masked_fill(x > 0, v), noncontiguous(randn(3, 4)), randn())
    parity(lambda m, x, y: m.masked_fill(x, y > 0, -1.0), randn(4), randn(3, 1))
    parity(lambda m, x: m.masked_fill(x, x > 2, 0.5), randint(0, 5, 3, 4), grad=False)
    parity(lambda m, x: m.masked_fill(x, x > 2, m.tensor(0.5, dtype=m.float64)), randn(3), grad=False)
    parity(lambda m, x: m.masked_fill(x, x > 0, 1.0), randn())
    parity(lambda m, x: m.masked_fill(x, x > 0, 1.0), randn(0, 3))


def test_masked_scatter_and_select():
    parity(lambda m, x, s: m.masked_scatter(x, x > 0, s), randn(3, 4), randn(15))
    parity(lambda m, x, s: x.masked_scatter(m.tensor([[True], [False], [True]]), s), randn(3, 4), randn(2, 5))
    parity(lambda m, x, s: m.masked_scatter(x, m.tensor(True), s), randn(), randn(2))
    parity(lambda m, x: m.masked_select(x, x > 0), noncontiguous(randn(3, 4)))
    parity(lambda m, x, y: m.masked_select(x, y > 0), randn(4), randn(3, 1))
    parity(lambda m, x: (m.masked_select(x, x > 0), m.masked_select(x[:0], x[:0] > 0)), randn(3))
    parity(lambda m, x: x.masked_select(x > 2), randint(0, 5, 6), grad=False)


@pytest.mark.parametrize("fn", [
    lambda m, x: m.masked_fill(x, (x > 0).float(), 1.0),
    lambda m, x: m.masked_fill(x, (x > 0).long(), 1.0),
    lambda m, x: m.masked_fill(x, x > 0, m.tensor([1.0])),
    lambda m, x: x.masked_fill_(m.ones(2, 3, 4, dtype=m.bool), 1.0),
    lambda m, x: m.masked_fill(x, m.ones(2, dtype=m.bool), 1.0),
    lambda m, x: m.masked_scatter(x, (x > 0).float(), x),
    lambda m, x: m.masked_scatter(x, m.ones(3, 4, dtype=m.bool), x[:2]),
    lambda m, x: m.masked_scatter(x, x > 0, x.float()),
    lambda m, x: m.masked_select(x, (x > 0).float()),
    lambda m, x: m.masked_select(x, m.ones(2, dtype=m.bool)),
])
def test_mask_errors(fn):
    same_error(fn, randn(3, 4))


@pytest.mark.parametrize("a,b", [(np.float32, np.float64), (np.int64, np.float32), (np.int32, np.uint8),
                                 (np.bool_, np.bool_), (np.float16, np.int64)])
def test_where_promotion(a, b):
    cond = randn(3, 4) > 0
    parity(lambda m, c, x, y: m.where(c, x, y), cond, randint(0, 3, 3, 4).astype(a), randint(0, 3, 4).astype(b),
           grad=False)
    parity(lambda m, c, x: m.where(c, x, 2.5), cond, randint(0, 3, 3, 4).astype(a), grad=False)
    parity(lambda m, c, x: m.where(c, x[0, 0], 1), cond, randint(0, 3, 3, 4).astype(a), grad=False)


def test_where():
    parity(lambda m, c, x, y: m.where(c, x, y), randn(3, 1) > 0, randn(4), noncontiguous(randn(3, 4)))
    parity(lambda m, c, x: x.where(c, 0.0), randn(3, 4) > 0, randn(3, 4))
    parity(lambda m, c: (m.where(c, 1, 0), m.where(c, 1.0, 0), m.where(c, True, False)), randn(3) > 0)
    parity(lambda m, c, x, y: m.where(c, x, y), np.array(True), randn(), randn())
    parity(lambda m, c, x: m.where(c.byte(), x, -x), randn(4) > 0, randn(4))
    parity(lambda m, c: m.where(c), randn(3, 4) > 0)
    same_error(lambda m, x: m.where(x, x, x), randn(3))
    same_error(lambda m, x: m.where(x > 0, x, m.ones(2)), randn(3))


def test_nonzero_and_argwhere():
    values = randint(0, 3, 3, 4)
    parity(lambda m, x: (m.nonzero(x), m.argwhere(x), x.nonzero(as_tuple=True)), values)
    parity(lambda m, x: (m.nonzero(x), m.argwhere(x), m.nonzero(x, as_tuple=True)), np.array([0.0, np.nan, 2.0]),
           grad=False)
    for array in (np.array(5), np.array(0), np.zeros((0, 3)), noncontiguous(values)):
        parity(lambda m, x: (m.nonzero(x), m.nonzero(x, as_tuple=True), m.argwhere(x)), array)


def test_mask_where_finite_differences():
    mask = ember.tensor([[True, False, True], [False, False, True]])
    check_grad(lambda x, v: ember.masked_fill(x, mask, v), randn(2, 3), randn())
    check_grad(lambda x, s: ember.masked_scatter(x, mask, s), randn(2, 3), randn(4))
    check_grad(lambda x: ember.masked_select(x, mask), randn(1, 3))
    check_grad(lambda x, y: ember.where(mask, x, y), randn(2, 1), randn(3))


# ============================================================================= take and put

def test_take_and_take_along_dim():
    parity(lambda m, x: m.take(x, m.tensor([[0, -1], [5, 5]])), randn(3, 4))
    parity(lambda m, x: x.take(m.tensor(2)), noncontiguous(randn(3, 4)))
    parity(lambda m, x: m.take(x, m.tensor(0)), randn())
    parity(lambda m, x: m.take(x, m.tensor([], dtype=m.int64)), randn(0, 2))
    index = randint(-4, 4, 3, 2)
    parity(lambda m, x: m.take_along_dim(x, m.tensor(index), dim=1), randn(3, 4))
    parity(lambda m, x: x.take_along_dim(m.tensor([[0, 1]]), dim=1), noncontiguous(randn(3, 4)))
    parity(lambda m, x: m.take_along_dim(x, m.tensor([0, 11, 11])), randn(3, 4))
    parity(lambda m, x: m.take_along_dim(x, x.argsort(dim=0), dim=0), randint(0, 9, 3, 4), grad=False)


def test_put():
    parity(lambda m, x, s: m.put(x, m.tensor([0, 0, 5]), s), randn(3, 4), randn(3))
    parity(lambda m, x, s: x.put(m.tensor([[0, -1]]), s, accumulate=True), noncontiguous(randn(3, 4)), randn(2))
    parity(lambda m, x, s: x.clone().put_(m.tensor([1, 1]), s, accumulate=True), randint(0, 5, 2),
           randint(0, 5, 2), grad=False)


@pytest.mark.parametrize("fn", [
    lambda m, x: m.take(x, m.tensor([12])),
    lambda m, x: m.take(x, m.tensor([-13])),
    lambda m, x: m.take(x, m.tensor([1], dtype=m.int32)),
    lambda m, x: m.take_along_dim(x, m.tensor([[0]], dtype=m.int32), dim=1),
    lambda m, x: m.take_along_dim(x, m.tensor([0]), dim=1),
    lambda m, x: m.take_along_dim(x, m.tensor([-1])),
    lambda m, x: m.take_along_dim(x, m.tensor([12])),
    lambda m, x: m.put(x, m.tensor([0, 1]), m.ones(3, dtype=m.float64)),
    lambda m, x: m.put(x, m.tensor([0, 1]), m.ones(2, dtype=m.float32)),
    lambda m, x: m.put(x, m.tensor([0, 1], dtype=m.int32), m.ones(2, dtype=m.float64)),
    lambda m, x: m.put(x, m.tensor([0, 12]), m.ones(2, dtype=m.float64)),
])
def test_take_put_errors(fn):
    same_error(fn, randn(3, 4))


def test_take_along_dim_rejects_indices_past_the_end():
    """PyTorch wraps these silently (modulo the size); ember raises instead."""
    with pytest.raises(RuntimeError, match="index 4 is out of bounds for dimension 1 with size 4"):
        ember.take_along_dim(ember.zeros(3, 4), ember.tensor([[4]]), dim=1)
    with pytest.raises(RuntimeError, match="index -5 is out of bounds"):
        ember.take_along_dim(ember.zeros(3, 4), ember.tensor([[-5]]), dim=1)


def test_take_put_finite_differences():
    check_grad(lambda x: ember.take(x, ember.tensor([[0, 5], [5, -1]])), randn(2, 3))
    check_grad(lambda x: ember.take_along_dim(x, ember.tensor([[0, 2], [1, 1]]), dim=1), randn(2, 3))
    check_grad(lambda x, s: ember.put(x, ember.tensor([0, 4, 4]), s, accumulate=True), randn(2, 3), randn(3))


# ============================================================================= sort, argsort, msort, topk, kthvalue

SORT_INPUTS = {
    "float": randn(4, 5),
    "ties": randint(0, 3, 4, 6).astype(np.float64),
    "nan": np.array([[3.0, np.nan, 1.0, 2.0, 1.0], [np.nan, 0.0, np.nan, -1.0, 0.0]]),
    "int": randint(-5, 5, 3, 7),
    "bool": randint(0, 2, 3, 4).astype(bool),
    "noncontiguous": noncontiguous(randn(4, 5)),
    "zero-size": randn(3, 0),
}


@pytest.mark.parametrize("name", SORT_INPUTS)
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("dim", [0, -1])
def test_sort_and_argsort(name, descending, dim):
    array = SORT_INPUTS[name]
    parity(lambda m, x: m.sort(x, dim=dim, descending=descending, stable=True), array)
    parity(lambda m, x: x.argsort(dim=dim, descending=descending, stable=True), array)
    parity(lambda m, x: m.msort(x), array)


def test_sort_0dim_and_result_type():
    parity(lambda m, x: (m.sort(x), m.sort(x, dim=0), m.argsort(x), m.msort(x)), randn())
    result = ember.sort(ember.tensor([2.0, 1.0]))
    assert isinstance(result, ember.return_types.sort) and isinstance(result, tuple)
    values, indices = result
    assert result.values is values and indices.tolist() == [1, 0]
    assert repr(result).startswith("ember.return_types.sort(")


def test_topk():
    parity(lambda m, x: m.topk(x, 3), randn(4, 6))
    parity(lambda m, x: x.topk(2, dim=0, largest=False), noncontiguous(randn(4, 6)))
    parity(lambda m, x: m.topk(x, 3, largest=False), randint(-9, 9, 3, 6) * 10 + np.arange(6), grad=False)
    parity(lambda m, x: (m.topk(x, 2), m.topk(x, 3, largest=False)), np.array([3.0, np.nan, 2.0]))
    parity(lambda m, x: (m.topk(x, 1), m.topk(x, 0)), randn())
    parity(lambda m, x: m.topk(x, 0), randn(2, 0))
    assert isinstance(ember.topk(ember.tensor([1.0]), 1), ember.return_types.topk)


@pytest.mark.parametrize("k", [1, 3, 6])
def test_kthvalue_k(k):
    parity(lambda m, x: m.kthvalue(x, k), randn(4, 6))


def test_kthvalue():
    parity(lambda m, x: x.kthvalue(2, 0, True), noncontiguous(randn(4, 6)))
    parity(lambda m, x: m.kthvalue(x, 2, dim=0, keepdim=False), randint(-9, 9, 3, 6) * 10 + np.arange(3)[:, None],
           grad=False)
    parity(lambda m, x: (m.kthvalue(x, 1), m.kthvalue(x, 1, 0, True)), randn())
    parity(lambda m, x: m.kthvalue(x, 3), np.array([3.0, np.nan, 1.0]))
    assert isinstance(ember.kthvalue(ember.tensor([1.0]), 1), ember.return_types.kthvalue)


@pytest.mark.parametrize("fn,array", [
    (lambda m, x: m.sort(x, dim=2), randn(3, 4)),
    (lambda m, x: m.topk(x, 5), randn(4)),
    (lambda m, x: m.topk(x, -1), randn(4)),
    (lambda m, x: m.topk(x, 1), np.array([True, False])),
    (lambda m, x: m.kthvalue(x, 5), randn(4)),
    (lambda m, x: m.kthvalue(x, 0), randn(4)),
    (lambda m, x: m.kthvalue(x, 1), np.array([True, False])),
    (lambda m, x: m.kthvalue(x, 1), randn(2, 0)),
])
def test_sort_family_errors(fn, array):
    same_error(fn, array)


def test_sort_family_finite_differences():
    check_grad(lambda x: ember.sort(x, dim=0, descending=True).values, randn(3, 4))
    check_grad(lambda x: ember.topk(x, 2).values, randn(3, 4))
    check_grad(lambda x: ember.kthvalue(x, 2, dim=0).values, randn(3, 4))
    check_grad(lambda x: ember.msort(x), randn(3, 2))


# ============================================================================= unique

UNIQUE_INPUTS = {
    "int": randint(0, 5, 12),
    "2d": randint(0, 3, 3, 4),
    "float nan": np.array([np.nan, 1.0, np.nan, 1.0, 0.5]),
    "bool": randint(0, 2, 6).astype(bool),
    "0-dim": np.array(3.0),
    "empty": np.zeros(0),
    "noncontiguous": noncontiguous(randint(0, 3, 3, 4)),
}


@pytest.mark.parametrize("name", UNIQUE_INPUTS)
@pytest.mark.parametrize("inverse", [False, True])
@pytest.mark.parametrize("counts", [False, True])
def test_unique(name, inverse, counts):
    array = UNIQUE_INPUTS[name]
    parity(lambda m, x: m.unique(x, return_inverse=inverse, return_counts=counts), array, grad=False)
    parity(lambda m, x: m.unique_consecutive(x, return_inverse=inverse, return_counts=counts), array, grad=False)
    parity(lambda m, x: (x.unique(), x.unique_consecutive()), array, grad=False)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_unique_dim(dim):
    array = randint(0, 2, 4, 5)
    array[2] = array[0]
    array[:, 3] = array[:, 1]
    parity(lambda m, x: m.unique(x, return_inverse=True, return_counts=True, dim=dim), array, grad=False)
    parity(lambda m, x: m.unique_consecutive(x, return_inverse=True, return_counts=True, dim=dim),
           np.repeat(array, 2, axis=dim), grad=False)


def test_unique_errors_and_no_derivative():
    same_error(lambda m, x: m.unique(x, dim=0), randn())
    same_error(lambda m, x: m.unique(x, dim=2), randn(3, 4))
    same_error(lambda m, x: m.unique_consecutive(x, dim=0), randn())
    x = ember.tensor([1.0, 1.0, 2.0], requires_grad=True)
    values = ember.unique(x)
    assert values.requires_grad
    with pytest.raises(RuntimeError, match="derivative for unique is not implemented"):
        values.sum().backward()


# ============================================================================= searchsorted, bucketize, bincount

@pytest.mark.parametrize("side", ["left", "right"])
def test_searchsorted_side(side):
    boundaries = np.sort(randint(0, 10, 8)).astype(np.float64)
    parity(lambda m, b, v: m.searchsorted(b, v, side=side), boundaries, randint(-1, 11, 3, 4).astype(np.float64),
           grad=False)


def test_searchsorted():
    boundaries = np.sort(randint(0, 10, 8)).astype(np.float64)
    values = randint(-1, 11, 3, 4).astype(np.float64)
    parity(lambda m, b, v: m.searchsorted(b, v, right=True, out_int32=True), boundaries, values, grad=False)
    parity(lambda m, b, v: m.searchsorted(b, v, right=False, side="right"), boundaries, values, grad=False)
    parity(lambda m, b: (m.searchsorted(b, 4), m.searchsorted(b, 4.5), m.searchsorted(b, m.tensor(3.0))),
           boundaries, grad=False)
    rows = np.sort(randn(3, 6), axis=-1)
    parity(lambda m, b, v: m.searchsorted(b, v), rows, randn(3, 4), grad=False)
    parity(lambda m, b, v: m.searchsorted(b, v), noncontiguous(np.sort(randn(5, 3), axis=0).T), randn(3, 2),
           grad=False)
    unsorted = randn(6)
    parity(lambda m, b, v, s: m.searchsorted(b, v, sorter=s), unsorted, randn(4), np.argsort(unsorted),
           grad=False)
    parity(lambda m, b, v: m.searchsorted(b, v), randint(0, 9, 5), randn(4), grad=False)
    parity(lambda m, b, v: m.searchsorted(b, v), randn(0), randn(2), grad=False)


def test_bucketize():
    boundaries = np.sort(randn(6))
    parity(lambda m, v, b: m.bucketize(v, b), randn(3, 4), boundaries, grad=False)
    parity(lambda m, v, b: m.bucketize(v, b, right=True, out_int32=True), noncontiguous(randn(3, 4)), boundaries,
           grad=False)
    parity(lambda m, b: (m.bucketize(3, b), m.bucketize(m.tensor(0.1), b)), boundaries, grad=False)


@pytest.mark.parametrize("fn,arrays", [
    (lambda m, b, v: m.searchsorted(b, v, side="middle"), (randn(3), randn(2))),
    (lambda m, b, v: m.searchsorted(b, v, right=True, side="left"), (randn(3), randn(2))),
    (lambda m, b, v: m.searchsorted(b, v), (randn(), randn(2))),
    (lambda m, b, v: m.searchsorted(b, v), (randn(2, 3), randn(3, 1))),
    (lambda m, b, v: m.searchsorted(b, 3.0), (randn(2, 3), randn(3, 1))),
    (lambda m, b, v: m.searchsorted(b, v, sorter=m.tensor([0, 1, 2], dtype=m.int32)), (randn(3), randn(2))),
    (lambda m, b, v: m.searchsorted(b, v, sorter=m.tensor([0, 1])), (randn(3), randn(2))),
    (lambda m, b, v: m.searchsorted(b, v, sorter=m.tensor([0, 1, 5])), (randn(3), randn(2))),
    (lambda m, b, v: m.bucketize(v, b), (randn(2, 2), randn(3))),
])
def test_search_errors(fn, arrays):
    same_error(fn, *arrays)


def test_bincount():
    values = randint(0, 6, 20)
    parity(lambda m, x: (m.bincount(x), x.bincount(minlength=10)), values)
    for weights in (randn(20), randn(20).astype(np.float32), randint(0, 3, 20), randn(20).astype(np.float16)):
        parity(lambda m, x, w: m.bincount(x, w, minlength=3), values, weights, grad=False)
    parity(lambda m, x: (m.bincount(x), m.bincount(x, minlength=3)), np.zeros(0, dtype=np.int64))
    parity(lambda m, x: m.bincount(x), values.astype(np.uint8))
    parity(lambda m, x: m.bincount(x), noncontiguous(values.astype(np.int32)))


@pytest.mark.parametrize("fn,arrays", [
    (lambda m, x: m.bincount(x), (np.array([0, -1]),)),
    (lambda m, x: m.bincount(x), (np.array([[0, 1]]),)),
    (lambda m, x: m.bincount(x), (np.array(1),)),
    (lambda m, x: m.bincount(x), (np.array([0.0, 1.0]),)),
    (lambda m, x: m.bincount(x), (np.array([True]),)),
    (lambda m, x: m.bincount(x, minlength=-1), (np.array([0, 1]),)),
    (lambda m, x: m.bincount(x, m.ones(1)), (np.array([0, 1]),)),
])
def test_bincount_errors(fn, arrays):
    same_error(fn, *arrays)


# ============================================================================= in-place forms

INPLACE = {
    "scatter_": lambda m, y, s: y.scatter_(1, m.tensor([[0, 2], [1, 1]]), s),
    "scatter_ value": lambda m, y, s: y.scatter_(1, m.tensor([[0, 2], [1, 1]]), 2.0),
    "scatter_add_": lambda m, y, s: y.scatter_add_(1, m.tensor([[0, 2], [1, 1]]), s),
    "scatter_reduce_": lambda m, y, s: y.scatter_reduce_(1, m.tensor([[0, 2], [1, 1]]), s, "amax"),
    "index_add_": lambda m, y, s: y.index_add_(1, m.tensor([0, 0]), s),
    "index_copy_": lambda m, y, s: y.index_copy_(1, m.tensor([3, 0]), s),
    "index_fill_": lambda m, y, s: y.index_fill_(1, m.tensor([3, 0]), -1.0),
    "index_put_": lambda m, y, s: y.index_put_((m.tensor([0, 1]),), s[:, 0:1], accumulate=True),
    "torch.index_put_": lambda m, y, s: m.index_put_(y, (m.tensor([0, 1]),), s[:, 0:1]),
    "masked_fill_": lambda m, y, s: y.masked_fill_(y > 0, 0.5),
    "masked_scatter_": lambda m, y, s: y.masked_scatter_(m.tensor([[True, False] * 2, [False, True] * 2]),
                                                         s.reshape(-1)),
    "put_": lambda m, y, s: y.put_(m.tensor([0, 5, 5, 7]), s.reshape(-1), accumulate=True),
}


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_forms(name):
    op = INPLACE[name]

    def fn(m, x, s):
        y = x * 1
        result = op(m, y, s)
        assert result is y
        return y
    parity(fn, randn(2, 4), randn(2, 2))
    leaf = ember.tensor(randn(2, 4), requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        op(ember, leaf, ember.tensor(randn(2, 2)))


def test_inplace_version_and_view_write_through():
    base = ember.zeros(3, 4)
    view = base[1:]
    view.index_fill_(1, ember.tensor([0]), 2.0)
    view.masked_fill_(view > 1, 3.0)
    assert base._version == 2
    assert base[:, 0].tolist() == [0.0, 3.0, 3.0]


def test_user_warnings_match_torch():
    x = ember.zeros(3, 4)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        x[ember.tensor([1, 0, 1], dtype=ember.uint8)]
        x[[[0, 1], [1, 2]]]
    assert len(caught) == 2


# ============================================================================= dtypes

@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.int32, np.uint8, np.int8, np.bool_])
def test_dtypes_are_kept(dtype):
    array = randint(0, 3, 3, 4).astype(dtype)
    index = np.array([[0, 2, 1, 0], [1, 1, 0, 2]])
    parity(lambda m, x: (x[1], x[[0, 2]], x[x.bool()], x.gather(0, m.tensor(index)),
                         x.index_select(1, m.tensor([3, 0])), x.take(m.tensor([5, 0])), m.masked_select(x, x.bool()),
                         x.flatten().sort(stable=True), x.argsort(dim=0, stable=True),
                         m.unique(x, return_counts=True), m.where(x.bool(), x, x[0])),
           array, grad=False)
    parity(lambda m, x, s: (x.scatter(0, m.tensor(index[:1]), s), x.index_copy(0, m.tensor([2]), s),
                            x.masked_fill(x.bool(), 1), x.index_fill(1, m.tensor([1]), 1),
                            x.put(m.tensor([0]), s[0, :1]), m.masked_scatter(x, x.bool(), x.flatten())),
           array, randint(0, 3, 1, 4).astype(dtype), grad=False)


# ============================================================================= select/slice/diagonal_scatter

def test_select_scatter():
    parity(lambda m, x, s: m.select_scatter(x, s, 0, 1), randn(2, 3), randn(3))
    parity(lambda m, x, s: x.select_scatter(s, 1, -1), noncontiguous(randn(2, 3)), randn(2))
    parity(lambda m, x, s: m.select_scatter(x, s, 2, 0), randn(2, 3, 4), randn(2, 3, dtype=np.float32))  # cast
    parity(lambda m, x, s: m.select_scatter(x, s, 0, 1), randint(0, 5, 2, 3), randn(3), grad=False)
    parity(lambda m, x, s: m.select_scatter(x, s, 0, 0), randn(1), np.array(2.0))


def test_slice_scatter():
    x = randn(4, 6)
    parity(lambda m, x, s: m.slice_scatter(x, s, 1, 1, 3), x, randn(4, 2))
    parity(lambda m, x, s: m.slice_scatter(x, s, 1, 0, 6, 2), x, randn(4, 3))
    parity(lambda m, x, s: m.slice_scatter(x, s, dim=-1, start=-2), x, randn(4, 2))
    parity(lambda m, x, s: m.slice_scatter(x, s, 1, -10, 2), x, randn(4, 2))
    parity(lambda m, x, s: x.slice_scatter(s, 1, 0, 10, 4), x, randn(4, 2))
    parity(lambda m, x, s: m.slice_scatter(x, s), x, randn(4, 6))
    parity(lambda m, x, s: m.slice_scatter(x, s, 1, 4, 2), x, np.zeros((4, 0)))
    parity(lambda m, x, s: m.slice_scatter(x, s, 0, 1, None, 2), noncontiguous(x), noncontiguous(randn(2, 6)))


def test_diagonal_scatter():
    parity(lambda m, x, s: m.diagonal_scatter(x, s), randn(3, 3), randn(3))
    parity(lambda m, x, s: m.diagonal_scatter(x, s, 1), randn(3, 4), randn(3))
    parity(lambda m, x, s: x.diagonal_scatter(s, -1, 0, 2), randn(3, 2, 4), randn(2, 2))
    parity(lambda m, x, s: m.diagonal_scatter(x, s, 0, 2, 0), noncontiguous(randn(2, 3, 4)), randn(3, 2))
    parity(lambda m, x, s: m.diagonal_scatter(x, s, 5), randn(3, 3), np.zeros(0))
    parity(lambda m, x, s: m.diagonal_scatter(x, s), randint(0, 5, 2, 2), randint(0, 5, 2), grad=False)


def test_scatter_into_view_errors():
    x = randn(2, 3)
    same_error(lambda m, x, s: m.select_scatter(x, s, 1, 3), x, randn(2))
    same_error(lambda m, x, s: m.select_scatter(x, s, 0, 1.0), x, randn(3))
    same_error(lambda m, x, s: m.select_scatter(x, s, 0, 1), x, randn(2))
    same_error(lambda m, x, s: m.select_scatter(x, s, 0, 1), x, randn(1, 3))
    same_error(lambda m, x, s: m.select_scatter(x, s, 0, 0), np.array(1.0), np.array(2.0))
    same_error(lambda m, x, s: m.slice_scatter(x, s, 1, 0, 3, 0), x, randn(2, 2))
    same_error(lambda m, x, s: m.slice_scatter(x, s, 1, 0, 3, -1), x, randn(2, 2))
    same_error(lambda m, x, s: m.slice_scatter(x, s, 1), x, randn(2, 2))
    same_error(lambda m, x, s: m.slice_scatter(x, s), np.array(1.0), np.array(2.0))
    same_error(lambda m, x, s: m.diagonal_scatter(x, s), randn(3, 3), randn(2))
    same_error(lambda m, x, s: m.diagonal_scatter(x, s, 0, 0, 0), randn(3, 3), randn(3))


def test_scatter_into_view_finite_differences():
    check_grad(lambda x, s: ember.select_scatter(x, s, 1, 0), randn(2, 3), randn(2))
    check_grad(lambda x, s: ember.slice_scatter(x, s, 0, 1, 4, 2), randn(5, 2), randn(2, 2))
    check_grad(lambda x, s: ember.diagonal_scatter(x, s, -1), randn(3, 3), randn(2))


# ============================================================================= index_reduce

@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_index_reduce(reduce, include_self):
    x, source = randn(3, 2), randn(4, 2)
    index = np.array([0, 2, 0, 0])
    parity(lambda m, x, i, s: m.index_reduce(x, 0, i, s, reduce, include_self=include_self), x, index, source)
    parity(lambda m, x, i, s: x.index_reduce(1, i, s, reduce, include_self=include_self), noncontiguous(randn(2, 3)),
           np.array([1, 1, 0], dtype=np.int32), randn(2, 3),
           grad=include_self)                   # torch's backward without self rejects an int32 index
    parity(lambda m, x, i, s: x.clone().index_reduce_(0, i, s, reduce, include_self=include_self), x, index, source)


@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
def test_index_reduce_ties_zeros_and_integers(reduce):
    x = np.array([[2.0, 0.0], [1.0, 3.0]])
    source = np.array([[2.0, 5.0], [0.0, 0.0], [2.0, 1.0]])               # ties for amax, zeros for prod
    parity(lambda m, x, i, s: m.index_reduce(x, 0, i, s, reduce), x, np.array([0, 0, 1]), source)
    parity(lambda m, x, i, s: m.index_reduce(x, 0, i, s, reduce), randint(-9, 9, 3, 2), np.array([0, 2, 0]),
           randint(-9, 9, 3, 2), grad=False)


def test_index_reduce_dtypes_and_shapes():
    parity(lambda m, x, i, s: m.index_reduce(x, 0, i, s, "mean"), randn(3, 2, dtype=np.float16), np.array([0, 0]),
           randn(2, 2, dtype=np.float16), grad=False, rtol=1e-3, atol=1e-3)
    parity(lambda m, x, i, s: m.index_reduce(x, 0, i, s, "amax"), randint(0, 2, 3, 2).astype(bool),
           np.array([0, 0]), randint(0, 2, 2, 2).astype(bool), grad=False)
    parity(lambda m, x, i, s: m.index_reduce(x, 0, i, s, "prod"), np.array(2.0), np.array(0), np.array(3.0))
    parity(lambda m, x, i, s: m.index_reduce(x, 0, i, s, "prod"), randn(3, 2), np.zeros(0, dtype=np.int64),
           np.zeros((0, 2)))


def test_index_reduce_errors():
    x, source, index = randn(3, 2), randn(4, 2), np.array([0, 2, 0, 0])
    same_error(lambda m, x, i, s: m.index_reduce(x, 0, i, s, "sum"), x, index, source)
    same_error(lambda m, x, i, s: m.index_reduce(x, 0, i, s, "prod"), x, index.astype(np.float32), source)
    same_error(lambda m, x, i, s: m.index_reduce(x, 0, i, s, "prod"), x, index, source.astype(np.float32))
    same_error(lambda m, x, i, s: m.index_reduce(x, 0, i, s, "prod"), x, index[:3], source)
    same_error(lambda m, x, i, s: m.index_reduce(x, 0, i, s, "prod"), x, np.array([0, 5, 0, 0]), source)
    same_error(lambda m, x, i, s: m.index_reduce(x, 0, i, s, "prod"), x, np.array([0, -1, 0, 0]), source)
    same_error(lambda m, x, i, s: m.index_reduce(x, 0, i, s, "prod"), x, index.reshape(2, 2), source)
    same_error(lambda m, x, i, s: m.index_reduce(x, 0, i, s, "amax"), x, index, randn(4, 3))
    same_error(lambda m, x, i, s: m.index_reduce(x, 0, i, s, "prod"), np.array(2.0), np.array([0, 0]), randn(2))
    same_error(lambda m, x, i, s: m.index_reduce(x, 0, i, s, "prod"), randn(3), np.array([0, 0]), np.array(3.0))


def test_index_reduce_warns_once_as_beta():
    from ember.ops import indexing
    indexing._warned.discard("index_reduce")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(2):
            ember.index_reduce(ember.ones(2), 0, ember.tensor([0]), ember.ones(1), "prod")
    assert [str(w.message) for w in caught] == ["index_reduce() is in beta and the API may change at any time."]


@pytest.mark.parametrize("reduce", ["prod", "mean", "amax"])
def test_index_reduce_finite_differences(reduce):
    check_grad(lambda x, s: ember.index_reduce(x, 1, ember.tensor([0, 2, 0]), s, reduce), randn(2, 3), randn(2, 3))


# ============================================================================= fill_diagonal_

@pytest.mark.parametrize("shape, wrap", [((3, 3), False), ((7, 3), True), ((7, 3), False), ((9, 3), True),
                                         ((4, 3), True), ((3, 7), True), ((2, 2, 2), False), ((0, 3), False)])
def test_fill_diagonal(shape, wrap):
    parity(lambda m, x: (x * 1).fill_diagonal_(5.0, wrap=wrap), randn(*shape))
    parity(lambda m, x: x.clone().fill_diagonal_(-2, wrap), randint(0, 9, *shape), grad=False)


def test_fill_diagonal_values_and_layouts():
    parity(lambda m, x: x.clone().fill_diagonal_(2.7), randint(0, 9, 3, 3), grad=False)
    parity(lambda m, x: x.clone().fill_diagonal_(-1), randint(0, 9, 3, 3).astype(np.uint8), grad=False)
    parity(lambda m, x: x.clone().fill_diagonal_(2), np.zeros((3, 3), dtype=bool), grad=False)
    parity(lambda m, x: x.clone().fill_diagonal_(m.tensor(2.0)), randn(3, 3))
    parity(lambda m, x: (x * 1).t().fill_diagonal_(1.0), randn(3, 3))
    same_error(lambda m, x: x.fill_diagonal_(1.0), randn(2, 2, 3))
    same_error(lambda m, x: x.fill_diagonal_(1.0), randn(3))
    same_error(lambda m, x: x.requires_grad_().fill_diagonal_(1.0), randn(3, 3))


def test_fill_diagonal_finite_differences():
    check_grad(lambda x: (x * 2).fill_diagonal_(1.0, wrap=True), randn(5, 2))


# ============================================================================= isin

def test_isin():
    a = randint(0, 6, 3, 4)
    parity(lambda m, a, b: m.isin(a, b), a, np.array([2, 3]))
    parity(lambda m, a, b: m.isin(a, b, invert=True), a, np.array([2, 3, 9]))
    parity(lambda m, a, b: m.isin(a, b, assume_unique=True), np.arange(5), np.array([4, 1]))
    parity(lambda m, a, b: m.isin(a, b), a, np.array([2.0, 3.5]))                          # promotion
    parity(lambda m, a, b: m.isin(a, b), a.astype(np.uint8), np.array([2], dtype=np.int8))
    parity(lambda m, a, b: m.isin(a, b), noncontiguous(randn(3, 2)), randn(4))
    parity(lambda m, a, b: m.isin(a, b), np.array([np.nan, 1.0]), np.array([np.nan]))
    parity(lambda m, a, b: m.isin(a, b), np.zeros(0), np.zeros(3))
    parity(lambda m, a, b: m.isin(a, b), np.array(2), np.zeros(0))
    parity(lambda m, a, b: m.isin(a, b), a.astype(np.float16), np.array([2.0]))


def test_isin_numbers_and_errors():
    a = randint(0, 6, 3, 4)
    parity(lambda m, a: m.isin(a, 3), a)
    parity(lambda m, a: m.isin(a, 3.0), a)
    parity(lambda m, a: m.isin(3, a), a)
    parity(lambda m, a: m.isin(3.5, a), a)
    same_error(lambda m: m.isin(3, 3))
    same_error(lambda m, a: m.isin(a, [2, 3]), a)
    same_error(lambda m, a, b: m.isin(a, b), a.astype(bool), np.array([True]))
    same_error(lambda m, a, b: m.isin(a, b), a, np.array([True]))
