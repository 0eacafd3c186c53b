"""torch.nn.init: the initializers layers use for their weights.

Every function fills its tensor in place without recording autograd history (as under
``no_grad``) and returns it. Random ones take ``generator=`` (an ``ember.Generator``);
their streams differ from PyTorch's, their distributions do not.
"""

import math
import warnings

import numpy as np

from .._device import array_module
from ..autograd.grad_mode import no_grad
from ..random import _numpy_generator

__all__ = ["calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_",
           "dirac_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_",
           "sparse_", "uniform", "normal", "constant", "eye", "dirac", "xavier_uniform", "xavier_normal",
           "kaiming_uniform", "kaiming_normal", "orthogonal", "sparse"]

_LINEAR_FNS = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d")
_FIXED_GAINS = {"sigmoid": 1, "tanh": 5.0 / 3, "relu": math.sqrt(2.0), "selu": 3.0 / 4}


def calculate_gain(nonlinearity, param=None):
    """The recommended scale for weights feeding ``nonlinearity`` (e.g. sqrt(2) for relu).

    >>> ember.nn.init.calculate_gain("leaky_relu", 0.2)
    1.3867504905630728
    """
    if nonlinearity in _LINEAR_FNS:
        return 1
    if nonlinearity in _FIXED_GAINS:
        return _FIXED_GAINS[nonlinearity]
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


# ----------------------------------------------------------------------------- helpers

def _write(tensor, values):
    """Store ``values`` into ``tensor``'s memory (casting to its dtype) outside autograd; bump its version."""
    tensor._data[...] = values
    tensor._bump_version()
    return tensor


def _calculate_fan_in_and_fan_out(tensor):
    """(fan_in, fan_out) of a weight: input/output channels times the receptive field (kernel) size.

    >>> ember.nn.init._calculate_fan_in_and_fan_out(ember.empty(8, 3, 5, 5))
    (75, 200)
    """
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive_field = 1
    for size in tensor.shape[2:]:
        receptive_field *= size
    return tensor.size(1) * receptive_field, tensor.size(0) * receptive_field


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    valid_modes = ["fan_in", "fan_out"]
    if mode not in valid_modes:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid_modes}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


# ----------------------------------------------------------------------------- simple distributions

