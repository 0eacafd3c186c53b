"""Parity of the matrix and tensor products: matmul and its special cases, addmm & co, einsum, tensordot."""

import warnings

import hypothesis.strategies as st
import numpy as np
import pytest
from helpers import check_grad, noncontiguous, parity, randint, randn, same_error
from hypothesis import given, settings

import ember

torch = pytest.importorskip("torch")   # the oracle: without it these parity tests skip

MATMUL_SHAPES = [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3,)), ((3,), (5, 3, 4)),
    ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)), ((2, 1, 2, 3), (5, 3, 4)), ((1, 2, 3), (4, 1, 3, 2)),
    ((0, 3), (3, 2)), ((2, 0), (0, 2)), ((3,), (0, 3, 2)), ((0,), (0,)),
]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES)
def test_matmul_dimension_cases(shapes):
    parity(lambda m, a, b: m.matmul(a, b), randn(*shapes[0]), randn(*shapes[1]))
    parity(lambda m, a, b: a @ b, randn(*shapes[0]), randn(*shapes[1]))


@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.int32, np.uint8, np.int8])
def test_matmul_dtypes(dtype):
    a, b = randint(0, 4, 2, 3, 4).astype(dtype), randint(0, 4, 4, 2).astype(dtype)
    parity(lambda m, x, y: m.matmul(x, y), a, b, grad=dtype == np.float32, rtol=1e-5)
    parity(lambda m, x, y: m.matmul(x[0, 0], y[:, 0]), a, b, grad=dtype == np.float32)


def test_matmul_float16():
    a, b = randn(3, 8, dtype=np.float16), randn(8, 2, dtype=np.float16)
    parity(lambda m, x, y: m.matmul(x, y), a, b, rtol=2e-2, atol=2e-2)


def test_matmul_noncontiguous():
    parity(lambda m, a, b: m.matmul(a, b), noncontiguous(randn(2, 4, 3)), noncontiguous(randn(3, 5)))
    parity(lambda m, a, b: m.matmul(a, b), noncontiguous(randn(4)), noncontiguous(randn(4)))


@settings(max_examples=25, deadline=None)
@given(batch=st.lists(st.integers(1, 3), max_size=3), drop=st.integers(0, 3), ones=st.integers(0, 7),
       n=st.integers(1, 3), k=st.integers(0, 3), p=st.integers(1, 3))
def test_matmul_broadcast_property(batch, drop, ones, n, k, p):
    """Batch dimensions of either side broadcast, with some dropped or set to 1 on one side."""
    left = list(batch)
    right = [1 if ones >> i & 1 else s for i, s in enumerate(batch)][min(drop, len(batch)):]
    parity(lambda m, a, b: m.matmul(a, b), randn(*left, n, k), randn(*right, k, p))


def test_matmul_methods_and_operators():
    parity(lambda m, a, b: (a.matmul(b), b.__rmatmul__(a), m.linalg.matmul(a, b)), randn(2, 3), randn(3, 4))


def test_matmul_with_non_tensor_is_type_error():
    x = ember.ones(2, 2)
    with pytest.raises(TypeError):
        x @ 2
    with pytest.raises(TypeError):
        2 @ x
    with pytest.raises(TypeError):
        ember.matmul(x, 2)


def test_imatmul_rebinds_like_torch():
    """PyTorch has no in-place ``@=``: Python falls back to ``a = a @ b``, which may change the shape."""
    x = ember.ones(2, 2)
    alias = x
    x @= ember.ones(2, 3)
    assert x.shape == (2, 3) and alias.shape == (2, 2)


def test_matmul_out():
    out = ember.empty(0)
    result = ember.matmul(ember.ones(2, 3), ember.ones(3, 2), out=out)
    assert result is out and out.tolist() == [[3.0, 3.0], [3.0, 3.0]]


@pytest.mark.parametrize("shapes", [
    ((4, 3), (5, 2)), ((2, 4, 3), (5, 2)), ((2, 4, 3), (2, 5, 2)), ((3, 4, 3), (2, 3, 2)), ((3,), (4,)),
    ((3,), (4, 2)), ((2, 3), (4,)), ((2, 2, 3), (4,)), ((4,), (2, 2, 3)), ((), (4,)), ((3,), ())])
