"""Affine maps of the last dimension: the fused ``linear`` (behind ``F.linear``) and ``torch.bilinear``.

``Linear`` is one Primitive: the forward is one matrix product over the flattened leading
dimensions plus the bias, the backward two products and a sum, so an MLP layer costs three
BLAS calls and no chain of small ops.
"""

import math

from .._device import array_module
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.function import Primitive
from ._util import broadcast_shapes, c_type_name, check_tensor

__all__ = ["bilinear"]


def _as_matrix(x):
    """``x`` with its leading dimensions flattened: (rows, features)."""
    return x.reshape(math.prod(x.shape[:-1]), x.shape[-1])


class Linear(Primitive):
    """``x @ weight.T + bias`` for a 2-D weight and x of any leading shape."""

    grad_fn_name = "AddmmBackward0"

    @staticmethod
    def forward(ctx, x, weight, bias):
        xp = array_module(x)
        out = xp.matmul(_as_matrix(x), weight.T)
        if bias is not None:
            out += bias
        ctx.save_for_backward(x, weight)
        return out.reshape(x.shape[:-1] + (weight.shape[0],))

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        needs = ctx.needs_input_grad
        if not grad_mode.is_grad_enabled():        # no graph to build: three BLAS calls on the arrays
            rows = _as_matrix(grad._data)
            return (Tensor._make((rows @ weight._data).reshape(x.shape)) if needs[0] else None,
                    Tensor._make(rows.T @ _as_matrix(x._data)) if needs[1] else None,
                    Tensor._make(rows.sum(0)) if needs[2] else None)
        grad_rows = grad.reshape(math.prod(grad.shape[:-1]), grad.shape[-1])
        d_x = grad_rows.matmul(weight).reshape(x.shape) if needs[0] else None
        d_weight = grad_rows.mT.matmul(x.reshape(grad_rows.shape[0], x.shape[-1])) if needs[1] else None
        d_bias = grad_rows.sum(0) if needs[2] else None
        return d_x, d_weight, d_bias


def _check_linear(input, weight, bias):
    check_tensor(input, "input", "linear")
    check_tensor(weight, "weight", "linear")
    if bias is not None:
        check_tensor(bias, "bias", "linear")
    if input.ndim == 0 or weight.ndim == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are {input.ndim}D and "
                           f"{weight.ndim}D")
    if weight.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {weight.ndim}D")
    if input.dtype is not weight.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {c_type_name(input.dtype)} != "
                           f"{c_type_name(weight.dtype)}")
    if weight.ndim == 2 and input.shape[-1] != weight.shape[1]:
        rows = input.numel() // input.shape[-1] if input.shape[-1] else 0
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{input.shape[-1]} and "
                           f"{weight.shape[1]}x{weight.shape[0]})")
    if bias is not None and bias.dtype is not input.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {_word(bias)} and {_word(input)}")


def _word(tensor):
    from .._tensor import _type_word
    return _type_word(tensor.dtype)


def linear(input, weight, bias=None):
    """``input @ weight.T + bias`` over the last dimension (PyTorch's ``F.linear``), as one fused op.

    >>> linear(ember.ones(2, 3), ember.ones(4, 3)).shape
    ember.Size([2, 4])
    """
    _check_linear(input, weight, bias)
    if weight.ndim == 1:
        if bias is not None:
            raise RuntimeError("mat2 must be a matrix, got 1-D tensor")
        out = input.matmul(weight)
        return out if bias is None else out + bias
    if bias is not None:
        _check_bias_shape(bias, tuple(input.shape[:-1]) + (weight.shape[0],))
        if bias.ndim > 1:
            return Linear.apply(input, weight, None) + bias
    return Linear.apply(input, weight, bias)


def _check_bias_shape(bias, out_shape):
    """PyTorch's error when ``bias`` cannot be expanded to the output's shape."""
    try:
        if bias.ndim <= len(out_shape) and broadcast_shapes(tuple(bias.shape), out_shape) == out_shape:
            return
    except RuntimeError:
        pass
    for dim in range(1, min(bias.ndim, len(out_shape)) + 1):
        if bias.shape[-dim] not in (1, out_shape[-dim]):
            raise RuntimeError(f"The expanded size of the tensor ({out_shape[-dim]}) must match the existing size "
                               f"({bias.shape[-dim]}) at non-singleton dimension {len(out_shape) - dim}.  Target "
                               f"sizes: {list(out_shape)}.  Tensor sizes: {list(bias.shape)}")
    raise RuntimeError(f"bias of shape {list(bias.shape)} cannot be expanded to the output shape {list(out_shape)}")


def _check_bilinear(input1, input2, weight, bias):
    for name, value in (("input1", input1), ("input2", input2), ("weight", weight)):
        check_tensor(value, name, "bilinear")
    if bias is not None:
        check_tensor(bias, "bias", "bilinear")
    if input1.ndim != input2.ndim:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.ndim} and {input2.ndim}")
    for dim in range(input1.ndim - 1):
        if input1.shape[dim] != input2.shape[dim]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match: got {input1.shape[dim]} and "
                               f"{input2.shape[dim]}")
    if weight.ndim != 3:
        raise RuntimeError(f"bilinear(): weight must be 3-D (out, in1, in2), got {weight.ndim}-D")
    if input1.shape[-1] != weight.shape[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} but expected "
                           f"{weight.shape[1]}")
    if input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} but expected "
                           f"{weight.shape[2]}")
    if bias is not None and (bias.ndim == 0 or bias.shape[0] != weight.shape[0]):
        got = bias.shape[0] if bias.ndim else "a 0-D tensor"
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got {got} but expected "
                           f"{weight.shape[0]}")


def bilinear(input1, input2, weight, bias=None):
    """``y[..., o] = input1 @ weight[o] @ input2 + bias[o]``: a bilinear form per output feature.

    >>> ember.bilinear(ember.ones(2, 3), ember.ones(2, 4), ember.ones(5, 3, 4)).shape
    ember.Size([2, 5])
    """
    _check_bilinear(input1, input2, weight, bias)
    out_features, in1, in2 = weight.shape
    batch = tuple(input1.shape[:-1])
    left = input1.reshape(-1, in1)
    right = input2.reshape(-1, in2)
    # (rows, in1) @ (in1, out * in2) gives input1 @ weight[o] for every o at once
    mixed = left.matmul(weight.permute(1, 0, 2).reshape(in1, out_features * in2))
    out = (mixed.reshape(-1, out_features, in2) * right.unsqueeze(1)).sum(-1)
    if bias is not None:
        out = out + bias
    return out.reshape(batch + (out_features,))


TENSOR_METHODS = {}
