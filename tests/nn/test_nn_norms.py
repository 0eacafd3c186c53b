"""ember.nn.functional's normalization functions and nn.LayerNorm, GroupNorm, RMSNorm, LocalResponseNorm
against PyTorch: values, gradients, defaults, checks and errors."""

import numpy as np
import pytest
from helpers import check_grad, noncontiguous, parity, randn, same_error, same_result, to_numpy, torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
import ember.nn.functional as F

pytestmark = pytest.mark.skipif(torch is None, reason="PyTorch (the parity oracle) is not installed")


def _f(m):
    """The functional namespace of library ``m``."""
    return m.nn.functional


def _buffers(m, channels):
    return m.zeros(channels, dtype=m.float64), m.ones(channels, dtype=m.float64)


# ----------------------------------------------------------------------------- F.batch_norm

def test_f_batch_norm_training_and_defaults():
    x, w, b = randn(6, 3, 4), randn(3), randn(3)
    parity(lambda m, x, w, b: _f(m).batch_norm(x, None, None, w, b, training=True), x, w, b)
    parity(lambda m, x, w, b: _f(m).batch_norm(x, None, None, w, b, True, 0.3, 1e-2), x, w, b)

    def run(m):
        mean, var = _buffers(m, 3)
        outs = [_f(m).batch_norm(m.from_numpy(x * k), mean, var, training=True, momentum=0.2) for k in (1, 2, 3)]
        return outs, mean, var, _f(m).batch_norm(m.from_numpy(x), mean, var)      # training=False by default
    same_result(run)


def test_f_batch_norm_noncontiguous_float32():
    x = noncontiguous(randn(5, 4).astype(np.float32))
    parity(lambda m, x, w: _f(m).batch_norm(x, None, None, w, training=True), x, randn(4).astype(np.float32),
           rtol=1e-4, atol=1e-5)


F_BATCH_NORM_ERRORS = [
    lambda m: _f(m).batch_norm(m.randn(1, 3), None, None, training=True),
    lambda m: _f(m).batch_norm(m.randn(1, 3, 1), None, None, training=True),
    lambda m: _f(m).batch_norm(m.randn(4, 3), None, None, training=True, eps=0.0),
    lambda m: _f(m).batch_norm(m.randn(4, 3), m.zeros(3), m.ones(3), eps=-1.0),
    lambda m: _f(m).batch_norm(m.randn(4, 3), None, None),
    lambda m: _f(m).batch_norm(m.randn(4, 3), m.zeros(3), m.ones(3), training=True, momentum=None),
]


@pytest.mark.parametrize("fn", F_BATCH_NORM_ERRORS)
def test_f_batch_norm_errors(fn):
    same_error(fn)


def test_f_batch_norm_error_message():
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        F.batch_norm(ember.randn(1, 3), None, None, training=True)


# ----------------------------------------------------------------------------- F.instance_norm

def test_f_instance_norm():
    x, w, b = randn(2, 3, 5), randn(3), randn(3)
    parity(lambda m, x: _f(m).instance_norm(x), x, rtol=1e-4)
    parity(lambda m, x, w, b: _f(m).instance_norm(x, weight=w, bias=b, eps=1e-3), x, w, b, rtol=1e-4)

    def run(m):
        mean, var = _buffers(m, 3)
        out = _f(m).instance_norm(m.from_numpy(x), mean, var, momentum=0.5)
        return out, mean, var, _f(m).instance_norm(m.from_numpy(x), mean, var, use_input_stats=False)
    same_result(run)


@pytest.mark.parametrize("fn", [
    lambda m: _f(m).instance_norm(m.randn(2, 3, 1)),
    lambda m: _f(m).instance_norm(m.randn(2, 3)),
    lambda m: _f(m).instance_norm(m.randn(2, 3, 4), use_input_stats=False),
])
def test_f_instance_norm_errors(fn):
    same_error(fn)


# ----------------------------------------------------------------------------- F.layer_norm, F.rms_norm, F.group_norm

@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=4), k=st.integers(1, 2))
def test_f_layer_norm_and_rms_norm(shape, k):
    normalized = shape[-k:]
    x, w, b = randn(*shape), randn(*normalized), randn(*normalized)
    parity(lambda m, x, w, b: _f(m).layer_norm(x, normalized, w, b), x, w, b, rtol=1e-4, atol=1e-6)
    parity(lambda m, x, w: _f(m).rms_norm(x, normalized, w), x, w, rtol=1e-4, atol=1e-6)


