"""A PNG reader and writer on zlib and NumPy, so ember reads and writes PNG files without Pillow.

The reader handles every PNG the specification allows: bit depths 1, 2, 4, 8 and 16; grey, grey+alpha, RGB, RGBA
and palette images (with or without a tRNS chunk); the five row filters; Adam7 interlacing. Every chunk's CRC is
checked and a damaged or truncated file raises a RuntimeError that says what is wrong.

Filters are undone without a Python loop over pixels. Rows that use only None/Sub/Up are done row by row (Sub is
a cumulative sum along the row, Up an addition); when a row uses Average or Paeth, whose predictor depends on the
byte just reconstructed, the whole pass is undone along anti-diagonals: pixel (y, x) needs only (y, x-1), (y-1, x)
and (y-1, x-1), so one NumPy step reconstructs a pixel of every row at once, H + W steps in all.
"""

import struct
import zlib
from dataclasses import dataclass

import numpy as np

SIGNATURE = b"\x89PNG\r\n\x1a\n"

GRAY, RGB, PALETTE, GRAY_ALPHA, RGBA = 0, 2, 3, 4, 6
CHANNELS = {GRAY: 1, RGB: 3, PALETTE: 1, GRAY_ALPHA: 2, RGBA: 4}
ALLOWED_DEPTHS = {GRAY: (1, 2, 4, 8, 16), RGB: (8, 16), PALETTE: (1, 2, 4, 8), GRAY_ALPHA: (8, 16), RGBA: (8, 16)}

# Adam7 passes: (first row, first column, row step, column step).
ADAM7 = ((0, 0, 8, 8), (0, 4, 8, 8), (4, 0, 8, 4), (0, 2, 4, 4), (2, 0, 4, 2), (0, 1, 2, 2), (1, 0, 2, 1))

NONE, SUB, UP, AVERAGE, PAETH = range(5)


def _fail(message):
    raise RuntimeError(f"decode_png: {message}")


@dataclass
class PngImage:
    """What a PNG file holds: its pixels as stored (H, W, channels; palette indices for palette images)."""

    pixels: np.ndarray
    color_type: int
    bit_depth: int
    palette: np.ndarray = None          # (N, 3) uint8 for palette images
    transparency: bytes = None          # the raw tRNS chunk
    exif: bytes = None                  # the raw eXIf chunk


# ---------------------------------------------------------------- reading


def _read_chunks(data):
    """Yield (type, body) for each chunk after checking lengths and CRCs."""
    if data[:8] != SIGNATURE:
        _fail("Content is not png! (the 8-byte PNG signature is missing)")
    pos = 8
    while True:
        if pos + 8 > len(data):
            _fail(f"the file is truncated: it ends at byte {len(data)} before the IEND chunk")
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        end = pos + 8 + length + 4
        if end > len(data):
            name = kind.decode("latin-1")
            _fail(f"the file is truncated: chunk {name!r} needs {length + 12} bytes, {len(data) - pos} are left")
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[end - 4:end])
        if zlib.crc32(kind + body) != crc:
            _fail(f"CRC error in chunk {kind.decode('latin-1')!r} at byte {pos}: the file is corrupted")
        yield kind, body
        if kind == b"IEND":
            return
        pos = end


def _parse_header(body):
    if len(body) != 13:
        _fail(f"IHDR chunk must be 13 bytes, got {len(body)}")
    width, height, depth, color_type, compression, filter_method, interlace = struct.unpack(">IIBBBBB", body)
    if color_type not in ALLOWED_DEPTHS:
        _fail(f"unknown colour type {color_type} in IHDR")
    if depth not in ALLOWED_DEPTHS[color_type]:
        _fail(f"bit depth {depth} is not allowed for colour type {color_type}")
    if width == 0 or height == 0:
        _fail(f"image size must be positive, got {width}x{height}")
    if compression != 0 or filter_method != 0 or interlace not in (0, 1):
        _fail(f"unsupported compression/filter/interlace method ({compression}, {filter_method}, {interlace})")
    return width, height, depth, color_type, interlace


