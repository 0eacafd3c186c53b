"""ember.vision: torchvision's counterpart (transforms, io, utils, datasets, models, ops) and edge detection.

Subpackages load on first use, so ``import ember.vision`` stays as light as ``import ember``; Pillow is an
optional extra (``pip install "ember[vision]"``) needed only for PIL images and JPEG files.

>>> import ember.vision as vision
>>> vision.transforms.Normalize([0.5], [0.5])
Normalize(mean=[0.5], std=[0.5])
"""

import importlib

_LAZY_SUBMODULES = ("transforms", "io", "utils", "datasets", "models", "ops")
_EDGE_FUNCTIONS = ("sobel", "scharr", "laplacian", "canny")

__all__ = list(_LAZY_SUBMODULES + _EDGE_FUNCTIONS)


def __getattr__(name):
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _EDGE_FUNCTIONS:
        return getattr(importlib.import_module(f"{__name__}.edges"), name)
    raise AttributeError(f"module 'ember.vision' has no attribute {name!r}")
