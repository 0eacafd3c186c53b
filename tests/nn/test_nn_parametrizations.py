"""Spectral and weight normalisation against PyTorch: nn.utils.parametrizations and the old hook-based forms."""

import importlib
import warnings
from collections import OrderedDict

import numpy as np
import pytest
from helpers import assert_close, check_grad, randn, requires_torch, same_error, torch

import ember

pytestmark = requires_torch

MODULES = {     # name -> (constructor for a library m, input shape)
    "linear": (lambda m: m.nn.Linear(5, 4), (6, 5)),
    "conv2d": (lambda m: m.nn.Conv2d(3, 4, 3), (2, 3, 6, 6)),
    "conv_transpose2d": (lambda m: m.nn.ConvTranspose2d(3, 2, 3, stride=2), (2, 3, 4, 4)),
    "conv1d": (lambda m: m.nn.Conv1d(3, 4, 3), (2, 3, 7)),
}


def to_ember(state):
    """A torch state_dict as ember tensors, metadata included."""
    out = OrderedDict((k, ember.from_numpy(v.detach().numpy().copy())) for k, v in state.items())
    out._metadata = getattr(state, "_metadata", None)
    return out


def to_torch(state):
    out = OrderedDict((k, torch.from_numpy(np.array(v.detach().numpy()))) for k, v in state.items())
    out._metadata = getattr(state, "_metadata", None)
    return out


def pair(name, apply):
    """Equal torch and ember modules with ``apply(m, module)`` done to both, torch's state (u and v too) copied over."""
    make, shape = MODULES[name]
    t, e = make(torch), make(ember)
    e.load_state_dict(to_ember(t.state_dict()))
    apply(torch, t)
    apply(ember, e)
    e.load_state_dict(to_ember(t.state_dict()))
    return e, t, shape


def buffers(module):
    return dict(module.named_buffers())


def train_steps(e, t, shape, steps=3, check=None):
    """SGD steps on both modules with the same batches; outputs, gradients, buffers and ``check`` compared."""
    e_opt = ember.optim.SGD(e.parameters(), lr=0.05)
    t_opt = torch.optim.SGD(t.parameters(), lr=0.05)
    for _ in range(steps):
        x = randn(*shape).astype(np.float32)
        ye, yt = e(ember.from_numpy(x)), t(torch.from_numpy(x))
        assert_close(ye, yt, rtol=1e-4, atol=1e-5, what="output")
        for y, opt in ((ye, e_opt), (yt, t_opt)):
            opt.zero_grad()
            y.pow(2).mean().backward()
        e_params, t_params = dict(e.named_parameters()), dict(t.named_parameters())
        assert list(e_params) == list(t_params)
        for key in t_params:
            assert_close(e_params[key].grad, t_params[key].grad, rtol=1e-4, atol=1e-5, what=f"grad of {key}")
        e_buffers, t_buffers = buffers(e), buffers(t)
        assert list(e_buffers) == list(t_buffers)
        for key in t_buffers:
            assert_close(e_buffers[key], t_buffers[key], rtol=1e-4, atol=1e-6, what=key)
        if check is not None:
            check(e, t)
        e_opt.step()
        t_opt.step()


def submodule(name):
    """``ember.nn.utils.<name>`` as a module (the package attribute of the same name is the function)."""
    return importlib.import_module(f"ember.nn.utils.{name}")


# ----------------------------------------------------------------------------- parametrizations.spectral_norm

def new_spectral_norm(**kwargs):
    return lambda m, module: m.nn.utils.parametrizations.spectral_norm(module, **kwargs)


@pytest.mark.parametrize("name, kwargs", [("linear", {}), ("conv2d", {}), ("conv_transpose2d", {}),
                                          ("conv1d", {"dim": 1, "n_power_iterations": 3}),
                                          ("linear", {"eps": 1e-3, "dim": -1})])
