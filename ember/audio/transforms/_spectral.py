"""torchaudio's spectral transform modules: Spectrogram, InverseSpectrogram, GriffinLim, MelSpectrogram, MFCC, LFCC,
TimeStretch, PitchShift and SpectralCentroid, as ``ember.nn.Module`` subclasses.

Each takes torchaudio's constructor arguments (same order and defaults) and calls ``ember.audio.functional``. The
window and the filter-bank and DCT matrices are buffers, so ``.double()`` and ``state_dict`` carry them.
"""

import math
import warnings

import ember
from ember import nn

from .. import functional as F
from ..functional.functional import _apply_sinc_resample_kernel, _get_sinc_resample_kernel
from ..functional.spectral import _fix_waveform_shape, _pitch_rate, _stretch_waveform
from ._transforms import AmplitudeToDB, MelScale

__all__ = ["Spectrogram", "InverseSpectrogram", "GriffinLim", "MelSpectrogram", "MFCC", "LFCC", "TimeStretch",
           "PitchShift", "SpectralCentroid"]

_LOG_OFFSET = 1e-6      # added before the log of log_mels / log_lf
_TOP_DB = 80.0          # the decibel floor of MFCC and LFCC


def _make_window(window_fn, win_length, wkwargs):
    """``window_fn(win_length, **wkwargs)``, the window buffer of the STFT transforms."""
    return window_fn(win_length) if wkwargs is None else window_fn(win_length, **wkwargs)


def _set_framing(module, n_fft, win_length, hop_length, window_fn, wkwargs):
    """The STFT transforms' framing with torchaudio's defaults: ``n_fft``, ``win_length`` (``n_fft``),
    ``hop_length`` (``win_length // 2``) and the ``window`` buffer."""
    module.n_fft = n_fft
    module.win_length = win_length if win_length is not None else n_fft
    module.hop_length = hop_length if hop_length is not None else module.win_length // 2
    module.register_buffer("window", _make_window(window_fn, module.win_length, wkwargs))


def _check_dct_type(name, dct_type):
    if dct_type != 2:
        raise ValueError(f"{name}: DCT type not supported: {dct_type} (only dct_type=2 is)")


class Spectrogram(nn.Module):
    """The spectrogram of a waveform (..., time): ``|STFT| ** power`` of shape (..., n_fft // 2 + 1, frames), or
    the complex STFT when ``power`` is None.

    ``win_length`` defaults to ``n_fft`` and ``hop_length`` to ``win_length // 2``; the window
    (``window_fn(win_length, **wkwargs)``) is the buffer ``window``. See ``functional.spectrogram`` for
    ``normalized``. ``return_complex`` is deprecated and ignored.

    >>> ember.audio.transforms.Spectrogram(n_fft=256)(ember.zeros(1, 1000)).shape
    ember.Size([1, 129, 8])
    """

    def __init__(self, n_fft=400, win_length=None, hop_length=None, pad=0, window_fn=ember.hann_window, power=2.0,
                 normalized=False, wkwargs=None, center=True, pad_mode="reflect", onesided=True,
                 return_complex=None):
        super().__init__()
        _set_framing(self, n_fft, win_length, hop_length, window_fn, wkwargs)
        self.pad = pad
        self.power = power
        self.normalized = normalized
        self.center = center
        self.pad_mode = pad_mode
        self.onesided = onesided
        if return_complex is not None:
            warnings.warn("`return_complex` argument is now deprecated and is not effective."
                          "`ember.audio.transforms.Spectrogram(power=None)` always returns a tensor with complex "
                          "dtype. Please remove the argument in the function call.", UserWarning, stacklevel=2)

    def forward(self, waveform):
        return F.spectrogram(waveform, self.pad, self.window, self.n_fft, self.hop_length, self.win_length,
                             self.power, self.normalized, self.center, self.pad_mode, self.onesided)


