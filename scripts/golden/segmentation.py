"""Golden outputs of torchvision for ember.vision.ops (boxes) and ember.vision.models.segmentation.

Rerun (from the repository root) with the torchvision virtualenv, which CI does not have:

    /work/tvenv/bin/python scripts/golden/segmentation.py            # every part
    /work/tvenv/bin/python scripts/golden/segmentation.py boxes      # one part: boxes or models

It writes tests/vision/golden/segmentation/boxes.npz, models.npz (forwards of the segmentation models with the
state_dict fill of tests/vision/_model_fixtures.py) and layouts.json (their checkpoints' keys and shapes). Inputs
come from NumPy generators with fixed seeds and are stored next to the outputs (or, for the models, come from
_model_fixtures.model_input), so the tests read or rebuild them. Never edit the goldens by hand.
"""

import json
import os
import sys

import numpy as np
import torch
import torchvision.ops as ops
from torchvision.models import segmentation

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "tests", "vision", "golden", "segmentation")
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "vision"))
import _model_fixtures as fx  # noqa: E402  (the deterministic state_dict fill the models' goldens share)

# Builders whose forward the goldens hold: (golden name, builder, kwargs, input side).
MODEL_FORWARDS = [
    ("fcn_resnet50", "fcn_resnet50", {"num_classes": 5, "aux_loss": True}, 64),
    ("deeplabv3_resnet50", "deeplabv3_resnet50", {"num_classes": 5, "aux_loss": True}, 64),
    ("deeplabv3_mobilenet_v3_large", "deeplabv3_mobilenet_v3_large", {"num_classes": 5, "aux_loss": True}, 64),
    ("lraspp_mobilenet_v3_large", "lraspp_mobilenet_v3_large", {"num_classes": 5}, 64),
    ("fcn_resnet50_odd", "fcn_resnet50", {"num_classes": 3}, 45),
]
# Builders whose state_dict keys and shapes are recorded in the layout of torchvision's pretrained checkpoints.
MODEL_LAYOUTS = ["fcn_resnet50", "fcn_resnet101", "deeplabv3_resnet50", "deeplabv3_resnet101",
                 "deeplabv3_mobilenet_v3_large", "lraspp_mobilenet_v3_large"]


def random_boxes(rng, n, scale=20.0, dtype=np.float32):
    """``n`` xyxy boxes with positive sides inside [0, scale + scale/2]."""
    top_left = rng.uniform(0, scale, size=(n, 2))
    sides = rng.uniform(0.5, scale / 2, size=(n, 2))
    return np.concatenate([top_left, top_left + sides], axis=1).astype(dtype)


def degenerate_boxes():
    """Boxes that test the corner cases: zero width/height, identical boxes, touching edges, a point."""
    return np.array([[0, 0, 4, 4], [0, 0, 4, 4], [4, 0, 8, 4], [2, 2, 2, 6], [1, 1, 5, 1], [3, 3, 3, 3],
                     [0, 0, 2, 4], [-2, -1, 1, 3]], dtype=np.float32)


def grad_of(fn, *arrays, seed=0):
    """fn's output and the gradients of <output, cotangent> for float inputs (cotangent stored too)."""
    tensors = [torch.from_numpy(a.copy()).requires_grad_(a.dtype.kind == "f") for a in arrays]
    out = fn(*tensors)
    cotangent = np.random.default_rng(seed).standard_normal(tuple(out.shape)).astype(np.float32)
    if out.requires_grad:
        grads = torch.autograd.grad(out, [t for t in tensors if t.requires_grad],
                                    torch.from_numpy(cotangent).to(out.dtype))
    else:
        grads = []
    return out.detach().numpy(), cotangent, [g.numpy() for g in grads]


