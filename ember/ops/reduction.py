"""Reductions: sums, means, products, statistics, extremes, norms and scans over dimensions.

The helpers at the top turn PyTorch's ``dim``/``keepdim`` arguments into NumPy axes
and give gradients back the input's shape. Ops that select one entry per slice
(``max(dim)``, ``median``, ``mode``, ``cummax``) send the gradient to that entry;
``amax``/``amin`` and the dim-less ``max()``/``median()`` share it evenly among ties,
as PyTorch does. Backward formulas use linear ops (``narrow``, ``cat``, ``flip``,
``scatter_add`` and a private linear scan), so the gradients of products, cumulative
products and ``logcumsumexp`` are exact to any order, zeros included.
"""

import builtins
import math
import warnings

import numpy as np

from .. import _dtype, return_types
from .._device import array_module
from .._tensor import Tensor, _type_word
from ..autograd.function import Primitive
from ._util import (
    as_float_input,
    bool_arg,
    check_tensor,
    constant,
    int_arg,
    refuse_complex,
    shape_arg,
    wrap_dim,
    wrap_dims,
    write_out,
)
from .elementwise import maximum, minimum
from .indexing import scatter_add
from .shape import Expand, cat, flip, narrow

__all__ = ["sum", "nansum", "mean", "nanmean", "prod", "std", "var", "std_mean", "var_mean", "max", "min",
           "amax", "amin", "argmax", "argmin", "aminmax", "logsumexp", "cumsum", "cumprod", "cummax", "cummin",
           "logcumsumexp", "norm", "all", "any", "count_nonzero", "median", "nanmedian", "mode", "diff"]


# ----------------------------------------------------------------------------- dimensions and shapes

def _reduction_dims(input, dim):
    """PyTorch's ``dim`` (None, an int, or a possibly empty sequence) as sorted axes; None means all."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return None
    dims = wrap_dims(dim, input.ndim)
    return None if input.ndim == 0 else dims


def _reduced_shape(shape, dims, keepdim):
    if dims is None:
        return (1,) * len(shape) if keepdim else ()
    if keepdim:
        return tuple(1 if i in dims else s for i, s in enumerate(shape))
    return tuple(s for i, s in enumerate(shape) if i not in dims)


def _restore_dims(grad, input_shape, dims, keepdim):
    """Reshape a reduced tensor so it broadcasts against the input again."""
    if keepdim or not input_shape or dims is None:   # a 0-dim total broadcasts as it is
        return grad
    return grad.reshape(_reduced_shape(input_shape, dims, True))


def _count(shape, dims):
    """How many input elements go into each output element."""
    return math.prod(shape if dims is None else [shape[d] for d in dims])


def _is_float(array):
    return _dtype.from_numpy_dtype(array.dtype).is_floating_point


def _accumulation_dtype(np_dtype):
    """Half-precision sums accumulate in float32, as PyTorch's do."""
    return np.dtype(np.float32) if np_dtype.itemsize == 2 and np_dtype.kind not in "iub" else np_dtype


def _edge_mask(shape, dim, last):
    """Ones at the first (or last) position along ``dim``, zeros elsewhere, broadcastable to ``shape``."""
    mask = np.zeros([s if i == dim else 1 for i, s in enumerate(shape)])
    if shape[dim]:
        mask[(slice(None),) * dim + (-1 if last else 0,)] = 1
    return mask


def _squeezed(array, shape, dims, keepdim):
    """A result computed with ``keepdims=True``, reshaped to what ``keepdim`` asks for."""
    return array if keepdim else array.reshape(_reduced_shape(shape, dims, False))


def _as_vector(fn, input, *args, **kwargs):
    """Run a dim-wise op on a 0-dim input as on a one-element vector, then drop that dimension."""
    result = fn(input.reshape(1), *args, **kwargs)
    if isinstance(result, tuple):
        return type(result)(part.reshape(()) for part in result)
    return result.reshape(())


# ----------------------------------------------------------------------------- linear building blocks
# Backward formulas here are built from linear ops (narrow, cat, flip, scatter_add and the
# scan below), whose own gradients are linear again, so they differentiate to any order.

class _LinearScan(Primitive):
    """``s[k] = b[k] + a[k] * s[k-1]`` along ``dim`` (``s[k+1]`` when ``reverse``), starting from 0.

    The adjoint is the same scan run the other way with the coefficients moved one
    place, which is what makes cumulative products differentiable at zeros.
    """

    grad_fn_name = "LinearScanBackward0"

    @staticmethod
    def forward(ctx, a, b, *, dim, reverse):
        xp = array_module(b)
        coefficients, values = xp.moveaxis(a, dim, 0), xp.moveaxis(b, dim, 0)
        out = xp.empty(values.shape, dtype=xp.result_type(a, b))
        steps = range(len(values) - 1, -1, -1) if reverse else range(len(values))
        previous = None
        for k in steps:
            previous = values[k] if previous is None else values[k] + coefficients[k] * previous
            out[k] = previous
        ctx.dim, ctx.reverse = dim, reverse
        result = xp.moveaxis(out, 0, dim)
        ctx.save_for_backward(a, result)
        return result

    @staticmethod
    def backward(ctx, grad):
        a, s = ctx.saved_tensors
        step = -1 if ctx.reverse else 1          # s[k] depends on s[k - step]
        adjoint = _LinearScan.apply(_shift(a, ctx.dim, -step), grad, dim=ctx.dim, reverse=not ctx.reverse)
        return adjoint * _shift(s, ctx.dim, step), adjoint


def _shift(x, dim, step, fill=0.0):
    """``x`` moved one place along ``dim`` (``step=1``: towards the end); the freed end holds ``fill``."""
    n = x.shape[dim]
    if n == 0:
        return x
    edge_shape = list(x.shape)
    edge_shape[dim] = 1
    edge = constant(np.full(edge_shape, fill), x)
    if step > 0:
        return cat([edge, narrow(x, dim, 0, n - 1)], dim)
    return cat([narrow(x, dim, 1, n - 1), edge], dim)


def _reverse_cumsum(x, dim):
    """Sums from each position to the end along ``dim``."""
    return flip(cumsum(flip(x, (dim,)), dim), (dim,))


def _scatter_to(grad, index, dim, shape):
    """Zeros of ``shape`` with ``grad`` added at the index array ``index`` along ``dim`` (repeats add up)."""
    return scatter_add(Tensor._zeros(shape, grad.dtype), dim, Tensor._make(index), grad)


# ----------------------------------------------------------------------------- sums and means

