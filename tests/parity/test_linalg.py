"""Parity of ``ember.linalg``: inverses, determinants, solves, decompositions and norms (with gradients).

Eigenvectors and singular vectors are defined only up to sign, so those tests compare
sign-independent results (squares of the vectors, ``U diag(f(S)) Vh``), as PyTorch's own
tests do; everything else is compared directly, gradients included.
"""

import math
import warnings

import hypothesis.strategies as st
import numpy as np
import pytest
from helpers import check_grad, noncontiguous, parity, randint, randn, same_error
from hypothesis import given, settings

import ember

torch = pytest.importorskip("torch")   # the oracle: without it these parity tests skip

F32 = {"rtol": 1e-4, "atol": 1e-4}


def well_conditioned(*shape, dtype=np.float64):
    """Random square matrices with eigenvalues kept away from zero."""
    n = shape[-1]
    return (randn(*shape) + 3 * np.eye(n)).astype(dtype)


def spd(*shape, dtype=np.float64):
    """Random symmetric positive-definite matrices."""
    x = randn(*shape)
    return (x @ x.swapaxes(-1, -2) + shape[-1] * np.eye(shape[-1])).astype(dtype)


def orthogonal(*shape):
    """Random orthogonal matrices (the Q of a QR decomposition)."""
    return np.linalg.qr(randn(*shape, shape[-1]))[0]


def separated_symmetric(*shape, dtype=np.float64):
    """Random symmetric matrices whose eigenvalues are at least 1 apart (so eigenvectors are stable)."""
    n = shape[-1]
    q = orthogonal(*shape[:-1])
    values = np.arange(1, n + 1) * 1.5 - n / 2
    return ((q * values[..., None, :]) @ q.swapaxes(-1, -2)).astype(dtype)


def separated_singular(*shape, dtype=np.float64):
    """Random matrices whose singular values are at least 1 apart and at least 1."""
    m, n = shape[-2:]
    k = min(m, n)
    u, v = orthogonal(*shape[:-2], m)[..., :k], orthogonal(*shape[:-2], n)[..., :k]
    return ((u * np.arange(k, 0, -1)[..., None, :]) @ v.swapaxes(-1, -2)).astype(dtype)


def singular_batch():
    return np.stack([np.eye(2), np.array([[1.0, 2.0], [2.0, 4.0]])])


def same_linalg_error(fn, *inputs):
    """Both libraries raise their LinAlgError (a RuntimeError) for ``fn``."""
    with pytest.raises(torch.linalg.LinAlgError):
        fn(torch, *[torch.from_numpy(np.array(x)) for x in inputs])
    with pytest.raises(ember.linalg.LinAlgError) as info:
        fn(ember, *[ember.from_numpy(np.array(x)) for x in inputs])
    assert isinstance(info.value, RuntimeError)
    return info.value


# ----------------------------------------------------------------------------- inverse and determinants

@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (2, 1, 3, 3), (0, 0), (2, 0, 0), (0, 3, 3)])
def test_inverse(shape):
    a = well_conditioned(*shape)
    parity(lambda m, x: (m.linalg.inv(x), m.inverse(x), x.inverse()), a)
    parity(lambda m, x: m.linalg.inv_ex(x), a)
    parity(lambda m, x: m.linalg.inv(x), a.astype(np.float32), **F32)


def test_inverse_noncontiguous_and_out():
    parity(lambda m, x: m.linalg.inv(x), noncontiguous(well_conditioned(2, 3, 3)))
    out = ember.empty(0)
    assert ember.linalg.inv(ember.eye(2) * 2, out=out) is out and out.tolist() == [[0.5, 0.0], [0.0, 0.5]]


def test_inverse_singular():
    error = same_linalg_error(lambda m, x: m.linalg.inv(x), singular_batch())
    assert "Batch element 1" in str(error) and "diagonal element 2 is zero" in str(error)
    same_linalg_error(lambda m, x: m.inverse(x), np.zeros((3, 3)))
    same_linalg_error(lambda m, x: m.linalg.inv_ex(x, check_errors=True), singular_batch())
    result = ember.linalg.inv_ex(ember.from_numpy(singular_batch()))
    assert result.info.tolist() == [0, 2] and result.inverse[0].tolist() == [[1.0, 0.0], [0.0, 1.0]]


