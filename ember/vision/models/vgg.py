"""VGG-11/13/16/19, with and without batch norm, with torchvision's module tree."""

import ember
from ember import nn

from ._api import Weights, WeightsEnum, _classification_transforms, _typing_hint, register_model
from ._meta import _IMAGENET_CATEGORIES
from ._utils import _finish_model, _prepare_weights, handle_legacy_interface

__all__ = ["VGG", "VGG11_Weights", "VGG11_BN_Weights", "VGG13_Weights", "VGG13_BN_Weights", "VGG16_Weights",
           "VGG16_BN_Weights", "VGG19_Weights", "VGG19_BN_Weights", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn",
           "vgg16", "vgg16_bn", "vgg19", "vgg19_bn"]


class VGG(nn.Module):
    """VGG ("Very Deep Convolutional Networks"): ``features``, 7x7 adaptive pooling, a 3-layer classifier.

    ``features`` must end with 512 channels (see :func:`make_layers`); inputs of at least 32x32.

    >>> VGG11_Weights.DEFAULT.meta["min_size"]
    (32, 32)
    """

    def __init__(self, features, num_classes=1000, init_weights=True, dropout=0.5):
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes))
        if init_weights:
            self._init_weights()

    def _init_weights(self):
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                if m.bias is not None:
                    nn.init.constant_(m.bias, 0)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.constant_(m.bias, 0)

    def forward(self, x):
        x = ember.flatten(self.avgpool(self.features(x)), 1)
        return self.classifier(x)


def make_layers(cfg, batch_norm=False):
    """The convolutional trunk: 3x3 convs of the widths in ``cfg`` (each + optional BatchNorm + ReLU), "M" = pool.

    >>> [type(layer).__name__ for layer in make_layers([4, "M"], batch_norm=True)]
    ['Conv2d', 'BatchNorm2d', 'ReLU', 'MaxPool2d']
    """
    layers = []
    in_channels = 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        layers.append(nn.Conv2d(in_channels, v, kernel_size=3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(v))
        layers.append(nn.ReLU(inplace=True))
        in_channels = v
    return nn.Sequential(*layers)


cfgs = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}


def _vgg(cfg, batch_norm, weights, enum_cls, progress, **kwargs):
    resolved = _prepare_weights(weights, enum_cls, kwargs)
    if resolved is not None:
        kwargs["init_weights"] = False          # the checkpoint overwrites every parameter
    model = VGG(make_layers(cfgs[cfg], batch_norm=batch_norm), **kwargs)
    return _finish_model(model, resolved, progress)


# ----------------------------------------------------------------------------- weights

_RECIPE = "https://github.com/pytorch/vision/tree/main/references/classification#alexnet-and-vgg"
_DOCS = "These weights were trained from scratch by using a simplified training recipe."


def _weights(file, num_params, acc1, acc5, ops, file_size):
    meta = {"min_size": (32, 32), "categories": _IMAGENET_CATEGORIES, "recipe": _RECIPE, "num_params": num_params,
            "_metrics": {"ImageNet-1K": {"acc@1": acc1, "acc@5": acc5}}, "_ops": ops, "_file_size": file_size,
            "_docs": _DOCS}
    return Weights(url=f"https://download.pytorch.org/models/{file}",
                   transforms=_classification_transforms(crop_size=224), meta=meta)


class VGG11_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("vgg11-8a719046.pth", 132863336, 69.020, 88.628, 7.609, 506.84)
    DEFAULT = IMAGENET1K_V1


class VGG11_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("vgg11_bn-6002323d.pth", 132868840, 70.370, 89.810, 7.609, 506.881)
    DEFAULT = IMAGENET1K_V1


class VGG13_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("vgg13-19584684.pth", 133047848, 69.928, 89.246, 11.308, 507.545)
    DEFAULT = IMAGENET1K_V1


class VGG13_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("vgg13_bn-abd245e5.pth", 133053736, 71.586, 90.374, 11.308, 507.59)
    DEFAULT = IMAGENET1K_V1


class VGG16_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("vgg16-397923af.pth", 138357544, 71.592, 90.382, 15.47, 527.796)
    # Ported from amdegroot's SSD; expects unnormalised 0-255 inputs and has no classifier to speak of.
    IMAGENET1K_FEATURES = Weights(
        url="https://download.pytorch.org/models/vgg16_features-amdegroot-88682ab5.pth",
        transforms=_classification_transforms(crop_size=224, mean=(0.48235, 0.45882, 0.40784),
                                              std=(1.0 / 255.0, 1.0 / 255.0, 1.0 / 255.0)),
        meta={"min_size": (32, 32), "categories": None, "recipe": "https://github.com/amdegroot/ssd.pytorch#training-ssd",
              "num_params": 138357544, "_metrics": {"ImageNet-1K": {"acc@1": float("nan"), "acc@5": float("nan")}},
              "_ops": 15.47, "_file_size": 527.802,
              "_docs": "These weights can't be used for classification because they are missing values in the "
                       "`classifier` module. Only the `features` module has valid values and can be used for "
                       "feature extraction. The weights were trained using the original input standardization "
                       "method as described in the paper."})
    DEFAULT = IMAGENET1K_V1


