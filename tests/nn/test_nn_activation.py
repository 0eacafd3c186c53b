"""nn.functional activations and the activation layers against torch: values, gradients, finite differences,
in-place forms, errors, reprs, the softmax family's implicit dimension, rrelu and gumbel-softmax statistics."""

import warnings

import numpy as np
import pytest
from helpers import assert_close, check_grad, noncontiguous, parity, randint, randn, requires_torch, same_error, torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember

pytestmark = requires_torch


def F(m):
    return m.nn.functional


# name: the call, given the functional module and the input
ACTIVATIONS = {
    "relu": lambda f, x: f.relu(x),
    "relu6": lambda f, x: f.relu6(x * 3),
    "elu": lambda f, x: f.elu(x, alpha=0.7),
    "selu": lambda f, x: f.selu(x),
    "celu": lambda f, x: f.celu(x, alpha=1.5),
    "gelu": lambda f, x: f.gelu(x),
    "gelu_tanh": lambda f, x: f.gelu(x, approximate="tanh"),
    "silu": lambda f, x: f.silu(x),
    "mish": lambda f, x: f.mish(x),
    "sigmoid": lambda f, x: f.sigmoid(x),
    "tanh": lambda f, x: f.tanh(x),
    "hardtanh": lambda f, x: f.hardtanh(x, -0.5, 0.8),
    "hardswish": lambda f, x: f.hardswish(x * 3),
    "hardsigmoid": lambda f, x: f.hardsigmoid(x * 3),
    "leaky_relu": lambda f, x: f.leaky_relu(x, 0.2),
    "rrelu_eval": lambda f, x: f.rrelu(x, 0.1, 0.3),
    "logsigmoid": lambda f, x: f.logsigmoid(x * 5),
    "softplus": lambda f, x: f.softplus(x * 4, beta=2, threshold=3),
    "softsign": lambda f, x: f.softsign(x),
    "threshold": lambda f, x: f.threshold(x, 0.3, -2.0),
    "hardshrink": lambda f, x: f.hardshrink(x, 0.4),
    "softshrink": lambda f, x: f.softshrink(x, 0.4),
    "tanhshrink": lambda f, x: f.tanhshrink(x),
    "softmax": lambda f, x: f.softmax(x, dim=-1),
    "softmin": lambda f, x: f.softmin(x, dim=0),
    "log_softmax": lambda f, x: f.log_softmax(x, dim=-1),
    "glu": lambda f, x: f.glu(x),
    "prelu": lambda f, x: f.prelu(x, x.new_tensor([0.3])),
}
SHAPES = [(4, 6), (2, 3, 4), (0, 4), (6,)]


@pytest.mark.parametrize("name", ACTIVATIONS)
@pytest.mark.parametrize("shape", SHAPES)
def test_values_and_gradients(name, shape):
    call = ACTIVATIONS[name]
    parity(lambda m, t: call(F(m), t), randn(*shape) * 2)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_float32_noncontiguous_and_zero_dim(name):
    call = ACTIVATIONS[name]
    parity(lambda m, t: call(F(m), t), noncontiguous(randn(4, 6).astype(np.float32) * 3), rtol=1e-5, atol=1e-6)
    if name not in ("glu",):
        parity(lambda m, t: call(F(m), t), np.array(-0.7))
        parity(lambda m, t: call(F(m), t), np.array(1.3, dtype=np.float32))


@pytest.mark.parametrize("name", [n for n in ACTIVATIONS if n not in ("softmax", "softmin", "log_softmax")])
def test_float16(name):
    call = ACTIVATIONS[name]
    parity(lambda m, t: call(F(m), t), randn(3, 4).astype(np.float16), rtol=2e-3, atol=2e-3, grad=False)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_finite_differences(name):
    call = ACTIVATIONS[name]
    x = randn(3, 4) * 2
    x[np.abs(x) < 0.05] += 0.2     # keep away from the kink at 0
    check_grad(lambda t: call(ember.nn.functional, t), x)


