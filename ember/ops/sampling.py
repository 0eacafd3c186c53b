"""Resampling: ``interpolate`` (every mode of ``F.interpolate``), ``grid_sample`` and ``affine_grid``.

Every separable interpolation (linear, bilinear, bicubic, trilinear and the anti-aliased ones) is
linear in the input and acts on one spatial axis at a time, so it is a small (out, in) matrix per
axis, applied with ``matmul`` (BLAS); the backward applies the transposed matrices
(``AxisMatrices`` is its own adjoint). The matrices are built with PyTorch's source-index
arithmetic (``UpSample.h``), in the input's precision, so the sampled positions agree with
PyTorch's to the last bit. Nearest modes gather along each axis; their backward adds the
gradient of equal source indices together (``AxisScatter``). ``area`` is adaptive average
pooling, as in PyTorch. uint8 bilinear/bicubic follow PyTorch's fixed-point kernels (int16
weights, a rounded uint8 result after each axis).

``grid_sample`` is written from differentiable pieces: the sampling coordinates (a piecewise
linear function of the grid, ``GridCoordinate``), the interpolation weights (Tensor arithmetic
on them) and a gather of the corner values (``TapGather``, whose backward is a scatter-add);
autograd then gives the gradients to the input and to the grid, of every order.
"""

import math
import warnings

import numpy as np

from .._device import array_module
from .._tensor import Tensor, _type_word
from ..autograd.function import Primitive
from ._util import bool_arg, check_tensor, int_arg

__all__ = ["grid_sampler", "grid_sampler_2d", "grid_sampler_3d", "affine_grid_generator"]

TENSOR_METHODS = {}

_SPATIAL_NAMES = {1: ("W",), 2: ("H", "W"), 3: ("D", "H", "W")}


# ============================================================================= index arithmetic (UpSample.h)

def _opmath(dtype):
    """The NumPy type PyTorch does index arithmetic in for an input of ``dtype`` (float for float32/half)."""
    return np.float64 if dtype == np.float64 else np.float32


def _axis_scale(in_size, out_size, align_corners, scale, ft):
    """PyTorch's ``area_pixel_compute_scale``: source step per output step."""
    if align_corners:
        return ft(in_size - 1) / ft(out_size - 1) if out_size > 1 else ft(0)
    if scale is not None and scale > 0:
        return ft(1.0 / scale)
    return ft(in_size) / ft(out_size)


def _source_positions(step, out_size, align_corners, cubic, ft):
    """PyTorch's ``area_pixel_compute_source_index`` for every output index."""
    dst = np.arange(out_size).astype(ft)
    if align_corners:
        return step * dst
    src = step * (dst + ft(0.5)) - ft(0.5)
    return src if cubic else np.maximum(src, ft(0))


def _floor_and_fraction(src, in_size):
    """PyTorch's ``guard_index_and_lambda``: the left index (at most in-1) and the fraction, clipped to [0, 1]."""
    index = np.minimum(np.floor(src).astype(np.int64), in_size - 1)
    fraction = np.clip(src - index.astype(src.dtype), 0, 1)
    return index, fraction


def _nearest_indices(in_size, out_size, scale, exact, shortcuts=False):
    """Source index of each output for ``nearest`` (PyTorch's ``nearest_idx``) or ``nearest-exact``.

    PyTorch computes these in float32 whatever the input dtype; so does this. With ``shortcuts``
    (its ``nearest`` backward kernels), an unchanged size copies and a doubled one halves the index.
    """
    if shortcuts and out_size == in_size:
        return np.arange(out_size)
    if shortcuts and out_size == 2 * in_size:
        return np.arange(out_size) >> 1
    step = np.float32(1.0 / scale) if scale is not None and scale > 0 else np.float32(in_size) / np.float32(out_size)
    dst = np.arange(out_size)
    if exact:
        src = ((dst + 0.5) * np.float64(step)).astype(np.float32)
    else:
        src = dst.astype(np.float32) * step
    return np.minimum(np.floor(src).astype(np.int64), in_size - 1)


def _dense(rows, cols, weights, out_size, in_size):
    """An (out, in) matrix with ``weights`` added at (rows, cols)."""
    matrix = np.zeros((out_size, in_size), dtype=np.float64)
    np.add.at(matrix, (rows.ravel(), cols.ravel()), weights.ravel())
    return matrix


def _linear_matrix(in_size, out_size, align_corners, scale, ft):
    """Linear interpolation along one axis (PyTorch's ``compute_source_index_and_lambda``)."""
    if in_size == out_size:
        return np.eye(in_size)
    step = _axis_scale(in_size, out_size, align_corners, scale, ft)
    index, frac = _floor_and_fraction(_source_positions(step, out_size, align_corners, False, ft), in_size)
    right = np.where(index < in_size - 1, index + 1, index)
    rows = np.arange(out_size)[:, None].repeat(2, 1)
    weights = np.stack([ft(1) - frac, frac], 1).astype(np.float64)
    return _dense(rows, np.stack([index, right], 1), weights, out_size, in_size)


