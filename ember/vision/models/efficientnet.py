"""EfficientNet B0-B7 and EfficientNetV2 S/M/L with torchvision's module tree."""

import copy
import math
from collections.abc import Sequence
from functools import partial

import ember
from ember import nn

from ..ops.misc import Conv2dNormActivation, SqueezeExcitation
from ..ops.stochastic_depth import StochasticDepth
from ._api import Weights, WeightsEnum, _classification_transforms, _typing_hint, register_model
from ._meta import _IMAGENET_CATEGORIES
from ._utils import _finish_model, _make_divisible, _prepare_weights, handle_legacy_interface

__all__ = ["EfficientNet", "EfficientNet_B0_Weights", "EfficientNet_B1_Weights", "EfficientNet_B2_Weights",
           "EfficientNet_B3_Weights", "EfficientNet_B4_Weights", "EfficientNet_B5_Weights", "EfficientNet_B6_Weights",
           "EfficientNet_B7_Weights", "EfficientNet_V2_S_Weights", "EfficientNet_V2_M_Weights",
           "EfficientNet_V2_L_Weights", "efficientnet_b0", "efficientnet_b1", "efficientnet_b2", "efficientnet_b3",
           "efficientnet_b4", "efficientnet_b5", "efficientnet_b6", "efficientnet_b7", "efficientnet_v2_s",
           "efficientnet_v2_m", "efficientnet_v2_l"]


class _MBConvConfig:
    """One stage: expansion ratio, kernel, first stride, channels in/out, repeats, and the block class."""

    def __init__(self, expand_ratio, kernel, stride, input_channels, out_channels, num_layers, block):
        self.expand_ratio = expand_ratio
        self.kernel = kernel
        self.stride = stride
        self.input_channels = input_channels
        self.out_channels = out_channels
        self.num_layers = num_layers
        self.block = block

    @staticmethod
    def adjust_channels(channels, width_mult, min_value=None):
        return _make_divisible(channels * width_mult, 8, min_value)

    def __repr__(self):
        return (f"{self.__class__.__name__}(expand_ratio={self.expand_ratio}, kernel={self.kernel}, "
                f"stride={self.stride}, input_channels={self.input_channels}, out_channels={self.out_channels}, "
                f"num_layers={self.num_layers}, block={self.block.__name__})")


class MBConvConfig(_MBConvConfig):
    """A stage of MBConv blocks (EfficientNet Table 1), channels scaled by ``width_mult``, repeats by ``depth_mult``."""

    def __init__(self, expand_ratio, kernel, stride, input_channels, out_channels, num_layers, width_mult=1.0,
                 depth_mult=1.0, block=None):
        input_channels = self.adjust_channels(input_channels, width_mult)
        out_channels = self.adjust_channels(out_channels, width_mult)
        num_layers = self.adjust_depth(num_layers, depth_mult)
        super().__init__(expand_ratio, kernel, stride, input_channels, out_channels, num_layers,
                         MBConv if block is None else block)

    @staticmethod
    def adjust_depth(num_layers, depth_mult):
        return int(math.ceil(num_layers * depth_mult))


class FusedMBConvConfig(_MBConvConfig):
    """A stage of FusedMBConv blocks (EfficientNetV2 Table 4)."""

    def __init__(self, expand_ratio, kernel, stride, input_channels, out_channels, num_layers, block=None):
        super().__init__(expand_ratio, kernel, stride, input_channels, out_channels, num_layers,
                         FusedMBConv if block is None else block)


