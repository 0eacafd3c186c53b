"""Shape and view operations: views share memory with their input, as in PyTorch.

A view op is a Primitive with ``is_view = True`` whose forward returns a NumPy view of
its input; its backward puts the gradient back where the view came from. Ops that
PyTorch implements as copies (``flip``, ``roll``, ``repeat``, ``cat``, ...) copy here too.
Everything else (``flatten``, ``movedim``, ``split``, ``stack``, ``meshgrid``, ...) is a
composition of these few primitives.
"""

import math
import warnings

import numpy as np

from .. import _dtype
from .._device import array_module
from .._tensor import Tensor, _type_word
from ..autograd import grad_mode
from ..autograd.function import Primitive
from ._util import as_int, broadcast_shapes, check_tensor, int_arg, int_tuple, shape_arg, wrap_dim, wrap_dims, write_out

__all__ = [
    "reshape", "flatten", "unflatten", "ravel", "broadcast_to", "broadcast_tensors",
    "permute", "transpose", "swapaxes", "swapdims", "t", "adjoint", "movedim", "moveaxis",
    "unsqueeze", "squeeze", "atleast_1d", "atleast_2d", "atleast_3d",
    "select", "narrow", "unbind", "split", "chunk", "tensor_split", "hsplit", "vsplit", "dsplit",
    "diagonal", "as_strided", "repeat_interleave", "tile", "flip", "fliplr", "flipud", "roll", "rot90",
    "cat", "concat", "concatenate", "stack", "hstack", "vstack", "row_stack", "dstack", "column_stack",
    "diag", "diag_embed", "tril", "triu", "meshgrid",
]


# ----------------------------------------------------------------------------- argument helpers

def _infer_size(shape, numel):
    """Resolve one ``-1`` in ``shape`` and check the element count, with PyTorch's messages."""
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for index, s in enumerate(shape):
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s} at index {index} of shape {list(shape)}")
    known = math.prod(s for s in shape if s != -1)
    if -1 in shape:
        if known == 0:
            if numel == 0:
                raise RuntimeError(f"cannot reshape tensor of 0 elements into shape {list(shape)} because the "
                                   "unspecified dimension size -1 can be any value and is ambiguous")
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        if numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        return tuple(numel // known if s == -1 else s for s in shape)
    if known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def _check_tensors(tensors, fn):
    """``tensors`` as a list, or PyTorch's TypeError when it is not a sequence of Tensors."""
    if isinstance(tensors, Tensor):
        raise TypeError(f"{fn}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor")
    tensors = list(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
    return tensors


# ----------------------------------------------------------------------------- new shapes for the same data

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
    """Reshape that copies because a view is impossible (so the result is not a view)."""

    @staticmethod
    def forward(ctx, x, *, shape):
        ctx.shape = x.shape
        return x.reshape(shape)     # NumPy copies exactly when a view is impossible

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)


class ViewDtype(Primitive):
    """The same bytes read as another dtype (never differentiable, as in PyTorch)."""

    is_view = True

    @staticmethod
    def forward(ctx, x, *, dtype):
        return x.view(dtype.np_dtype)


def _view_dtype(self, dtype):
    new, old = _dtype.to_dtype(dtype), self.dtype
    if new.itemsize != old.itemsize:
        what = f"to view {_type_word(old)} as {_type_word(new)} (different element sizes)"
        if self.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 {what}")
        if self.stride(-1) != 1 and self.shape[-1] != 1:
            raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {self.stride(-1)}")
        ratio = new.itemsize // old.itemsize
        if ratio > 1:
            if self.shape[-1] % ratio:
                raise RuntimeError(f"self.size(-1) must be divisible by {ratio} {what}, but got {self.shape[-1]}")
            if self.storage_offset() % ratio:
                raise RuntimeError(f"self.storage_offset() must be divisible by {ratio} {what}, but got "
                                   f"{self.storage_offset()}")
            for d in range(self.ndim - 1):
                if self.stride(d) % ratio:
                    raise RuntimeError(f"self.stride({d}) must be divisible by {ratio} {what}, but got "
                                       f"{self.stride(d)}")
    with grad_mode.no_grad():
        return ViewDtype.apply(self, dtype=new)


def view(self, *shape, dtype=None):
    """A tensor with the same data and a new shape (or dtype); fails when the memory layout does not allow it.

    >>> ember.arange(6).view(2, 3)
    tensor([[0, 1, 2],
            [3, 4, 5]])
    """
    if dtype is not None or len(shape) == 1 and isinstance(shape[0], _dtype.dtype):
        return _view_dtype(self, dtype if dtype is not None else shape[0])
    shape = _infer_size(shape_arg(shape, "view"), self.numel())
    return View.apply(self, shape=shape)


def view_as(self, other):
    """``self`` viewed with ``other``'s shape.

    >>> ember.arange(4).view_as(ember.zeros(2, 2)).shape
    ember.Size([2, 2])
    """
    check_tensor(other, "other", "view_as")
    return view(self, other.shape)


def reshape(input, *shape):
    """``input`` with a new shape: a view when possible, else a copy.

    >>> ember.reshape(ember.arange(4), (2, 2))
    tensor([[0, 1],
            [2, 3]])
    """
    check_tensor(input, "input", "reshape")
    shape = _infer_size(shape_arg(shape, "reshape", "shape"), input.numel())
    if shape == tuple(input.shape):
        return View.apply(input, shape=shape)
    try:
        np.reshape(input._data, shape, copy=False)
    except ValueError:
        return Reshape.apply(input, shape=shape)
    return View.apply(input, shape=shape)


def reshape_as(self, other):
    """``self`` reshaped to ``other``'s shape.

    >>> ember.arange(4).reshape_as(ember.zeros(2, 2)).shape
    ember.Size([2, 2])
    """
    check_tensor(other, "other", "reshape_as")
    return reshape(self, other.shape)


def flatten(input, start_dim=0, end_dim=-1):
    """Dimensions ``start_dim`` to ``end_dim`` merged into one (a view when the layout allows).

    >>> ember.zeros(2, 3, 4).flatten(1).shape
    ember.Size([2, 12])
    """
    check_tensor(input, "input", "flatten")
    if input.ndim == 0:
        return reshape(input, 1)
    start, end = wrap_dim(start_dim, input.ndim), wrap_dim(end_dim, input.ndim)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input
    shape = input.shape
    return reshape(input, shape[:start] + (math.prod(shape[start:end + 1]),) + shape[end + 1:])


def unflatten(input, dim, sizes):
    """Dimension ``dim`` split into ``sizes`` (one may be ``-1``); always a view.

    >>> ember.zeros(2, 6).unflatten(1, (3, -1)).shape
    ember.Size([2, 3, 2])
    """
    check_tensor(input, "input", "unflatten")
    if input.ndim == 0:
        raise RuntimeError("unflatten: Dimension specified as 0 but tensor has no dimensions")
    dim = wrap_dim(dim, input.ndim)
    sizes = int_tuple(sizes, "unflatten", "sizes")
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    try:
        inferred = _infer_size(sizes, input.shape[dim])
    except RuntimeError as exc:
        if sizes.count(-1) > 1:
            raise
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
                           f"({input.shape[dim]}) in the input tensor") from exc
    return view(input, input.shape[:dim] + inferred + input.shape[dim + 1:])


def ravel(input):
    """The elements as a 1-D tensor: a view of contiguous input, else of a contiguous copy.

    >>> ember.ravel(ember.tensor([[1, 2], [3, 4]]))
    tensor([1, 2, 3, 4])
    """
    check_tensor(input, "input", "ravel")
    return view(input.contiguous(), -1)


# ----------------------------------------------------------------------------- broadcasting

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
    sizes = shape_arg(sizes, "expand")
    if len(sizes) < self.ndim:
        raise RuntimeError(f"expand(ember.{_type_word(self.dtype)}Tensor{{{list(self.shape)}}}, "
                           f"size={list(sizes)}): the number of sizes provided ({len(sizes)}) must be greater or "
                           f"equal to the number of dimensions in the tensor ({self.ndim})")
    lead = len(sizes) - self.ndim
    shape = list(sizes)
    for i in reversed(range(self.ndim)):        # PyTorch checks from the last dimension
        s, target = self.shape[i], sizes[lead + i]
        if target == -1:
            shape[lead + i] = s
        elif s != 1 and s != target:
            raise RuntimeError(f"The expanded size of the tensor ({target}) must match the existing size ({s}) "
                               f"at non-singleton dimension {lead + i}.  Target sizes: {list(sizes)}.  Tensor "
                               f"sizes: {list(self.shape)}")
    for i, s in enumerate(shape):
        if s < 0:
            if i < lead and s == -1:
                raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a leading, "
                                   f"non-existing dimension {i}")
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(shape)}")
    shape = tuple(shape)
    if shape == tuple(self.shape):
        return View.apply(self, shape=shape)
    return Expand.apply(self, shape=shape)


