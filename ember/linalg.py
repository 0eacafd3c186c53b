"""``ember.linalg``: norms, inverses, determinants, solves and decompositions (``torch.linalg``).

Each decomposition is a primitive whose forward calls NumPy's LAPACK routines and whose
backward is the matrix-calculus rule written with ember ops (products, solves and
masks), so second derivatives work too. ``TORCH_FUNCTIONS`` holds the ``torch.*``
spellings (``torch.det``, ``torch.svd``...) and ``TENSOR_METHODS`` the Tensor methods.
"""

import math
import warnings

import numpy as np

from . import _dtype, return_types
from ._device import array_module
from ._tensor import Tensor, _type_word
from .autograd.function import Primitive
from .autograd.grad_mode import is_grad_enabled
from .ops._util import broadcast_shapes, check_tensor, check_tensor_args, constant, float_arg, wrap_dim, wrap_dims
from .ops.linalg import _cross, _into, _mT, matmul, multi_dot
from .ops.reduction import Norm
from .ops.shape import cat, diag_embed, tril, triu

__all__ = ["LinAlgError", "norm", "vector_norm", "matrix_norm", "inv", "inv_ex", "det", "slogdet", "solve",
           "solve_ex", "solve_triangular", "cholesky", "cholesky_ex", "qr", "svd", "svdvals", "eigh", "eigvalsh",
           "matrix_power", "pinv", "matrix_rank", "cond", "cross", "matmul", "multi_dot", "vecdot"]


class LinAlgError(RuntimeError):
    """A matrix that the operation cannot handle: singular, or not positive-definite."""


def _return_type(name, fields):
    """A named result type, registered as ``ember.return_types.<name>`` (as ``torch.return_types``)."""
    cls = return_types._make(name, tuple(fields))
    setattr(return_types, name, cls)
    return cls


_SlogdetResult = _return_type("linalg_slogdet", ["sign", "logabsdet"])
_TorchSlogdetResult = _return_type("slogdet", ["sign", "logabsdet"])
_InvExResult = _return_type("linalg_inv_ex", ["inverse", "info"])
_CholeskyExResult = _return_type("linalg_cholesky_ex", ["L", "info"])
_SolveExResult = _return_type("linalg_solve_ex", ["result", "info"])
_QRResult = _return_type("linalg_qr", ["Q", "R"])
_TorchQRResult = _return_type("qr", ["Q", "R"])
_SVDResult = _return_type("linalg_svd", ["U", "S", "Vh"])
_TorchSVDResult = _return_type("svd", ["U", "S", "V"])
_EighResult = _return_type("linalg_eigh", ["eigenvalues", "eigenvectors"])


# ----------------------------------------------------------------------------- small helpers

# The LAPACK kernel behind each function: PyTorch names it when a dtype is not implemented.
_KERNELS = {"linalg.det": "lu_cpu", "linalg.slogdet": "lu_cpu", "logdet": "lu_cpu", "linalg.solve": "lu_cpu",
            "linalg.solve_ex": "lu_cpu", "linalg.cholesky": "cholesky_cpu", "linalg.cholesky_ex": "cholesky_cpu",
            "linalg.qr": "geqrf_cpu", "linalg.eigh": "linalg_eigh_cpu", "linalg.eigvalsh": "linalg_eigh_cpu",
            "linalg.svd": "linalg_svd_cpu", "linalg.svdvals": "linalg_svd_cpu",
            "linalg.matrix_rank": "linalg_svd_cpu", "linalg.cond": "linalg_svd_cpu",
            "linalg.solve_triangular": "triangular_solve_cpu"}
_INTEGER_KERNELS = ("linalg.eigh", "linalg.eigvalsh", "linalg.solve_triangular")   # no dtype check before LAPACK


def _check_matrix(A, fn, square=True, name="A"):
    """PyTorch's checks for a (batch of) float32/float64 matrices given to ``fn``."""
    check_tensor(A, name, fn)
    if A.ndim < 2:
        raise RuntimeError(f"{fn}: The input tensor {name} must have at least 2 dimensions.")
    if not A.dtype.is_floating_point and fn in _INTEGER_KERNELS:
        raise NotImplementedError(f"\"{_KERNELS[fn]}\" not implemented for '{_type_word(A.dtype)}'")
    if not A.dtype.is_floating_point:
        raise RuntimeError(f"{fn}: Expected a floating point or complex tensor as input. Got {_type_word(A.dtype)}")
    if A.dtype.np_dtype.itemsize < 4:
        if fn in _KERNELS:
            raise NotImplementedError(f"\"{_KERNELS[fn]}\" not implemented for '{_type_word(A.dtype)}'")
        raise RuntimeError(f"{fn}: Low precision dtypes not supported. Got {_type_word(A.dtype)}")
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{fn}: {name} must be batches of square matrices, but they are {A.shape[-2]} by "
                           f"{A.shape[-1]} matrices")


def _eye(n, like):
    """An identity matrix (constant) with the dtype of the Tensor ``like``."""
    return constant(np.eye(n, dtype=like._data.dtype))


def _batch_of_matrices(array):
    return array.reshape((-1,) + array.shape[-2:])


def _batch_prefix(index, batched):
    return f"(Batch element {index}): " if batched else ""


def _first_zero_pivot(matrix):
    """LAPACK getrf's ``info``: the 1-based index of the first zero pivot of LU with partial pivoting, or 0."""
    a = np.array(matrix, copy=True)
    n = a.shape[0]
    for k in range(n):
        pivot = k + int(np.argmax(np.abs(a[k:, k])))
        if a[pivot, k] == 0:
            return k + 1
        a[[k, pivot]] = a[[pivot, k]]
        a[k + 1:, k:] -= np.outer(a[k + 1:, k] / a[k, k], a[k, k:])
    return 0


def _lu_infos(array):
    """``_first_zero_pivot`` for every matrix of a batch, shaped like the batch."""
    matrices = _batch_of_matrices(array)
    infos = [_first_zero_pivot(m) for m in matrices]
    return np.array(infos, dtype=np.int32).reshape(array.shape[:-2])


