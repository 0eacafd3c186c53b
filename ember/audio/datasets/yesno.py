"""YESNO (torchaudio.datasets.YESNO): 60 recordings of one man saying eight Hebrew words, each "yes" or "no".

The archive ``waves_yesno.tar.gz`` (OpenSLR resource 1) holds ``waves_yesno/<labels>.wav`` files, 8 kHz mono,
whose names are the eight labels (0 = no, 1 = yes) joined by underscores, e.g. ``0_1_0_0_1_0_1_1.wav``.
"""

import os

from ...utils.data import Dataset
from .._backend import load
from .utils import download, extract_tar

__all__ = ["YESNO"]

_RELEASE_CONFIGS = {
    "release1": {
        "folder_in_archive": "waves_yesno",
        "url": "http://www.openslr.org/resources/1/waves_yesno.tar.gz",
        "checksum": "c3f49e0cca421f96b75b41640749167b52118f232498667ca7a5f9416aef8e73",
    }
}


class YESNO(Dataset):
    """The YesNo dataset found in (or downloaded to) ``root``: items are ``(waveform, sample_rate, labels)``.

    ``download=True`` fetches the archive when ``root/folder_in_archive`` is missing and checks its SHA-256
    (the release's, whatever ``url`` serves it).

    >>> import tempfile
    >>> YESNO(tempfile.mkdtemp())
    Traceback (most recent call last):
    ...
    RuntimeError: Dataset not found. Please use `download=True` to download it.
    """

    def __init__(self, root, url=_RELEASE_CONFIGS["release1"]["url"],
                 folder_in_archive=_RELEASE_CONFIGS["release1"]["folder_in_archive"], download=False):
        root = os.fspath(root)
        archive = os.path.join(root, os.path.basename(url))
        self._path = os.path.join(root, folder_in_archive)
        if download and not os.path.isdir(self._path):
            if not os.path.isfile(archive):
                _download(url, archive)
            extract_tar(archive)
        if not os.path.isdir(self._path):
            raise RuntimeError("Dataset not found. Please use `download=True` to download it.")
        self._walker = sorted(name[:-4] for name in os.listdir(self._path) if name.endswith(".wav"))

    def _load_item(self, fileid, path):
        labels = [int(label) for label in fileid.split("_")]
        waveform, sample_rate = load(os.path.join(path, fileid + ".wav"))
        return waveform, sample_rate, labels

    def __getitem__(self, n):
        """``(waveform, sample_rate, labels)`` of the n-th recording (sorted by file name)."""
        return self._load_item(self._walker[n], self._path)

    def __len__(self):
        return len(self._walker)


def _download(url, archive):
    download(url, archive, hash_prefix=_RELEASE_CONFIGS["release1"]["checksum"])
