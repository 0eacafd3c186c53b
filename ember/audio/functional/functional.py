"""torchaudio.functional's signal functions that need no STFT: filter banks, the DCT matrix, decibels, masking,
band-limited resampling, deltas, noise at a given SNR, pre-/de-emphasis and mu-law companding.

Everything that transforms a signal is written with ember's differentiable ops, so gradients flow through it as they
do in torchaudio; the matrices (mel and linear filter banks, DCT, resampling kernels) are constants computed with
the same steps and in the same dtype as torchaudio computes them, so they round the same way.
"""

import math
import numbers
import warnings

import ember
import ember.nn.functional as F

from .filtering import _check_tensor, _one_pole

__all__ = [
    "melscale_fbanks", "linear_fbanks", "create_dct", "amplitude_to_DB", "DB_to_amplitude", "mask_along_axis",
    "mask_along_axis_iid", "compute_deltas", "resample", "speed", "add_noise", "preemphasis", "deemphasis",
    "mu_law_encoding", "mu_law_decoding",
]

_MEL_SCALES = ("htk", "slaney")
_RESAMPLING_METHODS = ("sinc_interp_hann", "sinc_interp_kaiser")
_DEPRECATED_RESAMPLING_METHODS = {"sinc_interpolation": "sinc_interp_hann", "kaiser_window": "sinc_interp_kaiser"}
_DEFAULT_KAISER_BETA = 14.769656459379492


# ----------------------------------------------------------------------------- argument checks

def _check_choice(fn, name, value, choices):
    if value not in choices:
        expected = " or ".join(repr(c) for c in choices)
        raise ValueError(f"{fn}(): {name} must be {expected}, got {value!r}")