def _raise_singular(array, fn):
    infos = _lu_infos(array).reshape(-1)
    bad = np.flatnonzero(infos)
    index = int(bad[0]) if bad.size else 0
    element = f"The diagonal element {infos[index]} is zero" if bad.size else "A pivot is zero"
    raise LinAlgError(f"{fn}: {_batch_prefix(index, array.ndim > 2)}{element}, the inversion could not be "
                      "completed because the input matrix is singular.")


def _cholesky_order(matrix):
    """The order of the first leading minor of ``matrix`` (lower triangle) that is not positive-definite."""
    for k in range(1, matrix.shape[0] + 1):
        try:
            np.linalg.cholesky(matrix[:k, :k])
        except np.linalg.LinAlgError:
            return k
    return 0


def _cholesky_infos(array):
    infos = [_cholesky_order(m) for m in _batch_of_matrices(array)]
    return np.array(infos, dtype=np.int32).reshape(array.shape[:-2])


# ----------------------------------------------------------------------------- inverse and determinants

class InvEx(Primitive):
    """The inverse of square matrices, and LAPACK's ``info`` (0, or the first zero pivot)."""

    grad_fn_name = "LinalgInvExBackward0"

    @staticmethod
    def forward(ctx, A):
        xp = array_module(A)
        try:
            inverse = xp.linalg.inv(A)
            info = xp.zeros(A.shape[:-2], dtype=np.int32)
        except np.linalg.LinAlgError:
            info = _lu_infos(A)
            inverse = xp.full(A.shape, np.nan, dtype=A.dtype)
            flat_a, flat_inv = _batch_of_matrices(A), _batch_of_matrices(inverse)
            for i, bad in enumerate(info.reshape(-1)):
                if not bad:
                    flat_inv[i] = xp.linalg.inv(flat_a[i])
        ctx.save_for_backward(inverse)
        return inverse, info

    @staticmethod
    def backward(ctx, grad, grad_info):
        (inverse,) = ctx.saved_tensors
        inverse_t = _mT(inverse)
        return -matmul(matmul(inverse_t, grad), inverse_t)


def inv_ex(A, *, check_errors=False, out=None):
    """The inverse of square matrices with an ``info`` tensor (nonzero for singular ones) instead of an error.

    >>> ember.linalg.inv_ex(ember.tensor([[2., 0.], [0., 4.]])).info
    tensor(0, dtype=ember.int32)
    """
    _check_matrix(A, "linalg.inv_ex")
    inverse, info = InvEx.apply(A)
    if check_errors and info._data.any():
        _raise_singular(A._data, "linalg.inv_ex")
    return _InvExResult(inverse, info)


def inv(A, *, out=None):
    """The inverse of a square matrix (or batch); ``LinAlgError`` when one is singular.

    >>> ember.linalg.inv(ember.tensor([[2., 0.], [0., 4.]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.2500]])
    """
    _check_matrix(A, "linalg.inv")
    inverse, info = InvEx.apply(A)
    if info._data.any():
        _raise_singular(A._data, "linalg.inv")
    return _into(out, inverse)


def _cofactor_direction(A):
    """``A^{-T}``, with each exactly singular matrix replaced by the identity first.

    The determinant's gradient is ``grad * det * A^{-T}``; where ``det`` is 0 the product
    is 0 whatever stands in for the inverse, as in PyTorch.
    """
    singular = array_module(A._data).linalg.det(A._data) == 0
    if singular.any():
        mask = constant(singular.astype(A._data.dtype)[..., None, None])
        A = A * (1 - mask) + _eye(A.shape[-1], A) * mask
    return _mT(InvEx.apply(A)[0])


class Det(Primitive):
    grad_fn_name = "LinalgDetBackward0"

    @staticmethod
    def forward(ctx, A):
        d = array_module(A).asarray(array_module(A).linalg.det(A))
        ctx.save_for_backward(A, d)
        return d

    @staticmethod
    def backward(ctx, grad):
        A, d = ctx.saved_tensors
        return (grad * d).unsqueeze(-1).unsqueeze(-1) * _cofactor_direction(A)


def det(A, *, out=None):
    """The determinant of a square matrix (or batch).

    >>> ember.linalg.det(ember.tensor([[1., 2.], [3., 4.]]))
    tensor(-2.)
    """
    _check_matrix(A, "linalg.det")
    return _into(out, Det.apply(A))


class Slogdet(Primitive):
    grad_fn_name = "LinalgSlogdetBackward0"

    @staticmethod
    def forward(ctx, A):
        xp = array_module(A)
        sign, logabsdet = xp.linalg.slogdet(A)
        ctx.save_for_backward(A)
        return xp.asarray(sign), xp.asarray(logabsdet)

    @staticmethod
    def backward(ctx, grad_sign, grad_logabsdet):
        (A,) = ctx.saved_tensors
        return grad_logabsdet.unsqueeze(-1).unsqueeze(-1) * _cofactor_direction(A)


def slogdet(A, *, out=None):
    """The sign and the log of the absolute value of the determinant (stable where ``det`` overflows).

    >>> ember.linalg.slogdet(ember.tensor([[-2., 0.], [0., 1.]])).sign
    tensor(-1.)
    """
    _check_matrix(A, "linalg.slogdet")
    return _SlogdetResult(*Slogdet.apply(A))


def _torch_slogdet(input):
    """``torch.slogdet``: ``linalg.slogdet`` under its older name.

    >>> ember.slogdet(ember.eye(2) * 3).logabsdet
    tensor(2.1972)
    """
    _check_matrix(input, "linalg.slogdet")
    return _TorchSlogdetResult(*Slogdet.apply(input))


def _logdet(input):
    """The log of the determinant: NaN where it is negative, ``-inf`` where it is zero.

    >>> ember.logdet(ember.tensor([[2., 0.], [0., 3.]]))
    tensor(1.7918)
    """
    _check_matrix(input, "logdet")
    sign, logabsdet = Slogdet.apply(input)
    negative = sign._data < 0
    keep = constant((~negative).astype(logabsdet._data.dtype))
    nan = constant(np.where(negative, np.nan, 0).astype(logabsdet._data.dtype))
    return logabsdet * keep + nan