class Sum(Primitive):
    @staticmethod
    def forward(ctx, x, *, dims, keepdim, dtype):
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        total = array_module(x).sum(x, axis=dims, keepdims=keepdim, dtype=_accumulation_dtype(np.dtype(dtype)))
        return total.astype(dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        return Expand.apply(_restore_dims(grad, ctx.shape, ctx.dims, ctx.keepdim), shape=ctx.shape)


def _with_dtype(input, dtype):
    """``input`` cast to ``dtype`` when one is given (PyTorch converts before reducing)."""
    return input if dtype is None else input._cast(_dtype.to_dtype(dtype))


def _sum_dtype(input, dtype):
    """PyTorch sums integers and bools in int64 unless told otherwise."""
    if dtype is not None or input.dtype.is_floating_point or input.dtype.is_complex:
        return input._data.dtype
    return _dtype.int64.np_dtype


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """The sum of all elements, or over ``dim`` (an int or a tuple of ints); integers sum in int64.

    >>> ember.sum(ember.tensor([[1, 2], [3, 4]]), dim=0)
    tensor([4, 6])
    """
    check_tensor(input, "input", "sum")
    bool_arg(keepdim, "sum", "keepdim")
    dims = _reduction_dims(input, dim)
    x = _with_dtype(input, dtype)
    return write_out(out, Sum.apply(x, dims=dims, keepdim=keepdim, dtype=_sum_dtype(x, dtype)), "sum")


class NanSum(Primitive):
    @staticmethod
    def forward(ctx, x, *, dims, keepdim):
        ctx.dims, ctx.keepdim = dims, keepdim
        ctx.save_for_backward(x)
        total = array_module(x).nansum(x, axis=dims, keepdims=keepdim, dtype=_accumulation_dtype(x.dtype))
        return total.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        kept = ~array_module(x._data).isnan(x._data)
        return _restore_dims(grad, x.shape, ctx.dims, ctx.keepdim) * constant(kept, grad)


def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """The sum treating NaN as zero; NaN entries get no gradient.

    >>> ember.nansum(ember.tensor([1., float('nan'), 2.]))
    tensor(3.)
    """
    refuse_complex(input, RuntimeError, "nansum on CPU does not support complex inputs")
    check_tensor(input, "input", "nansum")
    bool_arg(keepdim, "nansum", "keepdim")
    x = _with_dtype(input, dtype)
    if not x.dtype.is_floating_point:
        return sum(x, dim, keepdim, out=out)
    return write_out(out, NanSum.apply(x, dims=_reduction_dims(x, dim), keepdim=keepdim), "nansum")


class Mean(Primitive):
    @staticmethod
    def forward(ctx, x, *, dims, keepdim):
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        ctx.count = _count(x.shape, dims)
        total = array_module(x).sum(x, axis=dims, keepdims=keepdim, dtype=_accumulation_dtype(x.dtype))
        with np.errstate(invalid="ignore", divide="ignore"):
            return (total / ctx.count).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        return _restore_dims(grad, ctx.shape, ctx.dims, ctx.keepdim).expand(ctx.shape) / builtins.max(ctx.count, 1)


def _float_for_mean(name, input, dtype):
    """``input`` in the floating dtype a mean is taken in, or PyTorch's error for integer input."""
    if dtype is not None:
        target = _dtype.to_dtype(dtype)
        if not (target.is_floating_point or target.is_complex):
            raise RuntimeError(f"{name}(): could not infer output dtype. Optional dtype must be either a floating "
                               f"point or complex dtype. Got: {_type_word(target)}")
        return input._cast(target)
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        raise RuntimeError(f"{name}(): could not infer output dtype. Input dtype must be either a floating point or "
                           f"complex dtype. Got: {_type_word(input.dtype)}")
    return input


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """The arithmetic mean over all elements or over ``dim``; integer input needs ``dtype=``.

    >>> ember.mean(ember.tensor([[1., 2.], [3., 4.]]), dim=1)
    tensor([1.5000, 3.5000])
    """
    check_tensor(input, "input", "mean")
    bool_arg(keepdim, "mean", "keepdim")
    x = _float_for_mean("mean", input, dtype)
    return write_out(out, Mean.apply(x, dims=_reduction_dims(x, dim), keepdim=keepdim), "mean")


class NanMean(Primitive):
    @staticmethod
    def forward(ctx, x, *, dims, keepdim):
        xp = array_module(x)
        kept = ~xp.isnan(x)
        counts = kept.sum(axis=dims, keepdims=True)
        total = xp.nansum(x, axis=dims, keepdims=True, dtype=_accumulation_dtype(x.dtype))
        with np.errstate(invalid="ignore", divide="ignore"):
            ctx.weights = kept / counts
            result = (total / counts).astype(x.dtype)
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        return _squeezed(result, x.shape, dims, keepdim)

    @staticmethod
    def backward(ctx, grad):
        return _restore_dims(grad, ctx.shape, ctx.dims, ctx.keepdim) * constant(ctx.weights, grad)


def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """The mean of the non-NaN elements (NaN where a slice has none).

    >>> ember.nanmean(ember.tensor([1., float('nan'), 3.]))
    tensor(2.)
    """
    refuse_complex(input, RuntimeError, "nansum on CPU does not support complex inputs")
    check_tensor(input, "input", "nanmean")
    bool_arg(keepdim, "nanmean", "keepdim")
    x = _with_dtype(input, dtype)
    if not x.dtype.is_floating_point:
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype but got "
                           f"{_type_word(x.dtype)}")
    return write_out(out, NanMean.apply(x, dims=_reduction_dims(x, dim), keepdim=keepdim), "nanmean")


class SumToSize(Primitive):
    """Sum a broadcast result back to ``shape``: the inverse of ``expand`` for gradients."""

    @staticmethod
    def forward(ctx, x, *, shape):
        ctx.shape = x.shape
        lead = x.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape) if s == 1 and x.shape[lead + i] != 1)
        out = array_module(x).sum(x, axis=axes, keepdims=True) if axes else x.copy()
        return out.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.expand(ctx.shape)


def sum_to_size(self, *size):
    """Sum this tensor down to ``size``, which it must be expandable from.

    >>> ember.ones(2, 3).sum_to_size(1, 3)
    tensor([[2., 2., 2.]])
    """
    shape = shape_arg(size, "sum_to_size")
    lead = self.ndim - len(shape)
    if lead < 0 or builtins.any(s != 1 and s != x for s, x in zip(shape, self.shape[lead:])):
        raise RuntimeError(f"size {{{list(shape)}}} is not expandable to size {{{list(self.shape)}}}.")
    if tuple(self.shape) == shape:
        return self
    return SumToSize.apply(self, shape=shape)


