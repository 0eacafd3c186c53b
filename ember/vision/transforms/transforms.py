"""torchvision's transform classes (the v1 API) for ember tensors and PIL images.

Random transforms draw from ember's generator (``ember.rand``, ``ember.randint``, ...), so
``ember.manual_seed`` makes a pipeline repeat; their ``get_params`` static methods return the
drawn parameters, as torchvision's do, for applying the same draw to an image and its mask.
"""

import math
import numbers
import warnings
from collections.abc import Sequence

import ember
from ember import nn

from . import functional as F
from .functional import InterpolationMode, _interpolation_modes_from_int

__all__ = [
    "Compose", "ToTensor", "PILToTensor", "ConvertImageDtype", "ToPILImage", "Normalize", "Resize", "CenterCrop",
    "Pad", "Lambda", "RandomApply", "RandomChoice", "RandomOrder", "RandomCrop", "RandomHorizontalFlip",
    "RandomVerticalFlip", "RandomResizedCrop", "FiveCrop", "TenCrop", "LinearTransformation", "ColorJitter",
    "RandomRotation", "RandomAffine", "Grayscale", "RandomGrayscale", "RandomPerspective", "RandomErasing",
    "GaussianBlur", "InterpolationMode", "RandomInvert", "RandomPosterize", "RandomSolarize",
    "RandomAdjustSharpness", "RandomAutocontrast", "RandomEqualize", "ElasticTransform", "GaussianNoise",
]


# ----------------------------------------------------------------------------- argument helpers
def _setup_size(size, error_msg):
    """A size given as n, [n] or (h, w) as a pair."""
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, Sequence) and len(size) == 1:
        return size[0], size[0]
    if len(size) != 2:
        raise ValueError(error_msg)
    return size


def _check_sequence_input(x, name, req_sizes):
    msg = req_sizes[0] if len(req_sizes) < 2 else " or ".join(str(s) for s in req_sizes)
    if not isinstance(x, Sequence):
        raise TypeError(f"{name} should be a sequence of length {msg}.")
    if len(x) not in req_sizes:
        raise ValueError(f"{name} should be a sequence of length {msg}.")


def _setup_angle(x, name, req_sizes=(2,)):
    """An angle range: a number d means [-d, d]."""
    if isinstance(x, numbers.Number):
        if x < 0:
            raise ValueError(f"If {name} is a single number, it must be positive.")
        x = [-x, x]
    else:
        _check_sequence_input(x, name, req_sizes)
    return [float(d) for d in x]


def _interpolation(interpolation):
    return _interpolation_modes_from_int(interpolation) if isinstance(interpolation, int) else interpolation


def _check_fill(fill):
    if fill is None:
        return 0
    if not isinstance(fill, (Sequence, numbers.Number)):
        raise TypeError("Fill should be either a sequence or a number.")
    return fill


def _tensor_fill(fill, img):
    """Tensor images take one fill value per channel, as floats."""
    if not isinstance(img, ember.Tensor):
        return fill
    channels = F.get_dimensions(img)[0]
    if isinstance(fill, (int, float)):
        return [float(fill)] * channels
    return [float(f) for f in fill]


def _uniform(low, high):
    """One draw from U(low, high) off ember's generator, as a Python float."""
    return float(ember.empty(1).uniform_(float(low), float(high)).item())


def _randint(low, high):
    """One draw from the integers in [low, high) off ember's generator."""
    return int(ember.randint(low, high, size=(1,)).item())


def _coin(p):
    """True with probability ``p``."""
    return bool(ember.rand(1).item() < p)


def _listing(name, transforms, extra=()):
    lines = [name + "("] + [f"    {line}" for line in extra] + [f"    {t}" for t in transforms]
    return "\n".join(lines) + "\n)"


# ----------------------------------------------------------------------------- composition
class Compose:
    """Apply transforms one after another.

    >>> Compose([Resize(8), CenterCrop(8)])(ember.rand(3, 24, 32)).shape
    ember.Size([3, 8, 8])
    """

    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        return _listing(self.__class__.__name__, self.transforms)


class ToTensor:
    """PIL image or HWC ndarray to a CHW tensor (uint8 scaled to float [0, 1]).

    >>> import numpy as np
    >>> ToTensor()(np.zeros((2, 4, 3), np.uint8)).shape
    ember.Size([3, 2, 4])
    """

    def __call__(self, pic):
        return F.to_tensor(pic)

    def __repr__(self):
        return f"{self.__class__.__name__}()"


class PILToTensor:
    """PIL image to a CHW tensor of the same dtype (no scaling).

    >>> from PIL import Image
    >>> PILToTensor()(Image.new("L", (4, 2))).dtype
    ember.uint8
    """

    def __call__(self, pic):
        return F.pil_to_tensor(pic)

    def __repr__(self):
        return f"{self.__class__.__name__}()"


