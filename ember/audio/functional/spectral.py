"""torchaudio.functional's spectral functions: spectrograms and their inverse, Griffin-Lim phase recovery, the phase
vocoder (time stretching), pitch shifting and the spectral centroid.

They are written with ``ember.stft``/``ember.istft`` and ember's complex and real ops, in torchaudio's order of
operations, so they give torchaudio's numbers and gradients flow through every one of them (the phase vocoder and
pitch shift too, as in torchaudio, except through the rounding of phase differences to whole turns).
"""

import math
import numbers
import warnings

import ember
import ember.nn.functional as F

from .filtering import _check_tensor
from .functional import _check_count, resample

__all__ = ["spectrogram", "inverse_spectrogram", "griffinlim", "phase_vocoder", "pitch_shift", "spectral_centroid"]

_NORMALIZATIONS = ("window", "frame_length")
_RETURN_COMPLEX_DEPRECATED = ("`return_complex` argument is now deprecated and is not effective."
                              "`ember.audio.functional.spectrogram(power=None)` always returns a tensor with "
                              "complex dtype. Please remove the argument in the function call.")


# ----------------------------------------------------------------------------- argument checks

def _spec_norms(fn, normalized):
    """``normalized`` as (frame_length_norm, window_norm): ``True`` and ``"window"`` divide by the window's L2 norm,
    ``"frame_length"`` asks stft for its ``1 / sqrt(n_fft)`` normalisation."""
    if isinstance(normalized, str):
        if normalized not in _NORMALIZATIONS:
            raise ValueError(f"{fn}(): normalized must be a bool, 'window' or 'frame_length', got {normalized!r}")
        return normalized == "frame_length", normalized == "window"
    if isinstance(normalized, bool):
        return False, normalized
    raise TypeError(f"{fn}(): normalized must be a bool or a str ('window' or 'frame_length'), got "
                    f"{type(normalized).__name__}")


def _check_power(fn, power, optional):
    """Raise unless ``power`` is a positive number (or None where a complex result may be asked for)."""
    if power is None and optional:
        return
    if isinstance(power, bool) or not isinstance(power, numbers.Real):
        expected = "a positive number or None" if optional else "a positive number"
        raise TypeError(f"{fn}(): power must be {expected}, got {type(power).__name__}")
    if not power > 0:
        raise ValueError(f"{fn}(): power must be positive (1 for magnitude, 2 for power), got {power}")


def _window_energy_root(window):
    """The window's L2 norm, which ``normalized="window"`` divides the spectrum by."""
    return window.pow(2.0).sum().sqrt()


# ----------------------------------------------------------------------------- spectrograms

def spectrogram(waveform, pad, window, n_fft, hop_length, win_length, power, normalized, center=True,
                pad_mode="reflect", onesided=True, return_complex=None):
    """The spectrogram of ``waveform`` (..., time): ``|stft|**power`` (..., n_fft // 2 + 1, frames), or the complex
    STFT when ``power`` is None.

    ``pad`` zeros are added on both sides first; ``normalized`` is False, True or ``"window"`` (divide by the
    window's L2 norm) or ``"frame_length"`` (stft's ``normalized=True``). ``return_complex`` is deprecated and
    ignored, as in torchaudio.

    >>> ember.audio.functional.spectrogram(ember.zeros(1, 800), 0, ember.hann_window(400), 400, 200, 400, 2.0,
    ...                                    False).shape
    ember.Size([1, 201, 5])
    """
    fn = "spectrogram"
    _check_tensor(waveform, "waveform", fn)
    _check_tensor(window, "window", fn)
    _check_power(fn, power, optional=True)
    if return_complex is not None:
        warnings.warn(_RETURN_COMPLEX_DEPRECATED, UserWarning, stacklevel=2)
    frame_length_norm, window_norm = _spec_norms(fn, normalized)
    if pad > 0:
        waveform = F.pad(waveform, (pad, pad), "constant")
    shape = waveform.shape
    spec = ember.stft(waveform.reshape(-1, shape[-1]), n_fft=n_fft, hop_length=hop_length, win_length=win_length,
                      window=window, center=center, pad_mode=pad_mode, normalized=frame_length_norm,
                      onesided=onesided, return_complex=True)
    spec = spec.reshape(shape[:-1] + spec.shape[-2:])
    if window_norm:
        spec = spec / _window_energy_root(window)
    if power is None:
        return spec
    if power == 1.0:
        return spec.abs()
    return spec.abs().pow(power)