# ----------------------------------------------------------------------------- solves

class Solve(Primitive):
    """``X`` with ``A X = B`` for matrices ``B`` (batch dimensions broadcast)."""

    grad_fn_name = "LinalgSolveExBackward0"

    @staticmethod
    def forward(ctx, A, B):
        xp = array_module(A)
        try:
            X = xp.linalg.solve(A, B)
        except np.linalg.LinAlgError:
            raise LinAlgError("torch.linalg.solve: The solver failed because the input matrix is singular.") \
                from None
        ctx.save_for_backward(A, X)
        return X

    @staticmethod
    def backward(ctx, grad):
        A, X = ctx.saved_tensors
        grad_b = Solve.apply(_mT(A), grad)
        grad_a = -matmul(grad_b, _mT(X)) if ctx.needs_input_grad[0] else None
        return grad_a, grad_b


def _solve_operands(A, B, left, fn):
    """Check ``A`` and ``B`` for ``fn`` and turn a vector right-hand side into a column."""
    _check_matrix(A, fn)
    check_tensor(B, "B", fn)
    if B.dtype is not A.dtype:
        raise RuntimeError(f"{fn}: Expected A and B to have the same dtype, but found A of type {_type_word(A.dtype)} "
                           f"and B of type {_type_word(B.dtype)} instead")
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    matrix_b = B.unsqueeze(-1) if vector else B
    n = A.shape[-1]
    size = matrix_b.shape[-2] if left else matrix_b.shape[-1]
    if size != n:
        equation = "AX = B" if left else "XA = B"
        raise RuntimeError(f"{fn}: Incompatible shapes of A and B for the equation {equation} ({n}x{n} and "
                           f"{matrix_b.shape[-2]}x{matrix_b.shape[-1]})")
    broadcast_shapes(A.shape[:-2], matrix_b.shape[:-2])
    return matrix_b, vector


def solve(A, B, *, left=True, out=None):
    """The solution ``X`` of ``A X = B`` (or ``X A = B`` with ``left=False``); batches broadcast.

    >>> ember.linalg.solve(ember.tensor([[2., 0.], [0., 4.]]), ember.tensor([2., 2.]))
    tensor([1.0000, 0.5000])
    """
    matrix_b, vector = _solve_operands(A, B, left, "linalg.solve")
    if left:
        X = Solve.apply(A, matrix_b)
    else:
        X = _mT(Solve.apply(_mT(A), _mT(matrix_b)))
    return _into(out, X.squeeze(-1) if vector else X)


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    """``solve`` with an ``info`` tensor (nonzero for singular matrices) instead of an error.

    >>> ember.linalg.solve_ex(ember.eye(2), ember.ones(2)).info
    tensor(0, dtype=ember.int32)
    """
    matrix_b, vector = _solve_operands(A, B, left, "linalg.solve_ex")
    try:
        result = solve(A, B, left=left)
    except LinAlgError:
        if check_errors:
            raise LinAlgError("torch.linalg.solve_ex: The solver failed because the input matrix is singular.") \
                from None
        infos = _lu_infos(A._data)
        shape = np.broadcast_shapes(A.shape[:-2], matrix_b.shape[:-2]) + tuple(matrix_b.shape[-2:])
        result = Tensor._make(np.full(shape[:-1] if vector else shape, np.nan, dtype=A._data.dtype))
        return _SolveExResult(result, Tensor._make(infos))
    return _SolveExResult(result, Tensor._make(np.zeros(A.shape[:-2], dtype=np.int32)))


def _triangular_part(A, upper, unitriangular):
    """The triangle of ``A`` that a triangular solve reads (with ones on the diagonal if unitriangular)."""
    part = triu(A) if upper else tril(A)
    if unitriangular:
        eye = _eye(A.shape[-1], A)
        part = part * (1 - eye) + eye
    return part


def _back_substitution(T, B, upper):
    """Solve ``T X = B`` for triangular ``T`` one row at a time (zero pivots give inf/NaN, as LAPACK's trsm)."""
    n = T.shape[-1]
    shape = np.broadcast_shapes(T.shape[:-2], B.shape[:-2]) + B.shape[-2:]
    X = np.zeros(shape, dtype=np.result_type(T, B))
    order = range(n - 1, -1, -1) if upper else range(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in order:
            known = np.einsum("...j,...jk->...k", T[..., i, :], X)
            X[..., i, :] = (B[..., i, :] - known) / T[..., i, i][..., None]
    return X


class SolveTriangular(Primitive):
    """``X`` with ``T X = B`` for an upper or lower triangular ``T`` (the other triangle is ignored)."""

    grad_fn_name = "LinalgSolveTriangularBackward0"

    @staticmethod
    def forward(ctx, T, B, *, upper):
        ctx.upper = upper
        try:
            X = array_module(T).linalg.solve(T, B)
        except np.linalg.LinAlgError:
            X = _back_substitution(T, B, upper)
        ctx.save_for_backward(T, X)
        return X

    @staticmethod
    def backward(ctx, grad):
        T, X = ctx.saved_tensors
        grad_b = SolveTriangular.apply(_mT(T), grad, upper=not ctx.upper)
        grad_t = None
        if ctx.needs_input_grad[0]:
            grad_t = -matmul(grad_b, _mT(X))
            grad_t = triu(grad_t) if ctx.upper else tril(grad_t)
        return grad_t, grad_b


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """The solution of ``A X = B`` (or ``X A = B``) for triangular ``A``; only its triangle is read.

    >>> ember.linalg.solve_triangular(ember.tensor([[2., 1.], [0., 4.]]), ember.tensor([[3.], [4.]]), upper=True)
    tensor([[1.],
            [1.]])
    """
    _check_matrix(A, "linalg.solve_triangular")
    check_tensor(B, "B", "linalg.solve_triangular")
    if B.ndim < 2:
        raise RuntimeError("linalg.solve_triangular: The input tensor B must have at least 2 dimensions.")
    B = B._cast(A.dtype)                    # PyTorch computes in A's dtype
    n = A.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        equation = "AX = B" if left else "XA = B"
        raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the equation {equation} "
                           f"({n}x{n} and {B.shape[-2]}x{B.shape[-1]})")
    broadcast_shapes(A.shape[:-2], B.shape[:-2])
    T = _triangular_part(A, upper, unitriangular)
    if left:
        return _into(out, SolveTriangular.apply(T, B, upper=upper))
    return _into(out, _mT(SolveTriangular.apply(_mT(T), _mT(B), upper=not upper)))