@pytest.mark.parametrize("call", [
    lambda m: m.linalg.inv(m.ones(2, 3)), lambda m: m.linalg.inv(m.ones(3)),
    lambda m: m.linalg.inv(m.ones(2, 2, dtype=m.int64)), lambda m: m.linalg.inv(m.ones(2, 2, dtype=m.float16)),
    lambda m: m.linalg.det(m.ones(2, 3)), lambda m: m.linalg.det(m.ones(2, 2, dtype=m.int64)),
    lambda m: m.linalg.slogdet(m.ones(3)), lambda m: m.logdet(m.ones(2, 3)),
])
def test_inverse_and_determinant_errors(call):
    same_error(call)


@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (0, 0), (2, 0, 0), (1, 1)])
def test_determinants(shape):
    a = randn(*shape)
    parity(lambda m, x: (m.linalg.det(x), m.det(x), x.det()), a)
    parity(lambda m, x: (m.linalg.slogdet(x), m.slogdet(x), x.slogdet()), a)
    parity(lambda m, x: (m.logdet(x), x.logdet()), spd(*shape) if shape[-1] else a)
    parity(lambda m, x: m.linalg.det(x), noncontiguous(a.astype(np.float32)), **F32)


def test_determinant_edge_cases():
    parity(lambda m, x: m.linalg.det(x), singular_batch())            # PyTorch's gradient there is zero
    parity(lambda m, x: m.linalg.slogdet(x), singular_batch(), grad=False)
    parity(lambda m, x: m.logdet(x), np.array([[[-1.0, 0.0], [0.0, 2.0]], [[1.0, 0.0], [0.0, 0.0]]]), grad=False)
    parity(lambda m, x: m.logdet(x), np.diag([-1.0, 2.0]))            # NaN value, zero gradient
    assert type(ember.linalg.slogdet(ember.eye(2))).__name__ == "linalg_slogdet"
    assert type(ember.slogdet(ember.eye(2))).__name__ == "slogdet"


def test_determinant_gradients():
    check_grad(lambda x: ember.linalg.det(x), randn(2, 3, 3))
    check_grad(lambda x: ember.linalg.slogdet(x).logabsdet, randn(2, 3, 3))
    check_grad(lambda x: ember.logdet(x), spd(3, 3))
    check_grad(lambda x: ember.linalg.inv(x), well_conditioned(2, 3, 3))
    check_grad(lambda x: ember.linalg.inv_ex(x).inverse, well_conditioned(3, 3))


# ----------------------------------------------------------------------------- solves

