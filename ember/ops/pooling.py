"""Pooling: max, average, adaptive and Lp pooling over 1-3 spatial dims, and max unpooling.

Max pooling picks one input per window; its gradient is a scatter of the output gradient to
the picked positions (``IndexScatter``), whose own gradient is the matching gather
(``IndexGather``), so every order of derivative is a scatter or a gather. Average pooling is
linear: ``AvgPool`` and its adjoint ``AvgPoolGrad`` are each other's backward. Adaptive
average pooling is a product with one averaging matrix per dim, written with ``matmul``.
"""

import itertools
import math

import numpy as np

from .._device import array_module
from ..autograd.function import Primitive
from ._util import check_tensor, constant
from .conv import Geometry, padded, scratch, windows

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices", "avg_pool1d",
           "adaptive_avg_pool1d", "adaptive_max_pool1d"]

TENSOR_METHODS = {}


# ----------------------------------------------------------------------------- gather / scatter by index

class IndexScatter(Primitive):
    """Place ``values`` (N, C, *out) at flat positions ``indices`` of zero planes of ``size``, summing repeats.

    With ``accumulate=False`` positions are assigned (max_unpool); either way the backward is
    the gather at the same positions.
    """

    @staticmethod
    def forward(ctx, values, indices, *, size, accumulate=True):
        xp = array_module(values)
        n, c = values.shape[:2]
        plane = math.prod(size)
        out = xp.zeros((n * c, plane), dtype=values.dtype)
        rows = values.reshape(n * c, -1) if values.size else values.reshape(n * c, 0)
        where = indices.reshape(n * c, -1) if indices.size else indices.reshape(n * c, 0)
        if accumulate:
            flat = _flat_positions(where, plane, xp).ravel()
            out = xp.bincount(flat, weights=rows.ravel(), minlength=n * c * plane).astype(values.dtype)
        elif values.size:
            out.reshape(-1)[_flat_positions(where, plane, xp)] = rows
        ctx.save_for_backward(indices)
        return out.reshape((n, c) + tuple(size))

    @staticmethod
    def backward(ctx, grad):
        (indices,) = ctx.saved_tensors
        return IndexGather.apply(grad, indices), None


def _flat_positions(where, plane, xp):
    """Per-plane positions ``where`` (planes, k) as positions in the whole flattened array (planes of ``plane``)."""
    return where + xp.arange(where.shape[0])[:, None] * plane


class IndexGather(Primitive):
    """``x`` (N, C, *size) read at flat positions ``indices`` (N, C, *out); backward scatters back."""

    @staticmethod
    def forward(ctx, x, indices):
        xp = array_module(x)
        n, c = x.shape[:2]
        if indices.size:
            picked = x.reshape(-1).take(_flat_positions(indices.reshape(n * c, -1), math.prod(x.shape[2:]), xp))
        else:
            picked = xp.zeros(indices.shape, dtype=x.dtype)
        ctx.size = x.shape[2:]
        ctx.save_for_backward(indices)
        return picked.reshape(indices.shape)

    @staticmethod
    def backward(ctx, grad):
        (indices,) = ctx.saved_tensors
        return IndexScatter.apply(grad, indices, size=ctx.size), None


# ----------------------------------------------------------------------------- max pooling

def _pool_output(size, kernel, stride, pad, dilation, ceil_mode):
    """PyTorch's output length of one pooled dim (ceil_mode drops a last window starting in the right padding)."""
    span = size + 2 * pad - dilation * (kernel - 1) - 1
    out = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    return out


def max_pool_forward(x, kernel, stride, pad, dilation, out):
    """Max over each window of ``x`` (N, C, *spatial): the values and the flat input index of each maximum."""
    xp = array_module(x)
    spatial = x.shape[2:]
    d = len(spatial)
    if _tiles(spatial, kernel, stride, pad, dilation, out):
        return _max_tiles_outer_first(x, kernel, out)
    reach = [(o - 1) * s + dl * (k - 1) + 1 for o, s, dl, k in zip(out, stride, dilation, kernel)]
    pads = tuple((p, max(0, r - n - p)) for p, r, n in zip(pad, reach, spatial))
    fill = -xp.inf if x.dtype.kind == "f" else xp.iinfo(x.dtype).min
    geometry = Geometry(kernel, stride, pads, dilation, 1)
    win = windows(padded(x, pads, fill), geometry, out)
    flat = win.reshape(x.shape[:2] + tuple(out) + (math.prod(kernel),))
    arg = flat.argmax(-1)
    values = xp.take_along_axis(flat, arg[..., None], -1)[..., 0]
    index = xp.zeros(arg.shape, dtype=np.int64)
    for dim, position in enumerate(xp.unravel_index(arg, kernel)):
        start = xp.arange(out[dim]) * stride[dim] - pad[dim]
        start = start.reshape((-1,) + (1,) * (d - 1 - dim))
        coord = xp.clip(start + position * dilation[dim], 0, spatial[dim] - 1)
        index = index * spatial[dim] + coord
    return values, index


