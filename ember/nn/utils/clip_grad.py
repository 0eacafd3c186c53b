"""Gradient clipping: scale all gradients so their joint norm stays under a bound, or clamp each value."""

import types
import warnings

from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]


def _as_list(tensors):
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The norm of all ``tensors`` together (the norm of their individual norms), as one 0-dim tensor.

    >>> ember.nn.utils.get_total_norm([ember.full((3,), 2.0), ember.ones(1)])
    tensor(3.6056)
    """
    import ember
    tensors = _as_list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return ember.tensor(0.0)
    with no_grad():
        norms = [ember.linalg.vector_norm(t, norm_type) for t in tensors]
        total = ember.linalg.vector_norm(ember.stack(norms), norm_type)
    if error_if_nonfinite and not bool(total.isfinite()):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so "
                           "it cannot be clipped. To disable this error and scale the gradients by the non-finite "
                           "norm anyway, set `error_if_nonfinite=False`")
    return total


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the parameters' gradients by ``max_norm / (total_norm + 1e-6)`` when that is below 1.

    >>> p = ember.nn.Parameter(ember.ones(2)); p.grad = ember.full((2,), 3.0)
    >>> ember.nn.utils.clip_grads_with_norm_([p], 1.0, ember.tensor(6.0)); p.grad
    tensor([0.5000, 0.5000])
    """
    grads = [p.grad for p in _as_list(parameters) if p.grad is not None]
    if not grads:
        return
    with no_grad():
        coef = (float(max_norm) / (total_norm + 1e-6)).clamp(max=1.0)
        for grad in grads:
            grad.mul_(coef)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Rescale gradients in place so their total ``norm_type``-norm is at most ``max_norm``; returns the norm before.

    >>> p = ember.nn.Parameter(ember.ones(3)); p.grad = ember.full((3,), 2.0)
    >>> ember.nn.utils.clip_grad_norm_([p], 1.0)
    tensor(3.4641)
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        was_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if was_generator and not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=2)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated name of :func:`clip_grad_norm_` (warns).

    >>> p = ember.nn.Parameter(ember.ones(1)); p.grad = ember.ones(1)
    >>> float(ember.nn.utils.clip_grad_norm([p], 1.0))
    1.0
    """
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
                  FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient value into ``[-clip_value, clip_value]`` in place.

    >>> p = ember.nn.Parameter(ember.ones(2)); p.grad = ember.tensor([-3.0, 0.5])
    >>> ember.nn.utils.clip_grad_value_([p], 1.0); p.grad
    tensor([-1.0000,  0.5000])
    """
    clip_value = float(clip_value)
    with no_grad():
        for p in _as_list(parameters):
            if p.grad is not None:
                p.grad.clamp_(min=-clip_value, max=clip_value)
