"""Filters and level changes on waveforms of shape ``(..., time)``: torchaudio.functional's ``filtering`` part.

``gain`` scales a waveform by decibels. ``_one_pole`` is the first-order recursive (IIR) filter
``y[t] = x[t] + coeff * y[t - 1]`` that ``deemphasis`` needs; it is a Primitive whose backward is the same filter
run backwards in time, so its gradients (and their gradients) are exact.
"""

import ember
from ember._device import array_module
from ember.autograd.function import Primitive

__all__ = ["gain"]


def gain(waveform, gain_db=1.0):
    """Amplify (or, for negative ``gain_db``, attenuate) a whole waveform by ``gain_db`` decibels.

    The samples are multiplied by ``10 ** (gain_db / 20)``; a gain of 0 dB returns ``waveform`` itself.

    >>> ember.audio.functional.gain(ember.tensor([0.1, -0.2]), 20.0)
    tensor([ 1., -2.])
    """
    _check_tensor(waveform, "waveform", "gain")
    if gain_db == 0:
        return waveform
    ratio = 10 ** (gain_db / 20)
    return waveform * ratio


def _check_tensor(value, name, fn):
    if not isinstance(value, ember.Tensor):
        raise TypeError(f"{fn}(): argument '{name}' must be Tensor, not {type(value).__name__}")


class OnePoleFilter(Primitive):
    """``y[t] = x[t] + coeff * y[t - 1]`` along the last dimension, starting from ``y[-1] = 0``.

    The gradient of ``sum(g * y)`` with respect to ``x`` is the same recursion run from the end:
    ``gx[t] = g[t] + coeff * gx[t + 1]``.
    """

    @staticmethod
    def forward(ctx, x, *, coeff):
        ctx.coeff = coeff
        xp = array_module(x)
        steps = xp.array(xp.moveaxis(x, -1, 0), order="C")     # a copy, time first: each step reads one row
        weight = steps.dtype.type(coeff)
        for t in range(1, steps.shape[0]):
            steps[t] += weight * steps[t - 1]
        return xp.ascontiguousarray(xp.moveaxis(steps, 0, -1))

    @staticmethod
    def backward(ctx, grad):
        return _one_pole(grad.flip(-1), ctx.coeff).flip(-1)


def _one_pole(x, coeff):
    """The first-order recursive filter ``y[t] = x[t] + coeff * y[t - 1]`` over the last dimension of ``x``."""
    if x.shape[-1] == 0:
        return x.clone()
    return OnePoleFilter.apply(x, coeff=float(coeff))