class MBConv(nn.Module):
    """Expand 1x1, depthwise, squeeze-excitation, project 1x1 (all SiLU); stochastic-depth shortcut if possible."""

    def __init__(self, cnf, stochastic_depth_prob, norm_layer, se_layer=SqueezeExcitation):
        super().__init__()
        if not 1 <= cnf.stride <= 2:
            raise ValueError("illegal stride value")
        self.use_res_connect = cnf.stride == 1 and cnf.input_channels == cnf.out_channels
        expanded = cnf.adjust_channels(cnf.input_channels, cnf.expand_ratio)
        layers = []
        if expanded != cnf.input_channels:
            layers.append(Conv2dNormActivation(cnf.input_channels, expanded, kernel_size=1, norm_layer=norm_layer,
                                               activation_layer=nn.SiLU))
        layers.append(Conv2dNormActivation(expanded, expanded, kernel_size=cnf.kernel, stride=cnf.stride,
                                           groups=expanded, norm_layer=norm_layer, activation_layer=nn.SiLU))
        squeeze_channels = max(1, cnf.input_channels // 4)
        layers.append(se_layer(expanded, squeeze_channels, activation=partial(nn.SiLU, inplace=True)))
        layers.append(Conv2dNormActivation(expanded, cnf.out_channels, kernel_size=1, norm_layer=norm_layer,
                                           activation_layer=None))
        self.block = nn.Sequential(*layers)
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")
        self.out_channels = cnf.out_channels

    def forward(self, input):
        result = self.block(input)
        if self.use_res_connect:
            result = self.stochastic_depth(result) + input
        return result


class FusedMBConv(nn.Module):
    """A full 3x3 convolution in place of expand+depthwise, then project 1x1; stochastic-depth shortcut."""

    def __init__(self, cnf, stochastic_depth_prob, norm_layer):
        super().__init__()
        if not 1 <= cnf.stride <= 2:
            raise ValueError("illegal stride value")
        self.use_res_connect = cnf.stride == 1 and cnf.input_channels == cnf.out_channels
        expanded = cnf.adjust_channels(cnf.input_channels, cnf.expand_ratio)
        if expanded != cnf.input_channels:
            layers = [
                Conv2dNormActivation(cnf.input_channels, expanded, kernel_size=cnf.kernel, stride=cnf.stride,
                                     norm_layer=norm_layer, activation_layer=nn.SiLU),
                Conv2dNormActivation(expanded, cnf.out_channels, kernel_size=1, norm_layer=norm_layer,
                                     activation_layer=None),
            ]
        else:
            layers = [Conv2dNormActivation(cnf.input_channels, cnf.out_channels, kernel_size=cnf.kernel,
                                           stride=cnf.stride, norm_layer=norm_layer, activation_layer=nn.SiLU)]
        self.block = nn.Sequential(*layers)
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")
        self.out_channels = cnf.out_channels

    def forward(self, input):
        result = self.block(input)
        if self.use_res_connect:
            result = self.stochastic_depth(result) + input
        return result


class EfficientNet(nn.Module):
    """EfficientNet (V1 and V2) from a list of stage configs.

    The stochastic-depth probability grows linearly from 0 to ``stochastic_depth_prob`` over the blocks.

    >>> setting, last = _efficientnet_conf("efficientnet_b0", width_mult=0.25, depth_mult=0.25)
    >>> EfficientNet(setting, 0.2, num_classes=3)(ember.zeros(2, 3, 32, 32)).shape
    ember.Size([2, 3])
    """

    def __init__(self, inverted_residual_setting, dropout, stochastic_depth_prob=0.2, num_classes=1000,
                 norm_layer=None, last_channel=None):
        super().__init__()
        if not inverted_residual_setting:
            raise ValueError("The inverted_residual_setting should not be empty")
        if not (isinstance(inverted_residual_setting, Sequence)
                and all(isinstance(s, _MBConvConfig) for s in inverted_residual_setting)):
            raise TypeError("The inverted_residual_setting should be List[MBConvConfig]")
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        layers = [Conv2dNormActivation(3, inverted_residual_setting[0].input_channels, kernel_size=3, stride=2,
                                       norm_layer=norm_layer, activation_layer=nn.SiLU)]
        total_blocks = sum(cnf.num_layers for cnf in inverted_residual_setting)
        block_id = 0
        for cnf in inverted_residual_setting:
            stage = []
            for _ in range(cnf.num_layers):
                block_cnf = copy.copy(cnf)
                if stage:                         # later blocks of a stage keep the width and stride 1
                    block_cnf.input_channels = block_cnf.out_channels
                    block_cnf.stride = 1
                sd_prob = stochastic_depth_prob * float(block_id) / total_blocks
                stage.append(block_cnf.block(block_cnf, sd_prob, norm_layer))
                block_id += 1
            layers.append(nn.Sequential(*stage))
        lastconv_input_channels = inverted_residual_setting[-1].out_channels
        lastconv_output_channels = last_channel if last_channel is not None else 4 * lastconv_input_channels
        layers.append(Conv2dNormActivation(lastconv_input_channels, lastconv_output_channels, kernel_size=1,
                                           norm_layer=norm_layer, activation_layer=nn.SiLU))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Dropout(p=dropout, inplace=True),
                                        nn.Linear(lastconv_output_channels, num_classes))
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                init_range = 1.0 / math.sqrt(m.out_features)
                nn.init.uniform_(m.weight, -init_range, init_range)
                nn.init.zeros_(m.bias)

    def _forward_impl(self, x):
        x = ember.flatten(self.avgpool(self.features(x)), 1)
        return self.classifier(x)

    def forward(self, x):
        return self._forward_impl(x)


