"""Loss functions PyTorch exposes as torch.* (binary_cross_entropy_with_logits, kl_div, ...).

Also the primitives behind ``nn.functional``'s losses: ``ClassNLL`` (the fused
log-softmax + gather + weighted mean of ``cross_entropy`` and ``nll_loss``) and
``BinaryCrossEntropy``, plus the reduction helpers both layers share. The torch.*
forms take ``reduction`` as PyTorch's enum (0 none, 1 mean, 2 sum; left out, PyTorch's
binding reduces nothing, so the default here is 0); nn.functional's take the string.
"""

import math

import numpy as np

from .._device import array_module
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.function import Primitive
from ._util import bool_arg, broadcast_shapes, check_tensor, constant, float_arg, int_arg
from .activation import LogSigmoid, Softmax
from .distance import pairwise_distance
from .elementwise import minimum, xlogy
from .indexing import where

__all__ = ["binary_cross_entropy_with_logits", "cosine_embedding_loss", "hinge_embedding_loss", "kl_div",
           "margin_ranking_loss", "poisson_nll_loss", "triplet_margin_loss"]

TENSOR_METHODS = {}

# PyTorch's ScalarType names, used in its dtype messages ("expected target dtype to be Long or Byte").
SCALAR_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
                     "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                     "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


# ----------------------------------------------------------------------------- reductions

REDUCTION_NAMES = {0: "none", 1: "mean", 2: "sum"}


def reduction_from_enum(reduction, fn):
    """The reduction name for PyTorch's enum argument of the torch.* losses (0 none, 1 mean, 2 sum)."""
    value = int_arg(reduction, fn, "reduction")
    return REDUCTION_NAMES.get(value, "none")


