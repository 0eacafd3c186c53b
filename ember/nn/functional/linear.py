"""ember.nn.functional: linear and bilinear maps.

``linear`` is one fused Primitive (``ember/ops/linear.py``): ``x @ W.T + b`` with a
backward of two matrix products and a sum.
"""

from ...ops.linear import bilinear as _bilinear
from ...ops.linear import linear as _linear

__all__ = ["linear", "bilinear"]


def linear(input, weight, bias=None):
    """``input @ weight.T + bias`` over the last dimension; ``weight`` is (out_features, in_features).

    >>> F.linear(ember.ones(2, 3), ember.ones(4, 3), ember.zeros(4))
    tensor([[3., 3., 3., 3.],
            [3., 3., 3., 3.]])
    """
    return _linear(input, weight, bias)


def bilinear(input1, input2, weight, bias=None):
    """``input1 @ weight[o] @ input2 + bias[o]`` for each output feature ``o``.

    >>> F.bilinear(ember.ones(2, 3), ember.ones(2, 4), ember.ones(5, 3, 4)).shape
    ember.Size([2, 5])
    """
    return _bilinear(input1, input2, weight, bias)
