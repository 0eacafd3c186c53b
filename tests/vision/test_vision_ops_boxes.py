"""ember.vision.ops against torchvision's goldens (scripts/golden/segmentation.py) and NumPy formulas."""

import os

import numpy as np
import pytest
from helpers import check_grad, randn

import ember
import ember.vision.ops as ops

GOLDEN = np.load(os.path.join(os.path.dirname(__file__), "golden", "segmentation", "boxes.npz"))
PAIR_FUNCTIONS = ("box_iou", "generalized_box_iou", "distance_box_iou", "complete_box_iou")


def tensor(array, requires_grad=False):
    return ember.from_numpy(np.array(array)).requires_grad_(requires_grad)


def close(actual, expected, rtol=1e-5, atol=1e-6):
    assert tuple(actual.shape) == expected.shape
    assert actual.dtype.name == expected.dtype.name
    np.testing.assert_allclose(actual.detach().numpy(), expected, rtol=rtol, atol=atol)


# ----------------------------------------------------------------------------- IoU family
@pytest.mark.parametrize("name", PAIR_FUNCTIONS)
@pytest.mark.parametrize("boxes", ["random", "degenerate", "batched"])
def test_pairwise_iou_values_and_gradients(name, boxes):
    prefix = f"pair_{boxes}_{name}"
    if f"{prefix}_b1" in GOLDEN:
        b1, b2 = GOLDEN[f"{prefix}_b1"], GOLDEN[f"{prefix}_b2"]
    else:
        b1, b2 = GOLDEN[f"pair_{boxes}_b1"], GOLDEN[f"pair_{boxes}_b2"]
    e1, e2 = tensor(b1, True), tensor(b2, True)
    out = getattr(ops, name)(e1, e2)
    expected = GOLDEN[f"{prefix}_out"]
    np.testing.assert_array_equal(np.isnan(out.detach().numpy()), np.isnan(expected))
    close(out, expected, rtol=1e-5, atol=1e-6)
    if f"{prefix}_grad1" not in GOLDEN:     # degenerate boxes: torch 2.14's clamp gradient differs from 2.13's
        return
    grad1, grad2 = ember.autograd.grad(out, (e1, e2), tensor(GOLDEN[f"{prefix}_cot"]))
    close(grad1, GOLDEN[f"{prefix}_grad1"], rtol=1e-4, atol=1e-5)
    close(grad2, GOLDEN[f"{prefix}_grad2"], rtol=1e-4, atol=1e-5)


def test_degenerate_iou_has_the_goldens_nan_and_zero_entries():
    out = ops.box_iou(tensor(GOLDEN["pair_degenerate_b1"]), tensor(GOLDEN["pair_degenerate_b2"])).numpy()
    expected = GOLDEN["pair_degenerate_box_iou_out"]
    assert np.isnan(expected).any() and (expected == 0).any() and (expected == 1).any()
    np.testing.assert_array_equal(np.isnan(out), np.isnan(expected))


@pytest.mark.parametrize("fmt", ["xywh", "cxcywh"])
def test_box_iou_and_area_in_other_formats(fmt):
    b1, b2 = tensor(GOLDEN[f"fmt_{fmt}_b1"]), tensor(GOLDEN[f"fmt_{fmt}_b2"])
    close(ops.box_iou(b1, b2, fmt=fmt), GOLDEN[f"fmt_{fmt}_iou"])
    close(ops.box_area(b1, fmt=fmt), GOLDEN[f"fmt_{fmt}_area"])


def test_integer_boxes_upcast_like_torchvision():
    boxes = GOLDEN["int_boxes"]
    close(ops.box_iou(tensor(boxes), tensor(boxes[::-1].copy())), GOLDEN["int_iou"])
    close(ops.box_area(tensor(boxes)), GOLDEN["int_area"])
    close(ops.box_area(tensor(boxes.astype(np.uint8))), GOLDEN["uint8_area"])     # int32, no uint8 overflow


def test_half_boxes_give_float32_iou():
    boxes = ember.tensor([[0.0, 0.0, 2.0, 2.0]], dtype=ember.float16)
    assert ops.box_iou(boxes, boxes).dtype == ember.float32


def test_bad_formats_raise_value_error():
    boxes = ember.tensor([[0.0, 0.0, 2.0, 2.0]])
    with pytest.raises(ValueError, match="Unsupported"):
        ops.box_area(boxes, fmt="xyz")
    with pytest.raises(ValueError, match="Unsupported format"):
        ops.box_iou(boxes, boxes, fmt="xyz")
    with pytest.raises(ValueError, match="in_fmt xyz"):
        ops.box_convert(boxes, "xyz", "xyxy")
    with pytest.raises(NotImplementedError, match="rotated"):
        ops.box_iou(ember.zeros(1, 5), ember.zeros(1, 5), fmt="cxcywhr")


