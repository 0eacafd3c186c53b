"""RMSprop: divide the gradient by a running root mean square of recent gradients."""

from .._device import array_module
from .optimizer import (
    Optimizer,
    _check_lr_eps,
    _check_nonnegative,
    _check_unsupported,
    _lerp_,
    _scalar,
    _state_scalar,
    _steps_as_tensors,
    _zeros_state,
)

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """Implements the RMSprop algorithm (optionally centered, with momentum), as ``torch.optim.RMSprop``.

    >>> w = ember.tensor([1.0], requires_grad=True)
    >>> opt = ember.optim.RMSprop([w], lr=0.01)
    >>> (w * w).sum().backward(); _ = opt.step()
    >>> w
    tensor([0.9000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check_lr_eps(lr, eps)
        _check_nonnegative("momentum", momentum)
        _check_nonnegative("weight_decay", weight_decay)
        _check_nonnegative("alpha", alpha)
        _check_unsupported("RMSprop", capturable=capturable, differentiable=differentiable)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                    "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            for key, default in (("momentum", 0), ("centered", False), ("foreach", None), ("maximize", False),
                                 ("differentiable", False), ("capturable", False)):
                group.setdefault(key, default)
        _steps_as_tensors(self)

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns ``closure()``'s loss when given."""
        return self._step_each(closure)

    def _hyperparameters(self, group):
        return (_scalar(group["lr"]), group["alpha"], group["eps"], group["weight_decay"], group["momentum"],
                group["centered"], group["maximize"])

    def _init_state(self, p, state, group):
        state["step"] = _state_scalar(0.0)
        state["square_avg"] = _zeros_state(p)
        if group["momentum"] > 0:
            state["momentum_buffer"] = _zeros_state(p)
        if group["centered"]:
            state["grad_avg"] = _zeros_state(p)

    def _update(self, param, grad, state, lr, alpha, eps, weight_decay, momentum, centered, maximize):
        """One RMSprop step on raw arrays, in PyTorch's order of operations."""
        xp = array_module(param)
        tmp = self._scratch(param)
        square_avg = state["square_avg"]._data
        state["step"]._data += 1
        if maximize:
            grad = xp.negative(grad)
        if weight_decay != 0:
            grad = grad + weight_decay * param
        square_avg *= alpha
        xp.multiply(grad, 1 - alpha, out=tmp)
        tmp *= grad
        square_avg += tmp
        avg = self._scratch(param, 1)
        if centered:
            grad_avg = state["grad_avg"]._data
            _lerp_(grad_avg, grad, 1 - alpha, tmp)
            xp.multiply(grad_avg, -1, out=tmp)
            tmp *= grad_avg
            xp.add(square_avg, tmp, out=avg)
            xp.sqrt(avg, out=avg)
        else:
            xp.sqrt(square_avg, out=avg)
        avg += eps
        if momentum > 0:
            buf = state["momentum_buffer"]._data
            buf *= momentum
            xp.divide(grad, avg, out=tmp)
            buf += tmp
            xp.multiply(buf, lr, out=tmp)
            param -= tmp
        else:
            xp.multiply(grad, -lr, out=tmp)
            tmp /= avg
            param += tmp
