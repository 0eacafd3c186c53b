"""SqueezeNet 1.0 and 1.1 with torchvision's module tree."""

from functools import partial

import ember
from ember import nn

from ._api import _imagenet_weights
from ._utils import _define_variant

__all__ = ["SqueezeNet"]       # and each version's weights enum and builder, from the table _VARIANTS below


class Fire(nn.Module):
    """A 1x1 squeeze convolution feeding parallel 1x1 and 3x3 expand convolutions, concatenated."""

    def __init__(self, inplanes, squeeze_planes, expand1x1_planes, expand3x3_planes):
        super().__init__()
        self.inplanes = inplanes
        self.squeeze = nn.Conv2d(inplanes, squeeze_planes, kernel_size=1)
        self.squeeze_activation = nn.ReLU(inplace=True)
        self.expand1x1 = nn.Conv2d(squeeze_planes, expand1x1_planes, kernel_size=1)
        self.expand1x1_activation = nn.ReLU(inplace=True)
        self.expand3x3 = nn.Conv2d(squeeze_planes, expand3x3_planes, kernel_size=3, padding=1)
        self.expand3x3_activation = nn.ReLU(inplace=True)

    def forward(self, x):
        x = self.squeeze_activation(self.squeeze(x))
        return ember.cat([self.expand1x1_activation(self.expand1x1(x)),
                          self.expand3x3_activation(self.expand3x3(x))], 1)


def _fire_stack(version):
    """The ``features`` Sequential of SqueezeNet ``version`` ("1_0" or "1_1")."""
    def pool():
        return nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True)

    if version == "1_0":
        return nn.Sequential(
            nn.Conv2d(3, 96, kernel_size=7, stride=2), nn.ReLU(inplace=True), pool(),
            Fire(96, 16, 64, 64), Fire(128, 16, 64, 64), Fire(128, 32, 128, 128), pool(),
            Fire(256, 32, 128, 128), Fire(256, 48, 192, 192), Fire(384, 48, 192, 192), Fire(384, 64, 256, 256),
            pool(), Fire(512, 64, 256, 256))
    if version == "1_1":
        return nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=3, stride=2), nn.ReLU(inplace=True), pool(),
            Fire(64, 16, 64, 64), Fire(128, 16, 64, 64), pool(),
            Fire(128, 32, 128, 128), Fire(256, 32, 128, 128), pool(),
            Fire(256, 48, 192, 192), Fire(384, 48, 192, 192), Fire(384, 64, 256, 256), Fire(512, 64, 256, 256))
    raise ValueError(f"Unsupported SqueezeNet version {version}: 1_0 or 1_1 expected")


class SqueezeNet(nn.Module):
    """SqueezeNet ("AlexNet-level accuracy with 50x fewer parameters"); the classifier is a 1x1 conv + pooling.

    >>> SqueezeNet("1_1", num_classes=5)(ember.zeros(1, 3, 32, 32)).shape
    ember.Size([1, 5])
    """

    def __init__(self, version="1_0", num_classes=1000, dropout=0.5):
        super().__init__()
        self.num_classes = num_classes
        self.features = _fire_stack(version)
        final_conv = nn.Conv2d(512, self.num_classes, kernel_size=1)
        self.classifier = nn.Sequential(nn.Dropout(p=dropout), final_conv, nn.ReLU(inplace=True),
                                        nn.AdaptiveAvgPool2d((1, 1)))
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                if m is final_conv:
                    nn.init.normal_(m.weight, mean=0.0, std=0.01)
                else:
                    nn.init.kaiming_uniform_(m.weight)
                if m.bias is not None:
                    nn.init.constant_(m.bias, 0)

    def forward(self, x):
        return ember.flatten(self.classifier(self.features(x)), 1)


# ----------------------------------------------------------------------------- versions and their weights

# builder, weights enum, docstring title, version, ImageNet-1K checkpoint: file, smallest input, parameters,
# acc@1, acc@5, GFLOPS, file size (MB)
_VARIANTS = [
    ("squeezenet1_0", "SqueezeNet1_0_Weights", "SqueezeNet 1.0", "1_0",
     "squeezenet1_0-b66bff10.pth", (21, 21), 1248424, 58.092, 80.420, 0.819, 4.778),
    ("squeezenet1_1", "SqueezeNet1_1_Weights", "SqueezeNet 1.1 (2.4x less computation than 1.0, same accuracy)", "1_1",
     "squeezenet1_1-b8a52dc0.pth", (17, 17), 1235496, 58.178, 80.624, 0.349, 4.729),
]


def _define(name, enum_name, title, version, file, min_size, num_params, acc1, acc5, ops, file_size):
    """Bind the weights enum and the builder of one row of ``_VARIANTS`` in this module."""
    checkpoint = _imagenet_weights(
        file, num_params=num_params, acc1=acc1, acc5=acc5, ops=ops, file_size=file_size, min_size=min_size,
        recipe="https://github.com/pytorch/vision/pull/49#issuecomment-277560717",
        docs="These weights reproduce closely the results of the paper using a simple training recipe.")
    _define_variant(globals(), name, enum_name, title, {"IMAGENET1K_V1": checkpoint}, partial(SqueezeNet, version),
                    SqueezeNet)


for _row in _VARIANTS:
    _define(*_row)
del _row
