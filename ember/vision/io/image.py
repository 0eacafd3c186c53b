"""Reading and writing images as uint8 tensors of shape (C, H, W), as torchvision.io does.

PNG goes through ember's own codec (``_png.py``, zlib + NumPy), so it needs nothing beyond NumPy. JPEG, GIF and
WebP go through Pillow, an optional extra (``pip install "ember[vision]"``) imported only when needed.

Where ember differs from torchvision 0.29 on purpose (its output there is garbage or a crash):
16-bit PNGs decode to int32 tensors (values 0..65535) while ember has no uint16 dtype; palette PNGs read with
``GRAY_ALPHA``/``RGB_ALPHA`` get alpha 255 where there is no tRNS chunk; 1/2/4-bit palette PNGs read ``UNCHANGED``
give palette indices (as 8-bit ones do); 1/2/4-bit grey PNGs read with an alpha mode get alpha 255; a corrupt
compressed stream raises RuntimeError instead of crashing.
"""

import enum
import io
import os

import numpy as np

import ember

from ..._files import atomic_write
from . import _png

__all__ = ["ImageReadMode", "read_file", "write_file", "decode_png", "encode_png", "write_png", "decode_jpeg",
           "encode_jpeg", "write_jpeg", "decode_image", "read_image"]


class ImageReadMode(enum.Enum):
    """Which channels a decoder returns: as stored, grey, grey+alpha, RGB or RGB+alpha."""

    UNCHANGED = 0
    GRAY = 1
    GRAY_ALPHA = 2
    RGB = 3
    RGB_ALPHA = 4


_MODE_CHANNELS = {ImageReadMode.GRAY: 1, ImageReadMode.GRAY_ALPHA: 2, ImageReadMode.RGB: 3, ImageReadMode.RGB_ALPHA: 4}

# libpng's fixed-point weights for torchvision's (0.2989, 0.587, 0.114) grey conversion (they sum to 2**15).
_GRAY_WEIGHTS = (9794, 19235, 3739)


# ---------------------------------------------------------------- helpers


def _pillow(function):
    try:
        import PIL.Image
    except ImportError:
        raise ImportError(f'{function} needs Pillow: pip install "ember[vision]"') from None
    return PIL.Image


def _parse_mode(mode):
    if isinstance(mode, str):
        try:
            return ImageReadMode[mode.upper()]
        except KeyError:
            raise ValueError(f"mode must be one of {[m.name for m in ImageReadMode]}, got {mode!r}") from None
    if not isinstance(mode, ImageReadMode):
        raise TypeError(f"mode must be an ImageReadMode or a string, got {type(mode).__name__}")
    return mode


def _encoded_bytes(input, function):
    """The bytes held by a 1-D uint8 tensor (torchvision's checks and messages)."""
    if not ember.is_tensor(input):
        raise TypeError(f"{function}: input must be a Tensor, got {type(input).__name__}")
    if input.dtype != ember.uint8:
        raise RuntimeError(f"{function}: Input tensor must have uint8 data type, got {input.dtype}")
    if input.dim() != 1 or input.numel() == 0:
        raise RuntimeError(f"{function}: Input tensor must be 1-dimensional and non-empty, got {input.dim()} dims "
                           f"and {input.numel()} numels.")
    return np.ascontiguousarray(input.detach().numpy()).tobytes()


def _image_array(input, function, channels):
    """The (C, H, W) uint8 array of an image tensor to encode, checked as torchvision checks it."""
    if not ember.is_tensor(input):
        raise TypeError(f"{function}: input must be a Tensor, got {type(input).__name__}")
    if input.dtype != ember.uint8:
        raise RuntimeError(f"{function}: Input tensor dtype should be uint8, got {input.dtype}")
    if input.dim() != 3:
        raise RuntimeError(f"{function}: Input data should be a 3-dimensional tensor, got {input.dim()} dims")
    if input.shape[0] not in channels:
        raise RuntimeError(f"{function}: The number of channels should be 1 or 3, got: {input.shape[0]}")
    return input.detach().numpy()


def _to_tensor(hwc):
    """(H, W, C) array -> (C, H, W) ember tensor; 16-bit data becomes uint16 if ember has it, else int32."""
    chw = np.ascontiguousarray(hwc.transpose(2, 0, 1))
    if chw.dtype == np.uint16:
        chw = chw if hasattr(ember, "uint16") else chw.astype(np.int32)
    return ember.from_numpy(chw)


def _write_atomically(filename, data):
    """Write bytes through a temporary file in the same directory, then rename it over ``filename``."""
    atomic_write(filename, lambda stream: stream.write(data))


