"""RAdam: Adam with a rectified (variance-corrected) adaptive learning rate."""

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

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """Implements the RAdam algorithm, as ``torch.optim.RAdam``.

    >>> w = ember.tensor([1.0], requires_grad=True)
    >>> opt = ember.optim.RAdam([w], lr=0.1)
    >>> (w * w).sum().backward(); _ = opt.step()
    >>> w
    tensor([0.8000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
                 *, foreach=None, maximize=False, capturable=False, differentiable=False):
        _check_lr_eps(lr, eps)
        _check_betas(betas, weight_decay)
        _check_unsupported("RAdam", capturable=capturable, differentiable=differentiable)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable, "decoupled_weight_decay": decoupled_weight_decay,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            for key, default in (("foreach", None), ("maximize", False), ("differentiable", False),
                                 ("decoupled_weight_decay", False), ("capturable", False)):
                group.setdefault(key, default)
        _steps_as_tensors(self)

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns ``closure()``'s loss when given."""
        return self._step_each(closure)

    def _hyperparameters(self, group):
        beta1, beta2 = group["betas"]
        return (_scalar(group["lr"]), beta1, beta2, group["eps"], group["weight_decay"],
                group["decoupled_weight_decay"], group["maximize"])

    def _init_state(self, p, state, group):
        state["step"] = _state_scalar(0.0)
        state["exp_avg"] = _zeros_state(p)
        state["exp_avg_sq"] = _zeros_state(p)

    def _update(self, param, grad, state, lr, beta1, beta2, eps, weight_decay, decoupled, maximize):
        """One RAdam step on raw arrays, in PyTorch's order of operations."""
        xp = array_module(param)
        tmp, update = self._scratch(param), self._scratch(param, 1)
        exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
        if maximize:
            grad = xp.negative(grad)
        step_t = state["step"]._data
        step_t += 1
        step = float(step_t)
        if weight_decay != 0:
            if decoupled:
                param *= 1 - lr * weight_decay
            else:
                grad = grad + weight_decay * param
        _lerp_(exp_avg, grad, 1 - beta1, tmp)
        exp_avg_sq *= beta2
        xp.multiply(grad, 1 - beta2, out=tmp)
        tmp *= grad
        exp_avg_sq += tmp
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        xp.divide(exp_avg, bias_correction1, out=update)
        update *= lr
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        if rho_t > 5.0:
            xp.sqrt(exp_avg_sq, out=tmp)             # the adaptive lr: sqrt(bc2) / (sqrt(v) + eps)
            tmp += eps
            xp.reciprocal(tmp, out=tmp)
            tmp *= bias_correction2 ** 0.5
            update *= tmp
            update *= ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        param -= update