# ----------------------------------------------------------------------------- products and scans

class Prod(Primitive):
    @staticmethod
    def forward(ctx, x, *, dim, keepdim, dtype):
        ctx.dim, ctx.keepdim = dim, keepdim
        xp = array_module(x)
        result = xp.asarray(xp.prod(x, axis=dim, keepdims=keepdim, dtype=dtype))   # an array, not a scalar,
        ctx.save_for_backward(x, result)                                           # so it is saved as the output
        return result

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        grad = _restore_dims(grad, x.shape, (ctx.dim,), ctx.keepdim)
        if not (x._data == 0).any():
            return grad * _restore_dims(y, x.shape, (ctx.dim,), ctx.keepdim) / x
        return grad * _products_of_others(x, ctx.dim)


def _products_of_others(x, dim):
    """For each entry, the product of the other entries along ``dim`` (no division, so zeros are fine)."""
    before = _shift(cumprod(x, dim), dim, 1, fill=1.0)
    after = flip(_shift(cumprod(flip(x, (dim,)), dim), dim, 1, fill=1.0), (dim,))
    return before * after


def prod(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """The product of all elements, or along one ``dim``; integers multiply in int64.

    >>> ember.prod(ember.tensor([[1., 2.], [3., 4.]]), 1)
    tensor([ 2., 12.])
    """
    check_tensor(input, "input", "prod")
    bool_arg(keepdim, "prod", "keepdim")
    if dim is None:
        if keepdim:
            raise TypeError("prod(): keepdim=True needs a dim; got keepdim without dim")
        return write_out(out, prod(input.reshape(-1), 0, dtype=dtype), "prod")
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"prod(): argument 'dim' must be int, not {type(dim).__name__}")
    dim = wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        return write_out(out, _as_vector(prod, input, 0, dtype=dtype), "prod")
    x = _with_dtype(input, dtype)
    result = Prod.apply(x, dim=dim, keepdim=keepdim, dtype=_sum_dtype(x, dtype))
    return write_out(out, result, "prod")


class Cumsum(Primitive):
    @staticmethod
    def forward(ctx, x, *, dim, dtype):
        ctx.dim = dim
        total = array_module(x).cumsum(x, axis=dim, dtype=_accumulation_dtype(np.dtype(dtype)))
        return total.astype(dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        return _reverse_cumsum(grad, ctx.dim)


def _scan(op, name, input, dim, dtype, out):
    """``cumsum``/``cumprod``: ``op`` along ``dim`` in the compute dtype (integers and bools accumulate in int64)."""
    dim = wrap_dim(dim, input.ndim)
    x = _with_dtype(input, dtype)
    if x.dtype is _dtype.bool and dtype is not None:
        raise NotImplementedError(f'"{name}_out_cpu" not implemented for \'Bool\'')
    accumulation = _sum_dtype(x, dtype)
    if x.ndim == 0:
        result = op.apply(x.reshape(1), dim=0, dtype=accumulation).reshape(())
    else:
        result = op.apply(x, dim=dim, dtype=accumulation)
    return write_out(out, result, name)


def cumsum(input, dim, *, dtype=None, out=None):
    """Running sums along ``dim``; integers and bools accumulate in int64.

    >>> ember.cumsum(ember.tensor([1, 2, 3]), dim=0)
    tensor([1, 3, 6])
    """
    check_tensor(input, "input", "cumsum")
    return _scan(Cumsum, "cumsum", input, dim, dtype, out)


class Cumprod(Primitive):
    @staticmethod
    def forward(ctx, x, *, dim, dtype):
        ctx.dim = dim
        result = array_module(x).cumprod(x, axis=dim, dtype=dtype)
        ctx.save_for_backward(x, result)
        return result

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        dim = ctx.dim
        if not (x._data == 0).any():
            return _reverse_cumsum(grad * y, dim) / x
        # d/dx[k] = y[k-1] * z[k] with z[k] = grad[k] + x[k+1] * z[k+1]: no division by zero
        return _shift(y, dim, 1, fill=1.0) * _LinearScan.apply(_shift(x, dim, -1), grad, dim=dim, reverse=True)


def cumprod(input, dim, *, dtype=None, out=None):
    """Running products along ``dim``; the gradient is exact even where the input has zeros.

    >>> ember.cumprod(ember.tensor([1., 2., 3.]), dim=0)
    tensor([1., 2., 6.])
    """
    check_tensor(input, "input", "cumprod")
    return _scan(Cumprod, "cumprod", input, dim, dtype, out)


def _cumsum_(self, dim, *, dtype=None):
    """In-place :func:`cumsum`."""
    return self._assign_inplace(cumsum(self, dim, dtype=dtype))


def _cumprod_(self, dim, *, dtype=None):
    """In-place :func:`cumprod`."""
    return self._assign_inplace(cumprod(self, dim, dtype=dtype))


class CumulativeExtreme(Primitive):
    """Running max (or min) along ``dim`` and where it was found; ties and NaN take the later index."""

    @staticmethod
    def forward(ctx, x, *, dim, largest):
        xp = array_module(x)
        values = (xp.maximum if largest else xp.minimum).accumulate(x, axis=dim)
        found = x == values
        if _is_float(x):
            found |= xp.isnan(x)
        positions = xp.arange(x.shape[dim]).reshape([-1 if i == dim else 1 for i in range(x.ndim)])
        indices = xp.maximum.accumulate(xp.where(found, positions, 0), axis=dim)
        ctx.index, ctx.dim, ctx.shape = indices, dim, x.shape
        return values, indices

    @staticmethod
    def backward(ctx, grad, _):
        return _scatter_to(grad, ctx.index, ctx.dim, ctx.shape)


def _cumulative_extreme(name, input, dim, largest, out):
    dim = wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        result = _as_vector(lambda vector: _cumulative_extreme(name, vector, 0, largest, None), input)
    else:
        values, indices = CumulativeExtreme.apply(input, dim=dim, largest=largest)
        result = getattr(return_types, name)((values, indices))
    return write_out(out, result, name)


def cummax(input, dim, *, out=None):
    """Running maximum along ``dim`` and its index, as ``(values, indices)``.

    >>> ember.cummax(ember.tensor([1, 3, 2]), 0).values
    tensor([1, 3, 3])
    """
    refuse_complex(input, NotImplementedError, "\"cummax_cpu\" not implemented for '{dtype}'")
    check_tensor(input, "input", "cummax")
    return _cumulative_extreme("cummax", input, dim, True, out)


def cummin(input, dim, *, out=None):
    """Running minimum along ``dim`` and its index, as ``(values, indices)``.

    >>> ember.cummin(ember.tensor([3, 1, 2]), 0).indices
    tensor([0, 1, 1])
    """
    refuse_complex(input, NotImplementedError, "\"cummin_cpu\" not implemented for '{dtype}'")
    check_tensor(input, "input", "cummin")
    return _cumulative_extreme("cummin", input, dim, False, out)


class LogCumSumExp(Primitive):
    @staticmethod
    def forward(ctx, x, *, dim):
        ctx.dim = dim
        result = array_module(x).logaddexp.accumulate(x, axis=dim) if x.shape[dim] else x.copy()
        ctx.save_for_backward(x, result)
        return result

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        dim = ctx.dim
        # d/dx[k] = exp(x[k] - y[k]) * s[k], s[k] = grad[k] + exp(y[k] - y[k+1]) * s[k+1]: every exp <= 1
        following = _shift(y, dim, -1) + y * constant(_edge_mask(y.shape, dim, last=True), y)
        decay = (y - following).exp()
        return (x - y).exp() * _LinearScan.apply(decay, grad, dim=dim, reverse=True)


def logcumsumexp(input, dim, *, out=None):
    """``log(cumsum(exp(input)))`` along ``dim``, computed without overflow.

    >>> ember.logcumsumexp(ember.tensor([0., 0.]), 0)
    tensor([0.0000, 0.6931])
    """
    check_tensor(input, "input", "logcumsumexp")
    dim = wrap_dim(dim, input.ndim)
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"logcumsumexp_out_cpu" not implemented for \'{_type_word(input.dtype)}\'')
    if input.ndim == 0:
        return write_out(out, _as_vector(logcumsumexp, input, 0), "logcumsumexp")
    return write_out(out, LogCumSumExp.apply(input, dim=dim), "logcumsumexp")


