"""MNIST, Fashion-MNIST, KMNIST and EMNIST: 28x28 grey images in the idx format (torchvision.datasets.mnist).

Files live under ``root/<ClassName>/raw/`` as the decompressed idx files (``train-images-idx3-ubyte``, ...);
``download=True`` fetches the ``.gz`` files from the class's ``mirrors`` (trying each in turn), checks their MD5s,
and decompresses them there. The idx files are read with one ``np.frombuffer`` each.
"""

import os
import shutil
import string
import urllib.error
import warnings

import numpy as np

from .utils import check_integrity, download_and_extract_archive, extract_archive, verify_str_arg
from .vision import VisionDataset, _pil_image

__all__ = ["MNIST", "FashionMNIST", "KMNIST", "EMNIST", "read_sn3_pascalvincent_tensor", "read_image_file",
           "read_label_file"]

# idx type code -> big-endian NumPy dtype of the elements.
SN3_PASCALVINCENT_TYPEMAP = {8: ">u1", 9: ">i1", 11: ">i2", 12: ">i4", 13: ">f4", 14: ">f8"}


def _read_sn3_array(path, strict=True):
    """The idx file at ``path`` as a NumPy array in native byte order (a writable copy of the file's data)."""
    with open(path, "rb") as stream:
        data = stream.read()
    if len(data) < 4:
        raise ValueError(f"{path} is not an idx file: it holds only {len(data)} bytes")
    magic = int.from_bytes(data[:4], "big")
    ndim, type_code = magic % 256, magic // 256
    if not 1 <= ndim <= 3 or type_code not in SN3_PASCALVINCENT_TYPEMAP:
        raise ValueError(f"{path} is not an idx file: magic number {magic:#010x} (dimensions {ndim}, type code "
                         f"{type_code}); expected 1 to 3 dimensions and a type code in "
                         f"{sorted(SN3_PASCALVINCENT_TYPEMAP)}")
    shape = tuple(int(size) for size in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    dtype = np.dtype(SN3_PASCALVINCENT_TYPEMAP[type_code])
    values = np.frombuffer(data, dtype=dtype, offset=4 * (ndim + 1))
    expected = int(np.prod(shape))
    if strict and values.size != expected:
        raise ValueError(f"{path}: the header announces shape {shape} ({expected} values) but the file holds "
                         f"{values.size}")
    return values[:expected].astype(dtype.newbyteorder("="), copy=True).reshape(shape)


def read_sn3_pascalvincent_tensor(path, strict=True):
    """Read an idx ("SN3 Pascal Vincent") file into an ember tensor of the file's dtype and shape.

    >>> import tempfile, os, numpy as np; path = os.path.join(tempfile.mkdtemp(), "labels-idx1-ubyte")
    >>> _ = open(path, "wb").write(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1]))
    >>> read_sn3_pascalvincent_tensor(path)
    tensor([7, 2, 1], dtype=ember.uint8)
    """
    import ember

    return ember.from_numpy(_read_sn3_array(path, strict))


def _checked(array, path, ndim):
    if array.dtype != np.uint8:
        raise TypeError(f"x should be of dtype torch.uint8 instead of {array.dtype} (file {path})")
    if array.ndim != ndim:
        raise ValueError(f"x should have {ndim} dimension instead of {array.ndim} (file {path})")
    return array


def read_label_file(path):
    """Read an idx1 label file as an int64 ember tensor (labels are stored as bytes).

    >>> import tempfile, os; path = os.path.join(tempfile.mkdtemp(), "labels-idx1-ubyte")
    >>> _ = open(path, "wb").write(bytes([0, 0, 8, 1, 0, 0, 0, 2, 5, 9]))
    >>> read_label_file(path)
    tensor([5, 9])
    """
    import ember

    return ember.from_numpy(_checked(_read_sn3_array(path, strict=False), path, 1).astype(np.int64))


def read_image_file(path):
    """Read an idx3 image file as a uint8 ember tensor of shape (N, H, W).

    >>> import tempfile, os; path = os.path.join(tempfile.mkdtemp(), "images-idx3-ubyte")
    >>> _ = open(path, "wb").write(bytes([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 4, 5]))
    >>> read_image_file(path)
    tensor([[[4, 5]]], dtype=ember.uint8)
    """
    import ember

    return ember.from_numpy(_checked(_read_sn3_array(path, strict=False), path, 3))


# The four gzipped idx files of every MNIST-style dataset: training images and labels, then test ones.
_IDX_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
              "t10k-labels-idx1-ubyte.gz")


