"""Small helpers shared by the op families: argument checks and dtype handling."""

import numpy as np

from .. import _dtype
from .._tensor import Tensor


def as_float_input(x):
    """``x`` itself when floating point, else ``x`` cast to the default dtype (``exp(int)`` is float)."""
    if x.dtype.is_floating_point:
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


def check_tensor(value, name, fn):
    """Raise PyTorch's TypeError when argument ``name`` of ``fn`` is not a Tensor."""
    if not isinstance(value, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' must be Tensor, not {type(value).__name__}")


def wrap_dim(dim, ndim):
    """A non-negative dimension index, or PyTorch's IndexError when ``dim`` is out of range."""
    limit = max(ndim, 1)
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
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
    out = tuple(wrap_dim(d, ndim) for d in dims)
    if len(set(out)) != len(out):
        raise RuntimeError(f"dim {out} appears multiple times in the list of dims")
    return tuple(sorted(out))


def broadcast_shapes(*shapes):
    """The shape that ``shapes`` broadcast to, or PyTorch's RuntimeError naming the clash.

    >>> ember.broadcast_shapes((3, 1), (1, 4))
    ember.Size([3, 4])
    """
    from .._tensor import Size
    ndim = max((len(s) for s in shapes), default=0)
    result = [1] * ndim
    for index, shape in enumerate(shapes):
        for i, size in enumerate(shape):
            dim = ndim - len(shape) + i
            if size < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {size}: {list(shape)}")
            if result[dim] == 1:
                result[dim] = size
            elif size != 1 and size != result[dim]:
                raise RuntimeError(f"The size of tensor a ({result[dim]}) must match the size of tensor b ({size}) "
                                   f"at non-singleton dimension {dim - ndim + len(shape) if index else dim}")
    return Size(result)
