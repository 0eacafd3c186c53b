"""MobileNetV3 small and large with torchvision's module tree."""

from functools import partial

from ember import nn

from ..ops.misc import Conv2dNormActivation
from ..ops.misc import SqueezeExcitation as SElayer
from ._api import _imagenet_weights
from ._utils import (
    _check_inverted_residual_setting,
    _define_variant,
    _init_mobile_weights,
    _make_divisible,
    _normal_linear_init,
    _PooledClassifier,
)

__all__ = ["MobileNetV3"]       # and each variant's weights enum and builder, from the table _VARIANTS below


class InvertedResidualConfig:
    """One row of the paper's Tables 1-2: channels (scaled by ``width_mult``), kernel, SE, activation, stride."""

    def __init__(self, input_channels, kernel, expanded_channels, out_channels, use_se, activation, stride, dilation,
                 width_mult):
        self.input_channels = self.adjust_channels(input_channels, width_mult)
        self.kernel = kernel
        self.expanded_channels = self.adjust_channels(expanded_channels, width_mult)
        self.out_channels = self.adjust_channels(out_channels, width_mult)
        self.use_se = use_se
        self.use_hs = activation == "HS"
        self.stride = stride
        self.dilation = dilation

    @staticmethod
    def adjust_channels(channels, width_mult):
        return _make_divisible(channels * width_mult, 8)


