"""torchvision.utils for ember: image grids, saving images, and drawing boxes, masks, keypoints and flow.

Everything works on NumPy arrays under the tensors and gives torchvision 0.29's pixels. Pillow (an optional extra,
``pip install "ember[vision]"``) is needed only where torchvision's result depends on Pillow's rasteriser or fonts:
box labels, colour names such as ``"red"``, keypoints and their connecting lines, and saving formats other than PNG.
Like torchvision's, these functions do not record gradients.
"""

import io
import math
import os
import pathlib
import warnings

import numpy as np

import ember

from .io import _png
from .io.image import _write_atomically

__all__ = ["make_grid", "save_image", "draw_bounding_boxes", "draw_segmentation_masks", "draw_keypoints",
           "flow_to_image"]


def _pillow(function, module="Image"):
    try:
        import importlib

        return importlib.import_module(f"PIL.{module}")
    except ImportError:
        raise ImportError(f'{function} needs Pillow: pip install "ember[vision]"') from None


def _array(tensor):
    return np.asarray(tensor.detach().numpy())


# ---------------------------------------------------------------- grids and saving


def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False, pad_value=0.0):
    """Tile a batch (B, C, H, W) or a list of (C, H, W) images into one (C, H', W') image, ``nrow`` per row.

    >>> make_grid(ember.ones(5, 3, 4, 4), nrow=2, padding=1).shape
    ember.Size([3, 16, 11])
    """
    if isinstance(tensor, list):
        for item in tensor:
            if not ember.is_tensor(item):
                raise TypeError(f"tensor or list of tensors expected, got a list containing {type(item)}")
        tensor = ember.stack([item.detach() for item in tensor], dim=0)
    elif not ember.is_tensor(tensor):
        raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    images = _as_batch(_array(tensor))
    if normalize is True:
        images = _normalize(images, value_range, scale_each, tensor.dtype)
    if images.shape[0] == 1:
        return ember.from_numpy(np.ascontiguousarray(images[0]))
    return ember.from_numpy(_tile(images, nrow, padding, pad_value))


def _as_batch(images):
    """(H, W), (C, H, W) or (B, C, H, W) -> (B, C, H, W) with single-channel images repeated to three channels."""
    if images.ndim == 2:
        images = images[None]
    if images.ndim == 3:
        images = images[None]
    if images.ndim != 4:
        raise ValueError(f"make_grid: expected 2-, 3- or 4-dimensional images, got {images.ndim} dimensions")
    if images.shape[1] == 1:
        images = np.repeat(images, 3, axis=1)
    return images


def _normalize(images, value_range, scale_each, dtype):
    if value_range is not None and not isinstance(value_range, tuple):
        raise TypeError("value_range has to be a tuple (min, max) if specified. min and max are numbers")
    if not dtype.is_floating_point:
        raise RuntimeError(f"make_grid: normalize=True needs floating-point images, got {dtype}")
    groups = images if scale_each is True else images[None]
    out = np.empty_like(groups)
    for index, group in enumerate(groups):         # one group per image with scale_each, else the whole batch
        low, high = value_range if value_range is not None else (float(group.min()), float(group.max()))
        clipped = np.clip(group, group.dtype.type(low), group.dtype.type(high))
        out[index] = (clipped - group.dtype.type(low)) / group.dtype.type(max(high - low, 1e-5))
    return out if scale_each is True else out[0]


