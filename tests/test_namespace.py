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