# ---------------------------------------------------------------- files


def read_file(path):
    """The bytes of a file as a 1-D uint8 tensor, ready for the ``decode_*`` functions.

    >>> import os, tempfile; p = os.path.join(tempfile.mkdtemp(), "b.bin"); _ = open(p, "wb").write(b"abc")
    >>> read_file(p).tolist()
    [97, 98, 99]
    """
    try:
        with open(os.fspath(path), "rb") as file:
            data = file.read()
    except OSError as exc:
        raise RuntimeError(f"read_file: {exc}") from None
    return ember.from_numpy(np.frombuffer(data, np.uint8).copy())


def write_file(filename, data):
    """Write a 1-D uint8 tensor's bytes to ``filename`` (atomically: a partly written file never appears).

    >>> import os, tempfile; p = os.path.join(tempfile.mkdtemp(), "b.bin")
    >>> write_file(p, ember.tensor([97, 98], dtype=ember.uint8)); open(p, "rb").read()
    b'ab'
    """
    if not ember.is_tensor(data):
        raise TypeError(f"write_file: data must be a Tensor, got {type(data).__name__}")
    if data.dtype != ember.uint8:
        raise RuntimeError(f"write_file: Input tensor dtype should be uint8, got {data.dtype}")
    if data.dim() != 1:
        raise RuntimeError(f"write_file: Input data should be a 1-dimensional tensor, got {data.dim()} dims")
    _write_atomically(filename, np.ascontiguousarray(data.detach().numpy()).tobytes())


# ---------------------------------------------------------------- PNG


def decode_png(input, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False):
    """Decode PNG bytes (a 1-D uint8 tensor) into a (C, H, W) tensor, without Pillow.

    8-bit images give uint8; 16-bit ones keep their 16-bit values. Palette images read ``UNCHANGED`` give the
    palette indices (as torchvision does), with any other mode the colours.

    >>> png = encode_png(ember.zeros(3, 2, 4, dtype=ember.uint8))
    >>> decode_png(png, ImageReadMode.GRAY).shape
    ember.Size([1, 2, 4])
    """
    mode = _parse_mode(mode)
    image = _png.decode(_encoded_bytes(input, "decode_png"))
    pixels = _convert_png(image, mode)
    if apply_exif_orientation:
        pixels = _apply_orientation(pixels, _exif_orientation(image.exif))
    return _to_tensor(pixels)


def _convert_png(image, mode):
    """Turn a decoded PNG into the channels ``mode`` asks for, as torchvision's libpng settings do."""
    if mode is ImageReadMode.UNCHANGED:
        if image.color_type == _png.PALETTE:
            return image.pixels
        return _png.expand(_png.PngImage(image.pixels, image.color_type, image.bit_depth))
    if image.color_type == _png.PALETTE:
        values = _png.expand(image)
    else:   # torchvision ignores tRNS chunks of grey and RGB images
        values = _png.expand(_png.PngImage(image.pixels, image.color_type, image.bit_depth))
    return _convert_channels(values, _MODE_CHANNELS[mode])


def _convert_channels(values, channels):
    """(H, W, C) with C in 1..4 -> (H, W, channels): grey from RGB by libpng's weights, opaque alpha added."""
    has_alpha = values.shape[2] in (2, 4)
    colour = values[:, :, :-1] if has_alpha else values
    opaque = np.iinfo(values.dtype).max
    if channels in (1, 2) and colour.shape[2] == 3:
        colour = _rgb_to_gray(colour)
    elif channels in (3, 4) and colour.shape[2] == 1:
        colour = np.repeat(colour, 3, axis=2)
    if channels in (1, 3):
        return colour
    alpha = values[:, :, -1:] if has_alpha else np.full(colour.shape[:2] + (1,), opaque, values.dtype)
    return np.concatenate([colour, alpha], axis=2)


def _rgb_to_gray(rgb):
    wide = rgb.astype(np.int64)
    red, green, blue = wide[:, :, 0], wide[:, :, 1], wide[:, :, 2]
    weighted = _GRAY_WEIGHTS[0] * red + _GRAY_WEIGHTS[1] * green + _GRAY_WEIGHTS[2] * blue
    if rgb.dtype == np.uint16:
        weighted = weighted + (1 << 14)
    gray = np.where((red == green) & (red == blue), red, weighted >> 15)
    return gray.astype(rgb.dtype)[:, :, None]


