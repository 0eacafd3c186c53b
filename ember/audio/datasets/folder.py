"""AudioFolder: labelled clips stored one folder per class, ``root/<label>/<clip>.wav`` (ImageFolder for audio).

Classes are the sub-directory names in sorted order; samples are every audio file below each (sorted, symbolic
links followed). An item is ``(waveform, sample_rate, class_index)``, the torchaudio dataset convention.
"""

import os

from ...utils.data import Dataset
from .._backend import load

__all__ = ["AudioFolder", "AUDIO_EXTENSIONS", "default_loader", "find_classes", "make_dataset", "is_audio_file"]

AUDIO_EXTENSIONS = (".wav", ".wave", ".flac", ".ogg", ".mp3")


def is_audio_file(filename):
    """Whether ``filename`` (any case) ends with one of ``AUDIO_EXTENSIONS``.

    >>> is_audio_file("YES.WAV"), is_audio_file("notes.txt")
    (True, False)
    """
    return filename.lower().endswith(AUDIO_EXTENSIONS)


def default_loader(path):
    """``(waveform, sample_rate)`` of the file at ``path``, read with ``ember.audio.load``.

    >>> callable(default_loader)
    True
    """
    return load(path)


def find_classes(directory):
    """The sorted sub-directory names of ``directory`` and the map from name to class index.

    >>> import tempfile, os; folder = tempfile.mkdtemp()
    >>> for name in ("yes", "no"): os.mkdir(os.path.join(folder, name))
    >>> find_classes(folder)
    (['no', 'yes'], {'no': 0, 'yes': 1})
    """
    classes = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
    if not classes:
        raise FileNotFoundError(f"Couldn't find any class folder in {directory}.")
    return classes, {name: index for index, name in enumerate(classes)}


def make_dataset(directory, class_to_idx, is_valid_file=None, allow_empty=False):
    """The ``(path, class_index)`` of every valid file under each class folder, in sorted order.

    A class without any valid file raises FileNotFoundError unless ``allow_empty=True``.

    >>> import tempfile, os; folder = tempfile.mkdtemp(); os.mkdir(os.path.join(folder, "yes"))
    >>> _ = open(os.path.join(folder, "yes", "a.wav"), "w")
    >>> [(os.path.basename(path), index) for path, index in make_dataset(folder, {"yes": 0})]
    [('a.wav', 0)]
    """
    is_valid = is_audio_file if is_valid_file is None else is_valid_file
    samples, found = [], set()
    for class_name in sorted(class_to_idx):
        class_dir = os.path.join(directory, class_name)
        if not os.path.isdir(class_dir):
            continue
        for folder, _, names in sorted(os.walk(class_dir, followlinks=True)):
            for name in sorted(names):
                path = os.path.join(folder, name)
                if is_valid(path):
                    samples.append((path, class_to_idx[class_name]))
                    found.add(class_name)
    empty = sorted(set(class_to_idx) - found)
    if empty and not allow_empty:
        raise FileNotFoundError(f"Found no valid file for the classes {', '.join(empty)}. Supported extensions "
                                f"are: {', '.join(AUDIO_EXTENSIONS)}")
    return samples


class AudioFolder(Dataset):
    """Clips in class folders: items are ``(transform(waveform), sample_rate, target_transform(class_index))``.

    ``loader(path)`` returns ``(waveform, sample_rate)``; ``is_valid_file(path)`` replaces the extension test.
    Attributes as ImageFolder's: ``classes``, ``class_to_idx``, ``samples`` (path, index) and ``targets``.

    >>> import tempfile, os; folder = tempfile.mkdtemp(); os.mkdir(os.path.join(folder, "yes"))
    >>> _ = open(os.path.join(folder, "yes", "a.wav"), "w")
    >>> AudioFolder(folder, loader=lambda path: ("clip", 8000))[0]
    ('clip', 8000, 0)
    """

    def __init__(self, root, transform=None, target_transform=None, loader=default_loader, is_valid_file=None,
                 allow_empty=False):
        self.root = os.fspath(root)
        self.transform = transform
        self.target_transform = target_transform
        self.loader = loader
        self.classes, self.class_to_idx = self.find_classes(self.root)
        self.samples = self.make_dataset(self.root, self.class_to_idx, is_valid_file, allow_empty)
        self.targets = [target for _, target in self.samples]

    def find_classes(self, directory):
        """The class names and their indices; override to use a subset of the folders."""
        return find_classes(directory)

    @staticmethod
    def make_dataset(directory, class_to_idx, is_valid_file=None, allow_empty=False):
        """The ``(path, class_index)`` samples; override to read another layout."""
        return make_dataset(directory, class_to_idx, is_valid_file, allow_empty)

    def __getitem__(self, index):
        """``(waveform, sample_rate, target)`` of the index-th clip, after the transforms."""
        path, target = self.samples[index]
        waveform, sample_rate = self.loader(path)
        if self.transform is not None:
            waveform = self.transform(waveform)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return waveform, sample_rate, target

    def __len__(self):
        return len(self.samples)

    def __repr__(self):
        return (f"Dataset {type(self).__name__}\n    Number of datapoints: {len(self)}\n    Root location: "
                f"{self.root}\n    Classes: {len(self.classes)}")