def test_matmul_shape_errors(shapes):
    same_error(lambda m, a, b: m.matmul(a, b), randn(*shapes[0]), randn(*shapes[1]))


@pytest.mark.parametrize("shapes", [((3,), (3,)), ((2, 3), (3, 2)), ((2, 2, 3), (2, 3, 2)), ((2, 3), (3,))])
def test_matmul_dtype_errors(shapes):
    same_error(lambda m, a, b: m.matmul(a, b), randn(*shapes[0], dtype=np.float32), randn(*shapes[1]))
    same_error(lambda m, a, b: m.matmul(a, b), randn(*shapes[0]) > 0, randn(*shapes[1]) > 0)


def test_matmul_gradients():
    check_grad(lambda a, b: ember.matmul(a, b), randn(2, 1, 2, 3), randn(2, 3, 2))
    check_grad(lambda a, b: ember.matmul(a, b), randn(3), randn(2, 3, 2))
    check_grad(lambda a, b: ember.matmul(a, b), randn(2, 2, 3), randn(3))
    check_grad(lambda a, b: ember.matmul(a, b), randn(3), randn(3))


# ----------------------------------------------------------------------------- mm, bmm, mv, dot and friends

def test_mm_bmm_mv():
    parity(lambda m, a, b: m.mm(a, b), randn(2, 3), randn(3, 4))
    parity(lambda m, a, b: a.mm(b), noncontiguous(randn(2, 3)), randn(3, 0))
    parity(lambda m, a, b: m.bmm(a, b), randn(4, 2, 3), noncontiguous(randn(4, 3, 5)))
    parity(lambda m, a, b: a.bmm(b), randn(0, 2, 3), randn(0, 3, 5))
    parity(lambda m, a, b: m.mv(a, b), randn(2, 3), randn(3))
    parity(lambda m, a, b: a.mv(b), noncontiguous(randn(0, 3)), randn(3))
    parity(lambda m, a, b: m.mm(a, b), randint(0, 5, 2, 3), randint(0, 5, 3, 2))


@pytest.mark.parametrize("call", [
    lambda m: m.mm(m.ones(3), m.ones(3, 2)), lambda m: m.mm(m.ones(2, 3), m.ones(3)),
    lambda m: m.mm(m.ones(2, 3), m.ones(4, 2)), lambda m: m.mm(m.ones(2, 3), m.ones(3, 2, dtype=m.float64)),
    lambda m: m.mm(m.ones(2, 3, dtype=m.bool), m.ones(3, 2, dtype=m.bool)),
    lambda m: m.bmm(m.ones(2, 3), m.ones(3, 2)), lambda m: m.bmm(m.ones(2, 2, 3), m.ones(2, 3)),
    lambda m: m.bmm(m.ones(2, 2, 3), m.ones(3, 3, 2)), lambda m: m.bmm(m.ones(2, 2, 3), m.ones(2, 4, 2)),
    lambda m: m.bmm(m.ones(2, 2, 3), m.ones(2, 3, 2, dtype=m.float64)),
    lambda m: m.mv(m.ones(2, 3), m.ones(4)), lambda m: m.mv(m.ones(2, 3), m.ones(3, 1)),
    lambda m: m.mv(m.ones(3), m.ones(3)), lambda m: m.mv(m.ones(2, 3), m.ones(3, dtype=m.float64)),
    lambda m: m.mm(m.ones(2, 3), [[1.0]]),
])
def test_mm_bmm_mv_errors(call):
    same_error(call)


def test_dot_vdot_inner_outer():
    parity(lambda m, a, b: (m.dot(a, b), m.vdot(a, b), a.dot(b), a.vdot(b)), randn(4), noncontiguous(randn(4)))
    parity(lambda m, a, b: m.dot(a, b), randint(0, 5, 4).astype(np.int32), randint(0, 5, 4).astype(np.int32))
    parity(lambda m, a, b: m.dot(a, b), randn(0), randn(0))
    parity(lambda m, a, b: (m.inner(a, b), a.inner(b)), randn(2, 3), randn(4, 3))
    parity(lambda m, a, b: m.inner(a, b), randn(3), noncontiguous(randn(2, 5, 3)))
    parity(lambda m, a, b: m.inner(a, b), randn(2, 3), randn())
    parity(lambda m, a: m.inner(a, m.tensor(2)), randn(2, 3))
    parity(lambda m, a, b: (m.outer(a, b), m.ger(a, b), a.outer(b), a.ger(b)), randn(3), randn(4))
    parity(lambda m, a, b: m.outer(a, b), randn(3, dtype=np.float32), randint(0, 3, 2))
    parity(lambda m, a, b: m.outer(a, b), randn(3) > 0, randn(0) > 0)