def test_gelu_float32_accuracy_on_a_grid():
    """The float32 GELU (own normal-CDF approximation) matches torch's across both tails."""
    x = np.linspace(-12, 12, 4001).astype(np.float32)
    parity(lambda m, t: F(m).gelu(t), x, rtol=2e-6, atol=1e-6)
    parity(lambda m, t: F(m).gelu(t * 3), x[::7].copy(), rtol=2e-6, atol=1e-6)


def test_gelu_on_tensors_computed_in_blocks():
    """Large tensors go through the kernel block by block (ops._util.in_blocks): a partial last block, strided input."""
    from ember.ops._util import ELEMENTWISE_BLOCK
    x = (randn(3 * ELEMENTWISE_BLOCK + 17) * 4).astype(np.float32)
    parity(lambda m, t: F(m).gelu(t), x, rtol=2e-6, atol=2e-6)      # the slope Phi(x) + x phi(x) cancels near -3
    grid = x[: 4 * 1024 * 24].reshape(4, 1024, 24)
    parity(lambda m, t: F(m).gelu(t.transpose(0, 2)), grid, rtol=2e-6, atol=2e-6)


def test_gelu_double_backward_and_tanh_gradients():
    check_grad(lambda t: F(ember).gelu(t), randn(5) * 4)
    check_grad(lambda t: F(ember).gelu(t, approximate="tanh"), randn(5) * 4)

    def second(m, t):
        (g,) = m.autograd.grad(F(m).gelu(t).sum(), t, create_graph=True)
        return g
    parity(second, randn(6))


@settings(max_examples=25, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
                  elements=st.floats(-6, 6, allow_nan=False)),
       st.sampled_from(["elu", "silu", "mish", "softplus", "leaky_relu", "hardswish", "gelu", "logsigmoid"]))
def test_property_shapes(x, name):
    parity(lambda m, t, call=ACTIVATIONS[name]: call(F(m), t), x)


@pytest.mark.parametrize("name,call", [
    ("relu", lambda f, t: f.relu(t, inplace=True)), ("relu_", lambda f, t: f.relu_(t)),
    ("relu6", lambda f, t: f.relu6(t, inplace=True)), ("elu", lambda f, t: f.elu(t, 0.5, inplace=True)),
    ("elu_", lambda f, t: f.elu_(t, 0.5)), ("selu", lambda f, t: f.selu(t, True)), ("selu_", lambda f, t: f.selu_(t)),
    ("celu", lambda f, t: f.celu(t, 2.0, True)), ("celu_", lambda f, t: f.celu_(t, 2.0)),
    ("silu", lambda f, t: f.silu(t, inplace=True)), ("mish", lambda f, t: f.mish(t, inplace=True)),
    ("hardtanh", lambda f, t: f.hardtanh(t, inplace=True)), ("hardtanh_", lambda f, t: f.hardtanh_(t, -0.2, 0.3)),
    ("hardswish", lambda f, t: f.hardswish(t, True)), ("hardsigmoid", lambda f, t: f.hardsigmoid(t, True)),
    ("leaky_relu", lambda f, t: f.leaky_relu(t, 0.3, True)), ("leaky_relu_", lambda f, t: f.leaky_relu_(t, 0.3)),
    ("rrelu", lambda f, t: f.rrelu(t, inplace=True)), ("rrelu_", lambda f, t: f.rrelu_(t)),
    ("threshold", lambda f, t: f.threshold(t, 0.1, 5.0, True)), ("threshold_", lambda f, t: f.threshold_(t, 0.1, 5.0)),
])
def test_inplace_forms(name, call):
    def run(m, t):
        work = t * 1
        result = call(F(m), work)
        assert result is work
        return result
    parity(run, randn(3, 4))
    same_error(lambda m, t: call(F(m), t.requires_grad_()), randn(3))   # a leaf that requires grad


