"""torchaudio's transform modules that need no STFT, as ``ember.nn.Module`` subclasses.

Each takes torchaudio's constructor arguments (same order and defaults) and calls ``ember.audio.functional``;
constants (filter banks, resampling kernels) are buffers, so ``.to(dtype)`` and ``state_dict`` carry them.
Random transforms (masking, speed perturbation) draw from ember's generator, so ``ember.manual_seed`` repeats them;
like torchaudio's, they mask in eval mode too.
"""

import math

import ember
from ember import nn

from .. import functional as F
from ..functional.functional import (
    _apply_sinc_resample_kernel,
    _check_choice,
    _get_sinc_resample_kernel,
    _speed_rates,
)

__all__ = [
    "MelScale", "AmplitudeToDB", "Resample", "ComputeDeltas", "Fade", "FrequencyMasking", "TimeMasking",
    "SpecAugment", "Vol", "AddNoise", "Preemphasis", "Deemphasis", "Speed", "SpeedPerturbation", "MuLawEncoding",
    "MuLawDecoding",
]

_FADE_SHAPES = ("linear", "exponential", "logarithmic", "quarter_sine", "half_sine")
_GAIN_TYPES = ("amplitude", "power", "db")
_STYPES = ("power", "magnitude", "amplitude")


class MelScale(nn.Module):
    """Turn a linear-frequency spectrogram (..., n_stft, time) into a mel spectrogram (..., n_mels, time).

    The triangular filter bank (``functional.melscale_fbanks``) is the buffer ``fb``; ``f_max`` defaults to
    ``sample_rate // 2``.

    >>> ember.audio.transforms.MelScale(n_mels=40, sample_rate=16000, n_stft=201)(ember.rand(201, 10)).shape
    ember.Size([40, 10])
    """

    def __init__(self, n_mels=128, sample_rate=16000, f_min=0.0, f_max=None, n_stft=201, norm=None, mel_scale="htk"):
        super().__init__()
        self.n_mels = n_mels
        self.sample_rate = sample_rate
        self.f_max = f_max if f_max is not None else float(sample_rate // 2)
        self.f_min = f_min
        self.norm = norm
        self.mel_scale = mel_scale
        if f_min > self.f_max:
            raise ValueError(f"MelScale: require f_min <= f_max, got f_min={f_min} and f_max={self.f_max}")
        fb = F.melscale_fbanks(n_stft, self.f_min, self.f_max, self.n_mels, self.sample_rate, self.norm,
                               self.mel_scale)
        self.register_buffer("fb", fb)

    def forward(self, specgram):
        # (..., time, freq) @ (freq, n_mels) -> (..., time, n_mels) -> (..., n_mels, time)
        return ember.matmul(specgram.transpose(-1, -2), self.fb).transpose(-1, -2)


class AmplitudeToDB(nn.Module):
    """A power (``stype="power"``) or magnitude (``"magnitude"``) spectrogram in decibels, floored ``top_db`` below
    its maximum when ``top_db`` is given (see ``functional.amplitude_to_DB`` for how batches get their maxima).

    >>> ember.audio.transforms.AmplitudeToDB()(ember.tensor([[1.0, 10.0]]))
    tensor([[ 0., 10.]])
    """

    def __init__(self, stype="power", top_db=None):
        super().__init__()
        _check_choice("AmplitudeToDB", "stype", stype, _STYPES)
        if top_db is not None and top_db < 0:
            raise ValueError(f"AmplitudeToDB: top_db must be a positive value, got {top_db}")
        self.stype = stype
        self.top_db = top_db
        self.multiplier = 10.0 if stype == "power" else 20.0
        self.amin = 1e-10
        self.ref_value = 1.0
        self.db_multiplier = math.log10(max(self.amin, self.ref_value))

    def forward(self, x):
        return F.amplitude_to_DB(x, self.multiplier, self.amin, self.db_multiplier, self.top_db)


class Resample(nn.Module):
    """Band-limited resampling from ``orig_freq`` to ``new_freq`` with the windowed-sinc kernel built once.

    The kernel is computed in float64 and kept as float32 (the buffer ``kernel``) unless ``dtype`` says otherwise;
    convert the module (``.to(ember.float64)``) to resample float64 waveforms, as in torchaudio.

    >>> ember.audio.transforms.Resample(16000, 8000)(ember.zeros(1, 16000)).shape
    ember.Size([1, 8000])
    """

    def __init__(self, orig_freq=16000, new_freq=16000, resampling_method="sinc_interp_hann", lowpass_filter_width=6,
                 rolloff=0.99, beta=None, *, dtype=None):
        super().__init__()
        if orig_freq <= 0 or new_freq <= 0:
            raise ValueError(f"Resample: orig_freq and new_freq must be positive, got orig_freq={orig_freq}, "
                             f"new_freq={new_freq}")
        self.orig_freq = orig_freq
        self.new_freq = new_freq
        self.gcd = math.gcd(int(self.orig_freq), int(self.new_freq))
        self.resampling_method = resampling_method
        self.lowpass_filter_width = lowpass_filter_width
        self.rolloff = rolloff
        self.beta = beta
        if self.orig_freq != self.new_freq:
            kernel, self.width = _get_sinc_resample_kernel(self.orig_freq, self.new_freq, self.gcd,
                                                           self.lowpass_filter_width, self.rolloff,
                                                           self.resampling_method, beta, dtype=dtype)
            self.register_buffer("kernel", kernel)

    def forward(self, waveform):
        if self.orig_freq == self.new_freq:
            return waveform
        return _apply_sinc_resample_kernel(waveform, self.orig_freq, self.new_freq, self.gcd, self.kernel,
                                           self.width)


class ComputeDeltas(nn.Module):
    """Delta coefficients of a spectrogram (..., freq, time) along time (``functional.compute_deltas``).

    >>> ember.audio.transforms.ComputeDeltas()(ember.zeros(1, 40, 100)).shape
    ember.Size([1, 40, 100])
    """

    def __init__(self, win_length=5, mode="replicate"):
        super().__init__()
        self.win_length = win_length
        self.mode = mode

    def forward(self, specgram):
        return F.compute_deltas(specgram, win_length=self.win_length, mode=self.mode)


class Fade(nn.Module):
    """Fade a waveform (..., time) in over its first ``fade_in_len`` samples and out over its last ``fade_out_len``.

    ``fade_shape`` is ``"linear"``, ``"exponential"``, ``"logarithmic"``, ``"quarter_sine"`` or ``"half_sine"``.

    >>> ember.audio.transforms.Fade(fade_in_len=3)(ember.ones(4))
    tensor([0.0000, 0.5000, 1.0000, 1.0000])
    """

    def __init__(self, fade_in_len=0, fade_out_len=0, fade_shape="linear"):
        super().__init__()
        _check_choice("Fade", "fade_shape", fade_shape, _FADE_SHAPES)
        self.fade_in_len = fade_in_len
        self.fade_out_len = fade_out_len
        self.fade_shape = fade_shape

    def forward(self, waveform):
        length = waveform.size()[-1]
        for name in ("fade_in_len", "fade_out_len"):
            if getattr(self, name) > length:
                raise RuntimeError(f"Fade: {name} ({getattr(self, name)}) is longer than the waveform "
                                   f"({length} samples)")
        device = waveform.device
        return self._fade_in(length, device) * self._fade_out(length, device) * waveform

    def _fade_in(self, waveform_length, device):
        """The gain curve: the fade's rise from 0 to 1, then ones."""
        fade = ember.linspace(0, 1, self.fade_in_len, device=device)
        shape = self.fade_shape
        if shape == "exponential":
            fade = ember.pow(2, fade - 1) * fade
        elif shape == "logarithmic":
            fade = ember.log10(0.1 + fade) + 1
        elif shape == "quarter_sine":
            fade = ember.sin(fade * math.pi / 2)
        elif shape == "half_sine":
            fade = ember.sin(fade * math.pi - math.pi / 2) / 2 + 0.5
        ones = ember.ones(waveform_length - self.fade_in_len, device=device)
        return ember.cat((fade, ones)).clamp(0, 1)

    def _fade_out(self, waveform_length, device):
        """The gain curve: ones, then the fade's fall from 1 to 0."""
        fade = ember.linspace(0, 1, self.fade_out_len, device=device)
        shape = self.fade_shape
        if shape == "linear":
            fade = -fade + 1
        elif shape == "exponential":
            fade = ember.pow(2, -fade) * (1 - fade)
        elif shape == "logarithmic":
            fade = ember.log10(1.1 - fade) + 1
        elif shape == "quarter_sine":
            fade = ember.sin(fade * math.pi / 2 + math.pi / 2)
        else:
            fade = ember.sin(fade * math.pi + math.pi / 2) / 2 + 0.5
        ones = ember.ones(waveform_length - self.fade_out_len, device=device)
        return ember.cat((ones, fade)).clamp(0, 1)


class _AxisMasking(nn.Module):
    """SpecAugment masking along the frequency (``axis=1``) or time (``axis=2``) axis of a (..., freq, time) input.

    With ``iid_masks`` each example of a batch (inputs of 3 or more dimensions) gets its own mask.
    """

    def __init__(self, mask_param, axis, iid_masks, p=1.0):
        super().__init__()
        self.mask_param = mask_param
        self.axis = axis
        self.iid_masks = iid_masks
        self.p = p

    def forward(self, specgram, mask_value=0.0):
        axis = self.axis + specgram.dim() - 3        # the frequency or time axis, whatever the leading dimensions
        if self.iid_masks:
            return F.mask_along_axis_iid(specgram, self.mask_param, mask_value, axis, p=self.p)
        return F.mask_along_axis(specgram, self.mask_param, mask_value, axis, p=self.p)


class FrequencyMasking(_AxisMasking):
    """Mask a random band of up to ``freq_mask_param`` frequency bins of a spectrogram (SpecAugment).

    >>> ember.audio.transforms.FrequencyMasking(freq_mask_param=8)(ember.ones(1, 40, 10)).shape
    ember.Size([1, 40, 10])
    """

    def __init__(self, freq_mask_param, iid_masks=False):
        super().__init__(freq_mask_param, 1, iid_masks)


class TimeMasking(_AxisMasking):
    """Mask a random span of up to ``time_mask_param`` frames (at most the fraction ``p`` of them; SpecAugment).

    >>> ember.audio.transforms.TimeMasking(time_mask_param=5)(ember.ones(1, 40, 10)).shape
    ember.Size([1, 40, 10])
    """

    def __init__(self, time_mask_param, iid_masks=False, p=1.0):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"TimeMasking: p must be between 0.0 and 1.0, got {p}")
        super().__init__(time_mask_param, 2, iid_masks, p=p)