def _tiles(spatial, kernel, stride, pad, dilation, out=None):
    """Whether the windows tile the input without overlap or padding (the reshape fast path).

    With ``out``, also whether every window lies inside the input (ceil_mode may add a partial one).
    """
    if out is not None and any(o * k > n for o, k, n in zip(out, kernel, spatial)):
        return False
    return all(k == s and p == 0 and dl == 1 for k, s, p, dl in zip(kernel, stride, pad, dilation))


def _max_tiles_outer_first(x, kernel, out):
    """Max pooling when kernel == stride, reducing the first spatial dim first (its slices are long runs).

    Ties go to the smaller window code (row-major position in the kernel), so the first maximum
    in row-major order wins as in PyTorch. A NaN maximum (rare) takes ``_max_tiles``, whose order
    of reduction gives PyTorch's choice among NaNs. Intermediate arrays live in reused scratch
    buffers (fresh memory costs more than the arithmetic).
    """
    xp = array_module(x)
    spatial = x.shape[2:]
    code_type = np.uint8 if math.prod(kernel) <= 256 else np.int64
    values = x[(slice(None), slice(None)) + tuple(slice(0, o * k) for o, k in zip(out, kernel))]
    code = None
    for dim in range(len(spatial)):
        axis = 2 + dim
        split = values.reshape(values.shape[:axis] + (out[dim], kernel[dim]) + values.shape[axis + 1:])
        shape = values.shape[:axis] + (out[dim],) + values.shape[axis + 1:]
        last = dim == len(spatial) - 1
        best = xp.empty(shape, dtype=x.dtype) if last else _buffer(f"best{dim % 2}", shape, x.dtype, xp)
        best_code = _buffer(f"code{dim % 2}", shape, code_type, xp)
        split_code = None if code is None else code.reshape(split.shape)
        _reduce_dim(split, split_code, axis, code_type(math.prod(kernel[dim + 1:])), best, best_code, xp)
        values, code = best, best_code
    if x.dtype.kind == "f" and xp.isnan(values).any():
        return _max_tiles(x, kernel, out)
    return values, _tile_index(code, spatial, kernel, out, xp)


def _buffer(name, shape, dtype, xp):
    return scratch("pool-" + name, math.prod(shape), dtype, xp).reshape(shape)


def _reduce_dim(split, split_code, axis, weight, best, best_code, xp):
    """Running maximum over the kernel slices of ``split`` along ``axis`` into ``best``; window codes to ``best_code``.

    Arithmetic instead of masked copies: a random mask makes np.where/copyto branch badly.
    """
    shape = best.shape
    better = _buffer("better", shape, bool, xp)
    part_code = _buffer("part-code", shape, best_code.dtype, xp)
    change = _buffer("change", shape, best_code.dtype, xp)
    ties = None if split_code is None else _buffer("ties", shape, bool, xp)
    for j in range(split.shape[axis + 1]):
        pick = (slice(None),) * (axis + 1) + (j,)
        part = split[pick]
        step = best_code.dtype.type(j) * weight
        if split_code is None:
            part_code[...] = step
        else:
            xp.add(split_code[pick], step, out=part_code)
        if j == 0:
            best[...] = part
            best_code[...] = part_code
            continue
        xp.greater(part, best, out=better)
        if ties is not None:          # equal values: the smaller code is earlier in row-major order
            xp.equal(part, best, out=ties)
            ties &= part_code < best_code
            better |= ties
        xp.maximum(best, part, out=best)
        xp.subtract(part_code, best_code, out=change)       # (unsigned codes wrap back into range)
        xp.multiply(change, better, out=change)
        best_code += change