# ----------------------------------------------------------------------------- variance and deviation

def _variance_args(name, input, dim, unbiased, correction):
    """Read PyTorch's ``var``/``std`` forms (``correction=`` or the older ``unbiased``) into (dims, correction)."""
    if not input.dtype.is_floating_point:
        raise RuntimeError("std and var only support floating point and complex dtypes")
    if isinstance(dim, bool):               # var(input, unbiased)
        if unbiased is not None:
            raise TypeError(f"{name}(): got 'unbiased' twice (positionally as {dim} and as {unbiased})")
        dim, unbiased = None, dim
    if unbiased is not None:
        if correction is not None:
            raise TypeError(f"{name}(): pass 'unbiased' or 'correction', not both")
        if not isinstance(unbiased, bool):
            raise TypeError(f"{name}(): argument 'unbiased' must be bool, not {type(unbiased).__name__}")
        correction = 1 if unbiased else 0
    elif correction is None:
        correction = 1
    return _reduction_dims(input, dim), correction


def _divisor(name, shape, dims, correction):
    """``N - correction``, floored at 0 (PyTorch warns and returns inf or NaN there)."""
    count = _count(shape, dims)
    if count - correction <= 0:
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
                      "reduction factor (input numel divided by output numel).", stacklevel=4)
    return builtins.max(0, count - correction)


def _variance_array(x, dims, divisor):
    """The variance with ``keepdims=True``, from the two-pass (centred) sum of squares."""
    xp = array_module(x)
    count = _count(x.shape, dims)
    with np.errstate(invalid="ignore", divide="ignore"):
        centre = xp.sum(x, axis=dims, keepdims=True, dtype=_accumulation_dtype(x.dtype)) / count
        deviation = x - centre
        return (xp.sum(deviation * deviation, axis=dims, keepdims=True) / divisor).astype(x.dtype)


def _centered(x, dims):
    return x - mean(x, dims, keepdim=True)


def _reciprocal(divisor):
    return 1 / divisor if divisor > 0 else math.inf


class Var(Primitive):
    @staticmethod
    def forward(ctx, x, *, dims, keepdim, divisor):
        ctx.dims, ctx.keepdim, ctx.divisor = dims, keepdim, divisor
        ctx.save_for_backward(x)
        return _squeezed(_variance_array(x, dims, divisor), x.shape, dims, keepdim)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        grad = _restore_dims(grad, x.shape, ctx.dims, ctx.keepdim)
        return grad * _centered(x, ctx.dims) * (2 * _reciprocal(ctx.divisor))


class Std(Primitive):
    @staticmethod
    def forward(ctx, x, *, dims, keepdim, divisor):
        ctx.dims, ctx.keepdim, ctx.divisor = dims, keepdim, divisor
        result = _squeezed(array_module(x).sqrt(_variance_array(x, dims, divisor)), x.shape, dims, keepdim)
        ctx.save_for_backward(x, result)
        return result

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        grad = _restore_dims(grad, x.shape, ctx.dims, ctx.keepdim)
        y = _restore_dims(y, x.shape, ctx.dims, ctx.keepdim)
        zero = y._data == 0                  # a constant slice: PyTorch's gradient is 0 there
        scale = grad * constant(~zero, y) / (y + constant(zero, y))
        return scale * _centered(x, ctx.dims) * _reciprocal(ctx.divisor)


def _spread(op, name, input, dim, unbiased, keepdim, correction, with_mean=False):
    """``Var`` or ``Std`` over ``var``'s arguments; with ``with_mean``, ``(that, the mean)`` as a plain tuple."""
    dims, correction = _variance_args(name, input, dim, unbiased, correction)
    result = op.apply(input, dims=dims, keepdim=keepdim, divisor=_divisor(name, input.shape, dims, correction))
    if not with_mean:
        return result
    return result, Mean.apply(input, dims=dims, keepdim=keepdim)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """The variance over ``dim`` with Bessel's ``correction`` (1 by default; ``unbiased=False`` means 0).

    >>> ember.var(ember.tensor([1., 2., 3., 4.]))
    tensor(1.6667)
    """
    check_tensor(input, "input", "var")
    bool_arg(keepdim, "var", "keepdim")
    return write_out(out, _spread(Var, "var", input, dim, unbiased, keepdim, correction), "var")


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """The standard deviation over ``dim``: the square root of :func:`var` (same arguments).

    >>> ember.std(ember.tensor([1., 3.]))
    tensor(1.4142)
    """
    check_tensor(input, "input", "std")
    bool_arg(keepdim, "std", "keepdim")
    return write_out(out, _spread(Std, "std", input, dim, unbiased, keepdim, correction), "std")


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var(input, ...), mean(input, ...))`` in one call, as a plain tuple.

    >>> ember.var_mean(ember.tensor([1., 3.]))
    (tensor(2.), tensor(2.))
    """
    check_tensor(input, "input", "var_mean")
    bool_arg(keepdim, "var_mean", "keepdim")
    return _spread(Var, "var_mean", input, dim, unbiased, keepdim, correction, with_mean=True)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std(input, ...), mean(input, ...))`` in one call, as a plain tuple.

    >>> ember.std_mean(ember.tensor([1., 3.]))
    (tensor(1.4142), tensor(2.))
    """
    check_tensor(input, "input", "std_mean")
    bool_arg(keepdim, "std_mean", "keepdim")
    return _spread(Std, "std_mean", input, dim, unbiased, keepdim, correction, with_mean=True)


