"""SPEECHCOMMANDS (torchaudio.datasets.SPEECHCOMMANDS): one-second 16 kHz clips of 35 spoken words.

The archive ``speech_commands_v0.0x.tar.gz`` unpacks into ``root/SpeechCommands/speech_commands_v0.0x/``: one
folder per word holding ``<speaker>_nohash_<n>.wav`` clips, ``_background_noise_/`` (not part of the dataset),
and ``validation_list.txt`` / ``testing_list.txt`` naming the clips (``word/file.wav``) of those two subsets;
training is every other clip.
"""

import os

from ...utils.data import Dataset
from .utils import download, extract_tar, load_waveform

__all__ = ["SPEECHCOMMANDS"]

FOLDER_IN_ARCHIVE = "SpeechCommands"
URL = "speech_commands_v0.02"
HASH_DIVIDER = "_nohash_"
EXCEPT_FOLDER = "_background_noise_"
SAMPLE_RATE = 16000
_CHECKSUMS = {
    "http://download.tensorflow.org/data/speech_commands_v0.01.tar.gz":
        "743935421bb51cccdb6bdd152e04c5c70274e935c82119ad7faeec31780d811d",
    "http://download.tensorflow.org/data/speech_commands_v0.02.tar.gz":
        "af14739ee7dc311471de98f5f9d2c9191b18aedfe957f4a6ff791c709868ff58",
}
_SUBSETS = ("training", "validation", "testing")


def _load_list(root, *filenames):
    """The normalised paths (under ``root``) named by the lines of the given list files."""
    paths = []
    for filename in filenames:
        with open(os.path.join(root, filename)) as listing:
            paths += [os.path.normpath(os.path.join(root, line.strip())) for line in listing if line.strip()]
    return paths


def _clips(path):
    """Every ``<word>/<speaker>_nohash_<n>.wav`` under ``path``, sorted, without the background noise folder."""
    found = []
    for word in sorted(os.listdir(path)):
        folder = os.path.join(path, word)
        if word == EXCEPT_FOLDER or not os.path.isdir(folder):
            continue
        found += [os.path.join(folder, name) for name in os.listdir(folder)
                  if name.endswith(".wav") and HASH_DIVIDER in name]
    return sorted(found)


def _get_speechcommands_metadata(filepath, path):
    """(path relative to ``path``, sample rate, word, speaker id, utterance number) of one clip."""
    relpath = os.path.relpath(filepath, path)
    reldir, filename = os.path.split(relpath)
    label = os.path.basename(reldir)
    speaker = os.path.splitext(os.path.splitext(filename)[0])[0]      # test-set archives have "x.wav.wav" names
    speaker_id, utterance_number = speaker.split(HASH_DIVIDER)
    return relpath, SAMPLE_RATE, label, speaker_id, int(utterance_number)


class SPEECHCOMMANDS(Dataset):
    """Speech Commands found in (or downloaded to) ``root``: items are ``(waveform, sample_rate, label,
    speaker_id, utterance_number)``.

    ``url`` is a full URL or ``"speech_commands_v0.01"``/``"speech_commands_v0.02"``; ``subset`` is None (all
    clips), ``"training"``, ``"validation"`` or ``"testing"``.

    >>> SPEECHCOMMANDS("data", subset="train")
    Traceback (most recent call last):
    ...
    ValueError: When `subset` is not None, it must be one of ['training', 'validation', 'testing'].
    """

    def __init__(self, root, url=URL, folder_in_archive=FOLDER_IN_ARCHIVE, download=False, subset=None):
        if subset is not None and subset not in _SUBSETS:
            raise ValueError("When `subset` is not None, it must be one of ['training', 'validation', 'testing'].")
        if url in ("speech_commands_v0.01", "speech_commands_v0.02"):
            url = f"http://download.tensorflow.org/data/{url}.tar.gz"
        root = os.fspath(root)
        self._archive = os.path.join(root, folder_in_archive)
        basename = os.path.basename(url)
        archive = os.path.join(root, basename)
        self._path = os.path.join(root, folder_in_archive, basename.rsplit(".", 2)[0])
        if download:
            if not os.path.isdir(self._path):
                if not os.path.isfile(archive):
                    _download(url, archive)
                extract_tar(archive, self._path)
        elif not os.path.exists(self._path):
            raise RuntimeError(f"The path {self._path} doesn't exist. Please check the ``root`` path or set "
                               "`download=True` to download it")
        self._walker = self._select(subset)

    def _select(self, subset):
        if subset == "validation":
            return _load_list(self._path, "validation_list.txt")
        if subset == "testing":
            return _load_list(self._path, "testing_list.txt")
        clips = _clips(self._path)
        if subset == "training":
            excluded = set(_load_list(self._path, "validation_list.txt", "testing_list.txt"))
            return [clip for clip in clips if os.path.normpath(clip) not in excluded]
        return clips

    def get_metadata(self, n):
        """The n-th item with the clip's path (relative to ``root/folder_in_archive``) instead of its waveform."""
        return _get_speechcommands_metadata(self._walker[n], self._archive)

    def __getitem__(self, n):
        """``(waveform, sample_rate, label, speaker_id, utterance_number)`` of the n-th clip."""
        metadata = self.get_metadata(n)
        return (load_waveform(self._archive, metadata[0], metadata[1]),) + metadata[1:]

    def __len__(self):
        return len(self._walker)


def _download(url, archive):
    download(url, archive, hash_prefix=_CHECKSUMS.get(url))
