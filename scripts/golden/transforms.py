"""Golden outputs of torchvision.transforms for ember's transform tests.

Rerun (from the repository root) with the venv that has torchvision 0.29 and Pillow:

    /work/tvenv/bin/python scripts/golden/transforms.py

It writes tests/vision/golden/transforms/{cases.json, data.npz}: the fixed input images
(NumPy seed 0), and for every case its spec (which function or class, on which input, with
which arguments) and torchvision's output. The tests replay each spec with ember and compare.

A spec is ``[name, input, kind, callee, args, kwargs]``; ``kind`` is ``"F"`` (a function of
``transforms.functional``) or ``"T"`` (a transform class built with ``args``/``kwargs`` and then
called on the input). JSON-unfriendly arguments are tagged dicts: ``{"mode": "bilinear"}`` is an
InterpolationMode, ``{"dtype": "float32"}`` a dtype, ``{"array": key}`` a tensor from data.npz.
Inputs named ``pil_*`` are PIL images made from the stored arrays.
"""

import json
import os

import numpy as np
import torch
from PIL import Image
from torchvision.transforms import InterpolationMode
from torchvision.transforms import functional as F
from torchvision.transforms import transforms as T
from torchvision.transforms._presets import ImageClassification, SemanticSegmentation  # noqa: F401 (reprs)

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "vision", "golden", "transforms")


def make_inputs():
    """Small fixed images: a 3x24x32 picture with smooth structure and noise, a batch, a grey image."""
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:24, 0:32]
    smooth = np.stack([xx / 31.0, yy / 23.0, 0.5 + 0.5 * np.sin(xx / 4.0 + yy / 5.0)])
    image = np.clip(0.7 * smooth + 0.3 * rng.random((3, 24, 32)), 0, 1)
    batch = rng.random((2, 3, 17, 23))
    grey = rng.random((1, 24, 32))
    inputs = {
        "u8": (image * 255).round().astype(np.uint8),
        "f32": image.astype(np.float32),
        "batch_u8": (batch * 255).round().astype(np.uint8),
        "batch_f32": batch.astype(np.float32),
        "grey_u8": (grey * 255).round().astype(np.uint8),
        "grey_f32": grey.astype(np.float32),
        "f64": image.astype(np.float64),
    }
    inputs["displacement"] = (rng.random((1, 24, 32, 2)) * 0.2 - 0.1).astype(np.float32)
    inputs["hwc_u8"] = np.ascontiguousarray(inputs["u8"].transpose(1, 2, 0))
    return inputs


M = {m.value: {"mode": m.value} for m in InterpolationMode}
TENSOR_INPUTS = ("u8", "f32", "batch_u8", "batch_f32")
TENSOR_CASES = []      # (name, args, kwargs, inputs): functional calls run on each listed input


def tensor_case(fn, *args, inputs=TENSOR_INPUTS, tag="", **kwargs):
    TENSOR_CASES.append((fn, tag, list(args), kwargs, inputs))


# ----------------------------------------------------------------------------- tensor functional cases
tensor_case("convert_image_dtype", {"dtype": "float32"}, inputs=("u8", "batch_u8"), tag="float32")
tensor_case("convert_image_dtype", {"dtype": "uint8"}, inputs=("f32", "batch_f32"), tag="uint8")
tensor_case("convert_image_dtype", {"dtype": "float64"}, inputs=("u8", "f32"), tag="float64")
tensor_case("convert_image_dtype", {"dtype": "int16"}, inputs=("u8", "f32"), tag="int16")
tensor_case("convert_image_dtype", {"dtype": "uint8"}, inputs=("f64",), tag="from64")
tensor_case("normalize", [0.485, 0.456, 0.406], [0.229, 0.224, 0.225], inputs=("f32", "batch_f32", "f64"))
for tag, args, kwargs in [
    ("down_short", [12], {}),
    ("down_hw", [10, 15], {}),
    ("up_hw", [31, 45], {}),
    ("int", 9, {}),
    ("max_size", [12], {"max_size": 14}),
    ("noaa", [10, 15], {"antialias": False}),
    ("nearest", [10, 15], {"interpolation": M["nearest"]}),
    ("nearest_up", [31, 45], {"interpolation": M["nearest"]}),
    ("nearest_exact", [10, 15], {"interpolation": M["nearest-exact"]}),
    ("bicubic", [10, 15], {"interpolation": M["bicubic"]}),
    ("bicubic_up", [31, 45], {"interpolation": M["bicubic"]}),
    ("bicubic_noaa", [10, 15], {"interpolation": M["bicubic"], "antialias": False}),
    ("pil_int", [10, 15], {"interpolation": 2}),
]:
    tensor_case("resize", args, tag=tag, **kwargs)