def test_integer_and_bool_inputs():
    ints = randint(-3, 4, 5)
    for name in ("relu", "relu6", "hardtanh", "threshold", "softsign", "tanhshrink", "sigmoid", "tanh"):
        parity(lambda m, t, call=ACTIVATIONS[name]: call(F(m), t), ints, grad=False)
    for name in ("elu", "selu", "celu", "gelu", "silu", "mish", "hardswish", "hardsigmoid", "leaky_relu",
                 "rrelu_eval", "logsigmoid", "softplus", "hardshrink", "softshrink", "glu", "prelu"):
        same_error(lambda m, t, call=ACTIVATIONS[name]: call(F(m), t), ints[:4])
    bools = np.array([True, False])
    for name in ("relu", "hardtanh", "threshold", "leaky_relu"):
        same_error(lambda m, t, call=ACTIVATIONS[name]: call(F(m), t), bools)
    parity(lambda m, t: F(m).hardtanh(t, -1.5, 2.5), np.array([5, -5, 1]), grad=False)


def test_argument_errors():
    x = randn(4)
    same_error(lambda m, t: F(m).hardtanh(t, 2.0, 1.0), x)
    same_error(lambda m, t: F(m).softshrink(t, -1.0), x)
    same_error(lambda m, t: F(m).celu(t, 0.0), x)
    same_error(lambda m, t: F(m).rrelu(t, 0.5, 0.1), x)
    same_error(lambda m, t: F(m).rrelu(t, 0.5, 0.1, True), x)
    same_error(lambda m, t: F(m).gelu(t, approximate="fast"), x)
    same_error(lambda m, t: F(m).glu(t[0]), x)
    same_error(lambda m, t: F(m).glu(t[:3]), x)
    same_error(lambda m, t: F(m).glu(t, 1), x)
    same_error(lambda m, t: F(m).prelu(t.reshape(2, 2), t[:3]), x)
    same_error(lambda m, t: F(m).prelu(t, t.reshape(2, 2)), x)
    same_error(lambda m, t: F(m).prelu(t, t[:1].float()), x)
    same_error(lambda m, t: F(m).elu(t.numpy(), 1.0), x)
    same_error(lambda m, t: F(m).elu(t, "a"), x)
    same_error(lambda m, t: F(m).softmax(t, 1), x)


def test_special_values():
    x = np.array([-np.inf, -30.0, -1e-8, 0.0, 1e-8, 30.0, np.inf, np.nan])
    for name in ("relu", "elu", "selu", "silu", "softplus", "logsigmoid", "hardtanh", "leaky_relu", "hardshrink",
                 "softshrink", "threshold", "hardswish", "hardsigmoid", "softsign", "mish", "gelu_tanh"):
        parity(lambda m, t, call=ACTIVATIONS[name]: call(F(m), t), x, grad=False)
    parity(lambda m, t: F(m).gelu(t), x[1:-2], grad=False)
    parity(lambda m, t: F(m).softplus(t, beta=0), np.array([1.0, -2.0]), grad=False)


def test_softplus_threshold_is_linear_beyond():
    parity(lambda m, t: F(m).softplus(t, beta=0.5, threshold=1.0), np.array([-5.0, 1.0, 1.99, 2.01, 9.0]))


def test_prelu_per_channel_weight_gradient():
    def run(m, x, w):
        return F(m).prelu(x, w)
    parity(run, randn(2, 3, 4, 5), randn(3))
    parity(run, randn(3, 4), randn(4))
    parity(run, randn(5), randn(1))
    parity(run, np.array(-0.5), randn(1))
    check_grad(lambda x, w: F(ember).prelu(x, w), randn(2, 3, 2), randn(3))


@pytest.mark.parametrize("name", ["softmax", "softmin", "log_softmax"])
@pytest.mark.parametrize("ndim", [0, 1, 2, 3, 4])
def test_softmax_implicit_dimension(name, ndim):
    shape = (2, 3, 4, 5)[:ndim]
    x = randn(*shape)

    def run(m, t):
        with pytest.warns(UserWarning, match="Implicit dimension choice"):
            return getattr(F(m), name)(t)
    parity(run, x)
    parity(lambda m, t: getattr(F(m), name)(t, 0, dtype=m.float32), x)
    parity(lambda m, t: getattr(F(m), name)(t, -1, 3, m.float64), x.astype(np.float32))