def _idx_resources(*md5s):
    """A dataset's ``resources``: each of the four idx files with its MD5, in the order of ``_IDX_FILES``."""
    return list(zip(_IDX_FILES, md5s))


class MNIST(VisionDataset):
    """The MNIST handwritten digits: 60,000 training and 10,000 test 28x28 grey images, labels 0-9.

    Items are ``(PIL image, int label)`` before transforms; ``data`` is a uint8 tensor (N, 28, 28) and
    ``targets`` an int64 tensor, as in torchvision.

    >>> MNIST.resources[0]
    ('train-images-idx3-ubyte.gz', 'f68b3c2dcbeaaa9fbdd348bbdeb94873')
    """

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"]
    resources = _idx_resources("f68b3c2dcbeaaa9fbdd348bbdeb94873", "d53e105ee54ea40749a09fcbcd1e9432",
                               "9fb629c4189551a2d022fa330f9573f3", "ec29112dd5afa0611ce80d1b7f02629c")
    training_file = "training.pt"
    test_file = "test.pt"
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven",
               "8 - eight", "9 - nine"]

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if self._check_legacy_exist():
            self.data, self.targets = self._load_legacy_data()
            return
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError("Dataset not found. You can use download=True to download it")
        self.data, self.targets = self._load_data()

    # Old attribute names, kept (with torchvision's warnings) for old code.
    @property
    def train_labels(self):
        warnings.warn("train_labels has been renamed targets", stacklevel=2)
        return self.targets

    @property
    def test_labels(self):
        warnings.warn("test_labels has been renamed targets", stacklevel=2)
        return self.targets

    @property
    def train_data(self):
        warnings.warn("train_data has been renamed data", stacklevel=2)
        return self.data

    @property
    def test_data(self):
        warnings.warn("test_data has been renamed data", stacklevel=2)
        return self.data

    @property
    def raw_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def processed_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "processed")

    @property
    def class_to_idx(self):
        return {name: index for index, name in enumerate(self.classes)}

    def _check_legacy_exist(self):
        """Whether an old torchvision ``processed/training.pt`` and ``test.pt`` pair is there (read instead)."""
        if not os.path.exists(self.processed_folder):
            return False
        return all(check_integrity(os.path.join(self.processed_folder, name))
                   for name in (self.training_file, self.test_file))

    def _load_legacy_data(self):
        import ember

        name = self.training_file if self.train else self.test_file
        return ember.load(os.path.join(self.processed_folder, name), weights_only=True)

    def _load_data(self):
        prefix = "train" if self.train else "t10k"
        data = read_image_file(os.path.join(self.raw_folder, f"{prefix}-images-idx3-ubyte"))
        targets = read_label_file(os.path.join(self.raw_folder, f"{prefix}-labels-idx1-ubyte"))
        return data, targets

    def __getitem__(self, index):
        """``(image, target)``: a PIL grey image and the class index as an int, both after their transforms."""
        image = _pil_image().fromarray(self.data[index].numpy())
        return self._apply_transforms(image, int(self.targets[index]))

    def __len__(self):
        return len(self.data)

    def _check_exists(self):
        return all(check_integrity(os.path.join(self.raw_folder, os.path.splitext(os.path.basename(url))[0]))
                   for url, _ in self.resources)

    def download(self):
        """Fetch and decompress each resource, trying the mirrors in turn; RuntimeError lists every failure."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, md5 in self.resources:
            errors = []
            for mirror in self.mirrors:
                try:
                    download_and_extract_archive(f"{mirror}{filename}", download_root=self.raw_folder,
                                                 filename=filename, md5=md5)
                    break
                except (RuntimeError, urllib.error.URLError, OSError) as error:
                    errors.append(error)
            else:
                tried = "".join(f"Tried {mirror}, got:\n{error}\n" for mirror, error in zip(self.mirrors, errors))
                raise RuntimeError(f"Error downloading {filename}:\n{tried}")

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: 28x28 grey images of clothes in 10 classes, laid out as MNIST.

    >>> FashionMNIST.classes[:3]
    ['T-shirt/top', 'Trouser', 'Pullover']
    """

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = _idx_resources("8d4fb7e6c68d591d4c3dfef9ec88bf0d", "25c81989df183df01b3e8a0aad5dffbe",
                               "bef4ecab320f06d8554ea6380940ec79", "bb300cfdad3c16e7a12a480ee83cd310")
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


