"""Small helpers shared by the op families: argument checks and reading, dtype handling."""

import operator
import warnings

import numpy as np

from .. import _dtype
from .._device import array_module
from .._tensor import Tensor, _type_word
from ..autograd import grad_mode

# How PyTorch's C++ messages name each dtype ("expected dtype float for `end` but got dtype long int").
_C_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
                 "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
                 "uint8": "unsigned char", "bool": "bool", "complex64": "c10::complex<float>",
                 "complex128": "c10::complex<double>"}


def c_type_name(dtype):
    """The C++ name of ``dtype`` in PyTorch's messages (``float``, ``long int``, ``c10::Half``)."""
    return _C_TYPE_NAMES[dtype.name]


def as_float_input(x):
    """``x`` itself when floating point or complex, else ``x`` cast to the default dtype (``exp(int)`` is float)."""
    if x.dtype.is_floating_point or x.dtype.is_complex:
        return x
    return x._cast(_dtype.get_default_dtype())


def promote_operands(*operands):
    """Cast the Tensor operands to their PyTorch result dtype; scalars become 0-dim arrays of it.

    Returns the converted operands and the result dtype.
    """
    if len(operands) == 2:      # fast paths for the common cases of binary ops
        a, b = operands
        if isinstance(a, Tensor):
            data = a._data
            if isinstance(b, Tensor):
                if data.dtype is b._data.dtype and data.shape == b._data.shape:
                    return operands, _dtype._BY_NUMPY[data.dtype]
            elif type(b) is float or type(b) is int:
                result = _dtype._BY_NUMPY.get(data.dtype)
                if result is not None and result.is_floating_point:
                    return (a, np.asarray(b, dtype=data.dtype)), result
    result = _dtype.result_type(*operands)
    shapes = [op._data.shape for op in operands if isinstance(op, Tensor)]
    if len(shapes) > 1 and any(s != shapes[0] for s in shapes):
        broadcast_shapes(*shapes)
    converted = []
    for op in operands:
        if isinstance(op, Tensor):
            converted.append(op if op._data.dtype == result.np_dtype else op._cast(result))
        else:
            converted.append(np.asarray(op).astype(result.np_dtype))   # ints wrap as in PyTorch (uint8 + 300)
    return converted, result


def constant(array, like=None):
    """A constant tensor (a mask, weights) holding ``array``, in the dtype of the Tensor ``like`` when given."""
    if like is not None:
        array = np.asarray(array).astype(like._data.dtype, copy=False)
    return Tensor._make(array)


def refuse_complex(input, error, message):
    """Raise PyTorch's ``error(message)`` when ``input`` is complex, for ops PyTorch does not define on complex
    tensors (ordering, extremes): nothing computes on the real parts alone. ``{dtype}`` in ``message`` names the
    dtype as PyTorch does (``ComplexFloat``)."""
    if isinstance(input, Tensor) and input.dtype.is_complex:
        raise error(message.format(dtype=_type_word(input.dtype)))


def check_tensor(value, name, fn):
    """Raise PyTorch's TypeError when argument ``name`` of ``fn`` is not a Tensor."""
    if not isinstance(value, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' must be Tensor, not {type(value).__name__}")


def check_tensor_args(fn, **arguments):
    """``check_tensor`` for each argument of ``fn`` given as ``name=value``, in order."""
    for name, value in arguments.items():
        check_tensor(value, name, fn)


def as_int(value, fn, name):
    """``value`` as a Python int, or PyTorch's TypeError naming ``fn``'s argument."""
    if isinstance(value, Tensor) and value.ndim == 0 and not value.dtype.is_floating_point:
        return int(value.item())
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{fn}(): argument '{name}' must be a tuple of ints, but found element of type "
                        f"{type(value).__name__}") from None


