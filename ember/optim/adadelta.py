"""Adadelta: step sizes from running averages of squared gradients and squared updates."""

from .._device import array_module
from .optimizer import (
    Optimizer,
    _check_nonnegative,
    _check_tensor_lr,
    _check_unsupported,
    _scalar,
    _state_scalar,
    _steps_as_tensors,
    _zeros_state,
)

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Implements the Adadelta algorithm, as ``torch.optim.Adadelta``.

    >>> w = ember.tensor([1.0], requires_grad=True)
    >>> opt = ember.optim.Adadelta([w])
    >>> (w * w).sum().backward(); _ = opt.step()
    >>> round(w.item(), 4)
    0.9968
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        _check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        _check_nonnegative("weight_decay", weight_decay)
        _check_unsupported("Adadelta", capturable=capturable, differentiable=differentiable)
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                    "capturable": capturable, "foreach": foreach, "differentiable": differentiable}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            for key, default in (("foreach", None), ("maximize", False), ("differentiable", False),
                                 ("capturable", False)):
                group.setdefault(key, default)
        _steps_as_tensors(self)

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns ``closure()``'s loss when given."""
        return self._step_each(closure)

    def _hyperparameters(self, group):
        return _scalar(group["lr"]), group["rho"], group["eps"], group["weight_decay"], group["maximize"]

    def _init_state(self, p, state, group):
        state["step"] = _state_scalar(0.0)
        state["square_avg"] = _zeros_state(p)
        state["acc_delta"] = _zeros_state(p)

    def _update(self, param, grad, state, lr, rho, eps, weight_decay, maximize):
        """One Adadelta step on raw arrays, in PyTorch's order of operations."""
        xp = array_module(param)
        tmp, std = self._scratch(param), self._scratch(param, 1)
        square_avg, acc_delta = state["square_avg"]._data, state["acc_delta"]._data
        state["step"]._data += 1
        if maximize:
            grad = xp.negative(grad)
        if weight_decay != 0:
            grad = grad + weight_decay * param
        square_avg *= rho
        xp.multiply(grad, 1 - rho, out=tmp)
        tmp *= grad
        square_avg += tmp
        xp.add(square_avg, eps, out=std)
        xp.sqrt(std, out=std)
        delta = xp.add(acc_delta, eps, out=tmp)
        xp.sqrt(delta, out=delta)
        delta /= std
        delta *= grad
        acc_delta *= rho
        xp.multiply(delta, 1 - rho, out=std)
        std *= delta
        acc_delta += std
        xp.multiply(delta, lr, out=std)
        param -= std