def expand_as(self, other):
    """``self`` expanded to ``other``'s shape.

    >>> ember.tensor([1, 2]).expand_as(ember.zeros(2, 2)).shape
    ember.Size([2, 2])
    """
    check_tensor(other, "other", "expand_as")
    return expand(self, other.shape)


def broadcast_to(input, size):
    """``input`` broadcast to ``size``: a view, like ``expand``.

    >>> ember.broadcast_to(ember.tensor([1, 2]), (3, 2)).shape
    ember.Size([3, 2])
    """
    check_tensor(input, "input", "broadcast_to")
    return expand(input, size)


def broadcast_tensors(*tensors):
    """The tensors broadcast to one common shape, as views.

    >>> [t.shape for t in ember.broadcast_tensors(ember.zeros(3, 1), ember.zeros(4))]
    [ember.Size([3, 4]), ember.Size([3, 4])]
    """
    tensors = _check_tensors(tensors, "broadcast_tensors")
    shape = broadcast_shapes(*(t.shape for t in tensors))
    return tuple(expand(t, shape) for t in tensors)


# ----------------------------------------------------------------------------- dimension order

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
    check_tensor(input, "input", "permute")
    dims = shape_arg(dims, "permute", "dims")
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
    check_tensor(input, "input", "transpose")
    n = input.ndim
    dims = list(range(n))
    if n == 0:
        wrap_dim(dim0, 0), wrap_dim(dim1, 0)
        return View.apply(input, shape=())
    a, b = wrap_dim(dim0, n), wrap_dim(dim1, n)
    dims[a], dims[b] = dims[b], dims[a]
    return Permute.apply(input, dims=tuple(dims))


swapaxes = swapdims = transpose


def t(input):
    """The transpose of a matrix; 0-D and 1-D tensors come back as they are (as views).

    >>> ember.zeros(2, 3).t().shape
    ember.Size([3, 2])
    """
    check_tensor(input, "input", "t")
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D")
    if input.ndim < 2:
        return View.apply(input, shape=tuple(input.shape))
    return transpose(input, 0, 1)


def _matrix_transpose(self, name, zero_dim_hint):
    """``self`` with its last two dimensions swapped; PyTorch's rules for ``mT``, ``mH`` and ``adjoint``."""
    if self.ndim == 0:
        warnings.warn(f"{name} is deprecated on 0-D tensors. {zero_dim_hint}", UserWarning, stacklevel=3)
        return View.apply(self, shape=())
    if self.ndim == 1:
        label = name[len("Tensor."):] if name.startswith("Tensor.") else name
        raise RuntimeError(f"tensor.{label} is only supported on matrices or batches of matrices. Got 1-D tensor.")
    return transpose(self, -2, -1)


def _T(self):
    """``Tensor.T``: all dimensions reversed (deprecated, with a warning, unless the tensor is 2-D).

    >>> ember.zeros(2, 3).T.shape
    ember.Size([3, 2])
    """
    if self.ndim == 0:
        warnings.warn("Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases.",
                      UserWarning, stacklevel=2)
    elif self.ndim != 2:
        warnings.warn("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated "
                      "and it will throw an error in a future release. Consider `x.mT` to transpose batches of "
                      "matrices or `x.permute(*ember.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a "
                      "tensor.", UserWarning, stacklevel=2)
    return Permute.apply(self, dims=tuple(reversed(range(self.ndim))))


def _mT(self):
    """``Tensor.mT``: the last two dimensions swapped (a batch of matrices transposed), as a view.

    >>> ember.zeros(5, 2, 3).mT.shape
    ember.Size([5, 3, 2])
    """
    return _matrix_transpose(self, "Tensor.mT", "This function is the identity in these cases.")


def _H(self):
    """``Tensor.H``: the conjugate transpose of a matrix (for real tensors, the transpose).

    >>> ember.zeros(2, 3).H.shape
    ember.Size([3, 2])
    """
    if self.ndim == 0:
        warnings.warn("Tensor.H is deprecated on 0-D tensors. Consider using x.conj().", UserWarning, stacklevel=2)
        return View.apply(self, shape=())
    if self.ndim != 2:
        hint = " For batches of matrices, consider using tensor.mH" if self.ndim > 2 else ""
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {self.ndim}-D tensor.{hint}")
    return transpose(self, 0, 1).conj()       # conj: a copy for complex tensors, the view itself for real ones


def _mH(self):
    """``Tensor.mH``: the conjugate transpose of a batch of matrices (for real tensors, ``mT``).

    >>> ember.zeros(5, 2, 3).mH.shape
    ember.Size([5, 3, 2])
    """
    return _matrix_transpose(self, "Tensor.mH", "Consider using x.conj().").conj()


def adjoint(input):
    """The conjugate transpose of the last two dimensions (for real tensors, the transpose), as a view.

    >>> ember.zeros(5, 2, 3).adjoint().shape
    ember.Size([5, 3, 2])
    """
    check_tensor(input, "input", "adjoint")
    return _matrix_transpose(input, "adjoint()", "Consider using x.conj().").conj()


def movedim(input, source, destination):
    """A view with dimensions ``source`` moved to positions ``destination``, the rest keeping their order.

    >>> ember.zeros(2, 3, 4).movedim(0, -1).shape
    ember.Size([3, 4, 2])
    """
    src = int_tuple(source, "movedim", "source")
    dst = int_tuple(destination, "movedim", "destination")
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} dims) should contain "
                           f"the same number of dims as destination ({list(dst)} dims)")
    n = input.ndim
    wrapped_src = [wrap_dim(d, n) for d in src]
    wrapped_dst = [wrap_dim(d, n) for d in dst]
    for name, given, wrapped in (("source", src, wrapped_src), ("destination", dst, wrapped_dst)):
        if len(set(wrapped)) != len(wrapped):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(given)})")
    if n == 0:
        return View.apply(input, shape=())
    order = [None] * n
    for s, d in zip(wrapped_src, wrapped_dst):
        order[d] = s
    rest = iter(d for d in range(n) if d not in wrapped_src)
    return Permute.apply(input, dims=tuple(next(rest) if o is None else o for o in order))


moveaxis = movedim


# ----------------------------------------------------------------------------- adding and removing dimensions

def unsqueeze(input, dim):
    """A view with a size-1 dimension inserted at ``dim``.

    >>> ember.tensor([1, 2]).unsqueeze(0).shape
    ember.Size([1, 2])
    """
    check_tensor(input, "input", "unsqueeze")
    dim = wrap_dim(dim, input.ndim + 1)
    shape = list(input.shape)
    shape.insert(dim, 1)
    return View.apply(input, shape=tuple(shape))


def squeeze(input, dim=None):
    """A view without size-1 dimensions (all, or those in ``dim``: an int or a tuple).

    >>> ember.zeros(1, 2, 1).squeeze().shape
    ember.Size([2])
    """
    check_tensor(input, "input", "squeeze")
    dims = range(input.ndim) if dim is None else wrap_dims(dim, input.ndim)
    shape = tuple(s for i, s in enumerate(input.shape) if not (i in dims and s == 1))
    return View.apply(input, shape=shape)


def _atleast(tensors, grow):
    """Apply ``grow`` to one tensor, or to each of several (given separately or as one sequence)."""
    if len(tensors) == 1 and isinstance(tensors[0], Tensor):
        return grow(tensors[0])
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tensors[0]
    return tuple(grow(t) for t in _check_tensors(tensors, grow.__name__))


def _grow_1d(t):
    return reshape(t, 1) if t.ndim == 0 else t


def _grow_2d(t):
    return reshape(t, 1, 1) if t.ndim == 0 else unsqueeze(t, 0) if t.ndim == 1 else t


def _grow_3d(t):
    if t.ndim == 0:
        return reshape(t, 1, 1, 1)
    if t.ndim == 1:
        return reshape(t, 1, t.shape[0], 1)
    return unsqueeze(t, -1) if t.ndim == 2 else t


def atleast_1d(*tensors):
    """Each tensor viewed with at least one dimension (0-D ones become shape ``(1,)``).

    >>> ember.atleast_1d(ember.tensor(5)).shape
    ember.Size([1])
    """
    return _atleast(tensors, _grow_1d)


