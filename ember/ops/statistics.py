"""Statistics: covariance and correlation, quantiles, histograms, distances, norms of slices, integration.

Most of these are compositions of existing Tensor ops, as in PyTorch, so their
gradients (and second derivatives) come from those ops' rules: ``cov`` is a centred
matrix product, ``quantile`` a sort, a gather and a lerp, ``trapezoid`` a weighted
sum. ``cdist`` has its own Primitive, because PyTorch's gradient at zero distances
and at ties of the inf-norm is not the composition's. Histograms count, and have no
gradient.
"""

import math
import warnings

import numpy as np

from .. import _dtype, return_types
from .._creation import linspace
from .._tensor import Tensor, _type_word
from ..autograd.function import Primitive
from ._util import (
    broadcast_shapes,
    c_type_name,
    check_tensor,
    check_tensor_args,
    constant,
    float_arg,
    int_arg,
    wrap_dim,
)
from .elementwise import _inplace, _into
from .indexing import NoDerivative, where
from .reduction import _norm_slope, _p_norm_array, norm

__all__ = ["cov", "corrcoef", "quantile", "nanquantile", "histc", "histogram", "cdist", "dist", "renorm",
           "trapezoid", "trapz", "cumulative_trapezoid"]


def _check_at_most_2d(name, input):
    if input.ndim > 2:
        raise RuntimeError(f"{name}(): expected input to have two or fewer dimensions but got an input with "
                           f"{input.ndim} dimensions")


# ----------------------------------------------------------------------------- covariance and correlation

def _check_observation_weights(name, weights, observations, floating):
    """PyTorch's checks of ``fweights`` (integers) or ``aweights`` (floats): one per observation, none negative."""
    check_tensor(weights, name, "cov")
    if weights.ndim > 1:
        raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got {name} with "
                           f"{weights.ndim} dimensions")
    if weights.numel() != observations:
        raise RuntimeError(f"cov(): expected {name} to have the same numel as there are observations in the input "
                           f"but got {weights.numel()} != {observations}")
    kind_ok = weights.dtype.is_floating_point if floating else \
        not weights.dtype.is_floating_point and weights.dtype is not _dtype.bool
    if not kind_ok:
        kind = "floating point" if floating else "integral"
        raise RuntimeError(f"cov(): expected {name} to have {kind} dtype but got {name} with "
                           f"{_type_word(weights.dtype)} dtype")
    if weights.numel() and weights._data.min() < 0:
        raise RuntimeError(f"cov(): {name} cannot be negative")


def cov(input, *, correction=1, fweights=None, aweights=None):
    """The covariance matrix of the variables in the rows of ``input`` (observations in columns).

    ``correction`` is subtracted from the (weighted) number of observations; ``fweights``
    are integer repeat counts and ``aweights`` importance weights of the observations.

    >>> ember.cov(ember.tensor([[0., 1., 2.], [2., 1., 0.]]))
    tensor([[ 1., -1.],
            [-1.,  1.]])
    """
    check_tensor(input, "input", "cov")
    _check_at_most_2d("cov", input)
    if input.dtype is _dtype.bool:
        raise RuntimeError("cov(): bool dtype is not supported for input")
    if not isinstance(correction, (int, np.integer)) or isinstance(correction, bool):
        raise TypeError(f"cov(): argument 'correction' must be int, not {type(correction).__name__}")
    rows = input.reshape(1, -1) if input.ndim < 2 else input
    observations = rows.shape[1]
    weights = None
    if fweights is not None:
        _check_observation_weights("fweights", fweights, observations, floating=False)
        weights = fweights
    if aweights is not None:
        _check_observation_weights("aweights", aweights, observations, floating=True)
        weights = aweights if weights is None else weights * aweights
    if weights is None:
        total = observations
        mean = rows.sum(1) / total
    else:
        total = weights.sum()
        mean = (rows * weights).sum(1) / total
    if weights is not None and correction != 0 and aweights is not None:
        dof = total - correction * (weights * aweights).sum() / total
    else:
        dof = total - correction
    if float(dof) <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less than the number of "
                      "observations.", UserWarning, stacklevel=2)
        dof = dof * 0
    centred = rows - mean.unsqueeze(1)
    weighted = centred if weights is None else centred * weights
    return (centred @ weighted.t() / dof).squeeze()