def reduce_loss(loss, reduction):
    """``loss`` itself, its mean or its sum, as ``reduction`` says."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


# ----------------------------------------------------------------------------- fused class NLL

def _log_softmax_parts(x):
    """``log_softmax(x, dim=1)`` with the pieces backward reuses: ``exp(x - max)`` and its sum."""
    xp = array_module(x)
    shifted = x - x.max(axis=1, keepdims=True) if x.size else x.copy()
    exps = xp.exp(shifted)
    if exps.ndim == 2 and exps.dtype.itemsize >= 4:      # row sums as a BLAS product: much faster than sum()
        sums = (exps @ xp.ones(exps.shape[1], dtype=exps.dtype))[:, None]
    else:
        sums = exps.sum(axis=1, keepdims=True)
    shifted -= xp.log(sums)
    return shifted, exps, sums


class ClassNLL(Primitive):
    """Weighted negative log-likelihood of class indices along dim 1, after a log-softmax when asked.

    One node does ``cross_entropy``'s log-softmax, the gather of each target's
    log-probability, the class weights, label smoothing and the weighted mean. With
    ``Q`` the per-class coefficients of each sample (target weight, smoothing share),
    the loss is ``-sum(Q * logp)`` and its gradient ``scale * (softmax * sum(Q) - Q)``
    (just ``-scale * Q`` for ``nll_loss``, whose input already is ``logp``).
    """

    grad_fn_name = "NllLossBackward0"

    @staticmethod
    def forward(ctx, x, target, *, weight, ignore_index, reduction, label_smoothing, log_softmax):
        input = x
        ctx.input_shape = x.shape
        if x.ndim == 1:                          # an unbatched sample: a batch of one
            x, target = x[None], target.reshape(1)
        ctx.batched_shape = x.shape
        if log_softmax:
            logp, exps, sums = _log_softmax_parts(x)
        else:
            logp, exps, sums = x, None, None
        mask, safe = _counted_targets(target, ignore_index, x.shape[1])
        key = _class_key(safe)
        coef = _target_weights(weight, safe, mask, x.dtype)
        loss = logp[key]
        loss *= -coef
        if label_smoothing:
            smooth = -(logp * _class_weights(weight, x)).sum(axis=1) * _full_mask(mask, target)
            loss = (1 - label_smoothing) * loss + (label_smoothing / x.shape[1]) * smooth
        ctx.denominator = coef.sum() if reduction == "mean" else None
        ctx.mask, ctx.key, ctx.coef, ctx.weight = mask, key, coef, weight
        ctx.exps, ctx.sums = exps, sums
        ctx.reduction, ctx.label_smoothing, ctx.log_softmax = reduction, label_smoothing, log_softmax
        ctx.save_for_backward(input)
        return _reduce_array(loss, reduction, ctx.denominator, ctx.input_shape)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        if grad_mode.is_grad_enabled():
            return _class_nll_grad_graph(ctx, x, grad), None
        if _nothing_counted(ctx):
            with np.errstate(invalid="ignore", divide="ignore"):      # 0 * inf where nothing counted; zeroed
                return Tensor._make(_class_nll_grad_array(ctx, grad._data)), None
        return Tensor._make(_class_nll_grad_array(ctx, grad._data)), None


def _counted_targets(target, ignore_index, n_classes):
    """The mask of targets that count (None: all of them) and the targets with ignored ones set to class 0.

    Checks the counted targets are class indices (PyTorch's IndexError otherwise).
    """
    if target.size:
        low, high = target.min(), target.max()
        if 0 <= low and high < n_classes and not low <= ignore_index <= high:
            return None, target
    xp = array_module(target)
    mask = target != ignore_index
    bad = mask & ((target < 0) | (target >= n_classes))
    if bad.any():
        raise IndexError(f"Target {int(target[bad][0])} is out of bounds.")
    return mask, xp.where(mask, target, 0)


def _full_mask(mask, target):
    """``mask`` as an array (all True where every target counts)."""
    return array_module(target).ones(target.shape, dtype=bool) if mask is None else mask


def _target_weights(weight, safe, mask, dtype):
    """Each sample's weight in the loss: its class's weight (1 without weights), 0 where ignored."""
    xp = array_module(safe)
    if weight is None:
        return xp.ones(safe.shape, dtype=dtype) if mask is None else mask.astype(dtype)
    picked = weight[safe].astype(dtype, copy=False)
    return picked if mask is None else xp.where(mask, picked, 0).astype(dtype, copy=False)


def _class_key(classes):
    """The index tuple that picks, for each sample (and position), the entry of class ``classes`` along dim 1."""
    xp = array_module(classes)
    if classes.ndim == 1:
        return (xp.arange(classes.shape[0]), classes)
    grid = xp.indices(classes.shape, sparse=True)
    return (grid[0], classes) + tuple(grid[1:])


def _class_weights(weight, x):
    """The class weights shaped to broadcast along dim 1 of ``x`` (1 without weights)."""
    if weight is None:
        return 1
    return weight.reshape((1, -1) + (1,) * (x.ndim - 2)).astype(x.dtype, copy=False)


def _reduce_array(loss, reduction, denominator, input_shape):
    xp = array_module(loss)
    if reduction == "none":
        return loss.reshape(()) if len(input_shape) == 1 else loss
    total = loss.sum()
    if reduction == "mean":
        if not denominator:
            return xp.asarray(np.nan if not total else total * np.inf, dtype=loss.dtype)
        total = total / denominator
    return xp.asarray(total, dtype=loss.dtype)


def _coefficients(ctx, shape, dtype):
    """``Q``: each sample's weight on each class's log-probability (dense, shaped like the input)."""
    xp = array_module(ctx.coef)
    q = xp.zeros(shape, dtype=dtype)
    q[ctx.key] = (1 - ctx.label_smoothing) * ctx.coef
    if ctx.label_smoothing:
        share = ctx.label_smoothing / shape[1]
        q += share * _class_weights(ctx.weight, q) * _full_mask(ctx.mask, ctx.coef)[:, None]
    return q


def _scale_array(ctx, g):
    """The incoming gradient per sample, broadcast along the class dimension."""
    if ctx.reduction == "none":
        return g.reshape(ctx.coef.shape)[:, None]
    if ctx.reduction == "mean":
        return g / ctx.denominator
    return g


def _class_nll_grad_array(ctx, g):
    """The input gradient in array math (no graph is being built)."""
    xp = array_module(g)
    scale = _scale_array(ctx, g)
    if ctx.log_softmax and not ctx.label_smoothing:
        picked = ctx.coef * (scale[:, 0] if ctx.reduction == "none" else scale)
        result = ctx.exps * (picked[:, None] / ctx.sums)
        result[ctx.key] -= picked
    else:
        q = _coefficients(ctx, ctx.batched_shape, g.dtype)
        if ctx.log_softmax:
            result = ctx.exps / ctx.sums * q.sum(axis=1, keepdims=True) - q
        else:
            result = -q
        result *= scale
    if _nothing_counted(ctx):
        result = xp.where(_full_mask(ctx.mask, ctx.coef)[:, None], result, 0).astype(result.dtype, copy=False)
    return result.reshape(ctx.input_shape)


def _nothing_counted(ctx):
    """True for a weighted mean over nothing (all ignored): the loss is NaN, ignored entries get 0 gradient."""
    return ctx.reduction == "mean" and not ctx.denominator


def _class_nll_grad_graph(ctx, x, grad):
    """The input gradient in Tensor ops, so that it can be differentiated again."""
    batched = x.reshape(ctx.batched_shape)
    q = _coefficients(ctx, ctx.batched_shape, x._data.dtype)
    if ctx.reduction == "none":
        scale = grad.reshape(ctx.coef.shape).unsqueeze(1)
    elif ctx.reduction == "mean":
        scale = grad / constant(ctx.denominator, grad)
    else:
        scale = grad
    if ctx.log_softmax:
        p = Softmax.apply(batched, dim=1)
        result = (p * constant(q.sum(axis=1, keepdims=True)) - constant(q)) * scale
    else:
        result = -constant(q) * scale
    if _nothing_counted(ctx):
        result = result.masked_fill(constant(~_full_mask(ctx.mask, ctx.coef)[:, None]), 0.0)
    return result.reshape(tuple(x.shape))


def class_nll(input, target, weight, ignore_index, reduction, label_smoothing, log_softmax):
    """``nll_loss`` (or ``cross_entropy`` with ``log_softmax``) of class-index targets, checked as PyTorch does."""
    if input.ndim == 0:
        raise ValueError("Expected 1 or more dimensions (got 0)")
    _check_class_shapes(input, target)
    if target.dtype.name not in ("int64", "uint8"):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {SCALAR_TYPE_NAMES[target.dtype.name]}")
    n_classes = input.shape[0 if input.ndim == 1 else 1]
    if weight is not None:
        _check_class_weight(input, weight, n_classes)
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"{'log_softmax_lastdim_kernel_impl' if log_softmax else 'nll_loss_out_frame'}\""
                                  f" not implemented for '{SCALAR_TYPE_NAMES[input.dtype.name]}'")
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing:g}")
    weight_array = None if weight is None else weight._data
    return ClassNLL.apply(input, target, weight=weight_array, ignore_index=ignore_index, reduction=reduction,
                          label_smoothing=float(label_smoothing), log_softmax=log_softmax)


def _check_class_shapes(input, target):
    """PyTorch's errors for class-index targets whose shape does not fit the input's."""
    if input.ndim == 1:
        if target.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if target.ndim == 1 and target.shape[0] != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {target.shape[0]}")
        return
    if target.ndim == 0 or input.shape[0] != target.shape[0]:
        got = target.shape[0] if target.ndim else 1
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size ({got}).")
    if input.ndim == 2:
        if target.ndim != 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        return
    expected = (input.shape[0],) + tuple(input.shape[2:])
    if tuple(target.shape) != expected:
        if input.ndim == 4 and target.ndim != 3:
            raise RuntimeError(f"only batches of spatial targets supported (3D tensors) but got targets of "
                               f"dimension: {target.ndim}")
        if input.ndim == 4:
            raise RuntimeError(f"size mismatch (got input: {list(input.shape)} , target: {list(target.shape)}")
        raise RuntimeError(f"Expected target size {list(expected)}, got {list(target.shape)}")


def _check_class_weight(input, weight, n_classes):
    if weight.ndim != 1 or weight.shape[0] != n_classes:
        if input.ndim > 2:
            raise RuntimeError("weight tensor should be defined either for all or no classes")
        raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes or no classes but "
                           f"got weight tensor of shape: {list(weight.shape)}")
    if weight.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {SCALAR_TYPE_NAMES[input.dtype.name]} but found "
                           f"{SCALAR_TYPE_NAMES[weight.dtype.name]}")


# ----------------------------------------------------------------------------- elementwise primitives

def log_sigmoid(x):
    """Elementwise ``log(sigmoid(x))``, stable for large ``|x|`` (the activation family's primitive)."""
    return LogSigmoid.apply(x)


class BinaryCrossEntropy(Primitive):
    """``-(y log x + (1 - y) log(1 - x))`` with each log clamped at -100, as PyTorch's kernel does."""

    @staticmethod
    def forward(ctx, x, y):
        xp = array_module(x)
        ctx.save_for_backward(x, y)
        with np.errstate(divide="ignore"):
            log_x = xp.maximum(xp.log(x), -100)
            log_not_x = xp.maximum(xp.log1p(-x), -100)
        return (y - 1) * log_not_x - y * log_x

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        grad_x = grad_y = None
        if ctx.needs_input_grad[0]:
            grad_x = grad * (x - y) / ((1 - x) * x).clamp_min(1e-12)
        if ctx.needs_input_grad[1]:
            grad_y = grad * ((-x).log1p() - x.log())
        return grad_x, grad_y


def binary_cross_entropy_elements(input, target):
    """The unreduced binary cross entropy, after PyTorch's dtype and range checks."""
    if target.dtype != input.dtype:
        raise RuntimeError(f"Found dtype {SCALAR_TYPE_NAMES[target.dtype.name]} but expected "
                           f"{SCALAR_TYPE_NAMES[input.dtype.name]}")
    xp = array_module(input._data)
    if xp.any((input._data < 0) | (input._data > 1)):
        raise RuntimeError("all elements of input should be between 0 and 1")
    if xp.any((target._data < 0) | (target._data > 1)):
        raise RuntimeError("all elements of target should be between 0 and 1")
    return BinaryCrossEntropy.apply(input, target)


# ----------------------------------------------------------------------------- torch.* losses

def _check_losses_args(fn, **tensors):
    for name, value in tensors.items():
        check_tensor(value, name, fn)


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=0):
    """Binary cross entropy on logits, ``-(pw*y*log s(x) + (1-y)*log(1-s(x)))``, stable for any ``x``.

    >>> ember.binary_cross_entropy_with_logits(ember.tensor([0.0, 2.0]), ember.tensor([1.0, 0.0]), reduction=1)
    tensor(1.4100)
    """
    _check_losses_args("binary_cross_entropy_with_logits", input=input, target=target)
    return bce_with_logits(input, target, weight, pos_weight,
                           reduction_from_enum(reduction, "binary_cross_entropy_with_logits"))


def bce_with_logits(input, target, weight, pos_weight, reduction):
    """``(1 - y) x - (1 + (pw - 1) y) log_sigmoid(x)``, weighted and reduced."""
    if pos_weight is not None:
        log_weight = (pos_weight - 1) * target + 1
        loss = (1 - target) * input - log_weight * log_sigmoid(input)
    else:
        loss = (1 - target) * input - log_sigmoid(input)
    if weight is not None:
        loss = loss * weight
    return reduce_loss(loss, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=0):
    """``1 - cos(x1, x2)`` where the target is 1, ``max(0, cos - margin)`` where it is -1.

    >>> ember.cosine_embedding_loss(ember.tensor([[1.0, 0.0]]), ember.tensor([[0.0, 1.0]]), ember.tensor([1]))
    tensor([1.])
    """
    _check_losses_args("cosine_embedding_loss", input1=input1, input2=input2, target=target)
    return cosine_embedding(input1, input2, target, float_arg(margin, "cosine_embedding_loss", "margin"),
                            reduction_from_enum(reduction, "cosine_embedding_loss"))


def cosine_embedding(input1, input2, target, margin, reduction):
    dim = target.ndim
    if dim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    expected = 2 if dim == 1 else 1
    if input1.ndim != expected or input2.ndim != expected:
        raise RuntimeError(f"{dim}D target tensor expects {expected}D input tensors, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}.")
    products = (input1 * input2).sum(dim)
    squares1 = (input1 * input1).sum(dim) + 1e-12
    squares2 = (input2 * input2).sum(dim) + 1e-12
    cos = products / (squares1 * squares2).sqrt()
    zeros = cos.detach() * 0
    positive = where(target == 1, 1 - cos, zeros)
    negative = where(target == -1, (cos - margin).clamp_min(0), zeros)
    return reduce_loss(positive + negative, reduction)


def hinge_embedding_loss(input, target, margin=1.0, reduction=0):
    """``x`` where the target is 1, ``max(0, margin - x)`` where it is -1.

    >>> ember.hinge_embedding_loss(ember.tensor([0.3, 2.0]), ember.tensor([1.0, -1.0]), 1.0, 1)
    tensor(0.1500)
    """
    _check_losses_args("hinge_embedding_loss", input=input, target=target)
    return hinge_embedding(input, target, float_arg(margin, "hinge_embedding_loss", "margin"),
                           reduction_from_enum(reduction, "hinge_embedding_loss"))


def hinge_embedding(input, target, margin, reduction):
    zeros = input.detach() * 0
    below_margin = where(target != 1, (margin - input).clamp_min(0), zeros)
    itself = where(target != -1, input, zeros)
    return reduce_loss(below_margin + itself, reduction)


def kl_div(input, target, reduction=0, *, log_target=False):
    """Pointwise KL divergence ``target * (log target - input)`` of log-probabilities ``input``.

    >>> ember.kl_div(ember.tensor([-1.0, -0.5]), ember.tensor([0.5, 0.5]), 2)
    tensor(0.0569)
    """
    _check_losses_args("kl_div", input=input, target=target)
    bool_arg(log_target, "kl_div", "log_target")
    return kl_divergence(input, target, reduction_from_enum(reduction, "kl_div"), log_target)


def kl_divergence(input, target, reduction, log_target):
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = xlogy(target, target) - target * input
    return reduce_loss(loss, reduction)


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=0):
    """``max(0, -target * (x1 - x2) + margin)``: rank ``x1`` above ``x2`` where the target is 1.

    >>> ember.margin_ranking_loss(ember.tensor([1.0]), ember.tensor([2.0]), ember.tensor([1.0]))
    tensor([1.])
    """
    _check_losses_args("margin_ranking_loss", input1=input1, input2=input2, target=target)
    return margin_ranking(input1, input2, target, float_arg(margin, "margin_ranking_loss", "margin"),
                          reduction_from_enum(reduction, "margin_ranking_loss"))