def atleast_2d(*tensors):
    """Each tensor viewed with at least two dimensions (a vector becomes one row).

    >>> ember.atleast_2d(ember.tensor([1, 2])).shape
    ember.Size([1, 2])
    """
    return _atleast(tensors, _grow_2d)


def atleast_3d(*tensors):
    """Each tensor viewed with at least three dimensions (``(n,)`` -> ``(1, n, 1)``, ``(m, n)`` -> ``(m, n, 1)``).

    >>> ember.atleast_3d(ember.zeros(2, 3)).shape
    ember.Size([2, 3, 1])
    """
    return _atleast(tensors, _grow_3d)


# ----------------------------------------------------------------------------- slicing views

class BasicIndex(Primitive):
    """``x[key]`` for a key of ints, slices and None: a view; the gradient goes back into zeros of ``x``'s shape.

    ``backward`` is a classmethod so that the subclasses below (PyTorch's names for
    ``select`` and ``narrow``) come back as themselves in second derivatives.
    """

    is_view = True

    @staticmethod
    def forward(ctx, x, *, key):
        ctx.shape, ctx.key = x.shape, key
        return x[key]

    @classmethod
    def backward(cls, ctx, grad):
        return EmbedInZeros.apply(grad, shape=ctx.shape, key=ctx.key, view=cls)


class Select(BasicIndex):
    """``BasicIndex`` with one index along a dimension (``select``, ``unbind``)."""


class Slice(BasicIndex):
    """``BasicIndex`` with a range along a dimension (``narrow``, ``split``, ``chunk``)."""


class EmbedInZeros(Primitive):
    """Zeros of ``shape`` with ``grad`` written at ``key``: the gradient of a ``BasicIndex`` view (and its adjoint)."""

    @staticmethod
    def forward(ctx, grad, *, shape, key, view):
        ctx.key, ctx.view = key, view
        out = array_module(grad).zeros(shape, dtype=grad.dtype)
        out[key] = grad
        return out

    @staticmethod
    def backward(ctx, grad):
        return ctx.view.apply(grad, key=ctx.key)


def _slice(input, dim, start, stop):
    """The view of ``input`` keeping indices ``start:stop`` along ``dim``."""
    return Slice.apply(input, key=(slice(None),) * dim + (slice(start, stop),))


def select(input, dim, index):
    """The slice at ``index`` along ``dim``, as a view with that dimension removed.

    >>> ember.tensor([[1, 2], [3, 4]]).select(1, 0)
    tensor([1, 3])
    """
    check_tensor(input, "input", "select")
    if input.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    dim = wrap_dim(dim, input.ndim)
    index = int_arg(index, "select", "index")
    size = input.shape[dim]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(input.shape)} at "
                         f"dimension {dim}")
    return Select.apply(input, key=(slice(None),) * dim + (index % size,))


def narrow(input, dim, start, length):
    """The view of ``length`` indices from ``start`` along ``dim`` (``start`` may be negative or a 0-dim tensor).

    >>> ember.arange(5).narrow(0, 1, 3)
    tensor([1, 2, 3])
    """
    check_tensor(input, "input", "narrow")
    if input.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    if isinstance(start, Tensor) and (start.ndim != 0 or start.dtype.is_floating_point):
        raise RuntimeError("start must be an 0-dim integral Tensor.")
    start, length = int_arg(start, "narrow", "start"), int_arg(length, "narrow", "length")
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    dim = wrap_dim(dim, input.ndim)
    size = input.shape[dim]
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
    start = start + size if start < 0 else start
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return _slice(input, dim, start, start + length)


def unbind(input, dim=0):
    """The slices along ``dim``, as a tuple of views.

    >>> ember.unbind(ember.tensor([[1, 2], [3, 4]]))
    (tensor([1, 2]), tensor([3, 4]))
    """
    check_tensor(input, "input", "unbind")
    if input.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    dim = wrap_dim(dim, input.ndim)
    return tuple(select(input, dim, i) for i in range(input.shape[dim]))


def _pieces(input, dim, bounds):
    """Views of ``input`` between consecutive ``(start, stop)`` pairs along ``dim``."""
    return tuple(_slice(input, dim, start, stop) for start, stop in bounds)


def _split_with_sizes(input, sizes, dim):
    if input.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    dim = wrap_dim(dim, input.ndim)
    size = input.shape[dim]
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative entries, but got "
                           f"split_sizes={list(sizes)}")
    if sum(sizes) != size:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size at "
                           f"dimension {dim}), but got split_sizes={list(sizes)}")
    ends = np.cumsum(sizes).tolist()
    return _pieces(input, dim, zip([0] + ends[:-1], ends))