class ConvertImageDtype(nn.Module):
    """Convert a tensor image to ``dtype``, rescaling intensities.

    >>> ConvertImageDtype(ember.float32)(ember.tensor([[[255]]], dtype=ember.uint8))
    tensor([[[1.]]])
    """

    def __init__(self, dtype):
        super().__init__()
        self.dtype = dtype

    def forward(self, image):
        return F.convert_image_dtype(image, self.dtype)


class ToPILImage:
    """Tensor or ndarray to a PIL image (``mode`` inferred when None).

    >>> ToPILImage()(ember.zeros(3, 2, 4)).mode
    'RGB'
    """

    def __init__(self, mode=None):
        self.mode = mode

    def __call__(self, pic):
        return F.to_pil_image(pic, self.mode)

    def __repr__(self):
        mode = f"mode={self.mode}" if self.mode is not None else ""
        return f"{self.__class__.__name__}({mode})"


class Normalize(nn.Module):
    """Normalise each channel: ``(x - mean) / std``.

    >>> Normalize([0.5], [0.5])(ember.ones(1, 2, 2)).unique()
    tensor([1.])
    """

    def __init__(self, mean, std, inplace=False):
        super().__init__()
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def forward(self, tensor):
        return F.normalize(tensor, self.mean, self.std, self.inplace)

    def __repr__(self):
        return f"{self.__class__.__name__}(mean={self.mean}, std={self.std})"


class Resize(nn.Module):
    """Resize to ``size`` (h, w), or the shorter edge to ``size`` when it is one number.

    >>> Resize(12)(ember.rand(3, 24, 32)).shape
    ember.Size([3, 12, 16])
    """

    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
        super().__init__()
        if not isinstance(size, (int, Sequence)):
            raise TypeError(f"Size should be int or sequence. Got {type(size)}")
        if isinstance(size, Sequence) and len(size) not in (1, 2):
            raise ValueError("If size is a sequence, it should have 1 or 2 values")
        self.size = size
        self.max_size = max_size
        self.interpolation = _interpolation(interpolation)
        self.antialias = antialias

    def forward(self, img):
        return F.resize(img, self.size, self.interpolation, self.max_size, self.antialias)

    def __repr__(self):
        return (f"{self.__class__.__name__}(size={self.size}, interpolation={self.interpolation.value}, "
                f"max_size={self.max_size}, antialias={self.antialias})")


class CenterCrop(nn.Module):
    """Crop the centre (zero-padding images smaller than ``size``).

    >>> CenterCrop(8)(ember.rand(3, 24, 32)).shape
    ember.Size([3, 8, 8])
    """

    def __init__(self, size):
        super().__init__()
        self.size = _setup_size(size, error_msg="Please provide only two dimensions (h, w) for size.")

    def forward(self, img):
        return F.center_crop(img, self.size)

    def __repr__(self):
        return f"{self.__class__.__name__}(size={self.size})"


class Pad(nn.Module):
    """Pad the borders (constant ``fill``, edge, reflect or symmetric).

    >>> Pad(2)(ember.rand(3, 4, 4)).shape
    ember.Size([3, 8, 8])
    """

    def __init__(self, padding, fill=0, padding_mode="constant"):
        super().__init__()
        if not isinstance(padding, (numbers.Number, tuple, list)):
            raise TypeError("Got inappropriate padding arg")
        if not isinstance(fill, (numbers.Number, tuple, list)):
            raise TypeError("Got inappropriate fill arg")
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
        if isinstance(padding, Sequence) and len(padding) not in (1, 2, 4):
            raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element "
                             "tuple")
        self.padding = padding
        self.fill = fill
        self.padding_mode = padding_mode

    def forward(self, img):
        return F.pad(img, self.padding, self.fill, self.padding_mode)

    def __repr__(self):
        return f"{self.__class__.__name__}(padding={self.padding}, fill={self.fill}, padding_mode={self.padding_mode})"


class Lambda:
    """Wrap a function as a transform.

    >>> Lambda(lambda x: x * 2)(ember.ones(1)).item()
    2.0
    """

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {repr(type(lambd).__name__)}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self):
        return f"{self.__class__.__name__}()"


class RandomTransforms:
    """Base of the transforms that pick among a list of transforms."""

    def __init__(self, transforms):
        if not isinstance(transforms, Sequence):
            raise TypeError("Argument transforms should be a sequence")
        self.transforms = transforms

    def __call__(self, *args, **kwargs):
        raise NotImplementedError()

    def __repr__(self):
        return _listing(self.__class__.__name__, self.transforms)


class RandomApply(nn.Module):
    """Apply the whole list of transforms with probability ``p``.

    >>> RandomApply([Lambda(lambda x: x + 1)], p=1.0)(ember.zeros(1)).item()
    1.0
    """

    def __init__(self, transforms, p=0.5):
        super().__init__()
        self.transforms = transforms
        self.p = p

    def forward(self, img):
        if self.p < ember.rand(1).item():
            return img
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        return _listing(self.__class__.__name__, self.transforms, extra=[f"p={self.p}"])


