"""Module-level constants and the CUDA query functions a CPU-only program calls."""

import math

import pytest
from helpers import requires_torch, torch

import ember


@requires_torch
@pytest.mark.parametrize("name", ["pi", "e", "inf", "nan", "newaxis"])
def test_constants_match_torch(name):
    ours, theirs = getattr(ember, name), getattr(torch, name)
    assert (math.isnan(ours) and math.isnan(theirs)) if name == "nan" else ours == theirs


def test_cuda_queries_on_a_machine_without_cuda():
    assert ember.cuda.is_available() is False
    assert ember.cuda.device_count() == 0
    ember.cuda.manual_seed(0)
    ember.cuda.manual_seed_all(0)
    device = "cuda" if ember.cuda.is_available() else "cpu"
    assert ember.ones(2, device=device).device.type == "cpu"
    with pytest.raises(RuntimeError, match="CUDA"):
        ember.cuda.current_device()
    with pytest.raises(RuntimeError, match="CUDA"):
        ember.ones(2).to("cuda")


@requires_torch
@pytest.mark.parametrize("name", ["exp_", "clamp_", "zero_", "fill_", "sigmoid_", "detach_", "xlogy_"])
def test_inplace_forms_are_torch_functions(name):
    args = {"clamp_": (0.0, 0.5), "fill_": (2.0,), "xlogy_": (3.0,)}.get(name, ())
    x, y = ember.tensor([0.25, 0.75]), torch.tensor([0.25, 0.75])
    ours, theirs = getattr(ember, name)(x, *args), getattr(torch, name)(y, *args)
    assert ours is x and theirs is y
    assert x.tolist() == pytest.approx(y.tolist())


def test_detach_and_anomaly_switches_at_top_level():
    x = ember.ones(2, requires_grad=True)
    assert not ember.detach(x * 2).requires_grad
    assert ember.is_anomaly_enabled() is False
    ember.set_anomaly_enabled(True)
    try:
        assert ember.is_anomaly_enabled() and ember.is_anomaly_check_nan_enabled()
    finally:
        ember.set_anomaly_enabled(False)
    assert ember.is_anomaly_enabled() is False


@requires_torch
def test_rsub_fill_and_more_inplace_functions():
    from helpers import parity, randint, randn
    parity(lambda m, x: (m.rsub(x, 5, alpha=2), m.rsub(x, x * 3)), randn(3))
    parity(lambda m, x: m.fill(x, 3.0), randn(2, 3))
    parity(lambda m, x: m.fill(x, 2.7), randint(0, 3, 4), grad=False)
    parity(lambda m, x, y: (m.gcd_(x.clone(), y), m.lcm_(x.clone(), y)), randint(1, 30, 5), randint(1, 30, 5))
    parity(lambda m, x, y: m.ldexp_(x.clone(), y), randn(5), randint(0, 3, 5), grad=False)