def encode_png(input, compression_level=6):
    """Encode a (C, H, W) uint8 tensor (C = 1 or 3) as PNG bytes in a 1-D uint8 tensor.

    >>> png = encode_png(ember.zeros(1, 4, 4, dtype=ember.uint8), compression_level=9)
    >>> png[:4].tolist()
    [137, 80, 78, 71]
    """
    if not isinstance(compression_level, int) or not 0 <= compression_level <= 9:
        raise RuntimeError(f"encode_png: Compression level should be between 0 and 9, got {compression_level}")
    pixels = _image_array(input, "encode_png", (1, 3))
    data = _png.encode(pixels.transpose(1, 2, 0), compression_level)
    return ember.from_numpy(np.frombuffer(data, np.uint8).copy())


def write_png(input, filename, compression_level=6):
    """Encode a (C, H, W) uint8 tensor as PNG and write it to ``filename`` atomically.

    >>> import os, tempfile; p = os.path.join(tempfile.mkdtemp(), "a.png")
    >>> write_png(ember.zeros(3, 2, 2, dtype=ember.uint8), p); read_image(p).shape
    ember.Size([3, 2, 2])
    """
    write_file(filename, encode_png(input, compression_level))


# ---------------------------------------------------------------- JPEG (Pillow)


def decode_jpeg(input, mode=ImageReadMode.UNCHANGED, device="cpu", apply_exif_orientation=False):
    """Decode JPEG bytes (a 1-D uint8 tensor, or a list of them) into (C, H, W) uint8 tensors, through Pillow.

    >>> jpeg = encode_jpeg(ember.full((3, 8, 8), 128, dtype=ember.uint8))
    >>> decode_jpeg(jpeg, ImageReadMode.GRAY).shape
    ember.Size([1, 8, 8])
    """
    if str(device) != "cpu":
        raise RuntimeError(f"decode_jpeg: ember decodes JPEG on the CPU only, got device={device!r}")
    mode = _parse_mode(mode)
    if isinstance(input, (list, tuple)):
        if not input:
            raise ValueError("Input list must contain at least one element")
        return [decode_jpeg(item, mode, device, apply_exif_orientation) for item in input]
    data = _encoded_bytes(input, "decode_jpeg")
    if data[:2] != b"\xff\xd8":
        raise RuntimeError(f"decode_jpeg: Not a JPEG file: starts with 0x{data[0]:02x} 0x{data[1:2].hex() or '00'}")
    if mode in (ImageReadMode.GRAY_ALPHA, ImageReadMode.RGB_ALPHA):
        raise RuntimeError(f"decode_jpeg: The provided mode is not supported for JPEG files, got {mode}")
    return _to_tensor(_decode_with_pillow(data, mode, apply_exif_orientation, "decode_jpeg"))


def _decode_with_pillow(data, mode, apply_exif_orientation, function):
    """Pillow decodes; returns (H, W, C). Grey JPEGs come from libjpeg's own luma output, as torchvision's."""
    Image = _pillow(function)
    try:
        picture = Image.open(io.BytesIO(data))
        if mode is ImageReadMode.GRAY and picture.format == "JPEG":
            picture.draft("L", picture.size)
        orientation = picture.getexif().get(0x0112, 1) if apply_exif_orientation else 1
        picture.load()
    except (OSError, SyntaxError, ValueError) as exc:
        raise RuntimeError(f"{function}: the image data is corrupted or not supported ({exc})") from None
    target = {ImageReadMode.UNCHANGED: None, ImageReadMode.GRAY: "L", ImageReadMode.GRAY_ALPHA: "LA",
              ImageReadMode.RGB: "RGB", ImageReadMode.RGB_ALPHA: "RGBA"}[mode]
    if target is None:
        target = picture.mode if picture.mode in ("L", "LA", "RGB", "RGBA") else \
            ("RGBA" if "A" in picture.mode or "transparency" in picture.info else "RGB")
    pixels = np.asarray(picture.convert(target) if picture.mode != target else picture)
    pixels = pixels.reshape(pixels.shape[0], pixels.shape[1], -1)
    return _apply_orientation(pixels, orientation)


def encode_jpeg(input, quality=75):
    """Encode a (C, H, W) uint8 tensor (C = 1 or 3), or a list of them, as JPEG bytes, through Pillow.

    >>> encode_jpeg(ember.zeros(3, 8, 8, dtype=ember.uint8), quality=90)[:2].tolist()
    [255, 216]
    """
    if not isinstance(quality, int) or not 1 <= quality <= 100:
        raise ValueError("Image quality should be a positive number between 1 and 100")
    if isinstance(input, (list, tuple)):
        if not input:
            raise ValueError("encode_jpeg requires at least one input tensor when a list is passed")
        return [encode_jpeg(item, quality) for item in input]
    pixels = _image_array(input, "encode_jpeg", (1, 3))
    Image = _pillow("encode_jpeg")
    picture = Image.fromarray(np.ascontiguousarray(pixels[0] if pixels.shape[0] == 1 else pixels.transpose(1, 2, 0)))
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=quality)
    return ember.from_numpy(np.frombuffer(buffer.getvalue(), np.uint8).copy())