def test_f_layer_norm_defaults_and_float32():
    x = noncontiguous(randn(3, 4, 6).astype(np.float32))
    parity(lambda m, x: _f(m).layer_norm(x, (6,)), x, rtol=1e-4, atol=1e-5)
    parity(lambda m, x, w: _f(m).layer_norm(x, [4, 6], w, eps=0.5), x, randn(4, 6).astype(np.float32),
           rtol=1e-4, atol=1e-5)
    parity(lambda m, x: _f(m).rms_norm(x, (6,), eps=0.5), x, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("shape,groups", [((2, 6, 5), 3), ((4, 6), 6), ((2, 4, 3, 2), 2), ((0, 4, 2), 2)])
def test_f_group_norm(shape, groups):
    c = shape[1]
    parity(lambda m, x, w, b: _f(m).group_norm(x, groups, w, b), randn(*shape), randn(c), randn(c), rtol=1e-4)
    parity(lambda m, x: _f(m).group_norm(x, groups, eps=0.1), randn(*shape), rtol=1e-4)


@pytest.mark.parametrize("fn", [
    lambda m: _f(m).group_norm(m.randn(6), 3),
    lambda m: _f(m).group_norm(m.randn(1, 6), 6),          # one value per group
    lambda m: _f(m).group_norm(m.randn(2, 6, 4), 0),
    lambda m: _f(m).group_norm(m.randn(2, 6, 4), 4),
    lambda m: _f(m).layer_norm(m.randn(2, 6), (5,)),
    lambda m: _f(m).layer_norm(m.randn(2, 6), 6),
    lambda m: _f(m).rms_norm(m.randn(2, 6), (5,)),
])
def test_f_norm_errors(fn):
    same_error(fn)


# ----------------------------------------------------------------------------- F.local_response_norm

@pytest.mark.parametrize("shape", [(2, 5, 4), (2, 6, 3, 3), (1, 4, 2, 2, 2), (2, 1, 3)])
@pytest.mark.parametrize("size", [1, 2, 3, 5, 8])
def test_f_local_response_norm(shape, size):
    parity(lambda m, x: _f(m).local_response_norm(x, size), randn(*shape))
    parity(lambda m, x: _f(m).local_response_norm(x, size, alpha=0.5, beta=0.6, k=2.0), randn(*shape))


def test_f_local_response_norm_float32_noncontiguous_and_empty():
    parity(lambda m, x: _f(m).local_response_norm(x, 3, 0.1), noncontiguous(randn(2, 5, 4).astype(np.float32)),
           rtol=1e-5, atol=1e-6)
    x = ember.zeros(0, 3, 4)
    assert F.local_response_norm(x, 2) is x
    assert same_result(lambda m: _f(m).local_response_norm(m.zeros(2, 0, 4), 2)).shape == (2, 0, 4)


def test_f_local_response_norm_gradcheck():
    check_grad(lambda x: F.local_response_norm(x, 3, alpha=0.5, beta=0.75, k=1.0), randn(2, 4, 3))


@pytest.mark.parametrize("fn", [
    lambda m: _f(m).local_response_norm(m.randn(2, 3), 2),
    lambda m: _f(m).local_response_norm(m.randn(2, 3, 4), 0),
])
def test_f_local_response_norm_errors(fn):
    same_error(fn)


def test_functional_gradchecks():
    check_grad(lambda x, w, b: F.layer_norm(x, (3,), w, b), randn(2, 3), randn(3), randn(3))
    check_grad(lambda x, w: F.rms_norm(x, (3,), w), randn(2, 3), randn(3))
    check_grad(lambda x, w, b: F.group_norm(x, 2, w, b), randn(2, 4, 2), randn(4), randn(4))
    check_grad(lambda x: F.instance_norm(x), randn(2, 2, 3))
    check_grad(lambda x, w: F.batch_norm(x, None, None, w, None, True), randn(3, 2, 2), randn(2))


# ----------------------------------------------------------------------------- modules

def _copy_parameters(t_layer, e_layer):
    """Random parameters in torch's layer, copied into ember's through load_state_dict."""
    with torch.no_grad():
        for p in t_layer.parameters():
            p.copy_(torch.from_numpy(randn(*p.shape)))
    e_layer.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy()) for k, v in t_layer.state_dict().items()})