class RandomOrder(RandomTransforms):
    """Apply the transforms in a random order.

    >>> RandomOrder([Lambda(lambda x: x + 1), Lambda(lambda x: x * 2)])(ember.zeros(1)).item() in (1.0, 2.0)
    True
    """

    def __call__(self, img):
        for i in ember.randperm(len(self.transforms)).tolist():
            img = self.transforms[i](img)
        return img


class RandomChoice(RandomTransforms):
    """Apply one transform picked at random (weighted by ``p`` when given).

    >>> RandomChoice([Lambda(lambda x: x + 1)])(ember.zeros(1)).item()
    1.0
    """

    def __init__(self, transforms, p=None):
        super().__init__(transforms)
        if p is not None and not isinstance(p, Sequence):
            raise TypeError("Argument p should be a sequence")
        self.p = p

    def __call__(self, *args):
        if self.p is None:
            index = _randint(0, len(self.transforms))
        else:
            index = int(ember.multinomial(ember.tensor([float(w) for w in self.p], dtype=ember.float64), 1).item())
        return self.transforms[index](*args)

    def __repr__(self):
        return f"{super().__repr__()}(p={self.p})"


# ----------------------------------------------------------------------------- crops and flips
class RandomCrop(nn.Module):
    """Crop a random ``size`` window, optionally padding first.

    >>> RandomCrop(8, padding=2)(ember.rand(3, 24, 32)).shape
    ember.Size([3, 8, 8])
    """

    @staticmethod
    def get_params(img, output_size):
        """(top, left, height, width) of a uniformly placed ``output_size`` window."""
        _, h, w = F.get_dimensions(img)
        th, tw = output_size
        if h < th or w < tw:
            raise ValueError(f"Required crop size {(th, tw)} is larger than input image size {(h, w)}")
        if w == tw and h == th:
            return 0, 0, h, w
        return _randint(0, h - th + 1), _randint(0, w - tw + 1), th, tw

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode="constant"):
        super().__init__()
        self.size = tuple(_setup_size(size, error_msg="Please provide only two dimensions (h, w) for size."))
        self.padding = padding
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        self.padding_mode = padding_mode

    def forward(self, img):
        if self.padding is not None:
            img = F.pad(img, self.padding, self.fill, self.padding_mode)
        _, height, width = F.get_dimensions(img)
        if self.pad_if_needed and width < self.size[1]:
            img = F.pad(img, [self.size[1] - width, 0], self.fill, self.padding_mode)
        if self.pad_if_needed and height < self.size[0]:
            img = F.pad(img, [0, self.size[0] - height], self.fill, self.padding_mode)
        i, j, h, w = self.get_params(img, self.size)
        return F.crop(img, i, j, h, w)

    def __repr__(self):
        return f"{self.__class__.__name__}(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip(nn.Module):
    """Mirror left to right with probability ``p``.

    >>> RandomHorizontalFlip(p=1.0)(ember.tensor([[[1, 2]]]))
    tensor([[[2, 1]]])
    """

    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, img):
        return F.hflip(img) if _coin(self.p) else img

    def __repr__(self):
        return f"{self.__class__.__name__}(p={self.p})"


class RandomVerticalFlip(nn.Module):
    """Flip upside down with probability ``p``.

    >>> RandomVerticalFlip(p=1.0)(ember.tensor([[[1], [2]]])).flatten()
    tensor([2, 1])
    """

    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, img):
        return F.vflip(img) if _coin(self.p) else img

    def __repr__(self):
        return f"{self.__class__.__name__}(p={self.p})"


