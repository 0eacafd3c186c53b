"""torch.softmax / torch.log_softmax and their Tensor methods."""

import numpy as np
import pytest
from helpers import check_grad, noncontiguous, parity, randint, randn, same_error

import ember


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("shape,dim", [((5,), 0), ((3, 4), 1), ((3, 4), 0), ((2, 3, 4), -1), ((2, 3, 4), 1),
                                       ((), 0), ((0, 3), 1), ((2, 0), 1)])
def test_values_and_gradients(name, shape, dim):
    x = randn(*shape)
    parity(lambda m, t: getattr(m, name)(t, dim), x)
    parity(lambda m, t: getattr(t, name)(dim), x.astype(np.float32), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_noncontiguous_large_values_and_dtype_argument(name):
    parity(lambda m, t: getattr(m, name)(t, 0), noncontiguous(randn(4, 5) * 1000))
    parity(lambda m, t: getattr(m, name)(t, 1, dtype=m.float64), randn(3, 4).astype(np.float32))
    parity(lambda m, t: getattr(m, name)(t, 1, dtype=m.float32), randint(0, 5, 3, 4), grad=False)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_finite_differences(name):
    check_grad(lambda t: getattr(ember, name)(t, 1), randn(3, 4))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_errors(name):
    same_error(lambda m, t: getattr(m, name)(t, 2), randn(3, 4))
    same_error(lambda m, t: getattr(m, name)(t, 0), randint(0, 5, 3))