# ----------------------------------------------------------------------------- Cholesky

class Cholesky(Primitive):
    """The lower Cholesky factor ``L`` (``A = L L^T``), reading the lower triangle of ``A``."""

    grad_fn_name = "LinalgCholeskyExBackward0"

    @staticmethod
    def forward(ctx, A):
        L = array_module(A).linalg.cholesky(A)
        ctx.save_for_backward(L)
        return L

    @staticmethod
    def backward(ctx, grad):
        (L,) = ctx.saved_tensors
        # gA = L^{-T} Phi(L^T gL) L^{-1}, Phi taking the lower triangle with its diagonal halved,
        # made symmetric (after Murray, "Differentiation of the Cholesky decomposition", 2016).
        phi = tril(matmul(_mT(L), grad))
        phi = 0.5 * (phi + _mT(tril(phi, -1)))
        left = SolveTriangular.apply(_mT(L), phi, upper=True)
        return _mT(SolveTriangular.apply(_mT(L), _mT(left), upper=True))


def _cholesky_error(array, fn):
    infos = _cholesky_infos(array).reshape(-1)
    index = int(np.flatnonzero(infos)[0])
    raise LinAlgError(f"{fn}: {_batch_prefix(index, array.ndim > 2)}The factorization could not be completed "
                      f"because the input is not positive-definite (the leading minor of order {infos[index]} is "
                      "not positive-definite).")


def _cholesky_factor(A, upper):
    """L (or U = L^T for ``upper``, reading the upper triangle), or None when some matrix is not PD."""
    source = _mT(A) if upper else A
    try:
        factor = Cholesky.apply(source)
    except np.linalg.LinAlgError:
        return None, source
    return (_mT(factor) if upper else factor), source


def cholesky(A, *, upper=False, out=None):
    """The Cholesky factor of symmetric positive-definite matrices: lower ``L`` with ``A = L L^T``.

    ``upper=True`` returns ``U = L^T`` computed from the upper triangle. Not positive-definite:
    ``LinAlgError``.

    >>> ember.linalg.cholesky(ember.tensor([[4., 2.], [2., 2.]]))
    tensor([[2., 0.],
            [1., 1.]])
    """
    _check_matrix(A, "linalg.cholesky")
    factor, source = _cholesky_factor(A, upper)
    if factor is None:
        _cholesky_error(source._data, "linalg.cholesky")
    return _into(out, factor)


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """``cholesky`` with an ``info`` tensor (order of the failing minor, or 0) instead of an error.

    >>> ember.linalg.cholesky_ex(-ember.eye(2)).info
    tensor(1, dtype=ember.int32)
    """
    _check_matrix(A, "linalg.cholesky_ex")
    factor, source = _cholesky_factor(A, upper)
    if factor is not None:
        return _CholeskyExResult(factor, Tensor._make(np.zeros(A.shape[:-2], dtype=np.int32)))
    if check_errors:
        _cholesky_error(source._data, "linalg.cholesky_ex")
    infos = _cholesky_infos(source._data)
    return _CholeskyExResult(Tensor._make(np.full(A.shape, np.nan, dtype=A._data.dtype)), Tensor._make(infos))


def _torch_cholesky(input, upper=False, *, out=None):
    """``torch.cholesky`` (deprecated in PyTorch in favour of ``linalg.cholesky``).

    >>> ember.cholesky(ember.tensor([[4., 2.], [2., 2.]]), upper=True)
    tensor([[2., 1.],
            [0., 1.]])
    """
    warnings.warn("torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a future "
                  "PyTorch release.", UserWarning, stacklevel=2)
    return cholesky(input, upper=upper, out=out)


# ----------------------------------------------------------------------------- QR

def _columns(x, start, stop):
    """Columns ``start:stop`` of the last dimension."""
    return x.narrow(-1, start, stop - start)


def _qr_backward_tall(Q, R, gQ, gR):
    """QR's gradient for ``m >= n`` (``Q`` is m x n, ``R`` is n x n and invertible).

    With ``M = R gR^T - gQ^T Q``: ``gA = (gQ + Q copyltu(M)) R^{-T}``, where copyltu
    mirrors the lower triangle onto the upper one.
    """
    M = matmul(R, _mT(gR)) - matmul(_mT(gQ), Q)
    copyltu = tril(M) + _mT(tril(M, -1))
    B = gQ + matmul(Q, copyltu)
    return _mT(SolveTriangular.apply(R, _mT(B), upper=True))


class QR(Primitive):
    grad_fn_name = "LinalgQrBackward0"

    @staticmethod
    def forward(ctx, A, *, mode):
        xp = array_module(A)
        ctx.mode, ctx.shape = mode, A.shape
        if mode == "r":
            R = xp.linalg.qr(A, mode="r")
            return xp.zeros((0,), dtype=A.dtype), R
        Q, R = xp.linalg.qr(A, mode=mode)
        ctx.save_for_backward(Q, R)
        return Q, R

    @staticmethod
    def backward(ctx, gQ, gR):
        m, n = ctx.shape[-2:]
        if ctx.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                               "Please use linalg.qr(A, mode='reduced') if you are going to differentiate through "
                               "linalg.qr.")
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")
        Q, R = ctx.saved_tensors
        if m >= n:
            return _qr_backward_tall(Q, R, gQ, gR)
        # A = [X | Y] with X = Q U square and Y = Q V: Y adds Q gV to gY and Y gV^T to gQ
        U, gU, gV = _columns(R, 0, m), _columns(gR, 0, m), _columns(gR, m, n)
        Y = matmul(Q, _columns(R, m, n))
        grad_x = _qr_backward_tall(Q, U, gQ + matmul(Y, _mT(gV)), gU)
        return cat([grad_x, matmul(Q, gV)], -1)


