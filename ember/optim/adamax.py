"""Adamax: Adam with the infinity norm in place of the second moment."""

from .._device import array_module
from .optimizer import (
    Optimizer,
    _check_betas,
    _check_lr_eps,
    _check_unsupported,
    _lerp_,
    _scalar,
    _state_scalar,
    _steps_as_tensors,
    _zeros_state,
)

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Implements the Adamax algorithm (Adam based on the infinity norm), as ``torch.optim.Adamax``.

    >>> w = ember.tensor([1.0], requires_grad=True)
    >>> opt = ember.optim.Adamax([w], lr=0.1)
    >>> (w * w).sum().backward(); _ = opt.step()
    >>> w
    tensor([0.9000], requires_grad=True)
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        _check_lr_eps(lr, eps)
        _check_betas(betas, weight_decay)
        _check_unsupported("Adamax", capturable=capturable, differentiable=differentiable)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "capturable": capturable}
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
        beta1, beta2 = group["betas"]
        return _scalar(group["lr"]), beta1, beta2, group["eps"], group["weight_decay"], group["maximize"]

    def _init_state(self, p, state, group):
        state["step"] = _state_scalar(0.0)
        state["exp_avg"] = _zeros_state(p)
        state["exp_inf"] = _zeros_state(p)

    def _update(self, param, grad, state, lr, beta1, beta2, eps, weight_decay, maximize):
        """One Adamax step on raw arrays, in PyTorch's order of operations."""
        xp = array_module(param)
        tmp = self._scratch(param)
        exp_avg, exp_inf = state["exp_avg"]._data, state["exp_inf"]._data
        step_t = state["step"]._data
        step_t += 1
        if maximize:
            grad = xp.negative(grad)
        if weight_decay != 0:
            grad = grad + weight_decay * param
        _lerp_(exp_avg, grad, 1 - beta1, tmp)
        exp_inf *= beta2
        xp.abs(grad, out=tmp)
        tmp += eps
        xp.maximum(exp_inf, tmp, out=exp_inf)
        clr = lr / (1 - beta1 ** float(step_t))
        xp.multiply(exp_avg, -clr, out=tmp)
        tmp /= exp_inf
        param += tmp
