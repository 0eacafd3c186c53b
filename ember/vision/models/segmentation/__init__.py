"""ember.vision.models.segmentation: torchvision's FCN, DeepLabV3 and LR-ASPP, and a U-Net.

The torchvision models return an OrderedDict with "out" (and "aux" with ``aux_loss=True``), logits at the input's
size; their module trees match torchvision's, so its checkpoints load with ``strict=True``.

>>> from ember.vision.models.segmentation import UNet
>>> UNet(num_classes=3, base_channels=4, depth=1)(ember.zeros(1, 3, 8, 8)).shape
ember.Size([1, 3, 8, 8])
"""

from .deeplabv3 import (
    DeepLabV3,
    DeepLabV3_MobileNet_V3_Large_Weights,
    DeepLabV3_ResNet50_Weights,
    DeepLabV3_ResNet101_Weights,
    deeplabv3_mobilenet_v3_large,
    deeplabv3_resnet50,
    deeplabv3_resnet101,
)
from .fcn import FCN, FCN_ResNet50_Weights, FCN_ResNet101_Weights, fcn_resnet50, fcn_resnet101
from .lraspp import LRASPP, LRASPP_MobileNet_V3_Large_Weights, lraspp_mobilenet_v3_large
from .unet import UNet

__all__ = ["FCN", "FCN_ResNet50_Weights", "FCN_ResNet101_Weights", "fcn_resnet50", "fcn_resnet101", "DeepLabV3",
           "DeepLabV3_ResNet50_Weights", "DeepLabV3_ResNet101_Weights", "DeepLabV3_MobileNet_V3_Large_Weights",
           "deeplabv3_mobilenet_v3_large", "deeplabv3_resnet50", "deeplabv3_resnet101", "LRASPP",
           "LRASPP_MobileNet_V3_Large_Weights", "lraspp_mobilenet_v3_large", "UNet"]
