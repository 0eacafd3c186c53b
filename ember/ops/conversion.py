"""Copies and dtype conversions: ``clone``, ``contiguous``, ``Tensor.to(dtype)``, ``float()``..."""

import warnings

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd.function import Primitive
from ._util import check_tensor

__all__ = ["clone"]


class Clone(Primitive):
    @staticmethod
    def forward(ctx, x, *, order="C"):
        return x.copy(order=order)

    @staticmethod
    def backward(ctx, grad):
        return grad


class Cast(Primitive):
    """Convert to another dtype; the gradient converts back (and is None for non-float inputs)."""

    grad_fn_name = "ToCopyBackward0"
    complex_backward = True

    @staticmethod
    def forward(ctx, x, *, dtype):
        ctx.input_dtype = _dtype.from_numpy_dtype(x.dtype)
        if x.dtype.kind == "c" and dtype is _dtype.bool:
            return x != 0       # nonzero when either part is
        if x.dtype.kind == "c" and not dtype.is_complex:
            x = x.real          # complex to real keeps the real part (the caller has warned)
        return x.astype(dtype.np_dtype)

    @staticmethod
    def backward(ctx, grad):
        source = ctx.input_dtype
        if not (source.is_floating_point or source.is_complex):
            return None
        if grad.dtype.is_complex and not source.is_complex:
            grad = grad.real        # a real input gets the real part of a complex result's gradient
        return grad._cast(source)


def clone(input, *, memory_format=None):
    """A copy of ``input`` in new memory; gradients flow back to ``input``.

    >>> ember.tensor([1, 2]).clone()
    tensor([1, 2])
    """
    check_tensor(input, "input", "clone")
    return Clone.apply(input, order="K")     # keeps a dense layout such as a transpose, as PyTorch does


def contiguous(self, memory_format=None):
    """``self`` when its memory is C-contiguous, else a contiguous copy."""
    if self._data.flags.c_contiguous:
        return self
    return Clone.apply(self)


def _cast(self, dtype):
    """``self`` converted to ``dtype`` (a differentiable copy), or ``self`` when it already is."""
    if self._data.dtype == dtype.np_dtype:
        return self
    if self._data.dtype.kind == "c" and not dtype.is_complex and dtype is not _dtype.bool:
        warnings.warn("Casting complex values to real discards the imaginary part", UserWarning, stacklevel=3)
    return Cast.apply(self, dtype=dtype)


def _caster(dtype):
    def convert(self, memory_format=None):
        return _cast(self, dtype)
    convert.__name__ = dtype.name
    convert.__doc__ = f"``self`` converted to ember.{dtype.name}."
    return convert


TENSOR_METHODS = {
    "clone": clone,
    "contiguous": contiguous,
    "_cast": _cast,
    "float": _caster(_dtype.float32),
    "double": _caster(_dtype.float64),
    "half": _caster(_dtype.float16),
    "long": _caster(_dtype.int64),
    "int": _caster(_dtype.int32),
    "short": _caster(_dtype.int16),
    "char": _caster(_dtype.int8),
    "byte": _caster(_dtype.uint8),
    "bool": _caster(_dtype.bool),
    "bfloat16": lambda self, memory_format=None: _cast(self, _dtype._load_bfloat16()),
    "cfloat": _caster(_dtype.complex64),
    "cdouble": _caster(_dtype.complex128),
}


def copy_(self, src, non_blocking=False):
    """Copy ``src`` (broadcast, any dtype) into this tensor in place; gradients flow to ``src``.

    >>> ember.zeros(2).copy_(ember.tensor([1, 2]))
    tensor([1., 2.])
    """
    if isinstance(src, (bool, int, float)):      # PyTorch fills with a Python number
        src = Tensor._make(np.array(src))
    check_tensor(src, "other", "copy_")
    value = _cast(src, self.dtype)
    if value.shape != self.shape:
        value = value.expand(self.shape)
    return self._assign_inplace(value)


TENSOR_METHODS["copy_"] = copy_