class RandomPerspective(nn.Module):
    """Random perspective warp with probability ``p``, corners moved by up to ``distortion_scale``.

    >>> RandomPerspective(p=1.0)(ember.rand(3, 24, 32)).shape
    ember.Size([3, 24, 32])
    """

    def __init__(self, distortion_scale=0.5, p=0.5, interpolation=InterpolationMode.BILINEAR, fill=0):
        super().__init__()
        self.p = p
        self.interpolation = _interpolation(interpolation)
        self.distortion_scale = distortion_scale
        self.fill = _check_fill(fill)

    def forward(self, img):
        fill = _tensor_fill(self.fill, img)
        _, height, width = F.get_dimensions(img)
        if _coin(self.p):
            startpoints, endpoints = self.get_params(width, height, self.distortion_scale)
            return F.perspective(img, startpoints, endpoints, self.interpolation, fill)
        return img

    @staticmethod
    def get_params(width, height, distortion_scale):
        """The image corners and where each moves: inwards by up to ``distortion_scale`` of half the size."""
        dx = int(distortion_scale * (width // 2))
        dy = int(distortion_scale * (height // 2))
        top_left = [_randint(0, dx + 1), _randint(0, dy + 1)]
        top_right = [_randint(width - dx - 1, width), _randint(0, dy + 1)]
        bottom_right = [_randint(width - dx - 1, width), _randint(height - dy - 1, height)]
        bottom_left = [_randint(0, dx + 1), _randint(height - dy - 1, height)]
        startpoints = [[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]]
        return startpoints, [top_left, top_right, bottom_right, bottom_left]

    def __repr__(self):
        return f"{self.__class__.__name__}(p={self.p})"


class RandomResizedCrop(nn.Module):
    """Crop a random area (fraction ``scale``, aspect ``ratio``) and resize it to ``size``.

    >>> RandomResizedCrop(8)(ember.rand(3, 24, 32)).shape
    ember.Size([3, 8, 8])
    """

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0),
                 interpolation=InterpolationMode.BILINEAR, antialias=True):
        super().__init__()
        self.size = _setup_size(size, error_msg="Please provide only two dimensions (h, w) for size.")
        if not isinstance(scale, Sequence):
            raise TypeError("Scale should be a sequence")
        if not isinstance(ratio, Sequence):
            raise TypeError("Ratio should be a sequence")
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            warnings.warn("Scale and ratio should be of kind (min, max)", stacklevel=2)
        self.interpolation = _interpolation(interpolation)
        self.antialias = antialias
        self.scale = scale
        self.ratio = ratio

    @staticmethod
    def get_params(img, scale, ratio):
        """(top, left, height, width): up to 10 tries of a random area and log-uniform aspect ratio,
        then the largest central crop within ``ratio``."""
        _, height, width = F.get_dimensions(img)
        area = height * width
        log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
        for _ in range(10):
            target_area = area * _uniform(scale[0], scale[1])
            aspect_ratio = math.exp(_uniform(log_ratio[0], log_ratio[1]))
            w = int(round(math.sqrt(target_area * aspect_ratio)))
            h = int(round(math.sqrt(target_area / aspect_ratio)))
            if 0 < w <= width and 0 < h <= height:
                return _randint(0, height - h + 1), _randint(0, width - w + 1), h, w
        in_ratio = float(width) / float(height)
        if in_ratio < min(ratio):
            w, h = width, int(round(width / min(ratio)))
        elif in_ratio > max(ratio):
            h, w = height, int(round(height * max(ratio)))
        else:
            w, h = width, height
        return (height - h) // 2, (width - w) // 2, h, w

    def forward(self, img):
        i, j, h, w = self.get_params(img, self.scale, self.ratio)
        return F.resized_crop(img, i, j, h, w, self.size, self.interpolation, antialias=self.antialias)

    def __repr__(self):
        scale = tuple(round(s, 4) for s in self.scale)
        ratio = tuple(round(r, 4) for r in self.ratio)
        return (f"{self.__class__.__name__}(size={self.size}, scale={scale}, ratio={ratio}, "
                f"interpolation={self.interpolation.value}, antialias={self.antialias})")


class FiveCrop(nn.Module):
    """The four corner crops and the centre crop.

    >>> len(FiveCrop(8)(ember.rand(3, 24, 32)))
    5
    """

    def __init__(self, size):
        super().__init__()
        self.size = _setup_size(size, error_msg="Please provide only two dimensions (h, w) for size.")

    def forward(self, img):
        return F.five_crop(img, self.size)

    def __repr__(self):
        return f"{self.__class__.__name__}(size={self.size})"


class TenCrop(nn.Module):
    """``FiveCrop`` of the image and of its mirror image.

    >>> len(TenCrop(8)(ember.rand(3, 24, 32)))
    10
    """

    def __init__(self, size, vertical_flip=False):
        super().__init__()
        self.size = _setup_size(size, error_msg="Please provide only two dimensions (h, w) for size.")
        self.vertical_flip = vertical_flip

    def forward(self, img):
        return F.ten_crop(img, self.size, self.vertical_flip)

    def __repr__(self):
        return f"{self.__class__.__name__}(size={self.size}, vertical_flip={self.vertical_flip})"


class LinearTransformation(nn.Module):
    """Flatten, subtract ``mean_vector``, multiply by ``transformation_matrix`` (e.g. ZCA whitening).

    >>> LinearTransformation(ember.eye(4), ember.zeros(4))(ember.ones(1, 2, 2)).sum()
    tensor(4.)
    """

    def __init__(self, transformation_matrix, mean_vector):
        super().__init__()
        shape = tuple(transformation_matrix.size())
        if transformation_matrix.size(0) != transformation_matrix.size(1):
            raise ValueError(f"transformation_matrix should be square. Got {shape} rectangular matrix.")
        if mean_vector.size(0) != transformation_matrix.size(0):
            raise ValueError(f"mean_vector should have the same length {mean_vector.size(0)} as any one of the "
                             f"dimensions of the transformation_matrix [{shape}]")
        if transformation_matrix.dtype != mean_vector.dtype:
            raise ValueError(f"Input tensors should have the same dtype. Got {transformation_matrix.dtype} and "
                             f"{mean_vector.dtype}")
        self.transformation_matrix = transformation_matrix
        self.mean_vector = mean_vector

    def forward(self, tensor):
        shape = tensor.shape
        n = shape[-3] * shape[-2] * shape[-1]
        if n != self.transformation_matrix.shape[0]:
            raise ValueError("Input tensor and transformation matrix have incompatible shape."
                             f"[{shape[-3]} x {shape[-2]} x {shape[-1]}] != {self.transformation_matrix.shape[0]}")
        flat = tensor.reshape(-1, n) - self.mean_vector
        return ember.mm(flat, self.transformation_matrix.to(flat.dtype)).reshape(shape)

    def __repr__(self):
        return (f"{self.__class__.__name__}(transformation_matrix={self.transformation_matrix.tolist()}, "
                f"mean_vector={self.mean_vector.tolist()})")


# ----------------------------------------------------------------------------- colour
class ColorJitter(nn.Module):
    """Randomly change brightness, contrast, saturation and hue, in a random order.

    >>> ColorJitter(brightness=0.5)
    ColorJitter(brightness=(0.5, 1.5), contrast=None, saturation=None, hue=None)
    """

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0):
        super().__init__()
        self.brightness = self._check_input(brightness, "brightness")
        self.contrast = self._check_input(contrast, "contrast")
        self.saturation = self._check_input(saturation, "saturation")
        self.hue = self._check_input(hue, "hue", center=0, bound=(-0.5, 0.5), clip_first_on_zero=False)

    def _check_input(self, value, name, center=1, bound=(0, float("inf")), clip_first_on_zero=True):
        """A factor range: a number v means [center - v, center + v]; None when it changes nothing."""
        if isinstance(value, numbers.Number):
            if value < 0:
                raise ValueError(f"If {name} is a single number, it must be non negative.")
            value = [center - float(value), center + float(value)]
            if clip_first_on_zero:
                value[0] = max(value[0], 0.0)
        elif isinstance(value, (tuple, list)) and len(value) == 2:
            value = [float(value[0]), float(value[1])]
        else:
            raise TypeError(f"{name} should be a single number or a list/tuple with length 2.")
        if not bound[0] <= value[0] <= value[1] <= bound[1]:
            raise ValueError(f"{name} values should be between {bound}, but got {value}.")
        if value[0] == value[1] == center:
            return None
        return tuple(value)

    @staticmethod
    def get_params(brightness, contrast, saturation, hue):
        """A random order of the four adjustments and a factor drawn for each that is enabled."""
        fn_idx = ember.randperm(4)
        factors = [None if r is None else _uniform(r[0], r[1]) for r in (brightness, contrast, saturation, hue)]
        return (fn_idx, *factors)

    def forward(self, img):
        fn_idx, *factors = self.get_params(self.brightness, self.contrast, self.saturation, self.hue)
        adjustments = (F.adjust_brightness, F.adjust_contrast, F.adjust_saturation, F.adjust_hue)
        for fn_id in fn_idx.tolist():
            if factors[fn_id] is not None:
                img = adjustments[fn_id](img, factors[fn_id])
        return img

    def __repr__(self):
        return (f"{self.__class__.__name__}(brightness={self.brightness}, contrast={self.contrast}, "
                f"saturation={self.saturation}, hue={self.hue})")


class Grayscale(nn.Module):
    """Convert to greyscale with 1 or 3 output channels.

    >>> Grayscale()(ember.rand(3, 4, 4)).shape
    ember.Size([1, 4, 4])
    """

    def __init__(self, num_output_channels=1):
        super().__init__()
        self.num_output_channels = num_output_channels

    def forward(self, img):
        return F.rgb_to_grayscale(img, num_output_channels=self.num_output_channels)

    def __repr__(self):
        return f"{self.__class__.__name__}(num_output_channels={self.num_output_channels})"


class RandomGrayscale(nn.Module):
    """Convert to greyscale (keeping the channel count) with probability ``p``.

    >>> RandomGrayscale(p=1.0)(ember.rand(3, 4, 4)).shape
    ember.Size([3, 4, 4])
    """

    def __init__(self, p=0.1):
        super().__init__()
        self.p = p

    def forward(self, img):
        channels, _, _ = F.get_dimensions(img)
        if _coin(self.p):
            return F.rgb_to_grayscale(img, num_output_channels=channels)
        return img

    def __repr__(self):
        return f"{self.__class__.__name__}(p={self.p})"


# ----------------------------------------------------------------------------- rotation and affine maps
class RandomRotation(nn.Module):
    """Rotate by an angle drawn uniformly from ``degrees``.

    >>> RandomRotation(30)(ember.rand(3, 24, 32)).shape
    ember.Size([3, 24, 32])
    """

    def __init__(self, degrees, interpolation=InterpolationMode.NEAREST, expand=False, center=None, fill=0):
        super().__init__()
        self.interpolation = _interpolation(interpolation)
        self.degrees = _setup_angle(degrees, name="degrees", req_sizes=(2,))
        if center is not None:
            _check_sequence_input(center, "center", req_sizes=(2,))
        self.center = center
        self.expand = expand
        self.fill = _check_fill(fill)

    @staticmethod
    def get_params(degrees):
        """An angle drawn uniformly from [degrees[0], degrees[1]]."""
        return _uniform(degrees[0], degrees[1])

    def forward(self, img):
        fill = _tensor_fill(self.fill, img)
        angle = self.get_params(self.degrees)
        return F.rotate(img, angle, self.interpolation, self.expand, self.center, fill)

    def __repr__(self):
        s = f"{self.__class__.__name__}(degrees={self.degrees}, interpolation={self.interpolation.value}"
        s += f", expand={self.expand}"
        if self.center is not None:
            s += f", center={self.center}"
        if self.fill is not None:
            s += f", fill={self.fill}"
        return s + ")"


class RandomAffine(nn.Module):
    """Random rotation, translation, scale and shear, keeping the image centre fixed.

    >>> RandomAffine(10, translate=(0.1, 0.1), scale=(0.9, 1.1))(ember.rand(3, 24, 32)).shape
    ember.Size([3, 24, 32])
    """

    def __init__(self, degrees, translate=None, scale=None, shear=None, interpolation=InterpolationMode.NEAREST,
                 fill=0, center=None):
        super().__init__()
        self.interpolation = _interpolation(interpolation)
        self.degrees = _setup_angle(degrees, name="degrees", req_sizes=(2,))
        if translate is not None:
            _check_sequence_input(translate, "translate", req_sizes=(2,))
            for t in translate:
                if not 0.0 <= t <= 1.0:
                    raise ValueError("translation values should be between 0 and 1")
        self.translate = translate
        if scale is not None:
            _check_sequence_input(scale, "scale", req_sizes=(2,))
            for s in scale:
                if s <= 0:
                    raise ValueError("scale values should be positive")
        self.scale = scale
        self.shear = _setup_angle(shear, name="shear", req_sizes=(2, 4)) if shear is not None else None
        self.fill = _check_fill(fill)
        if center is not None:
            _check_sequence_input(center, "center", req_sizes=(2,))
        self.center = center

    @staticmethod
    def get_params(degrees, translate, scale_ranges, shears, img_size):
        """(angle, (tx, ty), scale, (shear_x, shear_y)) drawn from the ranges; ``img_size`` is [w, h]."""
        angle = _uniform(degrees[0], degrees[1])
        if translate is not None:
            max_dx = float(translate[0] * img_size[0])
            max_dy = float(translate[1] * img_size[1])
            translations = (int(round(_uniform(-max_dx, max_dx))), int(round(_uniform(-max_dy, max_dy))))
        else:
            translations = (0, 0)
        scale = _uniform(scale_ranges[0], scale_ranges[1]) if scale_ranges is not None else 1.0
        shear_x = shear_y = 0.0
        if shears is not None:
            shear_x = _uniform(shears[0], shears[1])
            if len(shears) == 4:
                shear_y = _uniform(shears[2], shears[3])
        return angle, translations, scale, (shear_x, shear_y)

    def forward(self, img):
        fill = _tensor_fill(self.fill, img)
        _, height, width = F.get_dimensions(img)
        params = self.get_params(self.degrees, self.translate, self.scale, self.shear, [width, height])
        return F.affine(img, *params, interpolation=self.interpolation, fill=fill, center=self.center)

    def __repr__(self):
        s = f"{self.__class__.__name__}(degrees={self.degrees}"
        s += f", translate={self.translate}" if self.translate is not None else ""
        s += f", scale={self.scale}" if self.scale is not None else ""
        s += f", shear={self.shear}" if self.shear is not None else ""
        s += f", interpolation={self.interpolation.value}" if self.interpolation != InterpolationMode.NEAREST else ""
        s += f", fill={self.fill}" if self.fill != 0 else ""
        s += f", center={self.center}" if self.center is not None else ""
        return s + ")"


# ----------------------------------------------------------------------------- erasing and blur
class RandomErasing(nn.Module):
    """With probability ``p``, erase a random rectangle of a tensor image (Zhong et al., 2017).

    >>> RandomErasing(p=1.0)(ember.ones(3, 24, 32)).sum() < 3 * 24 * 32
    tensor(True)
    """

    def __init__(self, p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0, inplace=False):
        super().__init__()
        if not isinstance(value, (numbers.Number, str, tuple, list)):
            raise TypeError("Argument value should be either a number or str or a sequence")
        if isinstance(value, str) and value != "random":
            raise ValueError("If value is str, it should be 'random'")
        if not isinstance(scale, Sequence):
            raise TypeError("Scale should be a sequence")
        if not isinstance(ratio, Sequence):
            raise TypeError("Ratio should be a sequence")
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            warnings.warn("Scale and ratio should be of kind (min, max)", stacklevel=2)
        if scale[0] < 0 or scale[1] > 1:
            raise ValueError("Scale should be between 0 and 1")
        if p < 0 or p > 1:
            raise ValueError("Random erasing probability should be between 0 and 1")
        self.p = p
        self.scale = scale
        self.ratio = ratio
        self.value = value
        self.inplace = inplace

    @staticmethod
    def get_params(img, scale, ratio, value=None):
        """(i, j, h, w, v) of the rectangle to erase and its value (normal noise when ``value`` is None);
        the whole image, unchanged, when 10 tries find no rectangle that fits."""
        img_c, img_h, img_w = img.shape[-3], img.shape[-2], img.shape[-1]
        area = img_h * img_w
        log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
        for _ in range(10):
            erase_area = area * _uniform(scale[0], scale[1])
            aspect_ratio = math.exp(_uniform(log_ratio[0], log_ratio[1]))
            h = int(round(math.sqrt(erase_area * aspect_ratio)))
            w = int(round(math.sqrt(erase_area / aspect_ratio)))
            if not (h < img_h and w < img_w):
                continue
            if value is None:
                v = ember.empty([img_c, h, w], dtype=ember.float32).normal_()
            else:
                v = ember.tensor(value)[:, None, None]
            return _randint(0, img_h - h + 1), _randint(0, img_w - w + 1), h, w, v
        return 0, 0, img_h, img_w, img

    def forward(self, img):
        if not _coin(self.p):
            return img
        if isinstance(self.value, (int, float)):
            value = [float(self.value)]
        elif isinstance(self.value, str):
            value = None
        else:
            value = [float(v) for v in self.value]
        if value is not None and len(value) not in (1, img.shape[-3]):
            raise ValueError("If value is a sequence, it should have either a single value or "
                             f"{img.shape[-3]} (number of input channels)")
        x, y, h, w, v = self.get_params(img, scale=self.scale, ratio=self.ratio, value=value)
        return F.erase(img, x, y, h, w, v, self.inplace)

    def __repr__(self):
        return (f"{self.__class__.__name__}(p={self.p}, scale={self.scale}, ratio={self.ratio}, "
                f"value={self.value}, inplace={self.inplace})")


class GaussianBlur(nn.Module):
    """Gaussian blur with a sigma drawn uniformly from ``sigma`` (min, max).

    >>> GaussianBlur(3)(ember.rand(3, 8, 8)).shape
    ember.Size([3, 8, 8])
    """

    def __init__(self, kernel_size, sigma=(0.1, 2.0)):
        super().__init__()
        self.kernel_size = _setup_size(kernel_size, "Kernel size should be a tuple/list of two integers")
        for ks in self.kernel_size:
            if ks <= 0 or ks % 2 == 0:
                raise ValueError("Kernel size value should be an odd and positive number.")
        if isinstance(sigma, numbers.Number):
            if sigma <= 0:
                raise ValueError("If sigma is a single number, it must be positive.")
            sigma = (sigma, sigma)
        elif isinstance(sigma, Sequence) and len(sigma) == 2:
            if not 0.0 < sigma[0] <= sigma[1]:
                raise ValueError("sigma values should be positive and of the form (min, max).")
        else:
            raise ValueError("sigma should be a single number or a list/tuple with length 2.")
        self.sigma = sigma

    @staticmethod
    def get_params(sigma_min, sigma_max):
        """A sigma drawn uniformly from [sigma_min, sigma_max]."""
        return _uniform(sigma_min, sigma_max)

    def forward(self, img):
        sigma = self.get_params(self.sigma[0], self.sigma[1])
        return F.gaussian_blur(img, self.kernel_size, [sigma, sigma])

    def __repr__(self):
        return f"{self.__class__.__name__}(kernel_size={self.kernel_size}, sigma={self.sigma})"


class GaussianNoise(nn.Module):
    """Add normal noise N(mean, sigma^2) to float images in [0, 1] (uint8 on the same scale), clipped by default.

    torchvision v2's transform: a fresh draw for every element (so every image of a batch differs).

    >>> GaussianNoise(sigma=0.05)(ember.rand(2, 1, 8, 8)).shape
    ember.Size([2, 1, 8, 8])
    """

    def __init__(self, mean=0.0, sigma=0.1, clip=True):
        super().__init__()
        self.mean = mean
        self.sigma = sigma
        self.clip = clip

    def forward(self, inpt):
        return F.gaussian_noise(inpt, mean=self.mean, sigma=self.sigma, clip=self.clip)

    def __repr__(self):
        return f"{self.__class__.__name__}(mean={self.mean}, sigma={self.sigma}, clip={self.clip})"


# ----------------------------------------------------------------------------- random tone curves
class _RandomOp(nn.Module):
    """Apply ``_apply(img)`` with probability ``p``; ``_setting`` names the attribute holding the op's one
    argument, if it has one, which repr shows before ``p`` (as torchvision's do)."""

    _setting = None

    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, img):
        return self._apply(img) if _coin(self.p) else img

    def __repr__(self):
        if self._setting is None:
            return f"{self.__class__.__name__}(p={self.p})"
        return f"{self.__class__.__name__}({self._setting}={getattr(self, self._setting)},p={self.p})"


