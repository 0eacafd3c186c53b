"""HED, Holistically-Nested Edge Detection (Xie & Tu, ICCV 2015): a VGG-16 trunk with deeply supervised side outputs.

Each of VGG-16's five stages (after conv1_2, conv2_2, conv3_3, conv4_3 and conv5_3, with their ReLUs) feeds a
1x1 convolution that scores every pixel as edge or not; the score maps, at strides 1, 2, 4, 8 and 16, are
brought back to the input size by a fixed bilinear transposed convolution and cropped (as in the paper), and
a 1x1 convolution fuses the five. All six maps are logits; ``hed_loss`` supervises every one of them with
the class-balanced cross-entropy of the paper.

The trunk ``HED().features`` has the layout of torchvision's ``vgg16().features`` (same indices, final
max pool included), so torchvision's ImageNet VGG-16 weights load into it with ``strict=True``.
"""

import numpy as np

import ember
from ember import nn
from ember.nn import functional as F

from .vgg import cfgs, make_layers

__all__ = ["HED", "hed_loss"]

# Indices in ``features`` of the ReLU closing each stage (conv1_2, conv2_2, conv3_3, conv4_3, conv5_3),
# and the stride of the feature map there.
_STAGE_ENDS = (3, 8, 15, 22, 29)
_STAGE_STRIDES = (1, 2, 4, 8, 16)