def decode(data):
    """Parse PNG bytes into a PngImage (pixels as stored, before any colour conversion)."""
    data = bytes(data)
    header = None
    palette = transparency = exif = None
    compressed = []
    for kind, body in _read_chunks(data):
        if kind == b"IHDR":
            header = _parse_header(body)
        elif header is None:
            _fail(f"the first chunk must be IHDR, got {kind.decode('latin-1')!r}")
        elif kind == b"PLTE":
            if len(body) % 3 or not body:
                _fail(f"PLTE chunk length must be a positive multiple of 3, got {len(body)}")
            palette = np.frombuffer(body, np.uint8).reshape(-1, 3)
        elif kind == b"tRNS":
            transparency = body
        elif kind == b"eXIf":
            exif = body
        elif kind == b"IDAT":
            compressed.append(body)
        elif kind == b"IEND":
            break
        elif not kind[0] & 0x20:        # upper-case first letter: a critical chunk we would have to understand
            _fail(f"unknown critical chunk {kind.decode('latin-1')!r}")
    width, height, depth, color_type, interlace = header
    if color_type == PALETTE and palette is None:
        _fail("palette image without a PLTE chunk")
    if not compressed:
        _fail("no IDAT chunk: the file holds no image data")
    try:
        raw = zlib.decompress(b"".join(compressed))
    except zlib.error as exc:
        _fail(f"the compressed image data is corrupted ({exc})")
    pixels = _unfilter_image(raw, width, height, depth, CHANNELS[color_type], interlace)
    return PngImage(pixels, color_type, depth, palette, transparency, exif)


def _row_bytes(width, depth, channels):
    return (width * depth * channels + 7) // 8


