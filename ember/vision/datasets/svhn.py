"""SVHN: 32x32 colour crops of house-number digits from Street View, in MATLAB files (torchvision.datasets.svhn).

Layout: ``root/train_32x32.mat``, ``test_32x32.mat``, ``extra_32x32.mat``, read by ember's own MATLAB 5 reader
(no scipy needed). The files label the digit 0 as 10; as torchvision, labels here are 0-9.
"""

import os

import numpy as np

from ._matlab import loadmat
from .utils import check_integrity, download_url, verify_str_arg
from .vision import VisionDataset, _pil_image

__all__ = ["SVHN"]


class SVHN(VisionDataset):
    """The Street View House Numbers digits; ``split`` is 'train', 'test' or 'extra'.

    ``data`` is a uint8 NumPy array (N, 3, 32, 32) and ``labels`` an int64 NumPy array; items are
    ``(PIL image, int)`` before transforms.

    >>> SVHN.split_list["test"][1]
    'test_32x32.mat'
    """

    split_list = {
        "train": ["http://ufldl.stanford.edu/housenumbers/train_32x32.mat", "train_32x32.mat",
                  "e26dedcc434d2e4c54c9b2d4a06d8373"],
        "test": ["http://ufldl.stanford.edu/housenumbers/test_32x32.mat", "test_32x32.mat",
                 "eb5a983be6a315427106f1b164d9cef3"],
        "extra": ["http://ufldl.stanford.edu/housenumbers/extra_32x32.mat", "extra_32x32.mat",
                  "a93ce644f1a588dc4d68dda5feec44a7"],
    }

    def __init__(self, root, split="train", transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.split = verify_str_arg(split, "split", tuple(self.split_list.keys()))
        self.url, self.filename, self.file_md5 = self.split_list[split]
        if download:
            self.download()
        if not self._check_integrity():
            raise RuntimeError("Dataset not found or corrupted. You can use download=True to download it")
        loaded = loadmat(os.path.join(self.root, self.filename))
        self.labels = loaded["y"].astype(np.int64).squeeze()
        self.labels[self.labels == 10] = 0          # the files call the digit 0 "10"
        self.data = np.transpose(loaded["X"], (3, 2, 0, 1))      # (H, W, C, N) -> (N, C, H, W) as torchvision

    def __getitem__(self, index):
        """``(image, target)``: a PIL RGB image and the digit as an int, both after their transforms."""
        image = _pil_image().fromarray(np.ascontiguousarray(np.transpose(self.data[index], (1, 2, 0))))
        return self._apply_transforms(image, int(self.labels[index]))

    def __len__(self):
        return len(self.data)

    def _check_integrity(self):
        return check_integrity(os.path.join(self.root, self.filename), self.split_list[self.split][2])

    def download(self):
        """Fetch this split's .mat file into ``root`` (MD5-checked), unless it is already there and intact."""
        download_url(self.url, self.root, self.filename, self.split_list[self.split][2])

    def extra_repr(self):
        return f"Split: {self.split}"