SOLVE_SHAPES = [((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (3,)), ((2, 3, 3), (2, 3)), ((2, 3, 3), (3, 3)),
                ((2, 3, 3), (4, 1, 3, 2)), ((1, 3, 3), (5, 3, 1)), ((0, 0), (0,)), ((3, 3), (3, 0)),
                ((0, 3, 3), (3, 2))]


@pytest.mark.parametrize("shapes", SOLVE_SHAPES)
def test_solve(shapes):
    a, b = well_conditioned(*shapes[0]), randn(*shapes[1])
    parity(lambda m, x, y: m.linalg.solve(x, y), a, b)
    parity(lambda m, x, y: m.linalg.solve_ex(x, y), a, b)


def test_solve_left_false_layouts_and_dtypes():
    parity(lambda m, x, y: m.linalg.solve(x, y, left=False), well_conditioned(2, 3, 3), randn(4, 3))
    parity(lambda m, x, y: m.linalg.solve(x, y, left=False), well_conditioned(3, 3), randn(2, 1, 2, 3))
    parity(lambda m, x, y: m.linalg.solve(x, y), noncontiguous(well_conditioned(2, 3, 3)), noncontiguous(randn(3, 4)))
    parity(lambda m, x, y: m.linalg.solve(x, y), well_conditioned(3, 3, dtype=np.float32),
           randn(3, 2, dtype=np.float32), **F32)


@settings(max_examples=25, deadline=None)
@given(batch=st.lists(st.integers(1, 3), max_size=2), drop=st.integers(0, 2), ones=st.integers(0, 3),
       swap=st.booleans(), n=st.integers(1, 3), k=st.integers(1, 2))
def test_solve_broadcast_property(batch, drop, ones, swap, n, k):
    """Batch dimensions of A and B broadcast: one side may lack leading dimensions or have size 1 ones."""
    other = [1 if ones >> i & 1 else s for i, s in enumerate(batch)][min(drop, len(batch)):]
    batch_a, batch_b = (other, batch) if swap else (batch, other)
    parity(lambda m, x, y: m.linalg.solve(x, y), well_conditioned(*batch_a, n, n), randn(*batch_b, n, k))


def test_solve_errors():
    for call in (lambda m: m.linalg.solve(m.ones(2, 3, 3), m.ones(4, 3)),
                 lambda m: m.linalg.solve(m.ones(3, 3), m.ones(4)),
                 lambda m: m.linalg.solve(m.ones(3, 3), m.ones(3, 2), left=False),
                 lambda m: m.linalg.solve(m.ones(3, 3), m.ones(3), left=False),
                 lambda m: m.linalg.solve(m.ones(3, 3), m.ones(3, dtype=m.float64)),
                 lambda m: m.linalg.solve(m.ones(3, 3), m.ones(3, dtype=m.int64)),
                 lambda m: m.linalg.solve(m.ones(2, 3), m.ones(2)),
                 lambda m: m.linalg.solve(m.ones(2, 3, 3), m.ones(3, 3, 2)),
                 lambda m: m.linalg.solve_triangular(m.ones(3, 3), m.ones(3), upper=True),
                 lambda m: m.linalg.solve_triangular(m.ones(3, 3), m.ones(2, 3), upper=True),
                 lambda m: m.linalg.solve_triangular(m.ones(3, 3, dtype=m.int64), m.ones(3, 1), upper=True)):
        same_error(call)
    same_linalg_error(lambda m, x, y: m.linalg.solve(x, y), singular_batch(), np.ones((2, 2)))
    same_linalg_error(lambda m, x, y: m.linalg.solve_ex(x, y, check_errors=True), singular_batch(), np.ones(2))
    infos = ember.linalg.solve_ex(ember.from_numpy(singular_batch()), ember.ones(2, dtype=ember.float64)).info
    assert infos.tolist() == [0, 2]


@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("unitriangular", [True, False])
def test_solve_triangular(upper, left, unitriangular):
    a = well_conditioned(2, 3, 3)
    b = randn(4, 1, 3, 2) if left else randn(2, 3)
    parity(lambda m, x, y: m.linalg.solve_triangular(x, y, upper=upper, left=left, unitriangular=unitriangular), a, b)


def test_solve_triangular_with_zero_pivot_gives_infinities():
    parity(lambda m, x, y: m.linalg.solve_triangular(x, y, upper=True), np.array([[1.0, 2.0], [0.0, 0.0]]),
           np.ones((2, 1)), grad=False)


def test_solve_gradients():
    check_grad(lambda a, b: ember.linalg.solve(a, b), well_conditioned(2, 3, 3), randn(3, 2))
    check_grad(lambda a, b: ember.linalg.solve(a, b), well_conditioned(3, 3), randn(3))
    check_grad(lambda a, b: ember.linalg.solve(a, b, left=False), well_conditioned(3, 3), randn(2, 3))
    check_grad(lambda a, b: ember.linalg.solve_ex(a, b).result, well_conditioned(2, 3, 3), randn(3))
    check_grad(lambda a, b: ember.linalg.solve_triangular(a, b, upper=True), well_conditioned(3, 3), randn(3, 2))
    check_grad(lambda a, b: ember.linalg.solve_triangular(a, b, upper=False, left=False, unitriangular=True),
               randn(3, 3), randn(2, 3))


# ----------------------------------------------------------------------------- Cholesky

@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (0, 0), (2, 0, 0)])
@pytest.mark.parametrize("upper", [False, True])
def test_cholesky(shape, upper):
    a = spd(*shape)
    parity(lambda m, x: m.linalg.cholesky(x, upper=upper), a)
    parity(lambda m, x: m.linalg.cholesky_ex(x, upper=upper), noncontiguous(a))
    parity(lambda m, x: m.linalg.cholesky(x, upper=upper), a.astype(np.float32), **F32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parity(lambda m, x: (m.cholesky(x, upper), x.cholesky(upper=upper)), a)


def test_cholesky_reads_one_triangle():
    a = np.array([[4.0, 1.0], [100.0, 3.0]])           # only the upper triangle is positive-definite
    parity(lambda m, x: m.linalg.cholesky(x, upper=True), a)
    parity(lambda m, x: m.linalg.cholesky(x), a.T.copy())


def test_cholesky_errors():
    error = same_linalg_error(lambda m, x: m.linalg.cholesky(x),
                              np.stack([np.eye(2), np.array([[1.0, 2.0], [2.0, 1.0]])]))
    assert "Batch element 1" in str(error) and "order 2" in str(error)
    same_linalg_error(lambda m, x: m.linalg.cholesky(x), -np.eye(3))
    same_linalg_error(lambda m, x: m.linalg.cholesky_ex(x, check_errors=True), -np.eye(3))
    same_error(lambda m, x: m.linalg.cholesky(x), randn(2, 3))
    same_error(lambda m, x: m.linalg.cholesky(x), randint(1, 3, 2, 2))
    infos = ember.linalg.cholesky_ex(ember.from_numpy(np.stack([np.eye(2), -np.eye(2)]))).info
    assert infos.tolist() == [0, 1] and infos.dtype is ember.int32


def test_cholesky_gradients():
    def factor(x, upper=False):
        return ember.linalg.cholesky(x @ x.transpose(-2, -1) + 3 * ember.eye(3, dtype=x.dtype), upper=upper)
    check_grad(factor, randn(2, 3, 3))
    check_grad(lambda x: factor(x, upper=True), randn(3, 3))
    check_grad(lambda x: ember.linalg.cholesky_ex(x @ x.transpose(-2, -1) + 3 * ember.eye(3, dtype=x.dtype)).L,
               randn(3, 3))


# ----------------------------------------------------------------------------- QR

@pytest.mark.parametrize("shape", [(4, 3), (3, 3), (3, 5), (2, 4, 2), (2, 2, 4), (0, 3), (3, 0)])
@pytest.mark.parametrize("mode", ["reduced", "complete", "r"])
def test_qr(shape, mode):
    a = randn(*shape)
    differentiable = mode == "reduced" or (mode == "complete" and shape[-2] <= shape[-1])
    parity(lambda m, x: m.linalg.qr(x, mode=mode), a, grad=differentiable)
    parity(lambda m, x: m.linalg.qr(x, mode=mode), noncontiguous(a.astype(np.float32)), grad=False, **F32)


def test_torch_qr():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # torch.qr is deprecated in both libraries
        parity(lambda m, x: (m.qr(x), m.qr(x, some=False), x.qr()), randn(2, 4, 3), grad=False)
        parity(lambda m, x: m.qr(x), randn(4, 3))
    assert type(ember.linalg.qr(ember.ones(2, 2))).__name__ == "linalg_qr"


def _qr_backward(m, x, mode):
    q, r = m.linalg.qr(x, mode=mode)
    (q.sum() + r.sum()).backward()


def test_qr_errors():
    same_error(lambda m, x: m.linalg.qr(x), randn(3))
    same_error(lambda m, x: m.linalg.qr(x, mode="bad"), randn(3, 3))
    for mode, shape in (("r", (4, 3)), ("complete", (4, 3))):
        a = randn(*shape)
        with pytest.raises(RuntimeError):
            _qr_backward(torch, torch.from_numpy(a).requires_grad_(), mode)
        with pytest.raises(RuntimeError, match="not differentiable|depends on Q"):
            _qr_backward(ember, ember.from_numpy(a).requires_grad_(), mode)


def test_qr_gradients():
    check_grad(lambda x: ember.linalg.qr(x), randn(4, 3))
    check_grad(lambda x: ember.linalg.qr(x), randn(2, 3, 5))
    check_grad(lambda x: ember.linalg.qr(x, mode="complete"), randn(3, 3))


# ----------------------------------------------------------------------------- eigh and SVD

def eigh_invariants(m, a, uplo="L"):
    values, vectors = m.linalg.eigh(a, UPLO=uplo)
    return values, vectors * vectors, (vectors * (values * values).unsqueeze(-2)) @ vectors.transpose(-2, -1)


def one_triangle(a, uplo):
    """``a``'s triangle ``uplo`` (with the diagonal) and random values in the other triangle."""
    noise = randn(*a.shape)
    return np.tril(a) + np.triu(noise, 1) if uplo == "L" else np.triu(a) + np.tril(noise, -1)


@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (1, 1)])
@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh(shape, uplo):
    a = separated_symmetric(*shape)
    parity(lambda m, x: eigh_invariants(m, x, uplo), a)
    parity(lambda m, x: eigh_invariants(m, x, uplo), one_triangle(a, uplo))       # only one triangle is read
    parity(lambda m, x: m.linalg.eigvalsh(x, UPLO=uplo), noncontiguous(randn(*shape)))
    parity(lambda m, x: eigh_invariants(m, x, uplo), a.astype(np.float32), **F32)