def _max_tiles(x, kernel, out):
    """Max pooling when kernel == stride: reduce one spatial dim at a time, last dim first.

    Each dim is split into (out, kernel) by a reshape and reduced by a running maximum over the
    kernel's slices, tracking where in its window each maximum sits as a small integer code
    (row-major position in the kernel); the codes become flat input indices once, at the end.
    Reducing the last dim first keeps PyTorch's choice on ties (the first maximum in row-major
    order); NaN wins.
    """
    xp = array_module(x)
    spatial = x.shape[2:]
    code_type = np.uint8 if math.prod(kernel) <= 256 else np.int64
    values = x[(slice(None), slice(None)) + tuple(slice(0, o * k) for o, k in zip(out, kernel))]
    code = None
    for dim in reversed(range(len(spatial))):
        axis = 2 + dim
        weight = math.prod(kernel[dim + 1:])          # code step of one kernel position along this dim
        split_shape = values.shape[:axis] + (out[dim], kernel[dim]) + values.shape[axis + 1:]
        split = values.reshape(split_shape)
        split_code = None if code is None else code.reshape(split_shape)
        best = best_code = None
        for j in range(kernel[dim]):
            pick = (slice(None),) * (axis + 1) + (j,)
            part = split[pick]
            part_code = code_type(j * weight) if split_code is None else split_code[pick] + code_type(j * weight)
            if best is None:       # (a copy only when this slice is the whole result: never return a view of x)
                best, best_code = (part.copy() if kernel[dim] == 1 else part), part_code
                continue
            # Arithmetic instead of masked copies: a random mask makes np.where/copyto branch badly.
            # (Unsigned codes may wrap in the difference; the sum lands back on a valid code.)
            better = part > best
            if x.dtype.kind == "f":
                better |= part != part          # NaN propagates, like PyTorch's max pooling
            best = xp.maximum(best, part)
            best_code = best_code + better * (part_code - best_code)
        if not isinstance(best_code, xp.ndarray):
            best_code = xp.full(best.shape, best_code, dtype=code_type)
        values, code = best, best_code
    return values, _tile_index(code, spatial, kernel, out, xp)


def _tile_index(code, spatial, kernel, out, xp):
    """Flat input indices of the window positions ``code`` (row-major in the kernel) of tiled windows."""
    plane_strides = [math.prod(spatial[dim + 1:]) for dim in range(len(spatial))]
    table = np.zeros(math.prod(kernel), dtype=np.int64)
    for position, offsets in enumerate(itertools.product(*(range(k) for k in kernel))):
        table[position] = sum(j * s for j, s in zip(offsets, plane_strides))
    index = xp.asarray(table).take(code)
    for dim, (n, k, stride) in enumerate(zip(out, kernel, plane_strides)):
        shape = [1] * len(out)
        shape[dim] = n
        index += (xp.arange(n) * (k * stride)).reshape(shape)
    return index


class MaxPool(Primitive):
    """Max over windows; backward scatters the gradient to each window's maximum."""

    @staticmethod
    def forward(ctx, x, *, kernel, stride, pad, dilation, out):
        values, index = max_pool_forward(x, kernel, stride, pad, dilation, out)
        ctx.index = index
        ctx.size = x.shape[2:]
        ctx.overlap = any(s < dl * (k - 1) + 1 for k, s, dl in zip(kernel, stride, dilation))
        return values, index

    @staticmethod
    def backward(ctx, grad, _):
        return IndexScatter.apply(grad, constant(ctx.index), size=ctx.size, accumulate=ctx.overlap)


# ----------------------------------------------------------------------------- max pooling over tiles

def _tile_parts(x, kernel, out):
    """Views (N, C, *out) of ``x``, one per kernel position in row-major order, for windows that tile ``x``."""
    cropped = x[(slice(None), slice(None)) + tuple(slice(0, o * k) for o, k in zip(out, kernel))]
    split = cropped.reshape(x.shape[:2] + tuple(itertools.chain(*zip(out, kernel))))     # a view: axes only split
    lead = (slice(None), slice(None))
    return [split[lead + tuple(itertools.chain(*((slice(None), j) for j in offsets)))]
            for offsets in itertools.product(*(range(k) for k in kernel))]


def _first_maximum_code(parts, values, xp):
    """The kernel position (uint8, row-major) of the first part equal to ``values``: PyTorch's choice on ties.

    Arithmetic on small integers instead of masked copies (a random mask makes np.copyto branch badly).
    """
    shape = values.shape
    code = xp.full(shape, len(parts) - 1, dtype=np.uint8)
    equal = _buffer("tile-equal", shape, bool, xp)
    change = _buffer("tile-change", shape, np.uint8, xp)
    for position in range(len(parts) - 2, -1, -1):
        xp.equal(parts[position], values, out=equal)
        xp.subtract(code, np.uint8(position), out=change)
        xp.multiply(change, equal, out=change)
        code -= change
    return code


class TiledMaxPool(Primitive):
    """Max pooling whose windows tile the input (kernel == stride, no padding or dilation), without indices.

    The maximum is a running ``maximum`` over the kernel positions' strided views; backward needs only
    which position won in each window (a uint8 code), not int64 indices. Windows holding a NaN go
    the general way (``max_pool_forward``), which picks PyTorch's NaN.
    """

    @staticmethod
    def forward(ctx, x, *, kernel, out):
        xp = array_module(x)
        parts = _tile_parts(x, kernel, out)
        values = xp.empty(x.shape[:2] + tuple(out), dtype=x.dtype)
        if len(parts) == 1:
            values[...] = parts[0]
        else:
            xp.maximum(parts[0], parts[1], out=values)
            for part in parts[2:]:
                xp.maximum(values, part, out=values)
        ctx.kernel, ctx.size = kernel, x.shape[2:]
        if x.dtype.kind == "f" and xp.isnan(values).any():
            d = len(kernel)
            _, ctx.index = max_pool_forward(x, kernel, kernel, (0,) * d, (1,) * d, out)
            ctx.code = None
        else:
            ctx.code = _first_maximum_code(parts, values, xp)
        return values

    @staticmethod
    def backward(ctx, grad):
        if ctx.code is None:
            return IndexScatter.apply(grad, constant(ctx.index), size=ctx.size, accumulate=False)
        return TileScatter.apply(grad, constant(ctx.code), kernel=ctx.kernel, size=ctx.size)


