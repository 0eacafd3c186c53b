"""ember.nn.functional: activation functions (PyTorch's ``torch.nn.functional`` names and signatures).

The math lives in ``ember/ops/activation.py`` (one Primitive per activation, with its
derivative); here are PyTorch's functional signatures on top: ``inplace`` flags, the
softmax family's implicit-dimension rule, and the compositions PyTorch writes in Python
(softsign, tanhshrink, glu, gumbel_softmax).
"""

import warnings

import numpy as np

from ... import _dtype
from ..._tensor import Tensor
from ...ops import activation as ops
from ...ops._util import check_tensor, float_arg, wrap_dim

__all__ = ["relu", "relu_", "relu6", "elu", "elu_", "selu", "selu_", "celu", "celu_", "gelu", "silu", "mish",
           "sigmoid", "tanh", "hardtanh", "hardtanh_", "hardswish", "hardsigmoid", "leaky_relu", "leaky_relu_",
           "prelu", "rrelu", "rrelu_", "logsigmoid", "softplus", "softsign", "threshold", "threshold_",
           "hardshrink", "softshrink", "tanhshrink", "softmax", "softmin", "log_softmax", "glu", "gumbel_softmax"]


def _result(input, result, inplace):
    """``result``, or ``input`` overwritten with it when ``inplace``."""
    return input._assign_inplace(result) if inplace else result


def relu(input, inplace=False):
    """``max(x, 0)``, elementwise.

    >>> F.relu(ember.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """
    check_tensor(input, "input", "relu")
    return input.relu_() if inplace else input.relu()


def relu_(input):
    """In-place :func:`relu`.

    >>> F.relu_(ember.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """
    return relu(input, inplace=True)


def relu6(input, inplace=False):
    """``min(max(x, 0), 6)``, elementwise.

    >>> F.relu6(ember.tensor([-1.0, 7.0]))
    tensor([0., 6.])
    """
    return _result(input, ops.hardtanh(input, 0.0, 6.0), inplace)


def elu(input, alpha=1.0, inplace=False):
    """``x`` above 0, else ``alpha * (exp(x) - 1)``.

    >>> F.elu(ember.tensor([-1.0, 2.0]))
    tensor([-0.6321,  2.0000])
    """
    return _result(input, ops.elu(input, alpha), inplace)


def elu_(input, alpha=1.0):
    """In-place :func:`elu`.

    >>> F.elu_(ember.tensor([-1.0, 2.0]))
    tensor([-0.6321,  2.0000])
    """
    return elu(input, alpha, inplace=True)


def selu(input, inplace=False):
    """``scale * elu(x, alpha)`` with the self-normalising constants.

    >>> F.selu(ember.tensor([-1.0, 2.0]))
    tensor([-1.1113,  2.1014])
    """
    return _result(input, ops.selu(input), inplace)


def selu_(input):
    """In-place :func:`selu`.

    >>> F.selu_(ember.tensor([-1.0, 2.0]))
    tensor([-1.1113,  2.1014])
    """
    return selu(input, inplace=True)


