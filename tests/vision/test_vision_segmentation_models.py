"""FCN, DeepLabV3 and LR-ASPP against torchvision's goldens (scripts/golden/segmentation.py).

The goldens hold torchvision's state_dict layouts (keys and shapes, as in its pretrained checkpoints) and the
outputs of each model with every entry filled by tests/vision/_model_fixtures.fill_array on a fixed input.
"""

import json
import os
import warnings
from collections import OrderedDict

import numpy as np
import pytest
from _model_fixtures import fill_array, model_input

import ember
from ember.vision import models
from ember.vision.models import segmentation

HERE = os.path.join(os.path.dirname(__file__), "golden", "segmentation")
FORWARDS = np.load(os.path.join(HERE, "models.npz"))
with open(os.path.join(HERE, "layouts.json")) as _f:
    LAYOUTS = json.load(_f)

# (golden name, builder, kwargs, input side): as in scripts/golden/segmentation.py
MODEL_FORWARDS = [
    ("fcn_resnet50", "fcn_resnet50", {"num_classes": 5, "aux_loss": True}, 64),
    ("deeplabv3_resnet50", "deeplabv3_resnet50", {"num_classes": 5, "aux_loss": True}, 64),
    ("deeplabv3_mobilenet_v3_large", "deeplabv3_mobilenet_v3_large", {"num_classes": 5, "aux_loss": True}, 64),
    ("lraspp_mobilenet_v3_large", "lraspp_mobilenet_v3_large", {"num_classes": 5}, 64),
    ("fcn_resnet50_odd", "fcn_resnet50", {"num_classes": 3}, 45),
]


def build(builder, **kwargs):
    return getattr(segmentation, builder)(weights=None, weights_backbone=None, **kwargs)


def filled_state(model):
    """The model's state_dict with every entry set by the shared fill rule (as the golden script does)."""
    state = OrderedDict()
    for key, value in model.state_dict().items():
        fill = fill_array(key, tuple(value.shape), value.dtype.name)
        state[key] = value if fill is None else ember.from_numpy(fill)
    return state


@pytest.mark.parametrize("builder", sorted(LAYOUTS))
def test_state_dict_layout_matches_torchvision_checkpoints(builder):
    options = {} if builder.startswith("lraspp") else {"aux_loss": True}
    model = build(builder, num_classes=21, **options)
    layout = [[key, list(value.shape)] for key, value in model.state_dict().items()]
    assert layout == LAYOUTS[builder]


@pytest.mark.parametrize("name, builder, kwargs, side", MODEL_FORWARDS, ids=[m[0] for m in MODEL_FORWARDS])
def test_forward_matches_torchvision(name, builder, kwargs, side):
    model = build(builder, **kwargs)
    model.load_state_dict(filled_state(model), strict=True)
    model.eval()
    with ember.no_grad():
        result = model(ember.from_numpy(model_input(side)))
    assert isinstance(result, OrderedDict)
    expected_keys = [k[len(name) + 1:] for k in FORWARDS.files if k.startswith(name + "_") and
                     k[len(name) + 1:] in ("out", "aux")]
    assert list(result) == sorted(expected_keys, key=["out", "aux"].index)
    for key, value in result.items():
        expected = FORWARDS[f"{name}_{key}"]
        assert tuple(value.shape) == expected.shape == (1, kwargs["num_classes"], side, side)
        scale = np.abs(expected).max()
        np.testing.assert_allclose(value.numpy(), expected, rtol=1e-4, atol=1e-4 * scale, err_msg=f"{name} {key}")


