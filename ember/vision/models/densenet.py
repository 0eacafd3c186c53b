"""DenseNet-121/161/169/201 with torchvision's module tree (and its fix-up of the old ``norm.1`` checkpoint keys)."""

import re
from collections import OrderedDict
from functools import partial

import ember
from ember import nn
from ember.nn import functional as F
from ember.utils.checkpoint import checkpoint

from ._api import _imagenet_weights
from ._utils import _define_variant

__all__ = ["DenseNet"]       # and every variant's weights enum and builder, from the table _VARIANTS below


class _DenseLayer(nn.Module):
    """BN-ReLU-1x1 conv (bottleneck of ``bn_size * growth_rate``) then BN-ReLU-3x3 conv to ``growth_rate`` maps.

    With ``memory_efficient`` the bottleneck is checkpointed (ember.utils.checkpoint) while training: its
    concatenation and activations are recomputed in backward instead of kept (same results, less memory).
    """

    def __init__(self, num_input_features, growth_rate, bn_size, drop_rate, memory_efficient=False):
        super().__init__()
        self.norm1 = nn.BatchNorm2d(num_input_features)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(num_input_features, bn_size * growth_rate, kernel_size=1, stride=1, bias=False)
        self.norm2 = nn.BatchNorm2d(bn_size * growth_rate)
        self.relu2 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(bn_size * growth_rate, growth_rate, kernel_size=3, stride=1, padding=1, bias=False)
        self.drop_rate = float(drop_rate)
        self.memory_efficient = memory_efficient

    def bn_function(self, inputs):
        """The bottleneck applied to all previous feature maps, concatenated along channels."""
        return self.conv1(self.relu1(self.norm1(ember.cat(inputs, 1))))

    def any_requires_grad(self, inputs):
        return any(tensor.requires_grad for tensor in inputs)

    def call_checkpoint_bottleneck(self, inputs):
        """The bottleneck, recomputed in backward rather than stored."""
        return checkpoint(lambda *features: self.bn_function(features), *inputs, use_reentrant=False)

    def forward(self, input):
        prev_features = [input] if isinstance(input, ember.Tensor) else input
        if self.memory_efficient and self.any_requires_grad(prev_features):
            bottleneck_output = self.call_checkpoint_bottleneck(prev_features)
        else:
            bottleneck_output = self.bn_function(prev_features)
        new_features = self.conv2(self.relu2(self.norm2(bottleneck_output)))
        if self.drop_rate > 0:
            new_features = F.dropout(new_features, p=self.drop_rate, training=self.training)
        return new_features


class _DenseBlock(nn.ModuleDict):
    """``num_layers`` dense layers, each fed the concatenation of the block input and all earlier outputs."""

    _version = 2

    def __init__(self, num_layers, num_input_features, bn_size, growth_rate, drop_rate, memory_efficient=False):
        super().__init__()
        for i in range(num_layers):
            layer = _DenseLayer(num_input_features + i * growth_rate, growth_rate=growth_rate, bn_size=bn_size,
                                drop_rate=drop_rate, memory_efficient=memory_efficient)
            self.add_module(f"denselayer{i + 1}", layer)

    def forward(self, init_features):
        features = [init_features]
        for _, layer in self.items():
            features.append(layer(features))
        return ember.cat(features, 1)


class _Transition(nn.Sequential):
    """BN-ReLU-1x1 conv halving the channels, then 2x2 average pooling."""

    def __init__(self, num_input_features, num_output_features):
        super().__init__()
        self.norm = nn.BatchNorm2d(num_input_features)
        self.relu = nn.ReLU(inplace=True)
        self.conv = nn.Conv2d(num_input_features, num_output_features, kernel_size=1, stride=1, bias=False)
        self.pool = nn.AvgPool2d(kernel_size=2, stride=2)


