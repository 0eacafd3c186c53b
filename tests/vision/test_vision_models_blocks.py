"""The building blocks of ember.vision.models: ops.misc (Conv2dNormActivation, SqueezeExcitation, FrozenBatchNorm2d,
MLP, Permute), ops.stochastic_depth, and models._utils (IntermediateLayerGetter, _make_divisible, ...).

torchvision's versions are compositions of torch.nn layers, so they are checked against the same composition in
torch 2.13 with the same weights."""

import numpy as np
import pytest
from helpers import check_grad

import ember
from ember import nn
from ember.vision.models import _utils, resnet18
from ember.vision.ops.misc import (
    MLP,
    Conv2dNormActivation,
    Conv3dNormActivation,
    ConvNormActivation,
    FrozenBatchNorm2d,
    Permute,
    SqueezeExcitation,
)
from ember.vision.ops.stochastic_depth import StochasticDepth, stochastic_depth

torch = pytest.importorskip("torch")


def _copy_into_torch(ember_module, torch_module):
    state = {key: torch.from_numpy(value.numpy().copy()) for key, value in ember_module.state_dict().items()}
    torch_module.load_state_dict(state, strict=True)


def _random_state(module, rng):
    """Random values for every float entry (positive running_var), loaded with strict=True."""
    state = {}
    for key, value in module.state_dict().items():
        if value.dtype != ember.float32:
            state[key] = value
        elif key.endswith("running_var"):
            state[key] = ember.from_numpy(rng.uniform(0.5, 1.5, tuple(value.shape)).astype(np.float32))
        else:
            state[key] = ember.from_numpy(rng.standard_normal(tuple(value.shape)).astype(np.float32))
    module.load_state_dict(state, strict=True)


# ----------------------------------------------------------------------------- ops.misc

def test_conv2d_norm_activation_layout_and_values():
    block = Conv2dNormActivation(3, 8, kernel_size=3, stride=2, dilation=2)
    assert [name for name, _ in block.named_children()] == ["0", "1", "2"]
    assert block[0].padding == (2, 2) and block[0].bias is None and block.out_channels == 8
    assert block[2].inplace is True
    rng = np.random.default_rng(0)
    _random_state(block, rng)
    reference = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, 2, 2, dilation=2, bias=False),
                                    torch.nn.BatchNorm2d(8), torch.nn.ReLU())
    _copy_into_torch(block, reference)
    x = rng.standard_normal((2, 3, 9, 11)).astype(np.float32)
    block.eval(), reference.eval()
    np.testing.assert_allclose(block(ember.from_numpy(x)).detach().numpy(),
                               reference(torch.from_numpy(x)).detach().numpy(), rtol=1e-5, atol=1e-5)


def test_conv_norm_activation_options():
    plain = Conv2dNormActivation(4, 6, kernel_size=(1, 3), norm_layer=None, activation_layer=None)
    assert len(plain) == 1 and plain[0].bias is not None and plain[0].padding == (0, 1)
    no_inplace = Conv2dNormActivation(4, 6, activation_layer=nn.Hardswish, inplace=None)
    assert isinstance(no_inplace[2], nn.Hardswish)
    forced_bias = Conv2dNormActivation(4, 6, bias=True)
    assert forced_bias[0].bias is not None
    cube = Conv3dNormActivation(2, 4, kernel_size=3)
    assert isinstance(cube[0], nn.Conv3d) and isinstance(cube[1], nn.BatchNorm3d)
    assert cube(ember.zeros(1, 2, 4, 5, 6)).shape == (1, 4, 4, 5, 6)
    with pytest.warns(UserWarning, match="Don't use ConvNormActivation directly"):
        ConvNormActivation(2, 2)


def test_squeeze_excitation_matches_torch_composition():
    rng = np.random.default_rng(1)
    se = SqueezeExcitation(8, 3, scale_activation=nn.Hardsigmoid)
    _random_state(se, rng)
    x = rng.standard_normal((2, 8, 5, 5)).astype(np.float32)
    fc1 = torch.from_numpy(se.fc1.weight.detach().numpy())
    fc2 = torch.from_numpy(se.fc2.weight.detach().numpy())
    tx = torch.from_numpy(x)
    pooled = tx.mean((2, 3), keepdim=True)
    hidden = torch.relu(torch.nn.functional.conv2d(pooled, fc1, torch.from_numpy(se.fc1.bias.detach().numpy())))
    gate = torch.nn.functional.hardsigmoid(
        torch.nn.functional.conv2d(hidden, fc2, torch.from_numpy(se.fc2.bias.detach().numpy())))
    np.testing.assert_allclose(se(ember.from_numpy(x)).detach().numpy(), (gate * tx).numpy(), rtol=1e-5, atol=1e-6)
    assert sorted(se.state_dict()) == ["fc1.bias", "fc1.weight", "fc2.bias", "fc2.weight"]


