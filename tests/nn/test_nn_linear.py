"""F.linear / F.bilinear / torch.bilinear and the Identity, Linear, Bilinear, Flatten, Unflatten layers against torch:
values, gradients, finite differences, default initialisation, reprs and errors."""

import math

import numpy as np
import pytest
from helpers import assert_close, check_grad, noncontiguous, parity, randint, randn, requires_torch, same_error, torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember

pytestmark = requires_torch


def F(m):
    return m.nn.functional


@pytest.mark.parametrize("x_shape,w_shape,b_shape", [
    ((4, 3), (5, 3), (5,)), ((4, 3), (5, 3), None), ((2, 4, 3), (5, 3), (5,)), ((3,), (5, 3), (5,)),
    ((2, 1, 4, 3), (2, 3), ()), ((0, 3), (5, 3), (5,)), ((4, 0), (5, 0), (5,)), ((4, 3), (0, 3), (0,)),
    ((4, 3), (5, 3), (1,)), ((4, 3), (5, 3), (4, 5)), ((4, 3), (3,), None),
])
def test_linear(x_shape, w_shape, b_shape):
    inputs = [randn(*x_shape), randn(*w_shape)] + ([randn(*b_shape)] if b_shape is not None else [])
    parity(lambda m, *ts: F(m).linear(*ts), *inputs)


def test_linear_float32_noncontiguous_and_integers():
    parity(lambda m, x, w, b: F(m).linear(x, w, b), noncontiguous(randn(6, 4).astype(np.float32)),
           noncontiguous(randn(3, 4).astype(np.float32)), randn(3).astype(np.float32), rtol=1e-5, atol=1e-5)
    parity(lambda m, x, w: F(m).linear(x, w.t()), randn(6, 4), noncontiguous(randn(4, 3)))
    parity(lambda m, x, w, b: F(m).linear(x, w, b), randint(-3, 3, 2, 3), randint(-3, 3, 4, 3), randint(-3, 3, 4),
           grad=False)


def test_linear_grad_fn_and_partial_gradients():
    x, w = ember.tensor(randn(3, 2), requires_grad=True), ember.tensor(randn(4, 2))
    y = F(ember).linear(x, w, ember.zeros(4, dtype=ember.float64))
    assert y.grad_fn.name() == "AddmmBackward0"
    y.sum().backward()
    assert x.grad is not None and w.grad is None
    parity(lambda m, x, w: F(m).linear(x, w.detach()), randn(3, 2), randn(4, 2))


@pytest.mark.parametrize("with_bias", [True, False])
def test_linear_finite_differences(with_bias):
    inputs = [randn(2, 3, 4), randn(5, 4)] + ([randn(5)] if with_bias else [])
    check_grad(lambda *ts: F(ember).linear(*ts), *inputs)
    check_grad(lambda x, w: F(ember).linear(x, w), randn(4), randn(2, 4))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=0, max_size=3), st.integers(1, 4), st.integers(0, 4), st.booleans())
def test_linear_property_shapes(lead, in_features, out_features, bias):
    inputs = [randn(*lead, in_features), randn(out_features, in_features)] + ([randn(out_features)] if bias else [])
    parity(lambda m, *ts: F(m).linear(*ts), *inputs)


def test_linear_errors():
    same_error(lambda m, x, w: F(m).linear(x, w), randn(4, 3), randn(2, 5))
    same_error(lambda m, x, w: F(m).linear(x, w), randn(2, 4, 3), randn(2, 5))
    same_error(lambda m, x, w: F(m).linear(x, w), randn(3), randn(2, 5))
    same_error(lambda m, x, w: F(m).linear(x, w), randn(4, 3), randn(2, 3).astype(np.float32))
    same_error(lambda m, x, w, b: F(m).linear(x, w, b), randn(4, 3), randn(2, 3), randn(3))
    same_error(lambda m, x, w, b: F(m).linear(x, w, b), randn(4, 3), randn(2, 3), randn(2).astype(np.float32))
    same_error(lambda m, x, w: F(m).linear(x, w), np.array(1.0), randn(2, 3))
    same_error(lambda m, x, w: F(m).linear(x, w), randn(4, 3), randn(1, 2, 3))
    same_error(lambda m, x, w, b: F(m).linear(x, w, b), randn(4, 3), randn(3), np.array(1.0))
    same_error(lambda m, x, w: F(m).linear(x.numpy(), w), randn(4, 3), randn(2, 3))
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(8x3 and 5x2\)"):
            F(lib).linear(lib.ones(2, 4, 3), lib.ones(2, 5))


