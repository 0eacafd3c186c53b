"""Normalization ops: batch, layer, group, instance and RMS normalization (``torch.batch_norm`` and friends).

They all share one fused primitive, ``Normalize``: it subtracts a mean and multiplies by
``rstd = 1 / sqrt(var + eps)`` over some axes of an array, then applies an optional
affine map. Each op reshapes its input so that the statistics run over whole axes
(batch norm: ``(N, C, L)`` over axes 0 and 2; layer norm: ``(B, D)`` over axis 1; group
norm: ``(N, G, C/G, L)`` over axes 2 and 3), as PyTorch's kernels do.

The statistics are computed once on the raw arrays (``_moments``) and given to the
primitive; batch norm's running averages are updated in place on the buffers, outside
autograd. The backward is the closed form; when it is itself differentiated
(``create_graph=True``), it recomputes the statistics from the input with Tensor ops, so
gradients of any order are exact.
"""

import math

import numpy as np

from .. import _dtype
from .._device import array_module
from .._tensor import Tensor, _type_word
from ..autograd import grad_mode
from ..autograd.function import Primitive
from ._util import bool_arg, check_tensor, float_arg, int_arg

__all__ = ["batch_norm", "native_batch_norm", "layer_norm", "native_layer_norm", "group_norm", "native_group_norm",
           "instance_norm", "rms_norm"]

TENSOR_METHODS = {}

_HALF_TYPES = ("float16", "bfloat16")


# ----------------------------------------------------------------------------- the fused primitive

def _compute_dtype(np_dtype):
    """Half-precision inputs are normalised in float32, as PyTorch's CPU kernels do."""
    return np.dtype(np.float32) if np_dtype.itemsize == 2 else np_dtype


def _sum_over(x, axes, keep_shape, other=None):
    """The sum of array ``x`` (times ``other``, when given) over ``axes``, shaped ``keep_shape``.

    einsum does it in one pass, without the temporary of a product and several times
    faster than ``sum(axis=...)`` over more than one axis.
    """
    letters = "abcdefgh"[:x.ndim]
    kept = "".join(letter for i, letter in enumerate(letters) if i not in axes)
    xp = array_module(x)
    if other is None:
        total = xp.einsum(f"{letters}->{kept}", x)
    else:
        total = xp.einsum(f"{letters},{letters}->{kept}", x, other)
    return total.reshape(keep_shape)


def _keepdims_shape(shape, axes):
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def _moments(x, axes):
    """Mean, biased variance and ``x - mean`` of array ``x`` over ``axes`` (as size-1 dims), in float32 at least.

    An empty reduction gives NaN statistics, as in PyTorch.
    """
    x = x.astype(_compute_dtype(x.dtype), copy=False)
    count = math.prod(x.shape[a] for a in axes)
    shape = _keepdims_shape(x.shape, axes)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = _sum_over(x, axes, shape) / count
        centered = x - mean
        var = _sum_over(centered, axes, shape, centered) / count
    return mean, var, centered


