"""Matrix and tensor products: ``matmul`` and its special cases, the add-multiply family, ``einsum``.

Two primitives carry almost everything: ``Matmul`` (batched matrix products whose batch
dimensions broadcast) and ``Einsum`` (any contraction written with explicit letters).
The public functions check their arguments with PyTorch's messages, reshape vectors
into matrices, and call one of them; their gradients are products again, so every
derivative here is itself differentiable.
"""

import math
import string
import warnings

import numpy as np

from .. import _dtype
from .._device import array_module
from .._tensor import Tensor, _type_word
from ..autograd.function import Primitive
from ._util import broadcast_shapes, c_type_name, check_tensor, check_tensor_args, promote_operands, wrap_dim
from .elementwise import Mul, _inplace

__all__ = ["matmul", "mm", "bmm", "mv", "dot", "vdot", "inner", "outer", "ger", "addmm", "addmv", "addr",
           "addbmm", "baddbmm", "einsum", "tensordot", "kron", "cross", "trace", "chain_matmul"]


def _mT(x):
    """The matrix transpose of the last two dimensions (a view)."""
    return x.transpose(-2, -1)


def _shape_text(shape):
    return "x".join(str(s) for s in shape)


def _into(out, result):
    """Honour ``out=``: write ``result`` into ``out`` (resized when its shape differs) and return it."""
    if out is None:
        return result
    check_tensor(out, "out", "linalg")
    if out.dtype is not result.dtype and not _dtype.can_cast(result.dtype, out.dtype):
        raise RuntimeError(f"result type {_type_word(result.dtype)} can't be cast to the desired output type "
                           f"{_type_word(out.dtype)}")
    if out.shape != result.shape:
        if out.numel() != 0:
            warnings.warn(f"An output with one or more elements was resized since it had shape {list(out.shape)}, "
                          f"which does not match the required output shape {list(result.shape)}.", UserWarning,
                          stacklevel=3)
        out._data = np.empty(result.shape, dtype=out._data.dtype)
    return out.copy_(result)


def _promote(*tensors):
    """The tensors cast to their PyTorch result dtype (shapes need not broadcast), and that dtype."""
    result = _dtype.result_type(*tensors)
    return [t._cast(result) for t in tensors], result


def _check_not_bool(t, kernel):
    if t.dtype is _dtype.bool:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


# ----------------------------------------------------------------------------- the primitives

def _widened(arrays):
    """bfloat16 arrays as float32 (NumPy has no bfloat16 products); others unchanged."""
    return [a.astype(np.float32) if a.dtype.name == "bfloat16" else a for a in arrays]


def _product(fn, *arrays, **kwargs):
    """``fn(*arrays)`` computed in float32 for bfloat16 operands, returned in the operands' dtype."""
    result = array_module(arrays[0]).asarray(fn(*_widened(arrays), **kwargs))
    return result.astype(arrays[0].dtype, copy=False)


class Matmul(Primitive):
    """``a @ b`` for operands with at least two dimensions; batch dimensions broadcast."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _product(array_module(a).matmul, a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a = Matmul.apply(grad, _mT(b)) if ctx.needs_input_grad[0] else None
        grad_b = Matmul.apply(_mT(a), grad) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


class Dot(Mul):
    """The inner product of two vectors of equal length; its gradient is ``Mul``'s (each factor times ``grad``)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _product(array_module(a).dot, a, b)


class AddScaled(Primitive):
    """``beta * input + alpha * product``, where a zero coefficient drops its term (NaNs included)."""

    @staticmethod
    def forward(ctx, input, product, *, beta, alpha):
        ctx.beta, ctx.alpha = beta, alpha
        if product.dtype.kind in "iub":
            beta, alpha = int(beta), int(alpha)
        terms = [alpha * product if alpha != 1 else product] if alpha != 0 else []
        if beta != 0:
            terms.append(beta * input if beta != 1 else input)
        if not terms:
            return array_module(product).zeros(product.shape, dtype=product.dtype)
        result = terms[0] + terms[1] if len(terms) == 2 else terms[0]
        if result is product or result is input:
            result = result.copy()          # never hand out an input's memory as a new tensor
        return result.astype(product.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        return (grad * ctx.beta if ctx.needs_input_grad[0] else None,
                grad * ctx.alpha if ctx.needs_input_grad[1] else None)


class Cross(Primitive):
    """The cross product of 3-vectors along ``dim`` (operands broadcast)."""

    @staticmethod
    def forward(ctx, a, b, *, dim):
        ctx.dim = dim
        ctx.save_for_backward(a, b)
        return array_module(a).cross(a, b, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        # <g, da x b> = <da, b x g> and <g, a x db> = <db, g x a>
        return (Cross.apply(b, grad, dim=ctx.dim) if ctx.needs_input_grad[0] else None,
                Cross.apply(grad, a, dim=ctx.dim) if ctx.needs_input_grad[1] else None)


class Trace(Primitive):
    """The sum of a matrix's main diagonal."""

    @staticmethod
    def forward(ctx, x, *, dtype):
        ctx.shape = x.shape
        return array_module(x).trace(x, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        rows, cols = ctx.shape
        eye = Tensor._make(np.eye(rows, cols, dtype=grad._data.dtype))
        return grad * eye


# ----------------------------------------------------------------------------- matmul and its special cases

def _check_same_dtype_mm(a, b):
    if a.dtype is not b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {c_type_name(a.dtype)} != "
                           f"{c_type_name(b.dtype)}")


def _check_matmul_shapes(a, b):
    """PyTorch's errors for ``a @ b``, phrased for the kernel matmul would dispatch to."""
    sa, sb = tuple(a.shape), tuple(b.shape)
    if not sa or not sb:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {len(sa)}D and "
                           f"{len(sb)}D")
    if len(sa) == 1 and len(sb) == 1:
        if sa[0] != sb[0]:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{sa[0]}] and src [{sb[0]}] to have "
                               f"the same number of elements, but got {sa[0]} and {sb[0]} elements respectively")
        return
    batch = broadcast_shapes(sa[:-2], sb[:-2])
    inner_a, inner_b = sa[-1], sb[-2] if len(sb) >= 2 else sb[0]
    if inner_a == inner_b:
        return
    rows = math.prod(sa[:-1])
    if len(sb) == 1:
        raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{inner_a}), vec ({inner_b})")
    if len(sb) == 2:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{inner_a} and "
                           f"{_shape_text(sb)})")
    count = math.prod(batch)
    raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{count}, {inner_a}] "
                       f"but got: [{count}, {inner_b}].")


