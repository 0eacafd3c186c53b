"""DenseNet's memory_efficient: the bottleneck is checkpointed, and nothing a user sees changes."""

import numpy as np

import ember
from ember.vision.models import DenseNet


def _gradients(memory_efficient, x):
    ember.manual_seed(0)
    model = DenseNet(growth_rate=4, block_config=(2, 2), num_init_features=8, bn_size=2, num_classes=3,
                     memory_efficient=memory_efficient)
    out = model(x)
    out.square().sum().backward()
    return out.detach().numpy(), {name: p.grad.numpy() for name, p in model.named_parameters()}


def test_memory_efficient_gives_the_same_outputs_and_gradients():
    x = ember.randn(2, 3, 32, 32, generator=ember.Generator().manual_seed(1))
    plain_out, plain = _gradients(False, x)
    lean_out, lean = _gradients(True, x)
    np.testing.assert_allclose(lean_out, plain_out, rtol=1e-6)
    assert plain.keys() == lean.keys()
    for name in plain:
        np.testing.assert_allclose(lean[name], plain[name], rtol=1e-4, atol=1e-6, err_msg=name)


def test_memory_efficient_checkpoints_the_bottleneck(monkeypatch):
    from ember.vision.models import densenet
    calls = []
    original = densenet.checkpoint

    def counted(*args, **kwargs):
        calls.append(kwargs.get("use_reentrant"))
        return original(*args, **kwargs)
    monkeypatch.setattr(densenet, "checkpoint", counted)
    model = DenseNet(growth_rate=4, block_config=(2, 2), num_init_features=8, bn_size=2, num_classes=3,
                     memory_efficient=True)
    model(ember.randn(1, 3, 32, 32))
    assert calls == [False] * 4
    calls.clear()
    with ember.no_grad():
        model(ember.randn(1, 3, 32, 32))
    assert calls == []