def _rstd(var, eps):
    """``1 / sqrt(var + eps)`` of an array (NaN where ``var + eps`` is negative, as in PyTorch)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return 1.0 / array_module(var).sqrt(var + eps)


class Normalize(Primitive):
    """``(x - mean) * rstd * weight + bias``, with ``mean``/``rstd`` arrays given for the reduced ``axes``.

    The work happens with ``x`` viewed as ``layout`` and ``weight``/``bias`` (or None) as
    ``param_shape`` (same ndim, broadcastable); the output has ``x``'s shape. With
    ``batch_stats`` the statistics are those of ``x`` itself (training), so the gradient
    flows through them too; without, they are constants (running statistics).
    ``centered`` (``x - mean`` in the layout, a temporary the caller gives up) saves a pass over ``x``.

    Backward, for ``xhat = (x - mean) * rstd`` and ``dxhat = grad * weight`` (means over ``axes``):

    ============  ==========================================================================
    weight        ``sum(grad * xhat)`` over the dims weight is broadcast along
    bias          ``sum(grad)`` over those dims
    x, batch      ``rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))``
    x, constant   ``rstd * dxhat``
    ============  ==========================================================================
    """

    @staticmethod
    def forward(ctx, x, weight, bias, *, layout, param_shape, axes, mean, rstd, eps, batch_stats, centered=None):
        w = None if weight is None else weight.reshape(param_shape)
        first, second = _gradient_factors(w, rstd, x.size)     # scale = rstd * weight, in one or two steps
        with np.errstate(invalid="ignore"):
            if centered is None:            # y = x * scale + (bias - mean * scale): two passes over x
                y = x.reshape(layout).astype(_compute_dtype(x.dtype), copy=False) * first
                if second is not None:
                    y *= second
                y -= mean * first if second is None else mean * first * second
            else:
                y = centered
                y *= first
                if second is not None:
                    y *= second
            if bias is not None:
                y += bias.reshape(param_shape)
        ctx.axes, ctx.eps, ctx.batch_stats, ctx.layout, ctx.param_shape = axes, eps, batch_stats, layout, param_shape
        ctx.parameter_shape = (weight if weight is not None else bias if bias is not None else x).shape
        ctx.save_for_backward(x, weight, mean, rstd)
        return y.astype(x.dtype, copy=False).reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        x, weight, mean, rstd = ctx.saved_tensors
        shapes = (x.shape, ctx.parameter_shape, ctx.parameter_shape)
        if grad_mode.is_grad_enabled():        # building a graph (create_graph=True): differentiable Tensor ops
            grads = _normalize_backward(ctx, grad.reshape(ctx.layout), x.reshape(ctx.layout),
                                        _reshaped(weight, ctx.param_shape), mean, rstd)
            return tuple(_reshaped(g, shape) for g, shape in zip(grads, shapes))
        grads = _normalize_backward_fused(ctx, grad._data.reshape(ctx.layout), x._data.reshape(ctx.layout),
                                          None if weight is None else weight._data.reshape(ctx.param_shape),
                                          mean._data, rstd._data)
        return tuple(None if g is None else Tensor._make(g.reshape(shape)) for g, shape in zip(grads, shapes))


class NativeBatchNorm(Normalize):
    """``Normalize`` as batch and instance norm record it (PyTorch's ``NativeBatchNormBackward0``)."""


class NativeLayerNorm(Normalize):
    """``Normalize`` as layer norm records it."""


class NativeGroupNorm(Normalize):
    """``Normalize`` as group norm records it."""


def _normalize_backward(ctx, grad, x, weight, mean, rstd):
    """The table in ``Normalize``'s docstring in Tensor ops; batch statistics are recomputed from ``x``
    so that their dependence on ``x`` is part of the graph (second and higher derivatives)."""
    axes = ctx.axes
    x, grad = _upcast(x), _upcast(grad)
    if ctx.batch_stats:
        mean, rstd = _tensor_moments(x, axes, ctx.eps)
    xhat = (x - mean) * rstd
    need_x, need_weight, need_bias = ctx.needs_input_grad
    grad_x = grad_weight = grad_bias = None
    if need_weight:
        grad_weight = _sum_to(grad * xhat, ctx.param_shape)
    if need_bias:
        grad_bias = _sum_to(grad, ctx.param_shape)
    if need_x:
        grad_xhat = grad if weight is None else grad * _upcast(weight)
        if ctx.batch_stats:
            grad_xhat = grad_xhat - grad_xhat.mean(axes, keepdim=True) \
                - xhat * (grad_xhat * xhat).mean(axes, keepdim=True)
        grad_x = grad_xhat * rstd
    return grad_x, grad_weight, grad_bias


def _normalize_backward_fused(ctx, grad, x, weight, mean, rstd):
    """The same table on the raw arrays, for a backward that is not differentiated again.

    Each full-size pass counts here (the ops are memory bound), so temporaries are
    updated in place and sums are einsum passes that write nothing.
    """
    compute = _compute_dtype(x.dtype)
    g = grad.astype(compute, copy=False)
    with np.errstate(invalid="ignore", divide="ignore"):
        centered = x.astype(compute, copy=False) - mean
        if all(ctx.param_shape[a] == 1 for a in ctx.axes):     # batch and instance norm
            grads = _per_channel_backward(ctx, g, centered, weight, rstd)
        else:
            grads = _elementwise_affine_backward(ctx, g, centered, weight, rstd)
    return tuple(None if g is None else g.astype(dtype, copy=False) for g, dtype in zip(grads, (x.dtype, compute,
                                                                                                 compute)))


def _per_channel_backward(ctx, g, centered, weight, rstd):
    """Backward when weight is constant over the normalized axes: the sums that give the weight and bias
    gradients also give the input's, ``factor * (g - mean(g) - centered * rstd**2 * mean(g * centered))``."""
    axes, param_shape = ctx.axes, ctx.param_shape
    keep = _keepdims_shape(centered.shape, axes)
    count = math.prod(centered.shape[a] for a in axes)
    sum_g = _sum_over(g, axes, keep)
    sum_gc = _sum_over(g, axes, keep, centered)
    rest = tuple(i for i, (size, target) in enumerate(zip(keep, param_shape)) if target == 1 and size != 1)
    need_x, need_weight, need_bias = ctx.needs_input_grad
    grad_weight = _sum_over(sum_gc * rstd, rest, param_shape) if need_weight else None
    grad_bias = _sum_over(sum_g, rest, param_shape) if need_bias else None
    grad_x = None
    if need_x:
        factor = rstd if weight is None else rstd * weight
        grad_x = g * factor
        if ctx.batch_stats:
            centered *= factor * rstd * rstd * sum_gc / -count
            grad_x += centered
            grad_x -= factor * sum_g / count
    return grad_x, grad_weight, grad_bias


def _elementwise_affine_backward(ctx, g, centered, weight, rstd):
    """Backward when weight varies over the normalized axes (layer and group norm)."""
    axes, param_shape = ctx.axes, ctx.param_shape
    param_axes = tuple(i for i, (size, target) in enumerate(zip(g.shape, param_shape)) if target == 1 and size != 1)
    need_x, need_weight, need_bias = ctx.needs_input_grad
    xhat = centered
    xhat *= rstd
    grad_weight = _sum_over(g, param_axes, param_shape, xhat) if need_weight else None
    grad_bias = _sum_over(g, param_axes, param_shape) if need_bias else None
    grad_x = None
    if need_x:
        factor, later = _gradient_factors(weight, rstd, g.size)
        grad_x = g * factor             # dxhat * rstd, or dxhat when rstd must wait
        if ctx.batch_stats:
            count = math.prod(g.shape[a] for a in axes)
            keep = _keepdims_shape(g.shape, axes)
            grad_x -= _sum_over(grad_x, axes, keep) / count
            xhat *= _sum_over(grad_x, axes, keep, xhat) / count    # grad_x has mean 0 over axes now
            grad_x -= xhat
        if later is not None:
            grad_x *= later
    return grad_x, grad_weight, grad_bias


def _gradient_factors(weight, rstd, size):
    """What multiplies the incoming gradient: ``weight * rstd`` at once when that product is small (batch and
    group norm), else ``weight`` first and ``rstd`` after (layer norm, where it would be full-size)."""
    if weight is None:
        return rstd, None
    if math.prod(np.broadcast_shapes(weight.shape, rstd.shape)) < size:
        return weight * rstd, None
    return weight, rstd


def _upcast(t):
    """A half-precision tensor in float32 (the backward's working precision), others as they are."""
    if t is not None and t.dtype.name in _HALF_TYPES:
        return t._cast(_dtype.float32)
    return t


def _tensor_moments(x, axes, eps):
    """Mean and rstd of Tensor ``x`` over ``axes`` with Tensor ops, so they carry gradients."""
    mean = x.mean(axes, keepdim=True)
    centered = x - mean
    var = (centered * centered).mean(axes, keepdim=True)
    return mean, (var + eps).rsqrt()


def _sum_to(t, shape):
    """Sum ``t`` over the dims where ``shape`` (same ndim, size-1 dims to sum) is 1 but ``t`` is not."""
    dims = tuple(i for i, (size, target) in enumerate(zip(t.shape, shape)) if target == 1 and size != 1)
    return t.sum(dims, keepdim=True) if dims else t


def _normalize(op, x, weight, bias, layout, param_shape, axes, eps, mean=None, var=None):
    """Run ``op`` (a ``Normalize``) on Tensor ``x`` viewed as ``layout``; the statistics of ``x`` unless
    ``mean``/``var`` are given.

    Returns the output and the mean, variance and rstd arrays used.
    """
    batch_stats = mean is None
    centered = None
    if batch_stats:
        mean, var, centered = _moments(x._data.reshape(layout), axes)
    rstd = _rstd(var, eps)
    out = op.apply(x, weight, bias, layout=layout, param_shape=param_shape, axes=axes, mean=mean, rstd=rstd,
                   eps=eps, batch_stats=batch_stats, centered=centered)
    return out, mean, var, rstd


# ----------------------------------------------------------------------------- argument checks

def _check_optional_tensor(value, fn, name, position):
    if value is not None and not isinstance(value, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be Tensor, not "
                        f"{type(value).__name__}")


def _check_float_input(input, kernel):
    """PyTorch's NotImplementedError for an integer or bool input."""
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_type_word(input.dtype)}'")


