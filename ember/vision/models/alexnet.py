"""AlexNet (the "one weird trick" single-GPU variant torchvision ships), with torchvision's module tree."""

import ember
from ember import nn

from ._api import WeightsEnum, _imagenet_weights, _typing_hint, register_model
from ._utils import _build_model, handle_legacy_interface

__all__ = ["AlexNet", "AlexNet_Weights", "alexnet"]


class AlexNet(nn.Module):
    """Five convolutions and three linear layers; inputs of at least 63x63.

    >>> AlexNet(num_classes=4)(ember.zeros(1, 3, 64, 64)).shape
    ember.Size([1, 4])
    """

    def __init__(self, num_classes=1000, dropout=0.5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2))
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(p=dropout), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes))

    def forward(self, x):
        x = ember.flatten(self.avgpool(self.features(x)), 1)
        return self.classifier(x)


class AlexNet_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(
        "alexnet-owt-7be5be79.pth", num_params=61100840, acc1=56.522, acc5=79.066, ops=0.714, file_size=233.087,
        min_size=(63, 63), recipe="https://github.com/pytorch/vision/tree/main/references/classification#alexnet-and-vgg",
        docs="These weights reproduce closely the results of the paper using a simplified training recipe.")
    DEFAULT = IMAGENET1K_V1


@register_model()
@handle_legacy_interface(weights=("pretrained", AlexNet_Weights.IMAGENET1K_V1))
def alexnet(*, weights: _typing_hint(AlexNet_Weights) = None, progress: bool = True, **kwargs) -> AlexNet:
    """AlexNet; ``weights`` takes AlexNet_Weights (or its name), a checkpoint path or URL.

    >>> AlexNet_Weights.DEFAULT.meta["min_size"]
    (63, 63)
    """
    return _build_model(AlexNet, weights, AlexNet_Weights, progress, kwargs)