tensor_case("center_crop", 10, tag="small")
tensor_case("center_crop", [7, 9], tag="odd")
tensor_case("center_crop", [30, 41], tag="pad")
tensor_case("crop", 3, 4, 10, 12, tag="inside")
tensor_case("crop", -2, 20, 10, 16, tag="outside")
tensor_case("resized_crop", 2, 3, 12, 14, [8, 9], tag="bilinear")
tensor_case("resized_crop", 2, 3, 12, 14, [20, 25], M["nearest"], tag="nearest")
tensor_case("hflip")
tensor_case("vflip")
for tag, args, kwargs in [
    ("constant", [2], {}),
    ("fill", [1, 2], {"fill": 7}),
    ("ltrb", [1, 2, 3, 4], {}),
    ("edge", [2, 3], {"padding_mode": "edge"}),
    ("reflect", [3, 1, 2, 4], {"padding_mode": "reflect"}),
    ("symmetric", [3, 1, 2, 4], {"padding_mode": "symmetric"}),
    ("symmetric_neg", [-1, 2, 3, -2], {"padding_mode": "symmetric"}),
]:
    tensor_case("pad", args, tag=tag, **kwargs)
for tag, args, kwargs in [
    ("nearest", [30.0], {}),
    ("bilinear", [30.0], {"interpolation": M["bilinear"]}),
    ("expand", [45.0], {"interpolation": M["bilinear"], "expand": True}),
    ("expand90", [90.0], {"expand": True}),
    ("center", [-20.0], {"center": [5, 7]}),
    ("fill", [37.0], {"interpolation": M["bilinear"], "fill": [10.0, 20.0, 30.0]}),
    ("fill_nearest", [37.0], {"fill": [50.0]}),
]:
    tensor_case("rotate", *args, tag=tag, **kwargs)
for tag, args, kwargs in [
    ("nearest", [20.0, [2, -3], 1.1, [5.0, 0.0]], {}),
    ("bilinear", [-15.0, [1, 2], 0.8, 10.0], {"interpolation": M["bilinear"]}),
    ("shear_xy", [0.0, [0, 0], 1.0, [8.0, -6.0]], {"interpolation": M["bilinear"]}),
    ("fill_center", [25.0, [3, 1], 1.2, [0.0, 0.0]], {"fill": [5.0, 15.0, 25.0], "center": [10, 6],
                                                      "interpolation": M["bilinear"]}),
]:
    tensor_case("affine", *args, tag=tag, **kwargs)
startpoints = [[0, 0], [31, 0], [31, 23], [0, 23]]
endpoints = [[3, 2], [28, 1], [30, 20], [2, 22]]
tensor_case("perspective", startpoints, endpoints, tag="bilinear", inputs=("u8", "f32", "batch_f32"))
tensor_case("perspective", startpoints, endpoints, M["nearest"], [9.0], tag="nearest", inputs=("u8", "f32"))
for name, factors in [("adjust_brightness", [0.0, 0.6, 1.7]), ("adjust_contrast", [0.0, 0.5, 1.8]),
                      ("adjust_saturation", [0.0, 0.4, 2.0]), ("adjust_hue", [-0.45, -0.1, 0.25, 0.5]),
                      ("adjust_sharpness", [0.0, 0.5, 2.5])]:
    for factor in factors:
        tensor_case(name, factor, tag=str(factor))