def inverse_spectrogram(spectrogram, length, pad, window, n_fft, hop_length, win_length, normalized, center=True,
                        pad_mode="reflect", onesided=True):
    """The waveform (..., time) whose complex spectrogram (..., freq, frames) is given: the least-squares inverse
    of :func:`spectrogram` with ``power=None`` (``istft``), the padding ``pad`` removed when ``length`` is given.

    ``pad_mode`` is accepted for symmetry with :func:`spectrogram` and not used.

    >>> x = ember.randn(1, 800, dtype=ember.float64)
    >>> w = ember.hann_window(400, dtype=ember.float64)
    >>> spec = ember.audio.functional.spectrogram(x, 0, w, 400, 200, 400, None, False)
    >>> y = ember.audio.functional.inverse_spectrogram(spec, 800, 0, w, 400, 200, 400, False)
    >>> bool((y - x).abs().max() < 1e-10)
    True
    """
    fn = "inverse_spectrogram"
    _check_tensor(spectrogram, "spectrogram", fn)
    _check_tensor(window, "window", fn)
    frame_length_norm, window_norm = _spec_norms(fn, normalized)
    if not spectrogram.is_complex():
        raise ValueError(f"{fn}(): expected spectrogram to be complex (the spectrogram with power=None), got "
                         f"{spectrogram.dtype}")
    if spectrogram.dim() < 2:
        raise ValueError(f"{fn}(): spectrogram must have shape (..., freq, time), got {list(spectrogram.shape)}")
    if window_norm:
        spectrogram = spectrogram * _window_energy_root(window)
    shape = spectrogram.shape
    waveform = ember.istft(spectrogram.reshape(-1, shape[-2], shape[-1]), n_fft=n_fft, hop_length=hop_length,
                           win_length=win_length, window=window, center=center, normalized=frame_length_norm,
                           onesided=onesided, length=length + 2 * pad if length is not None else None,
                           return_complex=False)
    if length is not None and pad > 0:
        waveform = waveform[:, pad:-pad]
    return waveform.reshape(shape[:-2] + waveform.shape[-1:])


# ----------------------------------------------------------------------------- Griffin-Lim

def _complex_dtype(real_dtype):
    """The complex dtype whose parts are ``real_dtype`` (float32 -> complex64, float64 -> complex128)."""
    if real_dtype == ember.float64:
        return ember.complex128
    if real_dtype == ember.float32:
        return ember.complex64
    raise ValueError(f"griffinlim(): specgram must be float32 or float64, got {real_dtype}")