class KMNIST(MNIST):
    """Kuzushiji-MNIST: 28x28 grey images of cursive Japanese characters in 10 classes, laid out as MNIST.

    >>> KMNIST.classes[:3]
    ['o', 'ki', 'su']
    """

    mirrors = ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"]
    resources = _idx_resources("bdb82020997e1d708af4cf47b453dcf7", "e144d726b3acfaa3e44228e80efcd344",
                               "5c965bf0a639b31b8f53240b1b52f4d7", "7320c461ea6c1c855c0b718fb2a4b134")
    classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]


class EMNIST(MNIST):
    """EMNIST: handwritten digits and letters; ``split`` is byclass, bymerge, balanced, letters, digits or mnist.

    One zip (``gzip.zip``) holds every split; ``download=True`` unpacks all of them into ``raw/``.

    >>> EMNIST.classes_split_dict["letters"][:3]
    ['N/A', 'a', 'b']
    """

    url = "https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip"
    md5 = "58c8d27c78d21e728a6bc7b3cc06412e"
    splits = ("byclass", "bymerge", "balanced", "letters", "digits", "mnist")
    # Letters whose upper and lower case look alike are merged into one class in bymerge and balanced.
    _merged_classes = {"c", "i", "j", "k", "l", "m", "o", "p", "s", "u", "v", "w", "x", "y", "z"}
    _all_classes = set(string.digits + string.ascii_letters)
    classes_split_dict = {
        "byclass": sorted(_all_classes),
        "bymerge": sorted(_all_classes - _merged_classes),
        "balanced": sorted(_all_classes - _merged_classes),
        "letters": ["N/A"] + list(string.ascii_lowercase),
        "digits": list(string.digits),
        "mnist": list(string.digits),
    }

    def __init__(self, root, split, **kwargs):
        self.split = verify_str_arg(split, "split", self.splits)
        self.training_file = self._training_file(split)
        self.test_file = self._test_file(split)
        super().__init__(root, **kwargs)
        self.classes = self.classes_split_dict[self.split]

    @staticmethod
    def _training_file(split):
        return f"training_{split}.pt"

    @staticmethod
    def _test_file(split):
        return f"test_{split}.pt"

    @property
    def _file_prefix(self):
        return f"emnist-{self.split}-{'train' if self.train else 'test'}"

    @property
    def images_file(self):
        return os.path.join(self.raw_folder, f"{self._file_prefix}-images-idx3-ubyte")

    @property
    def labels_file(self):
        return os.path.join(self.raw_folder, f"{self._file_prefix}-labels-idx1-ubyte")

    def _load_data(self):
        return read_image_file(self.images_file), read_label_file(self.labels_file)

    def _check_exists(self):
        return all(check_integrity(path) for path in (self.images_file, self.labels_file))

    def download(self):
        """Fetch ``gzip.zip`` (MD5-checked), unpack it, and decompress every split's idx file into ``raw/``."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        download_and_extract_archive(self.url, download_root=self.raw_folder, md5=self.md5)
        gzip_folder = os.path.join(self.raw_folder, "gzip")
        for name in sorted(os.listdir(gzip_folder)):
            if name.endswith(".gz"):
                extract_archive(os.path.join(gzip_folder, name), self.raw_folder)
        shutil.rmtree(gzip_folder)
