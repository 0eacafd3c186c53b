"""Tensor creation: from data, filled with a value, and ranges."""

import numpy as np

from . import _dtype
from ._device import check_available, to_device
from ._tensor import Tensor, _to_array

__all__ = ["tensor", "as_tensor", "from_numpy", "zeros", "ones", "full", "empty", "arange"]


def _finish(array, device, requires_grad):
    if device is not None:
        check_available(to_device(device))
    t = Tensor._make(array)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _size_arg(size):
    if len(size) == 1 and not isinstance(size[0], (int, np.integer)):
        size = size[0]
    size = tuple(int(s) for s in size)
    for s in size:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
    return size


def _np_dtype(dtype, default=None):
    d = _dtype.to_dtype(dtype) if dtype is not None else (default or _dtype.get_default_dtype())
    return d.np_dtype


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data`` (nested lists, numbers, arrays or tensors).

    >>> ember.tensor([[1, 2], [3, 4]], dtype=ember.float32)
    tensor([[1., 2.],
            [3., 4.]])
    """
    return _finish(np.array(_to_array(data, dtype)), device, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """``data`` as a tensor, sharing memory with a NumPy array or tensor when no conversion is needed.

    >>> ember.as_tensor([1.0, 2.0])
    tensor([1., 2.])
    """
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray):
        return _finish(_to_array(data, dtype), device, False)
    return _finish(_to_array(data, dtype), device, False)


def from_numpy(ndarray):
    """A tensor sharing memory with ``ndarray``: changes to one show in the other.

    >>> a = numpy.zeros(2); t = ember.from_numpy(a); a[0] = 5; t
    tensor([5., 0.], dtype=ember.float64)
    """
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dtype.from_numpy_dtype(ndarray.dtype)
    return Tensor._make(ndarray)


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A tensor of zeros of shape ``size``.

    >>> ember.zeros(2, 3).shape
    ember.Size([2, 3])
    """
    return _finish(np.zeros(_size_arg(size), dtype=_np_dtype(dtype)), device, requires_grad)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A tensor of ones of shape ``size``.

    >>> ember.ones(2)
    tensor([1., 1.])
    """
    return _finish(np.ones(_size_arg(size), dtype=_np_dtype(dtype)), device, requires_grad)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          memory_format=None):
    """A tensor of shape ``size`` with uninitialised values.

    >>> ember.empty(3).shape
    ember.Size([3])
    """
    return _finish(np.empty(_size_arg(size), dtype=_np_dtype(dtype)), device, requires_grad)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """A tensor of shape ``size`` filled with ``fill_value``; the dtype follows the value's type.

    >>> ember.full((2,), 7)
    tensor([7, 7])
    """
    if dtype is None:
        dtype = _dtype.scalar_dtype(fill_value.item() if isinstance(fill_value, Tensor) else fill_value)
    return _finish(np.full(_size_arg((size,)), fill_value, dtype=_np_dtype(dtype)), device, requires_grad)


def arange(start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Values from ``start`` to ``end`` (exclusive) in steps of ``step``; integers unless any is a float.

    >>> ember.arange(5)
    tensor([0, 1, 2, 3, 4])
    """
    if end is None:
        start, end = 0, start
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if values[2] == 0:
        raise RuntimeError("step must be nonzero")
    if (values[1] - values[0]) / values[2] < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    if dtype is None:
        is_float = any(isinstance(v, float) for v in values)
        dtype = _dtype.get_default_dtype() if is_float else _dtype.int64
    d = _dtype.to_dtype(dtype)
    n = int(np.ceil((values[1] - values[0]) / values[2]))
    array = (values[0] + values[2] * np.arange(n, dtype=np.float64)).astype(d.np_dtype) if \
        d.is_floating_point else np.arange(values[0], values[1], values[2], dtype=d.np_dtype)
    return _finish(array, device, requires_grad)


TENSOR_METHODS = {}
