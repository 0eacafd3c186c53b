"""Rprop: resilient backpropagation, a per-weight step size grown or shrunk by the gradient's sign."""

from .._device import array_module
from .._tensor import Tensor
from .optimizer import (
    Optimizer,
    _check_lr_eps,
    _check_unsupported,
    _scalar,
    _state_scalar,
    _steps_as_tensors,
    _zeros_state,
)

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Implements the resilient backpropagation algorithm, as ``torch.optim.Rprop``.

    Each weight moves by its own step size against the gradient's sign; the step grows by
    ``etas[1]`` while the sign holds and shrinks by ``etas[0]`` when it flips (that step is skipped).

    >>> w = ember.tensor([1.0], requires_grad=True)
    >>> opt = ember.optim.Rprop([w], lr=0.1)
    >>> (w * w).sum().backward(); _ = opt.step()
    >>> w
    tensor([0.9000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False, foreach=None,
                 maximize=False, differentiable=False):
        _check_lr_eps(lr, 0.0)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        _check_unsupported("Rprop", capturable=capturable, differentiable=differentiable)
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
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
        return group["etas"], group["step_sizes"], group["maximize"]

    def _init_state(self, p, state, group):
        state["step"] = _state_scalar(0.0)
        state["prev"] = _zeros_state(p)
        state["step_size"] = Tensor._make(array_module(p._data).full_like(p._grad._data, _scalar(group["lr"])))

    def _update(self, param, grad, state, etas, step_sizes, maximize):
        """One Rprop step on raw arrays, in PyTorch's order of operations."""
        xp = array_module(param)
        prev, step_size = state["prev"]._data, state["step_size"]._data
        state["step"]._data += 1
        if maximize:
            grad = xp.negative(grad)
        agreement = xp.sign(grad * prev)
        factor = xp.where(agreement > 0, etas[1], xp.where(agreement < 0, etas[0], 1)).astype(param.dtype)
        step_size *= factor
        xp.clip(step_size, step_sizes[0], step_sizes[1], out=step_size)
        grad = xp.where(agreement < 0, 0, grad).astype(param.dtype)      # a flipped sign skips this step
        param -= xp.sign(grad) * step_size
        prev[...] = grad
