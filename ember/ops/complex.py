"""Complex numbers: their parts, conjugates and angles, and the views between complex and real tensors.

Gradients follow PyTorch's convention: for a real loss L, the gradient of a complex z is
``dL/d(re z) + i dL/d(im z)``. ``view_as_real`` and ``view_as_complex`` are views of the same
memory and each other's gradient; ``real`` and ``imag`` are the two halves of ``view_as_real``
(views too, so writing into ``z.real`` changes ``z``). ``conj`` makes a copy (PyTorch returns a
lazily conjugated view; ember has no conjugate bit, so ``is_conj`` is always False).
"""

import math

import numpy as np

from .._device import array_module
from .._tensor import Tensor, _type_word
from ..autograd.function import Primitive
from ._util import as_float_input, broadcast_shapes, check_tensor, check_tensor_args
from .elementwise import _select

__all__ = ["real", "imag", "view_as_real", "view_as_complex", "complex", "polar", "conj", "conj_physical",
           "resolve_conj", "resolve_neg", "is_conj", "is_neg", "angle"]


# ----------------------------------------------------------------------------- real and complex views

class ViewAsReal(Primitive):
    """A complex tensor's memory read as real pairs: shape (..., 2), the last dimension (re, im)."""

    is_view = True
    complex_backward = True

    @staticmethod
    def forward(ctx, z):
        parts = z.real              # a view with z's strides over the real parts
        shape = z.shape + (2,)
        strides = z.strides + (parts.itemsize,)
        return array_module(z).lib.stride_tricks.as_strided(parts, shape, strides)

    @staticmethod
    def backward(ctx, grad):
        return ViewAsComplex.apply(grad.contiguous())


class ViewAsComplex(Primitive):
    """Real pairs (last dimension of size 2, stride 1) read as complex numbers, without copying."""

    is_view = True
    complex_backward = True

    @staticmethod
    def forward(ctx, x):
        complex_type = np.complex64 if x.dtype == np.float32 else np.complex128
        return x.view(complex_type)[..., 0]

    @staticmethod
    def backward(ctx, grad):
        return ViewAsReal.apply(grad)


def view_as_real(input):
    """A complex tensor as a real view of shape (..., 2) holding each element's (real, imaginary) parts.

    >>> ember.view_as_real(ember.tensor([1 + 2j, 3 - 1j]))
    tensor([[ 1.,  2.],
            [ 3., -1.]])
    """
    check_tensor(input, "input", "view_as_real")
    if not input.dtype.is_complex:
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return ViewAsReal.apply(input)