def int_arg(value, fn, name):
    """``value`` as a Python int, or PyTorch's TypeError when argument ``name`` of ``fn`` is not an integer.

    Floats are refused rather than truncated (``diag(x, 1.5)`` is an error), as are bools.
    """
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, Tensor) and value.ndim == 0 and not value.dtype.is_floating_point and \
            value.dtype.name != "bool":
        return int(value.item())
    raise TypeError(f"{fn}(): argument '{name}' must be int, not {type(value).__name__}")


def float_arg(value, fn, name, optional=False):
    """``value`` as a Python number, or PyTorch's TypeError when argument ``name`` of ``fn`` is not one.

    With ``optional``, None passes through (PyTorch's ``float?`` arguments).
    """
    if value is None and optional:
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return value
    if isinstance(value, Tensor) and value.numel() == 1:
        return value.item()
    raise TypeError(f"{fn}(): argument '{name}' must be float, not {type(value).__name__}")


def bool_arg(value, fn, name):
    """``value`` itself, or PyTorch's TypeError when argument ``name`` of ``fn`` is not a Python bool."""
    if value is True or value is False:
        return value
    raise TypeError(f"{fn}(): argument '{name}' must be bool, not {type(value).__name__}")


def shape_arg(size, fn="view", name="size"):
    """A shape given as ``f(2, 3)``, ``f((2, 3))`` or ``f([2, 3])``, as a tuple of ints."""
    if len(size) == 1 and not isinstance(size[0], (int, np.integer, Tensor)):
        size = size[0]
        _check_sequence(size, fn, name)
    return tuple(as_int(s, fn, name) for s in size)


def int_tuple(value, fn, name):
    """An int or a sequence of ints as a tuple of ints."""
    if isinstance(value, (int, np.integer)):
        return (int(value),)
    _check_sequence(value, fn, name)
    return tuple(as_int(v, fn, name) for v in value)


def _check_sequence(value, fn, name):
    """PyTorch's TypeError when a ``tuple of ints`` argument is a single non-integer (a float, a string)."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{fn}(): argument '{name}' must be tuple of ints, not {type(value).__name__}")


def wrap_dim(dim, ndim):
    """A non-negative dimension index, or PyTorch's IndexError when ``dim`` is out of range."""
    limit = max(ndim, 1)
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"argument 'dim' must be int, not {type(dim).__name__}")
    if not -limit <= dim < limit:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-limit}, {limit - 1}], but got "
                         f"{dim})")
    return int(dim) % limit


def wrap_dims(dims, ndim):
    """Normalise ``dim`` arguments (None, an int or a sequence) to a sorted tuple, or None for all."""
    if dims is None:
        return None
    if isinstance(dims, (int, np.integer)):
        dims = (dims,)
    if not isinstance(dims, (tuple, list)):
        raise TypeError(f"argument 'dim' must be tuple of ints, not {type(dims).__name__}")
    for position, d in enumerate(dims):
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)):
            raise TypeError(f"argument 'dim' must be tuple of ints, but found element of type {type(d).__name__} "
                            f"at pos {position}")
    out = tuple(wrap_dim(d, ndim) for d in dims)
    if len(set(out)) != len(out):
        repeated = next(d for d in out if out.count(d) > 1)
        raise RuntimeError(f"dim {repeated} appears multiple times in the list of dims")
    return tuple(sorted(out))


def broadcast_shapes(*shapes):
    """The shape that ``shapes`` broadcast to, or PyTorch's RuntimeError naming the clash.

    Shapes are folded in pairwise from the left and compared from the trailing dimension,
    as PyTorch does, so the message names the same sizes and dimension as PyTorch's.

    >>> ember.broadcast_shapes((3, 1), (1, 4))
    ember.Size([3, 4])
    """
    from .._tensor import Size
    result = ()
    for shape in shapes:
        for size in shape:
            if size < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {size}: {list(shape)}")
        result = _broadcast_pair(result, tuple(shape))
    return Size(result)


