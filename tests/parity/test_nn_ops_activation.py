"""The activations PyTorch exposes as torch.* (celu, selu, rrelu, prelu, threshold, hardshrink), their in-place
forms and Tensor methods."""

import numpy as np
import pytest
from helpers import check_grad, noncontiguous, parity, randint, randn, same_error

import ember

CALLS = {
    "celu": lambda m, t: m.celu(t, 0.5),
    "celu_default": lambda m, t: m.celu(t),
    "selu": lambda m, t: m.selu(t),
    "rrelu": lambda m, t: m.rrelu(t, 0.2, 0.4),
    "rrelu_eval_flag": lambda m, t: m.rrelu(t, training=False),
    "prelu": lambda m, t: m.prelu(t, t.new_tensor([0.2, -0.1, 0.5])),
    "threshold": lambda m, t: m.threshold(t, 0.2, 7.0),
    "hardshrink": lambda m, t: m.hardshrink(t),
    "hardshrink_lambd": lambda m, t: m.hardshrink(t, 1.0),
    "prelu_method": lambda m, t: t.prelu(t.new_tensor([0.25])),
    "hardshrink_method": lambda m, t: t.hardshrink(0.3),
}


@pytest.mark.parametrize("name", CALLS)
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5), (0, 3)])
def test_values_and_gradients(name, shape):
    parity(CALLS[name], randn(*shape) * 2)


@pytest.mark.parametrize("name", CALLS)
def test_float32_noncontiguous(name):
    parity(CALLS[name], noncontiguous(randn(5, 3).astype(np.float32)))


@pytest.mark.parametrize("name", [n for n in CALLS if not n.startswith("prelu")])
def test_zero_dim(name):
    parity(CALLS[name], np.array(-1.5))


@pytest.mark.parametrize("name", CALLS)
def test_finite_differences(name):
    x = randn(4, 3) * 2
    x[np.abs(x) < 0.05] += 0.3
    check_grad(lambda t: CALLS[name](ember, t), x)


@pytest.mark.parametrize("name,call", [
    ("celu_", lambda m, t: m.celu_(t, 2.0)), ("selu_", lambda m, t: m.selu_(t)),
    ("rrelu_", lambda m, t: m.rrelu_(t, 0.1, 0.2)), ("threshold_", lambda m, t: m.threshold_(t, 0.0, -1.0)),
])
def test_inplace(name, call):
    def run(m, t):
        work = t * 1
        assert call(m, work) is work
        return work
    parity(run, randn(3, 4))
    same_error(lambda m, t: call(m, t.requires_grad_()), randn(2))


def test_rrelu_training_and_generator():
    g = ember.Generator().manual_seed(3)
    x = ember.tensor(-np.ones(5000))
    first = ember.rrelu(x, 0.1, 0.5, True, g).numpy()
    assert 0.1 <= -first.max() and -first.min() <= 0.5
    assert abs(-first.mean() - 0.3) < 0.01
    again = ember.rrelu(x, 0.1, 0.5, True, ember.Generator().manual_seed(3)).numpy()
    np.testing.assert_array_equal(first, again)


def test_integer_inputs_and_errors():
    ints = randint(-3, 4, 6)
    parity(lambda m, t: m.threshold(t, 0, 9), ints, grad=False)
    parity(lambda m, t: m.threshold(t, 0.5, 2.5), ints, grad=False)
    for name in ("celu", "selu", "rrelu", "hardshrink", "prelu"):
        same_error(CALLS[name], ints[:3])
    same_error(lambda m, t: m.threshold(t, 0, 1), np.array([True, False]))
    same_error(lambda m, t: m.celu(t, 0.0), randn(3))
    same_error(lambda m, t: m.rrelu(t, 0.4, 0.2), randn(3))
    same_error(lambda m, t: m.prelu(t, t[:2]), randn(2, 3))
    same_error(lambda m, t: m.hardshrink(t.numpy()), randn(2))
    same_error(lambda m, t: m.threshold(t, 0.1), randn(2))
    same_error(lambda m, t: m.celu(t, "x"), randn(2))
