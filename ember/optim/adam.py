"""Adam: adaptive moment estimation, with AMSGrad, L2 or decoupled weight decay, and maximize."""

from .._device import array_module
from .._tensor import Tensor
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

__all__ = ["Adam"]


class Adam(Optimizer):
    """Implements the Adam algorithm, as ``torch.optim.Adam``.

    >>> w = ember.tensor([1.0], requires_grad=True)
    >>> opt = ember.optim.Adam([w], lr=0.1)
    >>> (w * w).sum().backward(); _ = opt.step()
    >>> w
    tensor([0.9000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        _check_lr_eps(lr, eps)
        _check_betas(betas, weight_decay)
        both_float = isinstance(betas[0], float) and isinstance(betas[1], float)
        both_tensor = isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor)
        if not (both_float or both_tensor):
            raise ValueError("betas must be either both floats or both Tensors")
        for i, beta in enumerate(betas):
            if isinstance(beta, Tensor) and beta.numel() != 1:
                raise ValueError(f"Tensor betas[{i}] must be 1-element")
        _check_unsupported(type(self).__name__, fused=fused, capturable=capturable, differentiable=differentiable)
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable, "fused": fused, "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            for key, default in (("amsgrad", False), ("maximize", False), ("foreach", None), ("capturable", False),
                                 ("differentiable", False), ("decoupled_weight_decay", False), ("fused", None)):
                group.setdefault(key, default)
        _steps_as_tensors(self)

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns ``closure()``'s loss when given."""
        return self._step_each(closure)

    def _hyperparameters(self, group):
        beta1, beta2 = (_scalar(b) for b in group["betas"])
        return (_scalar(group["lr"]), beta1, beta2, group["eps"], _scalar(group["weight_decay"]), group["amsgrad"],
                group["maximize"], group["decoupled_weight_decay"])

    def _init_state(self, p, state, group):
        state["step"] = _state_scalar(0.0)
        state["exp_avg"] = _zeros_state(p)
        state["exp_avg_sq"] = _zeros_state(p)
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = _zeros_state(p)

    def _update(self, param, grad, state, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, decoupled):
        """One Adam step on raw arrays, in PyTorch's order of operations."""
        xp = array_module(param)
        tmp = self._scratch(param)
        exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
        step_t = state["step"]._data
        step_t += 1
        step = float(step_t)
        if maximize:
            grad = xp.negative(grad)
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
        step_size = lr / (1 - beta1 ** step)
        bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
        second = exp_avg_sq
        if amsgrad:
            second = state["max_exp_avg_sq"]._data
            xp.maximum(second, exp_avg_sq, out=second)
        denom = xp.sqrt(second, out=self._scratch(param, 1))
        denom /= bias_correction2_sqrt
        denom += eps
        xp.multiply(exp_avg, -step_size, out=tmp)
        tmp /= denom
        param += tmp