def corrcoef(input):
    """Pearson correlation coefficients of the variables in the rows of ``input``, clamped to [-1, 1].

    >>> ember.corrcoef(ember.tensor([[0., 1., 2.], [2., 1., 0.]]))
    tensor([[ 1., -1.],
            [-1.,  1.]])
    """
    check_tensor(input, "input", "corrcoef")
    _check_at_most_2d("corrcoef", input)
    c = cov(input)
    if c.ndim == 0:
        return c / c
    spread = c.diagonal().sqrt()
    c = c / spread.reshape(-1, 1)
    c = c / spread.reshape(1, -1)
    return c.clamp(-1, 1)


# ----------------------------------------------------------------------------- quantiles

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile_levels(name, input, q):
    """``q`` checked, as a tensor of ``input``'s dtype, and whether it was one level (no leading q dimension)."""
    if isinstance(q, Tensor):
        if q.ndim > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q.dtype is not input.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        if q.numel() and not ((q._data >= 0) & (q._data <= 1)).all():
            raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
        return q, q.ndim == 0
    if isinstance(q, bool) or not isinstance(q, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}(): argument 'q' must be float or Tensor, not {type(q).__name__}")
    if not 0 <= q <= 1:
        raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {q}")
    return Tensor._make(np.asarray(q, dtype=input._data.dtype)), True


def _quantile_ranks(sorted_values, levels, ignore_nan):
    """Fractional positions, shaped (q, ..., 1), of each quantile in the sorted last dimension.

    They are computed with Tensor ops from the levels, so that interpolation weights carry
    the gradient with respect to a ``q`` tensor, as in PyTorch.
    """
    data = sorted_values._data
    levels = levels.reshape((-1,) + (1,) * data.ndim)
    is_nan = np.isnan(data)
    if ignore_nan:
        last = (~is_nan).sum(axis=-1, keepdims=True) - 1
        ranks = levels * Tensor._make(last.astype(data.dtype))
        return where(Tensor._make(np.asarray(ranks._data < 0)), 0.0, ranks)     # all NaN: rank 0, a NaN
    last = data.shape[-1] - 1
    return where(Tensor._make(is_nan.any(axis=-1, keepdims=True)), float(last), levels * last)   # the NaN at the end


def _round_ranks(ranks, interpolation):
    if interpolation == "lower":
        return np.floor(ranks)
    if interpolation == "higher":
        return np.ceil(ranks)
    if interpolation == "nearest":
        return np.round(ranks)                     # halves to even, as PyTorch
    return ranks


def _pick_quantiles(sorted_values, ranks, interpolation):
    """The quantiles from the sorted values (..., n) at ``ranks`` (q, ..., 1): gathered, then interpolated."""
    spread = sorted_values.unsqueeze(0).expand((ranks.shape[0],) + tuple(sorted_values.shape))
    rounded = _round_ranks(ranks._data, interpolation)
    below = rounded.astype(np.int64)
    values_below = spread.gather(-1, Tensor._make(below))
    if interpolation not in ("linear", "midpoint"):
        return values_below
    values_above = spread.gather(-1, Tensor._make(np.ceil(rounded).astype(np.int64)))
    if interpolation == "midpoint":
        weights = Tensor._make(np.full_like(rounded, 0.5))
    else:
        weights = ranks - Tensor._make(below.astype(rounded.dtype))
    return values_below.lerp(values_above, weights)


