"""Module: the base class of every layer, as ``torch.nn.Module``.

A Module owns Parameters, buffers and child Modules, registered by assigning them as
attributes. It walks them (``parameters``, ``named_modules``, ...), converts them
(``to``, ``float``), saves and restores them (``state_dict``/``load_state_dict``, with
PyTorch's keys and messages) and runs ``forward`` through ``__call__`` with the hooks
PyTorch has. Calling a module with no hooks does nothing but call ``forward``.
"""

import functools
import warnings
from collections import OrderedDict, namedtuple
from collections.abc import Mapping

from ..._tensor import Tensor, _parse_to
from ...autograd.function import Function
from ...autograd.grad_mode import is_grad_enabled, no_grad
from ..parameter import Buffer, Parameter
from ..utils.hooks import RemovableHandle

__all__ = ["Module"]

_EXTRA_STATE_KEY_SUFFIX = "_extra_state"


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: the keys it missed and the keys it did not expect."""

    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _addindent(text, spaces):
    """Indent every line of ``text`` but the first by ``spaces`` (for nested reprs)."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    pad = " " * spaces
    return lines[0] + "\n" + "\n".join(pad + line for line in lines[1:])


def _typename(obj):
    """``torch.typename``: the tensor type name for tensors, else the qualified class name."""
    if isinstance(obj, Tensor):
        return obj.type()
    cls = type(obj)
    module = cls.__module__
    if module in ("builtins", "__builtin__", None):
        return cls.__qualname__
    return f"{module}.{cls.__qualname__}"


# ----------------------------------------------------------------------------- global hooks

_global_buffer_registration_hooks = OrderedDict()
_global_module_registration_hooks = OrderedDict()
_global_parameter_registration_hooks = OrderedDict()
_global_backward_pre_hooks = OrderedDict()
_global_backward_hooks = OrderedDict()
_global_is_full_backward_hook = None
_global_forward_pre_hooks = OrderedDict()
_global_forward_hooks = OrderedDict()
_global_forward_hooks_always_called = OrderedDict()
_global_forward_hooks_with_kwargs = OrderedDict()


def _register_global(hooks, hook, extra=None):
    handle = RemovableHandle(hooks, extra_dict=extra)
    hooks[handle.id] = hook
    return handle


def register_module_buffer_registration_hook(hook):
    """Call ``hook(module, name, buffer)`` whenever any module registers a buffer; a returned value replaces it.

    >>> handle = ember.nn.modules.module.register_module_buffer_registration_hook(lambda m, n, b: None)
    >>> handle.remove()
    """
    return _register_global(_global_buffer_registration_hooks, hook)


def register_module_module_registration_hook(hook):
    """Call ``hook(module, name, submodule)`` whenever any module registers a child; a returned value replaces it.

    >>> handle = ember.nn.modules.module.register_module_module_registration_hook(lambda m, n, s: None)
    >>> handle.remove()
    """
    return _register_global(_global_module_registration_hooks, hook)


def register_module_parameter_registration_hook(hook):
    """Call ``hook(module, name, param)`` whenever any module registers a parameter; a returned value replaces it.

    >>> handle = ember.nn.modules.module.register_module_parameter_registration_hook(lambda m, n, p: None)
    >>> handle.remove()
    """
    return _register_global(_global_parameter_registration_hooks, hook)


def register_module_forward_pre_hook(hook):
    """Call ``hook(module, args)`` before every module's forward (debugging/profiling); may return new args.

    >>> handle = ember.nn.modules.module.register_module_forward_pre_hook(lambda m, args: None)
    >>> handle.remove()
    """
    return _register_global(_global_forward_pre_hooks, hook)


def register_module_forward_hook(hook, *, with_kwargs=False, always_call=False):
    """Call ``hook(module, args, output)`` after every module's forward; a returned value replaces the output.

    >>> handle = ember.nn.modules.module.register_module_forward_hook(lambda m, args, out: None)
    >>> handle.remove()
    """
    handle = RemovableHandle(_global_forward_hooks,
                             extra_dict=(_global_forward_hooks_always_called, _global_forward_hooks_with_kwargs))
    _global_forward_hooks[handle.id] = hook
    if with_kwargs:
        _global_forward_hooks_with_kwargs[handle.id] = True
    if always_call:
        _global_forward_hooks_always_called[handle.id] = True
    return handle


def register_module_backward_hook(hook):
    """Deprecated global form of ``Module.register_backward_hook``; use ``register_module_full_backward_hook``.

    >>> handle = ember.nn.modules.module.register_module_backward_hook(lambda m, gi, go: None)
    >>> handle.remove()
    """
    global _global_is_full_backward_hook
    if _global_is_full_backward_hook is True:
        raise RuntimeError("Cannot use both regular backward hooks and full backward hooks as a global Module "
                           "hook. Please use only one of them.")
    _global_is_full_backward_hook = False
    return _register_global(_global_backward_hooks, hook)


def register_module_full_backward_pre_hook(hook):
    """Call ``hook(module, grad_output)`` for every module when its output gradients are ready.

    >>> handle = ember.nn.modules.module.register_module_full_backward_pre_hook(lambda m, go: None)
    >>> handle.remove()
    """
    return _register_global(_global_backward_pre_hooks, hook)


def register_module_full_backward_hook(hook):
    """Call ``hook(module, grad_input, grad_output)`` for every module once its input gradients are computed.

    >>> handle = ember.nn.modules.module.register_module_full_backward_hook(lambda m, gi, go: None)
    >>> handle.remove()
    """
    global _global_is_full_backward_hook
    if _global_is_full_backward_hook is False:
        raise RuntimeError("Cannot use both regular backward hooks and full backward hooks as a global Module "
                           "hook. Please use only one of them.")
    _global_is_full_backward_hook = True
    return _register_global(_global_backward_hooks, hook)


# ----------------------------------------------------------------------------- full backward hooks