def _matmul_kernel(a, b):
    """The kernel PyTorch's matmul folds ``a @ b`` into (its name appears in dtype errors)."""
    if a.ndim == 1 and b.ndim == 1:
        return "dot"
    if b.ndim == 1:
        return "mv"
    if b.ndim == 2:
        return "mm"
    return "bmm"


def _check_matmul_dtypes(a, b):
    kernel = _matmul_kernel(a, b)
    if a.dtype is b.dtype:
        _check_not_bool(a, {"dot": "dot", "mv": "addmv_impl_cpu", "mm": "addmm_impl_cpu_", "bmm": "bmm"}[kernel])
    elif kernel == "dot":
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found {_type_word(a.dtype)} and "
                           f"{_type_word(b.dtype)}")
    elif kernel == "mv":
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {_type_word(b.dtype)}, "
                           f"{_type_word(a.dtype)}, and {_type_word(b.dtype)}")
    elif kernel == "mm":
        _check_same_dtype_mm(a, b)
    else:
        raise RuntimeError(f"expected scalar type {_type_word(a.dtype)} but found {_type_word(b.dtype)}")


def matmul(input, other, *, out=None):
    """The matrix product of two tensors, with NumPy's rules for vectors and broadcast batch dimensions.

    1-D·1-D is a dot product; a 1-D operand is treated as a row (left) or column (right)
    vector and that dimension is removed from the result.

    >>> ember.matmul(ember.ones(2, 3), ember.ones(3))
    tensor([3., 3.])
    """
    check_tensor_args("matmul", input=input, other=other)
    _check_matmul_shapes(input, other)
    _check_matmul_dtypes(input, other)
    if input.ndim == 1 and other.ndim == 1:
        return _into(out, Dot.apply(input, other))
    a = input.unsqueeze(0) if input.ndim == 1 else input
    b = other.unsqueeze(-1) if other.ndim == 1 else other
    result = Matmul.apply(a, b)
    if input.ndim == 1:
        result = result.squeeze(-2)
    if other.ndim == 1:
        result = result.squeeze(-1)
    return _into(out, result)


def _matmul_operator(self, other):
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(self, other)


def _rmatmul_operator(self, other):
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(other, self)


def mm(input, mat2, *, out=None):
    """The product of two matrices (no broadcasting; see ``matmul`` for that).

    >>> ember.mm(ember.ones(2, 3), ember.ones(3, 1))
    tensor([[3.],
            [3.]])
    """
    check_tensor_args("mm", input=input, mat2=mat2)
    if input.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    _check_mm_sizes(input, mat2)
    _check_same_dtype_mm(input, mat2)
    _check_not_bool(input, "addmm_impl_cpu_")
    return _into(out, Matmul.apply(input, mat2))


def _check_mm_sizes(a, b):
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_shape_text(a.shape)} and "
                           f"{_shape_text(b.shape)})")


def _check_bmm(batch1, batch2):
    if batch1.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if batch2.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    count, _, inner = batch1.shape
    if tuple(batch2.shape[:2]) != (count, inner):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{count}, {inner}] "
                           f"but got: [{batch2.shape[0]}, {batch2.shape[1]}].")


def bmm(input, mat2, *, out=None):
    """Matrix products of two batches of matrices, ``(b, n, m) @ (b, m, p) -> (b, n, p)``.

    >>> ember.bmm(ember.ones(4, 2, 3), ember.ones(4, 3, 5)).shape
    ember.Size([4, 2, 5])
    """
    check_tensor_args("bmm", input=input, mat2=mat2)
    _check_bmm(input, mat2)
    if input.dtype is not mat2.dtype:
        raise RuntimeError(f"expected scalar type {_type_word(input.dtype)} but found {_type_word(mat2.dtype)}")
    _check_not_bool(input, "bmm")
    return _into(out, Matmul.apply(input, mat2))


