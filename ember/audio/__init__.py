"""ember.audio: torchaudio's counterpart: ``load``/``save``/``info`` for audio files, and datasets.

Everything loads on first use, so ``import ember.audio`` stays as light as ``import ember``. WAV files need only
NumPy; FLAC, OGG and MP3 need the optional ``soundfile`` package (``pip install "ember[audio]"``).

>>> import ember.audio as audio
>>> audio.AudioMetaData(16000, 16000, 1, 16, "PCM_S").num_frames
16000
"""

import importlib
import importlib.util

_BACKEND_NAMES = ("load", "save", "info", "AudioMetaData", "list_audio_backends")
_LAZY_SUBMODULES = ("datasets", "functional", "transforms")

__all__ = list(_BACKEND_NAMES + _LAZY_SUBMODULES)


def __getattr__(name):
    if name in _BACKEND_NAMES:
        return getattr(importlib.import_module(f"{__name__}._backend"), name)
    if name in _LAZY_SUBMODULES or (not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}")):
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'ember.audio' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
