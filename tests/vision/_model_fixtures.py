"""Shared by scripts/golden/models.py (run under torchvision) and tests/vision/test_vision_models*.py (ember).

NumPy only, so both sides compute exactly the same weights and inputs:
- ``fill_array``: the deterministic value of every state_dict entry, from a generator seeded by the key's CRC32;
  weights scaled by sqrt(1 / fan_in) so activations stay moderate through deep residual networks, norm weights
  and running variances positive, ``num_batches_tracked`` left as the model has it;
- ``model_input``: the fixed input each model's golden forward runs on;
- ``forward_dtype``: the golden forwards run in float64 (the filled float32 values cast exactly), so that even a
  small input-dependent part of the logits (deep stacks of random weights shrink it) is compared far above
  rounding noise; models dominated by huge linear layers (VGG, AlexNet) run in float32 to keep memory down;
- ``preprocess``: the NumPy-only ImageNet preprocessing of the photos the real-checkpoint test classifies.
"""

import math
import zlib

import numpy as np

# name -> the side of the square input its golden forward runs on.
MODELS = {
    "resnet18": 64,
    "resnet34": 64,
    "resnet50": 64,
    "resnet101": 64,
    "resnet152": 64,
    "resnext50_32x4d": 64,
    "resnext101_32x8d": 64,
    "resnext101_64x4d": 64,
    "wide_resnet50_2": 64,
    "wide_resnet101_2": 64,
    "vgg11": 32,
    "vgg11_bn": 32,
    "vgg13": 32,
    "vgg13_bn": 32,
    "vgg16": 32,
    "vgg16_bn": 32,
    "vgg19": 32,
    "vgg19_bn": 32,
    "alexnet": 64,
    "squeezenet1_0": 64,
    "squeezenet1_1": 64,
    "densenet121": 64,
    "densenet161": 64,
    "densenet169": 64,
    "densenet201": 64,
    "mobilenet_v2": 64,
    "mobilenet_v3_small": 64,
    "mobilenet_v3_large": 64,
    "efficientnet_b0": 64,
    "efficientnet_b1": 64,
    "efficientnet_b2": 64,
    "efficientnet_b3": 64,
    "efficientnet_b4": 64,
    "efficientnet_b5": 64,
    "efficientnet_b6": 64,
    "efficientnet_b7": 64,
    "efficientnet_v2_s": 64,
    "efficientnet_v2_m": 64,
    "efficientnet_v2_l": 64,
    "shufflenet_v2_x0_5": 64,
    "shufflenet_v2_x1_0": 64,
    "shufflenet_v2_x1_5": 64,
    "shufflenet_v2_x2_0": 64,
}

# Non-default constructor arguments checked against torchvision too: (golden name, builder, kwargs, input side).
VARIANTS = [
    ("resnet50_dilated", "resnet50", {"replace_stride_with_dilation": [False, True, True], "num_classes": 7}, 64),
    ("resnet18_zero_init", "resnet18", {"zero_init_residual": True, "num_classes": 5}, 32),
    ("mobilenet_v2_w075", "mobilenet_v2", {"width_mult": 0.75, "round_nearest": 8, "num_classes": 10}, 32),
    ("mobilenet_v3_large_reduced", "mobilenet_v3_large", {"reduced_tail": True, "dilated": True}, 64),
    ("mobilenet_v3_small_w05", "mobilenet_v3_small", {"width_mult": 0.5, "num_classes": 3}, 32),
    ("squeezenet1_1_c10", "squeezenet1_1", {"num_classes": 10}, 32),
    ("densenet121_c4", "densenet121", {"num_classes": 4, "drop_rate": 0.1}, 32),
    ("shufflenet_v2_x0_5_c6", "shufflenet_v2_x0_5", {"num_classes": 6}, 32),
]

PHOTOS = ("coffee", "chelsea", "motorcycle_left")
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
_INPUT_SEED = 20_240_401


def fill_array(key, shape, dtype):
    """The deterministic value (a NumPy array of ``shape``/``dtype``) for state_dict entry ``key``, or None to keep.

    >>> fill_array("layer1.0.bn1.running_var", (3,), "float32").min() > 0
    True
    """
    name = key.rsplit(".", 1)[-1]
    if name == "num_batches_tracked":
        return None
    rng = np.random.default_rng(zlib.crc32(key.encode()))
    if name == "running_var":
        values = rng.uniform(0.5, 1.5, shape)
    elif name == "running_mean":
        values = rng.normal(0.0, 0.2, shape)
    elif name == "weight" and len(shape) <= 1:
        values = rng.uniform(0.5, 1.5, shape)          # norm layers' scale
    elif name == "bias":
        values = rng.normal(0.0, 0.1, shape)
    else:
        fan_in = math.prod(shape[1:]) if len(shape) > 1 else 1
        values = rng.standard_normal(shape, dtype=np.float32)
        values *= np.float32(math.sqrt(1.0 / fan_in))
    return np.asarray(values, dtype=dtype)


def forward_dtype(name):
    """"float32" for the VGG family and AlexNet, else "float64" (see the module docstring)."""
    return "float32" if name.startswith(("vgg", "alexnet")) else "float64"


def model_input(side, batch=1):
    """The fixed float32 input (``batch`` x 3 x ``side`` x ``side``, standard normal) of the golden forwards."""
    rng = np.random.default_rng(_INPUT_SEED + side)
    return rng.standard_normal((batch, 3, side, side), dtype=np.float32)


def _resize_matrix(size_in, size_out):
    """(size_out, size_in) weights of an antialiased linear (triangle filter) resize along one axis."""
    scale = size_in / size_out
    support = max(scale, 1.0)
    centers = (np.arange(size_out) + 0.5) * scale
    positions = np.arange(size_in) + 0.5
    weights = np.clip(1.0 - np.abs(positions[None, :] - centers[:, None]) / support, 0.0, None)
    return weights / weights.sum(axis=1, keepdims=True)


def preprocess(image, size=224):
    """An RGB uint8 photo (H, W, 3) as a normalised 1 x 3 x ``size`` x ``size`` float32 ImageNet input.

    Center square crop, antialiased linear resize (separable, as two matrix products), scale to [0, 1], then the
    ImageNet mean/std normalisation.
    """
    image = np.asarray(image)[..., :3].astype(np.float64)
    height, width = image.shape[:2]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    square = image[top:top + side, left:left + side]
    rows = _resize_matrix(side, size)
    resized = np.einsum("oh,hwc->owc", rows, square)
    resized = np.einsum("pw,owc->opc", rows, resized)
    scaled = (resized / 255.0).astype(np.float32)
    normalised = (scaled - IMAGENET_MEAN) / IMAGENET_STD
    return np.ascontiguousarray(normalised.transpose(2, 0, 1)[None])
