"""Parity of the binary arithmetic core (promotion, broadcasting, gradients)."""

import numpy as np
import pytest
from helpers import check_grad, noncontiguous, parity, positive, randint, randn, same_error

import ember


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((3, 1), (1, 4)), ((4,), (2, 3, 4)), ((), (3,)),
                                    ((0, 3), (1, 3))])
def test_binary_broadcasting(op, shapes):
    a, b = randn(*shapes[0]), positive(*shapes[1])
    parity(lambda m, x, y: getattr(m, op)(x, y), a, b)


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
def test_binary_noncontiguous(op):
    parity(lambda m, x, y: getattr(m, op)(x, y), noncontiguous(randn(3, 4)), noncontiguous(positive(3, 4)))


@pytest.mark.parametrize("left", [np.int32, np.int64, np.uint8, np.float32, np.float64, np.bool_])
@pytest.mark.parametrize("right", [np.int8, np.float16, np.float64, np.bool_])
def test_type_promotion_tensors(left, right):
    a = randint(0, 3, 3).astype(left)
    b = randint(1, 3, 3).astype(right)
    parity(lambda m, x, y: m.mul(x, y), a, b, grad=False)
    parity(lambda m, x, y: m.add(x[0], y), a, b, grad=False)   # 0-dim tensor with a dimensioned one


@pytest.mark.parametrize("scalar", [2, 2.5, True])
@pytest.mark.parametrize("dtype", [np.int32, np.uint8, np.float16, np.float64, np.bool_])
def test_type_promotion_scalars(scalar, dtype):
    a = randint(0, 3, 4).astype(dtype)
    parity(lambda m, x: x * scalar, a, grad=False)
    parity(lambda m, x: x + scalar, a, grad=False)


def test_reflected_operators():
    parity(lambda m, x: (2 - x, 2 / x, 2 ** x, 3 * x, 1 + x, -x), positive(3))


@pytest.mark.parametrize("mode", [None, "trunc", "floor"])
def test_div_rounding(mode):
    parity(lambda m, x, y: m.div(x, y, rounding_mode=mode), randint(-9, 9, 6), randint(1, 4, 6), grad=False)
    parity(lambda m, x, y: m.div(x, y, rounding_mode=mode), randn(6), positive(6), grad=mode is None)


def test_pow_forms():
    parity(lambda m, x, y: (x ** y, x ** 2, 2 ** y, m.pow(x, 0.5)), positive(3, 2), randn(2))
    parity(lambda m, x: x ** 2, randint(-3, 3, 4), grad=False)


def test_errors():
    same_error(lambda m, x, y: x + y, randn(2, 3), randn(3, 2))
    same_error(lambda m, x: x ** -1, randint(1, 3, 3))
    same_error(lambda m, x, y: x - y, np.array([True]), np.array([False]))
    same_error(lambda m, x: x.add_(1.5), randint(1, 3, 3))


def test_inplace_on_leaf_requiring_grad_raises():
    x = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x.add_(1)
    with ember.no_grad():
        x.add_(1)
    assert x.tolist() == [2.0, 2.0, 2.0]


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
def test_finite_differences(op):
    check_grad(lambda x, y: getattr(ember, op)(x, y), randn(3, 1), positive(1, 4))


def test_unary_finite_differences():
    check_grad(lambda x: ember.exp(x) + ember.log(x) + ember.sqrt(x), positive(5))


@pytest.mark.parametrize("name", ["subtract", "divide", "multiply", "true_divide"])
def test_aliases_as_functions_methods_and_inplace(name):
    parity(lambda m, x, y: (getattr(m, name)(x, y), getattr(x, name)(y)), randn(3, 2), positive(2))
    parity(lambda m, x, y: getattr(x.clone(), name + "_")(y), randn(3, 2), positive(2))


@pytest.mark.parametrize("shapes", [((3, 1), (1, 4)), ((2, 1, 3), (4, 1)), ((), (5,)), ((0,), (1,)), ((2,), ())])
def test_broadcast_shapes(shapes):
    parity(lambda m: tuple(m.broadcast_shapes(*shapes)), grad=False)


def test_broadcast_shapes_error():
    same_error(lambda m: m.broadcast_shapes((3,), (4,)), match="must match")


@pytest.mark.parametrize("number", [255, 2.5, True])
def test_number_divided_by_tensor_rounds_as_torch(number):
    # torch computes ``number / t`` as ``t.reciprocal() * number``: the same bits, and the same graph.
    values = np.random.default_rng(3).random(4096).astype(np.float32) + 0.01
    parity(lambda m, t: number / t, values, grad=True, rtol=0, atol=0)
    assert (number / ember.tensor(values, requires_grad=True)).grad_fn.name() == "MulBackward0"