class RandomInvert(_RandomOp):
    """Invert the colours with probability ``p``.

    >>> RandomInvert(p=1.0)(ember.zeros(1, 1, 1)).item()
    1.0
    """

    def _apply(self, img):
        return F.invert(img)


class RandomPosterize(_RandomOp):
    """Posterize to ``bits`` bits with probability ``p``.

    >>> RandomPosterize(2, p=1.0)(ember.full((1, 1, 1), 255, dtype=ember.uint8)).item()
    192
    """

    _setting = "bits"

    def __init__(self, bits, p=0.5):
        super().__init__(p)
        self.bits = bits

    def _apply(self, img):
        return F.posterize(img, self.bits)


class RandomSolarize(_RandomOp):
    """Solarize above ``threshold`` with probability ``p``.

    >>> RandomSolarize(0.5, p=1.0)(ember.full((1, 1, 1), 0.75)).item()
    0.25
    """

    _setting = "threshold"

    def __init__(self, threshold, p=0.5):
        super().__init__(p)
        self.threshold = threshold

    def _apply(self, img):
        return F.solarize(img, self.threshold)


class RandomAdjustSharpness(_RandomOp):
    """Adjust the sharpness by ``sharpness_factor`` with probability ``p``.

    >>> RandomAdjustSharpness(2.0, p=1.0)(ember.ones(3, 4, 4)).sum()
    tensor(48.)
    """

    _setting = "sharpness_factor"

    def __init__(self, sharpness_factor, p=0.5):
        super().__init__(p)
        self.sharpness_factor = sharpness_factor

    def _apply(self, img):
        return F.adjust_sharpness(img, self.sharpness_factor)


