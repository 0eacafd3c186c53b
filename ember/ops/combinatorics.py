"""Combinatorics and structured matrices: products and combinations of elements, block diagonals,
triangle indices, Vandermonde matrices, flat-to-multi-dimensional indices.

The differentiable ones are compositions (``cartesian_prod`` stacks a meshgrid,
``combinations`` selects by index, ``vander`` is a cumulative product, ``diagflat`` a
diagonal embedding), except ``block_diag``, a Primitive whose gradient is the blocks
cut back out. Index generators return integer tensors.
"""

import itertools

import numpy as np

from .. import _dtype
from .._device import array_module, check_available, to_device
from .._tensor import Tensor, _type_word
from ..autograd.function import Primitive
from ._util import check_tensor, int_arg
from .shape import _check_tensors, cat, diag_embed, flip, meshgrid, stack

__all__ = ["cartesian_prod", "combinations", "block_diag", "tril_indices", "triu_indices", "vander",
           "unravel_index", "diagflat"]


def _check_vector(t):
    if t.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")


def cartesian_prod(*tensors):
    """Every combination of one element from each 1-D tensor, as rows (itertools.product order).

    >>> ember.cartesian_prod(ember.tensor([1, 2]), ember.tensor([3, 4]))
    tensor([[1, 3],
            [1, 4],
            [2, 3],
            [2, 4]])
    """
    tensors = _check_tensors(tensors, "cartesian_prod")
    for t in tensors:
        _check_vector(t)
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    if len(tensors) == 1:
        return tensors[0]
    if any(t.dtype is not tensors[0].dtype for t in tensors):
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    grids = meshgrid(*tensors, indexing="ij")
    return stack([grid.reshape(-1) for grid in grids], dim=1)


