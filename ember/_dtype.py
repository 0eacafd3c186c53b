"""Data types and PyTorch's type-promotion rules.

ember keeps one ``dtype`` object per NumPy dtype. Promotion follows PyTorch, not
NumPy: categories (bool < integer < floating < complex) decide first, and Python scalars or
0-dim tensors never widen a result within its category.
"""

import threading

import numpy as np

__all__ = [
    "dtype", "bool", "uint8", "int8", "int16", "int32", "int64", "float16",
    "float32", "float64", "complex64", "complex128", "half", "float", "double", "short", "int", "long",
    "cfloat", "cdouble",
    "get_default_dtype", "set_default_dtype", "promote_types", "result_type",
    "can_cast", "finfo", "iinfo", "is_floating_point", "is_complex",
]

_builtin_bool, _builtin_int, _builtin_float, _builtin_complex = bool, int, float, complex


class dtype:
    """A tensor element type, e.g. ``ember.float32``; wraps one NumPy dtype."""

    __slots__ = ("name", "np_dtype", "is_floating_point", "is_complex", "is_signed", "itemsize", "_rank")

    def __init__(self, name, np_dtype, rank):
        self.name = name
        self.np_dtype = np.dtype(np_dtype)
        kind = self.np_dtype.kind
        self.is_floating_point = kind == "f" or name == "bfloat16"
        self.is_complex = kind == "c"
        self.is_signed = kind in "ifc" or self.is_floating_point
        self.itemsize = self.np_dtype.itemsize
        self._rank = rank

    @property
    def category(self):
        """0 for bool, 1 for integers, 2 for floating point, 3 for complex."""
        if self.name == "bool":
            return 0
        if self.is_complex:
            return 3
        return 2 if self.is_floating_point else 1

    def to_real(self):
        """The real dtype of a complex one's parts (complex64 -> float32); real dtypes are their own."""
        if not self.is_complex:
            return self
        return float32 if self.name == "complex64" else float64

    def to_complex(self):
        """The complex dtype whose parts have this floating dtype (float64 -> complex128)."""
        if self.is_complex:
            return self
        if self.name not in ("float32", "float64"):
            raise TypeError(f"ember has no complex dtype with {self.name} parts (PyTorch's complex32 is not "
                            "supported)")
        return complex64 if self.name == "float32" else complex128

    def __repr__(self):
        return "ember." + self.name

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))


bool = dtype("bool", np.bool_, 0)
uint8 = dtype("uint8", np.uint8, 1)
int8 = dtype("int8", np.int8, 2)
int16 = dtype("int16", np.int16, 3)
int32 = dtype("int32", np.int32, 4)
int64 = dtype("int64", np.int64, 5)
float16 = dtype("float16", np.float16, 6)
float32 = dtype("float32", np.float32, 8)
float64 = dtype("float64", np.float64, 9)
complex64 = dtype("complex64", np.complex64, 10)
complex128 = dtype("complex128", np.complex128, 11)

half, float, double = float16, float32, float64
short, int, long = int16, int32, int64
cfloat, cdouble = complex64, complex128

ALL_DTYPES = [bool, uint8, int8, int16, int32, int64, float16, float32, float64, complex64, complex128]
_BY_NUMPY = {d.np_dtype: d for d in ALL_DTYPES}
_BY_NAME = {d.name: d for d in ALL_DTYPES}
_ml_dtypes = None


def _load_bfloat16():
    """Create ``bfloat16`` on first use; it needs the optional ml_dtypes package (``ember[bfloat16]``)."""
    global _ml_dtypes
    if "bfloat16" not in _BY_NAME:
        try:
            import ml_dtypes
        except ImportError:
            raise ImportError("ember.bfloat16 needs the ml_dtypes package: pip install 'ember[bfloat16]'") from None
        _ml_dtypes = ml_dtypes
        d = dtype("bfloat16", ml_dtypes.bfloat16, 7)
        ALL_DTYPES.insert(7, d)
        _BY_NUMPY[d.np_dtype] = d
        _BY_NAME["bfloat16"] = d
    return _BY_NAME["bfloat16"]