class TileScatter(Primitive):
    """Each window's gradient ``grad`` (N, C, *out) placed at its position ``code``, zeros elsewhere."""

    @staticmethod
    def forward(ctx, grad, code, *, kernel, size):
        xp = array_module(grad)
        out = grad.shape[2:]
        covered = all(o * k == n for o, k, n in zip(out, kernel, size))
        gx = (xp.empty if covered else xp.zeros)(grad.shape[:2] + tuple(size), dtype=grad.dtype)
        chosen = _buffer("tile-chosen", code.shape, bool, xp)
        for position, part in enumerate(_tile_parts(gx, kernel, out)):
            xp.equal(code, np.uint8(position), out=chosen)
            xp.multiply(grad, chosen, out=part)
        ctx.save_for_backward(code)
        ctx.kernel = kernel
        return gx

    @staticmethod
    def backward(ctx, ggx):
        (code,) = ctx.saved_tensors
        return TileGather.apply(ggx, code, kernel=ctx.kernel), None


class TileGather(Primitive):
    """Each window's value at its position ``code`` (the adjoint of TileScatter)."""

    @staticmethod
    def forward(ctx, x, code, *, kernel):
        xp = array_module(x)
        picked = xp.zeros(code.shape, dtype=x.dtype)
        chosen = _buffer("tile-chosen", code.shape, bool, xp)
        for position, part in enumerate(_tile_parts(x, kernel, code.shape[2:])):
            xp.equal(code, np.uint8(position), out=chosen)
            picked += part * chosen
        ctx.save_for_backward(code)
        ctx.kernel, ctx.size = kernel, x.shape[2:]
        return picked

    @staticmethod
    def backward(ctx, grad):
        (code,) = ctx.saved_tensors
        return TileScatter.apply(grad, code, kernel=ctx.kernel, size=ctx.size), None


# ----------------------------------------------------------------------------- average pooling

def _avg_divisors(spatial, kernel, stride, pad, out, count_include_pad, xp, dtype):
    """The divisor of each output position (N, C broadcast), as PyTorch counts them."""
    divisor = xp.ones(tuple(out), dtype=dtype)
    for dim, (n, k, s, p, o) in enumerate(zip(spatial, kernel, stride, pad, out)):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        if count_include_pad:
            count = end - start
        else:
            count = np.minimum(end, n) - np.maximum(start, 0)
        shape = [1] * len(out)
        shape[dim] = o
        divisor = divisor * xp.asarray(count.reshape(shape), dtype=dtype)
    return divisor


def _truncated_quotient(total, divisor):
    """Integer window sums over their divisors, rounded toward zero (C++ division, as in PyTorch's int64 kernel)."""
    quotient = total // divisor
    inexact = (quotient < 0) & (quotient * divisor != total)
    return quotient + inexact.astype(quotient.dtype)


class AvgPool(Primitive):
    """Window sums divided by the divisors; backward is ``AvgPoolGrad`` (its adjoint)."""

    @staticmethod
    def forward(ctx, x, *, kernel, stride, pad, out, divisor):
        spatial = x.shape[2:]
        d = len(spatial)
        reach = [(o - 1) * s + k for o, s, k in zip(out, stride, kernel)]
        pads = tuple((p, max(0, r - n - p)) for p, r, n in zip(pad, reach, spatial))
        geometry = Geometry(kernel, stride, pads, (1,) * d, 1)
        win = windows(padded(x, pads), geometry, out)
        total = win.sum(axis=tuple(range(2 + d, 2 + 2 * d)))
        ctx.attrs = dict(kernel=kernel, stride=stride, pad=pad, out=out, divisor=divisor)
        ctx.spatial = spatial
        if x.dtype.kind == "i":
            return _truncated_quotient(total, divisor)
        return (total / divisor).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        return AvgPoolGrad.apply(grad, spatial=ctx.spatial, **ctx.attrs)


