"""PIL-image kernels behind ``transforms.functional`` (torchvision's ``_functional_pil``).

Pillow is an optional extra: it is imported inside each function, so importing the
transforms never needs it; a PIL image can only reach these functions when Pillow is installed.
"""

import numbers
import sys

import numpy as np

_PIL_MISSING = 'PIL images need Pillow: pip install "ember[vision]"'


def _pil():
    """The ``PIL.Image`` module, or an ImportError saying how to install it."""
    try:
        from PIL import Image
    except ImportError as error:
        raise ImportError(_PIL_MISSING) from error
    return Image


def _is_pil_image(img):
    """Whether ``img`` is a PIL image (False without importing Pillow when it is not loaded yet)."""
    module = sys.modules.get("PIL.Image")
    return module is not None and isinstance(img, module.Image)


def _check_pil(img):
    if not _is_pil_image(img):
        raise TypeError(f"img should be PIL Image. Got {type(img)}")


def image_from_array(array, mode):
    """``PIL.Image.fromarray(array, mode)`` with the pre-11.3 meaning: the bytes are read as ``mode``."""
    Image = _pil()
    array = np.ascontiguousarray(array)
    size = (array.shape[1], array.shape[0])
    return Image.frombuffer(mode, size, array.tobytes(), "raw", mode, 0, 1)


def get_dimensions(img):
    if _is_pil_image(img):
        width, height = img.size
        return [len(img.getbands()), height, width]
    raise TypeError(f"Unexpected type {type(img)}")


def get_image_size(img):
    if _is_pil_image(img):
        return list(img.size)
    raise TypeError(f"Unexpected type {type(img)}")


def get_image_num_channels(img):
    if _is_pil_image(img):
        return len(img.getbands())
    raise TypeError(f"Unexpected type {type(img)}")


def hflip(img):
    _check_pil(img)
    return img.transpose(_pil().Transpose.FLIP_LEFT_RIGHT)


def vflip(img):
    _check_pil(img)
    return img.transpose(_pil().Transpose.FLIP_TOP_BOTTOM)


def _enhance(img, enhancer_name, factor):
    """Apply one of Pillow's ImageEnhance operations (Brightness, Contrast, Color, Sharpness)."""
    _check_pil(img)
    from PIL import ImageEnhance
    return getattr(ImageEnhance, enhancer_name)(img).enhance(factor)


def adjust_brightness(img, brightness_factor):
    return _enhance(img, "Brightness", brightness_factor)


def adjust_contrast(img, contrast_factor):
    return _enhance(img, "Contrast", contrast_factor)


def adjust_saturation(img, saturation_factor):
    return _enhance(img, "Color", saturation_factor)


def adjust_sharpness(img, sharpness_factor):
    return _enhance(img, "Sharpness", sharpness_factor)


def adjust_hue(img, hue_factor):
    """Shift the hue channel of the HSV image by ``hue_factor * 255`` levels (wrapping around)."""
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    _check_pil(img)
    Image = _pil()
    mode = img.mode
    if mode in {"L", "1", "I", "F"}:
        return img
    h, s, v = img.convert("HSV").split()
    hue = np.array(h, dtype=np.uint8)
    hue += np.int32(hue_factor * 255).astype(np.uint8)           # uint8 arithmetic wraps, as wanted
    return Image.merge("HSV", (image_from_array(hue, "L"), s, v)).convert(mode)


def adjust_gamma(img, gamma, gain=1.0):
    """Gamma correction through a 256-entry lookup table per band."""
    _check_pil(img)
    if gamma < 0:
        raise ValueError("Gamma should be a non-negative real number")
    mode = img.mode
    table = [int((255 + 1 - 1e-3) * gain * pow(level / 255.0, gamma)) for level in range(256)] * 3
    return img.convert("RGB").point(table).convert(mode)


def _parse_padding(padding):
    """[left, top, right, bottom] from torchvision's padding forms."""
    if isinstance(padding, int):
        return [padding] * 4
    if len(padding) == 2:
        return [padding[0], padding[1], padding[0], padding[1]]
    return list(padding)


