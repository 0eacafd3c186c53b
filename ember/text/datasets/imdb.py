"""IMDB: 50,000 movie reviews labelled negative (1) or positive (2), as torchtext reads them.

The archive ``root/IMDB/aclImdb_v1.tar.gz`` (torchtext's URL and MD5) holds ``aclImdb/<split>/<neg|pos>/*.txt``,
one review a file. On first use each split is read out of the archive once into
``root/IMDB/aclImdb_v1/<split>/neg`` and ``.../pos`` (one review a line, written atomically); later passes read
those files.
"""

import os
import tarfile
from pathlib import PurePosixPath

from ..._files import atomic_write
from ..data.datasets_utils import TextIterableDataset, download_verified, wrap_split_argument

__all__ = ["IMDB"]

URL = "http://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
MD5 = "7c2ac02c03563afcf9b574c7e56c153a"
NUM_LINES = {"train": 25000, "test": 25000}
MAP_LABELS = {"neg": 1, "pos": 2}
DATASET_NAME = "IMDB"
_PATH = "aclImdb_v1.tar.gz"
_DECOMPRESSED_FOLDER = "aclImdb_v1"


def _review_text(data):
    """One review as one line: its lines joined by spaces (blank lines dropped)."""
    lines = data.decode("utf-8").splitlines()
    return " ".join(line for line in lines if line)


def _reviews_by_label(archive, split):
    """{label: [review, ...]} for the review files of ``split`` in the archive, in archive order."""
    reviews = {label: [] for label in MAP_LABELS}
    with tarfile.open(archive, "r:*") as bundle:
        for member in bundle:
            parts = PurePosixPath(member.name).parts
            if member.isfile() and len(parts) >= 3 and parts[-3] == split and parts[-2] in reviews:
                reviews[parts[-2]].append(_review_text(bundle.extractfile(member).read()))
    return reviews


def _cache_split(archive, folder, split):
    """Write ``folder/neg`` and ``folder/pos`` (one review a line) unless both are there already."""
    targets = {label: os.path.join(folder, label) for label in MAP_LABELS}
    if all(os.path.isfile(path) for path in targets.values()):
        return targets
    os.makedirs(folder, exist_ok=True)
    for label, reviews in _reviews_by_label(archive, split).items():
        text = "".join(review + "\n" for review in reviews)
        atomic_write(targets[label], lambda stream, text=text: stream.write(text.encode("utf-8")))
    return targets


def _rows(targets):
    for label, path in targets.items():
        with open(path, encoding="utf-8") as stream:
            for line in stream:
                yield MAP_LABELS[label], line.rstrip("\n")


@wrap_split_argument(DATASET_NAME, ("train", "test"))
def IMDB(root, split):
    """IMDB: yields ``(label, review)`` with label 1 (negative) or 2 (positive), negative reviews first.

    ``root`` (default ``~/.torchtext/cache``) holds the ``IMDB`` folder; ``split`` is ``"train"``, ``"test"`` or
    a tuple of them. Lines per split: train 25000, test 25000.

    >>> MAP_LABELS
    {'neg': 1, 'pos': 2}
    """
    archive = download_verified(URL, os.path.join(root, _PATH), MD5)
    targets = _cache_split(archive, os.path.join(root, _DECOMPRESSED_FOLDER, split), split)
    return TextIterableDataset(DATASET_NAME, split, lambda: _rows(targets))