@pytest.mark.parametrize("call", [
    lambda m: m.dot(m.ones(2), m.ones(3)), lambda m: m.dot(m.ones(2, 2), m.ones(2)),
    lambda m: m.dot(m.ones(3), m.ones(3, dtype=m.float64)), lambda m: m.dot(m.ones(3, dtype=m.bool),
                                                                             m.ones(3, dtype=m.bool)),
    lambda m: m.vdot(m.ones(3), m.ones(2)), lambda m: m.inner(m.ones(3), m.ones(2)),
    lambda m: m.inner(m.ones(2, 3), m.ones(3, dtype=m.float64)), lambda m: m.outer(m.ones(2, 3), m.ones(3)),
    lambda m: m.outer(m.tensor(1.0), m.ones(2)),
])
def test_dot_family_errors(call):
    same_error(call)


def test_product_gradients():
    check_grad(lambda a, b: ember.mm(a, b), randn(2, 3), randn(3, 2))
    check_grad(lambda a, b: ember.bmm(a, b), randn(2, 2, 3), randn(2, 3, 2))
    check_grad(lambda a, b: ember.mv(a, b), randn(2, 3), randn(3))
    check_grad(lambda a, b: ember.dot(a, b), randn(3), randn(3))
    check_grad(lambda a, b: ember.vdot(a, b), randn(3), randn(3))
    check_grad(lambda a, b: ember.inner(a, b), randn(2, 3), randn(2, 3))
    check_grad(lambda a, b: ember.outer(a, b), randn(3), randn(2))


# ----------------------------------------------------------------------------- input + product

ADD_PRODUCTS = {
    "addmm": ((2, 3), (2, 4), (4, 3)), "addmv": ((2,), (2, 3), (3,)), "addr": ((2, 3), (2,), (3,)),
    "baddbmm": ((5, 2, 3), (5, 2, 4), (5, 4, 3)), "addbmm": ((2, 3), (5, 2, 4), (5, 4, 3)),
}
BROADCAST_INPUT = {"addmm": (3,), "addmv": (), "addr": (1, 3), "baddbmm": (2, 1), "addbmm": (1,)}


@pytest.mark.parametrize("name", list(ADD_PRODUCTS))
@pytest.mark.parametrize("coefficients", [(1, 1), (0.5, 2.0), (0, 1), (1, 0)])
def test_add_products(name, coefficients):
    beta, alpha = coefficients
    shapes = ADD_PRODUCTS[name]
    parity(lambda m, i, a, b: getattr(m, name)(i, a, b, beta=beta, alpha=alpha), *[randn(*s) for s in shapes])
    broadcast = (randn(*BROADCAST_INPUT[name]),) + tuple(noncontiguous(randn(*s)) for s in shapes[1:])
    parity(lambda m, i, a, b: getattr(m, name)(i, a, b, beta=beta, alpha=alpha), *broadcast)


@pytest.mark.parametrize("name", list(ADD_PRODUCTS))
def test_add_products_ignore_input_when_beta_is_zero(name):
    shapes = ADD_PRODUCTS[name]
    nan_input = np.full(shapes[0], np.nan)
    parity(lambda m, i, a, b: getattr(m, name)(i, a, b, beta=0), nan_input, *[randn(*s) for s in shapes[1:]])


@pytest.mark.parametrize("name", list(ADD_PRODUCTS))
def test_add_products_methods_inplace_and_integers(name):
    shapes = ADD_PRODUCTS[name]
    arrays = [randn(*s) for s in shapes]

    def inplace(m, i, a, b):
        result = i.clone()
        returned = getattr(result, name + "_")(a, b, alpha=3)
        return returned, getattr(i, name)(a, b, beta=2)
    parity(inplace, *arrays)
    ints = [randint(-3, 4, *s) for s in shapes]
    parity(lambda m, i, a, b: getattr(m, name)(i, a, b, beta=2, alpha=3), *ints, grad=False)