def _vgg16_features(base_channels):
    """VGG-16's trunk as ``vgg.make_layers`` builds it, every width scaled by ``base_channels / 64``."""
    widths = [v if v == "M" else v * base_channels // 64 for v in cfgs["D"]]
    return make_layers(widths)


def _stage_channels(features):
    """Output channels of the last convolution of each stage."""
    return [features[end - 1].out_channels for end in _STAGE_ENDS]


def _bilinear_kernel(stride):
    """The (2 * stride) x (2 * stride) tent that makes a stride-``stride`` transposed convolution bilinear."""
    size = 2 * stride
    centre = (size - 1) / 2
    tent = 1.0 - np.abs(np.arange(size) - centre) / stride
    return np.outer(tent, tent)


def _upsample_to(score, stride, size):
    """Bring a (B, 1, h, w) score map at ``stride`` to ``size`` (H, W), pixel centres aligned with the input.

    The map is extended by repeating its edge pixels (one before, two after: the input's last rows and
    columns, which floor pooling dropped, must still be covered) so borders are not faded, upsampled by a
    fixed bilinear transposed convolution, and cropped where its first pixel's centre lands on that of the
    input pixels it summarises.
    """
    if stride == 1:
        return score
    padded = F.pad(score, (1, 2, 1, 2), mode="replicate")
    kernel = ember.from_numpy(_bilinear_kernel(stride)[None, None]).to(score.dtype)
    upsampled = F.conv_transpose2d(padded, kernel, stride=stride)
    offset = stride + stride // 2
    height, width = size
    return upsampled[:, :, offset:offset + height, offset:offset + width]


class HED(nn.Module):
    """Holistically-nested edge detector: returns six (B, 1, H, W) edge logit maps, five sides then the fused one.

    ``base_channels`` scales the trunk's widths (64 is VGG-16 itself; smaller values give a light model for
    CPU training, whose trunk can no longer take VGG-16 weights). Inputs need H, W >= 16 (the fifth stage
    has stride 16); any size works, odd ones included, and every output has the input's size. Start from
    ImageNet VGG-16 weights with ``hed.features.load_state_dict(vgg16_weights.features.state_dict())`` or
    ``hed.load_vgg16_trunk(state_dict)`` for a torchvision ``vgg16`` checkpoint.

    >>> hed = HED(base_channels=8)
    >>> outputs = hed(ember.rand(2, 3, 33, 47))
    >>> len(outputs), tuple(outputs[-1].shape)
    (6, (2, 1, 33, 47))
    >>> loss = hed_loss(outputs, (ember.rand(2, 1, 33, 47) > 0.9).float())
    """

    def __init__(self, base_channels=64):
        super().__init__()
        if not isinstance(base_channels, int) or isinstance(base_channels, bool) or base_channels < 1:
            raise ValueError(f"HED: base_channels must be a positive int, got {base_channels!r}")
        self.features = _vgg16_features(base_channels)
        self.side_outputs = nn.ModuleList(nn.Conv2d(channels, 1, kernel_size=1)
                                          for channels in _stage_channels(self.features))
        self.fuse = nn.Conv2d(len(_STAGE_ENDS), 1, kernel_size=1)
        self._initialize_weights()

    def _initialize_weights(self):
        """torchvision's VGG initialisation for the trunk; small side scores and an averaging fuse (the paper's)."""
        for module in self.features.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
                nn.init.zeros_(module.bias)
        for side in self.side_outputs:
            nn.init.normal_(side.weight, std=0.01)
            nn.init.zeros_(side.bias)
        nn.init.constant_(self.fuse.weight, 1.0 / len(_STAGE_ENDS))
        nn.init.zeros_(self.fuse.bias)

    def load_vgg16_trunk(self, state_dict, strict=True):
        """Load the ``features.*`` entries of a torchvision VGG-16 state_dict (or a bare features one) into the trunk.

        >>> hed = HED(base_channels=8)
        >>> hed.load_vgg16_trunk(HED(base_channels=8).state_dict())
        <All keys matched successfully>
        """
        prefix = "features."
        if any(key.startswith(prefix) for key in state_dict):
            state_dict = {key[len(prefix):]: value for key, value in state_dict.items() if key.startswith(prefix)}
        return self.features.load_state_dict(state_dict, strict=strict)

    def forward(self, x):
        if x.ndim != 4 or x.shape[1] != 3:
            raise ValueError(f"HED: expected input of shape (B, 3, H, W), got {tuple(x.shape)}")
        size = tuple(x.shape[-2:])
        if min(size) < _STAGE_STRIDES[-1]:
            raise ValueError(f"HED: input height and width must be at least {_STAGE_STRIDES[-1]}, got {size}")
        sides, start = [], 0
        for end, stride, side in zip(_STAGE_ENDS, _STAGE_STRIDES, self.side_outputs):
            for index in range(start, end + 1):
                x = self.features[index](x)
            start = end + 1
            sides.append(_upsample_to(side(x), stride, size))
        fused = self.fuse(ember.cat(sides, dim=1))
        return sides + [fused]


def _balanced_bce(logits, target):
    """Per-pixel class-balanced cross-entropy: edges weighted by beta = |Y-|/|Y| of their image, the rest 1 - beta."""
    batch = target.shape[0]
    beta = (1.0 - target).reshape(batch, -1).mean(dim=1).reshape(batch, *([1] * (target.ndim - 1)))
    return -(beta * target * F.logsigmoid(logits) + (1.0 - beta) * (1.0 - target) * F.logsigmoid(-logits))


def hed_loss(outputs, target, side_weights=None, reduction="mean"):
    """HED's training loss: class-balanced binary cross-entropy on every side output and the fused map, summed.

    ``outputs`` are logits (what ``HED`` returns, the fused map last, or one tensor); ``target`` holds edge
    probabilities in [0, 1] with the outputs' shape. Per image, beta = |Y-| / |Y| (its fraction of
    non-edge pixels) weighs edge pixels and 1 - beta the others, so the rare edges are not drowned.
    ``side_weights`` (one per side output, default 1) scale the side terms; the fused term has weight 1.
    ``reduction="mean"`` averages each term over pixels, ``"sum"`` adds them up (the paper's form).

    >>> logits = [ember.zeros(1, 1, 4, 4)] * 2
    >>> target = ember.zeros(1, 1, 4, 4)
    >>> target[..., 1] = 1.0
    >>> hed_loss(logits, target)
    tensor(0.5199)
    """
    if isinstance(outputs, ember.Tensor):
        outputs = [outputs]
    outputs = list(outputs)
    if not outputs:
        raise ValueError("hed_loss(): outputs is empty")
    if reduction not in ("mean", "sum"):
        raise ValueError(f"hed_loss(): reduction must be 'mean' or 'sum', got {reduction!r}")
    weights = [1.0] * (len(outputs) - 1) if side_weights is None else [float(w) for w in side_weights]
    if len(weights) != len(outputs) - 1:
        raise ValueError(f"hed_loss(): expected {len(outputs) - 1} side_weights (one per side output), "
                         f"got {len(weights)}")
    target = target.to(outputs[-1].dtype)
    total = 0.0
    for weight, logits in zip(weights + [1.0], outputs):
        if tuple(logits.shape) != tuple(target.shape):
            raise ValueError(f"hed_loss(): target shape {tuple(target.shape)} differs from output shape "
                             f"{tuple(logits.shape)}")
        per_pixel = _balanced_bce(logits, target)
        term = per_pixel.mean() if reduction == "mean" else per_pixel.sum()
        total = total + weight * term
    return total
