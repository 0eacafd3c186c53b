"""The Tensor: one array (NumPy or CuPy), plus what autograd needs to follow it.

This file holds the Tensor's state and the methods that are about the Tensor itself
(attributes, conversion to Python and NumPy, autograd bookkeeping, views, in-place
assignment). The math lives in ``ember/ops/``; each ops module attaches its methods
to Tensor when ``ember.ops`` is imported.
"""

import numpy as np

from . import _dtype
from ._device import CPU, array_module, check_available, to_device

__all__ = ["Tensor", "Size", "is_tensor"]


class Size(tuple):
    """A tensor's shape: a tuple of ints, as ``torch.Size``."""

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __repr__(self):
        return f"ember.Size({list(self)})"

    def __getitem__(self, item):
        result = tuple.__getitem__(self, item)
        return Size(result) if isinstance(item, slice) else result


def is_tensor(obj):
    """True when ``obj`` is an ember Tensor (or a subclass such as Parameter)."""
    return isinstance(obj, Tensor)


def _to_array(data, dtype=None):
    """Turn tensor-constructor data (nested sequences, scalars, arrays, Tensors) into an array."""
    if isinstance(data, Tensor):
        arr = data._data
    elif isinstance(data, np.ndarray):
        arr = data
    elif isinstance(data, np.generic):
        arr = np.asarray(data)
    else:
        if isinstance(data, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
        try:
            arr = np.asarray(data)
        except ValueError as exc:
            raise ValueError(f"expected a sequence of equal-length sequences: {exc}") from None
        if arr.dtype == object or arr.dtype.kind in "USV" and arr.dtype.name != "bfloat16":
            raise TypeError(f"new(): invalid data type '{type(_first_leaf(data)).__name__}'")
        if arr.dtype.kind == "f" and not _holds_numpy_floats(data):
            arr = arr.astype(_dtype.get_default_dtype().np_dtype)
        elif arr.dtype.kind == "c" and not _holds_numpy_floats(data):
            arr = arr.astype(_dtype.get_default_complex_dtype().np_dtype)
        elif arr.dtype.kind in "iu" and arr.dtype != np.uint8 and not _holds_numpy_floats(data):
            arr = arr.astype(np.int64)
    if dtype is not None:
        arr = arr.astype(_dtype.to_dtype(dtype).np_dtype, copy=False)
    else:
        _dtype.from_numpy_dtype(arr.dtype)   # raises TypeError for unsupported types
    return arr


def _first_leaf(data):
    while isinstance(data, (list, tuple)) and data:
        data = data[0]
    return data


def _holds_numpy_floats(data):
    leaf = _first_leaf(data)
    return isinstance(leaf, (np.generic, np.ndarray, Tensor))


class Tensor:
    """A multi-dimensional array that records operations for automatic differentiation.

    Make tensors with ``ember.tensor``, ``ember.zeros``, ``ember.randn`` and friends;
    ``ember.Tensor(data)`` and ``ember.Tensor(*sizes)`` work as PyTorch's legacy
    constructor (float32 by default).

    >>> x = ember.tensor([1.0, 2.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([2., 4.])
    """

    __slots__ = ("_data", "_requires_grad", "_grad_fn", "_output_nr", "_grad", "_version_box",
                 "__dict__", "__weakref__")

    # Rarely set state lives in the instance __dict__ only when set; these are the defaults.
    _base = None                # the tensor whose memory this view shares (autograd views only)
    _view_fn = None             # recreates this view from _base, for in-place ops through views
    _view_version = 0           # the shared version when this view's grad_fn was last derived
    _accumulator = None         # weak reference to this leaf's AccumulateGrad node
    _hooks = None               # gradient hooks on a leaf
    _post_accumulate_hooks = None   # hooks run after backward adds to this leaf's .grad
    _spare_grad = None          # the array of a .grad dropped by zero_grad, reused by the next backward
    _retains_grad = False
    _is_param = False

    __array_priority__ = 1000   # so ndarray + Tensor defers to Tensor.__radd__

    def __init__(self, *args, dtype=None, device=None):
        check_available(to_device(device))
        d = _dtype.to_dtype(dtype) if dtype is not None else _dtype.get_default_dtype()
        if len(args) == 1 and isinstance(args[0], (float, bool, np.generic)):
            raise TypeError(f"new(): data must be a sequence (got {type(args[0]).__name__})")
        if len(args) == 1 and not isinstance(args[0], int):
            arr = _to_array(args[0]).astype(d.np_dtype, copy=True) if not isinstance(args[0], Size) \
                else np.empty(tuple(args[0]), dtype=d.np_dtype)
        else:
            if not all(isinstance(a, int) for a in args):
                raise TypeError(f"Tensor(): expected sizes as ints or one data argument, got {args!r}")
            arr = np.empty(args if args else (0,), dtype=d.np_dtype)
        self._init(arr)

    @classmethod
    def _make(cls, array, requires_grad=False):
        """Wrap an array (NumPy scalars become 0-dim arrays) without copying it."""
        if type(array) is not np.ndarray:
            array = np.asarray(array)
        t = object.__new__(cls)
        t._init(array, requires_grad)
        return t

    def _init(self, array, requires_grad=False):
        """Set the per-tensor state (the rest has class-level defaults)."""
        self._data = array
        self._requires_grad = requires_grad
        self._grad_fn = None
        self._output_nr = 0
        self._grad = None
        self._version_box = None

    @staticmethod
    def _zeros(shape, dtype):
        return Tensor._make(np.zeros(shape, dtype=dtype.np_dtype))

    # ------------------------------------------------------------------ attributes
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        """The shape, or the length of dimension ``dim``."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[self._wrap_dim(dim)]

    @property
    def dtype(self):
        return _dtype._BY_NUMPY[self._data.dtype]

    @property
    def device(self):
        return CPU

    @property
    def is_cuda(self):
        return self.device.type == "cuda"

    @property
    def is_cpu(self):
        return self.device.type == "cpu"

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    ndimension = dim

    def numel(self):
        return int(self._data.size)

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return int(self._data.nbytes)

    def stride(self, dim=None):
        """Strides in elements, as PyTorch reports them."""
        item = self._data.itemsize
        strides = tuple(s // item for s in self._data.strides)
        if self._data.size == 0:    # NumPy gives empty arrays zero strides; PyTorch keeps C order
            strides = tuple(int(np.prod(self._data.shape[i + 1:])) for i in range(self._data.ndim))
        return strides if dim is None else strides[self._wrap_dim(dim)]

    def storage_offset(self):
        base = self._data
        while True:
            parent = base.base
            if not isinstance(parent, np.ndarray):      # np.lib.stride_tricks.as_strided wraps its source array
                parent = getattr(parent, "base", None)
            if not isinstance(parent, np.ndarray):
                break
            base = parent
        return (self._data.__array_interface__["data"][0] - base.__array_interface__["data"][0]) \
            // self._data.itemsize

    def is_contiguous(self, memory_format=None):
        return bool(self._data.flags.c_contiguous)

    def data_ptr(self):
        return self._data.__array_interface__["data"][0]

    def is_floating_point(self):
        return self.dtype.is_floating_point

    def is_complex(self):
        """True when this tensor's dtype is complex64 or complex128."""
        return self.dtype.is_complex

    def is_signed(self):
        return self.dtype.is_signed

    @property
    def is_leaf(self):
        return self._grad_fn is None

    @property
    def grad_fn(self):
        if self._base is not None and self._requires_grad and self._view_version != self._version_box[0]:
            from .autograd.function import refresh_view
            refresh_view(self)
        return self._grad_fn

    @property
    def output_nr(self):
        return self._output_nr

    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if self._grad_fn is not None:
            if value:
                raise RuntimeError("you can only change requires_grad flags of leaf variables.")
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want to "
                               "use a computed variable in a subgraph that doesn't require differentiation "
                               "use var_no_grad = var.detach().")
        if value and not (self.dtype.is_floating_point or self.dtype.is_complex):
            raise RuntimeError(f"only Tensors of floating point and complex dtype can require gradients, "
                               f"got {self.dtype}")
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` in place and return self."""
        if not (requires_grad and self._grad_fn is not None):     # True on a non-leaf is allowed: no-op
            self.requires_grad = requires_grad
        return self

    @property
    def grad(self):
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            if value.shape != self.shape:
                raise RuntimeError(f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor of "
                                   f"size '{list(self.shape)}'. Please ensure that the gradient and the tensor are "
                                   "the same size")
            if value.dtype != self.dtype:
                raise RuntimeError(f"attempting to assign a gradient with dtype '{value.dtype.name}' to a tensor "
                                   f"with dtype '{self.dtype.name}'. The gradient must match the tensor's dtype.")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def data(self):
        """The same memory, detached from autograd."""
        return self.detach()

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self._data = value._data

    @property
    def _version(self):
        box = self._version_box
        return box[0] if box is not None else 0

    def _shared_version_box(self):
        if self._version_box is None:
            self._version_box = [0]
        return self._version_box

    def _bump_version(self):
        self._shared_version_box()[0] += 1

    def _type_name(self):
        return self.type()

    def _wrap_dim(self, dim, ndim=None):
        """Turn a possibly negative ``dim`` into an index, with PyTorch's IndexError when out of range."""
        ndim = self._data.ndim if ndim is None else ndim
        if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
            raise TypeError(f"argument 'dim' must be int, not {type(dim).__name__}")
        limit = max(ndim, 1)
        if not -limit <= dim < limit:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-limit}, {limit - 1}], "
                             f"but got {dim})")
        return int(dim) % limit

    # ------------------------------------------------------------------ Python and NumPy
    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self, *, force=False):
        """The NumPy array sharing this tensor's memory (CPU tensors that do not require grad)."""
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                               "instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        if dtype is not None:
            return self._data.astype(dtype, copy=bool(copy))
        return self._data.copy() if copy else self._data

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous"
                               if self._data.size else "Boolean value of Tensor with no values is ambiguous")
        return bool(self._data.reshape(()))

    def __float__(self):
        return float(self._real_item("double"))

    def __int__(self):
        return int(self._real_item("int64_t"))

    def _check_one_element(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")

    def _real_item(self, c_type):
        """The one element as a real Python number; a complex one must have no imaginary part (PyTorch's rule)."""
        self._check_one_element()
        value = self.item()
        if isinstance(value, complex):
            if value.imag != 0:
                raise RuntimeError(f"value cannot be converted to type {c_type} without overflow")
            value = value.real
        return value

    def __complex__(self):
        return complex(self.item())

    def __index__(self):
        if self.dtype.is_floating_point or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.reshape(()))

    def __hash__(self):
        return id(self)

    def __repr__(self):
        from ._tensor_str import tensor_repr
        return tensor_repr(self)

    def __format__(self, spec):
        if self._data.ndim == 0:
            return format(self.item(), spec)
        return format(repr(self), spec)

    def __reduce_ex__(self, protocol):
        return (_rebuild_tensor, (type(self), np.array(self._data), self._requires_grad))

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the "
                               "deepcopy protocol at the moment.")
        if id(self) in memo:
            return memo[id(self)]
        new = type(self)._make(self._data.copy(), self._requires_grad)
        new.__dict__.update({k: v for k, v in self.__dict__.items() if not k.startswith("_")})
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = new
        return new

    # ------------------------------------------------------------------ autograd
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate the gradient of this tensor with respect to graph leaves into their ``.grad``."""
        from .autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        """A new tensor on the same memory that is not part of any graph."""
        t = Tensor._make(self._data)
        t._version_box = self._shared_version_box()
        return t

    def detach_(self):
        """Detach this tensor from its graph in place, making it a leaf."""
        if self._base is not None and self._base.requires_grad:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self._grad_fn = None
        self._requires_grad = False
        return self

    def _drop_grad(self):
        """``self.grad = None`` (what ``zero_grad()`` does), keeping the old gradient's memory as a spare.

        The next backward copies its first gradient into the spare instead of fresh memory, so a
        training loop does not free and re-fault its gradient buffers every step. The spare is
        reused only if nothing else still refers to it (see ``engine._private_copy``).
        """
        grad = self._grad
        self._grad = None
        if grad is not None and grad._grad_fn is None and grad._data.base is None and grad._data.flags.writeable:
            self._spare_grad = grad._data

    def _alias(self):
        """A new Tensor object for the same array and version counter (autograd sees a new node)."""
        t = Tensor._make(self._data, self._requires_grad)
        t._grad_fn, t._output_nr = self._grad_fn, self._output_nr
        t._version_box = self._shared_version_box()
        return t

    def retain_grad(self):
        """Keep ``.grad`` on this non-leaf tensor after backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is None or self._retains_grad:
            return
        import weakref
        node = self._grad_fn
        if node._retained is None:
            node._retained = {}
        node._retained[self._output_nr] = weakref.ref(self)
        self._retains_grad = True

    @property
    def retains_grad(self):
        return self._retains_grad

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor replaces it."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        from .autograd.function import _RemovableHandle
        if self._grad_fn is None:
            if self._hooks is None:
                self._hooks = []
            return _RemovableHandle(self._hooks, hook)
        node = self._grad_fn
        if node._tensor_hooks is None:
            node._tensor_hooks = {}
        return _RemovableHandle(node._tensor_hooks.setdefault(self._output_nr, []), hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(tensor)`` on this leaf after backward has added to its ``.grad`` (e.g. to step an optimizer).

        >>> w = ember.ones(2, requires_grad=True)
        >>> handle = w.register_post_accumulate_grad_hook(lambda t: print(t.grad))
        >>> (w * 3).sum().backward()
        tensor([3., 3.])
        """
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        from .autograd.function import _RemovableHandle
        if self._post_accumulate_hooks is None:
            self._post_accumulate_hooks = []
        return _RemovableHandle(self._post_accumulate_hooks, hook)

    # ------------------------------------------------------------------ views and in-place
    def _become_view_of(self, source, view_cls, attrs):
        """Mark this fresh output of a view op as sharing ``source``'s memory and version counter."""
        self._version_box = source._shared_version_box()
        self._view_version = self._version_box[0]
        if source._base is not None:
            base, outer = source._base, source._view_fn
            self._view_fn = lambda t: view_cls.apply(outer(t), **attrs)
        else:
            base = source
            self._view_fn = lambda t: view_cls.apply(t, **attrs)
        self._base = base

    def _check_inplace(self):
        """PyTorch's errors for in-place changes autograd could not follow."""
        from .autograd.grad_mode import is_grad_enabled
        if not is_grad_enabled():
            return
        if self._requires_grad and self._grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        base = self._base
        if base is not None and base._requires_grad and base._grad_fn is None:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place "
                               "operation.")

    def _assign_inplace(self, result):
        """Make ``result`` (computed out of place) the new value of this tensor, for in-place ops.

        Checks PyTorch's rules (shape, dtype cast, leaves), writes the values into this
        tensor's memory (so views see them), bumps the version counter, and rewires
        autograd: this tensor, and its base when it is a view, now come from ``result``.
        """
        if result.shape != self.shape:
            raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the broadcast shape "
                               f"{list(result.shape)}")
        if result.dtype is not self.dtype and not _dtype.can_cast(result.dtype, self.dtype):
            raise RuntimeError(f"result type {_type_word(result.dtype)} can't be cast to the desired output "
                               f"type {_type_word(self.dtype)}")
        if self._data.size and any(step == 0 and n > 1 for step, n in zip(self._data.strides,
                                                                          self._data.shape)):   # expanded views
            raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a "
                               "single memory location. Please clone() the tensor before performing the operation.")
        self._check_inplace()
        if result._grad_fn is not None:
            from .autograd.function import preserve_saved_values
            preserve_saved_values(self, result)
        self._data[...] = result._data
        self._bump_version()
        from .autograd.grad_mode import is_grad_enabled
        if not is_grad_enabled() or not (result._requires_grad or self._requires_grad or
                                         (self._base is not None and self._base._requires_grad)):
            return self
        if result.dtype is not self.dtype:
            result = result.to(self.dtype)
        if self._base is not None:
            from .autograd.copy_slices import rebase_view
            rebase_view(self, result)       # the view's grad_fn now comes from its new base
            return self
        self._grad_fn, self._output_nr = result._grad_fn, result._output_nr
        self._requires_grad = result._requires_grad
        return self

    # ------------------------------------------------------------------ conversion helpers
    def to(self, *args, **kwargs):
        """Convert dtype and/or device: ``to(dtype)``, ``to(device)``, ``to(other)``, ``to(device, dtype)``."""
        dtype, device, copy = _parse_to(args, kwargs)
        if device is not None:
            check_available(device)
        if dtype is None or dtype is self.dtype:
            return self.clone() if copy else self
        return self._cast(dtype)

    def cpu(self, memory_format=None):
        return self

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        check_available(to_device("cuda" if device is None else device))

    def type(self, dtype=None, non_blocking=False):
        """The type name (``'ember.FloatTensor'``) or, given a dtype, a converted tensor."""
        if dtype is None:
            return f"ember.{_TYPE_NAMES[self.dtype.name]}"
        if isinstance(dtype, str):
            names = {f"ember.{v}": k for k, v in _TYPE_NAMES.items()}
            names.update({f"torch.{v}": k for k, v in _TYPE_NAMES.items()})
            if dtype not in names:
                raise ValueError(f"invalid type: '{dtype}'")
            dtype = _dtype._BY_NAME[names[dtype]]
        return self.to(_dtype.to_dtype(dtype))

    def type_as(self, other):
        if not isinstance(other, Tensor):
            raise TypeError(f"type_as(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}")
        return self.to(other.dtype)

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        arr = _to_array(data, dtype if dtype is not None else self.dtype)
        return Tensor._make(np.array(arr), requires_grad)

    @property
    def _xp(self):
        """The array module (numpy or cupy) of this tensor's device."""
        return array_module(self._data)


_TYPE_NAMES = {"bool": "BoolTensor", "uint8": "ByteTensor", "int8": "CharTensor", "int16": "ShortTensor",
               "int32": "IntTensor", "int64": "LongTensor", "float16": "HalfTensor",
               "bfloat16": "BFloat16Tensor", "float32": "FloatTensor", "float64": "DoubleTensor",
               "complex64": "ComplexFloatTensor", "complex128": "ComplexDoubleTensor"}


def _type_word(d):
    return {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
            "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble"}[d.name]


def _parse_to(args, kwargs):
    """Read ``Tensor.to``'s overloads into (dtype, device, copy)."""
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    for arg in args:
        if isinstance(arg, Tensor):
            dtype, device = arg.dtype, arg.device
        elif isinstance(arg, _dtype.dtype) or arg in (float, int, bool):
            dtype = arg
        elif isinstance(arg, (str, int)) or hasattr(arg, "type") and hasattr(arg, "index"):
            device = arg
        elif isinstance(arg, bool):
            continue
        else:
            raise TypeError(f"to() received an invalid combination of arguments: {arg!r}")
    return (_dtype.to_dtype(dtype) if dtype is not None else None,
            to_device(device) if device is not None else None, copy)


def _rebuild_tensor(cls, array, requires_grad):
    return cls._make(array, requires_grad)