def _efficientnet_conf(arch, **kwargs):
    """(stage configs, last_channel) of ``arch``; B0-B7 take ``width_mult`` and ``depth_mult``."""
    if arch.startswith("efficientnet_b"):
        stage = partial(MBConvConfig, width_mult=kwargs.pop("width_mult"), depth_mult=kwargs.pop("depth_mult"))
        return [stage(1, 3, 1, 32, 16, 1), stage(6, 3, 2, 16, 24, 2), stage(6, 5, 2, 24, 40, 2),
                stage(6, 3, 2, 40, 80, 3), stage(6, 5, 1, 80, 112, 3), stage(6, 5, 2, 112, 192, 4),
                stage(6, 3, 1, 192, 320, 1)], None
    fused, mb = FusedMBConvConfig, MBConvConfig
    if arch.startswith("efficientnet_v2_s"):
        return [fused(1, 3, 1, 24, 24, 2), fused(4, 3, 2, 24, 48, 4), fused(4, 3, 2, 48, 64, 4),
                mb(4, 3, 2, 64, 128, 6), mb(6, 3, 1, 128, 160, 9), mb(6, 3, 2, 160, 256, 15)], 1280
    if arch.startswith("efficientnet_v2_m"):
        return [fused(1, 3, 1, 24, 24, 3), fused(4, 3, 2, 24, 48, 5), fused(4, 3, 2, 48, 80, 5),
                mb(4, 3, 2, 80, 160, 7), mb(6, 3, 1, 160, 176, 14), mb(6, 3, 2, 176, 304, 18),
                mb(6, 3, 1, 304, 512, 5)], 1280
    if arch.startswith("efficientnet_v2_l"):
        return [fused(1, 3, 1, 32, 32, 4), fused(4, 3, 2, 32, 64, 7), fused(4, 3, 2, 64, 96, 7),
                mb(4, 3, 2, 96, 192, 10), mb(6, 3, 1, 192, 224, 19), mb(6, 3, 2, 224, 384, 25),
                mb(6, 3, 1, 384, 640, 7)], 1280
    raise ValueError(f"Unsupported model type {arch}")


def _efficientnet(arch, default_dropout, weights, enum_cls, progress, conf=None, **kwargs):
    setting, last_channel = _efficientnet_conf(arch, **(conf or {}))
    dropout = kwargs.pop("dropout", default_dropout)
    resolved = _prepare_weights(weights, enum_cls, kwargs)
    model = EfficientNet(setting, dropout, last_channel=last_channel, **kwargs)
    return _finish_model(model, resolved, progress)


# ----------------------------------------------------------------------------- weights

_RECIPE_V1 = "https://github.com/pytorch/vision/tree/main/references/classification#efficientnet-v1"
_RECIPE_V2 = "https://github.com/pytorch/vision/tree/main/references/classification#efficientnet-v2"
_PORTED = "These weights are ported from the original paper."
_NEW_RECIPE = ("These weights improve upon the results of the original paper by using a modified version of "
               "TorchVision's new training recipe.")


