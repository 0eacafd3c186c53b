"""Convolutions (torch.conv1d/2d/3d, conv_transpose1d/2d/3d) and im2col/col2im (unfold/fold).

One convolution is three bilinear maps of the same geometry, each the others' derivative:

    Convolution     (x, w)  -> y     y = W @ im2col(x)
    ConvInputGrad   (gy, w) -> gx    gx = col2im(W^T @ gy)       (also conv_transpose's forward)
    ConvWeightGrad  (x, gy) -> gw    gw = gy @ im2col(x)^T

Each is a Primitive whose backward calls the other two, so gradients of every order
are convolutions again. The im2col matrix is laid out ``(groups, C/groups * k, N * P)``
(channels and kernel offsets on the rows, batch and output positions on the columns),
so each map is a (batched-over-groups) matrix product. It is built a few images at a
time (``Columns``) in work buffers kept between calls: fresh memory costs more here than
the copies, and a chunk is still in cache when the product reads it. A stride-1 input
gradient is itself a convolution (of ``gy`` with the flipped kernel), so it takes the same path.
"""

import itertools
import math
import threading

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .._device import array_module
from ..autograd.function import Primitive
from ._util import check_tensor

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
           "convolution"]

TENSOR_METHODS = {}

# The columns and products of one chunk of images. Each chunk is one matrix product, and each product
# starts and joins BLAS's threads: on a busy machine a join waits for a descheduled thread, so few large
# products (a whole batch of a small network) beat many cache-sized ones.
CHUNK_BYTES = 32 << 20
SCRATCH_LIMIT = 64 << 20   # the largest work buffer kept between calls (fresh memory costs page faults)
JUNK_LIMIT = 1.2           # the most columns per output position a stride-1 convolution's flat layout may use
CHANNELS_LAST_MIN = 16     # the fewest input channels (one group) for which the channels-last columns are used
CHANNELS_LAST_COLUMNS = 4  # ... and the fewest columns per input number (kernel size / stride size)

_scratch = threading.local()