def _cubic_coefficients(t, a):
    """The four cubic-convolution weights of fraction ``t`` (Keys' kernel with parameter ``a``)."""
    def near(x):
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _cubic_matrix(in_size, out_size, align_corners, scale, ft):
    """Bicubic interpolation along one axis: four taps, indices clamped to the edges, a = -0.75."""
    step = _axis_scale(in_size, out_size, align_corners, scale, ft)
    index, frac = _floor_and_fraction(_source_positions(step, out_size, align_corners, True, ft), in_size)
    taps = np.clip(index[:, None] + np.arange(-1, 3), 0, in_size - 1)
    weights = np.stack(_cubic_coefficients(frac, ft(-0.75)), 1).astype(np.float64)
    rows = np.arange(out_size)[:, None].repeat(4, 1)
    return _dense(rows, taps, weights, out_size, in_size)


def _triangle(x):
    x = np.abs(x)
    return np.where(x < 1, 1 - x, 0).astype(x.dtype)


def _keys(x, a):
    """Keys' cubic convolution kernel with parameter ``a``."""
    x = np.abs(x)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = (((x - 5) * x + 8) * x - 4) * a
    return np.where(x < 1, near, np.where(x < 2, far, 0)).astype(x.dtype)


def _lanczos3(x):
    """Lanczos-3 windowed sinc (PIL's LANCZOS filter)."""
    x = np.abs(x)
    return np.where(x < 3, np.sinc(x) * np.sinc(x / 3), 0).astype(x.dtype)


def _keys_half(x):
    """Keys' cubic with a = -0.5: PIL's and PyTorch's anti-aliased bicubic filter."""
    return _keys(x, -0.5)


def _keys_three_quarters(x):
    """Keys' cubic with a = -0.75: PyTorch's bicubic without anti-aliasing (as OpenCV)."""
    return _keys(x, -0.75)


# name -> (filter, taps without anti-aliasing)
_AA_FILTERS = {"bilinear": (_triangle, 2), "bicubic": (_keys_half, 4), "lanczos": (_lanczos3, 6)}


def _filter_weights(in_size, out_size, align_corners, scale, mode, antialias, ft):
    """PyTorch's ``_compute_weights_aa`` for every output: first index and normalised weights (out, taps).

    With ``antialias`` and downscaling the filter is stretched by the scale (PIL's resampling);
    otherwise it is the plain interpolation kernel. The uint8 kernels use this with float64 and,
    for ``align_corners`` without anti-aliasing, a half-pixel shift.
    """
    filter_fn, interp_size = _AA_FILTERS[mode]
    if mode == "bicubic" and not antialias:
        filter_fn = _keys_three_quarters
    step = _axis_scale(in_size, out_size, align_corners, scale, ft)
    delta = 0.5 if align_corners and not antialias else 0.0
    if antialias:
        support = ft(interp_size * 0.5) * step if step >= 1 else ft(interp_size * 0.5)
        max_taps = int(math.ceil(support)) * 2 + 1
    else:
        support = ft(interp_size * 0.5)
        max_taps = interp_size
    invscale = ft(1.0 / float(step)) if step >= 1 and antialias else ft(1)
    center = (np.float64(step) * (np.arange(out_size) + 0.5 - delta)).astype(ft)
    first = np.maximum((center - np.float64(support) + 0.5 + delta).astype(np.int64), 0)
    last = np.minimum((center + np.float64(support) + 0.5 + delta).astype(np.int64), in_size)
    count = np.clip(last - first, 0, max_taps)
    j = np.arange(max_taps)
    offsets = (j + first[:, None] - center[:, None].astype(np.float64) + 0.5 - delta) * np.float64(invscale)
    weights = np.where(j < count[:, None], filter_fn(offsets.astype(ft)), ft(0))
    total = weights.sum(1, dtype=ft, keepdims=True)
    weights = np.where(total != 0, weights / np.where(total != 0, total, ft(1)), weights)
    return first, np.where(j < count[:, None], weights, 0)


def _filter_matrix(in_size, out_size, align_corners, scale, mode, antialias, ft):
    """The (out, in) matrix of ``_filter_weights`` (the uint8 kernels' weights before rounding)."""
    first, weights = _filter_weights(in_size, out_size, align_corners, scale, mode, antialias, ft)
    cols = np.minimum(first[:, None] + np.arange(weights.shape[1]), in_size - 1)
    rows = np.arange(out_size)[:, None].repeat(weights.shape[1], 1)
    return _dense(rows, cols, weights.astype(np.float64), out_size, in_size)


# ============================================================================= primitives

def _apply_matrix(x, axis, matrix):
    """``matrix`` (out, in) applied along ``axis`` of ``x``: BLAS, or tap by tap when the matrix is a narrow band."""
    lead = math.prod(x.shape[:axis])
    trail = math.prod(x.shape[axis + 1:])
    out_shape = x.shape[:axis] + (matrix.shape[0],) + x.shape[axis + 1:]
    if x.size == 0 or matrix.size == 0:
        return array_module(x).zeros(out_shape, dtype=x.dtype)
    width = int((matrix != 0).sum(1).max())
    if 16 * width < matrix.shape[1]:
        return _apply_band(x, axis, matrix, out_shape)
    if trail == 1:
        return (x.reshape(lead, x.shape[axis]) @ matrix.T).reshape(out_shape)
    return (matrix @ x.reshape(lead, x.shape[axis], trail)).reshape(out_shape)


