"""ember.vision.models against torchvision's goldens (scripts/golden/models.py), without torchvision installed.

Each model's state_dict layout (keys, shapes, dtypes, in order) must equal torchvision's; filled with the same
deterministic values (tests/vision/_model_fixtures.py) and loaded with strict=True, its eval() logits must equal
torchvision's (in float64, or float32 for VGG/AlexNet: see _model_fixtures.forward_dtype). Every model's forward
runs (all of them together take about 35 s on one core).
"""

import json
import os

import numpy as np
import pytest
from _model_fixtures import MODELS, VARIANTS, fill_array, forward_dtype, model_input

import ember
from ember import nn
from ember.vision import models

GOLDEN_DIR = os.path.join(os.path.dirname(__file__), "golden", "models")
with open(os.path.join(GOLDEN_DIR, "models.json")) as _f:
    GOLDEN = json.load(_f)
OUTPUTS = np.load(os.path.join(GOLDEN_DIR, "outputs.npz"))

FORWARD_CASES = list(MODELS)
FORWARD_CASES += [name for name, *_ in VARIANTS]


@pytest.fixture
def skip_init(monkeypatch):
    """Make every nn.init function a no-op, so building the largest models only allocates (for layout checks)."""
    for name in ("kaiming_uniform_", "kaiming_normal_", "uniform_", "normal_", "constant_", "ones_", "zeros_"):
        monkeypatch.setattr(nn.init, name, lambda tensor, *args, **kwargs: tensor)


def build(name):
    """The ember model for golden entry ``name`` (a builder name or a VARIANTS entry)."""
    entry = GOLDEN["models"][name]
    return getattr(models, entry["builder"])(**entry["kwargs"])


def layout(model):
    return [[key, list(value.shape), str(value.dtype).replace("ember.", "")]
            for key, value in model.state_dict().items()]


def filled_state(model):
    """fill_array's value for every state_dict entry of ``model`` (num_batches_tracked as the model has it)."""
    state = {}
    for key, value in model.state_dict().items():
        array = fill_array(key, tuple(value.shape), str(value.dtype).replace("ember.", ""))
        state[key] = value if array is None else ember.from_numpy(array)
    return state


def assert_logits_close(actual, expected):
    """Agreement relative to the logits' scale: 1e-11 in float64 (observed ~1e-15), 3e-5 in float32 (~1.5e-6)."""
    assert actual.dtype == expected.dtype
    tolerance = 1e-11 if expected.dtype == np.float64 else 3e-5
    scale = float(np.abs(expected).max())
    np.testing.assert_allclose(actual, expected, rtol=tolerance, atol=tolerance * scale)


def golden_logits(name, state_change=None):
    """Logits of golden model ``name`` filled with fill_array's values (after ``state_change(state)``, if given)."""
    model = build(name).eval()
    state = filled_state(model)
    if state_change is not None:
        state_change(state)
    model.load_state_dict(state, strict=True)
    dtype = forward_dtype(name)
    if dtype == "float64":
        model.double()
    image = model_input(GOLDEN["models"][name]["input"]).astype(dtype)
    with ember.no_grad():
        return model(ember.from_numpy(image)).numpy()


def test_golden_covers_every_registered_builder():
    assert set(models.list_models(module=models)) == set(MODELS)
    assert set(GOLDEN["models"]) == set(MODELS) | {name for name, *_ in VARIANTS}


def test_imagenet_categories_are_torchvisions():
    from ember.vision.models._meta import _IMAGENET_CATEGORIES

    assert _IMAGENET_CATEGORIES == GOLDEN["categories"]
    assert models.ResNet50_Weights.DEFAULT.meta["categories"] is _IMAGENET_CATEGORIES


@pytest.mark.parametrize("name", sorted(GOLDEN["models"]))
def test_state_dict_layout_matches_torchvision(name, skip_init):
    assert layout(build(name)) == GOLDEN["models"][name]["keys"]


@pytest.mark.parametrize("name", FORWARD_CASES)
def test_eval_logits_match_torchvision(name, skip_init):
    assert GOLDEN["models"][name]["dtype"] == forward_dtype(name)
    assert_logits_close(golden_logits(name), OUTPUTS[name])


@pytest.mark.parametrize("name", ["resnet18", "mobilenet_v3_small", "efficientnet_b0", "shufflenet_v2_x0_5",
                                  "densenet121"])
