"""Tensor creation: from data, filled with a value, ranges, and the ``new_*``/``fill_`` methods.

``ember.tensor`` infers its dtype exactly as ``torch.tensor`` does: Python floats take
the default dtype, ints int64, bools bool, and mixed data the promotion of all its
elements; NumPy arrays and scalars and 0-dim tensors inside the data keep their dtype.
"""

import warnings

import numpy as np

from . import _dtype
from ._device import array_module, check_available, to_device
from ._tensor import Tensor, _type_word
from .autograd.function import Primitive

__all__ = ["tensor", "fill", "as_tensor", "asarray", "from_numpy", "scalar_tensor",
           "zeros", "ones", "full", "empty", "empty_strided", "eye",
           "zeros_like", "ones_like", "full_like", "empty_like",
           "arange", "range", "linspace", "logspace"]

_builtin_range = range
_PYTHON_SCALARS = {bool, int, float, complex}


# ----------------------------------------------------------------------------- shared helpers

def _finish(array, device=None, requires_grad=False, out=None):
    """Wrap a freshly made array as a Tensor (or write it into ``out``), checking device and grad flag."""
    if device is not None:
        check_available(to_device(device))
    if out is not None:
        return _write_out(out, array, requires_grad)
    t = Tensor._make(array)
    if requires_grad:
        _require_grad(t)
    return t


def _require_grad(t):
    if not (t.dtype.is_floating_point or t.dtype.is_complex):
        raise RuntimeError(f"Only Tensors of floating point and complex dtype can require gradients, got "
                           f"{t.dtype}")
    t.requires_grad_(True)