def test_spectral_norm_training_steps_match_torch(name, kwargs):
    e, t, shape = pair(name, new_spectral_norm(**kwargs))
    assert type(e).__name__ == type(t).__name__
    assert list(e.state_dict()) == list(t.state_dict())
    assert e.parametrizations.weight[0].dim == t.parametrizations.weight[0].dim
    train_steps(e, t, shape, check=lambda e, t: assert_close(e.weight, t.weight, rtol=1e-4, atol=1e-6))


def test_spectral_norm_default_dim_is_one_for_transposed_convolutions():
    for m in (ember, torch):
        assert m.nn.utils.parametrizations.spectral_norm(m.nn.ConvTranspose1d(3, 5, 2)).parametrizations.weight[0] \
            .dim == 1
        sn = m.nn.utils.parametrizations.spectral_norm(m.nn.ConvTranspose2d(3, 5, 2)).parametrizations.weight[0]
        assert sn._u.shape == (5,) and sn._v.shape == (3 * 2 * 2,)
        assert m.nn.utils.parametrizations.spectral_norm(m.nn.Conv2d(3, 5, 2)).parametrizations.weight[0].dim == 0


def test_spectral_norm_updates_u_and_v_only_in_training():
    e, t, shape = pair("conv2d", new_spectral_norm())
    x = randn(*shape).astype(np.float32)
    e(ember.from_numpy(x))
    t(torch.from_numpy(x))
    e.eval()
    t.eval()
    before = {k: v.clone() for k, v in buffers(e).items()}
    for _ in range(2):
        assert_close(e(ember.from_numpy(x)), t(torch.from_numpy(x)), rtol=1e-5, atol=1e-6)
    for key, value in buffers(e).items():
        assert np.array_equal(value.numpy(), before[key].numpy()), key
        assert_close(value, buffers(t)[key], rtol=1e-5, atol=1e-7)
    e.train()
    e(ember.from_numpy(x))
    assert not np.array_equal(buffers(e)["parametrizations.weight.0._u"].numpy(),
                              before["parametrizations.weight.0._u"].numpy())


def test_spectral_norm_normalises_the_largest_singular_value():
    ember.manual_seed(0)
    layer = ember.nn.Linear(6, 8)
    u, _, vt = np.linalg.svd(randn(8, 6))
    singular = np.array([5.0, 2.0, 1.0, 0.5, 0.25, 0.1])
    with ember.no_grad():
        layer.weight.copy_(ember.from_numpy((u[:, :6] * singular) @ vt).float())
    ember.nn.utils.parametrizations.spectral_norm(layer)
    sn = layer.parametrizations.weight[0]
    sigma = float(sn._u @ layer.parametrizations.weight.original.detach() @ sn._v)
    assert sigma == pytest.approx(5.0, rel=1e-4)        # 15 power iterations at registration
    assert np.linalg.svd(layer.weight.detach().numpy(), compute_uv=False)[0] == pytest.approx(1.0, rel=1e-4)


def test_spectral_norm_of_a_vector_is_its_direction():
    e, t = ember.nn.LayerNorm(4), torch.nn.LayerNorm(4)
    with torch.no_grad():
        t.weight.copy_(torch.tensor([3.0, -4.0, 0.0, 12.0]))
    e.load_state_dict(to_ember(t.state_dict()))
    for m, module in ((ember, e), (torch, t)):
        m.nn.utils.parametrizations.spectral_norm(module)
    assert list(e.state_dict()) == list(t.state_dict()) == ["bias", "parametrizations.weight.original"]
    assert_close(e.weight, t.weight)
    assert_close(e.weight, np.array([3.0, -4.0, 0.0, 12.0]) / 13.0)
    train_steps(e, t, (3, 4), steps=2)


def test_spectral_norm_gradient_finite_differences():
    weight = ember.from_numpy(randn(4, 3))
    sn = submodule("parametrizations")._SpectralNorm(weight, dim=0).eval()
    check_grad(lambda w: sn(w), randn(4, 3))