def pad(img, padding, fill=0, padding_mode="constant"):
    """Pad with a constant colour (ImageOps.expand) or NumPy's edge/reflect/symmetric modes."""
    _check_pil(img)
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if fill is not None and not isinstance(fill, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if isinstance(padding, list):
        padding = tuple(padding)
    if isinstance(padding, tuple) and len(padding) not in (1, 2, 4):
        raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")
    if isinstance(padding, tuple) and len(padding) == 1:
        padding = padding[0]
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    if padding_mode == "constant":
        from PIL import ImageOps
        options = _parse_fill(fill, img, name="fill")
        palette = img.getpalette() if img.mode == "P" else None
        padded = ImageOps.expand(img, border=padding, **options)
        if palette is not None:
            padded.putpalette(palette)
        return padded
    return _pad_numpy(img, _parse_padding(padding), padding_mode)


def _pad_numpy(img, ltrb, padding_mode):
    """Non-constant padding through ``np.pad``; negative amounts crop first."""
    Image = _pil()
    cropping = [max(-p, 0) for p in ltrb]
    if any(cropping):
        left, top, right, bottom = cropping
        img = img.crop((left, top, img.width - right, img.height - bottom))
    left, top, right, bottom = (max(p, 0) for p in ltrb)
    palette = img.getpalette() if img.mode == "P" else None
    array = np.asarray(img)
    widths = [(top, bottom), (left, right)] + [(0, 0)] * (array.ndim - 2)
    padded = Image.fromarray(np.pad(array, widths, mode=padding_mode))
    if palette is not None:
        padded.putpalette(palette)
    return padded


def crop(img, top, left, height, width):
    _check_pil(img)
    return img.crop((left, top, left + width, top + height))


def resize(img, size, interpolation=2):
    """Pillow's resize to ``size`` = [h, w] (Pillow always antialiases when shrinking)."""
    _check_pil(img)
    if not (isinstance(size, list) and len(size) == 2):
        raise TypeError(f"Got inappropriate size arg: {size}")
    return img.resize(tuple(size[::-1]), interpolation)


def _parse_fill(fill, img, name="fillcolor"):
    """The ``fill`` keyword for Pillow: one value per band, integers unless the image is float ('F')."""
    channels = get_image_num_channels(img)
    if fill is None:
        fill = 0
    if isinstance(fill, (int, float)) and channels > 1:
        fill = tuple([fill] * channels)
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = fill * channels
        elif len(fill) != channels:
            raise ValueError("The number of elements in 'fill' does not match the number of channels of the image "
                             f"({len(fill)} != {channels})")
        fill = tuple(fill)
    if img.mode != "F":
        fill = tuple(int(x) for x in fill) if isinstance(fill, tuple) else int(fill)
    return {name: fill}


def affine(img, matrix, interpolation=0, fill=None):
    _check_pil(img)
    Image = _pil()
    return img.transform(img.size, Image.Transform.AFFINE, matrix, interpolation, **_parse_fill(fill, img))


def rotate(img, angle, interpolation=0, expand=False, center=None, fill=None):
    _check_pil(img)
    return img.rotate(angle, interpolation, expand, center, **_parse_fill(fill, img))


def perspective(img, perspective_coeffs, interpolation=3, fill=None):
    _check_pil(img)
    Image = _pil()
    return img.transform(img.size, Image.Transform.PERSPECTIVE, perspective_coeffs, interpolation,
                         **_parse_fill(fill, img))


def to_grayscale(img, num_output_channels):
    """Pillow's 'L' conversion, repeated over three bands when asked for 3 channels."""
    _check_pil(img)
    if num_output_channels == 1:
        return img.convert("L")
    if num_output_channels == 3:
        grey = np.array(img.convert("L"), dtype=np.uint8)
        return image_from_array(np.dstack([grey, grey, grey]), "RGB")
    raise ValueError("num_output_channels should be either 1 or 3")


def _image_ops(img, name, *args):
    _check_pil(img)
    from PIL import ImageOps
    return getattr(ImageOps, name)(img, *args)


def invert(img):
    return _image_ops(img, "invert")


def posterize(img, bits):
    return _image_ops(img, "posterize", bits)


def solarize(img, threshold):
    return _image_ops(img, "solarize", threshold)


def autocontrast(img):
    return _image_ops(img, "autocontrast")


def equalize(img):
    return _image_ops(img, "equalize")
