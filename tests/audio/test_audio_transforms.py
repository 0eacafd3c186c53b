"""ember.audio.transforms: torchaudio's constructor arguments and defaults, results against NumPy references and
the functional forms, buffers (state_dict, dtype conversion), seeded randomness, gradients, errors, real digits."""

import doctest
import math

import numpy as np
import pytest
import scipy.fft
from helpers import check_grad, noncontiguous, positive, randn

import ember
import ember.audio.functional as AF
import ember.audio.transforms as T
from ember.audio.transforms import _transforms


def tensor(array):
    return ember.from_numpy(np.ascontiguousarray(array))


def htk_mel_bank(n_freqs, f_min, f_max, n_mels, sample_rate):
    """The HTK mel filter bank from its formulas (float64)."""
    def to_mel(f):
        return 2595.0 * np.log10(1.0 + np.asarray(f) / 700.0)
    edges = 700.0 * (10.0 ** (np.linspace(to_mel(f_min), to_mel(f_max), n_mels + 2) / 2595.0) - 1.0)
    freqs = np.linspace(0, sample_rate // 2, n_freqs)[:, None]
    rising = (freqs - edges[:-2]) / (edges[1:-1] - edges[:-2])
    falling = (edges[2:] - freqs) / (edges[2:] - edges[1:-1])
    return np.clip(np.minimum(rising, falling), 0.0, None)


# ----------------------------------------------------------------------------- MelScale

def test_melscale_defaults_and_result():
    with pytest.warns(UserWarning, match="all zero values"):       # 128 HTK mels over 201 bins: as torchaudio
        scale = T.MelScale()
    assert (scale.n_mels, scale.sample_rate, scale.f_min, scale.f_max, scale.norm, scale.mel_scale) == \
        (128, 16000, 0.0, 8000.0, None, "htk")
    assert tuple(scale.fb.shape) == (201, 128) and list(scale.state_dict()) == ["fb"]
    spec = positive(2, 201, 6)
    out = scale(tensor(spec.astype(np.float32)))
    expected = np.einsum("bft,fm->bmt", spec, htk_mel_bank(201, 0.0, 8000.0, 128, 16000))
    assert out.dtype == ember.float32 and tuple(out.shape) == (2, 128, 6)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-4, atol=1e-4)


def test_melscale_arguments_layouts_and_gradients():
    scale = T.MelScale(n_mels=23, sample_rate=8000, f_min=100.0, f_max=3800.0, n_stft=129, norm="slaney",
                       mel_scale="slaney")
    np.testing.assert_array_equal(scale.fb.numpy(), AF.melscale_fbanks(129, 100.0, 3800.0, 23, 8000, "slaney",
                                                                       "slaney").numpy())
    spec = randn(3, 129, 5)
    out = scale.double()(tensor(noncontiguous(spec)))
    np.testing.assert_allclose(out.numpy(), np.einsum("bft,fm->bmt", spec, scale.fb.numpy()), rtol=1e-10)
    assert tuple(scale(ember.zeros(129, 7, dtype=ember.float64)).shape) == (23, 7)
    small = T.MelScale(n_mels=4, sample_rate=800, n_stft=9).double()
    check_grad(small, randn(2, 9, 3))
    with pytest.raises(ValueError, match="f_min <= f_max"):
        T.MelScale(f_min=9000.0)


# ----------------------------------------------------------------------------- AmplitudeToDB

@pytest.mark.parametrize("stype, multiplier", [("power", 10.0), ("magnitude", 20.0), ("amplitude", 20.0)])
def test_amplitude_to_db_stypes(stype, multiplier):
    x = positive(2, 3, 4, 5) ** 6
    out = T.AmplitudeToDB(stype=stype, top_db=30.0)(tensor(x))
    db = multiplier * np.log10(x)
    floors = db.max(axis=(1, 2, 3)) - 30.0
    np.testing.assert_allclose(out.numpy(), np.maximum(db, floors[:, None, None, None]), rtol=1e-12)
    plain = T.AmplitudeToDB(stype=stype)
    assert plain.top_db is None and plain.amin == 1e-10 and plain.db_multiplier == 0.0
    np.testing.assert_allclose(plain(tensor(x)).numpy(), db, rtol=1e-12)