def test_softmax_stacklevel_points_at_the_caller():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        F(ember).softmax(ember.ones(2, 2))
    assert caught and caught[0].filename == __file__


def test_rrelu_training_slopes():
    ember.manual_seed(0)
    x = ember.tensor(-np.ones(20000), requires_grad=True)
    y = F(ember).rrelu(x, 0.1, 0.3, training=True)
    slopes = -y.detach().numpy()
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3
    assert abs(slopes.mean() - 0.2) < 0.005
    assert abs(slopes.std() - 0.2 / np.sqrt(12)) < 0.005
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), slopes)
    positive = F(ember).rrelu(ember.ones(5), training=True)
    assert positive.tolist() == [1.0] * 5
    fixed = F(ember).rrelu(ember.tensor([-2.0]), 0.25, 0.25, training=True)
    assert fixed.item() == -0.5


def test_gumbel_softmax():
    ember.manual_seed(1)
    logits = ember.tensor([[0.0, 1.0, 2.0]]).repeat(4000, 1)
    soft = F(ember).gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(soft.sum(-1).numpy(), 1.0, rtol=1e-5)
    hard = F(ember).gumbel_softmax(logits, hard=True)
    values = hard.numpy()
    assert set(np.unique(values)) <= {0.0, 1.0} and (values.sum(-1) == 1).all()
    frequencies = values.mean(0)
    expected = np.exp([0.0, 1.0, 2.0]) / np.exp([0.0, 1.0, 2.0]).sum()
    np.testing.assert_allclose(frequencies, expected, atol=0.03)
    x = ember.tensor(randn(3, 4), requires_grad=True)
    y = F(ember).gumbel_softmax(x, hard=True, dim=0)
    assert (y.detach().numpy().sum(0) == 1).all()
    (y * ember.tensor(randn(3, 4))).sum().backward()    # straight through: the soft sample's gradient
    assert x.grad is not None and np.abs(x.grad.numpy()).sum() > 0
    np.testing.assert_allclose(x.grad.numpy().sum(0), 0, atol=1e-6)
    with pytest.warns(UserWarning, match="eps"):
        F(ember).gumbel_softmax(x, eps=1e-3)


# ----------------------------------------------------------------------------- layers

def _copy_parameters(ember_module, torch_module):
    state = {k: ember.tensor(v.detach().numpy().copy()) for k, v in torch_module.state_dict().items()}
    ember_module.load_state_dict(state)


def module_parity(make, *inputs, inplace=False, rtol=1e-5, atol=1e-6):
    """Build the layer in both libraries (torch's parameters copied into ember's), compare repr, outputs,
    input gradients and parameter gradients."""
    layers = {ember: make(ember), torch: make(torch)}
    _copy_parameters(layers[ember], layers[torch])
    assert repr(layers[ember]) == repr(layers[torch])
    parity(lambda m, *ts: layers[m](*[t * 1 for t in ts] if inplace else ts), *inputs, rtol=rtol, atol=atol)
    for (name, e), (_, t) in zip(layers[ember].named_parameters(), layers[torch].named_parameters()):
        assert_close(e.grad, t.grad, rtol, atol, what=f"gradient of {name}")