def __getattr__(name):
    if name == "bfloat16":
        return _load_bfloat16()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _dtype_by_name(name):
    return _load_bfloat16() if name == "bfloat16" else _BY_NAME[name]


def from_numpy_dtype(np_dtype):
    """The ember dtype for a NumPy dtype, or TypeError naming the unsupported type."""
    found = _BY_NUMPY.get(np_dtype)
    if found is None:
        np_dtype = np.dtype(np_dtype)
        if np_dtype.name == "bfloat16":
            return _load_bfloat16()
        found = _BY_NUMPY.get(np_dtype)
        if found is None:
            raise TypeError(
                f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype)}. The only supported "
                "types are: float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint8, "
                "and bool.")
    return found


def to_dtype(value):
    """Accept an ember dtype, a NumPy dtype or a Python type (``float``, ``int``, ``bool``)."""
    if isinstance(value, dtype):
        return value
    if value is _builtin_float:
        return float64          # PyTorch reads the Python type float as float64, not the default dtype
    if value is _builtin_int:
        return int64
    if value is _builtin_bool:
        return bool
    if value is _builtin_complex:
        return complex128       # as float: the Python type means double precision
    if isinstance(value, str):      # np.dtype would read 'float32'; PyTorch refuses names
        raise TypeError(f"argument 'dtype' must be ember.dtype, not str ({value!r})")
    if hasattr(value, "_data"):     # a Tensor: NumPy would read its values, not a dtype
        raise TypeError("argument 'dtype' must be ember.dtype, not Tensor")
    try:
        return from_numpy_dtype(np.dtype(value))
    except (TypeError, ValueError):
        raise TypeError(f"argument 'dtype' must be ember.dtype, not {type(value).__name__} ({value!r})") from None


# ----------------------------------------------------------------------------- default dtype

_state = threading.local()


def get_default_dtype():
    """The dtype of floating-point tensors made from Python floats (float32 unless changed)."""
    return getattr(_state, "default", float32)


def set_default_dtype(d):
    """Set the default floating-point dtype; only float16, bfloat16, float32 and float64 are accepted."""
    d = to_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _state.default = d


def get_default_complex_dtype():
    """The dtype of tensors made from Python complex numbers: complex128 when the default dtype is float64,
    else complex64 (PyTorch's rule)."""
    return complex128 if get_default_dtype() is float64 else complex64


# ----------------------------------------------------------------------------- promotion

def promote_types(type1, type2):
    """The smallest dtype both ``type1`` and ``type2`` convert to without losing category.

    >>> promote_types(ember.int32, ember.float16)
    ember.float16
    """
    a, b = to_dtype(type1), to_dtype(type2)
    if a is b:
        return a
    if a.is_complex or b.is_complex:
        return _promote_complex(a, b)
    if a.category != b.category:
        return a if a.category > b.category else b
    if a.category == 2 and {a.name, b.name} == {"float16", "bfloat16"}:
        return float32
    if "bfloat16" in (a.name, b.name):  # the other is float32 or float64: wider
        return b if a.name == "bfloat16" else a
    return _BY_NUMPY[np.promote_types(a.np_dtype, b.np_dtype)]


def _promote_complex(a, b):
    """Promotion where one side is complex: the complex type wide enough for both sides' parts.

    Integers and bool take no part in the width (int64 with complex64 is complex64); float64 with
    complex64 is complex128.
    """
    parts = [d.to_real() for d in (a, b) if d.is_complex or d.is_floating_point]
    widest = parts[0] if len(parts) == 1 else promote_types(*parts)
    return widest.to_complex()


