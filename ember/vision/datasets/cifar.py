"""CIFAR-10 and CIFAR-100: 32x32 colour images stored as Python pickles in a tar.gz (torchvision.datasets.cifar).

Layout: ``root/cifar-10-batches-py/data_batch_1..5, test_batch, batches.meta`` (CIFAR-100:
``root/cifar-100-python/train, test, meta``); every file's MD5 is checked before it is read.
"""

import os
import pickle

import numpy as np

from .utils import check_integrity, download_and_extract_archive
from .vision import VisionDataset, _pil_image

__all__ = ["CIFAR10", "CIFAR100"]


class CIFAR10(VisionDataset):
    """CIFAR-10: 50,000 training and 10,000 test 32x32 RGB images in 10 classes.

    ``data`` is a uint8 NumPy array (N, 32, 32, 3) and ``targets`` a list of ints, as in torchvision; items are
    ``(PIL image, int)`` before transforms.

    >>> CIFAR10.filename
    'cifar-10-python.tar.gz'
    """

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list = [
        ["data_batch_1", "c99cafc152244af753f735de768cd75f"],
        ["data_batch_2", "d4bba439e000b95fd0a9bffe97cbabec"],
        ["data_batch_3", "54ebc095f3ab1f0389bbae665268c751"],
        ["data_batch_4", "634d18415352ddfa80567beed471001a"],
        ["data_batch_5", "482c414d41f54cd18b22e5b47cb7c3cb"],
    ]
    test_list = [["test_batch", "40351d587109b95175f43aff81a1287e"]]
    meta = {"filename": "batches.meta", "key": "label_names", "md5": "5ff9c542aee3614f3951f8cda6e48888"}

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_integrity():
            raise RuntimeError("Dataset not found or corrupted. You can use download=True to download it")
        batches, self.targets = [], []
        for file_name, _ in self.train_list if self.train else self.test_list:
            entry = self._unpickle(file_name)
            batches.append(entry["data"])
            self.targets.extend(entry["labels"] if "labels" in entry else entry["fine_labels"])
        self.data = np.vstack(batches).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)     # to (N, H, W, C)
        self._load_meta()

    def _unpickle(self, file_name):
        # The batches are Python 2 pickles of dicts, NumPy arrays and lists; latin1 decodes their byte strings.
        with open(os.path.join(self.root, self.base_folder, file_name), "rb") as stream:
            return pickle.load(stream, encoding="latin1")

    def _load_meta(self):
        path = os.path.join(self.root, self.base_folder, self.meta["filename"])
        if not check_integrity(path, self.meta["md5"]):
            raise RuntimeError("Dataset metadata file not found or corrupted. You can use download=True to download it")
        self.classes = self._unpickle(self.meta["filename"])[self.meta["key"]]
        self.class_to_idx = {name: index for index, name in enumerate(self.classes)}

    def __getitem__(self, index):
        """``(image, target)``: a PIL RGB image and the class index, both after their transforms."""
        image = _pil_image().fromarray(self.data[index])
        return self._apply_transforms(image, self.targets[index])

    def __len__(self):
        return len(self.data)

    def _check_integrity(self):
        return all(check_integrity(os.path.join(self.root, self.base_folder, name), md5)
                   for name, md5 in self.train_list + self.test_list)

    def download(self):
        """Fetch the tar.gz (MD5-checked) into ``root`` and unpack it there, unless the batches are already fine."""
        if self._check_integrity():
            return
        download_and_extract_archive(self.url, self.root, filename=self.filename, md5=self.tgz_md5)

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"


class CIFAR100(CIFAR10):
    """CIFAR-100: as CIFAR-10 with 100 fine classes (the ``fine_labels``).

    >>> CIFAR100.base_folder
    'cifar-100-python'
    """

    base_folder = "cifar-100-python"
    url = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
    filename = "cifar-100-python.tar.gz"
    tgz_md5 = "eb9058c3a382ffc7106e4002c42a8d85"
    train_list = [["train", "16019d7e3df5f24257cddd939b257f8d"]]
    test_list = [["test", "f0ef6b0ae62326f3e7ffdfab6717acfc"]]
    meta = {"filename": "meta", "key": "fine_label_names", "md5": "7973b15100ade9c7d40fb424638fde48"}