def test_amplitude_to_db_gradients_and_errors():
    check_grad(T.AmplitudeToDB(top_db=10.0), positive(2, 3, 4))
    with pytest.raises(ValueError, match="top_db"):
        T.AmplitudeToDB(top_db=-1.0)
    with pytest.raises(ValueError, match="stype"):
        T.AmplitudeToDB(stype="decibel")


# ----------------------------------------------------------------------------- Resample

def test_resample_caches_a_float32_kernel_built_in_float64():
    resampler = T.Resample(16000, 8000)
    assert (resampler.resampling_method, resampler.lowpass_filter_width, resampler.rolloff, resampler.beta) == \
        ("sinc_interp_hann", 6, 0.99, None)
    kernel = resampler.kernel
    assert kernel.dtype == ember.float32 and tuple(kernel.shape) == (1, 1, 2 * resampler.width + 2)
    precise, _ = _get_kernel(16000, 8000, dtype=ember.float64)
    np.testing.assert_array_equal(kernel.numpy(), precise.numpy().astype(np.float32))
    x = tensor(randn(2, 3, 400).astype(np.float32))
    out = resampler(x)
    assert resampler.kernel is kernel and list(resampler.state_dict()) == ["kernel"]
    np.testing.assert_allclose(out.numpy(), AF.resample(x, 16000, 8000).numpy(), atol=1e-6)


def _get_kernel(orig, new, **kwargs):
    from ember.audio.functional.functional import _get_sinc_resample_kernel
    return _get_sinc_resample_kernel(orig, new, math.gcd(orig, new), **kwargs)


def test_resample_dtype_and_conversion():
    x64 = tensor(randn(2, 300))
    with pytest.raises(RuntimeError, match="expected scalar type Double but found Float"):
        T.Resample(8000, 16000)(x64)                      # as in torchaudio: convert the module first
    converted = T.Resample(8000, 16000).to(ember.float64)
    assert converted.kernel.dtype == ember.float64
    exact = T.Resample(8000, 16000, dtype=ember.float64)
    np.testing.assert_allclose(exact(x64).numpy(), AF.resample(x64, 8000, 16000).numpy(), atol=1e-13)
    kaiser = T.Resample(3, 5, resampling_method="sinc_interp_kaiser", lowpass_filter_width=8, rolloff=0.9, beta=6.0,
                        dtype=ember.float64)
    np.testing.assert_allclose(kaiser(x64).numpy(), AF.resample(x64, 3, 5, 8, 0.9, "sinc_interp_kaiser", 6.0).numpy(),
                               atol=1e-13)


def test_resample_same_rate_is_the_identity_and_errors():
    same = T.Resample(16000, 16000)
    assert not hasattr(same, "kernel") and list(same.state_dict()) == []
    x = ember.zeros(3, 10)
    assert same(x) is x
    with pytest.raises(ValueError, match="positive"):
        T.Resample(0, 16000)
    with pytest.raises(ValueError, match="resampling_method"):
        T.Resample(2, 1, resampling_method="cubic")
    with pytest.raises(TypeError, match="floating point"):
        T.Resample(2, 1)(ember.zeros(1, 10, dtype=ember.int32))


def test_resample_gradients():
    check_grad(T.Resample(3, 2, dtype=ember.float64), randn(2, 15))


def test_resample_round_trip_of_spoken_digits(digit_wavs):
    up, down = T.Resample(8000, 16000), T.Resample(16000, 8000)
    for path in digit_wavs[4:8]:
        waveform, _ = ember.audio.load(path)
        back = down(up(waveform)).numpy()
        x = waveform.numpy()
        assert back.shape == x.shape
        assert 10 * np.log10((x ** 2).sum() / ((back - x) ** 2).sum()) > 30.0


