"""ember.audio.functional against independent NumPy/SciPy references: the mel and linear filter banks from their
formulas, the DCT against scipy.fft.dct, resampling against a direct evaluation of the windowed-sinc sum, decibels,
deltas, noise, emphasis and mu-law; gradients by finite differences; errors; real spoken digits."""

import doctest
import math
import os
import warnings

import numpy as np
import pytest
import scipy.fft
import scipy.signal
from helpers import check_grad, noncontiguous, positive, randn
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
import ember.audio.functional as AF
from ember.audio.functional import filtering as filtering_module
from ember.audio.functional import functional as functional_module


def tensor(array):
    return ember.from_numpy(np.ascontiguousarray(array))


# ----------------------------------------------------------------------------- NumPy references

def hz_to_mel(f, scale):
    f = np.asarray(f, dtype=np.float64)
    if scale == "htk":
        return 2595.0 * np.log10(1.0 + f / 700.0)
    linear = f * 3.0 / 200.0                                        # 15 mels at 1 kHz
    return np.where(f >= 1000.0, 15.0 + np.log(np.maximum(f, 1e-300) / 1000.0) * 27.0 / np.log(6.4), linear)


def mel_to_hz(m, scale):
    m = np.asarray(m, dtype=np.float64)
    if scale == "htk":
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    return np.where(m >= 15.0, 1000.0 * np.exp((m - 15.0) * np.log(6.4) / 27.0), m * 200.0 / 3.0)


def triangles(freqs, edges):
    """Filter k rises linearly from edges[k] to 1 at edges[k + 1] and falls to 0 at edges[k + 2]."""
    bank = np.zeros((len(freqs), len(edges) - 2))
    for k in range(len(edges) - 2):
        low, centre, high = edges[k], edges[k + 1], edges[k + 2]
        rising = (freqs - low) / (centre - low)
        falling = (high - freqs) / (high - centre)
        bank[:, k] = np.clip(np.minimum(rising, falling), 0.0, None)
    return bank


