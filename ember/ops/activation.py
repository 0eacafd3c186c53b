"""Softmax and log-softmax along a dimension, fused (one forward pass, one backward rule each).

They live in the core because PyTorch has them as ``torch.softmax`` and Tensor methods;
``nn.functional`` reuses them.
"""

from .. import _dtype
from .._device import array_module
from ..autograd.function import Primitive
from ._util import check_tensor, wrap_dim

__all__ = ["softmax", "log_softmax"]


def _shifted(x, dim):
    """``x`` minus its maximum along ``dim`` (so exp cannot overflow); a fresh array."""
    if x.size == 0:
        return x.copy()
    return x - array_module(x).max(x, axis=dim, keepdims=True)


class Softmax(Primitive):
    @staticmethod
    def forward(ctx, x, *, dim):
        xp = array_module(x)
        y = xp.exp(_shifted(x, dim))
        y /= xp.sum(y, axis=dim, keepdims=True)
        ctx.dim = dim
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return y * (grad - (grad * y).sum(ctx.dim, keepdim=True))


class LogSoftmax(Primitive):
    @staticmethod
    def forward(ctx, x, *, dim):
        xp = array_module(x)
        y = _shifted(x, dim)
        if y.size:
            y -= xp.log(xp.sum(xp.exp(y), axis=dim, keepdims=True))
        ctx.dim = dim
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad - y.exp() * grad.sum(ctx.dim, keepdim=True)


def _prepare(input, dim, dtype, name):
    check_tensor(input, "input", name)
    if dim is None:
        raise TypeError(f"{name}() missing required argument 'dim' (ember follows PyTorch, which deprecated the "
                        "implicit choice of dim)")
    if dtype is not None:
        input = input._cast(_dtype.to_dtype(dtype))
    elif not input.dtype.is_floating_point:
        # PyTorch's own error type here: it has no integer softmax kernel.
        raise NotImplementedError(f'"{name}_lastdim_kernel_impl" not implemented for \'{_type_word(input)}\'')
    return input, wrap_dim(dim, input.ndim)


def _type_word(input):
    from .._tensor import _type_word as word
    return word(input.dtype)


def softmax(input, dim=None, dtype=None):
    """``exp(x) / exp(x).sum(dim)``, computed stably; ``dtype`` casts the input first.

    >>> ember.softmax(ember.tensor([1.0, 2.0, 3.0]), dim=0)
    tensor([0.0900, 0.2447, 0.6652])
    """
    input, dim = _prepare(input, dim, dtype, "softmax")
    return Softmax.apply(input, dim=dim)


def log_softmax(input, dim=None, dtype=None):
    """``log(softmax(x))`` along ``dim``, computed without forming the softmax.

    >>> ember.log_softmax(ember.tensor([1.0, 2.0, 3.0]), dim=0)
    tensor([-2.4076, -1.4076, -0.4076])
    """
    input, dim = _prepare(input, dim, dtype, "log_softmax")
    return LogSoftmax.apply(input, dim=dim)


TENSOR_METHODS = {"softmax": softmax, "log_softmax": log_softmax}
