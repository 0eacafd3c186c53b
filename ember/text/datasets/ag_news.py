"""AG_NEWS: news titles and descriptions in 4 classes (World, Sports, Business, Sci/Tech), as torchtext reads them.

Files: ``root/AG_NEWS/train.csv`` and ``test.csv`` (rows ``"label","title","description"``), downloaded from
torchtext's URLs and checked against its MD5s.
"""

import csv
import os

from ..data.datasets_utils import TextIterableDataset, download_verified, wrap_split_argument

__all__ = ["AG_NEWS"]

URL = {
    "train": "https://raw.githubusercontent.com/mhjabreel/CharCnn_Keras/master/data/ag_news_csv/train.csv",
    "test": "https://raw.githubusercontent.com/mhjabreel/CharCnn_Keras/master/data/ag_news_csv/test.csv",
}
MD5 = {"train": "b1a00f826fdfbd249f79597b59e1dc12", "test": "d52ea96a97a2d943681189a97654912d"}
NUM_LINES = {"train": 120000, "test": 7600}
DATASET_NAME = "AG_NEWS"


def _rows(path):
    with open(path, encoding="utf-8", newline="") as stream:
        for row in csv.reader(stream):
            yield int(row[0]), " ".join(row[1:])


@wrap_split_argument(DATASET_NAME, ("train", "test"))
def AG_NEWS(root, split):
    """AG_NEWS: yields ``(label, text)`` with labels 1 to 4 and the title and description joined by a space.

    ``root`` (default ``~/.torchtext/cache``) holds the ``AG_NEWS`` folder; ``split`` is ``"train"``, ``"test"``
    or a tuple of them (then a tuple of datasets comes back). Lines per split: train 120000, test 7600.

    >>> AG_NEWS.__name__, NUM_LINES["test"]
    ('AG_NEWS', 7600)
    """
    path = download_verified(URL[split], os.path.join(root, f"{split}.csv"), MD5[split])
    return TextIterableDataset(DATASET_NAME, split, lambda: _rows(path))
