"""Indexing and data-dependent selection: ``x[i]``, gather/scatter, masks, sorting, searching.

Everything that reads or writes "the elements at these positions" is built on a few
primitives:

* ``BasicIndex`` (from shape.py, where ``select`` and ``narrow`` use it too): ints, slices
  and ``None`` (``x[0, 1:3, None]``), a view;
* ``AdvancedIndex``: index arrays and masks after the basic part, a copy whose
  gradient adds up at repeated positions (``np.add.at``);
* ``IndexPut``: an out-of-place write at such positions (``x[i] = v``), optionally adding;
* ``ScatterReduce``: ``scatter_reduce`` with ``prod``, ``mean``, ``amax`` and ``amin``;
* ``Where`` (from elementwise.py): pick from two tensors by a mask.

``gather``, ``index_select``, ``take``, ``masked_select`` and the sort family read
through ``AdvancedIndex``; ``scatter``, ``index_add``, ``index_copy``, ``index_fill``,
``masked_scatter`` and ``put`` write through ``IndexPut``. So each gradient rule is
written once. Searching, counting and ``unique`` have no gradients.
"""

import operator
import warnings

import numpy as np

from .. import _dtype, return_types
from .._device import array_module
from .._tensor import Tensor, _type_word
from ..autograd import grad_mode
from ..autograd.function import Primitive
from ._util import (
    broadcast_shapes,
    c_type_name,
    check_tensor,
    check_tensor_args,
    constant,
    int_arg,
    promote_operands,
    refuse_complex,
    wrap_dim,
)
from .elementwise import Where, _inplace, _into
from .shape import BasicIndex, Diagonal, _diagonal_dims, _diagonal_view, _slice_key

__all__ = ["gather", "scatter", "scatter_add", "scatter_reduce", "index_select", "index_add", "index_copy",
           "index_fill", "index_put", "index_put_", "masked_fill", "masked_scatter", "masked_select", "where",
           "nonzero", "argwhere", "take", "take_along_dim", "put", "sort", "argsort", "msort", "topk",
           "kthvalue", "unique", "unique_consecutive", "searchsorted", "bucketize", "bincount"]


# ============================================================================= reading an index key
#
# PyTorch reads ``x[key]`` item by item: ints select (removing a dimension), slices
# narrow, None and bools insert a dimension, and index tensors (or masks) are set aside
# and applied together at the end with NumPy's placement rule. Here that becomes a
# "basic" NumPy key on the original array (a view) plus an "advanced" key of slices and
# int64 arrays applied to that view.

_INT, _SLICE, _NONE, _ELLIPSIS, _BOOL, _INDEX, _MASK = "int", "slice", "none", "ellipsis", "bool", "index", "mask"

_INDEX_TYPE_ERROR = ("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid "
                     "indices (got {})")
_INDEX_DTYPE_ERROR = "tensors used as indices must be long, int, byte or bool tensors"


def _type_label(value):
    """``float``, ``numpy.bool``: how PyTorch names a type in its index errors."""
    kind = type(value)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"


def _key_items(key):
    """The items of an index key; a short list holding index-like items is read as a tuple, as PyTorch does."""
    if isinstance(key, tuple):
        return key
    if isinstance(key, (list, str)) and len(key) < 32 and any(
            isinstance(item, (Tensor, np.ndarray, list, tuple, range, str, slice)) or item is None or item is Ellipsis
            for item in key):
        warnings.warn("Using a non-tuple sequence for multidimensional indexing is deprecated; use x[tuple(seq)] "
                      "instead of x[seq].", UserWarning, stacklevel=4)
        return tuple(key)
    return (key,)


def _checked_slice(item):
    """A slice with int bounds, or PyTorch's errors for a zero or negative step."""
    parts = []
    for part in (item.start, item.stop, item.step):
        if part is not None:
            try:
                part = operator.index(part)
            except TypeError:
                raise TypeError("slice indices must be integers or None or have an __index__ method") from None
        parts.append(part)
    if parts[2] == 0:
        raise ValueError("slice step cannot be zero")
    if parts[2] is not None and parts[2] < 0:
        raise ValueError("step must be greater than zero")
    return slice(*parts)


def _classify_array(array, from_tensor):
    """Read an index array: bool and uint8 are masks; integers index; 0-dim ones act as an int or bool."""
    kind = array.dtype.kind
    if kind == "b" or array.dtype == np.uint8:
        if array.dtype == np.uint8:
            warnings.warn("indexing with dtype ember.uint8 is now deprecated, please use a dtype ember.bool "
                          "instead.", UserWarning, stacklevel=5)
        if array.ndim == 0:
            return _BOOL, bool(array)
        return _MASK, array.astype(bool, copy=False)
    if from_tensor and array.dtype not in (np.int64, np.int32):
        raise IndexError(_INDEX_DTYPE_ERROR)
    if kind not in "iuf":
        raise IndexError(_INDEX_DTYPE_ERROR)
    if array.ndim == 0:
        return _INT, int(array)
    return _INDEX, array.astype(np.int64, copy=False)


def _classify(item):
    """(kind, value) for one item of an index key."""
    if item is None:
        return _NONE, None
    if item is Ellipsis:
        return _ELLIPSIS, None
    if isinstance(item, bool):
        return _BOOL, item
    if isinstance(item, (int, np.integer)):
        return _INT, int(item)
    if isinstance(item, slice):
        return _SLICE, _checked_slice(item)
    if isinstance(item, Tensor):
        return _classify_array(item._data, from_tensor=True)
    if isinstance(item, np.ndarray):
        return _classify_array(item, from_tensor=False)
    if isinstance(item, (list, tuple, range)):
        array = np.asarray(item)
        if array.size == 0:
            array = array.astype(np.int64)
        return _classify_array(array, from_tensor=False)
    if isinstance(item, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(item).__name__}'")
    raise IndexError(_INDEX_TYPE_ERROR.format(_type_label(item)))


def _dims_used(kind, value):
    if kind in (_INT, _SLICE, _INDEX):
        return 1
    return value.ndim if kind == _MASK else 0


def _parse_key(array, key):
    """Split a PyTorch index key on ``array`` into (basic, advanced) NumPy keys.

    ``basic`` (ints, slices, None, ending in ``...``) gives a view; ``advanced`` (slices
    and int64 arrays, or None when there are none) is applied to that view.
    """
    ndim = array.ndim
    if ndim == 0 and isinstance(key, (int, np.integer)) and not isinstance(key, bool):
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in "
                         "C++ to convert a 0-dim tensor to a number")
    if ndim == 0 and isinstance(key, slice):
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    items = [_classify(item) for item in _key_items(key)]
    specified = sum(_dims_used(kind, value) for kind, value in items)
    if specified > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    basic, arrays, masks = [], {}, []
    src = out = 0
    for kind, value in items:
        if kind == _INT:
            size = array.shape[src]
            if not -size <= value < size:
                raise IndexError(f"index {value} is out of bounds for dimension {src} with size {size}")
            basic.append(value)
            src += 1
        elif kind == _SLICE:
            basic.append(value)
            src, out = src + 1, out + 1
        elif kind == _NONE:
            basic.append(None)
            out += 1
        elif kind == _ELLIPSIS:
            skipped = min(ndim - specified, ndim - src)
            basic.extend([slice(None)] * skipped)
            src, out = src + skipped, out + skipped
        elif kind == _BOOL:
            basic.append(None)
            arrays[out] = np.zeros(1 if value else 0, dtype=np.int64)
            out += 1
        elif kind == _INDEX:
            basic.append(slice(None))
            arrays[out] = value
            src, out = src + 1, out + 1
        else:
            basic.extend([slice(None)] * value.ndim)
            masks.append((out, value))
            src, out = src + value.ndim, out + value.ndim
    basic = tuple(basic) + (Ellipsis,)
    if not arrays and not masks:
        return basic, None
    view_shape = array[basic].shape
    for position, mask in masks:
        _check_mask_shape(mask, view_shape, position)
        arrays.update(zip(range(position, position + mask.ndim), np.nonzero(mask)))
    advanced = _advanced_key(arrays, view_shape)
    if all(item == slice(None) for item in basic[:-1]):
        basic = None
    return basic, advanced


def _check_mask_shape(mask, view_shape, position):
    for j, size in enumerate(mask.shape):
        if size != view_shape[position + j]:
            raise IndexError(f"The shape of the mask {list(mask.shape)} at index {j} does not match the shape of "
                             f"the indexed tensor {list(view_shape)} at index {position + j}")