class AvgPoolGrad(Primitive):
    """The adjoint of AvgPool: each output's gradient over its divisor, spread over its window."""

    @staticmethod
    def forward(ctx, grad, *, spatial, kernel, stride, pad, out, divisor):
        xp = array_module(grad)
        reach = [(o - 1) * s + k for o, s, k in zip(out, stride, kernel)]
        full = tuple(max(n + p, r) + p for n, p, r in zip(spatial, pad, reach))
        share = (grad / divisor).astype(grad.dtype, copy=False)
        dx = xp.zeros(grad.shape[:2] + full, dtype=grad.dtype)
        for offsets in itertools.product(*(range(k) for k in kernel)):
            target = (slice(None), slice(None)) + tuple(
                slice(o, o + (m - 1) * s + 1, s) for o, m, s in zip(offsets, out, stride))
            dx[target] += share
        inner = (slice(None), slice(None)) + tuple(slice(p, p + n) for p, n in zip(pad, spatial))
        ctx.attrs = dict(kernel=kernel, stride=stride, pad=pad, out=out, divisor=divisor)
        return xp.ascontiguousarray(dx[inner])

    @staticmethod
    def backward(ctx, grad):
        return AvgPool.apply(grad, **ctx.attrs)


# ----------------------------------------------------------------------------- argument handling

def pool_tuple(value, d, name, fn):
    """An int or a sequence of 1 or ``d`` ints as a ``d``-tuple (PyTorch's error otherwise)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),) * d
    values = tuple(value)
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values):
        raise TypeError(f"{fn}(): argument '{name}' must be tuple of ints, but found element of type "
                        f"{type(next(v for v in values if not isinstance(v, (int, np.integer)))).__name__}")
    if len(values) == 1:
        return values * d
    if len(values) != d:
        raise RuntimeError(f"{fn}: {name} must either be a single int, or a tuple of {d} ints")
    return tuple(int(v) for v in values)


def _batched(input, d, fn):
    """``input`` as (N, C, *spatial) and whether it had a batch dim."""
    if input.ndim not in (d + 1, d + 2):
        raise RuntimeError(f"{fn}: Expected {d + 1}D or {d + 2}D input tensor, but got {list(input.shape)}"
                           if d > 1 else
                           f"{fn}() Expected 2D or 3D input tensor, but got {list(input.shape)}")
    if input.ndim == d + 1:
        return input.unsqueeze(0), False
    return input, True


def max_pool(fn, d, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    """Max pooling over the last ``d`` dims of ``input``; the values, or (values, indices)."""
    check_tensor(input, "input", fn)
    kernel = pool_tuple(kernel_size, d, "kernel_size", fn)
    stride = kernel if stride is None or (not isinstance(stride, int) and len(stride) == 0) else \
        pool_tuple(stride, d, "stride", fn)
    pad = pool_tuple(padding, d, "padding", fn)
    dilation = pool_tuple(dilation, d, "dilation", fn)
    _check_pool_args(fn, kernel, stride, pad, dilation)
    if fn == "max_pool1d" and not return_indices and not input.dtype.is_floating_point:
        from .._tensor import _type_word
        raise NotImplementedError(f'"max_pool1d_impl" not implemented for \'{_type_word(input.dtype)}\'')
    x, batched = _batched(input, d, fn)
    spatial = x.shape[2:]
    out = tuple(_pool_output(n, k, s, p, dl, ceil_mode)
                for n, k, s, p, dl in zip(spatial, kernel, stride, pad, dilation))
    if any(o <= 0 for o in out):
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, x.shape[1:]))}). Calculated output size: "
                           f"({'x'.join(map(str, (x.shape[1],) + out))}). Output size is too small")
    if x.shape[1] == 0 or x.shape[0] == 0 and batched is False:
        raise RuntimeError(f"{fn}: Expected input's non-batch dimensions to have positive length, but got "
                           f"{list(input.shape)}")
    if not return_indices and math.prod(kernel) <= 255 and _tiles(spatial, kernel, stride, pad, dilation, out):
        values = TiledMaxPool.apply(x, kernel=kernel, out=out)
        return values if batched else values.squeeze(0)
    values, indices = MaxPool.apply(x, kernel=kernel, stride=stride, pad=pad, dilation=dilation, out=out)
    if not batched:
        values, indices = values.squeeze(0), indices.squeeze(0)
    return (values, indices) if return_indices else values


def _check_pool_args(fn, kernel, stride, pad, dilation):
    if any(k <= 0 for k in kernel):
        raise RuntimeError("kernel_size must be greater than zero")
    if any(s <= 0 for s in stride):
        raise RuntimeError("stride must be greater than zero")
    if dilation is not None and any(dl <= 0 for dl in dilation):
        raise RuntimeError("dilation must be greater than zero")
    if any(p < 0 for p in pad):
        raise RuntimeError("pad must be non-negative")
    if any(p * 2 > k for p, k in zip(pad, kernel)):
        raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={pad[0]}, "
                           f"kernel_size={kernel[0]} and dilation={1 if dilation is None else dilation[0]}")


_AVG_POOL_KERNELS = {1: "avg_pool2d", 2: "avg_pool2d", 3: "avg_pool3d_out_frame"}   # names in PyTorch's errors


def _check_avg_pool_dtype(d, dtype):
    """PyTorch's CPU average pooling takes floating types and int64, but no 16-bit floats in 3-d."""
    half = dtype.name in ("float16", "bfloat16")
    if dtype.name == "int64" or dtype.is_floating_point and not (d == 3 and half):
        return
    from .._tensor import _type_word
    raise NotImplementedError(f'"{_AVG_POOL_KERNELS[d]}" not implemented for \'{_type_word(dtype)}\'')