def _weights(file, crop, resize, interpolation, num_params, acc1, acc5, ops, file_size, min_size=(1, 1),
             recipe=_RECIPE_V1, docs=_PORTED, **transform_options):
    meta = {"categories": _IMAGENET_CATEGORIES, "min_size": min_size, "recipe": recipe, "num_params": num_params,
            "_metrics": {"ImageNet-1K": {"acc@1": acc1, "acc@5": acc5}}, "_ops": ops, "_file_size": file_size,
            "_docs": docs}
    transforms = _classification_transforms(crop_size=crop, resize_size=resize, interpolation=interpolation,
                                            **transform_options)
    return Weights(url=f"https://download.pytorch.org/models/{file}", transforms=transforms, meta=meta)


class EfficientNet_B0_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("efficientnet_b0_rwightman-7f5810bc.pth", 224, 256, "bicubic", 5288548, 77.692, 93.532,
                             0.386, 20.451)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B1_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("efficientnet_b1_rwightman-bac287d4.pth", 240, 256, "bicubic", 7794184, 78.642, 94.186,
                             0.687, 30.134)
    IMAGENET1K_V2 = _weights("efficientnet_b1-c27df63c.pth", 240, 255, "bilinear", 7794184, 79.838, 94.934, 0.687,
                             30.136, recipe="https://github.com/pytorch/vision/issues/3995#new-recipe-with-lr-wd-crop-tuning",
                             docs=_NEW_RECIPE)
    DEFAULT = IMAGENET1K_V2


class EfficientNet_B2_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("efficientnet_b2_rwightman-c35c1473.pth", 288, 288, "bicubic", 9109994, 80.608, 95.310,
                             1.088, 35.174)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B3_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("efficientnet_b3_rwightman-b3899882.pth", 300, 320, "bicubic", 12233232, 82.008, 96.054,
                             1.827, 47.184)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B4_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("efficientnet_b4_rwightman-23ab8bcd.pth", 380, 384, "bicubic", 19341616, 83.384, 96.594,
                             4.394, 74.489)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B5_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("efficientnet_b5_lukemelas-1a07897c.pth", 456, 456, "bicubic", 30389784, 83.444, 96.628,
                             10.266, 116.864)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B6_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("efficientnet_b6_lukemelas-24a108a5.pth", 528, 528, "bicubic", 43040704, 84.008, 96.916,
                             19.068, 165.362)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B7_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("efficientnet_b7_lukemelas-c5b4e57e.pth", 600, 600, "bicubic", 66347960, 84.122, 96.908,
                             37.746, 254.675)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_V2_S_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("efficientnet_v2_s-dd5fe13b.pth", 384, 384, "bilinear", 21458488, 84.228, 96.878, 8.366,
                             82.704, min_size=(33, 33), recipe=_RECIPE_V2, docs=_NEW_RECIPE)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_V2_M_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("efficientnet_v2_m-dc08266a.pth", 480, 480, "bilinear", 54139356, 85.112, 97.156,
                             24.582, 208.01, min_size=(33, 33), recipe=_RECIPE_V2, docs=_NEW_RECIPE)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_V2_L_Weights(WeightsEnum):
    # Ported from the original paper's weights, which expect inputs normalised to [-1, 1].
    IMAGENET1K_V1 = _weights("efficientnet_v2_l-59c71312.pth", 480, 480, "bicubic", 118515272, 85.808, 97.788,
                             56.08, 454.573, min_size=(33, 33), recipe=_RECIPE_V2, mean=(0.5, 0.5, 0.5),
                             std=(0.5, 0.5, 0.5))
    DEFAULT = IMAGENET1K_V1


# ----------------------------------------------------------------------------- builders

_BN_TF = partial(nn.BatchNorm2d, eps=0.001, momentum=0.01)     # B5-B7: the ported weights' TensorFlow BN settings
_BN_V2 = partial(nn.BatchNorm2d, eps=1e-03)