tensor_case("adjust_gamma", 0.5, tag="0.5")
tensor_case("adjust_gamma", 2.2, 0.9, tag="2.2")
tensor_case("rgb_to_grayscale", tag="1")
tensor_case("rgb_to_grayscale", 3, tag="3")
tensor_case("gaussian_blur", 3, tag="k3")
tensor_case("gaussian_blur", [5, 3], [1.5, 0.7], tag="k53")
tensor_case("gaussian_blur", [7, 7], 2.0, tag="k7")
tensor_case("erase", 2, 3, 5, 7, {"array": "erase_value"}, tag="value", inputs=("f32", "batch_f32"))
tensor_case("five_crop", [10, 12])
tensor_case("ten_crop", 9, tag="h")
tensor_case("ten_crop", [9, 11], True, tag="v")
tensor_case("invert")
tensor_case("posterize", 3, inputs=("u8", "batch_u8"))
tensor_case("solarize", 128, inputs=("u8", "batch_u8"), tag="u8")
tensor_case("solarize", 0.5, inputs=("f32", "batch_f32"), tag="float")
tensor_case("autocontrast")
tensor_case("equalize", inputs=("u8", "batch_u8"))
tensor_case("elastic_transform", {"array": "displacement"}, inputs=("u8", "f32"))
tensor_case("elastic_transform", {"array": "displacement"}, M["nearest"], [3.0], inputs=("u8", "f32"),
            tag="nearest")
tensor_case("adjust_brightness", 1.3, inputs=("grey_u8", "grey_f32"), tag="grey")
tensor_case("adjust_contrast", 1.3, inputs=("grey_u8", "grey_f32"), tag="grey")
tensor_case("adjust_saturation", 1.3, inputs=("grey_u8",), tag="grey")
tensor_case("adjust_hue", 0.2, inputs=("grey_u8",), tag="grey")
tensor_case("rgb_to_grayscale", 3, inputs=("grey_u8",), tag="grey")

# ----------------------------------------------------------------------------- class cases (fixed parameters)
CLASS_CASES = [
    ("Resize", [12], {}, ("u8", "f32", "batch_f32")),
    ("Resize", [[10, 14]], {"interpolation": M["bicubic"], "antialias": True}, ("u8", "f32")),
    ("Resize", [9], {"interpolation": 0}, ("u8", "f32")),
    ("CenterCrop", [[11, 13]], {}, ("u8", "batch_f32")),
    ("Pad", [[1, 2]], {"padding_mode": "reflect"}, ("u8", "f32")),
    ("Pad", [3], {"fill": 9}, ("u8",)),
    ("Normalize", [[0.5, 0.4, 0.3], [0.2, 0.3, 0.4]], {}, ("f32", "batch_f32")),
    ("ConvertImageDtype", [{"dtype": "float32"}], {}, ("u8",)),
    ("Grayscale", [], {}, ("u8", "f32")),
    ("Grayscale", [3], {}, ("u8",)),
    ("RandomGrayscale", [], {"p": 1.0}, ("u8",)),
    ("FiveCrop", [8], {}, ("f32",)),
    ("TenCrop", [8], {"vertical_flip": True}, ("f32",)),
    ("RandomHorizontalFlip", [], {"p": 1.0}, ("u8", "batch_f32")),
    ("RandomVerticalFlip", [], {"p": 1.0}, ("u8",)),
    ("RandomCrop", [[28, 36]], {"padding": 2}, ("u8", "f32")),
    ("RandomResizedCrop", [[12, 16]], {"scale": (1.0, 1.0), "ratio": (4.0 / 3.0, 4.0 / 3.0)}, ("u8", "f32")),
    ("RandomRotation", [[25.0, 25.0]], {"interpolation": M["bilinear"], "fill": 4}, ("u8", "f32")),
    ("RandomRotation", [[-40.0, -40.0]], {"expand": True}, ("u8",)),
    ("RandomAffine", [[10.0, 10.0]], {"scale": (1.1, 1.1), "shear": [5.0, 5.0, -3.0, -3.0],
                                      "interpolation": M["bilinear"]}, ("u8", "f32")),
    ("ColorJitter", [], {"brightness": (1.4, 1.4)}, ("u8", "f32")),
    ("ColorJitter", [], {"hue": (0.2, 0.2)}, ("u8", "f32")),
    ("ColorJitter", [], {"saturation": (0.3, 0.3)}, ("u8",)),
    ("GaussianBlur", [5], {"sigma": (1.2, 1.2)}, ("u8", "f32")),
    ("RandomInvert", [], {"p": 1.0}, ("u8",)),
    ("RandomPosterize", [2], {"p": 1.0}, ("u8",)),
    ("RandomSolarize", [100], {"p": 1.0}, ("u8",)),
    ("RandomAdjustSharpness", [3.0], {"p": 1.0}, ("u8",)),
    ("RandomAutocontrast", [], {"p": 1.0}, ("u8",)),
    ("RandomEqualize", [], {"p": 1.0}, ("u8",)),
]