def _apply_band(x, axis, matrix, out_shape):
    """``matrix`` along ``axis`` as a sum over its few taps per output: a gather and a multiply-add each."""
    shape = [1] * x.ndim
    shape[axis] = matrix.shape[0]
    out = array_module(x).zeros(out_shape, dtype=x.dtype)
    for columns, taps in _bands(matrix):
        out += x.take(columns, axis=axis) * taps.astype(x.dtype).reshape(shape)
    return out


def _bands(matrix):
    """The nonzero entries of each row of ``matrix`` as (column per row, weight per row) pairs, tap by tap."""
    nonzero = matrix != 0
    count = nonzero.sum(1)
    order = np.argsort(~nonzero, axis=1, kind="stable")          # each row's nonzero columns first
    for k in range(int(count.max()) if count.size else 0):
        columns = order[:, k]
        yield columns, np.where(k < count, matrix[np.arange(len(matrix)), columns], 0)


class AxisMatrices(Primitive):
    """Apply one (out, in) matrix per listed axis; the backward applies the transposes in reverse order.

    ``adjoint``, when given, lists the matrices whose transposes the backward applies instead:
    PyTorch's anti-aliased and bicubic backward kernels treat an axis whose size does not change
    differently from their forward kernels, and ember follows them.
    """

    @staticmethod
    def forward(ctx, x, *, matrices, adjoint=None):
        ctx.matrices = matrices if adjoint is None else adjoint
        compute = x if x.dtype.kind == "f" and x.dtype.itemsize >= 4 else x.astype(np.float32)
        for axis, matrix in matrices:
            compute = _apply_matrix(compute, axis, matrix.astype(compute.dtype, copy=False))
        return compute.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        return AxisMatrices.apply(grad, matrices=tuple((axis, m.T) for axis, m in reversed(ctx.matrices)))


class AxisGather(Primitive):
    """Read ``x`` at an index array along each listed axis (nearest interpolation).

    ``adjoint``, when given, holds the indices the backward scatters to (PyTorch's ``nearest``
    backward kernels index some sizes differently from its forward kernels).
    """

    @staticmethod
    def forward(ctx, x, *, indices, adjoint=None):
        ctx.indices = indices if adjoint is None else adjoint
        ctx.sizes = tuple(x.shape[axis] for axis, _ in indices)
        for axis, index in indices:
            x = x.take(index, axis=axis)
        return x

    @staticmethod
    def backward(ctx, grad):
        return AxisScatter.apply(grad, indices=ctx.indices, sizes=ctx.sizes)


class AxisScatter(Primitive):
    """The adjoint of ``AxisGather``: values read from one source index are added back to it.

    The nearest indices never decrease, so equal ones are runs: ``add.reduceat`` sums each run
    and the sums land on their (distinct) source indices.
    """

    @staticmethod
    def forward(ctx, grad, *, indices, sizes):
        ctx.indices = indices
        xp = array_module(grad)
        for (axis, index), size in zip(reversed(indices), reversed(sizes)):
            starts = np.flatnonzero(np.r_[True, index[1:] != index[:-1]])
            shape = list(grad.shape)
            shape[axis] = size
            out = xp.zeros(shape, dtype=grad.dtype)
            if grad.size:
                where = [slice(None)] * grad.ndim
                where[axis] = index[starts]
                out[tuple(where)] = xp.add.reduceat(grad, starts, axis=axis)
            grad = out
        return grad

    @staticmethod
    def backward(ctx, grad):
        return AxisGather.apply(grad, indices=ctx.indices)


# ============================================================================= uint8 fixed-point kernels

def _int16_matrix(matrix):
    """PyTorch's int16 rescaling of float64 weights: the integer weight matrix and its precision (bits)."""
    top = matrix.max() if matrix.size else 0.0
    precision = 0
    while precision < 22 and int(0.5 + top * (1 << (precision + 1))) < (1 << 15):
        precision += 1
    scaled = matrix * (1 << precision)
    return np.where(scaled < 0, np.trunc(scaled - 0.5), np.trunc(scaled + 0.5)), precision


def _uint8_pass(x, axis, in_size, out_size, align_corners, scale, mode, antialias):
    """One axis of PyTorch's uint8 resize: int16 weights, int32 sums, rounding shift, saturation.

    Without anti-aliasing, bicubic uses the clamped-edge a = -0.75 kernel of the float path. The
    sums run over the few nonzero taps of each output (a gather per tap), not a dense product.
    """
    if mode == "bicubic" and not antialias:
        weights = _cubic_matrix(in_size, out_size, align_corners, scale, np.float64)
    else:
        weights = _filter_matrix(in_size, out_size, align_corners, scale, mode, antialias, np.float64)
    matrix, precision = _int16_matrix(weights)
    shape = [1] * x.ndim
    shape[axis] = out_size
    sums = np.full(x.shape[:axis] + (out_size,) + x.shape[axis + 1:], 1 << (precision - 1), dtype=np.int32)
    for columns, taps in _bands(matrix):
        sums += x.take(columns, axis=axis).astype(np.int32) * taps.astype(np.int32).reshape(shape)
    return np.clip(sums >> precision, 0, 255).astype(np.uint8)