def _check_param_dtypes(input, params):
    """PyTorch's CPU rule: the parameters share one dtype, the input's or float32 for a half-precision input."""
    params = [p for p in params if p is not None]
    if not params:
        return
    first = params[0].dtype
    for p in params[1:]:
        if p.dtype != first:
            raise RuntimeError(f"expected scalar type {_type_word(first)} but found {_type_word(p.dtype)}")
    if first == input.dtype:
        return
    if input.dtype.name in _HALF_TYPES and first == _dtype.float32:
        return
    if input.dtype.itemsize < first.itemsize or input.dtype.name in _HALF_TYPES:
        raise RuntimeError(f"mixed dtype (CPU): expect parameter to have scalar type of {_type_word(input.dtype)}")
    raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")


def _check_features(name, tensor, expected, actual=None):
    """PyTorch's RuntimeError when a per-channel tensor does not have one value per channel."""
    actual = tensor.numel() if actual is None else actual
    if actual != expected:
        raise RuntimeError(f"{name} should contain {expected} elements not {actual}")


def _normalized_shape_arg(value, fn):
    """``normalized_shape`` as a tuple of ints: PyTorch's TypeError for a bare int or non-integer entries."""
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{fn}(): argument 'normalized_shape' (position 2) must be tuple of ints, not "
                        f"{type(value).__name__}")
    for position, size in enumerate(value):
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
            raise TypeError(f"{fn}(): argument 'normalized_shape' (position 2) must be tuple of ints, but found "
                            f"element of type {type(size).__name__} at pos {position}")
    return tuple(int(size) for size in value)


