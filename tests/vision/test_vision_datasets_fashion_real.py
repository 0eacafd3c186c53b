"""FashionMNIST on the real Fashion-MNIST files of Debian's dataset-fashion-mnist package, served by the local
HTTP server (download=True) and read from a root that already holds them.

Debian's .gz files are not byte-identical to the ones torchvision's MD5s describe: the gzip headers differ (no
stored file name, a 2020 time stamp), so their MD5s differ and torchvision's download check rejects them. The
download test therefore gives FashionMNIST Debian's own MD5s, and checks that the stock MD5s are refused.
"""

import os

import numpy as np
import pytest

from ember.vision import datasets
from ember.vision.datasets import utils

FASHION = "/usr/share/datasets/fashion-mnist"
NAMES = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
         "t10k-labels-idx1-ubyte.gz"]
DEBIAN_MD5 = {"train-images-idx3-ubyte.gz": "cf8536b0aa1a6ac5fa3f23001093305c",
              "train-labels-idx1-ubyte.gz": "10bea18fdb374794d4bb42e356e600c9",
              "t10k-images-idx3-ubyte.gz": "f78720b4224f21cce2f2ccf2d7a94c9a",
              "t10k-labels-idx1-ubyte.gz": "0d30e22e447f3c33dab9ed536400ac01"}

pytestmark = pytest.mark.skipif(not all(os.path.isfile(os.path.join(FASHION, name)) for name in NAMES),
                                reason="Debian package dataset-fashion-mnist is not installed")


def test_debian_files_differ_from_torchvision_md5s():
    stock = dict(datasets.FashionMNIST.resources)
    for name in NAMES:
        actual = utils.calculate_md5(os.path.join(FASHION, name))
        assert actual == DEBIAN_MD5[name] and actual != stock[name]


def check_fashion(train, test):
    assert len(train) == 60000 and len(test) == 10000
    assert tuple(train.data.shape) == (60000, 28, 28) and tuple(test.data.shape) == (10000, 28, 28)
    # Fashion-MNIST is balanced: 6,000 training and 1,000 test images per class.
    assert np.bincount(train.targets.numpy()).tolist() == [6000] * 10
    assert np.bincount(test.targets.numpy()).tolist() == [1000] * 10
    image, target = train[0]
    assert image.mode == "L" and image.size == (28, 28) and target == 9          # the first item is an ankle boot
    assert train.classes[target] == "Ankle boot" and test[0][1] == 9
    np.testing.assert_array_equal(np.asarray(image), train.data[0].numpy())


def test_download_real_files_from_local_server(serve_directory, tmp_path, monkeypatch):
    pytest.importorskip("PIL")
    server = serve_directory(FASHION)
    monkeypatch.setattr(datasets.FashionMNIST, "mirrors", [server.url])
    with pytest.raises(RuntimeError, match="Error downloading train-images-idx3-ubyte.gz"):
        datasets.FashionMNIST(str(tmp_path / "stock"), download=True)        # torchvision's MD5s: refused
    assert os.listdir(tmp_path / "stock" / "FashionMNIST" / "raw") == []
    monkeypatch.setattr(datasets.FashionMNIST, "resources", [(name, DEBIAN_MD5[name]) for name in NAMES])
    train = datasets.FashionMNIST(str(tmp_path), train=True, download=True)
    test = datasets.FashionMNIST(str(tmp_path), train=False, download=True)
    assert server.count() == 1 + 4                         # the refused try, then each file once
    check_fashion(train, test)


def test_root_that_already_holds_the_files(tmp_path):
    pytest.importorskip("PIL")
    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for name in NAMES:                                     # as torchvision leaves them: decompressed in raw/
        utils.extract_archive(os.path.join(FASHION, name), str(raw))
    check_fashion(datasets.FashionMNIST(str(tmp_path)), datasets.FashionMNIST(str(tmp_path), train=False))
