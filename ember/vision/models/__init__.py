"""ember.vision.models: torchvision's classification models, module for module, with its pretrained weights.

Every builder takes ``weights=None, progress=True, **kwargs`` as in torchvision; ``weights`` also takes a local
checkpoint path or an http(s)/file URL (fetched through ``ember.hub``). Checkpoints load with ``strict=True``.

>>> from ember.vision import models
>>> models.resnet18(num_classes=10).fc.out_features
10
"""

from . import alexnet as _alexnet_module
from . import densenet as _densenet_module
from . import efficientnet as _efficientnet_module
from . import hed as _hed_module
from . import mobilenetv2 as _mobilenetv2_module
from . import mobilenetv3 as _mobilenetv3_module
from . import resnet as _resnet_module
from . import segmentation  # noqa: F401  (torchvision.models.segmentation: FCN, DeepLabV3, LRASPP, U-Net)
from . import shufflenetv2 as _shufflenetv2_module
from . import squeezenet as _squeezenet_module
from . import vgg as _vgg_module
from ._api import Weights, WeightsEnum, get_model, get_model_builder, get_model_weights, get_weight, list_models

_FAMILIES = (_alexnet_module, _densenet_module, _efficientnet_module, _hed_module, _mobilenetv2_module,
             _mobilenetv3_module, _resnet_module, _shufflenetv2_module, _squeezenet_module, _vgg_module)

__all__ = ["Weights", "WeightsEnum", "get_model", "get_model_builder", "get_model_weights", "get_weight",
           "list_models"]
for _family in _FAMILIES:
    __all__ += list(_family.__all__)
    globals().update({name: getattr(_family, name) for name in _family.__all__})
del _family
