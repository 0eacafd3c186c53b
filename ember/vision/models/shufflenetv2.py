"""ShuffleNetV2 x0.5/x1.0/x1.5/x2.0 with torchvision's module tree."""

from functools import partial

import ember
from ember import nn

from ._api import _imagenet_weights
from ._utils import _define_variant

__all__ = ["ShuffleNetV2"]       # and every variant's weights enum and builder, from the table _VARIANTS below


def channel_shuffle(x, groups):
    """Interleave the channels of ``groups`` equal groups (N, g*c, H, W) -> channel order c-major.

    >>> channel_shuffle(ember.arange(4.0).reshape(1, 4, 1, 1), 2).flatten().tolist()
    [0.0, 2.0, 1.0, 3.0]
    """
    batch, channels, height, width = x.size()
    x = x.view(batch, groups, channels // groups, height, width)
    x = ember.transpose(x, 1, 2).contiguous()
    return x.view(batch, channels, height, width)


class InvertedResidual(nn.Module):
    """ShuffleNetV2 unit: split channels (stride 1) or duplicate the input (stride 2), transform, concat, shuffle."""

    def __init__(self, inp, oup, stride):
        super().__init__()
        if not 1 <= stride <= 3:
            raise ValueError("illegal stride value")
        self.stride = stride
        branch_features = oup // 2
        if self.stride == 1 and inp != branch_features << 1:
            raise ValueError(f"Invalid combination of stride {stride}, inp {inp} and oup {oup} values. If stride == 1 "
                             "then inp should be equal to oup // 2 << 1.")
        if self.stride > 1:
            self.branch1 = nn.Sequential(
                self.depthwise_conv(inp, inp, kernel_size=3, stride=self.stride, padding=1),
                nn.BatchNorm2d(inp),
                nn.Conv2d(inp, branch_features, kernel_size=1, stride=1, padding=0, bias=False),
                nn.BatchNorm2d(branch_features),
                nn.ReLU(inplace=True))
        else:
            self.branch1 = nn.Sequential()
        self.branch2 = nn.Sequential(
            nn.Conv2d(inp if self.stride > 1 else branch_features, branch_features, kernel_size=1, stride=1, padding=0,
                      bias=False),
            nn.BatchNorm2d(branch_features),
            nn.ReLU(inplace=True),
            self.depthwise_conv(branch_features, branch_features, kernel_size=3, stride=self.stride, padding=1),
            nn.BatchNorm2d(branch_features),
            nn.Conv2d(branch_features, branch_features, kernel_size=1, stride=1, padding=0, bias=False),
            nn.BatchNorm2d(branch_features),
            nn.ReLU(inplace=True))

    @staticmethod
    def depthwise_conv(i, o, kernel_size, stride=1, padding=0, bias=False):
        return nn.Conv2d(i, o, kernel_size, stride, padding, bias=bias, groups=i)

    def forward(self, x):
        if self.stride == 1:
            x1, x2 = x.chunk(2, dim=1)
            out = ember.cat((x1, self.branch2(x2)), dim=1)
        else:
            out = ember.cat((self.branch1(x), self.branch2(x)), dim=1)
        return channel_shuffle(out, 2)


class ShuffleNetV2(nn.Module):
    """ShuffleNetV2 ("Practical Guidelines for Efficient CNN Architecture Design").

    ``stages_repeats`` (3 ints) units per stage; ``stages_out_channels`` (5 ints) widths of conv1, the 3 stages
    and conv5.

    >>> ShuffleNetV2([1, 1, 1], [8, 16, 32, 64, 128], num_classes=3)(ember.zeros(2, 3, 32, 32)).shape
    ember.Size([2, 3])
    """

    def __init__(self, stages_repeats, stages_out_channels, num_classes=1000, inverted_residual=InvertedResidual):
        super().__init__()
        if len(stages_repeats) != 3:
            raise ValueError("expected stages_repeats as list of 3 positive ints")
        if len(stages_out_channels) != 5:
            raise ValueError("expected stages_out_channels as list of 5 positive ints")
        self._stage_out_channels = stages_out_channels
        input_channels = 3
        output_channels = stages_out_channels[0]
        self.conv1 = nn.Sequential(nn.Conv2d(input_channels, output_channels, 3, 2, 1, bias=False),
                                   nn.BatchNorm2d(output_channels), nn.ReLU(inplace=True))
        input_channels = output_channels
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        for name, repeats, output_channels in zip(("stage2", "stage3", "stage4"), stages_repeats,
                                                  stages_out_channels[1:]):
            units = [inverted_residual(input_channels, output_channels, 2)]
            units += [inverted_residual(output_channels, output_channels, 1) for _ in range(repeats - 1)]
            setattr(self, name, nn.Sequential(*units))
            input_channels = output_channels
        output_channels = stages_out_channels[-1]
        self.conv5 = nn.Sequential(nn.Conv2d(input_channels, output_channels, 1, 1, 0, bias=False),
                                   nn.BatchNorm2d(output_channels), nn.ReLU(inplace=True))
        self.fc = nn.Linear(output_channels, num_classes)

    def _forward_impl(self, x):
        x = self.maxpool(self.conv1(x))
        x = self.conv5(self.stage4(self.stage3(self.stage2(x))))
        return self.fc(x.mean([2, 3]))

    def forward(self, x):
        return self._forward_impl(x)


# ----------------------------------------------------------------------------- variants and their weights

_RECIPE_OLD = "https://github.com/ericsun99/Shufflenet-v2-Pytorch"
_RECIPE_NEW = "https://github.com/pytorch/vision/pull/5906"
_DOCS_OLD = "These weights were trained from scratch to reproduce closely the results of the paper."
_DOCS_NEW = "These weights were trained from scratch by using TorchVision's new training recipe."

# builder, weights enum, docstring title, stage widths (conv1, stages 2-4, conv5), new training recipe,
# ImageNet-1K checkpoint: file, parameters, acc@1, acc@5, GFLOPS, file size (MB)
_VARIANTS = [
    ("shufflenet_v2_x0_5", "ShuffleNet_V2_X0_5_Weights", "ShuffleNetV2 with 0.5x widths", [24, 48, 96, 192, 1024],
     False, "shufflenetv2_x0.5-f707e7126e.pth", 1366792, 60.552, 81.746, 0.04, 5.282),
    ("shufflenet_v2_x1_0", "ShuffleNet_V2_X1_0_Weights", "ShuffleNetV2 with 1.0x widths", [24, 116, 232, 464, 1024],
     False, "shufflenetv2_x1-5666bf0f80.pth", 2278604, 69.362, 88.316, 0.145, 8.791),
    ("shufflenet_v2_x1_5", "ShuffleNet_V2_X1_5_Weights", "ShuffleNetV2 with 1.5x widths", [24, 176, 352, 704, 1024],
     True, "shufflenetv2_x1_5-3c479a10.pth", 3503624, 72.996, 91.086, 0.296, 13.557),
    ("shufflenet_v2_x2_0", "ShuffleNet_V2_X2_0_Weights", "ShuffleNetV2 with 2.0x widths", [24, 244, 488, 976, 2048],
     True, "shufflenetv2_x2_0-8be3c8ee.pth", 7393996, 76.230, 93.006, 0.583, 28.433),
]


def _define(name, enum_name, title, stages_out_channels, new_recipe, file, num_params, acc1, acc5, ops, file_size):
    """Bind the weights enum and the builder of one row of ``_VARIANTS`` in this module."""
    if new_recipe:
        recipe, docs, resize_size = _RECIPE_NEW, _DOCS_NEW, 232
    else:
        recipe, docs, resize_size = _RECIPE_OLD, _DOCS_OLD, 256
    checkpoint = _imagenet_weights(file, num_params=num_params, acc1=acc1, acc5=acc5, ops=ops, file_size=file_size,
                                   recipe=recipe, docs=docs, resize_size=resize_size)
    _define_variant(globals(), name, enum_name, title, {"IMAGENET1K_V1": checkpoint},
                    partial(ShuffleNetV2, [4, 8, 4], stages_out_channels), ShuffleNetV2)


for _row in _VARIANTS:
    _define(*_row)
del _row