class VGG16_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("vgg16_bn-6c64b313.pth", 138365992, 73.360, 91.516, 15.47, 527.866)
    DEFAULT = IMAGENET1K_V1


class VGG19_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("vgg19-dcbb9e9d.pth", 143667240, 72.376, 90.876, 19.632, 548.051)
    DEFAULT = IMAGENET1K_V1


class VGG19_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("vgg19_bn-c79401a0.pth", 143678248, 74.218, 91.842, 19.632, 548.143)
    DEFAULT = IMAGENET1K_V1


# ----------------------------------------------------------------------------- builders

@register_model()
@handle_legacy_interface(weights=("pretrained", VGG11_Weights.IMAGENET1K_V1))
def vgg11(*, weights: _typing_hint(VGG11_Weights) = None, progress: bool = True, **kwargs) -> VGG:
    """VGG-11 (configuration "A"); ``weights`` takes VGG11_Weights (or its name), a checkpoint path or URL.

    >>> len(make_layers(cfgs["A"]))
    21
    """
    return _vgg("A", False, weights, VGG11_Weights, progress, **kwargs)


@register_model()
@handle_legacy_interface(weights=("pretrained", VGG11_BN_Weights.IMAGENET1K_V1))
def vgg11_bn(*, weights: _typing_hint(VGG11_BN_Weights) = None, progress: bool = True, **kwargs) -> VGG:
    """VGG-11 with batch norm; ``weights`` takes VGG11_BN_Weights (or its name), a checkpoint path or URL.

    >>> len(make_layers(cfgs["A"], batch_norm=True))
    29
    """
    return _vgg("A", True, weights, VGG11_BN_Weights, progress, **kwargs)


@register_model()
@handle_legacy_interface(weights=("pretrained", VGG13_Weights.IMAGENET1K_V1))
def vgg13(*, weights: _typing_hint(VGG13_Weights) = None, progress: bool = True, **kwargs) -> VGG:
    """VGG-13 (configuration "B"); ``weights`` takes VGG13_Weights (or its name), a checkpoint path or URL.

    >>> VGG13_Weights.DEFAULT.meta["num_params"]
    133047848
    """
    return _vgg("B", False, weights, VGG13_Weights, progress, **kwargs)


@register_model()
@handle_legacy_interface(weights=("pretrained", VGG13_BN_Weights.IMAGENET1K_V1))
def vgg13_bn(*, weights: _typing_hint(VGG13_BN_Weights) = None, progress: bool = True, **kwargs) -> VGG:
    """VGG-13 with batch norm; ``weights`` takes VGG13_BN_Weights (or its name), a checkpoint path or URL.

    >>> VGG13_BN_Weights.DEFAULT.meta["num_params"]
    133053736
    """
    return _vgg("B", True, weights, VGG13_BN_Weights, progress, **kwargs)


@register_model()
@handle_legacy_interface(weights=("pretrained", VGG16_Weights.IMAGENET1K_V1))
def vgg16(*, weights: _typing_hint(VGG16_Weights) = None, progress: bool = True, **kwargs) -> VGG:
    """VGG-16 (configuration "D"); ``weights`` takes VGG16_Weights (or its name), a checkpoint path or URL.

    >>> VGG16_Weights.IMAGENET1K_FEATURES.meta["categories"] is None
    True
    """
    return _vgg("D", False, weights, VGG16_Weights, progress, **kwargs)


@register_model()
@handle_legacy_interface(weights=("pretrained", VGG16_BN_Weights.IMAGENET1K_V1))
def vgg16_bn(*, weights: _typing_hint(VGG16_BN_Weights) = None, progress: bool = True, **kwargs) -> VGG:
    """VGG-16 with batch norm; ``weights`` takes VGG16_BN_Weights (or its name), a checkpoint path or URL.

    >>> VGG16_BN_Weights.DEFAULT.meta["num_params"]
    138365992
    """
    return _vgg("D", True, weights, VGG16_BN_Weights, progress, **kwargs)


@register_model()
@handle_legacy_interface(weights=("pretrained", VGG19_Weights.IMAGENET1K_V1))
def vgg19(*, weights: _typing_hint(VGG19_Weights) = None, progress: bool = True, **kwargs) -> VGG:
    """VGG-19 (configuration "E"); ``weights`` takes VGG19_Weights (or its name), a checkpoint path or URL.

    >>> VGG19_Weights.DEFAULT.meta["num_params"]
    143667240
    """
    return _vgg("E", False, weights, VGG19_Weights, progress, **kwargs)


@register_model()
@handle_legacy_interface(weights=("pretrained", VGG19_BN_Weights.IMAGENET1K_V1))
def vgg19_bn(*, weights: _typing_hint(VGG19_BN_Weights) = None, progress: bool = True, **kwargs) -> VGG:
    """VGG-19 with batch norm; ``weights`` takes VGG19_BN_Weights (or its name), a checkpoint path or URL.

    >>> VGG19_BN_Weights.DEFAULT.meta["num_params"]
    143678248
    """
    return _vgg("E", True, weights, VGG19_BN_Weights, progress, **kwargs)
