"""The torch.* queries (numel, is_nonzero, is_same_size, is_signed, typename, is_inference) and the
process-wide settings (threads, determinism, default device, matmul precision, warnings, denormals)."""

import os

import numpy as np
import pytest
from helpers import parity, randn, same_error, torch

import ember
from ember import _settings

# ----------------------------------------------------------------------------- queries


@pytest.mark.parametrize("shape", [(), (0,), (2, 3), (1, 0, 4)])
def test_numel_and_is_same_size(shape):
    parity(lambda m, x: m.numel(x), randn(*shape))
    parity(lambda m, x, y: (m.is_same_size(x, y), x.is_same_size(y)), randn(*shape), randn(*shape))
    parity(lambda m, x, y: m.is_same_size(x, y), randn(*shape), randn(3))


def test_query_type_errors():
    same_error(lambda m: m.numel(5))
    same_error(lambda m: m.is_nonzero(5))
    same_error(lambda m, x: m.is_same_size(x, 3), randn(2))
    same_error(lambda m: m.is_signed(3))
    same_error(lambda m: m.is_inference(3))


@pytest.mark.parametrize("value", [np.array([1.5]), np.array(0.0), np.array([[0]]), np.array([True]),
                                   np.array(np.nan), np.array([-3], dtype=np.int8)])
def test_is_nonzero(value):
    parity(lambda m, x: (m.is_nonzero(x), x.is_nonzero()), value, grad=False)


def test_is_nonzero_needs_one_element():
    same_error(lambda m, x: m.is_nonzero(x), randn(2))
    same_error(lambda m, x: m.is_nonzero(x), randn(0))


@pytest.mark.parametrize("dtype", [np.bool_, np.uint8, np.int8, np.int16, np.int32, np.int64, np.float16,
                                   np.float32, np.float64])
def test_is_signed(dtype):
    parity(lambda m, x: (m.is_signed(x), x.is_signed()), np.zeros(2, dtype=dtype), grad=False)


def test_typename():
    for dtype in ("float32", "float64", "int64", "uint8", "bool"):
        assert ember.typename(ember.zeros(2, dtype=getattr(ember, dtype))) == \
            torch.typename(torch.zeros(2, dtype=getattr(torch, dtype))).replace("torch.", "ember.")
    for obj in (3, "text", [1], None, np.float32(1.0), os.path.join, test_typename, ember.Size):
        assert ember.typename(obj) == torch.typename(obj)
    assert ember.typename(ember.Tensor) == "ember._tensor.Tensor"


def test_is_inference():
    x = ember.zeros(2)
    with ember.inference_mode():
        y = ember.zeros(2)
    assert ember.is_inference(x) is False and x.is_inference() is False
    assert torch.is_inference(torch.zeros(2)) is False
    assert y.is_inference() is False          # ember does not keep inference tensors apart (documented)


# ----------------------------------------------------------------------------- settings

@pytest.fixture
def fresh_settings(monkeypatch):
    """A clean copy of the process settings for one test, restored afterwards."""
    monkeypatch.setattr(_settings, "_settings", _settings._Settings())
    return _settings._settings


def test_num_threads(fresh_settings):
    assert ember.get_num_threads() >= 1
    ember.set_num_threads(3)
    assert ember.get_num_threads() == 3
    for bad in (0, -1):
        with pytest.raises(RuntimeError, match="positive integer"):
            ember.set_num_threads(bad)
    for bad in (2.0, True, "2"):
        with pytest.raises(RuntimeError, match="expects an int"):
            ember.set_num_threads(bad)


@pytest.mark.parametrize("bad", [0, -1, 2.0, True])
def test_num_threads_errors_match_torch(bad):
    same_error(lambda m: m.set_num_threads(bad))
    same_error(lambda m: m.set_num_interop_threads(bad))


def test_num_interop_threads_once(fresh_settings):
    assert ember.get_num_interop_threads() >= 1
    ember.set_num_interop_threads(2)
    assert ember.get_num_interop_threads() == 2
    with pytest.raises(RuntimeError, match="cannot set number of interop threads"):
        ember.set_num_interop_threads(3)
    assert ember.get_num_interop_threads() == 2


