"""ember.nn.functional: pooling (max, average, adaptive, Lp) and max unpooling.

The work is done by ``ember/ops/pooling.py``; these are PyTorch's F.* signatures over it.
"""

import math

from ...ops import pooling as _ops
from ...ops._util import check_tensor, constant
from ...ops.pooling import adaptive_avg_pool1d, avg_pool1d

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices", "max_pool2d_with_indices",
           "max_pool3d_with_indices", "avg_pool1d", "avg_pool2d", "avg_pool3d", "adaptive_avg_pool1d",
           "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool1d", "adaptive_max_pool2d",
           "adaptive_max_pool3d", "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
           "adaptive_max_pool3d_with_indices", "lp_pool1d", "lp_pool2d", "lp_pool3d", "max_unpool1d",
           "max_unpool2d", "max_unpool3d"]


def _max(d, fn, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    return _ops.max_pool(fn, d, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """1-d max pooling returning (values, indices) (the indices address the input's last dim).

    >>> F.max_pool1d_with_indices(ember.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2)[1].tolist()
    [[[1, 2]]]
    """
    return _max(1, "max_pool1d", input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """2-d max pooling returning (values, indices); indices are flat positions h * W + w in each input plane.

    >>> F.max_pool2d_with_indices(ember.arange(4.0).reshape(1, 1, 2, 2), 2)[1].tolist()
    [[[[3]]]]
    """
    return _max(2, "max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """3-d max pooling returning (values, indices) (flat positions in each input volume).

    >>> F.max_pool3d_with_indices(ember.arange(8.0).reshape(1, 1, 2, 2, 2), 2)[1].tolist()
    [[[[[7]]]]]
    """
    return _max(3, "max_pool3d", input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """1-d max pooling over (N, C, L) or (C, L) input; with ``return_indices``, (values, indices).

    >>> F.max_pool1d(ember.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2).tolist()
    [[[3.0, 2.0]]]
    """
    return _max(1, "max_pool1d", input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """2-d max pooling over (N, C, H, W) or (C, H, W) input; stride defaults to kernel_size.

    >>> F.max_pool2d(ember.arange(16.0).reshape(1, 1, 4, 4), 2).tolist()
    [[[[5.0, 7.0], [13.0, 15.0]]]]
    """
    return _max(2, "max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """3-d max pooling over (N, C, D, H, W) or (C, D, H, W) input.

    >>> F.max_pool3d(ember.arange(8.0).reshape(1, 1, 2, 2, 2), 2).tolist()
    [[[[[7.0]]]]]
    """
    return _max(3, "max_pool3d", input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """2-d average pooling; ``divisor_override`` replaces the window size as divisor.

    >>> F.avg_pool2d(ember.arange(16.0).reshape(1, 1, 4, 4), 2).tolist()
    [[[[2.5, 4.5], [10.5, 12.5]]]]
    """
    return _ops.avg_pool("avg_pool2d", 2, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                         divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """3-d average pooling over (N, C, D, H, W) or (C, D, H, W) input.

    >>> F.avg_pool3d(ember.arange(8.0).reshape(1, 1, 2, 2, 2), 2).tolist()
    [[[[[3.5]]]]]
    """
    return _ops.avg_pool("avg_pool3d", 3, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                         divisor_override)


def adaptive_avg_pool2d(input, output_size):
    """Average (N, C, H, W) input into an ``output_size`` grid of evenly spread windows (None keeps a size).

    >>> F.adaptive_avg_pool2d(ember.arange(16.0).reshape(1, 1, 4, 4), 1).tolist()
    [[[[7.5]]]]
    """
    return _ops.adaptive_avg_pool("adaptive_avg_pool2d", 2, input, output_size)


def adaptive_avg_pool3d(input, output_size):
    """Average (N, C, D, H, W) input into an ``output_size`` grid of evenly spread windows.

    >>> F.adaptive_avg_pool3d(ember.arange(8.0).reshape(1, 1, 2, 2, 2), 1).tolist()
    [[[[[3.5]]]]]
    """
    return _ops.adaptive_avg_pool("adaptive_avg_pool3d", 3, input, output_size)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """The maximum of ``output_size`` evenly spread windows of the last dim.

    >>> F.adaptive_max_pool1d(ember.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2).tolist()
    [[[3.0, 2.0]]]
    """
    return _ops.adaptive_max_pool("adaptive_max_pool1d", 1, input, output_size, return_indices)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """The maximum of each window of an ``output_size`` grid of evenly spread windows.

    >>> F.adaptive_max_pool2d(ember.arange(16.0).reshape(1, 1, 4, 4), 1).tolist()
    [[[[15.0]]]]
    """
    return _ops.adaptive_max_pool("adaptive_max_pool2d", 2, input, output_size, return_indices)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """3-d adaptive max pooling.

    >>> F.adaptive_max_pool3d(ember.arange(8.0).reshape(1, 1, 2, 2, 2), 1).tolist()
    [[[[[7.0]]]]]
    """
    return _ops.adaptive_max_pool("adaptive_max_pool3d", 3, input, output_size, return_indices)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    """``adaptive_max_pool1d`` returning (values, indices).

    >>> F.adaptive_max_pool1d_with_indices(ember.tensor([[[1.0, 3.0]]]), 1)[1].tolist()
    [[[1]]]
    """
    return _ops.adaptive_max_pool("adaptive_max_pool1d", 1, input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    """``adaptive_max_pool2d`` returning (values, indices).

    >>> F.adaptive_max_pool2d_with_indices(ember.arange(4.0).reshape(1, 1, 2, 2), 1)[1].tolist()
    [[[[3]]]]
    """
    return _ops.adaptive_max_pool("adaptive_max_pool2d", 2, input, output_size, True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    """``adaptive_max_pool3d`` returning (values, indices).

    >>> F.adaptive_max_pool3d_with_indices(ember.arange(8.0).reshape(1, 1, 2, 2, 2), 1)[1].tolist()
    [[[[[7]]]]]
    """
    return _ops.adaptive_max_pool("adaptive_max_pool3d", 3, input, output_size, True)


def _lp_pool(d, input, norm_type, kernel_size, stride, ceil_mode):
    """PyTorch's Lp pooling: (sum of x**p over each window) ** (1/p), via average pooling."""
    from ...ops.elementwise import relu
    kernel = _ops.pool_tuple(kernel_size, d, "kernel_size", f"lp_pool{d}d")
    name = f"avg_pool{d}d"
    powered = input.pow(norm_type)
    out = _ops.avg_pool(name, d, powered, kernel, stride, 0, ceil_mode, True, None)
    return (out.sign() * relu(out.abs())).mul(math.prod(kernel)).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling over the last dim: ``(sum x**p) ** (1/p)`` per window.

    >>> F.lp_pool1d(ember.tensor([[[3.0, 4.0]]]), 2, 2).tolist()
    [[[5.0]]]
    """
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling over (kh, kw) windows: ``(sum x**p) ** (1/p)``.

    >>> F.lp_pool2d(ember.ones(1, 1, 2, 2), 2, 2).tolist()
    [[[[2.0]]]]
    """
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling over (kd, kh, kw) windows.

    >>> F.lp_pool3d(ember.ones(1, 1, 2, 2, 2), 1, 2).tolist()
    [[[[[8.0]]]]]
    """
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)


def _max_unpool(d, input, indices, kernel_size, stride, padding, output_size):
    """Put each value back at its index in a zero tensor (the inverse of max pooling with indices)."""
    fn = f"max_unpool{d}d"
    check_tensor(input, "input", fn)
    check_tensor(indices, "indices", fn)
    kernel = _ops.pool_tuple(kernel_size, d, "kernel_size", fn)
    stride = kernel if stride is None else _ops.pool_tuple(stride, d, "stride", fn)
    pad = _ops.pool_tuple(padding, d, "padding", fn)
    spatial = input.shape[input.ndim - d:]
    default = tuple((n - 1) * s - 2 * p + k for n, s, p, k in zip(spatial, stride, pad, kernel))
    if output_size is None:
        size = default
    else:
        size = tuple(int(s) for s in output_size)
        if len(size) == d + 2 or len(size) == d + 1 and input.ndim == d + 1:
            size = size[len(size) - d:]
        if len(size) != d:
            raise ValueError(f"output_size should be a sequence containing {d} or {d + 2} elements, but it has a "
                             f"length of '{len(size)}'")
        for s, lo, st in zip(size, default, stride):
            if not lo - st < s < lo + st:
                raise ValueError(f"invalid output_size \"{list(size)}\" (dim {size.index(s)} must be between "
                                 f"{lo - st} and {lo + st})")
    if indices.shape != input.shape:
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor ({list(input.shape)}) "
                           f"but got indices tensor with shape: {list(indices.shape)}")
    if input.ndim not in (d + 1, d + 2):
        raise RuntimeError(f"{fn}(): Expected {d + 1}D or {d + 2}D tensor, but got {list(input.shape)}")
    batched = input.ndim == d + 2
    x = input if batched else input.unsqueeze(0)
    where = indices if batched else indices.unsqueeze(0)
    data = where._data
    if data.size and (data.min() < 0 or data.max() >= math.prod(size)):
        bad = int(data.max()) if data.max() >= math.prod(size) else int(data.min())
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                           f"{'x'.join(map(str, size))}")
    out = _ops.IndexScatter.apply(x, constant(data), size=size, accumulate=False)
    return out if batched else out.squeeze(0)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Invert max_pool1d: values back at their indices, zeros elsewhere.

    >>> F.max_unpool1d(ember.tensor([[[3.0]]]), ember.tensor([[[1]]]), 2).tolist()
    [[[0.0, 3.0]]]
    """
    return _max_unpool(1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Invert max_pool2d: values back at their flat indices in each (H, W) plane, zeros elsewhere.

    >>> F.max_unpool2d(ember.tensor([[[[3.0]]]]), ember.tensor([[[[3]]]]), 2).tolist()
    [[[[0.0, 0.0], [0.0, 3.0]]]]
    """
    return _max_unpool(2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Invert max_pool3d.

    >>> F.max_unpool3d(ember.tensor([[[[[3.0]]]]]), ember.tensor([[[[[0]]]]]), 2).shape
    ember.Size([1, 1, 2, 2, 2])
    """
    return _max_unpool(3, input, indices, kernel_size, stride, padding, output_size)


# avg_pool1d and adaptive_avg_pool1d are the torch.* functions themselves.
avg_pool1d = avg_pool1d
adaptive_avg_pool1d = adaptive_avg_pool1d
