"""Constant padding: ``torch.constant_pad_nd`` (negative amounts crop), behind ``F.pad``'s constant mode.

The pad list names the last dimension first: ``(left, right)`` for the last one, then
``(top, bottom)`` for the one before, and so on. The backward of padding by ``p`` is
padding the gradient by ``-p``, so one Primitive serves both directions.
"""

import numpy as np

from .._device import array_module
from ..autograd.function import Primitive
from ._util import check_tensor, float_arg, int_tuple

__all__ = ["constant_pad_nd"]


def _slices(length, before, after):
    """The source and destination ranges of one dimension padded by ``before`` and ``after`` (negative crops)."""
    source = slice(max(-before, 0), length - max(-after, 0))
    start = max(before, 0)
    return source, slice(start, start + max(source.stop - source.start, 0))


class ConstantPad(Primitive):
    """``x`` with ``pad`` added around its last dimensions, new entries set to ``value``."""

    @staticmethod
    def forward(ctx, x, *, pad, value):
        xp = array_module(x)
        ctx.pad = pad
        out_shape = list(x.shape)
        sources, targets = [slice(None)] * x.ndim, [slice(None)] * x.ndim
        for k in range(len(pad) // 2):
            dim = x.ndim - 1 - k
            before, after = pad[2 * k], pad[2 * k + 1]
            out_shape[dim] = x.shape[dim] + before + after
            sources[dim], targets[dim] = _slices(x.shape[dim], before, after)
        out = xp.full(out_shape, value, dtype=x.dtype) if value != 0 else xp.zeros(out_shape, dtype=x.dtype)
        out[tuple(targets)] = x[tuple(sources)]
        return out

    @staticmethod
    def backward(ctx, grad):
        return ConstantPad.apply(grad, pad=tuple(-p for p in ctx.pad), value=0)


def _check_pad(input, pad):
    if len(pad) % 2:
        raise RuntimeError(f"Length of pad must be even but instead it equals {len(pad)}")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError(f"Length of pad should be no more than twice the number of dimensions of the input. Pad "
                           f"length is {len(pad)} while the input has {input.ndim} dimensions.")
    for k in range(len(pad) // 2):
        dim = input.ndim - 1 - k
        size = input.shape[dim] + pad[2 * k] + pad[2 * k + 1]
        if size < 0:
            raise RuntimeError(f"The input size {input.shape[dim]}, plus negative padding {pad[2 * k]} and "
                               f"{pad[2 * k + 1]} resulted in a negative output size, which is invalid. Check "
                               f"dimension {dim} of your input.")


def _fill_value(value, input):
    """``value`` converted to the input's dtype, as PyTorch casts it (2.5 pads an int tensor with 2)."""
    value = float_arg(value, "constant_pad_nd", "value")
    with np.errstate(all="ignore"):
        return np.asarray(value).astype(input._data.dtype)


def constant_pad_nd(input, pad, value=0):
    """Pad the last ``len(pad) // 2`` dimensions with ``value``; negative amounts remove entries.

    >>> ember.constant_pad_nd(ember.ones(2), (1, 2))
    tensor([0., 1., 1., 0., 0.])
    """
    check_tensor(input, "input", "constant_pad_nd")
    pad = int_tuple(pad, "constant_pad_nd", "pad")
    _check_pad(input, pad)
    return ConstantPad.apply(input, pad=pad, value=_fill_value(value, input))


TENSOR_METHODS = {}
