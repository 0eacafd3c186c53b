"""WikiText2: about 2 million tokens of Wikipedia articles for language modelling, as torchtext reads them.

The zip ``root/WikiText2/wikitext-2-v1.zip`` (torchtext's URL and MD5) holds ``wikitext-2/wiki.train.tokens``,
``wiki.valid.tokens`` and ``wiki.test.tokens``; the split's file is taken out once into ``root/WikiText2/wikitext-2/``.
"""

import os

from ..data.datasets_utils import TextIterableDataset, download_verified, extract_zip_member, wrap_split_argument

__all__ = ["WikiText2"]

URL = "https://s3.amazonaws.com/research.metamind.io/wikitext/wikitext-2-v1.zip"
MD5 = "542ccefacc6c27f945fb54453812b3cd"
NUM_LINES = {"train": 36718, "valid": 3760, "test": 4358}
DATASET_NAME = "WikiText2"
_PATH = "wikitext-2-v1.zip"
_EXTRACTED_FILES = {split: f"wikitext-2/wiki.{split}.tokens" for split in ("train", "valid", "test")}


def _lines(path):
    with open(path, "rb") as stream:
        for line in stream:
            yield line.decode("utf-8")


@wrap_split_argument(DATASET_NAME, ("train", "valid", "test"))
def WikiText2(root, split):
    """WikiText2: yields the lines of the split's file as they are (newline kept, blank lines included).

    ``root`` (default ``~/.torchtext/cache``) holds the ``WikiText2`` folder; ``split`` is ``"train"``,
    ``"valid"``, ``"test"`` or a tuple of them. Lines per split: train 36718, valid 3760, test 4358.

    >>> NUM_LINES["valid"]
    3760
    """
    archive = download_verified(URL, os.path.join(root, _PATH), MD5)
    member = _EXTRACTED_FILES[split]
    path = extract_zip_member(archive, member, os.path.join(root, *member.split("/")))
    return TextIterableDataset(DATASET_NAME, split, lambda: _lines(path))