@pytest.mark.parametrize("shapes", [
    ((4, 3), (4, 5), (2, 3, 5), (2,)), ((4, 3), (4, 5), (2, 3, 5), None), ((3,), (5,), (2, 3, 5), (2,)),
    ((2, 4, 3), (2, 4, 5), (2, 3, 5), (2,)), ((0, 3), (0, 5), (2, 3, 5), (2,)),
])
def test_bilinear(shapes):
    x1, x2, w, b = shapes
    inputs = [randn(*x1), randn(*x2), randn(*w)] + ([randn(*b)] if b is not None else [])
    parity(lambda m, *ts: m.bilinear(*ts), *inputs)
    parity(lambda m, *ts: F(m).bilinear(*ts), *inputs)
    check_grad(lambda *ts: ember.bilinear(*ts), *inputs) if x1[0] else None


def test_bilinear_float32_and_errors():
    parity(lambda m, *ts: m.bilinear(*ts), randn(3, 2).astype(np.float32), noncontiguous(randn(3, 4)).astype(
        np.float32), randn(5, 2, 4).astype(np.float32), randn(5).astype(np.float32), rtol=1e-5, atol=1e-5)
    same_error(lambda m, *ts: m.bilinear(*ts), randn(4, 3), randn(5, 5), randn(2, 3, 5))
    same_error(lambda m, *ts: m.bilinear(*ts), randn(4, 3), randn(4, 5), randn(2, 3, 6))
    same_error(lambda m, *ts: m.bilinear(*ts), randn(4, 3), randn(4, 5), randn(3, 5))
    same_error(lambda m, *ts: m.bilinear(*ts), randn(4, 3), randn(4, 5), randn(2, 4, 5))
    same_error(lambda m, *ts: m.bilinear(*ts), randn(4, 3), randn(4, 5), randn(2, 3, 5), randn(3))
    same_error(lambda m, *ts: m.bilinear(*ts), randn(4, 3), randn(2, 4, 5), randn(2, 3, 5))


# ----------------------------------------------------------------------------- layers

def _copy_parameters(ember_module, torch_module):
    state = {k: ember.tensor(v.detach().numpy().copy()) for k, v in torch_module.state_dict().items()}
    ember_module.load_state_dict(state)


def module_parity(make, *inputs, rtol=1e-5, atol=1e-5):
    """The layer built in both libraries (torch's parameters copied into ember's): repr, outputs, input gradients
    and parameter gradients."""
    layers = {ember: make(ember), torch: make(torch)}
    _copy_parameters(layers[ember], layers[torch])
    assert repr(layers[ember]) == repr(layers[torch])
    parity(lambda m, *ts: layers[m](*ts), *inputs, rtol=rtol, atol=atol)
    for (name, e), (_, t) in zip(layers[ember].named_parameters(), layers[torch].named_parameters()):
        assert_close(e.grad, t.grad, rtol, atol, what=f"gradient of {name}")


@pytest.mark.parametrize("bias", [True, False])
def test_linear_layer(bias):
    module_parity(lambda m: m.nn.Linear(7, 5, bias=bias), randn(3, 7).astype(np.float32))
    module_parity(lambda m: m.nn.Linear(4, 2, bias, dtype=m.float64), randn(2, 3, 4))


@pytest.mark.parametrize("bias", [True, False])
def test_bilinear_layer(bias):
    module_parity(lambda m: m.nn.Bilinear(3, 4, 5, bias=bias), randn(6, 3).astype(np.float32),
                  randn(6, 4).astype(np.float32))


