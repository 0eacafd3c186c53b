"""ember.vision.io: torchvision.io's image functions (PNG without Pillow; JPEG, GIF and WebP with it).

>>> from ember.vision.io import encode_png, decode_png
>>> import ember
>>> decode_png(encode_png(ember.zeros(3, 2, 2, dtype=ember.uint8))).shape
ember.Size([3, 2, 2])
"""

from .image import (
    ImageReadMode,
    decode_image,
    decode_jpeg,
    decode_png,
    encode_jpeg,
    encode_png,
    read_file,
    read_image,
    write_file,
    write_jpeg,
    write_png,
)

__all__ = ["ImageReadMode", "read_file", "write_file", "decode_png", "encode_png", "write_png", "decode_jpeg",
           "encode_jpeg", "write_jpeg", "decode_image", "read_image"]
