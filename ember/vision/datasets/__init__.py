"""torchvision.datasets: MNIST-family, CIFAR, SVHN, folder datasets and FakeData, with torchvision's layouts.

Every dataset keeps torchvision's root layout, file names, URLs and MD5s; ``download=True`` fetches the files
(checksums verified, archives extracted, a progress bar on a terminal). Items are PIL images (Pillow is the
``ember[vision]`` extra, imported only when an item is read) and int targets.

>>> from ember.vision import datasets
>>> len(datasets.FakeData(size=3, image_size=(1, 4, 4)))
3
"""

from .cifar import CIFAR10, CIFAR100
from .fakedata import FakeData
from .folder import DatasetFolder, ImageFolder
from .mnist import EMNIST, KMNIST, MNIST, FashionMNIST
from .svhn import SVHN
from .vision import VisionDataset

__all__ = ["CIFAR10", "CIFAR100", "DatasetFolder", "EMNIST", "FakeData", "FashionMNIST", "ImageFolder", "KMNIST",
           "MNIST", "SVHN", "VisionDataset"]
