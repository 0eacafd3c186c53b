"""Stochastic depth ("Deep Networks with Stochastic Depth"): randomly drop whole residual branches in training."""

import ember
from ember import nn

__all__ = ["stochastic_depth", "StochasticDepth"]


def stochastic_depth(input, p, mode, training=True):
    """Zero the whole batch (``mode="batch"``) or random rows of it (``"row"``) with probability ``p``.

    Survivors are scaled by ``1 / (1 - p)`` so the expectation is unchanged; outside training it is the identity.

    >>> x = ember.ones(4, 3)
    >>> bool((stochastic_depth(x, 0.5, "row", training=False) == x).all())
    True
    """
    if p < 0.0 or p > 1.0:
        raise ValueError(f"drop probability has to be between 0 and 1, but got {p}")
    if mode not in ("batch", "row"):
        raise ValueError(f"mode has to be either 'batch' or 'row', but got {mode}")
    if not training or p == 0.0:
        return input
    survival_rate = 1.0 - p
    if mode == "row":
        size = [input.shape[0]] + [1] * (input.ndim - 1)
    else:
        size = [1] * input.ndim
    noise = ember.empty(size, dtype=input.dtype, device=input.device).bernoulli_(survival_rate)
    if survival_rate > 0.0:
        noise.div_(survival_rate)
    return input * noise


class StochasticDepth(nn.Module):
    """Module form of :func:`stochastic_depth`, active only in training mode.

    >>> sd = StochasticDepth(0.2, "row").eval()
    >>> sd(ember.ones(2, 3)).shape
    ember.Size([2, 3])
    """

    def __init__(self, p, mode):
        super().__init__()
        self.p = p
        self.mode = mode

    def forward(self, input):
        return stochastic_depth(input, self.p, self.mode, self.training)

    def __repr__(self):
        return f"{self.__class__.__name__}(p={self.p}, mode={self.mode})"