def split(tensor, split_size_or_sections, dim=0):
    """Views of ``split_size`` indices each along ``dim`` (the last may be smaller), or of the listed sizes.

    >>> [p.tolist() for p in ember.split(ember.arange(5), 2)]
    [[0, 1], [2, 3], [4]]
    """
    check_tensor(tensor, "tensor", "split")
    if isinstance(split_size_or_sections, (list, tuple)):
        return _split_with_sizes(tensor, int_tuple(split_size_or_sections, "split", "split_size"), dim)
    split_size = int_arg(split_size_or_sections, "split", "split_size")
    if tensor.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    dim = wrap_dim(dim, tensor.ndim)
    size = tensor.shape[dim]
    if split_size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={split_size}")
    if split_size == 0 and size != 0:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}")
    count = max(-(-size // split_size), 1) if split_size else 1
    starts = [i * split_size for i in range(count)]
    return _pieces(tensor, dim, ((s, min(s + split_size, size)) for s in starts))


def _split_method(self, split_size, dim=0):
    """``Tensor.split(split_size, dim=0)``: see :func:`split`.

    >>> [p.tolist() for p in ember.arange(4).split([1, 3])]
    [[0], [1, 2, 3]]
    """
    return split(self, split_size, dim)


def chunk(input, chunks, dim=0):
    """``input`` split into at most ``chunks`` equal views along ``dim`` (the last may be smaller).

    >>> [p.tolist() for p in ember.arange(5).chunk(3)]
    [[0, 1], [2, 3], [4]]
    """
    check_tensor(input, "input", "chunk")
    chunks = int_arg(chunks, "chunk", "chunks")
    if input.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    dim = wrap_dim(dim, input.ndim)
    size = input.shape[dim]
    split_size = -(-size // chunks)
    if split_size == 0:
        return _split_with_sizes(input, [0] * chunks, dim)
    return split(input, split_size, dim)


def tensor_split(input, indices_or_sections, dim=0):
    """``input`` split along ``dim`` into n nearly equal views (an int) or at the given indices (a list).

    >>> [p.tolist() for p in ember.tensor_split(ember.arange(7), 3)]
    [[0, 1, 2], [3, 4], [5, 6]]
    """
    check_tensor(input, "input", "tensor_split")
    if input.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
    spec = indices_or_sections
    if isinstance(spec, Tensor):
        if spec.dtype is not _dtype.int64:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have dtype of long, but got "
                               f"{_type_word(spec.dtype)}")
        if spec.ndim > 1:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                               f"one-dimensional tensor, but got a tensor with {spec.ndim} dims")
        spec = spec.item() if spec.ndim == 0 else spec.tolist()
    dim = wrap_dim(dim, input.ndim)
    size = input.shape[dim]
    if isinstance(spec, (int, np.integer)):
        if spec <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {spec}")
        small, extra = divmod(size, int(spec))
        ends = np.cumsum([small + 1] * extra + [small] * (int(spec) - extra)).tolist()
        return _pieces(input, dim, zip([0] + ends[:-1], ends))
    edges = [0] + list(int_tuple(spec, "tensor_split", "indices")) + [size]
    bounds = []
    for a, b in zip(edges[:-1], edges[1:]):
        start, stop, _ = slice(a, b).indices(size)
        bounds.append((start, max(start, stop)))
    return _pieces(input, dim, bounds)


def _split_along(input, indices_or_sections, dim, min_ndim, name):
    """hsplit/vsplit/dsplit: tensor_split along ``dim``, where a section count must divide the size."""
    if input.ndim < min_ndim:
        raise RuntimeError(f"ember.{name} requires a tensor with at least {min_ndim} dimension, but got a tensor "
                           f"with {input.ndim} dimensions!")
    if isinstance(indices_or_sections, (int, np.integer)):
        size = input.shape[dim]
        if indices_or_sections == 0 or size % indices_or_sections:
            raise RuntimeError(f"ember.{name} attempted to split along dimension {dim}, but the size of the "
                               f"dimension {size} is not divisible by the split_size {indices_or_sections}!")
    return tensor_split(input, indices_or_sections, dim)


def hsplit(input, indices_or_sections):
    """Split columns: along dimension 1 (dimension 0 for a 1-D tensor); a count must divide evenly.

    >>> [p.shape for p in ember.hsplit(ember.zeros(2, 4), 2)]
    [ember.Size([2, 2]), ember.Size([2, 2])]
    """
    check_tensor(input, "input", "hsplit")
    return _split_along(input, indices_or_sections, 1 if input.ndim > 1 else 0, 1, "hsplit")


def vsplit(input, indices_or_sections):
    """Split rows: along dimension 0 of a tensor with at least two dimensions.

    >>> [p.shape for p in ember.vsplit(ember.zeros(4, 2), [1])]
    [ember.Size([1, 2]), ember.Size([3, 2])]
    """
    check_tensor(input, "input", "vsplit")
    return _split_along(input, indices_or_sections, 0, 2, "vsplit")


def dsplit(input, indices_or_sections):
    """Split depth-wise: along dimension 2 of a tensor with at least three dimensions.

    >>> [p.shape for p in ember.dsplit(ember.zeros(1, 2, 4), 2)]
    [ember.Size([1, 2, 2]), ember.Size([1, 2, 2])]
    """
    check_tensor(input, "input", "dsplit")
    return _split_along(input, indices_or_sections, 2, 3, "dsplit")


# ----------------------------------------------------------------------------- strided views

def _strided(xp, x, shape, strides):
    """A writable (when ``x`` is) view of ``x``'s memory from its first element, strides in bytes."""
    return xp.lib.stride_tricks.as_strided(x, shape=tuple(shape), strides=tuple(strides))


def _diagonal_view(x, offset, dim1, dim2):
    """The view of the diagonal ``offset`` of planes (dim1, dim2) of array ``x``, moved to the last axis."""
    key = [slice(None)] * x.ndim
    key[dim1] = slice(max(-offset, 0), None)
    key[dim2] = slice(max(offset, 0), None)
    corner = x[tuple(key)]
    others = [i for i in range(x.ndim) if i not in (dim1, dim2)]
    shape = [corner.shape[i] for i in others] + [min(corner.shape[dim1], corner.shape[dim2])]
    strides = [corner.strides[i] for i in others] + [corner.strides[dim1] + corner.strides[dim2]]
    return _strided(array_module(x), corner, shape, strides)


class Diagonal(Primitive):
    is_view = True

    @staticmethod
    def forward(ctx, x, *, offset, dim1, dim2):
        ctx.shape, ctx.offset, ctx.dim1, ctx.dim2 = x.shape, offset, dim1, dim2
        return _diagonal_view(x, offset, dim1, dim2)

    @staticmethod
    def backward(ctx, grad):
        return DiagEmbed.apply(grad, shape=ctx.shape, offset=ctx.offset, dim1=ctx.dim1, dim2=ctx.dim2)


class DiagEmbed(Primitive):
    """Zeros of ``shape`` with ``x`` on the diagonal: ``diag_embed``, and the gradient of ``diagonal``."""

    @staticmethod
    def forward(ctx, x, *, shape, offset, dim1, dim2):
        ctx.offset, ctx.dim1, ctx.dim2 = offset, dim1, dim2
        out = array_module(x).zeros(shape, dtype=x.dtype)
        _diagonal_view(out, offset, dim1, dim2)[...] = x
        return out

    @staticmethod
    def backward(ctx, grad):
        return Diagonal.apply(grad, offset=ctx.offset, dim1=ctx.dim1, dim2=ctx.dim2)


def _diagonal_dims(dim1, dim2, ndim):
    a, b = wrap_dim(dim1, ndim), wrap_dim(dim2, ndim)
    if a == b:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return a, b


def diagonal(input, offset=0, dim1=0, dim2=1):
    """A view of the diagonal ``offset`` (above the main one when positive) of the planes ``dim1``, ``dim2``.

    >>> ember.tensor([[1, 2], [3, 4]]).diagonal()
    tensor([1, 4])
    """
    check_tensor(input, "input", "diagonal")
    offset = int_arg(offset, "diagonal", "offset")
    dim1, dim2 = _diagonal_dims(dim1, dim2, input.ndim)
    return Diagonal.apply(input, offset=offset, dim1=dim1, dim2=dim2)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Matrices (in dimensions ``dim1``, ``dim2``) with the last dimension of ``input`` on diagonal ``offset``.

    >>> ember.diag_embed(ember.tensor([1, 2]))
    tensor([[1, 0],
            [0, 2]])
    """
    check_tensor(input, "input", "diag_embed")
    offset = int_arg(offset, "diag_embed", "offset")
    dim1, dim2 = _diagonal_dims(dim1, dim2, input.ndim + 1)
    size = input.shape[-1] + abs(offset)
    batch = iter(input.shape[:-1])
    shape = tuple(size if d in (dim1, dim2) else next(batch) for d in range(input.ndim + 1))
    return DiagEmbed.apply(input, shape=shape, offset=int(offset), dim1=dim1, dim2=dim2)


def diag(input, diagonal=0, *, out=None):
    """A vector's diagonal matrix, or a copy of a matrix's diagonal ``diagonal``.

    >>> ember.diag(ember.tensor([[1, 2], [3, 4]]))
    tensor([1, 4])
    """
    check_tensor(input, "input", "diag")
    diagonal = int_arg(diagonal, "diag", "diagonal")
    if input.ndim == 1:
        result = diag_embed(input, diagonal, 0, 1)
    elif input.ndim == 2:
        result = Diagonal.apply(input, offset=int(diagonal), dim1=0, dim2=1).clone()
    else:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")
    return write_out(out, result, "diag", check_cast=True)


class ScatterAddFlat(Primitive):
    """Each element of ``g`` summed into flat position ``index`` of zeros shaped ``shape``."""

    @staticmethod
    def forward(ctx, g, *, index, shape):
        ctx.index = index
        xp = array_module(g)
        flat, size = index.reshape(-1), math.prod(shape)
        if g.dtype.kind == "c":     # bincount takes real weights: the two parts one after the other
            sums = xp.bincount(flat, weights=g.real.reshape(-1), minlength=size) + \
                1j * xp.bincount(flat, weights=g.imag.reshape(-1), minlength=size)
        else:
            sums = xp.bincount(flat, weights=g.reshape(-1), minlength=size)
        return sums.astype(g.dtype).reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return GatherFlat.apply(grad, index=ctx.index)


class GatherFlat(Primitive):
    """The elements of ``x`` at flat positions ``index`` (shaped like ``index``); the adjoint of ScatterAddFlat."""

    @staticmethod
    def forward(ctx, x, *, index):
        ctx.shape, ctx.index = x.shape, index
        return x.reshape(-1)[index]

    @staticmethod
    def backward(ctx, grad):
        return ScatterAddFlat.apply(grad, index=ctx.index, shape=ctx.shape)


def _positions(shape):
    """Each element's flat position, in an array of ``shape``: run a view on it to see where elements come from."""
    return np.arange(math.prod(shape)).reshape(shape)


def _unfold_view(x, dim, size, step):
    """The view of array ``x`` with windows of ``size`` every ``step`` along ``dim`` in a new last axis."""
    xp = array_module(x)
    if x.ndim == 0:
        return _strided(xp, x, (size,), (x.itemsize,))
    shape, strides = list(x.shape), list(x.strides)
    shape[dim] = (x.shape[dim] - size) // step + 1
    strides[dim] = x.strides[dim] * step
    return _strided(xp, x, shape + [size], strides + [x.strides[dim]])


class Unfold(Primitive):
    is_view = True

    @staticmethod
    def forward(ctx, x, *, dim, size, step):
        ctx.shape, ctx.window = x.shape, (dim, size, step)
        return _unfold_view(x, dim, size, step)

    @staticmethod
    def backward(ctx, grad):
        index = _unfold_view(_positions(ctx.shape), *ctx.window)
        return ScatterAddFlat.apply(grad, index=index, shape=ctx.shape)


def unfold(self, dimension, size, step):
    """A view of every window of ``size`` elements, ``step`` apart, along ``dimension``, in a new last dimension.

    >>> ember.arange(5).unfold(0, 2, 2)
    tensor([[0, 1],
            [2, 3]])
    """
    size, step = int_arg(size, "unfold", "size"), int_arg(step, "unfold", "step")
    dim = wrap_dim(dimension, self.ndim)
    length = self.shape[dim] if self.ndim else 1
    if size > length:
        raise RuntimeError(f"maximum size for tensor at dimension {dim} is {length} but size is {size}")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return Unfold.apply(self, dim=dim, size=int(size), step=int(step))


def _storage(x):
    """The flat array of the memory ``x`` lies in, and where: ``(storage, layout)``.

    ``layout`` is ``(shape, strides, start, storage size)`` in elements. When the memory
    cannot be read as one flat array of ``x``'s dtype, a contiguous copy stands in.
    """
    root = x
    while isinstance(root.base, np.ndarray):
        root = root.base
    item = x.itemsize
    start = x.__array_interface__["data"][0] - root.__array_interface__["data"][0]
    if not root.flags.c_contiguous or root.nbytes % item or start % item or any(s % item for s in x.strides):
        flat = np.ascontiguousarray(x).reshape(-1)
        return flat, (x.shape, tuple(s // item for s in np.empty(x.shape, x.dtype).strides), 0, flat.size)
    flat = root.reshape(-1).view(x.dtype)
    return flat, (x.shape, tuple(s // item for s in x.strides), start // item, flat.size)


def _storage_like(x, layout):
    """``x``'s storage when ``x`` still lies there as ``layout`` says; else a fresh storage with ``x`` laid out so.

    Replaying an ``as_strided`` view on another tensor (a gradient, a mask) must read it
    as if it were stored like the original input.
    """
    storage, actual = _storage(x)
    if actual == layout:
        return storage
    shape, strides, start, n = layout
    xp = array_module(x)
    fresh = xp.zeros(n, dtype=x.dtype)
    _strided(xp, fresh[start:], shape, [s * x.itemsize for s in strides])[...] = x
    return fresh


class AsStrided(Primitive):
    """A view of the input's storage; ``layout`` records where the input lay in it."""

    is_view = True

    @staticmethod
    def forward(ctx, x, *, size, stride, offset, layout):
        ctx.size, ctx.stride, ctx.offset, ctx.layout = size, stride, offset, layout
        storage = _storage_like(x, layout)
        return _strided(array_module(x), storage[offset:], size, [s * x.itemsize for s in stride])

    @staticmethod
    def backward(ctx, grad):
        shape, strides, start, n = ctx.layout
        positions = np.arange(n)
        item = positions.itemsize
        taken = _strided(np, positions[ctx.offset:], ctx.size, [s * item for s in ctx.stride])
        mine = _strided(np, positions[start:], shape, [s * item for s in strides])
        storage_grad = ScatterAddFlat.apply(grad, index=taken, shape=(n,))
        return GatherFlat.apply(storage_grad, index=mine)


def as_strided(input, size, stride, storage_offset=None):
    """A view of ``input``'s memory with the given sizes, strides (in elements) and storage offset.

    >>> ember.as_strided(ember.arange(4), (2, 2), (1, 1))
    tensor([[0, 1],
            [1, 2]])
    """
    check_tensor(input, "input", "as_strided")
    size, stride = int_tuple(size, "as_strided", "size"), int_tuple(stride, "as_strided", "stride")
    layout = _storage(input._data)[1]
    offset = layout[2] if storage_offset is None else as_int(storage_offset, "as_strided", "offset")
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got strides: "
                           f"{list(stride)}")
    if any(s < 0 for s in size):
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(size)} and strides={list(stride)}")
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    item = input.itemsize
    available = layout[3] * item
    needed = 0 if 0 in size else (offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))) * item
    if needed > available:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, and "
                           f"itemsize {item} requiring a storage size of {needed} are out of bounds for storage "
                           f"of size {available}")
    return AsStrided.apply(input, size=size, stride=stride, offset=offset, layout=layout)