def _write_out(out, array, requires_grad=False):
    """Honour ``out=``: resize ``out`` when its shape differs, then copy ``array`` into it."""
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    if out.requires_grad or requires_grad:
        raise RuntimeError("creation functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    if out.shape != array.shape:
        out._data = np.empty(array.shape, dtype=out._data.dtype)
    out._data[...] = array
    out._bump_version()
    return out


def _size_arg(size, fn):
    """Read a size given as ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` or ``f(ember.Size(...))``."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    dims = []
    for position, s in enumerate(size, start=1):
        if isinstance(s, Tensor) and s.ndim == 0 and not s.dtype.is_floating_point:
            s = s.item()
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
            raise TypeError(f"{fn}(): argument 'size' failed to unpack the object at pos {position} with error "
                            f"\"type must be tuple of ints,but got {type(s).__name__}\"")
        dims.append(int(s))
    for s in dims:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {dims}")
    return tuple(dims)


def _sizes(sizes, size, fn):
    """The size of a ``fn(*sizes, size=None)`` call: positional sizes or the ``size=`` keyword."""
    if size is not None:
        if sizes:
            raise TypeError(f"{fn}() got multiple values for argument 'size'")
        sizes = (size,)
    if not sizes:
        raise TypeError(f'{fn}() missing 1 required positional arguments: "size"')
    return _size_arg(sizes, fn)


def _dtype_or_default(dtype):
    return _dtype.to_dtype(dtype) if dtype is not None else _dtype.get_default_dtype()


def _number(value, name, fn):
    """A Python number from a number, a NumPy scalar or a 0-dim tensor; TypeError for anything else."""
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise TypeError(f"{fn}(): argument '{name}' must be Number, not Tensor")
        return value.item()
    if isinstance(value, np.generic) and value.dtype.kind in "biufc":
        return value.item()
    if isinstance(value, (bool, int, float, complex)):
        return value
    raise TypeError(f"{fn}(): argument '{name}' must be Number, not {type(value).__name__}")


def _number_dtype(value):
    """The dtype a fill value gives ``full``: bool, int64 or the default float (never the value's width)."""
    if isinstance(value, bool):
        return _dtype.bool
    if isinstance(value, int):
        return _dtype.int64
    if isinstance(value, complex):
        return _dtype.get_default_complex_dtype()
    return _dtype.get_default_dtype()


def _checked_cast(raw, target, check_floats=False):
    """``raw`` (built from Python numbers) cast to ``target``, with PyTorch's overflow error.

    As in PyTorch, negative integers may wrap into unsigned types (``-1`` becomes 255 in
    uint8), floats are truncated toward zero, and NaN or out-of-range values raise. With
    ``check_floats`` (``full``, ``fill_``), finite values beyond a float type's range raise too.
    """
    np_target = target.np_dtype
    if raw.dtype == np_target:
        return raw
    if target.is_complex:
        return raw.astype(np_target)
    if raw.dtype.kind == "c":
        raw = _real_values(raw, target, check_floats)
    if target is _dtype.bool or raw.dtype == np.bool_:
        return raw.astype(np_target)
    if target.is_floating_point:
        if check_floats and raw.dtype.kind == "f":
            limit = float(_dtype.finfo(target).max)
            if (np.isfinite(raw) & (np.abs(raw) > limit)).any():
                raise RuntimeError(f"value cannot be converted to type {target.name} without overflow")
        with np.errstate(over="ignore"):          # too large for the type: inf, as in PyTorch
            return raw.astype(np_target)
    info = np.iinfo(np_target)
    low = -info.max if info.min == 0 and raw.dtype.kind != "f" else info.min
    with np.errstate(invalid="ignore"):
        bad = (raw < low) | (raw > info.max)
        if raw.dtype.kind == "f":
            bad |= ~np.isfinite(raw)
    if bad.any():
        raise RuntimeError(f"value cannot be converted to type {target.name} without overflow")
    if raw.dtype.kind == "f":
        raw = np.trunc(raw).astype(np.int64)
    return raw.astype(np_target)


def _real_values(raw, target, check_floats):
    """Complex numbers given for a real dtype: ``full`` keeps ones without an imaginary part, ``tensor`` refuses."""
    if not check_floats:
        if target.category == 1:
            raise TypeError("'complex' object cannot be interpreted as an integer")
        raise TypeError("must be real number, not complex")
    if (raw.imag != 0).any():
        raise RuntimeError(f"value cannot be converted to type {target.name} without overflow")
    return raw.real


# ----------------------------------------------------------------------------- dtype inference of data

def _is_sequence(value):
    if isinstance(value, (list, tuple, _builtin_range)):
        return True
    if isinstance(value, np.ndarray):
        return value.ndim > 0
    if isinstance(value, (str, bytes, Tensor, dict)):
        return False
    kind = type(value)
    return hasattr(kind, "__len__") and hasattr(kind, "__getitem__")


def _leaf_dtype(value, found):
    """The dtype one scalar leaf of nested data takes part in inference as."""
    if isinstance(value, np.generic):
        return _dtype.from_numpy_dtype(value.dtype)
    if type(value) in _PYTHON_SCALARS:
        return _dtype.scalar_dtype(value)
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return value.dtype
    if isinstance(value, np.ndarray):        # 0-dim
        return _dtype.from_numpy_dtype(value.dtype)
    if isinstance(value, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(value).__name__}'")
    if isinstance(value, (bool, int, float)):  # subclasses of the Python scalars
        return _dtype.scalar_dtype(bool(value) if isinstance(value, bool) else
                                   int(value) if isinstance(value, int) else float(value))
    if _is_sequence(value):
        raise TypeError(f"expected a number, got a sequence ({type(value).__name__}) where the data had "
                        "ended its dimensions")
    raise RuntimeError(f"Could not infer dtype of {type(value).__name__}")


def _row_dtype(row, found):
    """The promoted dtype of the innermost sequence of nested data (fast when all Python scalars)."""
    kinds = set(map(type, row))
    if kinds <= _PYTHON_SCALARS:
        result = None
        for kind in (bool, int, float, complex):
            if kind in kinds:
                result = _dtype.scalar_dtype(kind(0))
        return result
    found.append(row)           # leaves other than Python numbers: _plain converts them for NumPy
    result = None
    for value in row:
        d = _leaf_dtype(value, found)
        result = d if result is None else _dtype.promote_types(result, d)
    return result


def _leading_shape(data):
    """The shape implied by following the first element of each nesting level."""
    shape = []
    while _is_sequence(data):
        if isinstance(data, np.ndarray):
            return shape + list(data.shape)
        shape.append(len(data))
        if not shape[-1]:
            break
        data = data[0]
    return shape


def _check_first_leaf(data, shape):
    """PyTorch reads a string met on the leading path as one more dimension: ValueError, not TypeError."""
    for _ in shape:
        if isinstance(data, np.ndarray) or not len(data):
            return
        data = data[0]
    if isinstance(data, (str, bytes)):
        raise ValueError(f"too many dimensions '{type(data).__name__}'")


def _walk(data, shape, dim, found):
    """Check that ``data`` is rectangular with ``shape[dim:]`` and return the promoted dtype of its leaves."""
    if isinstance(data, np.ndarray):
        if data.shape != tuple(shape[dim:]):
            bad = next(i for i, (a, b) in enumerate(zip(data.shape, shape[dim:])) if a != b)
            raise ValueError(f"expected sequence of length {shape[dim + bad]} at dim {dim + bad} "
                             f"(got {data.shape[bad]})")
        return _dtype.from_numpy_dtype(data.dtype)
    if len(data) != shape[dim]:
        raise ValueError(f"expected sequence of length {shape[dim]} at dim {dim} (got {len(data)})")
    if dim + 1 == len(shape):
        return _row_dtype(data, found)
    result = None
    for item in data:
        if not _is_sequence(item):
            raise TypeError(f"not a sequence: expected a sequence at dim {dim + 1}, got "
                            f"{type(item).__name__}")
        d = _walk(item, shape, dim + 1, found)
        if d is not None:
            result = d if result is None else _dtype.promote_types(result, d)
    return result


def _plain(data):
    """``data`` with tensor and NumPy scalar leaves replaced by Python numbers, for ``np.array``."""
    if isinstance(data, np.ndarray):
        return data if data.ndim else data.item()
    if isinstance(data, Tensor):
        return data._data.reshape(()).item()
    if isinstance(data, np.generic):
        return data.item()
    if _is_sequence(data):
        return [_plain(item) for item in data]
    return data


def _array_from_data(data, dtype):
    """The array ``torch.tensor(data, dtype=dtype)`` holds, for nested sequences and scalars."""
    if data is None:
        raise RuntimeError("Could not infer dtype of NoneType")
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    found = []
    if _is_sequence(data):
        shape = _leading_shape(data)
        _check_first_leaf(data, shape)
        inferred = _walk(data, shape, 0, found) if shape and shape[0] else None
    else:
        inferred = _leaf_dtype(data, found)
    target = _dtype.to_dtype(dtype) if dtype is not None else inferred or _dtype.get_default_dtype()
    if found:
        data = _plain(data)
    try:
        raw = np.array(data)
    except OverflowError:
        raise ValueError("Overflow when unpacking long long") from None
    integral = inferred is not None and not inferred.is_floating_point
    if raw.dtype == object or raw.dtype == np.uint64 or integral and raw.dtype.kind == "f":
        raise ValueError("Overflow when unpacking long long")   # a Python int beyond int64
    if raw.dtype.kind not in "biufc":
        raise TypeError(f"new(): invalid data type '{raw.dtype.name}'")
    if raw.size == 0:
        return raw.astype(target.np_dtype)
    return _checked_cast(raw, target)


# ----------------------------------------------------------------------------- from data

def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data``: nested sequences of numbers, NumPy arrays, or tensors.

    Without ``dtype`` it is inferred as PyTorch does (floats: the default dtype, ints: int64).

    >>> ember.tensor([[1, 2], [3, 4.5]])
    tensor([[1.0000, 2.0000],
            [3.0000, 4.5000]])
    """
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
                      "or sourceTensor.detach().clone().requires_grad_(True), rather than "
                      "ember.tensor(sourceTensor).", UserWarning, stacklevel=2)
        array = np.array(data._data)
        if dtype is not None:
            array = array.astype(_dtype.to_dtype(dtype).np_dtype)
    elif isinstance(data, np.ndarray):
        source = _dtype.from_numpy_dtype(data.dtype)
        target = _dtype.to_dtype(dtype) if dtype is not None else source
        array = np.array(data, dtype=target.np_dtype)
    else:
        array = _array_from_data(data, dtype)
    return _finish(array, device, requires_grad)


def scalar_tensor(s, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A 0-dim tensor holding the number ``s``, in the default float dtype unless ``dtype`` is given.

    >>> ember.scalar_tensor(3)
    tensor(3.)
    """
    value = _number(s, "s", "scalar_tensor")
    target = _dtype_or_default(dtype)
    return _finish(_checked_cast(np.array(value), target), device, requires_grad)


def from_numpy(ndarray):
    """A tensor sharing memory with ``ndarray``: changes to one show in the other.

    >>> a = np.zeros(2); t = ember.from_numpy(a); a[0] = 5; t
    tensor([5., 0.], dtype=ember.float64)
    """
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    if not ndarray.dtype.isnative:
        raise ValueError("given numpy array has byte order different from the native byte order. Conversion "
                         "between byte orders is currently not supported.")
    _dtype.from_numpy_dtype(ndarray.dtype)
    if any(s < 0 for s in ndarray.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors with negative "
                         "strides are not currently supported. (You can probably work around this by making a "
                         "copy of your array  with array.copy().) ")
    return Tensor._make(ndarray)


def as_tensor(data, dtype=None, device=None):
    """``data`` as a tensor, sharing memory with a NumPy array or tensor when no conversion is needed.

    >>> a = np.array([1.0, 2.0]); t = ember.as_tensor(a); a[0] = 7; t
    tensor([7., 2.], dtype=ember.float64)
    """
    if device is not None:
        check_available(to_device(device))
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray):
        target = _dtype.to_dtype(dtype) if dtype is not None else _dtype.from_numpy_dtype(data.dtype)
        if data.dtype == target.np_dtype:
            return from_numpy(data)
        return Tensor._make(data.astype(target.np_dtype))
    return tensor(data, dtype=dtype)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """``obj`` as a tensor: shares memory with tensors and NumPy arrays unless ``copy=True`` or a cast is needed.

    ``copy=False`` makes a needed copy an error instead.

    >>> ember.asarray([1, 2], dtype=ember.float32)
    tensor([1., 2.])
    """
    if device is not None:
        check_available(to_device(device))
    target = _dtype.to_dtype(dtype) if dtype is not None else None
    if isinstance(obj, Tensor) or isinstance(obj, np.ndarray) or hasattr(obj, "__array_interface__"):
        result = _asarray_shared(obj, target, copy)
    else:
        if copy is False:
            raise ValueError("can't alias arbitrary sequence into a tensor.")
        result = tensor(obj, dtype=target)
    if requires_grad:
        _require_grad(result)
    return result


def _asarray_shared(obj, target, copy):
    """``asarray`` for objects with memory of their own (tensors, arrays, the array interface)."""
    source = obj if isinstance(obj, Tensor) else from_numpy(np.asarray(obj))
    if target is not None and target is not source.dtype:
        if copy is False:
            raise ValueError(f"can't alias tensor with dtype '{_type_word(source.dtype)}' into dtype "
                             f"'{_type_word(target)}'.")
        return source.to(target)
    if copy:
        return Tensor._make(source._data.copy()) if not isinstance(obj, Tensor) else obj.clone()
    return source


# ----------------------------------------------------------------------------- filled with a value

def zeros(*sizes, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    """A tensor of zeros of the given size.

    >>> ember.zeros(2, 3).shape
    ember.Size([2, 3])
    """
    shape = _sizes(sizes, size, "zeros")
    return _finish(np.zeros(shape, dtype=_out_dtype(dtype, out).np_dtype), device, requires_grad, out)


def ones(*sizes, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """A tensor of ones of the given size.

    >>> ember.ones(2)
    tensor([1., 1.])
    """
    shape = _sizes(sizes, size, "ones")
    return _finish(np.ones(shape, dtype=_out_dtype(dtype, out).np_dtype), device, requires_grad, out)


def empty(*sizes, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None):
    """A tensor of the given size whose values are whatever the memory held (fast: no initialisation).

    >>> ember.empty(3).shape
    ember.Size([3])
    """
    shape = _sizes(sizes, size, "empty")
    return _finish(np.empty(shape, dtype=_out_dtype(dtype, out).np_dtype), device, requires_grad, out)


def _out_dtype(dtype, out):
    """The dtype of a factory call: ``dtype``, else ``out``'s dtype, else the default float dtype."""
    if dtype is None and out is not None:
        return out.dtype
    target = _dtype_or_default(dtype)
    if out is not None and out.dtype is not target:
        raise RuntimeError(f"dtype {target} does not match dtype of out parameter ({out.dtype})")
    return target


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """A tensor of ``size`` filled with ``fill_value``; its dtype follows the value (bool, int64 or float).

    >>> ember.full((2,), 7)
    tensor([7, 7])
    """
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not {type(size).__name__}")
    shape = _size_arg((size,), "full")
    value = _number(fill_value, "fill_value", "full")
    target = _dtype.to_dtype(dtype) if dtype is not None else _number_dtype(value)
    if out is not None and dtype is None:
        target = out.dtype
    array = np.broadcast_to(_checked_cast(np.array(value), target, check_floats=True), shape).copy()
    return _finish(array, device, requires_grad, out)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """The ``n`` by ``m`` (default ``n``) identity matrix: ones on the diagonal, zeros elsewhere.

    >>> ember.eye(2, 3)
    tensor([[1., 0., 0.],
            [0., 1., 0.]])
    """
    for name, value in (("n", n), ("m", m)):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"eye(): argument '{name}' must be int, not {type(value).__name__}")
        if value < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {value}")
    m = n if m is None else m
    return _finish(np.eye(n, m, dtype=_out_dtype(dtype, out).np_dtype), device, requires_grad, out)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """An uninitialised tensor of ``size`` whose memory layout has the given ``stride`` (in elements).

    >>> ember.empty_strided((2, 3), (1, 2)).stride()
    (1, 2)
    """
    shape = _size_arg((size,), "empty_strided")
    strides = tuple(int(s) for s in stride)
    if len(shape) != len(strides):
        raise RuntimeError(f"dimensionality of sizes ({len(shape)}) must match dimensionality of strides "
                           f"({len(strides)})")
    if any(s < 0 for s in strides):
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(shape)} and "
                           f"strides={list(strides)}")
    np_type = _dtype_or_default(dtype).np_dtype
    extent = 1 + sum((n - 1) * s for n, s in zip(shape, strides)) if all(shape) else 0
    storage = np.empty(extent, dtype=np_type)
    array = np.lib.stride_tricks.as_strided(storage, shape, tuple(s * storage.itemsize for s in strides))
    return _finish(array, device, requires_grad)