def _check_mv(input, mat, vec):
    """PyTorch's checks for ``input + mat @ vec`` (``input`` is None for plain ``mv``)."""
    input_dim = 1 if input is None else input.ndim
    if mat.ndim != 2 or vec.ndim != 1 or input_dim > 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input_dim}, {mat.ndim}, {vec.ndim}")
    rows, cols = mat.shape
    input_size = rows if input is None or input.ndim == 0 else input.shape[0]
    if cols != vec.shape[0] or input_size not in (rows, 1):
        raise RuntimeError(f"size mismatch, got input ({input_size}), mat ({rows}x{cols}), vec ({vec.shape[0]})")
    operands = (mat, vec) if input is None else (input, mat, vec)
    if any(t.dtype is not mat.dtype for t in operands):
        names = ", ".join(_type_word(t.dtype) for t in (input if input is not None else vec, mat))
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {names}, and "
                           f"{_type_word(vec.dtype)}")


def mv(input, vec, *, out=None):
    """The product of a matrix and a vector.

    >>> ember.mv(ember.ones(2, 3), ember.tensor([1., 2., 3.]))
    tensor([6., 6.])
    """
    check_tensor_args("mv", input=input, vec=vec)
    _check_mv(None, input, vec)
    _check_not_bool(input, "addmv_impl_cpu")
    return _into(out, Matmul.apply(input, vec.unsqueeze(-1)).squeeze(-1))


def _check_dot(input, other):
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors")
    if input.dtype is not other.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found {_type_word(input.dtype)} "
                           f"and {_type_word(other.dtype)}")
    if input.shape[0] != other.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{input.shape[0]}] and src "
                           f"[{other.shape[0]}] to have the same number of elements, but got {input.shape[0]} "
                           f"and {other.shape[0]} elements respectively")
    _check_not_bool(input, "dot")


def _dot(fn, input, other, other_name, out):
    """``dot``/``vdot``: the checked inner product of two 1-D tensors."""
    check_tensor(input, "input", fn)
    check_tensor(other, other_name, fn)
    _check_dot(input, other)
    return _into(out, Dot.apply(input, other))


def dot(input, tensor, *, out=None):
    """The inner product of two 1-D tensors of the same length and dtype.

    >>> ember.dot(ember.tensor([1., 2.]), ember.tensor([3., 4.]))
    tensor(11.)
    """
    return _dot("dot", input, tensor, "tensor", out)


def vdot(input, other, *, out=None):
    """The inner product of two 1-D tensors, conjugating the first (for real tensors, ``dot``).

    >>> ember.vdot(ember.tensor([1., 2.]), ember.tensor([3., 4.]))
    tensor(11.)
    """
    check_tensor_args("vdot", input=input, other=other)
    return _dot("vdot", input.conj(), other, "other", out)


def inner(input, other, *, out=None):
    """Sum of products over the last dimension of both tensors (a scalar operand multiplies).

    >>> ember.inner(ember.ones(2, 3), ember.ones(4, 3)).shape
    ember.Size([2, 4])
    """
    check_tensor_args("inner", input=input, other=other)
    if input.ndim == 0 or other.ndim == 0:
        (a, b), _ = promote_operands(input, other)
        return _into(out, a * b)
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(input.shape)} and {list(other.shape)}")
    return _into(out, tensordot(input, other, dims=([-1], [-1])))


def outer(input, vec2, *, out=None):
    """The outer product of two vectors, ``result[i, j] = input[i] * vec2[j]``.

    >>> ember.outer(ember.tensor([1., 2.]), ember.tensor([1., 10.]))
    tensor([[ 1., 10.],
            [ 2., 20.]])
    """
    check_tensor_args("outer", input=input, vec2=vec2)
    for name, t in (("self", input), ("vec2", vec2)):
        if t.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t.ndim}-D")
    (a, b), _ = _promote(input, vec2)
    return _into(out, a.unsqueeze(-1) * b)


ger = outer


# ----------------------------------------------------------------------------- input + product

def _add_scaled(input, product, beta, alpha):
    """``beta * input + alpha * product`` with ``input`` expanded to the product's shape."""
    if input.shape != product.shape:
        input = input.expand(product.shape)
    return AddScaled.apply(input, product, beta=beta, alpha=alpha)


