"""``torch.nn.utils.parametrize``: a module attribute computed from other tensors by small modules.

``register_parametrization(module, "weight", P())`` moves ``module.weight`` to
``module.parametrizations.weight.original`` (or ``original0``, ``original1``, ... when ``P``'s
``right_inverse`` splits it into several tensors) and turns ``weight`` into a property of a
new class ``Parametrized<Class>`` that evaluates ``P(original)`` on every access. Several
parametrizations registered on one tensor form a ``ParametrizationList`` applied in order.
The state_dict keys are PyTorch's (``parametrizations.weight.original``), so checkpoints move
between the two libraries.
"""

import contextlib
from collections.abc import Sequence

from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ..modules.container import ModuleDict, ModuleList
from ..parameter import Parameter

__all__ = ["cached", "ParametrizationList", "register_parametrization", "is_parametrized",
           "remove_parametrizations", "type_before_parametrizations", "transfer_parametrizations_and_params"]

_cache_depth = 0        # how many ``cached()`` contexts are open
_cache = {}             # (id(module), tensor name) -> the parametrized tensor, while a context is open


@contextlib.contextmanager
def cached():
    """Within this context each parametrized tensor is computed once and reused (e.g. an RNN's weight per step).

    >>> m = ember.nn.Linear(2, 2)
    >>> _ = register_parametrization(m, "weight", ember.nn.Identity())
    >>> with cached():
    ...     m.weight is m.weight
    True
    """
    global _cache_depth, _cache
    _cache_depth += 1
    try:
        yield
    finally:
        _cache_depth -= 1
        if not _cache_depth:
            _cache = {}


def _register_parameter_or_buffer(module, name, tensor):
    if isinstance(tensor, Parameter):
        module.register_parameter(name, tensor)
    else:
        module.register_buffer(name, tensor)


def _set_data(destination, source):
    """``destination.set_(source)``: the tensor object stays, its memory becomes ``source``'s."""
    if destination is not source:
        with no_grad():
            destination.data = source


