"""ImageNet-1K class names in torchvision's class order (the ``categories`` of every classification weights' meta).

The names live in ``imagenet_categories.txt`` beside this module (one per line, class index = line number among
the non-comment lines); that file says where it comes from and under which licence.

>>> from ember.vision.models._meta import _IMAGENET_CATEGORIES
>>> len(_IMAGENET_CATEGORIES), _IMAGENET_CATEGORIES[0], _IMAGENET_CATEGORIES[967]
(1000, 'tench', 'espresso')
"""

import os

__all__ = []

_CATEGORIES_FILE = os.path.join(os.path.dirname(__file__), "imagenet_categories.txt")


def _read_categories(path):
    """The non-empty, non-comment lines of ``path``, stripped."""
    with open(path, encoding="utf-8") as f:
        lines = [line.strip() for line in f]
    return [line for line in lines if line and not line.startswith("#")]


_IMAGENET_CATEGORIES = _read_categories(_CATEGORIES_FILE)