def _check_same_dtype_self(input, mat):
    if input.dtype is not mat.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {_type_word(input.dtype)} and "
                           f"{_type_word(mat.dtype)}")


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (mat1 @ mat2)``; ``input`` broadcasts to the product's shape.

    With ``beta=0`` the values of ``input`` are ignored (NaNs in it do not propagate).

    >>> ember.addmm(ember.zeros(2), ember.ones(2, 3), ember.ones(3, 2), alpha=2)
    tensor([[6., 6.],
            [6., 6.]])
    """
    check_tensor_args("addmm", input=input, mat1=mat1, mat2=mat2)
    for name, t in (("mat1", mat1), ("mat2", mat2)):
        if t.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {t.ndim}-D tensor")
    _check_mm_sizes(mat1, mat2)
    _check_same_dtype_self(mat1, mat2)
    _check_same_dtype_self(input, mat2)
    _check_not_bool(input, "addmm_impl_cpu_")
    return _into(out, _add_scaled(input, Matmul.apply(mat1, mat2), beta, alpha))


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (mat @ vec)``.

    >>> ember.addmv(ember.ones(2), ember.ones(2, 3), ember.ones(3))
    tensor([4., 4.])
    """
    check_tensor_args("addmv", input=input, mat=mat, vec=vec)
    _check_mv(input, mat, vec)
    _check_not_bool(input, "addmv_impl_cpu")
    return _into(out, _add_scaled(input, Matmul.apply(mat, vec.unsqueeze(-1)).squeeze(-1), beta, alpha))


def _check_integral_scalars(dtype, beta, alpha):
    if dtype.is_floating_point or dtype is _dtype.bool:
        return
    for name, value in (("beta", beta), ("alpha", alpha)):
        if isinstance(value, float):
            raise RuntimeError(f"For integral input tensors, argument {name} must not be a floating point number.")


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * outer(vec1, vec2)``, with type promotion.

    >>> ember.addr(ember.zeros(2, 2), ember.tensor([1., 2.]), ember.tensor([1., 1.]))
    tensor([[1., 1.],
            [2., 2.]])
    """
    check_tensor_args("addr", input=input, vec1=vec1, vec2=vec2)
    for name, t in (("vec1", vec1), ("vec2", vec2)):
        if t.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {t.ndim}-D")
    (input, vec1, vec2), result_type = _promote(input, vec1, vec2)
    _check_integral_scalars(result_type, beta, alpha)
    if result_type is _dtype.bool:
        product = vec1.unsqueeze(-1) * vec2
        return _into(out, _bool_combine(input.expand(product.shape), product, beta, alpha))
    return _into(out, _add_scaled(input, vec1.unsqueeze(-1) * vec2, beta, alpha))


def _bool_combine(input, product, beta, alpha):
    """``beta and input or alpha and product`` for bool tensors (no gradients)."""
    data = np.zeros(product.shape, dtype=np.bool_)
    if beta:
        data = data | input._data
    if alpha:
        data = data | product._data
    return Tensor._make(data)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (batch1 @ batch2)`` for batches of matrices.

    >>> ember.baddbmm(ember.zeros(3), ember.ones(4, 2, 5), ember.ones(4, 5, 3)).shape
    ember.Size([4, 2, 3])
    """
    check_tensor_args("baddbmm", input=input, batch1=batch1, batch2=batch2)
    _check_bmm(batch1, batch2)
    if not input.dtype is batch1.dtype is batch2.dtype:
        raise RuntimeError(f"Input dtypes must be the same, got: input {c_type_name(input.dtype)}, batch1: "
                           f"{c_type_name(batch1.dtype)}, batch2: {c_type_name(batch2.dtype)}")
    _check_not_bool(input, "baddbmm_cpu")
    return _into(out, _add_scaled(input, Matmul.apply(batch1, batch2), beta, alpha))


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * sum_b(batch1[b] @ batch2[b])``: batched products summed into one matrix.

    >>> ember.addbmm(ember.zeros(2, 3), ember.ones(4, 2, 5), ember.ones(4, 5, 3))
    tensor([[20., 20., 20.],
            [20., 20., 20.]])
    """
    check_tensor_args("addbmm", input=input, batch1=batch1, batch2=batch2)
    if batch1.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if batch2.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if batch1.shape[0] != batch2.shape[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got {batch1.shape[0]} and "
                           f"{batch2.shape[0]}")
    count, rows, inner = batch1.shape
    if batch2.shape[1] != inner:
        raise RuntimeError(f"Incompatible matrix sizes for bmm ({rows}x{inner} and "
                           f"{batch2.shape[1]}x{batch2.shape[2]})")
    _check_same_dtype_self(batch1, batch2)
    _check_same_dtype_self(input, batch2)
    _check_not_bool(input, "addmm_impl_cpu_")
    # sum_b A[b] @ B[b] is one product: (rows, b*inner) @ (b*inner, cols)
    left = batch1.permute(1, 0, 2).reshape(rows, count * inner)
    right = batch2.reshape(count * inner, batch2.shape[2])
    return _into(out, _add_scaled(input, Matmul.apply(left, right), beta, alpha))


# ----------------------------------------------------------------------------- einsum

_LABELS = string.ascii_uppercase + string.ascii_lowercase   # PyTorch's label order (sublist 0 is 'A')


class Einsum(Primitive):
    """A contraction written with explicit letters only (``'ij,jk->ik'``); all sizes already agree."""

    @staticmethod
    def forward(ctx, *operands, equation):
        ctx.equation = equation
        ctx.save_for_backward(*operands)
        xp = array_module(operands[0])
        result = xp.asarray(xp.einsum(equation, *_widened(operands), optimize=len(operands) > 1))
        result = result.astype(operands[0].dtype, copy=False)
        if any(np.may_share_memory(result, op) for op in operands):
            result = result.copy()          # NumPy returns views for pure permutations and diagonals
        return result

    @staticmethod
    def backward(ctx, grad):
        operands = ctx.saved_tensors
        lhs, output = ctx.equation.split("->")
        terms = lhs.split(",")
        return tuple(_einsum_operand_grad(i, terms, output, operands, grad) if need else None
                     for i, need in enumerate(ctx.needs_input_grad))


def _einsum_operand_grad(index, terms, output, operands, grad):
    """The gradient of operand ``index``: one einsum of the output gradient with the other operands.

    Letters of the operand that appear nowhere else are broadcast by multiplying with ones;
    a letter repeated in the operand (a diagonal) is spread back with an identity matrix.
    """
    term = terms[index]
    used_elsewhere = set(output).union(*(set(t) for i, t in enumerate(terms) if i != index))
    fresh = iter(c for c in _LABELS if c not in set("".join(terms) + output))
    dtype = grad._data.dtype
    extra_terms, extra_tensors, target = [], [], []
    seen = set()
    for label, size in zip(term, operands[index].shape):
        if label in seen:
            new_label = next(fresh)
            target.append(new_label)
            extra_terms.append(label + new_label)
            extra_tensors.append(Tensor._make(np.eye(size, dtype=dtype)))
            continue
        seen.add(label)
        target.append(label)
        if label not in used_elsewhere:
            extra_terms.append(label)
            extra_tensors.append(Tensor._make(np.ones(size, dtype=dtype)))
    others = [i for i in range(len(terms)) if i != index]
    inputs = [output] + [terms[i] for i in others] + extra_terms
    equation = ",".join(inputs) + "->" + "".join(target)
    return Einsum.apply(grad, *[operands[i] for i in others], *extra_tensors, equation=equation)


def _einsum_arguments(args):
    """Split einsum's arguments into (equation, operands), accepting the sublist form too."""
    if not args:
        raise ValueError("einsum(): must specify the equation string and at least one operand, or at least one "
                         "operand and its subscripts list")
    if isinstance(args[0], str):
        operands = args[1:]
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = tuple(operands[0])
        for i, op in enumerate(operands):
            if not isinstance(op, Tensor):
                raise TypeError(f"expected Tensor as element {i} in argument 1, but got {type(op).__name__}")
        return args[0], tuple(operands)
    if not isinstance(args[0], Tensor):
        raise TypeError(f"einsum(): argument 'equation' (position 1) must be str, not {type(args[0]).__name__}")
    operands = args[0::2]
    sublists = list(args[1::2])
    output = None
    if len(args) % 2 == 1:
        operands, output = operands[:-1], operands[-1]
    terms = [_sublist_term(s) for s in sublists]
    equation = ",".join(terms) + ("" if output is None else "->" + _sublist_term(output))
    return equation, tuple(operands)


