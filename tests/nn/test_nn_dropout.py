"""Dropout in all its forms (F.*, torch.*, the layers): statistics of the masks, scaling, eval identity, in-place,
gradients through the mask, PyTorch's errors and warnings."""

import math
import warnings

import numpy as np
import pytest
from helpers import check_grad, parity, randint, randn, requires_torch, same_error, torch

import ember

pytestmark = requires_torch

SELU_SATURATION = 1.7580993408473766


def F(m):
    return m.nn.functional


def _seeded(fn, seed=0):
    """``fn`` with the generator reset first, so every call draws the same mask (for finite differences)."""
    def run(*args):
        ember.manual_seed(seed)
        return fn(*args)
    return run


# ----------------------------------------------------------------------------- F.dropout

@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_statistics_and_scaling(p):
    ember.manual_seed(1)
    x = ember.ones(200, 500, requires_grad=True)
    y = F(ember).dropout(x, p)
    values = y.detach().numpy()
    kept = values != 0
    assert abs(1 - kept.mean() - p) < 0.01
    np.testing.assert_allclose(values[kept], 1 / (1 - p), rtol=1e-6)
    y.backward(ember.full((200, 500), 2.0))
    np.testing.assert_allclose(x.grad.numpy(), 2 * values, rtol=1e-6)
    assert y.grad_fn.name() == "MulBackward0"


def test_dropout_eval_p0_p1_and_empty():
    for lib in (ember, torch):
        x = lib.ones(3, 4, requires_grad=True)
        assert F(lib).dropout(x, 0.5, training=False) is x
        assert F(lib).dropout(x, 0.0) is x
        assert lib.dropout(x, 0.5, False) is x
        empty = lib.ones(0, 3)
        assert F(lib).dropout(empty, 0.5) is empty
    parity(lambda m, t: F(m).dropout(t, 1.0), randn(3, 4))
    parity(lambda m, t: F(m).dropout(t, 0.5, False), randn(3, 4))
    parity(lambda m, t: F(m).dropout(t, 1.0), randint(0, 3, 4), grad=False)
    parity(lambda m, t: F(m).dropout(t, 0.5, False), randint(0, 3, 4), grad=False)


def test_dropout_inplace():
    ember.manual_seed(2)
    x = ember.ones(1000)
    work = x * 1
    out = F(ember).dropout(work, 0.5, inplace=True)
    assert out is work and set(np.unique(work.numpy())) == {0.0, 2.0}
    leaf = ember.ones(3, requires_grad=True)
    same_error(lambda m, t: F(m).dropout(t.requires_grad_(), 0.5, inplace=True), randn(3))
    assert F(ember).dropout(leaf, 0.5, training=False, inplace=True) is leaf
    z = ember.tensor(randn(4, 5), requires_grad=True)
    w = z * 1
    F(ember).dropout(w, 0.3, inplace=True)
    w.sum().backward()
    assert set(np.unique(z.grad.numpy())) <= {0.0, np.float64(1 / 0.7)}


def test_dropout_finite_differences():
    check_grad(_seeded(lambda t: F(ember).dropout(t, 0.4)), randn(4, 5))
    check_grad(_seeded(lambda t: F(ember).alpha_dropout(t, 0.3, True)), randn(4, 5))
    check_grad(_seeded(lambda t: F(ember).dropout2d(t, 0.4)), randn(2, 3, 2, 2))
    check_grad(_seeded(lambda t: F(ember).feature_alpha_dropout(t, 0.4, True)), randn(2, 3, 2))


def test_dropout_errors():
    for p in (-0.1, 1.5):
        same_error(lambda m, t, p=p: F(m).dropout(t, p), randn(3))
        same_error(lambda m, t, p=p: m.dropout(t, p, True), randn(3))
        for name in ("dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"):
            same_error(lambda m, t, p=p, name=name: getattr(F(m), name)(t, p), randn(2, 3, 4, 5))
        same_error(lambda m, p=p: m.nn.Dropout(p))
    same_error(lambda m, t: F(m).dropout(t, 0.5), randint(0, 3, 4))
    same_error(lambda m, t: F(m).alpha_dropout(t, 0.5, True), randint(0, 3, 4))
    same_error(lambda m, t: m.feature_dropout(t, 0.5, True), randn(3))
    same_error(lambda m, t: m.dropout(t.numpy(), 0.5, True), randn(3))