# ----------------------------------------------------------------------------- masking

def test_frequency_and_time_masking_defaults():
    freq = T.FrequencyMasking(10)
    time = T.TimeMasking(20)
    assert (freq.mask_param, freq.axis, freq.iid_masks, freq.p) == (10, 1, False, 1.0)
    assert (time.mask_param, time.axis, time.iid_masks, time.p) == (20, 2, False, 1.0)


@pytest.mark.parametrize("transform, axis", [(T.FrequencyMasking, -2), (T.TimeMasking, -1)])
def test_masking_masks_a_band_along_its_axis(transform, axis):
    ember.manual_seed(0)
    spec = positive(3, 2, 30, 40) + 1.0
    masker = transform(12)
    seen = set()
    for _ in range(20):
        out = masker(tensor(spec), mask_value=-2.0).numpy()
        hit = out == -2.0
        other = -1 if axis == -2 else -2
        lines = hit.any(axis=other)                          # (3, 2, size along axis)
        assert (lines == lines[:1, :1]).all()                # shared by the whole batch
        band = np.flatnonzero(lines[0, 0])
        assert band.size < 12 and (band.size == 0 or band[-1] - band[0] + 1 == band.size)
        assert np.array_equal(out[~hit], spec[~hit])
        seen.add(band.size)
    assert len(seen) > 3
    ember.manual_seed(4)
    first = masker(tensor(spec))
    ember.manual_seed(4)
    masker.eval()                                            # torchaudio masks in eval mode too
    np.testing.assert_array_equal(masker(tensor(spec)).numpy(), first.numpy())


def test_iid_masking_gives_each_example_its_own_band():
    ember.manual_seed(1)
    out = T.TimeMasking(30, iid_masks=True)(ember.ones(8, 1, 10, 50)).numpy()
    bands = {tuple(np.flatnonzero((out[b, 0] == 0).any(axis=0))) for b in range(8)}
    assert len(bands) > 4
    out3 = T.FrequencyMasking(6, iid_masks=True)(ember.ones(5, 20, 7)).numpy()
    assert len({tuple(np.flatnonzero((out3[b] == 0).any(axis=1))) for b in range(5)}) > 1
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        T.TimeMasking(5, iid_masks=True)(ember.ones(10, 20))


def test_time_masking_p_and_gradients():
    ember.manual_seed(3)
    masker = T.TimeMasking(40, p=0.1)
    for _ in range(20):
        assert (masker(ember.ones(1, 8, 60)).numpy() == 0).any(axis=1).sum() <= 6
    with pytest.raises(ValueError, match="p must be between"):
        T.TimeMasking(5, p=1.5)
    x = tensor(randn(2, 6, 9)).requires_grad_()
    out = T.FrequencyMasking(5)(x)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), (out.detach().numpy() != 0).astype(np.float64))


def test_spec_augment():
    ember.manual_seed(7)
    spec = positive(4, 20, 30) + 1.0
    augment = T.SpecAugment(n_time_masks=2, time_mask_param=6, n_freq_masks=1, freq_mask_param=5)
    assert (augment.iid_masks, augment.p, augment.zero_masking) == (True, 1.0, False)
    out = augment(tensor(spec)).numpy()
    filled = out != spec
    np.testing.assert_allclose(out[filled], spec.mean(), rtol=1e-12)
    zero = T.SpecAugment(1, 6, 1, 5, iid_masks=False, zero_masking=True)(tensor(spec)).numpy()
    assert set(np.unique(zero[zero != spec])) <= {0.0}
    assert tuple(T.SpecAugment(1, 3, 1, 3)(ember.ones(20, 30)).shape) == (20, 30)


# ----------------------------------------------------------------------------- Vol, Fade, deltas

@pytest.mark.parametrize("gain, gain_type, factor", [(0.5, "amplitude", 0.5), (4.0, "power", 2.0),
                                                     (-6.0, "db", 10 ** (-0.3)), (20.0, "db", 10.0)])