def _quantile(name, input, q, dim, keepdim, interpolation, ignore_nan, out):
    check_tensor(input, "input", name)
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, midpoint or nearest, "
                           f"but got {interpolation}")
    if input.dtype not in (_dtype.float32, _dtype.float64):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    levels, one_level = _quantile_levels(name, input, q)
    if input.numel() == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if dim is None:
        values = input.reshape(-1)
        out_shape = (1,) * input.ndim if keepdim else ()
    else:
        d = wrap_dim(dim, input.ndim)
        values = input.reshape(1) if input.ndim == 0 else input.movedim(d, -1)
        out_shape = tuple(1 if i == d and keepdim else s for i, s in enumerate(input.shape) if i != d or keepdim)
    sorted_values = values.sort(dim=-1).values
    ranks = _quantile_ranks(sorted_values, levels, ignore_nan)
    result = _pick_quantiles(sorted_values, ranks, interpolation)
    result = result.reshape(out_shape if one_level else (levels.numel(),) + out_shape)
    return _into(out, result, name)


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """The ``q``-th quantiles (a number or a 1-D tensor of levels in [0, 1]) of ``input`` along ``dim``.

    Between two data points the result follows ``interpolation``: 'linear', 'lower',
    'higher', 'midpoint' or 'nearest'. A NaN in a slice makes its quantiles NaN.

    >>> ember.quantile(ember.tensor([1., 2., 3., 4.]), 0.5)
    tensor(2.5000)
    """
    return _quantile("quantile", input, q, dim, keepdim, interpolation, False, out)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """:func:`quantile` ignoring NaNs: each slice's quantiles come from its numbers (NaN if it has none).

    >>> ember.nanquantile(ember.tensor([1., float('nan'), 3.]), 0.5)
    tensor(2.)
    """
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, True, out)


# ----------------------------------------------------------------------------- histograms

def _check_histogram_input(input, kernel):
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_type_word(input.dtype)}'")


def _check_bin_count(bins):
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")


def _histc_range(values, low, high):
    """histc's outer edges: the given range, else the data's; an empty range widens by 1 each way."""
    if low == high and values.size:
        low, high = float(values.min()), float(values.max())
    if low == high:
        low, high = low - 1, high + 1
    if not (math.isfinite(low) and math.isfinite(high)):
        raise RuntimeError(f"torch.histc: range of [{low:g}, {high:g}] is not finite")
    if not low < high:
        raise RuntimeError("torch.histc: max must be larger than min")
    return low, high


def _evenly_binned(values, bins, low, high):
    """The bin of each value inside [low, high], computed in the values' dtype as PyTorch's histc does."""
    left, right = values.dtype.type(low), values.dtype.type(high)
    inside = values[(values >= left) & (values <= right)]
    position = ((inside - left) * bins / (right - left)).astype(np.int64)
    return np.minimum(position, bins - 1)          # the right edge belongs to the last bin


def _edge_binned(values, edges):
    """The bin of each value inside the edges (sorted), by binary search; the last edge closes the last bin."""
    keep = (values >= edges[0]) & (values <= edges[-1])
    position = np.searchsorted(edges, values[keep], side="right") - 1
    return np.minimum(position, edges.size - 2), keep


def _count(positions, bins, dtype, weights=None):
    return np.bincount(positions, weights=weights, minlength=bins)[:bins].astype(dtype)


def histc(input, bins=100, min=0, max=0, *, out=None):
    """Counts of ``input``'s elements in ``bins`` equal bins between ``min`` and ``max`` (the data's range if equal).

    Elements outside the range are ignored; the result has ``input``'s dtype and no gradient.

    >>> ember.histc(ember.tensor([1., 2., 1.]), bins=4, min=0, max=3)
    tensor([0., 2., 1., 0.])
    """
    check_tensor(input, "input", "histc")
    _check_histogram_input(input, "histogram_cpu")
    bins = int_arg(bins, "histc", "bins")
    _check_bin_count(bins)
    values = input._data.reshape(-1)
    low, high = _histc_range(values, float(float_arg(min, "histc", "min")), float(float_arg(max, "histc", "max")))
    counts = _count(_evenly_binned(values, bins, low, high), bins, values.dtype)
    return _into(out, Tensor._make(counts), "histc")