# ----------------------------------------------------------------------------- channel dropout

@pytest.mark.parametrize("name,shape,channel_dims", [
    ("dropout1d", (8, 16, 5), 2), ("dropout1d", (200, 5), 1), ("dropout2d", (8, 16, 3, 3), 2),
    ("dropout3d", (8, 16, 2, 2, 2), 2), ("dropout3d", (200, 2, 2, 2), 1),
])
def test_channel_dropout_zeroes_whole_channels(name, shape, channel_dims):
    ember.manual_seed(3)
    x = ember.ones(*shape)
    values = getattr(F(ember), name)(x, 0.5).numpy()
    per_channel = values.reshape(shape[:channel_dims] + (-1,))
    assert np.all(per_channel.min(-1) == per_channel.max(-1))          # each channel all kept or all dropped
    assert set(np.unique(values)) == {0.0, 2.0}
    assert abs((per_channel[..., 0] == 0).mean() - 0.5) < 0.15
    evaluated = getattr(F(ember), name)(x, 0.5, training=False)
    assert evaluated is x if channel_dims == 2 else np.array_equal(evaluated.numpy(), x.numpy())


def test_channel_dropout_inplace_and_unbatched():
    ember.manual_seed(4)
    x = ember.ones(6, 4)
    out = F(ember).dropout1d(x, 0.5, inplace=True)
    assert out is x and x.shape == (6, 4)
    rows = x.numpy()
    assert np.all(rows.min(1) == rows.max(1))
    y = ember.ones(2, 6, 3, 3)
    assert F(ember).dropout2d(y, 0.5, inplace=True) is y


def test_channel_dropout_rank_rules():
    same_error(lambda m, t: F(m).dropout1d(t), randn(2, 3, 4, 5))
    same_error(lambda m, t: F(m).dropout1d(t), randn(4))
    for lib in (ember, torch):
        with pytest.warns(UserWarning, match="Received a 2-D input to dropout2d"):
            F(lib).dropout2d(lib.ones(3, 4))
        with pytest.warns(UserWarning, match="assuming that channel-wise 1D dropout"):
            F(lib).dropout2d(lib.ones(2, 3, 4))
        with pytest.warns(UserWarning, match="Received a 3-D input to dropout3d"):
            F(lib).dropout3d(lib.ones(2, 3, 4))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            F(lib).dropout2d(lib.ones(2, 3, 4, 4))
            F(lib).dropout3d(lib.ones(3, 2, 2, 2))
    with pytest.warns(UserWarning):
        values = F(ember).dropout2d(ember.ones(4, 8, 5), 0.5).numpy()   # 3-D: (N, C, L) channels
    assert np.all(values.min(-1) == values.max(-1))


# ----------------------------------------------------------------------------- alpha dropout

@pytest.mark.parametrize("p", [0.2, 0.5])
def test_alpha_dropout_keeps_mean_and_variance(p):
    ember.manual_seed(5)
    x = ember.randn(400, 500)
    y = F(ember).alpha_dropout(x, p, training=True).numpy()
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.02
    a = 1 / math.sqrt((SELU_SATURATION ** 2 * p + 1) * (1 - p))
    dropped_value = -SELU_SATURATION * a + SELU_SATURATION * a * p
    dropped = np.isclose(y, dropped_value, rtol=0, atol=1e-6)
    assert abs(dropped.mean() - p) < 0.01
    kept = ~dropped
    np.testing.assert_allclose(y[kept], x.numpy()[kept] * a + SELU_SATURATION * a * p, rtol=1e-5, atol=1e-6)


