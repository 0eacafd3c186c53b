"""Parameter and Buffer: the tensors a Module registers when they are assigned as its attributes.

A Parameter is a Tensor subclass that shares its data's memory and requires grad by
default; a Module collects it in ``parameters()``. A Buffer is module state that is not
trained (BatchNorm's running statistics); assigning one registers it as a buffer.
"""

from .._tensor import Tensor, _rebuild_tensor

__all__ = ["Parameter", "Buffer"]


class _ParameterMeta(type):
    """``isinstance(t, Parameter)`` is also true for tensors flagged ``_is_param`` (as PyTorch)."""

    def __instancecheck__(cls, instance):
        if cls is Parameter and isinstance(instance, Tensor) and getattr(instance, "_is_param", False):
            return True
        return super().__instancecheck__(instance)


class Parameter(Tensor, metaclass=_ParameterMeta):
    """A Tensor that a Module registers as a parameter when it is assigned as an attribute.

    It shares ``data``'s memory and version counter, and is a graph leaf.

    >>> p = ember.nn.Parameter(ember.zeros(2))
    >>> p.requires_grad
    True
    """

    _is_param = True

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = Tensor._zeros((0,), _default_dtype())
        if not isinstance(data, Tensor):
            raise AttributeError(f"'{type(data).__name__}' object has no attribute 'detach'")
        param = Tensor._make.__func__(cls, data._data)
        param._version_box = data._shared_version_box()
        param.requires_grad_(requires_grad)
        return param

    def __init__(self, data=None, requires_grad=True):
        pass        # everything happens in __new__

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(Tensor._make(self._data.copy()), self._requires_grad)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        return (_rebuild_tensor, (type(self), self._data.copy(), self._requires_grad))


def _default_dtype():
    from .._dtype import get_default_dtype
    return get_default_dtype()


class _BufferMeta(type):
    """``isinstance(t, Buffer)`` is true for the plain tensors ``Buffer(...)`` returns (flagged ``_is_buffer``)."""

    def __instancecheck__(cls, instance):
        if cls is Buffer and isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False):
            return True
        return super().__instancecheck__(instance)


class Buffer(Tensor, metaclass=_BufferMeta):
    """Module state that is not a parameter: assigning one to a Module attribute registers it as a buffer.

    ``Buffer(data)`` returns a detached Tensor on the same memory, flagged as a buffer;
    ``persistent=False`` keeps it out of the ``state_dict``.

    >>> b = ember.nn.Buffer(ember.zeros(2), persistent=False)
    >>> isinstance(b, ember.nn.Buffer), b.persistent
    (True, False)
    """

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = Tensor._zeros((0,), _default_dtype())
        if not isinstance(data, Tensor):
            raise AttributeError(f"'{type(data).__name__}' object has no attribute 'detach'")
        buffer = data.detach()
        buffer._requires_grad = data._requires_grad
        buffer.persistent = persistent
        buffer._is_buffer = True
        return buffer