def _check_normalized_shape(input, normalized_shape, separator=", "):
    """PyTorch's RuntimeErrors for an empty ``normalized_shape`` or one that is not the input's trailing shape."""
    if not normalized_shape:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one "
                           "element, but got normalized_shape = []")
    k = len(normalized_shape)
    if input.ndim < k or tuple(input.shape[input.ndim - k:]) != normalized_shape:
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
                           f"[*{separator}{', '.join(str(s) for s in normalized_shape)}], but got input of "
                           f"size{list(input.shape)}")


def _check_affine_shape(name, tensor, normalized_shape):
    if tensor is not None and tuple(tensor.shape) != normalized_shape:
        raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                           f"{list(tensor.shape)} and normalized_shape = {list(normalized_shape)}")


def _check_no_grad_stat(tensor, name):
    if tensor is not None and tensor.requires_grad and grad_mode.is_grad_enabled():
        raise RuntimeError(f"The function 'native_batch_norm' is not differentiable with respect to argument "
                           f"'{name}'. This input cannot have requires_grad True.")


def _reshaped(param, shape):
    """A parameter tensor reshaped (a differentiable view) to broadcast in the primitive's layout."""
    return None if param is None else param.reshape(shape)


# ----------------------------------------------------------------------------- batch norm

def _update_running(running, batch_value, momentum):
    """``running = (1 - momentum) * running + momentum * batch_value`` in place, then bump its version."""
    data = running._data
    with np.errstate(invalid="ignore"):
        data *= 1.0 - momentum
        data += (momentum * batch_value).astype(data.dtype, copy=False)
    running._bump_version()


def _empty_batch_norm(input, weight, bias):
    """A zero-size input: an empty output still connected to weight and bias (zero gradients), as PyTorch's."""
    out = input.clone()
    if weight is not None:
        out = out * weight[0]
    if bias is not None:
        out = out + bias[0]
    return out


def _batch_norm_checks(fn, input, weight, bias, running_mean, running_var, training, momentum, eps):
    check_tensor(input, "input", fn)
    for name, value, position in (("weight", weight, 2), ("bias", bias, 3), ("running_mean", running_mean, 4),
                                  ("running_var", running_var, 5)):
        _check_optional_tensor(value, fn, name, position)
    bool_arg(training, fn, "training")
    for name, value in (("momentum", momentum), ("eps", eps)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            position = 7 if name == "momentum" else 8
            raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be float, not "
                            f"{type(value).__name__}")


