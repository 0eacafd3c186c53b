"""ember.nn.functional: embeddings and one-hot encoding.

PyTorch's Python-level argument handling (``padding_idx`` wrapping, ``max_norm``
renormalisation, the 2-D input form of ``embedding_bag``) on top of the Primitives in
``ember/ops/embedding.py``.
"""

import warnings

import numpy as np

from ... import _dtype
from ..._tensor import Tensor
from ...autograd import grad_mode
from ...ops._util import check_tensor
from ...ops.embedding import embedding as _embedding
from ...ops.embedding import embedding_bag as _embedding_bag
from ...ops.embedding import embedding_renorm_

__all__ = ["embedding", "embedding_bag", "one_hot"]


def _wrap_padding_idx(padding_idx, rows, message="Padding_idx must be within num_embeddings"):
    """A non-negative ``padding_idx`` (or -1 for none), with PyTorch's AssertionError when out of range."""
    if padding_idx is None:
        return -1
    if padding_idx > 0 and padding_idx >= rows or padding_idx < 0 and padding_idx < -rows:
        raise AssertionError(message)
    return padding_idx % rows if padding_idx < 0 else padding_idx


def _renorm(weight, input, max_norm, norm_type):
    """Rescale (in place, without recording) the rows of ``weight`` that ``input`` uses to norm at most ``max_norm``."""
    with grad_mode.no_grad():
        embedding_renorm_(weight.detach(), input, max_norm, norm_type)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Rows of ``weight`` (num_embeddings, dim) picked by the integer ``input``; the shape is ``input.shape + (dim,)``.

    ``padding_idx``'s row gets no gradient; ``max_norm`` first rescales the used rows of ``weight``
    in place so their ``norm_type``-norm is at most ``max_norm``.

    >>> F.embedding(ember.tensor([2, 0]), ember.eye(3))
    tensor([[0., 0., 1.],
            [1., 0., 0.]])
    """
    check_tensor(input, "input", "embedding")
    check_tensor(weight, "weight", "embedding")
    padding_idx = _wrap_padding_idx(padding_idx, weight.shape[0] if weight.ndim else 0)
    if max_norm is not None:
        input = input.contiguous()
        _renorm(weight, input, max_norm, norm_type)
    return _embedding(weight, input, padding_idx, scale_grad_by_freq, sparse)


_MODES = {"sum": 0, "mean": 1, "max": 2}


def _bag_inputs(input, offsets, per_sample_weights, include_last_offset):
    """Turn 2-D input (fixed-length bags) into the flat indices and offsets form; check the 1-D form."""
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             f"fixed length sequences. However, found offsets of type {type(offsets)}")
        if input.shape[1] == 0:
            raise RuntimeError(f"embedding_bag: 2-D input of shape {list(input.shape)} has empty bags; PyTorch "
                               "refuses it (step must be nonzero)")
        offsets = Tensor._make(np.arange(0, input.numel(), input.shape[1], dtype=input._data.dtype))
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
        return input.reshape(-1), offsets, per_sample_weights, False
    if input.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.ndim != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        return input, offsets, per_sample_weights, include_last_offset
    raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.ndim}")


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """Sums, means or maxima of bags of embedding rows, without forming the rows of each bag.

    ``input`` is 2-D (each row a bag) or 1-D with ``offsets`` giving where each bag starts.

    >>> F.embedding_bag(ember.tensor([[0, 1], [2, 2]]), ember.eye(3), mode="sum")
    tensor([[1., 1., 0.],
            [0., 0., 2.]])
    """
    check_tensor(input, "input", "embedding_bag")
    check_tensor(weight, "weight", "embedding_bag")
    if weight.dtype is _dtype.int64 and input.dtype.is_floating_point:
        warnings.warn("Argument order of nn.functional.embedding_bag was changed. Usage `embedding_bag(weight, "
                      "input, ...)` is deprecated, and should now be `embedding_bag(input, weight, ...)`.",
                      UserWarning, stacklevel=2)
        weight, input = input, weight
    if per_sample_weights is not None and input.shape != per_sample_weights.shape:
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, then it "
                         f"must have the same shape as the input ({input.shape})")
    if weight.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.ndim}")
    input, offsets, per_sample_weights, include_last_offset = _bag_inputs(input, offsets, per_sample_weights,
                                                                          include_last_offset)
    if mode not in _MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    if max_norm is not None:
        _renorm(weight, input, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
                                  "GitHub.")
    output, _, _, _ = _embedding_bag(weight, input, offsets, scale_grad_by_freq, _MODES[mode], sparse,
                                        per_sample_weights, include_last_offset, padding_idx)
    return output


def one_hot(tensor, num_classes=-1):
    """An int64 tensor with one more dimension of size ``num_classes`` (inferred as max + 1 when -1), 1 at each value.

    >>> F.one_hot(ember.tensor([0, 2]), 3)
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    check_tensor(tensor, "tensor", "one_hot")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise TypeError(f"one_hot(): argument 'num_classes' (position 2) must be int, not "
                        f"{type(num_classes).__name__}")
    if tensor.dtype is not _dtype.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    values = tensor._data
    if num_classes == -1:
        if values.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(values.max()) + 1
    if values.size and values.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if values.size and values.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    if num_classes < 0:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = np.zeros(values.shape + (int(num_classes),), dtype=np.int64)
    np.put_along_axis(out, values[..., None], 1, axis=-1)
    return Tensor._make(out)