def _tile(images, nrow, padding, pad_value):
    count, channels, height, width = images.shape
    columns = min(nrow, count)
    rows = int(math.ceil(count / columns))
    cell_h, cell_w = height + padding, width + padding
    grid = np.full((channels, cell_h * rows + padding, cell_w * columns + padding), pad_value).astype(images.dtype)
    for k in range(count):
        top, left = (k // columns) * cell_h + padding, (k % columns) * cell_w + padding
        grid[:, top:top + height, left:left + width] = images[k]
    return grid


def save_image(tensor, fp, format=None, **kwargs):
    """Save an image, a batch (as a grid, see ``make_grid``) or a list of images with values in [0, 1] to a file.

    PNG is written by ember's own encoder (no Pillow needed); other formats go through Pillow.

    >>> import os, tempfile; p = os.path.join(tempfile.mkdtemp(), "grid.png")
    >>> save_image(ember.rand(4, 3, 8, 8), p, nrow=2); os.path.getsize(p) > 0
    True
    """
    grid = _array(make_grid(tensor, **kwargs))
    pixels = np.clip(grid.astype(np.float32) * np.float32(255) + np.float32(0.5), 0, 255).astype(np.uint8)
    pixels = np.ascontiguousarray(pixels.transpose(1, 2, 0))
    image_format = _format_of(fp, format)
    if image_format == "PNG":
        data = _png.encode(pixels)
    else:
        Image = _pillow("save_image (formats other than PNG)")
        buffer = io.BytesIO()
        Image.fromarray(pixels[:, :, 0] if pixels.shape[2] == 1 else pixels).save(buffer, format=image_format)
        data = buffer.getvalue()
    if isinstance(fp, (str, pathlib.PurePath)):
        _write_atomically(fp, data)
    else:
        fp.write(data)


def _format_of(fp, format):
    if format is not None:
        return format.upper()
    if not isinstance(fp, (str, pathlib.PurePath)):
        raise ValueError("save_image: format must be given when fp is a file object")
    extension = os.path.splitext(os.fspath(fp))[1].lower()
    if not extension:
        raise ValueError(f"save_image: unknown file extension in {os.fspath(fp)!r}; pass format=")
    return {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}.get(extension, extension[1:].upper())


# ---------------------------------------------------------------- colours


def _generate_palette(count):
    """torchvision's default colours: multiples of three large numbers, modulo 255."""
    base = np.array([2 ** 25 - 1, 2 ** 15 - 1, 2 ** 21 - 1])
    return [tuple(int(v) for v in (i * base) % 255) for i in range(count)]


def _rgb(colour):
    """A colour as an (r, g, b) tuple: tuples pass, ``#rgb``/``#rrggbb`` are parsed, names need Pillow."""
    if not isinstance(colour, str):
        return tuple(colour)
    text = colour.strip()
    if text.startswith("#") and len(text) in (4, 7):
        digits = text[1:] if len(text) == 7 else "".join(c * 2 for c in text[1:])
        try:
            return tuple(int(digits[i:i + 2], 16) for i in (0, 2, 4))
        except ValueError:
            pass
    ImageColor = _pillow(f"the colour name {colour!r}", "ImageColor")
    return ImageColor.getrgb(colour)[:3]


def _parse_colors(colors, num_objects, floating=False):
    """One (r, g, b) per object, from None (default palette), one colour, or a list (torchvision's rules)."""
    if colors is None:
        colors = _generate_palette(num_objects)
    elif isinstance(colors, list):
        if len(colors) < num_objects:
            raise ValueError(f"Number of colors must be equal or larger than the number of objects, but got "
                             f"{len(colors)} < {num_objects}.")
    elif not isinstance(colors, (tuple, str)):
        raise ValueError(f"colors must be a tuple or a string, or a list thereof, but got {colors}.")
    elif isinstance(colors, tuple) and len(colors) != 3:
        raise ValueError(f"If passed as tuple, colors should be an RGB triplet, but got {colors}.")
    else:
        colors = [colors] * num_objects
    colors = [_rgb(colour) for colour in colors]
    if floating:
        colors = [tuple(v / 255 for v in colour) for colour in colors]
    return colors


def _check_image(image, function, channels=(3,)):
    if not ember.is_tensor(image):
        raise TypeError(f"{function}: The image must be a tensor, got {type(image)}")
    if not (image.dtype == ember.uint8 or image.dtype.is_floating_point):
        raise ValueError(f"The image dtype must be uint8 or float, got {image.dtype}")
    if image.dim() != 3:
        raise ValueError(f"Pass individual images, not batches (expected a (C, H, W) image, got {image.dim()} dims)")
    if image.shape[0] not in channels:
        if channels == (3,):
            raise ValueError(f"Pass an RGB image. Other Image formats are not supported (got {image.shape[0]} "
                             "channels)")
        raise ValueError(f"Only grayscale and RGB images are supported (got {image.shape[0]} channels)")


def _to_uint8(array):
    """torchvision's float -> uint8 scaling (values times 255.999, truncated)."""
    if array.dtype == np.uint8:
        return array
    return (array * array.dtype.type(255 + 1.0 - 1e-3)).astype(np.uint8)


def _from_uint8(array, dtype):
    if dtype == ember.uint8:
        return ember.from_numpy(np.ascontiguousarray(array))
    return ember.from_numpy(np.ascontiguousarray(array).astype(dtype.np_dtype) * dtype.np_dtype.type(1 / 255))


# ---------------------------------------------------------------- boxes


def draw_bounding_boxes(image, boxes, labels=None, colors=None, fill=False, width=1, font=None, font_size=None,
                        label_colors=None, label_background_colors=None, fill_labels=False):
    """Draw boxes on a (C, H, W) uint8 or float image: (N, 4) as (xmin, ymin, xmax, ymax), (N, 8) as rotated boxes.

    A rotated box is the polygon (x1, y1, ..., x4, y4); as in torchvision its first edge is dashed, and ``fill``
    tints its inside. Axis-aligned outlines and fills are drawn with NumPy; rotated boxes and text labels need
    Pillow (torchvision's pixels come from Pillow's rasteriser there).

    >>> img = ember.zeros(3, 10, 10, dtype=ember.uint8)
    >>> draw_bounding_boxes(img, ember.tensor([[1, 1, 8, 8]]), colors=(255, 0, 0))[0, 1, 1:9].tolist()
    [255, 255, 255, 255, 255, 255, 255, 255]
    """
    _check_image(image, "draw_bounding_boxes", channels=(1, 3))
    box_array = _array(boxes)
    _check_box_layout(box_array)
    rotated = box_array.shape[-1] != 4
    if not rotated and (np.any(box_array[:, 0] > box_array[:, 2]) or np.any(box_array[:, 1] > box_array[:, 3])):
        raise ValueError("Boxes need to be in (xmin, ymin, xmax, ymax) format. Use torchvision.ops.box_convert to "
                         "convert them")
    count = box_array.shape[0]
    if count == 0:
        warnings.warn("boxes doesn't contain any box. No box was drawn", stacklevel=2)
        return image
    if labels is None:
        labels = [None] * count
    elif len(labels) != count:
        raise ValueError(f"Number of boxes ({count}) and labels ({len(labels)}) mismatch. Please specify labels "
                         "for each box.")
    colors = _parse_colors(colors, count)
    if font is None and font_size is not None:
        warnings.warn("Argument 'font_size' will be ignored since 'font' is not set.", stacklevel=2)
    _check_box_width(box_array)
    pixels = _array(image)
    if pixels.shape[0] == 1:
        pixels = np.tile(pixels, (3, 1, 1))
    canvas = np.ascontiguousarray(_to_uint8(pixels).transpose(1, 2, 0))
    corners = np.trunc(box_array.astype(np.float64)).astype(np.int64).tolist()
    if rotated or any(label is not None for label in labels):
        style = _LabelStyle(labels, colors, width, font, font_size, label_colors, label_background_colors,
                            fill_labels)
        canvas = _draw_with_pillow(canvas, corners, colors, fill, width, style)
    else:
        for (x0, y0, x1, y1), colour in zip(corners, colors):
            if fill:
                _blend_rectangle(canvas, x0, y0, x1, y1, colour, 100)
            _outline_rectangle(canvas, x0, y0, x1, y1, colour, width)
    return _from_uint8(canvas.transpose(2, 0, 1), image.dtype)


def _check_box_layout(box_array):
    """Box tensors torchvision cannot index, with the exception type it raises."""
    if box_array.ndim == 0:
        raise IndexError("boxes must be a (N, 4) or (N, 8) tensor, got a 0-dim tensor")
    if box_array.ndim == 1 and box_array.shape[0] == 4:
        raise IndexError("boxes must be a (N, 4) or (N, 8) tensor, got a 1-dim tensor of 4 values")


def _check_box_width(box_array):
    """Each box needs 4 values (a rectangle) or an even number from 6 up (a polygon such as a rotated box).

    The exception types are those torchvision ends up raising for other widths.
    """
    if box_array.ndim != 2:
        raise TypeError(f"boxes must be a (N, 4) or (N, 8) tensor, got shape {tuple(box_array.shape)}")
    values = box_array.shape[1]
    if values == 4 or values >= 6 and values % 2 == 0:
        return
    kind = IndexError if values > 4 else TypeError if values % 2 == 0 else ValueError
    raise kind(f"boxes must be a (N, 4) or (N, 8) tensor (or an even number of polygon coordinates from 6 up), "
               f"got shape {tuple(box_array.shape)}")


def _clipped(canvas, x0, y0, x1, y1):
    """The slice of ``canvas`` covering pixels x0..x1, y0..y1 inclusive, clipped to the image."""
    height, width = canvas.shape[:2]
    return canvas[max(y0, 0):max(min(y1, height - 1) + 1, 0), max(x0, 0):max(min(x1, width - 1) + 1, 0)]


def _blend_rectangle(canvas, x0, y0, x1, y1, colour, alpha):
    """Composite a colour with opacity alpha/255 over a rectangle, rounding as Pillow's RGBA drawing does."""
    region = _clipped(canvas, x0, y0, x1, y1)
    mixed = region.astype(np.int32) * (255 - alpha) + np.array(colour, np.int32) * alpha + 128
    region[...] = ((mixed >> 8) + mixed) >> 8


def _outline_rectangle(canvas, x0, y0, x1, y1, colour, width):
    """A rectangle outline ``width`` pixels thick, inside the box, placed exactly as Pillow places it.

    Pillow draws, for each i < width, full-width rows at y0 + i and y1 - i and columns at x0 + i and x1 - i over
    rows y0 + width .. y1 - width (which also decides what happens when a box is thinner than its outline).
    """
    height, image_width = canvas.shape[:2]
    for i in range(width):
        for row in (y0 + i, y1 - i):
            if 0 <= row < height:
                _clipped(canvas, x0, row, x1, row)[...] = colour
        for column in (x0 + i, x1 - i):
            if 0 <= column < image_width:
                _clipped(canvas, column, y0 + width, column, y1 - width)[...] = colour


class _LabelStyle:
    """How box labels look: text and background colours per box, and the font (torchvision's defaults)."""

    def __init__(self, labels, colors, width, font, font_size, label_colors, label_background_colors, fill_labels):
        self.labels = labels
        self.margin = width + 1
        self.fill_labels = fill_labels
        self.text_colors = self.backgrounds = list(colors)
        self.font = None
        if all(label is None for label in labels):
            return
        count = len(labels)
        if label_colors or fill_labels:
            self.text_colors = _parse_colors(label_colors if label_colors else "black", count)
        if fill_labels and label_background_colors:
            self.backgrounds = _parse_colors(label_background_colors, count)
        ImageFont = _pillow("draw_bounding_boxes with labels", "ImageFont")
        self.font = ImageFont.load_default() if font is None else ImageFont.truetype(font=font, size=font_size or 10)

    def draw(self, draw, index, x, y):
        """Write label ``index`` with its top-left corner just inside the box corner (x, y)."""
        label = self.labels[index]
        if label is None:
            return
        origin = (x + self.margin, y + self.margin)
        if self.fill_labels:
            left, top, right, bottom = draw.textbbox(origin, label, font=self.font)
            draw.rectangle((left - 1, top - 1, right + 1, bottom + 1), fill=tuple(self.backgrounds[index]))
        draw.text(origin, label, fill=tuple(self.text_colors[index]), font=self.font)


def _draw_with_pillow(canvas, corners, colors, fill, width, style):
    """Draw each box and then its label with Pillow, in torchvision's order (a later box covers earlier labels)."""
    Image = _pillow("draw_bounding_boxes with rotated boxes or labels")
    ImageDraw = _pillow("draw_bounding_boxes with rotated boxes or labels", "ImageDraw")
    picture = Image.fromarray(canvas)
    draw = ImageDraw.Draw(picture, "RGBA" if fill else None)     # RGBA: the fill blends with the image
    for index, (box, colour) in enumerate(zip(corners, colors)):
        colour = tuple(colour)
        tint = colour + (100,) if fill else None
        if len(box) == 4:
            draw.rectangle(box, width=width, outline=colour, fill=tint)
        else:
            _draw_polygon_box(draw, box, colour, tint, width)
        style.draw(draw, index, box[0], box[1])
    return np.asarray(picture)


def _draw_polygon_box(draw, box, colour, tint, width):
    """A rotated box (or any polygon) as torchvision draws it: first edge dashed, the rest solid, then the tint.

    The tint is drawn last, so it also covers the outline.
    """
    points = list(zip(box[0::2], box[1::2]))
    _dashed_line(draw, points[0], points[1], colour, width)
    for start, end in zip(points[1:], points[2:] + points[:1]):
        draw.line((start, end), fill=colour, width=width)
    if tint is not None:
        draw.polygon(box, fill=tint)


def _dashed_line(draw, start, end, colour, width, dash=5, gap=5):
    """Alternate ``dash``-long strokes and ``gap``-long gaps from ``start`` to ``end``.

    Each step re-aims at ``end`` from the point reached so far, as torchvision does, so the dashes land on the
    same (fractional) coordinates and Pillow rasterises the same pixels.
    """
    x, y = start
    x_end, y_end = end
    remaining = ((x_end - x) ** 2 + (y_end - y) ** 2) ** 0.5
    stroke = True
    while remaining > 0:
        step = min(remaining, dash if stroke else gap)
        heading = math.atan2(y_end - y, x_end - x)
        x_next, y_next = x + math.cos(heading) * step, y + math.sin(heading) * step
        if stroke:
            draw.line([(x, y), (x_next, y_next)], fill=colour, width=width)
        remaining -= step
        x, y = x_next, y_next
        stroke = not stroke


# ---------------------------------------------------------------- masks


def draw_segmentation_masks(image, masks, alpha=0.8, colors=None):
    """Paint boolean masks ((N, H, W) or (H, W)) over an RGB image with opacity ``alpha``; overlaps turn black.

    >>> img = ember.zeros(3, 2, 2, dtype=ember.uint8)
    >>> draw_segmentation_masks(img, ember.tensor([[True, False], [False, False]]), 1.0, "#ff0000")[0].tolist()
    [[255, 0], [0, 0]]
    """
    _check_image(image, "draw_segmentation_masks")
    mask_array = _array(masks)
    if mask_array.ndim == 2:
        mask_array = mask_array[None]
    if mask_array.ndim != 3:
        raise ValueError("masks must be of shape (H, W) or (batch_size, H, W)")
    if masks.dtype != ember.bool:
        raise ValueError(f"The masks must be of dtype bool. Got {masks.dtype}")
    if mask_array.shape[-2:] != tuple(image.shape[-2:]):
        raise ValueError(f"The image and the masks must have the same height and width, got {tuple(image.shape)} "
                         f"and {tuple(mask_array.shape)}")
    if mask_array.shape[0] == 0:
        warnings.warn("masks doesn't contain any mask. No mask was drawn", stacklevel=2)
        return image
    pixels = _array(image)
    floating = image.dtype.is_floating_point
    colours = np.array(_parse_colors(colors, mask_array.shape[0], floating), dtype=pixels.dtype)
    painted = pixels.copy()
    for mask, colour in zip(mask_array, colours):
        painted[:, mask] = colour[:, None]
    painted[:, mask_array.sum(axis=0) > 1] = 0
    work = pixels.dtype.type if floating else np.float32
    blended = pixels.astype(work) * work(1 - alpha) + painted.astype(work) * work(alpha)
    return ember.from_numpy(blended.astype(pixels.dtype))


# ---------------------------------------------------------------- keypoints


def draw_keypoints(image, keypoints, connectivity=None, colors=None, radius=2, width=3, visibility=None):
    """Draw keypoints (N, K, 2) as filled circles, joined by lines for the ``connectivity`` pairs (needs Pillow).

    >>> img = ember.zeros(3, 9, 9, dtype=ember.uint8)
    >>> draw_keypoints(img, ember.tensor([[[4.0, 4.0]]]), colors="#00ff00", radius=1)[1, 4, 3:6].tolist()
    [255, 255, 255]
    """
    _check_image(image, "draw_keypoints")
    points = _array(keypoints)
    if points.ndim != 3:
        raise ValueError(f"keypoints must be of shape (num_instances, K, 2), got {tuple(points.shape)}")
    visible = np.ones(points.shape[:-1], bool) if visibility is None else _array(visibility).astype(bool)
    if visible.ndim == 3:
        visible = visible.squeeze(-1)
    if visible.ndim != 2:
        raise ValueError(f"visibility must be of shape (num_instances, K). Got ndim={visible.ndim}")
    if visible.shape != points.shape[:-1]:
        raise ValueError("keypoints and visibility must have the same dimensionality for num_instances and K. "
                         f"Got visibility.shape={tuple(visible.shape)} and keypoints.shape={tuple(points.shape)}")
    Image = _pillow("draw_keypoints")
    ImageDraw = _pillow("draw_keypoints", "ImageDraw")
    picture = Image.fromarray(np.ascontiguousarray(_to_uint8(_array(image)).transpose(1, 2, 0)))
    draw = ImageDraw.Draw(picture)
    corners = np.trunc(points.astype(np.float64)).astype(np.int64).tolist()
    for instance, shown in zip(corners, visible.tolist()):
        for (x, y), is_shown in zip(instance, shown):
            if is_shown:
                draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=colors, outline=None, width=0)
        for start, end in connectivity or ():
            if shown[start] and shown[end]:
                draw.line((tuple(instance[start]), tuple(instance[end])), width=width)
    return _from_uint8(np.asarray(picture).transpose(2, 0, 1), image.dtype)


