"""ember.audio's spectral functions and transforms (Spectrogram, InverseSpectrogram, GriffinLim, MelSpectrogram, MFCC,
LFCC, TimeStretch, PitchShift, SpectralCentroid): values and gradients against torch.stft-based references, mel
filter banks and DCTs against NumPy/SciPy written from the formulas, reconstruction of real spoken digits, errors."""

import doctest
import math
import warnings

import numpy as np
import pytest
import scipy.fft
from helpers import check_grad, noncontiguous, parity, randn, same_error, torch

import ember
import ember.audio as audio
import ember.audio.functional as AF
import ember.audio.transforms as T
from ember.audio.functional import spectral as spectral_functions
from ember.audio.transforms import _spectral as spectral_transforms


def tensor(array):
    return ember.from_numpy(np.ascontiguousarray(array))


def hann(n, dtype=np.float64):
    """The periodic Hann window (torch.hann_window's default) from its formula."""
    return (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)).astype(dtype)


# ----------------------------------------------------------------------------- references

def torch_spectrogram(x, window, pad, n_fft, hop, win, power, normalized, center=True, pad_mode="reflect",
                      onesided=True):
    """torchaudio's spectrogram, written with torch.stft: pad, pack the batch, stft, normalise, magnitude ** power."""
    if pad > 0:
        x = torch.nn.functional.pad(x, (pad, pad))
    shape = x.shape
    spec = torch.stft(x.reshape(-1, shape[-1]), n_fft, hop, win, window, center, pad_mode,
                      normalized == "frame_length", onesided, return_complex=True)
    spec = spec.reshape(shape[:-1] + spec.shape[-2:])
    if normalized is True or normalized == "window":
        spec = spec / window.pow(2).sum().sqrt()
    return spec if power is None else spec.abs().pow(power)


def torch_inverse(spec, window, length, pad, n_fft, hop, win, normalized, center=True, onesided=True):
    """torchaudio's inverse_spectrogram, written with torch.istft."""
    if normalized is True or normalized == "window":
        spec = spec * window.pow(2).sum().sqrt()
    shape = spec.shape
    wave = torch.istft(spec.reshape(-1, shape[-2], shape[-1]), n_fft, hop, win, window, center,
                       normalized == "frame_length", onesided, length + 2 * pad if length is not None else None)
    if length is not None and pad > 0:
        wave = wave[:, pad:-pad]
    return wave.reshape(shape[:-2] + wave.shape[-1:])


def torch_griffinlim(specgram, window, n_fft, hop, win, power, n_iter, momentum, length):
    """Fast Griffin-Lim from zero phases with torch.stft/istft (the algorithm of Perraudin et al.)."""
    beta = momentum / (1 + momentum)
    shape = specgram.shape
    magnitude = specgram.reshape((-1,) + tuple(shape[-2:])).pow(1 / power)
    angles = torch.ones(magnitude.shape, dtype=torch.complex128)
    previous = None
    for _ in range(n_iter):
        wave = torch.istft(magnitude * angles, n_fft, hop, win, window, length=length)
        rebuilt = torch.stft(wave, n_fft, hop, win, window, return_complex=True)
        angles = rebuilt if previous is None else rebuilt - beta * previous
        angles = angles / (angles.abs() + 1e-16)
        previous = rebuilt
    wave = torch.istft(magnitude * angles, n_fft, hop, win, window, length=length)
    return wave.reshape(shape[:-2] + wave.shape[-1:])


def torch_phase_vocoder(spec, rate, advance):
    """The phase vocoder written with torch ops: interpolated magnitudes, accumulated phase advances."""
    steps = torch.arange(0, spec.shape[-1], rate, dtype=torch.float64)
    alphas = steps % 1.0
    padded = torch.nn.functional.pad(spec, [0, 2])
    left, right = padded[..., steps.long()], padded[..., steps.long() + 1]
    deviation = right.angle() - left.angle() - advance
    deviation = deviation - 2 * math.pi * torch.round(deviation / (2 * math.pi))
    phase = torch.cat([spec[..., :1].angle(), (deviation + advance)[..., :-1]], dim=-1).cumsum(-1)
    return torch.polar(alphas * right.abs() + (1 - alphas) * left.abs(), phase)