def test_addr_promotes_and_handles_bool():
    parity(lambda m, i, a, b: m.addr(i, a, b), randn(2, 3, dtype=np.float32), randn(2), randint(0, 3, 3),
           grad=False)   # PyTorch itself cannot differentiate mixed-dtype addr
    parity(lambda m, i, a, b: m.addr(i, a, b, alpha=2), randn(2, 3) > 0, randn(2) > 0, randn(3) > 0)


@pytest.mark.parametrize("call", [
    lambda m: m.addmm(m.ones(4), m.ones(2, 3), m.ones(3, 3)), lambda m: m.addmm(m.ones(2, 2), m.ones(2), m.ones(2, 2)),
    lambda m: m.addmm(m.ones(2, 2), m.ones(2, 3), m.ones(2, 2)),
    lambda m: m.addmm(m.ones(3, dtype=m.float64), m.ones(2, 3), m.ones(3, 3)),
    lambda m: m.addmm(m.ones(2, 3, 3), m.ones(2, 3), m.ones(3, 3)),
    lambda m: m.addmv(m.ones(2, 1), m.ones(2, 3), m.ones(3)), lambda m: m.addmv(m.ones(3), m.ones(2, 3), m.ones(3)),
    lambda m: m.addmv(m.ones(2), m.ones(2, 3), m.ones(3, dtype=m.float64)),
    lambda m: m.addr(m.ones(3), m.ones(2, 1), m.ones(3)), lambda m: m.addr(m.ones(4), m.ones(2), m.ones(3)),
    lambda m: m.addr(m.ones(2, 2, dtype=m.int64), m.ones(2, dtype=m.int64), m.ones(2, dtype=m.int64), beta=0.5),
    lambda m: m.baddbmm(m.ones(3, 2, 3), m.ones(2, 2, 3), m.ones(2, 3, 3)),
    lambda m: m.baddbmm(m.ones(3, dtype=m.float64), m.ones(2, 2, 3), m.ones(2, 3, 3)),
    lambda m: m.baddbmm(m.ones(3), m.ones(2, 2, 3), m.ones(2, 4, 3)),
    lambda m: m.addbmm(m.ones(3), m.ones(2, 2, 3), m.ones(3, 3, 3)),
    lambda m: m.addbmm(m.ones(3), m.ones(2, 2, 3), m.ones(2, 4, 3)),
    lambda m: m.addbmm(m.ones(3, dtype=m.float64), m.ones(2, 2, 3), m.ones(2, 3, 3)),
    lambda m: m.addbmm(m.ones(2, 2, 3), m.ones(2, 2, 3), m.ones(2, 3, 3)),
])
def test_add_products_errors(call):
    same_error(call)


@pytest.mark.parametrize("name", list(ADD_PRODUCTS))
def test_add_products_gradients(name):
    shapes = ADD_PRODUCTS[name]
    check_grad(lambda i, a, b: getattr(ember, name)(i, a, b, beta=0.5, alpha=2), *[randn(*s) for s in shapes])
    check_grad(lambda i, a, b: getattr(ember, name)(i, a, b, beta=0), *[randn(*s) for s in shapes])


# ----------------------------------------------------------------------------- einsum

EINSUM_CASES = [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk", [(2, 3), (3, 4)]), ("ii->i", [(3, 3)]), ("ii", [(3, 3)]),
    ("iij->j", [(3, 3, 2)]), ("ij->ji", [(2, 3)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]),
    ("i,j,k->ijk", [(2,), (3,), (4,)]), ("i,i->", [(3,), (3,)]), ("i,i->i", [(1,), (3,)]),
    ("ij,j->ij", [(2, 1), (3,)]), ("...ij,...jk->...ik", [(2, 1, 2, 3), (5, 3, 4)]),
    ("...ij,...jk", [(2, 3), (5, 3, 4)]),
    ("i...->...", [(2, 3, 4)]), ("i...i", [(3, 2, 3)]), ("ba", [(2, 3)]), ("bA", [(2, 3)]), ("->", [()]),
    (",i->i", [(), (3,)]), ("ij,ij->", [(0, 3), (0, 3)]), ("ij,jk->ik", [(2, 0), (0, 4)]),
    ("i j , j k -> i k", [(2, 3), (3, 2)]), ("abc,cd,de->abe", [(2, 2, 3), (3, 4), (4, 2)]),
]