def griffinlim(specgram, window, n_fft, hop_length, win_length, power, n_iter, momentum, length, rand_init):
    """A waveform (..., time) whose STFT magnitudes are ``specgram ** (1 / power)`` (..., n_fft // 2 + 1, frames):
    the fast Griffin-Lim algorithm.

    Each of ``n_iter`` iterations inverts the spectrogram with the current phases, takes the STFT again and keeps
    the new phases, extrapolated by ``momentum`` (in [0, 1); 0 is the original Griffin-Lim). Phases start random
    (``rand_init``, ember's generator) or at zero. ``length`` fixes the output length.

    >>> mag = ember.ones(1, 201, 5)
    >>> ember.audio.functional.griffinlim(mag, ember.hann_window(400), 400, 200, 400, 2.0, 2, 0.99, None,
    ...                                   False).shape
    ember.Size([1, 800])
    """
    fn = "griffinlim"
    _check_tensor(specgram, "specgram", fn)
    _check_tensor(window, "window", fn)
    _check_power(fn, power, optional=False)
    n_iter = _check_count(fn, "n_iter", n_iter)
    if not 0 <= momentum < 1:
        raise ValueError(f"{fn}(): momentum must be in the range [0, 1), got {momentum}")
    if specgram.dim() < 2:
        raise ValueError(f"{fn}(): specgram must have shape (..., freq, frames), got {list(specgram.shape)}")
    momentum = momentum / (1 + momentum)
    shape = specgram.shape
    magnitude = specgram.reshape((-1,) + tuple(shape[-2:])).pow(1 / power)
    complex_dtype = _complex_dtype(magnitude.dtype)
    if rand_init:
        angles = ember.rand(magnitude.shape, dtype=complex_dtype, device=magnitude.device)
    else:
        angles = ember.full(magnitude.shape, 1, dtype=complex_dtype, device=magnitude.device)
    previous = None
    stft_args = dict(n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window)
    for _ in range(n_iter):
        inverse = ember.istft(magnitude * angles, length=length, **stft_args)
        rebuilt = ember.stft(inverse, center=True, pad_mode="reflect", normalized=False, onesided=True,
                             return_complex=True, **stft_args)
        angles = rebuilt
        if momentum and previous is not None:
            angles = angles - momentum * previous
        angles = angles / (angles.abs() + 1e-16)
        previous = rebuilt
    waveform = ember.istft(magnitude * angles, length=length, **stft_args)
    return waveform.reshape(shape[:-2] + waveform.shape[-1:])


# ----------------------------------------------------------------------------- time stretching and pitch

def phase_vocoder(complex_specgrams, rate, phase_advance):
    """Speed a complex spectrogram (..., freq, frames) up by ``rate`` without changing its pitch: the phase vocoder.

    Output frame ``k`` sits at input time ``t = k * rate``: its magnitude interpolates frames ``floor(t)`` and
    ``floor(t) + 1`` linearly, its phase accumulates the measured phase advance between them (``phase_advance``
    (freq, 1) is the expected advance per hop, ``linspace(0, pi * hop_length, freq)``). Returns
    ``ceil(frames / rate)`` frames; ``rate == 1`` returns the input.

    >>> spec = ember.ones(201, 10, dtype=ember.complex64)
    >>> advance = ember.linspace(0, 3.14159 * 100, 201)[..., None]
    >>> ember.audio.functional.phase_vocoder(spec, 2.0, advance).shape
    ember.Size([201, 5])
    """
    fn = "phase_vocoder"
    _check_tensor(complex_specgrams, "complex_specgrams", fn)
    _check_tensor(phase_advance, "phase_advance", fn)
    if not rate > 0:
        raise ValueError(f"{fn}(): rate must be positive, got {rate}")
    if complex_specgrams.dim() < 2:
        raise ValueError(f"{fn}(): complex_specgrams must have shape (..., freq, frames), got "
                         f"{list(complex_specgrams.shape)}")
    if rate == 1.0:
        return complex_specgrams
    shape = complex_specgrams.shape
    specs = complex_specgrams.reshape((-1,) + tuple(shape[-2:]))
    real_dtype = ember.real(specs).dtype if specs.is_complex() else specs.dtype
    time_steps = ember.arange(0, specs.shape[-1], rate, dtype=real_dtype, device=specs.device)
    alphas = time_steps % 1.0
    phase_0 = specs[..., :1].angle()
    specs = F.pad(specs, [0, 2])
    frames_0 = specs.index_select(-1, time_steps.long())
    frames_1 = specs.index_select(-1, (time_steps + 1).long())
    phase = frames_1.angle() - frames_0.angle() - phase_advance
    phase = phase - 2 * math.pi * ember.round(phase / (2 * math.pi))      # the deviation, wrapped to [-pi, pi]
    phase = phase + phase_advance
    phase_acc = ember.cumsum(ember.cat([phase_0, phase[..., :-1]], dim=-1), -1)
    magnitude = alphas * frames_1.abs() + (1 - alphas) * frames_0.abs()
    stretched = ember.polar(magnitude, phase_acc)
    return stretched.reshape(shape[:-2] + stretched.shape[1:])