def test_eigh_zero_size_and_errors():
    parity(lambda m, x: (m.linalg.eigh(x), m.linalg.eigvalsh(x)), randn(2, 0, 0))
    same_error(lambda m, x: m.linalg.eigh(x, UPLO="X"), randn(3, 3))
    same_error(lambda m, x: m.linalg.eigh(x), randn(3, 4))
    same_error(lambda m, x: m.linalg.eigvalsh(x), randint(0, 3, 3, 3))
    with ember.no_grad():
        assert ember.linalg.eigvalsh(ember.eye(2, requires_grad=True)).grad_fn is None


def test_eigh_gradients():
    def symmetric(fn):
        return lambda x: fn(x + x.transpose(-2, -1))
    check_grad(symmetric(lambda a: eigh_invariants(ember, a)), separated_symmetric(2, 3, 3) / 2)
    check_grad(symmetric(lambda a: eigh_invariants(ember, a, "U")[1]), separated_symmetric(3, 3) / 2)
    check_grad(symmetric(lambda a: ember.linalg.eigvalsh(a)), randn(3, 3))


def svd_invariants(m, a, full_matrices=False):
    U, S, Vh = m.linalg.svd(a, full_matrices=full_matrices)
    k = S.shape[-1]
    U_k, Vh_k = (U[..., :k], Vh[..., :k, :]) if full_matrices else (U, Vh)
    # with full_matrices the extra columns of U (rows of Vh) are any basis of a null space: not compared
    return S, U_k * U_k, Vh_k * Vh_k, (U_k * (S * S).unsqueeze(-2)) @ Vh_k


