"""``ember.vision.transforms.functional``: torchvision's functional transforms on tensors and PIL images.

Each function takes an ember tensor image (``(..., C, H, W)``, uint8 or float) or a PIL image and
returns the same kind; tensors go through ``_functional_tensor`` (ember ops, differentiable for
float images), PIL images through ``_functional_pil`` (Pillow, an optional extra).

>>> import ember
>>> from ember.vision.transforms import functional as F
>>> F.hflip(ember.arange(6).reshape(1, 2, 3))
tensor([[[2, 1, 0],
         [5, 4, 3]]])
"""

import math
import numbers
import warnings
from enum import Enum

import numpy as np

import ember

from . import _functional_pil as F_pil
from . import _functional_tensor as F_t

__all__ = [
    "InterpolationMode", "get_dimensions", "get_image_size", "get_image_num_channels", "to_tensor",
    "pil_to_tensor", "convert_image_dtype", "to_pil_image", "normalize", "resize", "pad", "crop",
    "center_crop", "resized_crop", "hflip", "perspective", "vflip", "five_crop", "ten_crop",
    "adjust_brightness", "adjust_contrast", "adjust_saturation", "adjust_hue", "adjust_gamma", "rotate",
    "affine", "to_grayscale", "rgb_to_grayscale", "erase", "gaussian_blur", "invert", "posterize",
    "solarize", "adjust_sharpness", "autocontrast", "equalize", "elastic_transform", "gaussian_noise",
]


class InterpolationMode(Enum):
    """Interpolation methods: tensors support nearest, nearest-exact, bilinear and bicubic; PIL all seven.

    >>> InterpolationMode.BILINEAR.value
    'bilinear'
    """

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


# Pillow's integer resampling constants (Image.NEAREST = 0, LANCZOS = 1, BILINEAR = 2, ...)
_MODES_FROM_PIL = {0: InterpolationMode.NEAREST, 2: InterpolationMode.BILINEAR, 3: InterpolationMode.BICUBIC,
                   4: InterpolationMode.BOX, 5: InterpolationMode.HAMMING, 1: InterpolationMode.LANCZOS}
pil_modes_mapping = {InterpolationMode.NEAREST: 0, InterpolationMode.BILINEAR: 2, InterpolationMode.BICUBIC: 3,
                     InterpolationMode.NEAREST_EXACT: 0, InterpolationMode.BOX: 4, InterpolationMode.HAMMING: 5,
                     InterpolationMode.LANCZOS: 1}

_is_pil_image = F_pil._is_pil_image


def _interpolation_modes_from_int(i):
    """The InterpolationMode of a Pillow resampling constant."""
    return _MODES_FROM_PIL[i]


def _interpolation_arg(interpolation):
    """``interpolation`` as an InterpolationMode (Pillow integers accepted), else torchvision's TypeError."""
    if isinstance(interpolation, int):
        return _interpolation_modes_from_int(interpolation)
    if not isinstance(interpolation, InterpolationMode):
        raise TypeError("Argument interpolation should be a InterpolationMode or a corresponding Pillow integer "
                        "constant")
    return interpolation


def _is_tensor(img):
    return isinstance(img, ember.Tensor)


def _pair(size):
    """A crop size given as a number, [n] or (h, w), as (h, w)."""
    if isinstance(size, numbers.Number):
        return (int(size), int(size))
    if isinstance(size, (tuple, list)) and len(size) == 1:
        return (size[0], size[0])
    return size


# ----------------------------------------------------------------------------- sizes
def get_dimensions(img):
    """``[channels, height, width]`` of an image.

    >>> get_dimensions(ember.zeros(3, 24, 32))
    [3, 24, 32]
    """
    if _is_tensor(img):
        return F_t.get_dimensions(img)
    return F_pil.get_dimensions(img)


def get_image_size(img):
    """``[width, height]`` of an image (note the order, as torchvision's).

    >>> get_image_size(ember.zeros(3, 24, 32))
    [32, 24]
    """
    if _is_tensor(img):
        return F_t.get_image_size(img)
    return F_pil.get_image_size(img)


