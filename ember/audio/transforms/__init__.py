"""``ember.audio.transforms``: torchaudio.transforms' counterpart, ``nn.Module`` transforms of waveforms and
spectrograms (the classes live in ``_transforms.py``, the STFT-based ones in ``_spectral.py``).

>>> import ember.audio.transforms as T
>>> T.Resample(8000, 16000)(ember.zeros(1, 8000)).shape
ember.Size([1, 16000])
"""

from ._spectral import *  # noqa: F403 (the spectral classes, listed in _spectral.__all__)
from ._spectral import __all__ as _spectral_names
from ._transforms import *  # noqa: F403 (the classes, listed in _transforms.__all__)
from ._transforms import __all__ as _class_names

__all__ = list(_class_names) + list(_spectral_names)
