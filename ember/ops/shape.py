"""Shape and view operations: views share memory with their input, as in PyTorch."""

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Primitive
from ._util import wrap_dim

__all__ = ["reshape", "permute", "transpose", "unsqueeze", "squeeze", "unbind"]


def _shape_arg(size):
    """Accept ``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])`` alike."""
    if len(size) == 1 and not isinstance(size[0], (int, np.integer)):
        size = size[0]
    return tuple(int(s) for s in size)


def _infer_size(shape, numel):
    """Resolve one ``-1`` in ``shape`` and check the element count, with PyTorch's messages."""
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        return tuple(numel // known if s == -1 else s for s in shape)
    if known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


class View(Primitive):
    is_view = True

    @staticmethod
    def forward(ctx, x, *, shape):
        ctx.shape = x.shape
        try:
            return np.reshape(x, shape, copy=False)
        except ValueError:
            raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one "
                               "dimension spans across two contiguous subspaces). Use .reshape(...) "
                               "instead.") from None

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)


class Reshape(Primitive):
    """Reshape that copies when a view is impossible (the copy is not a view)."""

    @staticmethod
    def forward(ctx, x, *, shape):
        ctx.shape = x.shape
        return x.reshape(shape).copy()

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)


def view(self, *shape):
    """A tensor with the same data and a new shape; fails when the memory layout does not allow it.

    >>> ember.arange(6).view(2, 3)
    tensor([[0, 1, 2],
            [3, 4, 5]])
    """
    shape = _infer_size(_shape_arg(shape), self.numel())
    return View.apply(self, shape=shape)


def reshape(input, *shape):
    """``input`` with a new shape: a view when possible, else a copy.

    >>> ember.reshape(ember.arange(4), (2, 2))
    tensor([[0, 1],
            [2, 3]])
    """
    shape = _infer_size(_shape_arg(shape), input.numel())
    if shape == tuple(input.shape):
        return View.apply(input, shape=shape)
    try:
        np.reshape(input._data, shape, copy=False)
    except ValueError:
        return Reshape.apply(input, shape=shape)
    return View.apply(input, shape=shape)


class Expand(Primitive):
    is_view = True

    @staticmethod
    def forward(ctx, x, *, shape):
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad   # the engine sums it back to the input's shape


def expand(self, *sizes):
    """A view with singleton dimensions repeated to ``sizes`` (``-1`` keeps a size); no copy.

    >>> ember.tensor([[1], [2]]).expand(2, 3)
    tensor([[1, 1, 1],
            [2, 2, 2]])
    """
    sizes = _shape_arg(sizes)
    if len(sizes) < self.ndim:
        raise RuntimeError(f"expand(ember.{self.dtype.name}Tensor{{{list(self.shape)}}}, size={list(sizes)}): "
                           "the number of sizes provided "
                           f"({len(sizes)}) must be greater or equal to the number of dimensions in the tensor "
                           f"({self.ndim})")
    lead = len(sizes) - self.ndim
    shape = list(sizes)
    for i, s in enumerate(self.shape):
        target = sizes[lead + i]
        if target == -1:
            shape[lead + i] = s
        elif s != 1 and s != target:
            raise RuntimeError(f"The expanded size of the tensor ({target}) must match the existing size ({s}) "
                               f"at non-singleton dimension {lead + i}.  Target sizes: {list(sizes)}.  Tensor "
                               f"sizes: {list(self.shape)}")
    if any(s == -1 for s in shape[:lead]):
        raise RuntimeError("The expanded size of the tensor (-1) isn't allowed in a leading, non-existing "
                           "dimension 0")
    shape = tuple(shape)
    if shape == tuple(self.shape):
        return View.apply(self, shape=shape)
    return Expand.apply(self, shape=shape)


class Permute(Primitive):
    is_view = True

    @staticmethod
    def forward(ctx, x, *, dims):
        ctx.dims = dims
        return x.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        return grad.permute(tuple(np.argsort(ctx.dims)))