def _advanced_key(arrays, view_shape):
    """The advanced key (slices and arrays up to the last array), after broadcast and bounds checks."""
    positions = sorted(arrays)
    try:
        if len(positions) > 1:
            np.broadcast_shapes(*(arrays[p].shape for p in positions))
    except ValueError:
        shapes = ", ".join(str(list(arrays[p].shape)) for p in positions)
        raise IndexError(f"shape mismatch: indexing tensors could not be broadcast together with shapes "
                         f"{shapes}") from None
    for ordinal, position in enumerate(positions):
        _check_bounds(arrays[position], view_shape[position], ordinal)
    return tuple(arrays.get(d, slice(None)) for d in range(positions[-1] + 1))


def _outside(index, low, high):
    """The first value of the index array ``index`` outside ``[low, high)``, or None when all are inside."""
    if index.size == 0 or (index.min() >= low and index.max() < high):
        return None
    flat = index.ravel()
    return flat[np.flatnonzero((flat < low) | (flat >= high))[0]]


def _check_bounds(index, size, dim):
    """PyTorch's IndexError for an index array with values outside ``[-size, size)``."""
    bad = _outside(index, -size, size)
    if bad is not None:
        raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {size}")


def _indexed_shape(view_shape, advanced):
    """The shape of ``view[advanced]``: broadcast index shape in place, or first when the arrays are apart."""
    positions = [d for d, item in enumerate(advanced) if isinstance(item, np.ndarray)]
    index_shape = advanced[positions[0]].shape if len(positions) == 1 else \
        np.broadcast_shapes(*(advanced[d].shape for d in positions))
    if positions == list(range(positions[0], positions[-1] + 1)):
        return tuple(view_shape[:positions[0]]) + index_shape + tuple(view_shape[positions[-1] + 1:])
    rest = tuple(s for d, s in enumerate(view_shape) if d not in positions)
    return index_shape + rest


def _result_shape(array, basic, advanced):
    view_shape = array[basic].shape if basic is not None else array.shape
    return view_shape if advanced is None else _indexed_shape(view_shape, advanced)


# ============================================================================= the primitives

def _add_at(out, key, values):
    """``out[key] += values`` where repeated positions add up (NumPy's ``add.at``)."""
    np.add.at(out, key, values)


def _viewed(array, basic):
    return array if basic is None else array[basic]


class AdvancedIndex(Primitive):
    """``x[basic][advanced]`` with index arrays: a copy; repeated positions add up in the gradient."""

    @staticmethod
    def forward(ctx, x, *, basic, advanced):
        ctx.shape, ctx.basic, ctx.advanced = x.shape, basic, advanced
        return _viewed(x, basic)[advanced]

    @staticmethod
    def backward(ctx, grad):
        return AdvancedIndexBackward.apply(grad, shape=ctx.shape, basic=ctx.basic, advanced=ctx.advanced)


class AdvancedIndexBackward(Primitive):
    """Zeros of ``shape`` with ``grad`` added at the indexed positions; its own gradient indexes again."""

    @staticmethod
    def forward(ctx, grad, *, shape, basic, advanced):
        ctx.basic, ctx.advanced = basic, advanced
        out = array_module(grad).zeros(shape, dtype=grad.dtype)
        _add_at(_viewed(out, basic), advanced, grad)
        return out

    @staticmethod
    def backward(ctx, grad):
        return AdvancedIndex.apply(grad, basic=ctx.basic, advanced=ctx.advanced)


def _index(x, basic, advanced):
    """``x`` indexed by a parsed key: a view for a basic key, a copy with index arrays."""
    if advanced is None:
        return BasicIndex.apply(x, key=basic)
    return AdvancedIndex.apply(x, basic=basic, advanced=advanced)


class IndexPut(Primitive):
    """A copy of ``x`` with ``values`` written (or, with ``accumulate``, added) at a parsed key.

    The old ``x`` gets the gradient everywhere except the overwritten positions; ``values``
    gets the gradient at those positions (the engine sums it over broadcasting).
    """

    @staticmethod
    def forward(ctx, x, values, *, basic, advanced, accumulate):
        ctx.basic, ctx.advanced, ctx.accumulate = basic, advanced, accumulate
        out = x.copy()
        target = _viewed(out, basic)
        if advanced is None:
            if accumulate:
                target += values
            else:
                target[...] = values
        elif accumulate:
            _add_at(target, advanced, values)
        else:
            target[advanced] = values
        return out

    @staticmethod
    def backward(ctx, grad):
        grad_x = grad_values = None
        if ctx.needs_input_grad[0]:
            grad_x = grad if ctx.accumulate else IndexPut.apply(
                grad, Tensor._zeros((), grad.dtype), basic=ctx.basic, advanced=ctx.advanced, accumulate=False)
        if ctx.needs_input_grad[1]:
            grad_values = _index(grad, ctx.basic, ctx.advanced)
        return grad_x, grad_values


class NoDerivative(Primitive):
    """An op PyTorch gives no derivative: the output joins the graph, and backward raises as in PyTorch."""

    @staticmethod
    def forward(ctx, *inputs, result, name):
        ctx.op_name = name
        return result

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError(f"derivative for {ctx.op_name} is not implemented")


_REDUCE_UFUNCS = {"prod": np.multiply, "mean": np.add, "amax": np.maximum, "amin": np.minimum}


def _reduce_identity(reduce, dtype):
    """The value a target starts from when its own value is left out (``include_self=False``)."""
    if reduce == "mean":
        return 0
    if reduce == "prod":
        return 1
    if dtype.kind == "f" or dtype.name == "bfloat16":
        return -np.inf if reduce == "amax" else np.inf
    if dtype.kind == "b":
        return reduce == "amin"
    limits = np.iinfo(dtype)
    return limits.min if reduce == "amax" else limits.max


class ScatterReduce(Primitive):
    """``scatter_reduce`` with prod, mean, amax or amin at a scatter key (gradients as PyTorch defines them)."""

    @staticmethod
    def forward(ctx, x, src, *, key, reduce, include_self):
        ctx.key, ctx.reduce, ctx.include_self = key, reduce, include_self
        out = x.copy()
        if not include_self:
            out[key] = _reduce_identity(reduce, x.dtype)
        _REDUCE_UFUNCS[reduce].at(out, key, src)
        if reduce == "mean":
            is_float = x.dtype.kind == "f"
            counts = np.full(x.shape, 1 if include_self else 0, dtype=x.dtype if is_float else np.int64)
            _add_at(counts, key, 1)
            counts = np.maximum(counts, 1)          # targets nothing was scattered to keep their value
            out = (out / counts if is_float else out // counts).astype(x.dtype, copy=False)
            ctx.counts = counts
        ctx.save_for_backward(x, src, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, src, result = ctx.saved_tensors
        rule = {"mean": _scatter_mean_grads, "prod": _scatter_prod_grads,
                "amax": _scatter_extreme_grads, "amin": _scatter_extreme_grads}[ctx.reduce]
        grad_self, grad_src = rule(ctx, grad, x, src, result)
        if not ctx.include_self:
            grad_self = IndexPut.apply(grad_self, Tensor._zeros((), grad.dtype), basic=None, advanced=ctx.key,
                                       accumulate=False)
        return grad_self, grad_src


def _scatter_mean_grads(ctx, grad, x, src, result):
    """Each target's gradient is shared equally by the values averaged into it."""
    shared = grad / constant(ctx.counts, grad)
    return shared, AdvancedIndex.apply(shared, basic=None, advanced=ctx.key)


def _scatter_extreme_grads(ctx, grad, x, src, result):
    """The gradient is split evenly between all values equal to the max (or min)."""
    dtype = grad._data.dtype
    self_is_result = (x._data == result._data).astype(dtype)
    src_is_result = (src._data == result._data[ctx.key]).astype(dtype)
    ties = self_is_result.copy()
    _add_at(ties, ctx.key, src_is_result)
    shared = grad / constant(ties)
    return shared * constant(self_is_result), \
        AdvancedIndex.apply(shared, basic=None, advanced=ctx.key) * constant(src_is_result)


def _scatter_prod_grads(ctx, grad, x, src, result):
    """The product of the other factors, computed without dividing by zero (PyTorch's rule)."""
    key, include_self = ctx.key, ctx.include_self
    one = Tensor._make(np.ones((), dtype=grad._data.dtype))
    masked_self = Where.apply(constant(x._data == 0), one, x)
    masked_self_result = ScatterReduce.apply(masked_self, src, key=key, reduce="prod", include_self=include_self)
    grad_self = grad * masked_self_result / masked_self
    src_zero = src._data == 0
    zeros_per_target = np.zeros(x.shape, dtype=np.int64)
    _add_at(zeros_per_target, key, src_zero)
    single_zero = constant(src_zero & (zeros_per_target[key] == 1))
    masked_src = Where.apply(single_zero, one, src)
    masked_src_result = ScatterReduce.apply(x, masked_src, key=key, reduce="prod", include_self=include_self)
    grad_src = Where.apply(single_zero, AdvancedIndex.apply(grad * masked_src_result, basic=None, advanced=key),
                           AdvancedIndex.apply(grad * result, basic=None, advanced=key)
                           / Where.apply(constant(src_zero), one, src))
    return grad_self, grad_src


# ============================================================================= x[key] and x[key] = value

def __getitem__(self, key):
    """``self[key]`` with PyTorch's rules: ints, slices and None give a view; index tensors and masks a copy.

    >>> ember.arange(6).reshape(2, 3)[:, [0, 2]]
    tensor([[0, 2],
            [3, 5]])
    """
    basic, advanced = _parse_key(self._data, key)
    return _index(self, basic, advanced)


def _value_to_tensor(self, value):
    """A value for ``self[key] = value``: a Tensor as given, a number as a 0-dim tensor of self's dtype."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (bool, int, float, np.bool_, np.number)):
        return Tensor._make(np.array(value).astype(self._data.dtype))
    raise TypeError(f"can't assign a {_type_label(value)} to a {self.type()}")


def _strip_leading_ones(value, ndim):
    """Drop leading size-1 dimensions beyond ``ndim``, which PyTorch ignores when assigning."""
    shape = tuple(value.shape)
    while len(shape) > ndim and shape[0] == 1:
        shape = shape[1:]
    return value if shape == tuple(value.shape) else value.reshape(shape)


def _check_value_shape(value, target_shape, advanced):
    """PyTorch's errors for a value that does not broadcast to the indexed shape."""
    shape = tuple(value.shape)
    fits = len(shape) <= len(target_shape) and all(
        s == 1 or s == t for s, t in zip(shape[::-1], target_shape[::-1]))
    if fits:
        return
    if advanced is not None:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(shape)} cannot be broadcast to indexing "
                           f"result of shape {list(target_shape)}")
    value.expand(target_shape)      # raises the expand error PyTorch gives here


