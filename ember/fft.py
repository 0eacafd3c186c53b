"""``ember.fft``: discrete Fourier transforms with gradients (``torch.fft``).

Three primitives do the work, named after PyTorch's backward nodes:

* ``FftC2C``: complex to complex, forward or inverse, over some dimensions;
* ``FftR2C``: real to complex, every frequency or (``onesided``) only the non-negative ones of the last dimension;
* ``FftC2R``: those non-negative frequencies of a Hermitian signal back to the real signal.

``norm`` is NumPy's and PyTorch's: ``"backward"`` scales the inverse by 1/n, ``"forward"`` the forward transform,
``"ortho"`` both by 1/sqrt(n). The adjoint of a transform is the transform the other way with the same scale, which
is the other way with ``"backward"`` and ``"forward"`` swapped. So the backward rules read:

* C2C: the opposite C2C;
* R2C: fill the dropped frequencies with zeros, the opposite C2C, keep the real part;
* C2R: R2C of the gradient, with frequencies 1 .. n - m doubled (each also stands for its mirror image, which the
  real signal used as well; DC and, for even n, Nyquist have none).

The public functions crop or zero-pad the input to ``n``/``s`` with differentiable ops first, so the primitives
always transform whole dimensions.
"""

import numpy as np

from . import _dtype
from ._creation import _finish
from ._device import array_module
from ._tensor import _type_word
from .autograd.function import Primitive
from .ops._util import as_float_input, check_tensor, constant, int_arg, write_out
from .ops.complex import conj, real
from .ops.padding import constant_pad_nd
from .ops.shape import roll

__all__ = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "ifft2", "rfft2", "irfft2", "hfft2", "ihfft2",
           "fftn", "ifftn", "rfftn", "irfftn", "hfftn", "ihfftn", "fftfreq", "rfftfreq", "fftshift", "ifftshift"]

_NORMS = ("backward", "forward", "ortho")
_ADJOINT_NORM = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


# ----------------------------------------------------------------------------- primitives

class FftC2C(Primitive):
    """The complex DFT (``forward``) or its inverse over ``dims``."""

    complex_backward = True

    @staticmethod
    def forward(ctx, z, *, dims, forward, norm):
        ctx.dims, ctx.forward, ctx.norm = dims, forward, norm
        xp = array_module(z)
        transform = xp.fft.fftn if forward else xp.fft.ifftn
        return transform(z, axes=dims, norm=norm).astype(z.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        return FftC2C.apply(grad, dims=ctx.dims, forward=not ctx.forward, norm=_ADJOINT_NORM[ctx.norm])


class FftR2C(Primitive):
    """The DFT of a real signal over ``dims``: every frequency, or with ``onesided`` only the first n // 2 + 1 of
    the last dimension (the others are their mirror images' conjugates)."""

    complex_backward = True

    @staticmethod
    def forward(ctx, x, *, dims, norm, onesided, forward=True):
        ctx.dims, ctx.norm, ctx.onesided, ctx.forward = dims, norm, onesided, forward
        ctx.full_size = x.shape[dims[-1]]
        xp = array_module(x)
        complex_type = np.complex64 if x.dtype == np.float32 else np.complex128
        if onesided:
            result = xp.fft.rfftn(x, axes=dims, norm=norm)
        else:
            result = (xp.fft.fftn if forward else xp.fft.ifftn)(x, axes=dims, norm=norm)
        return result.astype(complex_type, copy=False)

    @staticmethod
    def backward(ctx, grad):
        if ctx.onesided:
            grad = _resize(grad, ctx.dims[-1], ctx.full_size)
        full = FftC2C.apply(grad, dims=ctx.dims, forward=not ctx.forward, norm=_ADJOINT_NORM[ctx.norm])
        return real(full)


class FftC2R(Primitive):
    """The real signal (``size`` points along the last of ``dims``) whose one-sided spectrum is the input.

    The imaginary parts of the DC and (even ``size``) Nyquist frequencies cannot be represented and are ignored.
    """

    complex_backward = True

    @staticmethod
    def forward(ctx, z, *, dims, norm, size):
        ctx.dims, ctx.norm = dims, norm
        ctx.kept = z.shape[dims[-1]]
        shape = [z.shape[d] for d in dims[:-1]] + [size]
        real_type = np.float32 if z.dtype == np.complex64 else np.float64
        return array_module(z).fft.irfftn(z, s=shape, axes=dims, norm=norm).astype(real_type, copy=False)

    @staticmethod
    def backward(ctx, grad):
        spectrum = FftR2C.apply(grad, dims=ctx.dims, norm=_ADJOINT_NORM[ctx.norm], onesided=True)
        size, kept, dim = grad.shape[ctx.dims[-1]], ctx.kept, ctx.dims[-1]
        weights = np.ones(kept)
        weights[1:1 + size - kept] = 2      # frequencies that also stand for their mirror images
        weights = weights.reshape([kept if d == dim else 1 for d in range(grad.ndim)])
        return spectrum * constant(weights, grad)


# ----------------------------------------------------------------------------- argument handling

def _norm_mode(norm):
    """``norm`` checked (None means ``"backward"``), or PyTorch's error naming it."""
    if norm is None:
        return "backward"
    if norm not in _NORMS:
        raise RuntimeError(f'Invalid normalization mode: "{norm}"')
    return norm


def _check_input(input, fn, real_only=False):
    """The tensor a transform computes on: floating or complex (integers become the default float dtype)."""
    check_tensor(input, "input", f"fft_{fn}")
    if input.dtype.name in ("float16", "bfloat16"):
        raise RuntimeError(f"Unsupported dtype {_type_word(input.dtype)}")
    if real_only and input.dtype.is_complex:
        raise RuntimeError(f"{fn} expects a real input tensor, but got {_type_word(input.dtype)}")
    return as_float_input(input)


def _check_size(n):
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return n


def _one_dim(input, n, dim, fn):
    """The dimension a one-dimensional transform runs along and its length ``n`` (the input's by default)."""
    dim = int_arg(dim, f"fft_{fn}", "dim")
    if n is not None:
        n = int_arg(n, f"fft_{fn}", "n")
    if input.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return _wrap(dim, input.ndim), n


def _wrap(dim, ndim):
    if not -ndim <= dim < ndim:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-ndim}, {ndim - 1}], but got {dim})")
    return dim % ndim