def permute(input, *dims):
    """A view with the dimensions reordered.

    >>> ember.zeros(2, 3, 4).permute(2, 0, 1).shape
    ember.Size([4, 2, 3])
    """
    dims = _shape_arg(dims)
    if len(dims) != input.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
                           f"length of the desired ordering of dimensions i.e. input.dim() = {input.ndim} is "
                           f"not equal to len(dims) = {len(dims)}")
    dims = tuple(wrap_dim(d, input.ndim) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims=dims)


def transpose(input, dim0, dim1):
    """A view with dimensions ``dim0`` and ``dim1`` swapped.

    >>> ember.zeros(2, 3).transpose(0, 1).shape
    ember.Size([3, 2])
    """
    n = input.ndim
    dims = list(range(n))
    if n == 0:
        wrap_dim(dim0, 0), wrap_dim(dim1, 0)
        return View.apply(input, shape=())
    a, b = wrap_dim(dim0, n), wrap_dim(dim1, n)
    dims[a], dims[b] = dims[b], dims[a]
    return Permute.apply(input, dims=tuple(dims))


def unsqueeze(input, dim):
    """A view with a size-1 dimension inserted at ``dim``.

    >>> ember.tensor([1, 2]).unsqueeze(0).shape
    ember.Size([1, 2])
    """
    dim = wrap_dim(dim, input.ndim + 1)
    shape = list(input.shape)
    shape.insert(dim, 1)
    return View.apply(input, shape=tuple(shape))


def squeeze(input, dim=None):
    """A view without size-1 dimensions (all, or those in ``dim``).

    >>> ember.zeros(1, 2, 1).squeeze().shape
    ember.Size([2])
    """
    if dim is None:
        dims = range(input.ndim)
    else:
        dims = [wrap_dim(d, input.ndim) for d in ((dim,) if isinstance(dim, int) else dim)]
    shape = tuple(s for i, s in enumerate(input.shape) if not (i in dims and s == 1))
    return View.apply(input, shape=shape)


class Select(Primitive):
    """``x[..., index, ...]`` along one dimension: a view."""

    is_view = True

    @staticmethod
    def forward(ctx, x, *, dim, index):
        ctx.shape, ctx.dim, ctx.index = x.shape, dim, index
        return x[(slice(None),) * dim + (index,)]

    @staticmethod
    def backward(ctx, grad):
        return _select_backward(grad, ctx.shape, ctx.dim, ctx.index)


class SelectBackward(Primitive):
    """Scatter a selected slice's gradient into zeros of the input's shape (and its own adjoint)."""

    @staticmethod
    def forward(ctx, grad, *, shape, dim, index):
        ctx.dim, ctx.index = dim, index
        out = np.zeros(shape, dtype=grad.dtype)
        out[(slice(None),) * dim + (index,)] = grad
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad.select(ctx.dim, ctx.index)


def _select_backward(grad, shape, dim, index):
    return SelectBackward.apply(grad, shape=shape, dim=dim, index=index)


def select(input, dim, index):
    """The slice at ``index`` along ``dim``, as a view with that dimension removed.

    >>> ember.tensor([[1, 2], [3, 4]]).select(1, 0)
    tensor([1, 3])
    """
    if input.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    dim = wrap_dim(dim, input.ndim)
    size = input.shape[dim]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(input.shape)} at "
                         f"dimension {dim}")
    return Select.apply(input, dim=dim, index=int(index) % size)


def unbind(input, dim=0):
    """The slices along ``dim``, as a tuple of views.

    >>> ember.unbind(ember.tensor([[1, 2], [3, 4]]))
    (tensor([1, 2]), tensor([3, 4]))
    """
    dim = wrap_dim(dim, input.ndim)
    return tuple(select(input, dim, i) for i in range(input.shape[dim]))


TENSOR_METHODS = {
    "view": view, "reshape": reshape, "expand": expand, "permute": permute, "transpose": transpose,
    "unsqueeze": unsqueeze, "squeeze": squeeze, "select": select, "unbind": unbind,
}
__all__ += ["select"]