class BackwardHookFunction(Function):
    """Identity on a module's input (or output) tensors: its node is where backward hooks see the gradients."""

    @staticmethod
    def forward(ctx, *tensors):
        outputs = tuple(t if t.requires_grad else t.detach() for t in tensors)
        ctx.mark_non_differentiable(*[t for t in outputs if not t.requires_grad])
        return outputs

    @staticmethod
    def backward(ctx, *grads):
        return grads


class _BackwardHook:
    """Connects one call's output gradients to its input gradients and calls the module's backward hooks.

    The module's tensor inputs and outputs pass through ``BackwardHookFunction``; a hook on
    the outputs' node records ``grad_output`` (running the backward pre-hooks), and a hook
    on the inputs' node then calls ``hook(module, grad_input, grad_output)``. Non-tensor
    positions appear as None in both tuples.
    """

    def __init__(self, module, user_hooks, user_pre_hooks):
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs = None
        self.n_inputs = -1
        self.input_positions = None
        self.n_outputs = -1
        self.output_positions = None

    @staticmethod
    def _spread(positions, values, size):
        """A tuple of ``size`` entries with ``values`` at ``positions`` and None elsewhere."""
        result = [None] * size
        for position, value in zip(positions, values):
            result[position] = value
        return tuple(result)

    def _wrap(self, args, on_node):
        """Pass the tensors in ``args`` through the identity Function; ``on_node`` gets its grad_fn."""
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        tensors = [args[i] for i in positions]
        if not (any(t.requires_grad for t in tensors) and is_grad_enabled()):
            return args, None
        wrapped = BackwardHookFunction.apply(*tensors)
        on_node(next(t.grad_fn for t in wrapped if t.grad_fn is not None))
        new_args = list(args)
        for i, t in zip(positions, wrapped):
            new_args[i] = t
        return (tuple(new_args) if type(args) is tuple else type(args)(*new_args)), positions

    def setup_input_hook(self, args):
        result, self.input_positions = self._wrap(args, self._hook_inputs)
        self.n_inputs = len(args)
        return result

    def setup_output_hook(self, result):
        single = not isinstance(result, tuple)
        outputs = (result,) if single else result
        wrapped, self.output_positions = self._wrap(outputs, self._hook_outputs)
        self.n_outputs = len(outputs)
        return wrapped[0] if single else wrapped

    def _hook_inputs(self, node):
        def hook(grad_inputs, _grad_outputs):
            if self.grad_outputs is None:       # gradient reached the inputs without passing the outputs
                return None
            grads = self._spread(self.input_positions, grad_inputs, self.n_inputs)
            for user_hook in self.user_hooks:
                out = user_hook(self.module, grads, self.grad_outputs)
                if out is None:
                    continue
                if len(out) != len(grads):
                    raise RuntimeError(f"Backward hook returned an invalid number of grad_input, got {len(out)}, "
                                       f"but expected {len(grads)}")
                grads = out
            self.grad_outputs = None
            return tuple(grads[i] for i in self.input_positions)
        node.register_hook(hook)

    def _hook_outputs(self, node):
        def hook(_grad_inputs, grad_outputs):
            self.grad_outputs = self._spread(self.output_positions, grad_outputs, self.n_outputs)
            for pre_hook in self.user_pre_hooks:
                new = pre_hook(self.module, self.grad_outputs)
                if new is None:
                    continue
                if len(new) != len(self.grad_outputs):
                    raise RuntimeError(f"Backward pre hook returned an invalid number of grad_output, got "
                                       f"{len(new)}, but expected {len(self.grad_outputs)}")
                self.grad_outputs = new
            current = self.grad_outputs
            if self.input_positions is None:
                self._call_without_input_grads()
            return tuple(_zeros_for_none(current[i], meta) for i, meta in zip(self.output_positions,
                                                                                node._output_meta))
        node.register_hook(hook)

    def _call_without_input_grads(self):
        warnings.warn("Full backward hook is firing when gradients are computed with respect to module outputs "
                      "since no inputs require gradients. See "
                      "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
                      "#torch.nn.Module.register_full_backward_hook for more details.", stacklevel=5)
        grad_inputs = (None,) * self.n_inputs
        for user_hook in self.user_hooks:
            res = user_hook(self.module, grad_inputs, self.grad_outputs)
            if res is not None and not (isinstance(res, tuple) and all(r is None for r in res)):
                raise RuntimeError("Backward hook for Modules where no input requires gradient should always "
                                   "return None or None for all gradients.")
        self.grad_outputs = None


def _zeros_for_none(grad, meta):
    """An output that got no gradient passes zeros on, so the inputs' hooks still fire (as in PyTorch)."""
    if grad is not None:
        return grad
    shape, dtype = meta
    return Tensor._zeros(shape, dtype)


def _forward_unimplemented(self, *input):
    """The default forward: every Module subclass must define its own."""
    raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')


# ----------------------------------------------------------------------------- Module