def _histogram_edges(input, bins, range):
    """The bin edges as an array of ``input``'s dtype, from a bin count (with ``range``) or an edges tensor."""
    values = input._data
    if isinstance(bins, Tensor):
        if range is not None:
            raise TypeError("histogram(): 'range' cannot be given with a tensor of bin edges")
        if bins.ndim != 1:
            raise RuntimeError(f"torch.histogramdd: bins tensor should have one dimension, but got {bins.ndim} "
                               "dimensions in the bins tensor for dimension 0")
        _check_bin_count(bins.numel() - 1)
        if bins.dtype is not input.dtype:
            raise RuntimeError(f"torch.histogramdd: input tensor and bins tensors should have the same dtype, but "
                               f"got input with dtype {_dtype_c_name(input.dtype)} and bins for dimension 0 with "
                               f"dtype {_dtype_c_name(bins.dtype)}")
        return bins._data.copy()
    _check_bin_count(bins)
    if range is not None:
        low, high = (float(edge) for edge in range)
    elif values.size:
        low, high = float(values.min()), float(values.max())
    else:
        low, high = 0.0, 1.0
    if not (math.isfinite(low) and math.isfinite(high)):
        raise RuntimeError(f"torch.histogramdd: dimension 0's range [{low:g}, {high:g}] is not finite")
    if low > high:
        raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min {low:g} max {high:g} for "
                           "dimension 0")
    if low == high:
        low, high = low - 0.5, high + 0.5
    return linspace(low, high, bins + 1, dtype=input.dtype)._data


def _dtype_c_name(d):
    """How histogram's messages name a dtype: the C++ name of a float type, else the scalar type name."""
    return c_type_name(d) if d.is_floating_point else _type_word(d)


def histogram(input, bins=100, *, range=None, weight=None, density=False, out=None):
    """``(hist, bin_edges)``: counts (or summed ``weight``) of ``input`` in ``bins`` bins or between given edges.

    ``bins`` is a count of equal bins over ``range`` (the data's range by default) or a
    1-D tensor of increasing edges. With ``density`` the histogram integrates to 1.

    >>> ember.histogram(ember.tensor([1., 2., 1.]), bins=2).hist
    tensor([2., 1.])
    """
    check_tensor(input, "input", "histogram")
    _check_histogram_input(input, "histogramdd")
    edges = _histogram_edges(input, bins, range)
    values = input._data.reshape(-1)
    weights = None
    if weight is not None:
        check_tensor(weight, "weight", "histogram")
        if weight.dtype is not input.dtype:
            raise RuntimeError(f"torch.histogramdd: if weight tensor is provided, input tensor and weight tensor "
                               f"should have the same dtype, but got input({_dtype_c_name(input.dtype)}), and "
                               f"weight({_dtype_c_name(weight.dtype)})")
        if weight.shape != input.shape:
            raise RuntimeError(f"torch.histogramdd: if weight tensor is provided it should have the same shape as "
                               f"the input tensor excluding its innermost dimension, but got input with shape "
                               f"{list(input.shape)} and weight with shape {list(weight.shape)}")
        weights = weight._data.reshape(-1)
    positions, keep = _edge_binned(values, edges)
    hist = _count(positions, edges.size - 1, values.dtype, None if weights is None else weights[keep])
    if density:
        with np.errstate(divide="ignore", invalid="ignore"):
            hist = hist / hist.sum(dtype=hist.dtype)
            hist = (hist / np.diff(edges)).astype(values.dtype)
    tensors = (weight,) if weight is not None else ()
    hist = NoDerivative.apply(input, *tensors, result=hist, name="aten::histogram")
    bin_edges = NoDerivative.apply(input, *tensors, result=edges, name="aten::histogram")
    if out is not None:
        hist, bin_edges = _into(out[0], hist, "histogram"), _into(out[1], bin_edges, "histogram")
    return return_types.histogram(hist, bin_edges)


# ----------------------------------------------------------------------------- distances

_COMPUTE_MODES = {"use_mm_for_euclid_dist_if_necessary": 0, "use_mm_for_euclid_dist": 1,
                  "donot_use_mm_for_euclid_dist": 2}


def _distance_slope(diff, dist, p):
    """d dist / d diff for ``dist = ||diff||_p``, with PyTorch's zeros where that is undefined (see ``_norm_slope``).

    For the inf-norm every coordinate that reaches the maximum gets the whole gradient.
    """
    sign = constant(np.sign(diff._data), diff)
    if p == 1:
        return sign
    if math.isinf(p):
        return sign * constant(np.abs(diff._data) == dist._data, diff)
    return _norm_slope(diff, dist, sign, p)