def _resize_uint8(x, out_sizes, align_corners, scales, mode, antialias):
    """Bilinear/bicubic resize of a uint8 (N, C, H, W) array the way PyTorch's CPU kernels do it: width first."""
    for axis in (3, 2):
        in_size, out_size = x.shape[axis], out_sizes[axis - 2]
        if in_size != out_size:
            x = _uint8_pass(x, axis, in_size, out_size, align_corners, scales[axis - 2], mode, antialias)
    return x.copy() if x.base is not None else x


# ============================================================================= interpolate

_MODE_DIMS = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3, "lanczos": 2}
_ALL_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"


def _is_integer(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) or \
        isinstance(value, Tensor) and value.ndim == 0 and not value.dtype.is_floating_point


def _check_mode_and_rank(input, mode, dim):
    """PyTorch's NotImplementedError for a mode that does not fit the input's rank."""
    needed = _MODE_DIMS.get(mode)
    names = {1: "3D", 2: "4D", 3: "5D"}
    if mode in ("nearest", "nearest-exact", "area") and 1 <= dim <= 3:
        return
    if needed is not None and needed == dim:
        return
    if needed is not None and mode in ("linear", "bilinear", "trilinear") and 1 <= dim <= 3:
        raise NotImplementedError(f"Got {names[dim]} input, but {mode} mode needs {names[needed]} input")
    raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for the "
                              f"modes: {_ALL_MODES} (got {mode})")


def _output_size_and_scales(input, size, scale_factor, recompute_scale_factor, mode, dim):
    """The output spatial size and the scales PyTorch's kernels receive (None where the size decides)."""
    spatial = list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got input with spatial "
                    f"dimensions of {spatial} and output size of {size}. Please provide input tensor in (N, C, d1, "
                    "d2, ...,dK) format and output size in (o1, o2, ...,oK) format.")
            if not all(_is_integer(s) for s in size):
                raise TypeError("expected size to be one of int or Tuple[int] or Tuple[int, int] or Tuple[int, int, "
                                f"int], but got size with types {[type(s) for s in size]}")
            out = [int(s) for s in size]
        else:
            if not _is_integer(size):
                raise TypeError(f"interpolate(): argument 'size' must be tuple of ints, but found element of type "
                                f"{type(size).__name__} at pos 0")
            out = [int(size)] * dim
        if recompute_scale_factor:
            raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
        return out, [None] * dim
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if isinstance(scale_factor, (list, tuple)):
        if len(scale_factor) != dim:
            raise ValueError(
                "Input and scale_factor must have the same number of spatial dimensions, but got input with "
                f"spatial dimensions of {spatial} and scale_factor of shape {scale_factor}. Please provide input "
                "tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.")
        factors = list(scale_factor)
    else:
        factors = [scale_factor] * dim
    for f in factors:
        if isinstance(f, bool) or not isinstance(f, (int, float, np.integer, np.floating)):
            raise TypeError(f"interpolate(): argument 'scale_factors' must be tuple of floats, but found element of "
                            f"type {type(f).__name__}")
    factors = [float(f) for f in factors]
    out = [int(n * f) for n, f in zip(spatial, factors)]
    if recompute_scale_factor or mode == "area":
        return out, [None] * dim
    return out, factors


def _check_sizes(input, out, dim):
    """PyTorch's checks on the input and output spatial sizes and on empty non-batch dimensions."""
    spatial = input.shape[2:]
    if any(n <= 0 for n in spatial) or any(o <= 0 for o in out):
        names = _SPATIAL_NAMES[dim]
        given = ", ".join(f"{k}: {v}" for k, v in zip(names, spatial))
        wanted = ", ".join(f"{k}: {v}" for k, v in zip(names, out))
        joint = " and output" if dim == 1 else " output"
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({given}){joint} "
                           f"({wanted})")
    if input.numel() == 0 and math.prod(input.shape[1:]) == 0:
        raise RuntimeError(f"Non-empty {input.ndim}D data tensor expected but got a tensor with sizes "
                           f"{list(input.shape)}")


def _kernel_name(mode, dim, antialias):
    """The PyTorch kernel named in its 'not implemented for' message for ``mode`` on ``dim`` spatial dims."""
    if antialias:
        return "compute_index_ranges_weights"
    if mode in ("nearest", "nearest-exact"):
        return "upsample_nearest2d_channels_last" if dim == 2 else "compute_indices_weights_nearest"
    if mode == "bilinear":
        return "upsample_bilinear2d_channels_last"
    if mode == "bicubic":
        return "compute_indices_weights_cubic"
    return "compute_indices_weights_linear"


def _check_dtype(input, mode, dim, antialias):
    """PyTorch's NotImplementedError for dtypes the chosen kernel lacks."""
    name = input.dtype.name
    if name in ("float32", "float64"):
        return
    allowed = {"float16", "bfloat16"}
    if mode in ("nearest", "nearest-exact", "bilinear", "bicubic"):
        allowed.add("uint8")
    if antialias:
        allowed = {"uint8"}
    if name not in allowed:
        raise NotImplementedError(f'"{_kernel_name(mode, dim, antialias)}" not implemented for '
                                  f"'{_type_word(input.dtype)}'")


