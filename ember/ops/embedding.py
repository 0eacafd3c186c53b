"""Embedding lookups: ``torch.embedding``, ``torch.embedding_bag`` and ``torch.embedding_renorm_``.

Two Primitives carry them, each the other's adjoint: ``Embedding`` gathers rows of a table
(its backward scatter-adds the incoming gradient rows back, skipping ``padding_idx`` and
optionally dividing by each index's frequency), and ``ScatterRows`` scatter-adds rows into a
table (its backward gathers). A bag is a gather followed by a scatter into one row per bag.
Only dense gradients exist in ember: ``sparse=True`` is refused with a clear error.
"""

import numpy as np

from .._device import array_module
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.function import Primitive
from ._util import bool_arg, check_tensor, float_arg, int_arg

__all__ = ["embedding", "embedding_bag", "embedding_renorm_"]

MODES = {0: "sum", 1: "mean", 2: "max"}


def _scaled_rows(rows, weights):
    """``rows`` (index shape + row shape) times one weight per index, or ``rows`` itself without weights."""
    if weights is None:
        return rows
    return rows * weights.reshape(weights.shape + (1,) * (rows.ndim - weights.ndim)).astype(rows.dtype)


_SAME = "same"                # marks per-index factors that default to the forward's own
_MAX_ROUNDS = 16              # repeats of one index handled by repeated fancy-index adds
_MAX_ONE_HOT = 1 << 22        # entries of a (rows, n) one-hot matrix worth a matrix product


def _scatter_add_rows(xp, rows, index, values):
    """A (rows, ...) table of zeros where row ``index[i]`` accumulates ``values[i]``.

    NumPy's ``add.at`` is about ten times slower than fancy indexing, which only adds once per
    repeated index; so indices are ranked among their repeats and added in rounds (one per rank).
    Many repeats into a small table (sums over bags) become one product with a one-hot matrix.
    """
    out = xp.zeros((rows,) + values.shape[1:], dtype=values.dtype)
    count = index.size
    if count == 0:
        return out
    order = xp.argsort(index, kind="stable")
    ordered = index[order]
    first = xp.empty(count, dtype=bool)
    first[0] = True
    xp.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    starts = xp.flatnonzero(first)
    if len(starts) == count:
        out[index] += values
        return out
    rank = xp.arange(count) - starts[xp.cumsum(first) - 1]
    if int(rank.max()) < _MAX_ROUNDS:
        for k in range(int(rank.max()) + 1):
            chosen = order[rank == k]
            out[index[chosen]] += values[chosen]
    elif rows * count <= _MAX_ONE_HOT:
        one_hot = xp.zeros((rows, count), dtype=values.dtype)
        one_hot[index, xp.arange(count)] = 1
        out = xp.matmul(one_hot, values.reshape(count, -1)).reshape(out.shape)
    else:
        xp.add.at(out, index, values)
    return out


class Embedding(Primitive):
    """``table[index]`` (rows, times ``weights`` per index when given).

    The gradient scatter-adds back, times ``grad_weights`` per index (by default ``weights``);
    that scatter's own gradient gathers with ``double_weights`` (by default ``grad_weights``).
    PyTorch's embedding scales its gradient by frequency but not its double backward.
    """

    @staticmethod
    def forward(ctx, table, *, index, weights=None, grad_weights=_SAME, double_weights=_SAME):
        ctx.index, ctx.rows = index, table.shape[0]
        ctx.grad_weights = weights if grad_weights is _SAME else grad_weights
        ctx.double_weights = ctx.grad_weights if double_weights is _SAME else double_weights
        return _scaled_rows(table.take(index, axis=0), weights)

    @staticmethod
    def backward(ctx, grad):
        return ScatterRows.apply(grad, index=ctx.index, rows=ctx.rows, weights=ctx.grad_weights,
                                 adjoint_weights=ctx.double_weights)


class ScatterRows(Primitive):
    """A table of ``rows`` rows where row ``index[i]`` accumulates ``values[i]`` (times ``weights[i]``)."""

    grad_fn_name = "EmbeddingBackwardBackward0"

    @staticmethod
    def forward(ctx, values, *, index, rows, weights=None, adjoint_weights=_SAME):
        ctx.index = index
        ctx.weights = weights if adjoint_weights is _SAME else adjoint_weights
        row_shape = values.shape[index.ndim:]
        flat = _scaled_rows(values, weights).reshape((index.size,) + row_shape)
        return _scatter_add_rows(array_module(values), rows, index.reshape(-1), flat)

    @staticmethod
    def backward(ctx, grad):
        return Embedding.apply(grad, index=ctx.index, weights=ctx.weights)


# ----------------------------------------------------------------------------- checks

def _check_indices(indices, name, fn):
    if indices.dtype.name not in ("int64", "int32"):
        raise RuntimeError(f"Expected tensor for argument #1 '{name}' to have one of the following scalar types: "
                           f"Long, Int; but got {indices.type().replace('ember.', 'torch.')} instead (while checking "
                           f"arguments for {fn})")