class Cdist(Primitive):
    """p-norm distances between the rows of ``x1`` (..., P, M) and of ``x2`` (..., R, M), batches already equal."""

    @staticmethod
    def forward(ctx, x1, x2, *, p):
        ctx.p = p
        diff = x1[..., :, None, :] - x2[..., None, :, :]
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            result = _p_norm_array(diff, p, -1, False).astype(x1.dtype, copy=False)
        ctx.save_for_backward(x1, x2, result)
        return result

    @staticmethod
    def backward(ctx, grad):
        x1, x2, dist = ctx.saved_tensors
        if ctx.p == 0:
            return Tensor._zeros(x1.shape, x1.dtype), Tensor._zeros(x2.shape, x2.dtype)
        diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
        share = grad.unsqueeze(-1) * _distance_slope(diff, dist.unsqueeze(-1), ctx.p)
        return share.sum(-2), -share.sum(-3)


def _euclidean_by_products(x1, x2):
    """Euclidean distances from ``|a|^2 + |b|^2 - 2 a.b`` (one matrix product; PyTorch's fast path for p = 2)."""
    squares1 = (x1 * x1).sum(-1, keepdim=True)
    squares2 = (x2 * x2).sum(-1, keepdim=True)
    squared = squares1 + squares2.mT - 2 * (x1 @ x2.mT)
    return squared.clamp_min(1e-30).sqrt()


def _check_cdist(x1, x2, p):
    for name, x in (("X1", x1), ("X2", x2)):
        if not x.dtype.is_floating_point:
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: {_type_word(x.dtype)}")
    if x1.dtype is not x2.dtype:
        raise RuntimeError(f"cdist(): expected X1 and X2 to have the same dtype, but got {_type_word(x1.dtype)} and "
                           f"{_type_word(x2.dtype)}")
    if x1.dtype in (_dtype.float16,) or x1.dtype.name == "bfloat16":
        raise NotImplementedError(f"\"cdist\" not implemented for '{_type_word(x1.dtype)}'")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    for name, x in (("X1", x1), ("X2", x2)):
        if x.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {x.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}")


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """The p-norm distance between each row of ``x1`` (..., P, M) and each row of ``x2`` (..., R, M): (..., P, R).

    For p = 2 with more than 25 rows (or ``compute_mode='use_mm_for_euclid_dist'``) the
    distances come from one matrix product, which is faster and slightly less exact.

    >>> ember.cdist(ember.tensor([[0., 0.]]), ember.tensor([[3., 4.], [1., 0.]]))
    tensor([[5., 1.]])
    """
    check_tensor_args("cdist", x1=x1, x2=x2)
    if compute_mode not in _COMPUTE_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    p = float(float_arg(p, "cdist", "p"))
    _check_cdist(x1, x2, p)
    batch = tuple(broadcast_shapes(x1.shape[:-2], x2.shape[:-2]))
    a = x1.expand(batch + tuple(x1.shape[-2:]))
    b = x2.expand(batch + tuple(x2.shape[-2:]))
    mode = _COMPUTE_MODES[compute_mode]
    use_products = p == 2 and (mode == 1 or mode == 0 and (a.shape[-2] > 25 or b.shape[-2] > 25))
    if use_products and a.numel() and b.numel():
        return _euclidean_by_products(a, b)
    return Cdist.apply(a, b, p=p)


def dist(input, other, p=2):
    """The p-norm of ``input - other`` (broadcast), over all elements.

    >>> ember.dist(ember.tensor([0., 0.]), ember.tensor([3., 4.]))
    tensor(5.)
    """
    check_tensor_args("dist", input=input, other=other)
    common = _dtype.result_type(input, other)
    if not common.is_floating_point:
        raise RuntimeError(f"norm(): input dtype should be either floating point or complex. Got "
                           f"{_type_word(common)} instead.")
    return norm(input - other, float(p))


def renorm(input, p, dim, maxnorm, *, out=None):
    """``input`` with each slice along ``dim`` whose p-norm exceeds ``maxnorm`` scaled down to norm ``maxnorm``.

    >>> ember.renorm(ember.tensor([[3., 4.], [0.3, 0.4]]), 2, 0, 1.0)
    tensor([[0.6000, 0.8000],
            [0.3000, 0.4000]])
    """
    check_tensor(input, "input", "renorm")
    if not p > 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    if input.ndim < 2:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {input.ndim} dimensions")
    d = wrap_dim(dim, input.ndim)
    others = tuple(i for i in range(input.ndim) if i != d)
    size = norm(input, float(p), dim=others, keepdim=True)
    factor = where(size > maxnorm, maxnorm / (size + 1e-7), 1.0)
    return _into(out, input * factor, "renorm")