# ----------------------------------------------------------------------------- repeating and reordering copies

class Repeat(Primitive):
    @staticmethod
    def forward(ctx, x, *, repeats):
        ctx.shape, ctx.repeats = x.shape, repeats
        padded = (1,) * (len(repeats) - x.ndim) + x.shape
        return array_module(x).tile(x.reshape(padded), repeats)

    @staticmethod
    def backward(ctx, grad):
        padded = (1,) * (len(ctx.repeats) - len(ctx.shape)) + ctx.shape
        split = [n for pair in zip(ctx.repeats, padded) for n in pair]
        copies = tuple(range(0, len(split), 2))
        return grad.reshape(split).sum(copies).reshape(ctx.shape)


def repeat(self, *repeats):
    """The tensor tiled ``repeats[i]`` times along each dimension (leading ones are added as needed).

    >>> ember.tensor([1, 2]).repeat(2, 2)
    tensor([[1, 2, 1, 2],
            [1, 2, 1, 2]])
    """
    if not repeats:
        raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
    repeats = shape_arg(repeats, "repeat", "repeats")
    if len(repeats) < self.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of "
                           "tensor")
    padded = (1,) * (len(repeats) - self.ndim) + tuple(self.shape)
    if any(r < 0 for r in repeats):
        sizes = [r * s for r, s in zip(repeats, padded)]
        negative = [size for size in sizes if size < 0]
        if negative:
            raise RuntimeError(f"Trying to create tensor with negative dimension {negative[0]}: {sizes}")
        repeats = tuple(max(r, 0) for r in repeats)     # a negative count of nothing is nothing
    return Repeat.apply(self, repeats=repeats)


def tile(input, dims):
    """``input`` repeated ``dims[i]`` times along each dimension; missing leading counts are 1.

    >>> ember.tile(ember.tensor([1, 2]), (2,))
    tensor([1, 2, 1, 2])
    """
    check_tensor(input, "input", "tile")
    dims = int_tuple(dims, "tile", "dims")
    return repeat(input, (1,) * (input.ndim - len(dims)) + dims)


def _tile_method(self, *dims):
    """``Tensor.tile(*dims)``: see :func:`tile`.

    >>> ember.tensor([1, 2]).tile(2)
    tensor([1, 2, 1, 2])
    """
    return tile(self, shape_arg(dims, "tile", "dims"))