# ----------------------------------------------------------------------------- PIL cases (functional)
PIL_INPUTS = ("pil_rgb", "pil_l")
PIL_CASES = []


def pil_case(fn, *args, inputs=PIL_INPUTS, tag="", **kwargs):
    PIL_CASES.append((fn, tag, list(args), kwargs, inputs))


for mode in ("nearest", "bilinear", "bicubic", "box", "hamming", "lanczos"):
    pil_case("resize", [10, 15], M[mode], tag=mode)
pil_case("resize", 12, tag="short")
pil_case("resize", [40, 50], M["bicubic"], tag="up")
pil_case("crop", 3, 4, 10, 12, tag="inside")
pil_case("crop", -2, 20, 10, 16, tag="outside")
pil_case("center_crop", [7, 9], tag="odd")
pil_case("center_crop", [30, 41], tag="pad")
pil_case("resized_crop", 2, 3, 12, 14, [8, 9])
pil_case("hflip")
pil_case("vflip")
pil_case("pad", [1, 2, 3, 4], fill=7, tag="fill")
pil_case("pad", [2, 3], padding_mode="edge", tag="edge")
pil_case("pad", [3, 1, 2, 4], padding_mode="reflect", tag="reflect")
pil_case("pad", [-1, 2, 3, -2], padding_mode="symmetric", tag="symmetric_neg")
pil_case("rotate", 30.0, tag="nearest")
pil_case("rotate", 45.0, M["bilinear"], True, tag="expand")
pil_case("rotate", -20.0, center=[5, 7], fill=[9], tag="center")
pil_case("affine", 20.0, [2, -3], 1.1, [5.0, 0.0], tag="nearest")
pil_case("affine", -15.0, [1, 2], 0.8, 10.0, interpolation=M["bilinear"], fill=3, tag="bilinear")
pil_case("perspective", startpoints, endpoints)
for name, factor in [("adjust_brightness", 1.7), ("adjust_contrast", 0.5), ("adjust_saturation", 2.0),
                     ("adjust_hue", 0.25), ("adjust_hue", -0.4), ("adjust_sharpness", 2.5), ("adjust_gamma", 0.5)]:
    pil_case(name, factor, tag=str(factor))
