"""ember.nn.init against torch.nn.init: exact values where deterministic, statistics where random, errors."""

import math
import warnings

import numpy as np
import pytest
from helpers import assert_close, requires_torch, same_error, torch

import ember
from ember.nn import init

pytestmark = requires_torch

NONLINEARITIES = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                  "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"]


def both(fn):
    """Run ``fn(lib)`` for ember and torch and return (ember result, torch result) as float64 arrays."""
    e, t = fn(ember), fn(torch)
    return np.asarray(e.detach()._data, dtype=np.float64), t.detach().double().numpy()


# ----------------------------------------------------------------------------- gains and fans

@pytest.mark.parametrize("name", NONLINEARITIES)
def test_calculate_gain(name):
    assert init.calculate_gain(name) == torch.nn.init.calculate_gain(name)


@pytest.mark.parametrize("param", [None, 0.2, 1, 0, -0.5])
def test_calculate_gain_leaky_relu_param(param):
    assert init.calculate_gain("leaky_relu", param) == torch.nn.init.calculate_gain("leaky_relu", param)


@pytest.mark.parametrize("name, param", [("leaky_relu", True), ("leaky_relu", "0.1"), ("gelu", None),
                                         ("ReLU", None), ("softmax", 1)])
def test_calculate_gain_errors(name, param):
    err = same_error(lambda m: m.nn.init.calculate_gain(name, param))
    with pytest.raises(ValueError) as t_err:
        torch.nn.init.calculate_gain(name, param)
    assert str(err) == str(t_err.value)


@pytest.mark.parametrize("shape", [(3, 5), (8, 3, 5), (8, 3, 5, 5), (4, 2, 3, 3, 3), (0, 4), (4, 0, 3)])
def test_fan_in_and_fan_out(shape):
    got = init._calculate_fan_in_and_fan_out(ember.empty(*shape))
    assert got == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))


@pytest.mark.parametrize("shape", [(3,), ()])
def test_fan_needs_two_dims(shape):
    same_error(lambda m: m.nn.init._calculate_fan_in_and_fan_out(m.empty(*shape)))
    same_error(lambda m: m.nn.init.xavier_uniform_(m.empty(*shape)))
    same_error(lambda m: m.nn.init.kaiming_normal_(m.empty(*shape)))


def test_fan_mode_errors():
    err = same_error(lambda m: m.nn.init.kaiming_uniform_(m.empty(3, 4), mode="fan_avg"))
    assert "fan_avg" in str(err)
    same_error(lambda m: m.nn.init.kaiming_normal_(m.empty(3, 4), nonlinearity="swish"))
    # mode is case-insensitive, as in torch
    w = init.kaiming_normal_(ember.empty(3, 4), mode="FAN_OUT")
    assert w.shape == (3, 4)


# ----------------------------------------------------------------------------- deterministic fills

@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4), (0, 3)])
def test_eye(shape):
    e, t = both(lambda m: m.nn.init.eye_(m.empty(*shape)))
    np.testing.assert_array_equal(e, t)


@pytest.mark.parametrize("shape", [(3,), (2, 3, 4)])
def test_eye_needs_2d(shape):
    err = same_error(lambda m: m.nn.init.eye_(m.empty(*shape)))
    assert str(err) == "Only tensors with 2 dimensions are supported"


@pytest.mark.parametrize("shape, groups", [((4, 4, 3), 1), ((6, 3, 5), 2), ((4, 2, 3, 3), 1), ((4, 2, 3, 3), 2),
                                           ((3, 5, 2, 4), 1), ((4, 2, 3, 3, 3), 1), ((6, 1, 3, 3, 3), 3)])
def test_dirac(shape, groups):
    e, t = both(lambda m: m.nn.init.dirac_(m.empty(*shape), groups=groups))
    np.testing.assert_array_equal(e, t)


def test_dirac_errors():
    assert str(same_error(lambda m: m.nn.init.dirac_(m.empty(3, 3)))) == \
        "Only tensors with 3, 4, or 5 dimensions are supported"
    err = same_error(lambda m: m.nn.init.dirac_(m.empty(5, 2, 3), groups=2))
    assert str(err) == "dim 0 must be divisible by groups"


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64"])
def test_constant_ones_zeros(dtype):
    for fn in (lambda m, x: m.nn.init.constant_(x, 2.5), lambda m, x: m.nn.init.ones_(x),
               lambda m, x: m.nn.init.zeros_(x), lambda m, x: m.nn.init.constant_(x, -3)):
        e = fn(ember, ember.empty(2, 3, dtype=getattr(ember, dtype)))
        t = fn(torch, torch.empty(2, 3, dtype=getattr(torch, dtype)))
        assert_close(e, t)


