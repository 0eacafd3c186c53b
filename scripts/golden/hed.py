"""Golden layout of torchvision's VGG-16 trunk, which ember.vision.models.HED's ``features`` must reproduce.

Rerun with the torchvision virtualenv (CI has no torchvision; tests read the JSON it writes):

    /work/tvenv/bin/python scripts/golden/hed.py

Writes tests/vision/golden/hed/vgg16_features_layout.json: for every module of ``vgg16().features`` its
index, class name and constructor settings, and for every state_dict entry its name and shape.
Deterministic: no weights are stored, only the layout.
"""

import json
import os

from torchvision.models import vgg16

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "vision", "golden", "hed")


def describe(module):
    """Class name and the settings that define a layer of the trunk."""
    name = type(module).__name__
    if name == "Conv2d":
        return {"type": name, "in_channels": module.in_channels, "out_channels": module.out_channels,
                "kernel_size": list(module.kernel_size), "padding": list(module.padding)}
    if name == "MaxPool2d":
        return {"type": name, "kernel_size": module.kernel_size, "stride": module.stride}
    return {"type": name}


def main():
    features = vgg16().features
    layout = {
        "modules": [describe(m) for m in features],
        "state_dict": {key: list(value.shape) for key, value in features.state_dict().items()},
    }
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "vgg16_features_layout.json"), "w") as f:
        json.dump(layout, f, indent=1)


if __name__ == "__main__":
    main()