# ----------------------------------------------------------------------------- extremes

class SelectValue(Primitive):
    """One value chosen from all of ``x`` by ``pick`` (max, min, median); ties share the gradient evenly."""

    @staticmethod
    def forward(ctx, x, *, pick):
        value = array_module(x).asarray(pick(x), dtype=x.dtype)
        ctx.save_for_backward(x, value)
        return value

    @staticmethod
    def backward(ctx, grad):
        x, value = (t._data for t in ctx.saved_tensors)
        xp = array_module(x)
        chosen = (x == value) | (xp.isnan(x) & xp.isnan(value))
        return grad * constant(chosen / builtins.max(int(chosen.sum()), 1), grad)


class SelectAlongDim(Primitive):
    """One entry per slice along ``dim``, found by ``pick`` (an index array with ``keepdims``); returns
    ``(values, indices)`` and sends the gradient to the chosen entries."""

    @staticmethod
    def forward(ctx, x, *, dim, keepdim, pick):
        xp = array_module(x)
        indices = pick(x, dim).astype(np.int64, copy=False)
        values = xp.take_along_axis(x, indices, axis=dim)
        ctx.index, ctx.dim, ctx.shape, ctx.keepdim = indices, dim, x.shape, keepdim
        if not keepdim:
            values, indices = values.squeeze(dim), indices.squeeze(dim)
        return values, indices

    @staticmethod
    def backward(ctx, grad, _):
        if not ctx.keepdim:
            grad = grad.unsqueeze(ctx.dim)
        return _scatter_to(grad, ctx.index, ctx.dim, ctx.shape)


def _select_along(name, input, dim, keepdim, pick):
    """``(values, indices)`` of a value-selecting reduction along ``dim``, as ``return_types.<name>``."""
    dim = wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        values, indices = SelectAlongDim.apply(input.reshape(1), dim=0, keepdim=False, pick=pick)
    else:
        if input.shape[dim] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")
        values, indices = SelectAlongDim.apply(input, dim=dim, keepdim=keepdim, pick=pick)
    return getattr(return_types, name)((values, indices))


def _first_max(x, dim):
    return np.argmax(x, axis=dim, keepdims=True)


def _first_min(x, dim):
    return np.argmin(x, axis=dim, keepdims=True)


class _Extreme(Primitive):
    """``amax``/``amin`` over ``dims``; tied entries share the gradient evenly."""

    grad_fn_name = "AmaxBackward0"

    @staticmethod
    def forward(ctx, x, *, dims, keepdim, largest):
        xp = array_module(x)
        result = (xp.amax if largest else xp.amin)(x, axis=dims, keepdims=True)
        ctx.dims, ctx.keepdim = dims, keepdim
        result = _squeezed(result, x.shape, dims, keepdim)
        ctx.save_for_backward(x, result)
        return result

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        hit = x._data == _restore_dims(y, x.shape, ctx.dims, ctx.keepdim)._data
        with np.errstate(invalid="ignore", divide="ignore"):
            weights = hit / hit.sum(axis=ctx.dims, keepdims=True)
        return _restore_dims(grad, x.shape, ctx.dims, ctx.keepdim) * constant(weights, grad)


def _check_nonempty(name, input, dims):
    """PyTorch's errors for a max-like reduction over no elements."""
    if dims is None:
        if input.numel() == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")
        return
    for d in dims:
        if input.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


def _extreme_over(name, input, dim, keepdim, largest):
    dims = _reduction_dims(input, dim)
    _check_nonempty(name, input, dims)
    return _Extreme.apply(input, dims=dims, keepdim=keepdim, largest=largest)


def amax(input, dim=(), keepdim=False, *, out=None):
    """The maximum over ``dim`` (all dims by default); tied maxima share the gradient evenly.

    >>> ember.amax(ember.tensor([[1, 5], [4, 2]]), dim=0)
    tensor([4, 5])
    """
    refuse_complex(input, NotImplementedError, "\"max_values_cpu\" not implemented for '{dtype}'")
    check_tensor(input, "input", "amax")
    bool_arg(keepdim, "amax", "keepdim")
    return write_out(out, _extreme_over("amax", input, dim, keepdim, True), "amax")


def amin(input, dim=(), keepdim=False, *, out=None):
    """The minimum over ``dim`` (all dims by default); tied minima share the gradient evenly.

    >>> ember.amin(ember.tensor([[1, 5], [4, 2]]), dim=1)
    tensor([1, 2])
    """
    refuse_complex(input, NotImplementedError, "\"min_values_cpu\" not implemented for '{dtype}'")
    check_tensor(input, "input", "amin")
    bool_arg(keepdim, "amin", "keepdim")
    return write_out(out, _extreme_over("amin", input, dim, keepdim, False), "amin")


def aminmax(input, *, dim=None, keepdim=False, out=None):
    """``(min, max)`` over ``dim`` (or everything) in one call, as ``return_types.aminmax``.

    >>> ember.aminmax(ember.tensor([3, 1, 2]))
    ember.return_types.aminmax(
    min=tensor(1),
    max=tensor(3))
    """
    refuse_complex(input, NotImplementedError, "\"aminmax_cpu\" not implemented for '{dtype}'")
    check_tensor(input, "input", "aminmax")
    bool_arg(keepdim, "aminmax", "keepdim")
    if dim is None and input.numel() == 0:
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
                           "identity.")
    dims = None if dim is None else _reduction_dims(input, wrap_dim(dim, input.ndim))
    if dims is not None and input.shape[dims[0]] == 0:
        raise IndexError(f"aminmax: Expected reduction dim {dims[0]} to have non-zero size.")
    low = _Extreme.apply(input, dims=dims, keepdim=keepdim, largest=False)
    high = _Extreme.apply(input, dims=dims, keepdim=keepdim, largest=True)
    return write_out(out, return_types.aminmax((low, high)), "aminmax")