class RepeatInterleave(Primitive):
    @staticmethod
    def forward(ctx, x, *, repeats, dim):
        ctx.repeats, ctx.dim = repeats, dim
        return array_module(x).repeat(x, repeats, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return SegmentSum.apply(grad, repeats=ctx.repeats, dim=ctx.dim)


class SegmentSum(Primitive):
    """Sums of consecutive runs of ``repeats[i]`` entries along ``dim``: the adjoint of repeat_interleave."""

    @staticmethod
    def forward(ctx, g, *, repeats, dim):
        ctx.repeats, ctx.dim = repeats, dim
        xp = array_module(g)
        shape = list(g.shape)
        shape[dim] = len(repeats)
        out = xp.zeros(shape, dtype=g.dtype)
        owners = xp.repeat(xp.arange(len(repeats)), repeats)
        xp.add.at(xp.moveaxis(out, dim, 0), owners, xp.moveaxis(g, dim, 0))
        return out

    @staticmethod
    def backward(ctx, grad):
        return RepeatInterleave.apply(grad, repeats=ctx.repeats, dim=ctx.dim)


def _repeat_counts(repeats, size, dim):
    """``repeats`` (an int or an integer tensor) as one count per index along the dimension, checked."""
    if isinstance(repeats, Tensor):
        if repeats.dtype not in (_dtype.int32, _dtype.int64):
            raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for '{_type_word(repeats.dtype)}'")
        if repeats.ndim > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        counts = np.asarray(repeats._data, dtype=np.int64).reshape(-1)
        if counts.size == 1:
            counts = np.repeat(counts, size)
        elif counts.size != size:
            raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                               f"{counts.size} and input.size({dim}) = {size}")
        if (counts < 0).any():
            raise RuntimeError("repeats can not be negative")
        return counts
    if not isinstance(repeats, (int, np.integer)) or isinstance(repeats, bool):
        raise TypeError(f"repeat_interleave(): argument 'repeats' must be Tensor or int, not "
                        f"{type(repeats).__name__}")
    if repeats < 0:
        raise RuntimeError("Repeats must be non-negative")
    return np.full(size, int(repeats), dtype=np.int64)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each element repeated ``repeats`` times (an int, or a count per element) along ``dim`` (flattened if None).

    ``repeat_interleave(counts)`` alone gives ``arange(len(counts))`` repeated by ``counts``.

    >>> ember.repeat_interleave(ember.tensor([1, 2]), 2)
    tensor([1, 1, 2, 2])
    """
    check_tensor(input, "input" if repeats is not None else "repeats", "repeat_interleave")
    if repeats is None:
        if input.ndim != 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        indices = Tensor._make(np.arange(input.shape[0], dtype=np.int64))
        return repeat_interleave(indices, input, 0, output_size=output_size)
    if dim is None:
        input, dim = flatten(input), 0
    elif input.ndim == 0:
        raise IndexError(f"Dimension out of range (expected to be in range of [-1, 0], but got {dim})")
    dim = wrap_dim(dim, input.ndim)
    counts = _repeat_counts(repeats, input.shape[dim], dim)
    total = int(counts.sum())
    if output_size is not None and output_size != total:
        raise RuntimeError(f"repeat_interleave: Invalid output_size, expected {total} but got {output_size}")
    return RepeatInterleave.apply(input, repeats=counts, dim=dim)


class Flip(Primitive):
    @staticmethod
    def forward(ctx, x, *, dims):
        ctx.dims = dims
        return array_module(x).flip(x, dims).copy()

    @staticmethod
    def backward(ctx, grad):
        return Flip.apply(grad, dims=ctx.dims)


def flip(input, dims):
    """A copy with the order of elements reversed along each of ``dims``.

    >>> ember.flip(ember.tensor([1, 2, 3]), (0,))
    tensor([3, 2, 1])
    """
    if isinstance(dims, (int, np.integer)):
        raise TypeError("flip(): argument 'dims' (position 2) must be tuple of ints, not int")
    dims = wrap_dims(dims, input.ndim)
    return Flip.apply(input, dims=dims if input.ndim else ())


def _flip_method(self, *dims):
    """``Tensor.flip(*dims)``: see :func:`flip`.

    >>> ember.tensor([1, 2]).flip(0)
    tensor([2, 1])
    """
    return flip(self, shape_arg(dims, "flip", "dims"))


def fliplr(input):
    """A copy with the columns (dimension 1) in reverse order.

    >>> ember.fliplr(ember.tensor([[1, 2], [3, 4]]))
    tensor([[2, 1],
            [4, 3]])
    """
    check_tensor(input, "input", "fliplr")
    if input.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input):
    """A copy with the rows (dimension 0) in reverse order.

    >>> ember.flipud(ember.tensor([1, 2]))
    tensor([2, 1])
    """
    check_tensor(input, "input", "flipud")
    if input.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


class Roll(Primitive):
    @staticmethod
    def forward(ctx, x, *, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        if x.size == 0:
            return x.copy()
        return array_module(x).roll(x, shifts, axis=dims)

    @staticmethod
    def backward(ctx, grad):
        return Roll.apply(grad, shifts=tuple(-s for s in ctx.shifts), dims=ctx.dims)


def roll(input, shifts, dims=None):
    """A copy with elements shifted cyclically by ``shifts`` along ``dims`` (the flattened tensor if None).

    >>> ember.roll(ember.tensor([1, 2, 3]), 1)
    tensor([3, 1, 2])
    """
    shifts = int_tuple(shifts, "roll", "shifts")
    dims = () if dims is None else int_tuple(dims, "roll", "dims")
    if not shifts:
        raise RuntimeError("`shifts` required")
    if not dims and len(shifts) == 1:
        return view(Roll.apply(flatten(input), shifts=shifts, dims=(0,)), input.shape)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    if input.ndim == 0:
        raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
    dims = tuple(wrap_dim(d, input.ndim) for d in dims)
    return Roll.apply(input, shifts=shifts, dims=dims)


def rot90(input, k=1, dims=(0, 1)):
    """A copy rotated by 90 degrees ``k`` times in the plane ``dims``, from the first axis towards the second.

    >>> ember.rot90(ember.tensor([[1, 2], [3, 4]]))
    tensor([[2, 4],
            [1, 3]])
    """
    check_tensor(input, "input", "rot90")
    k = int_arg(k, "rot90", "k")
    dims = int_tuple(dims, "rot90", "dims")
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.ndim}")
    d0, d1 = wrap_dim(dims[0], input.ndim), wrap_dim(dims[1], input.ndim)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} and dim1 = {dims[1]}")
    k = k % 4
    if k == 1:
        return transpose(flip(input, (d1,)), d0, d1)
    if k == 2:
        return flip(input, (d0, d1))
    if k == 3:
        return transpose(flip(input, (d0,)), d0, d1)
    return input.clone()


# ----------------------------------------------------------------------------- joining

class Cat(Primitive):
    """Concatenation along ``dim``; inputs marked in ``skip`` (legacy 1-D empty tensors) take no part."""

    @staticmethod
    def forward(ctx, *arrays, dim, skip):
        ctx.dim, ctx.skip = dim, skip
        ctx.sizes = [a.shape[dim] if not s else 0 for a, s in zip(arrays, skip)]
        kept = [a for a, s in zip(arrays, skip) if not s]
        if not kept:
            return arrays[0].copy()
        return array_module(kept[0]).concatenate(kept, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        grads, start = [], 0
        for size, skipped in zip(ctx.sizes, ctx.skip):
            if skipped:
                grads.append(narrow(grad.reshape(-1), 0, 0, 0))
            else:
                grads.append(narrow(grad, ctx.dim, start, size))
                start += size
        return tuple(grads)


def _check_cat_shapes(tensors, kept, dim):
    reference = tensors[kept[0]]
    for i in kept:
        t = tensors[i]
        if t.ndim != reference.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {reference.ndim} and {t.ndim}")
        for d, (expected, got) in enumerate(zip(reference.shape, t.shape)):
            if d != dim and expected != got:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {dim}. Expected size "
                                   f"{expected} but got size {got} for tensor number {i} in the list.")


def cat(tensors, dim=0, *, out=None):
    """The tensors joined along ``dim``, promoted to a common dtype (1-D empty tensors are skipped).

    >>> ember.cat([ember.tensor([1, 2]), ember.tensor([3.])])
    tensor([1., 2., 3.])
    """
    tensors = _check_tensors(tensors, "cat")
    if not tensors:
        raise ValueError("ember.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    skip = tuple(t.shape == (0,) for t in tensors)
    kept = [i for i, s in enumerate(skip) if not s]
    if kept:
        dim = wrap_dim(dim, tensors[kept[0]].ndim)
        _check_cat_shapes(tensors, kept, dim)
    else:
        dim = 0
    result_dtype = _dtype.result_type(*tensors)
    promoted = [t._cast(result_dtype) for t in tensors]
    return write_out(out, Cat.apply(*promoted, dim=dim, skip=skip), "cat", check_cast=True)


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    """Equal-shaped tensors joined along a new dimension ``dim``.

    >>> ember.stack([ember.tensor([1, 2]), ember.tensor([3, 4])], dim=1)
    tensor([[1, 3],
            [2, 4]])
    """
    tensors = _check_tensors(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    first = tensors[0]
    for i, t in enumerate(tensors):
        if t.shape != first.shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(first.shape)} at entry 0 "
                               f"and {list(t.shape)} at entry {i}")
    dim = wrap_dim(dim, first.ndim + 1)
    result_dtype = _dtype.result_type(*tensors)
    promoted = [t._cast(result_dtype) for t in tensors]
    return write_out(out, Stack.apply(*promoted, dim=dim), "stack", check_cast=True)


class Stack(Primitive):
    """Equal-shaped inputs joined along a new dimension ``dim``; each gradient is its slice of ``grad``."""

    @staticmethod
    def forward(ctx, *arrays, dim):
        ctx.dim = dim
        return array_module(arrays[0]).stack(arrays, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return tuple(select(grad, ctx.dim, i) for i in range(grad.shape[ctx.dim]))


def hstack(tensors, *, out=None):
    """Tensors joined column-wise: along dimension 1, or 0 for 1-D tensors.

    >>> ember.hstack([ember.tensor([1, 2]), ember.tensor([3])])
    tensor([1, 2, 3])
    """
    tensors = atleast_1d(_check_tensors(tensors, "hstack"))
    return cat(tensors, 0 if tensors and tensors[0].ndim == 1 else 1, out=out)


def vstack(tensors, *, out=None):
    """Tensors joined row-wise (along dimension 0), 1-D ones as rows.

    >>> ember.vstack([ember.tensor([1, 2]), ember.tensor([3, 4])])
    tensor([[1, 2],
            [3, 4]])
    """
    return cat(atleast_2d(_check_tensors(tensors, "vstack")), 0, out=out)


row_stack = vstack


def dstack(tensors, *, out=None):
    """Tensors joined depth-wise (along dimension 2), after making each at least 3-D.

    >>> ember.dstack([ember.tensor([1, 2]), ember.tensor([3, 4])]).shape
    ember.Size([1, 2, 2])
    """
    return cat(atleast_3d(_check_tensors(tensors, "dstack")), 2, out=out)


def column_stack(tensors, *, out=None):
    """Tensors joined as columns: 0-D and 1-D ones become single columns, then all join along dimension 1.

    >>> ember.column_stack([ember.tensor([1, 2]), ember.tensor([3, 4])])
    tensor([[1, 3],
            [2, 4]])
    """
    tensors = _check_tensors(tensors, "column_stack")
    columns = [reshape(t, t.numel(), 1) if t.ndim <= 1 else t for t in tensors]
    return cat(columns, 1, out=out)


# ----------------------------------------------------------------------------- triangles

class Tril(Primitive):
    """Zero the entries above diagonal ``diagonal``; masking is its own adjoint, so backward masks too."""

    keep = "tril"

    @classmethod
    def forward(cls, ctx, x, *, diagonal):
        ctx.diagonal = diagonal
        return getattr(array_module(x), cls.keep)(x, diagonal)

    @classmethod
    def backward(cls, ctx, grad):
        return cls.apply(grad, diagonal=ctx.diagonal)


class Triu(Tril):
    """Zero the entries below diagonal ``diagonal``."""

    keep = "triu"


def _triangle(op, name, input, diagonal, out):
    if input.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
    return write_out(out, op.apply(input, diagonal=int_arg(diagonal, name, "diagonal")), name, check_cast=True)


def tril(input, diagonal=0, *, out=None):
    """The lower triangle of each matrix (last two dimensions): entries above diagonal ``diagonal`` become 0.

    >>> ember.tril(ember.ones(2, 2))
    tensor([[1., 0.],
            [1., 1.]])
    """
    check_tensor(input, "input", "tril")
    return _triangle(Tril, "tril", input, diagonal, out)


def triu(input, diagonal=0, *, out=None):
    """The upper triangle of each matrix (last two dimensions): entries below diagonal ``diagonal`` become 0.

    >>> ember.triu(ember.ones(2, 2))
    tensor([[1., 1.],
            [0., 1.]])
    """
    check_tensor(input, "input", "triu")
    return _triangle(Triu, "triu", input, diagonal, out)


def tril_(self, diagonal=0):
    """In-place :func:`tril`: zero the entries above diagonal ``diagonal``.

    >>> ember.ones(2, 2).tril_()
    tensor([[1., 0.],
            [1., 1.]])
    """
    return self._assign_inplace(tril(self, diagonal))


def triu_(self, diagonal=0):
    """In-place :func:`triu`: zero the entries below diagonal ``diagonal``.

    >>> ember.ones(2, 2).triu_(1)
    tensor([[0., 1.],
            [0., 0.]])
    """
    return self._assign_inplace(triu(self, diagonal))


# ----------------------------------------------------------------------------- grids

def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 1-D tensors: output ``i`` varies along dimension ``i`` ('ij') or as x/y ('xy').

    >>> [g.tolist() for g in ember.meshgrid(ember.tensor([1, 2]), ember.tensor([3]), indexing="ij")]
    [[[1], [2]], [[3], [3]]]
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("ember.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
                      UserWarning, stacklevel=2)
        indexing = "ij"
    elif indexing not in ("ij", "xy"):
        raise RuntimeError(f'ember.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    tensors = _check_tensors(tensors, "meshgrid")
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"ember.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}")
        if t.dtype is not tensors[0].dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    axes = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) >= 2:
        axes[0], axes[1] = 1, 0
    shape = [0] * len(tensors)
    for t, axis in zip(tensors, axes):
        shape[axis] = t.numel()
    grids = []
    for t, axis in zip(tensors, axes):
        lined_up = [1] * len(tensors)
        lined_up[axis] = t.numel()
        grids.append(expand(reshape(t, lined_up), shape))
    return tuple(grids)


# ----------------------------------------------------------------------------- more splits

def split_with_sizes(input, split_sizes, dim=0):
    """Views of ``input`` along ``dim`` with the listed sizes, which must add up to that dimension's size.

    >>> [p.tolist() for p in ember.split_with_sizes(ember.arange(5), [2, 3])]
    [[0, 1], [2, 3, 4]]
    """
    check_tensor(input, "input", "split_with_sizes")
    return _split_with_sizes(input, int_tuple(split_sizes, "split_with_sizes", "split_sizes"), dim)


class UnsafeSlice(Slice):
    """A slice that shares memory but that autograd does not follow as a view (the ``unsafe_*`` splits)."""

    is_view = False
    grad_fn_name = "UnsafeSplitBackward0"


def _untracked(pieces, input, dim):
    """``pieces`` (consecutive slices of ``input`` along ``dim``) again, as slices autograd does not track as views."""
    dim = wrap_dim(dim, input.ndim)
    ends = np.cumsum([0] + [p.shape[dim] for p in pieces]).tolist()
    before = (slice(None),) * dim
    return tuple(UnsafeSlice.apply(input, key=before + (slice(a, b),)) for a, b in zip(ends[:-1], ends[1:]))


def unsafe_split(tensor, split_size, dim=0):
    """:func:`split` whose pieces are not views for autograd: changing one in place is not checked against ``tensor``.

    >>> [p.tolist() for p in ember.unsafe_split(ember.arange(5), 2)]
    [[0, 1], [2, 3], [4]]
    """
    check_tensor(tensor, "tensor", "unsafe_split")
    with grad_mode.no_grad():
        pieces = split(tensor, split_size, dim)
    return _untracked(pieces, tensor, dim)


def unsafe_split_with_sizes(input, split_sizes, dim=0):
    """:func:`split_with_sizes` whose pieces are not views for autograd (see :func:`unsafe_split`).

    >>> [p.tolist() for p in ember.unsafe_split_with_sizes(ember.arange(3), [1, 2])]
    [[0], [1, 2]]
    """
    check_tensor(input, "input", "unsafe_split_with_sizes")
    with grad_mode.no_grad():
        pieces = split_with_sizes(input, split_sizes, dim)
    return _untracked(pieces, input, dim)


def unsafe_chunk(input, chunks, dim=0):
    """:func:`chunk` whose pieces are not views for autograd (see :func:`unsafe_split`).

    >>> [p.tolist() for p in ember.unsafe_chunk(ember.arange(4), 2)]
    [[0, 1], [2, 3]]
    """
    with grad_mode.no_grad():
        pieces = chunk(input, chunks, dim)
    return _untracked(pieces, input, dim)


def _slice_key(input, dim, start, end, step):
    """The NumPy key of ``input[..., start:end:step]`` along ``dim`` (PyTorch's ``slice``), checked."""
    if input.ndim == 0:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    dim = wrap_dim(dim, input.ndim)
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    return (slice(None),) * dim + (slice(start, end, step),)


# ----------------------------------------------------------------------------- in-place metadata changes

def _reshape_inplace(self, view_fn):
    """Make ``self`` itself become ``view_fn(self)``: the same memory with a new shape and strides.

    This is PyTorch's ``squeeze_``, ``t_``, ...: the version counter moves (a saved copy of
    the old shape then fails loudly in backward), and autograd sees the view op applied to
    the tensor's history (through its base, for a view).
    """
    self._check_inplace()
    result = view_fn(self)
    self._data = result._data
    self._bump_version()
    if result._grad_fn is not None:
        self._grad_fn, self._output_nr = result._grad_fn, result._output_nr
    if self._base is not None:
        outer = self._view_fn
        self._view_fn = lambda t: view_fn(outer(t))
    return self


def squeeze_(self, dim=None):
    """In-place :func:`squeeze`: this tensor loses its size-1 dimensions (all, or those in ``dim``).

    >>> ember.zeros(1, 2, 1).squeeze_().shape
    ember.Size([2])
    """
    return _reshape_inplace(self, lambda t: squeeze(t, dim))


def unsqueeze_(self, dim):
    """In-place :func:`unsqueeze`: this tensor gains a size-1 dimension at ``dim``.

    >>> ember.zeros(2).unsqueeze_(0).shape
    ember.Size([1, 2])
    """
    return _reshape_inplace(self, lambda t: unsqueeze(t, dim))


def transpose_(self, dim0, dim1):
    """In-place :func:`transpose`: dimensions ``dim0`` and ``dim1`` of this tensor swap.

    >>> ember.zeros(2, 3).transpose_(0, 1).shape
    ember.Size([3, 2])
    """
    return _reshape_inplace(self, lambda t: transpose(t, dim0, dim1))


def swapaxes_(self, axis0, axis1):
    """In-place :func:`swapaxes` (the same as ``transpose_``).

    >>> ember.zeros(2, 3).swapaxes_(0, 1).shape
    ember.Size([3, 2])
    """
    return transpose_(self, axis0, axis1)


def swapdims_(self, dim0, dim1):
    """In-place :func:`swapdims` (the same as ``transpose_``).

    >>> ember.zeros(2, 3).swapdims_(0, 1).shape
    ember.Size([3, 2])
    """
    return transpose_(self, dim0, dim1)


def t_(self):
    """In-place :func:`t`: a matrix becomes its transpose; 0-D and 1-D tensors stay as they are.

    >>> ember.zeros(2, 3).t_().shape
    ember.Size([3, 2])
    """
    if self.ndim > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
    return _reshape_inplace(self, t)


def as_strided_(input, size, stride, storage_offset=None):
    """In-place :func:`as_strided`: this tensor becomes the given window on its memory.

    >>> ember.arange(4.).as_strided_((2, 2), (1, 1))
    tensor([[0., 1.],
            [1., 2.]])
    """
    check_tensor(input, "input", "as_strided_")
    return _reshape_inplace(input, lambda t: as_strided(t, size, stride, storage_offset))


def _resized(x, shape):
    """``x``'s memory read contiguously from its first element as ``shape``; memory it lacks is new (zeros)."""
    storage, layout = _storage(x)
    start, available = layout[2], layout[3] - layout[2]
    count = math.prod(shape)
    if count <= available:
        return storage[start:start + count].reshape(shape)
    grown = array_module(x).zeros(count, dtype=x.dtype)
    grown[:available] = storage[start:]
    return grown.reshape(shape)


def resize_(self, *sizes, memory_format=None):
    """Give this tensor the shape ``sizes`` (contiguous), keeping its memory's leading elements.

    Growing adds elements (zeros here; PyTorch leaves them uninitialised); a tensor that
    requires grad cannot be resized.

    >>> ember.arange(6).resize_(2, 2)
    tensor([[0, 1],
            [2, 3]])
    """
    sizes = shape_arg(sizes, "resize_", "size")
    for s in sizes:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(sizes)}")
    if self._requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    if sizes == tuple(self.shape):
        return self
    self._data = _resized(self._data, sizes)
    self._bump_version()
    return self