@pytest.mark.parametrize("equation, shapes", EINSUM_CASES)
def test_einsum(equation, shapes):
    parity(lambda m, *ops: m.einsum(equation, *ops), *[randn(*s) for s in shapes])


def test_einsum_forms_dtypes_and_layouts():
    a, b = randn(2, 3), randn(3, 4)
    parity(lambda m, x, y: m.einsum("ij,jk->ik", [x, y]), a, b)
    parity(lambda m, x, y: m.einsum(x, [0, 1], y, [1, 2], [0, 2]), a, b)
    parity(lambda m, x, y: m.einsum(x, [0, 1], y, [1, 2]), a, b)
    parity(lambda m, x, y: m.einsum(x, [..., 1], y, [1, 2], [..., 2]), a, b)
    parity(lambda m, x: m.einsum(x, [27, 1]), a)
    parity(lambda m, x, y: m.einsum("ij,jk->ik", x, y), noncontiguous(a), noncontiguous(b))
    parity(lambda m, x, y: m.einsum("ij,jk->ik", x, y), a.astype(np.float32), b.astype(np.float32))
    parity(lambda m, x, y: m.einsum("ij,jk->ik", x, y), randint(0, 4, 2, 3), randint(0, 4, 3, 4))
    bools = (randn(2, 3) > 0, randn(2, 3) > 0)
    parity(lambda m, x, y: (m.einsum("ij,ij->ij", x, y), m.einsum("ij->ji", x), m.einsum("ij->i", x)), *bools)


def test_einsum_result_does_not_alias_its_input():
    x = ember.ones(2, 2)
    y = ember.einsum("ij->ji", x)
    y.add_(1)
    assert x.tolist() == [[1.0, 1.0], [1.0, 1.0]]


@pytest.mark.parametrize("call", [
    lambda m: m.einsum("ij,jk->ik", m.ones(2, 3), m.ones(4, 4)), lambda m: m.einsum("ii->i", m.ones(2, 3)),
    lambda m: m.einsum("ij,jk->ik", m.ones(2, 3)), lambda m: m.einsum("ij", m.ones(2, 3), m.ones(2)),
    lambda m: m.einsum("ij->ik", m.ones(2, 3)), lambda m: m.einsum("ij->ii", m.ones(2, 3)),
    lambda m: m.einsum("ijk->ij", m.ones(2, 3)), lambda m: m.einsum("ijk...", m.ones(2, 3)),
    lambda m: m.einsum("i1->i", m.ones(2, 3)), lambda m: m.einsum("i.j", m.ones(2, 3)),
    lambda m: m.einsum("i......", m.ones(2, 3)), lambda m: m.einsum("i->i->i", m.ones(2)),
    lambda m: m.einsum("...ij,...jk->...ik", m.ones(2, 2, 3), m.ones(3, 3, 4)),
    lambda m: m.einsum("ij,jk->ik", m.ones(2, 3), m.ones(3, 4, dtype=m.float64)),
    lambda m: m.einsum("ij,jk->ik", m.ones(2, 3, dtype=m.bool), m.ones(3, 4, dtype=m.bool)),
    lambda m: m.einsum("ij,jk->ik", m.ones(2, 3), 2), lambda m: m.einsum(3, m.ones(2)),
    lambda m: m.einsum(m.ones(2, 3), [1, 52]), lambda m: m.einsum("ij,jk->ik"),
])
def test_einsum_errors(call):
    same_error(call)


def test_einsum_gradients():
    check_grad(lambda a, b: ember.einsum("ij,jk->ik", a, b), randn(2, 3), randn(3, 2))
    check_grad(lambda a, b: ember.einsum("iij,j->i", a, b), randn(3, 3, 2), randn(2))
    check_grad(lambda a, b: ember.einsum("bi,bj->j", a, b), randn(1, 3), randn(4, 2))
    check_grad(lambda a, b: ember.einsum("...i,...i", a, b), randn(2, 1, 3), randn(4, 3))
    check_grad(lambda a: ember.einsum("ii", a), randn(3, 3))


# ----------------------------------------------------------------------------- tensordot, kron, cross, trace

