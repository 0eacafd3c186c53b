"""SST2: the Stanford Sentiment Treebank's binary sentences (GLUE's SST-2), as torchtext reads them.

The zip ``root/SST2/SST-2.zip`` (torchtext's URL and MD5) holds ``SST-2/train.tsv``, ``dev.tsv`` and ``test.tsv``;
the split's file is taken out once into ``root/SST2/SST-2/``.
"""

import csv
import os

from ..data.datasets_utils import TextIterableDataset, download_verified, extract_zip_member, wrap_split_argument

__all__ = ["SST2"]

URL = "https://dl.fbaipublicfiles.com/glue/data/SST-2.zip"
MD5 = "9f81648d4199384278b86e315dac217c"
NUM_LINES = {"train": 67349, "dev": 872, "test": 1821}
DATASET_NAME = "SST2"
_PATH = "SST-2.zip"
_EXTRACTED_FILES = {split: f"SST-2/{split}.tsv" for split in ("train", "dev", "test")}


def _rows(path, split):
    with open(path, encoding="utf-8", newline="") as stream:
        rows = csv.reader(stream, delimiter="\t")
        next(rows, None)                      # the header line
        for row in rows:
            yield (row[1].strip(),) if split == "test" else (row[0].strip(), int(row[1]))


@wrap_split_argument(DATASET_NAME, ("train", "dev", "test"))
def SST2(root, split):
    """SST2: yields ``(text, label)`` with label 0 (negative) or 1 (positive); the test split has no labels and
    yields ``(text,)``.

    ``root`` (default ``~/.torchtext/cache``) holds the ``SST2`` folder; ``split`` is ``"train"``, ``"dev"``,
    ``"test"`` or a tuple of them. Lines per split: train 67349, dev 872, test 1821.

    >>> NUM_LINES["dev"]
    872
    """
    archive = download_verified(URL, os.path.join(root, _PATH), MD5)
    member = _EXTRACTED_FILES[split]
    path = extract_zip_member(archive, member, os.path.join(root, *member.split("/")))
    return TextIterableDataset(DATASET_NAME, split, lambda: _rows(path, split))