def _half_toward_zero(k):
    """``k / 2`` with C++ integer division (rounds toward zero), as PyTorch bounds the padding."""
    return abs(k) // 2 if k >= 0 else -(abs(k) // 2)


def _avg_output_length(size, kernel, stride, pad, ceil_mode):
    """One pooled dim's output length, after PyTorch's checks of its stride and padding."""
    if stride == 0:
        raise RuntimeError("stride should not be zero")
    if pad < 0:
        raise RuntimeError(f"pad must be non-negative, but got pad: {pad}")
    if pad > _half_toward_zero(kernel):
        raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={pad}, "
                           f"kernel_size={kernel} and dilation=1")
    return _pool_output(size, kernel, stride, pad, 1, ceil_mode)


def _sizes_text(sizes):
    return "x".join(str(n) for n in sizes)


def _check_avg_pool2d_shape(shape, kernel, stride, out):
    """PyTorch's 2-d pooling shape checks; 1-d pooling runs them on the shape with a height of 1 inserted."""
    if not all(k > 0 for k in kernel):
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {kernel[0]} kW: {kernel[1]}")
    if not all(s > 0 for s in stride):
        raise RuntimeError(f"stride should be greater than zero, but got dH: {stride[0]} dW: {stride[1]}")
    planes_present = shape[1] != 0 and shape[2] != 0
    if not (len(shape) == 3 and shape[0] != 0 and planes_present or
            len(shape) == 4 and planes_present and shape[3] != 0):
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but "
                           f"got:{list(shape)}")
    if not all(o >= 1 for o in out):
        raise RuntimeError(f"Given input size: ({_sizes_text(shape[-3:])}). Calculated output size: "
                           f"({_sizes_text((shape[-3],) + out)}). Output size is too small")


def _check_avg_pool3d_shape(shape, kernel, stride, out):
    """PyTorch's 3-d average pooling shape checks (non-empty planes, a kernel no larger than the input)."""
    if not all(k > 0 for k in kernel):
        raise RuntimeError(f"kernel size should be greater than zero, but got kT: {kernel[0]} kH: {kernel[1]} "
                           f"kW: {kernel[2]}")
    if not all(s > 0 for s in stride):
        raise RuntimeError(f"stride should be greater than zero, but got dT: {stride[0]} dH: {stride[1]} "
                           f"dW: {stride[2]}")
    for i, n in enumerate(shape):
        if n == 0 and not (len(shape) == 5 and i == 0):
            raise RuntimeError(f"avg_pool3d(): Expected input's non-batch dimensions to have positive length, but "
                               f"input has a shape of {list(shape)} and non-batch dimension {n} has length zero!")
    t, h, w = shape[-3:]
    if t < kernel[0] or h < kernel[1] or w < kernel[2]:
        raise RuntimeError(f"input image (T: {t} H: {h} W: {w}) smaller than kernel size (kT: {kernel[0]} "
                           f"kH: {kernel[1]} kW: {kernel[2]})")
    if not all(o >= 1 for o in out):
        raise RuntimeError(f"Given input size: ({_sizes_text(shape[-4:])}). Calculated output size: "
                           f"({_sizes_text((shape[-4],) + out)}). Output size is too small")


def _check_avg_pool_input(d, input, kernel, stride, pad, ceil_mode):
    """PyTorch's shape checks, in its order; the output's spatial size. 1-d is checked as 2-d (height 1)."""
    shape = tuple(input.shape)
    if d == 1:
        shape = shape[:-1] + (1,) + shape[-1:]
        kernel, stride, pad = (1,) + kernel, (1,) + stride, (0,) + pad
    if d == 2:
        input.size(-3)          # PyTorch reads the plane count first: its IndexError for too few dims
    spatial = shape[-len(kernel):]
    out = tuple(_avg_output_length(n, k, s, p, ceil_mode) for n, k, s, p in zip(spatial, kernel, stride, pad))
    if d == 3:
        _check_avg_pool3d_shape(shape, kernel, stride, out)
    else:
        _check_avg_pool2d_shape(shape, kernel, stride, out)
    return out[-d:]