def boxes_part():
    rng = np.random.default_rng(2024)
    g = {}
    # --- pairwise IoU family (values and gradients) on random and degenerate boxes, batched and plain
    sets = {"random": (random_boxes(rng, 7), random_boxes(rng, 5)),
            "degenerate": (degenerate_boxes(), degenerate_boxes()[::-1].copy()),
            "batched": (random_boxes(rng, 6).reshape(2, 3, 4), random_boxes(rng, 8).reshape(2, 4, 4))}
    functions = {"box_iou": ops.box_iou, "generalized_box_iou": ops.generalized_box_iou,
                 "distance_box_iou": ops.distance_box_iou, "complete_box_iou": ops.complete_box_iou}
    for set_name, (b1, b2) in sets.items():
        g[f"pair_{set_name}_b1"], g[f"pair_{set_name}_b2"] = b1, b2
        for fname, fn in functions.items():
            if set_name == "degenerate" and fname != "box_iou":
                b1d, b2d = b1[[0, 1, 2, 6, 7]], b2[[0, 1, 5, 6]]     # keep the ones without 0/0
                g[f"pair_{set_name}_{fname}_b1"], g[f"pair_{set_name}_{fname}_b2"] = b1d, b2d
                out, cot, grads = grad_of(fn, b1d, b2d)
            else:
                out, cot, grads = grad_of(fn, b1, b2)
            g[f"pair_{set_name}_{fname}_out"], g[f"pair_{set_name}_{fname}_cot"] = out, cot
            if set_name != "degenerate":
                # torch 2.14 (beside torchvision) passes no gradient through clamp(min=0) at exactly 0, torch
                # 2.13 (ember's oracle) does; degenerate boxes sit on that boundary, so only values are kept.
                g[f"pair_{set_name}_{fname}_grad1"], g[f"pair_{set_name}_{fname}_grad2"] = grads
    # formats for box_iou and box_area
    b1, b2 = sets["random"]
    for fmt in ("xywh", "cxcywh"):
        c1 = ops.box_convert(torch.from_numpy(b1), "xyxy", fmt).numpy()
        c2 = ops.box_convert(torch.from_numpy(b2), "xyxy", fmt).numpy()
        g[f"fmt_{fmt}_b1"], g[f"fmt_{fmt}_b2"] = c1, c2
        g[f"fmt_{fmt}_iou"] = ops.box_iou(torch.from_numpy(c1), torch.from_numpy(c2), fmt=fmt).numpy()
        g[f"fmt_{fmt}_area"] = ops.box_area(torch.from_numpy(c1), fmt=fmt).numpy()
    int_boxes = rng.integers(0, 30, size=(6, 4)).astype(np.int64)
    int_boxes[:, 2:] += int_boxes[:, :2]
    g["int_boxes"] = int_boxes
    g["int_iou"] = ops.box_iou(torch.from_numpy(int_boxes), torch.from_numpy(int_boxes[::-1].copy())).numpy()
    g["int_area"] = ops.box_area(torch.from_numpy(int_boxes)).numpy()
    g["uint8_area"] = ops.box_area(torch.from_numpy(int_boxes.astype(np.uint8))).numpy()
    # --- box_convert between every pair of formats (rotated ones included)
    plain = random_boxes(rng, 5, dtype=np.float64)
    rotated = np.concatenate([plain[:, :4], rng.uniform(-90, 90, size=(5, 1))], axis=1)
    g["convert_plain"], g["convert_rotated"] = plain, rotated
    axis = ("xyxy", "xywh", "cxcywh")
    for a in axis:
        for b in axis:
            src = ops.box_convert(torch.from_numpy(plain), "xyxy", a)
            g[f"convert_{a}_{b}_in"] = src.numpy()
            g[f"convert_{a}_{b}_out"] = ops.box_convert(src, a, b).numpy()
    for a in ("xywhr", "cxcywhr", "xyxyxyxy"):
        src = torch.from_numpy(rotated) if a == "xywhr" else ops.box_convert(torch.from_numpy(rotated), "xywhr", a)
        for b in ("xywhr", "cxcywhr", "xyxyxyxy"):
            g[f"convert_{a}_{b}_in"] = src.numpy()
            g[f"convert_{a}_{b}_out"] = ops.box_convert(src, a, b).numpy()
    int_rotated = np.round(rotated).astype(np.int64)
    g["convert_int_rotated"] = int_rotated
    g["convert_int_rotated_out"] = ops.box_convert(torch.from_numpy(int_rotated), "xywhr", "xyxyxyxy").numpy()
    # --- clip and remove_small_boxes
    wide = (rng.uniform(-10, 40, size=(2, 6, 4))).astype(np.float32)
    g["clip_in"] = wide
    g["clip_out"] = ops.clip_boxes_to_image(torch.from_numpy(wide), (20, 30)).numpy()
    g["small_in"] = np.concatenate([random_boxes(rng, 9), degenerate_boxes()])
    g["small_out"] = ops.remove_small_boxes(torch.from_numpy(g["small_in"]), 3.0).numpy()
    # --- masks_to_boxes: random blobs, an empty mask, a single row and a single column
    masks = rng.random((5, 9, 11)) > 0.93
    masks[1] = False
    masks[2] = False
    masks[2, 4, 2:7] = True
    masks[3] = False
    masks[3, 1:8, 5] = True
    g["masks_in"] = masks.astype(np.uint8)
    g["masks_out"] = ops.masks_to_boxes(torch.from_numpy(masks)).numpy()
    # --- NMS: random clusters, tied scores, IoU exactly at the threshold, degenerate boxes
    for dtype in (np.float32, np.float64):
        name = np.dtype(dtype).name
        centres = rng.uniform(0, 50, size=(6, 2))
        jitter = rng.normal(0, 2.5, size=(60, 2))
        centre = centres[rng.integers(0, 6, size=60)] + jitter
        sides = rng.uniform(4, 12, size=(60, 2))
        boxes = np.concatenate([centre - sides / 2, centre + sides / 2], axis=1).astype(dtype)
        scores = np.round(rng.random(60), 1).astype(dtype)          # rounded: many ties
        g[f"nms_{name}_boxes"], g[f"nms_{name}_scores"] = boxes, scores
        for threshold in (0.0, 0.3, 0.5, 0.7, 1.0):
            g[f"nms_{name}_{threshold}"] = ops.nms(torch.from_numpy(boxes), torch.from_numpy(scores),
                                                   threshold).numpy()
    # IoU exactly equal to the threshold: a 1x1 box against a 1x2 box (IoU 0.5) and grid-aligned shifts
    exact = np.array([[0, 0, 2, 2], [0, 0, 2, 1], [0, 0, 2, 4], [1, 0, 3, 2], [0, 0, 1, 1], [0, 0, 3, 1]],
                     dtype=np.float32)
    g["nms_exact_boxes"] = exact
    g["nms_exact_scores"] = np.array([0.9, 0.8, 0.7, 0.7, 0.6, 0.9], dtype=np.float32)
    for threshold in (0.5, 1 / 3, 0.25):
        g[f"nms_exact_{threshold:.4f}"] = ops.nms(torch.from_numpy(exact), torch.from_numpy(g["nms_exact_scores"]),
                                                  threshold).numpy()
    g["nms_degenerate_boxes"] = degenerate_boxes()
    g["nms_degenerate_scores"] = np.linspace(1, 0.2, 8).astype(np.float32)
    g["nms_degenerate_out"] = ops.nms(torch.from_numpy(degenerate_boxes()),
                                      torch.from_numpy(g["nms_degenerate_scores"]), 0.4).numpy()
    # --- batched_nms on both sides of torchvision's 4000-coordinate switch
    for n in (80, 1200):
        boxes = random_boxes(rng, n, scale=30.0)
        scores = rng.random(n).astype(np.float32)
        if n < 1000:        # ties only here: above the switch torchvision's final sort is not stable
            scores = np.round(scores, 2)
        idxs = rng.integers(0, 4, size=n).astype(np.int64)
        g[f"batched_{n}_boxes"], g[f"batched_{n}_scores"], g[f"batched_{n}_idxs"] = boxes, scores, idxs
        g[f"batched_{n}_out"] = ops.batched_nms(torch.from_numpy(boxes), torch.from_numpy(scores),
                                                torch.from_numpy(idxs), 0.5).numpy()
    np.savez_compressed(os.path.join(OUT, "boxes.npz"), **g)