def test_spectral_norm_state_dict_round_trips_both_ways():
    e, t, shape = pair("conv2d", new_spectral_norm())
    x = randn(*shape).astype(np.float32)
    for _ in range(2):
        e(ember.from_numpy(x))
    fresh = torch.nn.utils.parametrizations.spectral_norm(torch.nn.Conv2d(3, 4, 3))
    fresh.load_state_dict(to_torch(e.state_dict()))
    for key, value in fresh.state_dict().items():
        assert_close(e.state_dict()[key], value, what=key)
    e.eval()
    fresh.eval()
    assert_close(e(ember.from_numpy(x)), fresh(torch.from_numpy(x)), rtol=1e-5, atol=1e-6)


def test_spectral_norm_errors_match_torch():
    sn = "nn.utils.parametrizations.spectral_norm"

    def call(m, *args, **kwargs):
        fn = m
        for part in sn.split("."):
            fn = getattr(fn, part)
        return fn(*args, **kwargs)
    same_error(lambda m: call(m, m.nn.Linear(2, 3), name="nope"), match="has no parameter or buffer")
    same_error(lambda m: call(m, m.nn.Linear(2, 3), n_power_iterations=0), match="positive")
    same_error(lambda m: call(m, m.nn.Linear(2, 3), dim=2), match="out of range")
    same_error(lambda m: call(m, m.nn.Linear(2, 3), dim=-3), match="out of range")


# ----------------------------------------------------------------------------- parametrizations.weight_norm

@pytest.mark.parametrize("name, dim", [("linear", 0), ("conv2d", 0), ("conv2d", 1), ("conv2d", None),
                                       ("conv2d", -2), ("conv_transpose2d", 1)])
def test_weight_norm_training_steps_match_torch(name, dim):
    e, t, shape = pair(name, lambda m, module: m.nn.utils.parametrizations.weight_norm(module, dim=dim))
    assert list(e.state_dict()) == list(t.state_dict())
    for key in ("original0", "original1"):
        ours, theirs = getattr(e.parametrizations.weight, key), getattr(t.parametrizations.weight, key)
        assert ours.shape == theirs.shape and isinstance(ours, ember.nn.Parameter)
    assert_close(e.weight, t.weight, rtol=1e-5)
    train_steps(e, t, shape, check=lambda e, t: assert_close(e.weight, t.weight, rtol=1e-4, atol=1e-6))
    for m, module in ((ember, e), (torch, t)):
        m.nn.utils.parametrize.remove_parametrizations(module, "weight")
    assert_close(e.weight, t.weight, rtol=1e-4, atol=1e-6)
    assert list(e.state_dict()) == list(t.state_dict())


def test_weight_norm_starts_at_the_same_weight_and_splits_magnitude_and_direction():
    layer = ember.nn.Conv2d(2, 3, 3)
    weight = layer.weight.detach().numpy().copy()
    ember.nn.utils.parametrizations.weight_norm(layer)
    g, v = layer.parametrizations.weight.original0, layer.parametrizations.weight.original1
    assert g.shape == (3, 1, 1, 1)
    assert_close(g, np.sqrt((weight ** 2).sum(axis=(1, 2, 3), keepdims=True)), rtol=1e-5)
    assert_close(v, weight)
    assert_close(layer.weight, weight, rtol=1e-5, atol=1e-6)
    with ember.no_grad():
        g.mul_(2.0)
    assert_close(layer.weight, 2 * weight, rtol=1e-5, atol=1e-6)


def test_weight_norm_gradient_finite_differences():
    weight_norm = submodule("weight_norm")
    for dim, g_shape in ((0, (3, 1)), (1, (1, 4)), (-1, ())):
        check_grad(lambda g, v, dim=dim: weight_norm._weight_norm(v, g, dim), randn(*g_shape) + 2, randn(3, 4))
    check_grad(lambda g, v: weight_norm._weight_norm(v, g, 0), randn(5) + 2, randn(5) + 0.5)