class Module:
    """Base class for all layers: subclass it, assign Parameters and Modules in ``__init__``, define ``forward``.

    >>> class Scale(ember.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.weight = ember.nn.Parameter(ember.ones(2))
    ...     def forward(self, x):
    ...         return x * self.weight
    >>> Scale()(ember.tensor([1.0, 2.0]))
    tensor([1., 2.], grad_fn=<MulBackward0>)
    """

    dump_patches = False
    _version = 1
    training = True
    call_super_init = False
    _compiled_call_impl = None

    def __init__(self, *args, **kwargs):
        if kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword argument "
                            f"'{next(iter(kwargs))}'")
        if args:
            raise TypeError(f"{type(self).__name__}.__init__() takes 1 positional argument but {len(args) + 1} "
                            "were given")
        state = self.__dict__
        state["training"] = True
        state["_parameters"] = {}
        state["_buffers"] = {}
        state["_non_persistent_buffers_set"] = set()
        state["_backward_pre_hooks"] = OrderedDict()
        state["_backward_hooks"] = OrderedDict()
        state["_is_full_backward_hook"] = None
        state["_forward_hooks"] = OrderedDict()
        state["_forward_hooks_with_kwargs"] = OrderedDict()
        state["_forward_hooks_always_called"] = OrderedDict()
        state["_forward_pre_hooks"] = OrderedDict()
        state["_forward_pre_hooks_with_kwargs"] = OrderedDict()
        state["_state_dict_hooks"] = OrderedDict()
        state["_state_dict_pre_hooks"] = OrderedDict()
        state["_load_state_dict_pre_hooks"] = OrderedDict()
        state["_load_state_dict_post_hooks"] = OrderedDict()
        state["_modules"] = {}

    forward = _forward_unimplemented

    # ------------------------------------------------------------------ registration
    def register_buffer(self, name, tensor, persistent=True):
        """Add a buffer: module state saved in the state_dict (unless ``persistent=False``) but not trained.

        >>> m = ember.nn.Module()
        >>> m.register_buffer("running_mean", ember.zeros(3))
        >>> list(m.state_dict())
        ['running_mean']
        """
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"buffer name should be a string. Got {_typename(name)}")
        if "." in name:
            raise KeyError('buffer name can\'t contain "."')
        if name == "":
            raise KeyError('buffer name can\'t be empty string ""')
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                            "(torch Tensor or None required)")
        for hook in _global_buffer_registration_hooks.values():
            output = hook(self, name, tensor)
            if output is not None:
                tensor = output
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def register_parameter(self, name, param):
        """Add a Parameter (or None, a placeholder such as a disabled bias) under ``name``.

        >>> m = ember.nn.Module()
        >>> m.register_parameter("bias", None)
        >>> m.bias is None
        True
        """
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"parameter name should be a string. Got {_typename(name)}")
        if "." in name:
            raise KeyError('parameter name can\'t contain "."')
        if name == "":
            raise KeyError('parameter name can\'t be empty string ""')
        if hasattr(self, name) and name not in self._parameters:
            raise KeyError(f"attribute '{name}' already exists")
        if param is None:
            self._parameters[name] = None
            return
        if not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                            "(torch.nn.Parameter or None required)")
        if param.grad_fn is not None:
            raise ValueError(f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be "
                             f"created explicitly. To express '{name}' as a function of another Tensor, compute "
                             "the value in the forward() method.")
        for hook in _global_parameter_registration_hooks.values():
            output = hook(self, name, param)
            if output is not None:
                param = output
        self._parameters[name] = param

    def add_module(self, name, module):
        """Add a child module under ``name`` (same as assigning it as an attribute).

        >>> m = ember.nn.Module()
        >>> m.add_module("child", ember.nn.Module())
        >>> [name for name, _ in m.named_children()]
        ['child']
        """
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {_typename(name)}")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        if "." in name:
            raise KeyError(f'module name can\'t contain ".", got: {name}')
        if name == "":
            raise KeyError('module name can\'t be empty string ""')
        for hook in _global_module_registration_hooks.values():
            output = hook(self, name, module)
            if output is not None:
                module = output
        self._modules[name] = module

    def register_module(self, name, module):
        """Alias for :meth:`add_module`.

        >>> ember.nn.Module().register_module("child", None)
        """
        self.add_module(name, module)

    # ------------------------------------------------------------------ lookup by dotted name
    def get_submodule(self, target):
        """The submodule at dotted path ``target`` (``''`` is this module).

        >>> outer = ember.nn.Module(); outer.inner = ember.nn.Module()
        >>> outer.get_submodule("inner") is outer.inner
        True
        """
        if target == "":
            return self
        module = self
        for item in target.split("."):
            if not hasattr(module, item):
                raise AttributeError(module._get_name() + " has no attribute `" + item + "`")
            module = getattr(module, item)
            if not isinstance(module, Module):
                raise AttributeError("`" + item + "` is not an nn.Module")
        return module

    def set_submodule(self, target, module, strict=False):
        """Put ``module`` at dotted path ``target``; with ``strict`` only replace an existing submodule.

        >>> outer = ember.nn.Module(); outer.inner = ember.nn.Module()
        >>> outer.set_submodule("inner", ember.nn.Module())
        """
        if target == "":
            raise ValueError("Cannot set the submodule without a target name!")
        atoms = target.split(".")
        if not isinstance(module, Module):
            raise ValueError(f"`module` is not an nn.Module, found {type(module)}")
        parent = self if len(atoms) == 1 else self.get_submodule(".".join(atoms[:-1]))
        name = atoms[-1]
        if strict and not hasattr(parent, name):
            raise AttributeError(parent._get_name() + " has no attribute `" + name + "`")
        if hasattr(parent, name) and not isinstance(getattr(parent, name), Module):
            raise AttributeError("`" + name + "` is not an nn.Module")
        setattr(parent, name, module)

    def get_parameter(self, target):
        """The Parameter at dotted path ``target`` (e.g. ``'0.weight'``).

        >>> m = ember.nn.Module(); m.w = ember.nn.Parameter(ember.ones(1))
        >>> m.get_parameter("w") is m.w
        True
        """
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if not hasattr(module, name):
            raise AttributeError(module._get_name() + " has no attribute `" + name + "`")
        param = getattr(module, name)
        if not isinstance(param, Parameter):
            raise AttributeError("`" + name + "` is not an nn.Parameter")
        return param

    def get_buffer(self, target):
        """The buffer at dotted path ``target``.

        >>> m = ember.nn.Module(); m.register_buffer("b", ember.zeros(1))
        >>> m.get_buffer("b")
        tensor([0.])
        """
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if not hasattr(module, name):
            raise AttributeError(module._get_name() + " has no attribute `" + name + "`")
        if name not in module._buffers:
            raise AttributeError("`" + name + "` is not a buffer")
        return getattr(module, name)

    def get_extra_state(self):
        """Override (with ``set_extra_state``) to save non-tensor state in the state_dict under ``_extra_state``."""
        raise RuntimeError("Reached a code path in Module.get_extra_state() that should never be called. Please "
                           "file an issue at https://github.com/pytorch/pytorch/issues/new?template=bug-report.yml "
                           "to report this bug.")

    def set_extra_state(self, state):
        """Override (with ``get_extra_state``) to restore the state it saved."""
        raise RuntimeError("Reached a code path in Module.set_extra_state() that should never be called. Please "
                           "file an issue at https://github.com/pytorch/pytorch/issues/new?template=bug-report.yml "
                           "to report this bug.")

    # ------------------------------------------------------------------ attribute protocol
    def __getattr__(self, name):
        state = self.__dict__
        if "_parameters" in state:
            params = state["_parameters"]
            if name in params:
                return params[name]
        if "_buffers" in state:
            buffers = state["_buffers"]
            if name in buffers:
                return buffers[name]
        if "_modules" in state:
            modules = state["_modules"]
            if name in modules:
                return modules[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name, value):
        state = self.__dict__
        params = state.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name, state, self._buffers, self._modules, self._non_persistent_buffers_set)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as parameter '{name}' "
                                "(torch.nn.Parameter or None expected)")
            self.register_parameter(name, value)
        else:
            self._set_module_or_buffer(name, value, state)

    def _set_module_or_buffer(self, name, value, state):
        modules = state.get("_modules")
        if isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, state, self._parameters, self._buffers, self._non_persistent_buffers_set)
            modules[name] = self._run_module_registration_hooks(name, value)
        elif modules is not None and name in modules:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as child module '{name}' "
                                "(torch.nn.Module or None expected)")
            modules[name] = self._run_module_registration_hooks(name, value)
        else:
            buffers = state.get("_buffers")
            if isinstance(value, Buffer) or (buffers is not None and name in buffers):
                if value is not None and not isinstance(value, Tensor):
                    raise TypeError(f"cannot assign '{_typename(value)}' as buffer '{name}' "
                                    "(torch.nn.Buffer, torch.Tensor or None expected)")
                if isinstance(value, Buffer):
                    persistent = value.persistent
                else:
                    persistent = name not in self._non_persistent_buffers_set
                self.register_buffer(name, value, persistent)
            else:
                object.__setattr__(self, name, value)

    def _run_module_registration_hooks(self, name, value):
        for hook in _global_module_registration_hooks.values():
            output = hook(self, name, value)
            if output is not None:
                value = output
        return value

    @staticmethod
    def _forget(name, *containers):
        """Remove ``name`` from the given dicts and sets (before it is registered as something else)."""
        for container in containers:
            if name in container:
                if isinstance(container, dict):
                    del container[name]
                else:
                    container.discard(name)

    def __delattr__(self, name):
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._buffers:
            del self._buffers[name]
            self._non_persistent_buffers_set.discard(name)
        elif name in self._modules:
            del self._modules[name]
        else:
            object.__delattr__(self, name)

    def __dir__(self):
        keys = dir(self.__class__) + list(self.__dict__) + list(self._parameters) + list(self._modules) \
            + list(self._buffers)
        return sorted(key for key in keys if not key[0].isdigit())

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_compiled_call_impl", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        defaults = {"_forward_pre_hooks": OrderedDict, "_forward_hooks": OrderedDict,
                    "_forward_hooks_with_kwargs": OrderedDict, "_forward_hooks_always_called": OrderedDict,
                    "_forward_pre_hooks_with_kwargs": OrderedDict, "_state_dict_hooks": OrderedDict,
                    "_state_dict_pre_hooks": OrderedDict, "_load_state_dict_pre_hooks": OrderedDict,
                    "_load_state_dict_post_hooks": OrderedDict, "_backward_pre_hooks": OrderedDict,
                    "_backward_hooks": OrderedDict, "_non_persistent_buffers_set": set}
        for key, factory in defaults.items():
            if key not in self.__dict__:
                self.__dict__[key] = factory()
        if "_is_full_backward_hook" not in self.__dict__:
            self.__dict__["_is_full_backward_hook"] = None

    # ------------------------------------------------------------------ iteration
    def _named_members(self, get_members, prefix="", recurse=True, remove_duplicate=True):
        """(name, member) pairs of this module (and its descendants), each member once unless told otherwise."""
        seen = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse \
            else [(prefix, self)]
        for module_prefix, module in modules:
            for name, member in get_members(module):
                if member is None or member in seen:
                    continue
                if remove_duplicate:
                    seen.add(member)
                yield (module_prefix + "." + name if module_prefix else name), member

    def parameters(self, recurse=True):
        """The parameters of this module and (with ``recurse``) its descendants, each once.

        >>> m = ember.nn.Module(); m.w = ember.nn.Parameter(ember.ones(2))
        >>> [p.shape for p in m.parameters()]
        [ember.Size([2])]
        """
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """(dotted name, Parameter) pairs, as ``parameters`` walks them.

        >>> m = ember.nn.Module(); m.w = ember.nn.Parameter(ember.ones(2))
        >>> [name for name, _ in m.named_parameters(prefix="model")]
        ['model.w']
        """
        return self._named_members(lambda module: module._parameters.items(), prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        """The buffers of this module and (with ``recurse``) its descendants.

        >>> m = ember.nn.Module(); m.register_buffer("b", ember.zeros(1))
        >>> len(list(m.buffers()))
        1
        """
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        """(dotted name, buffer) pairs.

        >>> m = ember.nn.Module(); m.register_buffer("b", ember.zeros(1))
        >>> [name for name, _ in m.named_buffers()]
        ['b']
        """
        return self._named_members(lambda module: module._buffers.items(), prefix, recurse, remove_duplicate)

    def children(self):
        """The direct child modules.

        >>> m = ember.nn.Module(); m.a = ember.nn.Module()
        >>> len(list(m.children()))
        1
        """
        for _, module in self.named_children():
            yield module

    def named_children(self):
        """(name, module) pairs of the direct children, each module once.

        >>> m = ember.nn.Module(); m.a = ember.nn.Module()
        >>> [name for name, _ in m.named_children()]
        ['a']
        """
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def modules(self):
        """This module and all its descendants, each once, depth first.

        >>> m = ember.nn.Module(); m.a = ember.nn.Module()
        >>> len(list(m.modules()))
        2
        """
        for _, module in self.named_modules():
            yield module

    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """(dotted name, module) pairs for this module and its descendants, depth first.

        >>> m = ember.nn.Module(); m.a = ember.nn.Module()
        >>> [name for name, _ in m.named_modules()]
        ['', 'a']
        """
        if memo is None:
            memo = set()
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            child_prefix = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, child_prefix, remove_duplicate)

    def apply(self, fn):
        """Call ``fn`` on every descendant, then on this module (e.g. to initialise weights); returns self.

        >>> m = ember.nn.Module(); m.a = ember.nn.Module()
        >>> names = []
        >>> _ = m.apply(lambda mod: names.append(mod._get_name()))
        >>> names
        ['Module', 'Module']
        """
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------ modes and gradients
    def train(self, mode=True):
        """Set training mode (affects Dropout, BatchNorm...) on this module and its descendants; returns self.

        >>> ember.nn.Module().train(False).training
        False
        """
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self):
        """Evaluation mode: ``train(False)``.

        >>> ember.nn.Module().eval().training
        False
        """
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` on every parameter (e.g. to freeze a backbone); returns self.

        >>> m = ember.nn.Module(); m.w = ember.nn.Parameter(ember.ones(1))
        >>> m.requires_grad_(False).w.requires_grad
        False
        """
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Reset the parameters' gradients: to None (the default) or to zeros.

        >>> m = ember.nn.Module(); m.w = ember.nn.Parameter(ember.ones(1))
        >>> m.w.grad = ember.ones(1); m.zero_grad(); m.w.grad is None
        True
        """
        if getattr(self, "_is_replica", False):
            warnings.warn("Calling .zero_grad() from a module created with nn.DataParallel() has no effect. The "
                          "parameters are copied (in a differentiable manner) from the original module. This means "
                          "they are not leaf nodes in autograd and so don't accumulate gradients. If you need "
                          "gradients in your forward method, consider using autograd.grad instead.", stacklevel=2)
        for param in self.parameters():
            grad = param.grad
            if grad is None:
                continue
            if set_to_none:
                param._drop_grad()
                continue
            if grad.grad_fn is not None:
                grad.detach_()
            else:
                grad.requires_grad_(False)
            grad.zero_()

    # ------------------------------------------------------------------ conversion
    def _apply(self, fn, recurse=True):
        """Replace every parameter's, gradient's and buffer's data with ``fn`` of it, keeping the Parameter objects."""
        if recurse:
            for module in self.children():
                module._apply(fn)
        for param in self._parameters.values():
            if param is None:
                continue
            with no_grad():
                param.data = fn(param)
            grad = param.grad
            if grad is not None:
                with no_grad():
                    grad.data = fn(grad)
        for key, buf in self._buffers.items():
            if buf is not None:
                self._buffers[key] = fn(buf)
        return self

    def to(self, *args, **kwargs):
        """Convert parameters and buffers: ``to(dtype)`` (floating ones only), ``to(device)``, ``to(tensor)``.

        >>> m = ember.nn.Module(); m.w = ember.nn.Parameter(ember.ones(1))
        >>> m.to(ember.float64).w.dtype
        ember.float64
        """
        dtype, device, _ = _parse_to(args, dict(kwargs))
        if dtype is not None and not dtype.is_floating_point:
            raise TypeError(f"nn.Module.to only accepts floating point or complex dtypes, but got desired "
                            f"dtype={dtype}")

        def convert(t):
            return t.to(device=device, dtype=dtype if t.is_floating_point() else None)
        return self._apply(convert)

    def to_empty(self, *, device, recurse=True):
        """Give parameters and buffers fresh uninitialised storage on ``device``.

        >>> ember.nn.Module().to_empty(device="cpu")
        Module()
        """
        from ..._creation import empty_like
        return self._apply(lambda t: empty_like(t, device=device), recurse=recurse)

    def _cast_floating(self, dtype):
        return self._apply(lambda t: t.to(dtype) if t.is_floating_point() else t)

    def float(self):
        """Cast floating-point parameters and buffers to float32.

        >>> ember.nn.Module().float()
        Module()
        """
        from ..._dtype import float32
        return self._cast_floating(float32)

    def double(self):
        """Cast floating-point parameters and buffers to float64.

        >>> ember.nn.Module().double()
        Module()
        """
        from ..._dtype import float64
        return self._cast_floating(float64)

    def half(self):
        """Cast floating-point parameters and buffers to float16.

        >>> ember.nn.Module().half()
        Module()
        """
        from ..._dtype import float16
        return self._cast_floating(float16)

    def bfloat16(self):
        """Cast floating-point parameters and buffers to bfloat16.

        >>> ember.nn.Module().bfloat16()
        Module()
        """
        from ..._dtype import bfloat16
        return self._cast_floating(bfloat16)

    def type(self, dst_type):
        """Cast all parameters and buffers to ``dst_type`` (a dtype or a type name).

        >>> ember.nn.Module().type(ember.float64)
        Module()
        """
        return self._apply(lambda t: t.type(dst_type))

    def cpu(self):
        """Move parameters and buffers to the CPU.

        >>> ember.nn.Module().cpu()
        Module()
        """
        return self._apply(lambda t: t.cpu())

    def cuda(self, device=None):
        """Move parameters and buffers to a CUDA device (RuntimeError when ember has no CUDA backend).

        >>> ember.nn.Module().cuda()   # no tensors: nothing to move
        Module()
        """
        return self._apply(lambda t: t.cuda(device))

    def share_memory(self):
        """Make parameters shareable between processes (NumPy memory already is); returns self.

        >>> ember.nn.Module().share_memory()
        Module()
        """
        return self._apply(lambda t: t.share_memory_() if hasattr(t, "share_memory_") else t)

    # ------------------------------------------------------------------ calling
    def __call__(self, *args, **kwargs):
        if (self._forward_hooks or self._forward_pre_hooks or self._backward_hooks or self._backward_pre_hooks
                or _global_forward_hooks or _global_forward_pre_hooks or _global_backward_hooks
                or _global_backward_pre_hooks):
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)

    _call_impl = __call__

    def _call_with_hooks(self, args, kwargs):
        """``__call__`` with forward pre-hooks, forward hooks and backward hooks around ``forward``."""
        called = set()
        result = None
        try:
            args, kwargs = self._run_forward_pre_hooks(args, kwargs)
            full_hooks, old_hooks = self._get_backward_hooks()
            pre_hooks = self._get_backward_pre_hooks()
            bw_hook = None
            if full_hooks or pre_hooks:
                bw_hook = _BackwardHook(self, full_hooks, pre_hooks)
                args = bw_hook.setup_input_hook(args)
            result = self.forward(*args, **kwargs)
            result = self._run_forward_hooks(args, kwargs, result, called)
            if bw_hook is not None:
                if not isinstance(result, (Tensor, tuple)):
                    warnings.warn("For backward hooks to be called, module output should be a Tensor or a tuple "
                                  f"of Tensors but received {type(result)}", stacklevel=2)
                result = bw_hook.setup_output_hook(result)
            if old_hooks:
                self._attach_old_backward_hooks(result, old_hooks)
            return result
        except Exception:
            self._run_always_called_hooks(args, kwargs, result, called)
            raise

    def _run_forward_pre_hooks(self, args, kwargs):
        for hook_id, hook in (*_global_forward_pre_hooks.items(), *self._forward_pre_hooks.items()):
            if hook_id in self._forward_pre_hooks_with_kwargs:
                out = hook(self, args, kwargs)
                if out is None:
                    continue
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise RuntimeError(f"forward pre-hook must return None or a tuple of (new_args, new_kwargs), "
                                       f"but got {out}.")
                args, kwargs = out
            else:
                out = hook(self, args)
                if out is not None:
                    args = out if isinstance(out, tuple) else (out,)
        return args, kwargs

    def _hook_takes_kwargs(self, hook_id):
        return hook_id in self._forward_hooks_with_kwargs or hook_id in _global_forward_hooks_with_kwargs

    def _run_forward_hooks(self, args, kwargs, result, called):
        for hook_id, hook in (*_global_forward_hooks.items(), *self._forward_hooks.items()):
            if hook_id in self._forward_hooks_always_called or hook_id in _global_forward_hooks_always_called:
                called.add(hook_id)
            if self._hook_takes_kwargs(hook_id):
                out = hook(self, args, kwargs, result)
            else:
                out = hook(self, args, result)
            if out is not None:
                result = out
        return result

    def _run_always_called_hooks(self, args, kwargs, result, called):
        """After forward raised: run the ``always_call`` forward hooks that have not run, silencing their errors."""
        for scope, hooks, always in (("global module", _global_forward_hooks, _global_forward_hooks_always_called),
                                     ("module", self._forward_hooks, self._forward_hooks_always_called)):
            for hook_id, hook in hooks.items():
                if hook_id not in always or hook_id in called:
                    continue
                try:
                    if self._hook_takes_kwargs(hook_id) and scope == "module":
                        out = hook(self, args, kwargs, result)
                    else:
                        out = hook(self, args, result)
                    if out is not None:
                        result = out
                except Exception as exc:
                    warnings.warn(f"{scope} forward hook with ``always_call=True`` raised an exception that was "
                                  f"silenced as another error was raised in forward: {exc}", stacklevel=2)

    def _get_backward_hooks(self):
        """(full hooks, old-style hooks) that apply to this module, global ones first."""
        full, old = [], []
        if _global_is_full_backward_hook is True:
            full += _global_backward_hooks.values()
        if self._is_full_backward_hook is True:
            full += self._backward_hooks.values()
        if _global_is_full_backward_hook is False:
            old += _global_backward_hooks.values()
        if self._is_full_backward_hook is False:
            old += self._backward_hooks.values()
        return full, old

    def _get_backward_pre_hooks(self):
        return [*_global_backward_pre_hooks.values(), *self._backward_pre_hooks.values()]

    def _attach_old_backward_hooks(self, result, hooks):
        """``register_backward_hook``'s behaviour: hooks on the grad_fn of the first output tensor."""
        var = result
        while not isinstance(var, Tensor):
            var = next(v for v in var.values() if isinstance(v, Tensor)) if isinstance(var, dict) else var[0]
        node = var.grad_fn
        if node is None:
            return
        for hook in hooks:
            node.register_hook(functools.partial(_call_old_backward_hook, hook, self))

    # ------------------------------------------------------------------ hook registration
    @staticmethod
    def _add_hook(hooks, hook, prepend, extra=None):
        handle = RemovableHandle(hooks, extra_dict=extra)
        hooks[handle.id] = hook
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """Call ``hook(module, args)`` (or ``hook(module, args, kwargs)``) before forward; may return new inputs.

        >>> m = ember.nn.Identity() if hasattr(ember.nn, "Identity") else ember.nn.Module()
        >>> handle = m.register_forward_pre_hook(lambda mod, args: None); handle.remove()
        """
        handle = self._add_hook(self._forward_pre_hooks, hook, prepend, self._forward_pre_hooks_with_kwargs)
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs[handle.id] = True
        return handle

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        """Call ``hook(module, args, output)`` (or with kwargs) after forward; a returned value replaces the output.

        >>> handle = ember.nn.Module().register_forward_hook(lambda mod, args, out: None); handle.remove()
        """
        handle = self._add_hook(self._forward_hooks, hook, prepend,
                                (self._forward_hooks_with_kwargs, self._forward_hooks_always_called))
        if with_kwargs:
            self._forward_hooks_with_kwargs[handle.id] = True
        if always_call:
            self._forward_hooks_always_called[handle.id] = True
        return handle

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """Call ``hook(module, grad_output)`` when the gradients of the outputs are ready; may return new ones.

        >>> handle = ember.nn.Module().register_full_backward_pre_hook(lambda mod, go: None); handle.remove()
        """
        return self._add_hook(self._backward_pre_hooks, hook, prepend)

    def register_full_backward_hook(self, hook, prepend=False):
        """Call ``hook(module, grad_input, grad_output)`` once the inputs' gradients are computed.

        ``grad_input`` has one entry per positional input (None for non-tensors and inputs
        that need no gradient); a returned tuple replaces it.

        >>> handle = ember.nn.Module().register_full_backward_hook(lambda mod, gi, go: None); handle.remove()
        """
        if self._is_full_backward_hook is False:
            raise RuntimeError("Cannot use both regular backward hooks and full backward hooks on a single Module. "
                               "Please use only one of them.")
        self._is_full_backward_hook = True
        return self._add_hook(self._backward_hooks, hook, prepend)

    def register_backward_hook(self, hook):
        """Deprecated: a hook on the last op of forward (use :meth:`register_full_backward_hook`).

        >>> handle = ember.nn.Module().register_backward_hook(lambda mod, gi, go: None); handle.remove()
        """
        if self._is_full_backward_hook is True:
            raise RuntimeError("Cannot use both regular backward hooks and full backward hooks on a single Module. "
                               "Please use only one of them.")
        self._is_full_backward_hook = False
        return self._add_hook(self._backward_hooks, hook, False)

    # ------------------------------------------------------------------ state_dict
    def register_state_dict_pre_hook(self, hook):
        """Call ``hook(module, prefix, keep_vars)`` before ``state_dict`` collects this module's state.

        >>> handle = ember.nn.Module().register_state_dict_pre_hook(lambda m, p, k: None); handle.remove()
        """
        return self._add_hook(self._state_dict_pre_hooks, hook, False)

    def register_state_dict_post_hook(self, hook):
        """Call ``hook(module, state_dict, prefix, local_metadata)`` after ``state_dict``; it may edit it in place.

        >>> handle = ember.nn.Module().register_state_dict_post_hook(lambda m, s, p, md: None); handle.remove()
        """
        hook._from_public_api = True
        return self._add_hook(self._state_dict_hooks, hook, False)

    def _register_state_dict_hook(self, hook):
        if getattr(hook, "_from_public_api", False):
            raise RuntimeError("Cannot register the same function as the state dict post hook that was previously "
                               "registered via register_state_dict_post_hook")
        return self._add_hook(self._state_dict_hooks, hook, False)

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        """Put this module's own parameters and persistent buffers (not its children's) in ``destination``."""
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if keep_vars else buf.detach()
        if type(self).get_extra_state is not Module.get_extra_state:
            destination[prefix + _EXTRA_STATE_KEY_SUFFIX] = self.get_extra_state()

    def state_dict(self, *args, destination=None, prefix="", keep_vars=False):
        """An OrderedDict of every parameter and persistent buffer by dotted name (detached unless ``keep_vars``).

        The dict's ``_metadata`` records each module's ``_version`` for ``load_state_dict``.

        >>> m = ember.nn.Module(); m.w = ember.nn.Parameter(ember.ones(1))
        >>> m.state_dict()
        OrderedDict({'w': tensor([1.])})
        """
        if args:
            warnings.warn("Positional args are being deprecated, use kwargs instead. Refer to "
                          "https://pytorch.org/docs/main/generated/torch.nn.Module.html#torch.nn.Module.state_dict"
                          " for details.", FutureWarning, stacklevel=2)
            destination = args[0] if destination is None else destination
            if len(args) > 1 and prefix == "":
                prefix = args[1]
            if len(args) > 2 and keep_vars is False:
                keep_vars = args[2]
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        local_metadata = {"version": self._version}
        if hasattr(destination, "_metadata"):
            destination._metadata[prefix[:-1]] = local_metadata
        for hook in self._state_dict_pre_hooks.values():
            hook(self, prefix, keep_vars)
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars)
        for hook in self._state_dict_hooks.values():
            out = hook(self, destination, prefix, local_metadata)
            if getattr(hook, "_from_public_api", False):
                if out is not None:
                    raise RuntimeError("state_dict post-hook must return None")
            elif out is not None:
                destination = out
        return destination

    def _register_load_state_dict_pre_hook(self, hook, with_module=False):
        if with_module:
            hook = functools.partial(hook, self)
        return self._add_hook(self._load_state_dict_pre_hooks, hook, False)

    def register_load_state_dict_pre_hook(self, hook):
        """Call ``hook(module, state_dict, prefix, local_metadata, strict, missing, unexpected, errors)`` first.

        >>> handle = ember.nn.Module().register_load_state_dict_pre_hook(lambda *a: None); handle.remove()
        """
        return self._register_load_state_dict_pre_hook(hook, with_module=True)

    def register_load_state_dict_post_hook(self, hook):
        """Call ``hook(module, incompatible_keys)`` after ``load_state_dict``; it may edit the key lists in place.

        >>> handle = ember.nn.Module().register_load_state_dict_post_hook(lambda m, keys: None); handle.remove()
        """
        return self._add_hook(self._load_state_dict_post_hooks, hook, False)

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs):
        """Copy this module's own entries of ``state_dict`` into its parameters and buffers, noting problems.

        Layers override this (calling super) to upgrade checkpoints saved by older versions:
        ``local_metadata['version']`` is the ``_version`` the checkpoint was saved with.
        """
        for hook in self._load_state_dict_pre_hooks.values():
            hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)
        local_state = {name: p for name, p in self._parameters.items() if p is not None}
        local_state.update((name, b) for name, b in self._buffers.items()
                           if b is not None and name not in self._non_persistent_buffers_set)
        assign = local_metadata.get("assign_to_params_buffers", False)
        for name, param in local_state.items():
            key = prefix + name
            if key in state_dict:
                self._load_one(name, key, param, state_dict[key], assign, error_msgs)
            elif strict:
                missing_keys.append(key)
        extra_key = prefix + _EXTRA_STATE_KEY_SUFFIX
        if type(self).set_extra_state is not Module.set_extra_state:
            if extra_key in state_dict:
                self.set_extra_state(state_dict[extra_key])
            elif strict:
                missing_keys.append(extra_key)
        elif strict and extra_key in state_dict:
            unexpected_keys.append(extra_key)
        if strict:
            for key in state_dict:
                if not key.startswith(prefix) or key == extra_key:
                    continue
                parts = key[len(prefix):].split(".", 1)
                known = self._modules if len(parts) > 1 else local_state
                if parts[0] not in known:
                    unexpected_keys.append(key)

    def _load_one(self, name, key, param, value, assign, error_msgs):
        """Copy (or with ``assign``, install) one checkpoint tensor, appending PyTorch's message on failure."""
        if not isinstance(value, Tensor):
            error_msgs.append(f'While copying the parameter named "{key}", expected torch.Tensor or Tensor-like '
                              f"object from checkpoint but received {type(value)}")
            return
        if param.dim() == 0 and value.dim() == 1 and value.shape[0] == 1:
            value = value[0]        # old checkpoints stored scalars as 1-element vectors
        if value.shape != param.shape:
            error_msgs.append(f"size mismatch for {key}: copying a param with shape {value.shape} from checkpoint, "
                              f"the shape in current model is {param.shape}.")
            return
        try:
            with no_grad():
                if assign:
                    if isinstance(param, Parameter):
                        if isinstance(value, Parameter):
                            value.requires_grad_(param.requires_grad)
                        else:
                            value = Parameter(value, requires_grad=param.requires_grad)
                    setattr(self, name, value)
                else:
                    param.copy_(value)
        except Exception as exc:
            error_msgs.append(f'While copying the parameter named "{key}", whose dimensions in the model are '
                              f"{param.size()} and whose dimensions in the checkpoint are {value.size()}, an "
                              f"exception occurred : {exc.args}.")

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy parameters and buffers from ``state_dict`` (keys as ``state_dict()`` makes them).

        With ``strict`` missing or unexpected keys raise RuntimeError; otherwise they are
        returned as ``(missing_keys, unexpected_keys)``. ``assign=True`` installs the given
        tensors instead of copying into the existing ones.

        >>> m = ember.nn.Module(); m.w = ember.nn.Parameter(ember.ones(1))
        >>> m.load_state_dict({"w": ember.zeros(1)})
        <All keys matched successfully>
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing, unexpected, errors = [], [], []
        metadata = getattr(state_dict, "_metadata", None)
        state_dict = OrderedDict(state_dict)
        if metadata is not None:
            state_dict._metadata = metadata
        self._load_tree(state_dict, "", metadata, assign, missing, unexpected, errors)
        if strict:
            if unexpected:
                errors.insert(0, f"Unexpected key(s) in state_dict: {_quoted(unexpected)}. ")
            if missing:
                errors.insert(0, f"Missing key(s) in state_dict: {_quoted(missing)}. ")
        if errors:
            raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(type(self).__name__,
                                                                                   "\n\t".join(errors)))
        return _IncompatibleKeys(missing, unexpected)

    def _load_tree(self, local_state, prefix, metadata, assign, missing, unexpected, errors):
        """Load this module's entries, then each child's (given only the keys under its prefix), then post hooks."""
        local_metadata = {} if metadata is None else metadata.get(prefix[:-1], {})
        if assign:
            local_metadata["assign_to_params_buffers"] = assign
        self._load_from_state_dict(local_state, prefix, local_metadata, True, missing, unexpected, errors)
        for name, child in self._modules.items():
            if child is None:
                continue
            child_prefix = prefix + name + "."
            child_state = {k: v for k, v in local_state.items() if k.startswith(child_prefix)}
            child._load_tree(child_state, child_prefix, metadata, assign, missing, unexpected, errors)
        keys = _IncompatibleKeys(missing, unexpected)
        for hook in self._load_state_dict_post_hooks.values():
            if hook(self, keys) is not None:
                raise AssertionError("Hooks registered with ``register_load_state_dict_post_hook`` are not expected "
                                     "to return new values, if incompatible_keys need to be modified, it should be "
                                     "done inplace.")

    # ------------------------------------------------------------------ repr
    def extra_repr(self):
        """Override to show a layer's settings inside its repr (e.g. ``in_features=3, out_features=2``)."""
        return ""

    def _get_name(self):
        return type(self).__name__

    def __repr__(self):
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + _addindent(repr(module), 2) for name, module in self._modules.items()]
        lines = extra_lines + child_lines
        text = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                text += extra_lines[0]
            else:
                text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"

    def compile(self, *args, **kwargs):
        """``torch.compile`` in place: ember runs eagerly, so this leaves the module as it is."""
        return None


def _quoted(keys):
    return ", ".join(f'"{key}"' for key in keys)


def _call_old_backward_hook(hook, module, grad_inputs, grad_outputs):
    return hook(module, grad_inputs, grad_outputs)