class InverseSpectrogram(nn.Module):
    """The waveform (..., time) of a complex spectrogram (..., freq, frames): the inverse of ``Spectrogram`` with
    ``power=None`` and the same arguments; ``forward(spectrogram, length=None)``.

    >>> spec = ember.audio.transforms.Spectrogram(n_fft=256, power=None)(ember.zeros(1, 1000))
    >>> ember.audio.transforms.InverseSpectrogram(n_fft=256)(spec, 1000).shape
    ember.Size([1, 1000])
    """

    def __init__(self, n_fft=400, win_length=None, hop_length=None, pad=0, window_fn=ember.hann_window,
                 normalized=False, wkwargs=None, center=True, pad_mode="reflect", onesided=True):
        super().__init__()
        _set_framing(self, n_fft, win_length, hop_length, window_fn, wkwargs)
        self.pad = pad
        self.normalized = normalized
        self.center = center
        self.pad_mode = pad_mode
        self.onesided = onesided

    def forward(self, spectrogram, length=None):
        return F.inverse_spectrogram(spectrogram, length, self.pad, self.window, self.n_fft, self.hop_length,
                                     self.win_length, self.normalized, self.center, self.pad_mode, self.onesided)


class GriffinLim(nn.Module):
    """A waveform from a magnitude (``power=1``) or power (``power=2``) spectrogram (..., n_fft // 2 + 1, frames):
    ``n_iter`` iterations of fast Griffin-Lim phase recovery (``functional.griffinlim``).

    >>> ember.audio.transforms.GriffinLim(n_fft=256, n_iter=2)(ember.ones(1, 129, 8)).shape
    ember.Size([1, 896])
    """

    def __init__(self, n_fft=400, n_iter=32, win_length=None, hop_length=None, window_fn=ember.hann_window,
                 power=2.0, wkwargs=None, momentum=0.99, length=None, rand_init=True):
        super().__init__()
        if not 0 <= momentum < 1:
            raise ValueError(f"GriffinLim: momentum must be in the range [0, 1), got {momentum}")
        _set_framing(self, n_fft, win_length, hop_length, window_fn, wkwargs)
        self.n_iter = n_iter
        self.length = length
        self.power = power
        self.momentum = momentum
        self.rand_init = rand_init

    def forward(self, specgram):
        return F.griffinlim(specgram, self.window, self.n_fft, self.hop_length, self.win_length, self.power,
                            self.n_iter, self.momentum, self.length, self.rand_init)


class MelSpectrogram(nn.Module):
    """The mel spectrogram of a waveform (..., time): ``Spectrogram`` then ``MelScale``, (..., n_mels, frames).

    ``onesided`` is deprecated and ignored (the spectrum is always one-sided), as in torchaudio.

    >>> mel = ember.audio.transforms.MelSpectrogram(8000, n_fft=256, n_mels=40)
    >>> mel(ember.zeros(2, 8000)).shape
    ember.Size([2, 40, 63])
    """

    def __init__(self, sample_rate=16000, n_fft=400, win_length=None, hop_length=None, f_min=0.0, f_max=None,
                 pad=0, n_mels=128, window_fn=ember.hann_window, power=2.0, normalized=False, wkwargs=None,
                 center=True, pad_mode="reflect", onesided=None, norm=None, mel_scale="htk"):
        super().__init__()
        if onesided is not None:
            warnings.warn("Argument 'onesided' has been deprecated and has no influence on the behavior of this "
                          "module.", UserWarning, stacklevel=2)
        self.sample_rate = sample_rate
        self.n_fft = n_fft
        self.win_length = win_length if win_length is not None else n_fft
        self.hop_length = hop_length if hop_length is not None else self.win_length // 2
        self.pad = pad
        self.power = power
        self.normalized = normalized
        self.n_mels = n_mels
        self.f_max = f_max
        self.f_min = f_min
        self.spectrogram = Spectrogram(n_fft=self.n_fft, win_length=self.win_length, hop_length=self.hop_length,
                                       pad=self.pad, window_fn=window_fn, power=self.power,
                                       normalized=self.normalized, wkwargs=wkwargs, center=center,
                                       pad_mode=pad_mode, onesided=True)
        self.mel_scale = MelScale(self.n_mels, self.sample_rate, self.f_min, self.f_max, self.n_fft // 2 + 1, norm,
                                  mel_scale)

    def forward(self, waveform):
        return self.mel_scale(self.spectrogram(waveform))


def _cepstrum(features, dct_mat, log, amplitude_to_db):
    """DCT over the filter axis of a filter-bank spectrogram (..., filters, frames), in decibels (floored 80 dB
    below the maximum) or, with ``log``, as ``log(x + 1e-6)``."""
    if log:
        features = ember.log(features + _LOG_OFFSET)
    else:
        features = amplitude_to_db(features)
    return ember.matmul(features.transpose(-1, -2), dct_mat).transpose(-1, -2)