def test_train_mode_forward_backward_gives_finite_grads(name):
    ember.manual_seed(0)
    model = getattr(models, name)(num_classes=5).train()
    images = ember.randn(2, 3, 32, 32)
    loss = nn.functional.cross_entropy(model(images), ember.tensor([1, 3]))
    loss.backward()
    assert np.isfinite(loss.item())
    for key, param in model.named_parameters():
        assert param.grad is not None, key
        assert param.grad.shape == param.shape and np.isfinite(param.grad.numpy()).all(), key
    assert float(model.state_dict()[_first_running_mean(model)].abs().sum()) > 0   # batch statistics were tracked


def _first_running_mean(model):
    return next(key for key in model.state_dict() if key.endswith("running_mean"))


def test_train_mode_differs_from_eval_and_dropout_is_active():
    ember.manual_seed(0)
    model = models.mobilenet_v2(num_classes=4)
    images = ember.randn(3, 3, 32, 32)
    model.train()
    first, second = model(images), model(images)
    assert not np.allclose(first.detach().numpy(), second.detach().numpy())   # dropout draws differ
    model.eval()
    with ember.no_grad():
        assert np.array_equal(model(images).numpy(), model(images).numpy())


@pytest.mark.parametrize("name, key", [("efficientnet_b0", "features.1.0.block.0.0.weight"),
                                       ("mobilenet_v3_small", "features.2.block.1.0.weight")])
def test_a_golden_comparison_can_fail(name, key, skip_init):
    """Scaling one early weight by 1.001 moves the logits outside the tolerance (the check has teeth)."""
    def nudge(state):
        state[key] = state[key] * 1.001

    with pytest.raises(AssertionError):
        assert_logits_close(golden_logits(name, nudge), OUTPUTS[name])


def test_zero_init_residual_zeroes_the_last_norm_of_each_block():
    assert float(models.resnet18(zero_init_residual=True).layer1[0].bn2.weight.abs().sum()) == 0.0
    assert float(models.resnet50(zero_init_residual=True).layer2[1].bn3.weight.abs().sum()) == 0.0
    assert float(models.resnet18().layer1[0].bn2.weight.abs().sum()) == 64.0


def test_constructor_arguments_reach_the_model(skip_init):
    net = models.resnet50(replace_stride_with_dilation=[False, True, True], num_classes=3)
    assert net.layer3[0].conv2.stride == (1, 1) and net.layer4[1].conv2.dilation == (4, 4)
    assert models.resnext50_32x4d().layer2[0].conv2.groups == 32
    assert models.wide_resnet50_2().layer1[0].conv1.out_channels == 128
    assert models.mobilenet_v2(dropout=0.3).classifier[0].p == 0.3
    assert models.efficientnet_b0(dropout=0.4).classifier[0].p == 0.4
    assert models.efficientnet_b0(stochastic_depth_prob=0.5).features[7][0].stochastic_depth.p == pytest.approx(
        0.5 * 15 / 16)
    assert models.vgg11(dropout=0.1).classifier[2].p == 0.1
    gn = models.resnet18(norm_layer=lambda c: nn.GroupNorm(4, c))
    assert isinstance(gn.bn1, nn.GroupNorm)
    assert models.densenet121(memory_efficient=True).features.denseblock1.denselayer1.memory_efficient


def test_constructor_errors_match_torchvision():
    with pytest.raises(ValueError, match="replace_stride_with_dilation"):
        models.resnet50(replace_stride_with_dilation=[True])
    with pytest.raises(ValueError, match="BasicBlock only supports"):
        models.resnet18(groups=2)
    with pytest.raises(NotImplementedError, match="Dilation > 1"):
        models.resnet18(replace_stride_with_dilation=[False, False, True])
    with pytest.raises(ValueError, match="inverted_residual_setting"):
        models.mobilenet_v2(inverted_residual_setting=[[1, 16, 1]])
    with pytest.raises(ValueError, match="Unsupported SqueezeNet version"):
        models.SqueezeNet("2_0")
    with pytest.raises(ValueError, match="stages_repeats"):
        models.ShuffleNetV2([4, 8], [24, 48, 96, 192, 1024])
    with pytest.raises(TypeError, match="List\\[MBConvConfig\\]"):
        models.EfficientNet([1, 2], 0.2)
    with pytest.raises(TypeError, match="List\\[InvertedResidualConfig\\]"):
        models.MobileNetV3([1, 2], 1024)