class RandomAutocontrast(_RandomOp):
    """Autocontrast with probability ``p``.

    >>> RandomAutocontrast(p=1.0)(ember.tensor([[[0.25, 0.5]]]))
    tensor([[[0., 1.]]])
    """

    def _apply(self, img):
        return F.autocontrast(img)


class RandomEqualize(_RandomOp):
    """Histogram-equalise with probability ``p``.

    >>> RandomEqualize(p=0.0)(ember.zeros(1, 2, 2, dtype=ember.uint8)).shape
    ember.Size([1, 2, 2])
    """

    def _apply(self, img):
        return F.equalize(img)


class ElasticTransform(nn.Module):
    """Random elastic displacement: uniform noise smoothed by a Gaussian of ``sigma``, scaled by ``alpha``.

    >>> ElasticTransform(alpha=10.0)(ember.rand(3, 48, 48)).shape
    ember.Size([3, 48, 48])
    """

    def __init__(self, alpha=50.0, sigma=5.0, interpolation=InterpolationMode.BILINEAR, fill=0):
        super().__init__()
        self.alpha = self._pair_of_floats(alpha, "alpha")
        self.sigma = self._pair_of_floats(sigma, "sigma")
        self.interpolation = _interpolation(interpolation)
        if isinstance(fill, (int, float)):
            fill = [float(fill)]
        elif isinstance(fill, (list, tuple)):
            fill = [float(f) for f in fill]
        else:
            raise TypeError(f"fill should be int or float or a list or tuple of them. Got {type(fill)}")
        self.fill = fill

    @staticmethod
    def _pair_of_floats(value, name):
        if not isinstance(value, (float, Sequence)):
            raise TypeError(f"{name} should be float or a sequence of floats. Got {type(value)}")
        if isinstance(value, Sequence) and len(value) != 2:
            raise ValueError(f"If {name} is a sequence its length should be 2. Got {len(value)}")
        if isinstance(value, Sequence):
            for element in value:
                if not isinstance(element, float):
                    raise TypeError(f"{name} should be a sequence of floats. Got {type(element)}")
            return list(value)
        return [float(value), float(value)]

    @staticmethod
    def get_params(alpha, sigma, size):
        """A 1 x H x W x 2 displacement field (normalised units) for an image of ``size`` [h, w]."""
        fields = []
        for axis in range(2):
            d = ember.rand([1, 1] + list(size)) * 2 - 1
            if sigma[axis] > 0.0:
                k = int(8 * sigma[axis] + 1)
                k += 1 - k % 2
                d = F.gaussian_blur(d, [k, k], sigma)
            fields.append(d * alpha[axis] / size[1 - axis])
        return ember.cat(fields, 1).permute([0, 2, 3, 1])

    def forward(self, tensor):
        _, height, width = F.get_dimensions(tensor)
        displacement = self.get_params(self.alpha, self.sigma, [height, width])
        return F.elastic_transform(tensor, displacement, self.interpolation, self.fill)

    def __repr__(self):
        return (f"{self.__class__.__name__}(alpha={self.alpha}, sigma={self.sigma}, "
                f"interpolation={self.interpolation}, fill={self.fill})")