def filled(model):
    """``model`` with every state_dict entry set by the shared fill rule, in eval mode."""
    state = model.state_dict()
    for key, value in state.items():
        fill = fx.fill_array(key, tuple(value.shape), str(value.dtype).replace("torch.", ""))
        if fill is not None:
            state[key] = torch.from_numpy(fill)
    model.load_state_dict(state)
    return model.eval()


def models_part():
    g = {}
    for name, builder, kwargs, side in MODEL_FORWARDS:
        model = filled(getattr(segmentation, builder)(weights=None, weights_backbone=None, **kwargs))
        with torch.no_grad():
            result = model(torch.from_numpy(fx.model_input(side)))
        for key, value in result.items():
            g[f"{name}_{key}"] = value.numpy()
    np.savez_compressed(os.path.join(OUT, "models.npz"), **g)
    layouts = {}
    for builder in MODEL_LAYOUTS:
        options = {} if builder.startswith("lraspp") else {"aux_loss": True}
        model = getattr(segmentation, builder)(weights=None, weights_backbone=None, num_classes=21, **options)
        layouts[builder] = [[key, list(value.shape)] for key, value in model.state_dict().items()]
    with open(os.path.join(OUT, "layouts.json"), "w") as f:
        json.dump(layouts, f, separators=(",", ":"))


PARTS = {"boxes": boxes_part, "models": models_part}

if __name__ == "__main__":
    torch.manual_seed(0)
    os.makedirs(OUT, exist_ok=True)
    for part in sys.argv[1:] or PARTS:
        PARTS[part]()
        print("wrote", part)