def avg_pool(fn, d, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    """Average pooling over the last ``d`` dims of ``input`` (floating types and int64, as PyTorch on CPU)."""
    check_tensor(input, "input", fn)
    if d == 1 and input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor for argument #1 "
                           f"'self' (while checking arguments for avg_pool1d)")
    kernel = pool_tuple(kernel_size, d, "kernel_size", fn)
    stride = kernel if stride is None or (not isinstance(stride, int) and len(stride) == 0) else \
        pool_tuple(stride, d, "stride", fn)
    pad = pool_tuple(padding, d, "padding", fn)
    if d == 3 and input.ndim not in (4, 5):
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    out = _check_avg_pool_input(d, input, kernel, stride, pad, ceil_mode)
    _check_avg_pool_dtype(d, input.dtype)
    x, batched = _batched(input, d, fn)
    spatial = x.shape[2:]
    xp = array_module(x._data)
    if divisor_override is not None:
        divisor = xp.asarray(divisor_override, dtype=x._data.dtype)
    else:
        divisor = _avg_divisors(spatial, kernel, stride, pad, out, count_include_pad, xp, x._data.dtype)
    y = AvgPool.apply(x, kernel=kernel, stride=stride, pad=pad, out=out, divisor=divisor)
    return y if batched else y.squeeze(0)


# ----------------------------------------------------------------------------- adaptive pooling