class MFCC(nn.Module):
    """Mel-frequency cepstral coefficients of a waveform (..., time): (..., n_mfcc, frames).

    The mel spectrogram (``MelSpectrogram(sample_rate, **melkwargs)``) in decibels (floored 80 dB below its
    maximum, as librosa) or, with ``log_mels``, ``log(mel + 1e-6)``; then the DCT-II (``norm="ortho"``) over the
    mel axis, keeping ``n_mfcc`` coefficients.

    >>> mfcc = ember.audio.transforms.MFCC(8000, n_mfcc=13, melkwargs={"n_fft": 256, "n_mels": 40})
    >>> mfcc(ember.zeros(1, 8000)).shape
    ember.Size([1, 13, 63])
    """

    def __init__(self, sample_rate=16000, n_mfcc=40, dct_type=2, norm="ortho", log_mels=False, melkwargs=None):
        super().__init__()
        _check_dct_type("MFCC", dct_type)
        self.sample_rate = sample_rate
        self.n_mfcc = n_mfcc
        self.dct_type = dct_type
        self.norm = norm
        self.top_db = _TOP_DB
        self.amplitude_to_DB = AmplitudeToDB("power", self.top_db)
        self.MelSpectrogram = MelSpectrogram(sample_rate=self.sample_rate, **(melkwargs or {}))
        if self.n_mfcc > self.MelSpectrogram.n_mels:
            raise ValueError(f"MFCC: cannot select more MFCC coefficients (n_mfcc={self.n_mfcc}) than mel bins "
                             f"(n_mels={self.MelSpectrogram.n_mels})")
        self.register_buffer("dct_mat", F.create_dct(self.n_mfcc, self.MelSpectrogram.n_mels, self.norm))
        self.log_mels = log_mels

    def forward(self, waveform):
        return _cepstrum(self.MelSpectrogram(waveform), self.dct_mat, self.log_mels, self.amplitude_to_DB)