def margin_ranking(input1, input2, target, margin, reduction):
    return reduce_loss((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    """Poisson negative log-likelihood: ``exp(x) - y x`` (``log_input``) or ``x - y log(x + eps)``.

    >>> ember.poisson_nll_loss(ember.tensor([0.0]), ember.tensor([1.0]), True, False, 1e-8, 1)
    tensor(1.)
    """
    _check_losses_args("poisson_nll_loss", input=input, target=target)
    return poisson_nll(input, target, bool_arg(log_input, "poisson_nll_loss", "log_input"),
                       bool_arg(full, "poisson_nll_loss", "full"), float_arg(eps, "poisson_nll_loss", "eps"),
                       reduction_from_enum(reduction, "poisson_nll_loss"))


def poisson_nll(input, target, log_input, full, eps, reduction):
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
        loss = loss + stirling.masked_fill(target <= 1, 0.0)
    return reduce_loss(loss, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-06, swap=False, reduction=0):
    """``max(0, margin + d(a, p) - d(a, n))`` with ``d`` the ``p``-norm pairwise distance.

    >>> a = ember.tensor([[0.0, 0.0]])
    >>> ember.triplet_margin_loss(a, ember.tensor([[1.0, 0.0]]), ember.tensor([[0.0, 3.0]]))
    tensor([0.])
    """
    _check_losses_args("triplet_margin_loss", anchor=anchor, positive=positive, negative=negative)
    fn = "triplet_margin_loss"
    return triplet_margin(anchor, positive, negative, float_arg(margin, fn, "margin"), float_arg(p, fn, "p"),
                          float_arg(eps, fn, "eps"), bool_arg(swap, fn, "swap"), reduction_from_enum(reduction, fn))


def check_triplet_dims(anchor, positive, negative):
    dims = (anchor.ndim, positive.ndim, negative.ndim)
    if len(set(dims)) != 1:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {dims[0]}D, positive {dims[1]}D, and negative {dims[2]}D "
                           "inputs")


def triplet_margin(anchor, positive, negative, margin, p, eps, swap, reduction):
    check_triplet_dims(anchor, positive, negative)
    broadcast_shapes(anchor.shape, positive.shape, negative.shape)
    to_positive = pairwise_distance(anchor, positive, p, eps)
    to_negative = pairwise_distance(anchor, negative, p, eps)
    if swap:
        to_negative = minimum(to_negative, pairwise_distance(positive, negative, p, eps))
    return reduce_loss((margin + to_positive - to_negative).clamp_min(0), reduction)
