"""Elementwise math: arithmetic with PyTorch's type promotion, unary functions, operators.

Unary functions are a table: a name, the array function, and the derivative written
with Tensor ops in terms of the input ``x``, the output ``y`` and the incoming ``grad``.
Binary arithmetic promotes its operands first (``promote_operands``); broadcasting in
backward is undone by the engine, so each rule is written for same-shaped operands.
"""

import numpy as np

from .. import _dtype
from .._device import array_module
from .._tensor import Tensor
from ..autograd.function import Primitive
from ._util import as_float_input, promote_operands

__all__ = ["add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "neg", "negative",
           "pow"]


# ----------------------------------------------------------------------------- unary table

def _unary(name, array_fn, derivative, float_only=True):
    """Build a unary op: a Primitive named ``name`` and the public function wrapping it.

    ``derivative(x, y, grad)`` gives the input's gradient in Tensor ops; ``float_only``
    ops compute integer inputs in the default float dtype, as PyTorch does.
    """
    def forward(ctx, x):
        y = array_fn(array_module(x), x)
        ctx.save_for_backward(x, y)
        return y

    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return derivative(x, y, grad)

    cls = type(name.capitalize(), (Primitive,), {
        "forward": staticmethod(forward), "backward": staticmethod(backward), "__module__": __name__})

    def op(input):
        if float_only:
            input = as_float_input(input)
        return cls.apply(input)

    op.__name__ = name
    op.__doc__ = f"Elementwise ``{name}`` of ``input``.\n\n    >>> ember.{name}(ember.tensor([0.5]))\n"
    return op


_UNARY = {
    "exp": (lambda xp, x: xp.exp(x), lambda x, y, g: g * y),
    "log": (lambda xp, x: xp.log(x), lambda x, y, g: g / x),
    "sqrt": (lambda xp, x: xp.sqrt(x), lambda x, y, g: g / (2 * y)),
}

_UNARY_OPS = {name: _unary(name, fn, d) for name, (fn, d) in _UNARY.items()}
globals().update(_UNARY_OPS)
__all__ += list(_UNARY_OPS)


class Neg(Primitive):
    @staticmethod
    def forward(ctx, x):
        if x.dtype == np.bool_:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are "
                               "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
        return -x

    @staticmethod
    def backward(ctx, grad):
        return -grad


def neg(input):
    """``-input``, elementwise.

    >>> ember.neg(ember.tensor([1., -2.]))
    tensor([-1.,  2.])
    """
    return Neg.apply(input)


negative = neg


# ----------------------------------------------------------------------------- binary arithmetic

