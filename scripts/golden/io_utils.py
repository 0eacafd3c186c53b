"""Goldens for ember.vision.io and ember.vision.utils, computed by torchvision 0.29.1.

Rerun (from the repository root) with the venv that has torchvision:

    /work/tvenv/bin/python scripts/golden/io_utils.py

It writes tests/vision/golden/io_utils/{png.npz, jpeg.npz, utils.npz, rotated_boxes.npz}. Everything is
deterministic: inputs come from NumPy generators with fixed seeds and are stored beside the outputs. A file whose
arrays are unchanged is left as it is (so a rerun leaves git clean). PNG test files are written by the small
independent encoder below (filter type None, zlib), so the goldens do not depend on ember's codec.
"""

import io
import struct
import warnings
import zlib
from pathlib import Path

import numpy as np
import torch
import torchvision
from torchvision.io import ImageReadMode, decode_jpeg, decode_png, encode_jpeg
from torchvision.utils import draw_bounding_boxes, draw_keypoints, draw_segmentation_masks, flow_to_image, make_grid

OUT = Path(__file__).resolve().parents[2] / "tests" / "vision" / "golden" / "io_utils"
MODES = {"UNCHANGED": ImageReadMode.UNCHANGED, "GRAY": ImageReadMode.GRAY, "GRAY_ALPHA": ImageReadMode.GRAY_ALPHA,
         "RGB": ImageReadMode.RGB, "RGB_ALPHA": ImageReadMode.RGB_ALPHA}


