"""ASGD: stochastic gradient descent with Polyak-Ruppert averaging of the iterates."""

from .._device import array_module
from .optimizer import (
    Optimizer,
    _check_lr_eps,
    _check_nonnegative,
    _check_unsupported,
    _scalar,
    _state_scalar,
    _steps_as_tensors,
    _zeros_state,
)

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """Implements averaged stochastic gradient descent, as ``torch.optim.ASGD``.

    The parameters take SGD steps with a decaying rate ``eta``; their running average ``ax``
    (from step ``t0`` on) is kept in the optimizer's state.

    >>> w = ember.tensor([1.0], requires_grad=True)
    >>> opt = ember.optim.ASGD([w], lr=0.1)
    >>> (w * w).sum().backward(); _ = opt.step()
    >>> w
    tensor([0.8000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None, maximize=False,
                 differentiable=False, capturable=False):
        _check_lr_eps(lr, 0.0)
        _check_nonnegative("weight_decay", weight_decay)
        _check_unsupported("ASGD", capturable=capturable, differentiable=differentiable)
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            for key, default in (("foreach", None), ("maximize", False), ("differentiable", False),
                                 ("capturable", False)):
                group.setdefault(key, default)
        _steps_as_tensors(self, keys=("step", "eta", "mu"))

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns ``closure()``'s loss when given."""
        return self._step_each(closure)

    def _hyperparameters(self, group):
        return (_scalar(group["lr"]), group["lambd"], group["alpha"], group["t0"], group["weight_decay"],
                group["maximize"])

    def _init_state(self, p, state, group):
        state["step"] = _state_scalar(0.0)
        state["eta"] = _state_scalar(_scalar(group["lr"]))
        state["mu"] = _state_scalar(1.0)
        state["ax"] = _zeros_state(p)

    def _update(self, param, grad, state, lr, lambd, alpha, t0, weight_decay, maximize):
        """One ASGD step on raw arrays, in PyTorch's order of operations."""
        xp = array_module(param)
        step_t, eta, mu, ax = state["step"]._data, state["eta"]._data, state["mu"]._data, state["ax"]._data
        step_t += 1
        step = float(step_t)
        if maximize:
            grad = xp.negative(grad)
        if weight_decay != 0:
            grad = grad + weight_decay * param
        eta_value = float(eta)
        param *= 1 - lambd * eta_value              # the decay term
        param -= eta_value * grad
        if float(mu) != 1:
            ax += (param - ax) * mu
        else:
            ax[...] = param
        eta[...] = lr / ((1 + lambd * lr * step) ** alpha)
        mu[...] = 1 / max(1, step - t0)