def adaptive_bounds(size, out):
    """PyTorch's adaptive windows of one dim: start floor(i*size/out), end ceil((i+1)*size/out)."""
    starts = [(i * size) // out for i in range(out)]
    ends = [-(-((i + 1) * size) // out) for i in range(out)]
    return starts, ends


def _averaging_matrix(size, out, like):
    """The (out, size) matrix whose rows average each adaptive window."""
    matrix = np.zeros((out, size), dtype=like._data.dtype)
    for i, (start, end) in enumerate(zip(*adaptive_bounds(size, out))):
        matrix[i, start:end] = 1.0 / (end - start)
    return constant(matrix)


def _output_size(output_size, d, spatial, fn):
    if isinstance(output_size, (int, np.integer)) and not isinstance(output_size, bool):
        sizes = (int(output_size),) * d
    else:
        sizes = tuple(output_size)
        if len(sizes) != d:
            raise RuntimeError(f"{fn}: output_size must be {d}")
    return tuple(n if s is None else int(s) for s, n in zip(sizes, spatial))


def adaptive_avg_pool(fn, d, input, output_size):
    """Adaptive average pooling: one averaging matrix product per pooled dim."""
    check_tensor(input, "input", fn)
    if input.ndim not in (d + 1, d + 2):
        raise RuntimeError(f"{fn}(): Expected {d + 1}D or {d + 2}D tensor, but got {list(input.shape)}"
                           if d > 1 else f"{fn}(): Expected 2D or 3D tensor, but got {list(input.shape)}")
    spatial = input.shape[input.ndim - d:]
    out = _output_size(output_size, d, spatial, fn)
    if any(o < 0 for o in out):
        raise RuntimeError(f"{fn}: elements of output_size must be greater than or equal to 0 but received "
                           f"{list(out)}")
    if any(n == 0 for n in input.shape[input.ndim - d:]) or input.ndim == d + 2 and input.shape[1] == 0:
        raise RuntimeError(f"{fn}(): Expected input to have non-zero size for non-batch dimensions, but input has "
                           f"sizes {list(input.shape)} with dimension {input.ndim - d} being empty")
    if not input.dtype.is_floating_point:
        from .._tensor import _type_word
        kernel = {1: "adaptive_avg_pool2d", 2: "adaptive_avg_pool2d", 3: "adaptive_avg_pool3d_cpu"}[d]
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_type_word(input.dtype)}\'')
    y = input
    for dim in range(d):
        axis = input.ndim - d + dim
        if spatial[dim] == out[dim]:
            continue
        matrix = _averaging_matrix(spatial[dim], out[dim], input)
        y = (y.movedim(axis, -1) @ matrix.t()).movedim(-1, axis)
    return y if y is not input else input.clone()


def adaptive_max_pool(fn, d, input, output_size, return_indices):
    """Adaptive max pooling: each window's maximum and its flat index in the input plane."""
    check_tensor(input, "input", fn)
    if input.ndim not in (d + 1, d + 2):
        raise RuntimeError(f"{fn}(): Expected {d + 1}D or {d + 2}D tensor, but got {list(input.shape)}"
                           if d > 1 else f"{fn}(): Expected 2D or 3D tensor, but got {list(input.shape)}")
    x, batched = (input, True) if input.ndim == d + 2 else (input.unsqueeze(0), False)
    spatial = x.shape[2:]
    out = _output_size(output_size, d, spatial, fn)
    if any(n == 0 for n in spatial) or x.shape[1] == 0:
        raise RuntimeError(f"{fn}(): Expected input to have non-zero size for non-batch dimensions, but input has "
                           f"sizes {list(input.shape)} with dimension {input.ndim - d} being empty")
    values, indices = AdaptiveMax.apply(x, out=out)
    if not batched:
        values, indices = values.squeeze(0), indices.squeeze(0)
    return (values, indices) if return_indices else values


class AdaptiveMax(Primitive):
    """Adaptive max pooling: windows gathered by index arrays (padded by repeating their last index)."""

    @staticmethod
    def forward(ctx, x, *, out):
        xp = array_module(x)
        spatial = x.shape[2:]
        d = len(spatial)
        grids = []
        for n, o in zip(spatial, out):
            starts, ends = adaptive_bounds(n, o)
            width = max(e - s for s, e in zip(starts, ends)) if o else 1
            rows = np.array([[min(s + j, e - 1) for j in range(width)] for s, e in zip(starts, ends)],
                            dtype=np.int64).reshape(o, width)
            grids.append(rows)
        index = None
        for dim, rows in enumerate(grids):
            shape = [1] * (2 * d)
            shape[dim], shape[d + dim] = rows.shape
            part = rows.reshape(shape)
            index = part if index is None else index * spatial[dim] + part
        kk = math.prod(g.shape[1] for g in grids)
        index = xp.asarray(np.ascontiguousarray(np.broadcast_to(index, tuple(out) + tuple(
            g.shape[1] for g in grids))).reshape(tuple(out) + (kk,)))
        flat = x.reshape(x.shape[:2] + (-1,))
        picked = flat[:, :, index]                                   # (N, C, *out, kk)
        arg = picked.argmax(-1)
        values = xp.take_along_axis(picked, arg[..., None], -1)[..., 0]
        where = xp.take_along_axis(xp.broadcast_to(index, picked.shape), arg[..., None], -1)[..., 0]
        ctx.index, ctx.size = where, spatial
        return values, where

    @staticmethod
    def backward(ctx, grad, _):
        return IndexScatter.apply(grad, constant(ctx.index), size=ctx.size)


# ----------------------------------------------------------------------------- torch.* names

def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """The maximum over each window of the last dim of (N, C, L) or (C, L) input.

    >>> ember.max_pool1d(ember.tensor([[1.0, 3.0, 2.0, 0.0]]), 2).tolist()
    [[3.0, 2.0]]
    """
    return max_pool("max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode, False)


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """``max_pool1d`` and the index of each maximum in the input's last dim.

    >>> ember.max_pool1d_with_indices(ember.tensor([[1.0, 3.0, 2.0, 0.0]]), 2)[1].tolist()
    [[1, 2]]
    """
    return max_pool("max_pool1d_with_indices", 1, input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """The maximum over each (kh, kw) window of (N, C, H, W) or (C, H, W) input.

    >>> ember.max_pool2d(ember.arange(16.0).reshape(1, 4, 4), 2).tolist()
    [[[5.0, 7.0], [13.0, 15.0]]]
    """
    return max_pool("max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode, False)


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """The maximum over each (kd, kh, kw) window of (N, C, D, H, W) or (C, D, H, W) input.

    >>> ember.max_pool3d(ember.arange(8.0).reshape(1, 2, 2, 2), 2).tolist()
    [[[[7.0]]]]
    """
    return max_pool("max_pool3d", 3, input, kernel_size, stride, padding, dilation, ceil_mode, False)


def avg_pool1d(input, kernel_size, stride=(), padding=0, ceil_mode=False, count_include_pad=True):
    """The mean over each window of the last dim of (N, C, L) or (C, L) input.

    >>> ember.avg_pool1d(ember.tensor([[1.0, 3.0, 2.0, 0.0]]), 2).tolist()
    [[2.0, 1.0]]
    """
    return avg_pool("avg_pool1d", 1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def adaptive_avg_pool1d(input, output_size):
    """Average the last dim into ``output_size`` evenly spread windows.

    >>> ember.adaptive_avg_pool1d(ember.tensor([[1.0, 3.0, 2.0, 0.0]]), 2).tolist()
    [[2.0, 1.0]]
    """
    return adaptive_avg_pool("adaptive_avg_pool1d", 1, input, output_size)


def adaptive_max_pool1d(input, output_size):
    """The maximum of ``output_size`` evenly spread windows of the last dim, and its indices.

    >>> ember.adaptive_max_pool1d(ember.tensor([[1.0, 3.0, 2.0, 0.0]]), 2)[0].tolist()
    [[3.0, 2.0]]
    """
    return adaptive_max_pool("adaptive_max_pool1d", 1, input, output_size, True)