def _int_list(value, fn, name):
    if isinstance(value, (int, np.integer)):
        return [int_arg(value, f"fft_{fn}", name)]
    return [int_arg(v, f"fft_{fn}", name) for v in value]


def _many_dims(input, s, dim, fn):
    """The dimensions (in the order given) and the sizes ``s`` of a multi-dimensional transform.

    Sizes of -1 (or no ``s``) keep the input's size; without ``dim``, ``s`` names the last dimensions.
    """
    s = None if s is None else _int_list(s, fn, "s")
    dims = None if dim is None else _int_list(dim, fn, "dim")
    if s is not None and dims is not None and len(s) != len(dims):
        raise RuntimeError("When given, dim and shape arguments must have the same length")
    if dims is None:
        if s is not None and len(s) > input.ndim:
            raise RuntimeError(f"Got shape with {len(s)} values but input tensor only has {input.ndim} dimensions.")
        dims = list(range(input.ndim - (len(s) if s is not None else input.ndim), input.ndim))
    if dims and input.ndim == 0:
        raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
    dims = [_wrap(d, input.ndim) for d in dims]
    if len(set(dims)) != len(dims):
        raise RuntimeError("FFT dims must be unique")
    if s is None:
        s = [-1] * len(dims)
    return tuple(dims), [input.shape[d] if size == -1 else size for d, size in zip(dims, s)]


def _resize(x, dim, size):
    """``x`` cropped or zero-padded at the end of ``dim`` to ``size`` (differentiable: padding crops back)."""
    extra = size - x.shape[dim]
    if extra == 0:
        return x
    pad = [0] * (2 * (x.ndim - dim))
    pad[-1] = extra
    return constant_pad_nd(x, tuple(pad))


def _resized(x, dims, sizes):
    for dim, size in zip(dims, sizes):
        x = _resize(x, dim, _check_size(size))
    return x


def _as_complex(x):
    return x if x.dtype.is_complex else x._cast(x.dtype.to_complex())


# ----------------------------------------------------------------------------- the transforms, n-dimensional core

def _c2c(input, dims, sizes, norm, forward, fn, out):
    """fftn / ifftn: crop or pad to ``sizes``, then the complex transform (real input: its full spectrum)."""
    x = _check_input(input, fn)
    norm = _norm_mode(norm)
    x = _resized(x, dims, sizes)
    if not dims:
        result = _as_complex(x).clone()
    elif x.dtype.is_complex:
        result = FftC2C.apply(x, dims=dims, forward=forward, norm=norm)
    else:
        result = FftR2C.apply(x, dims=dims, norm=norm, onesided=False, forward=forward)
    return write_out(out, result, f"fft_{fn}")


