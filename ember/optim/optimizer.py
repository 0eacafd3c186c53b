"""The Optimizer base class: parameter groups, per-parameter state, state dicts and hooks.

Subclasses give ``defaults`` (their hyperparameters) and a ``step`` that updates each
parameter's raw array in place. ``state_dict()`` has PyTorch's exact layout, so a
state dict saved by ``torch.optim`` loads here (tensor by tensor) and the other way.
"""

import functools
import warnings
from collections import OrderedDict, defaultdict
from copy import deepcopy
from itertools import chain

import numpy as np

from .. import _dtype
from .._device import array_module
from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad

__all__ = ["Optimizer", "register_optimizer_step_pre_hook", "register_optimizer_step_post_hook"]


class _RequiredParameter:
    """The default of a hyperparameter every param group must give."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()

_global_step_pre_hooks = OrderedDict()
_global_step_post_hooks = OrderedDict()


class RemovableHandle:
    """Returned by the ``register_*_hook`` methods; ``remove()`` takes the hook away again."""

    _next_id = 0

    def __init__(self, hooks_dict):
        self.hooks_dict_ref = hooks_dict
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self):
        self.hooks_dict_ref.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _add_hook(hooks_dict, hook, prepend=False):
    handle = RemovableHandle(hooks_dict)
    hooks_dict[handle.id] = hook
    if prepend:
        hooks_dict.move_to_end(handle.id, last=False)
    return handle


def register_optimizer_step_pre_hook(hook):
    """Call ``hook(optimizer, args, kwargs)`` before every optimizer's ``step``.

    >>> handle = ember.optim.optimizer.register_optimizer_step_pre_hook(lambda opt, a, k: None)
    >>> handle.remove()
    """
    return _add_hook(_global_step_pre_hooks, hook)


def register_optimizer_step_post_hook(hook):
    """Call ``hook(optimizer, args, kwargs)`` after every optimizer's ``step``.

    >>> handle = ember.optim.optimizer.register_optimizer_step_post_hook(lambda opt, a, k: None)
    >>> handle.remove()
    """
    return _add_hook(_global_step_post_hooks, hook)


def _typename(obj):
    """``torch.typename``: the qualified type name used in error messages."""
    cls = type(obj)
    module = cls.__module__
    return cls.__qualname__ if module in (None, "builtins") else f"{module}.{cls.__qualname__}"


def _hooked_step(step):
    """Wrap a class's ``step`` so the global and per-optimizer step hooks run around it."""
    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        if _global_step_pre_hooks or self._optimizer_step_pre_hooks:
            for pre_hook in chain(_global_step_pre_hooks.values(), self._optimizer_step_pre_hooks.values()):
                result = pre_hook(self, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise RuntimeError(f"{step} must return None or a tuple of (new_args, new_kwargs), "
                                           f"but got {result}.")
                    args, kwargs = result
        out = step(self, *args, **kwargs)
        if self._optimizer_step_post_hooks or _global_step_post_hooks:
            for post_hook in chain(self._optimizer_step_post_hooks.values(), _global_step_post_hooks.values()):
                post_hook(self, args, kwargs)
        return out

    wrapper.hooked = True
    return wrapper


# ---------------------------------------------------------------------- helpers for the update rules
def _scalar(value):
    """A hyperparameter as a number; a one-element Tensor lr becomes a NumPy scalar of its dtype, so the
    arithmetic on it keeps that precision as PyTorch's tensor arithmetic does."""
    return value._data.reshape(())[()] if isinstance(value, Tensor) else value


def _check_tensor_lr(lr):
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")


def _check_lr_eps(lr, eps):
    """PyTorch's checks on ``lr`` and ``eps``."""
    _check_tensor_lr(lr)
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")


def _check_betas(betas, weight_decay):
    """PyTorch's range checks on ``betas`` (each in [0, 1)) and ``weight_decay``."""
    for i in (0, 1):
        if not 0.0 <= betas[i] < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {betas[i]}")
    _check_nonnegative("weight_decay", weight_decay)


def _check_nonnegative(name, value):
    if not 0.0 <= value:
        raise ValueError(f"Invalid {name} value: {value}")


def _check_unsupported(name, fused=None, capturable=False, differentiable=False):
    """ember's optimizers update arrays outside autograd, on the CPU: say so for flags that need more."""
    for flag, value in (("fused", fused), ("capturable", capturable), ("differentiable", differentiable)):
        if value:
            raise RuntimeError(f"{name}: {flag}=True is not supported by ember (its optimizers update the "
                               f"parameters' arrays in place, outside autograd); pass {flag}=False or leave it "
                               "unset")


def _scalar_dtype():
    """The dtype of state scalars such as 'step': float32, or float64 when that is the default dtype."""
    return _dtype.float64 if _dtype.get_default_dtype() is _dtype.float64 else _dtype.float32


def _state_scalar(value):
    """A 0-dim state tensor ('step', 'mu_product') like PyTorch's ``torch.tensor(value)``."""
    return Tensor._make(np.array(value, dtype=_scalar_dtype().np_dtype))


def _zeros_state(p):
    """A zero state tensor with the parameter's shape, dtype and memory layout."""
    return Tensor._make(array_module(p._data).zeros_like(p._data))


def _steps_as_tensors(optimizer, keys=("step",)):
    """Older state dicts keep 'step' as a number; make it a 0-dim tensor as ``__setstate__`` does in PyTorch."""
    for group in optimizer.param_groups:
        for p in group["params"]:
            p_state = optimizer.state.get(p, {})
            for key in keys:
                if len(p_state) != 0 and key in p_state and not isinstance(p_state[key], Tensor):
                    p_state[key] = _state_scalar(float(p_state[key]))


def _lerp_(start, end, weight, tmp):
    """``start.lerp_(end, weight)`` with PyTorch's two formulas (small and large weights)."""
    array_module(start).subtract(end, start, out=tmp)
    if abs(weight) < 0.5:
        tmp *= weight
        start += tmp
    else:
        tmp *= start.dtype.type(weight) - 1
        array_module(start).add(end, tmp, out=start)


class Optimizer:
    """Base class for all optimizers: ``param_groups``, ``state``, ``step``, ``zero_grad`` and state dicts.

    ``params`` is an iterable of tensors, of ``(name, tensor)`` pairs, or of dicts
    (parameter groups with their own options); ``defaults`` holds each option's default.

    >>> w = ember.zeros(3, requires_grad=True)
    >>> opt = ember.optim.SGD([w], lr=0.1)
    >>> opt.param_groups[0]['lr']
    0.1
    """

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        self._optimizer_state_dict_pre_hooks = OrderedDict()
        self._optimizer_state_dict_post_hooks = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks = OrderedDict()
        self._optimizer_load_state_dict_post_hooks = OrderedDict()
        self._patch_step_function()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            f"but got {params.type()}")
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)
        self._warned_capturable_if_run_uncaptured = True

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks", "_optimizer_state_dict_pre_hooks",
                     "_optimizer_state_dict_post_hooks", "_optimizer_load_state_dict_pre_hooks",
                     "_optimizer_load_state_dict_post_hooks"):
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())
        self._patch_step_function()
        self.defaults.setdefault("differentiable", False)

    def __repr__(self):
        text = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            text += "".join(f"    {key}: {group[key]}\n" for key in sorted(group) if key != "params")
        return text + ")"

    def _patch_step_function(self):
        """Make ``step`` run the step hooks (PyTorch patches the class on first use, and so do we)."""
        self._zero_grad_profile_name = f"Optimizer.zero_grad#{self.__class__.__name__}.zero_grad"
        if not getattr(self.__class__.step, "hooked", False):
            self.__class__.step = _hooked_step(self.__class__.step)

    def _scratch(self, array, slot=0):
        """A reusable temporary array shaped like ``array`` (the update rules' ``out=`` buffers)."""
        buffers = self.__dict__.setdefault("_scratch_buffers", {})
        key = (array.shape, array.dtype.str, slot)
        buf = buffers.get(key)
        if buf is None:
            buf = buffers[key] = array_module(array).empty(array.shape, dtype=array.dtype)
        return buf

    def _step_each(self, closure):
        """The common ``step``: for each group, ``_update`` every parameter that has a gradient."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            hyper = self._hyperparameters(group)
            for p, state in self._params_with_grads(group):
                self._update(p._data, p._grad._data, state, *hyper)
                p._bump_version()
        return loss

    def _params_with_grads(self, group):
        """Yield ``(param, state)`` for the group's parameters that have a gradient, creating empty state."""
        for p in group["params"]:
            if p._grad is None:
                continue
            state = self.state[p]
            if len(state) == 0:
                self._init_state(p, state, group)
            yield p, state

    def _closure_loss(self, closure):
        if closure is None:
            return None
        with enable_grad():
            return closure()

    # ------------------------------------------------------------------ parameter groups
    def add_param_group(self, param_group):
        """Add a group of parameters (a dict with 'params' and optional options) to ``param_groups``.

        >>> a, b = ember.zeros(2, requires_grad=True), ember.zeros(2, requires_grad=True)
        >>> opt = ember.optim.SGD([a], lr=0.1)
        >>> opt.add_param_group({'params': [b], 'lr': 0.01})
        >>> [g['lr'] for g in opt.param_groups]
        [0.1, 0.01]
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering of "
                            "tensors in sets will change between runs. Please use a list instead.")
        else:
            param_group["params"] = list(params)
        self._split_names(param_group)
        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is " + _typename(param))
            if not self.defaults.get("differentiable", None) and not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)
        params = param_group["params"]
        if len(params) != len(set(params)):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this will cause "
                          "an error; see github.com/pytorch/pytorch/issues/40967 for more information", stacklevel=3)
        param_set = set()
        for group in self.param_groups:
            param_set.update(group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                current = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {current} to the optimizer")
        if not param_set.isdisjoint(param_group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    @staticmethod
    def _split_names(param_group):
        """``(name, tensor)`` pairs (from ``named_parameters()``) become 'params' plus 'param_names'."""
        names, tensors = [], []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            param_group["param_names"] = names

    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all optimized tensors: to None (the default), or to zeros.

        >>> w = ember.ones(2, requires_grad=True)
        >>> (w * 2).sum().backward()
        >>> opt = ember.optim.SGD([w]); opt.zero_grad(); print(w.grad)
        None
        """
        for group in self.param_groups:
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                if set_to_none:
                    p._drop_grad()
                    continue
                if grad._grad_fn is not None:
                    grad.detach_()
                else:
                    grad.requires_grad_(False)
                grad._data.fill(0)
                grad._bump_version()

    def step(self, closure=None):
        """Perform one optimization step (each optimizer defines it)."""
        raise NotImplementedError

    # ------------------------------------------------------------------ hooks
    def register_step_pre_hook(self, hook):
        """Call ``hook(optimizer, args, kwargs)`` before ``step``; it may return new ``(args, kwargs)``."""
        return _add_hook(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        """Call ``hook(optimizer, args, kwargs)`` after ``step``."""
        return _add_hook(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        """Call ``hook(optimizer)`` before ``state_dict`` builds its dict."""
        return _add_hook(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        """Call ``hook(optimizer, state_dict)`` after ``state_dict``; a returned dict replaces it."""
        return _add_hook(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        """Call ``hook(optimizer, state_dict)`` before loading; a returned dict is loaded instead."""
        return _add_hook(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        """Call ``hook(optimizer)`` after ``load_state_dict``."""
        return _add_hook(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # ------------------------------------------------------------------ state dicts
    def state_dict(self):
        """The optimizer's state as ``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}``.

        >>> w = ember.zeros(2, requires_grad=True)
        >>> ember.optim.SGD([w], lr=0.1).state_dict()['param_groups'][0]['params']
        [0]
        """
        for pre_hook in self._optimizer_state_dict_pre_hooks.values():
            pre_hook(self)
        index_of = {}
        packed_groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            start = len(index_of)
            for i, p in enumerate(group["params"], start):
                index_of.setdefault(id(p), i)
            packed["params"] = [index_of[id(p)] for p in group["params"]]
            packed_groups.append(packed)
        packed_state = {(index_of[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        state_dict = {"state": packed_state, "param_groups": packed_groups}
        for post_hook in self._optimizer_state_dict_post_hooks.values():
            result = post_hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    def load_state_dict(self, state_dict):
        """Load a state dict from ``state_dict()`` (the groups must match this optimizer's in number and size).

        >>> w = ember.zeros(2, requires_grad=True)
        >>> opt = ember.optim.SGD([w], lr=0.1)
        >>> opt.load_state_dict(opt.state_dict())
        """
        state_dict = state_dict.copy()
        for pre_hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = pre_hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                             "optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))
        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = _cast_state(param, v, _group_flags(state_dict["param_groups"], k))
            else:
                state[k] = v
        new_groups = []
        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
            new_groups.append(saved)
        self.__setstate__({"state": state, "param_groups": new_groups})
        for post_hook in self._optimizer_load_state_dict_post_hooks.values():
            post_hook(self)


def _group_flags(saved_groups, param_id):
    """Whether the saved group holding ``param_id`` was fused or capturable (then 'step' becomes float32)."""
    for group in saved_groups:
        if param_id in group["params"]:
            return bool(group.get("fused", False) or group.get("capturable", False))
    return False


def _cast_state(param, value, fused_or_capturable, key=None):
    """A state value with its tensors cast to the parameter's dtype ('step' stays as it is), as PyTorch does."""
    if isinstance(value, Tensor):
        if key == "step":
            return value.to(_dtype.float32) if fused_or_capturable else value
        return value.to(param.dtype) if param.is_floating_point() else value
    if isinstance(value, dict):
        return {k: _cast_state(param, v, fused_or_capturable, key=k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast_state(param, v, fused_or_capturable) for v in value)
    return value
