"""FCN ("Fully Convolutional Networks for Semantic Segmentation") on a dilated ResNet, as torchvision builds it."""

from ember import nn

from .._api import WeightsEnum, _typing_hint, register_model
from .._utils import IntermediateLayerGetter, handle_legacy_interface
from ..resnet import ResNet50_Weights, ResNet101_Weights, resnet50, resnet101
from ._utils import _build_segmentation_model, _conv_bn_relu, _segmentation_weights, _SimpleSegmentationModel

__all__ = ["FCN", "FCN_ResNet50_Weights", "FCN_ResNet101_Weights", "fcn_resnet50", "fcn_resnet101"]


class FCN(_SimpleSegmentationModel):
    """FCN: a backbone returning ``{"out", "aux"}`` feature maps, a dense classifier, an optional aux classifier.

    >>> from ember.vision.models.segmentation import fcn_resnet50
    >>> model = fcn_resnet50(weights_backbone=None, num_classes=3).eval()
    >>> model(ember.zeros(1, 3, 32, 32))["out"].shape
    ember.Size([1, 3, 32, 32])
    """


class FCNHead(nn.Sequential):
    """3x3 conv to a quarter of the channels, batch norm, ReLU, dropout, then a 1x1 conv to the class logits."""

    def __init__(self, in_channels, channels):
        inter_channels = in_channels // 4
        super().__init__(*_conv_bn_relu(in_channels, inter_channels, 3, padding=1),
                         nn.Dropout(0.1),
                         nn.Conv2d(inter_channels, channels, 1))


class FCN_ResNet50_Weights(WeightsEnum):
    COCO_WITH_VOC_LABELS_V1 = _segmentation_weights("fcn_resnet50_coco-1167a1af.pth", "fcn_resnet50", 35322218,
                                                    60.5, 91.4, 152.717, 135.009)
    DEFAULT = COCO_WITH_VOC_LABELS_V1


class FCN_ResNet101_Weights(WeightsEnum):
    COCO_WITH_VOC_LABELS_V1 = _segmentation_weights("fcn_resnet101_coco-7ecb50ca.pth", "deeplabv3_resnet101",
                                                    54314346, 63.7, 91.9, 232.738, 207.711)
    DEFAULT = COCO_WITH_VOC_LABELS_V1


def _dilated_resnet_model(model_cls, head_cls, resnet_builder):
    """``make(weights_backbone, num_classes, aux)`` building ``model_cls`` (FCN or DeepLabV3) on a ResNet whose
    layer3 and layer4 trade their stride for dilation: layer4 feeds ``head_cls``, layer3 the aux FCNHead."""

    def make(weights_backbone, num_classes, aux):
        backbone = resnet_builder(weights=weights_backbone, replace_stride_with_dilation=[False, True, True])
        return_layers = {"layer4": "out"}
        if aux:
            return_layers["layer3"] = "aux"
        backbone = IntermediateLayerGetter(backbone, return_layers=return_layers)
        aux_classifier = FCNHead(1024, num_classes) if aux else None
        return model_cls(backbone, head_cls(2048, num_classes), aux_classifier)

    return make


@register_model()
@handle_legacy_interface(weights=("pretrained", FCN_ResNet50_Weights.COCO_WITH_VOC_LABELS_V1),
                         weights_backbone=("pretrained_backbone", ResNet50_Weights.IMAGENET1K_V1))
def fcn_resnet50(*, weights: _typing_hint(FCN_ResNet50_Weights) = None, progress: bool = True, num_classes=None,
                 aux_loss=None, weights_backbone: _typing_hint(ResNet50_Weights) = ResNet50_Weights.IMAGENET1K_V1,
                 **kwargs) -> FCN:
    """FCN with a ResNet-50 backbone; ``weights`` takes FCN_ResNet50_Weights, a checkpoint path, URL or state_dict.

    As in torchvision the backbone defaults to ImageNet weights (downloaded); pass ``weights_backbone=None``.

    >>> fcn_resnet50(weights_backbone=None, aux_loss=True).aux_classifier[4].out_channels
    21
    """
    make = _dilated_resnet_model(FCN, FCNHead, resnet50)
    return _build_segmentation_model(weights, FCN_ResNet50_Weights, make, progress, num_classes, aux_loss,
                                     weights_backbone, "classifier.4.weight")


@register_model()
@handle_legacy_interface(weights=("pretrained", FCN_ResNet101_Weights.COCO_WITH_VOC_LABELS_V1),
                         weights_backbone=("pretrained_backbone", ResNet101_Weights.IMAGENET1K_V1))
def fcn_resnet101(*, weights: _typing_hint(FCN_ResNet101_Weights) = None, progress: bool = True,
                  num_classes=None, aux_loss=None,
                  weights_backbone: _typing_hint(ResNet101_Weights) = ResNet101_Weights.IMAGENET1K_V1,
                  **kwargs) -> FCN:
    """FCN with a ResNet-101 backbone; ``weights`` takes FCN_ResNet101_Weights, a checkpoint path, URL or dict.

    >>> len(fcn_resnet101(weights_backbone=None).backbone.layer3)
    23
    """
    make = _dilated_resnet_model(FCN, FCNHead, resnet101)
    return _build_segmentation_model(weights, FCN_ResNet101_Weights, make, progress, num_classes, aux_loss,
                                     weights_backbone, "classifier.4.weight")