def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill ``tensor`` with values drawn uniformly from [a, b).

    >>> ember.nn.init.uniform_(ember.empty(2, 3), -1, 1).shape
    ember.Size([2, 3])
    """
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill ``tensor`` with values drawn from N(mean, std^2).

    >>> ember.nn.init.normal_(ember.empty(2, 3), 0.0, 0.02).shape
    ember.Size([2, 3])
    """
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def _norm_cdf(x):
    return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Fill ``tensor`` from N(mean, std^2) restricted to [a, b] (values outside are redrawn).

    >>> w = ember.nn.init.trunc_normal_(ember.empty(100), std=1.0, a=-0.5, b=0.5)
    >>> bool((w.abs() <= 0.5).all())
    True
    """
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                      "The distribution of values may be incorrect.", stacklevel=2)
    rng = _numpy_generator(generator)
    dtype = tensor._data.dtype
    low, high = float(np.asarray(a, dtype=dtype)), float(np.asarray(b, dtype=dtype))
    n = tensor.numel()
    if _norm_cdf((b - mean) / std) - _norm_cdf((a - mean) / std) > 0.3:
        values = _rejected_normal(rng, n, mean, std, low, high)
    else:
        values = _rejected_uniform(rng, n, mean, std, a, b)
    return _write(tensor, values.reshape(tensor._data.shape))


def _rejected_normal(rng, n, mean, std, low, high):
    """n normal samples, redrawing those outside [low, high] (efficient when most fall inside)."""
    values = rng.normal(mean, std, size=n)
    outside = (values < low) | (values > high)
    while outside.any():
        values[outside] = rng.normal(mean, std, size=int(outside.sum()))
        outside = (values < low) | (values > high)
    return values


def _rejected_uniform(rng, n, mean, std, a, b):
    """n samples of the truncated normal by accepting uniform proposals on [a, b] with the density's ratio.

    Used when the interval holds little of the normal's mass, where redrawing normals would be slow.
    """
    mode = max(a, min(mean, b))
    log_peak = -0.5 * ((mode - mean) / std) ** 2
    values = np.empty(n)
    pending = np.ones(n, dtype=bool)
    while pending.any():
        count = int(pending.sum())
        proposals = rng.uniform(a, b, size=count)
        log_ratio = -0.5 * ((proposals - mean) / std) ** 2 - log_peak
        accepted = np.log(rng.random(count)) <= log_ratio
        slots = np.flatnonzero(pending)[accepted]
        values[slots] = proposals[accepted]
        pending[slots] = False
    return values


# ----------------------------------------------------------------------------- deterministic fills

def constant_(tensor, val):
    """Fill ``tensor`` with the value ``val``.

    >>> ember.nn.init.constant_(ember.empty(2), 0.5)
    tensor([0.5000, 0.5000])
    """
    return _write(tensor, val)


def ones_(tensor):
    """Fill ``tensor`` with ones.

    >>> ember.nn.init.ones_(ember.empty(2))
    tensor([1., 1.])
    """
    return _write(tensor, 1)


def zeros_(tensor):
    """Fill ``tensor`` with zeros.

    >>> ember.nn.init.zeros_(ember.empty(2))
    tensor([0., 0.])
    """
    return _write(tensor, 0)


def eye_(tensor):
    """Fill a 2-D ``tensor`` with the identity matrix (ones on the main diagonal), keeping identities in Linear layers.

    >>> ember.nn.init.eye_(ember.empty(2, 3))
    tensor([[1., 0., 0.],
            [0., 1., 0.]])
    """
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    xp = array_module(tensor._data)
    return _write(tensor, xp.eye(*tensor._data.shape))


def dirac_(tensor, groups=1):
    """Fill a 3-, 4- or 5-D conv weight with the Dirac delta, so the convolution passes its input through.

    Each of ``groups`` blocks of output channels keeps as many input channels as it can.

    >>> w = ember.nn.init.dirac_(ember.empty(2, 2, 3))
    >>> w[:, :, 1]
    tensor([[1., 0.],
            [0., 1.]])
    """
    dims = tensor.dim()
    if dims not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = tensor.shape
    if sizes[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    per_group = sizes[0] // groups
    centre = tuple(s // 2 for s in sizes[2:])
    values = array_module(tensor._data).zeros(tensor._data.shape)
    for g in range(groups):
        for d in range(min(per_group, sizes[1])):
            values[(g * per_group + d, d) + centre] = 1
    return _write(tensor, values)


# ----------------------------------------------------------------------------- scaled to the layer's fans

def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot uniform: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)).

    >>> ember.nn.init.xavier_uniform_(ember.empty(3, 5)).shape
    ember.Size([3, 5])
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Glorot normal: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)).

    >>> ember.nn.init.xavier_normal_(ember.empty(3, 5)).shape
    ember.Size([3, 5])
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def _kaiming_std(tensor, a, mode, nonlinearity):
    fan = _calculate_correct_fan(tensor, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He uniform: U(-bound, bound) with bound = gain * sqrt(3 / fan), fan chosen by ``mode``.

    >>> ember.nn.init.kaiming_uniform_(ember.empty(3, 5), a=5 ** 0.5).shape
    ember.Size([3, 5])
    """
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He normal: N(0, std^2) with std = gain / sqrt(fan), fan chosen by ``mode``.

    >>> ember.nn.init.kaiming_normal_(ember.empty(3, 5), mode="fan_out", nonlinearity="relu").shape
    ember.Size([3, 5])
    """
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    return normal_(tensor, 0.0, std, generator)


def orthogonal_(tensor, gain=1, generator=None):
    """Fill with a (semi-)orthogonal matrix (trailing dims flattened), from the QR decomposition of a normal one.

    >>> w = ember.nn.init.orthogonal_(ember.empty(3, 3))
    >>> bool(((w @ w.T - ember.eye(3)).abs() < 1e-5).all())
    True
    """
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.size(0)
    cols = tensor.numel() // rows
    xp = array_module(tensor._data)
    flat = _numpy_generator(generator).standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = xp.linalg.qr(flat)
    q = q * xp.sign(xp.diagonal(r))       # makes Q uniformly distributed (Mezzadri 2007)
    if rows < cols:
        q = q.T
    return _write(tensor, gain * q.reshape(tensor._data.shape))


def sparse_(tensor, sparsity, std=0.01, generator=None):
    """Fill a 2-D tensor from N(0, std^2), then zero a ``sparsity`` fraction of each column (Martens 2010).

    >>> w = ember.nn.init.sparse_(ember.empty(10, 4), sparsity=0.3)
    >>> int((w == 0).sum())
    12
    """
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    num_zeros = math.ceil(sparsity * rows)
    rng = _numpy_generator(generator)
    normal_(tensor, 0, std, generator)
    for col in range(cols):
        tensor._data[rng.permutation(rows)[:num_zeros], col] = 0
    return tensor


# ----------------------------------------------------------------------------- deprecated names

def _deprecated(new):
    old_name = new.__name__[:-1]

    def deprecated_init(*args, **kwargs):
        warnings.warn(f"`nn.init.{old_name}` is now deprecated in favor of `nn.init.{new.__name__}`.",
                      FutureWarning, stacklevel=2)
        return new(*args, **kwargs)

    deprecated_init.__name__ = old_name
    deprecated_init.__doc__ = f"Deprecated alias of ``{new.__name__}``: warns, then calls it."
    return deprecated_init


uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_)
eye = _deprecated(eye_)
dirac = _deprecated(dirac_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
sparse = _deprecated(sparse_)
