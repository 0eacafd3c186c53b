"""nn.BatchNorm1d/2d/3d and nn.InstanceNorm1d/2d/3d against PyTorch: training steps (outputs, gradients,
running statistics, num_batches_tracked), eval, state_dict and checkpoint upgrades, repr, errors."""

import warnings

import numpy as np
import pytest
from helpers import randn, same_error, same_result, to_numpy, torch

import ember

pytestmark = pytest.mark.skipif(torch is None, reason="PyTorch (the parity oracle) is not installed")


def _pair(name, *args, **kwargs):
    """The same layer in torch and ember, with ember's state (random affine weights) copied from torch's."""
    t_layer = getattr(torch.nn, name)(*args, **kwargs)
    e_layer = getattr(ember.nn, name)(*args, **{k: _ember_dtype(v) for k, v in kwargs.items()})
    with torch.no_grad():
        for p in t_layer.parameters():
            p.copy_(torch.from_numpy(randn(*p.shape)))
    state = {k: ember.from_numpy(v.detach().numpy().copy()) for k, v in t_layer.state_dict().items()}
    e_layer.load_state_dict(state)
    return t_layer, e_layer


def _ember_dtype(value):
    return getattr(ember, str(value).replace("torch.", "")) if isinstance(value, torch.dtype) else value


def _step(layer, lib, x, cotangent):
    """One forward and backward; returns the output and the gradients of the input and the parameters."""
    x = lib.from_numpy(x.copy()).requires_grad_()
    out = layer(x)
    out.backward(lib.from_numpy(cotangent.copy()))
    grads = [x.grad] + [p.grad for p in layer.parameters()]
    for p in layer.parameters():
        p.grad = None
    return [out.detach()] + grads


def _compare_training(name, shape, steps=3, array_dtype=np.float32, rtol=1e-4, atol=1e-5, **kwargs):
    """Train mode for ``steps`` batches, then eval on one more: every output, gradient and buffer must agree."""
    channels = shape[1] if len(shape) > 1 else shape[0]
    t_layer, e_layer = _pair(name, channels, **kwargs)
    for _ in range(steps):
        x, cotangent = randn(*shape).astype(array_dtype), randn(*shape).astype(array_dtype)
        for e, t in zip(_step(e_layer, ember, x, cotangent), _step(t_layer, torch, x, cotangent)):
            _close(e, t, rtol, atol)
        _compare_buffers(e_layer, t_layer)
    t_layer.eval()
    e_layer.eval()
    x, cotangent = randn(*shape).astype(array_dtype), randn(*shape).astype(array_dtype)
    for e, t in zip(_step(e_layer, ember, x, cotangent), _step(t_layer, torch, x, cotangent)):
        _close(e, t, rtol, atol)
    _compare_buffers(e_layer, t_layer)


def _close(e, t, rtol, atol):
    if t is None:
        assert e is None
        return
    assert e.dtype.name == str(t.dtype).replace("torch.", "")
    np.testing.assert_allclose(to_numpy(e), to_numpy(t), rtol=rtol, atol=atol)


def _compare_buffers(e_layer, t_layer):
    e_buffers, t_buffers = dict(e_layer.named_buffers()), dict(t_layer.named_buffers())
    assert e_buffers.keys() == t_buffers.keys()
    for key, t in t_buffers.items():
        _close(e_buffers[key], t, 1e-5, 1e-6)


# ----------------------------------------------------------------------------- BatchNorm

@pytest.mark.parametrize("name,shape", [("BatchNorm1d", (8, 3)), ("BatchNorm1d", (4, 3, 5)),
                                        ("BatchNorm2d", (4, 3, 3, 2)), ("BatchNorm3d", (2, 3, 2, 2, 3))])
@pytest.mark.parametrize("momentum", [0.1, None, 0.7])
def test_batchnorm_training_and_eval(name, shape, momentum):
    _compare_training(name, shape, momentum=momentum)


@pytest.mark.parametrize("options", [dict(affine=False), dict(track_running_stats=False), dict(bias=False),
                                     dict(affine=False, track_running_stats=False), dict(eps=0.1)])