@pytest.mark.parametrize("dims", [2, 0, 1, ([1, 2], [0, 1]), [[2, 1], [1, 0]], ([-1], [1]), ((0,), (2,))])
def test_tensordot(dims):
    b_shape = (4, 3, 2) if dims == ((0,), (2,)) else (3, 4, 5) if dims != 1 else (4, 5)
    if dims == ([-1], [1]):
        b_shape = (3, 4, 5)
    parity(lambda m, a, b: m.tensordot(a, b, dims=dims), randn(2, 3, 4), noncontiguous(randn(*b_shape)))


def test_tensordot_tensor_dims_and_integers():
    parity(lambda m, a, b: m.tensordot(a, b, dims=m.tensor(2)), randn(2, 3, 4), randn(3, 4, 5))
    parity(lambda m, a, b: m.tensordot(a, b, dims=m.tensor([[1, 2], [0, 1]])), randn(2, 3, 4), randn(3, 4, 5))
    parity(lambda m, a, b: m.tensordot(a, b, dims=1), randint(0, 3, 2, 3), randint(0, 3, 3, 2), grad=False)
    parity(lambda m, a, b: m.tensordot(a, b, dims=0), randn(), randn(3, 2))


@pytest.mark.parametrize("dims", [1, -1, 4, ([1], [0, 1]), (1, 0), ([0, 0], [0, 1]), ([5], [0]), 1.5,
                                  [[1], [0], [0]]])
def test_tensordot_errors(dims):
    same_error(lambda m, a, b: m.tensordot(a, b, dims=dims), randn(2, 3, 4), randn(3, 4, 5))
    same_error(lambda m, a, b: m.tensordot(a, b), randn(2, 3, 4), randn(3, 4, 5, dtype=np.float32))


@pytest.mark.parametrize("shapes", [((2, 3), (4,)), ((2, 3), (2, 1, 3)), ((), (3,)), ((2, 3), (0,)), ((), ())])
def test_kron(shapes):
    parity(lambda m, a, b: (m.kron(a, b), a.kron(b)), randn(*shapes[0]), randn(*shapes[1]))


def test_kron_dtypes_and_layout():
    parity(lambda m, a, b: m.kron(a, b), randn(2, 3, dtype=np.float32), randint(0, 3, 2), grad=False)
    parity(lambda m, a, b: m.kron(a, b), randn(2) > 0, randn(3) > 0)
    parity(lambda m, a, b: m.kron(a, b), noncontiguous(randn(2, 3)), noncontiguous(randn(3, 2)))


def test_cross():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parity(lambda m, a, b: m.cross(a, b), randn(4, 3), randn(4, 3))
        parity(lambda m, a, b: (m.cross(a, b), a.cross(b)), randn(3, 4), randn(3, 4))
    parity(lambda m, a, b: m.cross(a, b, dim=0), randn(3, 3), noncontiguous(randn(3, 3)))
    parity(lambda m, a, b: m.cross(a, b, dim=-1), randn(4, 3), randn(1, 3))
    parity(lambda m, a, b: m.linalg.cross(a, b, dim=0), randn(3, 1), randn(3, 4))
    parity(lambda m, a, b: (m.linalg.cross(a, b), m.linalg.cross(a, b, dim=0)), randn(3, 3), randn(3, 3))
    parity(lambda m, a, b: m.linalg.cross(a, b), randn(0, 3), randn(0, 3))
    parity(lambda m, a, b: m.linalg.cross(a, b), randint(-3, 3, 2, 3), randint(-3, 3, 2, 3), grad=False)