pil_case("to_grayscale", tag="1")
pil_case("to_grayscale", 3, tag="3")
pil_case("rgb_to_grayscale", 3, tag="3")
pil_case("gaussian_blur", [5, 3], [1.5, 0.7])
pil_case("invert")
pil_case("posterize", 3)
pil_case("solarize", 100)
pil_case("autocontrast")
pil_case("equalize")
pil_case("five_crop", [10, 12])
pil_case("to_tensor")
pil_case("pil_to_tensor")
pil_case("elastic_transform", {"array": "displacement"})
PIL_CLASS_CASES = [
    ("ToTensor", [], {}, ("pil_rgb", "pil_l", "hwc_u8")),
    ("PILToTensor", [], {}, ("pil_rgb", "pil_l")),
    ("Resize", [12], {}, PIL_INPUTS),
    ("RandomRotation", [[25.0, 25.0]], {"interpolation": M["bilinear"], "fill": 4}, PIL_INPUTS),
    ("RandomAffine", [[10.0, 10.0]], {"scale": (1.1, 1.1), "shear": [5.0, 5.0]}, PIL_INPUTS),
    ("Grayscale", [3], {}, ("pil_rgb",)),
    ("ColorJitter", [], {"contrast": (1.4, 1.4)}, PIL_INPUTS),
]
# to_pil_image: tensors and arrays to PIL (stored as the image's array and mode)
TO_PIL_CASES = [("u8", None), ("f32", None), ("grey_u8", None), ("grey_f32", "F"), ("hwc_u8", None),
                ("u8", "HSV")]


# reprs: each expression is evaluated with T = torchvision.transforms (and ember's, in the test)
REPR_EXPRESSIONS = [
    'T.Compose([T.Resize(8), T.CenterCrop(8), T.ToTensor()])',
    'T.Resize((10, 12), interpolation=T.InterpolationMode.BICUBIC, max_size=None, antialias=False)',
    'T.CenterCrop(8)',
    'T.RandomCrop(8, padding=2)',
    'T.RandomResizedCrop(224)',
    'T.RandomResizedCrop((10, 12), scale=(0.5, 0.9), ratio=(0.5, 2.0), interpolation=T.InterpolationMode.NEAREST)',
    'T.RandomHorizontalFlip()',
    'T.RandomVerticalFlip(0.3)',
    'T.RandomRotation(30)',
    'T.RandomRotation((-10, 20), expand=True, center=(3, 4), fill=(1, 2, 3))',
    'T.RandomAffine(10)',
    ('T.RandomAffine((-5, 5), translate=(0.1, 0.2), scale=(0.9, 1.1), shear=(1, 2, 3, 4), '
     'interpolation=T.InterpolationMode.BILINEAR, fill=3, center=(1, 2))'),
    'T.ColorJitter(0.4, 0.4, 0.4, 0.1)',
    'T.ColorJitter(brightness=(0.5, 1.5))',
    'T.ColorJitter()',
    'T.Grayscale()',
    'T.Grayscale(3)',
    'T.RandomGrayscale()',
    'T.Pad(2)',
    "T.Pad((1, 2), fill=3, padding_mode='reflect')",
    'T.GaussianBlur(3)',
    'T.GaussianBlur((5, 3), sigma=1.5)',
    'T.RandomErasing()',
    "T.RandomErasing(p=1.0, value='random', inplace=True)",
    'T.Normalize((0.5, 0.4), (0.2, 0.3))',
    'T.ToTensor()',
    'T.PILToTensor()',
    'T.ToPILImage()',
    "T.ToPILImage('RGB')",
    'T.ConvertImageDtype(torch.float32)',
    'T.Lambda(lambda x: x)',
    'T.RandomApply([T.RandomHorizontalFlip(), T.Grayscale()], p=0.3)',
    'T.RandomChoice([T.RandomHorizontalFlip(), T.Grayscale()])',
    'T.RandomChoice([T.RandomHorizontalFlip(), T.Grayscale()], p=[0.2, 0.8])',
    'T.RandomOrder([T.RandomHorizontalFlip(), T.Grayscale()])',
    'T.FiveCrop(4)',
    'T.TenCrop((4, 5), vertical_flip=True)',
    'T.RandomPerspective()',
    'T.RandomInvert()',
    'T.RandomPosterize(3)',
    'T.RandomSolarize(128, p=0.2)',
    'T.RandomAdjustSharpness(2)',
    'T.RandomAutocontrast()',
    'T.RandomEqualize()',
    'T.ElasticTransform()',
    'ImageClassification(crop_size=224)',
    'SemanticSegmentation(resize_size=520)',
    'SemanticSegmentation(resize_size=None)',
]