@register_model()
@handle_legacy_interface(weights=("pretrained", EfficientNet_B0_Weights.IMAGENET1K_V1))
def efficientnet_b0(*, weights: _typing_hint(EfficientNet_B0_Weights) = None, progress: bool = True,
                    **kwargs) -> EfficientNet:
    """EfficientNet-B0; ``weights`` takes EfficientNet_B0_Weights (or its name), a checkpoint path or URL.

    >>> efficientnet_b0().classifier[1].in_features
    1280
    """
    return _efficientnet("efficientnet_b0", 0.2, weights, EfficientNet_B0_Weights, progress,
                         conf={"width_mult": 1.0, "depth_mult": 1.0}, **kwargs)


@register_model()
@handle_legacy_interface(weights=("pretrained", EfficientNet_B1_Weights.IMAGENET1K_V1))
def efficientnet_b1(*, weights: _typing_hint(EfficientNet_B1_Weights) = None, progress: bool = True,
                    **kwargs) -> EfficientNet:
    """EfficientNet-B1; ``weights`` takes EfficientNet_B1_Weights (or its name), a checkpoint path or URL.

    >>> EfficientNet_B1_Weights.DEFAULT
    EfficientNet_B1_Weights.IMAGENET1K_V2
    """
    return _efficientnet("efficientnet_b1", 0.2, weights, EfficientNet_B1_Weights, progress,
                         conf={"width_mult": 1.0, "depth_mult": 1.1}, **kwargs)


@register_model()
@handle_legacy_interface(weights=("pretrained", EfficientNet_B2_Weights.IMAGENET1K_V1))
def efficientnet_b2(*, weights: _typing_hint(EfficientNet_B2_Weights) = None, progress: bool = True,
                    **kwargs) -> EfficientNet:
    """EfficientNet-B2; ``weights`` takes EfficientNet_B2_Weights (or its name), a checkpoint path or URL.

    >>> EfficientNet_B2_Weights.DEFAULT.meta["num_params"]
    9109994
    """
    return _efficientnet("efficientnet_b2", 0.3, weights, EfficientNet_B2_Weights, progress,
                         conf={"width_mult": 1.1, "depth_mult": 1.2}, **kwargs)


@register_model()
@handle_legacy_interface(weights=("pretrained", EfficientNet_B3_Weights.IMAGENET1K_V1))
def efficientnet_b3(*, weights: _typing_hint(EfficientNet_B3_Weights) = None, progress: bool = True,
                    **kwargs) -> EfficientNet:
    """EfficientNet-B3; ``weights`` takes EfficientNet_B3_Weights (or its name), a checkpoint path or URL.

    >>> EfficientNet_B3_Weights.DEFAULT.meta["num_params"]
    12233232
    """
    return _efficientnet("efficientnet_b3", 0.3, weights, EfficientNet_B3_Weights, progress,
                         conf={"width_mult": 1.2, "depth_mult": 1.4}, **kwargs)


@register_model()
@handle_legacy_interface(weights=("pretrained", EfficientNet_B4_Weights.IMAGENET1K_V1))
def efficientnet_b4(*, weights: _typing_hint(EfficientNet_B4_Weights) = None, progress: bool = True,
                    **kwargs) -> EfficientNet:
    """EfficientNet-B4; ``weights`` takes EfficientNet_B4_Weights (or its name), a checkpoint path or URL.

    >>> EfficientNet_B4_Weights.DEFAULT.meta["num_params"]
    19341616
    """
    return _efficientnet("efficientnet_b4", 0.4, weights, EfficientNet_B4_Weights, progress,
                         conf={"width_mult": 1.4, "depth_mult": 1.8}, **kwargs)


@register_model()
@handle_legacy_interface(weights=("pretrained", EfficientNet_B5_Weights.IMAGENET1K_V1))
def efficientnet_b5(*, weights: _typing_hint(EfficientNet_B5_Weights) = None, progress: bool = True,
                    **kwargs) -> EfficientNet:
    """EfficientNet-B5 (TensorFlow-style BN eps/momentum); ``weights`` takes EfficientNet_B5_Weights, a path or URL.

    >>> EfficientNet_B5_Weights.DEFAULT.meta["num_params"]
    30389784
    """
    return _efficientnet("efficientnet_b5", 0.4, weights, EfficientNet_B5_Weights, progress,
                         conf={"width_mult": 1.6, "depth_mult": 2.2}, norm_layer=_BN_TF, **kwargs)