@pytest.mark.parametrize("call", [
    lambda m: m.linalg.cross(m.ones(4, 3), m.ones(3)), lambda m: m.linalg.cross(m.ones(3, 4), m.ones(3, 4)),
    lambda m: m.linalg.cross(m.ones(4, 3), m.ones(4, 3, dtype=m.float64)),
    lambda m: m.linalg.cross(m.ones(3, dtype=m.bool), m.ones(3, dtype=m.bool)),
    lambda m: m.cross(m.ones(2, 4), m.ones(2, 4)), lambda m: m.cross(m.ones(2, 3), m.ones(2, 3), dim=5),
])
def test_cross_errors(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same_error(call)


def test_trace():
    parity(lambda m, a: (m.trace(a), a.trace()), randn(3, 4))
    parity(lambda m, a: m.trace(a), noncontiguous(randn(4, 3)))
    parity(lambda m, a: m.trace(a), randn(0, 3))
    for dtype in (np.int32, np.uint8, np.int64):
        parity(lambda m, a: m.trace(a), randint(0, 5, 3, 3).astype(dtype))
    parity(lambda m, a: m.trace(a), randn(3, 3, dtype=np.float16), rtol=1e-3, atol=1e-3)
    same_error(lambda m, a: m.trace(a), randn(2, 3, 3))
    same_error(lambda m, a: m.trace(a), randn(3, 3) > 0)


def test_chain_products():
    parity(lambda m, *ts: m.linalg.multi_dot(ts), randn(3), randn(3, 10), randn(10, 2), randn(2))
    parity(lambda m, *ts: m.linalg.multi_dot(list(ts)), randn(2, 3), randn(3, 4), randn(4, 5))
    parity(lambda m, *ts: m.linalg.multi_dot(ts), randn(3), noncontiguous(randn(3, 4)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parity(lambda m, *ts: m.chain_matmul(*ts), randn(2, 3), randn(3, 4), randn(4, 1), randn(1, 5))
        parity(lambda m, a: m.chain_matmul(a), randn(2, 3))


@pytest.mark.parametrize("call", [
    lambda m: m.linalg.multi_dot([m.ones(3)]), lambda m: m.linalg.multi_dot([]),
    lambda m: m.linalg.multi_dot([m.ones(2, 3), m.ones(3, 4, dtype=m.float64)]),
    lambda m: m.linalg.multi_dot([m.ones(2, 3), m.ones(4, 4)]),
    lambda m: m.linalg.multi_dot([m.ones(2, 3), m.ones(3), m.ones(3, 4)]),
    lambda m: m.linalg.multi_dot([m.ones(2, 3, 3), m.ones(3, 4)]),
    lambda m: m.linalg.multi_dot([m.ones(2, 3), m.ones(2, 3, 4)]),
    lambda m: m.chain_matmul(), lambda m: m.chain_matmul(m.ones(3), m.ones(3, 4)),
])
def test_chain_errors(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same_error(call)


def test_more_gradients():
    check_grad(lambda a, b: ember.tensordot(a, b, dims=([1, 2], [0, 1])), randn(2, 3, 2), randn(3, 2, 2))
    check_grad(lambda a, b: ember.kron(a, b), randn(2, 3), randn(2, 1))
    check_grad(lambda a, b: ember.linalg.cross(a, b), randn(2, 3), randn(1, 3))
    check_grad(lambda a: ember.trace(a), randn(3, 4))
    check_grad(lambda a, b, c: ember.linalg.multi_dot([a, b, c]), randn(3), randn(3, 4), randn(4, 2))
    check_grad(lambda a, b: ember.cross(a, b, dim=0), randn(3, 2), randn(3, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_grad(lambda a, b, c: ember.chain_matmul(a, b, c), randn(2, 3), randn(3, 4), randn(4, 2))


def test_bfloat16_products():
    """NumPy has no bfloat16 products: they are computed in float32 and rounded, as PyTorch does."""
    a, b = randn(3, 4, dtype=np.float32), randn(4, 2, dtype=np.float32)
    e_a, e_b = ember.from_numpy(a).bfloat16(), ember.from_numpy(b).bfloat16()
    t_a, t_b = torch.from_numpy(a).bfloat16(), torch.from_numpy(b).bfloat16()
    for e, t in ((ember.matmul(e_a, e_b), torch.matmul(t_a, t_b)), (ember.einsum("ij,jk", e_a, e_b),
                                                                     torch.einsum("ij,jk", t_a, t_b)),
                 (ember.dot(e_a[0], e_b[:, 0]), torch.dot(t_a[0], t_b[:, 0]))):
        assert e.dtype is ember.bfloat16
        np.testing.assert_allclose(e.float().numpy(), t.float().numpy(), rtol=1e-2, atol=1e-2)


def test_results_never_alias_inputs():
    x, y = ember.ones(2, 2), ember.ones(2, 2)
    product = ember.mm(x, y)
    result = ember.addmm(x, x, y, alpha=0)
    result.add_(1)
    assert x.tolist() == [[1.0, 1.0], [1.0, 1.0]] and product.tolist() == [[2.0, 2.0], [2.0, 2.0]]
