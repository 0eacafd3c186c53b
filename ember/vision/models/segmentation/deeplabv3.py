"""DeepLabV3 ("Rethinking Atrous Convolution for Semantic Image Segmentation"), as torchvision builds it.

Its head is Atrous Spatial Pyramid Pooling: parallel 1x1 and dilated 3x3 convolutions plus an image-level
pooling branch, concatenated and projected, so every pixel sees context at several scales.
"""

import ember
from ember import nn
from ember.nn import functional as F

from .._api import WeightsEnum, _typing_hint, register_model
from .._utils import IntermediateLayerGetter, handle_legacy_interface
from ..mobilenetv3 import MobileNet_V3_Large_Weights, mobilenet_v3_large
from ..resnet import ResNet50_Weights, ResNet101_Weights, resnet50, resnet101
from ._utils import _build_segmentation_model, _conv_bn_relu, _segmentation_weights, _SimpleSegmentationModel
from .fcn import FCNHead, _dilated_resnet_model

__all__ = ["DeepLabV3", "DeepLabV3_ResNet50_Weights", "DeepLabV3_ResNet101_Weights",
           "DeepLabV3_MobileNet_V3_Large_Weights", "deeplabv3_mobilenet_v3_large", "deeplabv3_resnet50",
           "deeplabv3_resnet101"]


class DeepLabV3(_SimpleSegmentationModel):
    """DeepLabV3: a backbone returning ``{"out", "aux"}`` feature maps, an ASPP head, an optional FCN aux head.

    >>> from ember.vision.models.segmentation import deeplabv3_resnet50
    >>> model = deeplabv3_resnet50(weights_backbone=None, num_classes=2).eval()
    >>> model(ember.zeros(1, 3, 32, 32))["out"].shape
    ember.Size([1, 2, 32, 32])
    """


class DeepLabHead(nn.Sequential):
    """ASPP, a 3x3 conv + batch norm + ReLU, then a 1x1 conv to the class logits."""

    def __init__(self, in_channels, num_classes, atrous_rates=(12, 24, 36)):
        super().__init__(ASPP(in_channels, atrous_rates),
                         *_conv_bn_relu(256, 256, 3, padding=1),
                         nn.Conv2d(256, num_classes, 1))


class ASPPConv(nn.Sequential):
    """One dilated 3x3 branch of ASPP (conv, batch norm, ReLU)."""

    def __init__(self, in_channels, out_channels, dilation):
        super().__init__(*_conv_bn_relu(in_channels, out_channels, 3, padding=dilation, dilation=dilation))


class ASPPPooling(nn.Sequential):
    """ASPP's image-level branch: global average pool, 1x1 conv, batch norm, ReLU, resized back to the map."""

    def __init__(self, in_channels, out_channels):
        super().__init__(nn.AdaptiveAvgPool2d(1), *_conv_bn_relu(in_channels, out_channels, 1))

    def forward(self, x):
        size = x.shape[-2:]
        for module in self:
            x = module(x)
        return F.interpolate(x, size=size, mode="bilinear", align_corners=False)


class ASPP(nn.Module):
    """Atrous Spatial Pyramid Pooling: a 1x1 branch, one dilated branch per rate and a pooling branch, projected.

    >>> ASPP(8, (2, 4), out_channels=4).eval()(ember.zeros(1, 8, 6, 6)).shape
    ember.Size([1, 4, 6, 6])
    """

    def __init__(self, in_channels, atrous_rates, out_channels=256):
        super().__init__()
        branches = [nn.Sequential(*_conv_bn_relu(in_channels, out_channels, 1))]
        branches += [ASPPConv(in_channels, out_channels, rate) for rate in tuple(atrous_rates)]
        branches.append(ASPPPooling(in_channels, out_channels))
        self.convs = nn.ModuleList(branches)
        self.project = nn.Sequential(*_conv_bn_relu(len(self.convs) * out_channels, out_channels, 1), nn.Dropout(0.5))

    def forward(self, x):
        return self.project(ember.cat([branch(x) for branch in self.convs], dim=1))


class DeepLabV3_ResNet50_Weights(WeightsEnum):
    COCO_WITH_VOC_LABELS_V1 = _segmentation_weights("deeplabv3_resnet50_coco-cd0a2569.pth", "deeplabv3_resnet50",
                                                    42004074, 66.4, 92.4, 178.722, 160.515)
    DEFAULT = COCO_WITH_VOC_LABELS_V1


class DeepLabV3_ResNet101_Weights(WeightsEnum):
    COCO_WITH_VOC_LABELS_V1 = _segmentation_weights("deeplabv3_resnet101_coco-586e9e4e.pth", "fcn_resnet101",
                                                    60996202, 67.4, 92.4, 258.743, 233.217)
    DEFAULT = COCO_WITH_VOC_LABELS_V1


class DeepLabV3_MobileNet_V3_Large_Weights(WeightsEnum):
    COCO_WITH_VOC_LABELS_V1 = _segmentation_weights("deeplabv3_mobilenet_v3_large-fc3c493d.pth",
                                                    "deeplabv3_mobilenet_v3_large", 11029328, 60.3, 91.2, 10.452,
                                                    42.301)
    DEFAULT = COCO_WITH_VOC_LABELS_V1