def _batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps):
    """Batch norm and the saved batch statistics (mean and rstd per channel; empty when not training)."""
    if input.ndim < 2:
        if running_mean is None and running_var is None and weight is None and bias is None:
            raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
        channels = 0
    else:
        channels = input.shape[1]
    for name, tensor in (("running_mean", running_mean), ("running_var", running_var)):
        if tensor is not None:
            _check_features(name, tensor, channels)
        elif not training:
            raise RuntimeError(f"{name} must be defined in evaluation mode")
    for name, tensor in (("weight", weight), ("bias", bias)):
        if tensor is not None:
            _check_features(name, tensor, channels)
    _check_float_input(input, "batch_norm")
    _check_param_dtypes(input, (weight, bias, running_mean, running_var))
    _check_no_grad_stat(running_mean, "running_mean")
    _check_no_grad_stat(running_var, "running_var")
    n = input.shape[0]
    length = math.prod(input.shape[2:])
    layout, param_shape = (n, channels, length), (1, channels, 1)
    if training:
        out, mean, var, rstd = _normalize(NativeBatchNorm, input, weight, bias, layout, param_shape, (0, 2), eps)
        count = n * length
        if running_mean is not None:
            _update_running(running_mean, mean.reshape(channels), momentum)
        if running_var is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                correction = np.float64(count) / (count - 1)     # n / (n - 1): NaN statistics for n == 1
                unbiased = var * correction.astype(var.dtype)
            _update_running(running_var, unbiased.reshape(channels), momentum)
        stats = (mean.reshape(channels), rstd.reshape(channels))
    else:
        mean = running_mean._data.reshape(param_shape).copy()     # later updates must not reach backward
        var = running_var._data.reshape(param_shape)
        out = _normalize(NativeBatchNorm, input, weight, bias, layout, param_shape, (0, 2), eps, mean, var)[0]
        empty = np.empty((0,), dtype=_compute_dtype(input._data.dtype))
        stats = (empty, empty.copy())
    return out, stats


def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled):
    """Normalize each channel (dim 1) by its batch statistics (training) or the running ones (evaluation).

    In training, ``running_mean``/``running_var`` (when given) are updated in place with
    ``momentum``; the variance used for them is the unbiased one.

    >>> x = ember.randn(8, 3)
    >>> ember.batch_norm(x, None, None, None, None, True, 0.1, 1e-5, True).mean(0).abs().max() < 1e-5
    tensor(True)
    """
    _batch_norm_checks("batch_norm", input, weight, bias, running_mean, running_var, training, momentum, eps)
    bool_arg(cudnn_enabled, "batch_norm", "cudnn_enabled")
    if input.numel() == 0:
        return _empty_batch_norm(input, weight, bias)
    return _batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)[0]


def native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps):
    """Batch norm returning ``(output, save_mean, save_invstd)``; the saved statistics are empty in evaluation.

    >>> out, mean, invstd = ember.native_batch_norm(ember.randn(8, 3), None, None, None, None, True, 0.1, 1e-5)
    >>> mean.shape
    ember.Size([3])
    """
    _batch_norm_checks("native_batch_norm", input, weight, bias, running_mean, running_var, training, momentum,
                       eps)
    out, (mean, rstd) = _batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)
    stat_dtype = input._data.dtype
    return out, Tensor._make(mean.astype(stat_dtype)), Tensor._make(rstd.astype(stat_dtype))


# ----------------------------------------------------------------------------- layer norm

def _check_eps(eps, fn, position):
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.integer, np.floating)):
        raise TypeError(f"{fn}(): argument 'eps' (position {position}) must be float, not {type(eps).__name__}")