def _check_put_dtype(self, value):
    if value.dtype is not self.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{_type_word(self.dtype)} for the destination and {_type_word(value.dtype)} for the "
                           "source.")


def _fitted_value(self, basic, advanced, value):
    """``value`` checked to broadcast to ``self[key]``, without the leading 1s PyTorch ignores."""
    target_shape = _result_shape(self._data, basic, advanced)
    value = _strip_leading_ones(value, len(target_shape))
    _check_value_shape(value, target_shape, advanced)
    return value


def _put(self, basic, advanced, value, accumulate=False):
    """``self`` with ``value`` written (or added) at a parsed key, out of place and differentiable."""
    value = _fitted_value(self, basic, advanced, value)
    return IndexPut.apply(self, value, basic=basic, advanced=advanced, accumulate=accumulate)


def __setitem__(self, key, value):
    """``self[key] = value``: a number or a tensor (broadcast), written in place with autograd following.

    >>> x = ember.zeros(3)
    >>> x[[0, 2]] = 1.0
    >>> x
    tensor([1., 0., 1.])
    """
    value = _value_to_tensor(self, value)
    basic, advanced = _parse_key(self._data, key)
    if advanced is not None:
        _check_put_dtype(self, value)
    elif value.dtype is not self.dtype:
        value = value._cast(self.dtype)
    tracked = grad_mode.is_grad_enabled() and (
        self._requires_grad or value._requires_grad or (self._base is not None and self._base._requires_grad))
    if tracked:
        self._assign_inplace(_put(self, basic, advanced, value))
        return
    value = _fitted_value(self, basic, advanced, value)     # no autograd: write straight into memory
    self._check_inplace()
    target = _viewed(self._data, basic)
    if advanced is None:
        target[...] = value._data
    else:
        target[advanced] = value._data
    self._bump_version()


# ============================================================================= gather and scatter

def _scatter_key(index, dim):
    """The NumPy key for ``out[index[i][j]][j]`` (dim 0): ``index`` along ``dim``, the position elsewhere."""
    key = []
    for d, size in enumerate(index.shape):
        if d == dim:
            key.append(index)
        else:
            shape = [1] * index.ndim
            shape[d] = size
            key.append(np.arange(size).reshape(shape))
    return tuple(key)


def _as_1d(tensor):
    """A 0-dim tensor as one element (PyTorch treats 0-dim as 1-dim in gather and scatter)."""
    return tensor.reshape(1) if tensor.ndim == 0 else tensor


def _check_index_dtype(index, fn, allowed=(np.int64, np.int32), message=None):
    check_tensor(index, "index", fn)
    if index._data.dtype not in allowed:
        raise RuntimeError(message or f"{fn}(): Expected dtype int32/int64 for index")