def view_as_complex(input):
    """A real tensor whose last dimension holds (real, imaginary) pairs as a complex view of one dimension less.

    >>> ember.view_as_complex(ember.tensor([[1.0, 2.0], [3.0, -1.0]]))
    tensor([1.+2.j, 3.-1.j])
    """
    check_tensor(input, "input", "view_as_complex")
    if input.dtype.name not in ("float32", "float64"):
        raise RuntimeError(f"view_as_complex is only supported for float and double tensors, but got a tensor of "
                           f"scalar type: {_type_word(input.dtype)}")
    if input.ndim == 0 or input.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    strides = input.stride()
    if strides[-1] != 1:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(stride % 2 for stride in strides[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    if input.storage_offset() % 2:
        raise RuntimeError("Tensor must have a storage_offset divisible by 2")
    return ViewAsComplex.apply(input)


def real(input):
    """The real parts of a complex tensor as a view; a real tensor is returned as it is.

    >>> ember.real(ember.tensor([1 + 2j, 3 - 1j]))
    tensor([1., 3.])
    """
    check_tensor(input, "input", "real")
    if not input.dtype.is_complex:
        return input
    return view_as_real(input).select(-1, 0)


def imag(input):
    """The imaginary parts of a complex tensor as a view (real tensors have none: an error, as in PyTorch).

    >>> ember.imag(ember.tensor([1 + 2j, 3 - 1j]))
    tensor([ 2., -1.])
    """
    check_tensor(input, "input", "imag")
    if not input.dtype.is_complex:
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return view_as_real(input).select(-1, 1)


def _set_part(part):
    """The setter of ``Tensor.real``/``Tensor.imag``: copy ``value`` into that part of the tensor."""
    def setter(self, value):
        getattr(self, part).copy_(value)
    return setter


# ----------------------------------------------------------------------------- building complex tensors

class Complex(Primitive):
    """``real + i imag`` from two real tensors of one dtype; each gets its part of the gradient."""

    complex_backward = True

    @staticmethod
    def forward(ctx, re, im):
        xp = array_module(re)
        shape = np.broadcast_shapes(re.shape, im.shape)
        out = xp.empty(shape, dtype=np.complex64 if re.dtype == np.float32 else np.complex128)
        out.real, out.imag = re, im
        return out

    @staticmethod
    def backward(ctx, grad):
        return (real(grad) if ctx.needs_input_grad[0] else None,
                imag(grad) if ctx.needs_input_grad[1] else None)


def _check_parts(fn, first, second, names):
    """PyTorch's checks of ``complex``/``polar`` arguments: Tensors of one dtype, float or double."""
    check_tensor_args(fn, **dict(zip(names, (first, second))))
    if first.dtype.name not in ("float16", "float32", "float64") or second.dtype.name not in (
            "float16", "float32", "float64"):
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{_type_word(first.dtype)} and {_type_word(second.dtype)}")
    if first.dtype is not second.dtype:
        raise RuntimeError(f"Expected object of scalar type {_type_word(first.dtype)} but got scalar type "
                           f"{_type_word(second.dtype)} for second argument")
    first.dtype.to_complex()        # float16 parts would need complex32, which ember lacks
    broadcast_shapes(first.shape, second.shape)


def complex(real, imag, *, out=None):
    """The complex tensor ``real + i imag`` from two real tensors of the same dtype (broadcast).

    >>> ember.complex(ember.tensor([1.0, 2.0]), ember.tensor([0.5, -1.0]))
    tensor([1.+0.5000j, 2.-1.0000j])
    """
    _check_parts("complex", real, imag, ("real", "imag"))
    return _into(out, Complex.apply(real, imag))


def polar(abs, angle, *, out=None):
    """The complex tensor with magnitudes ``abs`` and phases ``angle``: ``abs * (cos(angle) + i sin(angle))``.

    >>> ember.polar(ember.tensor([2.0]), ember.tensor([0.0]))
    tensor([2.+0.j])
    """
    _check_parts("polar", abs, angle, ("abs", "angle"))
    return _into(out, Complex.apply(abs * angle.cos(), abs * angle.sin()))


def _into(out, result):
    return result if out is None else out.copy_(result)


# ----------------------------------------------------------------------------- conjugates

class Conj(Primitive):
    """The complex conjugate, as a copy; its gradient is the conjugate of the incoming gradient."""

    grad_fn_name = "ConjPhysicalBackward0"
    complex_backward = True

    @staticmethod
    def forward(ctx, z):
        return array_module(z).conj(z)

    @staticmethod
    def backward(ctx, grad):
        return Conj.apply(grad)


def conj(input):
    """The complex conjugate ``re - i im`` (a copy in ember); a real tensor is returned as it is.

    >>> ember.conj(ember.tensor([1 + 2j]))
    tensor([1.-2.j])
    """
    check_tensor(input, "input", "conj")
    return Conj.apply(input) if input.dtype.is_complex else input


def conj_physical(input, *, out=None):
    """The complex conjugate computed into new memory (as ``conj`` in ember); real tensors come back as they are.

    >>> ember.conj_physical(ember.tensor([1 - 1j]))
    tensor([1.+1.j])
    """
    check_tensor(input, "input", "conj_physical")
    return _into(out, conj(input))


def resolve_conj(input):
    """``input`` itself: ember never defers a conjugation, so there is nothing to resolve.

    >>> ember.resolve_conj(ember.tensor([1 + 1j]))
    tensor([1.+1.j])
    """
    check_tensor(input, "input", "resolve_conj")
    return input


def resolve_neg(input):
    """``input`` itself: ember never defers a negation, so there is nothing to resolve.

    >>> ember.resolve_neg(ember.tensor([1.0]))
    tensor([1.])
    """
    check_tensor(input, "input", "resolve_neg")
    return input


def is_conj(input):
    """False: ember conjugates eagerly, so no tensor carries PyTorch's conjugate bit.

    >>> ember.is_conj(ember.tensor([1 + 1j]).conj())
    False
    """
    check_tensor(input, "input", "is_conj")
    return False


def is_neg(input):
    """False: ember negates eagerly, so no tensor carries PyTorch's negative bit.

    >>> ember.is_neg(ember.tensor([1.0]))
    False
    """
    check_tensor(input, "input", "is_neg")
    return False


# ----------------------------------------------------------------------------- angle

class Angle(Primitive):
    """The phase of each element: ``atan2(im, re)`` for complex input, 0 or pi (NaN kept) for real input."""

    complex_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        xp = array_module(x)
        if x.dtype.kind == "c":
            return xp.angle(x)
        return xp.where(xp.isnan(x), x, xp.where(x < 0, x.dtype.type(math.pi), x.dtype.type(0)))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        if not x.is_complex():
            return Tensor._zeros(grad.shape, grad.dtype)
        zero = x == 0
        squared = x.abs() ** 2
        return _select(zero, 0, grad * x * 1j / _select(zero, 1, squared))


def angle(input, *, out=None):
    """The angle (argument) of each element in radians; real tensors give 0 or pi, in a floating dtype.

    >>> ember.angle(ember.tensor([1j, -1.0]))
    tensor([1.5708, 3.1416])
    """
    check_tensor(input, "input", "angle")
    return _into(out, Angle.apply(as_float_input(input)))


def _conj_physical_(self):
    """In-place :func:`conj_physical`."""
    return self._assign_inplace(conj_physical(self))


TENSOR_METHODS = {
    "real": property(real, _set_part("real"), doc="The real parts (a view); see :func:`ember.real`."),
    "imag": property(imag, _set_part("imag"), doc="The imaginary parts (a view); see :func:`ember.imag`."),
    "conj": conj,
    "conj_physical": conj_physical,
    "conj_physical_": _conj_physical_,
    "resolve_conj": resolve_conj,
    "resolve_neg": resolve_neg,
    "is_conj": is_conj,
    "is_neg": is_neg,
    "angle": angle,
}
