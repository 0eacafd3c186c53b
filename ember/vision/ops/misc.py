"""Small building blocks torchvision's models share: conv-norm-activation stacks, squeeze-excitation, MLP.

Their attribute names and Sequential indices are torchvision's, so the state_dict keys of a model built from them
match torchvision checkpoints key for key.
"""

import warnings
from collections.abc import Sequence

import ember
from ember import nn

__all__ = ["FrozenBatchNorm2d", "ConvNormActivation", "Conv2dNormActivation", "Conv3dNormActivation",
           "SqueezeExcitation", "MLP", "Permute"]


def _make_ntuple(value, n):
    """``value`` repeated ``n`` times unless it is already a sequence (then it is returned as a tuple)."""
    if isinstance(value, Sequence):
        return tuple(value)
    return (value,) * n


class FrozenBatchNorm2d(nn.Module):
    """BatchNorm2d with fixed statistics and affine parameters, all stored as buffers (nothing to train).

    Used as the normalisation of detection/segmentation backbones fine-tuned with small batches.

    >>> bn = FrozenBatchNorm2d(3)
    >>> bn(ember.ones(1, 3, 2, 2)).shape
    ember.Size([1, 3, 2, 2])
    """

    def __init__(self, num_features, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.register_buffer("weight", ember.ones(num_features))
        self.register_buffer("bias", ember.zeros(num_features))
        self.register_buffer("running_mean", ember.zeros(num_features))
        self.register_buffer("running_var", ember.ones(num_features))

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs):
        # A BatchNorm2d checkpoint carries num_batches_tracked, which a frozen layer has no use for.
        state_dict.pop(prefix + "num_batches_tracked", None)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                      error_msgs)

    def forward(self, x):
        scale = self.weight * (self.running_var + self.eps).rsqrt()
        shift = self.bias - self.running_mean * scale
        return x * scale.reshape(1, -1, 1, 1) + shift.reshape(1, -1, 1, 1)

    def __repr__(self):
        return f"{self.__class__.__name__}({self.weight.shape[0]}, eps={self.eps})"


class ConvNormActivation(nn.Sequential):
    """Convolution, then an optional norm layer, then an optional activation (children "0", "1", "2").

    Use Conv2dNormActivation or Conv3dNormActivation; this base warns when built directly, as torchvision's does.
    """

    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=None, groups=1,
                 norm_layer=nn.BatchNorm2d, activation_layer=nn.ReLU, dilation=1, inplace=True, bias=None,
                 conv_layer=nn.Conv2d):
        if padding is None:
            padding = _same_padding(kernel_size, dilation)
        if bias is None:
            bias = norm_layer is None
        layers = [conv_layer(in_channels, out_channels, kernel_size, stride, padding, dilation=dilation,
                             groups=groups, bias=bias)]
        if norm_layer is not None:
            layers.append(norm_layer(out_channels))
        if activation_layer is not None:
            options = {} if inplace is None else {"inplace": inplace}
            layers.append(activation_layer(**options))
        super().__init__(*layers)
        self.out_channels = out_channels
        if self.__class__ == ConvNormActivation:
            warnings.warn("Don't use ConvNormActivation directly, please use Conv2dNormActivation and "
                          "Conv3dNormActivation instead.", stacklevel=2)


def _same_padding(kernel_size, dilation):
    """Padding that keeps the spatial size at stride 1: ``(kernel_size - 1) // 2 * dilation`` per dimension."""
    if isinstance(kernel_size, int) and isinstance(dilation, int):
        return (kernel_size - 1) // 2 * dilation
    dims = len(kernel_size) if isinstance(kernel_size, Sequence) else len(dilation)
    kernel_size = _make_ntuple(kernel_size, dims)
    dilation = _make_ntuple(dilation, dims)
    return tuple((k - 1) // 2 * d for k, d in zip(kernel_size, dilation))


class Conv2dNormActivation(ConvNormActivation):
    """Conv2d, norm layer (BatchNorm2d by default), activation (ReLU by default) as one Sequential block.

    >>> block = Conv2dNormActivation(3, 8, kernel_size=3, stride=2)
    >>> block(ember.zeros(1, 3, 8, 8)).shape
    ember.Size([1, 8, 4, 4])
    """

    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=None, groups=1,
                 norm_layer=nn.BatchNorm2d, activation_layer=nn.ReLU, dilation=1, inplace=True, bias=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, groups, norm_layer,
                         activation_layer, dilation, inplace, bias, nn.Conv2d)


class Conv3dNormActivation(ConvNormActivation):
    """Conv3d, norm layer (BatchNorm3d by default), activation (ReLU by default) as one Sequential block.

    >>> block = Conv3dNormActivation(2, 4, kernel_size=3)
    >>> block(ember.zeros(1, 2, 4, 4, 4)).shape
    ember.Size([1, 4, 4, 4, 4])
    """

    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=None, groups=1,
                 norm_layer=nn.BatchNorm3d, activation_layer=nn.ReLU, dilation=1, inplace=True, bias=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, groups, norm_layer,
                         activation_layer, dilation, inplace, bias, nn.Conv3d)


class SqueezeExcitation(nn.Module):
    """Squeeze-and-excitation: rescale each channel by a gate computed from the globally pooled input.

    ``activation`` and ``scale_activation`` are the paper's delta and sigma (ReLU and Sigmoid by default).

    >>> se = SqueezeExcitation(8, 2)
    >>> se(ember.ones(1, 8, 4, 4)).shape
    ember.Size([1, 8, 4, 4])
    """

    def __init__(self, input_channels, squeeze_channels, activation=nn.ReLU, scale_activation=nn.Sigmoid):
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(input_channels, squeeze_channels, 1)
        self.fc2 = nn.Conv2d(squeeze_channels, input_channels, 1)
        self.activation = activation()
        self.scale_activation = scale_activation()

    def _scale(self, x):
        scale = self.activation(self.fc1(self.avgpool(x)))
        return self.scale_activation(self.fc2(scale))

    def forward(self, x):
        return self._scale(x) * x


class MLP(nn.Sequential):
    """Linear layers of the widths in ``hidden_channels``, each but the last followed by norm, activation, dropout.

    >>> mlp = MLP(4, [8, 2])
    >>> mlp(ember.zeros(3, 4)).shape
    ember.Size([3, 2])
    """

    def __init__(self, in_channels, hidden_channels, norm_layer=None, activation_layer=nn.ReLU, inplace=None,
                 bias=True, dropout=0.0):
        options = {} if inplace is None else {"inplace": inplace}
        layers = []
        width = in_channels
        for hidden in hidden_channels[:-1]:
            layers.append(nn.Linear(width, hidden, bias=bias))
            if norm_layer is not None:
                layers.append(norm_layer(hidden))
            layers.append(activation_layer(**options))
            layers.append(nn.Dropout(dropout, **options))
            width = hidden
        layers.append(nn.Linear(width, hidden_channels[-1], bias=bias))
        layers.append(nn.Dropout(dropout, **options))
        super().__init__(*layers)


class Permute(nn.Module):
    """Returns its input with the dimensions reordered as ``dims`` (a view), e.g. NCHW to NHWC.

    >>> Permute([0, 2, 3, 1])(ember.zeros(1, 3, 4, 5)).shape
    ember.Size([1, 4, 5, 3])
    """

    def __init__(self, dims):
        super().__init__()
        self.dims = dims

    def forward(self, x):
        return ember.permute(x, self.dims)
