"""U-Net (Ronneberger et al., 2015): an encoder-decoder whose decoder sees the encoder's maps at every scale.

torchvision has no U-Net; this is the classic design with padded 3x3 convolutions (plus batch norm), so the
output has the input's height and width whatever they are. Each encoder level halves the size and doubles the
channels; each decoder level upsamples, concatenates the encoder map of the same size and convolves.
"""

from collections import OrderedDict

import ember
from ember import nn
from ember.nn import functional as F

__all__ = ["UNet"]


class DoubleConv(nn.Sequential):
    """Two padded 3x3 convolutions, each followed by batch norm and ReLU: one U-Net level's feature extractor."""

    def __init__(self, in_channels, out_channels):
        super().__init__(OrderedDict([
            ("conv1", nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False)),
            ("bn1", nn.BatchNorm2d(out_channels)),
            ("relu1", nn.ReLU(inplace=True)),
            ("conv2", nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)),
            ("bn2", nn.BatchNorm2d(out_channels)),
            ("relu2", nn.ReLU(inplace=True)),
        ]))


class Up(nn.Module):
    """Decoder level: upsample the coarser map x2, pad it to the skip map's size, concatenate both, DoubleConv.

    With ``bilinear`` the upsampling is a fixed bilinear resize that keeps the channels; otherwise a learned
    stride-2 transposed convolution that also halves them.
    """

    def __init__(self, low_channels, skip_channels, out_channels, bilinear):
        super().__init__()
        if bilinear:
            self.up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
            upsampled = low_channels
        else:
            self.up = nn.ConvTranspose2d(low_channels, low_channels // 2, kernel_size=2, stride=2)
            upsampled = low_channels // 2
        self.conv = DoubleConv(upsampled + skip_channels, out_channels)

    def forward(self, low, skip):
        low = self.up(low)
        missing_h, missing_w = skip.shape[-2] - low.shape[-2], skip.shape[-1] - low.shape[-1]
        if missing_h or missing_w:       # odd sizes: the pooled map lost a row or column
            low = F.pad(low, [missing_w // 2, missing_w - missing_w // 2, missing_h // 2, missing_h - missing_h // 2])
        return self.conv(ember.cat([skip, low], dim=1))


class UNet(nn.Module):
    """U-Net for semantic segmentation: ``(N, in_channels, H, W)`` images to ``(N, num_classes, H, W)`` logits.

    ``depth`` is the number of 2x poolings (the input is padded back at each level, so any size works);
    level ``i`` has ``base_channels * 2**i`` channels.

    >>> model = UNet(in_channels=3, num_classes=4, base_channels=8, depth=2)
    >>> model(ember.zeros(1, 3, 20, 22)).shape
    ember.Size([1, 4, 20, 22])
    """

    def __init__(self, in_channels=3, num_classes=2, base_channels=64, depth=4, bilinear=False):
        super().__init__()
        for name, value in (("in_channels", in_channels), ("num_classes", num_classes),
                            ("base_channels", base_channels)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"UNet: {name} must be a positive int, got {value!r}")
        if not isinstance(depth, int) or depth < 0:
            raise ValueError(f"UNet: depth must be a non-negative int, got {depth!r}")
        channels = [base_channels * 2 ** level for level in range(depth + 1)]
        self.depth = depth
        self.encoder = nn.ModuleList([DoubleConv(in_channels, channels[0])])
        self.encoder.extend(DoubleConv(channels[level - 1], channels[level]) for level in range(1, depth + 1))
        self.pool = nn.MaxPool2d(2)
        self.decoder = nn.ModuleList(
            Up(channels[level + 1], channels[level], channels[level], bilinear) for level in reversed(range(depth)))
        self.classifier = nn.Conv2d(channels[0], num_classes, kernel_size=1)

    def forward(self, x):
        if x.ndim != 4:
            raise ValueError(f"UNet expects a 4-d (N, C, H, W) input, got {x.ndim}-d")
        skips = []
        for level, block in enumerate(self.encoder):
            if level > 0:
                x = self.pool(x)
            x = block(x)
            skips.append(x)
        skips.pop()                       # the deepest map is x itself
        for up in self.decoder:
            x = up(x, skips.pop())
        return self.classifier(x)