def test_fills_parameters_in_place_without_history():
    w = ember.nn.Parameter(ember.empty(3, 4))
    version = w._version
    for fn in (init.ones_, init.zeros_, init.eye_, lambda x: init.constant_(x, 1.0), init.xavier_uniform_,
               init.xavier_normal_, init.kaiming_uniform_, init.kaiming_normal_, init.orthogonal_,
               lambda x: init.sparse_(x, 0.5), init.uniform_, init.normal_, init.trunc_normal_):
        out = fn(w)
        assert out is w
        assert w.is_leaf and w.grad_fn is None and w.requires_grad
    assert w._version > version
    view = w[0]                                 # views of parameters may be initialised as well
    init.zeros_(view)
    assert float(w[0].abs().sum()) == 0.0


# ----------------------------------------------------------------------------- random distributions

def _stats(array):
    return float(array.mean()), float(array.std()), float(array.min()), float(array.max())


def compare_stats(fn, shape=(400, 500)):
    """Draw a large tensor with ember and with torch; means and stds must agree within 6 standard errors."""
    e, t = both(lambda m: fn(m, m.empty(*shape)))
    em, es, _, _ = _stats(e)
    tm, ts, _, _ = _stats(t)
    standard_error = ts * math.sqrt(2.0 / e.size)
    assert abs(em - tm) <= 6 * standard_error, (em, tm)
    assert abs(es - ts) <= 6 * standard_error + 1e-3 * ts, (es, ts)
    return e, t


@pytest.mark.parametrize("a, b", [(0.0, 1.0), (-3.0, 2.0)])
def test_uniform(a, b):
    e, _ = compare_stats(lambda m, x: m.nn.init.uniform_(x, a, b))
    assert e.min() >= a and e.max() < b
    assert abs(e.std() - (b - a) / math.sqrt(12)) < 0.01 * (b - a)


@pytest.mark.parametrize("mean, std", [(0.0, 1.0), (2.0, 0.02)])
def test_normal(mean, std):
    e, _ = compare_stats(lambda m, x: m.nn.init.normal_(x, mean, std))
    assert abs(e.mean() - mean) < 0.01 * std and abs(e.std() - std) < 0.01 * std


@pytest.mark.parametrize("gain", [1.0, math.sqrt(2.0)])
@pytest.mark.parametrize("shape", [(300, 700), (64, 32, 3, 3)])
def test_xavier_uniform(gain, shape):
    e, _ = compare_stats(lambda m, x: m.nn.init.xavier_uniform_(x, gain=gain), shape)
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(ember.empty(*shape))
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    assert np.abs(e).max() <= bound * (1 + 1e-6)
    assert np.abs(e).max() > 0.99 * bound


@pytest.mark.parametrize("shape", [(300, 700), (64, 32, 3, 3)])
def test_xavier_normal(shape):
    e, _ = compare_stats(lambda m, x: m.nn.init.xavier_normal_(x, gain=0.5), shape)
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(ember.empty(*shape))
    assert abs(e.std() - 0.5 * math.sqrt(2.0 / (fan_in + fan_out))) < 0.02 * e.std()


@pytest.mark.parametrize("a, mode, nonlinearity", [(0, "fan_in", "leaky_relu"), (math.sqrt(5), "fan_in", "leaky_relu"),
                                                   (0, "fan_out", "relu"), (0.1, "fan_in", "tanh")])
@pytest.mark.parametrize("kind", ["uniform", "normal"])
def test_kaiming(a, mode, nonlinearity, kind):
    shape = (96, 48, 5, 5)
    fn = getattr(init, f"kaiming_{kind}_")
    e, _ = compare_stats(lambda m, x: getattr(m.nn.init, f"kaiming_{kind}_")(x, a=a, mode=mode,
                                                                           nonlinearity=nonlinearity), shape)
    fan = 48 * 25 if mode == "fan_in" else 96 * 25
    std = init.calculate_gain(nonlinearity, a) / math.sqrt(fan)
    assert abs(e.std() - std) < 0.02 * std
    if kind == "uniform":
        assert np.abs(e).max() <= math.sqrt(3.0) * std * (1 + 1e-6)
    assert fn is not None


def test_kaiming_zero_element_warns():
    for fn in (init.kaiming_uniform_, init.kaiming_normal_):
        with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
            fn(ember.empty(0, 3))


@pytest.mark.parametrize("mean, std, a, b", [(0.0, 1.0, -2.0, 2.0), (0.0, 1.0, -0.5, 0.5), (0.0, 0.02, -0.04, 0.04),
                                             (0.0, 1.0, 2.0, 3.0), (1.0, 2.0, -1.0, 0.0)])
def test_trunc_normal(mean, std, a, b):
    e, t = compare_stats(lambda m, x: m.nn.init.trunc_normal_(x, mean, std, a, b), shape=(200, 500))
    assert e.min() >= a and e.max() <= b
    assert abs(e.min() - t.min()) < 0.02 * (b - a) and abs(e.max() - t.max()) < 0.02 * (b - a)


