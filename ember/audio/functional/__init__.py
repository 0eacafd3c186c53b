"""``ember.audio.functional``: torchaudio.functional's counterpart, functions on waveforms and spectrograms.

``functional.py`` holds the signal functions (filter banks, DCT, decibels, masking, resampling, deltas, noise,
emphasis, mu-law), ``filtering.py`` the filters and level changes, ``spectral.py`` the spectrograms, Griffin-Lim,
the phase vocoder and pitch shifting.

>>> import ember.audio.functional as AF
>>> AF.resample(ember.zeros(2, 8000), 8000, 16000).shape
ember.Size([2, 16000])
"""

from . import filtering, functional, spectral
from .filtering import *  # noqa: F403 (the names in filtering.__all__)
from .functional import *  # noqa: F403 (the names in functional.__all__)
from .spectral import *  # noqa: F403 (the names in spectral.__all__)

__all__ = list(filtering.__all__) + list(functional.__all__) + list(spectral.__all__)
