"""The short-time Fourier transform and its inverse: ``stft`` and ``istft``, as PyTorch computes them.

``stft`` pads the signal (``center``), cuts it into frames ``hop_length`` apart (``unfold``, a view),
multiplies each by the window (zero-padded to ``n_fft`` when shorter) and takes the FFT of each frame.
``istft`` inverts it: the inverse FFT of each frame, times the window, overlap-added, divided by the
overlap-added squared window (the window envelope, which must not vanish: the NOLA condition), and
trimmed. Everything is built from differentiable ops, so gradients reach the signal and the window.
"""

import warnings

import numpy as np

from .. import fft as _fft
from .._device import array_module
from .._tensor import Tensor, _type_word
from ..autograd.function import Primitive
from ._util import bool_arg, check_tensor, int_arg
from .complex import view_as_real
from .padding import constant_pad_nd

__all__ = ["stft", "istft"]

_NO_WINDOW_STFT = ("A window was not provided. A rectangular window will be applied,which is known to cause spectral "
                   "leakage. Other windows such as ember.hann_window or ember.hamming_window are recommended to "
                   "reduce spectral leakage.To suppress this warning and use a rectangular window, explicitly set "
                   "`window=ember.ones(n_fft, device=<device>)`.")
_NO_WINDOW_ISTFT = ("A window was not provided. A rectangular window will be applied.Please provide the same window "
                    "used by stft to make the inversion lossless.To suppress this warning and use a rectangular "
                    "window, explicitly set `window=ember.ones(n_fft, device=<device>)`.")
_REAL_LAYOUT_DEPRECATED = ("stft with return_complex=False is deprecated. In a future pytorch release, stft will "
                           "return complex tensors for all inputs, and return_complex=False will raise an error.\n"
                           "Note: you can still call ember.view_as_real on the complex output to recover the old "
                           "return format.")


# ----------------------------------------------------------------------------- overlap-add