def celu(input, alpha=1.0, inplace=False):
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``.

    >>> F.celu(ember.tensor([-1.0, 2.0]))
    tensor([-0.6321,  2.0000])
    """
    return _result(input, ops.celu(input, alpha), inplace)


def celu_(input, alpha=1.0):
    """In-place :func:`celu`.

    >>> F.celu_(ember.tensor([-1.0, 2.0]))
    tensor([-0.6321,  2.0000])
    """
    return celu(input, alpha, inplace=True)


def gelu(input, approximate="none"):
    """``x * Phi(x)`` (Phi the standard normal CDF), or with ``approximate='tanh'`` its tanh approximation.

    >>> F.gelu(ember.tensor([-1.0, 1.0]))
    tensor([-0.1587,  0.8413])
    """
    return ops.gelu(input, approximate)


def silu(input, inplace=False):
    """``x * sigmoid(x)`` (also called swish).

    >>> F.silu(ember.tensor([-1.0, 1.0]))
    tensor([-0.2689,  0.7311])
    """
    return _result(input, ops.silu(input), inplace)


def mish(input, inplace=False):
    """``x * tanh(softplus(x))``.

    >>> F.mish(ember.tensor([-1.0, 1.0]))
    tensor([-0.3034,  0.8651])
    """
    return _result(input, ops.mish(input), inplace)


def sigmoid(input):
    """``1 / (1 + exp(-x))``.

    >>> F.sigmoid(ember.tensor([0.0]))
    tensor([0.5000])
    """
    return input.sigmoid()


def tanh(input):
    """The hyperbolic tangent.

    >>> F.tanh(ember.tensor([0.0]))
    tensor([0.])
    """
    return input.tanh()


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """``x`` clamped to ``[min_val, max_val]``.

    >>> F.hardtanh(ember.tensor([-2.0, 0.5, 2.0]))
    tensor([-1.0000,  0.5000,  1.0000])
    """
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _result(input, ops.hardtanh(input, min_val, max_val), inplace)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """In-place :func:`hardtanh`.

    >>> F.hardtanh_(ember.tensor([-2.0, 0.5]))
    tensor([-1.0000,  0.5000])
    """
    return hardtanh(input, min_val, max_val, inplace=True)


def hardswish(input, inplace=False):
    """``x * relu6(x + 3) / 6`` (MobileNetV3).

    >>> F.hardswish(ember.tensor([-4.0, 1.0, 4.0]))
    tensor([-0.0000,  0.6667,  4.0000])
    """
    return _result(input, ops.hardswish(input), inplace)


def hardsigmoid(input, inplace=False):
    """``relu6(x + 3) / 6``: a piecewise-linear sigmoid.

    >>> F.hardsigmoid(ember.tensor([-4.0, 0.0, 4.0]))
    tensor([0.0000, 0.5000, 1.0000])
    """
    return _result(input, ops.hardsigmoid(input), inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """``x`` above 0, else ``negative_slope * x``.

    >>> F.leaky_relu(ember.tensor([-1.0, 2.0]), 0.1)
    tensor([-0.1000,  2.0000])
    """
    return _result(input, ops.leaky_relu(input, negative_slope), inplace)


def leaky_relu_(input, negative_slope=0.01):
    """In-place :func:`leaky_relu`.

    >>> F.leaky_relu_(ember.tensor([-1.0, 2.0]), 0.1)
    tensor([-0.1000,  2.0000])
    """
    return leaky_relu(input, negative_slope, inplace=True)


def prelu(input, weight):
    """Leaky ReLU with a learned slope per channel (``weight`` of size 1 or ``input.size(1)``).

    >>> F.prelu(ember.tensor([-1.0, 2.0]), ember.tensor([0.25]))
    tensor([-0.2500,  2.0000])
    """
    return ops.prelu(input, weight)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU: random slopes in ``[lower, upper]`` in training, their mean otherwise.

    >>> F.rrelu(ember.tensor([-1.0, 2.0]))
    tensor([-0.2292,  2.0000])
    """
    return _result(input, ops.rrelu(input, lower, upper, training), inplace)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """In-place :func:`rrelu`.

    >>> F.rrelu_(ember.tensor([-1.0, 2.0]))
    tensor([-0.2292,  2.0000])
    """
    return rrelu(input, lower, upper, training, inplace=True)


def logsigmoid(input):
    """``log(sigmoid(x))``, computed without overflow.

    >>> F.logsigmoid(ember.tensor([0.0]))
    tensor([-0.6931])
    """
    return ops.logsigmoid(input)


def softplus(input, beta=1, threshold=20):
    """``log(1 + exp(beta * x)) / beta``, and ``x`` itself where ``beta * x > threshold``.

    >>> F.softplus(ember.tensor([0.0, 30.0]))
    tensor([ 0.6931, 30.0000])
    """
    return ops.softplus(input, beta, threshold)


def softsign(input):
    """``x / (1 + |x|)``.

    >>> F.softsign(ember.tensor([-1.0, 3.0]))
    tensor([-0.5000,  0.7500])
    """
    check_tensor(input, "input", "softsign")
    return input / (input.abs() + 1)


def threshold(input, threshold, value, inplace=False):
    """``x`` where ``x > threshold``, else ``value``.

    >>> F.threshold(ember.tensor([0.5, 2.0]), 1.0, 0.0)
    tensor([0., 2.])
    """
    return _result(input, ops.threshold(input, threshold, value), inplace)


def threshold_(input, threshold, value):
    """In-place :func:`threshold`.

    >>> F.threshold_(ember.tensor([0.5, 2.0]), 1.0, 0.0)
    tensor([0., 2.])
    """
    return _result(input, ops.threshold(input, threshold, value), True)