def test_batchnorm_options(options):
    _compare_training("BatchNorm2d", (4, 3, 2, 2), **options)


def test_batchnorm_float64():
    _compare_training("BatchNorm1d", (6, 4), array_dtype=np.float64, rtol=1e-10, atol=1e-12,
                      dtype=torch.float64)


def test_batchnorm_zero_size_batch():
    """An empty batch passes through (PyTorch allows it); num_batches_tracked still counts it."""
    _compare_training("BatchNorm1d", (0, 3), steps=2)


def test_batchnorm_buffers_and_state_dict():
    def run(m):
        layer = m.nn.BatchNorm2d(3)
        return (list(layer.state_dict()), [n for n, _ in layer.named_buffers()], layer.num_batches_tracked,
                layer.running_mean, layer.running_var, layer.weight.detach(), layer.bias.detach())
    same_result(run)
    same_result(lambda m: (list(m.nn.BatchNorm1d(3, affine=False, track_running_stats=False).state_dict()),
                           m.nn.BatchNorm1d(3, track_running_stats=False).running_mean))


def test_batchnorm_running_stats_are_updated_in_place():
    layer = ember.nn.BatchNorm1d(3)
    mean, var = layer.running_mean, layer.running_var
    versions = mean._version, var._version
    layer(ember.randn(5, 3))
    assert layer.running_mean is mean and layer.running_var is var
    assert mean._version > versions[0] and var._version > versions[1]
    assert not mean.requires_grad and mean.grad_fn is None


def test_batchnorm_reset():
    def run(m):
        layer = m.nn.BatchNorm1d(3)
        layer(m.from_numpy(_BATCH.copy()))
        with m.no_grad():
            layer.weight.fill_(2.0)
        layer.reset_running_stats()
        after_stats = (layer.running_mean.clone(), layer.running_var.clone(), layer.num_batches_tracked.clone(),
                       layer.weight.detach().clone())
        layer.reset_parameters()
        return after_stats, layer.weight.detach()
    same_result(run)


def test_batchnorm_repr():
    same_result(lambda m: [repr(m.nn.BatchNorm2d(3)), repr(m.nn.BatchNorm1d(4, eps=1e-3, momentum=None,
                                                                              affine=False)),
                           repr(m.nn.BatchNorm3d(2, track_running_stats=False, bias=False))])
    assert repr(ember.nn.BatchNorm2d(3)) == \
        "BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"


_BATCH = np.linspace(-1, 2, 12, dtype=np.float32).reshape(4, 3) ** 2


def _old_checkpoint(m, version):
    """A BatchNorm checkpoint without num_batches_tracked, saved by a module ``_version`` (None: no metadata)."""
    layer = m.nn.BatchNorm1d(3)
    layer(m.from_numpy(_BATCH.copy()))
    state = layer.state_dict()
    del state["num_batches_tracked"]
    if version is None:
        del state._metadata
    else:
        state._metadata[""]["version"] = version
    return state


@pytest.mark.parametrize("version", [None, 1])
def test_batchnorm_loads_checkpoint_without_num_batches_tracked(version):
    def run(m):
        fresh = m.nn.BatchNorm1d(3)
        fresh.num_batches_tracked.fill_(5)
        result = fresh.load_state_dict(_old_checkpoint(m, version))
        return list(result.missing_keys), fresh.num_batches_tracked, fresh.running_mean
    same_result(run)


def test_batchnorm_current_checkpoint_without_num_batches_tracked_is_missing():
    def run(m):
        fresh = m.nn.BatchNorm1d(3)
        return m.nn.BatchNorm1d(3).load_state_dict(_old_checkpoint(m, 2), strict=False).missing_keys, fresh
    same_result(lambda m: list(run(m)[0]))
    same_error(lambda m: m.nn.BatchNorm1d(3).load_state_dict(_old_checkpoint(m, 2)))