MODULES = [
    ("ReLU", (), {}), ("ReLU", (), {"inplace": True}), ("ReLU6", (), {}), ("ReLU6", (True,), {}),
    ("LeakyReLU", (), {}), ("LeakyReLU", (0.2, True), {}), ("PReLU", (), {}), ("PReLU", (4, 0.1), {}),
    ("RReLU", (0.1, 0.3), {}), ("RReLU", (), {"inplace": True}), ("ELU", (), {}), ("ELU", (0.5, True), {}),
    ("SELU", (), {}), ("SELU", (True,), {}), ("CELU", (), {}), ("CELU", (2.0,), {"inplace": True}),
    ("GELU", (), {}), ("GELU", ("tanh",), {}), ("SiLU", (), {}), ("SiLU", (True,), {}), ("Mish", (), {}),
    ("Mish", (True,), {}), ("Sigmoid", (), {}), ("Tanh", (), {}), ("Softplus", (), {}), ("Softplus", (2, 1), {}),
    ("Softsign", (), {}), ("Hardtanh", (), {}), ("Hardtanh", (-2, 0.5, True), {}), ("Hardswish", (), {}),
    ("Hardswish", (True,), {}), ("Hardsigmoid", (), {}), ("Hardsigmoid", (True,), {}), ("Hardshrink", (), {}),
    ("Hardshrink", (0.2,), {}), ("Softshrink", (), {}), ("Softshrink", (0.1,), {}), ("Tanhshrink", (), {}),
    ("LogSigmoid", (), {}), ("Threshold", (0.1, 20), {}), ("Threshold", (0.1, 20.0, True), {}),
    ("Softmax", (1,), {}), ("Softmin", (), {"dim": -1}), ("LogSoftmax", (1,), {}), ("Softmax2d", (), {}),
    ("GLU", (), {}), ("GLU", (1,), {}),
]


@pytest.mark.parametrize("name,args,kwargs", MODULES, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(MODULES)])
def test_layers(name, args, kwargs):
    def make(m):
        layer = getattr(m.nn, name)(*args, **kwargs)
        return layer.eval() if name == "RReLU" else layer
    x = randn(2, 4, 3, 2).astype(np.float32) * 2
    module_parity(make, x, inplace=kwargs.get("inplace", False) or True in args)


def test_layer_defaults_and_attributes():
    for name, args, kwargs in MODULES:
        e, t = getattr(ember.nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
        public = {k: v for k, v in vars(t).items() if not k.startswith("_") and k != "training"}
        for key, value in public.items():
            assert getattr(e, key) == value, (name, key)


def test_prelu_layer_initialisation_and_errors():
    layer = ember.nn.PReLU(4, init=0.1)
    assert layer.weight.shape == (4,) and np.all(layer.weight.detach().numpy() == np.float32(0.1))
    layer.weight.data.fill_(3.0)
    layer.reset_parameters()
    assert layer.weight.detach().numpy().tolist() == [np.float32(0.1)] * 4
    assert ember.nn.PReLU(dtype=ember.float64).weight.dtype is ember.float64
    same_error(lambda m, t: m.nn.PReLU(3)(t), randn(2, 4))
    with pytest.raises(AssertionError):
        ember.nn.Hardtanh(1.0, 1.0)
    with pytest.raises(AssertionError):
        torch.nn.Hardtanh(1.0, 1.0)
    with pytest.warns(FutureWarning):
        assert ember.nn.Hardtanh(min_value=-3.0).min_val == -3.0
    same_error(lambda m, t: m.nn.Softmax2d()(t), randn(2, 3))


def test_rrelu_layer_training_mode_is_random():
    layer = ember.nn.RReLU(0.1, 0.3)
    x = ember.tensor(-np.ones(1000))
    trained = layer(x).numpy()
    assert len(np.unique(trained)) > 100
    assert np.all(layer.eval()(x).numpy() == -0.2)


def test_softmax_layer_implicit_dimension_warns():
    for lib in (ember, torch):
        with pytest.warns(UserWarning, match="Implicit dimension choice"):
            lib.nn.Softmax()(lib.ones(2, 3))


@pytest.mark.parametrize("name", [n for n in ACTIVATIONS if n not in ("softmax", "softmin", "log_softmax")])
def test_bfloat16_keeps_its_dtype(name):
    values = randn(3, 4).astype(np.float32)
    e = ACTIVATIONS[name](F(ember), ember.tensor(values, dtype=ember.bfloat16, requires_grad=True))
    t = ACTIVATIONS[name](F(torch), torch.tensor(values, dtype=torch.bfloat16, requires_grad=True))
    assert e.dtype is ember.bfloat16
    np.testing.assert_allclose(e.detach().float().numpy(), t.detach().float().numpy(), rtol=2e-2, atol=2e-2)