@register_model()
@handle_legacy_interface(weights=("pretrained", EfficientNet_B6_Weights.IMAGENET1K_V1))
def efficientnet_b6(*, weights: _typing_hint(EfficientNet_B6_Weights) = None, progress: bool = True,
                    **kwargs) -> EfficientNet:
    """EfficientNet-B6; ``weights`` takes EfficientNet_B6_Weights (or its name), a checkpoint path or URL.

    >>> EfficientNet_B6_Weights.DEFAULT.meta["num_params"]
    43040704
    """
    return _efficientnet("efficientnet_b6", 0.5, weights, EfficientNet_B6_Weights, progress,
                         conf={"width_mult": 1.8, "depth_mult": 2.6}, norm_layer=_BN_TF, **kwargs)


@register_model()
@handle_legacy_interface(weights=("pretrained", EfficientNet_B7_Weights.IMAGENET1K_V1))
def efficientnet_b7(*, weights: _typing_hint(EfficientNet_B7_Weights) = None, progress: bool = True,
                    **kwargs) -> EfficientNet:
    """EfficientNet-B7; ``weights`` takes EfficientNet_B7_Weights (or its name), a checkpoint path or URL.

    >>> EfficientNet_B7_Weights.DEFAULT.meta["num_params"]
    66347960
    """
    return _efficientnet("efficientnet_b7", 0.5, weights, EfficientNet_B7_Weights, progress,
                         conf={"width_mult": 2.0, "depth_mult": 3.1}, norm_layer=_BN_TF, **kwargs)


@register_model()
@handle_legacy_interface(weights=("pretrained", EfficientNet_V2_S_Weights.IMAGENET1K_V1))
def efficientnet_v2_s(*, weights: _typing_hint(EfficientNet_V2_S_Weights) = None, progress: bool = True,
                      **kwargs) -> EfficientNet:
    """EfficientNetV2-S; ``weights`` takes EfficientNet_V2_S_Weights (or its name), a checkpoint path or URL.

    >>> EfficientNet_V2_S_Weights.DEFAULT.meta["min_size"]
    (33, 33)
    """
    return _efficientnet("efficientnet_v2_s", 0.2, weights, EfficientNet_V2_S_Weights, progress,
                         norm_layer=_BN_V2, **kwargs)


@register_model()
@handle_legacy_interface(weights=("pretrained", EfficientNet_V2_M_Weights.IMAGENET1K_V1))
def efficientnet_v2_m(*, weights: _typing_hint(EfficientNet_V2_M_Weights) = None, progress: bool = True,
                      **kwargs) -> EfficientNet:
    """EfficientNetV2-M; ``weights`` takes EfficientNet_V2_M_Weights (or its name), a checkpoint path or URL.

    >>> EfficientNet_V2_M_Weights.DEFAULT.meta["num_params"]
    54139356
    """
    return _efficientnet("efficientnet_v2_m", 0.3, weights, EfficientNet_V2_M_Weights, progress,
                         norm_layer=_BN_V2, **kwargs)


@register_model()
@handle_legacy_interface(weights=("pretrained", EfficientNet_V2_L_Weights.IMAGENET1K_V1))
def efficientnet_v2_l(*, weights: _typing_hint(EfficientNet_V2_L_Weights) = None, progress: bool = True,
                      **kwargs) -> EfficientNet:
    """EfficientNetV2-L; ``weights`` takes EfficientNet_V2_L_Weights (or its name), a checkpoint path or URL.

    >>> EfficientNet_V2_L_Weights.DEFAULT.meta["num_params"]
    118515272
    """
    return _efficientnet("efficientnet_v2_l", 0.4, weights, EfficientNet_V2_L_Weights, progress,
                         norm_layer=_BN_V2, **kwargs)
