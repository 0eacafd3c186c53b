"""examples/edge_detection_hed.py: the --quick run, its scene generator and its ODS F-score helpers."""

import importlib.util
import json
import os
import re
import subprocess
import sys

import numpy as np

import ember
from ember.vision.models.hed import HED

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "examples", "edge_detection_hed.py")


def load_example():
    spec = importlib.util.spec_from_file_location("edge_detection_hed_example", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_quick_run_trains_and_reports_both_detectors(tmp_path):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run([sys.executable, SCRIPT, "--quick", "--results", "results.json", "--save", "hed.pt"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "epoch 1: mean training loss" in result.stdout
    for detector in ("HED", "Canny"):
        for tolerance in (1, 2):
            line = re.search(rf"tolerance {tolerance}px  {detector} +ODS F ([0-9.]+) \(P ([0-9.]+), R ([0-9.]+)\)",
                             result.stdout)
            assert line, f"no {detector} line at tolerance {tolerance}:\n{result.stdout}"
            assert all(0.0 <= float(v) <= 1.0 for v in line.groups())
    with open(tmp_path / "results.json") as f:
        results = json.load(f)
    assert results["canny_tol2"]["f"] >= results["canny_tol1"]["f"] > 0.2   # a looser match never scores lower
    assert results["hed_tol2"]["f"] >= results["hed_tol1"]["f"] > 0.0
    HED(base_channels=4).load_state_dict(ember.load(str(tmp_path / "hed.pt")), strict=True)


def test_scenes_are_deterministic_with_boundary_targets():
    example = load_example()
    images, edges = example.make_dataset(np.random.default_rng(5), 6, 40)
    again, edges_again = example.make_dataset(np.random.default_rng(5), 6, 40)
    assert images.shape == (6, 3, 40, 40) and images.dtype == np.float32
    assert edges.shape == (6, 1, 40, 40) and set(np.unique(edges)) <= {0.0, 1.0}
    assert images.min() >= 0.0 and images.max() <= 1.0
    np.testing.assert_array_equal(images, again)
    np.testing.assert_array_equal(edges, edges_again)
    fraction = edges.mean()
    assert 0.01 < fraction < 0.25


def test_boundaries_mark_label_changes():
    example = load_example()
    labels = np.zeros((6, 7), dtype=np.int64)
    labels[2:4, 1:5] = 1
    edges = example.boundaries(labels)
    expected = np.zeros((6, 7), dtype=bool)
    expected[1, 1:5] = True          # above the square (differs from the pixel below)
    expected[3, 1:5] = True          # the square's last row (differs from below)
    expected[2:4, 0] = True          # left of the square
    expected[2:4, 4] = True          # the square's last column
    np.testing.assert_array_equal(edges, expected)


def test_f_score_with_tolerance():
    example = load_example()
    truth = np.zeros((1, 10, 10), dtype=bool)
    truth[0, 5, 2:8] = True
    shifted = np.roll(truth, 1, axis=1)
    assert example.f_score(example.match_counts(truth, truth, 0))[2] == 1.0
    assert example.f_score(example.match_counts(shifted, truth, 0))[2] == 0.0
    assert example.f_score(example.match_counts(shifted, truth, 1))[2] == 1.0
    half = truth.copy()
    half[0, 5, 5:8] = False
    precision, recall, f = example.f_score(example.match_counts(half, truth, 0))
    assert (precision, recall) == (1.0, 0.5) and abs(f - 2 / 3) < 1e-12


def test_thin_keeps_the_crest_of_a_soft_line():
    example = load_example()
    profile = np.array([0.0, 0.1, 0.4, 0.9, 0.5, 0.2, 0.0, 0.0])
    vertical = np.tile(profile, (12, 1))[None, None]                # a ridge along the rows at column 3
    thinned = example.thin(vertical)[0]
    assert np.all(thinned[2:-2, 3] == 0.9)
    assert not np.any(thinned[2:-2, [1, 2, 4, 5]])
    diagonal = np.stack([np.roll(np.pad(profile, (0, 8)), k) for k in range(12)])[None, None]
    thinned = example.thin(diagonal)[0]
    rows = np.arange(3, 9)
    assert np.all(thinned[rows, rows + 3] == 0.9)
    offsets = np.arange(16)[None, :] - np.arange(12)[:, None] - 3       # column minus the crest's column
    assert not np.any(thinned[3:9][np.abs(offsets[3:9]) >= 2])