class SpecAugment(nn.Module):
    """``n_time_masks`` time masks then ``n_freq_masks`` frequency masks, filled with 0 (``zero_masking``) or with
    the spectrogram's mean; iid per example for inputs of 3 or more dimensions when ``iid_masks``.

    >>> ember.audio.transforms.SpecAugment(2, 5, 2, 8)(ember.ones(2, 40, 20)).shape
    ember.Size([2, 40, 20])
    """

    def __init__(self, n_time_masks, time_mask_param, n_freq_masks, freq_mask_param, iid_masks=True, p=1.0,
                 zero_masking=False):
        super().__init__()
        self.n_time_masks = n_time_masks
        self.time_mask_param = time_mask_param
        self.n_freq_masks = n_freq_masks
        self.freq_mask_param = freq_mask_param
        self.iid_masks = iid_masks
        self.p = p
        self.zero_masking = zero_masking

    def forward(self, specgram):
        mask_value = 0.0 if self.zero_masking else specgram.mean()
        time_dim = specgram.dim() - 1
        freq_dim = time_dim - 1
        mask = F.mask_along_axis_iid if specgram.dim() > 2 and self.iid_masks is True else F.mask_along_axis
        for _ in range(self.n_time_masks):
            specgram = mask(specgram, self.time_mask_param, mask_value, time_dim, p=self.p)
        for _ in range(self.n_freq_masks):
            specgram = mask(specgram, self.freq_mask_param, mask_value, freq_dim, p=self.p)
        return specgram


