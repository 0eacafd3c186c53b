"""The inference transforms torchvision's model weights carry (``weights.transforms()``).

``ImageClassification`` resizes, centre-crops, rescales to [0, 1] and normalises with the
ImageNet statistics; ``SemanticSegmentation`` does the same without the crop.
"""

import ember
from ember import nn

from . import functional as F
from .functional import InterpolationMode

__all__ = ["ObjectDetection", "ImageClassification", "SemanticSegmentation"]

_IMAGENET_MEAN = (0.485, 0.456, 0.406)
_IMAGENET_STD = (0.229, 0.224, 0.225)


def _as_float_tensor(img):
    """A PIL image or tensor as a float tensor in [0, 1]."""
    if not isinstance(img, ember.Tensor):
        img = F.pil_to_tensor(img)
    return F.convert_image_dtype(img, ember.float32)


class ObjectDetection(nn.Module):
    """Detection models' preprocessing: only rescale to [0, 1].

    >>> ObjectDetection()(ember.full((3, 2, 2), 255, dtype=ember.uint8)).unique()
    tensor([1.])
    """

    def forward(self, img):
        return _as_float_tensor(img)

    def __repr__(self):
        return self.__class__.__name__ + "()"

    def describe(self):
        return ("Accepts ``PIL.Image``, batched ``(B, C, H, W)`` and single ``(C, H, W)`` image ``torch.Tensor`` "
                "objects. The images are rescaled to ``[0.0, 1.0]``.")


class ImageClassification(nn.Module):
    """Resize the shorter edge to ``resize_size``, centre-crop ``crop_size``, rescale and normalise.

    >>> ImageClassification(crop_size=8, resize_size=10)(ember.rand(3, 24, 32)).shape
    ember.Size([3, 8, 8])
    """

    def __init__(self, *, crop_size, resize_size=256, mean=_IMAGENET_MEAN, std=_IMAGENET_STD,
                 interpolation=InterpolationMode.BILINEAR, antialias=True):
        super().__init__()
        self.crop_size = [crop_size]
        self.resize_size = [resize_size]
        self.mean = list(mean)
        self.std = list(std)
        self.interpolation = interpolation
        self.antialias = antialias

    def forward(self, img):
        img = F.resize(img, self.resize_size, interpolation=self.interpolation, antialias=self.antialias)
        img = F.center_crop(img, self.crop_size)
        return F.normalize(_as_float_tensor(img), mean=self.mean, std=self.std)

    def __repr__(self):
        lines = [f"crop_size={self.crop_size}", f"resize_size={self.resize_size}", f"mean={self.mean}",
                 f"std={self.std}", f"interpolation={self.interpolation}"]
        return self.__class__.__name__ + "(" + "".join(f"\n    {line}" for line in lines) + "\n)"

    def describe(self):
        return ("Accepts ``PIL.Image``, batched ``(B, C, H, W)`` and single ``(C, H, W)`` image ``torch.Tensor`` "
                f"objects. The images are resized to ``resize_size={self.resize_size}`` using "
                f"``interpolation={self.interpolation}``, followed by a central crop of "
                f"``crop_size={self.crop_size}``. Finally the values are first rescaled to ``[0.0, 1.0]`` and then "
                f"normalized using ``mean={self.mean}`` and ``std={self.std}``.")


class SemanticSegmentation(nn.Module):
    """Resize the shorter edge to ``resize_size`` (unless None), rescale and normalise.

    >>> SemanticSegmentation(resize_size=12)(ember.rand(3, 24, 32)).shape
    ember.Size([3, 12, 16])
    """

    def __init__(self, *, resize_size, mean=_IMAGENET_MEAN, std=_IMAGENET_STD,
                 interpolation=InterpolationMode.BILINEAR, antialias=True):
        super().__init__()
        self.resize_size = [resize_size] if resize_size is not None else None
        self.mean = list(mean)
        self.std = list(std)
        self.interpolation = interpolation
        self.antialias = antialias

    def forward(self, img):
        if isinstance(self.resize_size, list):
            img = F.resize(img, self.resize_size, interpolation=self.interpolation, antialias=self.antialias)
        return F.normalize(_as_float_tensor(img), mean=self.mean, std=self.std)

    def __repr__(self):
        lines = [f"resize_size={self.resize_size}", f"mean={self.mean}", f"std={self.std}",
                 f"interpolation={self.interpolation}"]
        return self.__class__.__name__ + "(" + "".join(f"\n    {line}" for line in lines) + "\n)"

    def describe(self):
        return ("Accepts ``PIL.Image``, batched ``(B, C, H, W)`` and single ``(C, H, W)`` image ``torch.Tensor`` "
                f"objects. The images are resized to ``resize_size={self.resize_size}`` using "
                f"``interpolation={self.interpolation}``. Finally the values are first rescaled to ``[0.0, 1.0]`` "
                f"and then normalized using ``mean={self.mean}`` and ``std={self.std}``.")
