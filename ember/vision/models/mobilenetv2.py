"""MobileNetV2 with torchvision's module tree, so its ImageNet checkpoints load with ``strict=True``."""

import ember
from ember import nn
from ember.nn import functional as F

from ..ops.misc import Conv2dNormActivation
from ._api import WeightsEnum, _imagenet_weights, _typing_hint, register_model
from ._utils import _build_model, _init_mobile_weights, _make_divisible, _normal_linear_init, handle_legacy_interface

__all__ = ["MobileNetV2", "MobileNet_V2_Weights", "mobilenet_v2"]


class InvertedResidual(nn.Module):
    """Expand (1x1, ReLU6), depthwise 3x3 (ReLU6), linear 1x1 projection; a shortcut when shapes allow."""

    def __init__(self, inp, oup, stride, expand_ratio, norm_layer=None):
        super().__init__()
        self.stride = stride
        if stride not in (1, 2):
            raise ValueError(f"stride should be 1 or 2 instead of {stride}")
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        hidden_dim = int(round(inp * expand_ratio))
        self.use_res_connect = self.stride == 1 and inp == oup
        layers = []
        if expand_ratio != 1:
            layers.append(Conv2dNormActivation(inp, hidden_dim, kernel_size=1, norm_layer=norm_layer,
                                               activation_layer=nn.ReLU6))
        layers += [
            Conv2dNormActivation(hidden_dim, hidden_dim, stride=stride, groups=hidden_dim, norm_layer=norm_layer,
                                 activation_layer=nn.ReLU6),
            nn.Conv2d(hidden_dim, oup, 1, 1, 0, bias=False),
            norm_layer(oup),
        ]
        self.conv = nn.Sequential(*layers)
        self.out_channels = oup
        self._is_cn = stride > 1

    def forward(self, x):
        if self.use_res_connect:
            return x + self.conv(x)
        return self.conv(x)


# t (expansion), c (channels), n (repeats), s (first stride) per stage, from the paper's Table 2.
_DEFAULT_SETTING = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2],
                    [6, 320, 1, 1]]


class MobileNetV2(nn.Module):
    """MobileNetV2 ("Inverted Residuals and Linear Bottlenecks").

    ``width_mult`` scales every layer's channels (rounded to multiples of ``round_nearest``);
    ``inverted_residual_setting`` replaces the (t, c, n, s) table; ``block``/``norm_layer`` swap the building blocks.

    >>> MobileNetV2(num_classes=10, width_mult=0.5)(ember.zeros(2, 3, 32, 32)).shape
    ember.Size([2, 10])
    """

    def __init__(self, num_classes=1000, width_mult=1.0, inverted_residual_setting=None, round_nearest=8,
                 block=None, norm_layer=None, dropout=0.2):
        super().__init__()
        if block is None:
            block = InvertedResidual
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        if inverted_residual_setting is None:
            inverted_residual_setting = _DEFAULT_SETTING
        if len(inverted_residual_setting) == 0 or len(inverted_residual_setting[0]) != 4:
            raise ValueError("inverted_residual_setting should be non-empty or a 4-element list, got "
                             f"{inverted_residual_setting}")
        input_channel = _make_divisible(32 * width_mult, round_nearest)
        self.last_channel = _make_divisible(1280 * max(1.0, width_mult), round_nearest)
        features = [Conv2dNormActivation(3, input_channel, stride=2, norm_layer=norm_layer,
                                         activation_layer=nn.ReLU6)]
        for t, c, n, s in inverted_residual_setting:
            output_channel = _make_divisible(c * width_mult, round_nearest)
            for i in range(n):
                stride = s if i == 0 else 1
                features.append(block(input_channel, output_channel, stride, expand_ratio=t, norm_layer=norm_layer))
                input_channel = output_channel
        features.append(Conv2dNormActivation(input_channel, self.last_channel, kernel_size=1, norm_layer=norm_layer,
                                             activation_layer=nn.ReLU6))
        self.features = nn.Sequential(*features)
        self.classifier = nn.Sequential(nn.Dropout(p=dropout), nn.Linear(self.last_channel, num_classes))
        _init_mobile_weights(self, _normal_linear_init)

    def _forward_impl(self, x):
        x = F.adaptive_avg_pool2d(self.features(x), (1, 1))
        return self.classifier(ember.flatten(x, 1))

    def forward(self, x):
        return self._forward_impl(x)


class MobileNet_V2_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(
        "mobilenet_v2-b0353104.pth", num_params=3504872, acc1=71.878, acc5=90.286, ops=0.301, file_size=13.555,
        recipe="https://github.com/pytorch/vision/tree/main/references/classification#mobilenetv2",
        docs="These weights reproduce closely the results of the paper using a simple training recipe.")
    IMAGENET1K_V2 = _imagenet_weights(
        "mobilenet_v2-7ebf99e0.pth", num_params=3504872, acc1=72.154, acc5=90.822, ops=0.301, file_size=13.598,
        resize_size=232, recipe="https://github.com/pytorch/vision/issues/3995#new-recipe-with-reg-tuning",
        docs="These weights improve upon the results of the original paper by using a modified version of "
             "TorchVision's new training recipe.")
    DEFAULT = IMAGENET1K_V2


@register_model()
@handle_legacy_interface(weights=("pretrained", MobileNet_V2_Weights.IMAGENET1K_V1))
def mobilenet_v2(*, weights: _typing_hint(MobileNet_V2_Weights) = None, progress: bool = True,
                 **kwargs) -> MobileNetV2:
    """MobileNetV2; ``weights`` takes MobileNet_V2_Weights (or its name), a checkpoint path or URL.

    >>> mobilenet_v2(num_classes=3).classifier[1].out_features
    3
    """
    return _build_model(MobileNetV2, weights, MobileNet_V2_Weights, progress, kwargs)
