"""Bounding-box operations (torchvision.ops.boxes): areas, pairwise IoU variants, format conversion and NMS.

Boxes are ``(..., 4)`` tensors, ``(x1, y1, x2, y2)`` unless a ``fmt`` says otherwise. The IoU family is written
with ember's Tensor ops, so it is differentiable (box-regression losses back-propagate through it); NMS and
``masks_to_boxes`` return indices and integer-valued boxes and work on the arrays directly.
"""

import math

import numpy as np

import ember

from ..._tensor import Tensor

__all__ = ["nms", "batched_nms", "remove_small_boxes", "clip_boxes_to_image", "box_convert", "box_area",
           "box_iou", "generalized_box_iou", "distance_box_iou", "complete_box_iou", "masks_to_boxes"]

_AXIS_ALIGNED_FORMATS = ("xyxy", "xywh", "cxcywh")
_ROTATED_FORMATS = ("cxcywhr", "xywhr", "xyxyxyxy")
_ALL_FORMATS = ("xyxy", "xywh", "cxcywh", "xywhr", "cxcywhr", "xyxyxyxy")

# Above this many box coordinates batched_nms runs NMS per class rather than offsetting the classes apart
# (torchvision's CPU threshold; the two paths may differ on exact IoU ties, so ember picks the same one).
_VANILLA_BATCHED_NMS_NUMEL = 4000


def _upcast(t):
    """Half-precision floats become float32 and small integers int32, so products do not overflow."""
    if t.dtype.is_floating_point:
        return t if t.dtype in (ember.float32, ember.float64) else t.float()
    return t if t.dtype in (ember.int32, ember.int64) else t.int()


# ----------------------------------------------------------------------------- NMS
def _check_nms_inputs(boxes, scores):
    """torchvision's RuntimeErrors for boxes/scores that NMS cannot take."""
    if boxes.ndim != 2:
        raise RuntimeError(f"boxes should be a 2d tensor, got {boxes.ndim}D")
    if boxes.shape[1] != 4:
        raise RuntimeError(f"boxes should have 4 elements in dimension 1, got {boxes.shape[1]}")
    if scores.ndim != 1:
        raise RuntimeError(f"scores should be a 1d tensor, got {scores.ndim}D")
    if boxes.shape[0] != scores.shape[0]:
        raise RuntimeError(f"boxes and scores should have same number of elements in dimension 0, got "
                           f"{boxes.shape[0]} and {scores.shape[0]}")
    if boxes.dtype != scores.dtype:
        raise RuntimeError("dets should have the same type as scores")
    if boxes.dtype not in (ember.float32, ember.float64):
        raise RuntimeError(f'"nms_kernel" not implemented for \'{_c10_name(boxes.dtype)}\'')


def _c10_name(dtype):
    names = {"float16": "Half", "bfloat16": "BFloat16", "int64": "Long", "int32": "Int", "int16": "Short",
             "int8": "Char", "uint8": "Byte", "bool": "Bool"}
    return names.get(dtype.name, dtype.name)


def _greedy_nms(boxes, scores, iou_threshold):
    """Indices kept by greedy NMS on NumPy arrays: highest score first, dropping later boxes with IoU > threshold.

    Scores are ordered by a stable descending sort; each kept box suppresses all the boxes after it at once.
    Arithmetic stays in the boxes' dtype and the IoU is compared in float64, as torchvision's CPU kernel does.
    """
    order = np.argsort(-scores, kind="stable")
    x1, y1, x2, y2 = (boxes[order, k] for k in range(4))
    areas = (x2 - x1) * (y2 - y1)
    suppressed = np.zeros(len(order), dtype=bool)
    kept = []
    position = 0
    zero = boxes.dtype.type(0)
    while position < len(order):
        kept.append(position)
        later = slice(position + 1, None)
        width = np.maximum(zero, np.minimum(x2[position], x2[later]) - np.maximum(x1[position], x1[later]))
        height = np.maximum(zero, np.minimum(y2[position], y2[later]) - np.maximum(y1[position], y1[later]))
        inter = width * height
        with np.errstate(divide="ignore", invalid="ignore"):
            overlap = inter / (areas[position] + areas[later] - inter)
        suppressed[later] |= overlap.astype(np.float64) > iou_threshold
        remaining = np.flatnonzero(~suppressed[later])
        if remaining.size == 0:
            break
        position += 1 + int(remaining[0])
    return order[np.asarray(kept, dtype=np.int64)].astype(np.int64)


