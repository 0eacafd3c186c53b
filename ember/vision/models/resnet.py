"""ResNet, ResNeXt and Wide ResNet with torchvision's module tree, so torchvision checkpoints load unchanged."""

from functools import partial

import ember
from ember import nn

from ._api import _imagenet_weights
from ._utils import _define_variant, _ovewrite_named_param

__all__ = ["ResNet"]       # and every variant's weights enum and builder, from the table _VARIANTS below


def conv3x3(in_planes, out_planes, stride=1, groups=1, dilation=1):
    """3x3 convolution without bias, padded so stride 1 keeps the size."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=dilation, groups=groups,
                     bias=False, dilation=dilation)


def conv1x1(in_planes, out_planes, stride=1):
    """1x1 convolution without bias."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    """Two 3x3 convolutions with a shortcut (ResNet-18/34)."""

    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1,
                 norm_layer=None):
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        if groups != 1 or base_width != 64:
            raise ValueError("BasicBlock only supports groups=1 and base_width=64")
        if dilation > 1:
            raise NotImplementedError("Dilation > 1 not supported in BasicBlock")
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = norm_layer(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = norm_layer(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class Bottleneck(nn.Module):
    """1x1 reduce, 3x3 (grouped for ResNeXt), 1x1 expand by 4, with a shortcut; stride sits on the 3x3 (V1.5)."""

    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1,
                 norm_layer=None):
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        width = int(planes * (base_width / 64.0)) * groups
        self.conv1 = conv1x1(inplanes, width)
        self.bn1 = norm_layer(width)
        self.conv2 = conv3x3(width, width, stride, groups, dilation)
        self.bn2 = norm_layer(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = norm_layer(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + identity)


class ResNet(nn.Module):
    """ResNet ("Deep Residual Learning for Image Recognition") built from ``block`` repeated ``layers`` times.

    ``groups``/``width_per_group`` give ResNeXt and Wide ResNet; ``replace_stride_with_dilation`` (three bools)
    trades the stride of layer2..4 for dilation (segmentation backbones); ``zero_init_residual`` zeroes each
    block's last norm weight so every block starts as the identity.

    >>> net = ResNet(BasicBlock, [1, 1, 1, 1], num_classes=10)
    >>> net(ember.zeros(2, 3, 32, 32)).shape
    ember.Size([2, 10])
    """

    def __init__(self, block, layers, num_classes=1000, zero_init_residual=False, groups=1, width_per_group=64,
                 replace_stride_with_dilation=None, norm_layer=None):
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        self._norm_layer = norm_layer
        self.inplanes = 64
        self.dilation = 1
        if replace_stride_with_dilation is None:
            replace_stride_with_dilation = [False, False, False]
        if len(replace_stride_with_dilation) != 3:
            raise ValueError("replace_stride_with_dilation should be None or a 3-element tuple, got "
                             f"{replace_stride_with_dilation}")
        self.groups = groups
        self.base_width = width_per_group
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = norm_layer(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2, dilate=replace_stride_with_dilation[0])
        self.layer3 = self._make_layer(block, 256, layers[2], stride=2, dilate=replace_stride_with_dilation[1])
        self.layer4 = self._make_layer(block, 512, layers[3], stride=2, dilate=replace_stride_with_dilation[2])
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)
        self._init_weights(zero_init_residual)

    def _init_weights(self, zero_init_residual):
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, Bottleneck) and m.bn3.weight is not None:
                    nn.init.constant_(m.bn3.weight, 0)
                elif isinstance(m, BasicBlock) and m.bn2.weight is not None:
                    nn.init.constant_(m.bn2.weight, 0)

    def _make_layer(self, block, planes, blocks, stride=1, dilate=False):
        norm_layer = self._norm_layer
        downsample = None
        previous_dilation = self.dilation
        if dilate:
            self.dilation *= stride
            stride = 1
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(conv1x1(self.inplanes, planes * block.expansion, stride),
                                       norm_layer(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, downsample, self.groups, self.base_width, previous_dilation,
                        norm_layer)]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes, groups=self.groups, base_width=self.base_width,
                                dilation=self.dilation, norm_layer=norm_layer))
        return nn.Sequential(*layers)

    def _forward_impl(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        x = ember.flatten(self.avgpool(x), 1)
        return self.fc(x)

    def forward(self, x):
        return self._forward_impl(x)


def _resnet(block, layers, fixed, **kwargs):
    """A ResNet of ``block``s; ``fixed`` holds the variant's grouping/width arguments (the caller may repeat, not
    change, them)."""
    for name, value in fixed.items():
        _ovewrite_named_param(kwargs, name, value)
    return ResNet(block, layers, **kwargs)


# ----------------------------------------------------------------------------- variants and their weights

_RECIPE_V1 = "https://github.com/pytorch/vision/tree/main/references/classification#resnet"
_RECIPE_RESNEXT = "https://github.com/pytorch/vision/tree/main/references/classification#resnext"
_RECIPE_NEW = "https://github.com/pytorch/vision/issues/3995#new-recipe"
_RECIPE_FIXRES = "https://github.com/pytorch/vision/issues/3995#new-recipe-with-fixres"
_RECIPE_WIDE = "https://github.com/pytorch/vision/pull/912#issue-445437439"
_DOCS_V1 = "These weights reproduce closely the results of the paper using a simple training recipe."
_DOCS_V2 = ("These weights improve upon the results of the original paper by using TorchVision's `new training "
            "recipe <https://pytorch.org/blog/how-to-train-state-of-the-art-models-using-torchvision-latest-"
            "primitives/>`_.")


def _v1(file, num_params, recipe, acc1, acc5, ops, file_size):
    """An original-recipe checkpoint (evaluated at resize 256, crop 224)."""
    return _imagenet_weights(file, num_params=num_params, recipe=recipe, acc1=acc1, acc5=acc5, ops=ops,
                             file_size=file_size, docs=_DOCS_V1)


def _v2(file, num_params, recipe, acc1, acc5, ops, file_size):
    """A new-recipe checkpoint (evaluated at resize 232, crop 224)."""
    return _imagenet_weights(file, num_params=num_params, recipe=recipe, acc1=acc1, acc5=acc5, ops=ops,
                             file_size=file_size, docs=_DOCS_V2, resize_size=232)


# builder, weights enum, docstring title, block, blocks per stage, fixed arguments,
# ImageNet-1K checkpoints (file, parameters, recipe, acc@1, acc@5, GFLOPS, file size in MB)
_VARIANTS = [
    ("resnet18", "ResNet18_Weights", "ResNet-18", BasicBlock, [2, 2, 2, 2], {}, {
        "IMAGENET1K_V1": _v1("resnet18-f37072fd.pth", 11689512, _RECIPE_V1, 69.758, 89.078, 1.814, 44.661)}),
    ("resnet34", "ResNet34_Weights", "ResNet-34", BasicBlock, [3, 4, 6, 3], {}, {
        "IMAGENET1K_V1": _v1("resnet34-b627a593.pth", 21797672, _RECIPE_V1, 73.314, 91.420, 3.664, 83.275)}),
    ("resnet50", "ResNet50_Weights", "ResNet-50 (V1.5: stride on the 3x3)", Bottleneck, [3, 4, 6, 3], {}, {
        "IMAGENET1K_V1": _v1("resnet50-0676ba61.pth", 25557032, _RECIPE_V1, 76.130, 92.862, 4.089, 97.781),
        "IMAGENET1K_V2": _v2("resnet50-11ad3fa6.pth", 25557032,
                             "https://github.com/pytorch/vision/issues/3995#issuecomment-1013906621", 80.858, 95.434,
                             4.089, 97.79)}),
    ("resnet101", "ResNet101_Weights", "ResNet-101", Bottleneck, [3, 4, 23, 3], {}, {
        "IMAGENET1K_V1": _v1("resnet101-63fe2227.pth", 44549160, _RECIPE_V1, 77.374, 93.546, 7.801, 170.511),
        "IMAGENET1K_V2": _v2("resnet101-cd907fc2.pth", 44549160, _RECIPE_NEW, 81.886, 95.780, 7.801, 170.53)}),
    ("resnet152", "ResNet152_Weights", "ResNet-152", Bottleneck, [3, 8, 36, 3], {}, {
        "IMAGENET1K_V1": _v1("resnet152-394f9c45.pth", 60192808, _RECIPE_V1, 78.312, 94.046, 11.514, 230.434),
        "IMAGENET1K_V2": _v2("resnet152-f82ba261.pth", 60192808, _RECIPE_NEW, 82.284, 96.002, 11.514, 230.474)}),
    ("resnext50_32x4d", "ResNeXt50_32X4D_Weights", "ResNeXt-50 32x4d (32 groups of width 4)", Bottleneck,
     [3, 4, 6, 3], {"groups": 32, "width_per_group": 4}, {
        "IMAGENET1K_V1": _v1("resnext50_32x4d-7cdf4587.pth", 25028904, _RECIPE_RESNEXT, 77.618, 93.698, 4.23,
                             95.789),
        "IMAGENET1K_V2": _v2("resnext50_32x4d-1a0047aa.pth", 25028904, _RECIPE_NEW, 81.198, 95.340, 4.23, 95.833)}),
    ("resnext101_32x8d", "ResNeXt101_32X8D_Weights", "ResNeXt-101 32x8d", Bottleneck, [3, 4, 23, 3],
     {"groups": 32, "width_per_group": 8}, {
        "IMAGENET1K_V1": _v1("resnext101_32x8d-8ba56ff5.pth", 88791336, _RECIPE_RESNEXT, 79.312, 94.526, 16.414,
                             339.586),
        "IMAGENET1K_V2": _v2("resnext101_32x8d-110c445d.pth", 88791336, _RECIPE_FIXRES, 82.834, 96.228, 16.414,
                             339.673)}),
    ("resnext101_64x4d", "ResNeXt101_64X4D_Weights", "ResNeXt-101 64x4d", Bottleneck, [3, 4, 23, 3],
     {"groups": 64, "width_per_group": 4}, {
        "IMAGENET1K_V1": _v2("resnext101_64x4d-173b62eb.pth", 83455272, "https://github.com/pytorch/vision/pull/5935",
                             83.246, 96.454, 15.46, 319.318)}),
    ("wide_resnet50_2", "Wide_ResNet50_2_Weights", "Wide ResNet-50-2 (bottlenecks twice as wide)", Bottleneck,
     [3, 4, 6, 3], {"width_per_group": 64 * 2}, {
        "IMAGENET1K_V1": _v1("wide_resnet50_2-95faca4d.pth", 68883240, _RECIPE_WIDE, 78.468, 94.086, 11.398, 131.82),
        "IMAGENET1K_V2": _v2("wide_resnet50_2-9ba9bcbe.pth", 68883240, _RECIPE_FIXRES, 81.602, 95.758, 11.398,
                             263.124)}),
    ("wide_resnet101_2", "Wide_ResNet101_2_Weights", "Wide ResNet-101-2", Bottleneck, [3, 4, 23, 3],
     {"width_per_group": 64 * 2}, {
        "IMAGENET1K_V1": _v1("wide_resnet101_2-32ee1156.pth", 126886696, _RECIPE_WIDE, 78.848, 94.284, 22.753,
                             242.896),
        "IMAGENET1K_V2": _v2("wide_resnet101_2-d733dc28.pth", 126886696, _RECIPE_NEW, 82.510, 96.020, 22.753,
                             484.747)}),
]

for _name, _enum_name, _title, _block, _layers, _fixed, _checkpoints in _VARIANTS:
    # The newest checkpoint is the default, as in torchvision.
    _define_variant(globals(), _name, _enum_name, _title, _checkpoints, partial(_resnet, _block, _layers, _fixed),
                    ResNet, default=list(_checkpoints)[-1])
del _name, _enum_name, _title, _block, _layers, _fixed, _checkpoints