@pytest.mark.parametrize("make,shape", [
    (lambda m: m.nn.BatchNorm1d(3), (2, 3, 4, 5)),
    (lambda m: m.nn.BatchNorm1d(3), (3,)),
    (lambda m: m.nn.BatchNorm2d(3), (2, 3, 4)),
    (lambda m: m.nn.BatchNorm3d(3), (2, 3, 4, 4)),
    (lambda m: m.nn.BatchNorm1d(3), (1, 3)),            # one value per channel while training
    (lambda m: m.nn.BatchNorm2d(3), (1, 3, 1, 1)),
    (lambda m: m.nn.BatchNorm2d(3), (2, 4, 2, 2)),      # wrong number of channels
])
def test_batchnorm_errors(make, shape):
    same_error(lambda m: make(m)(m.zeros(shape)))


def test_batchnorm_error_messages():
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        ember.nn.BatchNorm1d(3)(ember.zeros(2, 3, 4, 5))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        ember.nn.BatchNorm1d(3)(ember.zeros(1, 3))


def test_batchnorm_single_sample_in_eval():
    """Eval mode uses the running statistics, so one sample is fine."""
    _compare_training("BatchNorm1d", (1, 3), steps=0)


# ----------------------------------------------------------------------------- InstanceNorm

@pytest.mark.parametrize("name,shape", [("InstanceNorm1d", (3, 2, 5)), ("InstanceNorm2d", (2, 3, 3, 4)),
                                        ("InstanceNorm3d", (2, 2, 2, 3, 2))])
@pytest.mark.parametrize("options", [{}, dict(affine=True), dict(track_running_stats=True),
                                     dict(affine=True, track_running_stats=True, momentum=0.3)])
def test_instancenorm_training_and_eval(name, shape, options):
    _compare_training(name, shape, **options)


@pytest.mark.parametrize("name,shape", [("InstanceNorm1d", (3, 5)), ("InstanceNorm2d", (3, 4, 2))])
def test_instancenorm_unbatched(name, shape):
    _compare_training(name, (1,) + shape, steps=0, affine=True)      # layers built for the channel count
    t_layer, e_layer = _pair(name, shape[0], affine=True, track_running_stats=True)
    x, cotangent = randn(*shape).astype(np.float32), randn(*shape).astype(np.float32)
    for e, t in zip(_step(e_layer, ember, x, cotangent), _step(t_layer, torch, x, cotangent)):
        _close(e, t, 1e-4, 1e-5)
    _compare_buffers(e_layer, t_layer)


def test_instancenorm_repr_and_state_dict():
    same_result(lambda m: [repr(m.nn.InstanceNorm2d(3)), repr(m.nn.InstanceNorm1d(4, affine=True)),
                           list(m.nn.InstanceNorm3d(2, track_running_stats=True).state_dict()),
                           list(m.nn.InstanceNorm3d(2).state_dict())])


def test_instancenorm_channel_mismatch():
    same_error(lambda m: m.nn.InstanceNorm1d(4, affine=True)(m.zeros(2, 3, 5)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = ember.nn.InstanceNorm1d(4)(ember.randn(2, 3, 5))
    assert out.shape == (2, 3, 5)
    assert any("does not match num_features" in str(w.message) for w in caught)


@pytest.mark.parametrize("make,shape", [
    (lambda m: m.nn.InstanceNorm1d(3), (2, 3, 4, 5)),
    (lambda m: m.nn.InstanceNorm2d(3), (3, 4)),
    (lambda m: m.nn.InstanceNorm3d(3), (2, 3, 4, 4, 4, 4)),
    (lambda m: m.nn.InstanceNorm1d(3), (2, 3, 1)),      # one spatial element
])
def test_instancenorm_errors(make, shape):
    same_error(lambda m: make(m)(m.zeros(shape)))


def test_instancenorm_old_checkpoint_with_running_stats_is_refused():
    def run(m):
        state = m.nn.InstanceNorm1d(3, track_running_stats=True).state_dict()
        del state._metadata
        del state["num_batches_tracked"]
        return m.nn.InstanceNorm1d(3).load_state_dict(state)
    same_error(run)