def _check_gather_index(input, dim, index):
    _check_index_dtype(index, "gather")
    if max(index.ndim, 1) != max(input.ndim, 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    index_shape, input_shape = _as_1d(index).shape, _as_1d(input).shape
    for d, size in enumerate(index_shape):
        if d != dim and size > input_shape[d]:
            raise RuntimeError(f"Size does not match at dimension {d} expected index {list(index.shape)} to be no "
                               f"larger than self {list(input.shape)} apart from dimension {dim}")
    _check_nonnegative_bounds(index._data, input_shape[dim], dim)


def _check_nonnegative_bounds(index, size, dim):
    """gather/scatter indices must lie in ``[0, size)``; negative ones are errors, not wrapped."""
    bad = _outside(index, 0, size)
    if bad is not None:
        raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {size}")


def _check_scatter_index(input, dim, index, src):
    _check_index_dtype(index, "scatter")
    if src is not None and src.dtype is not input.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    if max(index.ndim, 1) != max(input.ndim, 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    if src is not None and max(index.ndim, 1) != max(src.ndim, 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    index_shape, input_shape = _as_1d(index).shape, _as_1d(input).shape
    src_shape = _as_1d(src).shape if src is not None else None
    for d, size in enumerate(index_shape):
        too_big = (d != dim and size > input_shape[d]) or (src_shape is not None and size > src_shape[d])
        if too_big and src is None:
            raise RuntimeError(f"Expected index {list(index.shape)} to be no larger than self {list(input.shape)} "
                               f"apart from dimension {dim}")
        if too_big:
            raise RuntimeError(f"Expected index {list(index.shape)} to be no larger than self {list(input.shape)} "
                               f"apart from dimension {dim} and to be no larger size than src {list(src.shape)}")
    _check_nonnegative_bounds(index._data, input_shape[dim], dim)


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """Values of ``input`` picked along ``dim`` by ``index``: ``out[i][j] = input[i][index[i][j]]`` for dim 1.

    >>> ember.gather(ember.tensor([[1, 2], [3, 4]]), 1, ember.tensor([[0, 0], [1, 0]]))
    tensor([[1, 1],
            [4, 3]])
    """
    check_tensor(input, "input", "gather")
    dim = wrap_dim(dim, input.ndim)
    _check_gather_index(input, dim, index)
    key = _scatter_key(_as_1d(index)._data, dim)
    result = AdvancedIndex.apply(_as_1d(input), basic=None, advanced=key)
    return _into(out, result.reshape(index.shape) if index.ndim == 0 else result)


def _src_part(src, index_shape):
    """``src`` cut down to ``index_shape`` (scatter reads only that corner of src)."""
    if tuple(src.shape) == tuple(index_shape):
        return src
    return BasicIndex.apply(src, key=tuple(slice(0, s) for s in index_shape) + (Ellipsis,))


def _scatter_operands(input, dim, index, src, fn):
    """Checked, at-least-1-d operands of a scatter: (input, key, src restricted to the index's shape)."""
    check_tensor(input, "input", fn)
    dim = wrap_dim(dim, input.ndim)
    _check_scatter_index(input, dim, index, src)
    index_1d = _as_1d(index)._data
    key = _scatter_key(index_1d, dim)
    if src is None:
        return _as_1d(input), key, None
    return _as_1d(input), key, _src_part(_as_1d(src), index_1d.shape)


def _scatter_value(input, value):
    """A Python number as a 0-dim tensor of ``input``'s dtype (scatter and fill values)."""
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(f"only a 0-dimensional value tensor is supported, got {value.ndim} dimension(s)")
        return value._cast(input.dtype)
    if not isinstance(value, (int, float, np.number, np.bool_)):
        raise TypeError(f"argument 'value' must be Number or Tensor, not {type(value).__name__}")
    return Tensor._make(np.array(value).astype(input._data.dtype))


def scatter(input, dim, index, src=None, *, value=None, reduce=None, out=None):
    """A copy of ``input`` with ``src`` (or the number ``value``) written along ``dim`` at ``index``.

    ``out[index[i][j]][j] = src[i][j]`` for dim 0; ``reduce='add'`` or ``'multiply'`` combines instead.

    >>> ember.scatter(ember.zeros(2, 3), 1, ember.tensor([[2], [0]]), 1.0)
    tensor([[0., 0., 1.],
            [1., 0., 0.]])
    """
    if not isinstance(src, Tensor):
        if src is None and value is None:
            raise TypeError("scatter() missing required argument 'src' or 'value'")
        value = src if src is not None else value
        src = None
    if reduce is not None and reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    x, key, part = _scatter_operands(input, dim, index, src, "scatter")
    values = part if part is not None else _scatter_value(x, value)
    if reduce is None:
        result = IndexPut.apply(x, values, basic=None, advanced=key, accumulate=False)
    else:
        array = x._data.copy()
        (np.add if reduce == "add" else np.multiply).at(array, key, values._data)
        result = NoDerivative.apply(x, values, result=array, name="aten::scatter")
    return _into(out, result.reshape(input.shape))


def scatter_add(input, dim, index, src):
    """A copy of ``input`` with ``src`` added along ``dim`` at ``index``; repeated indices add up.

    >>> ember.scatter_add(ember.zeros(3), 0, ember.tensor([0, 0, 2]), ember.ones(3))
    tensor([2., 0., 1.])
    """
    check_tensor(src, "src", "scatter_add")
    x, key, part = _scatter_operands(input, dim, index, src, "scatter_add")
    return IndexPut.apply(x, part, basic=None, advanced=key, accumulate=True).reshape(input.shape)


_SCATTER_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True, out=None):
    """Reduce ``src`` into a copy of ``input`` along ``dim`` at ``index`` with sum, prod, mean, amax or amin.

    >>> ember.scatter_reduce(ember.zeros(2), 0, ember.tensor([0, 0, 1]), ember.tensor([1., 3., 5.]), "amax")
    tensor([3., 5.])
    """
    check_tensor(src, "src", "scatter_reduce")
    if reduce not in _SCATTER_REDUCTIONS:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    x, key, part = _scatter_operands(input, dim, index, src, "scatter_reduce")
    if reduce == "sum":
        if not include_self:
            x = IndexPut.apply(x, Tensor._zeros((), x.dtype), basic=None, advanced=key, accumulate=False)
        result = IndexPut.apply(x, part, basic=None, advanced=key, accumulate=True)
    else:
        result = ScatterReduce.apply(x, part, key=key, reduce=reduce, include_self=include_self)
    return _into(out, result.reshape(input.shape))


# ============================================================================= index_select and the index_* writes

def _index_vector(input, dim, index, fn, allowed=(np.int64, np.int32), dtype_message=None, dim_message=None):
    """Check an index vector of ``fn`` and return (dim, the index as a 1-d int64 array)."""
    check_tensor(input, "input", fn)
    dim = wrap_dim(dim, input.ndim)
    check_tensor(index, "index", fn)
    if index._data.dtype not in allowed:
        raise RuntimeError(dtype_message or f"{fn}(): Expected dtype int32 or int64 for index")
    if index.ndim > 1:
        raise IndexError(dim_message or f"{fn}(): Index is supposed to be a vector")
    return dim, index._data.reshape(-1).astype(np.int64, copy=False)


def _described_index_vector(input, dim, index, fn):
    """``_index_vector`` with the messages of ``index_add_`` and ``index_reduce_``, which describe the index."""
    if not isinstance(index, Tensor):
        return _index_vector(input, dim, index, fn)
    return _index_vector(input, dim, index, fn,
                         dtype_message=f"{fn}(): Expected dtype int32/int64 for index but got: "
                                       f"{_type_word(index.dtype)}",
                         dim_message=f"{fn}(): Index is supposed to be a vector, but got dim: {index.ndim} with "
                                     f"type: {_type_word(index.dtype)} and size: {list(index.shape)}")


def _dim_key(dim, index):
    """The advanced key selecting ``index`` along ``dim``."""
    return (slice(None),) * dim + (index,)


def index_select(input, dim, index, *, out=None):
    """The slices of ``input`` along ``dim`` at the positions in the 1-d ``index`` (repeats allowed).

    >>> ember.index_select(ember.tensor([[1, 2, 3], [4, 5, 6]]), 1, ember.tensor([2, 0]))
    tensor([[3, 1],
            [6, 4]])
    """
    dim, idx = _index_vector(input, dim, index, "index_select")
    size = _as_1d(input).shape[dim]
    if input.ndim == 0 and idx.size != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {idx.size} value(s)")
    bad = _outside(idx, 0, size)
    if bad is not None and dim == 0:          # PyTorch's row-gathering path words it differently
        raise IndexError("index out of range in self")
    if bad is not None:
        raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad} axis_dim={size}")
    result = AdvancedIndex.apply(_as_1d(input), basic=None, advanced=_dim_key(dim, idx))
    return _into(out, result.reshape(()) if input.ndim == 0 else result)


def _check_source(input, dim, idx, source, fn):
    """Shape checks shared by index_add and index_copy."""
    if input.ndim == 0 or source.ndim == 0:
        return
    if source.ndim != input.ndim:
        if fn == "index_copy_":
            raise IndexError(f"index_copy_(): When source and destination are not scalars, their dimensionality "
                             f"must match. Source dimensionality ({source.ndim}), destination dimensionality "
                             f"({input.ndim})")
        raise RuntimeError(f"{fn}(): Indexing dim {dim} is out of bounds of the source tensor with dim "
                           f"{source.ndim}")
    if idx.size != source.shape[dim]:
        if fn == "index_copy_":
            raise IndexError(f"index_copy_(): Number of indices ({idx.size}) should be equal to source.size(dim) "
                             f"({source.shape[dim]})")
        raise RuntimeError(f"{fn}(): Number of indices ({idx.size}) should be equal to source.size(dim): "
                           f"({source.shape[dim]}), for dim: {dim}")
    for d in range(input.ndim):
        if d != dim and source.shape[d] != input.shape[d]:
            if fn == "index_copy_":
                raise RuntimeError(f"index_copy_(): Source/destination tensor must have same slice shapes. "
                                   f"Destination slice shape: {input.shape[d]} at dimension {d} and source slice "
                                   f"shape: {source.shape[d]} at dimension {d}.")
            raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified "
                               f"dimension. Got self.shape = {list(input.shape)} source.shape = "
                               f"{list(source.shape)}")


def _index_write(input, dim, idx, source, accumulate):
    """``input`` with ``source`` written (or added) at ``idx`` along ``dim`` (0-dim tensors as 1-d)."""
    result = IndexPut.apply(_as_1d(input), source, basic=None, advanced=_dim_key(dim, idx), accumulate=accumulate)
    return result.reshape(input.shape)


def index_add(input, dim, index, source, *, alpha=1, out=None):
    """A copy of ``input`` with ``alpha * source`` added along ``dim`` at ``index``; repeats add up.

    >>> ember.index_add(ember.zeros(3), 0, ember.tensor([0, 0]), ember.tensor([1., 2.]))
    tensor([3., 0., 0.])
    """
    dim, idx = _described_index_vector(input, dim, index, "index_add_")
    check_tensor(source, "source", "index_add")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"index_add_(): self ({_type_word(input.dtype)}) and source ({_type_word(source.dtype)}) "
                           "must have the same scalar type")
    _check_source(input, dim, idx, source, "index_add_")
    if input.ndim <= 1 and _outside(idx, 0, _as_1d(input).shape[dim]) is not None:   # PyTorch's 1-d path
        raise IndexError("index out of range in self")
    _check_nonnegative_bounds(idx, _as_1d(input).shape[dim], dim)
    if alpha != 1:
        source = source * (alpha if input.dtype.is_floating_point else int(alpha))
    return _into(out, _index_write(input, dim, idx, source, accumulate=True))