def test_iou_family_finite_differences():
    b1 = np.array([[0.0, 0.0, 2.0, 3.0], [1.0, 0.5, 4.0, 2.5]])
    b2 = np.array([[0.5, 1.0, 3.0, 2.0], [-1.0, -2.0, 1.5, 1.0], [2.5, 2.0, 5.0, 6.0]])
    for fn in (ops.box_iou, ops.generalized_box_iou, ops.distance_box_iou):
        check_grad(fn, b1, b2)
    # complete_box_iou holds its weight alpha constant (no_grad) as torchvision does, so its gradient is not the
    # finite difference of its value; the goldens above check that gradient against torchvision's.


# ----------------------------------------------------------------------------- conversion and small utilities
CONVERSIONS = sorted(k[len("convert_"):-len("_in")] for k in GOLDEN.files if k.startswith("convert_")
                     and k.endswith("_in"))


@pytest.mark.parametrize("pair", CONVERSIONS)
def test_box_convert(pair):
    in_fmt, out_fmt = pair.split("_")
    source = GOLDEN[f"convert_{pair}_in"]
    close(ops.box_convert(tensor(source), in_fmt, out_fmt), GOLDEN[f"convert_{pair}_out"], rtol=1e-9, atol=1e-9)


def test_box_convert_rounds_integer_rotated_boxes():
    out = ops.box_convert(tensor(GOLDEN["convert_int_rotated"]), "xywhr", "xyxyxyxy")
    close(out, GOLDEN["convert_int_rotated_out"])


def test_box_convert_same_format_is_a_copy():
    boxes = ember.tensor([[0.0, 1.0, 2.0, 3.0]])
    out = ops.box_convert(boxes, "xyxy", "xyxy")
    out[0, 0] = 5.0
    assert boxes[0, 0].item() == 0.0


def test_box_convert_is_differentiable():
    check_grad(lambda b: ops.box_convert(b, "cxcywh", "xywh"), np.abs(randn(3, 4)) + 1)


def test_clip_boxes_to_image():
    close(ops.clip_boxes_to_image(tensor(GOLDEN["clip_in"]), (20, 30)), GOLDEN["clip_out"])


def test_remove_small_boxes():
    close(ops.remove_small_boxes(tensor(GOLDEN["small_in"]), 3.0), GOLDEN["small_out"])


def test_masks_to_boxes():
    close(ops.masks_to_boxes(tensor(GOLDEN["masks_in"])), GOLDEN["masks_out"])
    close(ops.masks_to_boxes(tensor(GOLDEN["masks_in"].astype(bool))), GOLDEN["masks_out"])


def test_masks_to_boxes_empty_input():
    out = ops.masks_to_boxes(ember.zeros(0, 4, 5))
    assert tuple(out.shape) == (0, 4) and out.dtype == ember.float32


# ----------------------------------------------------------------------------- NMS
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("threshold", [0.0, 0.3, 0.5, 0.7, 1.0])
def test_nms_matches_torchvision_with_tied_scores(dtype, threshold):
    boxes, scores = GOLDEN[f"nms_{dtype}_boxes"], GOLDEN[f"nms_{dtype}_scores"]
    kept = ops.nms(tensor(boxes), tensor(scores), threshold)
    assert kept.dtype == ember.int64
    np.testing.assert_array_equal(kept.numpy(), GOLDEN[f"nms_{dtype}_{threshold}"])


@pytest.mark.parametrize("threshold", [0.5, 1 / 3, 0.25])
def test_nms_iou_exactly_at_threshold(threshold):
    kept = ops.nms(tensor(GOLDEN["nms_exact_boxes"]), tensor(GOLDEN["nms_exact_scores"]), threshold)
    np.testing.assert_array_equal(kept.numpy(), GOLDEN[f"nms_exact_{threshold:.4f}"])


def test_nms_degenerate_boxes_are_never_suppressed_by_nan_iou():
    kept = ops.nms(tensor(GOLDEN["nms_degenerate_boxes"]), tensor(GOLDEN["nms_degenerate_scores"]), 0.4)
    np.testing.assert_array_equal(kept.numpy(), GOLDEN["nms_degenerate_out"])


def test_nms_empty():
    kept = ops.nms(ember.zeros(0, 4), ember.zeros(0), 0.5)
    assert tuple(kept.shape) == (0,) and kept.dtype == ember.int64


