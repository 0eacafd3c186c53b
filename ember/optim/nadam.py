"""NAdam: Adam with Nesterov momentum (and its momentum-decay schedule)."""

from .._device import array_module
from .optimizer import (
    Optimizer,
    _check_betas,
    _check_lr_eps,
    _check_nonnegative,
    _check_unsupported,
    _lerp_,
    _scalar,
    _state_scalar,
    _steps_as_tensors,
    _zeros_state,
)

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """Implements the NAdam algorithm, as ``torch.optim.NAdam``.

    >>> w = ember.tensor([1.0], requires_grad=True)
    >>> opt = ember.optim.NAdam([w], lr=0.1)
    >>> (w * w).sum().backward(); _ = opt.step()
    >>> round(w.item(), 4)
    0.8944
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _check_lr_eps(lr, eps)
        _check_betas(betas, weight_decay)
        _check_nonnegative("momentum_decay", momentum_decay)
        _check_unsupported("NAdam", capturable=capturable, differentiable=differentiable)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay, "decoupled_weight_decay": decoupled_weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            for key, default in (("maximize", False), ("foreach", None), ("capturable", False),
                                 ("differentiable", False), ("decoupled_weight_decay", False)):
                group.setdefault(key, default)
        _steps_as_tensors(self, ("step", "mu_product"))

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns ``closure()``'s loss when given."""
        return self._step_each(closure)

    def _hyperparameters(self, group):
        beta1, beta2 = group["betas"]
        return (_scalar(group["lr"]), beta1, beta2, group["eps"], group["weight_decay"], group["momentum_decay"],
                group["decoupled_weight_decay"], group["maximize"])

    def _init_state(self, p, state, group):
        state["step"] = _state_scalar(0.0)
        state["mu_product"] = _state_scalar(1.0)
        state["exp_avg"] = _zeros_state(p)
        state["exp_avg_sq"] = _zeros_state(p)

    def _update(self, param, grad, state, lr, beta1, beta2, eps, weight_decay, momentum_decay, decoupled, maximize):
        """One NAdam step on raw arrays, in PyTorch's order of operations."""
        xp = array_module(param)
        tmp, denom = self._scratch(param), self._scratch(param, 1)
        exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
        step_t, mu_product = state["step"]._data, state["mu_product"]._data
        if maximize:
            grad = xp.negative(grad)
        step_t += 1
        step = float(step_t)
        bias_correction2 = 1 - beta2 ** step
        if weight_decay != 0:
            if decoupled:
                param *= 1 - lr * weight_decay
            else:
                grad = grad + weight_decay * param
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        mu_product *= mu
        _lerp_(exp_avg, grad, 1 - beta1, tmp)
        exp_avg_sq *= beta2
        xp.multiply(grad, 1 - beta2, out=tmp)
        tmp *= grad
        exp_avg_sq += tmp
        xp.divide(exp_avg_sq, bias_correction2, out=denom)
        xp.sqrt(denom, out=denom)
        mu_product_next = float(mu_product) * mu_next
        denom += eps
        xp.multiply(grad, -lr * (1.0 - mu) / (1.0 - float(mu_product)), out=tmp)
        tmp /= denom
        param += tmp
        xp.multiply(exp_avg, (-lr * mu_next) / (1.0 - mu_product_next), out=tmp)
        tmp /= denom
        param += tmp