def test_alpha_dropout_defaults_and_gradient():
    parity(lambda m, t: F(m).alpha_dropout(t, 0.5), randn(3, 4))              # training defaults to False
    parity(lambda m, t: F(m).feature_alpha_dropout(t), randn(3, 4))
    parity(lambda m, t: F(m).alpha_dropout(t, 1.0, True), randn(3, 4))
    parity(lambda m, t: F(m).feature_alpha_dropout(t, 1.0, True), randn(3, 4))
    ember.manual_seed(6)
    x = ember.tensor(randn(50, 60), requires_grad=True)
    y = F(ember).alpha_dropout(x, 0.4, True)
    y.sum().backward()
    a = 1 / math.sqrt((SELU_SATURATION ** 2 * 0.4 + 1) * 0.6)
    assert set(np.round(np.unique(x.grad.numpy()), 12)) == {0.0, round(a, 12)}
    assert y.grad_fn.name() == "AddBackward0"


def test_feature_alpha_dropout_whole_channels():
    ember.manual_seed(7)
    y = F(ember).feature_alpha_dropout(ember.zeros(20, 30, 4), 0.5, True).numpy()
    assert np.all(y.min(-1) == y.max(-1))
    assert len(np.unique(np.round(y, 6))) == 2
    x = ember.ones(3, 4)
    assert F(ember).feature_alpha_dropout(x, 0.5, True, inplace=True) is x
    assert F(ember).alpha_dropout(x, 0.5, True, inplace=True) is x


# ----------------------------------------------------------------------------- torch.* forms

@pytest.mark.parametrize("name", ["dropout", "alpha_dropout", "feature_dropout", "feature_alpha_dropout"])
def test_torch_functions(name):
    parity(lambda m, t: getattr(m, name)(t, 0.5, False), randn(2, 3, 4))
    parity(lambda m, t: getattr(m, name)(t, 0.0, True), randn(2, 3, 4))
    parity(lambda m, t: getattr(m, name)(t, 1.0, True), randn(2, 3, 4))
    parity(lambda m, t: getattr(m, name + "_")(t * 1, 0.5, False), randn(2, 3))
    parity(lambda m, t: getattr(m, name + "_")(t * 1, 1.0, True), randn(2, 3))
    same_error(lambda m, t: getattr(m, name)(t, 2.0, True), randn(2, 3))
    same_error(lambda m, t: getattr(m, name)(t, 0.5), randn(2, 3))
    ember.manual_seed(8)
    x = ember.ones(100, 200)
    work = x * 1
    assert getattr(ember, name + "_")(work, 0.5, True) is work
    kept = getattr(ember, name)(x, 0.5, True).numpy() != (0 if "alpha" not in name else 99)
    assert kept.any()


# ----------------------------------------------------------------------------- layers

LAYERS = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"]


@pytest.mark.parametrize("name", LAYERS)
def test_layers(name):
    for args in [(), (0.3,), (0.2, True)]:
        e, t = getattr(ember.nn, name)(*args), getattr(torch.nn, name)(*args)
        assert repr(e) == repr(t) and e.p == t.p and e.inplace == t.inplace
    shape = {"Dropout1d": (4, 6, 3), "Dropout3d": (4, 6, 3, 3, 3)}.get(name, (4, 6, 3, 3))
    x = ember.ones(*shape)
    layer = getattr(ember.nn, name)(0.5)
    assert layer.eval()(x) is x
    ember.manual_seed(9)
    trained = layer.train()(x).numpy()
    assert len(np.unique(np.round(trained, 5))) == 2
    parity(lambda m, t: getattr(m.nn, name)(0.5).eval()(t), randn(*shape))
    same_error(lambda m: getattr(m.nn, name)(1.2))


def test_dropout_layer_inplace_in_training():
    ember.manual_seed(10)
    layer = ember.nn.Dropout(0.5, inplace=True)
    x = ember.ones(50, 50)
    assert layer(x) is x and set(np.unique(x.numpy())) == {0.0, 2.0}