def _sublist_term(sublist):
    parts = []
    for item in sublist:
        if item is Ellipsis:
            parts.append("...")
        elif isinstance(item, (int, np.integer)) and 0 <= item < len(_LABELS):
            parts.append(_LABELS[item])
        else:
            raise ValueError("einsum(): subscript in subscript list is not within the valid range [0, 52)")
    return "".join(parts)


def _parse_term(term, offset, operand_index):
    """A term's labels and where its ellipsis is (or None); validates characters with PyTorch's messages."""
    labels, ellipsis_at, dots = [], None, 0
    for i, ch in enumerate(term):
        if ch == ".":
            dots += 1
            if ellipsis_at is not None and dots == 1:
                raise RuntimeError(f"einsum(): found '.' for operand {operand_index} for which an ellipsis was "
                                   "already found")
            if dots == 3:
                ellipsis_at, dots = len(labels), 0
            continue
        if dots:
            raise RuntimeError(f"einsum(): found '.' for operand {operand_index} that is not part of any ellipsis")
        if ch == " ":
            continue
        if ch not in _LABELS:
            raise RuntimeError(f"einsum(): invalid subscript given at index {offset + i} in the equation string, "
                               "subscripts must be in [a-zA-Z]")
        labels.append(ch)
    if dots:
        raise RuntimeError(f"einsum(): found '.' for operand {operand_index} that is not part of any ellipsis")
    return labels, ellipsis_at