def test_checkpoint_file_sets_classes_and_aux_and_loads_strictly(tmp_path):
    source = build("deeplabv3_mobilenet_v3_large", num_classes=4, aux_loss=True)
    state = filled_state(source)
    path = tmp_path / "deeplab.pth"
    ember.save(state, str(path))
    model = segmentation.deeplabv3_mobilenet_v3_large(weights=str(path))
    assert model.classifier[4].out_channels == 4 and model.aux_classifier is not None
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), state[key].numpy(), err_msg=key)
    lraspp_state = filled_state(build("lraspp_mobilenet_v3_large", num_classes=2))
    lraspp = segmentation.lraspp_mobilenet_v3_large(weights=lraspp_state)
    assert lraspp.classifier.high_classifier.out_channels == 2


def test_checkpoint_with_wrong_layout_is_refused(tmp_path):
    state = filled_state(build("lraspp_mobilenet_v3_large", num_classes=3))
    with pytest.raises(RuntimeError, match="size mismatch"):
        segmentation.lraspp_mobilenet_v3_large(weights=state, num_classes=4)


def test_aux_head_only_when_asked():
    model = build("lraspp_mobilenet_v3_large", num_classes=3)
    assert list(model.eval()(ember.zeros(1, 3, 32, 32))) == ["out"]
    deeplab = build("deeplabv3_mobilenet_v3_large", num_classes=3)
    assert deeplab.aux_classifier is None
    assert list(deeplab.eval()(ember.zeros(1, 3, 32, 32))) == ["out"]
    with pytest.raises(NotImplementedError, match="auxiliary"):
        build("lraspp_mobilenet_v3_large", aux_loss=True)


def test_pretrained_enums_fix_classes_and_aux_before_downloading():
    with pytest.raises(ValueError, match="num_classes"):
        segmentation.fcn_resnet50(weights=segmentation.FCN_ResNet50_Weights.DEFAULT, num_classes=5)
    with pytest.raises(ValueError, match="aux_loss"):
        segmentation.deeplabv3_resnet50(weights="DEFAULT", aux_loss=False)
    with pytest.raises(ValueError, match="num_classes"):
        segmentation.lraspp_mobilenet_v3_large(weights="COCO_WITH_VOC_LABELS_V1", num_classes=3)


def test_weights_enums_describe_torchvision_checkpoints():
    weights = segmentation.DeepLabV3_ResNet50_Weights.COCO_WITH_VOC_LABELS_V1
    assert weights.url == "https://download.pytorch.org/models/deeplabv3_resnet50_coco-cd0a2569.pth"
    assert len(weights.meta["categories"]) == 21 and weights.meta["categories"][15] == "person"
    assert segmentation.LRASPP_MobileNet_V3_Large_Weights.DEFAULT.meta["num_params"] == 3221538
    assert weights.transforms().resize_size == [520]


def test_builders_are_registered():
    names = models.list_models(module=segmentation)
    assert names == ["deeplabv3_mobilenet_v3_large", "deeplabv3_resnet101", "deeplabv3_resnet50", "fcn_resnet101",
                     "fcn_resnet50", "lraspp_mobilenet_v3_large"]
    assert models.get_model_weights("fcn_resnet50") is segmentation.FCN_ResNet50_Weights


def test_legacy_pretrained_false_warns_and_builds():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = segmentation.lraspp_mobilenet_v3_large(pretrained=False, pretrained_backbone=False, num_classes=2)
    assert any("deprecated" in str(w.message) for w in caught)
    assert model.classifier.low_classifier.out_channels == 2


def test_training_backward_reaches_backbone_and_heads():
    model = build("lraspp_mobilenet_v3_large", num_classes=3)
    out = model(ember.randn(2, 3, 32, 32))["out"]
    ember.nn.functional.cross_entropy(out, ember.randint(0, 3, (2, 32, 32))).backward()
    assert model.backbone["0"][0].weight.grad is not None
    assert model.classifier.high_classifier.weight.grad.abs().sum().item() > 0


@pytest.mark.parametrize("module", ["fcn", "deeplabv3", "lraspp"])
def test_docstring_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"ember.vision.models.segmentation.{module}"),
                             extraglobs={"ember": ember})
    assert result.attempted > 0 and result.failed == 0