def write_jpeg(input, filename, quality=75):
    """Encode a (C, H, W) uint8 tensor as JPEG and write it to ``filename`` atomically.

    >>> import os, tempfile; p = os.path.join(tempfile.mkdtemp(), "a.jpg")
    >>> write_jpeg(ember.zeros(3, 8, 8, dtype=ember.uint8), p); read_image(p).shape
    ember.Size([3, 8, 8])
    """
    write_file(filename, encode_jpeg(input, quality))


# ---------------------------------------------------------------- any format


def decode_image(input, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False):
    """Decode PNG, JPEG, GIF or WebP bytes (or a file path) into a (C, H, W) tensor, detecting the format.

    >>> decode_image(encode_png(ember.zeros(1, 3, 5, dtype=ember.uint8)), mode="RGB").shape
    ember.Size([3, 3, 5])
    """
    if not ember.is_tensor(input):
        input = read_file(input)
    mode = _parse_mode(mode)
    if input.dim() != 1 or input.numel() == 0:
        raise RuntimeError("decode_image: Expected a non empty 1-dimensional tensor")
    if input.dtype != ember.uint8:
        raise RuntimeError(f"decode_image: Expected a torch.uint8 tensor, got {input.dtype}")
    head = np.asarray(input[:12].numpy()).tobytes()
    if head.startswith(_png.SIGNATURE):
        return decode_png(input, mode, apply_exif_orientation)
    if head.startswith(b"\xff\xd8\xff"):
        return decode_jpeg(input, mode, apply_exif_orientation=apply_exif_orientation)
    if head[:6] in (b"GIF87a", b"GIF89a") or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        data = _encoded_bytes(input, "decode_image")
        return _to_tensor(_decode_with_pillow(data, mode, apply_exif_orientation, "decode_image"))
    raise RuntimeError("decode_image: Unsupported image file. Only jpeg, png, webp and gif are currently supported.")


def read_image(path, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False):
    """Read a PNG, JPEG, GIF or WebP file into a (C, H, W) tensor (uint8 for 8-bit images).

    >>> import os, tempfile; p = os.path.join(tempfile.mkdtemp(), "a.png")
    >>> write_png(ember.zeros(1, 2, 3, dtype=ember.uint8), p); read_image(p, ImageReadMode.RGB).shape
    ember.Size([3, 2, 3])
    """
    return decode_image(read_file(path), mode, apply_exif_orientation)


# ---------------------------------------------------------------- EXIF orientation


def _exif_orientation(exif):
    """The orientation tag (1..8) of a raw EXIF/TIFF block, 1 when absent or unreadable."""
    if not exif:
        return 1
    if exif.startswith(b"Exif\x00\x00"):
        exif = exif[6:]
    order = {b"II": "<", b"MM": ">"}.get(exif[:2])
    if order is None or len(exif) < 8:
        return 1
    first = int.from_bytes(exif[4:8], "little" if order == "<" else "big")
    if first + 2 > len(exif):
        return 1
    count = int.from_bytes(exif[first:first + 2], "little" if order == "<" else "big")
    entries = np.frombuffer(exif, np.dtype([("tag", order + "u2"), ("type", order + "u2"), ("count", order + "u4"),
                                            ("value", order + "u2"), ("pad", order + "u2")]),
                            min(count, (len(exif) - first - 2) // 12), first + 2)
    found = entries["value"][entries["tag"] == 0x0112]
    return int(found[0]) if len(found) and 1 <= found[0] <= 8 else 1


def _apply_orientation(hwc, orientation):
    """Turn an (H, W, C) array upright for an EXIF orientation value."""
    transforms = {
        2: lambda a: a[:, ::-1],
        3: lambda a: a[::-1, ::-1],
        4: lambda a: a[::-1],
        5: lambda a: a.transpose(1, 0, 2),
        6: lambda a: np.rot90(a, -1),
        7: lambda a: a.transpose(1, 0, 2)[::-1, ::-1],
        8: lambda a: np.rot90(a, 1),
    }
    return transforms[orientation](hwc) if orientation in transforms else hwc