def index_copy(input, dim, index, source, *, out=None):
    """A copy of ``input`` with the slices of ``source`` written along ``dim`` at ``index``.

    >>> ember.index_copy(ember.zeros(3), 0, ember.tensor([2]), ember.tensor([5.]))
    tensor([0., 0., 5.])
    """
    check_tensor(index, "index", "index_copy")
    dim, idx = _index_vector(input, dim, index, "index_copy_", allowed=(np.int64,), dtype_message=(
        f"index_copy_(): Expected a long tensor for index, but got {_type_word(index.dtype)}"),
        dim_message=f"index_copy_(): Index should have dimension 1 or 0 (got {index.ndim})")
    check_tensor(source, "source", "index_copy")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but got (self) "
                           f"{_type_word(input.dtype)} and (source) {_type_word(source.dtype)}")
    _check_source(input, dim, idx, source, "index_copy_")
    size = _as_1d(input).shape[dim]
    bad = _outside(idx, 0, size)
    if bad is not None:
        raise IndexError(f"index_copy_(): index {bad} is out of bounds for dimension {dim} with size {size}")
    return _into(out, _index_write(input, dim, idx, source, accumulate=False))


def index_fill(input, dim, index, value):
    """A copy of ``input`` with the slices along ``dim`` at ``index`` set to ``value`` (negative indices wrap).

    >>> ember.index_fill(ember.zeros(2, 3), 1, ember.tensor([0, -1]), 7.0)
    tensor([[7., 0., 7.],
            [7., 0., 7.]])
    """
    check_tensor(index, "index", "index_fill")
    if index._data.dtype != np.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    if index.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    dim, idx = _index_vector(input, dim, index, "index_fill_")
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value.ndim} dimension(s).")
    size = _as_1d(input).shape[dim]
    _check_bounds(idx, size, dim)
    unique_positions = np.unique(idx % size) if size else idx     # a repeated index fills once
    fill = _scatter_value(input, value)
    result = IndexPut.apply(_as_1d(input), fill, basic=None, advanced=_dim_key(dim, unique_positions),
                            accumulate=False)
    return result.reshape(input.shape)


def index_put(input, indices, values, accumulate=False):
    """A copy of ``input`` with ``values`` written (or added, with ``accumulate``) at ``input[indices]``.

    >>> ember.index_put(ember.zeros(3), (ember.tensor([0, 0]),), ember.tensor(1.), accumulate=True)
    tensor([2., 0., 0.])
    """
    check_tensor(input, "input", "index_put")
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"index_put(): argument 'indices' (position 2) must be tuple of Tensors, not "
                        f"{type(indices).__name__}")
    for i, item in enumerate(indices):
        if not isinstance(item, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 1, but got {type(item).__name__}")
    if not isinstance(values, Tensor):
        raise TypeError(f"index_put(): argument 'values' (position 3) must be Tensor, not {type(values).__name__}")
    _check_put_dtype(input, values)
    basic, advanced = _parse_key(input._data, tuple(indices))
    return _put(input, basic, advanced, values, accumulate=accumulate)


def index_put_(input, indices, values, accumulate=False):
    """:func:`index_put` in place: ``input[indices] = values`` (or ``+=`` with ``accumulate``).

    >>> x = ember.zeros(3)
    >>> ember.index_put_(x, (ember.tensor([1]),), ember.tensor(5.))
    tensor([0., 5., 0.])
    """
    check_tensor(input, "input", "index_put_")
    return input._assign_inplace(index_put(input, indices, values, accumulate))


# ============================================================================= masks and where

def _check_mask(mask, fn, message):
    check_tensor(mask, "mask", fn)
    if mask.dtype is not _dtype.bool:
        raise RuntimeError(message(mask.dtype))


def masked_fill(input, mask, value):
    """A copy of ``input`` with ``value`` (a number or 0-dim tensor) where the bool ``mask`` is True.

    >>> ember.masked_fill(ember.tensor([1., 2., 3.]), ember.tensor([True, False, True]), 0.0)
    tensor([0., 2., 0.])
    """
    check_tensor(input, "input", "masked_fill")
    _check_mask(mask, "masked_fill", lambda d: f"masked_fill_ only supports boolean masks, but got mask with "
                                               f"dtype {c_type_name(d)}")
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value.ndim} dimension(s).")
    broadcast_shapes(input.shape, mask.shape)
    return Where.apply(mask, _scatter_value(input, value), input)


def masked_scatter(input, mask, source):
    """A copy of ``input`` with the elements of ``source``, in order, placed where ``mask`` is True.

    >>> ember.masked_scatter(ember.zeros(3), ember.tensor([True, False, True]), ember.tensor([1., 2., 3.]))
    tensor([1., 0., 2.])
    """
    check_tensor(input, "input", "masked_scatter")
    _check_mask(mask, "masked_scatter", lambda d: f"masked_scatter_ only supports boolean masks, but got mask "
                                                  f"with dtype {_type_word(d)}")
    check_tensor(source, "source", "masked_scatter")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got"
                           f"{_type_word(input.dtype)} and {_type_word(source.dtype)}")
    shape = tuple(broadcast_shapes(input.shape, mask.shape))
    target = input if tuple(input.shape) == shape else input.expand(shape)
    positions = np.nonzero(np.broadcast_to(mask._data, shape).reshape(shape or (1,)))
    count = positions[0].size
    if count > source.numel():
        raise RuntimeError("Number of elements of source < number of ones in mask")
    values = BasicIndex.apply(source.reshape(-1), key=(slice(0, count),))
    result = IndexPut.apply(_as_1d(target), values, basic=None, advanced=positions, accumulate=False)
    return result.reshape(shape)


def masked_select(input, mask, *, out=None):
    """The elements of ``input`` where ``mask`` is True (both broadcast), as a 1-d tensor.

    >>> ember.masked_select(ember.tensor([1., 2., 3.]), ember.tensor([True, False, True]))
    tensor([1., 3.])
    """
    check_tensor(input, "input", "masked_select")
    _check_mask(mask, "masked_select", lambda d: "masked_select: expected BoolTensor for mask")
    shape = tuple(broadcast_shapes(input.shape, mask.shape))
    target = input if tuple(input.shape) == shape else input.expand(shape)
    mask_array = np.broadcast_to(mask._data, shape)
    if not shape:
        target, mask_array = target.reshape(1), mask_array.reshape(1)
    return _into(out, AdvancedIndex.apply(target, basic=None, advanced=np.nonzero(mask_array)))


def where(condition, input=None, other=None, *, out=None):
    """Elementwise ``input if condition else other`` (numbers allowed); with only ``condition``, its nonzero positions.

    >>> ember.where(ember.tensor([True, False]), ember.tensor([1., 2.]), 0.0)
    tensor([1., 0.])
    """
    check_tensor(condition, "condition", "where")
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    if input is None or other is None:
        raise TypeError("where() missing required argument 'input' or 'other'")
    if condition.dtype is _dtype.uint8:
        warnings.warn("where received a uint8 condition tensor. This behavior is deprecated and will be removed in "
                      "a future version of PyTorch. Use a boolean condition instead.", UserWarning, stacklevel=2)
        condition = condition._cast(_dtype.bool)
    if condition.dtype is not _dtype.bool:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{_type_word(condition.dtype)}")
    (a, b), _ = promote_operands(input, other)
    broadcast_shapes(condition.shape, *(t.shape for t in (a, b) if isinstance(t, Tensor)))
    return _into(out, Where.apply(condition, a, b))


def nonzero(input, *, out=None, as_tuple=False):
    """Positions of the nonzero elements: an ``(n, ndim)`` int64 tensor, or one 1-d tensor per dimension.

    >>> ember.nonzero(ember.tensor([[0, 1], [2, 0]]))
    tensor([[0, 1],
            [1, 0]])
    """
    check_tensor(input, "input", "nonzero")
    positions = np.nonzero(input._data.reshape(1) if input.ndim == 0 else input._data)
    if as_tuple:
        return tuple(Tensor._make(p.astype(np.int64)) for p in positions)
    stacked = np.stack(positions, axis=1).astype(np.int64) if input.ndim else \
        np.zeros((positions[0].size, 0), dtype=np.int64)
    return _into(out, Tensor._make(stacked))