def combinations(input, r=2, with_replacement=False):
    """All length-``r`` combinations of the elements of a 1-D tensor, as rows (itertools order).

    >>> ember.combinations(ember.tensor([1, 2, 3]))
    tensor([[1, 2],
            [1, 3],
            [2, 3]])
    """
    check_tensor(input, "input", "combinations")
    _check_vector(input)
    r = int_arg(r, "combinations", "r")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return Tensor._zeros((0,), input.dtype)
    choose = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    picks = np.array(list(choose(range(input.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    return input.index_select(0, Tensor._make(picks.reshape(-1))).reshape(-1, r)


class BlockDiag(Primitive):
    """Matrices placed corner to corner in zeros; each block's gradient is its part of the output's gradient."""

    @staticmethod
    def forward(ctx, *blocks, dtype):
        shapes = [_as_matrix_shape(b.shape) for b in blocks]
        rows, cols = np.cumsum([0] + [s[0] for s in shapes]), np.cumsum([0] + [s[1] for s in shapes])
        ctx.shapes = [b.shape for b in blocks]
        ctx.corners = list(zip(rows, cols, rows[1:], cols[1:]))
        xp = array_module(blocks[0]) if blocks else np
        out = xp.zeros((int(rows[-1]), int(cols[-1])), dtype=dtype)
        for block, shape, (r0, c0, r1, c1) in zip(blocks, shapes, ctx.corners):
            out[r0:r1, c0:c1] = block.reshape(shape)
        return out

    @staticmethod
    def backward(ctx, grad):
        return tuple(grad[r0:r1, c0:c1].reshape(shape) for shape, (r0, c0, r1, c1) in zip(ctx.shapes, ctx.corners))


def _as_matrix_shape(shape):
    """The 2-D shape a block takes: a number is 1 x 1, a vector one row."""
    if len(shape) == 0:
        return (1, 1)
    if len(shape) == 1:
        return (1, shape[0])
    return tuple(shape)


def block_diag(*tensors):
    """A block diagonal matrix from 0-, 1- and 2-D tensors (vectors become rows), in their promoted dtype.

    >>> ember.block_diag(ember.tensor([[1, 2]]), ember.tensor(3))
    tensor([[1, 2, 0],
            [0, 0, 3]])
    """
    tensors = _check_tensors(tensors, "block_diag")
    for i, t in enumerate(tensors):
        if t.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has "
                               f"{t.ndim} dimensions")
    if not tensors:
        return Tensor._zeros((1, 0), _dtype.get_default_dtype())
    dtype = _dtype.result_type(*tensors) if len(tensors) > 1 else tensors[0].dtype
    return BlockDiag.apply(*tensors, dtype=dtype.np_dtype)


def _triangle_indices(np_indices, fn, row, col, offset, dtype, device):
    """``tril_indices``/``triu_indices``: NumPy's triangle indices as a checked 2 x N integer tensor."""
    dtype = _check_triangle_args(row, col, offset, dtype, device, fn)
    return Tensor._make(np.stack(np_indices(row, offset, col)).astype(dtype.np_dtype).reshape(2, -1))


def _check_triangle_args(row, col, offset, dtype, device, fn):
    for position, (name, value) in enumerate((("row", row), ("col", col), ("offset", offset)), start=1):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be int, not "
                            f"{type(value).__name__}")
    if row < 0:
        raise RuntimeError(f"row must be non-negative, got {row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got {col}")
    dtype = _dtype.int64 if dtype is None else _dtype.to_dtype(dtype)
    if dtype not in (_dtype.int64, _dtype.int32):
        raise NotImplementedError(f"\"{fn}\" not implemented for '{_type_word(dtype)}'")
    check_available(to_device(device))
    return dtype


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (row, column) indices of the lower triangle (diagonal ``offset`` and below) of a ``row`` x ``col``
    matrix, as a 2 x N tensor in row-major order.

    >>> ember.tril_indices(2, 2)
    tensor([[0, 1, 1],
            [0, 0, 1]])
    """
    return _triangle_indices(np.tril_indices, "tril_indices", row, col, offset, dtype, device)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (row, column) indices of the upper triangle (diagonal ``offset`` and above) of a ``row`` x ``col``
    matrix, as a 2 x N tensor in row-major order.

    >>> ember.triu_indices(2, 2)
    tensor([[0, 0, 1],
            [0, 1, 1]])
    """
    return _triangle_indices(np.triu_indices, "triu_indices", row, col, offset, dtype, device)


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of a 1-D tensor: column i holds ``x ** (N - 1 - i)`` (``x ** i`` if increasing).

    Integer and bool inputs give int64, as the powers are a cumulative product.

    >>> ember.vander(ember.tensor([1, 2, 3]))
    tensor([[1, 1, 1],
            [4, 2, 1],
            [9, 3, 1]])
    """
    check_tensor(x, "x", "vander")
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    columns = x.shape[0] if N is None else int_arg(N, "vander", "N")
    if columns < 0:
        raise RuntimeError("N must be non-negative.")
    dtype = _dtype.promote_types(x.dtype, _dtype.int64)
    base = x.to(dtype)
    ones = Tensor._make(np.ones((x.shape[0], min(columns, 1)), dtype=dtype.np_dtype))
    if columns <= 1:
        result = ones
    else:
        powers = base.unsqueeze(1).expand(x.shape[0], columns - 1).cumprod(1)
        result = cat([ones, powers], 1)
    return result if increasing else flip(result, [1])


def _unravel_shape(shape):
    """``shape`` (an int or a sequence of ints) as a tuple, with PyTorch's checks."""
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (int(shape),)
    elif isinstance(shape, (list, tuple)):
        for size in shape:
            if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
                raise TypeError(f"expected 'shape' sequence to only contain ints, but got {type(size)}")
        shape = tuple(int(size) for size in shape)
    else:
        raise TypeError(f"expected 'shape' to be int or sequence of ints, but got {type(shape)}")
    if any(size < 0 for size in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    return shape


def unravel_index(indices, shape):
    """The coordinates in an array of ``shape`` of flat (row-major) ``indices``: one int64 tensor per dimension.

    Indices wrap around as in PyTorch (``-1`` is the last element).

    >>> ember.unravel_index(ember.tensor([4, 1]), (2, 3))
    (tensor([1, 0]), tensor([1, 1]))
    """
    check_tensor(indices, "indices", "unravel_index")
    if indices.dtype.is_floating_point or indices.dtype is _dtype.bool:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    shape = _unravel_shape(shape)
    if 0 in shape and indices.numel():
        raise RuntimeError("ZeroDivisionError")
    strides = [1] * len(shape)
    for i in reversed(range(len(shape) - 1)):
        strides[i] = strides[i + 1] * shape[i + 1]
    flat = indices._data.astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        coordinates = [(flat // stride) % size if size else flat * 0 for stride, size in zip(strides, shape)]
    return tuple(Tensor._make(np.asarray(c, dtype=np.int64)) for c in coordinates)


def diagflat(input, offset=0):
    """A square matrix with the flattened ``input`` on diagonal ``offset`` (above the main one when positive).

    >>> ember.diagflat(ember.tensor([[1, 2]]))
    tensor([[1, 0],
            [0, 2]])
    """
    check_tensor(input, "input", "diagflat")
    return diag_embed(input.reshape(-1), offset, 0, 1)


TENSOR_METHODS = {"diagflat": diagflat}