def _mobilenet_stage_ends(features):
    """Indices of the blocks that end each resolution stage of a MobileNetV3 ``features`` (first and last too)."""
    strided = [i for i, block in enumerate(features) if getattr(block, "_is_cn", False)]
    return [0] + strided + [len(features) - 1]


def _deeplabv3_mobilenetv3(backbone, num_classes, aux):
    """Wrap a dilated MobileNetV3: its last block (stride 16) feeds ASPP, the stride-8 stage the aux head."""
    features = backbone.features
    stages = _mobilenet_stage_ends(features)
    out_position, aux_position = stages[-1], stages[-4]
    return_layers = {str(out_position): "out"}
    if aux:
        return_layers[str(aux_position)] = "aux"
    out_channels, aux_channels = features[out_position].out_channels, features[aux_position].out_channels
    features = IntermediateLayerGetter(features, return_layers=return_layers)
    aux_classifier = FCNHead(aux_channels, num_classes) if aux else None
    return DeepLabV3(features, DeepLabHead(out_channels, num_classes), aux_classifier)


def _make_mobilenet(weights_backbone, num_classes, aux):
    return _deeplabv3_mobilenetv3(mobilenet_v3_large(weights=weights_backbone, dilated=True), num_classes, aux)


@register_model()
@handle_legacy_interface(weights=("pretrained", DeepLabV3_ResNet50_Weights.COCO_WITH_VOC_LABELS_V1),
                         weights_backbone=("pretrained_backbone", ResNet50_Weights.IMAGENET1K_V1))
def deeplabv3_resnet50(*, weights: _typing_hint(DeepLabV3_ResNet50_Weights) = None, progress: bool = True,
                       num_classes=None, aux_loss=None,
                       weights_backbone: _typing_hint(ResNet50_Weights) = ResNet50_Weights.IMAGENET1K_V1
                       ) -> DeepLabV3:
    """DeepLabV3 with a ResNet-50 backbone; ``weights`` takes DeepLabV3_ResNet50_Weights, a path, URL or dict.

    As in torchvision the backbone defaults to ImageNet weights (downloaded); pass ``weights_backbone=None``.

    >>> deeplabv3_resnet50(weights_backbone=None).classifier[0].convs[1][0].dilation
    (12, 12)
    """
    make = _dilated_resnet_model(DeepLabV3, DeepLabHead, resnet50)
    return _build_segmentation_model(weights, DeepLabV3_ResNet50_Weights, make, progress, num_classes, aux_loss,
                                     weights_backbone, "classifier.4.weight")


@register_model()
@handle_legacy_interface(weights=("pretrained", DeepLabV3_ResNet101_Weights.COCO_WITH_VOC_LABELS_V1),
                         weights_backbone=("pretrained_backbone", ResNet101_Weights.IMAGENET1K_V1))
def deeplabv3_resnet101(*, weights: _typing_hint(DeepLabV3_ResNet101_Weights) = None, progress: bool = True,
                        num_classes=None, aux_loss=None,
                        weights_backbone: _typing_hint(ResNet101_Weights) = ResNet101_Weights.IMAGENET1K_V1
                        ) -> DeepLabV3:
    """DeepLabV3 with a ResNet-101 backbone; ``weights`` takes DeepLabV3_ResNet101_Weights, a path, URL or dict.

    >>> len(deeplabv3_resnet101(weights_backbone=None).backbone.layer3)
    23
    """
    make = _dilated_resnet_model(DeepLabV3, DeepLabHead, resnet101)
    return _build_segmentation_model(weights, DeepLabV3_ResNet101_Weights, make, progress, num_classes, aux_loss,
                                     weights_backbone, "classifier.4.weight")


@register_model()
@handle_legacy_interface(weights=("pretrained", DeepLabV3_MobileNet_V3_Large_Weights.COCO_WITH_VOC_LABELS_V1),
                         weights_backbone=("pretrained_backbone", MobileNet_V3_Large_Weights.IMAGENET1K_V1))
def deeplabv3_mobilenet_v3_large(*, weights: _typing_hint(DeepLabV3_MobileNet_V3_Large_Weights) = None,
                                 progress: bool = True, num_classes=None, aux_loss=None,
                                 weights_backbone: _typing_hint(MobileNet_V3_Large_Weights) =
                                 MobileNet_V3_Large_Weights.IMAGENET1K_V1) -> DeepLabV3:
    """DeepLabV3 with a dilated MobileNetV3-Large backbone; ``weights`` takes its enum, a path, URL or dict.

    >>> deeplabv3_mobilenet_v3_large(weights_backbone=None).classifier[4].out_channels
    21
    """
    return _build_segmentation_model(weights, DeepLabV3_MobileNet_V3_Large_Weights, _make_mobilenet, progress,
                                     num_classes, aux_loss, weights_backbone, "classifier.4.weight")