def nms(boxes, scores, iou_threshold):
    """Non-maximum suppression: indices of the boxes kept, by decreasing score, dropping overlaps above the IoU.

    >>> boxes = ember.tensor([[0., 0., 2., 2.], [0., 0., 2., 2.1], [5., 5., 6., 6.]])
    >>> nms(boxes, ember.tensor([0.9, 0.8, 0.7]), 0.5)
    tensor([0, 2])
    """
    _check_nms_inputs(boxes, scores)
    kept = _greedy_nms(np.asarray(boxes._data), np.asarray(scores._data), float(iou_threshold))
    return ember.from_numpy(kept)


def batched_nms(boxes, scores, idxs, iou_threshold):
    """NMS done separately for each category in ``idxs``: boxes of different categories never suppress each other.

    >>> boxes = ember.tensor([[0., 0., 2., 2.], [0., 0., 2., 2.], [0., 0., 2., 2.]])
    >>> batched_nms(boxes, ember.tensor([0.9, 0.8, 0.7]), ember.tensor([0, 1, 0]), 0.5)
    tensor([0, 1])
    """
    if boxes.numel() > _VANILLA_BATCHED_NMS_NUMEL:
        return _batched_nms_per_class(boxes, scores, idxs, iou_threshold)
    return _batched_nms_offset(boxes, scores, idxs, iou_threshold)


def _batched_nms_offset(boxes, scores, idxs, iou_threshold):
    """One NMS over boxes shifted apart by category, so that different categories never overlap."""
    if boxes.numel() == 0:
        return ember.empty((0,), dtype=ember.int64)
    max_coordinate = boxes.max()
    offsets = idxs.to(boxes.dtype) * (max_coordinate + ember.tensor(1).to(boxes.dtype))
    return nms(boxes + offsets[:, None], scores, iou_threshold)


def _batched_nms_per_class(boxes, scores, idxs, iou_threshold):
    """One NMS per category, the kept boxes merged and ordered by decreasing score."""
    _check_nms_inputs(boxes, scores)
    box_array, score_array = np.asarray(boxes._data), np.asarray(scores._data)
    categories = np.asarray(idxs._data)
    keep = np.zeros(len(score_array), dtype=bool)
    for category in np.unique(categories):
        members = np.flatnonzero(categories == category)
        keep[members[_greedy_nms(box_array[members], score_array[members], float(iou_threshold))]] = True
    kept = np.flatnonzero(keep)
    kept = kept[np.argsort(-score_array[kept], kind="stable")]
    return ember.from_numpy(kept.astype(np.int64))


# ----------------------------------------------------------------------------- simple box utilities
def remove_small_boxes(boxes, min_size):
    """Indices of the boxes whose width and height are both at least ``min_size``.

    >>> remove_small_boxes(ember.tensor([[0., 0., 1., 1.], [0., 0., 3., 3.]]), 2)
    tensor([1])
    """
    widths, heights = boxes[..., 2] - boxes[..., 0], boxes[..., 3] - boxes[..., 1]
    keep = (widths >= min_size) & (heights >= min_size)
    return ember.where(keep)[0]


def clip_boxes_to_image(boxes, size):
    """Boxes clamped to an image of ``size = (height, width)``.

    >>> clip_boxes_to_image(ember.tensor([[-1., -1., 10., 10.]]), (5, 6))
    tensor([[0., 0., 6., 5.]])
    """
    height, width = size
    xs = boxes[..., 0::2].clamp(min=0, max=width)
    ys = boxes[..., 1::2].clamp(min=0, max=height)
    return ember.stack((xs, ys), dim=boxes.dim()).reshape(boxes.shape)


def box_area(boxes, fmt="xyxy"):
    """Area of each box (``(..., 4)`` in ``fmt``: xyxy, xywh or cxcywh).

    >>> box_area(ember.tensor([[0., 0., 2., 3.]]))
    tensor([6.])
    """
    if fmt not in _AXIS_ALIGNED_FORMATS:
        raise ValueError(f"Unsupported Bounding Box area for given format {fmt}")
    boxes = _upcast(boxes)
    if fmt == "xyxy":
        return (boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1])
    return boxes[..., 2] * boxes[..., 3]