def argwhere(input):
    """Positions of the nonzero elements as an ``(n, ndim)`` int64 tensor (``nonzero`` without as_tuple).

    >>> ember.argwhere(ember.tensor([0, 3, 5]))
    tensor([[1],
            [2]])
    """
    return nonzero(input)


# ============================================================================= take and put

def _check_flat_index(index, numel):
    bad = _outside(index._data, -numel, numel)
    if bad is not None:
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {numel} elements.")


def take(input, index, *, out=None):
    """The elements of ``input``, read as 1-d, at ``index``; the result has ``index``'s shape.

    >>> ember.take(ember.tensor([[1, 2], [3, 4]]), ember.tensor([0, 3]))
    tensor([1, 4])
    """
    check_tensor_args("take", input=input, index=index)
    if index.dtype is not _dtype.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {_type_word(index.dtype)}")
    _check_flat_index(index, input.numel())
    result = AdvancedIndex.apply(input.reshape(-1), basic=None, advanced=(index._data,))
    return _into(out, result)


def take_along_dim(input, indices, dim=None, *, out=None):
    """Values of ``input`` at ``indices`` along ``dim`` (broadcasting the other dimensions), as ``argsort`` gives.

    Without ``dim`` both are read as 1-d. Along a ``dim``, negative indices count from the end;
    indices past the end raise (PyTorch silently wraps them).

    >>> x = ember.tensor([[3., 1.], [0., 2.]])
    >>> ember.take_along_dim(x, x.argsort(dim=1), dim=1)
    tensor([[1., 3.],
            [0., 2.]])
    """
    check_tensor_args("take_along_dim", input=input, indices=indices)
    if indices.dtype is not _dtype.int64:
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{_type_word(indices.dtype)}")
    if dim is None:
        return _into(out, gather(input.reshape(-1), 0, indices.reshape(-1)))
    dim = wrap_dim(dim, input.ndim)
    if input.ndim != indices.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of dimensions, "
                           f"but got {input.ndim} dimensions for input, and {indices.ndim} dimensions for indices")
    shape = list(broadcast_shapes(*(tuple(s if d != dim else 1 for d, s in enumerate(t.shape))
                                    for t in (input, indices))))
    input_shape, index_shape = list(shape), list(shape)
    input_shape[dim], index_shape[dim] = input.shape[dim], indices.shape[dim]
    size = _as_1d(input).shape[dim]
    bad = _outside(indices._data, -size, size)
    if bad is not None:
        raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {size}")
    wrapped = np.where(indices._data < 0, indices._data + size, indices._data)
    wrapped = Tensor._make(np.broadcast_to(wrapped, index_shape))
    source = input if list(input.shape) == input_shape else input.expand(input_shape)
    return _into(out, gather(source, dim, wrapped))


def put(input, index, source, accumulate=False):
    """A copy of ``input`` with ``source`` written (or added) at the 1-d positions ``index``.

    >>> ember.put(ember.zeros(2, 2), ember.tensor([0, 3]), ember.tensor([1., 2.]))
    tensor([[1., 0.],
            [0., 2.]])
    """
    check_tensor_args("put", input=input, index=index, source=source)
    if index.dtype is not _dtype.int64:
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got {_type_word(index.dtype)}")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got self.dtype = "
                           f"{_type_word(input.dtype)} and source.dtype = {_type_word(source.dtype)}")
    if source.numel() != index.numel():
        raise IndexError(f"put_(): Expected source and index to have the same number of elements, but got "
                         f"source.numel() = {source.numel()}, index.numel() = {index.numel()}")
    _check_flat_index(index, input.numel())
    result = IndexPut.apply(input.reshape(-1), source.reshape(-1), basic=None,
                            advanced=(index._data.reshape(-1),), accumulate=accumulate)
    return result.reshape(input.shape)


# ============================================================================= sorting and selecting by rank

def _sort_order(array, dim, descending):
    """Stable argsort along ``dim``; NaN counts as the largest value, as in PyTorch."""
    xp = array_module(array)
    if not descending:
        return xp.argsort(array, axis=dim, kind="stable").astype(np.int64, copy=False)
    flipped = xp.flip(array, axis=dim)
    order = xp.argsort(flipped, axis=dim, kind="stable")
    return xp.flip(array.shape[dim] - 1 - order, axis=dim).astype(np.int64, copy=False)


def _take_order(x, order, dim, shape):
    """(values, indices) of ``x`` at ``order`` along ``dim``, reshaped to ``shape``; the values carry gradients."""
    values = AdvancedIndex.apply(x, basic=None, advanced=_scatter_key(order, dim))
    indices = Tensor._make(order)
    if tuple(values.shape) != tuple(shape):
        values, indices = values.reshape(shape), indices.reshape(shape)
    return values, indices


def _into_pair(out, kind, values, indices):
    if out is not None:
        _into(out[0], values)
        _into(out[1], indices)
        values, indices = out
    return kind((values, indices))


def sort(input, dim=-1, descending=False, *, stable=False, out=None):
    """``(values, indices)``: ``input`` sorted along ``dim`` (stably; NaN last, or first when descending).

    >>> ember.sort(ember.tensor([3., 1., 2.])).indices
    tensor([1, 2, 0])
    """
    refuse_complex(input, RuntimeError, " Sort does not support complex dtypes on CPU")
    check_tensor(input, "input", "sort")
    dim = wrap_dim(dim, input.ndim)
    x = _as_1d(input)
    order = _sort_order(x._data, dim, descending)
    values, indices = _take_order(x, order, dim, input.shape)
    return _into_pair(out, return_types.sort, values, indices)


def argsort(input, dim=-1, descending=False, *, stable=False):
    """The indices that sort ``input`` along ``dim`` (stable: equal values keep their order).

    >>> ember.argsort(ember.tensor([3., 1., 2.]), descending=True)
    tensor([0, 2, 1])
    """
    refuse_complex(input, RuntimeError, " Sort does not support complex dtypes on CPU")
    check_tensor(input, "input", "argsort")
    dim = wrap_dim(dim, input.ndim)
    order = _sort_order(_as_1d(input)._data, dim, descending)
    return Tensor._make(order.reshape(input.shape))


def msort(input, *, out=None):
    """``input`` sorted along its first dimension.

    >>> ember.msort(ember.tensor([[2., 1.], [1., 3.]]))
    tensor([[1., 1.],
            [2., 3.]])
    """
    refuse_complex(input, RuntimeError, " Sort does not support complex dtypes on CPU")
    return _into(out, sort(input, dim=0).values)


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """``(values, indices)`` of the ``k`` largest (or smallest) elements along ``dim``, always in sorted order.

    >>> ember.topk(ember.tensor([1., 5., 3.]), 2).values
    tensor([5., 3.])
    """
    refuse_complex(input, RuntimeError, " topk does not support complex dtypes on CPU")
    check_tensor(input, "input", "topk")
    k = int_arg(k, "topk", "k")
    if input.dtype is _dtype.bool:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    dim = wrap_dim(dim, input.ndim)
    x = _as_1d(input)
    if not 0 <= k <= x.shape[dim]:
        raise RuntimeError("selected index k out of range")
    order = _sort_order(x._data, dim, descending=largest)
    if input.ndim:
        order = order[(slice(None),) * dim + (slice(0, k),)]
    shape = tuple(order.shape) if input.ndim else ()
    values, indices = _take_order(x, order, dim, shape)
    return _into_pair(out, return_types.topk, values, indices)


def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """``(values, indices)`` of the ``k``-th smallest element (1-based) along ``dim``.

    >>> ember.kthvalue(ember.tensor([3., 1., 2.]), 2)
    ember.return_types.kthvalue(
    values=tensor(2.),
    indices=tensor(2))
    """
    refuse_complex(input, NotImplementedError, "\"kthvalue_cpu\" not implemented for '{dtype}'")
    check_tensor(input, "input", "kthvalue")
    k = int_arg(k, "kthvalue", "k")
    if input.dtype is _dtype.bool:
        raise NotImplementedError("\"kthvalue_cpu\" not implemented for 'Bool'")
    dim = wrap_dim(dim, input.ndim)
    x = _as_1d(input)
    if x.shape[dim] == 0:
        raise IndexError(f"kthvalue(): Expected reduction dim {dim} to have non-zero size.")
    if not 1 <= k <= x.shape[dim]:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim}")
    order = _sort_order(x._data, dim, descending=False)[(slice(None),) * dim + (slice(k - 1, k),)]
    shape = [1 if d == dim else s for d, s in enumerate(input.shape) if keepdim or d != dim]
    values, indices = _take_order(x, order, dim, tuple(shape))
    return _into_pair(out, return_types.kthvalue, values, indices)


