"""Parity of ember.stft / ember.istft with torch's: values, layouts, defaults, gradients (signal and window),
warnings and errors, including istft's window-envelope (NOLA) check and its ``length`` argument."""

import warnings

import numpy as np
import pytest
from helpers import check_grad, noncontiguous, parity, randn, same_error, same_result, torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember

WINDOWS = ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]


def crandn(*shape, dtype=np.complex128):
    return np.asarray(randn(*shape) + 1j * randn(*shape)).astype(dtype)


def window(m, name, length, dtype=None):
    return getattr(m, name)(length, dtype=dtype if dtype is None else getattr(m, dtype))


@pytest.fixture(autouse=True)
def _quiet():
    """The deprecation and missing-window warnings are checked in their own tests."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


# ----------------------------------------------------------------------------- stft

@pytest.mark.parametrize("name", WINDOWS)
@pytest.mark.parametrize("shape", [(50,), (3, 40)])
def test_stft_windows(name, shape):
    parity(lambda m, x: m.stft(x, 16, window=window(m, name, 16, "float64"), return_complex=True), randn(*shape))
    parity(lambda m, x: m.stft(x, 16, hop_length=5, window=window(m, name, 16), return_complex=True),
           randn(*shape, dtype=np.float32), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("options", [dict(center=False), dict(normalized=True), dict(onesided=False),
                                     dict(win_length=10), dict(win_length=9, hop_length=3), dict(hop_length=7),
                                     dict(pad_mode="constant"), dict(pad_mode="replicate"), dict(pad_mode="circular"),
                                     dict(center=False, align_to_window=True, win_length=9),
                                     dict(center=False, align_to_window=False)])
def test_stft_options(options):
    length = options.get("win_length", 16)
    parity(lambda m, x, w: m.stft(x, 16, window=w, return_complex=True, **options), randn(2, 60), np.hanning(length))
    parity(lambda m, x: m.stft(x, 16, return_complex=True, **options), randn(60))       # the rectangular window


def test_stft_defaults_and_method():
    parity(lambda m, x, w: (x.stft(12, window=w, return_complex=True), m.stft(x, n_fft=12, hop_length=None,
                                                                                win_length=None, window=w,
                                                                                return_complex=True)),
           randn(45), np.hanning(12))
    parity(lambda m, x: m.stft(x, 12, window=m.ones(12, dtype=m.float64), return_complex=True),
           noncontiguous(randn(3, 40)))


def test_stft_real_layout():
    parity(lambda m, x, w: m.stft(x, 16, window=w, return_complex=False), randn(2, 50), np.hanning(16))
    parity(lambda m, z, w: m.stft(z, 16, window=w, return_complex=False), crandn(50), np.hanning(16))


def test_stft_complex_input_and_window():
    parity(lambda m, z, w: m.stft(z, 16, window=w), crandn(50), np.hanning(16))
    parity(lambda m, z, w: m.stft(z, 16, window=w, onesided=False, return_complex=True), crandn(2, 50),
           np.hanning(16))
    parity(lambda m, x, w: m.stft(x, 16, window=w, return_complex=True), randn(50), crandn(16))
    parity(lambda m, z, w: m.stft(z, 16, window=w, pad_mode="reflect"), crandn(50, dtype=np.complex64),
           np.hanning(16).astype(np.float32), rtol=1e-4, atol=1e-5)


def test_stft_dtypes():
    parity(lambda m, x, w: m.stft(x, 16, window=w, return_complex=True), randn(50), np.hanning(16).astype(np.float32))
    parity(lambda m, x, w: m.stft(x, 16, window=w, return_complex=True), randn(50, dtype=np.float32),
           np.ones(16, dtype=np.int64), rtol=1e-4, atol=1e-5)


def test_stft_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.stft(ember.randn(40), 8, window=ember.hann_window(8), return_complex=True)
    with pytest.warns(UserWarning, match="return_complex=False is deprecated"):
        ember.stft(ember.randn(40), 8, window=ember.hann_window(8), return_complex=False)
    with pytest.warns(UserWarning, match="A window was not provided"):
        ember.stft(ember.randn(40), 8, return_complex=True)


def test_stft_errors():
    x = randn(100)
    same_error(lambda m, a: m.stft(a, 16, window=m.hann_window(16, dtype=m.float64)), x, match="return_complex")
    same_error(lambda m, a: m.stft(a, 4, window=m.hann_window(4), return_complex=True), randn(2, 5, 10))
    same_error(lambda m, a: m.stft(a, 4, window=m.hann_window(4), return_complex=True), np.array(1.0))
    same_error(lambda m, a: m.stft(a, 0, return_complex=True), x, match="n_fft")
    same_error(lambda m, a: m.stft(a, 200, center=False, return_complex=True), x, match="n_fft")
    same_error(lambda m, a: m.stft(a, 16, hop_length=0, return_complex=True), x, match="hop_length")
    same_error(lambda m, a: m.stft(a, 16, win_length=20, return_complex=True), x, match="win_length")
    same_error(lambda m, a: m.stft(a, 16, win_length=0, return_complex=True), x, match="win_length")
    same_error(lambda m, a, w: m.stft(a, 16, window=w, return_complex=True), x, np.ones(10), match="window")
    same_error(lambda m, a, w: m.stft(a, 16, window=w, return_complex=True), x, np.ones((4, 4)))
    same_error(lambda m, a: m.stft(a, 16, pad_mode="foo", return_complex=True), x)
    same_error(lambda m, a: m.stft(a, 16, return_complex=True), randn(5))
    same_error(lambda m, a: m.stft(a, 16, return_complex=True, align_to_window=True), x)
    same_error(lambda m, a: m.stft(a.to(m.complex128), 16, onesided=True, return_complex=True), x)
    same_error(lambda m, a: m.stft(a, 16, hop_length=2.5, return_complex=True), x)
    same_error(lambda m, a: m.stft(a, 16.0, return_complex=True), x)
    same_error(lambda m: m.stft(m.arange(100), 16, window=m.hann_window(16), return_complex=True),
               match="floating point or complex")


# ----------------------------------------------------------------------------- istft

@pytest.mark.parametrize("name", WINDOWS[:3])
@pytest.mark.parametrize("options", [dict(), dict(hop_length=5), dict(normalized=True), dict(win_length=12),
                                     dict(onesided=False)])
def test_istft(name, options):
    frames = 9 if options.get("onesided", True) else 16
    spectrum = crandn(2, frames, 11)
    win = options.get("win_length", 16)
    parity(lambda m, s: m.istft(s, 16, window=window(m, name, win, "float64"), **options), spectrum)
    parity(lambda m, s: m.istft(s[0], 16, window=window(m, name, win, "float64"), length=40, **options), spectrum)


def test_istft_round_trip():
    x = ember.randn(3, 100, dtype=ember.float64)
    windows = (ember.hann_window(16, dtype=ember.float64), ember.hamming_window(16, dtype=ember.float64))
    for hop, win in zip((4, 8), windows):
        spectrum = ember.stft(x, 16, hop_length=hop, window=win, return_complex=True)
        assert ember.allclose(ember.istft(spectrum, 16, hop_length=hop, window=win, length=100), x)
        assert ember.allclose(spectrum.istft(16, hop_length=hop, window=win, length=100), x)


@pytest.mark.parametrize("length", [50, 100, 103, 130])
def test_istft_length(length):
    spectrum = crandn(9, 26)
    parity(lambda m, s: m.istft(s, 16, window=m.hann_window(16, dtype=m.float64), length=length), spectrum)


def test_istft_length_past_the_frames_warns():
    spectrum = crandn(9, 26)
    with pytest.warns(UserWarning, match="padded with zeros"):
        ember.istft(ember.tensor(spectrum), 16, window=ember.hann_window(16, dtype=ember.float64), length=130)


def test_istft_complex_output_and_dtypes():
    parity(lambda m, s, w: m.istft(s, 16, window=w, return_complex=True), crandn(16, 11), np.hanning(16) + 0.1)
    parity(lambda m, s, w: m.istft(s, 16, window=w, return_complex=True), crandn(16, 11), crandn(16))
    parity(lambda m, s, w: m.istft(s, 16, window=w), crandn(9, 11, dtype=np.complex64),
           np.hanning(16) + 0.1)        # float64 window: a float64 signal
    parity(lambda m, s: m.istft(s, 16, center=False), crandn(9, 11, dtype=np.complex64), rtol=1e-4, atol=1e-5)


def test_istft_warnings():
    spectrum = ember.randn(9, 11, dtype=ember.complex64)
    with pytest.warns(UserWarning, match="A window was not provided"):
        ember.istft(spectrum, 16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.istft(spectrum, 16, window=ember.hann_window(16))


def test_istft_window_envelope_check():
    spectrum = crandn(9, 22)
    same_error(lambda m, s: m.istft(s, 16, window=m.hann_window(16, dtype=m.float64), center=False), spectrum,
               match="window overlap add min")
    same_error(lambda m, s: m.istft(s, 16, window=m.zeros(16, dtype=m.float64)), spectrum,
               match="window overlap add min")
    same_error(lambda m, s: m.istft(s, 16, win_length=10, window=m.hann_window(10, dtype=m.float64), length=130),
               crandn(9, 26), match="window overlap add min")


def test_istft_errors():
    spectrum = crandn(9, 26)
    same_error(lambda m, s: m.istft(m.view_as_real(s), 16), spectrum, match="complex-valued")
    same_error(lambda m, s: m.istft(s, 20), spectrum, match="n_fft / 2 \\+ 1")
    same_error(lambda m, s: m.istft(s, 16, onesided=False), spectrum, match="match n_fft when onesided=False")
    same_error(lambda m, s: m.istft(s, 16, return_complex=True), spectrum, match="onesided")
    same_error(lambda m, s: m.istft(s, 16, hop_length=20), spectrum, match="hop_length")
    same_error(lambda m, s: m.istft(s, 16, hop_length=0), spectrum)
    same_error(lambda m, s: m.istft(s, 16, win_length=20), spectrum, match="win_length")
    same_error(lambda m, s: m.istft(s, 16, window=m.ones(10)), spectrum, match="Invalid window shape")
    same_error(lambda m, s: m.istft(s[:, :0], 16), spectrum, match="cannot be empty")
    same_error(lambda m, s: m.istft(s[None, None], 16), spectrum, match="3 or 4 dimensions")
    same_error(lambda m, s: m.istft(s[0], 16), spectrum)
    same_error(lambda m, s: m.istft(s, 16, length=0), spectrum)
    same_error(lambda m, s: m.istft(s, 16, window=m.ones(16, dtype=m.complex64)), spectrum, match="Complex windows")


# ----------------------------------------------------------------------------- gradients

def test_gradients_reach_signal_and_window():
    parity(lambda m, x, w: m.stft(x, 12, hop_length=3, window=w, return_complex=True), randn(2, 40),
           np.hanning(12) + 0.1)
    parity(lambda m, x, w: m.stft(x, 12, hop_length=5, win_length=8, window=w, return_complex=True, normalized=True,
                                  onesided=False, pad_mode="replicate"), randn(2, 40), np.hanning(8) + 0.1)
    parity(lambda m, s, w: m.istft(s, 12, hop_length=3, window=w, length=45), crandn(2, 7, 11), np.hanning(12) + 0.1)
    parity(lambda m, s, w: m.istft(s, 12, hop_length=3, window=w, normalized=True, length=20), crandn(7, 11),
           np.hanning(12) + 0.1)


def test_finite_differences():
    window_values = np.hanning(12) + 0.1
    check_grad(lambda x, w: ember.view_as_real(ember.stft(x, 12, hop_length=3, window=w, return_complex=True)),
               randn(2, 30), window_values)
    check_grad(lambda x: ember.stft(x, 8, window=ember.hann_window(8, dtype=ember.float64), return_complex=False,
                                    center=False), randn(20))
    check_grad(lambda a, b, w: ember.istft(ember.complex(a, b), 12, hop_length=3, window=w, length=30),
               randn(7, 11), randn(7, 11), window_values)


# ----------------------------------------------------------------------------- properties over sizes

@settings(max_examples=25, deadline=None)
@given(st.integers(2, 20), st.integers(1, 8), st.integers(0, 40), st.booleans())
def test_round_trip_over_sizes(n_fft, hop, extra, center):
    hop = min(hop, max(n_fft // 2, 1))      # overlap enough for a nonzero Hann envelope
    length = n_fft + extra + (n_fft if center else 0)
    signal = randn(length)
    win = ember.hann_window(n_fft, dtype=ember.float64) ** 0.5 + 0.05

    def both(m):
        w = m.tensor(win.numpy())
        spectrum = m.stft(m.tensor(signal), n_fft, hop_length=hop, window=w, center=center, return_complex=True)
        return spectrum, m.istft(spectrum, n_fft, hop_length=hop, window=w, center=center)

    if torch is None:
        pytest.skip("PyTorch is not installed")
    spectrum, restored = same_result(both, rtol=1e-6, atol=1e-9)
    covered = restored.shape[-1]        # the frames reach this far into the signal
    assert np.allclose(restored.numpy(), signal[:covered], atol=1e-8)