def test_squeeze_excitation_and_frozen_batch_norm_gradients():
    rng = np.random.default_rng(2)
    se = SqueezeExcitation(4, 2).double()
    check_grad(lambda x: se(x), rng.standard_normal((2, 4, 3, 3)))
    frozen = FrozenBatchNorm2d(4).double()
    check_grad(lambda x: frozen(x) * 2.0, rng.standard_normal((2, 4, 2, 2)))
    check_grad(lambda x: stochastic_depth(x, 0.3, "row", training=False), rng.standard_normal((3, 2)))


def test_frozen_batch_norm_matches_eval_batch_norm():
    rng = np.random.default_rng(3)
    frozen = FrozenBatchNorm2d(5, eps=1e-3)
    _random_state(frozen, rng)
    assert sorted(frozen.state_dict()) == ["bias", "running_mean", "running_var", "weight"]
    assert list(frozen.parameters()) == []
    x = rng.standard_normal((2, 5, 3, 4)).astype(np.float32)
    buffers = {k: torch.from_numpy(v.numpy()) for k, v in frozen.state_dict().items()}
    expected = torch.nn.functional.batch_norm(torch.from_numpy(x), buffers["running_mean"], buffers["running_var"],
                                              buffers["weight"], buffers["bias"], training=False, eps=1e-3)
    np.testing.assert_allclose(frozen(ember.from_numpy(x)).numpy(), expected.numpy(), rtol=1e-5, atol=1e-5)
    assert repr(frozen) == "FrozenBatchNorm2d(5, eps=0.001)"


def test_frozen_batch_norm_loads_a_batch_norm_checkpoint():
    bn = nn.BatchNorm2d(4)
    state = bn.state_dict()
    assert "num_batches_tracked" in state
    frozen = FrozenBatchNorm2d(4)
    frozen.load_state_dict(state, strict=True)
    holder = nn.Sequential(FrozenBatchNorm2d(4))
    holder.load_state_dict({f"0.{k}": v for k, v in state.items()}, strict=True)


def test_mlp_layout_and_values():
    mlp = MLP(6, [8, 5, 3], norm_layer=nn.LayerNorm, activation_layer=nn.GELU, dropout=0.1)
    kinds = [type(m).__name__ for m in mlp]
    assert kinds == ["Linear", "LayerNorm", "GELU", "Dropout", "Linear", "LayerNorm", "GELU", "Dropout", "Linear",
                     "Dropout"]
    rng = np.random.default_rng(4)
    _random_state(mlp, rng)
    reference = torch.nn.Sequential(
        torch.nn.Linear(6, 8), torch.nn.LayerNorm(8), torch.nn.GELU(), torch.nn.Dropout(0.1),
        torch.nn.Linear(8, 5), torch.nn.LayerNorm(5), torch.nn.GELU(), torch.nn.Dropout(0.1),
        torch.nn.Linear(5, 3), torch.nn.Dropout(0.1))
    _copy_into_torch(mlp, reference)
    mlp.eval(), reference.eval()
    x = rng.standard_normal((4, 6)).astype(np.float32)
    np.testing.assert_allclose(mlp(ember.from_numpy(x)).detach().numpy(),
                               reference(torch.from_numpy(x)).detach().numpy(), rtol=1e-5, atol=1e-5)
    assert MLP(3, [4], bias=False, inplace=True)[0].bias is None


def test_permute():
    x = ember.arange(24.0).reshape(2, 3, 4)
    out = Permute([2, 0, 1])(x)
    assert np.array_equal(out.numpy(), x.numpy().transpose(2, 0, 1))


# ----------------------------------------------------------------------------- stochastic depth

def test_stochastic_depth_is_identity_outside_training_or_at_zero():
    x = ember.randn(4, 3, 2)
    assert stochastic_depth(x, 0.7, "row", training=False) is x
    assert stochastic_depth(x, 0.0, "batch") is x
    assert np.array_equal(StochasticDepth(0.5, "row").eval()(x).numpy(), x.numpy())