def _broadcast_pair(a, b):
    """The broadcast of shapes ``a`` and ``b``, checked from the last dimension backwards."""
    if a == b:
        return a
    ndim = max(len(a), len(b))
    result = [1] * ndim
    for dim in range(ndim - 1, -1, -1):
        size_a = a[dim - ndim + len(a)] if dim - ndim + len(a) >= 0 else 1
        size_b = b[dim - ndim + len(b)] if dim - ndim + len(b) >= 0 else 1
        if size_a != size_b and size_a != 1 and size_b != 1:
            raise RuntimeError(f"The size of tensor a ({size_a}) must match the size of tensor b ({size_b}) at "
                               f"non-singleton dimension {dim}")
        result[dim] = size_b if size_a == 1 else size_a
    return tuple(result)


def write_out(out, result, fn, check_cast=False):
    """Honour an ``out=`` argument: PyTorch's checks, resizing (with its warning), then ``result`` copied in.

    ``result`` may be a tuple of tensors (``out`` then a sequence of as many); with ``check_cast``,
    a result dtype that cannot be cast to ``out``'s raises PyTorch's TypeError (``cat``, ``tril``).
    """
    if out is None:
        return result
    if isinstance(result, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(result):
            raise TypeError(f"{fn}(): argument 'out' must be a tuple of {len(result)} Tensors")
        return type(result)(write_out(o, r, fn, check_cast) for o, r in zip(out, result))
    if not isinstance(out, Tensor):
        raise TypeError(f"{fn}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if grad_mode.is_grad_enabled() and (result.requires_grad or out.requires_grad):
        raise RuntimeError(f"{fn}(): functions with out=... arguments don't support automatic differentiation, "
                           "but one of the arguments requires grad.")
    if check_cast and not _dtype.can_cast(result.dtype, out.dtype):
        raise TypeError(f"{fn}(): input types can't be cast to the desired output type {_type_word(out.dtype)}")
    if out.shape != result.shape:
        if out.numel():
            warnings.warn(f"An output with one or more elements was resized since it had shape "
                          f"{list(out.shape)}, which does not match the required output shape "
                          f"{list(result.shape)}. This behavior is deprecated, and in a future release outputs "
                          "will not be resized unless they have zero elements.", UserWarning, stacklevel=3)
        out._data = array_module(out._data).empty(result.shape, dtype=out._data.dtype)
    out._data[...] = result._data
    out._bump_version()
    return out


# Elements per block for multi-pass elementwise kernels: 32K float32 numbers (128 KB per temporary) keep a dozen
# in-place passes inside the L2 cache instead of streaming the whole tensor through memory once per pass.
ELEMENTWISE_BLOCK = 1 << 15


def in_blocks(kernel, *arrays):
    """``kernel(*arrays)`` evaluated block by block over the flattened arrays (all of one shape), results reshaped back.

    For NumPy kernels that make many passes over their input (polynomials, erfc): on large tensors each pass then
    runs over cache-resident blocks, about 3x faster. ``kernel`` returns an array or a tuple of arrays shaped like
    its inputs; small, 0-dim and non-NumPy arrays go to it whole.
    """
    first = arrays[0]
    if first.size <= 2 * ELEMENTWISE_BLOCK or not isinstance(first, np.ndarray):
        return kernel(*arrays)
    flats = [np.ascontiguousarray(a).reshape(-1) for a in arrays]
    outputs = None
    for start in range(0, first.size, ELEMENTWISE_BLOCK):
        block = kernel(*(a[start:start + ELEMENTWISE_BLOCK] for a in flats))
        results = block if isinstance(block, tuple) else (block,)
        if outputs is None:
            outputs = [np.empty(first.size, dtype=r.dtype) for r in results]
        for output, result in zip(outputs, results):
            output[start:start + ELEMENTWISE_BLOCK] = result
    shaped = tuple(output.reshape(first.shape) for output in outputs)
    return shaped if isinstance(block, tuple) else shaped[0]
