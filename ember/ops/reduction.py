"""Reductions: sums, means, extremes, statistics and scans over dimensions."""

from .._device import array_module
from ..autograd.function import Primitive
from ._util import wrap_dims

__all__ = ["sum"]


def _reduced_shape(shape, dims, keepdim):
    if dims is None:
        return (1,) * len(shape) if keepdim else ()
    return tuple(1 if i in dims else s for i, s in enumerate(shape)) if keepdim else \
        tuple(s for i, s in enumerate(shape) if i not in dims)


def _restore_dims(grad, input_shape, dims, keepdim):
    """Reshape a reduced gradient so it broadcasts against the input again."""
    if keepdim or not input_shape:
        return grad
    return grad.reshape(_reduced_shape(input_shape, dims, True))


class Sum(Primitive):
    @staticmethod
    def forward(ctx, x, *, dims, keepdim, dtype):
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        return array_module(x).sum(x, axis=dims, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        return _restore_dims(grad, ctx.shape, ctx.dims, ctx.keepdim).expand(ctx.shape)


def _sum_dtype(input, dtype):
    """PyTorch sums integers and bools in int64 unless told otherwise."""
    from .._dtype import int64, to_dtype
    if dtype is not None:
        return to_dtype(dtype).np_dtype
    if input.dtype.is_floating_point:
        return input._data.dtype
    return int64.np_dtype


def sum(input, dim=None, keepdim=False, *, dtype=None):
    """The sum of all elements, or over ``dim`` (an int or a tuple of ints).

    >>> ember.sum(ember.tensor([[1, 2], [3, 4]]), dim=0)
    tensor([4, 6])
    """
    dims = wrap_dims(dim, input.ndim) if dim is not None and dim != () and dim != [] else None
    return Sum.apply(input, dims=dims, keepdim=keepdim, dtype=_sum_dtype(input, dtype))


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
    shape = tuple(size[0]) if len(size) == 1 and not isinstance(size[0], int) else tuple(size)
    lead = self.ndim - len(shape)
    if lead < 0 or any(s != 1 and s != x for s, x in zip(shape, self.shape[lead:])):
        raise RuntimeError(f"size {{{', '.join(map(str, shape))}}} is not expandable to size "
                           f"{{{', '.join(map(str, self.shape))}}}.")
    if tuple(self.shape) == shape:
        return self
    return SumToSize.apply(self, shape=shape)


TENSOR_METHODS = {"sum": sum, "sum_to_size": sum_to_size}