def test_stochastic_depth_row_mode_drops_whole_rows_and_rescales():
    ember.manual_seed(0)
    x = ember.ones(2000, 3)
    out = stochastic_depth(x, 0.25, "row").numpy()
    assert set(np.unique(out).tolist()) <= {0.0, float(np.float32(1.0 / 0.75))}
    assert (out == out[:, :1]).all()                        # each row kept or dropped as a whole
    assert abs((out[:, 0] == 0).mean() - 0.25) < 0.05
    assert abs(out.mean() - 1.0) < 0.08                     # expectation preserved


def test_stochastic_depth_batch_mode_and_extremes():
    ember.manual_seed(1)
    x = ember.ones(5, 2)
    outcomes = {float(stochastic_depth(x, 0.5, "batch").numpy().std()) for _ in range(20)}
    assert outcomes == {0.0}                               # the whole batch shares one draw
    assert float(stochastic_depth(x, 1.0, "row").abs().sum()) == 0.0
    assert repr(StochasticDepth(0.1, "batch")) == "StochasticDepth(p=0.1, mode=batch)"


def test_stochastic_depth_gradient_flows_through_survivors():
    ember.manual_seed(2)
    x = ember.randn(6, 4, requires_grad=True)
    out = stochastic_depth(x, 0.5, "row")
    out.sum().backward()
    kept = out.detach().numpy() != 0
    np.testing.assert_allclose(x.grad.numpy()[kept], 2.0)
    np.testing.assert_allclose(x.grad.numpy()[~kept], 0.0)


def test_stochastic_depth_errors():
    x = ember.ones(2, 2)
    with pytest.raises(ValueError, match="between 0 and 1, but got 1.5"):
        stochastic_depth(x, 1.5, "row")
    with pytest.raises(ValueError, match="'batch' or 'row', but got col"):
        stochastic_depth(x, 0.5, "col")


# ----------------------------------------------------------------------------- models._utils

def test_make_divisible():
    assert _utils._make_divisible(32 * 0.75, 8) == 24
    assert _utils._make_divisible(10, 8) == 16            # rounding down to 8 would lose more than 10%
    assert _utils._make_divisible(3, 8) == 8
    assert _utils._make_divisible(91, 8) == 88 and _utils._make_divisible(5, 8, min_value=16) == 16


def test_overwrite_helpers():
    kwargs = {"num_classes": 10}
    _utils._ovewrite_named_param(kwargs, "num_classes", 10)
    _utils._ovewrite_named_param(kwargs, "aux_logits", True)
    assert kwargs == {"num_classes": 10, "aux_logits": True}
    with pytest.raises(ValueError, match="expected value 1000 but got 10"):
        _utils._ovewrite_named_param(kwargs, "num_classes", 1000)
    assert _utils._ovewrite_value_param("num_classes", None, 21) == 21
    with pytest.raises(ValueError):
        _utils._ovewrite_value_param("num_classes", 3, 21)


def test_intermediate_layer_getter():
    net = resnet18().eval()
    getter = _utils.IntermediateLayerGetter(net, {"layer1": "feat1", "layer3": "feat2"})
    assert list(getter.keys())[-1] == "layer3" and "fc" not in getter
    with ember.no_grad():
        x = ember.randn(1, 3, 64, 64)
        out = getter(x)
        expected = net.layer3(net.layer2(net.layer1(net.maxpool(net.relu(net.bn1(net.conv1(x)))))))
    assert list(out) == ["feat1", "feat2"]
    assert out["feat1"].shape == (1, 64, 16, 16)
    assert np.array_equal(out["feat2"].numpy(), expected.numpy())
    assert set(getter.state_dict()) < set(net.state_dict())
    with pytest.raises(ValueError, match="return_layers are not present in model"):
        _utils.IntermediateLayerGetter(net, {"layer9": "x"})


# ----------------------------------------------------------------------------- docstring examples

@pytest.mark.parametrize("module", ["ember.vision.ops.misc", "ember.vision.ops.stochastic_depth",
                                    "ember.vision.models", "ember.vision.models._api", "ember.vision.models._utils",
                                    "ember.vision.models._meta", "ember.vision.models.resnet",
                                    "ember.vision.models.vgg", "ember.vision.models.alexnet",
                                    "ember.vision.models.squeezenet", "ember.vision.models.densenet",
                                    "ember.vision.models.mobilenetv2", "ember.vision.models.mobilenetv3",
                                    "ember.vision.models.efficientnet", "ember.vision.models.shufflenetv2"])
def test_docstring_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), extraglobs={"ember": ember})
    assert result.attempted > 0 and result.failed == 0
