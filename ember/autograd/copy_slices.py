"""Autograd through in-place changes made via a view (PyTorch's ``CopySlices``).

``base.select(0, 0).mul_(2)`` writes into ``base``'s memory through a view. Afterwards
the gradient for ``base`` must flow into the in-place op for the viewed region and to
``base``'s previous value everywhere else; ``rebase_view`` records exactly that.
"""

from .._tensor import Tensor
from .function import Function, refresh_view


class CopySlices(Function):
    """New base = old base with the view region replaced by ``values`` (already written)."""

    grad_fn_name = "CopySlices"

    @staticmethod
    def forward(ctx, base, values, view_fn, outside_mask):
        ctx.view_fn = view_fn
        ctx.outside_mask = outside_mask
        return base._alias()

    @staticmethod
    def backward(ctx, grad):
        grad_base = grad * ctx.outside_mask if ctx.needs_input_grad[0] else None
        grad_values = ctx.view_fn(grad) if ctx.needs_input_grad[1] else None
        return grad_base, grad_values, None, None


CopySlices._backward_cls.name = lambda self: "torch::autograd::CopySlices"


def _outside_mask(base, view_fn):
    """Ones where ``base`` lies outside the view, zeros inside it."""
    mask = Tensor._make(base._xp.ones(base.shape, dtype=base._data.dtype))
    view_fn(mask)._data[...] = 0
    return mask


def rebase_view(view, result):
    """Point ``view``'s base at a CopySlices node fed by ``result``, the view's new value."""
    base = view._base
    old_base = base._alias()
    new_base = CopySlices.apply(old_base, result, view._view_fn, _outside_mask(base, view._view_fn))
    base._grad_fn, base._output_nr = new_base._grad_fn, new_base._output_nr
    base._requires_grad = True
    view._requires_grad = True
    refresh_view(view)
