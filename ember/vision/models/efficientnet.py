"""EfficientNet B0-B7 and EfficientNetV2 S/M/L with torchvision's module tree."""

import copy
import math
from functools import partial

from ember import nn

from ..ops.misc import Conv2dNormActivation, SqueezeExcitation
from ..ops.stochastic_depth import StochasticDepth
from ._api import _imagenet_weights
from ._utils import (
    _check_inverted_residual_setting,
    _define_variant,
    _init_mobile_weights,
    _make_divisible,
    _PooledClassifier,
)

__all__ = ["EfficientNet"]       # and every variant's weights enum and builder, from the table _VARIANTS below


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


class _StochasticResidual(nn.Module):
    """What MBConv and FusedMBConv share: their ``layers`` as ``block``, with a stochastic-depth shortcut when the
    stride is 1 and the width is kept."""

    def __init__(self, cnf, stochastic_depth_prob, layers):
        super().__init__()
        self.use_res_connect = cnf.stride == 1 and cnf.input_channels == cnf.out_channels
        self.block = nn.Sequential(*layers)
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")
        self.out_channels = cnf.out_channels

    def forward(self, input):
        result = self.block(input)
        if self.use_res_connect:
            result = self.stochastic_depth(result) + input
        return result


def _check_stride(stride):
    if not 1 <= stride <= 2:
        raise ValueError("illegal stride value")


class MBConv(_StochasticResidual):
    """Expand 1x1, depthwise, squeeze-excitation, project 1x1 (all SiLU); stochastic-depth shortcut if possible."""

    def __init__(self, cnf, stochastic_depth_prob, norm_layer, se_layer=SqueezeExcitation):
        _check_stride(cnf.stride)
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
        super().__init__(cnf, stochastic_depth_prob, layers)


class FusedMBConv(_StochasticResidual):
    """A full 3x3 convolution in place of expand+depthwise, then project 1x1; stochastic-depth shortcut."""

    def __init__(self, cnf, stochastic_depth_prob, norm_layer):
        _check_stride(cnf.stride)
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
        super().__init__(cnf, stochastic_depth_prob, layers)


def _uniform_linear_init(linear):
    """EfficientNet's classifier init: weights uniform in +-1/sqrt(out_features)."""
    init_range = 1.0 / math.sqrt(linear.out_features)
    nn.init.uniform_(linear.weight, -init_range, init_range)


class EfficientNet(_PooledClassifier):
    """EfficientNet (V1 and V2) from a list of stage configs.

    The stochastic-depth probability grows linearly from 0 to ``stochastic_depth_prob`` over the blocks.

    >>> setting, last = _efficientnet_conf("efficientnet_b0", width_mult=0.25, depth_mult=0.25)
    >>> EfficientNet(setting, 0.2, num_classes=3)(ember.zeros(2, 3, 32, 32)).shape
    ember.Size([2, 3])
    """

    def __init__(self, inverted_residual_setting, dropout, stochastic_depth_prob=0.2, num_classes=1000,
                 norm_layer=None, last_channel=None):
        super().__init__()
        _check_inverted_residual_setting(inverted_residual_setting, _MBConvConfig, "MBConvConfig")
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
        _init_mobile_weights(self, _uniform_linear_init)


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


def _efficientnet(arch, default_dropout, stage_options, model_options, **kwargs):
    """EfficientNet ``arch``: ``stage_options`` scale its stages (B0-B7), ``model_options`` fix constructor
    arguments (batch norm); kwargs may override ``default_dropout``."""
    setting, last_channel = _efficientnet_conf(arch, **stage_options)
    dropout = kwargs.pop("dropout", default_dropout)
    return EfficientNet(setting, dropout, last_channel=last_channel, **model_options, **kwargs)


# ----------------------------------------------------------------------------- variants and their weights

_RECIPE_V1 = "https://github.com/pytorch/vision/tree/main/references/classification#efficientnet-v1"
_RECIPE_V2 = "https://github.com/pytorch/vision/tree/main/references/classification#efficientnet-v2"
_PORTED = "These weights are ported from the original paper."
_NEW_RECIPE = ("These weights improve upon the results of the original paper by using a modified version of "
               "TorchVision's new training recipe.")
_BN_TF = partial(nn.BatchNorm2d, eps=0.001, momentum=0.01)     # B5-B7: the ported weights' TensorFlow BN settings
_BN_V2 = partial(nn.BatchNorm2d, eps=1e-03)


def _weights(file, crop, resize, interpolation, num_params, acc1, acc5, ops, file_size, recipe=_RECIPE_V1,
             docs=_PORTED, **options):
    """An ImageNet-1K checkpoint evaluated at ``resize`` then ``crop`` pixels; ``options`` as _imagenet_weights'."""
    return _imagenet_weights(file, num_params=num_params, acc1=acc1, acc5=acc5, ops=ops, file_size=file_size,
                             recipe=recipe, docs=docs, crop_size=crop, resize_size=resize, interpolation=interpolation,
                             **options)


def _v2_weights(file, crop, interpolation, num_params, acc1, acc5, ops, file_size, **options):
    """An EfficientNetV2 checkpoint: resized straight to ``crop``, inputs of at least 33x33."""
    return _weights(file, crop, crop, interpolation, num_params, acc1, acc5, ops, file_size, recipe=_RECIPE_V2,
                    min_size=(33, 33), **options)