def _layer_norm(fn, input, normalized_shape, weight, bias, eps):
    """Layer norm over the trailing ``normalized_shape`` dims; also the mean and rstd arrays (batch shape)."""
    check_tensor(input, "input", fn)
    normalized_shape = _normalized_shape_arg(normalized_shape, fn)
    _check_optional_tensor(weight, fn, "weight", 3)
    _check_optional_tensor(bias, fn, "bias", 4)
    _check_eps(eps, fn, 5)
    _check_normalized_shape(input, normalized_shape)
    _check_affine_shape("weight", weight, normalized_shape)
    _check_affine_shape("bias", bias, normalized_shape)
    _check_float_input(input, "LayerNormKernelImpl")
    _check_param_dtypes(input, (weight, bias))
    batch_shape = tuple(input.shape[:input.ndim - len(normalized_shape)])
    features = math.prod(normalized_shape)
    layout = (math.prod(batch_shape), features)
    out, mean, _, rstd = _normalize(NativeLayerNorm, input, weight, bias, layout, (1, features), (1,), eps)
    stats_shape = batch_shape + (1,) * len(normalized_shape)
    return out, mean.reshape(stats_shape), rstd.reshape(stats_shape)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5, cudnn_enable=True):
    """Normalize over the last ``len(normalized_shape)`` dims (mean 0, variance 1), then scale and shift.

    >>> y = ember.layer_norm(ember.randn(2, 5), [5])
    >>> y.mean(-1).abs().max() < 1e-5
    tensor(True)
    """
    bool_arg(cudnn_enable, "layer_norm", "cudnn_enable")
    return _layer_norm("layer_norm", input, normalized_shape, weight, bias, eps)[0]


def native_layer_norm(input, normalized_shape, weight, bias, eps):
    """Layer norm returning ``(output, mean, rstd)``; the statistics keep the normalized dims as size 1.

    >>> out, mean, rstd = ember.native_layer_norm(ember.randn(2, 5), [5], None, None, 1e-5)
    >>> mean.shape
    ember.Size([2, 1])
    """
    out, mean, rstd = _layer_norm("native_layer_norm", input, normalized_shape, weight, bias, eps)
    dtype = input._data.dtype
    return out, Tensor._make(mean.astype(dtype)), Tensor._make(rstd.astype(dtype))


# ----------------------------------------------------------------------------- group norm

def _check_group_weight(name, tensor, input):
    if tensor is not None and (tensor.ndim != 1 or tensor.numel() != input.shape[1]):
        raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of channels in input, but "
                           f"got {name} of shape {list(tensor.shape)} and input of shape {list(input.shape)}")


def _group_norm(input, num_groups, weight, bias, eps):
    """Group norm of a checked input; also the mean and rstd arrays, shaped (N, num_groups)."""
    if input.ndim < 2:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    if num_groups <= 0:
        raise RuntimeError(f"Expected num groups to be greater than 0, got {num_groups}")
    n, channels = input.shape[0], input.shape[1]
    if channels % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input of "
                           f"shape {list(input.shape)} and num_groups={num_groups}")
    _check_group_weight("weight", weight, input)
    _check_group_weight("bias", bias, input)
    _check_float_input(input, "GroupNormKernelImpl")
    _check_param_dtypes(input, (weight, bias))
    per_group = channels // num_groups
    layout = (n, num_groups, per_group, math.prod(input.shape[2:]))
    param_shape = (1, num_groups, per_group, 1)
    out, mean, _, rstd = _normalize(NativeGroupNorm, input, weight, bias, layout, param_shape, (2, 3), eps)
    return out, mean.reshape(n, num_groups), rstd.reshape(n, num_groups)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5, cudnn_enabled=True):
    """Normalize each group of ``num_groups`` channel groups per sample, then scale and shift per channel.

    >>> ember.group_norm(ember.randn(2, 6, 4), 3).shape
    ember.Size([2, 6, 4])
    """
    check_tensor(input, "input", "group_norm")
    num_groups = int_arg(num_groups, "group_norm", "num_groups")
    _check_optional_tensor(weight, "group_norm", "weight", 3)
    _check_optional_tensor(bias, "group_norm", "bias", 4)
    _check_eps(eps, "group_norm", 5)
    bool_arg(cudnn_enabled, "group_norm", "cudnn_enabled")
    return _group_norm(input, num_groups, weight, bias, eps)[0]