def resize_as_(input, the_template, memory_format=None):
    """:func:`resize_` this tensor to ``the_template``'s shape.

    >>> ember.arange(6).resize_as_(ember.zeros(3)).tolist()
    [0, 1, 2]
    """
    if not isinstance(the_template, Tensor):
        raise TypeError(f"resize_as_(): argument 'the_template' must be Tensor, not {type(the_template).__name__}")
    return resize_(input, the_template.shape)


# ----------------------------------------------------------------------------- *_copy: views as new tensors

def _slice_view(input, dim=0, start=None, end=None, step=1):
    return Slice.apply(input, key=_slice_key(input, dim, start, end, step))


def _expand_view(input, size, *, implicit=False):
    return expand(input, size)


def _alias_view(input):
    return View.apply(input, shape=tuple(input.shape))


def _detached(input):
    return input.detach()


# torch name: (the view it copies, an example call, what the example shows)
_COPIES = {
    "view_copy": (view, "ember.view_copy(ember.arange(6), (2, 3)).shape", "ember.Size([2, 3])"),
    "permute_copy": (permute, "ember.permute_copy(ember.zeros(2, 3), (1, 0)).shape", "ember.Size([3, 2])"),
    "expand_copy": (_expand_view, "ember.expand_copy(ember.tensor([1, 2]), (2, 2)).tolist()", "[[1, 2], [1, 2]]"),
    "squeeze_copy": (squeeze, "ember.squeeze_copy(ember.zeros(1, 2)).shape", "ember.Size([2])"),
    "unsqueeze_copy": (unsqueeze, "ember.unsqueeze_copy(ember.zeros(2), 0).shape", "ember.Size([1, 2])"),
    "transpose_copy": (transpose, "ember.transpose_copy(ember.zeros(2, 3), 0, 1).shape", "ember.Size([3, 2])"),
    "t_copy": (t, "ember.t_copy(ember.zeros(2, 3)).shape", "ember.Size([3, 2])"),
    "diagonal_copy": (diagonal, "ember.diagonal_copy(ember.eye(2)).tolist()", "[1.0, 1.0]"),
    "select_copy": (select, "ember.select_copy(ember.arange(4), 0, 2).tolist()", "2"),
    "slice_copy": (_slice_view, "ember.slice_copy(ember.arange(6), 0, 1, 5, 2).tolist()", "[1, 3]"),
    "narrow_copy": (narrow, "ember.narrow_copy(ember.arange(5), 0, 1, 2).tolist()", "[1, 2]"),
    "unfold_copy": (unfold, "ember.unfold_copy(ember.arange(4), 0, 2, 2).tolist()", "[[0, 1], [2, 3]]"),
    "as_strided_copy": (as_strided, "ember.as_strided_copy(ember.arange(3), (2,), (2,)).tolist()", "[0, 2]"),
    "alias_copy": (_alias_view, "ember.alias_copy(ember.arange(2)).tolist()", "[0, 1]"),
    "detach_copy": (_detached, "ember.detach_copy(ember.ones(1, requires_grad=True)).requires_grad", "False"),
    "split_copy": (split, "[p.tolist() for p in ember.split_copy(ember.arange(3), 2)]", "[[0, 1], [2]]"),
    "split_with_sizes_copy": (split_with_sizes, "[p.tolist() for p in ember.split_with_sizes_copy(ember.arange(3), "
                              "[1, 2])]", "[[0], [1, 2]]"),
    "unbind_copy": (unbind, "[p.tolist() for p in ember.unbind_copy(ember.arange(2))]", "[0, 1]"),
}