def _check_range(index, rows):
    if index.size and (index.min() < 0 or index.max() >= rows):
        raise IndexError("index out of range in self")


def _no_sparse(sparse):
    if sparse:
        raise NotImplementedError("ember has no sparse tensors, so sparse=True gradients are not supported; "
                                  "use sparse=False (dense gradients)")


def _frequency_weights(index, rows, padding_idx, scale_grad_by_freq):
    """The per-index factors of the table's gradient: 0 at ``padding_idx``, 1 / frequency when scaling, else None."""
    flat = index.reshape(-1)
    weights = None
    if scale_grad_by_freq:
        counts = np.bincount(flat, minlength=rows)
        weights = 1.0 / counts[flat]
    if padding_idx is not None and 0 <= padding_idx < rows:
        keep = flat != padding_idx
        weights = keep.astype(np.float64) if weights is None else weights * keep
    return None if weights is None else weights.reshape(index.shape)


# ----------------------------------------------------------------------------- embedding

def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` picked by ``indices`` (the result has shape ``indices.shape + (dim,)``).

    The row ``padding_idx`` (when >= 0) gets no gradient; ``scale_grad_by_freq`` divides each
    row's gradient by how often its index occurs.

    >>> ember.embedding(ember.eye(3), ember.tensor([2, 0]))
    tensor([[0., 0., 1.],
            [1., 0., 0.]])
    """
    check_tensor(weight, "weight", "embedding")
    check_tensor(indices, "indices", "embedding")
    padding_idx = int_arg(padding_idx, "embedding", "padding_idx")
    scale_grad_by_freq = bool_arg(scale_grad_by_freq, "embedding", "scale_grad_by_freq")
    _check_indices(indices, "indices", "embedding")
    if weight.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    _no_sparse(sparse)
    index = indices._data
    _check_range(index, weight.shape[0])
    grad_weights = _frequency_weights(index, weight.shape[0], padding_idx, scale_grad_by_freq)
    padding_only = _frequency_weights(index, weight.shape[0], padding_idx, False)
    return Embedding.apply(weight, index=index, grad_weights=grad_weights, double_weights=padding_only)


def embedding_renorm_(input, indices, max_norm, norm_type):
    """Rescale, in place, the rows of ``input`` named in ``indices`` whose ``norm_type``-norm exceeds ``max_norm``.

    >>> w = ember.full((2, 2), 3.0)
    >>> ember.embedding_renorm_(w, ember.tensor([0]), 1.0, 2.0)[0]
    tensor([0.7071, 0.7071])
    """
    check_tensor(input, "input", "embedding_renorm_")
    check_tensor(indices, "indices", "embedding_renorm_")
    _check_indices(indices, "indices", "embedding_renorm_")
    max_norm, norm_type = float_arg(max_norm, "embedding_renorm_", "max_norm"), \
        float_arg(norm_type, "embedding_renorm_", "norm_type")
    if input._requires_grad and input._grad_fn is None and grad_mode.is_grad_enabled():
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    table = input._data
    if table.ndim != 2:
        raise RuntimeError(f"embedding_renorm_(): expected a 2-D 'input', got {table.ndim}-D")
    _check_range(indices._data, table.shape[0])
    rows = np.unique(indices._data.reshape(-1))
    norms = np.linalg.norm(table[rows].astype(np.float64), ord=norm_type, axis=1)
    too_long = norms > max_norm
    scale = max_norm / (norms[too_long] + 1e-7)
    table[rows[too_long]] *= scale[:, None].astype(table.dtype)
    input._bump_version()
    return input


# ----------------------------------------------------------------------------- embedding_bag

def _bag_layout(index, offsets, include_last_offset):
    """For each position of the flat ``index``: its bag (or -1 past the last bag); and the number of bags."""
    count = len(offsets) - 1 if include_last_offset else len(offsets)
    if len(offsets) and offsets[0] != 0:
        raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
                           f"position 0. However, got {offsets[0]}")
    if len(offsets) and offsets[-1] > index.size:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {index.size} but got offsets[-1] "
                           f"of {offsets[-1]}")
    if np.any(np.diff(offsets) < 0):
        raise RuntimeError(f"offsets must be non-decreasing, but got {offsets.tolist()}")
    bag = np.searchsorted(offsets, np.arange(index.size), side="right") - 1
    if include_last_offset:
        bag[bag >= count] = -1
    return bag, max(count, 0)


def _wrap_padding_idx(padding_idx, rows):
    if padding_idx is None:
        return None
    padding_idx = int_arg(padding_idx, "embedding_bag", "padding_idx")
    if not -rows <= padding_idx < rows:
        raise RuntimeError(f"padding_idx must be within the number of embeddings, {-rows} through {rows - 1}, but got "
                           f"{padding_idx}")
    return padding_idx % rows


def _check_bag_arguments(weight, indices, offsets, per_sample_weights):
    check_tensor(weight, "weight", "embedding_bag")
    check_tensor(indices, "indices", "embedding_bag")
    check_tensor(offsets, "offsets", "embedding_bag")
    _check_indices(indices, "indices", "embedding_bag")
    _check_indices(offsets, "indices", "embedding_bag")
    if weight.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    if indices.ndim != 1 or offsets.ndim != 1:
        raise RuntimeError(f"embedding_bag: expected 1-D indices and offsets, got {indices.ndim}-D and "
                           f"{offsets.ndim}-D")
    if per_sample_weights is not None:
        check_tensor(per_sample_weights, "per_sample_weights", "embedding_bag")
        if per_sample_weights.dtype is not weight.dtype:
            raise RuntimeError(f"Expected tensor for argument #1 'weight' to have the same type as tensor for argument "
                               f"#1 'per_sample_weights'; but type {_legacy_name(weight)} does not equal "
                               f"{_legacy_name(per_sample_weights)} (while checking arguments for embedding_bag)")


def _legacy_name(tensor):
    return tensor.type().replace("ember.", "torch.")


def _bag_max(weight, index, bag, count):
    """Per bag and column, the largest entry of the bag's rows; empty bags give 0. Returns (output, max row indices)."""
    rows, columns = index.size, weight.shape[1]
    max_rows = np.zeros((count, columns), dtype=np.int64)
    filled = np.zeros(count, dtype=bool)
    if rows:
        values = weight._data.take(index, axis=0)
        starts = np.flatnonzero(np.r_[True, bag[1:] != bag[:-1]])
        best = np.maximum.reduceat(values, starts, axis=0)
        first_best = np.where(values == best[np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, rows]))],
                              np.arange(rows)[:, None], rows)
        position = np.minimum.reduceat(first_best, starts, axis=0)
        max_rows[bag[starts]] = index[position]
        filled[bag[starts]] = True
    flat_rows = max_rows * columns + np.arange(columns)
    picked = Embedding.apply(weight.reshape(-1, 1), index=flat_rows).reshape(count, columns)
    return picked * Tensor._make(filled[:, None].astype(weight._data.dtype)), max_rows


def embedding_bag(weight, indices, offsets, scale_grad_by_freq=False, mode=0, sparse=False, per_sample_weights=None,
                  include_last_offset=False, padding_idx=None):
    """Sums, means or maxima of bags of embedding rows; bag ``b`` holds ``indices[offsets[b]:offsets[b + 1]]``.

    Returns ``(output, offset2bag, bag_size, max_indices)``: the (bags, dim) result, each index's bag,
    each bag's number of non-padding indices, and (mode 2, max) the row each maximum came from.

    >>> ember.embedding_bag(ember.eye(3), ember.tensor([0, 1, 2]), ember.tensor([0, 2]))[0]
    tensor([[1., 1., 0.],
            [0., 0., 1.]])
    """
    _check_bag_arguments(weight, indices, offsets, per_sample_weights)
    mode = int_arg(mode, "embedding_bag", "mode")
    if mode not in MODES:
        raise RuntimeError(f"embedding_bag: mode must be 0 (sum), 1 (mean) or 2 (max), got {mode}")
    _no_sparse(sparse)
    rows = weight.shape[0]
    padding_idx = _wrap_padding_idx(padding_idx, rows)
    index = indices._data.astype(np.int64)
    outside = np.flatnonzero((index < 0) | (index >= rows))
    if outside.size:
        raise RuntimeError(f"Index {outside[0]} of input takes value {index[outside[0]]} which is not in the valid "
                           f"range [0, {rows})")
    bag, count = _bag_layout(index, offsets._data.astype(np.int64), bool(include_last_offset))
    used = bag >= 0
    if padding_idx is not None:
        used &= index != padding_idx
    used_index, used_bag = index[used], bag[used]
    bag_size = np.bincount(used_bag, minlength=count).astype(np.int64)
    if mode == 2:
        output, max_rows = _bag_max(weight, used_index, used_bag, count)
        return output, Tensor._make(bag), Tensor._make(bag_size), Tensor._make(max_rows)
    grad_weights = _frequency_weights(used_index, rows, None, scale_grad_by_freq)
    picked = Embedding.apply(weight, index=used_index, grad_weights=grad_weights)
    if per_sample_weights is not None:
        picked = picked * per_sample_weights.reshape(-1)[Tensor._make(np.flatnonzero(used))].unsqueeze(1)
    output = ScatterRows.apply(picked, index=used_bag, rows=count)
    if mode == 1:
        output = output / Tensor._make(np.maximum(bag_size, 1)[:, None].astype(weight._data.dtype))
    return output, Tensor._make(bag), Tensor._make(bag_size), Tensor._make(bag_size.copy())


TENSOR_METHODS = {}