def _einsum_plan(equation, operands):
    """Rewrite ``equation`` with explicit letters (ellipses become fresh letters) and find each letter's size.

    Returns (terms, output, sizes): one label string per operand, the output's labels,
    and {label: size} after broadcasting size-1 dimensions.
    """
    lhs, arrow, rhs = equation.partition("->")
    raw_terms = lhs.split(",")
    if len(raw_terms) > len(operands):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(raw_terms) < len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    parsed, offset = [], 0
    for i, term in enumerate(raw_terms):
        parsed.append(_parse_term(term, offset, i))
        offset += len(term) + 1
    ellipsis_ndim = 0
    for i, ((labels, at), op) in enumerate(zip(parsed, operands)):
        if at is None and len(labels) != op.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(labels)}) does not match "
                               f"the number of dimensions ({op.ndim}) for operand {i} and no ellipsis was given")
        if at is not None and len(labels) > op.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(labels)}) is more than "
                               f"the number of dimensions ({op.ndim}) for operand {i}")
        if at is not None:
            ellipsis_ndim = max(ellipsis_ndim, op.ndim - len(labels))
    used = set(equation)
    spare = [c for c in _LABELS if c not in used]
    if ellipsis_ndim > len(spare):
        raise RuntimeError("einsum(): too many dimensions for the available subscript letters")
    ellipsis_labels = spare[:ellipsis_ndim]
    terms = []
    for (labels, at), op in zip(parsed, operands):
        if at is None:
            terms.append("".join(labels))
        else:
            n = op.ndim - len(labels)
            middle = ellipsis_labels[ellipsis_ndim - n:]
            terms.append("".join(labels[:at] + middle + labels[at:]))
    output = _einsum_output(arrow, rhs, parsed, terms, ellipsis_labels, offset)
    sizes = _label_sizes(terms, operands, set(ellipsis_labels))
    return terms, output, sizes


def _einsum_output(arrow, rhs, parsed, terms, ellipsis_labels, offset):
    """The output labels: given after ``->``, else the ellipsis then the letters used once, sorted."""
    if not arrow:
        counts = {}
        for labels, _ in parsed:
            for label in labels:
                counts[label] = counts.get(label, 0) + 1
        once = sorted((label for label, n in counts.items() if n == 1), key=_LABELS.index)
        return "".join(ellipsis_labels) + "".join(once)
    labels, at = _parse_term(rhs, offset + 1, 0)   # offset already counts one character of '->'
    present = set("".join(terms))
    seen = set()
    for label in labels:
        if label not in present:
            raise RuntimeError(f"einsum(): output subscript {label} does not appear in the equation for any input "
                               "operand")
        if label in seen:
            raise RuntimeError(f"einsum(): output subscript {label} appears more than once in the output")
        seen.add(label)
    if at is not None:
        labels = labels[:at] + list(ellipsis_labels) + labels[at:]
    return "".join(labels)


def _label_sizes(terms, operands, ellipsis_labels):
    """Each label's size; size-1 dimensions broadcast, any other disagreement is PyTorch's error."""
    sizes = {}
    for i, (term, op) in enumerate(zip(terms, operands)):
        own = {}
        for label, size in zip(term, op.shape):
            if label in own and own[label] != size:
                raise RuntimeError(f"einsum(): subscript {label} is repeated for operand {i} but the sizes don't "
                                   f"match, {size} != {own[label]}")
            own[label] = size
        for label, size in own.items():
            known = sizes.get(label)
            if known is None or known == 1:
                sizes[label] = size
            elif size != 1 and size != known:
                what = "dimension covered by ellipsis" if label in ellipsis_labels else f"subscript {label}"
                raise RuntimeError(f"einsum(): {what} has size {size} for operand {i} which does not broadcast "
                                   f"with previously seen size {known}")
    return sizes


def einsum(*args):
    """Sums of products over the letters of an Einstein-summation equation, such as ``'bij,bjk->bik'``.

    Accepts ``einsum(equation, *operands)``, a list of operands, or the sublist form
    ``einsum(a, [0, 1], b, [1, 2], [0, 2])``; ``...`` stands for broadcast dimensions.

    >>> ember.einsum("ij,j->i", ember.ones(2, 3), ember.tensor([1., 2., 3.]))
    tensor([6., 6.])
    """
    equation, operands = _einsum_arguments(args)
    if not operands:
        raise ValueError("einsum(): must specify the equation string and at least one operand, or at least one "
                         "operand and its subscripts list")
    terms, output, sizes = _einsum_plan(equation, operands)
    first = operands[0]
    for op in operands[1:]:
        if op.dtype is not first.dtype:
            raise RuntimeError(f"expected scalar type {_type_word(first.dtype)} but found {_type_word(op.dtype)}")
    expanded = []
    for term, op in zip(terms, operands):
        shape = tuple(sizes[label] for label in term)
        expanded.append(op.expand(shape) if shape != tuple(op.shape) else op)
    if first.dtype is _dtype.bool:
        return _bool_einsum(terms, output, expanded)
    return Einsum.apply(*expanded, equation=",".join(terms) + "->" + output)


def _bool_einsum(terms, output, operands):
    """Bool einsum: products are logical and; summing (int64 in PyTorch) works for one operand only."""
    summed = set("".join(terms)) - set(output)
    equation = ",".join(terms) + "->" + output
    arrays = [op._data for op in operands]
    if not summed:
        return Tensor._make(np.array(np.einsum(equation, *arrays)))
    if len(operands) > 1:
        raise NotImplementedError("\"bmm\" not implemented for 'Bool'")
    return Tensor._make(np.array(np.einsum(equation, arrays[0].astype(np.int64))))


