"""Test helpers: compare ember with PyTorch (values, gradients, errors) and check gradients numerically.

A parity test for an op is a few lines::

    def test_exp():
        parity(lambda m, x: m.exp(x), randn(3, 4))

``parity`` runs the function once with ``m = ember`` and once with ``m = torch`` on the
same inputs (NumPy arrays become tensors of both libraries; float ones require grad),
compares outputs, then back-propagates the same random cotangent and compares the
input gradients. ``same_error`` checks both raise the same exception type;
``same_result(fn)`` compares whatever ``fn(m)`` returns (nested tensors and values).
"""

import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:  # the parity tier skips without torch; CI installs it
    torch = None

requires_torch = pytest.mark.skipif(torch is None, reason="PyTorch (the parity oracle) is not installed")

_rng = np.random.default_rng(1234)


def reseed(seed):
    """Restart the helpers' random stream (conftest does it per test, so inputs don't depend on test order)."""
    global _rng
    _rng = np.random.default_rng(seed)


def randn(*shape, dtype=np.float64):
    """Random normal values as a NumPy array (float64 unless told otherwise)."""
    return _rng.standard_normal(shape).astype(dtype)


def randint(low, high, *shape, dtype=np.int64):
    return _rng.integers(low, high, size=shape).astype(dtype)


def positive(*shape, dtype=np.float64):
    """Random values in [0.5, 2): safe for log, sqrt, reciprocal."""
    return (_rng.random(shape) * 1.5 + 0.5).astype(dtype)


def noncontiguous(array):
    """The same values as ``array`` in a non-contiguous (transposed-storage) layout."""
    if array.ndim < 2:
        doubled = np.repeat(array, 2)
        return doubled[::2]
    return np.ascontiguousarray(array.swapaxes(-1, -2)).swapaxes(-1, -2)


def _to_lib(lib, value, requires_grad):
    if isinstance(value, np.ndarray):
        if lib is torch:
            t = torch.from_numpy(np.array(value, copy=True)) if value.flags.c_contiguous else \
                torch.from_numpy(np.ascontiguousarray(value.swapaxes(-1, -2))).transpose(-1, -2) \
                if value.ndim >= 2 else torch.from_numpy(np.array(value))
        else:
            t = ember.from_numpy(value.copy() if value.flags.c_contiguous else value.copy(order="K"))
            if not value.flags.c_contiguous and value.ndim >= 2:
                t = ember.from_numpy(np.ascontiguousarray(value.swapaxes(-1, -2))).transpose(-1, -2)
        if requires_grad and value.dtype.kind in "fc":
            t.requires_grad_(True)
        return t
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], np.ndarray):
        return type(value)(_to_lib(lib, v, requires_grad) for v in value)
    if lib is torch and isinstance(value, ember.dtype):
        return getattr(torch, value.name)
    return value


def to_numpy(value):
    """NumPy array of an ember or torch tensor (detached)."""
    if torch is not None and isinstance(value, torch.Tensor):
        return value.detach().resolve_conj().resolve_neg().numpy()
    if isinstance(value, ember.Tensor):
        return np.asarray(value.detach()._data)
    return np.asarray(value)


def _flatten(result):
    if isinstance(result, (tuple, list)):
        out = []
        for r in result:
            out.extend(_flatten(r))
        return out
    if hasattr(result, "values") and hasattr(result, "indices") and not callable(result.values):
        return [result.values, result.indices]
    return [result]


def assert_close(actual, expected, rtol=1e-5, atol=1e-6, check_dtype=True, what="output"):
    """Compare an ember result with a torch result: shape, dtype name and values."""
    a, e = to_numpy(actual), to_numpy(expected)
    assert a.shape == e.shape, f"{what}: shape {a.shape} != torch's {e.shape}"
    if check_dtype and isinstance(actual, ember.Tensor) and torch is not None and isinstance(expected, torch.Tensor):
        assert actual.dtype.name == str(expected.dtype).replace("torch.", ""), \
            f"{what}: dtype {actual.dtype} != torch's {expected.dtype}"
    if a.dtype.kind == "c" or e.dtype.kind == "c":
        np.testing.assert_allclose(a.astype(np.complex128), e.astype(np.complex128), rtol=rtol, atol=atol,
                                   equal_nan=True, err_msg=what)
    elif a.dtype.kind == "f" or e.dtype.kind == "f":
        np.testing.assert_allclose(a.astype(np.float64), e.astype(np.float64), rtol=rtol, atol=atol,
                                   equal_nan=True, err_msg=what)
    else:
        np.testing.assert_array_equal(a, e, err_msg=what)