# ----------------------------------------------------------------------------- integration

def _integration_dim(y, dim):
    if y.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return wrap_dim(dim, y.ndim)


def _neighbours(t, d):
    """The slices of ``t`` without its last, and without its first, index along ``d``."""
    before = (slice(None),) * d
    return t[before + (slice(None, -1),)], t[before + (slice(1, None),)]


def _check_no_bool(name, *tensors, what="`y`"):
    if any(t.dtype is _dtype.bool for t in tensors):
        raise RuntimeError(f"{name}: received a bool input for {what}, but bool is not supported")


def _check_dx(name, dx):
    if isinstance(dx, bool) or not isinstance(dx, (int, float, np.integer, np.floating)):
        raise RuntimeError(f"{name}: Currently, we only support dx as a real number.")


def _spacing(name, y, x, d):
    """The distances between neighbouring sample points, shaped to broadcast against ``y``'s neighbours."""
    check_tensor(x, "x", name)
    _check_no_bool(name, y, x, what="`x` or `y`")
    if x.ndim == 1:
        if x.shape[0] != y.shape[d]:
            raise RuntimeError(f"{name}: There must be one `x` value for each sample point")
        shape = [1] * y.ndim
        shape[d] = x.shape[0]
        x = x.reshape(shape)
    elif x.ndim < y.ndim:
        x = x.reshape((1,) * (y.ndim - x.ndim) + tuple(x.shape))
    left, right = _neighbours(x, d)
    return right - left


def _sample_points(name, x, dx):
    if x is not None and dx is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments: give either x or dx, not both")


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The trapezoidal-rule integral of ``y`` along ``dim``, at sample points ``x`` or spaced ``dx`` (default 1).

    >>> ember.trapezoid(ember.tensor([1., 2., 3.]))
    tensor(4.)
    """
    check_tensor(y, "y", "trapezoid")
    _sample_points("trapezoid", x, dx)
    d = _integration_dim(y, dim)
    if y.shape[d] == 0:
        return Tensor._zeros(tuple(s for i, s in enumerate(y.shape) if i != d), y.dtype)
    if x is None:
        _check_no_bool("trapezoid", y)
        dx = 1 if dx is None else dx
        _check_dx("trapezoid", dx)
        ends = y.select(d, 0) + y.select(d, -1)
        return (y.sum(d) - ends * 0.5) * dx
    spacing = _spacing("trapezoid", y, x, d)
    left, right = _neighbours(y, d)
    return ((left + right) * spacing).sum(d) / 2.0


def trapz(y, x=None, *, dx=None, dim=-1):
    """Alias of :func:`trapezoid` (``trapz(y, x, dim=-1)`` or ``trapz(y, dx=1, dim=-1)``).

    >>> ember.trapz(ember.tensor([1., 2., 3.]), dx=2)
    tensor(8.)
    """
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running trapezoidal-rule integral of ``y`` along ``dim`` (one element fewer than ``y`` there).

    >>> ember.cumulative_trapezoid(ember.tensor([1., 2., 3.]))
    tensor([1.5000, 4.0000])
    """
    check_tensor(y, "y", "cumulative_trapezoid")
    _sample_points("cumulative_trapezoid", x, dx)
    if y.ndim == 0:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, y.ndim)
    left, right = _neighbours(y, d)
    if x is None:
        _check_no_bool("cumulative_trapezoid", y)
        dx = 1 if dx is None else dx
        _check_dx("cumulative_trapezoid", dx)
        return (dx / 2.0 * (left + right)).cumsum(d)
    spacing = _spacing("cumulative_trapezoid", y, x, d)
    return ((left + right) * spacing).cumsum(d) / 2.0


TENSOR_METHODS = {
    "cov": cov, "corrcoef": corrcoef, "quantile": quantile, "nanquantile": nanquantile, "histc": histc,
    "histogram": histogram, "dist": dist, "renorm": renorm, "renorm_": _inplace(renorm),
}