# ============================================================================= unique values

def _unique_outputs(input, values, inverse, counts, return_inverse, return_counts):
    """``values`` alone, or with the inverse and counts asked for, as PyTorch returns them."""
    values = NoDerivative.apply(input, result=values, name="unique")
    outputs = [values]
    if return_inverse:
        outputs.append(Tensor._make(inverse.astype(np.int64, copy=False)))
    if return_counts:
        outputs.append(Tensor._make(counts.astype(np.int64, copy=False)))
    return outputs[0] if len(outputs) == 1 else tuple(outputs)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values (or slices along ``dim``) of ``input``, always sorted; NaNs are never merged.

    ``return_inverse`` adds where each element went, ``return_counts`` how often each value occurs.

    >>> ember.unique(ember.tensor([3, 1, 3, 2]), return_counts=True)
    (tensor([1, 2, 3]), tensor([1, 1, 2]))
    """
    refuse_complex(input, NotImplementedError, "\"unique\" not implemented for '{dtype}'")
    check_tensor(input, "input", "unique")
    if dim is None:
        values, inverse, counts = np.unique(input._data.reshape(-1), return_inverse=True, return_counts=True,
                                            equal_nan=False)
        inverse = inverse.reshape(input.shape)
    else:
        if input.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        dim = wrap_dim(dim, input.ndim)
        values, inverse, counts = np.unique(input._data, return_inverse=True, return_counts=True, axis=dim,
                                            equal_nan=False)
        inverse = inverse.reshape(-1)
    return _unique_outputs(input, values, inverse, counts, return_inverse, return_counts)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """``input`` with each run of equal consecutive values (or slices along ``dim``) kept once.

    >>> ember.unique_consecutive(ember.tensor([1, 1, 2, 2, 1]))
    tensor([1, 2, 1])
    """
    refuse_complex(input, NotImplementedError, "\"unique_consecutive\" not implemented for '{dtype}'")
    check_tensor(input, "input", "unique_consecutive")
    if dim is None:
        rows = input._data.reshape(-1, 1)
    else:
        if input.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        dim = wrap_dim(dim, input.ndim)
        moved = np.moveaxis(input._data, dim, 0)
        rows = moved.reshape(moved.shape[0], -1)
    starts = np.ones(rows.shape[0], dtype=bool)
    starts[1:] = (rows[1:] != rows[:-1]).any(axis=1)
    first = np.flatnonzero(starts)
    counts = np.diff(np.append(first, rows.shape[0]))
    inverse = np.cumsum(starts) - 1
    if dim is None:
        values, inverse = input._data.reshape(-1)[first], inverse.reshape(input.shape)
    else:
        values = np.take(input._data, first, axis=dim)
    return _unique_outputs(input, values, inverse, counts, return_inverse, return_counts)


# ============================================================================= searching and counting

def _check_sorter(sorter, boundaries):
    check_tensor(sorter, "sorter", "searchsorted")
    if sorter.dtype is not _dtype.int64:
        raise RuntimeError(f"torch.searchsorted(): sorter must be a tensor of long dtype but got dtype "
                           f"{_type_word(sorter.dtype)}")
    if tuple(sorter.shape) != boundaries.shape:
        raise RuntimeError(f"torch.searchsorted(): boundary and sorter must have the same size, but got boundary "
                           f"tensor {list(boundaries.shape)}and got sorter tensor {list(sorter.shape)}")
    size = boundaries.shape[-1]
    if _outside(sorter._data, 0, size) is not None:
        raise RuntimeError("torch.searchsorted(): sorter index out of range")


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None, out=None):
    """Where ``input``'s values would be inserted into the last dimension of ``sorted_sequence`` to keep it sorted.

    >>> ember.searchsorted(ember.tensor([1., 3., 5.]), ember.tensor([3., 4.]))
    tensor([1, 2])
    """
    check_tensor(sorted_sequence, "sorted_sequence", "searchsorted")
    if side not in (None, "left", "right"):
        raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
    if side == "left" and right:
        raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of left while "
                           "right was True")
    if _dtype.result_type(sorted_sequence, input) is _dtype.bool:      # both bool: no kernel compares them
        raise NotImplementedError("\"searchsorted_out_cpu\" not implemented for 'Bool'")
    boundaries = sorted_sequence._data
    if boundaries.ndim == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 "
                           "dimension")
    values = input._data if isinstance(input, Tensor) else np.asarray(input)
    if boundaries.ndim > 1 and values.ndim == 0:
        raise RuntimeError(f"torch.searchsorted(): input value can be a scalar only when boundaries tensor "
                           f"dimension is 1, but we got boundaries tensor dim({boundaries.ndim}) and input value's "
                           f"dim(0) numel(1)")
    if boundaries.ndim > 1 and boundaries.shape[:-1] != values.shape[:-1]:
        raise RuntimeError(f"torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                           f"dimensions of boundaries tensor and input value tensor must match, but we got "
                           f"boundaries tensor {list(boundaries.shape)} and input value tensor "
                           f"{list(values.shape)}")
    if sorter is not None:
        _check_sorter(sorter, boundaries)
        boundaries = np.take_along_axis(boundaries, sorter._data, axis=-1)
    which = "right" if right or side == "right" else "left"
    if boundaries.ndim == 1:
        positions = np.searchsorted(boundaries, values, side=which)
    else:
        rows, queries = boundaries.reshape(-1, boundaries.shape[-1]), values.reshape(-1, values.shape[-1])
        positions = np.stack([np.searchsorted(r, q, side=which) for r, q in zip(rows, queries)])
        positions = positions.reshape(values.shape)
    result = Tensor._make(np.asarray(positions, dtype=np.int32 if out_int32 else np.int64))
    return _into(out, result)


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """The bucket of each value of ``input`` given sorted 1-d ``boundaries`` (``searchsorted`` with roles swapped).

    >>> ember.bucketize(ember.tensor([0.5, 3.0]), ember.tensor([1., 3., 5.]))
    tensor([0, 1])
    """
    check_tensor(boundaries, "boundaries", "bucketize")
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


def bincount(input, weights=None, minlength=0):
    """How often each value 0, 1, 2... occurs in the 1-d non-negative ``input`` (summing ``weights`` if given).

    >>> ember.bincount(ember.tensor([0, 2, 2]))
    tensor([1, 0, 2])
    """
    check_tensor(input, "input", "bincount")
    if input.dtype.is_floating_point or input.dtype is _dtype.bool:
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{_type_word(input.dtype)}'")
    if int_arg(minlength, "bincount", "minlength") < 0:
        raise RuntimeError("minlength should be >= 0")
    if input.ndim != 1 or (input.numel() and input._data.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return Tensor._make(np.bincount(input._data, minlength=minlength).astype(np.int64, copy=False))
    check_tensor(weights, "weights", "bincount")
    if weights.ndim != 1 or weights.shape[0] != input.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    dtype = weights._data.dtype if weights.dtype in (_dtype.float32, _dtype.float64) else np.float64
    counts = np.bincount(input._data, weights=weights._data.astype(np.float64), minlength=minlength)
    return Tensor._make(counts.astype(dtype, copy=False))


# ============================================================================= scattering into views, index_reduce

def _check_src_fits(src, view_shape):
    if tuple(src.shape) != tuple(view_shape):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = {list(src.shape)}, "
                           f"slice size = {list(view_shape)}")


def _scatter_into(input, src, key):
    """A copy of ``input`` with ``src`` (cast to its dtype) written into the view ``input[key]``."""
    key = key + (Ellipsis,)                     # so that selecting one element still gives a (0-dim) view
    _check_src_fits(src, input._data[key].shape)
    return IndexPut.apply(input, src, basic=key, advanced=None, accumulate=False)


def select_scatter(input, src, dim, index):
    """A copy of ``input`` with ``src`` written at ``input.select(dim, index)``.

    >>> ember.select_scatter(ember.zeros(2, 2), ember.ones(2), 0, 1)
    tensor([[0., 0.],
            [1., 1.]])
    """
    check_tensor_args("select_scatter", input=input, src=src)
    if input.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
        raise TypeError(f"select_scatter(): argument 'index' (position 4) must be int, not {type(index).__name__}")
    dim = wrap_dim(dim, input.ndim)
    size = input.shape[dim]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(input.shape)} at "
                         f"dimension {dim}")
    return _scatter_into(input, src, (slice(None),) * dim + (int(index) % size,))


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """A copy of ``input`` with ``src`` written into the slice ``start:end:step`` along ``dim``.

    >>> ember.slice_scatter(ember.zeros(4), ember.ones(2), start=1, end=3)
    tensor([0., 1., 1., 0.])
    """
    check_tensor_args("slice_scatter", input=input, src=src)
    return _scatter_into(input, src, _slice_key(input, dim, start, end, step))


class DiagonalScatter(Primitive):
    """A copy of ``x`` with ``src`` written on a diagonal; ``x`` keeps the gradient off it, ``src`` gets it on it."""

    @staticmethod
    def forward(ctx, x, src, *, offset, dim1, dim2):
        ctx.offset, ctx.dim1, ctx.dim2 = offset, dim1, dim2
        out = x.copy()
        _diagonal_view(out, offset, dim1, dim2)[...] = src
        return out

    @staticmethod
    def backward(ctx, grad):
        diagonal = {"offset": ctx.offset, "dim1": ctx.dim1, "dim2": ctx.dim2}
        grad_x = DiagonalScatter.apply(grad, Tensor._zeros((), grad.dtype), **diagonal) \
            if ctx.needs_input_grad[0] else None
        grad_src = Diagonal.apply(grad, **diagonal) if ctx.needs_input_grad[1] else None
        return grad_x, grad_src


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """A copy of ``input`` with ``src`` written on the diagonal that ``input.diagonal(offset, dim1, dim2)`` views.

    >>> ember.diagonal_scatter(ember.zeros(2, 2), ember.ones(2))
    tensor([[1., 0.],
            [0., 1.]])
    """
    check_tensor_args("diagonal_scatter", input=input, src=src)
    dim1, dim2 = _diagonal_dims(dim1, dim2, input.ndim)
    _check_src_fits(src, _diagonal_view(input._data, int(offset), dim1, dim2).shape)
    return DiagonalScatter.apply(input, src, offset=int(offset), dim1=dim1, dim2=dim2)


_INDEX_REDUCTIONS = ("prod", "mean", "amax", "amin")
_warned = set()


def _warn_once(key, message):
    """A UserWarning given once per process (every time after ``ember.set_warn_always(True)``), as PyTorch's."""
    from .._settings import is_warn_always_enabled
    if key in _warned and not is_warn_always_enabled():
        return
    _warned.add(key)
    warnings.warn(message, UserWarning, stacklevel=3)