def parity(fn, *inputs, grad=True, rtol=1e-5, atol=1e-6, check_dtype=True, **kwargs):
    """Run ``fn(lib, *inputs, **kwargs)`` with ember and torch; compare outputs and input gradients.

    Inputs that are NumPy arrays become tensors (float arrays require grad when ``grad``);
    other arguments are passed as they are. Returns the ember result.
    """
    if torch is None:
        pytest.skip("PyTorch is not installed")
    e_inputs = [_to_lib(ember, x, grad) for x in inputs]
    t_inputs = [_to_lib(torch, x, grad) for x in inputs]
    e_kwargs = {k: _to_lib(ember, v, False) for k, v in kwargs.items()}
    t_kwargs = {k: _to_lib(torch, v, False) for k, v in kwargs.items()}
    e_out, t_out = fn(ember, *e_inputs, **e_kwargs), fn(torch, *t_inputs, **t_kwargs)
    e_flat, t_flat = _flatten(e_out), _flatten(t_out)
    assert len(e_flat) == len(t_flat), f"ember returned {len(e_flat)} outputs, torch {len(t_flat)}"
    for i, (e, t) in enumerate(zip(e_flat, t_flat)):
        if isinstance(t, torch.Tensor):
            assert isinstance(e, ember.Tensor), f"output {i}: ember returned {type(e).__name__}, not a Tensor"
            assert_close(e, t, rtol, atol, check_dtype, what=f"output {i}")
        else:
            assert e == t or (isinstance(t, float) and np.isclose(e, t, rtol=rtol, atol=atol)), \
                f"output {i}: {e!r} != torch's {t!r}"
    if not grad:
        return e_out
    pairs = [(e, t) for e, t in zip(e_flat, t_flat)
             if isinstance(t, torch.Tensor) and t.requires_grad and (t.dtype.is_floating_point or t.is_complex())]
    if not pairs:
        return e_out
    cotangents = [_cotangent(t) for _, t in pairs]
    leaves = [(e, t) for e, t in zip(_flatten(e_inputs), _flatten(t_inputs))
              if isinstance(t, torch.Tensor) and t.requires_grad]
    t_grads = torch.autograd.grad([t for _, t in pairs], [t for _, t in leaves],
                                  [torch.from_numpy(c) for c in cotangents], allow_unused=True)
    e_grads = ember.autograd.grad([e for e, _ in pairs], [e for e, _ in leaves],
                                  [ember.from_numpy(c) for c in cotangents], allow_unused=True)
    for i, (eg, tg) in enumerate(zip(e_grads, t_grads)):
        if tg is None:
            assert eg is None or not np.any(to_numpy(eg)), f"gradient {i}: torch has none, ember has {eg}"
            continue
        assert eg is not None, f"gradient {i}: ember produced no gradient, torch did"
        assert_close(eg, tg, rtol, atol, check_dtype, what=f"gradient of input {i}")
    return e_out


def _cotangent(t):
    """A random gradient for torch output ``t``: real, or with random imaginary parts for complex outputs."""
    values = randn(*t.shape)
    if t.is_complex():
        values = values + 1j * randn(*t.shape)
    return np.asarray(values).astype(to_numpy(t).dtype)


def _compare(a, b, path, rtol, atol):
    """An ember result against torch's, recursively: tensors (shape, dtype, requires_grad, values) and plain values."""
    if isinstance(b, torch.Tensor):
        assert isinstance(a, ember.Tensor), f"{path}: ember gave {type(a).__name__}, torch a Tensor"
        assert tuple(a.shape) == tuple(b.shape), f"{path}: shape {tuple(a.shape)} != {tuple(b.shape)}"
        assert a.dtype.name == str(b.dtype).replace("torch.", ""), f"{path}: dtype {a.dtype} != {b.dtype}"
        assert a.requires_grad == b.requires_grad, f"{path}: requires_grad {a.requires_grad} != {b.requires_grad}"
        np.testing.assert_allclose(to_numpy(a), to_numpy(b), rtol=rtol, atol=atol, err_msg=path)
    elif isinstance(b, (tuple, list)):
        assert isinstance(a, (tuple, list)) and len(a) == len(b), f"{path}: {a!r} vs {b!r}"
        for i, (x, y) in enumerate(zip(a, b)):
            _compare(x, y, f"{path}[{i}]", rtol, atol)
    else:
        assert a == b, f"{path}: {a!r} != torch's {b!r}"


def same_result(fn, rtol=1e-5, atol=1e-6):
    """Run ``fn(m)`` with torch and with ember and compare the (nested) results; returns ember's."""
    if torch is None:
        pytest.skip("PyTorch is not installed")
    expected = fn(torch)
    actual = fn(ember)
    _compare(actual, expected, "result", rtol, atol)
    return actual


def same_error(fn, *inputs, match=None, **kwargs):
    """Assert ``fn(lib, ...)`` raises in torch and raises the same exception type in ember."""
    if torch is None:
        pytest.skip("PyTorch is not installed")
    with pytest.raises(Exception) as torch_info:
        fn(torch, *[_to_lib(torch, x, False) for x in inputs],
           **{k: _to_lib(torch, v, False) for k, v in kwargs.items()})
    expected = torch_info.type
    with pytest.raises(expected, match=match) as ember_info:
        fn(ember, *[_to_lib(ember, x, False) for x in inputs],
           **{k: _to_lib(ember, v, False) for k, v in kwargs.items()})
    return ember_info.value


def check_grad(fn, *inputs, fast=False, second_order=True, atol=1e-5, rtol=1e-3):
    """Finite-difference check (float64) of ``fn`` on ember tensors made from ``inputs``.

    Float arrays become tensors that require grad; checks second derivatives too
    unless ``second_order=False``.
    """
    tensors = tuple(_to_lib(ember, np.asarray(x, dtype=np.float64) if isinstance(x, np.ndarray) and
                            x.dtype.kind == "f" else x, True) for x in inputs)
    assert ember.autograd.gradcheck(fn, tensors, fast_mode=fast, atol=atol, rtol=rtol)
    if second_order:
        assert ember.autograd.gradgradcheck(fn, tensors, fast_mode=True, atol=atol, rtol=rtol)
