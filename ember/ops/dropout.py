"""The dropout family: ``torch.dropout``, ``alpha_dropout``, ``feature_dropout`` and their in-place forms.

Each multiplies the input by a random mask drawn from ember's default generator (so the
gradient is the same mask applied to the incoming gradient, as in PyTorch, through
``MulBackward0``). Alpha dropout keeps SELU's mean and variance: dropped values become the
negative saturation ``-alpha`` and everything is rescaled. The feature variants drop whole
channels (dimension 1) at once. ``ember.nn.functional`` adds PyTorch's argument checks on top.
"""

import math

import numpy as np

from .._tensor import Tensor
from ._util import bool_arg, check_tensor, float_arg

__all__ = ["dropout", "dropout_", "alpha_dropout", "alpha_dropout_", "feature_dropout", "feature_dropout_",
           "feature_alpha_dropout", "feature_alpha_dropout_"]

SELU_SATURATION = 1.7580993408473766     # -alpha' of alpha dropout: SELU's alpha * scale


def _keep_mask(shape, p):
    """A boolean array where each entry is kept (True) with probability ``1 - p``."""
    from ..random import _numpy_generator
    return _numpy_generator().random(shape, dtype=np.float32) >= p


def _noise_shape(input, feature):
    """The mask's shape: the input's, or (N, C, 1, ...) to drop whole channels."""
    if not feature:
        return input.shape
    if input.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return tuple(input.shape[:2]) + (1,) * (input.ndim - 2)


def _dropout(input, p, train, *, feature, alpha, inplace, name):
    """The shared body of the eight functions (PyTorch's ``_dropout_impl``)."""
    check_tensor(input, "input", name)
    p = float_arg(p, name, "p")
    train = bool_arg(train, name, "train")
    if not 0 <= p <= 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")
    if p == 0 or not train or input.numel() == 0:
        return input
    if p == 1:
        result = input * Tensor._make(np.zeros((), dtype=input._data.dtype))
        return input._assign_inplace(result) if inplace else result
    shape = _noise_shape(input, feature)
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"result type Float can't be cast to the desired output type {_word(input)}")
    keep = _keep_mask(shape, p)
    dtype = input._data.dtype
    if alpha:
        a = 1 / math.sqrt((SELU_SATURATION ** 2 * p + 1) * (1 - p))
        shift = (keep - 1.0) * (SELU_SATURATION * a) + SELU_SATURATION * a * p
        result = input * Tensor._make((keep * a).astype(dtype)) + Tensor._make(shift.astype(dtype))
    else:
        result = input * Tensor._make((keep * (1 / (1 - p))).astype(dtype))
    return input._assign_inplace(result) if inplace else result


def _word(input):
    from .._tensor import _type_word
    return _type_word(input.dtype)


def dropout(input, p, train):
    """Zero each element with probability ``p`` (in training) and scale the rest by ``1 / (1 - p)``.

    >>> ember.dropout(ember.ones(4), 0.5, False)
    tensor([1., 1., 1., 1.])
    """
    return _dropout(input, p, train, feature=False, alpha=False, inplace=False, name="dropout")


def dropout_(input, p, train):
    """In-place :func:`dropout`.

    >>> ember.dropout_(ember.ones(2), 0.0, True)
    tensor([1., 1.])
    """
    return _dropout(input, p, train, feature=False, alpha=False, inplace=True, name="dropout_")


def alpha_dropout(input, p, train):
    """Dropout for SELU networks: dropped values become SELU's saturation and the result keeps mean and variance.

    >>> ember.alpha_dropout(ember.ones(3), 0.5, False)
    tensor([1., 1., 1.])
    """
    return _dropout(input, p, train, feature=False, alpha=True, inplace=False, name="alpha_dropout")


def alpha_dropout_(input, p, train):
    """In-place :func:`alpha_dropout`.

    >>> ember.alpha_dropout_(ember.ones(2), 0.5, False)
    tensor([1., 1.])
    """
    return _dropout(input, p, train, feature=False, alpha=True, inplace=True, name="alpha_dropout_")


def feature_dropout(input, p, train):
    """Dropout of whole channels: each ``input[n, c]`` is zeroed with probability ``p``, the rest scaled.

    >>> ember.feature_dropout(ember.ones(2, 3, 4), 0.5, False).shape
    ember.Size([2, 3, 4])
    """
    return _dropout(input, p, train, feature=True, alpha=False, inplace=False, name="feature_dropout")


def feature_dropout_(input, p, train):
    """In-place :func:`feature_dropout`.

    >>> ember.feature_dropout_(ember.ones(2, 3), 0.5, False).shape
    ember.Size([2, 3])
    """
    return _dropout(input, p, train, feature=True, alpha=False, inplace=True, name="feature_dropout_")


def feature_alpha_dropout(input, p, train):
    """Alpha dropout of whole channels (dimension 1).

    >>> ember.feature_alpha_dropout(ember.ones(2, 3), 0.5, False).shape
    ember.Size([2, 3])
    """
    return _dropout(input, p, train, feature=True, alpha=True, inplace=False, name="feature_alpha_dropout")


def feature_alpha_dropout_(input, p, train):
    """In-place :func:`feature_alpha_dropout`.

    >>> ember.feature_alpha_dropout_(ember.ones(2, 3), 0.5, False).shape
    ember.Size([2, 3])
    """
    return _dropout(input, p, train, feature=True, alpha=True, inplace=True, name="feature_alpha_dropout_")


TENSOR_METHODS = {}