def qr(A, mode="reduced", *, out=None):
    """The QR decomposition ``A = Q R``: orthonormal columns ``Q``, upper triangular ``R``.

    ``mode`` is ``'reduced'`` (Q is m x k), ``'complete'`` (Q is m x m) or ``'r'`` (Q is empty).

    >>> ember.linalg.qr(ember.tensor([[3., 0.], [4., 5.]])).R
    tensor([[-5., -4.],
            [ 0.,  3.]])
    """
    _check_matrix(A, "linalg.qr", square=False)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', "
                           "or 'complete'")
    return _QRResult(*QR.apply(A, mode=mode))


def _torch_qr(input, some=True, *, out=None):
    """``torch.qr``: the reduced (``some=True``) or complete QR decomposition.

    >>> ember.qr(ember.ones(3, 2)).Q.shape
    ember.Size([3, 2])
    """
    warnings.warn("torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future PyTorch "
                  "release.", UserWarning, stacklevel=2)
    _check_matrix(input, "linalg.qr", square=False)
    return _TorchQRResult(*QR.apply(input, mode="reduced" if some else "complete"))


# ----------------------------------------------------------------------------- symmetric eigendecomposition

def _check_uplo(UPLO):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")


class Eigh(Primitive):
    """Eigenvalues (ascending) and orthonormal eigenvectors of symmetric matrices."""

    grad_fn_name = "LinalgEighBackward0"

    @staticmethod
    def forward(ctx, A, *, uplo):
        values, vectors = array_module(A).linalg.eigh(A, UPLO=uplo)
        ctx.save_for_backward(values, vectors)
        return values, vectors

    @staticmethod
    def backward(ctx, grad_values, grad_vectors):
        values, vectors = ctx.saved_tensors
        # gA = V (diag(gL) + skew(V^T gV) / E) V^T with E[i, j] = L[j] - L[i]: the symmetric gradient
        eye = _eye(values.shape[-1], values)
        projected = matmul(_mT(vectors), grad_vectors)
        skew = 0.5 * (projected - _mT(projected))
        gaps = values.unsqueeze(-2) - values.unsqueeze(-1) + eye
        inner = skew / gaps * (1 - eye) + diag_embed(grad_values)
        return matmul(matmul(vectors, inner), _mT(vectors))


def eigh(A, UPLO="L", *, out=None):
    """Eigenvalues (ascending) and eigenvectors of symmetric matrices, reading the ``UPLO`` triangle.

    Eigenvectors are defined up to sign; differentiate only sign-independent results.

    >>> ember.linalg.eigh(ember.tensor([[2., 0.], [0., 1.]])).eigenvalues
    tensor([1., 2.])
    """
    _check_matrix(A, "linalg.eigh")
    _check_uplo(UPLO)
    return _EighResult(*Eigh.apply(A, uplo=UPLO))


def _needs_graph(A):
    return A.requires_grad and is_grad_enabled()


def eigvalsh(A, UPLO="L", *, out=None):
    """The eigenvalues of symmetric matrices, in ascending order.

    >>> ember.linalg.eigvalsh(ember.tensor([[2., 1.], [1., 2.]]))
    tensor([1., 3.])
    """
    _check_matrix(A, "linalg.eigvalsh")
    _check_uplo(UPLO)
    if _needs_graph(A):
        return _into(out, Eigh.apply(A, uplo=UPLO)[0])
    return _into(out, Tensor._make(array_module(A._data).linalg.eigvalsh(A._data, UPLO=UPLO)))


# ----------------------------------------------------------------------------- singular value decomposition

def _svd_backward(U, S, Vh, gU, gS, gVh):
    """The gradient of the reduced SVD ``A = U diag(S) Vh`` (real case).

    gA = U [skew(U^T gU) / E S + S skew(V^T gV) / E + diag(gS)] Vh
         + (I - U U^T) gU S^{-1} Vh + U S^{-1} gV^T (I - V Vh),  E[i, j] = S[j]^2 - S[i]^2.
    """
    m, n, k = U.shape[-2], Vh.shape[-1], S.shape[-1]
    V, gV = _mT(Vh), _mT(gVh)
    eye = _eye(k, S)
    squares = S * S
    gaps = squares.unsqueeze(-2) - squares.unsqueeze(-1) + eye
    J = matmul(_mT(U), gU)
    K = matmul(_mT(V), gV)
    skew_j = (J - _mT(J)) / gaps * (1 - eye)
    skew_k = (K - _mT(K)) / gaps * (1 - eye)
    inner = skew_j * S.unsqueeze(-2) + S.unsqueeze(-1) * skew_k + diag_embed(gS)
    grad = matmul(matmul(U, inner), Vh)
    if m > k:
        grad = grad + matmul((gU - matmul(U, J)) / S.unsqueeze(-2), Vh)
    if n > k:
        grad = grad + matmul(U, (_mT(gV) - matmul(_mT(K), Vh)) / S.unsqueeze(-1))
    return grad


class SVD(Primitive):
    grad_fn_name = "LinalgSvdBackward0"

    @staticmethod
    def forward(ctx, A, *, full_matrices):
        U, S, Vh = array_module(A).linalg.svd(A, full_matrices=full_matrices)
        ctx.save_for_backward(U, S, Vh)
        return U, S, Vh

    @staticmethod
    def backward(ctx, gU, gS, gVh):
        U, S, Vh = ctx.saved_tensors
        k = S.shape[-1]
        if U.shape[-1] != k:       # full_matrices: the extra columns carry no gradient, as in PyTorch
            U, gU = _columns(U, 0, k), _columns(gU, 0, k)
        if Vh.shape[-2] != k:
            Vh, gVh = _mT(_columns(_mT(Vh), 0, k)), _mT(_columns(_mT(gVh), 0, k))
        return _svd_backward(U, S, Vh, gU, gS, gVh)