# ----------------------------------------------------------------------------- tensordot, kron, cross, trace

def _tensordot_dims(dims, a, b):
    """Read ``dims`` (an int, a pair of lists, or a tensor) into two lists of dimensions."""
    if isinstance(dims, Tensor):
        dims = dims.item() if dims.ndim == 0 else dims.tolist()
    if isinstance(dims, (int, np.integer)) and not isinstance(dims, bool):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > a.ndim or dims > b.ndim:
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        return list(range(-dims, 0)), list(range(dims))
    if not isinstance(dims, (list, tuple)):
        raise RuntimeError("tensordot expects dims to be int or tuple[list[int], list[int]] or list[list[int]] "
                           f"containing two lists, but got dims={dims}")
    if len(dims) != 2:
        raise ValueError(f"too many values to unpack (expected 2), got {len(dims)}")
    dims_a, dims_b = dims
    for name, d in (("dims_self", dims_a), ("dims_other", dims_b)):
        if not isinstance(d, (list, tuple)):
            raise TypeError(f"tensordot(): argument '{name}' (position 3) must be tuple of ints, not "
                            f"{type(d).__name__}")
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    return list(dims_a), list(dims_b)


def tensordot(a, b, dims=2, out=None):
    """Contract dimensions ``dims[0]`` of ``a`` with ``dims[1]`` of ``b`` (or the last/first ``dims``).

    >>> ember.tensordot(ember.ones(2, 3, 4), ember.ones(3, 4, 5)).shape
    ember.Size([2, 5])
    """
    check_tensor_args("tensordot", a=a, b=b)
    dims_a, dims_b = _tensordot_dims(dims, a, b)
    if a.dtype is not b.dtype:
        raise RuntimeError("both inputs should have same dtype")
    wrapped_a = [wrap_dim(d, a.ndim) for d in dims_a]
    wrapped_b = [wrap_dim(d, b.ndim) for d in dims_b]
    for da, db, ia, ib in zip(dims_a, dims_b, wrapped_a, wrapped_b):
        if a.shape[ia] != b.shape[ib]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a.shape[ia]} in dim "
                               f"{da} and second has size {b.shape[ib]} in dim {db}")
    for wrapped in (wrapped_a, wrapped_b):
        repeated = [d for d in wrapped if wrapped.count(d) > 1]
        if repeated:
            raise RuntimeError(f"dim {repeated[0]} appears multiple times in the list of dims")
    labels_a = list(_LABELS[:a.ndim])
    labels_b = list(_LABELS[a.ndim:a.ndim + b.ndim])
    for ia, ib in zip(wrapped_a, wrapped_b):
        labels_b[ib] = labels_a[ia]
    output = [labels_a[i] for i in range(a.ndim) if i not in wrapped_a] + \
             [labels_b[i] for i in range(b.ndim) if i not in wrapped_b]
    equation = "".join(labels_a) + "," + "".join(labels_b) + "->" + "".join(output)
    if a.dtype is _dtype.bool:
        _check_not_bool(a, "dot")
    return _into(out, Einsum.apply(a, b, equation=equation))


def kron(input, other, *, out=None):
    """The Kronecker product: every element of ``input`` times a whole block ``other``.

    >>> ember.kron(ember.tensor([1, 2]), ember.tensor([1, 10]))
    tensor([ 1, 10,  2, 20])
    """
    check_tensor_args("kron", input=input, other=other)
    ndim = max(input.ndim, other.ndim)
    shape_a = (1,) * (ndim - input.ndim) + tuple(input.shape)
    shape_b = (1,) * (ndim - other.ndim) + tuple(other.shape)
    # interleave: a as (a0, 1, a1, 1, ...), b as (1, b0, 1, b1, ...); their product is the block layout
    spread_a = [s for size in shape_a for s in (size, 1)]
    spread_b = [s for size in shape_b for s in (1, size)]
    (a, b), _ = promote_operands(input.reshape(spread_a), other.reshape(spread_b))
    result_shape = [x * y for x, y in zip(shape_a, shape_b)]
    return _into(out, (a * b).reshape(result_shape))


def _cross(input, other, dim, name):
    check_tensor_args(name, input=input, other=other)
    if input.ndim != other.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    shape = broadcast_shapes(input.shape, other.shape)
    if dim is None:
        dim = next((i for i, s in enumerate(shape) if s == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    given = dim
    dim = wrap_dim(dim, len(shape))
    if input.shape[dim] != 3 or other.shape[dim] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {given} must have length 3. Got "
                           f"{input.shape[dim]} and {other.shape[dim]}")
    if input.dtype is not other.dtype:
        raise RuntimeError(f"expected scalar type {_type_word(input.dtype)} but found {_type_word(other.dtype)}")
    _check_not_bool(input, "cross")
    return Cross.apply(input, other, dim=dim)


def cross(input, other, dim=None, *, out=None):
    """The cross product of 3-vectors along ``dim`` (by default the first dimension of size 3).

    >>> ember.cross(ember.tensor([1., 0., 0.]), ember.tensor([0., 1., 0.]), dim=0)
    tensor([0., 0., 1.])
    """
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated. Please either pass the dim "
                      "explicitly or simply use torch.linalg.cross.", UserWarning, stacklevel=2)
    return _into(out, _cross(input, other, dim, "cross"))