def test_vol_scales_then_clamps(gain, gain_type, factor):
    x = randn(3, 50) * 0.4
    out = T.Vol(gain, gain_type)(tensor(x)).numpy()
    np.testing.assert_allclose(out, np.clip(x * factor, -1, 1), rtol=1e-12)


def test_vol_gradients_and_errors():
    check_grad(T.Vol(0.5), randn(2, 5) * 0.5)
    check_grad(T.Vol(-3.0, "db"), randn(2, 5) * 0.5)
    assert T.Vol(1.0).gain_type == "amplitude"
    with pytest.raises(ValueError, match="gain must be positive"):
        T.Vol(-1.0, "power")
    with pytest.raises(ValueError, match="gain_type"):
        T.Vol(1.0, "decibel")


def fade_curves(length, fade_in, fade_out, shape):
    """The fade-in and fade-out gain curves from their formulas."""
    rise = np.linspace(0, 1, fade_in)
    fall = np.linspace(0, 1, fade_out)
    rise = {"linear": rise, "exponential": 2.0 ** (rise - 1) * rise, "logarithmic": np.log10(0.1 + rise) + 1,
            "quarter_sine": np.sin(rise * np.pi / 2), "half_sine": np.sin(rise * np.pi - np.pi / 2) / 2 + 0.5}[shape]
    fall = {"linear": 1 - fall, "exponential": 2.0 ** (-fall) * (1 - fall), "logarithmic": np.log10(1.1 - fall) + 1,
            "quarter_sine": np.sin(fall * np.pi / 2 + np.pi / 2),
            "half_sine": np.sin(fall * np.pi + np.pi / 2) / 2 + 0.5}[shape]
    gain_in = np.clip(np.concatenate([rise, np.ones(length - fade_in)]), 0, 1)
    gain_out = np.clip(np.concatenate([np.ones(length - fade_out), fall]), 0, 1)
    return gain_in * gain_out


@pytest.mark.parametrize("shape", ["linear", "exponential", "logarithmic", "quarter_sine", "half_sine"])
@pytest.mark.parametrize("fade_in, fade_out", [(10, 0), (0, 7), (12, 12), (30, 30), (1, 1)])
def test_fade_shapes(shape, fade_in, fade_out):
    x = randn(2, 30)
    out = T.Fade(fade_in, fade_out, shape)(tensor(x))
    assert out.dtype == ember.float64
    expected = x * fade_curves(30, fade_in, fade_out, shape)          # the curves are float32, as torchaudio's
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6, atol=1e-6)


def test_fade_defaults_gradients_and_errors():
    fade = T.Fade()
    assert (fade.fade_in_len, fade.fade_out_len, fade.fade_shape) == (0, 0, "linear")
    x = tensor(randn(3, 8).astype(np.float32))
    np.testing.assert_array_equal(fade(x).numpy(), x.numpy())
    check_grad(T.Fade(3, 2, "half_sine"), randn(2, 6))
    with pytest.raises(RuntimeError, match="longer than the waveform"):
        T.Fade(fade_in_len=10)(ember.ones(5))
    with pytest.raises(ValueError, match="fade_shape"):
        T.Fade(3, 3, "cubic")


def test_compute_deltas_module():
    deltas = T.ComputeDeltas()
    assert (deltas.win_length, deltas.mode) == (5, "replicate")
    spec = tensor(randn(2, 4, 11))
    np.testing.assert_array_equal(T.ComputeDeltas(7, "reflect")(spec).numpy(),
                                  AF.compute_deltas(spec, 7, "reflect").numpy())
    check_grad(deltas, randn(3, 6))


# ----------------------------------------------------------------------------- noise, emphasis, speed, mu-law