def test_norm_except_dim_matches_torch():
    norm_except_dim = submodule("weight_norm")._norm_except_dim
    x = randn(3, 4, 5).astype(np.float32)
    for dim in (0, 1, 2, -1, -2, -3):
        assert_close(norm_except_dim(ember.from_numpy(x), 2, dim), torch.norm_except_dim(torch.from_numpy(x), 2, dim),
                     rtol=1e-6)
    assert_close(norm_except_dim(ember.from_numpy(x), 3, 1), torch.norm_except_dim(torch.from_numpy(x), 3, 1),
                 rtol=1e-5)
    assert_close(norm_except_dim(ember.from_numpy(x[0, 0]), 2, 0),
                 torch.norm_except_dim(torch.from_numpy(x[0, 0]), 2, 0))
    same_error(lambda m: (torch.norm_except_dim if m is torch else norm_except_dim)(m.ones(2, 3), 2, 2),
               match="out of range")


def test_weight_norm_loads_old_weight_g_and_weight_v_checkpoints():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        old = torch.nn.utils.weight_norm(torch.nn.Linear(4, 3))
    with torch.no_grad():
        old.weight_g.mul_(3.0)
    new = ember.nn.utils.parametrizations.weight_norm(ember.nn.Linear(4, 3))
    assert str(new.load_state_dict(to_ember(old.state_dict()))) == "<All keys matched successfully>"
    x = randn(2, 4).astype(np.float32)
    assert_close(new(ember.from_numpy(x)), old(torch.from_numpy(x)), rtol=1e-5, atol=1e-6)
    back = torch.nn.utils.parametrizations.weight_norm(torch.nn.Linear(4, 3))
    back.load_state_dict(to_torch(new.state_dict()))
    assert_close(new.weight, back.weight, rtol=1e-6)


def test_weight_norm_errors_match_torch():
    def weight_norm(m, *args, **kwargs):
        return m.nn.utils.parametrizations.weight_norm(*args, **kwargs)
    same_error(lambda m: weight_norm(m, m.nn.Linear(2, 3), name="nope"), match="does not have a parameter")
    same_error(lambda m: weight_norm(m, m.nn.Linear(2, 3), dim=5), match="out of range")


# ----------------------------------------------------------------------------- the old hooks: spectral_norm

def old_spectral_norm(**kwargs):
    return lambda m, module: m.nn.utils.spectral_norm(module, **kwargs)


@pytest.mark.parametrize("name, kwargs", [("linear", {}), ("conv_transpose2d", {}),
                                          ("conv1d", {"dim": 1, "n_power_iterations": 2, "eps": 1e-3})])
def test_old_spectral_norm_training_steps_match_torch(name, kwargs):
    e, t, shape = pair(name, old_spectral_norm(**kwargs))
    assert list(e.state_dict()) == list(t.state_dict())
    assert [k for k in e.state_dict() if k.startswith("weight")] == ["weight_orig", "weight_u", "weight_v"]
    assert e.state_dict()._metadata[""]["spectral_norm"] == {"weight.version": 1}
    train_steps(e, t, shape, check=lambda e, t: assert_close(e.weight, t.weight, rtol=1e-4, atol=1e-6))
    e.eval()
    t.eval()
    u = e.weight_u.clone()
    x = randn(*shape).astype(np.float32)
    assert_close(e(ember.from_numpy(x)), t(torch.from_numpy(x)), rtol=1e-4, atol=1e-5)
    assert np.array_equal(e.weight_u.numpy(), u.numpy())
    for m, module in ((ember, e), (torch, t)):
        assert m.nn.utils.remove_spectral_norm(module) is module
    assert list(e.state_dict()) == list(t.state_dict())
    assert isinstance(e.weight, ember.nn.Parameter) and not e._forward_pre_hooks and not e._state_dict_hooks
    assert not e._load_state_dict_pre_hooks
    assert_close(e.weight, t.weight, rtol=1e-4, atol=1e-6)