def test_default_threads_follow_omp_num_threads(fresh_settings, monkeypatch):
    monkeypatch.setattr(_settings, "_blas_limits", lambda: None)        # as without threadpoolctl
    monkeypatch.setenv("OMP_NUM_THREADS", "5")
    assert ember.get_num_threads() == 5 and ember.get_num_interop_threads() == 5
    monkeypatch.delenv("OMP_NUM_THREADS")
    assert ember.get_num_threads() == (os.cpu_count() or 1)


def test_deterministic_algorithms(fresh_settings):
    assert not ember.are_deterministic_algorithms_enabled()
    assert not ember.is_deterministic_algorithms_warn_only_enabled()
    assert ember.get_deterministic_debug_mode() == 0
    ember.use_deterministic_algorithms(True, warn_only=True)
    assert ember.are_deterministic_algorithms_enabled() and ember.is_deterministic_algorithms_warn_only_enabled()
    assert ember.get_deterministic_debug_mode() == 1
    ember.use_deterministic_algorithms(True)
    assert ember.are_deterministic_algorithms_enabled() and not ember.is_deterministic_algorithms_warn_only_enabled()
    assert ember.get_deterministic_debug_mode() == 2
    ember.set_deterministic_debug_mode("default")
    assert not ember.are_deterministic_algorithms_enabled()
    ember.set_deterministic_debug_mode(1)
    assert ember.is_deterministic_algorithms_warn_only_enabled()
    ember.set_deterministic_debug_mode("error")
    assert ember.get_deterministic_debug_mode() == 2


def test_deterministic_errors_match_torch():
    same_error(lambda m: m.use_deterministic_algorithms(1))
    same_error(lambda m: m.use_deterministic_algorithms(False, warn_only=1))
    same_error(lambda m: m.set_deterministic_debug_mode("loud"))
    same_error(lambda m: m.set_deterministic_debug_mode(3))
    same_error(lambda m: m.set_deterministic_debug_mode(1.0))
    assert not torch.are_deterministic_algorithms_enabled()


def test_default_device(fresh_settings):
    assert ember.get_default_device() == ember.device("cpu")
    assert repr(ember.get_default_device()) == repr(torch.get_default_device())
    ember.set_default_device("cpu")
    ember.set_default_device(ember.device("cpu"))
    ember.set_default_device(None)
    assert ember.get_default_device() == ember.device("cpu")
    with pytest.raises(RuntimeError, match="CUDA"):
        ember.set_default_device("cuda")
    with pytest.raises(RuntimeError, match="CUDA"):
        ember.set_default_device(0)
    assert ember.get_default_device() == ember.device("cpu")


def test_default_device_errors_match_torch():
    same_error(lambda m: m.set_default_device("foo"))
    same_error(lambda m: m.set_default_device(3.5))


def test_float32_matmul_precision(fresh_settings):
    assert ember.get_float32_matmul_precision() == torch.get_float32_matmul_precision() == "highest"
    for precision in ("high", "medium", "highest"):
        ember.set_float32_matmul_precision(precision)
        assert ember.get_float32_matmul_precision() == precision
    ember.set_float32_matmul_precision("medium")
    with pytest.warns(UserWarning, match="no effect"):
        ember.set_float32_matmul_precision("fastest")
    assert ember.get_float32_matmul_precision() == "medium"
    same_error(lambda m: m.set_float32_matmul_precision(3))


def test_warn_always(fresh_settings):
    assert ember.is_warn_always_enabled() is False
    ember.set_warn_always(True)
    assert ember.is_warn_always_enabled() is True
    same_error(lambda m: m.set_warn_always(1))


def test_warn_always_repeats_once_only_warnings(fresh_settings):
    from ember.ops import indexing
    ember.set_warn_always(True)
    for _ in range(2):
        indexing._warned.add("index_reduce")
        with pytest.warns(UserWarning, match="beta"):
            ember.index_reduce(ember.ones(2), 0, ember.tensor([0]), ember.ones(1), "amax")


def test_flush_denormal():
    assert ember.set_flush_denormal(True) is False      # NumPy cannot flush denormals
    assert ember.set_flush_denormal(False) is False
    same_error(lambda m: m.set_flush_denormal(1))
