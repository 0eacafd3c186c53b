"""torchaudio.datasets for ember: YESNO and SPEECHCOMMANDS with torchaudio's URLs, checksums and layouts, and
AudioFolder for labelled clips kept one folder per class.

``download=True`` fetches an archive (SHA-256 checked, progress bar on a terminal) and unpacks it atomically;
items hold ember tensors read by ``ember.audio.load``.

>>> from ember.audio import datasets
>>> sorted(datasets.__all__)
['AudioFolder', 'SPEECHCOMMANDS', 'YESNO']
"""

from .folder import AudioFolder
from .speechcommands import SPEECHCOMMANDS
from .yesno import YESNO

__all__ = ["AudioFolder", "SPEECHCOMMANDS", "YESNO"]