def get_image_num_channels(img):
    """The number of channels of an image.

    >>> get_image_num_channels(ember.zeros(3, 24, 32))
    3
    """
    if _is_tensor(img):
        return F_t.get_image_num_channels(img)
    return F_pil.get_image_num_channels(img)


# ----------------------------------------------------------------------------- conversions
def _is_numpy_image(img):
    return img.ndim in (2, 3)


def to_tensor(pic):
    """A PIL image or HWC ndarray as a CHW tensor; uint8 data becomes float in [0, 1].

    >>> to_tensor(np.full((2, 2, 3), 255, np.uint8)).amax()
    tensor(1.)
    """
    if not (F_pil._is_pil_image(pic) or isinstance(pic, np.ndarray)):
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    if isinstance(pic, np.ndarray) and not _is_numpy_image(pic):
        raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
    default_float = ember.get_default_dtype()
    if isinstance(pic, np.ndarray):
        array = pic[:, :, None] if pic.ndim == 2 else pic
        img = ember.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1)))
        return img.to(default_float).div(255) if img.dtype == ember.uint8 else img
    array_types = {"I": np.int32, "I;16" if np.little_endian else "I;16B": np.int16, "F": np.float32}
    array = np.array(pic, array_types.get(pic.mode, np.uint8), copy=True)
    if pic.mode == "1":
        array = 255 * array
    array = array.reshape(pic.size[1], pic.size[0], F_pil.get_image_num_channels(pic))
    img = ember.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1)))
    return img.to(default_float).div(255) if img.dtype == ember.uint8 else img


def pil_to_tensor(pic):
    """A PIL image as a CHW tensor of its own dtype (uint8 stays uint8).

    >>> from PIL import Image
    >>> pil_to_tensor(Image.new("RGB", (4, 2))).shape
    ember.Size([3, 2, 4])
    """
    if not F_pil._is_pil_image(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    array = np.array(pic, copy=True)
    array = array.reshape(pic.size[1], pic.size[0], F_pil.get_image_num_channels(pic))
    return ember.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1)))


def convert_image_dtype(image, dtype=ember.float32):
    """Convert an image tensor's dtype, rescaling values (uint8 255 <-> float 1.0).

    >>> convert_image_dtype(ember.tensor([[[255]]], dtype=ember.uint8))
    tensor([[[1.]]])
    """
    if not isinstance(image, ember.Tensor):
        raise TypeError("Input img should be Tensor Image")
    return F_t.convert_image_dtype(image, dtype)


_MODES_BY_DTYPE = {np.dtype(np.uint8): "L", np.dtype(np.int16): "I;16" if np.little_endian else "I;16B",
                   np.dtype(np.int32): "I", np.dtype(np.float32): "F"}
_PERMITTED_MODES = {2: ["LA"], 3: ["RGB", "YCbCr", "HSV"], 4: ["RGBA", "CMYK", "RGBX"]}
_DEFAULT_MODES = {2: "LA", 3: "RGB", 4: "RGBA"}


def to_pil_image(pic, mode=None):
    """A CHW tensor or HWC ndarray as a PIL image; float values are scaled by 255 (unless mode 'F').

    >>> to_pil_image(ember.zeros(3, 2, 4)).size
    (4, 2)
    """
    if isinstance(pic, ember.Tensor):
        if pic.ndim == 3:
            pic = pic.permute((1, 2, 0))
        pic = np.asarray(pic.detach().numpy())
    elif not isinstance(pic, np.ndarray):
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    if pic.ndim == 2:
        pic = np.expand_dims(pic, 2)
    if pic.ndim != 3:
        raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
    if pic.shape[-1] > 4:
        raise ValueError(f"pic should not have > 4 channels. Got {pic.shape[-1]} channels.")
    array = pic
    if np.issubdtype(array.dtype, np.floating) and mode != "F":
        array = (array * 255).astype(np.uint8)
    channels = array.shape[2]
    if channels == 1:
        array = array[:, :, 0]
        expected = _MODES_BY_DTYPE.get(array.dtype)
        if mode is not None and mode != expected:
            raise ValueError(f"Incorrect mode ({mode}) supplied for input type {np.dtype}. Should be {expected}")
        mode = expected
    else:
        permitted = _PERMITTED_MODES[channels]
        if mode is not None and mode not in permitted:
            shape_word = {2: "2D", 3: "3D", 4: "4D"}[channels]
            raise ValueError(f"Only modes {permitted} are supported for {shape_word} inputs")
        if mode is None and array.dtype == np.uint8:
            mode = _DEFAULT_MODES[channels]
    if mode is None:
        raise TypeError(f"Input type {array.dtype} is not supported")
    return F_pil.image_from_array(array, mode)