def _pitch_rate(n_steps, bins_per_octave):
    """The time-stretch rate of a pitch shift by ``n_steps`` steps of ``1 / bins_per_octave`` octave."""
    return 2.0 ** (-float(n_steps) / bins_per_octave)


def _stretch_waveform(waveform, n_steps, bins_per_octave=12, n_fft=512, win_length=None, hop_length=None,
                      window=None):
    """The first half of a pitch shift: ``waveform`` made ``1 / rate`` times longer by the phase vocoder."""
    hop_length = n_fft // 4 if hop_length is None else hop_length
    win_length = n_fft if win_length is None else win_length
    if window is None:
        window = ember.hann_window(window_length=win_length, device=waveform.device)
    shape = waveform.shape
    rate = _pitch_rate(n_steps, bins_per_octave)
    spec = ember.stft(waveform.reshape(-1, shape[-1]), n_fft=n_fft, hop_length=hop_length, win_length=win_length,
                      window=window, center=True, pad_mode="reflect", normalized=False, onesided=True,
                      return_complex=True)
    phase_advance = ember.linspace(0, math.pi * hop_length, spec.shape[-2], device=spec.device)[..., None]
    stretched = phase_vocoder(spec, rate, phase_advance)
    return ember.istft(stretched, n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window,
                       length=int(round(shape[-1] / rate)))


def _fix_waveform_shape(waveform_shift, shape):
    """The shifted waveform cut or zero-padded to the original length and given the original leading shape."""
    length = shape[-1]
    if waveform_shift.shape[-1] > length:
        waveform_shift = waveform_shift[..., :length]
    else:
        waveform_shift = F.pad(waveform_shift, [0, length - waveform_shift.shape[-1]])
    return waveform_shift.reshape(tuple(shape[:-1]) + tuple(waveform_shift.shape[-1:]))


def pitch_shift(waveform, sample_rate, n_steps, bins_per_octave=12, n_fft=512, win_length=None, hop_length=None,
                window=None):
    """Shift the pitch of ``waveform`` (..., time) by ``n_steps`` steps of ``1 / bins_per_octave`` octave, keeping
    its duration: a phase-vocoder time stretch by ``2 ** (n_steps / bins_per_octave)``, then resampling back.

    The resampling goes from ``int(sample_rate / rate)`` to ``sample_rate`` Hz (torchaudio's rule); its kernel is
    large when those rates share no large common divisor, so fractional ``n_steps`` can be slow.

    >>> ember.audio.functional.pitch_shift(ember.zeros(1, 4000), 8000, 1).shape
    ember.Size([1, 4000])
    """
    fn = "pitch_shift"
    _check_tensor(waveform, "waveform", fn)
    if waveform.dim() < 1:
        raise ValueError(f"{fn}(): waveform must have shape (..., time), got {list(waveform.shape)}")
    if bins_per_octave == 0:
        raise ValueError(f"{fn}(): bins_per_octave must not be zero")
    stretched = _stretch_waveform(waveform, n_steps, bins_per_octave, n_fft, win_length, hop_length, window)
    rate = _pitch_rate(n_steps, bins_per_octave)
    shifted = resample(stretched, int(sample_rate / rate), sample_rate)
    return _fix_waveform_shape(shifted, waveform.shape)


def spectral_centroid(waveform, sample_rate, pad, window, n_fft, hop_length, win_length):
    """The spectral centroid of each frame, ``sum_f f |X_f| / sum_f |X_f|`` in Hz: (..., time) -> (..., frames).

    >>> x = ember.sin(ember.arange(8000) * (2 * 3.14159265 * 1000 / 8000))
    >>> c = ember.audio.functional.spectral_centroid(x, 8000, 0, ember.hann_window(256), 256, 128, 256)
    >>> round(float(c[10]))
    1000
    """
    magnitude = spectrogram(waveform, pad=pad, window=window, n_fft=n_fft, hop_length=hop_length,
                            win_length=win_length, power=1.0, normalized=False)
    freqs = ember.linspace(0, sample_rate // 2, steps=1 + n_fft // 2, device=magnitude.device).reshape((-1, 1))
    return (freqs * magnitude).sum(dim=-2) / magnitude.sum(dim=-2)
