"""Parity of the combinatorics family: cartesian_prod, combinations, block_diag, triangle indices, vander,
unravel_index and diagflat."""

import numpy as np
import pytest
from helpers import check_grad, noncontiguous, parity, randint, randn, same_error
from hypothesis import given, settings
from hypothesis import strategies as st

import ember

# ----------------------------------------------------------------------------- cartesian_prod and combinations


def test_cartesian_prod():
    parity(lambda m, a, b: m.cartesian_prod(a, b), randn(2), randn(3))
    parity(lambda m, a, b, c: m.cartesian_prod(a, b, c), randn(2), randn(3), noncontiguous(randn(2)))
    parity(lambda m, a, b: m.cartesian_prod(a, b), randint(0, 9, 3), randint(0, 9, 2), grad=False)
    parity(lambda m, a: m.cartesian_prod(a), randn(4))
    parity(lambda m, a, b: m.cartesian_prod(a, b), randn(2), np.zeros(0))


def test_cartesian_prod_errors():
    same_error(lambda m: m.cartesian_prod())
    same_error(lambda m, a, b: m.cartesian_prod(a, b), randn(2), randn(2, 2))
    same_error(lambda m, a, b: m.cartesian_prod(a, b), np.array(3.0), randn(2))
    same_error(lambda m, a, b: m.cartesian_prod(a, b), randint(0, 3, 2), randn(2))


@pytest.mark.parametrize("r", [0, 1, 2, 3, 5])
@pytest.mark.parametrize("with_replacement", [False, True])
def test_combinations(r, with_replacement):
    parity(lambda m, x: m.combinations(x, r, with_replacement), randn(4))
    parity(lambda m, x: m.combinations(x, r=r, with_replacement=with_replacement), randint(0, 9, 3), grad=False)


def test_combinations_edge_cases_and_errors():
    parity(lambda m, x: m.combinations(x), noncontiguous(randn(5)))
    parity(lambda m, x: m.combinations(x), np.zeros(0))
    parity(lambda m, x: m.combinations(x, 0), np.zeros(0))
    same_error(lambda m, x: m.combinations(x, -1), randn(3))
    same_error(lambda m, x: m.combinations(x), randn(2, 2))
    same_error(lambda m, x: m.combinations(x), np.array(2.0))


def test_cartesian_prod_and_combinations_finite_differences():
    check_grad(lambda a, b: ember.cartesian_prod(a, b), randn(2), randn(3))
    check_grad(lambda x: ember.combinations(x, 2, with_replacement=True), randn(4))


# ----------------------------------------------------------------------------- block_diag


def test_block_diag():
    parity(lambda m, a, b, c: m.block_diag(a, b, c), np.array(1.5), randn(2), randn(2, 3))
    parity(lambda m, a, b: m.block_diag(a, b), noncontiguous(randn(3, 2)), randn(1, 4))
    parity(lambda m, a: m.block_diag(a), randn(2, 2))
    parity(lambda m, a, b: m.block_diag(a, b), np.zeros((0, 2)), np.zeros((2, 0)))
    parity(lambda m, a: m.block_diag(a), np.zeros(0))
    parity(lambda m: m.block_diag())


def test_block_diag_dtypes():
    parity(lambda m, a, b, c: m.block_diag(a, b, c), np.array(1), randn(2, dtype=np.float32),
           np.ones((2, 2), dtype=np.int32))
    parity(lambda m, a, b: m.block_diag(a, b), np.array([True, False]), np.ones(1, dtype=np.uint8), grad=False)
    parity(lambda m, a, b: m.block_diag(a, b), randn(2, dtype=np.float32), randn(1, 2))     # float64 wins


def test_block_diag_errors_and_finite_differences():
    same_error(lambda m, a: m.block_diag(a), randn(2, 2, 2))
    same_error(lambda m, a, b: m.block_diag(a, b), randn(2), randn(1, 2, 1))
    check_grad(lambda a, b, c: ember.block_diag(a, b, c), randn(2, 3), randn(2), randn(1, 1))


# ----------------------------------------------------------------------------- tril_indices and triu_indices


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 6), st.integers(0, 6), st.integers(-8, 8))
def test_triangle_indices(row, col, offset):
    parity(lambda m: m.tril_indices(row, col, offset))
    parity(lambda m: m.triu_indices(row, col, offset))