def scratch(name, size, dtype, xp):
    """A flat work buffer of ``size`` elements kept between calls (per thread), so it is not mapped afresh.

    Memory first touched costs far more than memory reused; a buffer never leaves the op using it.
    """
    itemsize = np.dtype(dtype).itemsize
    if size * itemsize > SCRATCH_LIMIT:          # (not kept: too big to hold on to)
        return xp.empty(size, dtype=dtype)
    buffers = _scratch.__dict__.setdefault("buffers", {})
    key = (name, np.dtype(dtype).str, xp.__name__)
    buffer = buffers.get(key)
    if buffer is None or buffer.size < size:
        buffer = buffers[key] = xp.empty(max(size, CHUNK_BYTES // itemsize), dtype=dtype)
    return buffer[:size]


# ----------------------------------------------------------------------------- geometry

class Geometry:
    """Kernel size, stride, padding (low, high per dim), dilation and groups of one convolution.

    ``crop`` fixes the output size where it is smaller than the windows that fit (a transposed
    convolution's output_padding adds input rows that no output position reads).
    """

    __slots__ = ("kernel", "stride", "pads", "dilation", "groups", "crop", "flat")

    def __init__(self, kernel, stride, pads, dilation, groups, crop=None):
        self.kernel, self.stride, self.pads = tuple(kernel), tuple(stride), tuple(pads)
        self.dilation, self.groups, self.crop = tuple(dilation), groups, crop
        self.flat = all(st == 1 for st in self.stride)

    def output_size(self, spatial):
        """The output positions per dim for an input of spatial size ``spatial``."""
        out = tuple((n + lo + hi - d * (k - 1) - 1) // s + 1
                    for n, (lo, hi), k, s, d in zip(spatial, self.pads, self.kernel, self.stride, self.dilation))
        return out if self.crop is None else tuple(min(o, c) for o, c in zip(out, self.crop))


def padded(x, pads, value=0):
    """``x`` with its trailing spatial dims padded by ``pads`` ((low, high) per dim); ``x`` itself when no padding."""
    if not any(lo or hi for lo, hi in pads):
        return x
    xp = array_module(x)
    spatial = x.shape[x.ndim - len(pads):]
    out = xp.full(x.shape[:x.ndim - len(pads)] + tuple(n + lo + hi for n, (lo, hi) in zip(spatial, pads)),
                  value, dtype=x.dtype)
    out[_inner(x.ndim, pads, spatial)] = x
    return out


def _inner(ndim, pads, spatial):
    """The index of the unpadded region inside a padded array."""
    lead = (slice(None),) * (ndim - len(pads))
    return lead + tuple(slice(lo, lo + n) for (lo, _), n in zip(pads, spatial))


def windows(xp_, geometry, out):
    """A strided view (N, C, *out, *kernel) of every window of the padded array ``xp_``."""
    d = len(geometry.kernel)
    strides = xp_.strides
    spatial = strides[2:]
    shape = xp_.shape[:2] + tuple(out) + geometry.kernel
    view_strides = strides[:2] + tuple(st * s for st, s in zip(spatial, geometry.stride)) + \
        tuple(st * dl for st, dl in zip(spatial, geometry.dilation))
    assert len(shape) == 2 + 2 * d
    return as_strided(xp_, shape, view_strides, writeable=False)


def strided_im2col(x, geometry, out, buffer):
    """Write the columns of ``x``, one per output position, into the flat ``buffer``.

    Strided convolutions use this layout (C, *kernel, N, *out); stride-1 ones use ``FlatPlan``,
    whose copies move long contiguous runs.
    """
    n, c = x.shape[:2]
    d = len(geometry.kernel)
    win = windows(padded(x, geometry.pads), geometry, out)
    cols = buffer.reshape((c,) + geometry.kernel + (n,) + tuple(out))
    cols[...] = win.transpose((1,) + tuple(range(2 + d, 2 + 2 * d)) + (0,) + tuple(range(2, 2 + d)))


def col2im(cols, n, c, spatial, out, geometry):
    """Sum the columns (groups, C/groups * prod(kernel), N * positions) back into an (N, C, *spatial) array."""
    if geometry.flat:
        return FlatPlan(spatial, out, geometry).col2im(cols, n, c)
    xp = array_module(cols)
    pads = geometry.pads
    full = tuple(s + lo + hi for s, (lo, hi) in zip(spatial, pads))
    dx = xp.zeros((n, c) + full, dtype=cols.dtype)
    view = cols.reshape((c,) + geometry.kernel + (n,) + tuple(out))
    d = len(spatial)
    swap = (1, 0) + tuple(range(2, 2 + d))
    for offsets in itertools.product(*(range(k) for k in geometry.kernel)):
        target = (slice(None), slice(None)) + tuple(
            slice(o * dl, o * dl + (m - 1) * s + 1, s) for o, dl, m, s in zip(offsets, geometry.dilation, out,
                                                                               geometry.stride))
        dx[target] += view[(slice(None),) + offsets].transpose(swap)
    if any(lo or hi for lo, hi in pads):
        dx = xp.ascontiguousarray(dx[_inner(dx.ndim, pads, spatial)])
    return dx


class FlatPlan:
    """The flat layout of a stride-1 convolution: each image's padded input as one row of numbers.

    Output positions are computed on the padded grid (first dim cropped to the output, inner
    dims at their padded width), so kernel offset ``k`` reads the row from ``offset(k)`` on as
    one contiguous run. Positions past the output's inner sizes are junk: they are dropped
    from results, and gradients enter them as zeros so they add nothing.
    """

    def __init__(self, spatial, out, geometry):
        self.geometry, self.spatial, self.out = geometry, tuple(spatial), tuple(out)
        self.full = tuple(s + lo + hi for s, (lo, hi) in zip(spatial, geometry.pads))
        pitch = [math.prod(self.full[i + 1:]) for i in range(len(self.full))]
        self.grid = (self.out[0],) + self.full[1:]
        self.length = math.prod(self.grid)
        self.offsets = [sum(k * dl * p for k, dl, p in zip(ks, geometry.dilation, pitch))
                        for ks in itertools.product(*(range(k) for k in geometry.kernel))]
        self.row = max(math.prod(self.full), self.length + max(self.offsets))

    def _crop(self, lead):
        return (slice(None),) * lead + tuple(slice(0, o) for o in self.out)

    def im2col(self, x, rows, buffer):
        """Write the columns (C, offsets, N, length) of ``x`` into the flat ``buffer``.

        ``rows`` (N, C, row) is scratch space whose padding is zero (and stays zero).
        """
        n, c = x.shape[:2]
        body = rows[:, :, :math.prod(self.full)].reshape((n, c) + self.full)
        body[_inner(body.ndim, self.geometry.pads, self.spatial)] = x
        cols = buffer.reshape(c, len(self.offsets), n, self.length)
        for i, offset in enumerate(self.offsets):
            cols[:, i] = rows[:, :, offset:offset + self.length].swapaxes(0, 1)

    def output(self, y, n, o):
        """The (O, N, *grid) product as an (N, O, *out) view: junk positions dropped."""
        return y.reshape((o, n) + self.grid)[self._crop(2)].swapaxes(0, 1)

    def gemm_layout(self, gy, groups):
        """``gy`` (N, O, *out) as the (groups, O/groups, N * positions) matrix, zero at the junk positions."""
        xp = array_module(gy)
        n, o = gy.shape[:2]
        m = xp.zeros((o, n) + self.grid, dtype=gy.dtype)
        m[self._crop(2)] = gy.swapaxes(0, 1)
        return m.reshape(groups, o // groups, n * self.length)

    def col2im(self, cols, n, c):
        xp = array_module(cols)
        rows = xp.zeros((c, n, self.row), dtype=cols.dtype)
        view = cols.reshape(c, len(self.offsets), n, self.length)
        for i, offset in enumerate(self.offsets):
            rows[:, :, offset:offset + self.length] += view[:, i]
        body = rows[:, :, :math.prod(self.full)].reshape((c, n) + self.full)
        return xp.ascontiguousarray(body[_inner(body.ndim, self.geometry.pads, self.spatial)].swapaxes(0, 1))


class ChannelsLastPlan:
    """Columns with the channels innermost: the row of output position ``p`` is its window as (offsets, channels).

    The input is first copied to a zero-padded channels-last array (one pass over the input);
    every window is then a strided view whose innermost run is a whole pixel's channels, so
    the columns copy moves runs of C numbers instead of the NCHW layouts' runs of one row
    (or, strided, of a few numbers). For one group with many channels this copy is several
    times cheaper than the others. The weight matrix's columns follow the same (offsets,
    channels) order.
    """

    def __init__(self, spatial, out, geometry):
        self.geometry, self.spatial, self.out = geometry, tuple(spatial), tuple(out)
        self.full = tuple(s + lo + hi for s, (lo, hi) in zip(spatial, geometry.pads))

    def _padded(self, x, xp):
        """``x`` (m, C, *spatial) as a zero-padded (m, *full, C) work array (only its border is zeroed afresh)."""
        m, c = x.shape[:2]
        body = scratch("channels_last", m * math.prod(self.full) * c, x.dtype, xp).reshape((m,) + self.full + (c,))
        d = len(self.full)
        for axis, ((lo, hi), n) in enumerate(zip(self.geometry.pads, self.spatial), start=1):
            lead = (slice(None),) * axis
            if lo:
                body[lead + (slice(0, lo),)] = 0
            if hi:
                body[lead + (slice(lo + n, None),)] = 0
        inner = _inner(d + 1, self.geometry.pads, self.spatial)
        body[inner + (slice(None),)] = xp.moveaxis(x, 1, -1)
        return body

    def im2col(self, x, buffer, xp):
        """Write the (m * positions, offsets * C) columns of ``x`` into the flat ``buffer``; returns them."""
        m, c = x.shape[:2]
        body = self._padded(x, xp)
        spatial_strides = body.strides[1:-1]
        geometry = self.geometry
        shape = (m,) + self.out + geometry.kernel + (c,)
        strides = (body.strides[0],) + tuple(st * s for st, s in zip(spatial_strides, geometry.stride)) + \
            tuple(st * dl for st, dl in zip(spatial_strides, geometry.dilation)) + (body.strides[-1],)
        cols = buffer.reshape(shape)
        cols[...] = as_strided(body, shape, strides, writeable=False)
        return buffer.reshape(m * math.prod(self.out), math.prod(geometry.kernel) * c)

    @staticmethod
    def weight_matrix(w):
        """The (1, O, offsets * C) matrix of an (O, C, *kernel) weight, in the columns' order."""
        return array_module(w).moveaxis(w, 1, -1).reshape(1, w.shape[0], -1)

    def weight_from_matrix(self, matrix, c):
        """The (O, C, *kernel) weight of an (O, offsets * C) matrix."""
        xp = array_module(matrix)
        grid = matrix.reshape((matrix.shape[0],) + self.geometry.kernel + (c,))
        return xp.ascontiguousarray(xp.moveaxis(grid, -1, 1))


def _gemm_layout(y, geometry, spatial):
    """An (N, O, *out) array as the (groups, O/groups, N * positions) matrix the products use."""
    if geometry.flat:
        return FlatPlan(spatial, y.shape[2:], geometry).gemm_layout(y, geometry.groups)
    xp = array_module(y)
    n, o = y.shape[:2]
    swapped = xp.ascontiguousarray(y.swapaxes(0, 1))
    return swapped.reshape(geometry.groups, o // geometry.groups, n * math.prod(y.shape[2:]))


class Columns:
    """The columns matrix of a batch, built a few images at a time in buffers reused from chunk to chunk.

    A whole batch's columns are many times the size of its input; in cache-sized chunks they are
    written into memory that is already mapped and still in cache when the product reads them.
    """

    def __init__(self, x_shape, out, geometry, out_channels, dtype, xp):
        n, c = x_shape[:2]
        self.geometry, self.out, self.c, self.xp, self.dtype = geometry, tuple(out), c, xp, dtype
        self.channels_last = self.plan = None
        if geometry.flat:
            self.plan = FlatPlan(x_shape[2:], out, geometry)
            if self.plan.length > JUNK_LIMIT * math.prod(out):
                self.plan = None    # (small images: the junk columns would cost more than the strided copy)
        if self.plan is None and _channels_last_pays(c, geometry):
            self.channels_last = ChannelsLastPlan(x_shape[2:], out, geometry)
        self.positions = self.plan.length if self.plan else math.prod(out)
        self.height = c * math.prod(geometry.kernel)
        per_image = (self.height + out_channels) * self.positions * np.dtype(dtype).itemsize
        self.step = max(1, min(n, CHUNK_BYTES // max(per_image, 1)))
        self.chunks = [(lo, min(n, lo + self.step)) for lo in range(0, n, self.step)]
        self._cols = scratch("columns", self.height * self.step * self.positions, dtype, xp)
        self._rows = self._products = self._gradients = None

    def fill(self, x):
        """The (groups, C/groups * k, m * positions) columns of the ``m`` images ``x``, in the reused buffer."""
        m = x.shape[0]
        cols = self._cols[:self.height * m * self.positions]
        if self.channels_last is not None:
            return self.channels_last.im2col(x, cols, self.xp).T[None]
        if self.plan is None:
            strided_im2col(x, self.geometry, self.out, cols)
        else:
            if self._rows is None:
                size = self.step * self.c * self.plan.row
                self._rows = scratch("rows", size, self.dtype, self.xp).reshape(self.step, self.c, self.plan.row)
                self._rows[...] = 0
            self.plan.im2col(x, self._rows[:m], cols)
        g = self.geometry.groups
        return cols.reshape(g, self.height // g, m * self.positions)

    def product(self, w_matrix, cols, m):
        """``w_matrix @ cols`` for ``m`` images as an (m, O, *out) view of a reused buffer."""
        g, rows = w_matrix.shape[:2]
        if self._products is None:
            self._products = scratch("products", g * rows * self.step * self.positions, self.dtype, self.xp)
        y = self._products[:g * rows * m * self.positions].reshape(g, rows, m * self.positions)
        self.xp.matmul(w_matrix, cols, out=y)
        if self.plan is not None:
            return self.plan.output(y, m, g * rows)
        return y.reshape((g * rows, m) + self.out).swapaxes(0, 1)

    def gradient_matrix(self, gy):
        """The output gradient ``gy`` (m, O, *out) as the (groups, O/groups, m * positions) matrix, zero at junk."""
        m, o = gy.shape[:2]
        size = o * m * self.positions
        if self._gradients is None or self._gradients.size != size:
            self._gradients = scratch("gradients", size, self.dtype, self.xp)
            self._gradients[...] = 0
        if self.plan is None:
            self._gradients.reshape((o, m) + self.out)[...] = gy.swapaxes(0, 1)
        else:
            self._gradients.reshape((o, m) + self.plan.grid)[self.plan._crop(2)] = gy.swapaxes(0, 1)
        g = self.geometry.groups
        return self._gradients.reshape(g, o // g, m * self.positions)

    def weight_matrix(self, w):
        """The (groups, O/groups, C/groups * k) matrix of the weight ``w``, its columns in the columns' order."""
        if self.channels_last is not None:
            return self.channels_last.weight_matrix(w)
        return _weight_matrix(w, self.geometry.groups)

    def weight_from_matrix(self, matrix, o):
        """The (O, C/groups, *kernel) weight of a (groups, O/groups, C/groups * k) matrix in the columns' order."""
        if self.channels_last is not None:
            return self.channels_last.weight_from_matrix(matrix[0], self.c)
        g = self.geometry.groups
        return self.xp.ascontiguousarray(matrix).reshape((o, self.c // g) + self.geometry.kernel)


def _channels_last_pays(channels, geometry):
    """Whether channels-last columns beat the strided NCHW copy: one group, many channels, many columns per input.

    They cost an extra pass over the input (its transposition), repaid only where the columns are
    several times the input's size (stride-1 kernels of 2x2 and up; a strided 3x3 has 9/4 of it).
    The flat layout, where it applies, beats both.
    """
    return (geometry.groups == 1 and channels >= CHANNELS_LAST_MIN
            and math.prod(geometry.kernel) >= CHANNELS_LAST_COLUMNS * math.prod(geometry.stride))


def _weight_matrix(w, groups):
    return w.reshape(groups, w.shape[0] // groups, math.prod(w.shape[1:]))


def convolve(x, w, b, geometry):
    """``conv(x, w) + b`` as an (N, O, *out) array, one columns chunk at a time."""
    xp = array_module(x)
    n, o = x.shape[0], w.shape[0]
    out = geometry.output_size(x.shape[2:])
    columns = Columns(x.shape, out, geometry, o, x.dtype, xp)
    w_matrix = columns.weight_matrix(w)
    result = xp.empty((n, o) + out, dtype=x.dtype)
    bias = None if b is None else b.reshape((o,) + (1,) * len(out))
    for lo, hi in columns.chunks:
        y = columns.product(w_matrix, columns.fill(x[lo:hi]), hi - lo)
        if bias is None:
            result[lo:hi] = y
        else:
            xp.add(y, bias, out=result[lo:hi])
    return result


def _flipped_geometry(geometry, spatial, out):
    """The stride-1 geometry whose convolution of the output gradient is the input gradient, or None.

    With stride 1, ``gx`` is ``gy`` (padded by reach - 1 - pad) correlated with the flipped,
    channel-transposed kernel; this needs the padding to be at most the kernel's reach. When ``gy`` is smaller
    than the kernel's span in every dimension (a transposed convolution from a 1x1 input, say), that convolution
    would read mostly padding, so None sends it to col2im.
    """
    if not geometry.flat:
        return None
    if all(o < dl * (k - 1) + 1 for o, k, dl in zip(out, geometry.kernel, geometry.dilation)):
        return None
    pads = []
    for (lo, _), n, o, k, dl in zip(geometry.pads, spatial, out, geometry.kernel, geometry.dilation):
        low = dl * (k - 1) - lo
        high = n - o + dl * (k - 1) - low
        if low < 0 or high < 0:
            return None
        pads.append((low, high))
    return Geometry(geometry.kernel, geometry.stride, pads, geometry.dilation, geometry.groups)


def _flipped_kernel(w, groups):
    """The (C, O/groups, *k) kernel that maps output gradients back to inputs: channels swapped per group, flipped."""
    xp = array_module(w)
    o, c_per = w.shape[:2]
    d = w.ndim - 2
    grouped = w.reshape((groups, o // groups, c_per) + w.shape[2:]).swapaxes(1, 2)
    flipped = grouped[(Ellipsis,) + (slice(None, None, -1),) * d]
    return xp.ascontiguousarray(flipped).reshape((groups * c_per, o // groups) + w.shape[2:])


# ----------------------------------------------------------------------------- the three maps

class Convolution(Primitive):
    """``y = conv(x, w) + b``; backward: input gradient by ConvInputGrad, weight gradient by ConvWeightGrad."""

    @staticmethod
    def forward(ctx, x, w, b, *, geometry):
        ctx.geometry, ctx.spatial = geometry, x.shape[2:]
        ctx.save_for_backward(x, w)
        return convolve(x, w, b, geometry)

    @staticmethod
    def backward(ctx, gy):
        x, w = ctx.saved_tensors
        geometry = ctx.geometry
        gx = gw = gb = None
        if ctx.needs_input_grad[0]:
            gx = ConvInputGrad.apply(gy, w, geometry=geometry, spatial=ctx.spatial)
        if ctx.needs_input_grad[1]:
            gw = ConvWeightGrad.apply(x, gy, geometry=geometry)
        if ctx.needs_input_grad[2]:
            gb = gy.sum([0] + list(range(2, gy.ndim)))
        return gx, gw, gb


class ConvInputGrad(Primitive):
    """``gx = col2im(W^T @ gy)``, the adjoint of conv in its input (conv_transpose's forward).

    Stride-1 geometries take it as a convolution of ``gy`` with the flipped kernel instead.
    """

    @staticmethod
    def forward(ctx, gy, w, *, geometry, spatial):
        ctx.geometry, ctx.spatial = geometry, spatial
        ctx.save_for_backward(gy, w)
        flipped = _flipped_geometry(geometry, spatial, gy.shape[2:])
        if flipped is not None:
            return convolve(gy, _flipped_kernel(w, geometry.groups), None, flipped)
        xp = array_module(gy)
        n = gy.shape[0]
        c = w.shape[1] * geometry.groups
        gy_matrix = _gemm_layout(gy, geometry, spatial)
        cols = xp.matmul(_weight_matrix(w, geometry.groups).swapaxes(1, 2), gy_matrix)
        return col2im(cols, n, c, spatial, gy.shape[2:], geometry)

    @staticmethod
    def backward(ctx, ggx):
        gy, w = ctx.saved_tensors
        geometry = ctx.geometry
        g_gy = g_w = None
        if ctx.needs_input_grad[0]:
            g_gy = Convolution.apply(ggx, w, None, geometry=geometry)
        if ctx.needs_input_grad[1]:
            g_w = ConvWeightGrad.apply(ggx, gy, geometry=geometry)
        return g_gy, g_w


class ConvWeightGrad(Primitive):
    """``gw = gy @ im2col(x)^T``, the adjoint of conv in its weight, summed over chunks of the batch."""

    @staticmethod
    def forward(ctx, x, gy, *, geometry):
        xp = array_module(x)
        o = gy.shape[1]
        g = geometry.groups
        columns = Columns(x.shape, gy.shape[2:], geometry, o, x.dtype, xp)
        gw_t = xp.zeros((g, columns.height // g, o // g), dtype=x.dtype)     # gw transposed: BLAS prefers it
        for lo, hi in columns.chunks:
            cols = columns.fill(x[lo:hi])
            gw_t += xp.matmul(cols, columns.gradient_matrix(gy[lo:hi]).swapaxes(1, 2))
        ctx.geometry, ctx.spatial = geometry, x.shape[2:]
        ctx.save_for_backward(x, gy)
        return columns.weight_from_matrix(gw_t.swapaxes(1, 2), o)

    @staticmethod
    def backward(ctx, ggw):
        x, gy = ctx.saved_tensors
        geometry = ctx.geometry
        g_x = g_gy = None
        if ctx.needs_input_grad[0]:
            g_x = ConvInputGrad.apply(gy, ggw, geometry=geometry, spatial=ctx.spatial)
        if ctx.needs_input_grad[1]:
            g_gy = Convolution.apply(x, ggw, None, geometry=geometry)
        return g_x, g_gy


# ----------------------------------------------------------------------------- argument checks

def _expand(value, d, name):
    """An int or a sequence of ``d`` ints as a tuple, with PyTorch's error for a wrong length."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),) * d
    values = tuple(int(v) for v in value)
    if len(values) == 1:
        return values * d
    if len(values) != d:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {d} values to match the "
                           f"convolution dimensions, but got {name}={list(values)}")
    return values


def _padding(padding, kernel, dilation, stride, d):
    """Padding as (low, high) pairs per dim: ints, or the strings 'valid' and 'same'."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * d
        if padding != "same":
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        pads = []
        for k, dl in zip(kernel, dilation):
            total = dl * (k - 1)
            pads.append((total // 2, total - total // 2))
        return tuple(pads)
    values = _expand(padding, d, "padding")
    if any(p < 0 for p in values):
        raise RuntimeError("negative padding is not supported")
    return tuple((p, p) for p in values)


def _check_dtypes(input, weight, bias):
    if input.dtype is not weight.dtype:
        raise RuntimeError(f"expected scalar type {_scalar_name(input)} but found {_scalar_name(weight)}"
                           if input.dtype.is_floating_point and weight.dtype.is_floating_point else
                           f"Input type ({_c_name(input)}) and weight type ({_c_name(weight)}) should be the same")
    if bias is not None and bias.dtype is not input.dtype:
        raise RuntimeError(f"Input type ({_c_name(input)}) and bias type ({_c_name(bias)}) should be the same")


def _scalar_name(t):
    from .._tensor import _type_word
    return _type_word(t.dtype)


def _c_name(t):
    from ._util import c_type_name
    return c_type_name(t.dtype)


def _shape_text(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _prepare(fn, d, input, weight, bias, stride, dilation, groups, transposed=False):
    """Shared checks of conv and conv_transpose; returns the batched input and (stride, dilation)."""
    check_tensor(input, "input", fn)
    check_tensor(weight, "weight", fn)
    if bias is not None:
        check_tensor(bias, "bias", fn)
    if input.ndim not in (d + 1, d + 2):
        raise RuntimeError(f"Expected {d + 1}D (unbatched) or {d + 2}D (batched) input to {fn}, but got input of "
                           f"size: {_shape_text(input.shape)}")
    wd = weight.ndim - 2
    stride = _expand(stride, max(wd, 1), "stride")
    dilation = _expand(dilation, max(wd, 1), "dilation")
    if weight.ndim != d + 2:
        raise RuntimeError("weight should have at least three dimensions" if weight.ndim < 3 else
                           f"Expected {d + 2}-dimensional weight for {d + 2}-dimensional input "
                           f"{_shape_text((1,) + tuple(input.shape) if input.ndim == d + 1 else input.shape)}, "
                           f"but got {weight.ndim}-dimensional weight of size {_shape_text(weight.shape)} instead")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(dl <= 0 for dl in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool):
        raise TypeError(f"{fn}(): argument 'groups' must be int, not {type(groups).__name__}")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    _check_dtypes(input, weight, bias)
    batched = input.ndim == d + 2
    x = input if batched else input.unsqueeze(0)
    channels = weight.shape[0] if transposed else weight.shape[1] * groups
    if not transposed and weight.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but "
                           f"got weight of size [{_shape_text(weight.shape)}] instead")
    if x.shape[1] != channels:
        which = "Given transposed=1, weight of size" if transposed else f"Given groups={groups}, weight of size"
        raise RuntimeError(f"{which} {_shape_text(weight.shape)}, expected input{_shape_text(x.shape)} to have "
                           f"{channels} channels, but got {x.shape[1]} channels instead")
    if transposed and weight.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but "
                           f"got weight of size [{_shape_text(weight.shape)}] instead")
    out_channels = weight.shape[1] * groups if transposed else weight.shape[0]
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != out_channels):
        raise RuntimeError(f"Given weight of size {_shape_text(weight.shape)}, expected bias to be 1-dimensional "
                           f"with {out_channels} elements, but got bias of size {_shape_text(bias.shape)} instead")
    return x, batched, stride, dilation


def _conv(fn, d, input, weight, bias, stride, padding, dilation, groups):
    x, batched, stride, dilation = _prepare(fn, d, input, weight, bias, stride, dilation, groups)
    kernel = tuple(weight.shape[2:])
    pads = _padding(padding, kernel, dilation, stride, d)
    geometry = Geometry(kernel, stride, pads, dilation, groups)
    padded_size = tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[2:], pads))
    reach = tuple(dl * (k - 1) + 1 for k, dl in zip(kernel, dilation))
    if any(r > p for r, p in zip(reach, padded_size)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded_size))}). "
                           f"Kernel size: ({' x '.join(map(str, reach))}). Kernel size can't be greater than "
                           "actual input size")
    y = Convolution.apply(x, weight, bias, geometry=geometry)
    return y if batched else y.squeeze(0)


def _conv_transpose(fn, d, input, weight, bias, stride, padding, output_padding, groups, dilation):
    x, batched, stride, dilation = _prepare(fn, d, input, weight, bias, stride, dilation, groups, transposed=True)
    kernel = tuple(weight.shape[2:])
    pad = _expand(padding, d, "padding")
    if any(p < 0 for p in pad):
        raise RuntimeError("negative padding is not supported")
    extra = _expand(output_padding, d, "output_padding")
    if any(e < 0 for e in extra):
        raise RuntimeError("negative output_padding is not supported")
    if any(e >= s and e >= dl for e, s, dl in zip(extra, stride, dilation)):
        names = ["depth", "height", "width"][3 - d:] if d > 1 else ["width"]
        parts = [f"output_padding_{n}: {e}" for n, e in zip(names, extra)] + \
            [f"stride_{n}: {s}" for n, s in zip(names, stride)] + \
            [f"dilation_{n}: {dl}" for n, dl in zip(names, dilation)]
        raise RuntimeError("output padding must be smaller than either stride or dilation, but got " +
                           " ".join(parts))
    spatial = tuple((n - 1) * s - 2 * p + dl * (k - 1) + e + 1
                    for n, s, p, dl, k, e in zip(x.shape[2:], stride, pad, dilation, kernel, extra))
    if any(s <= 0 for s in spatial):
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, x.shape[2:]))}). Calculated output "
                           f"size per channel: ({' x '.join(map(str, spatial))}). Output size is too small")
    geometry = Geometry(kernel, stride, tuple((p, p) for p in pad), dilation, groups, crop=tuple(x.shape[2:]))
    y = ConvInputGrad.apply(x, weight, geometry=geometry, spatial=spatial)
    if bias is not None:
        y = y + bias.reshape((-1,) + (1,) * d)
    return y if batched else y.squeeze(0)


# ----------------------------------------------------------------------------- public functions

def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d convolution (cross-correlation) of (N, C, L) or (C, L) input with (O, C/groups, k) weight.

    >>> ember.conv1d(ember.ones(1, 1, 5), ember.ones(1, 1, 3)).tolist()
    [[[3.0, 3.0, 3.0]]]
    """
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d convolution (cross-correlation) of (N, C, H, W) or (C, H, W) input; padding may be 'valid' or 'same'.

    >>> ember.conv2d(ember.ones(1, 1, 3, 3), ember.ones(1, 1, 2, 2)).tolist()
    [[[[4.0, 4.0], [4.0, 4.0]]]]
    """
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-d convolution (cross-correlation) of (N, C, D, H, W) or (C, D, H, W) input.

    >>> ember.conv3d(ember.ones(1, 1, 2, 2, 2), ember.ones(1, 1, 2, 2, 2)).tolist()
    [[[[[8.0]]]]]
    """
    return _conv("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Transposed 1-d convolution (the gradient of conv1d in its input); weight is (C, O/groups, k).

    >>> ember.conv_transpose1d(ember.ones(1, 1, 2), ember.ones(1, 1, 2)).tolist()
    [[[1.0, 2.0, 1.0]]]
    """
    return _conv_transpose("conv_transpose1d", 1, input, weight, bias, stride, padding, output_padding, groups,
                           dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Transposed 2-d convolution ("deconvolution"), upsampling with a learned kernel; weight is (C, O/groups, kh, kw).

    >>> ember.conv_transpose2d(ember.ones(1, 1, 1, 1), ember.ones(1, 1, 2, 2), stride=2).shape
    ember.Size([1, 1, 2, 2])
    """
    return _conv_transpose("conv_transpose2d", 2, input, weight, bias, stride, padding, output_padding, groups,
                           dilation)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Transposed 3-d convolution; weight is (C, O/groups, kd, kh, kw).

    >>> ember.conv_transpose3d(ember.ones(1, 1, 1, 1, 1), ember.ones(1, 1, 2, 2, 2)).shape
    ember.Size([1, 1, 2, 2, 2])
    """
    return _conv_transpose("conv_transpose3d", 3, input, weight, bias, stride, padding, output_padding, groups,
                           dilation)


def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
    """The general convolution behind conv*d and conv_transpose*d (``torch.convolution``).

    >>> ember.convolution(ember.ones(1, 1, 3), ember.ones(1, 1, 2), None, [1], [0], [1], False, [0], 1).tolist()
    [[[2.0, 2.0]]]
    """
    check_tensor(weight, "weight", "convolution")
    d = weight.ndim - 2
    if d not in (1, 2, 3):
        raise RuntimeError(f"convolution: expected a 3-, 4- or 5-dimensional weight, got {weight.ndim} dimensions")
    name = f"conv_transpose{d}d" if transposed else f"conv{d}d"
    if transposed:
        return _conv_transpose(name, d, input, weight, bias, stride, padding, output_padding, groups, dilation)
    return _conv(name, d, input, weight, bias, stride, padding, dilation, groups)