def png_bytes(samples, color_type, depth, palette=None, trns=None):
    """A minimal PNG writer: rows packed big-endian, each with filter byte 0."""
    height, width = samples.shape[:2]
    flat = samples.reshape(height, -1)
    if depth == 16:
        rows = flat.astype(">u2").view(np.uint8).reshape(height, -1)
    elif depth == 8:
        rows = flat.astype(np.uint8)
    else:
        per = 8 // depth
        padded = np.zeros((height, -(-flat.shape[1] // per) * per), np.uint8)
        padded[:, :flat.shape[1]] = flat
        rows = np.zeros((height, padded.shape[1] // per), np.uint8)
        for k in range(per):
            rows |= (padded[:, k::per] << (8 - depth * (k + 1))).astype(np.uint8)
    raw = np.concatenate([np.zeros((height, 1), np.uint8), rows], axis=1).tobytes()

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    parts = [chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, 0))]
    if palette is not None:
        parts.append(chunk(b"PLTE", palette.astype(np.uint8).tobytes()))
    if trns is not None:
        parts.append(chunk(b"tRNS", trns))
    parts += [chunk(b"IDAT", zlib.compress(raw)), chunk(b"IEND", b"")]
    return b"\x89PNG\r\n\x1a\n" + b"".join(parts)


def png_cases(rng):
    h, w = 5, 7
    palette = rng.integers(0, 256, (6, 3))
    cases = {
        "gray8": (rng.integers(0, 256, (h, w, 1)), 0, 8, None, None),
        "gray16": (rng.integers(0, 65536, (h, w, 1)), 0, 16, None, None),
        "gray1": (rng.integers(0, 2, (h, w, 1)), 0, 1, None, None),
        "gray2": (rng.integers(0, 4, (h, w, 1)), 0, 2, None, None),
        "gray4": (rng.integers(0, 16, (h, w, 1)), 0, 4, None, None),
        "gray8_trns": (rng.integers(0, 4, (h, w, 1)), 0, 8, None, struct.pack(">H", 2)),
        "ga8": (rng.integers(0, 256, (h, w, 2)), 4, 8, None, None),
        "ga16": (rng.integers(0, 65536, (h, w, 2)), 4, 16, None, None),
        "rgb8": (rng.integers(0, 256, (h, w, 3)), 2, 8, None, None),
        "rgb16": (rng.integers(0, 65536, (h, w, 3)), 2, 16, None, None),
        "rgb8_trns": (rng.integers(0, 2, (h, w, 3)), 2, 8, None, struct.pack(">HHH", 1, 0, 1)),
        "rgba8": (rng.integers(0, 256, (h, w, 4)), 6, 8, None, None),
        "rgba16": (rng.integers(0, 65536, (h, w, 4)), 6, 16, None, None),
        "pal8": (rng.integers(0, 6, (h, w, 1)), 3, 8, palette, None),
        "pal8_trns": (rng.integers(0, 6, (h, w, 1)), 3, 8, palette, bytes([0, 128, 255])),
        "pal2": (rng.integers(0, 4, (h, w, 1)), 3, 2, palette, None),
        "pal4_trns": (rng.integers(0, 6, (h, w, 1)), 3, 4, palette, bytes([10, 20])),
    }
    out = {}
    for name, (samples, color_type, depth, pal, trns) in cases.items():
        data = png_bytes(samples, color_type, depth, pal, trns)
        out[f"{name}/file"] = np.frombuffer(data, np.uint8)
        tensor = torch.frombuffer(bytearray(data), dtype=torch.uint8)
        for mode_name, mode in MODES.items():
            decoded = decode_png(tensor, mode)
            out[f"{name}/{mode_name}"] = decoded.numpy().astype(np.int32)
            out[f"{name}/{mode_name}/dtype"] = np.array(str(decoded.dtype))
    return out


def jpeg_cases(rng):
    yy, xx = np.mgrid[0:24, 0:32]
    smooth = np.stack([xx * 7, yy * 10, (xx + yy) * 4]) + rng.integers(0, 20, (3, 24, 32))
    image = torch.from_numpy(np.clip(smooth, 0, 255).astype(np.uint8))
    out = {"rgb/image": image.numpy()}
    for name, source in (("rgb", image), ("gray", image[:1])):
        data = encode_jpeg(source, quality=90)
        out[f"{name}/file"] = data.numpy()
        for mode_name in ("UNCHANGED", "GRAY", "RGB"):
            out[f"{name}/{mode_name}"] = decode_jpeg(data, MODES[mode_name]).numpy()
    return out


def utils_cases(rng):
    out = {}
    batch = torch.from_numpy(rng.standard_normal((5, 3, 6, 7)).astype(np.float32))
    gray = torch.from_numpy(rng.standard_normal((3, 1, 6, 7)).astype(np.float32))
    out["grid/input_batch"] = batch.numpy()
    out["grid/input_gray"] = gray.numpy()
    grids = {
        "default": make_grid(batch),
        "nrow2_pad1": make_grid(batch, nrow=2, padding=1, pad_value=0.5),
        "normalize": make_grid(batch, nrow=3, normalize=True),
        "value_range": make_grid(batch, normalize=True, value_range=(-1, 1)),
        "scale_each": make_grid(batch, normalize=True, scale_each=True, padding=0),
        "gray": make_grid(gray, nrow=2),
        "single": make_grid(batch[0]),
        "single_gray2d": make_grid(gray[0, 0]),
        "list": make_grid(list(batch[:3]), nrow=5, padding=3),
    }
    out.update({f"grid/{k}": v.numpy() for k, v in grids.items()})

    image = torch.from_numpy(rng.integers(0, 256, (3, 24, 32)).astype(np.uint8))
    out["boxes/input_image"] = image.numpy()
    boxes = torch.tensor([[1, 2, 10, 12], [5.7, 3.2, 30.9, 20.5], [0, 0, 31, 23], [12, 14, 12, 18]])
    out["boxes/input_boxes"] = boxes.numpy()
    drawn = {
        "default": draw_bounding_boxes(image, boxes),
        "colors_width": draw_bounding_boxes(image, boxes, colors=["red", (0, 255, 0), "#0000ff", "yellow"], width=2),
        "fill": draw_bounding_boxes(image, boxes, colors="blue", fill=True, width=1),
        "float": draw_bounding_boxes(image.float() / 255, boxes[:2], colors=(200, 10, 10)),
        "gray": draw_bounding_boxes(image[:1], boxes[:2], colors=[(250, 0, 0), (0, 100, 0)], width=3),
        "labels": draw_bounding_boxes(image, boxes[:2], labels=["cat", "dog"], colors="white"),
    }
    out.update({f"boxes/{k}": v.numpy() for k, v in drawn.items()})

    masks = torch.from_numpy(rng.random((3, 24, 32)) > 0.6)
    out["masks/input_masks"] = masks.numpy()
    painted = {
        "default": draw_segmentation_masks(image, masks),
        "alpha_colors": draw_segmentation_masks(image, masks, alpha=0.3, colors=["red", (0, 255, 0), "#123456"]),
        "single": draw_segmentation_masks(image, masks[0], alpha=0.5, colors="green"),
        "float": draw_segmentation_masks(image.float() / 255, masks, alpha=0.6),
    }
    out.update({f"masks/{k}": v.numpy() for k, v in painted.items()})

    keypoints = torch.tensor([[[3.0, 4.0], [20.0, 10.0], [28.0, 20.0]], [[10.0, 18.0], [15.5, 2.2], [1.0, 22.0]]])
    visibility = torch.tensor([[True, True, False], [True, True, True]])
    out["keypoints/input_keypoints"] = keypoints.numpy()
    out["keypoints/input_visibility"] = visibility.numpy()
    dotted = {
        "default": draw_keypoints(image, keypoints),
        "connect": draw_keypoints(image, keypoints, connectivity=[(0, 1), (1, 2)], colors="red", radius=1, width=2),
        "visibility": draw_keypoints(image, keypoints, connectivity=[(0, 2), (1, 2)], colors=(0, 0, 255),
                                     visibility=visibility),
        "float": draw_keypoints(image.float() / 255, keypoints, colors="yellow", radius=3),
    }
    out.update({f"keypoints/{k}": v.numpy() for k, v in dotted.items()})

    flow = torch.from_numpy(rng.standard_normal((2, 2, 6, 7)).astype(np.float32))
    out["flow/input_flow"] = flow.numpy()
    out["flow/batch"] = flow_to_image(flow).numpy()
    out["flow/single"] = flow_to_image(flow[1]).numpy()

    buffer = io.BytesIO()
    torchvision.utils.save_image(batch.sigmoid(), buffer, format="png", nrow=2)
    out["save/png"] = np.frombuffer(buffer.getvalue(), np.uint8)
    return out


def rotated_box_cases(rng):
    """draw_bounding_boxes with (N, 8) rotated boxes (and other polygons), and labels drawn box by box."""
    out = {}
    image = torch.from_numpy(rng.integers(0, 256, (3, 40, 56)).astype(np.uint8))
    out["input_image"] = image.numpy()
    rotated = torch.tensor([
        [4.0, 3.0, 30.0, 9.0, 26.5, 26.0, 0.7, 20.0],        # long first edge: several dashes
        [40.2, 5.9, 52.0, 14.0, 45.0, 24.0, 33.0, 16.0],
        [10.0, 30.0, 10.0, 30.0, 20.0, 38.0, 6.0, 37.0],      # first edge of length zero
        [-6.0, 25.0, 12.0, 33.0, 8.0, 45.0, -9.0, 41.0],       # partly outside the image
        [30.0, 28.0, 50.0, 28.0, 50.0, 36.0, 30.0, 36.0],     # axis-aligned, as a polygon
    ])
    axis_aligned = torch.tensor([[2, 2, 30, 20], [4, 8, 40, 30], [6, 12, 50, 36]])     # later boxes cross labels
    out["input_rotated"] = rotated.numpy()
    out["input_axis_aligned"] = axis_aligned.numpy()
    triangle = torch.tensor([[5.0, 5.0, 40.0, 12.0, 20.0, 35.0]])
    pentagon = torch.tensor([[28.0, 2.0, 50.0, 10.0, 46.0, 30.0, 30.0, 36.0, 20.0, 18.0]])
    names = ["one", "two", "three", "four", "five"]
    drawn = {
        "default": draw_bounding_boxes(image, rotated),
        "colors_width": draw_bounding_boxes(image, rotated, colors=["red", (0, 255, 0), "#0000ff", "yellow", "cyan"],
                                            width=2),
        "fill": draw_bounding_boxes(image, rotated, colors="blue", fill=True),
        "fill_width3": draw_bounding_boxes(image, rotated[:2], colors=[(250, 10, 10), (10, 10, 250)], fill=True,
                                           width=3),
        "float": draw_bounding_boxes(image.float() / 255, rotated[:3], colors=(200, 10, 10)),
        "gray": draw_bounding_boxes(image[:1], rotated[1:4], colors=[(250, 0, 0), (0, 100, 0), (0, 0, 90)]),
        "labels": draw_bounding_boxes(image, rotated, labels=names, colors="white"),
        "labels_filled": draw_bounding_boxes(image, rotated[:3], labels=names[:3], fill=True, fill_labels=True,
                                             label_colors="black", label_background_colors=["yellow", "cyan", "lime"]),
        "triangle": draw_bounding_boxes(image, triangle, colors="magenta", fill=True, width=2),
        "pentagon": draw_bounding_boxes(image, pentagon, colors=(255, 128, 0)),
        "axis_labels_overlap": draw_bounding_boxes(image, axis_aligned, labels=["a", "b", "c"],
                                                   colors=["red", "green", "blue"], width=2),
        "axis_labels_fill": draw_bounding_boxes(image, axis_aligned, labels=["a", None, "c"], colors="white",
                                                fill=True, fill_labels=True),
    }
    out.update({k: v.numpy() for k, v in drawn.items()})
    return out


def save_if_changed(path, arrays):
    """Write ``arrays`` to ``path`` unless it already holds exactly these arrays (zip timestamps would differ)."""
    if path.exists():
        with np.load(path) as old:
            if set(old.files) == set(arrays) and all(
                    old[k].dtype == np.asarray(v).dtype and np.array_equal(old[k], v) for k, v in arrays.items()):
                print(path.name, "unchanged")
                return
    np.savez_compressed(path, **arrays)
    print(path.name, path.stat().st_size, "bytes written")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    warnings.simplefilter("ignore")
    save_if_changed(OUT / "png.npz", png_cases(np.random.default_rng(0)))
    save_if_changed(OUT / "jpeg.npz", jpeg_cases(np.random.default_rng(1)))
    save_if_changed(OUT / "utils.npz", utils_cases(np.random.default_rng(2)))
    save_if_changed(OUT / "rotated_boxes.npz", rotated_box_cases(np.random.default_rng(3)))


if __name__ == "__main__":
    main()
