"""Distances between vectors (torch.cosine_similarity, pairwise_distance, pdist).

All three are compositions of differentiable ops (norms, products, sums), so their
gradients of any order come from those ops.
"""

import numpy as np

from .._dtype import result_type
from .._tensor import Tensor
from ._util import broadcast_shapes, check_tensor, float_arg, int_arg, wrap_dim
from .indexing import where
from .reduction import norm

__all__ = ["cosine_similarity", "pairwise_distance", "pdist"]

TENSOR_METHODS = {}

_TYPE_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _clamped_below(t, eps):
    """``t`` with values below ``eps`` raised to ``eps``, but the gradient of ``t`` itself.

    PyTorch clamps the norms of cosine_similarity in place under no_grad, so the clamp
    changes the value and not the derivative; this does the same out of place.
    """
    plain = t.detach()
    return t + (plain.clamp_min(eps) - plain)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Cosine of the angle between ``x1`` and ``x2`` along ``dim`` (each norm clamped below at ``eps``).

    >>> ember.cosine_similarity(ember.tensor([[1.0, 0.0]]), ember.tensor([[1.0, 1.0]]))
    tensor([0.7071])
    """
    check_tensor(x1, "x1", "cosine_similarity")
    check_tensor(x2, "x2", "cosine_similarity")
    dim = int_arg(dim, "cosine_similarity", "dim")
    eps = float_arg(eps, "cosine_similarity", "eps")
    shape = broadcast_shapes(x1.shape, x2.shape)
    common = result_type(x1, x2)
    if not common.is_floating_point:
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is "
                           f"{_TYPE_NAMES.get(common.name, common.name)}")
    dim = wrap_dim(dim, len(shape))
    x1, x2 = x1.to(common).broadcast_to(shape), x2.to(common).broadcast_to(shape)
    norm1 = _clamped_below(norm(x1, 2, dim, keepdim=True), eps)
    norm2 = _clamped_below(norm(x2, 2, dim, keepdim=True), eps)
    return ((x1 / norm1) * (x2 / norm2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """The ``p``-norm of ``x1 - x2 + eps`` over the last dimension (the batch of pair distances).

    >>> ember.pairwise_distance(ember.tensor([[0.0, 0.0]]), ember.tensor([[3.0, 4.0]]))
    tensor([5.0000])
    """
    check_tensor(x1, "x1", "pairwise_distance")
    check_tensor(x2, "x2", "pairwise_distance")
    p = float_arg(p, "pairwise_distance", "p")
    eps = float_arg(eps, "pairwise_distance", "eps")
    difference = x1 - x2 + eps
    return norm(difference, p, max(x1.ndim, x2.ndim) - 1, keepdim=keepdim)


def pdist(input, p=2):
    """The ``p``-norm distance between every pair of rows ``i < j`` of a 2-D ``input``, as a flat vector.

    >>> ember.pdist(ember.tensor([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]]))
    tensor([ 5., 10.,  5.])
    """
    check_tensor(input, "input", "pdist")
    p = float_arg(p, "pdist", "p")
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if not input.dtype.is_floating_point:
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    rows, cols = np.triu_indices(input.shape[0], 1)
    first = input.index_select(0, Tensor._make(rows.astype(np.int64)))
    second = input.index_select(0, Tensor._make(cols.astype(np.int64)))
    distances = norm(first - second, p, 1)
    if p == 0 and input.requires_grad:
        # PyTorch's pdist gives the 0-norm (a count) a zero gradient rather than none
        distances = where(_all_true(distances), distances, (first - second).sum(1))
    return distances


def _all_true(like):
    """An all-True mask shaped like ``like``."""
    return Tensor._make(np.ones(tuple(like.shape), dtype=bool))