def test_identity_flatten_unflatten_layers():
    module_parity(lambda m: m.nn.Identity(3, unused=True), randn(2, 3))
    x = ember.ones(2)
    assert ember.nn.Identity()(x) is x
    for args in [(), (0,), (1, 2), (-3, -2), (0, -1)]:
        module_parity(lambda m, args=args: m.nn.Flatten(*args), randn(2, 3, 4))
    module_parity(lambda m: m.nn.Unflatten(1, (2, 5, 5)), randn(2, 50))
    module_parity(lambda m: m.nn.Unflatten(-1, [2, -1]), randn(3, 4))
    module_parity(lambda m: m.nn.Unflatten(0, (1, 2)), randn(2))
    same_error(lambda m: m.nn.Unflatten(1, 5))
    same_error(lambda m: m.nn.Unflatten(1, (2, 2.5)))
    same_error(lambda m, t: m.nn.Unflatten(1, (3, 3))(t), randn(2, 10))
    same_error(lambda m, t: m.nn.Flatten(3)(t), randn(2, 3))


def test_layer_attributes_and_dtype():
    for lib in (ember, torch):
        layer = lib.nn.Linear(3, 2, bias=False, dtype=lib.float64)
        assert layer.bias is None and layer.weight.dtype == lib.float64
        assert [n for n, _ in layer.named_parameters()] == ["weight"]
        bilinear = lib.nn.Bilinear(2, 3, 4)
        assert (bilinear.in1_features, bilinear.in2_features, bilinear.out_features) == (2, 3, 4)
        assert list(bilinear.state_dict()) == ["weight", "bias"]
    same_error(lambda m: m.nn.Bilinear(0, 3, 4))


def test_default_initialisation_distributions():
    """Linear: weight ~ U(-1/sqrt(in), 1/sqrt(in)) (kaiming_uniform with a=sqrt(5)), bias the same bound;
    Bilinear: weight and bias ~ U(-1/sqrt(in1), 1/sqrt(in1))."""
    ember.manual_seed(0)
    layer = ember.nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    weight, bias = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    for values in (weight, bias):
        assert values.min() >= -bound and values.max() <= bound
        assert values.max() > 0.95 * bound and values.min() < -0.95 * bound
    assert abs(weight.mean()) < 0.02 * bound
    assert abs(weight.std() - bound / math.sqrt(3)) < 0.02 * bound
    first = weight.copy()
    layer.reset_parameters()
    assert not np.array_equal(first, layer.weight.detach().numpy())
    bilinear = ember.nn.Bilinear(16, 30, 200)
    bound = 1 / math.sqrt(16)
    w = bilinear.weight.detach().numpy()
    assert w.min() >= -bound and w.max() <= bound and abs(w.std() - bound / math.sqrt(3)) < 0.02 * bound
    assert np.abs(bilinear.bias.detach().numpy()).max() <= bound
    with pytest.warns(UserWarning, match="zero-element"):
        assert np.all(ember.nn.Linear(0, 3).bias.detach().numpy() == 0)


def test_reproducible_with_seed():
    ember.manual_seed(5)
    a = ember.nn.Linear(3, 4).weight.detach().numpy().copy()
    ember.manual_seed(5)
    b = ember.nn.Linear(3, 4).weight.detach().numpy()
    np.testing.assert_array_equal(a, b)


def test_mlp_training_step_matches_torch():
    """A two-layer MLP with the same weights gives the same loss and gradients."""
    def make(m):
        return m.nn.Sequential(m.nn.Linear(6, 8), m.nn.ReLU(), m.nn.Linear(8, 3), m.nn.Tanh())
    layers = {ember: make(ember), torch: make(torch)}
    _copy_parameters(layers[ember], layers[torch])
    x = randn(5, 6).astype(np.float32)
    losses = {}
    for lib, net in layers.items():
        out = net(lib.tensor(x))
        loss = (out * out).sum()
        loss.backward()
        losses[lib] = loss.item()
    assert abs(losses[ember] - losses[torch]) < 1e-4
    for (name, e), (_, t) in zip(layers[ember].named_parameters(), layers[torch].named_parameters()):
        assert_close(e.grad, t.grad, 1e-4, 1e-5, what=name)