class LFCC(nn.Module):
    """Linear-frequency cepstral coefficients of a waveform (..., time): (..., n_lfcc, frames).

    As ``MFCC`` with ``n_filter`` triangular filters evenly spaced in Hz from ``f_min`` to ``f_max`` (default
    ``sample_rate // 2``) over ``Spectrogram(**speckwargs)``; ``log_lf`` takes ``log(x + 1e-6)`` instead of dB.

    >>> lfcc = ember.audio.transforms.LFCC(8000, n_filter=40, n_lfcc=13, speckwargs={"n_fft": 256})
    >>> lfcc(ember.zeros(1, 8000)).shape
    ember.Size([1, 13, 63])
    """

    def __init__(self, sample_rate=16000, n_filter=128, f_min=0.0, f_max=None, n_lfcc=40, dct_type=2,
                 norm="ortho", log_lf=False, speckwargs=None):
        super().__init__()
        _check_dct_type("LFCC", dct_type)
        self.sample_rate = sample_rate
        self.f_min = f_min
        self.f_max = f_max if f_max is not None else float(sample_rate // 2)
        self.n_filter = n_filter
        self.n_lfcc = n_lfcc
        self.dct_type = dct_type
        self.norm = norm
        self.top_db = _TOP_DB
        self.amplitude_to_DB = AmplitudeToDB("power", self.top_db)
        self.Spectrogram = Spectrogram(**(speckwargs or {}))
        if self.n_lfcc > self.Spectrogram.n_fft:
            raise ValueError(f"LFCC: cannot select more LFCC coefficients (n_lfcc={self.n_lfcc}) than FFT bins "
                             f"(n_fft={self.Spectrogram.n_fft})")
        filter_mat = F.linear_fbanks(n_freqs=self.Spectrogram.n_fft // 2 + 1, f_min=self.f_min, f_max=self.f_max,
                                     n_filter=self.n_filter, sample_rate=self.sample_rate)
        self.register_buffer("filter_mat", filter_mat)
        self.register_buffer("dct_mat", F.create_dct(self.n_lfcc, self.n_filter, self.norm))
        self.log_lf = log_lf

    def forward(self, waveform):
        specgram = self.Spectrogram(waveform)
        filtered = ember.matmul(specgram.transpose(-1, -2), self.filter_mat).transpose(-1, -2)
        return _cepstrum(filtered, self.dct_mat, self.log_lf, self.amplitude_to_DB)


class TimeStretch(nn.Module):
    """Speed a complex spectrogram (..., n_freq, frames) up by a rate without changing its pitch (the phase
    vocoder); ``forward(complex_specgrams, overriding_rate=None)`` uses ``fixed_rate`` unless a rate is passed.

    ``hop_length`` defaults to ``n_fft // 2`` with ``n_fft = 2 * (n_freq - 1)``.

    >>> stretch = ember.audio.transforms.TimeStretch(n_freq=129, fixed_rate=2.0)
    >>> stretch(ember.ones(129, 10, dtype=ember.complex64)).shape
    ember.Size([129, 5])
    """

    def __init__(self, hop_length=None, n_freq=201, fixed_rate=None):
        super().__init__()
        self.fixed_rate = fixed_rate
        n_fft = (n_freq - 1) * 2
        hop_length = hop_length if hop_length is not None else n_fft // 2
        self.register_buffer("phase_advance", ember.linspace(0, math.pi * hop_length, n_freq)[..., None])

    def forward(self, complex_specgrams, overriding_rate=None):
        if not complex_specgrams.is_complex():
            warnings.warn("The input to TimeStretch must be complex type. Providing non-complex tensor produces "
                          "invalid results.", UserWarning, stacklevel=2)
        rate = overriding_rate if overriding_rate is not None else self.fixed_rate
        if rate is None:
            raise ValueError("TimeStretch: if no fixed_rate is specified, must pass a valid rate to the forward "
                             "method.")
        return F.phase_vocoder(complex_specgrams, rate, self.phase_advance)


class PitchShift(nn.Module):
    """Shift the pitch of a waveform (..., time) by ``n_steps`` steps of ``1 / bins_per_octave`` octave, keeping
    its length (``functional.pitch_shift``), with the resampling kernel built once.

    The kernel is the buffer ``kernel``, built in the default dtype and rebuilt in a waveform's dtype when another
    comes (torchaudio builds it lazily, as a parameter, on the first call).

    >>> ember.audio.transforms.PitchShift(8000, 1)(ember.zeros(1, 4000)).shape
    ember.Size([1, 4000])
    """

    def __init__(self, sample_rate, n_steps, bins_per_octave=12, n_fft=512, win_length=None, hop_length=None,
                 window_fn=ember.hann_window, wkwargs=None):
        super().__init__()
        self.n_steps = n_steps
        self.bins_per_octave = bins_per_octave
        self.sample_rate = sample_rate
        self.n_fft = n_fft
        self.win_length = win_length if win_length is not None else n_fft
        self.hop_length = hop_length if hop_length is not None else self.win_length // 4
        self.register_buffer("window", _make_window(window_fn, self.win_length, wkwargs))
        rate = _pitch_rate(n_steps, bins_per_octave)
        self.orig_freq = int(sample_rate / rate)
        self.gcd = math.gcd(int(self.orig_freq), int(sample_rate))
        if self.orig_freq != sample_rate:
            self._build_kernel(ember.get_default_dtype())

    def _build_kernel(self, dtype):
        kernel, self.width = _get_sinc_resample_kernel(self.orig_freq, self.sample_rate, self.gcd, dtype=dtype)
        self.register_buffer("kernel", kernel)

    def forward(self, waveform):
        stretched = _stretch_waveform(waveform, self.n_steps, self.bins_per_octave, self.n_fft, self.win_length,
                                      self.hop_length, self.window)
        if self.orig_freq == self.sample_rate:
            return _fix_waveform_shape(stretched, waveform.shape)
        if self.kernel.dtype != stretched.dtype:
            self._build_kernel(stretched.dtype)
        shifted = _apply_sinc_resample_kernel(stretched, self.orig_freq, self.sample_rate, self.gcd, self.kernel,
                                              self.width)
        return _fix_waveform_shape(shifted, waveform.shape)


class SpectralCentroid(nn.Module):
    """The spectral centroid in Hz of each frame of a waveform (..., time): (..., frames).

    >>> ember.audio.transforms.SpectralCentroid(8000, n_fft=256)(ember.rand(1, 1000)).shape
    ember.Size([1, 8])
    """

    def __init__(self, sample_rate, n_fft=400, win_length=None, hop_length=None, pad=0, window_fn=ember.hann_window,
                 wkwargs=None):
        super().__init__()
        self.sample_rate = sample_rate
        _set_framing(self, n_fft, win_length, hop_length, window_fn, wkwargs)
        self.pad = pad

    def forward(self, waveform):
        return F.spectral_centroid(waveform, self.sample_rate, self.pad, self.window, self.n_fft, self.hop_length,
                                   self.win_length)