@pytest.mark.parametrize("fn", ["tril_indices", "triu_indices"])
def test_triangle_indices_dtypes_and_errors(fn):
    parity(lambda m: getattr(m, fn)(3, 4, dtype=m.int32))
    parity(lambda m: getattr(m, fn)(3, 4, 1, device="cpu"))
    same_error(lambda m: getattr(m, fn)(-1, 4))
    same_error(lambda m: getattr(m, fn)(3, -4))
    same_error(lambda m: getattr(m, fn)(3, 4, dtype=m.float32))
    same_error(lambda m: getattr(m, fn)(3, 4, dtype=m.int16))
    same_error(lambda m: getattr(m, fn)(3.0, 4))
    with pytest.raises(RuntimeError, match="CUDA"):
        getattr(ember, fn)(2, 2, device="cuda")


# ----------------------------------------------------------------------------- vander
# torch.vander's backward fails for N >= 2 (it writes into the cumprod result in place), so
# its gradients are checked against finite differences only.


@pytest.mark.parametrize("n", [None, 0, 1, 2, 5])
@pytest.mark.parametrize("increasing", [False, True])
def test_vander(n, increasing):
    parity(lambda m, x: m.vander(x, n, increasing), randn(4), grad=n in (0, 1))
    parity(lambda m, x: m.vander(x, N=n, increasing=increasing), randint(-3, 4, 3), grad=False)


def test_vander_dtypes_zeros_and_errors():
    x = np.array([0.0, 1.5, -2.0, 0.0])
    parity(lambda m, x: m.vander(x, 4), x, grad=False)
    parity(lambda m, x: m.vander(x), noncontiguous(randn(3)), grad=False)
    for dtype in (np.bool_, np.uint8, np.int32, np.float16, np.float32):
        parity(lambda m, x: m.vander(x, 4), np.array([1, 2, 0]).astype(dtype), grad=False)
    parity(lambda m, x: m.vander(x, 3), np.zeros(0), grad=False)
    same_error(lambda m, x: m.vander(x, -1), randn(3))
    same_error(lambda m, x: m.vander(x), randn(2, 2))
    same_error(lambda m, x: m.vander(x), np.array(2.0))
    check_grad(lambda x: ember.vander(x, 4, increasing=True), randn(3))
    check_grad(lambda x: ember.vander(x), np.array([0.0, 1.5, -2.0, 0.0]))      # zeros: cumprod's gradient rule


# ----------------------------------------------------------------------------- unravel_index


def test_unravel_index():
    parity(lambda m, i: m.unravel_index(i, (2, 4)), np.array([4, 1, 7, -1, -8, 8, -9]))
    parity(lambda m, i: m.unravel_index(i, (3, 2)), np.array([[1, 2], [3, 4]]))
    parity(lambda m, i: m.unravel_index(i, m.Size([2, 3, 4])), randint(0, 24, 5))
    parity(lambda m, i: m.unravel_index(i, 7), np.array([1, 12]))
    parity(lambda m, i: m.unravel_index(i, (2, 4)), np.array(5))
    parity(lambda m, i: m.unravel_index(i, (2, 4)), np.array([1, 6], dtype=np.int32))
    parity(lambda m, i: m.unravel_index(i, ()), np.array([0]))
    parity(lambda m, i: m.unravel_index(i, (0, 4)), np.zeros(0, dtype=np.int64))


def test_unravel_index_errors():
    same_error(lambda m, i: m.unravel_index(i, (2, 4)), np.array([1.0]))
    same_error(lambda m, i: m.unravel_index(i, (2, 4)), np.array([True]))
    same_error(lambda m, i: m.unravel_index(i, (2, -4)), np.array([1]))
    same_error(lambda m, i: m.unravel_index(i, (2.0, 4)), np.array([1]))
    same_error(lambda m, i: m.unravel_index(i, "ab"), np.array([1]))
    same_error(lambda m, i: m.unravel_index(i, (0, 4)), np.array([1]))


# ----------------------------------------------------------------------------- diagflat


@pytest.mark.parametrize("offset", [0, 1, -2])
def test_diagflat(offset):
    parity(lambda m, x: m.diagflat(x, offset), randn(2, 2))
    parity(lambda m, x: x.diagflat(offset), noncontiguous(randn(2, 3)))
    parity(lambda m, x: m.diagflat(x, offset), np.array(3.0))
    parity(lambda m, x: m.diagflat(x, offset), np.zeros(0))
    parity(lambda m, x: m.diagflat(x, offset=offset), randint(0, 5, 3), grad=False)


def test_diagflat_finite_differences():
    check_grad(lambda x: ember.diagflat(x, 1), randn(2, 2))