def _r2c(input, dims, sizes, norm, fn):
    """rfftn: the non-negative frequencies of a real signal's transform (halving the last of ``dims``)."""
    x = _check_input(input, fn, real_only=True)
    norm = _norm_mode(norm)
    if not dims:
        raise RuntimeError(f"{fn} must transform at least one axis")
    x = _resized(x, dims, sizes)
    return FftR2C.apply(x, dims=dims, norm=norm, onesided=True)


def _c2r(input, dims, sizes, norm, fn, last_given):
    """irfftn: the real signal of a one-sided spectrum; the last size is 2 (m - 1) unless given."""
    x = _check_input(input, fn)
    norm = _norm_mode(norm)
    if not dims:
        raise RuntimeError(f"{fn} must transform at least one axis")
    last = dims[-1]
    size = sizes[-1] if last_given else 2 * (x.shape[last] - 1)
    _check_size(size)
    x = _resized(_as_complex(x), dims, list(sizes[:-1]) + [size // 2 + 1])
    return FftC2R.apply(x, dims=dims, norm=norm, size=size)


def _last_given(s):
    """Whether the caller fixed the output size of the last transformed dimension."""
    if s is None:
        return False
    sizes = s if not isinstance(s, (int, np.integer)) else [s]
    return len(sizes) > 0 and sizes[-1] != -1


# ----------------------------------------------------------------------------- one-dimensional transforms

def fft(input, n=None, dim=-1, norm=None, *, out=None):
    """The one-dimensional discrete Fourier transform of ``input`` along ``dim``, cropped or zero-padded to ``n``.

    >>> ember.fft.fft(ember.tensor([1.0, 2.0, 3.0, 4.0]))
    tensor([10.+0.j, -2.+2.j, -2.+0.j, -2.-2.j])
    """
    check_tensor(input, "input", "fft_fft")
    dim, n = _one_dim(input, n, dim, "fft")
    return _c2c(input, (dim,), [input.shape[dim] if n is None else n], norm, True, "fft", out)


def ifft(input, n=None, dim=-1, norm=None, *, out=None):
    """The inverse of :func:`fft` (with ``norm="backward"``, scaled by 1/n).

    >>> ember.fft.ifft(ember.tensor([10.0, 0.0, 0.0, 0.0]))
    tensor([2.5000+0.j, 2.5000+0.j, 2.5000+0.j, 2.5000+0.j])
    """
    check_tensor(input, "input", "fft_ifft")
    dim, n = _one_dim(input, n, dim, "ifft")
    return _c2c(input, (dim,), [input.shape[dim] if n is None else n], norm, False, "ifft", out)


def rfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The Fourier transform of a real signal: only the n // 2 + 1 non-negative frequencies.

    >>> ember.fft.rfft(ember.tensor([1.0, 2.0, 3.0, 4.0]))
    tensor([10.+0.j, -2.+2.j, -2.+0.j])
    """
    check_tensor(input, "input", "fft_rfft")
    dim, n = _one_dim(input, n, dim, "rfft")
    result = _r2c(input, (dim,), [input.shape[dim] if n is None else n], norm, "rfft")
    return write_out(out, result, "fft_rfft")


def irfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The real signal of ``n`` points (default ``2 * (m - 1)``) whose :func:`rfft` is ``input``.

    >>> ember.fft.irfft(ember.tensor([10 + 0j, -2 + 2j, -2 + 0j]))
    tensor([1., 2., 3., 4.])
    """
    check_tensor(input, "input", "fft_irfft")
    dim, n = _one_dim(input, n, dim, "irfft")
    result = _c2r(input, (dim,), [n], norm, "irfft", n is not None)
    return write_out(out, result, "fft_irfft")


def hfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The real Fourier transform of a Hermitian-symmetric signal given by its first half (``irfft`` of the
    conjugate, with the forward transform's scaling).

    >>> ember.fft.hfft(ember.tensor([1 + 0j, 2 + 0j, 3 + 0j]))
    tensor([ 8., -2.,  0., -2.])
    """
    check_tensor(input, "input", "fft_hfft")
    dim, n = _one_dim(input, n, dim, "hfft")
    norm = _ADJOINT_NORM[_norm_mode(norm)]
    result = _c2r(conj(input), (dim,), [n], norm, "hfft", n is not None)
    return write_out(out, result, "fft_hfft")


def ihfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The inverse of :func:`hfft`: the first half of the Hermitian spectrum of a real signal.

    >>> ember.fft.ihfft(ember.tensor([8.0, -2.0, 0.0, -2.0]))
    tensor([1.-0.j, 2.-0.j, 3.-0.j])
    """
    check_tensor(input, "input", "fft_ihfft")
    dim, n = _one_dim(input, n, dim, "ihfft")
    norm = _ADJOINT_NORM[_norm_mode(norm)]
    result = conj(_r2c(input, (dim,), [input.shape[dim] if n is None else n], norm, "ihfft"))
    return write_out(out, result, "fft_ihfft")


# ----------------------------------------------------------------------------- n-dimensional transforms

def fftn(input, s=None, dim=None, norm=None, *, out=None):
    """The discrete Fourier transform over ``dim`` (all dimensions by default), each cropped or padded to ``s``.

    >>> ember.fft.fftn(ember.ones(2, 2))
    tensor([[4.+0.j, 0.+0.j],
            [0.+0.j, 0.+0.j]])
    """
    check_tensor(input, "input", "fft_fftn")
    dims, sizes = _many_dims(input, s, dim, "fftn")
    return _c2c(input, dims, sizes, norm, True, "fftn", out)


def ifftn(input, s=None, dim=None, norm=None, *, out=None):
    """The inverse of :func:`fftn`.

    >>> ember.fft.ifftn(ember.tensor([[4.0, 0.0], [0.0, 0.0]]))
    tensor([[1.+0.j, 1.+0.j],
            [1.+0.j, 1.+0.j]])
    """
    check_tensor(input, "input", "fft_ifftn")
    dims, sizes = _many_dims(input, s, dim, "ifftn")
    return _c2c(input, dims, sizes, norm, False, "ifftn", out)


def rfftn(input, s=None, dim=None, norm=None, *, out=None):
    """:func:`fftn` of a real signal, keeping the non-negative frequencies of the last dimension transformed.

    >>> ember.fft.rfftn(ember.ones(2, 4)).shape
    ember.Size([2, 3])
    """
    check_tensor(input, "input", "fft_rfftn")
    dims, sizes = _many_dims(input, s, dim, "rfftn")
    return write_out(out, _r2c(input, dims, sizes, norm, "rfftn"), "fft_rfftn")


def irfftn(input, s=None, dim=None, norm=None, *, out=None):
    """The inverse of :func:`rfftn`: a real signal, its last dimension ``2 * (m - 1)`` long unless ``s`` says.

    >>> ember.fft.irfftn(ember.fft.rfftn(ember.ones(2, 4)))
    tensor([[1., 1., 1., 1.],
            [1., 1., 1., 1.]])
    """
    check_tensor(input, "input", "fft_irfftn")
    dims, sizes = _many_dims(input, s, dim, "irfftn")
    return write_out(out, _c2r(input, dims, sizes, norm, "irfftn", _last_given(s)), "fft_irfftn")


def hfftn(input, s=None, dim=None, norm=None, *, out=None):
    """The real n-dimensional transform of a Hermitian-symmetric signal given by its half (``irfftn`` of the
    conjugate with the forward scaling).

    >>> ember.fft.hfftn(ember.ones(2, 3, dtype=ember.complex64)).shape
    ember.Size([2, 4])
    """
    check_tensor(input, "input", "fft_hfftn")
    dims, sizes = _many_dims(input, s, dim, "hfftn")
    norm = _ADJOINT_NORM[_norm_mode(norm)]
    return write_out(out, _c2r(conj(input), dims, sizes, norm, "hfftn", _last_given(s)), "fft_hfftn")


def ihfftn(input, s=None, dim=None, norm=None, *, out=None):
    """The inverse of :func:`hfftn`: the half spectrum (conjugated, inverse-scaled) of a real signal.

    >>> ember.fft.ihfftn(ember.ones(2, 4)).shape
    ember.Size([2, 3])
    """
    check_tensor(input, "input", "fft_ihfftn")
    dims, sizes = _many_dims(input, s, dim, "ihfftn")
    norm = _ADJOINT_NORM[_norm_mode(norm)]
    return write_out(out, conj(_r2c(input, dims, sizes, norm, "ihfftn")), "fft_ihfftn")


def _two_dims(transform, name, summary, example, result):
    """A two-dimensional form: ``transform`` with ``dim=(-2, -1)`` by default."""
    def op(input, s=None, dim=(-2, -1), norm=None, *, out=None):
        return transform(input, s, dim, norm, out=out)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"{summary}\n\n    >>> {example}\n    {result}\n    "
    return op


fft2 = _two_dims(fftn, "fft2", "The two-dimensional Fourier transform (:func:`fftn` over the last two dimensions).",
                 "ember.fft.fft2(ember.ones(2, 2))[0, 0]", "tensor(4.+0.j)")
ifft2 = _two_dims(ifftn, "ifft2", "The inverse of :func:`fft2`.", "ember.fft.ifft2(ember.ones(2, 2))[0, 0]",
                  "tensor(1.+0.j)")
rfft2 = _two_dims(rfftn, "rfft2", ":func:`rfftn` over the last two dimensions.",
                  "ember.fft.rfft2(ember.ones(2, 4)).shape", "ember.Size([2, 3])")
irfft2 = _two_dims(irfftn, "irfft2", "The inverse of :func:`rfft2`.",
                   "ember.fft.irfft2(ember.ones(2, 3, dtype=ember.complex64)).shape", "ember.Size([2, 4])")
hfft2 = _two_dims(hfftn, "hfft2", ":func:`hfftn` over the last two dimensions.",
                  "ember.fft.hfft2(ember.ones(2, 3, dtype=ember.complex64)).shape", "ember.Size([2, 4])")
ihfft2 = _two_dims(ihfftn, "ihfft2", "The inverse of :func:`hfft2`.", "ember.fft.ihfft2(ember.ones(2, 4)).shape",
                   "ember.Size([2, 3])")


# ----------------------------------------------------------------------------- frequencies and shifts

def _frequency_dtype(dtype, fn):
    target = _dtype.to_dtype(dtype) if dtype is not None else _dtype.get_default_dtype()
    if not (target.is_floating_point or target.is_complex):
        raise RuntimeError(f"{fn} requires a floating point or complex dtype")
    if target.is_complex:       # PyTorch accepts the dtype, then its arange refuses it
        raise NotImplementedError(f"\"arange_cpu\" not implemented for '{_type_word(target)}'")
    return target


def _frequencies(steps, n, d, out, dtype, device, requires_grad, fn):
    """``steps / (n * d)`` in ``dtype``: the scale is applied as one multiplication, as PyTorch does."""
    target = _frequency_dtype(dtype, fn)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        scale = target.np_dtype.type(np.float64(1.0) / (n * d))
        values = steps.astype(target.np_dtype) * scale
    return _finish(values, device, requires_grad, out)


def _check_count(count, fn):
    if count < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {count}: [{count}]")
    return count


def fftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The sample frequencies of :func:`fft` for a signal of ``n`` samples spaced ``d`` apart (cycles per unit).

    >>> ember.fft.fftfreq(4)
    tensor([ 0.0000,  0.2500, -0.5000, -0.2500])
    """
    n = _check_count(int_arg(n, "fft_fftfreq", "n"), "fftfreq")
    steps = np.concatenate([np.arange((n + 1) // 2), np.arange(-(n // 2), 0)])
    return _frequencies(steps, n, float(d), out, dtype, device, requires_grad, "fftfreq")


def rfftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The sample frequencies of :func:`rfft`: the n // 2 + 1 non-negative ones.

    >>> ember.fft.rfftfreq(4)
    tensor([0.0000, 0.2500, 0.5000])
    """
    n = int_arg(n, "fft_rfftfreq", "n")
    count = _check_count(int(n / 2) + 1, "rfftfreq")        # C's division, as PyTorch: rfftfreq(-1) has 1 element
    return _frequencies(np.arange(count), n, float(d), out, dtype, device, requires_grad, "rfftfreq")


def _shift(input, dim, fn, shift_of):
    check_tensor(input, "input", fn)
    dims = list(range(input.ndim)) if dim is None else _int_list(dim, fn, "dim")
    if dims and input.ndim == 0:
        raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
    shifts = [shift_of(input.shape[_wrap(d, input.ndim)]) for d in dims]
    return roll(input, tuple(shifts), tuple(dims))      # no dims: roll's "`shifts` required", as in PyTorch


def fftshift(input, dim=None):
    """Move the zero frequency to the middle of each of ``dim`` (all dimensions by default): a roll by n // 2.

    >>> ember.fft.fftshift(ember.fft.fftfreq(4))
    tensor([-0.5000, -0.2500,  0.0000,  0.2500])
    """
    return _shift(input, dim, "fftshift", lambda n: n // 2)


def ifftshift(input, dim=None):
    """The inverse of :func:`fftshift`: a roll by (n + 1) // 2 back.

    >>> ember.fft.ifftshift(ember.tensor([-0.5, -0.25, 0.0, 0.25]))
    tensor([ 0.0000,  0.2500, -0.5000, -0.2500])
    """
    return _shift(input, dim, "ifftshift", lambda n: (n + 1) // 2)