def _check_same_dtype_and_shape(result, reference, what_result, what_reference):
    """ValueError when a parametrization changed the dtype or shape of the tensor it was registered on."""
    if result.dtype != reference.dtype:
        raise ValueError(f"Registering a parametrization may not change the dtype of the tensor, unless the "
                         f"`unsafe` flag is enabled.\n{what_reference}.dtype: {reference.dtype}\n"
                         f"{what_result}.dtype: {result.dtype}")
    if result.shape != reference.shape:
        raise ValueError(f"Registering a parametrization may not change the shape of the tensor, unless the "
                         f"`unsafe` flag is enabled.\n{what_reference}.shape: {reference.shape}\n"
                         f"{what_result}.shape: {result.shape}")


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor, in registration order, and the unconstrained tensor(s) they act on.

    It is ``module.parametrizations[name]``: the original tensor is its ``original`` (or
    ``original0``, ``original1``, ... when the first parametrization's ``right_inverse``
    returns a sequence), and calling it evaluates the parametrized tensor. Made by
    ``register_parametrization``, not by users.

    >>> m = register_parametrization(ember.nn.Linear(2, 2), "weight", ember.nn.Identity())
    >>> type(m.parametrizations.weight).__name__, m.parametrizations.weight.original.shape
    ('ParametrizationList', ember.Size([2, 2]))
    """

    def __init__(self, modules, original, unsafe=False):
        if len(modules) == 0:
            raise ValueError("ParametrizationList requires one or more modules.")
        super().__init__(modules)
        self.unsafe = unsafe
        shape, dtype = original.shape, original.dtype
        new = self._inverse_of(original, skip_missing=True)
        if not isinstance(new, (Tensor, Sequence)):
            raise ValueError(f"'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...). "
                             f"Got {type(new).__name__}")
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if self.is_tensor:
            self._keep_one_original(original, new)
        else:
            self._keep_several_originals(original, new)
        if not unsafe:
            self._check_forward(shape, dtype)

    def _inverse_of(self, value, skip_missing):
        """The parametrizations' ``right_inverse`` applied last to first (a missing one is the identity or an error)."""
        with no_grad():
            for module in reversed(list(self)):
                if not hasattr(module, "right_inverse"):
                    if skip_missing:
                        continue
                    raise RuntimeError(f"parametrization {type(module).__name__} does not implement right_inverse.")
                try:
                    value = module.right_inverse(value)
                except NotImplementedError:
                    if not skip_missing:
                        raise
        return value

    def _keep_one_original(self, original, new):
        if new.dtype != original.dtype:
            raise ValueError(f"When `right_inverse` outputs one tensor, it may not change the dtype.\n"
                             f"original.dtype: {original.dtype}\nright_inverse(original).dtype: {new.dtype}")
        if new.device != original.device:
            raise ValueError(f"When `right_inverse` outputs one tensor, it may not change the device.\n"
                             f"original.device: {original.device}\nright_inverse(original).device: {new.device}")
        _set_data(original, new)          # the module's own Parameter object stays the trained one
        _register_parameter_or_buffer(self, "original", original)

    def _keep_several_originals(self, original, tensors):
        for i, tensor in enumerate(tensors):
            if not isinstance(tensor, Tensor):
                raise ValueError(f"'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...). "
                                 f"Got element {i} of the sequence with type {type(tensor).__name__}.")
            if isinstance(original, Parameter):
                tensor = Parameter(tensor, original.requires_grad)
            tensor.requires_grad_(original.requires_grad)
            _register_parameter_or_buffer(self, f"original{i}", tensor)

    def _check_forward(self, shape, dtype):
        value = self()
        if not isinstance(value, Tensor):
            raise ValueError(f"A parametrization must return a tensor. Got {type(value).__name__}.")
        if value.dtype != dtype:
            raise ValueError(f"Registering a parametrization may not change the dtype of the tensor, unless "
                             f"`unsafe` flag is enabled.\nunparametrized dtype: {dtype}\n"
                             f"parametrized dtype: {value.dtype}")
        if value.shape != shape:
            raise ValueError(f"Registering a parametrization may not change the shape of the tensor, unless "
                             f"`unsafe` flag is enabled.\nunparametrized shape: {shape}\n"
                             f"parametrized shape: {value.shape}")

    def right_inverse(self, value):
        """Store ``value`` as the parametrized tensor: run every ``right_inverse`` backwards into the original(s).

        >>> m = register_parametrization(ember.nn.Linear(2, 2), "weight", ember.nn.Identity())
        >>> m.weight = ember.zeros(2, 2)   # calls this; Identity has no right_inverse, so it raises
        Traceback (most recent call last):
        RuntimeError: parametrization Identity does not implement right_inverse.
        """
        value = self._inverse_of(value, skip_missing=False)
        with no_grad():
            if self.is_tensor:
                if not isinstance(value, Tensor):
                    raise ValueError(f"`right_inverse` should return a tensor. Got {type(value).__name__}")
                if value.dtype != self.original.dtype:
                    raise ValueError(f"The tensor returned by `right_inverse` has dtype {value.dtype} while "
                                     f"`original` has dtype {self.original.dtype}")
                _set_data(self.original, value)
                return
            if not isinstance(value, Sequence):
                raise ValueError(f"'right_inverse' must return a sequence of tensors. Got {type(value).__name__}.")
            if len(value) != self.ntensors:
                raise ValueError(f"'right_inverse' must return a sequence of tensors of length {self.ntensors}. "
                                 f"Got a sequence of length {len(value)}.")
            for i, tensor in enumerate(value):
                original = getattr(self, f"original{i}")
                if not isinstance(tensor, Tensor):
                    raise ValueError(f"'right_inverse' must return a sequence of tensors. Got element {i} of type "
                                     f"{type(tensor).__name__}.")
                if tensor.dtype != original.dtype:
                    raise ValueError(f"Tensor {i} returned by `right_inverse` has dtype {tensor.dtype} while "
                                     f"`original{i}` has dtype {original.dtype}")
                _set_data(original, tensor)

    def forward(self):
        """The parametrized tensor: the first parametrization on the original(s), then each later one in turn."""
        modules = list(self)
        if self.is_tensor:
            value = modules[0](self.original)
        else:
            value = modules[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for module in modules[1:]:
            value = module(value)
        return value


# ----------------------------------------------------------------------------- the parametrized class

def _deepcopy_module(self, memo):
    """``copy.deepcopy`` of a parametrized module: a new object of the same (parametrized) class."""
    import copy
    if id(self) in memo:
        return memo[id(self)]
    replica = self.__new__(type(self))
    memo[id(self)] = replica
    replica.__dict__ = copy.deepcopy(self.__dict__, memo)
    return replica


def _refuse_pickling(self):
    raise RuntimeError("Serialization of parametrized modules is only supported through state_dict(). See:\n"
                       "https://pytorch.org/tutorials/beginner/saving_loading_models.html"
                       "#saving-loading-a-general-checkpoint-for-inference-and-or-resuming-training")


def _inject_new_class(module):
    """Give ``module`` a class of its own, ``Parametrized<Class>``, to hold the parametrized properties."""
    cls = type(module)
    namespace = {"__getstate__": _refuse_pickling}
    if not hasattr(cls, "__deepcopy__"):
        namespace["__deepcopy__"] = _deepcopy_module
    module.__class__ = type(f"Parametrized{cls.__name__}", (cls,), namespace)


def _inject_property(module, tensor_name):
    """Make ``module.<tensor_name>`` a property: reading evaluates the parametrizations, assigning inverts them."""
    if hasattr(module, tensor_name):
        raise AssertionError(f"Module already has an attribute named '{tensor_name}'")

    def get_parametrized(self):
        parametrization = self.parametrizations[tensor_name]
        if not _cache_depth:
            return parametrization()
        key = (id(self), tensor_name)
        value = _cache.get(key)
        if value is None:
            value = _cache[key] = parametrization()
        return value

    def set_original(self, value):
        self.parametrizations[tensor_name].right_inverse(value)

    setattr(type(module), tensor_name, property(get_parametrized, set_original))


# ----------------------------------------------------------------------------- public functions

def register_parametrization(module, tensor_name, parametrization, *, unsafe=False):
    """Make ``module.<tensor_name>`` be ``parametrization(original)``, recomputed on each access (a constraint).

    Registering again on the same name appends to the ParametrizationList. ``unsafe=True`` lets
    the parametrization change the tensor's shape or dtype (and skips the consistency checks).

    >>> class Symmetric(ember.nn.Module):
    ...     def forward(self, X):
    ...         return X.triu() + X.triu(1).mT
    >>> m = register_parametrization(ember.nn.Linear(3, 3), "weight", Symmetric())
    >>> type(m).__name__, bool((m.weight == m.weight.mT).all())
    ('ParametrizedLinear', True)
    """
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        if not unsafe:
            _check_appended(module, tensor_name, parametrization)
        module.parametrizations[tensor_name].append(parametrization)
        module.parametrizations[tensor_name].unsafe |= unsafe
    elif tensor_name in module._buffers or tensor_name in module._parameters:
        original = getattr(module, tensor_name)
        parametrizations = ParametrizationList([parametrization], original, unsafe=unsafe)
        delattr(module, tensor_name)
        if not is_parametrized(module):
            _inject_new_class(module)
            module.parametrizations = ModuleDict()
        _inject_property(module, tensor_name)
        module.parametrizations[tensor_name] = parametrizations
    else:
        raise ValueError(f"Module '{module}' does not have a parameter, a buffer, or a parametrized element with "
                         f"name '{tensor_name}'")
    return module


def _check_appended(module, tensor_name, parametrization):
    """A parametrization stacked on a parametrized tensor must keep its dtype and shape (and so must its inverse)."""
    current = getattr(module, tensor_name)
    value = parametrization(current)
    if not isinstance(value, Tensor):
        raise ValueError(f"A parametrization must return a tensor. Got {type(value).__name__}.")
    _check_same_dtype_and_shape(value, current, f"parametrization(module.{tensor_name})", f"module.{tensor_name}")
    if not hasattr(parametrization, "right_inverse"):
        return
    try:
        inverse = parametrization.right_inverse(value)
    except NotImplementedError:
        return
    if not isinstance(inverse, Tensor):
        raise ValueError(f"parametrization.right_inverse must return a tensor. Got: {type(inverse).__name__}")
    for what, ours, theirs in (("dtype", inverse.dtype, current.dtype), ("shape", inverse.shape, current.shape)):
        if ours != theirs:
            raise ValueError(f"The tensor returned by parametrization.right_inverse must have the same {what} as "
                             f"module.{tensor_name}, unless the `unsafe` flag is enabled.\n"
                             f"module.{tensor_name}.{what}: {theirs}\nreturned {what}: {ours}")


def is_parametrized(module, tensor_name=None):
    """True when ``module`` has a parametrization on ``tensor_name`` (on any tensor when it is None).

    >>> m = ember.nn.Linear(2, 2)
    >>> is_parametrized(m), is_parametrized(register_parametrization(m, "bias", ember.nn.Identity()), "bias")
    (False, True)
    """
    parametrizations = getattr(module, "parametrizations", None)
    if not isinstance(parametrizations, ModuleDict):
        return False
    if tensor_name is None:
        return len(parametrizations) > 0
    return tensor_name in parametrizations


def remove_parametrizations(module, tensor_name, leave_parametrized=True):
    """Undo ``register_parametrization`` on ``tensor_name``: keep its current value, or with ``False`` the original.

    >>> m = register_parametrization(ember.nn.Linear(2, 2), "weight", ember.nn.Identity())
    >>> type(remove_parametrizations(m, "weight")).__name__
    'Linear'
    """
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module} does not have a parametrization on {tensor_name}")
    parametrizations = module.parametrizations[tensor_name]
    if parametrizations.is_tensor:
        original = parametrizations.original
        if leave_parametrized:
            with no_grad():
                value = getattr(module, tensor_name)
            _set_data(original, value)
    elif leave_parametrized:
        value = getattr(module, tensor_name)
        original = Parameter(value.detach()) if value.requires_grad else value
    else:
        raise ValueError("Cannot leave unparametrized (`leave_parametrized=False`) a tensor that is parametrized "
                         "in terms of a sequence of tensors.")
    delattr(type(module), tensor_name)
    del module.parametrizations[tensor_name]
    _register_parameter_or_buffer(module, tensor_name, original)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = type(module).__bases__[0]
    return module