class Vol(nn.Module):
    """Scale a waveform's volume by ``gain`` (an amplitude ratio, a power ratio or decibels, per ``gain_type``),
    then clamp it to [-1, 1].

    >>> ember.audio.transforms.Vol(2.0)(ember.tensor([0.25, 0.75]))
    tensor([0.5000, 1.0000])
    """

    def __init__(self, gain, gain_type="amplitude"):
        super().__init__()
        _check_choice("Vol", "gain_type", gain_type, _GAIN_TYPES)
        if gain_type in ("amplitude", "power") and gain < 0:
            raise ValueError(f"Vol: with gain_type={gain_type!r}, gain must be positive, got {gain}")
        self.gain = gain
        self.gain_type = gain_type

    def forward(self, waveform):
        if self.gain_type == "amplitude":
            waveform = waveform * self.gain
        elif self.gain_type == "db":
            waveform = F.gain(waveform, self.gain)
        else:
            waveform = F.gain(waveform, 10 * math.log10(self.gain))
        return ember.clamp(waveform, -1, 1)


class AddNoise(nn.Module):
    """Add ``noise`` scaled to ``snr`` dB below ``waveform`` (``functional.add_noise``).

    >>> ember.audio.transforms.AddNoise()(ember.ones(1, 4), ember.ones(1, 4), ember.tensor([0.0]))
    tensor([[2., 2., 2., 2.]])
    """

    def forward(self, waveform, noise, snr, lengths=None):
        return F.add_noise(waveform, noise, snr, lengths)