@pytest.mark.parametrize("shape", [(4, 3), (3, 3), (3, 5), (2, 4, 2), (2, 2, 5)])
@pytest.mark.parametrize("full_matrices", [False, True])
def test_svd(shape, full_matrices):
    a = separated_singular(*shape)
    parity(lambda m, x: svd_invariants(m, x, full_matrices), a)
    parity(lambda m, x: svd_invariants(m, x, full_matrices), noncontiguous(a.astype(np.float32)), **F32)
    parity(lambda m, x: m.linalg.svdvals(x), a)


def test_torch_svd():
    def invariants(m, x, some=True):
        U, S, V = m.svd(x, some=some)
        return S, U * U, V * V
    a = separated_singular(2, 4, 3)
    parity(invariants, a)
    parity(lambda m, x: invariants(m, x, some=False), a, grad=False)
    parity(lambda m, x: (lambda U, S, V: (S, U * U))(*x.svd()), a)
    parity(lambda m, x: m.svd(x, compute_uv=False), a)
    assert type(ember.svd(ember.ones(2, 2))).__name__ == "svd"


def test_svd_zero_size():
    for shape in ((0, 3), (3, 0), (2, 0, 0)):
        parity(lambda m, x: (m.linalg.svd(x).S, m.linalg.svd(x, full_matrices=False).S, m.linalg.svdvals(x)),
               randn(*shape))
        e, t = ember.linalg.svd(ember.zeros(*shape)), torch.linalg.svd(torch.zeros(*shape))
        assert [tuple(x.shape) for x in e] == [tuple(x.shape) for x in t]