def _check_index_reduce(input, dim, idx, source):
    if source.dtype is not input.dtype:
        raise RuntimeError(f"index_reduce_(): self ({_type_word(input.dtype)}) and source "
                           f"({_type_word(source.dtype)}) must have the same scalar type")
    if input.ndim == 0 and source.ndim:
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified dimension. "
                           f"Got self.shape = {list(input.shape)} source.shape = {list(source.shape)}")
    if source.ndim == 0 and (input.ndim or idx.size != 1):
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    _check_source(input, dim, idx, source, "index_reduce_")
    size = _as_1d(input).shape[dim]
    if _outside(idx, 0, size) is not None:
        raise IndexError("index out of range in self")


def index_reduce(input, dim, index, source, reduce, *, include_self=True, out=None):
    """Reduce the slices of ``source`` into a copy of ``input`` along ``dim`` at ``index`` (prod, mean, amax, amin).

    With ``include_self=False`` the targets' own values take no part.

    >>> ember.index_reduce(ember.ones(2), 0, ember.tensor([0, 0]), ember.tensor([2., 3.]), "prod")
    tensor([6., 1.])
    """
    _warn_once("index_reduce", "index_reduce() is in beta and the API may change at any time.")
    if reduce not in _INDEX_REDUCTIONS:
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got {reduce}.")
    dim, idx = _described_index_vector(input, dim, index, "index_reduce_")
    check_tensor(source, "source", "index_reduce")
    _check_index_reduce(input, dim, idx, source)
    result = ScatterReduce.apply(_as_1d(input), _as_1d(source), key=_dim_key(dim, idx), reduce=reduce,
                                 include_self=include_self)
    return _into(out, result.reshape(input.shape))


def fill_diagonal_(self, fill_value, wrap=False):
    """Fill the main diagonal (all indices equal) with ``fill_value``, in place.

    For a tall matrix, ``wrap=True`` starts the diagonal again every ``columns + 1`` rows.

    >>> ember.zeros(2, 3).fill_diagonal_(1.)
    tensor([[1., 0., 0.],
            [0., 1., 0.]])
    """
    if self.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    height, width = self.shape[0], self.shape[1]
    if self.ndim > 2 and any(s != height for s in self.shape[1:]):
        raise RuntimeError("all dimensions of input must be of equal length")
    steps = np.arange(min(height, width))
    coordinates = [steps] * self.ndim
    if wrap and self.ndim == 2 and height > width + 1:
        stride = width + 1
        more = np.arange(width, -(-self.numel() // stride)) * stride      # flat positions past the first block
        rows, cols = np.divmod(more, width)
        coordinates = [np.concatenate([steps, rows]), np.concatenate([steps, cols])]
    value = _scatter_value(self, fill_value)
    filled = IndexPut.apply(self, value, basic=None, advanced=tuple(coordinates), accumulate=False)
    return self._assign_inplace(filled)


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Whether each element of ``elements`` occurs in ``test_elements`` (either may be a number), as a bool tensor.

    >>> ember.isin(ember.tensor([1, 2, 3]), ember.tensor([2, 5]))
    tensor([False,  True, False])
    """
    operands = (elements, test_elements)
    numbers = [not isinstance(x, Tensor) for x in operands]
    for x, is_number in zip(operands, numbers):
        if is_number and (isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating))):
            raise TypeError(f"isin(): expected Tensor or a number, got {type(x).__name__}")
    if all(numbers):
        raise TypeError("isin(): at least one of 'elements' and 'test_elements' must be a Tensor")
    if any(isinstance(x, Tensor) and x.dtype is _dtype.bool for x in operands):
        raise RuntimeError("Unsupported input type encountered for isin(): Bool")
    dtype = _dtype.result_type(elements, test_elements)
    arrays = [np.asarray(x._data if isinstance(x, Tensor) else x).astype(dtype.np_dtype) for x in operands]
    found = np.isin(arrays[0], arrays[1], assume_unique=assume_unique, invert=invert)
    return Tensor._make(np.asarray(found, dtype=bool))


__all__ += ["select_scatter", "slice_scatter", "diagonal_scatter", "index_reduce", "isin"]


# ============================================================================= Tensor methods

def _tensor_where(self, condition, other):
    """``self`` where ``condition`` is True, else ``other``.

    >>> ember.tensor([1., 2.]).where(ember.tensor([True, False]), 0.0)
    tensor([1., 0.])
    """
    return where(condition, self, other)


TENSOR_METHODS = {
    "__getitem__": __getitem__, "__setitem__": __setitem__,
    "gather": gather, "scatter": scatter, "scatter_add": scatter_add, "scatter_reduce": scatter_reduce,
    "index_select": index_select, "index_add": index_add, "index_copy": index_copy, "index_fill": index_fill,
    "index_put": index_put, "masked_fill": masked_fill, "masked_scatter": masked_scatter,
    "masked_select": masked_select, "where": _tensor_where, "nonzero": nonzero, "argwhere": argwhere,
    "take": take, "take_along_dim": take_along_dim, "put": put, "sort": sort, "argsort": argsort,
    "msort": msort, "topk": topk, "kthvalue": kthvalue, "unique": unique, "unique_consecutive": unique_consecutive,
    "bincount": bincount, "select_scatter": select_scatter, "slice_scatter": slice_scatter,
    "diagonal_scatter": diagonal_scatter, "index_reduce": index_reduce, "fill_diagonal_": fill_diagonal_,
}
for _name in ("scatter", "scatter_add", "scatter_reduce", "index_add", "index_fill", "index_copy", "index_put",
              "masked_fill", "masked_scatter", "put", "index_reduce"):
    TENSOR_METHODS[_name + "_"] = _inplace(TENSOR_METHODS[_name])