# ----------------------------------------------------------------------------- *_like

def _like(input, dtype, fill, fn):
    """An array shaped (and laid out in memory) like ``input``, made by ``fill(xp, like, dtype)``.

    As in PyTorch, a dense layout such as a transpose is kept.
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    target = _dtype.to_dtype(dtype) if dtype is not None else input.dtype
    return fill(array_module(input._data), input._data, target)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    """Zeros with the shape (and memory layout) of ``input``, in its dtype unless ``dtype`` is given.

    >>> ember.zeros_like(ember.tensor([1, 2]))
    tensor([0, 0])
    """
    array = _like(input, dtype, lambda xp, like, d: xp.zeros_like(like, dtype=d.np_dtype), "zeros_like")
    return _finish(array, device, requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    """Ones with the shape of ``input``, in its dtype unless ``dtype`` is given.

    >>> ember.ones_like(ember.zeros(2))
    tensor([1., 1.])
    """
    array = _like(input, dtype, lambda xp, like, d: xp.ones_like(like, dtype=d.np_dtype), "ones_like")
    return _finish(array, device, requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    """An uninitialised tensor with the shape of ``input``, in its dtype unless ``dtype`` is given.

    >>> ember.empty_like(ember.zeros(2, 3)).shape
    ember.Size([2, 3])
    """
    array = _like(input, dtype, lambda xp, like, d: xp.empty_like(like, dtype=d.np_dtype), "empty_like")
    return _finish(array, device, requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """``input``'s shape filled with ``fill_value``, in ``input``'s dtype unless ``dtype`` is given.

    >>> ember.full_like(ember.tensor([1, 2]), 2.7)
    tensor([2, 2])
    """
    number = _number(fill_value, "fill_value", "full_like")

    def fill(xp, like, d):
        return xp.full_like(like, _checked_cast(np.array(number), d, check_floats=True), dtype=d.np_dtype)
    return _finish(_like(input, dtype, fill, "full_like"), device, requires_grad)


# ----------------------------------------------------------------------------- ranges

def _range_number(value, name, fn):
    if isinstance(value, Tensor) and value.ndim != 0:
        raise RuntimeError(f"{fn} only supports 0-dimensional {name} tensors, but got {name} with "
                           f"{value.ndim} dimension(s).")
    return _number(value, name, fn)


def _arange_bounds(start, end, step, target):
    """``arange``'s bounds and length as PyTorch computes them for the output dtype.

    Integer outputs truncate the bounds and step to integers first; the length of an
    int64 range is then exact, of any other range ``ceil((end - start) / step)`` in double.
    """
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if not (np.isfinite(start) and np.isfinite(end)):
        raise RuntimeError(f"unsupported range: {start} -> {end}")
    if not (step > 0 and end >= start or step < 0 and end <= start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    length = np.ceil((float(end) - float(start)) / float(step))
    if not target.is_floating_point:
        start, end, step = int(start), int(end), int(step)
        if target is _dtype.int64:
            if step == 0:
                raise ValueError("step must be nonzero")
            length = max(-((start - end) // step), 0)
    if length > np.iinfo(np.int64).max // 8:
        raise RuntimeError("invalid size, possible overflow?")
    return start, step, int(length)


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Values from ``start`` to ``end`` (exclusive) in steps of ``step``: int64 unless any argument is a float.

    >>> ember.arange(5)
    tensor([0, 1, 2, 3, 4])
    >>> ember.arange(1, 2.5, 0.5)
    tensor([1.0000, 1.5000, 2.0000])
    """
    if end is None:
        start, end = 0, start
    start, end, step = (_range_number(v, name, "arange") for v, name in ((start, "start"), (end, "end"),
                                                                            (step, "step")))
    if dtype is None and out is not None:
        dtype = out.dtype
    if dtype is None:
        is_float = any(isinstance(v, float) for v in (start, end, step))
        dtype = _dtype.get_default_dtype() if is_float else _dtype.int64
    target = _dtype.to_dtype(dtype)
    if target is _dtype.bool:
        raise NotImplementedError("\"arange_cpu\" not implemented for 'Bool'")
    start, step, length = _arange_bounds(start, end, step, target)
    return _finish(_range_values(start, step, length, target), device, requires_grad, out)