def test_svd_gradients():
    check_grad(lambda a: svd_invariants(ember, a), separated_singular(4, 3))
    check_grad(lambda a: svd_invariants(ember, a), separated_singular(2, 2, 4))
    check_grad(lambda a: svd_invariants(ember, a, True)[::3], separated_singular(3, 4))
    check_grad(lambda a: ember.linalg.svdvals(a), randn(3, 2))
    check_grad(lambda a: (lambda U, S, V: (S, U * U, V * V))(*ember.svd(a)), separated_singular(2, 4, 3))


# ----------------------------------------------------------------------------- functions of a matrix

@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, -1, -2])
def test_matrix_power(n):
    a = well_conditioned(2, 3, 3) / 3
    parity(lambda m, x: (m.linalg.matrix_power(x, n), m.matrix_power(x, n), x.matrix_power(n)), a)
    if n >= 0:
        parity(lambda m, x: m.linalg.matrix_power(x, n), randint(-2, 3, 3, 3), grad=False)
        parity(lambda m, x: m.linalg.matrix_power(x, n), randn(2, 0, 0))
    check_grad(lambda x: ember.linalg.matrix_power(x, n), a[0])


def test_matrix_power_errors():
    same_error(lambda m, x: m.linalg.matrix_power(x, 2), randn(3, 4))
    same_error(lambda m, x: m.linalg.matrix_power(x, -1), randint(0, 3, 3, 3))
    same_linalg_error(lambda m, x: m.linalg.matrix_power(x, -1), singular_batch())


@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (2, 3, 3), (0, 3)])
def test_pinv(shape):
    a = separated_singular(*shape) if all(shape) else randn(*shape)
    parity(lambda m, x: (m.linalg.pinv(x), m.pinverse(x), x.pinverse()), a)
    parity(lambda m, x: m.linalg.pinv(x), noncontiguous(a.astype(np.float32)), **F32)


def test_pinv_tolerances_and_hermitian():
    rank_one = np.outer(randn(4), randn(3))
    parity(lambda m, x: m.linalg.pinv(x), rank_one, grad=False)
    parity(lambda m, x: m.linalg.pinv(x, atol=1.0), randn(2, 4, 3), grad=False)
    parity(lambda m, x: m.linalg.pinv(x, rtol=0.5), randn(2, 4, 3), grad=False)
    parity(lambda m, x: m.linalg.pinv(x, hermitian=True), spd(2, 3, 3))
    same_error(lambda m, x: m.linalg.pinv(x), randint(0, 3, 3, 3))
    same_error(lambda m, x: m.linalg.pinv(x, hermitian=True), randn(4, 3))


def test_pinv_gradients():
    check_grad(lambda x: ember.linalg.pinv(x), randn(4, 3))
    check_grad(lambda x: ember.linalg.pinv(x), randn(2, 2, 3))
    check_grad(lambda x: ember.linalg.pinv(x + x.transpose(-2, -1), hermitian=True), well_conditioned(3, 3))


def test_matrix_rank():
    low_rank = np.stack([np.outer(randn(4), randn(3)), randn(4, 3), np.zeros((4, 3))])
    parity(lambda m, x: m.linalg.matrix_rank(x), low_rank)
    parity(lambda m, x: m.linalg.matrix_rank(x, atol=1.0, rtol=0.0), low_rank)
    parity(lambda m, x: m.linalg.matrix_rank(x, rtol=0.3), low_rank)
    parity(lambda m, x: m.linalg.matrix_rank(x, hermitian=True), spd(2, 3, 3))
    parity(lambda m, x: m.linalg.matrix_rank(x), randn(0, 3))
    same_error(lambda m, x: m.linalg.matrix_rank(x, hermitian=True), randn(4, 3))