# builder, weights enum, docstring title, default dropout, stage scaling (B0-B7: width and depth multipliers),
# batch norm (None: nn.BatchNorm2d), ImageNet-1K checkpoints (file, crop, resize, interpolation, parameters,
# acc@1, acc@5, GFLOPS, file size in MB), default checkpoint
_VARIANTS = [
    ("efficientnet_b0", "EfficientNet_B0_Weights", "EfficientNet-B0", 0.2, (1.0, 1.0), None, {
        "IMAGENET1K_V1": _weights("efficientnet_b0_rwightman-7f5810bc.pth", 224, 256, "bicubic", 5288548, 77.692,
                                  93.532, 0.386, 20.451)}, "IMAGENET1K_V1"),
    ("efficientnet_b1", "EfficientNet_B1_Weights", "EfficientNet-B1", 0.2, (1.0, 1.1), None, {
        "IMAGENET1K_V1": _weights("efficientnet_b1_rwightman-bac287d4.pth", 240, 256, "bicubic", 7794184, 78.642,
                                  94.186, 0.687, 30.134),
        "IMAGENET1K_V2": _weights("efficientnet_b1-c27df63c.pth", 240, 255, "bilinear", 7794184, 79.838, 94.934,
                                  0.687, 30.136, docs=_NEW_RECIPE,
                                  recipe="https://github.com/pytorch/vision/issues/3995#new-recipe-with-lr-wd-crop-tuning"),
    }, "IMAGENET1K_V2"),
    ("efficientnet_b2", "EfficientNet_B2_Weights", "EfficientNet-B2", 0.3, (1.1, 1.2), None, {
        "IMAGENET1K_V1": _weights("efficientnet_b2_rwightman-c35c1473.pth", 288, 288, "bicubic", 9109994, 80.608,
                                  95.310, 1.088, 35.174)}, "IMAGENET1K_V1"),
    ("efficientnet_b3", "EfficientNet_B3_Weights", "EfficientNet-B3", 0.3, (1.2, 1.4), None, {
        "IMAGENET1K_V1": _weights("efficientnet_b3_rwightman-b3899882.pth", 300, 320, "bicubic", 12233232, 82.008,
                                  96.054, 1.827, 47.184)}, "IMAGENET1K_V1"),
    ("efficientnet_b4", "EfficientNet_B4_Weights", "EfficientNet-B4", 0.4, (1.4, 1.8), None, {
        "IMAGENET1K_V1": _weights("efficientnet_b4_rwightman-23ab8bcd.pth", 380, 384, "bicubic", 19341616, 83.384,
                                  96.594, 4.394, 74.489)}, "IMAGENET1K_V1"),
    ("efficientnet_b5", "EfficientNet_B5_Weights", "EfficientNet-B5 (TensorFlow-style BN eps/momentum)", 0.4,
     (1.6, 2.2), _BN_TF, {
        "IMAGENET1K_V1": _weights("efficientnet_b5_lukemelas-1a07897c.pth", 456, 456, "bicubic", 30389784, 83.444,
                                  96.628, 10.266, 116.864)}, "IMAGENET1K_V1"),
    ("efficientnet_b6", "EfficientNet_B6_Weights", "EfficientNet-B6 (TensorFlow-style BN eps/momentum)", 0.5,
     (1.8, 2.6), _BN_TF, {
        "IMAGENET1K_V1": _weights("efficientnet_b6_lukemelas-24a108a5.pth", 528, 528, "bicubic", 43040704, 84.008,
                                  96.916, 19.068, 165.362)}, "IMAGENET1K_V1"),
    ("efficientnet_b7", "EfficientNet_B7_Weights", "EfficientNet-B7 (TensorFlow-style BN eps/momentum)", 0.5,
     (2.0, 3.1), _BN_TF, {
        "IMAGENET1K_V1": _weights("efficientnet_b7_lukemelas-c5b4e57e.pth", 600, 600, "bicubic", 66347960, 84.122,
                                  96.908, 37.746, 254.675)}, "IMAGENET1K_V1"),
    ("efficientnet_v2_s", "EfficientNet_V2_S_Weights", "EfficientNetV2-S", 0.2, None, _BN_V2, {
        "IMAGENET1K_V1": _v2_weights("efficientnet_v2_s-dd5fe13b.pth", 384, "bilinear", 21458488, 84.228, 96.878,
                                     8.366, 82.704, docs=_NEW_RECIPE)}, "IMAGENET1K_V1"),
    ("efficientnet_v2_m", "EfficientNet_V2_M_Weights", "EfficientNetV2-M", 0.3, None, _BN_V2, {
        "IMAGENET1K_V1": _v2_weights("efficientnet_v2_m-dc08266a.pth", 480, "bilinear", 54139356, 85.112, 97.156,
                                     24.582, 208.01, docs=_NEW_RECIPE)}, "IMAGENET1K_V1"),
    # Ported from the original paper's weights, which expect inputs normalised to [-1, 1].
    ("efficientnet_v2_l", "EfficientNet_V2_L_Weights", "EfficientNetV2-L", 0.4, None, _BN_V2, {
        "IMAGENET1K_V1": _v2_weights("efficientnet_v2_l-59c71312.pth", 480, "bicubic", 118515272, 85.808, 97.788,
                                     56.08, 454.573, mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5))}, "IMAGENET1K_V1"),
]


def _define(name, enum_name, title, dropout, multipliers, norm_layer, checkpoints, default):
    """Bind the weights enum and the builder of one row of ``_VARIANTS`` in this module."""
    stage_options = {} if multipliers is None else {"width_mult": multipliers[0], "depth_mult": multipliers[1]}
    model_options = {} if norm_layer is None else {"norm_layer": norm_layer}
    _define_variant(globals(), name, enum_name, title, checkpoints,
                    partial(_efficientnet, name, dropout, stage_options, model_options), EfficientNet,
                    default=default)


for _row in _VARIANTS:
    _define(*_row)
del _row