def _module_parity(make, shape, rtol=1e-4, atol=1e-5):
    """Same outputs and input/parameter gradients from ``make(torch)`` and ``make(ember)`` (float32)."""
    t_layer, e_layer = make(torch), make(ember)
    _copy_parameters(t_layer, e_layer)
    x, cotangent = randn(*shape).astype(np.float32), randn(*shape).astype(np.float32)
    results = []
    for lib, layer in ((ember, e_layer), (torch, t_layer)):
        inp = lib.from_numpy(x.copy()).requires_grad_()
        out = layer(inp)
        out.backward(lib.from_numpy(cotangent.copy()))
        results.append([out.detach(), inp.grad] + [p.grad for p in layer.parameters()])
    assert [n for n, _ in e_layer.named_parameters()] == [n for n, _ in t_layer.named_parameters()]
    assert list(e_layer.state_dict()) == list(t_layer.state_dict())
    for e, t in zip(*results):
        assert e.dtype.name == str(t.dtype).replace("torch.", "")
        np.testing.assert_allclose(to_numpy(e), to_numpy(t), rtol=rtol, atol=atol)


@pytest.mark.parametrize("make,shape", [
    (lambda m: m.nn.LayerNorm(6), (3, 6)),
    (lambda m: m.nn.LayerNorm([4, 6]), (2, 4, 6)),
    (lambda m: m.nn.LayerNorm(6, bias=False), (2, 3, 6)),
    (lambda m: m.nn.LayerNorm(6, elementwise_affine=False, eps=0.1), (2, 6)),
    (lambda m: m.nn.LayerNorm(m.Size([3, 2])), (4, 3, 2)),
    (lambda m: m.nn.GroupNorm(3, 6), (2, 6, 4)),
    (lambda m: m.nn.GroupNorm(1, 4, affine=False), (2, 4, 2, 2)),
    (lambda m: m.nn.GroupNorm(2, 4, bias=False, eps=0.1), (3, 4)),
    (lambda m: m.nn.RMSNorm(6), (3, 6)),
    (lambda m: m.nn.RMSNorm([2, 6], eps=1e-3), (3, 2, 6)),
    (lambda m: m.nn.RMSNorm(6, elementwise_affine=False), (6,)),
    (lambda m: m.nn.LocalResponseNorm(3), (2, 5, 3, 3)),
    (lambda m: m.nn.LocalResponseNorm(2, alpha=0.1, beta=0.5, k=2.0), (2, 4, 3)),
])
def test_module_parity(make, shape):
    _module_parity(make, shape)


def test_module_defaults_and_repr():
    def run(m):
        layers = [m.nn.LayerNorm(4), m.nn.LayerNorm((4, 5), eps=1e-3, bias=False),
                  m.nn.LayerNorm(4, elementwise_affine=False), m.nn.GroupNorm(2, 4),
                  m.nn.GroupNorm(2, 4, affine=False), m.nn.RMSNorm(4), m.nn.RMSNorm([2, 3], eps=0.1),
                  m.nn.LocalResponseNorm(2), m.nn.LocalResponseNorm(3, 1e-3, 0.5, 2)]
        return [(repr(layer), [(n, p.detach()) for n, p in layer.named_parameters()]) for layer in layers]
    same_result(run)
    assert repr(ember.nn.LayerNorm(4)) == "LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)"


def test_module_dtype_and_reset():
    layer = ember.nn.LayerNorm(3, dtype=ember.float64)
    assert layer.weight.dtype == ember.float64 and layer.normalized_shape == (3,)
    with ember.no_grad():
        layer.weight.fill_(3.0)
    layer.reset_parameters()
    assert to_numpy(layer.weight).tolist() == [1.0, 1.0, 1.0]
    assert ember.nn.GroupNorm(2, 4, dtype=ember.float64).bias.dtype == ember.float64
    assert ember.nn.RMSNorm(2, dtype=ember.float64).weight.dtype == ember.float64


def test_group_norm_divisibility_error():
    same_error(lambda m: m.nn.GroupNorm(3, 4))
    with pytest.raises(ValueError, match=r"num_channels \(4\) must be divisible by num_groups \(3\)"):
        ember.nn.GroupNorm(3, 4)