def _max_or_min(name, input, dim, keepdim, other, out):
    """The three forms of ``max``/``min``: everything, along ``dim``, or elementwise with ``other``."""
    if isinstance(dim, Tensor):
        dim, other = None, dim
    if other is not None:
        if not isinstance(other, Tensor):
            raise TypeError(f"{name}(): argument 'other' must be Tensor, not {type(other).__name__}")
        return write_out(out, (maximum if name == "max" else minimum)(input, other), name)
    if dim is None:
        if keepdim:
            raise TypeError(f"{name}(): keepdim=True needs a dim; got keepdim without dim")
        _check_nonempty(name, input, None)
        pick = _whole_max if name == "max" else _whole_min
        return write_out(out, SelectValue.apply(input, pick=pick), name)
    if isinstance(dim, float):
        raise TypeError(f"{name}(): argument 'dim' must be int or a Tensor (other), not float")
    pick = _first_max if name == "max" else _first_min
    return write_out(out, _select_along(name, input, dim, keepdim, pick), name)


def _whole_max(x):
    return array_module(x).max(x)


def _whole_min(x):
    return array_module(x).min(x)


def max(input, dim=None, keepdim=False, *, other=None, out=None):
    """The largest element; with ``dim``, ``(values, indices)`` per slice; with a tensor, the elementwise maximum.

    >>> ember.max(ember.tensor([[1, 5], [4, 2]]), dim=1)
    ember.return_types.max(
    values=tensor([5, 4]),
    indices=tensor([1, 0]))
    """
    check_tensor(input, "input", "max")
    bool_arg(keepdim, "max", "keepdim")
    _refuse_complex_extreme("max", input, dim, other)
    return _max_or_min("max", input, dim, keepdim, other, out)


def min(input, dim=None, keepdim=False, *, other=None, out=None):
    """The smallest element; with ``dim``, ``(values, indices)`` per slice; with a tensor, the elementwise minimum.

    >>> ember.min(ember.tensor([3., 1., 2.]))
    tensor(1.)
    """
    check_tensor(input, "input", "min")
    bool_arg(keepdim, "min", "keepdim")
    _refuse_complex_extreme("min", input, dim, other)
    return _max_or_min("min", input, dim, keepdim, other, out)


def _refuse_complex_extreme(name, input, dim, other):
    """PyTorch's errors for max/min of a complex tensor (the elementwise form raises in maximum/minimum)."""
    if other is None and dim is None:
        refuse_complex(input, NotImplementedError, f"\"{name}_all\" not implemented for '{{dtype}}'")
    elif other is None:
        refuse_complex(input, RuntimeError, f"{name}(): does not support complex input")


def _arg_extreme(name, input, dim, keepdim):
    if input.dtype is _dtype.bool:
        raise RuntimeError(f"{name}(): does not support bool input")
    find = np.argmax if name == "argmax" else np.argmin
    if dim is None:
        if input.numel() == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
        index = np.asarray(find(input._data.reshape(-1)), dtype=np.int64)
        return Tensor._make(index.reshape((1,) * input.ndim if keepdim else ()))
    dim = wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        return Tensor._make(np.zeros((), dtype=np.int64))
    if input.shape[dim] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")
    return Tensor._make(find(input._data, axis=dim, keepdims=keepdim).astype(np.int64))


def argmax(input, dim=None, keepdim=False, *, out=None):
    """The index of the (first) largest element, in the flattened input or along ``dim``.

    >>> ember.argmax(ember.tensor([[1, 5], [4, 2]]), dim=1)
    tensor([1, 0])
    """
    refuse_complex(input, RuntimeError, "argmax(): does not support complex input")
    check_tensor(input, "input", "argmax")
    bool_arg(keepdim, "argmax", "keepdim")
    return write_out(out, _arg_extreme("argmax", input, dim, keepdim), "argmax")


def argmin(input, dim=None, keepdim=False, *, out=None):
    """The index of the (first) smallest element, in the flattened input or along ``dim``.

    >>> ember.argmin(ember.tensor([3, 1, 2]))
    tensor(1)
    """
    refuse_complex(input, RuntimeError, "argmin(): does not support complex input")
    check_tensor(input, "input", "argmin")
    bool_arg(keepdim, "argmin", "keepdim")
    return write_out(out, _arg_extreme("argmin", input, dim, keepdim), "argmin")


def logsumexp(input, dim, keepdim=False, *, out=None):
    """``log(sum(exp(input)))`` over ``dim``, shifted by the maximum so it neither overflows nor underflows.

    >>> ember.logsumexp(ember.tensor([0., 0.]), 0)
    tensor(0.6931)
    """
    check_tensor(input, "input", "logsumexp")
    bool_arg(keepdim, "logsumexp", "keepdim")
    x = as_float_input(input)
    return write_out(out, LogSumExp.apply(x, dims=_reduction_dims(x, dim), keepdim=keepdim), "logsumexp")


class LogSumExp(Primitive):
    @staticmethod
    def forward(ctx, x, *, dims, keepdim):
        xp = array_module(x)
        shift = xp.amax(x, axis=dims, keepdims=True, initial=-np.inf)
        shift = xp.where(xp.isfinite(shift), shift, 0).astype(x.dtype)
        with np.errstate(divide="ignore"):
            total = xp.log(xp.sum(xp.exp(x - shift), axis=dims, keepdims=True)) + shift
        ctx.dims, ctx.keepdim = dims, keepdim
        result = _squeezed(total, x.shape, dims, keepdim)
        ctx.save_for_backward(x, result)
        return result

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        grad = _restore_dims(grad, x.shape, ctx.dims, ctx.keepdim)
        return grad * (x - _restore_dims(y, x.shape, ctx.dims, ctx.keepdim)).exp()


# ----------------------------------------------------------------------------- medians and modes

