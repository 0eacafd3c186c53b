"""ember.nn.functional: ``pad``, in PyTorch's four modes.

The pad list names the last dimension first: ``(left, right)``, then ``(top, bottom)``, then
``(front, back)``. Constant padding is ``torch.constant_pad_nd`` (negative amounts crop).
The other modes pick, for each output position of a padded dimension, an input position
(mirrored, clamped or wrapped) and gather with ``index_select``, whose backward adds the
gradient of repeated positions together.
"""

import numpy as np

from ..._tensor import Tensor
from ...ops._util import check_tensor, int_tuple
from ...ops.padding import constant_pad_nd

__all__ = ["pad"]

_MODES = ("constant", "reflect", "replicate", "circular")
# Non-constant modes pad 1, 2 or 3 trailing dimensions of input with (or without) a batch dimension.
_SUPPORTED_RANKS = {2: (2, 3), 4: (3, 4), 6: (4, 5)}


def _reflected(positions, size):
    """Mirror positions about the first and last entries (the edge itself is not repeated)."""
    positions = np.abs(positions)
    return np.where(positions > size - 1, 2 * (size - 1) - positions, positions)


def _source_positions(mode, size, before, after):
    """For each output position along one dimension, the input position it copies."""
    if mode == "circular":
        start = max(-before, 0)
        kept = size - start - max(-after, 0)
        positions = np.arange(-max(before, 0), kept + max(after, 0))
        return start + positions % max(kept, 1)
    positions = np.arange(-before, size + after)
    if mode == "reflect":
        return _reflected(positions, size)
    return np.clip(positions, 0, size - 1)


def _check_modes(input, pad, mode, value):
    if mode not in _MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if mode == "constant":
        return
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) > 2 * input.ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {input.ndim}")
    if input.ndim not in _SUPPORTED_RANKS.get(len(pad), ()):
        raise NotImplementedError(f"Padding size {len(pad)} is not supported for {input.ndim}D input tensor.\n"
                                  "Supported combinations for non-constant padding:\n"
                                  "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
                                  "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
                                  "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


def _check_sizes(input, pad, mode):
    """PyTorch's checks of the padded dimensions' sizes for the reflect, replicate and circular modes."""
    spatial = len(pad) // 2
    batched = input.ndim == spatial + 2
    if mode != "circular":
        first = 1 if batched else 0
        if any(size == 0 for size in input.shape[first:]):
            kinds = {1: "2D or 3D", 2: "3D or 4D", 3: "4D or 5D"}[spatial]
            raise RuntimeError(f"Expected {kinds} (batch mode) tensor with possibly 0 batch size and other non-zero "
                               f"dimensions for input, but got: {list(input.shape)}")
    names = "DHW"[3 - spatial:]
    out_sizes = []
    for k in range(spatial):
        dim = input.ndim - 1 - k
        size, before, after = input.shape[dim], pad[2 * k], pad[2 * k + 1]
        if mode == "reflect" and (before >= size or after >= size):
            raise RuntimeError(f"Argument #{2 + 2 * spatial}: Padding size should be less than the corresponding "
                               f"input dimension, but got: padding ({before}, {after}) at dimension {dim} of input "
                               f"{list(input.shape)}")
        if mode == "circular" and (before > size or after > size):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        out_sizes.append(size + before + after)
    out_sizes.reverse()
    if mode != "circular" and (all(s < 1 for s in out_sizes) or any(s < 0 for s in out_sizes)):
        ins = ", ".join(f"{n}: {input.shape[input.ndim - spatial + i]}" for i, n in enumerate(names))
        outs = ", ".join(f"{n}: {s}" for n, s in zip(names, out_sizes))
        raise RuntimeError(f"input ({ins}) is too small. Calculated output {outs}")
    if mode == "circular" and any(s < 0 for s in out_sizes):
        raise RuntimeError("Negative padding value is resulting in an empty dimension.")


def pad(input, pad, mode="constant", value=None):
    """Pad (or, with negative amounts, crop) the trailing dimensions of ``input``.

    ``mode`` is ``'constant'`` (fill with ``value``, default 0), ``'reflect'`` (mirror without
    repeating the edge), ``'replicate'`` (repeat the edge) or ``'circular'`` (wrap around).

    >>> F.pad(ember.tensor([[1.0, 2.0, 3.0]]), (2, 1), mode="reflect")
    tensor([[3., 2., 1., 2., 3., 2.]])
    """
    check_tensor(input, "input", "pad")
    pad = int_tuple(pad, "pad", "pad") if not isinstance(pad, (int, np.integer)) else _not_a_tuple(pad)
    _check_modes(input, pad, mode, value)
    if mode == "constant":
        return constant_pad_nd(input, pad, 0 if value is None else value)
    _check_sizes(input, pad, mode)
    out = input
    for k in range(len(pad) // 2):
        dim = input.ndim - 1 - k
        positions = _source_positions(mode, input.shape[dim], pad[2 * k], pad[2 * k + 1])
        out = out.index_select(dim, Tensor._make(positions.astype(np.int64)))
    return out


def _not_a_tuple(value):
    raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, not {type(value).__name__}")