class OverlapAdd(Primitive):
    """Frames (..., n_frames, frame_length) added into a signal of ``length`` at offsets ``hop`` apart.

    The adjoint of cutting a signal into frames (``unfold``), which is therefore its gradient.
    """

    @staticmethod
    def forward(ctx, frames, *, hop, length):
        ctx.hop, ctx.frame_length = hop, frames.shape[-1]
        xp = array_module(frames)
        n_frames, frame_length = frames.shape[-2:]
        blocks = -(-frame_length // hop)            # each frame spans this many hop-long blocks
        padded = xp.zeros(frames.shape[:-1] + (blocks * hop,), dtype=frames.dtype)
        padded[..., :frame_length] = frames
        padded = padded.reshape(frames.shape[:-1] + (blocks, hop))
        out = xp.zeros(frames.shape[:-2] + (n_frames + blocks - 1, hop), dtype=frames.dtype)
        for block in range(blocks):                 # block b of frame t lands in output block t + b
            out[..., block:block + n_frames, :] += padded[..., :, block, :]
        return out.reshape(frames.shape[:-2] + (-1,))[..., :length]

    @staticmethod
    def backward(ctx, grad):
        return grad.unfold(-1, ctx.frame_length, ctx.hop)


def _overlap_add(frames, hop, length):
    return OverlapAdd.apply(frames, hop=hop, length=length)


# ----------------------------------------------------------------------------- shared argument handling

def _optional_int(value, fn, name, default):
    return default if value is None else int_arg(value, fn, name)


def _window_description(window):
    return "None" if window is None else f"{window.type()}{{{list(window.shape)}}}"


def _padded_window(window, win_length, n_fft, like):
    """The window (ones when None) zero-padded on both sides to ``n_fft``, centred as PyTorch centres it."""
    if window is None:
        real_type = like.dtype.to_real() if like.dtype.is_complex else like.dtype
        window = Tensor._make(np.ones(win_length, dtype=real_type.np_dtype))
    left = (n_fft - win_length) // 2
    if left == 0 and win_length == n_fft:
        return window
    return constant_pad_nd(window, (left, n_fft - win_length - left))


# ----------------------------------------------------------------------------- stft

def stft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, pad_mode="reflect",
         normalized=False, onesided=None, return_complex=None, align_to_window=None):
    """The short-time Fourier transform: the FFT of windowed frames of a 1-D signal or a batch of them (B, L).

    Returns (B?, n_fft // 2 + 1 or n_fft, n_frames), complex (``return_complex=True``; required for real input)
    or, deprecated, that with a last dimension of (real, imaginary) parts.

    >>> ember.stft(ember.ones(64), 16, window=ember.hann_window(16), return_complex=True).shape
    ember.Size([9, 17])
    """
    check_tensor(input, "input", "stft")
    n_fft = int_arg(n_fft, "stft", "n_fft")
    bool_arg(center, "stft", "center")
    if window is not None:
        check_tensor(window, "window", "stft")
    if center and align_to_window is not None:
        raise RuntimeError("stft align_to_window should only be set when center = false")
    x = _center(input, n_fft, pad_mode) if center else input
    complex_in = input.dtype.is_complex or (window is not None and window.dtype.is_complex)
    returns_complex = complex_in if return_complex is None else bool_arg(return_complex, "stft", "return_complex")
    hop_length = _optional_int(hop_length, "stft", "hop_length", n_fft // 4)
    win_length = _optional_int(win_length, "stft", "win_length", n_fft)
    if window is None:
        warnings.warn(_NO_WINDOW_STFT, UserWarning, stacklevel=2)
    if return_complex is None and not complex_in:
        raise RuntimeError("stft requires the return_complex parameter be given for real inputs, and will further "
                           "require that return_complex=True in a future PyTorch release.")
    if not returns_complex:
        warnings.warn(_REAL_LAYOUT_DEPRECATED, UserWarning, stacklevel=2)
    where = (f"stft({x.type()}{list(x.shape)}, n_fft={n_fft}, hop_length={hop_length}, win_length={win_length}, "
             f"window={_window_description(window)}, normalized={int(normalized)}, onesided={_flag(onesided)}, "
             f"return_complex={int(returns_complex)}, align_to_window={_flag(align_to_window)}) : ")
    _check_stft(x, n_fft, hop_length, win_length, window, where, align_to_window)
    if onesided is None:
        onesided = not complex_in
    elif onesided and complex_in:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    if align_to_window:
        left = (n_fft - win_length) // 2
        x = constant_pad_nd(x, (left, n_fft - win_length - left))
    frames = x.unfold(-1, n_fft, hop_length) * _padded_window(window, win_length, n_fft, x)
    norm = "ortho" if normalized else "backward"
    spectrum = _fft.rfft(frames, dim=-1, norm=norm) if onesided else _fft.fft(frames, dim=-1, norm=norm)
    spectrum = spectrum.transpose(-1, -2)
    return spectrum if returns_complex else view_as_real(spectrum)


def _flag(value):
    """How PyTorch's messages print an optional bool: None, 0 or 1."""
    return "None" if value is None else int(bool(value))


def _center(input, n_fft, pad_mode):
    """The signal padded by n_fft // 2 on both sides with ``pad_mode`` (``F.pad`` on a 3-D view, as PyTorch does)."""
    from ..nn.functional.padding import pad  # the padding modes live in nn.functional
    signal_dim = input.ndim
    extended = input.reshape((1,) * (3 - signal_dim) + tuple(input.shape))
    padded = pad(extended, [n_fft // 2, n_fft // 2], pad_mode)
    return padded.reshape(padded.shape[padded.ndim - signal_dim:])


def _check_stft(x, n_fft, hop_length, win_length, window, where, align_to_window):
    """The argument checks of PyTorch's stft kernel, in its order and with its messages."""
    if x.ndim not in (1, 2):
        raise RuntimeError(where + "expected a 1D or 2D tensor")
    if not (x.dtype.is_floating_point or x.dtype.is_complex):
        raise RuntimeError(where + "expected a tensor of floating point or complex values")
    length = x.shape[-1] + (n_fft - win_length if align_to_window else 0)
    if n_fft <= 0 or n_fft > length:
        raise RuntimeError(where + f"expected 0 < n_fft < {length}, but got n_fft={n_fft}")
    if hop_length <= 0:
        raise RuntimeError(where + f"expected hop_length > 0, but got hop_length={hop_length}")
    if win_length <= 0 or win_length > n_fft:
        raise RuntimeError(where + f"expected 0 < win_length <= n_fft, but got win_length={win_length}")
    if window is not None and (window.ndim != 1 or window.shape[0] != win_length):
        raise RuntimeError(where + f"expected a 1D window tensor of size equal to win_length={win_length}, but got "
                                   f"window with size {list(window.shape)}")


# ----------------------------------------------------------------------------- istft

def istft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, normalized=False, onesided=None,
          length=None, return_complex=False):
    """The inverse of :func:`stft`: inverse FFTs of the frames, windowed, overlap-added and divided by the window
    envelope; ``length`` trims or zero-pads the result.

    >>> x = ember.randn(64)
    >>> spec = ember.stft(x, 16, window=ember.hann_window(16), return_complex=True)
    >>> bool((ember.istft(spec, 16, window=ember.hann_window(16), length=64) - x).abs().max() < 1e-5)
    True
    """
    check_tensor(input, "input", "istft")
    n_fft = int_arg(n_fft, "istft", "n_fft")
    if window is not None:
        check_tensor(window, "window", "istft")
    if not input.dtype.is_complex:
        raise RuntimeError("istft requires a complex-valued input tensor matching the output from stft with "
                           "return_complex=True.")
    if window is None:
        warnings.warn(_NO_WINDOW_ISTFT, UserWarning, stacklevel=2)
    hop_length = _optional_int(hop_length, "istft", "hop_length", n_fft // 4)
    win_length = _optional_int(win_length, "istft", "win_length", n_fft)
    length = _optional_int(length, "istft", "length", None)
    where = (f"istft(CPU{_type_word(input.dtype)}Type{list(input.shape)}, n_fft={n_fft}, hop_length={hop_length}, "
             f"win_length={win_length}, window={_window_description(window)}, center={int(center)}, "
             f"normalized={int(normalized)}, onesided={_flag(onesided)}, length={length}, "
             f"return_complex={int(bool(return_complex))}) : ")
    onesided = _check_istft(input, n_fft, hop_length, win_length, window, onesided, where)
    batched = input.ndim == 3
    spectrum = (input if batched else input.unsqueeze(0)).transpose(1, 2)     # (B, n_frames, frequencies)
    norm = "ortho" if normalized else "backward"
    if return_complex:
        if onesided:
            raise RuntimeError("Cannot have onesided output if window or input is complex")
        frames = _fft.ifft(spectrum, n=n_fft, dim=-1, norm=norm)
    else:
        if window is not None and window.dtype.is_complex:
            raise RuntimeError("Complex windows are incompatible with return_complex=False")
        if not onesided:
            spectrum = spectrum[..., :n_fft // 2 + 1]
        frames = _fft.irfft(spectrum, n=n_fft, dim=-1, norm=norm)
    window = _padded_window(window, win_length, n_fft, input)
    n_frames = frames.shape[1]
    full_length = n_fft + hop_length * (n_frames - 1)
    signal = _overlap_add(frames * window, hop_length, full_length)
    envelope = _overlap_add((window * window).expand(1, n_frames, n_fft), hop_length, full_length)
    start = n_fft // 2 if center else 0
    end = start + length if length is not None else (-(n_fft // 2) if center else full_length)
    signal, envelope = signal[:, start:end], envelope[:, start:end]
    if envelope.numel() == 0:
        raise RuntimeError("min(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
                           "reduction dim with the 'dim' argument.")
    if bool((envelope.detach().abs().min() < 1e-11).item()):
        raise RuntimeError(where.rstrip(": ") + " window overlap add min: 1")
    signal = signal / envelope
    if not batched:
        signal = signal.squeeze(0)
    if end > full_length:
        warnings.warn("The length of signal is shorter than the length parameter. Result is being padded with zeros "
                      "in the tail. Please check your center and hop_length settings.", UserWarning, stacklevel=2)
        signal = constant_pad_nd(signal, (0, end - full_length))
    return signal


def _check_istft(input, n_fft, hop_length, win_length, window, onesided, where):
    """The argument checks of PyTorch's istft kernel, in its order; returns whether the input is one-sided."""
    if input.ndim < 2:
        raise IndexError(f"Dimension out of range (expected to be in range of [-{input.ndim + 1}, {input.ndim}], but "
                         f"got -3)")
    frequencies = input.shape[-2]
    if input.numel() == 0:
        raise RuntimeError(where + "input tensor cannot be empty.")
    if input.ndim not in (2, 3):
        raise RuntimeError(where + f"expected a tensor with 3 or 4 dimensions, but got {input.ndim + 1}")
    if onesided is None:
        onesided = frequencies != n_fft
    if onesided and n_fft // 2 + 1 != frequencies:
        raise RuntimeError(where + "expected the frequency dimension (3rd to the last) of the input tensor to match "
                                   f"n_fft / 2 + 1 when onesided=True, but got {frequencies}")
    if not onesided and n_fft != frequencies:
        raise RuntimeError(where + "expected the frequency dimension (3rd to the last) of the input tensor to match "
                                   f"n_fft when onesided=False, but got {frequencies}")
    if not 0 < hop_length <= win_length:
        raise RuntimeError(where + "expected 0 < hop_length <= win_length")
    if not 0 < win_length <= n_fft:
        raise RuntimeError(where + "expected 0 < win_length <= n_fft")
    if window is not None and (window.ndim != 1 or window.shape[0] != win_length):
        raise RuntimeError(where + "Invalid window shape. window has to be 1D and length of `win_length`")
    return bool(onesided)


TENSOR_METHODS = {"stft": stft, "istft": istft}