def _unfilter_image(raw, width, height, depth, channels, interlace):
    """Undo filtering (and interlacing) and return samples as (H, W, channels) uint8 or uint16."""
    if not interlace:
        samples, used = _unfilter_pass(raw, 0, width, height, depth, channels)
        _check_length(raw, used)
        return samples
    dtype = np.uint16 if depth == 16 else np.uint8
    image = np.zeros((height, width, channels), dtype)
    offset = 0
    for row0, col0, row_step, col_step in ADAM7:
        pass_width = max(0, (width - col0 + col_step - 1) // col_step)
        pass_height = max(0, (height - row0 + row_step - 1) // row_step)
        if pass_width == 0 or pass_height == 0:
            continue
        samples, offset = _unfilter_pass(raw, offset, pass_width, pass_height, depth, channels)
        image[row0::row_step, col0::col_step] = samples
    _check_length(raw, offset)
    return image


def _check_length(raw, used):
    if used > len(raw):
        _fail(f"the image data is truncated: {used} bytes expected after decompression, got {len(raw)}")


def _unfilter_pass(raw, offset, width, height, depth, channels):
    """Unfilter one (sub)image starting at ``raw[offset]``; return its samples and the offset after it."""
    stride = _row_bytes(width, depth, channels)
    end = offset + height * (stride + 1)
    if end > len(raw):
        _fail(f"the image data is truncated: {end} bytes expected after decompression, got {len(raw)}")
    rows = np.frombuffer(raw, np.uint8, height * (stride + 1), offset).reshape(height, stride + 1)
    filters = rows[:, 0]
    if filters.max() > PAETH:
        _fail(f"unknown filter type {int(filters.max())} in row {int(np.argmax(filters > PAETH))}")
    unit = max(1, depth * channels // 8)             # bytes per complete pixel, the filters' "bpp"
    data = rows[:, 1:].reshape(height, stride // unit, unit)
    if np.any((filters == AVERAGE) | (filters == PAETH)):
        recon = _unfilter_diagonals(data, filters)
    else:
        recon = _unfilter_rows(data, filters)
    return _unpack_samples(recon.reshape(height, stride), width, depth, channels), end


def _unfilter_rows(data, filters):
    """None/Sub/Up rows: each a whole-row NumPy operation."""
    recon = np.empty_like(data)
    previous = np.zeros_like(data[0])
    for y, kind in enumerate(filters):
        row = data[y]
        if kind == SUB:
            row = np.cumsum(row, axis=0, dtype=np.uint8)
        elif kind == UP:
            row = row + previous
        recon[y] = row
        previous = recon[y]
    return recon


def _unfilter_diagonals(data, filters):
    """Any mix of the five filters, one anti-diagonal of pixels per step (all rows advance together).

    Pixel x of row Y (rows counted from 1) is stored at ``skew[x + Y, Y]``; row 0 and never-written cells stay
    zero, which is exactly the zero the filters assume left of and above the image. Then a pixel's left
    neighbour is ``skew[k - 1, Y]``, the one above ``skew[k - 1, Y - 1]`` and the upper-left one
    ``skew[k - 2, Y - 1]``, all on earlier diagonals, and each diagonal is a contiguous slice.
    """
    height, units, unit = data.shape
    skew = np.zeros((units + height + 1, height + 1, unit), np.int16)
    filtered = np.zeros_like(skew)
    row_index = np.arange(1, height + 1)[:, None]
    diagonal_index = np.arange(units)[None, :] + row_index
    filtered[diagonal_index, row_index] = data
    masks = {kind: (filters == kind)[:, None] for kind in (SUB, UP, AVERAGE, PAETH)}
    present = {kind: bool(mask.any()) for kind, mask in masks.items()}
    for k in range(1, units + height):
        first, last = max(1, k - units + 1), min(height, k)
        left = skew[k - 1, first:last + 1]
        above = skew[k - 1, first - 1:last]
        corner = skew[k - 2, first - 1:last] if k >= 2 else np.zeros_like(left)
        rows = slice(first - 1, last)
        prediction = np.zeros_like(left)                  # rows filtered with None predict zero
        if present[PAETH]:
            prediction = np.where(masks[PAETH][rows], _paeth(left, above, corner), prediction)
        if present[AVERAGE]:
            prediction = np.where(masks[AVERAGE][rows], (left + above) >> 1, prediction)
        if present[UP]:
            prediction = np.where(masks[UP][rows], above, prediction)
        if present[SUB]:
            prediction = np.where(masks[SUB][rows], left, prediction)
        np.bitwise_and(filtered[k, first:last + 1] + prediction, 0xFF, out=skew[k, first:last + 1])
    return skew[diagonal_index, row_index].astype(np.uint8)


def _paeth(left, above, corner):
    """The Paeth predictor: whichever of left, above, upper-left is closest to left + above - upper-left."""
    distance_left = np.abs(above - corner)
    distance_above = np.abs(left - corner)
    distance_corner = np.abs(left + above - 2 * corner)
    return np.where((distance_left <= distance_above) & (distance_left <= distance_corner), left,
                    np.where(distance_above <= distance_corner, above, corner))


def _unpack_samples(recon, width, depth, channels):
    """Bytes of unfiltered rows -> (H, W, channels) samples (uint16 for 16-bit, uint8 otherwise)."""
    height = recon.shape[0]
    if depth == 16:
        return recon.view(">u2").astype(np.uint16).reshape(height, width, channels)
    if depth == 8:
        return recon.reshape(height, width, channels)
    shifts = np.arange(8 - depth, -1, -depth, dtype=np.uint8)        # most significant sample first
    samples = (recon[:, :, None] >> shifts) & ((1 << depth) - 1)
    return samples.reshape(height, -1)[:, :width * channels].reshape(height, width, channels)


# ---------------------------------------------------------------- colour conversion


def expand(image):
    """Samples -> colour values: palette looked up, low bit depths scaled to 8 bits, tRNS turned into alpha.

    Returns (H, W, C) uint8/uint16 with C = 1 (grey), 2 (grey+alpha), 3 (RGB) or 4 (RGBA).
    """
    pixels, kind, depth, trns = image.pixels, image.color_type, image.bit_depth, image.transparency
    if kind == PALETTE:
        indices = pixels[:, :, 0]
        if indices.max(initial=0) >= len(image.palette):
            _fail(f"palette index {int(indices.max())} is out of range for a palette of {len(image.palette)}")
        colours = image.palette[indices]
        if trns is None:
            return colours
        alpha_table = np.full(len(image.palette), 255, np.uint8)
        alpha_values = np.frombuffer(trns, np.uint8)[:len(image.palette)]
        alpha_table[:len(alpha_values)] = alpha_values
        return np.concatenate([colours, alpha_table[indices][:, :, None]], axis=2)
    if depth < 8:
        scaled = (pixels * (255 // ((1 << depth) - 1))).astype(np.uint8)
        key = _transparent_key(trns, 1, depth)
        return scaled if key is None else _key_to_alpha(scaled, pixels, key, np.uint8)
    if kind in (GRAY, RGB):
        key = _transparent_key(trns, CHANNELS[kind], depth)
        if key is not None:
            return _key_to_alpha(pixels, pixels, key, pixels.dtype)
    return pixels


def _transparent_key(trns, channels, depth):
    if trns is None or len(trns) < 2 * channels:
        return None
    key = np.frombuffer(trns[:2 * channels], ">u2").astype(np.uint32)
    return key & ((1 << depth) - 1)


def _key_to_alpha(values, samples, key, dtype):
    opaque = np.iinfo(dtype).max
    matches = np.all(samples == key.astype(samples.dtype), axis=2, keepdims=True)
    alpha = np.where(matches, 0, opaque).astype(dtype)
    return np.concatenate([values, alpha], axis=2)


# ---------------------------------------------------------------- writing


def encode(pixels, compression_level=6, bit_depth=None, palette=None, transparency=None, interlace=False,
           filter_type=None):
    """Write samples (H, W, C) as PNG bytes.

    C picks the colour type (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA); with ``palette`` ((N, 3) uint8) the samples
    are palette indices. ``bit_depth`` defaults to the dtype's (8 or 16); 1/2/4 pack grey or palette samples.
    ``filter_type`` forces one filter for every row; by default each row gets the filter that leaves the
    smallest sum of absolute byte differences (libpng's heuristic), chosen for all rows at once.
    """
    pixels = np.asarray(pixels)
    height, width, channels = pixels.shape
    color_type = PALETTE if palette is not None else {1: GRAY, 2: GRAY_ALPHA, 3: RGB, 4: RGBA}[channels]
    depth = bit_depth or (16 if pixels.dtype == np.uint16 else 8)
    if depth not in ALLOWED_DEPTHS[color_type]:
        raise ValueError(f"bit depth {depth} is not allowed for colour type {color_type}")
    chunks = [(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, int(interlace)))]
    if palette is not None:
        chunks.append((b"PLTE", np.asarray(palette, np.uint8).tobytes()))
    if transparency is not None:
        chunks.append((b"tRNS", bytes(transparency)))
    if interlace:
        parts = [_filter_pass(pixels[r0::rs, c0::cs], depth, filter_type) for r0, c0, rs, cs in ADAM7
                 if r0 < height and c0 < width]
        raw = b"".join(parts)
    else:
        raw = _filter_pass(pixels, depth, filter_type)
    chunks.append((b"IDAT", zlib.compress(raw, compression_level)))
    chunks.append((b"IEND", b""))
    return SIGNATURE + b"".join(_chunk(kind, body) for kind, body in chunks)


def _chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _pack_rows(pixels, depth):
    """(H, W, C) samples -> (H, stride) bytes of the packed rows."""
    height = pixels.shape[0]
    if depth == 16:
        return pixels.astype(">u2").view(np.uint8).reshape(height, -1)
    flat = pixels.reshape(height, -1).astype(np.uint8)
    if depth == 8:
        return flat
    per_byte = 8 // depth
    padded = np.zeros((height, -(-flat.shape[1] // per_byte) * per_byte), np.uint8)
    padded[:, :flat.shape[1]] = flat & ((1 << depth) - 1)
    shifts = np.arange(8 - depth, -1, -depth, dtype=np.uint8)
    return np.bitwise_or.reduce(padded.reshape(height, -1, per_byte) << shifts, axis=2).astype(np.uint8)


def _filter_pass(pixels, depth, filter_type):
    rows = _pack_rows(pixels, depth).astype(np.int16)
    unit = max(1, depth * pixels.shape[2] // 8)
    left = np.zeros_like(rows)
    left[:, unit:] = rows[:, :-unit]
    above = np.zeros_like(rows)
    above[1:] = rows[:-1]
    corner = np.zeros_like(rows)
    corner[1:, unit:] = rows[:-1, :-unit]
    estimate = left + above - corner
    da, db, dc = np.abs(estimate - left), np.abs(estimate - above), np.abs(estimate - corner)
    paeth = np.where((da <= db) & (da <= dc), left, np.where(db <= dc, above, corner))
    candidates = np.stack([rows, rows - left, rows - above, rows - ((left + above) >> 1), rows - paeth]) & 0xFF
    if filter_type is None:
        signed = np.where(candidates > 127, 256 - candidates, candidates)
        choice = np.argmin(signed.sum(axis=2), axis=0)
    else:
        choice = np.full(rows.shape[0], filter_type)
    chosen = candidates[choice, np.arange(rows.shape[0])].astype(np.uint8)
    return np.concatenate([choice.astype(np.uint8)[:, None], chosen], axis=1).tobytes()