def _check_count(fn, name, value, minimum=0):
    """``value`` as an int of at least ``minimum``, or a TypeError/ValueError naming argument ``name`` of ``fn``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{fn}(): argument '{name}' must be int, not {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{fn}(): {name} must be at least {minimum}, got {value}")
    return int(value)


def _check_signal(fn, name, tensor, min_dims=1, what="(..., time)"):
    """Raise when ``tensor`` is not a Tensor with the dimensions a ``what``-shaped signal needs."""
    _check_tensor(tensor, name, fn)
    if tensor.dim() < min_dims:
        raise IndexError(f"{fn}(): {name} must have shape {what} (at least {min_dims} dimensions), got shape "
                         f"{list(tensor.shape)}")


# ----------------------------------------------------------------------------- filter banks and the DCT

def _hz_to_mel(freq, mel_scale="htk"):
    """A frequency in Hz on the mel scale: HTK's ``2595 log10(1 + f / 700)`` or Slaney's linear-then-log scale."""
    _check_choice("melscale_fbanks", "mel_scale", mel_scale, _MEL_SCALES)
    freq = float(freq)
    if mel_scale == "htk":
        return 2595.0 * math.log10(1.0 + freq / 700.0)
    f_sp = 200.0 / 3                        # Slaney: linear below 1 kHz (15 mels), logarithmic above
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = math.log(6.4) / 27.0
    if freq >= min_log_hz:
        return min_log_mel + math.log(freq / min_log_hz) / logstep
    return freq / f_sp


def _mel_to_hz(mels, mel_scale="htk"):
    """The inverse of ``_hz_to_mel`` for a tensor of mel values."""
    if mel_scale == "htk":
        return 700.0 * (10.0 ** (mels / 2595.0) - 1.0)
    f_sp = 200.0 / 3
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = math.log(6.4) / 27.0
    linear = 0.0 + f_sp * mels
    logarithmic = min_log_hz * ember.exp(logstep * (mels - min_log_mel))
    return ember.where(mels >= min_log_mel, logarithmic, linear)


def _create_triangular_filterbank(all_freqs, f_pts):
    """Triangles rising from ``f_pts[i]`` to a peak of 1 at ``f_pts[i + 1]`` and falling to 0 at ``f_pts[i + 2]``,
    evaluated at ``all_freqs``: a (len(all_freqs), len(f_pts) - 2) matrix."""
    f_diff = f_pts[1:] - f_pts[:-1]
    slopes = f_pts.unsqueeze(0) - all_freqs.unsqueeze(1)
    down_slopes = (-1.0 * slopes[:, :-2]) / f_diff[:-1]
    up_slopes = slopes[:, 2:] / f_diff[1:]
    return ember.maximum(ember.zeros(1), ember.minimum(down_slopes, up_slopes))


def melscale_fbanks(n_freqs, f_min, f_max, n_mels, sample_rate, norm=None, mel_scale="htk"):
    """The mel filter bank: ``n_mels`` triangular filters over ``n_freqs`` STFT bins, as an (n_freqs, n_mels) matrix.

    ``spectrogram.transpose(-1, -2) @ fb`` gives the mel spectrogram. ``norm="slaney"`` divides each triangle by its
    width (constant energy per band); ``mel_scale`` is ``"htk"`` or ``"slaney"``. Warns when a filter is all zero.

    >>> ember.audio.functional.melscale_fbanks(201, 0.0, 8000.0, 40, 16000).shape
    ember.Size([201, 40])
    """
    fn = "melscale_fbanks"
    _check_count(fn, "n_freqs", n_freqs)
    _check_count(fn, "n_mels", n_mels)
    _check_choice(fn, "norm", norm, (None, "slaney"))
    _check_choice(fn, "mel_scale", mel_scale, _MEL_SCALES)
    all_freqs = ember.linspace(0, sample_rate // 2, n_freqs)
    m_min = _hz_to_mel(f_min, mel_scale=mel_scale)
    m_max = _hz_to_mel(f_max, mel_scale=mel_scale)
    m_pts = ember.linspace(m_min, m_max, n_mels + 2)
    f_pts = _mel_to_hz(m_pts, mel_scale=mel_scale)
    fb = _create_triangular_filterbank(all_freqs, f_pts)
    if norm == "slaney":
        enorm = 2.0 / (f_pts[2:n_mels + 2] - f_pts[:n_mels])
        fb = fb * enorm.unsqueeze(0)
    if fb.numel() and bool((fb.amax(dim=0) == 0.0).any()):
        warnings.warn("At least one mel filterbank has all zero values. "
                      f"The value for `n_mels` ({n_mels}) may be set too high. "
                      f"Or, the value for `n_freqs` ({n_freqs}) may be set too low.", stacklevel=2)
    return fb


def linear_fbanks(n_freqs, f_min, f_max, n_filter, sample_rate):
    """``n_filter`` triangular filters evenly spaced in Hz from ``f_min`` to ``f_max``: an (n_freqs, n_filter) matrix.

    >>> ember.audio.functional.linear_fbanks(201, 0.0, 8000.0, 20, 16000).shape
    ember.Size([201, 20])
    """
    fn = "linear_fbanks"
    _check_count(fn, "n_freqs", n_freqs)
    _check_count(fn, "n_filter", n_filter)
    all_freqs = ember.linspace(0, sample_rate // 2, n_freqs)
    f_pts = ember.linspace(f_min, f_max, n_filter + 2)
    return _create_triangular_filterbank(all_freqs, f_pts)


def create_dct(n_mfcc, n_mels, norm):
    """The DCT-II matrix of shape (n_mels, n_mfcc) that turns log-mel frames into cepstral coefficients.

    ``norm="ortho"`` makes it orthonormal (scipy's ``dct(..., norm="ortho")``); ``None`` is the unscaled DCT-II
    (times 2, as scipy's ``norm=None``). Right-multiply it: ``mel_frames @ dct``.

    >>> ember.audio.functional.create_dct(13, 40, "ortho").shape
    ember.Size([40, 13])
    """
    fn = "create_dct"
    _check_count(fn, "n_mfcc", n_mfcc)
    _check_count(fn, "n_mels", n_mels, minimum=1)
    _check_choice(fn, "norm", norm, (None, "ortho"))
    n = ember.arange(float(n_mels))
    k = ember.arange(float(n_mfcc)).unsqueeze(1)
    dct = ember.cos(math.pi / float(n_mels) * (n + 0.5) * k)      # (n_mfcc, n_mels)
    if norm is None:
        dct *= 2.0
    else:
        dct[0] *= 1.0 / math.sqrt(2.0)
        dct *= math.sqrt(2.0 / float(n_mels))
    return dct.t()


# ----------------------------------------------------------------------------- decibels

def amplitude_to_DB(x, multiplier, amin, db_multiplier, top_db=None):
    """A power (``multiplier=10``) or amplitude (``multiplier=20``) spectrogram in decibels.

    ``multiplier * log10(max(x, amin)) - multiplier * db_multiplier``; with ``top_db``, values more than ``top_db``
    below the maximum are raised to it, one maximum per (freq, time) or (channel, freq, time) item: inputs with 4
    or more dimensions get one cut-off per leading index, 2-D and 3-D inputs a single one.

    >>> ember.audio.functional.amplitude_to_DB(ember.tensor([[1.0, 10.0]]), 10.0, 1e-10, 0.0)
    tensor([[ 0., 10.]])
    """
    _check_tensor(x, "x", "amplitude_to_DB")
    x_db = multiplier * ember.log10(ember.clamp(x, min=amin))
    x_db = x_db - multiplier * db_multiplier
    if top_db is None:
        return x_db
    _check_signal("amplitude_to_DB", "x", x, min_dims=2, what="(..., freq, time) when top_db is given")
    shape = x_db.shape
    packed_channels = shape[-3] if x_db.dim() > 2 else 1
    x_db = x_db.reshape(-1, packed_channels, shape[-2], shape[-1])
    floor = (x_db.amax(dim=(-3, -2, -1)) - top_db).view(-1, 1, 1, 1)
    return ember.maximum(x_db, floor).reshape(shape)


def DB_to_amplitude(x, ref, power):
    """Decibels back to power (``power=1``) or amplitude (``power=0.5``): ``ref * (10 ** (0.1 * x)) ** power``.

    >>> ember.audio.functional.DB_to_amplitude(ember.tensor([0.0, 20.0]), 1.0, 1.0)
    tensor([  1., 100.])
    """
    _check_tensor(x, "x", "DB_to_amplitude")
    return ref * ember.pow(ember.pow(10.0, 0.1 * x), power)


# ----------------------------------------------------------------------------- SpecAugment masks

def _mask_length_limit(mask_param, p, axis_length):
    """The longest mask allowed: ``mask_param``, or at most the fraction ``p`` of the axis when ``p < 1``."""
    if p == 1.0:
        return mask_param
    return min(mask_param, int(axis_length * p))


def _check_mask_args(fn, specgram, axis, p, min_dims):
    _check_tensor(specgram, "specgram" if fn == "mask_along_axis" else "specgrams", fn)
    dim = specgram.dim()
    if dim < min_dims:
        raise ValueError(f"{fn}(): the spectrogram must have at least {min_dims} dimensions, got shape "
                         f"{list(specgram.shape)}")
    if axis not in (dim - 2, dim - 1):
        raise ValueError(f"{fn}(): only frequency and time masking are supported: axis must be {dim - 2} or "
                         f"{dim - 1} for a {dim}-dimensional spectrogram, got {axis}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{fn}(): p must be between 0.0 and 1.0, got {p}")


def mask_along_axis_iid(specgrams, mask_param, mask_value, axis, p=1.0):
    """SpecAugment masking with a fresh mask per example: each (freq, time) item gets its own band ``[v0, v0 + v)``.

    ``v`` is drawn uniformly from ``[0, mask_param)`` (at most ``p`` of the axis) and ``v0`` from
    ``[0, size - v)``, with ember's generator; ``axis`` is one of the last two of a 3-or-more-dimensional input.
    ``mask_value`` may be a number or a Tensor (then it receives gradients).

    >>> ember.audio.functional.mask_along_axis_iid(ember.ones(2, 3, 4), 2, 0.0, 2).shape
    ember.Size([2, 3, 4])
    """
    _check_mask_args("mask_along_axis_iid", specgrams, axis, p, min_dims=3)
    dim = specgrams.dim()
    mask_param = _mask_length_limit(mask_param, p, specgrams.shape[axis])
    if mask_param < 1:
        return specgrams
    dtype, device = specgrams.dtype, specgrams.device
    value = ember.rand(specgrams.shape[:dim - 2], dtype=dtype, device=device) * mask_param
    min_value = ember.rand(specgrams.shape[:dim - 2], dtype=dtype, device=device) * (specgrams.size(axis) - value)
    mask_start = min_value.long()[..., None, None]
    mask_end = (min_value.long() + value.long())[..., None, None]
    positions = ember.arange(0, specgrams.size(axis), dtype=dtype, device=device)
    masked = (positions >= mask_start) & (positions < mask_end)
    specgrams = specgrams.transpose(axis, -1)
    if isinstance(mask_value, ember.Tensor):
        specgrams = ember.where(masked, mask_value, specgrams)
    else:
        specgrams = specgrams.masked_fill(masked, mask_value)
    return specgrams.transpose(axis, -1)


def mask_along_axis(specgram, mask_param, mask_value, axis, p=1.0):
    """SpecAugment masking with one band ``[v0, v0 + v)`` shared by every example of the batch.

    ``v`` is drawn uniformly from ``[0, mask_param)`` (at most ``p`` of the axis) and ``v0`` from
    ``[0, size - v)``, with ember's generator; ``axis`` is one of the last two dimensions.

    >>> ember.audio.functional.mask_along_axis(ember.ones(3, 4), 2, 0.0, 1).shape
    ember.Size([3, 4])
    """
    _check_mask_args("mask_along_axis", specgram, axis, p, min_dims=2)
    dim = specgram.dim()
    mask_param = _mask_length_limit(mask_param, p, specgram.shape[axis])
    if mask_param < 1:
        return specgram
    shape = specgram.shape
    specgram = specgram.reshape(-1, shape[-2], shape[-1])
    packed_axis = axis - dim + 3
    value = ember.rand(1) * mask_param
    min_value = ember.rand(1) * (specgram.size(packed_axis) - value)
    mask_start = min_value.long().squeeze()
    mask_end = (min_value.long() + value.long()).squeeze()
    positions = ember.arange(0, specgram.shape[packed_axis], dtype=specgram.dtype, device=specgram.device)
    masked = (positions >= mask_start) & (positions < mask_end)
    if axis == dim - 2:
        masked = masked.unsqueeze(-1)
    specgram = specgram.masked_fill(masked, mask_value)
    return specgram.reshape(shape[:-2] + specgram.shape[-2:])


# ----------------------------------------------------------------------------- deltas

def compute_deltas(specgram, win_length=5, mode="replicate"):
    """Delta coefficients along time: ``d_t = sum_n n (c_{t+n} - c_{t-n}) / (2 sum_n n^2)``, ``n = 1..N``.

    ``N = (win_length - 1) // 2``; the ends are padded with ``F.pad(..., mode=mode)``. Input ``(..., freq, time)``
    (any shape whose last dimension is time), output the same shape.

    >>> ember.audio.functional.compute_deltas(ember.arange(6.0).reshape(1, 6))
    tensor([[0.5000, 0.8000, 1.0000, 1.0000, 0.8000, 0.5000]])
    """
    _check_signal("compute_deltas", "specgram", specgram)
    win_length = _check_count("compute_deltas", "win_length", win_length, minimum=3)
    shape = specgram.shape
    n = (win_length - 1) // 2
    denom = n * (n + 1) * (2 * n + 1) / 3
    padded = F.pad(specgram.reshape(1, -1, shape[-1]), (n, n), mode=mode)
    length = shape[-1]
    total = None
    for k in range(1, n + 1):                  # the kernel -n..n: k (c_{t+k} - c_{t-k}) for each k
        term = k * (padded[..., n + k:n + k + length] - padded[..., n - k:n - k + length])
        total = term if total is None else total + term
    return (total / denom).reshape(shape)


# ----------------------------------------------------------------------------- resampling

def _resampling_method(name):
    """The method ``name`` stands for; the names torchaudio deprecated still work, with its warning."""
    if name in _DEPRECATED_RESAMPLING_METHODS:
        replacement = _DEPRECATED_RESAMPLING_METHODS[name]
        warnings.warn(f'"{name}" resampling method name is being deprecated and replaced by "{replacement}" in the '
                      "next release. The default behavior remains unchanged.", stacklevel=4)
        return replacement
    _check_choice("resample", "resampling_method", name, _RESAMPLING_METHODS)
    return name


def _get_sinc_resample_kernel(orig_freq, new_freq, gcd, lowpass_filter_width=6, rolloff=0.99,
                              resampling_method="sinc_interp_hann", beta=None, device=None, dtype=None):
    """The windowed-sinc filters of band-limited resampling from ``orig_freq`` to ``new_freq`` Hz, and their reach.

    After reducing the rates by their gcd to ``orig`` and ``new``, output sample ``j`` of each block of ``new`` is
    ``sum_i x[i] h((i / orig - j / new) * base)``, ``h(t) = sinc(t) window(t)`` cut at ``lowpass_filter_width``
    zero crossings, ``base = min(orig, new) * rolloff``. Returns the (new, 1, 2 * width + orig) kernel and ``width``.
    Computed on ``device`` in ``dtype`` (float64, then stored as float32, when None), in torchaudio's order of
    operations.
    """
    if int(orig_freq) != orig_freq or int(new_freq) != new_freq:
        raise ValueError("resample(): frequencies must be integers to ensure quality resampling; got orig_freq="
                         f"{orig_freq!r}, new_freq={new_freq!r}. Pass integers with the same ratio instead (e.g. "
                         "orig_freq=8, new_freq=1 rather than 44100 and 5512.5).")
    method = _resampling_method(resampling_method)
    if lowpass_filter_width <= 0:
        raise ValueError(f"resample(): lowpass_filter_width must be positive, got {lowpass_filter_width}")
    orig = int(orig_freq) // gcd
    new = int(new_freq) // gcd
    base_freq = min(orig, new) * rolloff      # below both Nyquist rates: anti-aliasing, and no edge ringing
    width = math.ceil(lowpass_filter_width * orig / base_freq)
    index_dtype = dtype if dtype is not None else ember.float64
    idx = ember.arange(-width, width + orig, dtype=index_dtype, device=device)[None, None] / orig
    t = ember.arange(0, -new, -1, dtype=dtype, device=device)[:, None, None] / new + idx
    t = (t * base_freq).clamp(-lowpass_filter_width, lowpass_filter_width)
    if method == "sinc_interp_hann":
        window = ember.cos(t * math.pi / lowpass_filter_width / 2) ** 2
    else:
        beta_tensor = ember.tensor(float(_DEFAULT_KAISER_BETA if beta is None else beta), device=device)
        window = ember.i0(beta_tensor * ember.sqrt(1 - (t / lowpass_filter_width) ** 2)) / ember.i0(beta_tensor)
    t = t * math.pi
    scale = base_freq / orig
    kernels = ember.where(t == 0, 1.0, t.sin() / t)
    kernels = kernels * (window * scale)
    if dtype is None:
        kernels = kernels.to(dtype=ember.float32)
    return kernels, width


def _apply_sinc_resample_kernel(waveform, orig_freq, new_freq, gcd, kernel, width):
    """Resample ``waveform`` (..., time) with a kernel from ``_get_sinc_resample_kernel``: one strided convolution."""
    if not waveform.is_floating_point():
        raise TypeError(f"Expected floating point type for waveform tensor, but received {waveform.dtype}.")
    orig = int(orig_freq) // gcd
    new = int(new_freq) // gcd
    shape = waveform.shape
    num_wavs, length = math.prod(shape[:-1]), shape[-1]
    waveform = F.pad(waveform.reshape(num_wavs, length), (width, width + orig))
    resampled = F.conv1d(waveform[:, None], kernel, stride=orig)       # (num_wavs, new, blocks)
    resampled = resampled.transpose(1, 2).reshape(num_wavs, resampled.shape[1] * resampled.shape[2])
    # torchaudio rounds new * length / orig to the default dtype before the ceiling; so do we
    target_length = int(ember.ceil(ember.tensor(new * length / orig)).item())
    resampled = resampled[..., :target_length]
    return resampled.reshape(shape[:-1] + resampled.shape[-1:])


def resample(waveform, orig_freq, new_freq, lowpass_filter_width=6, rolloff=0.99,
             resampling_method="sinc_interp_hann", beta=None):
    """Band-limited (windowed sinc) resampling of ``waveform`` (..., time) from ``orig_freq`` to ``new_freq`` Hz.

    ``lowpass_filter_width`` zero crossings of the sinc are kept (sharper and slower when larger); ``rolloff`` is the
    cut-off as a fraction of the lower Nyquist rate; the window is Hann (``"sinc_interp_hann"``) or Kaiser with
    shape ``beta`` (``"sinc_interp_kaiser"``). The kernel is built in the waveform's dtype; the output has
    ``ceil(new_freq * time / orig_freq)`` samples. ``transforms.Resample`` caches the kernel.

    >>> ember.audio.functional.resample(ember.zeros(1, 16000), 16000, 8000).shape
    ember.Size([1, 8000])
    """
    _check_signal("resample", "waveform", waveform)
    if orig_freq <= 0.0 or new_freq <= 0.0:
        raise ValueError(f"resample(): orig_freq and new_freq must be positive, got orig_freq={orig_freq}, "
                         f"new_freq={new_freq}")
    if orig_freq == new_freq:
        return waveform
    if not waveform.is_floating_point():
        raise TypeError(f"Expected floating point type for waveform tensor, but received {waveform.dtype}.")
    gcd = math.gcd(int(orig_freq), int(new_freq))
    kernel, width = _get_sinc_resample_kernel(orig_freq, new_freq, gcd, lowpass_filter_width, rolloff,
                                              resampling_method, beta, waveform.device, waveform.dtype)
    return _apply_sinc_resample_kernel(waveform, orig_freq, new_freq, gcd, kernel, width)


def _speed_rates(orig_freq, factor):
    """The (source, target) rates, reduced by their gcd, that make a waveform ``factor`` times faster."""
    source = int(factor * orig_freq)
    target = int(orig_freq)
    if source <= 0 or target <= 0:
        raise ValueError(f"speed(): orig_freq and factor must be positive, got orig_freq={orig_freq}, "
                         f"factor={factor}")
    gcd = math.gcd(source, target)
    return source // gcd, target // gcd


def speed(waveform, orig_freq, factor, lengths=None):
    """Play ``waveform`` (..., time) ``factor`` times faster (pitch moves with it), by resampling.

    Returns the new waveform and, when ``lengths`` (valid samples per signal) is given, the new lengths
    ``ceil(lengths / factor)``; otherwise None.

    >>> ember.audio.functional.speed(ember.zeros(1, 8000), 8000, 2.0)[0].shape
    ember.Size([1, 4000])
    """
    _check_signal("speed", "waveform", waveform)
    source, target = _speed_rates(orig_freq, factor)
    out_lengths = None
    if lengths is not None:
        out_lengths = ember.ceil(lengths * target / source).to(lengths.dtype)
    return resample(waveform, source, target), out_lengths


# ----------------------------------------------------------------------------- noise and emphasis

def add_noise(waveform, noise, snr, lengths=None):
    """``waveform + a * noise`` with ``a`` chosen so the signal-to-noise ratio is ``snr`` dB, per signal.

    ``waveform`` and ``noise`` are (..., L), ``snr`` (and ``lengths``, the valid samples per signal, if given) are
    (...); singleton leading dimensions broadcast. Energies count only the first ``lengths`` samples.

    >>> x = ember.ones(1, 4); n = ember.tensor([[1.0, -1.0, 1.0, -1.0]])
    >>> ember.audio.functional.add_noise(x, n, ember.tensor([20.0]))
    tensor([[1.1000, 0.9000, 1.1000, 0.9000]])
    """
    fn = "add_noise"
    for name, value in (("waveform", waveform), ("noise", noise), ("snr", snr)):
        _check_tensor(value, name, fn)
    if lengths is not None:
        _check_tensor(lengths, "lengths", fn)
    if not (waveform.ndim - 1 == noise.ndim - 1 == snr.ndim and (lengths is None or lengths.ndim == snr.ndim)):
        given = f"waveform {list(waveform.shape)}, noise {list(noise.shape)}, snr {list(snr.shape)}"
        if lengths is not None:
            given += f", lengths {list(lengths.shape)}"
        raise ValueError(f"add_noise(): input leading dimensions don't match: waveform and noise must be (..., L) "
                         f"and snr and lengths (...), got {given}")
    length = waveform.size(-1)
    if length != noise.size(-1):
        raise ValueError(f"add_noise(): length dimensions of waveform and noise don't match (got {length} and "
                         f"{noise.size(-1)})")
    masked_waveform, masked_noise = waveform, noise
    if lengths is not None:
        valid = ember.arange(0, length, device=lengths.device).expand(waveform.shape) < lengths.unsqueeze(-1)
        masked_waveform = waveform * valid
        masked_noise = noise * valid
    energy_signal = ember.linalg.vector_norm(masked_waveform, ord=2, dim=-1) ** 2
    energy_noise = ember.linalg.vector_norm(masked_noise, ord=2, dim=-1) ** 2
    original_snr_db = 10 * (ember.log10(energy_signal) - ember.log10(energy_noise))
    scale = 10 ** ((original_snr_db - snr) / 20.0)
    return waveform + scale.unsqueeze(-1) * noise


def preemphasis(waveform, coeff=0.97):
    """Pre-emphasis along the last dimension: ``y[i] = x[i] - coeff * x[i - 1]`` (``y[0] = x[0]``).

    >>> ember.audio.functional.preemphasis(ember.tensor([1.0, 1.0, 1.0]), 0.5)
    tensor([1.0000, 0.5000, 0.5000])
    """
    _check_signal("preemphasis", "waveform", waveform)
    if not waveform.is_floating_point():
        raise RuntimeError(f"preemphasis(): waveform must be a floating point tensor, got {waveform.dtype}")
    return ember.cat([waveform[..., :1], waveform[..., 1:] - coeff * waveform[..., :-1]], dim=-1)


def deemphasis(waveform, coeff=0.97):
    """De-emphasis, the inverse of ``preemphasis``: ``y[i] = x[i] + coeff * y[i - 1]``, clamped to [-1, 1].

    The clamp is torchaudio's (its ``lfilter`` clamps by default), so inputs are expected in [-1, 1].

    >>> ember.audio.functional.deemphasis(ember.tensor([0.5, 0.25, 0.25]), 0.5)
    tensor([0.5000, 0.5000, 0.5000])
    """
    _check_signal("deemphasis", "waveform", waveform)
    if not waveform.is_floating_point():
        raise TypeError(f"deemphasis(): waveform must be a floating point tensor, got {waveform.dtype}")
    return ember.clamp(_one_pole(waveform, coeff), min=-1, max=1)


# ----------------------------------------------------------------------------- mu-law

def mu_law_encoding(x, quantization_channels):
    """Mu-law companding of a signal in [-1, 1] to integers 0 .. quantization_channels - 1 (int64).

    >>> ember.audio.functional.mu_law_encoding(ember.tensor([-1.0, 0.0, 1.0]), 256)
    tensor([  0, 128, 255])
    """
    _check_tensor(x, "x", "mu_law_encoding")
    mu = quantization_channels - 1.0
    if not x.is_floating_point():
        warnings.warn("The input Tensor must be of floating type. This will be an error in the v0.12 release.",
                      stacklevel=2)
        x = x.to(ember.float)
    mu = ember.tensor(mu, dtype=x.dtype)
    x_mu = ember.sign(x) * ember.log1p(mu * ember.abs(x)) / ember.log1p(mu)
    return ((x_mu + 1) / 2 * mu + 0.5).to(ember.int64)


def mu_law_decoding(x_mu, quantization_channels):
    """The inverse of ``mu_law_encoding``: integers 0 .. quantization_channels - 1 back to a signal in [-1, 1].

    >>> ember.audio.functional.mu_law_decoding(ember.tensor([0, 255]), 256)
    tensor([-1.,  1.])
    """
    _check_tensor(x_mu, "x_mu", "mu_law_decoding")
    mu = quantization_channels - 1.0
    if not x_mu.is_floating_point():
        x_mu = x_mu.to(ember.float)
    mu = ember.tensor(mu, dtype=x_mu.dtype)
    x = (x_mu / mu) * 2 - 1.0
    return ember.sign(x) * (ember.exp(ember.abs(x) * ember.log1p(mu)) - 1.0) / mu
