"""Fixtures shared by the audio tests: the paths of the real recordings Debian ships (spoken digits at 8 kHz,
LibriVox utterances at 16 kHz). The local HTTP server fixtures come from tests/conftest.py."""

import os

import pytest

DIGITS_DIR = "/usr/share/asterisk/sounds/en_US_f_Allison/digits"        # Debian asterisk-core-sounds-en-wav
LIBRIVOX_DIR = "/usr/share/pocketsphinx/test/data/librivox"              # Debian pocketsphinx-testdata


def _real_wavs(directory, package):
    if not os.path.isdir(directory):
        pytest.skip(f"real recordings absent: install the Debian package {package} ({directory})")
    return sorted(os.path.join(directory, name) for name in os.listdir(directory) if name.endswith(".wav"))


@pytest.fixture
def digit_wavs():
    """The spoken-digit WAV files 0.wav .. 9.wav (8 kHz mono, 16-bit), or a skip naming the package."""
    wavs = _real_wavs(DIGITS_DIR, "asterisk-core-sounds-en-wav")
    digits = [path for path in wavs if os.path.basename(path)[:-4] in {str(d) for d in range(10)}]
    if len(digits) != 10:
        pytest.skip(f"expected the ten digit recordings 0.wav..9.wav in {DIGITS_DIR}")
    return digits


@pytest.fixture
def librivox_wavs():
    """The LibriVox utterances of pocketsphinx-testdata (16 kHz mono, 16-bit), or a skip naming the package."""
    return _real_wavs(LIBRIVOX_DIR, "pocketsphinx-testdata")