# ----------------------------------------------------------------------------- running
def decode(value, data):
    if isinstance(value, dict):
        if "mode" in value:
            return InterpolationMode(value["mode"])
        if "dtype" in value:
            return getattr(torch, value["dtype"])
        if "array" in value:
            return torch.from_numpy(data[value["array"]].copy())
    if isinstance(value, list):
        return [decode(v, data) for v in value]
    return value


def as_input(name, data):
    if name == "pil_rgb":
        return Image.fromarray(data["hwc_u8"])
    if name == "pil_l":
        return Image.fromarray(data["grey_u8"][0])
    if name == "hwc_u8":
        return data["hwc_u8"].copy()
    return torch.from_numpy(data[name].copy())


def as_array(result):
    if isinstance(result, (tuple, list)):
        return np.stack([as_array(r) for r in result])
    if isinstance(result, torch.Tensor):
        return result.numpy()
    return np.asarray(result)


def run(kind, callee, args, kwargs, img, data):
    args, kwargs = decode(args, data), {k: decode(v, data) for k, v in kwargs.items()}
    if kind == "F":
        return getattr(F, callee)(img, *args, **kwargs)
    torch.manual_seed(0)
    return getattr(T, callee)(*args, **kwargs)(img)


def main():
    data = make_inputs()
    data["erase_value"] = np.array([0.1, 0.5, 0.9], np.float32)[:, None, None]
    specs, outputs = [], {}

    def record(name, input_name, kind, callee, args, kwargs):
        result = run(kind, callee, args, kwargs, as_input(input_name, data), data)
        mode = result.mode if isinstance(result, Image.Image) else None
        specs.append({"name": name, "input": input_name, "kind": kind, "callee": callee, "args": args,
                      "kwargs": kwargs, "pil_mode": mode})
        outputs[name] = as_array(result)

    for fn, tag, args, kwargs, inputs in TENSOR_CASES + PIL_CASES:
        for input_name in inputs:
            record(f"F.{fn}.{tag}.{input_name}", input_name, "F", fn, args, kwargs)
    for i, (cls, args, kwargs, inputs) in enumerate(CLASS_CASES + PIL_CLASS_CASES):
        kwargs = {k: list(v) if isinstance(v, tuple) else v for k, v in kwargs.items()}
        for input_name in inputs:
            record(f"T.{cls}.{i}.{input_name}", input_name, "T", cls, args, kwargs)
    for input_name, mode in TO_PIL_CASES:
        record(f"F.to_pil_image.{mode}.{input_name}", input_name, "F", "to_pil_image", [], {"mode": mode})
    assert len(set(outputs)) == len(specs), "case names must be unique"
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump(specs, f, indent=0)
    arrays = {f"input:{k}": v for k, v in data.items()}
    arrays.update({f"output:{k}": v for k, v in outputs.items()})
    np.savez_compressed(os.path.join(OUT, "data.npz"), **arrays)
    reprs = [[expression, repr(eval(expression))] for expression in REPR_EXPRESSIONS]
    with open(os.path.join(OUT, "reprs.json"), "w") as f:
        json.dump(reprs, f, indent=0)
    print(f"{len(specs)} cases written to {os.path.normpath(OUT)}, {len(reprs)} reprs")


if __name__ == "__main__":
    main()
