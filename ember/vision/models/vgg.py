"""VGG-11/13/16/19, with and without batch norm, with torchvision's module tree."""

from functools import partial

import ember
from ember import nn

from ._api import Weights, _classification_transforms, _imagenet_weights
from ._utils import _define_variant

__all__ = ["VGG"]       # and every variant's weights enum and builder, from the table _VARIANTS below


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


def _vgg(cfg, batch_norm, **kwargs):
    return VGG(make_layers(cfgs[cfg], batch_norm=batch_norm), **kwargs)


# ----------------------------------------------------------------------------- variants and their weights

_RECIPE = "https://github.com/pytorch/vision/tree/main/references/classification#alexnet-and-vgg"
_DOCS = "These weights were trained from scratch by using a simplified training recipe."

# VGG16_Weights' second member: ported from amdegroot's SSD, it expects unnormalised 0-255 inputs and has no
# classifier to speak of.
_VGG16_FEATURES = Weights(
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

# builder, weights enum, docstring title, configuration (cfgs), batch norm,
# ImageNet-1K checkpoint: file, parameters, acc@1, acc@5, GFLOPS, file size (MB)
_VARIANTS = [
    ("vgg11", "VGG11_Weights", 'VGG-11 (configuration "A")', "A", False,
     "vgg11-8a719046.pth", 132863336, 69.020, 88.628, 7.609, 506.84),
    ("vgg11_bn", "VGG11_BN_Weights", "VGG-11 with batch norm", "A", True,
     "vgg11_bn-6002323d.pth", 132868840, 70.370, 89.810, 7.609, 506.881),
    ("vgg13", "VGG13_Weights", 'VGG-13 (configuration "B")', "B", False,
     "vgg13-19584684.pth", 133047848, 69.928, 89.246, 11.308, 507.545),
    ("vgg13_bn", "VGG13_BN_Weights", "VGG-13 with batch norm", "B", True,
     "vgg13_bn-abd245e5.pth", 133053736, 71.586, 90.374, 11.308, 507.59),
    ("vgg16", "VGG16_Weights", 'VGG-16 (configuration "D")', "D", False,
     "vgg16-397923af.pth", 138357544, 71.592, 90.382, 15.47, 527.796),
    ("vgg16_bn", "VGG16_BN_Weights", "VGG-16 with batch norm", "D", True,
     "vgg16_bn-6c64b313.pth", 138365992, 73.360, 91.516, 15.47, 527.866),
    ("vgg19", "VGG19_Weights", 'VGG-19 (configuration "E")', "E", False,
     "vgg19-dcbb9e9d.pth", 143667240, 72.376, 90.876, 19.632, 548.051),
    ("vgg19_bn", "VGG19_BN_Weights", "VGG-19 with batch norm", "E", True,
     "vgg19_bn-c79401a0.pth", 143678248, 74.218, 91.842, 19.632, 548.143),
]


def _define(name, enum_name, title, cfg, batch_norm, file, num_params, acc1, acc5, ops, file_size):
    """Bind the weights enum and the builder of one row of ``_VARIANTS`` in this module."""
    checkpoints = {"IMAGENET1K_V1": _imagenet_weights(file, num_params=num_params, acc1=acc1, acc5=acc5, ops=ops,
                                                      file_size=file_size, recipe=_RECIPE, docs=_DOCS,
                                                      min_size=(32, 32))}
    if name == "vgg16":
        checkpoints["IMAGENET1K_FEATURES"] = _VGG16_FEATURES
    # A checkpoint overwrites every parameter, so the random init is skipped when one is loaded.
    _define_variant(globals(), name, enum_name, title, checkpoints, partial(_vgg, cfg, batch_norm), VGG,
                    when_loading={"init_weights": False})


for _row in _VARIANTS:
    _define(*_row)
del _row