def svd(A, full_matrices=True, *, driver=None, out=None):
    """The singular value decomposition ``A = U diag(S) Vh``, singular values descending.

    Singular vectors are defined up to sign; differentiate only sign-independent results.

    >>> ember.linalg.svd(ember.tensor([[3., 0.], [0., -2.]])).S
    tensor([3., 2.])
    """
    _check_matrix(A, "linalg.svd", square=False)
    return _SVDResult(*SVD.apply(A, full_matrices=full_matrices))


def svdvals(A, *, driver=None, out=None):
    """The singular values of ``A``, in descending order.

    >>> ember.linalg.svdvals(ember.tensor([[3., 0.], [0., -2.]]))
    tensor([3., 2.])
    """
    _check_matrix(A, "linalg.svdvals", square=False)
    if _needs_graph(A):
        return _into(out, SVD.apply(A, full_matrices=False)[1])
    return _into(out, Tensor._make(array_module(A._data).linalg.svd(A._data, compute_uv=False)))


def _torch_svd(input, some=True, compute_uv=True, *, out=None):
    """``torch.svd``: returns ``V`` (not ``Vh``); ``some=False`` gives the full ``U`` and ``V``.

    >>> ember.svd(ember.tensor([[3., 0.], [0., -2.]])).S
    tensor([3., 2.])
    """
    _check_matrix(input, "linalg.svd", square=False)
    if not compute_uv:
        S = svdvals(input)
        m, n = input.shape[-2:]
        batch = tuple(input.shape[:-2])
        zeros = [Tensor._make(np.zeros(batch + (s, s), dtype=input._data.dtype)) for s in (m, n)]
        return _TorchSVDResult(zeros[0], S, zeros[1])
    U, S, Vh = SVD.apply(input, full_matrices=not some)
    return _TorchSVDResult(U, S, _mT(Vh))


# ----------------------------------------------------------------------------- products of one matrix

class ConstantOf(Primitive):
    """A fixed array that still depends on ``x`` for autograd (with a zero gradient)."""

    grad_fn_name = "CopyBackwards"

    @staticmethod
    def forward(ctx, x, *, value):
        return value

    @staticmethod
    def backward(ctx, grad):
        return grad * 0


def matrix_power(A, n, *, out=None):
    """``A`` multiplied by itself ``n`` times; ``n = 0`` gives the identity, ``n < 0`` powers of the inverse.

    >>> ember.linalg.matrix_power(ember.tensor([[1., 1.], [0., 1.]]), 3)
    tensor([[1., 3.],
            [0., 1.]])
    """
    check_tensor(A, "A", "linalg.matrix_power")
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"matrix_power(): argument 'n' must be int, not {type(n).__name__}")
    if n == 0:
        identity = np.broadcast_to(np.eye(A.shape[-1], dtype=A._data.dtype), A.shape).copy()
        return _into(out, ConstantOf.apply(A, value=identity))
    if n < 0:
        A, n = inv(A), -n
    result, square = None, A
    while n:                              # binary powering: O(log n) products
        if n & 1:
            result = square if result is None else matmul(result, square)
        n >>= 1
        if n:
            square = matmul(square, square)
    return _into(out, result if result is not A else result.clone())


def _tolerance(S, atol, rtol, shape):
    """PyTorch's cut-off for treating singular values as zero: ``max(atol, rtol * S.max())``."""
    atol_value = _as_array(atol, S)
    if rtol is None:
        rtol_value = np.finfo(S.dtype).eps * max(shape[-2:]) if atol is None or np.all(atol_value <= 0) else 0.0
    else:
        rtol_value = _as_array(rtol, S)
    largest = S.max(axis=-1) if S.shape[-1] else np.zeros(S.shape[:-1], dtype=S.dtype)
    return np.maximum(atol_value if atol is not None else 0.0, rtol_value * largest)


def _as_array(value, like):
    if value is None:
        return np.zeros((), dtype=like.dtype)
    if isinstance(value, Tensor):
        return value._data.astype(like.dtype)
    return np.asarray(value, dtype=like.dtype)


class Pinv(Primitive):
    """The Moore-Penrose pseudo-inverse, from the SVD (or eigh for symmetric input)."""

    grad_fn_name = "LinalgPinvBackward0"

    @staticmethod
    def forward(ctx, A, *, atol, rtol, hermitian):
        xp = array_module(A)
        if hermitian:
            values, vectors = xp.linalg.eigh(A)
            cutoff = _tolerance(xp.abs(values), atol, rtol, A.shape)[..., None]
            keep = xp.abs(values) > cutoff
            inverse = xp.where(keep, 1 / xp.where(keep, values, 1), 0)
            P = (vectors * inverse[..., None, :]) @ xp.swapaxes(vectors, -1, -2)
        else:
            U, S, Vh = xp.linalg.svd(A, full_matrices=False)
            cutoff = _tolerance(S, atol, rtol, A.shape)[..., None]
            keep = S > cutoff
            inverse = xp.where(keep, 1 / xp.where(keep, S, 1), 0)
            P = (xp.swapaxes(Vh, -1, -2) * inverse[..., None, :]) @ xp.swapaxes(U, -1, -2)
        P = P.astype(A.dtype, copy=False)
        ctx.save_for_backward(A, P)
        return P

    @staticmethod
    def backward(ctx, grad):
        A, P = ctx.saved_tensors
        # dP = -P dA P + P P^T dA^T (I - A P) + (I - P A) dA^T P^T P  (constant rank), transposed:
        m, n = A.shape[-2:]
        Pt = _mT(P)
        first = -matmul(matmul(Pt, grad), Pt)
        left_null = _eye(m, A) - matmul(A, P)
        right_null = _eye(n, A) - matmul(P, A)
        second = matmul(matmul(left_null, _mT(grad)), matmul(P, Pt))
        third = matmul(matmul(Pt, P), matmul(_mT(grad), right_null))
        return first + second + third


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """The pseudo-inverse; singular values below ``max(atol, rtol * largest)`` count as zero.

    >>> ember.linalg.pinv(ember.tensor([[2., 0.], [0., 0.]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.0000]])
    """
    check_tensor(A, "A", "linalg.pinv")
    if A.ndim < 2 or not A.dtype.is_floating_point or A.dtype.np_dtype.itemsize < 4:
        raise RuntimeError(f"linalg.pinv({_type_word(A.dtype)}{{{list(A.shape)}}}): expected a tensor with 2 or more "
                           "dimensions of float, double, cfloat or cdouble types")
    if hermitian:
        _check_matrix(A, "linalg.eigh")
    return _into(out, Pinv.apply(A, atol=atol, rtol=rtol, hermitian=hermitian))