# ----------------------------------------------------------------------------- format conversion
def _degrees_to_cos_sin(angle):
    radians = angle * math.pi / 180.0
    return ember.cos(radians), ember.sin(radians)


def _cxcywh_to_xyxy(boxes):
    cx, cy, w, h = boxes.unbind(-1)
    return ember.stack((cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h), dim=-1)


def _xyxy_to_cxcywh(boxes):
    x1, y1, x2, y2 = boxes.unbind(-1)
    return ember.stack(((x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1), dim=-1)


def _xywh_to_xyxy(boxes):
    x, y, w, h = boxes.unbind(-1)
    return ember.stack((x, y, x + w, y + h), dim=-1)


def _xyxy_to_xywh(boxes):
    x1, y1, x2, y2 = boxes.unbind(-1)
    return ember.stack((x1, y1, x2 - x1, y2 - y1), dim=-1)


def _cxcywhr_to_xywhr(boxes):
    cx, cy, w, h, r = boxes.unbind(-1)
    cos, sin = _degrees_to_cos_sin(r)
    return ember.stack((cx - w / 2 * cos - h / 2 * sin, cy - h / 2 * cos + w / 2 * sin, w, h, r), dim=-1)


def _xywhr_to_cxcywhr(boxes):
    x1, y1, w, h, r = boxes.unbind(-1)
    cos, sin = _degrees_to_cos_sin(r)
    return ember.stack((x1 + w / 2 * cos + h / 2 * sin, y1 - w / 2 * sin + h / 2 * cos, w, h, r), dim=-1)


def _xywhr_to_xyxyxyxy(boxes):
    x1, y1, w, h, r = boxes.unbind(-1)
    cos, sin = _degrees_to_cos_sin(r)
    x2, y2 = x1 + w * cos, y1 - w * sin
    x3, y3 = x2 + h * sin, y2 + h * cos
    x4, y4 = x1 + h * sin, y1 + h * cos
    return ember.stack((x1, y1, x2, y2, x3, y3, x4, y4), dim=-1)


def _xyxyxyxy_to_xywhr(boxes):
    x1, y1, x2, y2, x3, y3, _, _ = boxes.unbind(-1)
    r = ember.atan2(y1 - y2, x2 - x1) * 180 / math.pi
    w = ((x2 - x1) ** 2 + (y1 - y2) ** 2).sqrt()
    h = ((x3 - x2) ** 2 + (y3 - y2) ** 2).sqrt()
    return ember.stack((x1, y1, w, h, r), dim=-1)


def _rotated(convert):
    """A rotated-box conversion that, on integer boxes, rounds back to their dtype as torchvision does."""
    def run(boxes):
        result = convert(boxes)
        if not boxes.dtype.is_floating_point:
            result = result.round().to(boxes.dtype)
        return result
    return run


def _chain(*steps):
    def run(boxes):
        for step in steps:
            boxes = step(boxes)
        return boxes
    return run


_CONVERSIONS = {
    ("xywh", "xyxy"): _xywh_to_xyxy,
    ("cxcywh", "xyxy"): _cxcywh_to_xyxy,
    ("xyxy", "xywh"): _xyxy_to_xywh,
    ("xyxy", "cxcywh"): _xyxy_to_cxcywh,
    ("xywh", "cxcywh"): _chain(_xywh_to_xyxy, _xyxy_to_cxcywh),
    ("cxcywh", "xywh"): _chain(_cxcywh_to_xyxy, _xyxy_to_xywh),
    ("cxcywhr", "xywhr"): _rotated(_cxcywhr_to_xywhr),
    ("xywhr", "cxcywhr"): _rotated(_xywhr_to_cxcywhr),
    ("cxcywhr", "xyxyxyxy"): _chain(_rotated(_cxcywhr_to_xywhr), _rotated(_xywhr_to_xyxyxyxy)),
    ("xyxyxyxy", "cxcywhr"): _chain(_rotated(_xyxyxyxy_to_xywhr), _rotated(_xywhr_to_cxcywhr)),
    ("xywhr", "xyxyxyxy"): _rotated(_xywhr_to_xyxyxyxy),
    ("xyxyxyxy", "xywhr"): _rotated(_xyxyxyxy_to_xywhr),
}


def box_convert(boxes, in_fmt, out_fmt):
    """Boxes converted between formats: xyxy, xywh, cxcywh and the rotated xywhr, cxcywhr, xyxyxyxy.

    >>> box_convert(ember.tensor([[0., 0., 2., 4.]]), "xyxy", "cxcywh")
    tensor([[1., 2., 2., 4.]])
    """
    if in_fmt not in _ALL_FORMATS or out_fmt not in _ALL_FORMATS:
        raise ValueError(f"Unsupported Bounding Box Conversions for given in_fmt {in_fmt} and out_fmt {out_fmt}")
    if in_fmt == out_fmt:
        return boxes.clone()
    convert = _CONVERSIONS.get((in_fmt, out_fmt))
    if convert is None:
        raise NotImplementedError(f"Unsupported Bounding Box Conversions for given in_fmt {in_fmt} and out_fmt "
                                  f"{out_fmt}")
    return convert(boxes)


# ----------------------------------------------------------------------------- IoU family
def _corners(boxes, fmt):
    """Top-left and bottom-right corners ``(..., 2)`` of boxes given in an axis-aligned ``fmt``."""
    if fmt == "xyxy":
        return boxes[..., :2], boxes[..., 2:]
    if fmt == "xywh":
        return boxes[..., :2], boxes[..., :2] + boxes[..., 2:]
    return boxes[..., :2] - boxes[..., 2:] / 2, boxes[..., :2] + boxes[..., 2:] / 2


def _box_inter_union(boxes1, boxes2, fmt="xyxy"):
    """Pairwise intersection and union areas ``(..., N, M)`` of two sets of boxes."""
    area1, area2 = box_area(boxes1, fmt=fmt), box_area(boxes2, fmt=fmt)
    top_left1, bottom_right1 = _corners(boxes1[..., None, :], fmt)
    top_left2, bottom_right2 = _corners(boxes2[..., None, :, :], fmt)
    top_left = ember.maximum(top_left1, top_left2)
    bottom_right = ember.minimum(bottom_right1, bottom_right2)
    sides = _upcast(bottom_right - top_left).clamp(min=0)
    inter = sides[..., 0] * sides[..., 1]
    union = area1[..., None] + area2[..., None, :] - inter
    return inter, union


def box_iou(boxes1, boxes2, fmt="xyxy"):
    """Pairwise intersection over union ``(..., N, M)`` of boxes ``(..., N, 4)`` and ``(..., M, 4)``.

    >>> box_iou(ember.tensor([[0., 0., 2., 2.]]), ember.tensor([[1., 1., 3., 3.]]))
    tensor([[0.1429]])
    """
    if fmt in _AXIS_ALIGNED_FORMATS:
        inter, union = _box_inter_union(boxes1, boxes2, fmt=fmt)
        return inter / union
    if fmt in _ROTATED_FORMATS:
        raise NotImplementedError(f"box_iou: rotated boxes (fmt={fmt!r}) are not supported by ember yet")
    raise ValueError(f"Unsupported format '{fmt}'. Supported axis-aligned formats: {_AXIS_ALIGNED_FORMATS}. "
                     f"Supported rotated formats: {_ROTATED_FORMATS}.")


def _enclosing_sides(boxes1, boxes2):
    """Width and height ``(..., N, M, 2)`` of the smallest box enclosing each pair."""
    top_left = ember.minimum(boxes1[..., None, :2], boxes2[..., None, :, :2])
    bottom_right = ember.maximum(boxes1[..., None, 2:], boxes2[..., None, :, 2:])
    return _upcast(bottom_right - top_left).clamp(min=0)


def generalized_box_iou(boxes1, boxes2):
    """Pairwise generalized IoU: IoU minus the share of the enclosing box that the union leaves empty.

    >>> generalized_box_iou(ember.tensor([[0., 0., 2., 2.]]), ember.tensor([[1., 1., 3., 3.]]))
    tensor([[-0.0794]])
    """
    inter, union = _box_inter_union(boxes1, boxes2)
    iou = inter / union
    enclosing = _enclosing_sides(boxes1, boxes2)
    enclosing_area = enclosing[..., 0] * enclosing[..., 1]
    return iou - (enclosing_area - union) / enclosing_area


def _box_diou_iou(boxes1, boxes2, eps):
    """Distance IoU (IoU minus squared centre distance over squared enclosing diagonal) and the IoU."""
    iou = box_iou(boxes1, boxes2)
    enclosing = _enclosing_sides(boxes1, boxes2)
    diagonal_squared = enclosing[..., 0] ** 2 + enclosing[..., 1] ** 2 + eps
    centre_x1, centre_y1 = (boxes1[..., 0] + boxes1[..., 2]) / 2, (boxes1[..., 1] + boxes1[..., 3]) / 2
    centre_x2, centre_y2 = (boxes2[..., 0] + boxes2[..., 2]) / 2, (boxes2[..., 1] + boxes2[..., 3]) / 2
    centre_distance_squared = (_upcast(centre_x1[..., None] - centre_x2[..., None, :]) ** 2
                               + _upcast(centre_y1[..., None] - centre_y2[..., None, :]) ** 2)
    return iou - centre_distance_squared / diagonal_squared, iou


def distance_box_iou(boxes1, boxes2, eps=1e-7):
    """Pairwise distance IoU: IoU penalised by the squared distance of the centres (DIoU).

    >>> distance_box_iou(ember.tensor([[0., 0., 2., 2.]]), ember.tensor([[1., 1., 3., 3.]]))
    tensor([[0.0317]])
    """
    boxes1, boxes2 = _upcast(boxes1), _upcast(boxes2)
    diou, _ = _box_diou_iou(boxes1, boxes2, eps)
    return diou


def complete_box_iou(boxes1, boxes2, eps=1e-7):
    """Pairwise complete IoU: distance IoU further penalised by the difference in aspect ratio (CIoU).

    >>> complete_box_iou(ember.tensor([[0., 0., 2., 2.]]), ember.tensor([[1., 1., 3., 3.]]))
    tensor([[0.0317]])
    """
    boxes1, boxes2 = _upcast(boxes1), _upcast(boxes2)
    diou, iou = _box_diou_iou(boxes1, boxes2, eps)
    width1, height1 = boxes1[..., None, 2] - boxes1[..., None, 0], boxes1[..., None, 3] - boxes1[..., None, 1]
    width2 = boxes2[..., None, :, 2] - boxes2[..., None, :, 0]
    height2 = boxes2[..., None, :, 3] - boxes2[..., None, :, 1]
    v = (4 / math.pi ** 2) * ember.pow(ember.atan(width1 / height1) - ember.atan(width2 / height2), 2)
    with ember.no_grad():
        alpha = v / (1 - iou + v + eps)
    return diou - alpha * v


# ----------------------------------------------------------------------------- masks
def masks_to_boxes(masks):
    """The ``(N, 4)`` xyxy bounding box of each of ``N`` masks ``(N, H, W)``; an empty mask gives zeros.

    >>> masks_to_boxes(ember.tensor([[[0, 1, 1], [0, 1, 0]]]))
    tensor([[1., 0., 2., 1.]])
    """
    if not isinstance(masks, Tensor):
        raise TypeError(f"masks_to_boxes(): argument 'masks' must be Tensor, not {type(masks).__name__}")
    if masks.numel() == 0:
        return ember.zeros((0, 4), dtype=ember.float32)
    if masks.ndim != 3:
        raise ValueError(f"not enough values to unpack (expected 3, got {masks.ndim})" if masks.ndim < 3 else
                         f"too many values to unpack (expected 3, got {masks.ndim})")
    filled = np.asarray(masks._data).astype(bool)
    _, height, width = filled.shape
    rows, cols = filled.any(axis=2), filled.any(axis=1)
    y1, x1 = rows.argmax(axis=1), cols.argmax(axis=1)
    y2 = (height - 1) - rows[:, ::-1].argmax(axis=1)
    x2 = (width - 1) - cols[:, ::-1].argmax(axis=1)
    boxes = np.stack([x1, y1, x2, y2], axis=1).astype(np.float32)
    boxes[~rows.any(axis=1)] = 0
    return ember.from_numpy(boxes)