class Add(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class Sub(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, grad):
        return grad, -grad


class Mul(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return (grad * b if ctx.needs_input_grad[0] else None,
                grad * a if ctx.needs_input_grad[1] else None)


class Div(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return (grad / b if ctx.needs_input_grad[0] else None,
                -grad * a / (b * b) if ctx.needs_input_grad[1] else None)


class FloorDivide(Primitive):
    """Division rounded toward negative infinity; its gradient is zero, as in PyTorch."""

    @staticmethod
    def forward(ctx, a, b, *, mode):
        xp = array_module(a)
        if mode == "floor":
            if a.dtype.kind in "iu":
                _check_integer_divisor(b)
                return xp.floor_divide(a, b)
            return xp.floor(a / b)
        if a.dtype.kind in "iu":
            _check_integer_divisor(b)
            quotient = xp.floor_divide(a, b)
            fix = (quotient < 0) & (quotient * b != a)
            return quotient + fix
        return xp.trunc(a / b)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, grad * 0


def _check_integer_divisor(b):
    if (np.asarray(b) == 0).any():
        raise RuntimeError("ZeroDivisionError")


def _scaled(other, alpha, name):
    if alpha == 1:
        return other
    if isinstance(alpha, float) and isinstance(other, Tensor) and not other.dtype.is_floating_point:
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
    return other * alpha


def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other`` with broadcasting and PyTorch's type promotion.

    >>> ember.add(ember.tensor([1, 2]), 0.5)
    tensor([1.5000, 2.5000])
    """
    (a, b), _ = promote_operands(input, _scaled(other, alpha, "add"))
    return _into(out, Add.apply(a, b))


def sub(input, other, *, alpha=1, out=None):
    """``input - alpha * other``.

    >>> ember.sub(ember.tensor([3.]), ember.tensor([1.]), alpha=2)
    tensor([1.])
    """
    if _is_bool(input) and _is_bool(other):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
                           "`^` or `logical_xor()` operator instead.")
    (a, b), _ = promote_operands(input, _scaled(other, alpha, "sub"))
    return _into(out, Sub.apply(a, b))


def mul(input, other, *, out=None):
    """``input * other``.

    >>> ember.mul(ember.tensor([1., 2.]), 3)
    tensor([3., 6.])
    """
    (a, b), _ = promote_operands(input, other)
    return _into(out, Mul.apply(a, b))


def div(input, other, *, rounding_mode=None, out=None):
    """``input / other``: true division (integers give floats), or rounded with ``'trunc'``/``'floor'``.

    >>> ember.div(ember.tensor([7, -7]), 2, rounding_mode="floor")
    tensor([ 3, -4])
    """
    (a, b), result = promote_operands(input, other)
    if rounding_mode is None:
        if not result.is_floating_point:
            float_type = _dtype.get_default_dtype()
            a = a._cast(float_type) if isinstance(a, Tensor) else a.astype(float_type.np_dtype)
            b = b._cast(float_type) if isinstance(b, Tensor) else b.astype(float_type.np_dtype)
        return _into(out, Div.apply(a, b))
    if rounding_mode not in ("trunc", "floor"):
        raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                         f"'{rounding_mode}'")
    return _into(out, FloorDivide.apply(a, b, mode=rounding_mode))


subtract, multiply, divide, true_divide = sub, mul, div, div


class Pow(Primitive):
    @staticmethod
    def forward(ctx, base, exponent):
        y = array_module(base).power(base, exponent)
        ctx.save_for_backward(base, exponent, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        base, exponent, y = ctx.saved_tensors
        grad_base = grad_exponent = None
        if ctx.needs_input_grad[0]:
            grad_base = grad * exponent * base ** (exponent - 1)
        if ctx.needs_input_grad[1]:
            safe_log = where_positive_log(base)
            grad_exponent = grad * y * safe_log
        return grad_base, grad_exponent


def where_positive_log(base):
    """log(base), taken as 0 where base is 0 (so 0 ** x contributes no exponent gradient there)."""
    zero = base == 0
    return log(base.masked_fill(zero, 1))


def pow(input, exponent, *, out=None):
    """``input ** exponent``; either may be a Python number.

    >>> ember.pow(ember.tensor([2., 3.]), 2)
    tensor([4., 9.])
    """
    (a, b), result = promote_operands(input, exponent)
    if not result.is_floating_point and result is not _dtype.bool and (np.asarray(b._data if isinstance(
            b, Tensor) else b) < 0).any():
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return _into(out, Pow.apply(a, b))


def _is_bool(value):
    return isinstance(value, bool) or isinstance(value, Tensor) and value.dtype is _dtype.bool


def _into(out, result):
    """Honour an ``out=`` argument: copy ``result`` into it (resizing an empty one) and return it."""
    if out is None:
        return result
    if out.shape != result.shape:
        if out.numel() != 0:
            raise RuntimeError(f"output with shape {list(out.shape)} doesn't match the broadcast shape "
                               f"{list(result.shape)}")
        out._data = np.empty(result.shape, dtype=out._data.dtype)
    return out.copy_(result)


# ----------------------------------------------------------------------------- operators

def _inplace(fn):
    def method(self, *args, **kwargs):
        return self._assign_inplace(fn(self, *args, **kwargs))
    method.__name__ = fn.__name__ + "_"
    method.__doc__ = f"In-place version of :func:`{fn.__name__}`."
    return method


def _rtruediv(self, other):
    return div(other, self)


def _rpow(self, other):
    return pow(other, self)


def _rsub(self, other):
    return sub(other, self)


def _floordiv(self, other):
    return div(self, other, rounding_mode="floor")


def _rfloordiv(self, other):
    return div(other, self, rounding_mode="floor")


TENSOR_METHODS = {
    "add": add, "sub": sub, "subtract": sub, "mul": mul, "multiply": mul, "div": div, "divide": div,
    "true_divide": div, "neg": neg, "negative": neg, "pow": pow,
    "__add__": add, "__radd__": add, "__sub__": sub, "__rsub__": _rsub, "__mul__": mul, "__rmul__": mul,
    "__truediv__": div, "__rtruediv__": _rtruediv, "__floordiv__": _floordiv,
    "__rfloordiv__": _rfloordiv, "__pow__": pow, "__rpow__": _rpow, "__neg__": neg,
    "__pos__": lambda self: self,
    "__iadd__": _inplace(add), "__isub__": _inplace(sub), "__imul__": _inplace(mul),
    "__itruediv__": _inplace(div), "__ifloordiv__": _inplace(_floordiv), "__ipow__": _inplace(pow),
}
for _name in ("add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "neg", "negative",
              "pow"):
    TENSOR_METHODS[_name + "_"] = _inplace(TENSOR_METHODS[_name])
for _name, _op in _UNARY_OPS.items():
    TENSOR_METHODS[_name] = _op
    TENSOR_METHODS[_name + "_"] = _inplace(_op)