class Preemphasis(nn.Module):
    """Pre-emphasis ``y[i] = x[i] - coeff * x[i - 1]`` along the last dimension.

    >>> ember.audio.transforms.Preemphasis(0.5)(ember.ones(3))
    tensor([1.0000, 0.5000, 0.5000])
    """

    def __init__(self, coeff=0.97):
        super().__init__()
        self.coeff = coeff

    def forward(self, waveform):
        return F.preemphasis(waveform, coeff=self.coeff)


class Deemphasis(nn.Module):
    """De-emphasis ``y[i] = x[i] + coeff * y[i - 1]`` along the last dimension, clamped to [-1, 1].

    >>> ember.audio.transforms.Deemphasis(0.5)(ember.tensor([0.5, 0.25, 0.25]))
    tensor([0.5000, 0.5000, 0.5000])
    """

    def __init__(self, coeff=0.97):
        super().__init__()
        self.coeff = coeff

    def forward(self, waveform):
        return F.deemphasis(waveform, coeff=self.coeff)


class Speed(nn.Module):
    """Make a waveform ``factor`` times faster by resampling (a cached ``Resample``); also rescales ``lengths``.

    >>> waveform, lengths = ember.audio.transforms.Speed(8000, 0.5)(ember.zeros(1, 800))
    >>> waveform.shape
    ember.Size([1, 1600])
    """

    def __init__(self, orig_freq, factor):
        super().__init__()
        self.orig_freq = orig_freq
        self.factor = factor
        self.source_sample_rate, self.target_sample_rate = _speed_rates(orig_freq, factor)
        self.resampler = Resample(orig_freq=self.source_sample_rate, new_freq=self.target_sample_rate)

    def forward(self, waveform, lengths=None):
        out_lengths = None
        if lengths is not None:
            out_lengths = ember.ceil(lengths * self.target_sample_rate / self.source_sample_rate).to(lengths.dtype)
        return self.resampler(waveform), out_lengths


class SpeedPerturbation(nn.Module):
    """Speed perturbation: each call picks one of ``factors`` uniformly at random (ember's generator) and applies it.

    >>> waveform, _ = ember.audio.transforms.SpeedPerturbation(8000, [1.0])(ember.zeros(1, 800))
    >>> waveform.shape
    ember.Size([1, 800])
    """

    def __init__(self, orig_freq, factors):
        super().__init__()
        self.speeders = nn.ModuleList([Speed(orig_freq=orig_freq, factor=factor) for factor in factors])

    def forward(self, waveform, lengths=None):
        index = int(ember.randint(len(self.speeders), ()))
        return self.speeders[index](waveform, lengths)


class MuLawEncoding(nn.Module):
    """Mu-law companding of a signal in [-1, 1] to integers 0 .. quantization_channels - 1.

    >>> ember.audio.transforms.MuLawEncoding(256)(ember.tensor([-1.0, 1.0]))
    tensor([  0, 255])
    """

    def __init__(self, quantization_channels=256):
        super().__init__()
        self.quantization_channels = quantization_channels

    def forward(self, x):
        return F.mu_law_encoding(x, self.quantization_channels)


class MuLawDecoding(nn.Module):
    """Mu-law expansion of integers 0 .. quantization_channels - 1 back to a signal in [-1, 1].

    >>> ember.audio.transforms.MuLawDecoding(256)(ember.tensor([0, 255]))
    tensor([-1.,  1.])
    """

    def __init__(self, quantization_channels=256):
        super().__init__()
        self.quantization_channels = quantization_channels

    def forward(self, x_mu):
        return F.mu_law_decoding(x_mu, self.quantization_channels)
