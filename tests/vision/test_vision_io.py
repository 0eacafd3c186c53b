"""ember.vision.io: the PNG codec against Pillow and torchvision's goldens, JPEG through Pillow, files, errors.

Goldens come from scripts/golden/io_utils.py (torchvision 0.29.1); see that script to regenerate them.
"""

import glob
import importlib.util
import io
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from ember.vision.io import (
    ImageReadMode,
    _png,
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
from ember.vision.io import image as image_module

Image = pytest.importorskip("PIL.Image")

GOLDEN = Path(__file__).parent / "golden" / "io_utils"
SIXTEEN_BIT = np.uint16 if hasattr(ember, "uint16") else np.int32


def as_tensor(data):
    return ember.from_numpy(np.frombuffer(bytes(data), np.uint8).copy())


def pillow_bytes(picture, **options):
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", **options)
    return buffer.getvalue()


def random_image(rng, channels, height, width, dtype=np.uint8):
    return rng.integers(0, np.iinfo(dtype).max + 1, (height, width, channels)).astype(dtype)


# ---------------------------------------------------------------- codec round trips


@pytest.mark.parametrize("channels", [1, 2, 3, 4])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
@pytest.mark.parametrize("interlace", [False, True])
@pytest.mark.parametrize("filter_type", [None, 0, 1, 2, 3, 4])
def test_codec_round_trip_every_colour_type(channels, dtype, interlace, filter_type):
    rng = np.random.default_rng(channels * 100 + interlace * 10 + (filter_type or 7))
    pixels = random_image(rng, channels, 11, 13, dtype)
    data = _png.encode(pixels, interlace=interlace, filter_type=filter_type)
    decoded = _png.decode(data)
    assert decoded.pixels.dtype == dtype
    np.testing.assert_array_equal(decoded.pixels, pixels)
    from_pillow = np.asarray(Image.open(io.BytesIO(data)))
    if dtype == np.uint8:               # Pillow reads our file identically
        np.testing.assert_array_equal(from_pillow.reshape(pixels.shape), pixels)
    elif channels == 1:
        np.testing.assert_array_equal(from_pillow.astype(np.uint16)[:, :, None], pixels)


@pytest.mark.parametrize("depth", [1, 2, 4, 8])
@pytest.mark.parametrize("interlace", [False, True])
def test_codec_low_bit_depths_gray_and_palette(depth, interlace):
    rng = np.random.default_rng(depth)
    levels = 1 << depth
    samples = rng.integers(0, levels, (9, 11, 1)).astype(np.uint8)
    gray = _png.decode(_png.encode(samples, bit_depth=depth, interlace=interlace))
    np.testing.assert_array_equal(gray.pixels, samples)
    np.testing.assert_array_equal(_png.expand(gray), samples * (255 // (levels - 1)))

    palette = rng.integers(0, 256, (levels, 3)).astype(np.uint8)
    transparency = bytes(rng.integers(0, 256, max(1, levels // 2)).astype(np.uint8))
    for trns in (None, transparency):
        data = _png.encode(samples, bit_depth=depth, palette=palette, transparency=trns, interlace=interlace)
        decoded = _png.decode(data)
        np.testing.assert_array_equal(decoded.pixels, samples)
        expected = np.asarray(Image.open(io.BytesIO(data)).convert("RGBA" if trns else "RGB"))
        np.testing.assert_array_equal(_png.expand(decoded), expected)


def test_diagonal_unfilter_matches_row_unfilter():
    rng = np.random.default_rng(5)
    data = rng.integers(0, 256, (17, 10, 3)).astype(np.uint8)
    filters = rng.integers(0, 3, 17).astype(np.uint8)          # None/Sub/Up: both paths apply
    np.testing.assert_array_equal(_png._unfilter_diagonals(data, filters), _png._unfilter_rows(data, filters))


@settings(max_examples=25, deadline=None)
@given(channels=st.sampled_from([1, 3]), height=st.integers(1, 12), width=st.integers(1, 12),
       level=st.integers(0, 9), seed=st.integers(0, 2 ** 16))
def test_encode_decode_png_round_trip(channels, height, width, level, seed):
    pixels = np.random.default_rng(seed).integers(0, 256, (channels, height, width)).astype(np.uint8)
    png = encode_png(ember.from_numpy(pixels), compression_level=level)
    assert png.dtype == ember.uint8 and png.dim() == 1
    np.testing.assert_array_equal(decode_png(png).numpy(), pixels)
    from_pillow = np.asarray(Image.open(io.BytesIO(png.numpy().tobytes())))
    np.testing.assert_array_equal(from_pillow.reshape(height, width, channels).transpose(2, 0, 1), pixels)


def test_encode_png_accepts_noncontiguous_input():
    pixels = np.random.default_rng(1).integers(0, 256, (3, 6, 5)).astype(np.uint8)
    tensor = ember.from_numpy(np.ascontiguousarray(pixels.transpose(0, 2, 1))).transpose(1, 2)
    np.testing.assert_array_equal(decode_png(encode_png(tensor)).numpy(), pixels)


# ---------------------------------------------------------------- files from Pillow and real photos


@pytest.mark.parametrize("mode", ["1", "L", "LA", "RGB", "RGBA", "P", "I;16"])
@pytest.mark.parametrize("options", [{}, {"optimize": True}, {"interlace": 1}])
def test_decode_png_written_by_pillow(mode, options):
    rng = np.random.default_rng(3)
    base = Image.fromarray(rng.integers(0, 256, (15, 19, 4)).astype(np.uint8), "RGBA")
    if mode == "P":
        picture = base.convert("RGB").quantize(7)
    elif mode == "I;16":
        picture = Image.fromarray(rng.integers(0, 65536, (15, 19)).astype(np.uint16))
    else:
        picture = base.convert(mode)
    data = pillow_bytes(picture, **options)
    if mode == "P":
        expected = np.asarray(picture)[None]                   # UNCHANGED keeps the palette indices
        np.testing.assert_array_equal(decode_png(as_tensor(data)).numpy(), expected)
        rgb = np.asarray(picture.convert("RGB")).transpose(2, 0, 1)
        np.testing.assert_array_equal(decode_png(as_tensor(data), ImageReadMode.RGB).numpy(), rgb)
        return
    decoded = decode_png(as_tensor(data)).numpy()
    expected = np.asarray(picture)
    if mode == "1":
        expected = expected.astype(np.uint8) * 255
    expected = expected.reshape(expected.shape[0], expected.shape[1], -1).transpose(2, 0, 1)
    assert decoded.dtype == (SIXTEEN_BIT if mode == "I;16" else np.uint8)
    np.testing.assert_array_equal(decoded, expected)


def test_decode_pillow_palette_with_transparency():
    rng = np.random.default_rng(4)
    picture = Image.fromarray(rng.integers(0, 5, (8, 9)).astype(np.uint8), "P")
    picture.putpalette(list(rng.integers(0, 256, 15)))
    picture.info["transparency"] = bytes([0, 90, 255, 30])
    data = pillow_bytes(picture, transparency=bytes([0, 90, 255, 30]))
    expected = np.asarray(Image.open(io.BytesIO(data)).convert("RGBA")).transpose(2, 0, 1)
    np.testing.assert_array_equal(decode_png(as_tensor(data), ImageReadMode.RGB_ALPHA).numpy(), expected)


def scikit_image_pngs():
    spec = importlib.util.find_spec("skimage")
    if spec is None:
        return []
    return sorted(glob.glob(os.path.join(os.path.dirname(spec.origin), "data", "*.png")))


@pytest.mark.parametrize("path", scikit_image_pngs(), ids=os.path.basename)
def test_real_photos_match_pillow(path):
    decoded = read_image(path).numpy()
    picture = Image.open(path)
    if picture.mode.startswith("I;16") or picture.mode == "I":
        expected = np.asarray(picture).astype(np.int64)
    elif _png.decode(open(path, "rb").read()).bit_depth == 16:   # 16-bit colour: Pillow keeps only 8 bits
        np.testing.assert_array_equal(decoded >> 8, np.asarray(picture).transpose(2, 0, 1))
        return
    else:
        expected = np.asarray(picture.convert(picture.mode))
        if picture.mode == "1":
            expected = expected.astype(np.uint8) * 255
    expected = expected.reshape(expected.shape[0], expected.shape[1], -1).transpose(2, 0, 1)
    np.testing.assert_array_equal(decoded, expected)


# ---------------------------------------------------------------- torchvision goldens


# Where torchvision 0.29 returns garbage (libpng misconfigured), ember returns the correct values instead.
DIVERGES = {
    ("gray1", "GRAY_ALPHA"), ("gray1", "RGB_ALPHA"), ("gray2", "GRAY_ALPHA"), ("gray2", "RGB_ALPHA"),
    ("gray4", "GRAY_ALPHA"), ("gray4", "RGB_ALPHA"),                 # alpha 1/3/15 instead of 255
    ("pal8", "GRAY_ALPHA"), ("pal8", "RGB_ALPHA"), ("pal2", "GRAY_ALPHA"), ("pal2", "RGB_ALPHA"),  # scrambled
    ("pal2", "UNCHANGED"), ("pal4_trns", "UNCHANGED"),              # packed bytes instead of indices
}


def png_golden_cases():
    golden = np.load(GOLDEN / "png.npz")
    names = sorted({key.split("/")[0] for key in golden.files})
    return [(name, mode.name) for name in names for mode in ImageReadMode]


@pytest.fixture(scope="module")
def png_golden():
    return np.load(GOLDEN / "png.npz")


@pytest.mark.parametrize("name, mode", png_golden_cases())
def test_decode_png_matches_torchvision(png_golden, name, mode):
    data = as_tensor(png_golden[f"{name}/file"])
    decoded = decode_png(data, ImageReadMode[mode]).numpy()
    expected = png_golden[f"{name}/{mode}"]
    assert decoded.shape == expected.shape
    sixteen = str(png_golden[f"{name}/{mode}/dtype"]) == "torch.uint16"
    assert decoded.dtype == (SIXTEEN_BIT if sixteen else np.uint8)
    if (name, mode) in DIVERGES:
        check_divergent_case(png_golden, name, mode, decoded)
    elif sixteen and mode in ("GRAY", "GRAY_ALPHA") and name.startswith("rgb"):
        # libpng's 16-bit grey conversion goes through its gamma tables: a level or two of difference
        np.testing.assert_allclose(decoded.astype(np.int64), expected, atol=3)
        np.testing.assert_array_equal(decoded[1:], expected[1:])
    else:
        np.testing.assert_array_equal(decoded.astype(np.int64), expected)


def check_divergent_case(golden, name, mode, decoded):
    """Where torchvision is wrong, check ember against Pillow and the unaffected torchvision modes."""
    picture = Image.open(io.BytesIO(golden[f"{name}/file"].tobytes()))
    if mode == "UNCHANGED":
        np.testing.assert_array_equal(decoded[0], np.asarray(picture))
        return
    colour = golden[f"{name}/{'GRAY' if mode == 'GRAY_ALPHA' else 'RGB'}"]
    np.testing.assert_array_equal(decoded[:-1], colour)
    if "transparency" not in picture.info:
        assert (decoded[-1] == 255).all()


@pytest.fixture(scope="module")
def jpeg_golden():
    return np.load(GOLDEN / "jpeg.npz")


@pytest.mark.parametrize("name", ["rgb", "gray"])
@pytest.mark.parametrize("mode", ["UNCHANGED", "GRAY", "RGB"])
def test_decode_jpeg_matches_torchvision(jpeg_golden, name, mode):
    decoded = decode_jpeg(as_tensor(jpeg_golden[f"{name}/file"]), mode=mode).numpy()
    expected = jpeg_golden[f"{name}/{mode}"]
    assert decoded.shape == expected.shape and decoded.dtype == np.uint8
    np.testing.assert_allclose(decoded.astype(np.int64), expected, atol=3)   # libjpeg builds may differ a little


# ---------------------------------------------------------------- JPEG


def smooth_image(channels=3, height=32, width=40):
    yy, xx = np.mgrid[0:height, 0:width]
    planes = [xx * 5 + yy, yy * 6, (xx + yy) * 3][:channels]
    return np.clip(np.stack(planes), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("quality", [50, 95])
def test_jpeg_round_trip(channels, quality):
    pixels = smooth_image(channels)
    jpeg = encode_jpeg(ember.from_numpy(pixels), quality=quality)
    assert jpeg[:2].tolist() == [255, 216]
    decoded = decode_jpeg(jpeg).numpy()
    assert decoded.shape == pixels.shape
    error = np.abs(decoded.astype(int) - pixels).mean()
    assert error < (3 if quality == 95 else 6)


def test_jpeg_lists_and_modes():
    pixels = [ember.from_numpy(smooth_image(3)), ember.from_numpy(smooth_image(1, 8, 8))]
    encoded = encode_jpeg(pixels)
    assert isinstance(encoded, list) and len(encoded) == 2
    decoded = decode_jpeg(encoded, mode=ImageReadMode.RGB)
    assert [tuple(d.shape) for d in decoded] == [(3, 32, 40), (3, 8, 8)]
    assert decode_jpeg(encoded[0], mode="gray").shape == (1, 32, 40)


def test_write_and_read_jpeg(tmp_path):
    path = tmp_path / "photo.jpg"
    write_jpeg(ember.from_numpy(smooth_image()), str(path), quality=90)
    assert read_image(str(path)).shape == (3, 32, 40)
    assert np.abs(read_image(path, ImageReadMode.GRAY).numpy().astype(int)
                  - np.asarray(Image.open(path).convert("L"))).max() <= 2


# ---------------------------------------------------------------- decode_image, files, EXIF


def test_decode_image_detects_formats(tmp_path):
    pixels = smooth_image(3, 6, 7)
    png = encode_png(ember.from_numpy(pixels))
    np.testing.assert_array_equal(decode_image(png).numpy(), pixels)
    assert decode_image(encode_jpeg(ember.from_numpy(pixels))).shape == (3, 6, 7)
    gif = io.BytesIO()
    Image.fromarray(pixels[0]).save(gif, format="GIF")
    assert decode_image(as_tensor(gif.getvalue()), mode="RGB").shape == (3, 6, 7)
    path = tmp_path / "a.png"
    write_png(ember.from_numpy(pixels), str(path))
    np.testing.assert_array_equal(decode_image(str(path), ImageReadMode.GRAY).numpy(),
                                  decode_png(png, ImageReadMode.GRAY).numpy())


def test_read_and_write_file_atomically(tmp_path, monkeypatch):
    path = tmp_path / "bytes.bin"
    write_file(str(path), ember.tensor([1, 2, 3], dtype=ember.uint8))
    assert read_file(str(path)).tolist() == [1, 2, 3]

    def broken_replace(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(image_module.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_png(ember.zeros(1, 2, 2, dtype=ember.uint8), str(path))
    assert path.read_bytes() == b"\x01\x02\x03"                     # the old file survives untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bytes.bin"]  # and no temporary file is left


def with_exif_chunk(png_bytes, orientation):
    tiff = b"MM\x00*" + struct.pack(">I", 8) + struct.pack(">H", 1) + struct.pack(">HHIHH", 0x0112, 3, 1,
                                                                                  orientation, 0) + struct.pack(">I", 0)
    chunk = struct.pack(">I", len(tiff)) + b"eXIf" + tiff + struct.pack(">I", zlib.crc32(b"eXIf" + tiff))
    return png_bytes[:33] + chunk + png_bytes[33:]                   # right after IHDR


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_matches_pillow(orientation):
    ImageOps = pytest.importorskip("PIL.ImageOps")
    pixels = np.random.default_rng(orientation).integers(0, 256, (5, 7, 3)).astype(np.uint8)
    data = with_exif_chunk(_png.encode(pixels), orientation)
    upright = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))))
    decoded = decode_png(as_tensor(data), apply_exif_orientation=True).numpy().transpose(1, 2, 0)
    np.testing.assert_array_equal(decoded, upright)
    np.testing.assert_array_equal(decode_png(as_tensor(data)).numpy().transpose(1, 2, 0), pixels)

    exif = Image.Exif()
    exif[0x0112] = orientation
    jpeg = io.BytesIO()
    Image.fromarray(pixels).save(jpeg, format="JPEG", exif=exif, quality=95)
    upright = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(jpeg.getvalue()))))
    assert decode_jpeg(as_tensor(jpeg.getvalue()), apply_exif_orientation=True).shape == \
        (3,) + upright.shape[:2]


# ---------------------------------------------------------------- errors


def valid_png():
    return _png.encode(np.arange(48, dtype=np.uint8).reshape(4, 4, 3))


def corrupt(data, index):
    damaged = bytearray(data)
    damaged[index] ^= 0x01
    return bytes(damaged)


@pytest.mark.parametrize("data, message", [
    (b"\x00" * 20, "not png"),
    (valid_png()[:30], "truncated"),
    (valid_png()[:-5], "truncated"),
    (corrupt(valid_png(), 20), "CRC error in chunk 'IHDR'"),
    (corrupt(valid_png(), 45), "CRC error in chunk 'IDAT'"),
])
def test_corrupt_png_raises_clear_errors(data, message):
    with pytest.raises(RuntimeError, match=message):
        decode_png(as_tensor(data))


def rebuild(chunks):
    return _png.SIGNATURE + b"".join(_png._chunk(kind, body) for kind, body in chunks)


def test_bad_png_contents_raise():
    header = (b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0))
    end = (b"IEND", b"")
    cases = {
        "corrupted": [header, (b"IDAT", b"not zlib data"), end],
        "truncated": [header, (b"IDAT", zlib.compress(b"\x00\x01")), end],
        "unknown filter type 7": [header, (b"IDAT", zlib.compress(b"\x07\x00\x00\x00\x00\x00")), end],
        "no IDAT": [header, end],
        "bit depth 3": [(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 3, 0, 0, 0, 0)), end],
        "without a PLTE": [(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 3, 0, 0, 0)), end],
        "unknown critical chunk": [header, (b"ABCD", b""), end],
    }
    for message, chunks in cases.items():
        with pytest.raises(RuntimeError, match=message):
            decode_png(as_tensor(rebuild(chunks)))