def test_trunc_normal_far_mean_warns():
    with pytest.warns(UserWarning, match="mean is more than 2 std"):
        init.trunc_normal_(ember.empty(10), mean=10.0, std=1.0, a=-2.0, b=2.0)


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4), (6, 2, 3, 3), (2, 3, 4)])
@pytest.mark.parametrize("gain", [1.0, 2.0])
def test_orthogonal(shape, gain):
    w = init.orthogonal_(ember.empty(*shape, dtype=ember.float64), gain=gain)
    flat = w._data.reshape(shape[0], -1)
    gram = flat @ flat.T if flat.shape[0] <= flat.shape[1] else flat.T @ flat
    np.testing.assert_allclose(gram, gain ** 2 * np.eye(gram.shape[0]), atol=1e-10)


def test_orthogonal_errors_and_empty():
    assert str(same_error(lambda m: m.nn.init.orthogonal_(m.empty(4)))) == \
        "Only tensors with 2 or more dimensions are supported"
    assert init.orthogonal_(ember.empty(0, 3)).shape == (0, 3)


def test_orthogonal_is_uniformly_distributed():
    """QR with the sign fix gives Haar-distributed matrices: the mean entry is ~0 for every position."""
    draws = np.stack([init.orthogonal_(ember.empty(3, 3, dtype=ember.float64))._data for _ in range(400)])
    assert np.abs(draws.mean(axis=0)).max() < 0.15


@pytest.mark.parametrize("rows, cols, sparsity", [(10, 4, 0.3), (7, 5, 0.5), (20, 3, 0.0), (5, 2, 1.0)])
def test_sparse(rows, cols, sparsity):
    w = init.sparse_(ember.empty(rows, cols), sparsity, std=0.5)
    zeros_per_column = (w._data == 0).sum(axis=0)
    tw = torch.nn.init.sparse_(torch.empty(rows, cols), sparsity, std=0.5)
    np.testing.assert_array_equal(zeros_per_column, (tw.numpy() == 0).sum(axis=0))
    assert np.all(zeros_per_column == math.ceil(sparsity * rows))


def test_sparse_errors():
    assert str(same_error(lambda m: m.nn.init.sparse_(m.empty(2, 3, 4), 0.1))) == \
        "Only tensors with 2 dimensions are supported"


def test_sparse_std():
    w = init.sparse_(ember.empty(500, 400), 0.2, std=0.1)
    nonzero = w._data[w._data != 0]
    assert abs(nonzero.std() - 0.1) < 0.003


RANDOM_INITS = [lambda x, g: init.uniform_(x, generator=g), lambda x, g: init.normal_(x, generator=g),
                lambda x, g: init.trunc_normal_(x, generator=g), lambda x, g: init.xavier_uniform_(x, generator=g),
                lambda x, g: init.xavier_normal_(x, generator=g), lambda x, g: init.kaiming_uniform_(x, generator=g),
                lambda x, g: init.kaiming_normal_(x, generator=g), lambda x, g: init.orthogonal_(x, generator=g),
                lambda x, g: init.sparse_(x, 0.3, generator=g),
                lambda x, g: init.trunc_normal_(x, a=1.5, b=2.5, generator=g)]


@pytest.mark.parametrize("fn", RANDOM_INITS)
def test_generator(fn):
    def draw(seed):
        return fn(ember.empty(6, 5), ember.Generator().manual_seed(seed))._data.copy()
    np.testing.assert_array_equal(draw(3), draw(3))
    assert not np.array_equal(draw(3), draw(4))
    ember.manual_seed(5)
    first = fn(ember.empty(6, 5), None)._data.copy()
    ember.manual_seed(5)
    np.testing.assert_array_equal(first, fn(ember.empty(6, 5), None)._data)


@pytest.mark.parametrize("dtype", ["float64", "float16", "bfloat16"])
def test_random_inits_keep_dtype(dtype):
    for fn in RANDOM_INITS:
        w = fn(ember.empty(6, 5, dtype=getattr(ember, dtype)), None)
        assert w.dtype is getattr(ember, dtype)
        assert np.isfinite(w._data.astype(np.float64)).all()


@pytest.mark.parametrize("name", ["uniform", "normal", "constant", "eye", "dirac", "xavier_uniform", "xavier_normal",
                                  "kaiming_uniform", "kaiming_normal", "orthogonal", "sparse"])
def test_deprecated_aliases(name):
    args = {"constant": (0.5,), "sparse": (0.1,)}.get(name, ())
    shape = (2, 2, 3) if name == "dirac" else (3, 4)
    with pytest.warns(FutureWarning, match=f"nn.init.{name}_"):
        out = getattr(init, name)(ember.empty(*shape), *args)
    assert out.shape == shape
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert getattr(torch.nn.init, name) is not None
