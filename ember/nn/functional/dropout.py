"""ember.nn.functional: dropout in its forms (elementwise, channel-wise, alpha).

PyTorch's Python-level checks (a ValueError for ``p`` outside [0, 1], the rank rules of
dropout1d/2d/3d with their warnings) on top of ``ember/ops/dropout.py``.
"""

import warnings

from ...ops._util import check_tensor
from ...ops.dropout import alpha_dropout as _alpha_dropout
from ...ops.dropout import alpha_dropout_ as _alpha_dropout_
from ...ops.dropout import dropout as _dropout
from ...ops.dropout import dropout_ as _dropout_
from ...ops.dropout import feature_alpha_dropout as _feature_alpha_dropout
from ...ops.dropout import feature_alpha_dropout_ as _feature_alpha_dropout_
from ...ops.dropout import feature_dropout as _feature_dropout
from ...ops.dropout import feature_dropout_ as _feature_dropout_

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"]


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def dropout(input, p=0.5, training=True, inplace=False):
    """In training, zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``; else identity.

    >>> F.dropout(ember.ones(3), 0.5, training=False)
    tensor([1., 1., 1.])
    """
    _check_p(p)
    return (_dropout_ if inplace else _dropout)(input, p, training)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps SELU activations' mean and variance (dropped values become SELU's saturation).

    >>> F.alpha_dropout(ember.ones(3), 0.5)
    tensor([1., 1., 1.])
    """
    _check_p(p)
    return (_alpha_dropout_ if inplace else _alpha_dropout)(input, p, training)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Alpha dropout of whole channels (dimension 1).

    >>> F.feature_alpha_dropout(ember.ones(2, 3), 0.5).shape
    ember.Size([2, 3])
    """
    _check_p(p)
    return (_feature_alpha_dropout_ if inplace else _feature_alpha_dropout)(input, p, training)


def _channel_dropout(input, p, training, inplace, batched):
    """Feature dropout, adding a batch dimension for the duration when the input has none."""
    if batched:
        return (_feature_dropout_ if inplace else _feature_dropout)(input, p, training)
    result = _feature_dropout(input.unsqueeze(0), p, training).squeeze(0)
    if result is input or not inplace:
        return result
    return input._assign_inplace(result)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) or (C, L) input with probability ``p``, scaling the rest.

    >>> F.dropout1d(ember.ones(2, 3, 4), training=False).shape
    ember.Size([2, 3, 4])
    """
    _check_p(p)
    check_tensor(input, "input", "dropout1d")
    if input.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that "
                           "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a "
                           "channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    return _channel_dropout(input, p, training, inplace, batched=input.ndim == 3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) input with probability ``p``; 3-D input is taken as (N, C, L), as in PyTorch.

    >>> F.dropout2d(ember.ones(2, 3, 4, 4), training=False).shape
    ember.Size([2, 3, 4, 4])
    """
    _check_p(p)
    check_tensor(input, "input", "dropout2d")
    if input.ndim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated and will result "
                      "in an error in a future release. To retain the behavior and silence this warning, please use "
                      "dropout instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 "
                      "spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D "
                      "inputs).", UserWarning, stacklevel=2)
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior "
                      "is desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior "
                      "will change in a future release to interpret the input as one without a batch dimension, i.e. "
                      "shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using "
                      "dropout1d instead.", UserWarning, stacklevel=2)
    return _channel_dropout(input, p, training, inplace, batched=True)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) input with probability ``p``, scaling the rest.

    >>> F.dropout3d(ember.ones(2, 3, 2, 2, 2), training=False).shape
    ember.Size([2, 3, 2, 2, 2])
    """
    _check_p(p)
    check_tensor(input, "input", "dropout3d")
    if input.ndim not in (4, 5):
        warnings.warn(f"dropout3d: Received a {input.ndim}-D input to dropout3d, which is deprecated and will result "
                      "in an error in a future release. To retain the behavior and silence this warning, please use "
                      "dropout instead. Note that dropout3d exists to provide channel-wise dropout on inputs with 3 "
                      "spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 4D or 5D "
                      "inputs).", UserWarning, stacklevel=2)
    return _channel_dropout(input, p, training, inplace, batched=input.ndim == 5)