def hardshrink(input, lambd=0.5):
    """``x`` where ``|x| > lambd``, else 0.

    >>> F.hardshrink(ember.tensor([-1.0, 0.2]))
    tensor([-1.,  0.])
    """
    return ops.hardshrink(input, lambd)


def softshrink(input, lambd=0.5):
    """``x`` moved ``lambd`` towards 0, and 0 within ``[-lambd, lambd]``.

    >>> F.softshrink(ember.tensor([-1.0, 0.2, 2.0]))
    tensor([-0.5000,  0.0000,  1.5000])
    """
    return ops.softshrink(input, lambd)


def tanhshrink(input):
    """``x - tanh(x)``.

    >>> F.tanhshrink(ember.tensor([0.0]))
    tensor([0.])
    """
    check_tensor(input, "input", "tanhshrink")
    return input - input.tanh()


# ----------------------------------------------------------------------------- softmax family

def _softmax_dim(name, ndim, stacklevel):
    """PyTorch's legacy dimension when none is given (0 for 0-, 1- and 3-D input, else 1), with its warning."""
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X as "
                  "an argument.", UserWarning, stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``exp(x) / sum(exp(x))`` along ``dim``; ``dtype`` casts the input first.

    >>> F.softmax(ember.tensor([1.0, 2.0, 3.0]), dim=0)
    tensor([0.0900, 0.2447, 0.6652])
    """
    check_tensor(input, "input", "softmax")
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim, _stacklevel)
    return ops.softmax(input, dim, dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """``softmax(-x)`` along ``dim``: the smallest entries get the most weight.

    >>> F.softmin(ember.tensor([1.0, 2.0, 3.0]), dim=0)
    tensor([0.6652, 0.2447, 0.0900])
    """
    check_tensor(input, "input", "softmin")
    if dim is None:
        dim = _softmax_dim("softmin", input.ndim, _stacklevel)
    return ops.softmax(-input, dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``log(softmax(x))`` along ``dim``, computed stably.

    >>> F.log_softmax(ember.tensor([1.0, 2.0, 3.0]), dim=0)
    tensor([-2.4076, -1.4076, -0.4076])
    """
    check_tensor(input, "input", "log_softmax")
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim, _stacklevel)
    return ops.log_softmax(input, dim, dtype)


def glu(input, dim=-1):
    """The gated linear unit: ``a * sigmoid(b)`` where ``a`` and ``b`` are the halves of ``input`` along ``dim``.

    >>> F.glu(ember.tensor([1.0, 2.0, 0.0, 0.0]))
    tensor([0.5000, 1.0000])
    """
    check_tensor(input, "input", "glu")
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    dim = wrap_dim(dim, input.ndim)
    if input.shape[dim] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim} is size {input.shape[dim]}")
    ops._float_kernel(input, "glu_cpu")
    half = input.shape[dim] // 2
    return input.narrow(dim, 0, half) * input.narrow(dim, half, half).sigmoid()


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """A sample from the Gumbel-softmax distribution; with ``hard`` a one-hot sample whose gradient is the soft one's.

    >>> F.gumbel_softmax(ember.zeros(2, 3), hard=True).sum(-1)
    tensor([1., 1.])
    """
    check_tensor(logits, "logits", "gumbel_softmax")
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", UserWarning, stacklevel=2)
    tau = float_arg(tau, "gumbel_softmax", "tau")
    from ...random import _numpy_generator
    work = logits._data.dtype if logits.dtype.is_floating_point else _dtype.get_default_dtype().np_dtype
    gumbels = -np.log(_numpy_generator().exponential(size=logits.shape)).astype(work)
    y_soft = ((logits + Tensor._make(gumbels)) / tau).softmax(dim)
    if not hard:
        return y_soft
    axis = wrap_dim(dim, logits.ndim)
    winner = np.expand_dims(np.argmax(y_soft._data, axis=axis), axis) if y_soft.ndim else np.zeros((), np.int64)
    y_hard = np.zeros(y_soft.shape, dtype=y_soft._data.dtype)
    if y_soft.ndim:
        np.put_along_axis(y_hard, winner, 1, axis=axis)
    else:
        y_hard[()] = 1
    return Tensor._make(y_hard) - y_soft.detach() + y_soft
