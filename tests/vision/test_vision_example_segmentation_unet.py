"""examples/segmentation_unet.py: the --quick run, its data generator and its mean-IoU helper."""

import importlib.util
import os
import re
import subprocess
import sys

import numpy as np

import ember
from ember.vision.models.segmentation import UNet

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "examples", "segmentation_unet.py")


def load_example():
    spec = importlib.util.spec_from_file_location("segmentation_unet_example", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_quick_run_trains_reports_mean_iou_and_saves(tmp_path):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run([sys.executable, SCRIPT, "--quick", "--save", "unet.pt"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "epoch 1: loss" in result.stdout
    assert re.search(r"IoU per class: background [01]\.\d+, circle", result.stdout)
    score = float(re.search(r"mean IoU: ([0-9.]+)", result.stdout).group(1))
    assert 0.0 <= score <= 1.0
    state = ember.load(str(tmp_path / "unet.pt"))
    UNet(in_channels=3, num_classes=4, base_channels=4, depth=2).load_state_dict(state, strict=True)


def test_generated_data_is_deterministic_and_labels_every_class():
    example = load_example()
    images, masks = example.make_dataset(24, 32, seed=5)
    again, masks_again = example.make_dataset(24, 32, seed=5)
    assert images.shape == (24, 3, 32, 32) and images.dtype == np.float32
    assert masks.shape == (24, 32, 32) and masks.dtype == np.int64
    np.testing.assert_array_equal(images, again)
    np.testing.assert_array_equal(masks, masks_again)
    assert set(np.unique(masks)) == {0, 1, 2, 3}
    assert (masks > 0).reshape(24, -1).any(axis=1).all()          # every image has at least one shape
    other, _ = example.make_dataset(24, 32, seed=6)
    assert not np.array_equal(images, other)


def test_shapes_have_their_geometric_areas():
    example = load_example()
    size, radius = 200, np.full(3, 60.0)
    centre = np.full(3, 100.0)
    masks = example.shape_masks(np.array([1, 2, 3]), centre, centre, radius, np.array([0.0, 0.3, 1.0]), size)
    areas = masks.reshape(3, -1).sum(axis=1)
    expected = [np.pi * (0.8 * 60) ** 2, (2 * 0.72 * 60) ** 2, 3 * np.sqrt(3) / 4 * 60 ** 2]
    np.testing.assert_allclose(areas, expected, rtol=0.02)


def test_mean_iou_helper():
    example = load_example()
    target = np.array([[0, 0, 1, 1], [2, 2, 2, 0]])
    predicted = np.array([[0, 1, 1, 1], [2, 2, 0, 0]])
    confusion = example.confusion_matrix(predicted, target, 4)
    assert confusion.sum() == 8 and confusion[0, 0] == 2 and confusion[2, 0] == 1
    # background: 2 hits / (3 true + 3 predicted - 2); circle: 2 / (2 + 3 - 2); square: 2 / (3 + 2 - 2)
    iou = example.iou_per_class(confusion)
    np.testing.assert_allclose(iou[:3], [2 / 4, 2 / 3, 2 / 3])
    assert np.isnan(iou[3])                                     # triangle absent: left out of the mean
    assert example.mean_iou(confusion) == np.mean([2 / 4, 2 / 3, 2 / 3])
    assert example.mean_iou(example.confusion_matrix(target, target, 4)) == 1.0
