"""Pieces the segmentation models share: the backbone + head wrapper, VOC class names, the weights logic."""

import functools
from collections import OrderedDict

from ember import nn
from ember.nn import functional as F

from .._api import _DOWNLOADS, Weights, WeightsEnum, _fetch_state_dict, _resolve_weights
from .._utils import _ovewrite_value_param

__all__ = []

# The 21 Pascal VOC classes (background first) that torchvision's COCO-trained segmentation weights predict.
_VOC_CATEGORIES = ["__background__", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair",
                   "cow", "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa",
                   "train", "tvmonitor"]


class _SimpleSegmentationModel(nn.Module):
    """A backbone giving feature maps ``{"out", "aux"}``, a classifier on "out" and an optional one on "aux".

    Each head's logits are resized bilinearly to the input's height and width; the result is an OrderedDict with
    "out" (and "aux"), as torchvision returns.
    """

    __constants__ = ["aux_classifier"]

    def __init__(self, backbone, classifier, aux_classifier=None):
        super().__init__()
        self.backbone = backbone
        self.classifier = classifier
        self.aux_classifier = aux_classifier

    def forward(self, x):
        input_shape = x.shape[-2:]
        features = self.backbone(x)
        result = OrderedDict()
        logits = self.classifier(features["out"])
        result["out"] = F.interpolate(logits, size=input_shape, mode="bilinear", align_corners=False)
        if self.aux_classifier is not None:
            logits = self.aux_classifier(features["aux"])
            result["aux"] = F.interpolate(logits, size=input_shape, mode="bilinear", align_corners=False)
        return result


def _semantic_segmentation_preset(**options):
    """Build ``ember.vision.transforms._presets.SemanticSegmentation`` (imported only when first needed)."""
    from ember.vision.transforms import _presets

    return _presets.SemanticSegmentation(**options)


_SEGMENTATION_TRANSFORMS = functools.partial(_semantic_segmentation_preset, resize_size=520)
_RECIPES = "https://github.com/pytorch/vision/tree/main/references/segmentation"


def _segmentation_weights(file, recipe, num_params, miou, pixel_acc, ops, file_size):
    """One of torchvision's COCO-with-VOC-labels segmentation checkpoints: download URL, eval preset and meta.

    ``recipe`` names the section of torchvision's segmentation references that trained it.

    >>> _segmentation_weights("m-0123abcd.pth", "fcn_resnet50", 10, 60.0, 90.0, 1.0, 1.0).meta["recipe"]
    'https://github.com/pytorch/vision/tree/main/references/segmentation#fcn_resnet50'
    """
    meta = {"categories": _VOC_CATEGORIES, "min_size": (1, 1), "num_params": num_params,
            "recipe": f"{_RECIPES}#{recipe}",
            "_metrics": {"COCO-val2017-VOC-labels": {"miou": miou, "pixel_acc": pixel_acc}}, "_ops": ops,
            "_file_size": file_size,
            "_docs": "These weights were trained on a subset of COCO, using only the 20 categories that are present "
                     "in the Pascal VOC dataset."}
    return Weights(url=_DOWNLOADS + file, transforms=_SEGMENTATION_TRANSFORMS, meta=meta)


def _conv_bn_relu(in_channels, out_channels, kernel_size, **conv_options):
    """A bias-free convolution, batch norm and ReLU: the unit the FCN and DeepLabV3 heads are made of.

    >>> [type(m).__name__ for m in _conv_bn_relu(8, 4, 3, padding=1)]
    ['Conv2d', 'BatchNorm2d', 'ReLU']
    """
    return [nn.Conv2d(in_channels, out_channels, kernel_size, bias=False, **conv_options),
            nn.BatchNorm2d(out_channels),
            nn.ReLU()]


def _build_segmentation_model(weights, enum_cls, make, progress, num_classes, aux_loss, weights_backbone,
                              classifier_key, has_aux=True):
    """Build a segmentation model as torchvision's builders do, and load its ``weights``.

    ``make(weights_backbone, num_classes, aux_loss)`` constructs the model. With enum weights, ``num_classes``
    and ``aux_loss`` are fixed by them (21 VOC classes, with aux). ``weights`` may also be a checkpoint (path,
    URL or state_dict): then ``num_classes`` defaults to the rows of its ``classifier_key`` weight and ``aux_loss``
    to whether it holds an aux classifier. Given weights, the backbone's own weights are not fetched. Models
    without an aux head (``has_aux=False``) get ``make(weights_backbone, num_classes)``.
    """
    resolved = _resolve_weights(weights, enum_cls)
    state = None
    if isinstance(resolved, WeightsEnum):
        num_classes = _ovewrite_value_param("num_classes", num_classes, len(resolved.meta["categories"]))
        if has_aux:
            aux_loss = _ovewrite_value_param("aux_loss", aux_loss, True)
    elif resolved is not None:
        state = _fetch_state_dict(resolved, progress)
        if num_classes is None and classifier_key in state:
            num_classes = int(state[classifier_key].shape[0])
        if has_aux and aux_loss is None:
            aux_loss = any(key.startswith("aux_classifier.") for key in state)
    if num_classes is None:
        num_classes = 21
    if resolved is not None:
        weights_backbone = None
    model = make(weights_backbone, num_classes, aux_loss) if has_aux else make(weights_backbone, num_classes)
    if isinstance(resolved, WeightsEnum):
        state = resolved.get_state_dict(progress=progress, check_hash=True)
    if state is not None:
        model.load_state_dict(state, strict=True)
    return model