def type_before_parametrizations(module):
    """The module's class as it was before any parametrization (``Linear`` for a ``ParametrizedLinear``).

    >>> m = register_parametrization(ember.nn.Linear(2, 2), "weight", ember.nn.Identity())
    >>> type_before_parametrizations(m).__name__
    'Linear'
    """
    if is_parametrized(module):
        return type(module).__bases__[0]
    return type(module)


def transfer_parametrizations_and_params(from_module, to_module, tensor_name=None):
    """Register ``from_module``'s parametrizations (of ``tensor_name``, or all) on ``to_module``, sharing originals.

    >>> source = register_parametrization(ember.nn.Linear(2, 2), "weight", ember.nn.Identity())
    >>> target = transfer_parametrizations_and_params(source, ember.nn.Linear(2, 2))
    >>> target.parametrizations.weight.original is source.parametrizations.weight.original
    True
    """
    if not is_parametrized(from_module):
        return to_module
    names = list(from_module.parametrizations) if tensor_name is None else [tensor_name]
    for name in names:
        if not hasattr(to_module, name):
            setattr(to_module, name, Parameter(getattr(from_module, name).detach()))
        source = from_module.parametrizations[name]
        for parametrization in source:
            register_parametrization(to_module, name, parametrization)
        target = to_module.parametrizations[name]
        if hasattr(source, "original"):
            target.original = source.original
            continue
        index = 0
        while hasattr(source, f"original{index}"):
            setattr(target, f"original{index}", getattr(source, f"original{index}"))
            index += 1
    return to_module
