"""Lite R-ASPP ("Searching for MobileNetV3"): a light segmentation head on a dilated MobileNetV3-Large."""

from collections import OrderedDict

from ember import nn
from ember.nn import functional as F

from .._api import WeightsEnum, _typing_hint, register_model
from .._utils import IntermediateLayerGetter, handle_legacy_interface
from ..mobilenetv3 import MobileNet_V3_Large_Weights, mobilenet_v3_large
from ._utils import _build_segmentation_model, _segmentation_weights
from .deeplabv3 import _mobilenet_stage_ends

__all__ = ["LRASPP", "LRASPP_MobileNet_V3_Large_Weights", "lraspp_mobilenet_v3_large"]


class LRASPP(nn.Module):
    """Lite R-ASPP: a backbone returning ``{"low", "high"}`` feature maps and the LR-ASPP head on both.

    Returns an OrderedDict with "out": the logits resized bilinearly to the input's height and width.

    >>> from ember.vision.models.segmentation import lraspp_mobilenet_v3_large
    >>> model = lraspp_mobilenet_v3_large(weights_backbone=None, num_classes=3).eval()
    >>> model(ember.zeros(1, 3, 32, 32))["out"].shape
    ember.Size([1, 3, 32, 32])
    """

    def __init__(self, backbone, low_channels, high_channels, num_classes, inter_channels=128):
        super().__init__()
        self.backbone = backbone
        self.classifier = LRASPPHead(low_channels, high_channels, num_classes, inter_channels)

    def forward(self, input):
        features = self.backbone(input)
        out = self.classifier(features)
        result = OrderedDict()
        result["out"] = F.interpolate(out, size=input.shape[-2:], mode="bilinear", align_corners=False)
        return result


class LRASPPHead(nn.Module):
    """High-level features, 1x1-convolved and gated by their global context, upsampled and added to low-level logits."""

    def __init__(self, low_channels, high_channels, num_classes, inter_channels):
        super().__init__()
        self.cbr = nn.Sequential(
            nn.Conv2d(high_channels, inter_channels, 1, bias=False),
            nn.BatchNorm2d(inter_channels),
            nn.ReLU(inplace=True),
        )
        self.scale = nn.Sequential(
            nn.AdaptiveAvgPool2d(1),
            nn.Conv2d(high_channels, inter_channels, 1, bias=False),
            nn.Sigmoid(),
        )
        self.low_classifier = nn.Conv2d(low_channels, num_classes, 1)
        self.high_classifier = nn.Conv2d(inter_channels, num_classes, 1)

    def forward(self, input):
        low, high = input["low"], input["high"]
        x = self.cbr(high) * self.scale(high)
        x = F.interpolate(x, size=low.shape[-2:], mode="bilinear", align_corners=False)
        return self.low_classifier(low) + self.high_classifier(x)


class LRASPP_MobileNet_V3_Large_Weights(WeightsEnum):
    COCO_WITH_VOC_LABELS_V1 = _segmentation_weights("lraspp_mobilenet_v3_large-d234d4ea.pth",
                                                    "lraspp_mobilenet_v3_large", 3221538, 57.9, 91.2, 2.086, 12.49)
    DEFAULT = COCO_WITH_VOC_LABELS_V1


def _lraspp_mobilenetv3(backbone, num_classes):
    """Wrap a dilated MobileNetV3: the stride-8 stage gives "low", the last block (stride 16) "high"."""
    features = backbone.features
    stages = _mobilenet_stage_ends(features)
    low_position, high_position = stages[-4], stages[-1]
    low_channels, high_channels = features[low_position].out_channels, features[high_position].out_channels
    features = IntermediateLayerGetter(features, return_layers={str(low_position): "low", str(high_position): "high"})
    return LRASPP(features, low_channels, high_channels, num_classes)


def _make(weights_backbone, num_classes):
    return _lraspp_mobilenetv3(mobilenet_v3_large(weights=weights_backbone, dilated=True), num_classes)


@register_model()
@handle_legacy_interface(weights=("pretrained", LRASPP_MobileNet_V3_Large_Weights.COCO_WITH_VOC_LABELS_V1),
                         weights_backbone=("pretrained_backbone", MobileNet_V3_Large_Weights.IMAGENET1K_V1))
def lraspp_mobilenet_v3_large(*, weights: _typing_hint(LRASPP_MobileNet_V3_Large_Weights) = None,
                              progress: bool = True, num_classes=None,
                              weights_backbone: _typing_hint(MobileNet_V3_Large_Weights) =
                              MobileNet_V3_Large_Weights.IMAGENET1K_V1, **kwargs) -> LRASPP:
    """LR-ASPP with a MobileNetV3-Large backbone; ``weights`` takes its enum, a checkpoint path, URL or dict.

    It has no auxiliary head: ``aux_loss=True`` raises NotImplementedError, as in torchvision.

    >>> lraspp_mobilenet_v3_large(weights_backbone=None).classifier.low_classifier.out_channels
    21
    """
    if kwargs.pop("aux_loss", False):
        raise NotImplementedError("This model does not use auxiliary loss")
    return _build_segmentation_model(weights, LRASPP_MobileNet_V3_Large_Weights, _make, progress, num_classes, None,
                                     weights_backbone, "classifier.low_classifier.weight", has_aux=False)