def normalize(tensor, mean, std, inplace=False):
    """``(tensor - mean) / std`` per channel of a float image tensor.

    >>> normalize(ember.ones(2, 1, 1), [0.5, 0.5], [0.5, 0.25]).flatten()
    tensor([1., 2.])
    """
    if not isinstance(tensor, ember.Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    return F_t.normalize(tensor, mean=mean, std=std, inplace=inplace)


# ----------------------------------------------------------------------------- resizing and cropping
def _compute_resized_output_size(image_size, size, max_size=None):
    """[h, w] of the resized image: ``size`` [s] matches the shorter edge (capped by ``max_size``)."""
    h, w = image_size
    short, long = (w, h) if w <= h else (h, w)
    if len(size) == 2:
        return [size[0], size[1]]
    requested = size if isinstance(size, int) else size[0]
    new_short, new_long = requested, int(requested * long / short)
    if max_size is not None:
        if max_size <= requested:
            raise ValueError(f"max_size = {max_size} must be strictly greater than the requested size for the "
                             f"smaller edge size = {size}")
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    return [new_h, new_w]


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """Resize to ``size`` (h, w), or scale so the shorter edge is ``size`` when it is one number.

    >>> resize(ember.rand(3, 24, 32), 12).shape
    ember.Size([3, 12, 16])
    """
    interpolation = _interpolation_arg(interpolation)
    if isinstance(size, (list, tuple)):
        if len(size) not in (1, 2):
            raise ValueError(f"Size must be an int or a 1 or 2 element tuple/list, not a {len(size)} element "
                             "tuple/list")
        if max_size is not None and len(size) != 1:
            raise ValueError("max_size should only be passed if size specifies the length of the smaller edge, "
                             "i.e. size should be an int or a sequence of length 1 in torchscript mode.")
    _, height, width = get_dimensions(img)
    if isinstance(size, int):
        size = [size]
    output_size = _compute_resized_output_size((height, width), size, max_size)
    if [height, width] == output_size:
        return img
    if not _is_tensor(img):
        if antialias is False:
            warnings.warn("Anti-alias option is always applied for PIL Image input. Argument antialias is ignored.",
                          stacklevel=2)
        return F_pil.resize(img, size=output_size, interpolation=pil_modes_mapping[interpolation])
    return F_t.resize(img, size=output_size, interpolation=interpolation.value, antialias=antialias)


def pad(img, padding, fill=0, padding_mode="constant"):
    """Pad the borders: ``padding`` is n, [lr, tb] or [l, t, r, b]; modes constant, edge, reflect, symmetric.

    >>> pad(ember.ones(1, 2, 2), [1, 0]).shape
    ember.Size([1, 2, 4])
    """
    if not _is_tensor(img):
        return F_pil.pad(img, padding=padding, fill=fill, padding_mode=padding_mode)
    return F_t.pad(img, padding=padding, fill=fill, padding_mode=padding_mode)


def crop(img, top, left, height, width):
    """The window of ``height`` x ``width`` pixels whose top-left corner is (top, left).

    >>> crop(ember.arange(16).reshape(1, 4, 4), 1, 1, 2, 2)
    tensor([[[ 5,  6],
             [ 9, 10]]])
    """
    if not _is_tensor(img):
        return F_pil.crop(img, top, left, height, width)
    return F_t.crop(img, top, left, height, width)


def center_crop(img, output_size):
    """The central ``output_size`` window, zero-padding first when the image is smaller.

    >>> center_crop(ember.arange(16).reshape(1, 4, 4), 2)
    tensor([[[ 5,  6],
             [ 9, 10]]])
    """
    crop_height, crop_width = _pair(output_size)
    _, height, width = get_dimensions(img)
    if crop_width > width or crop_height > height:
        padding_ltrb = [(crop_width - width) // 2 if crop_width > width else 0,
                        (crop_height - height) // 2 if crop_height > height else 0,
                        (crop_width - width + 1) // 2 if crop_width > width else 0,
                        (crop_height - height + 1) // 2 if crop_height > height else 0]
        img = pad(img, padding_ltrb, fill=0)
        _, height, width = get_dimensions(img)
        if crop_width == width and crop_height == height:
            return img
    top = int(round((height - crop_height) / 2.0))
    left = int(round((width - crop_width) / 2.0))
    return crop(img, top, left, crop_height, crop_width)


def resized_crop(img, top, left, height, width, size, interpolation=InterpolationMode.BILINEAR, antialias=True):
    """Crop the window, then resize it to ``size``.

    >>> resized_crop(ember.rand(3, 24, 32), 0, 0, 12, 12, [6, 6]).shape
    ember.Size([3, 6, 6])
    """
    img = crop(img, top, left, height, width)
    return resize(img, size, interpolation, antialias=antialias)


def hflip(img):
    """Mirror left to right.

    >>> hflip(ember.tensor([[[1, 2]]]))
    tensor([[[2, 1]]])
    """
    if not _is_tensor(img):
        return F_pil.hflip(img)
    return F_t.hflip(img)


def vflip(img):
    """Flip upside down.

    >>> vflip(ember.tensor([[[1], [2]]]))
    tensor([[[2],
             [1]]])
    """
    if not _is_tensor(img):
        return F_pil.vflip(img)
    return F_t.vflip(img)


def _get_perspective_coeffs(startpoints, endpoints):
    """PIL's 8 coefficients of the projective map taking ``endpoints`` to ``startpoints`` (least squares)."""
    if len(startpoints) != 4 or len(endpoints) != 4:
        raise ValueError(f"Please provide exactly four corners, got {len(startpoints)} startpoints and "
                         f"{len(endpoints)} endpoints.")
    rows = []
    for (x, y), (u, v) in zip(endpoints, startpoints):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    a = np.array(rows, dtype=np.float64)
    b = np.array(startpoints, dtype=np.float64).reshape(8)
    solution = np.linalg.lstsq(a, b, rcond=None)[0]
    return solution.astype(np.float32).tolist()


def perspective(img, startpoints, endpoints, interpolation=InterpolationMode.BILINEAR, fill=None):
    """Warp so that the four ``startpoints`` corners land on ``endpoints``.

    >>> corners = [[0, 0], [31, 0], [31, 23], [0, 23]]
    >>> perspective(ember.rand(3, 24, 32), corners, corners).shape
    ember.Size([3, 24, 32])
    """
    coeffs = _get_perspective_coeffs(startpoints, endpoints)
    interpolation = _interpolation_arg(interpolation)
    if not _is_tensor(img):
        return F_pil.perspective(img, coeffs, interpolation=pil_modes_mapping[interpolation], fill=fill)
    return F_t.perspective(img, coeffs, interpolation=interpolation.value, fill=fill)


def five_crop(img, size):
    """The four corner crops and the central crop, as a tuple (tl, tr, bl, br, center).

    >>> [c.shape[-1] for c in five_crop(ember.rand(3, 24, 32), 8)]
    [8, 8, 8, 8, 8]
    """
    size = _pair(size)
    if len(size) != 2:
        raise ValueError("Please provide only two dimensions (h, w) for size.")
    _, height, width = get_dimensions(img)
    crop_height, crop_width = size
    if crop_width > width or crop_height > height:
        raise ValueError(f"Requested crop size {size} is bigger than input size {(height, width)}")
    top_left = crop(img, 0, 0, crop_height, crop_width)
    top_right = crop(img, 0, width - crop_width, crop_height, crop_width)
    bottom_left = crop(img, height - crop_height, 0, crop_height, crop_width)
    bottom_right = crop(img, height - crop_height, width - crop_width, crop_height, crop_width)
    center = center_crop(img, [crop_height, crop_width])
    return top_left, top_right, bottom_left, bottom_right, center


def ten_crop(img, size, vertical_flip=False):
    """``five_crop`` of the image and of its mirror image (flipped vertically when ``vertical_flip``).

    >>> len(ten_crop(ember.rand(3, 24, 32), 8))
    10
    """
    size = _pair(size)
    if len(size) != 2:
        raise ValueError("Please provide only two dimensions (h, w) for size.")
    first_five = five_crop(img, size)
    flipped = vflip(img) if vertical_flip else hflip(img)
    return first_five + five_crop(flipped, size)


# ----------------------------------------------------------------------------- colour
def adjust_brightness(img, brightness_factor):
    """Scale the intensities by ``brightness_factor`` (0 black, 1 unchanged).

    >>> adjust_brightness(ember.full((3, 1, 1), 0.25), 2.0).flatten()
    tensor([0.5000, 0.5000, 0.5000])
    """
    if not _is_tensor(img):
        return F_pil.adjust_brightness(img, brightness_factor)
    return F_t.adjust_brightness(img, brightness_factor)


def adjust_contrast(img, contrast_factor):
    """Move the intensities away from (or towards) their mean grey level by ``contrast_factor``.

    >>> adjust_contrast(ember.tensor([[[0.25, 0.75]]]), 2.0)
    tensor([[[0., 1.]]])
    """
    if not _is_tensor(img):
        return F_pil.adjust_contrast(img, contrast_factor)
    return F_t.adjust_contrast(img, contrast_factor)


def adjust_saturation(img, saturation_factor):
    """Blend with the greyscale image: 0 grey, 1 unchanged, 2 doubly saturated.

    >>> adjust_saturation(ember.rand(3, 4, 4), 0.0).std(dim=0).max() < 1e-6
    tensor(True)
    """
    if not _is_tensor(img):
        return F_pil.adjust_saturation(img, saturation_factor)
    return F_t.adjust_saturation(img, saturation_factor)


def adjust_hue(img, hue_factor):
    """Rotate the hue by ``hue_factor`` turns (in [-0.5, 0.5]).

    >>> adjust_hue(ember.tensor([1.0, 0.0, 0.0]).view(3, 1, 1), 1 / 3).flatten()
    tensor([0., 1., 0.])
    """
    if not _is_tensor(img):
        return F_pil.adjust_hue(img, hue_factor)
    return F_t.adjust_hue(img, hue_factor)


def adjust_gamma(img, gamma, gain=1):
    """Gamma correction: ``gain * I ** gamma`` on intensities in [0, 1].

    >>> adjust_gamma(ember.full((3, 1, 1), 0.25), 0.5).flatten()
    tensor([0.5000, 0.5000, 0.5000])
    """
    if not _is_tensor(img):
        return F_pil.adjust_gamma(img, gamma, gain)
    return F_t.adjust_gamma(img, gamma, gain)


# ----------------------------------------------------------------------------- rotation and affine maps
def _get_inverse_affine_matrix(center, angle, translate, scale, shear, inverted=True):
    """The 2x3 matrix (flattened) of T * C * R * S * Shear * C^-1, or its inverse (what sampling needs).

    Angles are in degrees; the rotation-shear part has determinant 1, so its inverse is
    the adjugate divided by the scale.
    """
    rot = math.radians(angle)
    sx, sy = math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    if inverted:
        matrix = [x / scale for x in (d, -b, 0.0, -c, a, 0.0)]
        matrix[2] += matrix[0] * (-cx - tx) + matrix[1] * (-cy - ty)
        matrix[5] += matrix[3] * (-cx - tx) + matrix[4] * (-cy - ty)
        matrix[2] += cx
        matrix[5] += cy
    else:
        matrix = [x * scale for x in (a, b, 0.0, c, d, 0.0)]
        matrix[2] += matrix[0] * (-cx) + matrix[1] * (-cy)
        matrix[5] += matrix[3] * (-cx) + matrix[4] * (-cy)
        matrix[2] += cx + tx
        matrix[5] += cy + ty
    return matrix


def _centre_offset(center, img):
    """A pixel ``center`` as an offset from the image centre (tensor kernels work about the centre)."""
    if center is None:
        return [0.0, 0.0]
    _, height, width = get_dimensions(img)
    return [1.0 * (c - s * 0.5) for c, s in zip(center, [width, height])]


def rotate(img, angle, interpolation=InterpolationMode.NEAREST, expand=False, center=None, fill=None):
    """Rotate counter-clockwise by ``angle`` degrees about ``center`` (the image centre by default).

    >>> rotate(ember.rand(3, 24, 32), 90.0, expand=True).shape
    ember.Size([3, 32, 24])
    """
    interpolation = _interpolation_arg(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError("Argument angle should be int or float")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    if not _is_tensor(img):
        return F_pil.rotate(img, angle=angle, interpolation=pil_modes_mapping[interpolation], expand=expand,
                            center=center, fill=fill)
    # the tensor kernel's y axis points down, so a counter-clockwise turn is a negative angle there
    matrix = _get_inverse_affine_matrix(_centre_offset(center, img), -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
    return F_t.rotate(img, matrix=matrix, interpolation=interpolation.value, expand=expand, fill=fill)


def affine(img, angle, translate, scale, shear, interpolation=InterpolationMode.NEAREST, fill=None, center=None):
    """Rotate (degrees, clockwise), translate (pixels), scale and shear (degrees) about the centre.

    >>> affine(ember.rand(3, 24, 32), 0.0, [2, 0], 1.0, 0.0).shape
    ember.Size([3, 24, 32])
    """
    interpolation = _interpolation_arg(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError("Argument angle should be int or float")
    if not isinstance(translate, (list, tuple)):
        raise TypeError("Argument translate should be a sequence")
    if len(translate) != 2:
        raise ValueError("Argument translate should be a sequence of length 2")
    if scale <= 0.0:
        raise ValueError("Argument scale should be positive")
    if not isinstance(shear, (numbers.Number, list, tuple)):
        raise TypeError("Shear should be either a single value or a sequence of two values")
    angle = float(angle)
    translate = list(translate)
    shear = [shear, 0.0] if isinstance(shear, numbers.Number) else list(shear)
    if len(shear) == 1:
        shear = [shear[0], shear[0]]
    if len(shear) != 2:
        raise ValueError(f"Shear should be a sequence containing two values. Got {shear}")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    _, height, width = get_dimensions(img)
    if not _is_tensor(img):
        pil_center = [width * 0.5, height * 0.5] if center is None else center
        matrix = _get_inverse_affine_matrix(pil_center, angle, translate, scale, shear)
        return F_pil.affine(img, matrix=matrix, interpolation=pil_modes_mapping[interpolation], fill=fill)
    translate_f = [1.0 * t for t in translate]
    matrix = _get_inverse_affine_matrix(_centre_offset(center, img), angle, translate_f, scale, shear)
    return F_t.affine(img, matrix=matrix, interpolation=interpolation.value, fill=fill)


# ----------------------------------------------------------------------------- greyscale, erase, blur
def to_grayscale(img, num_output_channels=1):
    """A PIL image in greyscale, with 1 or 3 identical channels (PIL images only).

    >>> from PIL import Image
    >>> to_grayscale(Image.new("RGB", (4, 2))).mode
    'L'
    """
    if F_pil._is_pil_image(img):
        return F_pil.to_grayscale(img, num_output_channels)
    raise TypeError("Input should be PIL Image")


def rgb_to_grayscale(img, num_output_channels=1):
    """Luma (0.2989 R + 0.587 G + 0.114 B) of an RGB image, on 1 or 3 channels.

    >>> rgb_to_grayscale(ember.ones(3, 2, 2)).shape
    ember.Size([1, 2, 2])
    """
    if not _is_tensor(img):
        return F_pil.to_grayscale(img, num_output_channels)
    return F_t.rgb_to_grayscale(img, num_output_channels)


def erase(img, i, j, h, w, v, inplace=False):
    """Overwrite the window at (i, j) of size (h, w) with the value(s) ``v``.

    >>> erase(ember.ones(1, 3, 3), 1, 1, 1, 1, ember.tensor(0.0)).sum()
    tensor(8.)
    """
    if not _is_tensor(img):
        raise TypeError(f"img should be Tensor Image. Got {type(img)}")
    return F_t.erase(img, i, j, h, w, v, inplace=inplace)


def gaussian_blur(img, kernel_size, sigma=None):
    """Gaussian blur with an odd ``kernel_size`` (x, y) and ``sigma`` (default 0.15 k + 0.35).

    >>> gaussian_blur(ember.ones(3, 8, 8), 3).allclose(ember.ones(3, 8, 8))
    True
    """
    if not isinstance(kernel_size, (int, list, tuple)):
        raise TypeError(f"kernel_size should be int or a sequence of integers. Got {type(kernel_size)}")
    if isinstance(kernel_size, int):
        kernel_size = [kernel_size, kernel_size]
    if len(kernel_size) != 2:
        raise ValueError(f"If kernel_size is a sequence its length should be 2. Got {len(kernel_size)}")
    for k in kernel_size:
        if k % 2 == 0 or k < 0:
            raise ValueError(f"kernel_size should have odd and positive integers. Got {kernel_size}")
    if sigma is None:
        sigma = [k * 0.15 + 0.35 for k in kernel_size]
    if not isinstance(sigma, (int, float, list, tuple)):
        raise TypeError(f"sigma should be either float or sequence of floats. Got {type(sigma)}")
    if isinstance(sigma, (int, float)):
        sigma = [float(sigma), float(sigma)]
    if len(sigma) == 1:
        sigma = [sigma[0], sigma[0]]
    if len(sigma) != 2:
        raise ValueError(f"If sigma is a sequence, its length should be 2. Got {len(sigma)}")
    for s in sigma:
        if s <= 0.0:
            raise ValueError(f"sigma should have positive values. Got {sigma}")
    if _is_tensor(img):
        return F_t.gaussian_blur(img, kernel_size, sigma)
    if not F_pil._is_pil_image(img):
        raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")
    blurred = F_t.gaussian_blur(pil_to_tensor(img), kernel_size, sigma)
    return to_pil_image(blurred, mode=img.mode)


def gaussian_noise(inpt, mean=0.0, sigma=0.1, clip=True):
    """Add normal noise N(mean, sigma^2) to a float image in [0, 1], or on the same scale (times 255) to a uint8 one.

    torchvision v2's ``gaussian_noise``: every element gets its own draw (from ember's generator);
    ``clip`` clamps the result to [0, 1] (or [0, 255]). PIL images are not supported.

    >>> noisy = gaussian_noise(ember.full((1, 4, 4), 0.5), sigma=0.2)
    >>> bool(((noisy >= 0) & (noisy <= 1)).all())
    True
    """
    if F_pil._is_pil_image(inpt):
        raise ValueError("Gaussian Noise is not implemented for PIL images.")
    if not _is_tensor(inpt):
        raise TypeError(f"gaussian_noise() expects a Tensor image, got {type(inpt)}")
    if sigma < 0:
        raise ValueError(f"sigma shouldn't be negative. Got {sigma}")
    if inpt.is_floating_point():
        noisy = inpt + (mean + ember.randn_like(inpt) * sigma)
        return noisy.clamp(0, 1) if clip else noisy
    if inpt.dtype != ember.uint8:
        raise ValueError(f"Input tensor is expected to be in uint8 or float dtype, got dtype={inpt.dtype}")
    noise = (mean * 255 + ember.randn_like(inpt, dtype=ember.float32) * (sigma * 255)).to(ember.int16)
    noisy = inpt + noise            # int16: room below 0 and above 255 before clipping
    if clip:
        noisy = noisy.clamp(0, 255)
    return noisy.to(ember.uint8)


# ----------------------------------------------------------------------------- tone curves
def invert(img):
    """The negative image (max - value).

    >>> invert(ember.tensor([[[0, 255]]], dtype=ember.uint8))
    tensor([[[255,   0]]], dtype=ember.uint8)
    """
    if not _is_tensor(img):
        return F_pil.invert(img)
    return F_t.invert(img)


def posterize(img, bits):
    """Keep the top ``bits`` bits of each uint8 value.

    >>> posterize(ember.tensor([[[255]]], dtype=ember.uint8), 2)
    tensor([[[192]]], dtype=ember.uint8)
    """
    if not 0 <= bits <= 8:
        raise ValueError(f"The number if bits should be between 0 and 8. Got {bits}")
    if not _is_tensor(img):
        return F_pil.posterize(img, bits)
    return F_t.posterize(img, bits)


def solarize(img, threshold):
    """Invert every value at or above ``threshold``.

    >>> solarize(ember.tensor([[[10, 200]]], dtype=ember.uint8), 128)
    tensor([[[10, 55]]], dtype=ember.uint8)
    """
    if not _is_tensor(img):
        return F_pil.solarize(img, threshold)
    return F_t.solarize(img, threshold)


def adjust_sharpness(img, sharpness_factor):
    """Blend with a smoothed copy: 0 blurred, 1 unchanged, 2 sharper.

    >>> adjust_sharpness(ember.ones(3, 4, 4), 2.0).sum()
    tensor(48.)
    """
    if not _is_tensor(img):
        return F_pil.adjust_sharpness(img, sharpness_factor)
    return F_t.adjust_sharpness(img, sharpness_factor)


def autocontrast(img):
    """Stretch each channel's range to the full intensity range.

    >>> autocontrast(ember.tensor([[[0.25, 0.5]]]))
    tensor([[[0., 1.]]])
    """
    if not _is_tensor(img):
        return F_pil.autocontrast(img)
    return F_t.autocontrast(img)


def equalize(img):
    """Histogram-equalise each channel of a uint8 image.

    >>> two_levels = ember.tensor([0, 100], dtype=ember.uint8).repeat_interleave(512).view(1, 32, 32)
    >>> equalize(two_levels).unique()
    tensor([  0, 255], dtype=ember.uint8)
    """
    if not _is_tensor(img):
        return F_pil.equalize(img)
    return F_t.equalize(img)


def elastic_transform(img, displacement, interpolation=InterpolationMode.BILINEAR, fill=None):
    """Move each pixel by ``displacement`` (1 x H x W x 2, in normalised [-1, 1] units).

    >>> elastic_transform(ember.rand(3, 4, 4), ember.zeros(1, 4, 4, 2)).shape
    ember.Size([3, 4, 4])
    """
    if isinstance(interpolation, int):
        warnings.warn("Argument interpolation should be of type InterpolationMode instead of int. Please, use "
                      "InterpolationMode enum.", stacklevel=2)
        interpolation = _interpolation_modes_from_int(interpolation)
    if not isinstance(displacement, ember.Tensor):
        raise TypeError("Argument displacement should be a Tensor")
    t_img = img
    if not _is_tensor(img):
        if not F_pil._is_pil_image(img):
            raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")
        t_img = pil_to_tensor(img)
    shape = (1,) + tuple(t_img.shape[-2:]) + (2,)
    if shape != tuple(displacement.shape):
        raise ValueError(f"Argument displacement shape should be {shape}, but given {displacement.shape}")
    output = F_t.elastic_transform(t_img, displacement, interpolation=interpolation.value, fill=fill)
    if not _is_tensor(img):
        output = to_pil_image(output, mode=img.mode)
    return output