@pytest.mark.parametrize("p", [None, 2, -2, "fro", "nuc", math.inf, -math.inf, 1, -1])
def test_cond(p):
    # PyTorch cannot differentiate its own cond for these p (it modifies a saved inverse in place)
    parity(lambda m, x: m.linalg.cond(x, p), well_conditioned(2, 3, 3), grad=p in (None, 2, -2, "nuc"))
    check_grad(lambda x: ember.linalg.cond(x, p), well_conditioned(3, 3))


# ----------------------------------------------------------------------------- norms

VECTOR_ORDS = [2, 1, 3, 0.5, 0, -1, -2.5, math.inf, -math.inf]


@pytest.mark.parametrize("ord", VECTOR_ORDS)
@pytest.mark.parametrize("dim, keepdim", [(None, False), (None, True), (1, False), ((0, 2), True), (-1, True)])
def test_vector_norm(ord, dim, keepdim):
    parity(lambda m, x: m.linalg.vector_norm(x, ord, dim, keepdim), randn(2, 3, 4))


@pytest.mark.parametrize("ord", VECTOR_ORDS)
def test_vector_norm_zeros_scalars_and_dtypes(ord):
    x = np.array([[0.0, 2.0, -2.0, 1.0], [0.0, 0.0, 0.0, 0.0]])
    parity(lambda m, t: m.linalg.vector_norm(t, ord, dim=1), x)                # ties and all-zero rows
    parity(lambda m, t: (m.linalg.vector_norm(t, ord), m.linalg.vector_norm(t, ord, dim=0)), randn())
    parity(lambda m, t: m.linalg.vector_norm(t, ord, dim=1), noncontiguous(randn(3, 4, dtype=np.float32)))
    parity(lambda m, t: m.linalg.vector_norm(t, ord, dtype=m.float64), randn(3, 4, dtype=np.float32))
    # float16 gradients overflow differently for negative and fractional orders: values only there
    parity(lambda m, t: m.linalg.vector_norm(t, ord), randn(5, dtype=np.float16), rtol=2e-3, atol=2e-3,
           grad=ord in (1, 2))
    if ord >= 0 and ord != math.inf:
        parity(lambda m, t: (m.linalg.vector_norm(t, ord, dim=1), m.linalg.vector_norm(t, ord)), randn(2, 0))
    else:
        same_error(lambda m, t: m.linalg.vector_norm(t, ord, dim=1), randn(2, 0))
        same_error(lambda m, t: m.linalg.vector_norm(t, ord), randn(2, 0))


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3), ord=st.sampled_from(VECTOR_ORDS),
       keepdim=st.booleans(), data=st.data())
def test_vector_norm_property(shape, ord, keepdim, data):
    dims = data.draw(st.lists(st.integers(-len(shape), len(shape) - 1), unique_by=lambda d: d % len(shape),
                              max_size=len(shape)))
    parity(lambda m, x: m.linalg.vector_norm(x, ord, dims or None, keepdim), randn(*shape))


def test_vector_norm_errors():
    same_error(lambda m, x: m.linalg.vector_norm(x), randint(0, 3, 3))
    same_error(lambda m, x: m.linalg.vector_norm(x, dtype=m.float32), randn(3))
    same_error(lambda m, x: m.linalg.vector_norm(x, dtype=m.int64), randn(3, dtype=np.float32))
    same_error(lambda m, x: m.linalg.vector_norm(x, ord="fro"), randn(3))
    same_error(lambda m, x: m.linalg.vector_norm(x, dim=(0, 0)), randn(2, 3))
    same_error(lambda m, x: m.linalg.vector_norm(x, dim=2), randn(2, 3))


MATRIX_ORDS = ["fro", "nuc", math.inf, -math.inf, 1, -1, 2, -2]