def test_bad_arguments_raise_torchvision_errors():
    image = ember.zeros(3, 4, 4, dtype=ember.uint8)
    cases = [
        (lambda: decode_png(ember.zeros(10)), RuntimeError, "uint8"),
        (lambda: decode_png(ember.zeros(2, 5, dtype=ember.uint8)), RuntimeError, "1-dimensional"),
        (lambda: decode_png(encode_png(image), mode=7), TypeError, "ImageReadMode"),
        (lambda: decode_png(encode_png(image), mode="cmyk"), ValueError, "mode"),
        (lambda: encode_png(image, compression_level=10), RuntimeError, "between 0 and 9"),
        (lambda: encode_png(image.float()), RuntimeError, "uint8"),
        (lambda: encode_png(image[0]), RuntimeError, "3-dimensional"),
        (lambda: encode_png(ember.zeros(4, 4, 4, dtype=ember.uint8)), RuntimeError, "1 or 3"),
        (lambda: encode_jpeg(image, quality=0), ValueError, "between 1 and 100"),
        (lambda: encode_jpeg(ember.zeros(2, 4, 4, dtype=ember.uint8)), RuntimeError, "1 or 3"),
        (lambda: encode_jpeg([]), ValueError, "at least one"),
        (lambda: decode_jpeg([]), ValueError, "at least one"),
        (lambda: decode_jpeg(encode_png(image)), RuntimeError, "Not a JPEG"),
        (lambda: decode_jpeg(encode_jpeg(image), ImageReadMode.RGB_ALPHA), RuntimeError, "not supported"),
        (lambda: decode_jpeg(encode_jpeg(image), device="cuda"), RuntimeError, "CPU"),
        (lambda: decode_image(ember.zeros(10, dtype=ember.uint8)), RuntimeError, "Unsupported image"),
        (lambda: decode_image(ember.zeros(0, dtype=ember.uint8)), RuntimeError, "non empty"),
        (lambda: read_file("/nonexistent/file.png"), RuntimeError, "No such file"),
        (lambda: write_file("x.bin", ember.zeros(3)), RuntimeError, "uint8"),
        (lambda: write_file("x.bin", ember.zeros(2, 2, dtype=ember.uint8)), RuntimeError, "1-dimensional"),
    ]
    for call, kind, message in cases:
        with pytest.raises(kind, match=message):
            call()


def test_corrupt_jpeg_raises_runtime_error():
    jpeg = encode_jpeg(ember.from_numpy(smooth_image())).numpy()
    with pytest.raises(RuntimeError, match="corrupted"):
        decode_jpeg(ember.from_numpy(jpeg[:40].copy()))


# ---------------------------------------------------------------- optional Pillow


def test_importing_io_does_not_import_pillow():
    code = "import sys, ember.vision.io, ember.vision.utils; print('PIL' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).parents[2])
    assert result.stdout.strip() == "False"


def test_png_works_without_pillow_and_jpeg_names_the_extra(monkeypatch):
    for name in [n for n in sys.modules if n == "PIL" or n.startswith("PIL.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "PIL", None)
    pixels = smooth_image(3, 5, 6)
    np.testing.assert_array_equal(decode_image(encode_png(ember.from_numpy(pixels))).numpy(), pixels)
    with pytest.raises(ImportError, match=r'pip install "ember\[vision\]"'):
        encode_jpeg(ember.from_numpy(pixels))