def trace(input):
    """The sum of the main diagonal of a matrix (integers sum in int64).

    >>> ember.trace(ember.tensor([[1., 2.], [3., 4.]]))
    tensor(5.)
    """
    check_tensor(input, "input", "trace")
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    _check_not_bool(input, "trace")
    dtype = input._data.dtype if input.dtype.is_floating_point or input.dtype.is_complex else np.int64
    return Trace.apply(input, dtype=dtype)


# ----------------------------------------------------------------------------- chains of products

def _chain_order(shapes):
    """The cheapest parenthesisation of a chain of matrices (classic dynamic programming).

    ``split[i][j]`` is where the product of matrices ``i..j`` splits into two halves.
    """
    n = len(shapes)
    dims = [shapes[0][0]] + [s[1] for s in shapes]
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


def _chain_product(matrices, split, i, j):
    if i == j:
        return matrices[i]
    k = split[i][j]
    return Matmul.apply(_chain_product(matrices, split, i, k), _chain_product(matrices, split, k + 1, j))


def _multiply_chain(matrices):
    """The product of 2-D tensors, multiplied in the order that needs the fewest operations."""
    split = _chain_order([tuple(m.shape) for m in matrices])
    return _chain_product(matrices, split, 0, len(matrices) - 1)


def _check_chain(matrices, name):
    """PyTorch's checks for a chain of products: dtypes agree and neighbours can be multiplied."""
    first = matrices[0]
    for i, m in enumerate(matrices[1:], 1):
        if m.dtype is not first.dtype:
            raise RuntimeError(f"{name}(): all tensors must have be the same dtype but tensor 0 is "
                               f"{c_type_name(first.dtype)} and tensor {i} {c_type_name(m.dtype)}")
    for i in range(len(matrices) - 1):
        left, right = matrices[i], matrices[i + 1]
        if left.shape[-1] != right.shape[0]:
            raise RuntimeError(f"{name}(): tensors {i} and {i + 1} with shapes {list(left.shape)} and "
                               f"{list(right.shape)} cannot be multiplied")
    _check_not_bool(first, "addmm_impl_cpu_")


def multi_dot(tensors, *, out=None):
    """The product of a chain of matrices in the cheapest order; the first and last may be vectors.

    >>> ember.linalg.multi_dot([ember.ones(3), ember.ones(3, 4), ember.ones(4)])
    tensor(12.)
    """
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    for i, t in enumerate(tensors):
        check_tensor(t, f"tensors[{i}]", "multi_dot")
    first, last = tensors[0], tensors[-1]
    if first.ndim not in (1, 2):
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got {first.ndim}D")
    if last.ndim not in (1, 2):
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got {last.ndim}D")
    for i, t in enumerate(tensors[1:-1], 1):
        if t.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
    _check_chain(tensors, "multi_dot")
    matrices = list(tensors)
    if first.ndim == 1:
        matrices[0] = first.unsqueeze(0)
    if last.ndim == 1:
        matrices[-1] = last.unsqueeze(-1)
    result = _multiply_chain(matrices)
    if first.ndim == 1:
        result = result.squeeze(0)
    if last.ndim == 1:
        result = result.squeeze(-1)
    return _into(out, result)


def chain_matmul(*matrices, out=None):
    """The product of two or more matrices, in the cheapest order (deprecated: use ``linalg.multi_dot``).

    >>> ember.chain_matmul(ember.ones(2, 3), ember.ones(3, 4)).shape
    ember.Size([2, 4])
    """
    warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
                  "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than "
                  "multiple parameters.", UserWarning, stacklevel=2)
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for i, m in enumerate(matrices):
        check_tensor(m, f"matrices[{i}]", "chain_matmul")
        if m.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {m.ndim}, expected 2 instead.")
    if len(matrices) == 1:
        return _into(out, matrices[0].clone())
    _check_chain(matrices, "chain_matmul")
    return _into(out, _multiply_chain(list(matrices)))


TENSOR_METHODS = {
    "matmul": matmul, "mm": mm, "bmm": bmm, "mv": mv, "dot": dot, "vdot": vdot, "inner": inner, "outer": outer,
    "ger": ger, "addmm": addmm, "addmv": addmv, "addr": addr, "addbmm": addbmm, "baddbmm": baddbmm,
    "kron": kron, "cross": cross, "trace": trace,
    "__matmul__": _matmul_operator, "__rmatmul__": _rmatmul_operator,
}
for _name in ("addmm", "addmv", "addr", "addbmm", "baddbmm"):
    TENSOR_METHODS[_name + "_"] = _inplace(TENSOR_METHODS[_name])