def test_old_spectral_norm_upgrades_version_zero_checkpoints():
    source = torch.nn.utils.spectral_norm(torch.nn.Linear(3, 5))     # W^T W invertible: v is well defined
    source(torch.randn(2, 3))
    state = OrderedDict((k, v.clone()) for k, v in source.state_dict().items() if k != "weight_v")
    state["weight"] = source.weight.detach().clone()
    state._metadata = OrderedDict({"": {"version": 1}})          # no spectral_norm version: the old format
    loaded = []
    for m in (torch, ember):
        module = m.nn.utils.spectral_norm(m.nn.Linear(3, 5))
        module.load_state_dict(state if m is torch else to_ember(state))
        loaded.append(module)
    t, e = loaded
    assert_close(e.weight_v, t.weight_v, rtol=1e-3, atol=1e-5)
    state.pop("weight_u")
    same_error(lambda m: m.nn.utils.spectral_norm(m.nn.Linear(3, 5)).load_state_dict(
        state if m is torch else to_ember(state)), match="weight_u")


def test_old_spectral_norm_loads_torch_checkpoints_and_back():
    e, t, shape = pair("conv2d", old_spectral_norm())
    x = randn(*shape).astype(np.float32)
    e(ember.from_numpy(x))
    back = torch.nn.utils.spectral_norm(torch.nn.Conv2d(3, 4, 3))
    back.load_state_dict(to_torch(e.state_dict()))
    back.eval()
    e.eval()
    assert_close(e(ember.from_numpy(x)), back(torch.from_numpy(x)), rtol=1e-5, atol=1e-6)


def test_old_spectral_norm_errors_match_torch():
    same_error(lambda m: m.nn.utils.spectral_norm(m.nn.utils.spectral_norm(m.nn.Linear(2, 3))),
               match="Cannot register two spectral_norm hooks")
    same_error(lambda m: m.nn.utils.remove_spectral_norm(m.nn.Linear(2, 3)), match="spectral_norm of 'weight'")
    same_error(lambda m: m.nn.utils.spectral_norm(m.nn.Linear(2, 3), name="nope"))
    same_error(lambda m: m.nn.utils.spectral_norm(m.nn.Linear(2, 3), n_power_iterations=0), match="positive")
    same_error(lambda m: m.nn.utils.spectral_norm(m.nn.Linear(2, 3), dim=3))

    def without_bias(m):
        layer = m.nn.Linear(2, 3, bias=False)
        return m.nn.utils.spectral_norm(layer, name="bias")
    same_error(without_bias, match="is None")


# ----------------------------------------------------------------------------- the old hooks: weight_norm

@pytest.mark.parametrize("name, dim", [("linear", 0), ("conv2d", 1), ("conv2d", None)])
def test_old_weight_norm_training_steps_match_torch(name, dim):
    def apply(m, module):
        with pytest.warns(FutureWarning, match="weight_norm` is deprecated in favor of"):
            m.nn.utils.weight_norm(module, dim=dim)
    e, t, shape = pair(name, apply)
    assert list(e.state_dict()) == list(t.state_dict())
    assert [k for k in e.state_dict() if k.startswith("weight")] == ["weight_g", "weight_v"]
    assert e.weight_g.shape == t.weight_g.shape
    train_steps(e, t, shape, check=lambda e, t: assert_close(e.weight, t.weight, rtol=1e-4, atol=1e-6))
    for m, module in ((ember, e), (torch, t)):
        assert m.nn.utils.remove_weight_norm(module) is module
    assert list(e.state_dict()) == list(t.state_dict())
    assert isinstance(e.weight, ember.nn.Parameter) and not e._forward_pre_hooks
    assert_close(e.weight, t.weight, rtol=1e-4, atol=1e-6)


def test_old_weight_norm_errors_match_torch():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        same_error(lambda m: m.nn.utils.weight_norm(m.nn.utils.weight_norm(m.nn.Linear(2, 3))),
                   match="Cannot register two weight_norm hooks")
        same_error(lambda m: m.nn.utils.remove_weight_norm(m.nn.Linear(2, 3)), match="weight_norm of 'weight'")
        same_error(lambda m: m.nn.utils.weight_norm(m.nn.Linear(2, 3), name="nope"))
        same_error(lambda m: m.nn.utils.weight_norm(m.nn.BatchNorm1d(3), name="running_mean"))
