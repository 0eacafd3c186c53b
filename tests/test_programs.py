"""Whole PyTorch programs run unchanged on ember: each gives the same results as with torch.

Every module in ``tests/programs/`` defines ``run(torch)``, an ordinary PyTorch program
(training loops, custom Functions, higher-order gradients, linear algebra, metrics)
that uses only what it is passed. Here each runs once with ``torch`` and once with
``ember``, and every quantity it returns is compared: tensors by type, shape, dtype,
requires_grad and value; numbers within float tolerance; loss curves step by step.
"""

import importlib
import math
import pkgutil

import numpy as np
import programs
import pytest
from helpers import requires_torch, to_numpy, torch

import ember

pytestmark = requires_torch

PROGRAMS = sorted(info.name for info in pkgutil.iter_modules(programs.__path__))

# float32 training loops drift by a few ulps a step (different summation orders in the BLAS).
RTOL, ATOL = 2e-4, 1e-5


def _is_tensor(value):
    return isinstance(value, (ember.Tensor, torch.Tensor))


def _dtype_name(tensor):
    return str(tensor.dtype).split(".")[-1]


def compare(actual, expected, path):
    """An ember result against torch's, recursively (dicts, sequences, named tuples, tensors, numbers)."""
    if isinstance(expected, torch.Tensor):
        assert isinstance(actual, ember.Tensor), f"{path}: ember gave {type(actual).__name__}, torch a Tensor"
        assert tuple(actual.shape) == tuple(expected.shape), \
            f"{path}: shape {tuple(actual.shape)} != torch's {tuple(expected.shape)}"
        assert _dtype_name(actual) == _dtype_name(expected), f"{path}: dtype {actual.dtype} != torch's {expected.dtype}"
        assert actual.requires_grad == expected.requires_grad, \
            f"{path}: requires_grad {actual.requires_grad} != torch's {expected.requires_grad}"
        a, e = to_numpy(actual), to_numpy(expected)
        if e.dtype.kind == "f":
            np.testing.assert_allclose(a, e, rtol=RTOL, atol=ATOL, err_msg=path)
        else:
            np.testing.assert_array_equal(a, e, err_msg=path)
    elif isinstance(expected, dict):
        assert isinstance(actual, dict) and actual.keys() == expected.keys(), f"{path}: keys differ"
        for key in expected:
            compare(actual[key], expected[key], f"{path}[{key!r}]")
    elif isinstance(expected, (tuple, list)):
        assert isinstance(actual, (tuple, list)), f"{path}: ember gave {type(actual).__name__}, torch a sequence"
        assert len(actual) == len(expected), f"{path}: length {len(actual)} != torch's {len(expected)}"
        if hasattr(expected, "_fields") or type(expected).__module__ == "torch.return_types":
            assert type(actual).__name__ == type(expected).__name__, f"{path}: {type(actual)} vs {type(expected)}"
        for i, (a, e) in enumerate(zip(actual, expected)):
            compare(a, e, f"{path}[{i}]")
    elif isinstance(expected, float):
        assert isinstance(actual, float), f"{path}: ember gave {type(actual).__name__}, torch a float"
        assert math.isclose(actual, expected, rel_tol=RTOL, abs_tol=ATOL), f"{path}: {actual!r} != torch's {expected!r}"
    else:
        assert type(actual) is type(expected), \
            f"{path}: ember gave {type(actual).__name__}, torch {type(expected).__name__}"
        assert actual == expected, f"{path}: {actual!r} != torch's {expected!r}"


def _count_tensors(value):
    if _is_tensor(value):
        return 1
    if isinstance(value, dict):
        return sum(_count_tensors(v) for v in value.values())
    if isinstance(value, (tuple, list)):
        return sum(_count_tensors(v) for v in value)
    return 0


def test_there_are_programs():
    assert len(PROGRAMS) >= 10, PROGRAMS


@pytest.mark.parametrize("name", PROGRAMS)
def test_program_matches_torch(name):
    program = importlib.import_module(f"programs.{name}")
    expected = program.run(torch)
    actual = program.run(ember)
    assert isinstance(expected, dict) and _count_tensors(expected) > 0, "a program returns a dict with tensors"
    compare(actual, expected, name)


@pytest.mark.parametrize("name", PROGRAMS)
def test_program_uses_only_the_library_it_is_given(name):
    """A program that imported torch itself would compare torch with torch."""
    source = importlib.import_module(f"programs.{name}").__loader__.get_source(f"programs.{name}")
    for forbidden in ("import torch", "from torch", "import ember", "from ember"):
        assert forbidden not in source, f"{name} contains {forbidden!r}"


def test_compare_catches_differences():
    """The comparison itself fails on a value, dtype, requires_grad, type or curve mismatch."""
    good = {"loss": [1.0, 0.5], "w": torch.ones(2), "n": 3}
    compare({"loss": [1.0, 0.5], "w": ember.ones(2), "n": 3}, good, "same")
    wrong = [{"loss": [1.0, 0.6], "w": ember.ones(2), "n": 3},
             {"loss": [1.0, 0.5], "w": ember.ones(2, dtype=ember.float64), "n": 3},
             {"loss": [1.0, 0.5], "w": ember.ones(2, requires_grad=True), "n": 3},
             {"loss": [1.0, 0.5], "w": ember.ones(2) * 1.01, "n": 3},
             {"loss": [1.0, 0.5], "w": np.ones(2, dtype=np.float32), "n": 3},
             {"loss": [1.0, 0.5], "w": ember.ones(2), "n": 3.0},
             {"loss": [1.0], "w": ember.ones(2), "n": 3}]
    for case in wrong:
        with pytest.raises(AssertionError):
            compare(case, good, "wrong")