def _pinverse(input, rcond=1e-15):
    """``torch.pinverse``: the pseudo-inverse, cutting singular values below ``rcond`` times the largest.

    >>> ember.pinverse(ember.tensor([[2., 0.], [0., 4.]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.2500]])
    """
    return pinv(input, rtol=float_arg(rcond, "pinverse", "rcond"))


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """The number of singular values above ``max(atol, rtol * largest)``, as int64.

    >>> ember.linalg.matrix_rank(ember.tensor([[1., 2.], [2., 4.]]))
    tensor(1)
    """
    _check_matrix(A, "linalg.matrix_rank", square=hermitian)
    xp = array_module(A._data)
    if hermitian:
        S = xp.abs(xp.linalg.eigvalsh(A._data))
    else:
        S = xp.linalg.svd(A._data, compute_uv=False)
    cutoff = _tolerance(S, atol, rtol, A.shape)[..., None]
    return _into(out, Tensor._make(xp.asarray((S > cutoff).sum(axis=-1), dtype=np.int64)))


# ----------------------------------------------------------------------------- norms

_INF = math.inf


def _norm_dtype(x, dtype, fn):
    """The input converted to ``dtype`` (float only, never narrowing), with PyTorch's checks."""
    if not x.dtype.is_floating_point:
        raise RuntimeError(f"{fn}: Expected a floating point or complex tensor as input. Got {_type_word(x.dtype)}")
    if dtype is None:
        return x
    dtype = _dtype.to_dtype(dtype)
    if not dtype.is_floating_point:
        raise RuntimeError(f"{fn}: dtype should be floating point or complex, but got {_type_word(dtype)}")
    if dtype is not x.dtype and _dtype.promote_types(x.dtype, dtype) is not dtype:
        raise RuntimeError(f"{fn}: the dtype of the input ({_type_word(x.dtype)}) should be convertible without "
                           f"narrowing to the specified dtype ({_type_word(dtype)})")
    return x.to(dtype)


def _ord_text(ord):
    if ord in (_INF, -_INF):
        return "inf" if ord > 0 else "-inf"
    return str(int(ord)) if float(ord).is_integer() else str(ord)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """The ``ord``-norm of ``x`` as a vector: all elements, or those along ``dim``.

    ``ord`` is any number: ``inf``/``-inf`` take the largest/smallest magnitude, 0 counts
    nonzero elements, otherwise ``sum(|x|**ord) ** (1/ord)``.

    >>> ember.linalg.vector_norm(ember.tensor([3., -4.]))
    tensor(5.)
    """
    check_tensor(x, "x", "linalg.vector_norm")
    if isinstance(ord, bool) or not isinstance(ord, (int, float, np.integer, np.floating)):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' must be Number, not {type(ord).__name__}")
    x = _norm_dtype(x, dtype, "linalg.vector_norm")
    if dim is None or (isinstance(dim, (list, tuple)) and len(dim) == 0):
        dims = None
    else:
        dims = wrap_dims(dim, x.ndim)
    if x.ndim == 0:
        dims = None
    ord = float(ord)
    if (ord < 0 or ord == _INF) and x.numel() == 0:
        reduced = range(x.ndim) if dims is None else dims
        empty = [d for d in reduced if x.shape[d] == 0]
        if dims is None:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {_ord_text(ord)} norm on an empty tensor "
                               "because the operation does not have an identity")
        if empty:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {_ord_text(ord)} norm on the dimension "
                               f"{empty[0]}because this dimension is empty and the operation does not have an "
                               "identity")
    return _into(out, Norm.apply(x, p=ord, dims=dims, keepdim=keepdim))


def _matrix_dims(A, dim, fn="linalg.matrix_norm"):
    if not isinstance(dim, (list, tuple)) or len(dim) != 2:
        shown = " ".join(str(d) for d in dim) if isinstance(dim, (list, tuple)) else str(dim)
        raise RuntimeError(f"{fn}: dim must be a 2-tuple. Got {shown}")
    d0, d1 = wrap_dim(dim[0], A.ndim), wrap_dim(dim[1], A.ndim)
    if d0 == d1:
        raise RuntimeError(f"{fn}: dims must be different. Got ({dim[0]}, {dim[1]})")
    return d0, d1


def _move_to_end(A, d0, d1):
    """``A`` with dimensions ``d0``, ``d1`` moved to the end (a view)."""
    order = [d for d in range(A.ndim) if d not in (d0, d1)] + [d0, d1]
    return A.permute(*order)


def _keep_matrix_dims(result, d0, d1, keepdim):
    if keepdim:
        for d in sorted((d0, d1)):
            result = result.unsqueeze(d)
    return result


_MATRIX_ORDS = ("fro", "nuc", _INF, -_INF, 1, -1, 2, -2)