def _median_index(x, dim, skip_nan):
    """Per slice along ``dim``: the index of the lower median (of the non-NaN entries with ``skip_nan``).

    Equal values are ranked by position, as PyTorch's CPU kernel ranks them: the median
    value comes from a partition, then its index is the matching occurrence among the
    entries equal to it. Without ``skip_nan`` a slice holding NaN gives its first NaN.
    """
    kept_shape = _reduced_shape(x.shape, (dim,), True)
    size = x.shape[dim]
    missing = np.isnan(x).sum(axis=dim, keepdims=True) if _is_float(x) else np.zeros(kept_shape, np.int64)
    rank = np.maximum((size - missing - 1) // 2, 0) if skip_nan else np.full(kept_shape, (size - 1) // 2)
    value = np.take_along_axis(np.partition(x, np.unique(rank), axis=dim), rank, axis=dim)   # NaN goes last
    equal = x == value
    occurrence = np.cumsum(equal, axis=dim) - 1
    wanted = rank - (x < value).sum(axis=dim, keepdims=True)
    index = np.argmax(equal & (occurrence == wanted), axis=dim, keepdims=True)
    if skip_nan or not missing.any():
        return index
    return np.where(missing > 0, np.argmax(np.isnan(x), axis=dim, keepdims=True), index)


def _plain_median_index(x, dim):
    return _median_index(x, dim, skip_nan=False)


def _nan_median_index(x, dim):
    return _median_index(x, dim, skip_nan=True)


def _whole_median(x, skip_nan=False):
    """The lower median of all of ``x`` (NaN if any entry is NaN, unless ``skip_nan``)."""
    flat = x.reshape(-1)
    if _is_float(x):
        missing = np.isnan(flat)
        if skip_nan:
            flat = flat[~missing]
        elif missing.any():
            return np.asarray(np.nan, dtype=x.dtype)
    if flat.size == 0:
        return np.asarray(np.nan if _is_float(x) else np.iinfo(np.int64).min).astype(x.dtype)
    middle = (flat.size - 1) // 2
    return np.partition(flat, middle)[middle]


def _whole_nanmedian(x):
    return _whole_median(x, skip_nan=True)


def _median(name, input, dim, keepdim, out, skip_nan):
    if input.dtype is _dtype.bool:
        raise NotImplementedError(f'"{name}_cpu" not implemented for \'Bool\'')
    if dim is None:
        if keepdim:
            raise TypeError(f"{name}(): keepdim=True needs a dim; got keepdim without dim")
        pick = _whole_nanmedian if skip_nan else _whole_median
        return write_out(out, SelectValue.apply(input, pick=pick), name)
    pick = _nan_median_index if skip_nan else _plain_median_index
    return write_out(out, _select_along(name, input, dim, keepdim, pick), name)


def median(input, dim=None, keepdim=False, *, out=None):
    """The lower median of all elements; with ``dim``, ``(values, indices)`` per slice. NaN wins.

    >>> ember.median(ember.tensor([4., 1., 3., 2.]))
    tensor(2.)
    """
    refuse_complex(input, NotImplementedError, "\"median_cpu\" not implemented for '{dtype}'")
    check_tensor(input, "input", "median")
    bool_arg(keepdim, "median", "keepdim")
    return _median("median", input, dim, keepdim, out, skip_nan=False)


def nanmedian(input, dim=None, keepdim=False, *, out=None):
    """Like :func:`median`, ignoring NaN (NaN only where a slice is all NaN).

    >>> ember.nanmedian(ember.tensor([1., float('nan'), 3., 2.]))
    tensor(2.)
    """
    refuse_complex(input, NotImplementedError, "\"median_cpu\" not implemented for '{dtype}'")
    check_tensor(input, "input", "nanmedian")
    bool_arg(keepdim, "nanmedian", "keepdim")
    return _median("nanmedian", input, dim, keepdim, out, skip_nan=True)


def _mode_index(x, dim):
    """Per slice: the index of the last occurrence of the most frequent value (the smallest on ties)."""
    rows = np.moveaxis(x, dim, -1)
    order = np.argsort(rows, axis=-1, kind="stable")
    ordered = np.take_along_axis(rows, order, axis=-1)
    starts = np.ones(ordered.shape, dtype=bool)
    starts[..., 1:] = ordered[..., 1:] != ordered[..., :-1]
    position = np.arange(ordered.shape[-1])
    run_start = np.maximum.accumulate(np.where(starts, position, 0), axis=-1)
    run_length = position - run_start + 1
    best = np.argmax(run_length, axis=-1, keepdims=True)       # ends the first (smallest) longest run
    return np.moveaxis(np.take_along_axis(order, best, axis=-1), -1, dim)


def mode(input, dim=-1, keepdim=False, *, out=None):
    """The most frequent value along ``dim`` (the smallest on ties) and its last index.

    >>> ember.mode(ember.tensor([3, 1, 3, 2])).values
    tensor(3)
    """
    refuse_complex(input, NotImplementedError, "\"mode_cpu\" not implemented for '{dtype}'")
    check_tensor(input, "input", "mode")
    bool_arg(keepdim, "mode", "keepdim")
    return write_out(out, _select_along("mode", input, dim, keepdim, _mode_index), "mode")


# ----------------------------------------------------------------------------- norms

def _p_norm_array(x, p, axis, keepdims):
    """The ``p``-norm of array ``x`` over ``axis``: ``inf``/``-inf`` take the largest/smallest magnitude, 0 counts
    the nonzero entries (shared with ``linalg.vector_norm`` and ``cdist``)."""
    xp = array_module(x)
    size = xp.abs(x)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if p == math.inf:
            return xp.max(size, axis=axis, keepdims=keepdims, initial=0)
        if p == -math.inf:
            return xp.min(size, axis=axis, keepdims=keepdims)
        if p == 0:
            return (size != 0).sum(axis=axis, keepdims=keepdims).astype(x.dtype)
        if p == 1:
            return xp.sum(size, axis=axis, keepdims=keepdims)
        if p == 2:
            return xp.sqrt(xp.sum(size * size, axis=axis, keepdims=keepdims))
        return xp.sum(size ** p, axis=axis, keepdims=keepdims) ** (1 / p)


class Norm(Primitive):
    """The ``p``-norm over ``dims`` (``norm`` and ``linalg.vector_norm``); half precision is computed in float32.

    Tied extremes of the inf-norms share the gradient; see ``_norm_slope`` for the others.
    """

    grad_fn_name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx, x, *, p, dims, keepdim):
        work = x.astype(np.float32) if x.dtype.itemsize < 4 else x
        result = array_module(x).asarray(_p_norm_array(work, p, dims, keepdim)).astype(x.dtype, copy=False)
        ctx.p, ctx.dims, ctx.keepdim = p, dims, keepdim
        ctx.save_for_backward(x, result)
        return result

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        p = ctx.p
        if p == 0:
            return None
        grad = _restore_dims(grad, x.shape, ctx.dims, ctx.keepdim)
        y = _restore_dims(y, x.shape, ctx.dims, ctx.keepdim)
        sign = constant(np.sign(x._data), x)
        if p == 1:
            return grad * sign
        if math.isinf(p):
            hit = np.abs(x._data) == y._data
            return grad * sign * constant(hit / np.maximum(hit.sum(axis=ctx.dims, keepdims=True), 1), x)
        return grad * _norm_slope(x, y, sign, p)