def numpy_power_spectrogram(x, n_fft, hop):
    """|rfft|^2 of Hann-windowed frames of a reflect-padded 1-D signal: (n_fft // 2 + 1, frames)."""
    padded = np.pad(x, n_fft // 2, mode="reflect")
    count = 1 + (len(padded) - n_fft) // hop
    frames = np.stack([padded[i * hop:i * hop + n_fft] for i in range(count)])
    return (np.abs(np.fft.rfft(frames * hann(n_fft), axis=-1)) ** 2).T


def htk_mel_bank(n_freqs, f_min, f_max, n_mels, sample_rate):
    """The HTK mel filter bank from its formulas: triangles between mel-spaced edges, (n_freqs, n_mels)."""
    def to_mel(f):
        return 2595.0 * np.log10(1.0 + np.asarray(f) / 700.0)
    edges = 700.0 * (10.0 ** (np.linspace(to_mel(f_min), to_mel(f_max), n_mels + 2) / 2595.0) - 1.0)
    freqs = np.linspace(0, sample_rate // 2, n_freqs)[:, None]
    rising = (freqs - edges[:-2]) / (edges[1:-1] - edges[:-2])
    falling = (edges[2:] - freqs) / (edges[2:] - edges[1:-1])
    return np.clip(np.minimum(rising, falling), 0.0, None)


def linear_bank(n_freqs, f_min, f_max, n_filter, sample_rate):
    edges = np.linspace(f_min, f_max, n_filter + 2)
    freqs = np.linspace(0, sample_rate // 2, n_freqs)[:, None]
    rising = (freqs - edges[:-2]) / (edges[1:-1] - edges[:-2])
    falling = (edges[2:] - freqs) / (edges[2:] - edges[1:-1])
    return np.clip(np.minimum(rising, falling), 0.0, None)


def numpy_cepstrum(bank_spectrogram, n_coefficients, log):
    """dB (floored 80 dB below the maximum) or log(x + 1e-6), then the orthonormal DCT-II over filters."""
    if log:
        values = np.log(bank_spectrogram + 1e-6)
    else:
        values = 10 * np.log10(np.maximum(bank_spectrogram, 1e-10))
        values = np.maximum(values, values.max() - 80.0)
    return scipy.fft.dct(values, type=2, norm="ortho", axis=0)[:n_coefficients]


def spectral_convergence(target, rebuilt):
    return float((target - rebuilt).norm() / target.norm())


# ----------------------------------------------------------------------------- spectrogram

def spectrogram_of(m, x, window, *args, **kwargs):
    """ember's spectrogram, or (m = torch) the torch.stft reference."""
    if m is ember:
        return AF.spectrogram(x, args[0], window, *args[1:], **kwargs)
    return torch_spectrogram(x, window, *args, **kwargs)


@pytest.mark.parametrize("power", [None, 1.0, 2.0, 0.5])
@pytest.mark.parametrize("normalized", [False, True, "window", "frame_length"])
def test_spectrogram_matches_torch_stft(power, normalized):
    x, window = randn(2, 3, 120), hann(32)
    parity(lambda m, x, w: spectrogram_of(m, x, w, 0, 32, 8, 32, power, normalized), x, window, rtol=1e-9,
           atol=1e-9)


@pytest.mark.parametrize("pad, center, pad_mode, onesided", [(4, True, "reflect", True), (0, False, "reflect", True),
                                                              (3, True, "constant", False),
                                                              (0, True, "replicate", True)])
def test_spectrogram_padding_centering_and_sides(pad, center, pad_mode, onesided):
    x, window = randn(3, 100), hann(24)
    parity(lambda m, x, w: spectrogram_of(m, x, w, pad, 32, 10, 24, 2.0, False, center, pad_mode, onesided), x,
           window, rtol=1e-9, atol=1e-9)


def test_spectrogram_layouts_and_float32():
    x = randn(80)
    parity(lambda m, x: spectrogram_of(m, x, m.hann_window(16, dtype=m.float64), 0, 16, 4, 16, None, False), x)
    parity(lambda m, x: spectrogram_of(m, x, m.hann_window(16, dtype=m.float64), 0, 16, 4, 16, 2.0, True),
           noncontiguous(randn(2, 80)))
    parity(lambda m, x: spectrogram_of(m, x, m.hann_window(20), 2, 20, 5, 20, 2.0, False),
           randn(2, 100, dtype=np.float32), rtol=1e-4, atol=1e-4)
    same_error(lambda m, x: spectrogram_of(m, x, m.hann_window(16), 0, 16, 4, 16, 2.0, False),
               np.zeros((0, 64), np.float32))         # reflect padding refuses an empty batch, in both


def test_spectrogram_transform_defaults_and_buffers():
    spec = T.Spectrogram()
    assert (spec.n_fft, spec.win_length, spec.hop_length, spec.pad, spec.power, spec.normalized, spec.center,
            spec.pad_mode, spec.onesided) == (400, 400, 200, 0, 2.0, False, True, "reflect", True)
    assert list(spec.state_dict()) == ["window"]
    np.testing.assert_allclose(spec.window.numpy(), hann(400), atol=1e-6)      # computed in float32
    custom = T.Spectrogram(n_fft=64, win_length=48, window_fn=ember.kaiser_window, wkwargs={"beta": 8.0})
    assert custom.hop_length == 24
    np.testing.assert_allclose(custom.window.numpy(), torch.kaiser_window(48, True, 8.0).numpy(), atol=1e-6)
    x = randn(2, 300)
    custom.double()
    expected = torch_spectrogram(torch.from_numpy(x), torch.from_numpy(custom.window.numpy()), 0, 64, 24, 48, 2.0,
                                 False)
    np.testing.assert_allclose(custom(tensor(x)).numpy(), expected.numpy(), rtol=1e-9, atol=1e-9)


def test_spectrogram_finite_differences():
    window = hann(8)
    check_grad(lambda x, w: AF.spectrogram(x, 1, w, 8, 2, 8, 2.0, True), randn(2, 20), window)
    check_grad(lambda x: ember.view_as_real(AF.spectrogram(x, 0, tensor(window), 8, 3, 8, None, "frame_length")),
               randn(17))


# ----------------------------------------------------------------------------- inverse spectrogram

def inverse_of(m, spec, window, *args, **kwargs):
    if m is ember:
        return AF.inverse_spectrogram(spec, args[0], args[1], window, *args[2:], **kwargs)
    return torch_inverse(spec, window, *args, **kwargs)


@pytest.mark.parametrize("length, pad, normalized", [(None, 0, False), (120, 0, True), (120, 3, "frame_length"),
                                                     (100, 2, "window")])
def test_inverse_spectrogram_matches_torch_istft(length, pad, normalized):
    spec = AF.spectrogram(tensor(randn(2, 120)), 0, tensor(hann(32)), 32, 8, 32, None, False).numpy()
    parity(lambda m, s, w: inverse_of(m, s, w, length, pad, 32, 8, 32, normalized), spec, hann(32), rtol=1e-9,
           atol=1e-9)


@pytest.mark.parametrize("pad, normalized, center", [(0, False, True), (5, True, True), (2, "frame_length", True),
                                                     (0, "window", False)])
def test_inverse_spectrogram_round_trip(pad, normalized, center):
    x = randn(2, 3, 400)
    window_fn = ember.hann_window if center else ember.hamming_window    # uncentred: the window must not vanish
    kwargs = dict(n_fft=64, hop_length=16, pad=pad, normalized=normalized, center=center, window_fn=window_fn)
    forward = T.Spectrogram(power=None, **kwargs).double()
    inverse = T.InverseSpectrogram(**kwargs).double()
    spec = forward(tensor(x))
    assert spec.dtype == ember.complex128 and tuple(spec.shape[:3]) == (2, 3, 33)
    rebuilt = inverse(spec, 400)
    assert tuple(rebuilt.shape) == (2, 3, 400)
    if center:
        np.testing.assert_allclose(rebuilt.numpy(), x, atol=1e-10)
    else:       # without centring, the last partial hop is not covered by any frame
        covered = 64 + 16 * ((400 - 64) // 16)
        np.testing.assert_allclose(rebuilt.numpy()[..., :covered], x[..., :covered], atol=1e-10)
        assert not rebuilt.numpy()[..., covered:].any()


def test_inverse_spectrogram_defaults_and_gradients():
    inverse = T.InverseSpectrogram()
    assert (inverse.n_fft, inverse.win_length, inverse.hop_length, inverse.pad, inverse.normalized,
            inverse.center, inverse.pad_mode, inverse.onesided) == (400, 400, 200, 0, False, True, "reflect", True)
    assert list(inverse.state_dict()) == ["window"]
    window = tensor(hann(8))
    check_grad(lambda re, im: AF.inverse_spectrogram(ember.complex(re, im), 12, 1, window, 8, 2, 8, True),
               randn(2, 5, 8), randn(2, 5, 8))


# ----------------------------------------------------------------------------- Griffin-Lim

def griffinlim_of(m, specgram, window, *args):
    if m is ember:
        return AF.griffinlim(specgram, window, *args[:5], args[5], args[6], False)
    return torch_griffinlim(specgram, window, *args)


@pytest.mark.parametrize("power, momentum, length", [(2.0, 0.99, None), (1.0, 0.0, 108), (1.5, 0.5, 111)])
def test_griffinlim_from_zero_phase_matches_torch_reference(power, momentum, length):
    magnitude = np.abs(randn(2, 17, 14)) ** power
    parity(lambda m, s, w: griffinlim_of(m, s, w, 32, 8, 32, power, 4, momentum, length), magnitude, hann(32),
           rtol=1e-7, atol=1e-9)


def test_griffinlim_recovers_a_spoken_digit(digit_wavs):
    waveform, sample_rate = audio.load(digit_wavs[7])
    assert sample_rate == 8000
    spec = T.Spectrogram(n_fft=256, hop_length=64, power=1.0)
    target = spec(waveform)
    results = {}
    for n_iter, momentum in [(0, 0.99), (32, 0.0), (32, 0.99)]:
        ember.manual_seed(0)
        rebuild = T.GriffinLim(n_fft=256, hop_length=64, power=1.0, n_iter=n_iter, momentum=momentum,
                               length=waveform.shape[-1])
        rebuilt = rebuild(target)
        assert tuple(rebuilt.shape) == tuple(waveform.shape) and rebuilt.dtype == ember.float32
        results[n_iter, momentum] = spectral_convergence(target, spec(rebuilt))
    assert results[0, 0.99] > 0.5                       # random phases: far off
    assert results[32, 0.99] < 0.1                      # fast Griffin-Lim: within 10% (about 5%)
    assert results[32, 0.99] < results[32, 0.0]         # momentum speeds it up


def test_griffinlim_defaults_batches_and_gradients():
    rebuild = T.GriffinLim()
    assert (rebuild.n_fft, rebuild.n_iter, rebuild.win_length, rebuild.hop_length, rebuild.power, rebuild.momentum,
            rebuild.length, rebuild.rand_init) == (400, 32, 400, 200, 2.0, 0.99, None, True)
    assert list(rebuild.state_dict()) == ["window"]
    magnitude = tensor(np.abs(randn(2, 3, 9, 6)))
    small = T.GriffinLim(n_fft=16, n_iter=3, hop_length=4, power=1.0, rand_init=False).double()
    batched = small(magnitude)
    assert tuple(batched.shape) == (2, 3, 20)
    np.testing.assert_allclose(batched[1, 2].numpy(), small(magnitude[1, 2]).numpy(), atol=1e-12)
    ember.manual_seed(3)
    first = T.GriffinLim(n_fft=16, n_iter=2, hop_length=4)(magnitude.float())
    ember.manual_seed(3)
    np.testing.assert_array_equal(first.numpy(), T.GriffinLim(n_fft=16, n_iter=2, hop_length=4)(magnitude.float())
                                  .numpy())
    window = tensor(hann(8))
    check_grad(lambda s: AF.griffinlim(s, window, 8, 2, 8, 2.0, 2, 0.9, None, False), np.abs(randn(5, 6)) + 0.5)


# ----------------------------------------------------------------------------- mel spectrogram, MFCC, LFCC

def test_melspectrogram_against_numpy_reference():
    x = randn(2, 1000)
    mel = T.MelSpectrogram(sample_rate=8000, n_fft=256, hop_length=80, n_mels=40, f_min=20.0, f_max=3800.0).double()
    out = mel(tensor(x))
    bank = htk_mel_bank(129, 20.0, 3800.0, 40, 8000)
    for signal, result in zip(x, out.numpy()):
        np.testing.assert_allclose(result, bank.T @ numpy_power_spectrogram(signal, 256, 80), rtol=3e-5, atol=1e-9)


def test_melspectrogram_defaults_structure_and_options():
    with pytest.warns(UserWarning, match="all zero values"):       # 128 HTK mels over 201 bins: as torchaudio
        mel = T.MelSpectrogram()
    assert (mel.sample_rate, mel.n_fft, mel.win_length, mel.hop_length, mel.f_min, mel.f_max, mel.pad, mel.n_mels,
            mel.power, mel.normalized) == (16000, 400, 400, 200, 0.0, None, 0, 128, 2.0, False)
    assert isinstance(mel.spectrogram, T.Spectrogram) and isinstance(mel.mel_scale, T.MelScale)
    assert list(mel.state_dict()) == ["spectrogram.window", "mel_scale.fb"]
    assert mel.mel_scale.f_max == 8000.0 and mel.spectrogram.onesided is True
    slaney = T.MelSpectrogram(8000, n_fft=128, n_mels=20, norm="slaney", mel_scale="slaney", power=1.0,
                              normalized=True, pad=3)
    x = tensor(randn(300, dtype=np.float32))
    expected = slaney.mel_scale(T.Spectrogram(n_fft=128, power=1.0, normalized=True, pad=3)(x))
    np.testing.assert_allclose(slaney(x).numpy(), expected.numpy(), rtol=1e-6)
    with pytest.warns(UserWarning, match="onesided"):
        T.MelSpectrogram(8000, n_fft=128, n_mels=20, onesided=True)


@pytest.mark.parametrize("log_mels", [False, True])
def test_mfcc_against_numpy_reference(digit_wavs, log_mels):
    waveform, sample_rate = audio.load(digit_wavs[3])
    mfcc = T.MFCC(sample_rate, n_mfcc=13, log_mels=log_mels,
                  melkwargs={"n_fft": 256, "hop_length": 80, "n_mels": 40}).double()
    out = mfcc(waveform.double())
    mels = htk_mel_bank(129, 0.0, 4000.0, 40, 8000).T @ numpy_power_spectrogram(waveform.double().numpy()[0], 256,
                                                                                 80)
    assert tuple(out.shape) == (1, 13, mels.shape[1])
    np.testing.assert_allclose(out.numpy()[0], numpy_cepstrum(mels, 13, log_mels), rtol=1e-5, atol=1e-3)


def test_mfcc_defaults_and_gradients():
    with pytest.warns(UserWarning, match="all zero values"):
        mfcc = T.MFCC()
    assert (mfcc.sample_rate, mfcc.n_mfcc, mfcc.dct_type, mfcc.norm, mfcc.log_mels, mfcc.top_db) == \
        (16000, 40, 2, "ortho", False, 80.0)
    assert mfcc.MelSpectrogram.n_mels == 128 and mfcc.amplitude_to_DB.top_db == 80.0
    assert list(mfcc.state_dict()) == ["dct_mat", "MelSpectrogram.spectrogram.window",
                                       "MelSpectrogram.mel_scale.fb"]
    np.testing.assert_allclose(mfcc.dct_mat.numpy(), scipy.fft.dct(np.eye(128), type=2, norm="ortho", axis=1)[:, :40],
                               atol=1e-5)
    small = T.MFCC(800, n_mfcc=3, melkwargs={"n_fft": 16, "hop_length": 4, "n_mels": 5}).double()
    check_grad(small, randn(2, 24), second_order=False)
    logs = T.MFCC(800, n_mfcc=3, log_mels=True, melkwargs={"n_fft": 16, "hop_length": 4, "n_mels": 5}).double()
    check_grad(logs, randn(24))


@pytest.mark.parametrize("log_lf", [False, True])
def test_lfcc_against_numpy_reference(log_lf):
    x = randn(900)
    lfcc = T.LFCC(8000, n_filter=30, f_min=50.0, n_lfcc=12, log_lf=log_lf,
                  speckwargs={"n_fft": 128, "hop_length": 40}).double()
    assert lfcc.f_max == 4000.0 and list(lfcc.state_dict()) == ["filter_mat", "dct_mat", "Spectrogram.window"]
    bank = linear_bank(65, 50.0, 4000.0, 30, 8000)
    expected = numpy_cepstrum(bank.T @ numpy_power_spectrogram(x, 128, 40), 12, log_lf)
    np.testing.assert_allclose(lfcc(tensor(x)).numpy(), expected, rtol=1e-5, atol=1e-4)
    default = T.LFCC()
    assert (default.n_filter, default.n_lfcc, default.f_min, default.f_max, default.Spectrogram.n_fft) == \
        (128, 40, 0.0, 8000.0, 400)
    small = T.LFCC(800, n_filter=6, n_lfcc=4, log_lf=log_lf, speckwargs={"n_fft": 16, "hop_length": 4}).double()
    check_grad(small, randn(20), second_order=log_lf)


def test_features_of_a_batch_match_each_example():
    x = tensor(randn(3, 2, 500, dtype=np.float32))
    mfcc = T.MFCC(8000, n_mfcc=10, melkwargs={"n_fft": 128, "n_mels": 20})
    batched = mfcc(x)
    assert tuple(batched.shape) == (3, 2, 10, 8)
    np.testing.assert_allclose(batched[2, 1].numpy(), mfcc(x[2, 1]).numpy(), rtol=1e-4, atol=1e-3)


# ----------------------------------------------------------------------------- phase vocoder, pitch, centroid

def vocoder_of(m, real, imag, rate, advance):
    spec = m.complex(real, imag)
    if m is ember:
        return AF.phase_vocoder(spec, rate, advance)
    return torch_phase_vocoder(spec, rate, advance)


@pytest.mark.parametrize("rate", [0.7, 1.3, 2.0])
def test_phase_vocoder_matches_torch_reference(rate):
    advance = np.linspace(0, math.pi * 8, 9)[:, None]
    real, imag = randn(2, 9, 11), randn(2, 9, 11)
    out = parity(lambda m, re, im: vocoder_of(m, re, im, rate, m.from_numpy(advance)), real, imag, rtol=1e-9,
                 atol=1e-9)
    assert out.shape[-1] == math.ceil(11 / rate)
    spec = ember.complex(tensor(real), tensor(imag))
    assert AF.phase_vocoder(spec, 1.0, tensor(advance)) is spec
    check_grad(lambda re, im: ember.view_as_real(AF.phase_vocoder(ember.complex(re, im), rate, tensor(advance))),
               real[0], imag[0], second_order=False)


def dominant_frequency(signal, sample_rate):
    spectrum = np.abs(np.fft.rfft(signal * np.hanning(len(signal))))
    return np.argmax(spectrum) * sample_rate / len(signal)


def test_time_stretch_keeps_pitch_and_changes_duration():
    sample_rate = 8000
    tone = ember.sin(ember.arange(8000, dtype=ember.float64) * (2 * math.pi * 440 / sample_rate))
    window = ember.hann_window(256, dtype=ember.float64)
    spec = ember.stft(tone, 256, 64, window=window, return_complex=True)
    stretch = T.TimeStretch(hop_length=64, n_freq=129)
    assert list(stretch.state_dict()) == ["phase_advance"]
    for rate in (0.8, 1.25):
        stretched = stretch(spec, rate)
        assert stretched.shape[-1] == math.ceil(spec.shape[-1] / rate)
        wave = ember.istft(stretched, 256, 64, window=window).numpy()
        assert abs(dominant_frequency(wave[500:-500], sample_rate) - 440) < 3
    assert T.TimeStretch(fixed_rate=2.0)(ember.ones(201, 10, dtype=ember.complex64)).shape[-1] == 5
    with pytest.raises(ValueError, match="fixed_rate"):
        stretch(spec)
    with pytest.warns(UserWarning, match="complex"):
        T.TimeStretch(n_freq=5, fixed_rate=2.0)(ember.ones(5, 4))


@pytest.mark.parametrize("n_steps", [1, 12, -12])
def test_pitch_shift_moves_a_tone(n_steps):
    sample_rate = 8000
    tone = ember.sin(ember.arange(8000) * (2 * math.pi * 440 / sample_rate)).reshape(1, 8000)
    shifted = AF.pitch_shift(tone, sample_rate, n_steps)
    assert tuple(shifted.shape) == (1, 8000) and shifted.dtype == ember.float32
    found = dominant_frequency(shifted.numpy()[0, 1000:7000], sample_rate)
    assert abs(found - 440 * 2 ** (n_steps / 12)) < 3
    module = T.PitchShift(sample_rate, n_steps)
    np.testing.assert_allclose(module(tone).numpy(), shifted.numpy(), atol=1e-5)
    assert module(tone.double()).dtype == ember.float64 and module.kernel.dtype == ember.float64


def test_pitch_shift_gradients_and_defaults():
    module = T.PitchShift(8000, 12)
    assert (module.bins_per_octave, module.n_fft, module.win_length, module.hop_length, module.orig_freq) == \
        (12, 512, 512, 128, 16000)
    x = ember.randn(2, 600, requires_grad=True)
    module(x).pow(2).sum().backward()
    assert tuple(x.grad.shape) == (2, 600) and bool(ember.isfinite(x.grad).all())
    unchanged = T.PitchShift(8000, 0)
    assert not hasattr(unchanged, "kernel")
    np.testing.assert_allclose(unchanged(x).detach().numpy(), x.detach().numpy(), atol=1e-5)


def test_spectral_centroid_of_tones():
    sample_rate = 8000
    times = np.arange(4000) / sample_rate
    tones = np.stack([np.sin(2 * np.pi * f * times) for f in (500.0, 1500.0)])
    centroid = T.SpectralCentroid(sample_rate, n_fft=256).double()
    out = centroid(tensor(tones)).numpy()
    assert out.shape == (2, 4000 // 128 + 1)
    np.testing.assert_allclose(out[:, 3:-3].mean(axis=1), [500.0, 1500.0], rtol=0.02)
    check_grad(lambda x: AF.spectral_centroid(x, 800, 0, tensor(hann(16)), 16, 4, 16), randn(30),
               second_order=False)


# ----------------------------------------------------------------------------- errors and warnings

def test_bad_arguments():
    x, window = ember.randn(2, 100), ember.hann_window(32)
    with pytest.raises(ValueError, match="normalized"):
        AF.spectrogram(x, 0, window, 32, 8, 32, 2.0, "frames")
    with pytest.raises(TypeError, match="normalized"):
        AF.spectrogram(x, 0, window, 32, 8, 32, 2.0, 1)
    with pytest.raises(ValueError, match="power"):
        AF.spectrogram(x, 0, window, 32, 8, 32, 0.0, False)
    with pytest.raises(TypeError, match="waveform"):
        AF.spectrogram(x.numpy(), 0, window, 32, 8, 32, 2.0, False)
    with pytest.raises(ValueError, match="complex"):
        AF.inverse_spectrogram(ember.ones(2, 17, 5), None, 0, window, 32, 8, 32, False)
    with pytest.raises(ValueError, match="momentum"):
        AF.griffinlim(ember.ones(17, 5), window, 32, 8, 32, 2.0, 4, 1.0, None, True)
    with pytest.raises(ValueError, match="momentum"):
        T.GriffinLim(momentum=-0.1)
    with pytest.raises(ValueError, match="power"):
        AF.griffinlim(ember.ones(17, 5), window, 32, 8, 32, 0.0, 4, 0.5, None, True)
    with pytest.raises(ValueError, match="n_iter"):
        AF.griffinlim(ember.ones(17, 5), window, 32, 8, 32, 2.0, -1, 0.5, None, True)
    with pytest.raises(ValueError, match="rate"):
        AF.phase_vocoder(ember.ones(5, 4, dtype=ember.complex64), 0.0, ember.zeros(5, 1))
    with pytest.raises(ValueError, match="MFCC coefficients"):
        T.MFCC(8000, n_mfcc=30, melkwargs={"n_mels": 20, "n_fft": 128})
    with pytest.raises(ValueError, match="DCT type"):
        T.MFCC(dct_type=3)
    with pytest.raises(ValueError, match="LFCC coefficients"):
        T.LFCC(n_lfcc=80, speckwargs={"n_fft": 64})
    with pytest.raises(ValueError, match="f_min"):
        T.MelSpectrogram(8000, f_min=5000.0, n_mels=10)


def test_stft_errors_are_torchs():
    window = hann(32)
    same_error(lambda m, x, w: spectrogram_of(m, x, w, 0, 32, 8, 32, 2.0, False, False), randn(2, 20), window)
    same_error(lambda m, x, w: spectrogram_of(m, x, w, 0, 32, 0, 32, 2.0, False), randn(2, 100), window)
    same_error(lambda m, x, w: spectrogram_of(m, x, w, 0, 32, 8, 32, 2.0, False), randn(100), hann(16))


def test_deprecated_return_complex_warns_and_is_ignored():
    x, window = ember.randn(100), ember.hann_window(32)
    with pytest.warns(UserWarning, match="return_complex"):
        out = AF.spectrogram(x, 0, window, 32, 8, 32, 2.0, False, return_complex=True)
    assert out.dtype == ember.float32
    with pytest.warns(UserWarning, match="return_complex"):
        T.Spectrogram(return_complex=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        T.Spectrogram(n_fft=64)(x)


def test_docstring_examples():
    for module in (spectral_functions, spectral_transforms):
        result = doctest.testmod(module, globs={"ember": ember})
        assert result.attempted >= 10 and result.failed == 0
    assert set(spectral_functions.__all__) <= set(AF.__all__) and set(spectral_transforms.__all__) <= set(T.__all__)
