"""``ember.vision.transforms``: torchvision's image transforms (v1 API) on ember tensors and PIL images.

>>> from ember.vision import transforms as T
>>> pipeline = T.Compose([T.Resize(16), T.CenterCrop(16), T.Normalize([0.5] * 3, [0.5] * 3)])
>>> pipeline(ember.rand(3, 24, 32)).shape
ember.Size([3, 16, 16])
"""

from . import functional
from .transforms import *  # noqa: F403 (the classes, listed in transforms.__all__)
from .transforms import __all__ as _class_names

__all__ = list(_class_names) + ["functional"]
