"""``ember.audio.transforms``: torchaudio.transforms' counterpart, ``nn.Module`` transforms of waveforms and
spectrograms (the classes live in ``_transforms.py``).

>>> import ember.audio.transforms as T
>>> T.Resample(8000, 16000)(ember.zeros(1, 8000)).shape
ember.Size([1, 16000])
"""

from ._transforms import *  # noqa: F403 (the classes, listed in _transforms.__all__)
from ._transforms import __all__ as _class_names

__all__ = list(_class_names)