def test_add_noise_preemphasis_and_deemphasis_modules():
    x, n, snr = randn(2, 40), randn(2, 40), np.array([10.0, 3.0])
    np.testing.assert_array_equal(T.AddNoise()(tensor(x), tensor(n), tensor(snr)).numpy(),
                                  AF.add_noise(tensor(x), tensor(n), tensor(snr)).numpy())
    small = tensor(x * 0.05)
    assert T.Preemphasis().coeff == 0.97 and T.Deemphasis().coeff == 0.97
    np.testing.assert_allclose(T.Deemphasis(0.9)(T.Preemphasis(0.9)(small)).numpy(), small.numpy(), atol=1e-14)
    check_grad(T.Preemphasis(), randn(2, 5))


def test_speed_and_speed_perturbation():
    x = tensor(randn(2, 1000).astype(np.float32))
    faster, lengths = T.Speed(16000, 1.1)(x, ember.tensor([1000, 500]))
    np.testing.assert_allclose(faster.numpy(), AF.speed(x, 16000, 1.1)[0].numpy(), rtol=1e-5, atol=1e-5)
    assert tuple(faster.shape) == (2, 910) and lengths.tolist() == [910, 455]
    perturb = T.SpeedPerturbation(16000, [0.9, 1.1, 1.0])
    ember.manual_seed(0)
    lengths_seen = {perturb(x)[0].shape[-1] for _ in range(30)}
    assert lengths_seen == {1000, 910, 1112}


def test_speed_on_a_spoken_digit(digit_wavs):
    waveform, rate = ember.audio.load(digit_wavs[3])
    slower, none = T.Speed(rate, 0.8)(waveform)
    assert none is None and slower.shape[-1] == math.ceil(waveform.shape[-1] * 5 / 4)
    x, y = waveform.numpy()[0], slower.numpy()[0]
    assert abs(np.sqrt((y ** 2).mean()) / np.sqrt((x ** 2).mean()) - 1) < 0.02       # same loudness, longer


def test_mu_law_modules():
    x = tensor(np.linspace(-1, 1, 33))
    encoded = T.MuLawEncoding()(x)
    assert T.MuLawEncoding().quantization_channels == 256 and encoded.dtype == ember.int64
    np.testing.assert_array_equal(encoded.numpy(), AF.mu_law_encoding(x, 256).numpy())
    np.testing.assert_array_equal(T.MuLawDecoding(256)(encoded).numpy(), AF.mu_law_decoding(encoded, 256).numpy())


def test_mfcc_pipeline_pieces_on_a_spoken_digit(digit_wavs):
    """A log-mel + DCT pipeline built from these pieces gives scipy's DCT-II of the log-mel frames."""
    waveform, rate = ember.audio.load(digit_wavs[0])
    frames = waveform[0, :4000].reshape(-1, 200).numpy()               # 20 non-overlapping 25 ms frames
    power = np.abs(np.fft.rfft(frames * np.hanning(200), n=256)) ** 2      # (frames, 129)
    spec = tensor(power.T[None].astype(np.float32))                      # (1, 129, frames)
    mel = T.MelScale(n_mels=23, sample_rate=rate, n_stft=129)(spec)
    db = T.AmplitudeToDB(top_db=80.0)(mel)
    mfcc = ember.matmul(db.transpose(-1, -2), AF.create_dct(13, 23, "ortho")).transpose(-1, -2)
    log_mel = 10 * np.log10(np.maximum(power @ htk_mel_bank(129, 0.0, 4000.0, 23, 8000), 1e-10))
    log_mel = np.maximum(log_mel, log_mel.max() - 80.0)
    expected = scipy.fft.dct(log_mel, type=2, norm="ortho", axis=-1)[:, :13].T
    np.testing.assert_allclose(mfcc.numpy()[0], expected, rtol=1e-3, atol=2e-2)
    deltas = T.ComputeDeltas()(mfcc)
    assert tuple(deltas.shape) == (1, 13, 20)


def test_docstring_examples():
    result = doctest.testmod(_transforms, globs={"ember": ember})
    assert result.attempted > 15 and result.failed == 0
    import ember.audio.transforms as package
    assert doctest.testmod(package, globs={"ember": ember}).failed == 0