@pytest.mark.parametrize("ord", MATRIX_ORDS)
def test_matrix_norm(ord):
    a = randn(2, 3, 4)
    parity(lambda m, x: m.linalg.matrix_norm(x, ord), a)
    parity(lambda m, x: m.linalg.matrix_norm(x, ord, dim=(2, 0), keepdim=True), noncontiguous(a))
    parity(lambda m, x: m.linalg.matrix_norm(x, ord, dim=(-1, 1)), a.astype(np.float32), **F32)
    parity(lambda m, x: m.linalg.matrix_norm(x, ord, dtype=m.float64), a.astype(np.float32), **F32)
    empty = randn(2, 0, 3)
    if ord in (-math.inf, -2):      # a minimum over an empty dimension
        same_error(lambda m, x: m.linalg.matrix_norm(x, ord), empty)
    else:
        parity(lambda m, x: (m.linalg.matrix_norm(x, ord), m.linalg.matrix_norm(x, ord, keepdim=True)), empty)
    parity(lambda m, x: m.linalg.matrix_norm(x, ord), randn(0, 2, 3))


def test_matrix_norm_errors():
    for call in (lambda m: m.linalg.matrix_norm(m.ones(3)), lambda m: m.linalg.matrix_norm(m.ones(3, 3), ord=3),
                 lambda m: m.linalg.matrix_norm(m.ones(3, 3), ord="bad"),
                 lambda m: m.linalg.matrix_norm(m.ones(3, 3), dim=(0, 0)),
                 lambda m: m.linalg.matrix_norm(m.ones(3, 3), dim=(0,)),
                 lambda m: m.linalg.matrix_norm(m.ones(3, 3, dtype=m.int64))):
        same_error(call)


@pytest.mark.parametrize("ord, dim", [(None, None), (None, 1), (None, (1, 2)), (3, 1), (2, (1, 2)), ("nuc", (0, 2)),
                                      (math.inf, (2, 1))])
def test_norm(ord, dim):
    parity(lambda m, x: m.linalg.norm(x, ord, dim), randn(2, 3, 4))
    parity(lambda m, x: m.linalg.norm(x, ord, dim, keepdim=True), randn(2, 3, 4))


@pytest.mark.parametrize("ord", [None, 2, 1, "fro", "nuc", -math.inf])
def test_norm_of_vectors_and_matrices(ord):
    if ord not in ("fro", "nuc"):
        parity(lambda m, x: m.linalg.norm(x, ord), randn(5))
    parity(lambda m, x: m.linalg.norm(x, ord), randn(3, 4))
    same_error(lambda m, x: m.linalg.norm(x, ord, dim=(0, 1, 2)), randn(2, 3, 4))
    if ord is not None:
        same_error(lambda m, x: m.linalg.norm(x, ord), randn(2, 3, 4))


def test_norm_gradients():
    for ord in (1, 2, 3, 0.5, -1.5, math.inf, -math.inf):
        check_grad(lambda x, ord=ord: ember.linalg.vector_norm(x, ord, dim=1), randn(2, 4))
    for ord in MATRIX_ORDS:
        check_grad(lambda x, ord=ord: ember.linalg.matrix_norm(x, ord), randn(2, 4, 3))
    check_grad(lambda x: ember.linalg.norm(x), randn(2, 3))
    check_grad(lambda x: ember.linalg.vector_norm(x), np.array([[0.0, 1.0], [2.0, 0.0]]))


def test_vecdot():
    parity(lambda m, x, y: (m.linalg.vecdot(x, y), m.linalg.vecdot(x, y, dim=0)), randn(3, 3), randn(3))
    parity(lambda m, x, y: m.linalg.vecdot(x, y, dim=1), noncontiguous(randn(2, 4)), randn(2, 1, 4)[:, 0])
    same_error(lambda m, x, y: m.linalg.vecdot(x, y), randn(2, 3, dtype=np.float32), randn(3))
    check_grad(lambda x, y: ember.linalg.vecdot(x, y), randn(2, 3), randn(3))


def test_linalg_error_is_runtime_error():
    assert issubclass(ember.linalg.LinAlgError, RuntimeError)