def native_group_norm(input, weight, bias, N, C, HxW, group, eps):
    """Group norm of an ``(N, C, *)`` input of ``N * C * HxW`` elements, returning ``(output, mean, rstd)``.

    >>> out, mean, rstd = ember.native_group_norm(ember.randn(2, 6, 4), None, None, 2, 6, 4, 3, 1e-5)
    >>> mean.shape
    ember.Size([2, 3])
    """
    check_tensor(input, "input", "native_group_norm")
    _check_optional_tensor(weight, "native_group_norm", "weight", 2)
    _check_optional_tensor(bias, "native_group_norm", "bias", 3)
    if input.numel() != N * C * HxW:
        raise RuntimeError("Expected X.numel() == N * C * HxW to be true, but got false.")
    group = int_arg(group, "native_group_norm", "group")
    out, mean, rstd = _group_norm(input, group, weight, bias, eps)
    dtype = input._data.dtype
    return out, Tensor._make(mean.astype(dtype)), Tensor._make(rstd.astype(dtype))


# ----------------------------------------------------------------------------- instance norm

def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps, cudnn_enabled):
    """Normalize each channel of each sample over its spatial dims (batch norm with one sample per batch).

    The running statistics, when given and ``use_input_stats``, are updated in place with
    the per-sample statistics averaged over the batch.

    >>> ember.instance_norm(ember.randn(2, 3, 5), None, None, None, None, True, 0.1, 1e-5, True).shape
    ember.Size([2, 3, 5])
    """
    fn = "instance_norm"
    _batch_norm_checks(fn, input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps)
    bool_arg(cudnn_enabled, fn, "cudnn_enabled")
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError("Expected running_mean and running_var to be defined when use_input_stats is false")
    if input.ndim < 2:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    n, channels = input.shape[0], input.shape[1]
    for name, tensor in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                         ("bias", bias)):
        if tensor is not None:       # PyTorch repeats these per sample and checks against N * C
            _check_features(name, tensor, n * channels, n * tensor.numel())
    _check_float_input(input, "batch_norm")
    _check_param_dtypes(input, (weight, bias, running_mean, running_var))
    _check_no_grad_stat(running_mean, "running_mean")
    _check_no_grad_stat(running_var, "running_var")
    if input.numel() == 0:
        _empty_instance_stats(n, running_mean, running_var, use_input_stats)
        return _empty_batch_norm(input, weight, bias)
    length = math.prod(input.shape[2:])
    layout, param_shape = (n, channels, length), (1, channels, 1)
    if not use_input_stats:
        mean = running_mean._data.reshape(param_shape).copy()
        var = running_var._data.reshape(param_shape)
        return _normalize(NativeBatchNorm, input, weight, bias, layout, param_shape, (2,), eps, mean, var)[0]
    out, mean, var, _ = _normalize(NativeBatchNorm, input, weight, bias, layout, param_shape, (2,), eps)
    if running_mean is not None:
        _update_running(running_mean, mean.mean(axis=0).reshape(channels), momentum)
    if running_var is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            unbiased = var * (np.float64(length) / (length - 1)).astype(var.dtype)
        _update_running(running_var, unbiased.mean(axis=0).reshape(channels), momentum)
    return out


def _empty_instance_stats(n, running_mean, running_var, use_input_stats):
    """PyTorch averages the per-sample running statistics over the batch: NaN for an empty batch."""
    if n or not use_input_stats:
        return
    for running in (running_mean, running_var):
        if running is not None:
            running._data[...] = np.nan
            running._bump_version()


# ----------------------------------------------------------------------------- RMS norm

def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Divide by the root mean square over the last ``len(normalized_shape)`` dims, then scale by ``weight``.

    ``eps`` defaults to the machine epsilon of the input's dtype.

    >>> ember.rms_norm(ember.tensor([[3.0, 4.0]]), [2])
    tensor([[0.8485, 1.1314]])
    """
    check_tensor(input, "input", "rms_norm")
    normalized_shape = _normalized_shape_arg(normalized_shape, "rms_norm")
    _check_optional_tensor(weight, "rms_norm", "weight", 3)
    eps = float_arg(eps, "rms_norm", "eps", optional=True)
    _check_normalized_shape(input, normalized_shape, separator="")
    _check_affine_shape("weight", weight, normalized_shape)
    _check_float_input(input, "rms_norm")
    if eps is None:
        eps = _dtype.finfo(input.dtype).eps
    x = _upcast(input)
    dims = tuple(range(input.ndim - len(normalized_shape), input.ndim))
    out = x * ((x * x).mean(dims, keepdim=True) + eps).rsqrt()
    if weight is not None:
        out = out * weight
    return out if out.dtype == input.dtype else out._cast(input.dtype)