def reference_mel_bank(n_freqs, f_min, f_max, n_mels, sample_rate, norm, scale):
    freqs = np.linspace(0.0, sample_rate // 2, n_freqs)
    edges = mel_to_hz(np.linspace(hz_to_mel(f_min, scale), hz_to_mel(f_max, scale), n_mels + 2), scale)
    bank = triangles(freqs, edges)
    if norm == "slaney":
        bank *= 2.0 / (edges[2:] - edges[:-2])
    return bank


def sinc_resample_reference(x, orig, new, width=6, rolloff=0.99, method="sinc_interp_hann", beta=None):
    """y[m] = sum_i x[i] (base / orig) sinc(u) window(u), u = base (i / orig - m / new), |u| < width: evaluated
    directly for every output sample (rates reduced by their gcd, base = min(orig, new) * rolloff)."""
    g = math.gcd(orig, new)
    orig, new = orig // g, new // g
    base = min(orig, new) * rolloff
    length = x.shape[-1]
    out_length = math.ceil(new * length / orig)
    u = base * (np.arange(length)[None, :] / orig - np.arange(out_length)[:, None] / new)
    inside = np.abs(u) < width
    if method == "sinc_interp_hann":
        window = np.cos(np.pi * u / (2 * width)) ** 2
    else:       # torchaudio holds beta, and computes I0(beta), in float32
        beta = float(np.float32(14.769656459379492 if beta is None else beta))
        window = np.i0(beta * np.sqrt(np.clip(1 - (u / width) ** 2, 0, None))) / float(np.float32(np.i0(beta)))
    h = np.where(inside, np.sinc(u) * window * base / orig, 0.0)
    return x @ h.T


def amplitude_to_db_reference(x, multiplier, amin, db_multiplier, top_db):
    db = multiplier * np.log10(np.maximum(x, amin)) - multiplier * db_multiplier
    if top_db is None:
        return db
    if db.ndim <= 3:
        return np.maximum(db, db.max() - top_db)
    items = db.reshape(-1, *db.shape[-3:])
    floors = items.max(axis=(1, 2, 3)) - top_db
    return np.maximum(items, floors[:, None, None, None]).reshape(db.shape)


def deltas_reference(c, win_length, mode):
    n = (win_length - 1) // 2
    numpy_mode = {"replicate": "edge", "constant": "constant", "reflect": "reflect", "circular": "wrap"}[mode]
    padded = np.pad(c, [(0, 0)] * (c.ndim - 1) + [(n, n)], mode=numpy_mode)
    length = c.shape[-1]
    total = sum(k * (padded[..., n + k:n + k + length] - padded[..., n - k:n - k + length]) for k in range(1, n + 1))
    return total / (2 * sum(k * k for k in range(1, n + 1)))


# ----------------------------------------------------------------------------- filter banks

MEL_CASES = [
    (201, 0.0, 8000.0, 40, 16000, None, "htk"),
    (201, 20.0, 7600.0, 64, 16000, "slaney", "slaney"),
    (257, 0.0, 4000.0, 23, 8000, "slaney", "htk"),
    (513, 0.0, 11025.0, 128, 22050, None, "slaney"),
    (129, 300.0, 3400.0, 13, 8000, None, "slaney"),
]


@pytest.mark.parametrize("case", MEL_CASES)
def test_melscale_fbanks_matches_the_formulas(case):
    fb = AF.melscale_fbanks(*case)
    assert fb.dtype == ember.float32 and tuple(fb.shape) == (case[0], case[3])
    expected = reference_mel_bank(*case)
    scale = 1.0 if case[5] is None else expected.max()      # slaney norm divides by band widths in Hz
    np.testing.assert_allclose(fb.numpy(), expected, atol=5e-5 * scale, rtol=1e-4)


@pytest.mark.parametrize("case", MEL_CASES)
def test_melscale_fbanks_in_float64_matches_tightly(case, default_float64):
    fb = AF.melscale_fbanks(*case)
    assert fb.dtype == ember.float64
    np.testing.assert_allclose(fb.numpy(), reference_mel_bank(*case), rtol=1e-9, atol=1e-12)


def test_melscale_fbanks_slaney_scale_is_linear_below_1khz():
    # 15 mels at 1 kHz on Slaney's scale: the triangles' edges below 1 kHz are evenly spaced in Hz
    fb = AF.melscale_fbanks(1001, 0.0, 1000.0, 14, 2000, mel_scale="slaney").numpy()
    peaks = fb.argmax(axis=0)
    assert np.abs(peaks - np.arange(1, 15) * 1000 / 15).max() <= 0.5        # 1 Hz bins
    np.testing.assert_allclose(fb.max(axis=0), 1.0, atol=0.02)


def test_melscale_fbanks_warns_about_empty_filters():
    with pytest.warns(UserWarning, match="all zero values"):
        AF.melscale_fbanks(10, 0.0, 8000.0, 40, 16000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        AF.melscale_fbanks(201, 0.0, 8000.0, 40, 16000)


def test_melscale_fbanks_errors():
    with pytest.raises(ValueError, match="norm"):
        AF.melscale_fbanks(201, 0.0, 8000.0, 40, 16000, norm="ortho")
    with pytest.raises(ValueError, match="mel_scale"):
        AF.melscale_fbanks(201, 0.0, 8000.0, 40, 16000, mel_scale="bark")
    with pytest.raises(TypeError, match="n_mels"):
        AF.melscale_fbanks(201, 0.0, 8000.0, 40.0, 16000)
    with pytest.raises(ValueError, match="n_freqs"):
        AF.melscale_fbanks(-1, 0.0, 8000.0, 40, 16000)


@pytest.mark.parametrize("case", [(201, 0.0, 8000.0, 20, 16000), (65, 100.0, 3000.0, 8, 8000)])
def test_linear_fbanks_matches_the_formula(case):
    n_freqs, f_min, f_max, n_filter, sample_rate = case
    fb = AF.linear_fbanks(*case)
    expected = triangles(np.linspace(0, sample_rate // 2, n_freqs), np.linspace(f_min, f_max, n_filter + 2))
    assert tuple(fb.shape) == (n_freqs, n_filter)
    np.testing.assert_allclose(fb.numpy(), expected, atol=2e-5)


@pytest.mark.parametrize("n_mfcc, n_mels", [(13, 40), (40, 40), (1, 5), (20, 128)])
@pytest.mark.parametrize("norm", ["ortho", None])
def test_create_dct_is_scipys_dct_ii(n_mfcc, n_mels, norm):
    dct = AF.create_dct(n_mfcc, n_mels, norm)
    assert tuple(dct.shape) == (n_mels, n_mfcc) and dct.dtype == ember.float32
    frames = randn(7, n_mels)
    expected = scipy.fft.dct(frames, type=2, norm=norm, axis=-1)[:, :n_mfcc]
    np.testing.assert_allclose(frames @ dct.numpy().astype(np.float64), expected, rtol=1e-5, atol=1e-4)


def test_create_dct_ortho_has_orthonormal_columns():
    dct = AF.create_dct(32, 32, "ortho").numpy().astype(np.float64)
    np.testing.assert_allclose(dct.T @ dct, np.eye(32), atol=1e-5)


def test_create_dct_errors():
    with pytest.raises(ValueError, match="norm"):
        AF.create_dct(13, 40, "forward")
    with pytest.raises(ValueError, match="n_mels"):
        AF.create_dct(13, 0, None)


# ----------------------------------------------------------------------------- decibels

@pytest.mark.parametrize("shape", [(5, 7), (3, 5, 7), (2, 3, 5, 7), (2, 2, 1, 4, 6)])
@pytest.mark.parametrize("top_db", [None, 20.0])
def test_amplitude_to_db_matches_reference(shape, top_db):
    x = positive(*shape) ** 8                          # a wide dynamic range, so top_db bites
    x.reshape(-1)[::5] = 0.0                           # zeros are clamped to amin
    out = AF.amplitude_to_DB(tensor(x.astype(np.float32)), 10.0, 1e-10, 0.0, top_db)
    expected = amplitude_to_db_reference(x, 10.0, 1e-10, 0.0, top_db)
    assert out.dtype == ember.float32 and tuple(out.shape) == shape
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-5, atol=1e-4)


def test_amplitude_to_db_top_db_is_per_batch_item_from_four_dimensions():
    loud = np.full((1, 2, 3, 4), 1e4)                  # 40 dB
    quiet = np.full((1, 2, 3, 4), 1.0)                 # 0 dB
    quiet[0, 1, 2, 3] = 1e-6                           # -60 dB: floored 10 dB below its own item's maximum
    batch = np.concatenate([loud, quiet])
    out = AF.amplitude_to_DB(tensor(batch), 10.0, 1e-10, 0.0, top_db=10.0).numpy()
    assert out[1, 1, 2, 3] == pytest.approx(-10.0)
    assert out[0].min() == pytest.approx(40.0)
    # 3-D: the channels share one cut-off, the maximum over everything
    out3 = AF.amplitude_to_DB(tensor(batch[:, 0]), 10.0, 1e-10, 0.0, top_db=10.0).numpy()
    assert out3[1].min() == pytest.approx(30.0)


def test_amplitude_to_db_multiplier_and_reference():
    x = np.array([[1e-12, 1.0, 10.0, 100.0]])
    out = AF.amplitude_to_DB(tensor(x), 20.0, 1e-10, math.log10(10.0))
    np.testing.assert_allclose(out.numpy(), [[-220.0, -20.0, 0.0, 20.0]], atol=1e-9)


def test_amplitude_to_db_gradients():
    x = positive(2, 2, 3, 4)
    check_grad(lambda t: AF.amplitude_to_DB(t, 10.0, 1e-10, 0.0, 2.0), x)
    check_grad(lambda t: AF.amplitude_to_DB(t, 20.0, 1e-10, 0.0), x[0])


def test_amplitude_to_db_errors():
    with pytest.raises(TypeError, match="'x' must be Tensor"):
        AF.amplitude_to_DB(np.ones((2, 2)), 10.0, 1e-10, 0.0)
    with pytest.raises(IndexError, match="at least 2 dimensions"):
        AF.amplitude_to_DB(ember.ones(4), 10.0, 1e-10, 0.0, top_db=80.0)


def test_db_to_amplitude_inverts_amplitude_to_db():
    x = positive(3, 4)
    for multiplier, power in ((10.0, 1.0), (20.0, 0.5)):
        db = AF.amplitude_to_DB(tensor(x), multiplier, 1e-10, 0.0)
        np.testing.assert_allclose(AF.DB_to_amplitude(db, 1.0, power).numpy(), x, rtol=1e-12)
    out = AF.DB_to_amplitude(tensor(np.array([0.0, 10.0, -30.0])), 2.0, 1.0)
    np.testing.assert_allclose(out.numpy(), [2.0, 20.0, 2e-3], rtol=1e-12)
    check_grad(lambda t: AF.DB_to_amplitude(t, 3.0, 0.5), randn(3, 4))


# ----------------------------------------------------------------------------- masking

def band_of(masked_positions):
    """The indices where a 1-D boolean mask is set, checked to be one contiguous band."""
    where = np.flatnonzero(masked_positions)
    if where.size:
        assert np.array_equal(where, np.arange(where[0], where[-1] + 1))
    return where


@pytest.mark.parametrize("axis", [1, 2])
def test_mask_along_axis_masks_one_shared_band(axis):
    ember.manual_seed(3)
    spec = positive(4, 3, 20, 30) + 1.0                     # no zeros before masking
    lengths = []
    for _ in range(40):
        out = AF.mask_along_axis(tensor(spec), 10, 0.0, axis + 1).numpy()
        hit = out == 0.0
        assert np.array_equal(out[~hit], spec[~hit])
        lines = hit.any(axis=(0, 1, 3 if axis == 1 else 2))
        band = band_of(lines)
        expected = np.zeros_like(hit)
        index = [slice(None)] * 4
        index[axis + 1] = band
        expected[tuple(index)] = True
        assert np.array_equal(hit, expected)                # every example, every channel: the same band
        lengths.append(band.size)
    assert max(lengths) <= 9 and len(set(lengths)) > 4


def test_mask_along_axis_iid_gives_each_example_its_own_band():
    ember.manual_seed(5)
    spec = positive(6, 2, 16, 40) + 1.0
    out = AF.mask_along_axis_iid(tensor(spec), 20, -1.0, 3).numpy()
    starts = set()
    for b in range(6):
        for c in range(2):
            hit = out[b, c] == -1.0
            band = band_of(hit.any(axis=0))
            assert band.size < 20 and np.array_equal(hit, np.broadcast_to(np.isin(np.arange(40), band), hit.shape))
            starts.add(band[0] if band.size else -1)
    assert len(starts) > 3


def test_masks_repeat_with_the_seed_and_respect_p():
    spec = tensor(positive(2, 8, 50) + 1.0)
    ember.manual_seed(11)
    first = AF.mask_along_axis(spec, 30, 0.0, 2)
    ember.manual_seed(11)
    assert np.array_equal(AF.mask_along_axis(spec, 30, 0.0, 2).numpy(), first.numpy())
    for _ in range(30):                                       # p = 0.1 of 50 frames: at most 4 masked
        assert (AF.mask_along_axis(spec, 30, 0.0, 2, p=0.1).numpy() == 0).any(axis=(0, 1)).sum() <= 4
        masked = AF.mask_along_axis_iid(spec.unsqueeze(0), 30, 0.0, 3, p=0.1).numpy() == 0
        assert masked.any(axis=2).sum(axis=-1).max() <= 4
    assert AF.mask_along_axis(spec, 30, 0.0, 2, p=0.01) is spec       # fewer than one frame allowed
    assert AF.mask_along_axis(spec, 0, 0.0, 1) is spec


def test_mask_gradients_are_zero_in_the_band():
    ember.manual_seed(2)
    x = tensor(positive(3, 10, 12) + 1.0).requires_grad_()
    value = ember.tensor(-5.0, dtype=ember.float64, requires_grad=True)
    out = AF.mask_along_axis_iid(x, 8, value, 2)
    out.sum().backward()
    masked = out.detach().numpy() == -5.0
    np.testing.assert_array_equal(x.grad.numpy(), (~masked).astype(np.float64))
    assert value.grad.item() == masked.sum()
    y = tensor(positive(10, 12)).requires_grad_()
    AF.mask_along_axis(y, 8, 0.0, 1).sum().backward()
    assert set(np.unique(y.grad.numpy())) <= {0.0, 1.0}


@pytest.mark.parametrize("fn, args, match", [
    (AF.mask_along_axis, (ember.ones(5), 2, 0.0, 0), "at least 2 dimensions"),
    (AF.mask_along_axis, (ember.ones(2, 5, 6), 2, 0.0, 0), "axis must be 1 or 2"),
    (AF.mask_along_axis, (ember.ones(5, 6), 2, 0.0, 1, 1.5), "p must be between"),
    (AF.mask_along_axis_iid, (ember.ones(5, 6), 2, 0.0, 1), "at least 3 dimensions"),
    (AF.mask_along_axis_iid, (ember.ones(2, 5, 6), 2, 0.0, -1), "axis must be 1 or 2"),
    (AF.mask_along_axis_iid, (ember.ones(2, 5, 6), 2, 0.0, 2, -0.1), "p must be between"),
])
def test_mask_errors(fn, args, match):
    with pytest.raises(ValueError, match=match):
        fn(*args)


# ----------------------------------------------------------------------------- deltas

@pytest.mark.parametrize("mode", ["replicate", "constant", "reflect", "circular"])
@pytest.mark.parametrize("win_length", [3, 4, 5, 9])
def test_compute_deltas_matches_reference(mode, win_length):
    c = randn(2, 3, 12)
    out = AF.compute_deltas(tensor(c), win_length, mode)
    np.testing.assert_allclose(out.numpy(), deltas_reference(c, win_length, mode), rtol=1e-12, atol=1e-12)


def test_compute_deltas_shapes_dtypes_and_gradients():
    c = randn(4, 9).astype(np.float32)
    out = AF.compute_deltas(tensor(noncontiguous(c)))
    assert out.dtype == ember.float32
    np.testing.assert_allclose(out.numpy(), deltas_reference(c, 5, "replicate"), rtol=1e-5, atol=1e-6)
    assert tuple(AF.compute_deltas(ember.zeros(2, 1, 3, 7)).shape) == (2, 1, 3, 7)
    ramp = AF.compute_deltas(ember.arange(20.0).reshape(1, 20), 7).numpy()
    np.testing.assert_allclose(ramp[0, 3:-3], 1.0)          # a unit slope away from the padded ends
    check_grad(lambda t: AF.compute_deltas(t, 5), randn(2, 3, 8))
    with pytest.raises(ValueError, match="win_length must be at least 3"):
        AF.compute_deltas(ember.zeros(2, 8), 2)


# ----------------------------------------------------------------------------- resampling

RATE_PAIRS = [(16000, 8000), (8000, 16000), (44100, 16000), (3, 7), (7, 3), (32000, 24000)]


@pytest.mark.parametrize("orig, new", RATE_PAIRS)
@pytest.mark.parametrize("method", ["sinc_interp_hann", "sinc_interp_kaiser"])
def test_resample_matches_the_direct_windowed_sinc_sum(orig, new, method):
    x = randn(2, 3, 301)
    out = AF.resample(tensor(x), orig, new, resampling_method=method)
    g = math.gcd(orig, new)
    assert out.dtype == ember.float64 and tuple(out.shape) == (2, 3, math.ceil(new // g * 301 / (orig // g)))
    np.testing.assert_allclose(out.numpy(), sinc_resample_reference(x, orig, new, method=method), atol=1e-11)


@pytest.mark.parametrize("width, rolloff, beta", [(3, 0.9, None), (10, 0.95, 8.0), (1, 0.5, 4.0)])
def test_resample_filter_arguments(width, rolloff, beta):
    x = randn(3, 200)
    for method in ("sinc_interp_hann", "sinc_interp_kaiser"):
        out = AF.resample(tensor(x), 5, 3, lowpass_filter_width=width, rolloff=rolloff, resampling_method=method,
                          beta=beta)
        expected = sinc_resample_reference(x, 5, 3, width, rolloff, method, beta)
        np.testing.assert_allclose(out.numpy(), expected, atol=1e-11)


def test_resample_float32_keeps_its_dtype_and_matches():
    x = randn(2, 500).astype(np.float32)
    out = AF.resample(tensor(x), 16000, 8000)
    assert out.dtype == ember.float32
    np.testing.assert_allclose(out.numpy(), sinc_resample_reference(x.astype(np.float64), 2, 1), atol=2e-6)


def test_resample_reduces_rates_by_their_gcd():
    x = tensor(randn(2, 333))
    np.testing.assert_array_equal(AF.resample(x, 32000, 16000).numpy(), AF.resample(x, 2, 1).numpy())
    np.testing.assert_array_equal(AF.resample(x, 44100, 16000).numpy(), AF.resample(x, 441, 160).numpy())
    np.testing.assert_array_equal(AF.resample(x, 16000.0, 8000.0).numpy(), AF.resample(x, 2, 1).numpy())


def test_resample_keeps_a_sine_below_nyquist_and_removes_one_above():
    t = np.arange(16000) / 16000
    low = np.sin(2 * np.pi * 440 * t)
    there = AF.resample(tensor(low[None]), 16000, 8000)
    back = AF.resample(there, 8000, 16000).numpy()[0]
    inner = slice(200, -200)                                 # away from the zero-padded ends
    assert np.abs(back[inner] - low[inner]).max() < 1e-3
    down = AF.resample(tensor(low[None]), 16000, 8000).numpy()[0]
    np.testing.assert_allclose(down[100:-100], np.sin(2 * np.pi * 440 * np.arange(8000) / 8000)[100:-100], atol=1e-3)
    high = np.sin(2 * np.pi * 6000 * t)                      # above the new Nyquist rate (4 kHz): filtered out
    aliased = AF.resample(tensor(high[None]), 16000, 8000).numpy()[0]
    assert np.abs(aliased[100:-100]).max() < 0.01


def test_resample_integer_ratio_downsampling_of_a_lowpass_signal_is_decimation():
    t = np.arange(4000) / 12000
    x = np.sin(2 * np.pi * 300 * t) + 0.5 * np.cos(2 * np.pi * 1100 * t)
    out = AF.resample(tensor(x), 12000, 4000).numpy()
    assert out.shape == (1334,)
    np.testing.assert_allclose(out[60:-60], x[::3][60:-60], atol=2e-3)


def test_resample_shapes_layouts_and_identity():
    x = randn(3, 2, 50)
    out = AF.resample(tensor(noncontiguous(x)), 5, 2)
    np.testing.assert_allclose(out.numpy(), sinc_resample_reference(x, 5, 2), atol=1e-11)
    one = ember.from_numpy(x[0, 0].copy())
    assert tuple(AF.resample(one, 5, 2).shape) == (20,)
    assert tuple(AF.resample(ember.zeros(2, 0), 5, 2).shape) == (2, 0)
    assert tuple(AF.resample(ember.zeros(0, 10), 5, 2).shape) == (0, 4)
    same = tensor(x)
    assert AF.resample(same, 16000, 16000) is same


@settings(max_examples=25, deadline=None)
@given(batch=st.lists(st.integers(1, 3), max_size=2), length=st.integers(1, 40), rates=st.sampled_from(RATE_PAIRS))
def test_resample_batches_are_resampled_independently(batch, length, rates):
    rng = np.random.default_rng(length)
    x = rng.standard_normal((*batch, length))
    out = AF.resample(tensor(x), *rates).numpy()
    flat = x.reshape(-1, length)
    expected = np.stack([sinc_resample_reference(row, *rates) for row in flat])
    assert out.shape[:-1] == x.shape[:-1]
    np.testing.assert_allclose(out.reshape(flat.shape[0], -1), expected, atol=1e-11)


def test_resample_gradients():
    check_grad(lambda t: AF.resample(t, 3, 2), randn(2, 12))
    check_grad(lambda t: AF.resample(t, 2, 3, resampling_method="sinc_interp_kaiser"), randn(11))


def test_resample_errors_and_deprecated_names():
    x = ember.zeros(1, 100)
    with pytest.raises(ValueError, match="positive"):
        AF.resample(x, 0, 8000)
    with pytest.raises(ValueError, match="must be integers"):
        AF.resample(x, 44100, 5512.5)
    with pytest.raises(ValueError, match="resampling_method"):
        AF.resample(x, 2, 1, resampling_method="linear")
    with pytest.raises(ValueError, match="lowpass_filter_width"):
        AF.resample(x, 2, 1, lowpass_filter_width=0)
    with pytest.raises(TypeError, match="floating point"):
        AF.resample(ember.zeros(1, 10, dtype=ember.int64), 2, 1)
    with pytest.raises(TypeError, match="'waveform' must be Tensor"):
        AF.resample(np.zeros(10), 2, 1)
    x = tensor(randn(2, 60))
    with pytest.warns(UserWarning, match="deprecated"):
        old = AF.resample(x, 3, 2, resampling_method="kaiser_window")
    np.testing.assert_array_equal(old.numpy(), AF.resample(x, 3, 2, resampling_method="sinc_interp_kaiser").numpy())


def test_speed_resamples_and_rescales_lengths():
    x = tensor(randn(2, 800))
    faster, lengths = AF.speed(x, 8000, 1.25, lengths=ember.tensor([800, 401]))
    np.testing.assert_array_equal(faster.numpy(), AF.resample(x, 5, 4).numpy())
    assert lengths.tolist() == [640, 321] and lengths.dtype == ember.int64
    slower, none = AF.speed(x, 8000, 0.5)
    assert tuple(slower.shape) == (2, 1600) and none is None
    with pytest.raises(ValueError, match="positive"):
        AF.speed(x, 8000, 0.0)


def test_resample_round_trip_of_spoken_digits(digit_wavs):
    for path in digit_wavs[:4]:
        waveform, rate = ember.audio.load(path)
        assert rate == 8000
        up = AF.resample(waveform, 8000, 16000)
        assert tuple(up.shape) == (1, 2 * waveform.shape[-1])
        back = AF.resample(up, 16000, 8000).numpy()
        x = waveform.numpy()
        snr = 10 * np.log10((x ** 2).sum() / ((back - x) ** 2).sum())
        assert snr > 30.0, f"{os.path.basename(path)}: round trip SNR {snr:.1f} dB"


# ----------------------------------------------------------------------------- gain, noise, emphasis, mu-law

def test_gain():
    x = tensor(randn(2, 5))
    np.testing.assert_allclose(AF.gain(x, 6.0).numpy(), x.numpy() * 10 ** 0.3, rtol=1e-12)
    np.testing.assert_allclose(AF.gain(x).numpy(), x.numpy() * 10 ** 0.05, rtol=1e-12)
    assert AF.gain(x, 0) is x
    check_grad(lambda t: AF.gain(t, -3.0), randn(3))


def add_noise_reference(x, n, snr, lengths=None):
    valid = np.ones(x.shape) if lengths is None else np.arange(x.shape[-1]) < lengths[..., None]
    es, en = ((x * valid) ** 2).sum(-1), ((n * valid) ** 2).sum(-1)
    scale = np.sqrt(es / en * 10 ** (-snr / 10))
    return x + scale[..., None] * n


def test_add_noise_matches_the_snr_formula():
    x, n, snr = randn(3, 2, 50), randn(3, 2, 50), randn(3, 2) * 10
    out = AF.add_noise(tensor(x), tensor(n), tensor(snr))
    np.testing.assert_allclose(out.numpy(), add_noise_reference(x, n, snr), rtol=1e-12)
    lengths = np.array([[50, 20], [1, 35], [49, 50]])
    out = AF.add_noise(tensor(x), tensor(n), tensor(snr), tensor(lengths))
    np.testing.assert_allclose(out.numpy(), add_noise_reference(x, n, snr, lengths), rtol=1e-12)
    added = out.numpy() - x                                   # the realised SNR over the valid samples
    valid = np.arange(50) < lengths[..., None]
    realised = 10 * np.log10(((x * valid) ** 2).sum(-1) / ((added * valid) ** 2).sum(-1))
    np.testing.assert_allclose(realised, snr, atol=1e-9)
    broadcast = AF.add_noise(tensor(x[:1]), tensor(n[:1]), tensor(snr[:1]))
    assert tuple(broadcast.shape) == (1, 2, 50)


def test_add_noise_gradients_and_errors():
    check_grad(lambda x, n, s: AF.add_noise(x, n, s), randn(2, 6), randn(2, 6), randn(2))
    with pytest.raises(ValueError, match="leading dimensions"):
        AF.add_noise(ember.ones(2, 5), ember.ones(2, 5), ember.ones(2, 1))
    with pytest.raises(ValueError, match="don't match \\(got 5 and 4\\)"):
        AF.add_noise(ember.ones(2, 5), ember.ones(2, 4), ember.ones(2))
    with pytest.raises(TypeError, match="'snr' must be Tensor"):
        AF.add_noise(ember.ones(2, 5), ember.ones(2, 5), 10.0)


def test_preemphasis_and_deemphasis_match_scipy_lfilter():
    x = randn(3, 40) * 0.05
    pre = AF.preemphasis(tensor(x), 0.9).numpy()
    np.testing.assert_allclose(pre, scipy.signal.lfilter([1.0, -0.9], [1.0], x), rtol=1e-12, atol=1e-15)
    de = AF.deemphasis(tensor(x), 0.9).numpy()
    np.testing.assert_allclose(de, scipy.signal.lfilter([1.0], [1.0, -0.9], x), rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(AF.deemphasis(AF.preemphasis(tensor(x))).numpy(), x, atol=1e-14)
    loud = AF.deemphasis(ember.full((1, 50), 0.5), 0.97).numpy()
    assert loud.max() == 1.0                                  # torchaudio's lfilter clamps to [-1, 1]
    f32 = AF.deemphasis(tensor(noncontiguous(x.astype(np.float32))), 0.9)
    assert f32.dtype == ember.float32
    np.testing.assert_allclose(f32.numpy(), scipy.signal.lfilter([1.0], [1.0, -0.9], x), rtol=1e-4, atol=1e-6)
    assert tuple(AF.deemphasis(ember.zeros(2, 0)).shape) == (2, 0)


def test_emphasis_gradients_and_errors():
    check_grad(lambda t: AF.preemphasis(t, 0.8), randn(2, 7))
    check_grad(lambda t: AF.deemphasis(t * 0.05, 0.8), randn(2, 7))
    with pytest.raises(TypeError, match="floating point"):
        AF.deemphasis(ember.zeros(4, dtype=ember.int64))
    with pytest.raises(RuntimeError, match="floating point"):
        AF.preemphasis(ember.zeros(4, dtype=ember.int64))
    with pytest.raises(IndexError, match="time"):
        AF.preemphasis(ember.tensor(1.0))


def test_one_pole_filter_is_left_alone_by_reading_its_input():
    x = tensor(randn(5))
    before = x.numpy().copy()
    filtering_module._one_pole(x, 0.5)
    np.testing.assert_array_equal(x.numpy(), before)


def test_mu_law_round_trip_and_formula():
    x = np.linspace(-1, 1, 101)
    mu = 255.0
    expected = np.floor((np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu) + 1) / 2 * mu + 0.5)
    encoded = AF.mu_law_encoding(tensor(x), 256)
    assert encoded.dtype == ember.int64
    np.testing.assert_array_equal(encoded.numpy(), expected)
    decoded = AF.mu_law_decoding(encoded, 256).numpy()
    assert np.abs(decoded - x).max() < 0.021         # half a step of the coarsest (outermost) level
    y = np.sign(2 * expected / mu - 1) * ((1 + mu) ** np.abs(2 * expected / mu - 1) - 1) / mu
    np.testing.assert_allclose(decoded, y, rtol=1e-5, atol=1e-7)
    with pytest.warns(UserWarning, match="floating type"):
        AF.mu_law_encoding(ember.tensor([0, 1]), 256)


def test_docstring_examples():
    for module in (functional_module, filtering_module, AF):
        result = doctest.testmod(module, globs={"ember": ember})
        assert result.failed == 0
    assert doctest.testmod(functional_module, globs={"ember": ember}).attempted > 10