def _range_values(start, step, length, target):
    """``start + i * step`` for ``i < length``, accumulated as PyTorch does (double for float32)."""
    index = np.arange(length)
    if target.is_floating_point:
        accumulate = np.float64 if target.itemsize >= 4 else np.float32
        values = accumulate(start) + index.astype(accumulate) * accumulate(step)
    else:
        values = start + index * step
    return values.astype(target.np_dtype)


def range(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Deprecated: values from ``start`` to ``end`` inclusive, in the default float dtype; use ``arange``.

    >>> ember.range(0, 2)  # doctest: +SKIP
    tensor([0., 1., 2.])
    """
    warnings.warn("torch.range is deprecated and will be removed in a future release because its behavior is "
                  "inconsistent with Python's range builtin. Instead, use torch.arange, which produces values "
                  "in [start, end).", UserWarning, stacklevel=2)
    if end is None:
        start, end = 0, start
    start, end, step = (_range_number(v, name, "range") for v, name in ((start, "start"), (end, "end"),
                                                                           (step, "step")))
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    target = _dtype_or_default(dtype)
    length = int(np.floor((end - start) / step)) + 1
    return _finish(_range_values(start, step, length, target), device, requires_grad, out)


def _linspace_values(start, end, steps, target):
    """``steps`` evenly spaced values from ``start`` to ``end``, each half computed from its own end.

    Floats are computed in the output dtype; integer outputs truncate the bounds first
    and the values last, as PyTorch does.
    """
    if not target.is_floating_point:
        start, end = (int(_checked_cast(np.array(v), target)) for v in (start, end))
        compute = np.float64
    else:
        compute = target.np_dtype.type
    start, end = compute(start), compute(end)
    index = np.arange(steps)
    if steps == 1:
        return np.full(1, start)
    step = (end - start) / compute(max(steps - 1, 1))
    from_start = start + index.astype(compute) * step
    from_end = end - (steps - 1 - index).astype(compute) * step
    return np.where(index < steps // 2, from_start, from_end)


def _steps_arg(steps, fn):
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)):
        raise TypeError(f"{fn}(): argument 'steps' (position 3) must be int, not {type(steps).__name__}")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return int(steps)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end``, both included.

    >>> ember.linspace(0, 1, 5)
    tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    start, end = _range_number(start, "start", "linspace"), _range_number(end, "end", "linspace")
    steps = _steps_arg(steps, "linspace")
    target = _out_dtype(dtype, out)
    values = _linspace_values(start, end, steps, target)
    return _finish(_to_output(values, target), device, requires_grad, out)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """``steps`` values ``base ** x`` for ``x`` evenly spaced from ``start`` to ``end``.

    >>> ember.logspace(0, 2, 3)
    tensor([  1.,  10., 100.])
    """
    start, end = _range_number(start, "start", "logspace"), _range_number(end, "end", "logspace")
    steps = _steps_arg(steps, "logspace")
    base = _number(base, "base", "logspace")
    target = _out_dtype(dtype, out)
    exponents = _linspace_values(start, end, steps, target)
    with np.errstate(over="ignore"):
        values = np.power(exponents.dtype.type(base), exponents)
    return _finish(_to_output(values, target), device, requires_grad, out)


def _to_output(values, target):
    if not target.is_floating_point and target is not _dtype.bool:
        values = np.trunc(values)
    return values.astype(target.np_dtype)


# ----------------------------------------------------------------------------- Tensor methods

_NEW_EXAMPLES = {"new_zeros": (".new_zeros(2)", "tensor([0, 0])"), "new_ones": (".new_ones(2)", "tensor([1, 1])"),
                 "new_empty": (".new_empty(2).dtype", "ember.int64")}


def _new(factory, name):
    """A ``Tensor.new_*`` method: ``factory`` with this tensor's dtype unless ``dtype`` is given."""
    def method(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
        if not size:
            raise TypeError(f'{name}() missing 1 required positional arguments: "size"')
        return factory(_size_arg(size, name), dtype=dtype if dtype is not None else self.dtype, device=device,
                       requires_grad=requires_grad)
    method.__name__ = name
    call, output = _NEW_EXAMPLES[name]
    method.__doc__ = (f"``ember.{name[4:]}`` of the given size, with this tensor's dtype by default.\n\n"
                      f"    >>> ember.tensor([1, 2]){call}\n    {output}\n")
    return method


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None,
             pin_memory=False):
    """A tensor of ``size`` filled with ``fill_value``, with this tensor's dtype by default.

    >>> ember.tensor([1, 2]).new_full((3,), 7)
    tensor([7, 7, 7])
    """
    return full(size, fill_value, dtype=dtype if dtype is not None else self.dtype, device=device,
                requires_grad=requires_grad)


class Fill(Primitive):
    """Every element set to one value: no gradient reaches the old values; a tensor value gets the sum."""

    grad_fn_name = "FillBackward3"

    @staticmethod
    def forward(ctx, x, value):
        return array_module(x).full(x.shape, value, dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad):
        return zeros_like(grad), grad.sum()


class FillScalar(Primitive):
    grad_fn_name = "FillBackward2"

    @staticmethod
    def forward(ctx, x, *, value):
        return array_module(x).full(x.shape, value, dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad):
        return zeros_like(grad)


class Zero(Primitive):
    grad_fn_name = "ZeroBackward0"

    @staticmethod
    def forward(ctx, x):
        return array_module(x).zeros(x.shape, dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad):
        return zeros_like(grad)


def fill_(self, value):
    """Set every element to ``value`` (a number or a 0-dim tensor) in place.

    >>> ember.zeros(3).fill_(2)
    tensor([2., 2., 2.])
    """
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with {value.ndim} "
                               "dimensions.")
        if value.dtype is not self.dtype:
            value = value._cast(self.dtype)
        return self._assign_inplace(Fill.apply(self, value))
    number = _number(value, "value", "fill_")
    cast = _checked_cast(np.array(number), self.dtype, check_floats=True)
    return self._assign_inplace(FillScalar.apply(self, value=cast))


def fill(input, value):
    """A new tensor shaped like ``input`` (and of its dtype) holding ``value``; out-of-place ``fill_``.

    >>> ember.fill(ember.tensor([1, 2]), 7)
    tensor([7, 7])
    """
    return fill_(input.clone(), value)


def zero_(self):
    """Set every element to zero in place.

    >>> ember.ones(2).zero_()
    tensor([0., 0.])
    """
    return self._assign_inplace(Zero.apply(self))


def new(self, *args):
    """PyTorch's legacy ``x.new(...)``: ``x.new(2, 3)`` is uninitialised, ``x.new([1, 2])`` copies data; x's dtype.

    >>> ember.tensor([1, 2]).new([3.7, 4.2])
    tensor([3, 4])
    """
    return Tensor(*args, dtype=self.dtype)


TENSOR_METHODS = {
    "new": new,
    "new_zeros": _new(zeros, "new_zeros"),
    "new_ones": _new(ones, "new_ones"),
    "new_empty": _new(empty, "new_empty"),
    "new_full": new_full,
    "fill_": fill_,
    "zero_": zero_,
}