def _empty_matrix_norm(A, ord, d0, d1, keepdim):
    """Norms of empty matrices are 0, except minima over an empty dimension, which PyTorch refuses."""
    batch_nonempty = all(s for i, s in enumerate(A.shape) if i not in (d0, d1))
    rows, cols = A.shape[d0], A.shape[d1]
    empty_minimum = {-1: cols == 0, -_INF: rows == 0, -2: min(rows, cols) == 0}.get(ord, False)
    if batch_nonempty and empty_minimum:
        raise IndexError(f"amin(): Expected reduction dim {d1 if ord == -1 else d0 if ord == -_INF else -1} to have "
                         "non-zero size.")
    return A.sum((d0, d1), keepdim=keepdim)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """A matrix norm over the two dimensions ``dim``: ``'fro'``, ``'nuc'``, ``inf``, ``-inf``, 1, -1, 2, -2.

    >>> ember.linalg.matrix_norm(ember.tensor([[1., -2.], [3., 4.]]), ord=1)
    tensor(6.)
    """
    check_tensor(A, "A", "linalg.matrix_norm")
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    A = _norm_dtype(A, dtype, "linalg.matrix_norm")
    d0, d1 = _matrix_dims(A, dim)
    if isinstance(ord, str) and ord not in ("fro", "nuc") or not isinstance(ord, str) and ord not in _MATRIX_ORDS:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if ord == "fro":
        return _into(out, vector_norm(A, 2, (d0, d1), keepdim))
    if A.numel() == 0:
        return _into(out, _empty_matrix_norm(A, ord, d0, d1, keepdim))
    if ord in (1, -1, _INF, -_INF):
        # 1: the largest column sum of |A|; inf: the largest row sum (-1, -inf: the smallest)
        summed, picked = (d0, d1) if ord in (1, -1) else (d1, d0)
        sums = vector_norm(A, 1, summed, keepdim=True)
        result = vector_norm(sums, _INF if ord > 0 else -_INF, picked, keepdim=True)
        return _into(out, result if keepdim else result.squeeze((d0, d1)))
    singular = svdvals(_move_to_end(A, d0, d1))
    if ord == "nuc":
        result = singular.sum(-1)
    else:
        result = vector_norm(singular, _INF if ord == 2 else -_INF, -1)
    return _into(out, _keep_matrix_dims(result, d0, d1, keepdim))


def norm(A, ord=None, dim=None, keepdim=False, *, out=None, dtype=None):
    """A vector norm (``dim`` an int, or 1-D input) or a matrix norm (``dim`` a pair, or 2-D input).

    Without ``ord`` and ``dim`` it is the 2-norm of all elements, whatever the shape.

    >>> ember.linalg.norm(ember.tensor([[3., 0.], [0., 4.]]))
    tensor(5.)
    """
    check_tensor(A, "A", "linalg.norm")
    if dim is not None:
        dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
        if len(dims) == 1:
            return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype, out=out)
        if len(dims) == 2:
            return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim, dtype=dtype, out=out)
        raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dims)}")
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype, out=out)
    if A.ndim not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got "
                           f"{A.ndim}D.")
    if A.ndim == 1 and not isinstance(ord, str):
        return vector_norm(A, ord, None, keepdim, dtype=dtype, out=out)
    return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype, out=out)


_COND_NORMS = (None, 2, -2, 1, -1, math.inf, -math.inf, "fro", "nuc")


def cond(A, p=None, *, out=None):
    """The condition number of ``A`` in the norm ``p`` (by default the 2-norm, from singular values).

    >>> ember.linalg.cond(ember.tensor([[2., 0.], [0., 1.]]))
    tensor(2.)
    """
    if p not in _COND_NORMS:
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    _check_matrix(A, "linalg.cond", square=p not in (None, 2, -2))
    if p is None or p in (2, -2):
        singular = svdvals(A)
        largest, smallest = singular.select(-1, 0), singular.select(-1, singular.shape[-1] - 1)
        return _into(out, largest / smallest if p != -2 else smallest / largest)
    return _into(out, matrix_norm(A, p) * matrix_norm(inv(A), p))


# ----------------------------------------------------------------------------- vector helpers

def vecdot(x, y, *, dim=-1, out=None):
    """The dot product of vectors along ``dim``; the other dimensions broadcast.

    >>> ember.linalg.vecdot(ember.tensor([[1., 2.], [3., 4.]]), ember.tensor([1., 1.]))
    tensor([3., 7.])
    """
    check_tensor_args("linalg.vecdot", x=x, y=y)
    if not x.dtype.is_floating_point:
        raise RuntimeError(f"linalg.vecdot: Expected a floating point or complex tensor as input. Got "
                           f"{_type_word(x.dtype)}")
    if x.dtype is not y.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found x of type "
                           f"{_type_word(x.dtype)} and y of type {_type_word(y.dtype)} instead")
    return _into(out, (x * y).sum(dim))


def cross(input, other, *, dim=-1, out=None):
    """The cross product of 3-vectors along ``dim`` (default the last); other dimensions broadcast.

    >>> ember.linalg.cross(ember.tensor([0., 1., 0.]), ember.tensor([0., 0., 1.]))
    tensor([1., 0., 0.])
    """
    return _into(out, _cross(input, other, dim, "linalg.cross"))


# ----------------------------------------------------------------------------- torch.* names and methods

def _inverse(input, *, out=None):
    """``torch.inverse``: ``linalg.inv``.

    >>> ember.inverse(ember.tensor([[2., 0.], [0., 4.]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.2500]])
    """
    return inv(input, out=out)


def _det(input):
    """``torch.det``: ``linalg.det``.

    >>> ember.det(ember.tensor([[1., 2.], [3., 4.]]))
    tensor(-2.)
    """
    return det(input)


def _named(fn, name):
    fn.__name__ = name
    fn.__qualname__ = name
    return fn


TORCH_FUNCTIONS = {
    "det": _named(_det, "det"), "logdet": _named(_logdet, "logdet"),
    "slogdet": _named(_torch_slogdet, "slogdet"), "inverse": _named(_inverse, "inverse"),
    "cholesky": _named(_torch_cholesky, "cholesky"), "matrix_power": matrix_power,
    "pinverse": _named(_pinverse, "pinverse"), "svd": _named(_torch_svd, "svd"),
    "qr": _named(_torch_qr, "qr"),
}

TENSOR_METHODS = dict(TORCH_FUNCTIONS)