def _combine_categories(higher, lower):
    """PyTorch's rule for folding a lower-priority result into a higher-priority one."""
    if higher is None:
        return lower
    if lower is not None and lower.is_complex and not higher.is_complex:
        # a complex scalar keeps a floating tensor's width (float64 * 1j is complex128)
        return higher.to_complex() if higher.is_floating_point else lower
    if lower is None or higher.is_floating_point or higher.is_complex:
        return higher
    if higher is bool or lower.is_floating_point:
        return promote_types(higher, lower)
    return higher


def scalar_dtype(value):
    """The dtype a Python scalar takes part in promotion as."""
    if isinstance(value, _builtin_bool):
        return bool
    if isinstance(value, _builtin_int):
        return int64
    if isinstance(value, _builtin_float):
        return get_default_dtype()
    if isinstance(value, _builtin_complex):
        return get_default_complex_dtype()
    if isinstance(value, np.generic):
        return from_numpy_dtype(value.dtype)
    raise TypeError(f"expected a Tensor or a Python number, got {type(value).__name__}")


def result_type(*operands):
    """The dtype of an elementwise op on ``operands`` (tensors and Python scalars).

    Tensors with dimensions take priority over 0-dim tensors, which take priority over
    Python scalars; a lower-priority operand only matters when its category is higher.

    >>> result_type(ember.tensor([1, 2]), 2.5)
    ember.float32
    """
    dim = zero = wrapped = None
    for op in operands:
        t = getattr(op, "_data", None)
        if t is not None:
            d = _BY_NUMPY[t.dtype]
            if t.ndim:
                dim = d if dim is None else promote_types(dim, d)
            else:
                zero = d if zero is None else promote_types(zero, d)
        else:
            d = scalar_dtype(op)
            wrapped = d if wrapped is None else promote_types(wrapped, d)
    result = _combine_categories(dim, _combine_categories(zero, wrapped))
    if result is None:
        raise TypeError("result_type expects at least one operand")
    return result


def can_cast(from_, to):
    """Whether PyTorch's in-place rules allow casting ``from_`` to ``to`` (no category decrease)."""
    return to_dtype(from_).category <= to_dtype(to).category


class finfo:
    """Machine limits for a floating-point dtype, as ``torch.finfo``."""

    def __init__(self, type=None):
        d = get_default_dtype() if type is None else to_dtype(type).to_real()
        if not d.is_floating_point:
            raise TypeError(f"finfo expects a floating-point dtype, got {d}")
        info = _ml_dtypes.finfo(d.np_dtype) if d.name == "bfloat16" else np.finfo(d.np_dtype)
        self.dtype = d.name
        self.bits = d.itemsize * 8
        self.eps = _builtin_float(info.eps)
        self.max = _builtin_float(info.max)
        self.min = _builtin_float(info.min)
        self.tiny = self.smallest_normal = _builtin_float(info.smallest_normal)
        self.resolution = 10.0 ** -info.precision

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Machine limits for an integer dtype, as ``torch.iinfo``."""

    def __init__(self, type):
        d = to_dtype(type)
        if d.is_floating_point or d.is_complex or d is bool:
            raise TypeError(f"{d} is not supported by ember.iinfo")
        info = np.iinfo(d.np_dtype)
        self.dtype = d.name
        self.bits = d.itemsize * 8
        self.max = _builtin_int(info.max)
        self.min = _builtin_int(info.min)

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"


def is_floating_point(input):
    """True when ``input`` has a floating-point dtype."""
    if not hasattr(input, "_data"):
        raise TypeError(f"is_floating_point(): argument 'input' must be Tensor, not {type(input).__name__}")
    return input.dtype.is_floating_point


def is_complex(input):
    """True when ``input`` has a complex dtype (complex64 or complex128).

    >>> ember.is_complex(ember.tensor([1 + 2j]))
    True
    """
    if not hasattr(input, "_data"):
        raise TypeError(f"is_complex(): argument 'input' must be Tensor, not {type(input).__name__}")
    return input.dtype.is_complex
