"""Stochastic gradient descent, with momentum, dampening, Nesterov momentum and weight decay."""

from .._device import array_module
from .._tensor import Tensor
from .optimizer import Optimizer, _check_tensor_lr, _check_unsupported, _scalar

__all__ = ["SGD"]


class SGD(Optimizer):
    """Implements stochastic gradient descent (optionally with momentum), as ``torch.optim.SGD``.

    >>> w = ember.tensor([1.0], requires_grad=True)
    >>> opt = ember.optim.SGD([w], lr=0.1, momentum=0.9)
    >>> (w * w).sum().backward(); _ = opt.step()
    >>> w
    tensor([0.8000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        _check_tensor_lr(lr)
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
                    "nesterov": nesterov, "maximize": maximize, "foreach": foreach,
                    "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        _check_unsupported("SGD", fused=fused, differentiable=differentiable)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            for key, default in (("nesterov", False), ("maximize", False), ("foreach", None),
                                 ("differentiable", False), ("fused", False)):
                group.setdefault(key, default)

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns ``closure()``'s loss when given."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, momentum = _scalar(group["lr"]), group["momentum"]
            for p in group["params"]:
                if p._grad is None:
                    continue
                state = self.state[p] if momentum != 0 else None
                buf = state.get("momentum_buffer") if state is not None else None
                buf = self._update(p._data, p._grad._data, None if buf is None else buf._data, lr, momentum,
                                   group["dampening"], _scalar(group["weight_decay"]), group["nesterov"],
                                   group["maximize"])
                if state is not None and "momentum_buffer" not in state:
                    state["momentum_buffer"] = Tensor._make(buf)
                p._bump_version()
        return loss

    def _update(self, param, grad, buf, lr, momentum, dampening, weight_decay, nesterov, maximize):
        """One SGD step on raw arrays; returns the momentum buffer (new on the first step)."""
        xp = array_module(param)
        if maximize:
            grad = xp.negative(grad)
        if weight_decay != 0:
            grad = grad + weight_decay * param          # grad.add(param, alpha=weight_decay)
        if momentum != 0:
            if buf is None:
                buf = grad.copy()
            else:
                buf *= momentum
                if dampening == 0:
                    buf += grad
                else:
                    tmp = xp.multiply(grad, 1 - dampening, out=self._scratch(param))
                    buf += tmp
            if nesterov:
                grad = grad + momentum * buf
            else:
                grad = buf
        step = xp.multiply(grad, lr, out=self._scratch(param))
        param -= step
        return buf
