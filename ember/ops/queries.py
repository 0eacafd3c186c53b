"""Questions about tensors and objects that PyTorch also asks as ``torch.*`` functions.

``numel``, ``is_nonzero``, ``is_same_size``, ``is_signed``, ``typename`` and
``is_inference``. None of them computes anything; they read a tensor's metadata.
"""

from .._tensor import Tensor
from ._util import check_tensor, check_tensor_args

__all__ = ["numel", "is_nonzero", "is_same_size", "is_signed", "typename", "is_inference"]


def numel(input):
    """The number of elements of ``input``.

    >>> ember.numel(ember.zeros(2, 3))
    6
    """
    check_tensor(input, "input", "numel")
    return input.numel()


def is_nonzero(input):
    """Whether the single element of ``input`` is not zero (an error for any other number of elements).

    >>> ember.is_nonzero(ember.tensor([1.5]))
    True
    """
    check_tensor(input, "input", "is_nonzero")
    count = input.numel()
    if count == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if count > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input._data.reshape(()) != 0)


def is_same_size(input, other):
    """Whether two tensors have the same shape.

    >>> ember.zeros(2, 3).is_same_size(ember.ones(2, 3))
    True
    """
    check_tensor_args("is_same_size", input=input, other=other)
    return input.shape == other.shape


def is_signed(input):
    """Whether ``input``'s dtype can hold negative numbers (False for uint8 and bool).

    >>> ember.is_signed(ember.tensor([1], dtype=ember.uint8))
    False
    """
    check_tensor(input, "input", "is_signed")
    return input.is_signed()


def typename(obj):
    """The type name of ``obj``: a tensor's type string (``'ember.FloatTensor'``), else ``module.QualifiedName``.

    >>> ember.typename(ember.zeros(2))
    'ember.FloatTensor'
    """
    if isinstance(obj, Tensor):
        return obj.type()
    if hasattr(obj, "__qualname__") or hasattr(obj, "__name__"):
        module = getattr(obj, "__module__", "") or ""
        name = getattr(obj, "__qualname__", None) or obj.__name__
    else:
        module = type(obj).__module__ or ""
        name = type(obj).__qualname__
    return name if module in ("", "builtins") else f"{module}.{name}"


def is_inference(input):
    """Whether ``input`` is an inference tensor. Always False: ember does not keep tensors made under
    ``inference_mode`` apart (they behave like tensors made under ``no_grad``).

    >>> ember.is_inference(ember.zeros(2))
    False
    """
    check_tensor(input, "input", "is_inference")
    return False


TENSOR_METHODS = {"is_nonzero": is_nonzero, "is_same_size": is_same_size, "is_inference": is_inference}