# ---------------------------------------------------------------- optical flow


def flow_to_image(flow):
    """Colour an optical flow field ((2, H, W) or (N, 2, H, W), float32) with the Middlebury colour wheel.

    >>> flow_to_image(ember.zeros(2, 3, 3)).shape
    ember.Size([3, 3, 3])
    """
    if flow.dtype != ember.float32:
        raise ValueError(f"Flow should be of dtype torch.float, got {flow.dtype}.")
    array = _array(flow)
    batched = array if array.ndim == 4 else array[None]
    if batched.ndim != 4 or batched.shape[1] != 2:
        raise ValueError(f"Input flow should have shape (2, H, W) or (N, 2, H, W), got {tuple(flow.shape)}.")
    max_norm = np.sqrt(np.sum(batched ** 2, axis=1)).max(initial=np.float32(0))
    normalized = batched / (max_norm + np.finfo(np.float32).eps)
    image = _normalized_flow_to_image(normalized.astype(np.float32))
    return ember.from_numpy(image if array.ndim == 4 else image[0])


def _colour_wheel():
    """The 55 colours of Baker et al.'s wheel (red-yellow-green-cyan-blue-magenta), float32 in [0, 255]."""
    segments = [(15, 0, 1), (6, 1, 0), (4, 1, 2), (11, 2, 1), (13, 2, 0), (6, 0, 2)]   # (length, full, varying)
    rows = []
    for index, (length, full, varying) in enumerate(segments):
        ramp = np.floor((255 * np.arange(length)).astype(np.float32) / np.float32(length))
        block = np.zeros((length, 3), np.float32)
        block[:, full] = 255
        block[:, varying] = ramp if index % 2 == 0 else 255 - ramp
        rows.append(block)
    return np.concatenate(rows)


def _normalized_flow_to_image(flow):
    wheel = _colour_wheel()
    count = wheel.shape[0]
    norm = np.sqrt(np.sum(flow ** 2, axis=1))
    angle = np.arctan2(-flow[:, 1], -flow[:, 0]) / np.float32(np.pi)
    position = (angle + np.float32(1)) / np.float32(2) * np.float32(count - 1)
    k0 = np.floor(position).astype(np.int64)
    k1 = np.where(k0 + 1 == count, 0, k0 + 1)
    fraction = position - k0.astype(np.float32)
    colour0 = wheel[k0] / np.float32(255)
    colour1 = wheel[k1] / np.float32(255)
    colour = (1 - fraction[..., None]) * colour0 + fraction[..., None] * colour1
    colour = 1 - norm[..., None] * (1 - colour)
    return np.floor(np.float32(255) * colour).astype(np.uint8).transpose(0, 3, 1, 2).copy()