class InvertedResidual(nn.Module):
    """Expand 1x1, depthwise (optionally dilated), optional squeeze-excitation, project 1x1; shortcut if possible."""

    def __init__(self, cnf, norm_layer, se_layer=partial(SElayer, scale_activation=nn.Hardsigmoid)):
        super().__init__()
        if not 1 <= cnf.stride <= 2:
            raise ValueError("illegal stride value")
        self.use_res_connect = cnf.stride == 1 and cnf.input_channels == cnf.out_channels
        activation_layer = nn.Hardswish if cnf.use_hs else nn.ReLU
        layers = []
        if cnf.expanded_channels != cnf.input_channels:
            layers.append(Conv2dNormActivation(cnf.input_channels, cnf.expanded_channels, kernel_size=1,
                                               norm_layer=norm_layer, activation_layer=activation_layer))
        stride = 1 if cnf.dilation > 1 else cnf.stride
        layers.append(Conv2dNormActivation(cnf.expanded_channels, cnf.expanded_channels, kernel_size=cnf.kernel,
                                           stride=stride, dilation=cnf.dilation, groups=cnf.expanded_channels,
                                           norm_layer=norm_layer, activation_layer=activation_layer))
        if cnf.use_se:
            squeeze_channels = _make_divisible(cnf.expanded_channels // 4, 8)
            layers.append(se_layer(cnf.expanded_channels, squeeze_channels))
        layers.append(Conv2dNormActivation(cnf.expanded_channels, cnf.out_channels, kernel_size=1,
                                           norm_layer=norm_layer, activation_layer=None))
        self.block = nn.Sequential(*layers)
        self.out_channels = cnf.out_channels
        self._is_cn = cnf.stride > 1

    def forward(self, x):
        result = self.block(x)
        if self.use_res_connect:
            result = result + x
        return result


class MobileNetV3(_PooledClassifier):
    """MobileNetV3 ("Searching for MobileNetV3") from a list of InvertedResidualConfig rows.

    Extra keyword arguments (the builders' ``width_mult``, ``reduced_tail``, ``dilated``) are accepted and
    ignored here, as in torchvision.

    >>> setting, last = _mobilenet_v3_conf("mobilenet_v3_small")
    >>> MobileNetV3(setting, last, num_classes=7)(ember.zeros(2, 3, 32, 32)).shape
    ember.Size([2, 7])
    """

    def __init__(self, inverted_residual_setting, last_channel, num_classes=1000, block=None, norm_layer=None,
                 dropout=0.2, **kwargs):
        super().__init__()
        _check_inverted_residual_setting(inverted_residual_setting, InvertedResidualConfig, "InvertedResidualConfig")
        if block is None:
            block = InvertedResidual
        if norm_layer is None:
            norm_layer = partial(nn.BatchNorm2d, eps=0.001, momentum=0.01)
        first_channels = inverted_residual_setting[0].input_channels
        layers = [Conv2dNormActivation(3, first_channels, kernel_size=3, stride=2, norm_layer=norm_layer,
                                       activation_layer=nn.Hardswish)]
        layers += [block(cnf, norm_layer) for cnf in inverted_residual_setting]
        lastconv_input_channels = inverted_residual_setting[-1].out_channels
        lastconv_output_channels = 6 * lastconv_input_channels
        layers.append(Conv2dNormActivation(lastconv_input_channels, lastconv_output_channels, kernel_size=1,
                                           norm_layer=norm_layer, activation_layer=nn.Hardswish))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(
            nn.Linear(lastconv_output_channels, last_channel), nn.Hardswish(inplace=True),
            nn.Dropout(p=dropout, inplace=True), nn.Linear(last_channel, num_classes))
        _init_mobile_weights(self, _normal_linear_init)


def _mobilenet_v3_conf(arch, width_mult=1.0, reduced_tail=False, dilated=False, **kwargs):
    """The block table and penultimate width of ``arch``; ``reduced_tail`` halves the last stage's channels and
    ``dilated`` dilates it (both for segmentation backbones)."""
    divider = 2 if reduced_tail else 1
    dilation = 2 if dilated else 1
    row = partial(InvertedResidualConfig, width_mult=width_mult)
    if arch == "mobilenet_v3_large":
        setting = [
            row(16, 3, 16, 16, False, "RE", 1, 1),
            row(16, 3, 64, 24, False, "RE", 2, 1),
            row(24, 3, 72, 24, False, "RE", 1, 1),
            row(24, 5, 72, 40, True, "RE", 2, 1),
            row(40, 5, 120, 40, True, "RE", 1, 1),
            row(40, 5, 120, 40, True, "RE", 1, 1),
            row(40, 3, 240, 80, False, "HS", 2, 1),
            row(80, 3, 200, 80, False, "HS", 1, 1),
            row(80, 3, 184, 80, False, "HS", 1, 1),
            row(80, 3, 184, 80, False, "HS", 1, 1),
            row(80, 3, 480, 112, True, "HS", 1, 1),
            row(112, 3, 672, 112, True, "HS", 1, 1),
            row(112, 5, 672, 160 // divider, True, "HS", 2, dilation),
            row(160 // divider, 5, 960 // divider, 160 // divider, True, "HS", 1, dilation),
            row(160 // divider, 5, 960 // divider, 160 // divider, True, "HS", 1, dilation),
        ]
        last_channel = InvertedResidualConfig.adjust_channels(1280 // divider, width_mult)
    elif arch == "mobilenet_v3_small":
        setting = [
            row(16, 3, 16, 16, True, "RE", 2, 1),
            row(16, 3, 72, 24, False, "RE", 2, 1),
            row(24, 3, 88, 24, False, "RE", 1, 1),
            row(24, 5, 96, 40, True, "HS", 2, 1),
            row(40, 5, 240, 40, True, "HS", 1, 1),
            row(40, 5, 240, 40, True, "HS", 1, 1),
            row(40, 5, 120, 48, True, "HS", 1, 1),
            row(48, 5, 144, 48, True, "HS", 1, 1),
            row(48, 5, 288, 96 // divider, True, "HS", 2, dilation),
            row(96 // divider, 5, 576 // divider, 96 // divider, True, "HS", 1, dilation),
            row(96 // divider, 5, 576 // divider, 96 // divider, True, "HS", 1, dilation),
        ]
        last_channel = InvertedResidualConfig.adjust_channels(1024 // divider, width_mult)
    else:
        raise ValueError(f"Unsupported model type {arch}")
    return setting, last_channel


def _mobilenet_v3(arch, **kwargs):
    """MobileNetV3 ``arch``; the table options (``width_mult``, ``reduced_tail``, ``dilated``) come from kwargs."""
    setting, last_channel = _mobilenet_v3_conf(arch, **kwargs)
    return MobileNetV3(setting, last_channel, **kwargs)


# ----------------------------------------------------------------------------- variants and their weights

_RECIPE_V1 = "https://github.com/pytorch/vision/tree/main/references/classification#mobilenetv3-large--small"

# builder, weights enum, docstring title, ImageNet-1K checkpoints, default checkpoint
_VARIANTS = [
    ("mobilenet_v3_large", "MobileNet_V3_Large_Weights", "MobileNetV3-Large", {
        "IMAGENET1K_V1": _imagenet_weights(
            "mobilenet_v3_large-8738ca79.pth", num_params=5483032, acc1=74.042, acc5=91.340, ops=0.217,
            file_size=21.114, recipe=_RECIPE_V1,
            docs="These weights were trained from scratch by using a simple training recipe."),
        "IMAGENET1K_V2": _imagenet_weights(
            "mobilenet_v3_large-5c1a4163.pth", num_params=5483032, acc1=75.274, acc5=92.566, ops=0.217,
            file_size=21.107, resize_size=232,
            recipe="https://github.com/pytorch/vision/issues/3995#new-recipe-with-reg-tuning",
            docs="These weights improve marginally upon the results of the original paper by using a modified "
                 "version of TorchVision's new training recipe."),
    }, "IMAGENET1K_V2"),
    ("mobilenet_v3_small", "MobileNet_V3_Small_Weights", "MobileNetV3-Small", {
        "IMAGENET1K_V1": _imagenet_weights(
            "mobilenet_v3_small-047dcff4.pth", num_params=2542856, acc1=67.668, acc5=87.402, ops=0.057,
            file_size=9.829, recipe=_RECIPE_V1,
            docs="These weights improve upon the results of the original paper by using a simple training recipe."),
    }, "IMAGENET1K_V1"),
]

for _name, _enum_name, _title, _checkpoints, _default in _VARIANTS:
    _define_variant(globals(), _name, _enum_name, _title, _checkpoints, partial(_mobilenet_v3, _name), MobileNetV3,
                    default=_default)
del _name, _enum_name, _title, _checkpoints, _default