def _copying(name, view_fn, example, shows):
    """``torch.<name>``: the result of ``view_fn`` as new memory (one tensor, or a tuple of them)."""
    def op(input, *args, out=None, **kwargs):
        check_tensor(input, "input", name)
        result = view_fn(input, *args, **kwargs)
        if isinstance(result, tuple):
            copies = tuple(piece.clone() for piece in result)
            if out is not None:
                copies = tuple(write_out(o, c, name, check_cast=True) for o, c in zip(out, copies))
            return copies
        return write_out(out, result.clone(), name, check_cast=True)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"A copy of ``{name[:-len('_copy')]}`` of ``input``, in new memory (never a view).\n\n"
                  f"    >>> {example}\n    {shows}\n    ")
    return op


_COPY_OPS = {name: _copying(name, *spec) for name, spec in _COPIES.items()}
globals().update(_COPY_OPS)
__all__ += ["split_with_sizes", "unsafe_split", "unsafe_split_with_sizes", "unsafe_chunk", "as_strided_",
            "resize_as_", *_COPY_OPS]


TENSOR_METHODS = {
    "view": view, "view_as": view_as, "reshape": reshape, "reshape_as": reshape_as, "flatten": flatten,
    "unflatten": unflatten, "ravel": ravel, "expand": expand, "expand_as": expand_as,
    "broadcast_to": broadcast_to, "permute": permute, "transpose": transpose, "swapaxes": swapaxes,
    "swapdims": swapdims, "t": t, "adjoint": adjoint, "movedim": movedim, "moveaxis": moveaxis,
    "unsqueeze": unsqueeze, "squeeze": squeeze, "select": select, "narrow": narrow, "unbind": unbind,
    "split": _split_method, "chunk": chunk, "tensor_split": tensor_split, "hsplit": hsplit, "vsplit": vsplit,
    "dsplit": dsplit, "diagonal": diagonal, "unfold": unfold, "as_strided": as_strided, "repeat": repeat,
    "repeat_interleave": repeat_interleave, "tile": _tile_method, "flip": _flip_method, "fliplr": fliplr,
    "flipud": flipud, "roll": roll, "rot90": rot90, "diag": diag, "diag_embed": diag_embed, "tril": tril,
    "triu": triu, "tril_": tril_, "triu_": triu_,
    "T": property(_T), "mT": property(_mT), "H": property(_H), "mH": property(_mH),
    "split_with_sizes": split_with_sizes, "unsafe_split": unsafe_split,
    "unsafe_split_with_sizes": unsafe_split_with_sizes, "unsafe_chunk": unsafe_chunk, "squeeze_": squeeze_,
    "unsqueeze_": unsqueeze_, "transpose_": transpose_, "swapaxes_": swapaxes_, "swapdims_": swapdims_, "t_": t_,
    "as_strided_": as_strided_, "resize_": resize_, "resize_as_": resize_as_, "narrow_copy": _COPY_OPS["narrow_copy"],
}