def _separable_matrices(input, out, scales, mode, align_corners, antialias):
    """The (axis, matrix) pairs of the forward and those of the backward (None: the transposes of the forward's).

    PyTorch's anti-aliased forward skips an axis whose size does not change while its backward
    still applies that axis' scale; its bicubic backward copies the gradient when no size changes.
    """
    ft = _opmath(input._data.dtype)
    forward, backward = [], []
    for k, (n, o, s) in enumerate(zip(input.shape[2:], out, scales)):
        if antialias or mode == "lanczos":
            matrix = _filter_matrix(n, o, align_corners, s, mode, True, ft)
        elif mode == "bicubic":
            matrix = _cubic_matrix(n, o, align_corners, s, ft)
        else:
            matrix = _linear_matrix(n, o, align_corners, s, ft)
        identity = n == o and np.array_equal(matrix, np.eye(n))
        if not identity:
            backward.append((2 + k, matrix))
        if not identity and not (n == o and (antialias or mode == "lanczos")):
            forward.append((2 + k, matrix))
    if mode == "bicubic" and not antialias and list(input.shape[2:]) == list(out):
        backward = []
    adjoint = None if backward == forward else tuple(backward) or ((2, np.eye(input.shape[2])),)
    return sorted(forward, key=lambda item: item[1].shape[0] / item[1].shape[1]), adjoint


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize a batch of 1-3D signals to ``size`` or by ``scale_factor`` (PyTorch's ``F.interpolate``).

    >>> interpolate(ember.arange(4.0).reshape(1, 1, 4), scale_factor=2, mode="linear").shape
    ember.Size([1, 1, 8])
    """
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: linear | bilinear "
                             "| bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    if not isinstance(input, Tensor):
        raise AttributeError(f"'{type(input).__name__}' object has no attribute 'dim'")
    dim = input.ndim - 2
    out, scales = _output_size_and_scales(input, size, scale_factor, recompute_scale_factor, mode, dim)
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.ndim == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires a 4-D "
                         "tensor as input")
    _check_mode_and_rank(input, mode, dim)
    if mode == "lanczos":
        if align_corners:
            raise ValueError("Lanczos mode does not support align_corners=True")
        if not antialias:
            raise ValueError("Lanczos mode requires antialias=True")
    if mode == "area":
        return _area(input, out, dim)
    _check_sizes(input, out, dim)
    _check_dtype(input, mode, dim, antialias)
    if mode in ("nearest", "nearest-exact"):
        return _nearest(input, out, scales, mode == "nearest-exact")
    if input.dtype.name == "uint8":
        return Tensor._make(_resize_uint8(input._data, out, align_corners, scales, mode, antialias))
    matrices, adjoint = _separable_matrices(input, out, scales, mode, align_corners, antialias)
    if not matrices:
        matrices = [(2, np.eye(input.shape[2]))]
    return AxisMatrices.apply(input, matrices=tuple(matrices), adjoint=adjoint)


def _area(input, out, dim):
    """``area`` is adaptive average pooling to the output size (PyTorch calls ``adaptive_avg_pool{d}d``)."""
    from .pooling import adaptive_avg_pool
    return adaptive_avg_pool(f"adaptive_avg_pool{dim}d", dim, input, out)


def _nearest(input, out, scales, exact):
    """Nearest-neighbour resize: one index array per axis, forward and backward as PyTorch's kernels index."""
    spatial = list(input.shape[2:])
    shortcuts = not exact and len(spatial) == 2         # only PyTorch's 2D forward kernel takes them
    forward, backward = [], []
    for k, (n, o, s) in enumerate(zip(spatial, out, scales)):
        forward.append((2 + k, _nearest_indices(n, o, s, exact, shortcuts=shortcuts)))
        backward.append((2 + k, _nearest_indices(n, o, s, exact, shortcuts=not exact)))
    same = all(np.array_equal(a[1], b[1]) for a, b in zip(forward, backward))
    return AxisGather.apply(input, indices=tuple(forward), adjoint=None if same else tuple(backward))


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated name of ``interpolate`` (warns, as PyTorch does).

    >>> upsample(ember.ones(1, 1, 2), size=4).shape
    ember.Size([1, 1, 4])
    """
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(..., mode='nearest')``.

    >>> upsample_nearest(ember.ones(1, 1, 2, 2), scale_factor=2).shape
    ember.Size([1, 1, 4, 4])
    """
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(..., mode='bilinear', align_corners=True)``.

    >>> upsample_bilinear(ember.ones(1, 1, 2, 2), scale_factor=2).shape
    ember.Size([1, 1, 4, 4])
    """
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ============================================================================= grid_sample pieces

class GridCoordinate(Primitive):
    """A coordinate computed from the grid by a piecewise linear map: the value, and the slope for backward."""

    @staticmethod
    def forward(ctx, g, *, value, slope):
        ctx.slope = slope
        return value

    @staticmethod
    def backward(ctx, grad):
        return grad * Tensor._make(ctx.slope)


class TapGather(Primitive):
    """Rows ``rows`` of the channels-last input (N*S, C): (N, *taps_shape, C) values of the sampled taps."""

    @staticmethod
    def forward(ctx, x, *, rows, shape):
        ctx.rows, ctx.size = rows, x.shape
        n, c = x.shape[:2]
        plane = math.prod(x.shape[2:])
        channels_last = array_module(x).moveaxis(x.reshape(n, c, plane), 1, 2).reshape(n * plane, c)
        return channels_last.take(rows, axis=0).reshape(tuple(shape) + (c,))

    @staticmethod
    def backward(ctx, grad):
        return TapScatter.apply(grad, rows=ctx.rows, size=ctx.size)


class TapScatter(Primitive):
    """The adjoint of ``TapGather``: each tap's value added back to its input row (one ``bincount``)."""

    @staticmethod
    def forward(ctx, grad, *, rows, size):
        ctx.rows, ctx.shape = rows, grad.shape[:-1]
        xp = array_module(grad)
        n, c = size[:2]
        plane = math.prod(size[2:])
        positions = (rows[:, None] * c + xp.arange(c)).ravel()
        out = xp.bincount(positions, weights=grad.reshape(-1), minlength=n * plane * c).astype(grad.dtype)
        return xp.ascontiguousarray(xp.moveaxis(out.reshape(n, plane, c), 2, 1)).reshape(size)

    @staticmethod
    def backward(ctx, grad):
        return TapGather.apply(grad, rows=ctx.rows, shape=ctx.shape)


def _reflect(x, twice_low, twice_high):
    """PyTorch's ``reflect_coordinates_set_grad``: the reflected coordinate and its slope (+-1, 0)."""
    if twice_low == twice_high:
        return np.zeros_like(x), np.zeros_like(x)
    low = x.dtype.type(twice_low / 2)
    span = x.dtype.type((twice_high - twice_low) / 2)
    shifted = x - low
    sign = np.where(shifted < 0, -1, 1).astype(x.dtype)
    shifted = np.abs(shifted)
    extra = np.fmod(shifted, span)
    flips = np.floor(shifted / span)
    even = np.fmod(flips, 2) == 0
    return np.where(even, extra + low, span - extra + low), np.where(even, sign, -sign)


def _clip(x, size):
    """PyTorch's ``clip_coordinates_set_grad``: x clipped to [0, size-1]; slope 0 on and beyond the borders."""
    top = x.dtype.type(size - 1)
    return np.clip(x, 0, top), ((x > 0) & (x < top)).astype(x.dtype)


def _unnormalize(g, size, align_corners):
    """Grid values in [-1, 1] to pixel coordinates, and the slope of that map."""
    one, two = g.dtype.type(1), g.dtype.type(2)
    if align_corners:
        return ((g + one) / two) * g.dtype.type(size - 1), g.dtype.type((size - 1) / 2)
    return ((g + one) * g.dtype.type(size) - one) / two, g.dtype.type(size / 2)


def _pad_coordinate(x, size, padding_mode, align_corners):
    """Apply ``border``/``reflection`` to pixel coordinates (PyTorch's ``compute_coordinates``) with slopes."""
    slope = np.ones_like(x)
    if padding_mode == "border":
        x, slope = _clip(x, size)
    elif padding_mode == "reflection":
        if align_corners:
            x, slope = _reflect(x, 0, 2 * (size - 1))
        else:
            x, slope = _reflect(x, -1, 2 * size - 1)
        x, clip_slope = _clip(x, size)
        slope = slope * clip_slope
    return x, slope


def _grid_coordinates(grid, sizes, padding_mode, align_corners, pad):
    """One differentiable pixel coordinate Tensor per spatial axis (x first in the grid, as PyTorch's)."""
    coords = []
    for k, size in enumerate(reversed(sizes)):          # grid[..., 0] indexes the last (width) axis
        g = grid.select(-1, k)
        value, slope = _unnormalize(g._data, size, align_corners)
        slope = np.full_like(value, slope)
        if pad:
            value, pad_slope = _pad_coordinate(value, size, padding_mode, align_corners)
            slope = slope * pad_slope
        coords.append(GridCoordinate.apply(g, value=value, slope=slope))
    return coords[::-1]                                 # back to (D,) H, W order


def _tap_rows(taps, sizes, n):
    """Flat channels-last row of each tap (clipped into range) and whether it lies inside the input."""
    inside = np.ones(taps[0].shape, dtype=bool)
    flat = np.zeros(taps[0].shape, dtype=np.int64)
    for index, size in zip(taps, sizes):
        inside &= (index >= 0) & (index < size)
        flat = flat * size + np.clip(index, 0, size - 1)
    batch = np.arange(n).reshape((n,) + (1,) * (flat.ndim - 1))
    return (flat + batch * math.prod(sizes)).ravel(), inside


def _combine(input, rows, shape, weights):
    """The weighted sum over the taps: (N, P, C) from the gathered (N, T, P, C) values and (N, T, P) weights."""
    values = TapGather.apply(input, rows=rows, shape=shape)
    return (values * weights.unsqueeze(-1)).sum(1)


def _linear_taps(coords):
    """Corner indices (T, N, *out) and weights (Tensors) of bilinear/trilinear sampling."""
    lows, fracs = [], []
    for c in coords:
        low = np.floor(c._data)
        lows.append(low.astype(np.int64))
        fracs.append(c - Tensor._make(low))
    taps, weights = [], []
    for corner in np.ndindex(*(2,) * len(coords)):
        index = [low + bit for low, bit in zip(lows, corner)]
        weight = None
        for frac, bit in zip(fracs, corner):
            factor = frac if bit else 1 - frac
            weight = factor if weight is None else weight * factor
        taps.append(index)
        weights.append(weight)
    return taps, weights


def _cubic_taps(coords, sizes, padding_mode, align_corners):
    """The 4x4 taps of bicubic sampling: integer positions padded one by one, Keys weights with a = -0.75."""
    lows, coefficients = [], []
    for c in coords:
        low = np.floor(c._data)
        lows.append(low.astype(np.int64))
        coefficients.append(_cubic_coefficients(c - Tensor._make(low), -0.75))
    taps, weights = [], []
    for i, j in np.ndindex(4, 4):
        index = []
        for low, offset, size in zip(lows, (i, j), sizes):
            position = (low + offset - 1).astype(coords[0]._data.dtype)
            padded, _ = _pad_coordinate(position, size, padding_mode, align_corners)
            index.append(padded.astype(np.int64))
        taps.append(index)
        weights.append(coefficients[0][i] * coefficients[1][j])
    return taps, weights


def _sample(input, grid, mode, padding_mode, align_corners):
    """grid_sample on checked arguments: gather the taps, weight them, sum."""
    from .shape import stack
    n, c = input.shape[:2]
    sizes = tuple(input.shape[2:])
    out_shape = tuple(grid.shape[1:-1])
    coords = _grid_coordinates(grid, sizes, padding_mode, align_corners, pad=mode != "bicubic")
    if mode == "nearest":
        taps = [[np.rint(co._data).astype(np.int64) for co in coords]]
        weights = [coords[0] * 0 + 1]                   # zero gradient to the grid, as PyTorch's
    elif mode == "bilinear":
        taps, weights = _linear_taps(coords)
    else:
        taps, weights = _cubic_taps(coords, sizes, padding_mode, align_corners)
    index = [np.stack([t[k] for t in taps], 1) for k in range(len(sizes))]   # (N, T, *out) per axis
    rows, inside = _tap_rows(index, sizes, n)
    w = stack(weights, 1) * Tensor._make(inside.astype(input._data.dtype))
    shape = (n, len(taps), math.prod(out_shape))
    out = _combine(input, rows, shape, w.reshape(shape))        # (N, P, C)
    out = out.reshape((n,) + out_shape + (c,))
    return out.permute((0, out.ndim - 1) + tuple(range(1, out.ndim - 1))).contiguous()


_INTERPOLATION = {0: "bilinear", 1: "nearest", 2: "bicubic"}
_PADDING = {0: "zeros", 1: "border", 2: "reflection"}


def _check_grid_sampler(input, grid, interpolation_mode):
    """PyTorch's ``grid_sampler`` checks on the shapes and dtypes of ``input`` and ``grid``."""
    if input.ndim != grid.ndim:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same number of dimensions, but got "
                           f"input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, but got input with "
                           f"sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if grid.shape[-1] != input.ndim - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {input.ndim - 2} in last dimension, but got "
                           f"grid with sizes {list(grid.shape)}")
    for i in range(2, input.ndim):
        if input.shape[i] <= 0:
            raise RuntimeError(f"grid_sampler(): expected input to have non-empty spatial dimensions, but input has "
                               f"sizes {list(input.shape)} with dimension {i} being empty")
    if input.ndim not in (4, 5):
        raise RuntimeError(f"grid_sampler(): expected 5D input and grid with same number of dimensions, but got "
                           f"input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if input.ndim == 5 and interpolation_mode == 2:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if input.dtype != grid.dtype:
        raise RuntimeError(f"expected scalar type {_type_word(input.dtype)} but found {_type_word(grid.dtype)}")
    if not input.dtype.is_floating_point:
        kernel = "grid_sampler_2d_cpu_kernel_impl" if input.ndim == 4 else "grid_sampler3d_cpu"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_type_word(input.dtype)}'")


def grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners):
    """``torch.grid_sampler``: grid_sample with PyTorch's integer codes (0 bilinear, 1 nearest, 2 bicubic;
    0 zeros, 1 border, 2 reflection).

    >>> grid_sampler(ember.ones(1, 1, 2, 2), ember.zeros(1, 1, 1, 2), 0, 0, False).item()
    1.0
    """
    check_tensor(input, "input", "grid_sampler")
    check_tensor(grid, "grid", "grid_sampler")
    interpolation_mode = int_arg(interpolation_mode, "grid_sampler", "interpolation_mode")
    padding_mode = int_arg(padding_mode, "grid_sampler", "padding_mode")
    align_corners = bool_arg(align_corners, "grid_sampler", "align_corners")
    _check_grid_sampler(input, grid, interpolation_mode)
    if interpolation_mode not in _INTERPOLATION:
        raise RuntimeError(f"grid_sampler(): unknown interpolation mode {interpolation_mode}")
    if padding_mode not in _PADDING:
        raise RuntimeError(f"grid_sampler(): unknown padding mode {padding_mode}")
    return _sample(input, grid, _INTERPOLATION[interpolation_mode], _PADDING[padding_mode], align_corners)


def grid_sampler_2d(input, grid, interpolation_mode, padding_mode, align_corners):
    """``torch.grid_sampler_2d``: ``grid_sampler`` for 4D input (N, C, H, W).

    >>> grid_sampler_2d(ember.ones(1, 1, 2, 2), ember.zeros(1, 1, 1, 2), 0, 0, False).shape
    ember.Size([1, 1, 1, 1])
    """
    check_tensor(input, "input", "grid_sampler_2d")
    if input.ndim != 4:
        raise RuntimeError(f"grid_sampler(): expected 4D input and grid with same number of dimensions, but got "
                           f"input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    return grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)


def grid_sampler_3d(input, grid, interpolation_mode, padding_mode, align_corners):
    """``torch.grid_sampler_3d``: ``grid_sampler`` for 5D input (N, C, D, H, W).

    >>> grid_sampler_3d(ember.ones(1, 1, 2, 2, 2), ember.zeros(1, 1, 1, 1, 3), 0, 0, False).shape
    ember.Size([1, 1, 1, 1, 1])
    """
    check_tensor(input, "input", "grid_sampler_3d")
    if input.ndim != 5:
        raise RuntimeError(f"grid_sampler(): expected 5D input and grid with same number of dimensions, but got "
                           f"input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    return grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)


_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. "
                  "Please specify align_corners=True if the old behavior is desired. See the documentation of "
                  "grid_sample for details.")


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Sample ``input`` at the normalised positions in ``grid`` (spatial transformers, warping, crops).

    >>> grid_sample(ember.ones(1, 1, 2, 2), ember.zeros(1, 1, 1, 2), align_corners=False).item()
    1.0
    """
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', "
                         f"but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    codes = {"bilinear": 0, "nearest": 1, "bicubic": 2, "zeros": 0, "border": 1, "reflection": 2}
    return grid_sampler(input, grid, codes[mode], codes[padding_mode], align_corners)


# ============================================================================= affine_grid

def _base_axis(steps, align_corners, dtype):
    """PyTorch's ``linspace_from_neg_one``: sample positions in [-1, 1] along one axis."""
    if steps <= 1:
        return np.zeros(max(steps, 0), dtype=dtype)
    values = np.linspace(-1, 1, steps, dtype=dtype)
    if not align_corners:
        values = values * dtype.type(steps - 1) / dtype.type(steps)
    return values


def _base_grid(spatial, align_corners, dtype):
    """(prod(spatial), d + 1) rows (x, y[, z], 1) for every output position, x varying fastest."""
    axes = [_base_axis(s, align_corners, dtype) for s in spatial]
    mesh = np.meshgrid(*axes, indexing="ij")                     # (D,) H, W order
    columns = [m.reshape(-1) for m in reversed(mesh)] + [np.ones(math.prod(spatial), dtype=dtype)]
    return np.stack(columns, 1)


def affine_grid_generator(theta, size, align_corners):
    """``torch.affine_grid_generator``: the sampling grid of affine maps ``theta`` (N, d, d+1) for ``size``.

    >>> affine_grid_generator(ember.eye(2, 3).unsqueeze(0), [1, 1, 2, 2], False).shape
    ember.Size([1, 2, 2, 2])
    """
    check_tensor(theta, "theta", "affine_grid_generator")
    size = [int_arg(s, "affine_grid_generator", "size") for s in size]
    align_corners = bool_arg(align_corners, "affine_grid_generator", "align_corners")
    if len(size) not in (4, 5):
        raise RuntimeError("AffineGridGenerator needs 4d (spatial) or 5d (volumetric) inputs.")
    n, spatial = size[0], size[2:]
    if theta.ndim == 3 and theta.shape[0] != n:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{n}, {theta.shape[2]}] "
                           f"but got: [{theta.shape[0]}, {theta.shape[2]}].")
    base = Tensor._make(_base_grid(spatial, align_corners, theta._data.dtype))
    grid = base.unsqueeze(0) @ theta.transpose(1, 2)                        # (N, P, d)
    return grid.reshape([n] + spatial + [len(spatial)])


def affine_grid(theta, size, align_corners=None):
    """The sampling grid (N, *spatial, d) of the affine maps ``theta`` (N, d, d+1), for ``grid_sample``.

    >>> affine_grid(ember.eye(2, 3).unsqueeze(0), [1, 1, 2, 2], align_corners=False).shape
    ember.Size([1, 2, 2, 2])
    """
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = list(size)
    if len(size) == 4:
        if theta.ndim != 3 or theta.shape[-2] != 2 or theta.shape[-1] != 3:
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {_size_text(size)}. "
                             f"Got {theta.shape}.")
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.ndim != 3 or theta.shape[-2] != 3 or theta.shape[-1] != 4:
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {_size_text(size)}. "
                             f"Got {theta.shape}.")
        spatial = size[-3:]
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {_size_text(size)}.")
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
                      "align_corners=True. This is not an intended use case of affine_grid. See the documentation "
                      "of affine_grid for details.", stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {_size_text(size)}")
    return affine_grid_generator(theta, size, align_corners)


def _size_text(size):
    return str(list(size)) if not hasattr(size, "shape") else str(size)
