"""Adagrad: per-coordinate learning rates from the running sum of squared gradients."""

from .._device import array_module
from .._tensor import Tensor
from .optimizer import (
    Optimizer,
    _check_lr_eps,
    _check_nonnegative,
    _check_tensor_lr,
    _check_unsupported,
    _scalar,
    _state_scalar,
    _steps_as_tensors,
)

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Implements the Adagrad algorithm, as ``torch.optim.Adagrad`` (state is created in the constructor).

    >>> w = ember.tensor([1.0], requires_grad=True)
    >>> opt = ember.optim.Adagrad([w], lr=0.1)
    >>> (w * w).sum().backward(); _ = opt.step()
    >>> w
    tensor([0.9000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        _check_nonnegative("lr_decay", lr_decay)
        _check_nonnegative("weight_decay", weight_decay)
        _check_nonnegative("initial_accumulator_value", initial_accumulator_value)
        _check_lr_eps(lr, eps)
        _check_unsupported("Adagrad", fused=fused, differentiable=differentiable)
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, self.state[p], group)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            for key, default in (("foreach", None), ("maximize", False), ("differentiable", False), ("fused", None)):
                group.setdefault(key, default)
        _steps_as_tensors(self)

    def share_memory(self):
        """PyTorch moves the 'sum' states to shared memory; NumPy arrays need nothing."""

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns ``closure()``'s loss when given."""
        return self._step_each(closure)

    def _hyperparameters(self, group):
        return _scalar(group["lr"]), group["weight_decay"], group["lr_decay"], group["eps"], group["maximize"]

    def _init_state(self, p, state, group):
        state["step"] = _state_scalar(0.0)
        xp = array_module(p._data)
        state["sum"] = Tensor._make(xp.full_like(p._data, self.defaults["initial_accumulator_value"]))

    def _update(self, param, grad, state, lr, weight_decay, lr_decay, eps, maximize):
        """One Adagrad step on raw arrays, in PyTorch's order of operations."""
        xp = array_module(param)
        tmp = self._scratch(param)
        state_sum = state["sum"]._data
        step_t = state["step"]._data
        step_t += 1
        step = float(step_t)
        if maximize:
            grad = xp.negative(grad)
        if weight_decay != 0:
            grad = grad + weight_decay * param
        clr = lr / (1 + (step - 1) * lr_decay)
        xp.multiply(grad, grad, out=tmp)
        state_sum += tmp
        std = xp.sqrt(state_sum, out=self._scratch(param, 1))
        std += eps
        xp.multiply(grad, -clr, out=tmp)
        tmp /= std
        param += tmp