class DenseNet(nn.Module):
    """DenseNet-BC ("Densely Connected Convolutional Networks").

    ``growth_rate`` maps added per layer, ``block_config`` layers per block, ``bn_size`` bottleneck factor;
    ``memory_efficient`` checkpoints each dense layer's bottleneck (less memory, slower backward).

    >>> DenseNet(growth_rate=8, block_config=(1, 1, 1, 1), num_init_features=16, num_classes=3)(
    ...     ember.zeros(2, 3, 32, 32)).shape
    ember.Size([2, 3])
    """

    def __init__(self, growth_rate=32, block_config=(6, 12, 24, 16), num_init_features=64, bn_size=4, drop_rate=0,
                 num_classes=1000, memory_efficient=False):
        super().__init__()
        self.features = nn.Sequential(OrderedDict([
            ("conv0", nn.Conv2d(3, num_init_features, kernel_size=7, stride=2, padding=3, bias=False)),
            ("norm0", nn.BatchNorm2d(num_init_features)),
            ("relu0", nn.ReLU(inplace=True)),
            ("pool0", nn.MaxPool2d(kernel_size=3, stride=2, padding=1)),
        ]))
        num_features = num_init_features
        for i, num_layers in enumerate(block_config):
            block = _DenseBlock(num_layers=num_layers, num_input_features=num_features, bn_size=bn_size,
                                growth_rate=growth_rate, drop_rate=drop_rate, memory_efficient=memory_efficient)
            self.features.add_module(f"denseblock{i + 1}", block)
            num_features += num_layers * growth_rate
            if i != len(block_config) - 1:
                transition = _Transition(num_input_features=num_features, num_output_features=num_features // 2)
                self.features.add_module(f"transition{i + 1}", transition)
                num_features //= 2
        self.features.add_module("norm5", nn.BatchNorm2d(num_features))
        self.classifier = nn.Linear(num_features, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
            elif isinstance(m, nn.Linear):
                nn.init.constant_(m.bias, 0)

    def forward(self, x):
        out = F.relu(self.features(x), inplace=True)
        out = ember.flatten(F.adaptive_avg_pool2d(out, (1, 1)), 1)
        return self.classifier(out)


_OLD_KEY = re.compile(r"^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var))$")


def _rename_legacy_keys(state_dict):
    """Old DenseNet checkpoints name ``denselayerN.norm.1.weight`` what is now ``denselayerN.norm1.weight``."""
    renamed = {}
    for key, value in state_dict.items():
        match = _OLD_KEY.match(key)
        renamed[match.group(1) + match.group(2) if match else key] = value
    return renamed


# ----------------------------------------------------------------------------- variants and their weights

# builder, weights enum, docstring title, growth rate, layers per block, initial features,
# ImageNet-1K checkpoint: file, parameters, acc@1, acc@5, GFLOPS, file size (MB)
_VARIANTS = [
    ("densenet121", "DenseNet121_Weights", "DenseNet-121", 32, (6, 12, 24, 16), 64,
     "densenet121-a639ec97.pth", 7978856, 74.434, 91.972, 2.834, 30.845),
    ("densenet161", "DenseNet161_Weights", "DenseNet-161 (growth rate 48)", 48, (6, 12, 36, 24), 96,
     "densenet161-8d451a50.pth", 28681000, 77.138, 93.560, 7.728, 110.369),
    ("densenet169", "DenseNet169_Weights", "DenseNet-169", 32, (6, 12, 32, 32), 64,
     "densenet169-b2777c0a.pth", 14149480, 75.600, 92.806, 3.36, 54.708),
    ("densenet201", "DenseNet201_Weights", "DenseNet-201", 32, (6, 12, 48, 32), 64,
     "densenet201-c1103571.pth", 20013928, 76.896, 93.370, 4.291, 77.373),
]


def _define(name, enum_name, title, growth_rate, block_config, num_init_features, file, num_params, acc1, acc5, ops,
            file_size):
    """Bind the weights enum and the builder of one row of ``_VARIANTS`` in this module."""
    checkpoint = _imagenet_weights(file, num_params=num_params, acc1=acc1, acc5=acc5, ops=ops, file_size=file_size,
                                   min_size=(29, 29), recipe="https://github.com/pytorch/vision/pull/116",
                                   docs="These weights are ported from LuaTorch.")
    _define_variant(globals(), name, enum_name, title, {"IMAGENET1K_V1": checkpoint},
                    partial(DenseNet, growth_rate, block_config, num_init_features), DenseNet,
                    fix_keys=_rename_legacy_keys)


for _row in _VARIANTS:
    _define(*_row)
del _row