@pytest.mark.parametrize("boxes, scores, message", [
    (np.zeros((5, 3), np.float32), np.zeros(5, np.float32), "4 elements in dimension 1"),
    (np.zeros((1, 5, 4), np.float32), np.zeros(5, np.float32), "2d tensor"),
    (np.zeros((5, 4), np.float32), np.zeros((1, 5), np.float32), "1d tensor"),
    (np.zeros((5, 4), np.float32), np.zeros(4, np.float32), "same number of elements"),
    (np.zeros((5, 4), np.float32), np.zeros(5, np.float64), "same type"),
    (np.zeros((5, 4), np.int32), np.zeros(5, np.int32), "not implemented for 'Int'"),
    (np.zeros((5, 4), np.float16), np.zeros(5, np.float16), "not implemented for 'Half'"),
])
def test_nms_bad_inputs_raise_runtime_error(boxes, scores, message):
    with pytest.raises(RuntimeError, match=message):
        ops.nms(tensor(boxes), tensor(scores), 0.5)


@pytest.mark.parametrize("n", [80, 1200])
def test_batched_nms_on_both_sides_of_the_switch(n):
    boxes, scores, idxs = (tensor(GOLDEN[f"batched_{n}_{k}"]) for k in ("boxes", "scores", "idxs"))
    np.testing.assert_array_equal(ops.batched_nms(boxes, scores, idxs, 0.5).numpy(), GOLDEN[f"batched_{n}_out"])


def test_batched_nms_empty():
    kept = ops.batched_nms(ember.zeros(0, 4), ember.zeros(0), ember.zeros(0, dtype=ember.int64), 0.5)
    assert tuple(kept.shape) == (0,) and kept.dtype == ember.int64


def test_batched_nms_keeps_overlapping_boxes_of_other_categories():
    boxes = ember.tensor([[0.0, 0.0, 2.0, 2.0]] * 3)
    kept = ops.batched_nms(boxes, ember.tensor([0.9, 0.8, 0.7]), ember.tensor([0, 1, 0]), 0.5)
    assert kept.tolist() == [0, 1]


# ----------------------------------------------------------------------------- sigmoid focal loss
def focal_numpy(x, t, alpha, gamma):
    p = 1 / (1 + np.exp(-x))
    ce = np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x)))
    p_t = p * t + (1 - p) * (1 - t)
    loss = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        loss = (alpha * t + (1 - alpha) * (1 - t)) * loss
    return loss


@pytest.mark.parametrize("alpha, gamma", [(0.25, 2), (-1, 2), (0.5, 0), (1.0, 1.5)])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_sigmoid_focal_loss_formula(alpha, gamma, reduction):
    x = randn(3, 5) * 3
    t = (randn(3, 5) > 0).astype(np.float64)
    expected = focal_numpy(x, t, alpha, gamma)
    expected = {"none": expected, "mean": expected.mean(), "sum": expected.sum()}[reduction]
    out = ops.sigmoid_focal_loss(tensor(x), tensor(t), alpha=alpha, gamma=gamma, reduction=reduction)
    assert out.dtype == ember.float64
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_sigmoid_focal_loss_gradient(reduction):
    t = (randn(2, 4) > 0).astype(np.float64)
    check_grad(lambda x: ops.sigmoid_focal_loss(x, ember.from_numpy(t), reduction=reduction), randn(2, 4))


def test_sigmoid_focal_loss_soft_targets_gradient():
    check_grad(lambda x, t: ops.sigmoid_focal_loss(x, t, alpha=0.4, gamma=3), randn(6), np.random.rand(6))


def test_sigmoid_focal_loss_float32_zero_size_and_bad_arguments():
    out = ops.sigmoid_focal_loss(ember.zeros(2, 0), ember.zeros(2, 0), reduction="sum")
    assert out.item() == 0.0 and out.dtype == ember.float32
    with pytest.raises(ValueError, match="alpha"):
        ops.sigmoid_focal_loss(ember.zeros(2), ember.zeros(2), alpha=1.5)
    with pytest.raises(ValueError, match="reduction"):
        ops.sigmoid_focal_loss(ember.zeros(2), ember.zeros(2), reduction="max")


# ----------------------------------------------------------------------------- docstring examples
@pytest.mark.parametrize("module", ["ember.vision.ops", "ember.vision.ops.boxes", "ember.vision.ops.focal_loss"])
def test_docstring_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), extraglobs={"ember": ember})
    assert result.attempted > 0 and result.failed == 0
