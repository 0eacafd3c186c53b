"""ember.nn.functional: convolutions, and unfold/fold (im2col and col2im).

The convolutions are ember's own ``ember.conv*d``; ``unfold`` is a grouped convolution with
one-hot kernels (one output channel per input channel and kernel offset) and ``fold`` the
matching transposed convolution, so both have gradients of every order.
"""

import math

import numpy as np

from ...ops import conv as _ops
from ...ops._util import check_tensor
from ...ops.conv import (
    conv1d,
    conv2d,
    conv3d,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose3d,
)

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "unfold",
           "fold"]


def _pair(value, name, fn):
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),) * 2
    values = tuple(int(v) for v in value)
    if len(values) != 2:
        raise RuntimeError(f"{fn}(): {name} must be an int or a tuple of 2 ints, got {list(values)}")
    return values


def _constant(array):
    from ...ops._util import constant
    return constant(np.ascontiguousarray(array))


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding blocks (im2col): (N, C, H, W) -> (N, C * kh * kw, L), one column per block.

    >>> F.unfold(ember.arange(9.0).reshape(1, 1, 3, 3), 2).shape
    ember.Size([1, 4, 4])
    """
    check_tensor(input, "input", "unfold")
    if input.ndim < 3:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-input.ndim}, {input.ndim - 1}], but "
                         f"got {input.ndim})")
    if input.ndim > 4:
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got: "
                           f"{list(input.shape)}")
    kernel = _pair(kernel_size, "kernel_size", "unfold")
    dilation, padding, stride = (_pair(v, n, "unfold") for v, n in ((dilation, "dilation"), (padding, "padding"),
                                                                     (stride, "stride")))
    _check_fold_args(kernel, dilation, padding, stride)
    batched = input.ndim == 4
    x = input if batched else input.unsqueeze(0)
    n, c = x.shape[:2]
    weight = _constant(_kernels(c, kernel, x))
    blocks = conv2d(x, weight, None, stride, padding, dilation, groups=c)
    cols = blocks.reshape(n, c * math.prod(kernel), -1)
    return cols if batched else cols.squeeze(0)


def _kernels(channels, kernel, like):
    k = math.prod(kernel)
    eye = np.eye(k, dtype=like._data.dtype).reshape((k, 1) + kernel)
    return np.tile(eye, (channels, 1, 1, 1))


def _check_fold_args(kernel, dilation, padding, stride):
    if any(k <= 0 for k in kernel):
        raise RuntimeError(f"kernel size should be greater than zero, but got kernel_height: {kernel[0]} "
                           f"kernel_width: {kernel[1]}")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got dilation_height: {dilation[0]} "
                           f"dilation_width: {dilation[1]}")
    if any(p < 0 for p in padding):
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {padding[0]} "
                           f"pad_width: {padding[1]}")
    if any(s <= 0 for s in stride):
        raise RuntimeError(f"stride should be greater than zero, but got stride_height: {stride[0]} "
                           f"stride_width: {stride[1]}")


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sum sliding blocks back into an image (col2im): (N, C * kh * kw, L) -> (N, C, *output_size).

    >>> F.fold(ember.ones(1, 4, 4), (3, 3), 2)[0, 0].tolist()
    [[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]
    """
    check_tensor(input, "input", "fold")
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero "
                           f"dimensions for input, but got: {list(input.shape)}")
    size = _pair(output_size, "output_size", "fold")
    kernel = _pair(kernel_size, "kernel_size", "fold")
    dilation, padding, stride = (_pair(v, n, "fold") for v, n in ((dilation, "dilation"), (padding, "padding"),
                                                                   (stride, "stride")))
    _check_fold_args(kernel, dilation, padding, stride)
    batched = input.ndim == 3
    cols = input if batched else input.unsqueeze(0)
    k = math.prod(kernel)
    if cols.shape[1] % k:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, but "
                           f"got input.size(1)={cols.shape[1]} and kernel_size=({kernel[0]}, {kernel[1]})")
    blocks = tuple((s + 2 * p - d * (kk - 1) - 1) // st + 1
                   for s, p, d, kk, st in zip(size, padding, dilation, kernel, stride))
    if any(b < 1 for b in blocks) or math.prod(blocks) != cols.shape[2]:
        raise RuntimeError(f"Given output_size=({size[0]}, {size[1]}), kernel_size=({kernel[0]}, {kernel[1]}), "
                           f"dilation=({dilation[0]}, {dilation[1]}), padding=({padding[0]}, {padding[1]}), "
                           f"stride=({stride[0]}, {stride[1]}), expected size of input's dimension 2 to match the "
                           f"calculated number of sliding blocks {blocks[0]} * {blocks[1]} = {math.prod(blocks)}, "
                           f"but got input.size(2)={cols.shape[2]}.")
    n, c = cols.shape[0], cols.shape[1] // k
    weight = _constant(_kernels(c, kernel, cols))
    geometry = _ops.Geometry(kernel, stride, tuple((p, p) for p in padding), dilation, max(c, 1), crop=blocks)
    image = _ops.ConvInputGrad.apply(cols.reshape((n, c * k) + blocks), weight, geometry=geometry, spatial=size)
    return image if batched else image.squeeze(0)