def _norm_slope(x, y, sign, p):
    """d||x||_p / dx = sign(x) |x|^(p-1) / ||x||^(p-1), taken as 0 where PyTorch does (||x|| = 0, or x = 0, p < 1)."""
    y_zero = y._data == 0
    y_safe = y + constant(y_zero, y)
    if p == 2:
        return x / y_safe * constant(~y_zero, y)
    size = x * sign
    x_zero = x._data == 0
    if p < 1:
        size = size + constant(x_zero, x)
    slope = sign * size ** (p - 1) / y_safe ** (p - 1) * constant(~y_zero, y)
    return slope * constant(~x_zero, x) if p < 1 else slope


def _matrix_norm_dims(dim):
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    if len(dims) > 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dims))}")


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """The ``p``-norm over ``dim`` (all elements by default): a number, ``inf``, ``-inf``, ``0`` or ``'fro'``.

    >>> ember.norm(ember.tensor([3., 4.]))
    tensor(5.)
    """
    check_tensor(input, "input", "norm")
    bool_arg(keepdim, "norm", "keepdim")
    if dtype is not None and not _dtype.to_dtype(dtype).is_floating_point:
        raise RuntimeError(f"linalg.vector_norm: dtype should be floating point or complex, but got "
                           f"{_type_word(_dtype.to_dtype(dtype))}")
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                           f"{_type_word(input.dtype)}")
    if p is None:
        p = "fro"
    if isinstance(p, str):
        if p == "nuc":
            return write_out(out, _nuclear_norm(input, dim, keepdim, dtype), "norm")
        if p != "fro":
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        if dim is not None:
            _matrix_norm_dims(dim)
        p = 2
    x = _with_dtype(input, dtype)
    dims = _reduction_dims(x, dim)
    if math.isinf(p) and (x.numel() == 0 if dims is None else builtins.any(x.shape[d] == 0 for d in dims)):
        raise RuntimeError("linalg.vector_norm cannot compute the inf norm on an empty tensor because the operation "
                           "does not have an identity")
    return write_out(out, Norm.apply(x, p=float(p), dims=dims, keepdim=keepdim), "norm")


def _nuclear_norm(input, dim, keepdim, dtype):
    """``norm(p='nuc')`` is linear algebra: ``ember.linalg.matrix_norm``."""
    from .. import linalg  # it builds on this module, so it is imported when needed
    return linalg.matrix_norm(input, "nuc", dim=(-2, -1) if dim is None else dim, keepdim=keepdim, dtype=dtype)


# ----------------------------------------------------------------------------- logical reductions and counts

def _logical(reduce, input, dim, keepdim):
    """``all``/``any``: bool results (uint8 for uint8 input, as PyTorch)."""
    result = reduce(input._data, axis=_reduction_dims(input, dim), keepdims=keepdim)
    return Tensor._make(np.asarray(result, dtype=np.uint8 if input.dtype is _dtype.uint8 else bool))


def all(input, dim=None, keepdim=False, *, out=None):
    """True where every element (over ``dim``, or everywhere) is non-zero.

    >>> ember.all(ember.tensor([[True, False], [True, True]]), dim=1)
    tensor([False,  True])
    """
    check_tensor(input, "input", "all")
    bool_arg(keepdim, "all", "keepdim")
    return write_out(out, _logical(np.all, input, dim, keepdim), "all")


def any(input, dim=None, keepdim=False, *, out=None):
    """True where some element (over ``dim``, or anywhere) is non-zero.

    >>> ember.any(ember.tensor([0, 0, 2]))
    tensor(True)
    """
    check_tensor(input, "input", "any")
    bool_arg(keepdim, "any", "keepdim")
    return write_out(out, _logical(np.any, input, dim, keepdim), "any")


def count_nonzero(input, dim=None):
    """How many elements are non-zero, over ``dim`` (an int or tuple) or everywhere, as int64.

    >>> ember.count_nonzero(ember.tensor([[0, 1], [2, 3]]), dim=0)
    tensor([1, 2])
    """
    check_tensor(input, "input", "count_nonzero")
    counts = np.count_nonzero(input._data, axis=_reduction_dims(input, dim))
    return Tensor._make(np.asarray(counts, dtype=np.int64))


# ----------------------------------------------------------------------------- differences

def _check_diff_extra(input, extra, dim):
    if extra.ndim != input.ndim:
        raise RuntimeError("diff expects prepend or append to be the same dimension as input")
    for d in range(input.ndim):
        if d != dim and extra.shape[d] != input.shape[d]:
            raise RuntimeError(f"diff expects the shape of tensor to prepend or append to match that of input "
                               f"except along the differencing dimension; input.size({d}) = {input.shape[d]}, "
                               f"but got tensor.size({d}) = {extra.shape[d]}")


def diff(input, n=1, dim=-1, prepend=None, append=None, *, out=None):
    """The ``n``-th forward difference along ``dim``, after joining ``prepend`` and ``append`` to the input.

    >>> ember.diff(ember.tensor([1, 4, 9, 16]))
    tensor([3, 5, 7])
    """
    check_tensor(input, "input", "diff")
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    n = int_arg(n, "diff", "n")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    dim = wrap_dim(dim, input.ndim)
    extras = [t for t in (prepend, append) if t is not None]
    for extra in extras:
        _check_diff_extra(input, extra, dim)
    if n == 0 and not extras:
        return write_out(out, input.clone(), "diff")
    x = input
    if extras:
        x = cat([t for t in (prepend, input, append) if t is not None], dim)
    for _ in range(n):
        length = x.shape[dim]
        if length == 0:
            break
        later, earlier = narrow(x, dim, 1, length - 1), narrow(x, dim, 0, length - 1)
        x = Tensor._make(later._data != earlier._data) if x.dtype is _dtype.bool else later - earlier
    return write_out(out, x, "diff")


def _norm_method(self, p="fro", dim=None, keepdim=False, dtype=None):
    """``Tensor.norm``: :func:`norm` without ``out`` (so ``dtype`` is the fourth positional argument)."""
    return norm(self, p, dim, keepdim, dtype=dtype)


TENSOR_METHODS = {name: globals()[name] for name in __all__ if name not in ("std_mean", "var_mean")}
TENSOR_METHODS.update({"norm": _norm_method, "sum_to_size": sum_to_size, "cumsum_": _cumsum_,
                       "cumprod_": _cumprod_})
