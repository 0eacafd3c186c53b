"""ember.nn.functional: Loss functions.

Each takes PyTorch's arguments, including the legacy ``size_average``/``reduce`` pair
(mapped to ``reduction`` with PyTorch's deprecation warning). ``cross_entropy`` and
``nll_loss`` with class indices run as one fused primitive (``ember.ops.loss.ClassNLL``);
the others are compositions of differentiable ops.
"""

import math
import warnings

import numpy as np

from ...autograd import grad_mode
from ...ops import loss as ops
from ...ops._util import broadcast_shapes, check_tensor, constant
from ...ops.activation import log_softmax
from ...ops.ctc import connectionist_temporal_classification
from ...ops.distance import pairwise_distance
from ...ops.elementwise import minimum
from ...ops.indexing import where
from ...ops.loss import SCALAR_TYPE_NAMES, reduce_loss

__all__ = ["l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss", "cross_entropy", "nll_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div", "cosine_embedding_loss",
           "margin_ranking_loss", "triplet_margin_loss", "triplet_margin_with_distance_loss",
           "hinge_embedding_loss", "multilabel_soft_margin_loss", "soft_margin_loss", "multi_margin_loss",
           "multilabel_margin_loss", "poisson_nll_loss", "gaussian_nll_loss", "ctc_loss"]


# ----------------------------------------------------------------------------- reduction arguments

def legacy_reduction(size_average, reduce):
    """PyTorch's mapping of the deprecated ``size_average``/``reduce`` pair to a reduction, with its warning."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        reduction = "mean"
    elif reduce:
        reduction = "sum"
    else:
        reduction = "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{reduction}' instead.",
                  UserWarning, stacklevel=3)
    return reduction


def checked_reduction(reduction):
    """``reduction`` when it is 'none', 'mean' or 'sum' ('elementwise_mean' is 'mean', with a warning)."""
    if reduction in ("none", "mean", "sum"):
        return reduction
    if reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
                      UserWarning, stacklevel=3)
        return "mean"
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduction(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        return legacy_reduction(size_average, reduce)
    return checked_reduction(reduction)


def _check_tensors(fn, **tensors):
    for name, value in tensors.items():
        check_tensor(value, name, fn)


def _warn_size_mismatch(input, target):
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
                      "This will likely lead to incorrect results due to broadcasting. Please ensure they have "
                      "the same size.", UserWarning, stacklevel=3)


def _broadcast_pair(input, target):
    shape = broadcast_shapes(input.shape, target.shape)
    return input.broadcast_to(shape), target.broadcast_to(shape)


def _weighted(loss, weight, input, reduction, mean_by_weight):
    """Multiply by an elementwise ``weight`` (same size as ``input``) and reduce, as PyTorch's weighted forms do."""
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")
    if reduction == "mean" and mean_by_weight:
        return loss.sum() / weight.sum()
    return reduce_loss(loss, reduction)


# ----------------------------------------------------------------------------- regression losses

def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error ``|input - target|`` (``weight`` scales each element; its mean is by total weight).

    >>> F.l1_loss(ember.tensor([1.0, 2.0]), ember.tensor([0.0, 4.0]))
    tensor(1.5000)
    """
    _check_tensors("l1_loss", input=input, target=target)
    _warn_size_mismatch(input, target)
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    input, target = _broadcast_pair(input, target)
    errors = (input - target).abs()
    if weight is not None:
        return _weighted(errors, weight, input, reduction, mean_by_weight=True)
    reduction = checked_reduction(reduction)
    if reduction == "mean" and not errors.dtype.is_floating_point:
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a floating point or "
                           f"complex dtype. Got: {SCALAR_TYPE_NAMES[errors.dtype.name]}")
    return reduce_loss(errors, reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error ``(input - target) ** 2`` (``weight`` scales each element; its mean is by total weight).

    >>> F.mse_loss(ember.tensor([1.0, 2.0]), ember.tensor([0.0, 4.0]))
    tensor(2.5000)
    """
    _check_tensors("mse_loss", input=input, target=target)
    _warn_size_mismatch(input, target)
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    input, target = _broadcast_pair(input, target)
    errors = (input - target).square()
    if weight is not None:
        return _weighted(errors, weight, input, reduction, mean_by_weight=True)
    reduction = checked_reduction(reduction)
    if not errors.dtype.is_floating_point:
        raise NotImplementedError(f"\"mse_cpu\" not implemented for '{SCALAR_TYPE_NAMES[errors.dtype.name]}'")
    return reduce_loss(errors, reduction)


def _quadratic_then_linear(input, target, threshold, scale_quadratic):
    """``0.5 d**2`` (divided by ``threshold`` when ``scale_quadratic``) inside ``|d| < threshold``, linear outside."""
    difference = input - target
    size = difference.abs()
    quadratic = 0.5 * difference.square()
    if scale_quadratic:
        return where(size < threshold, quadratic / threshold, size - 0.5 * threshold)
    return where(size < threshold, quadratic, threshold * (size - 0.5 * threshold))


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Squared error below ``beta`` (scaled by ``1/beta``), absolute error above; ``beta=0`` is the L1 loss.

    >>> F.smooth_l1_loss(ember.tensor([0.5, 3.0]), ember.tensor([0.0, 0.0]))
    tensor(1.3125)
    """
    _check_tensors("smooth_l1_loss", input=input, target=target)
    _warn_size_mismatch(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    input, target = _broadcast_pair(input, target)
    if beta == 0:
        return reduce_loss((input - target).abs(), reduction)
    return reduce_loss(_quadratic_then_linear(input, target, beta, True), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Squared error below ``delta``, ``delta``-scaled absolute error above (``delta * smooth_l1`` with beta=delta).

    >>> F.huber_loss(ember.tensor([0.5, 3.0]), ember.tensor([0.0, 0.0]))
    tensor(1.3125)
    """
    _check_tensors("huber_loss", input=input, target=target)
    _warn_size_mismatch(input, target)
    target = target.to(input.dtype)             # PyTorch computes the Huber loss in the input's dtype
    input, target = _broadcast_pair(input, target)
    if weight is None:
        reduction = checked_reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    loss = _quadratic_then_linear(input, target, delta, False)
    if weight is not None:
        return _weighted(loss, weight, input, reduction, mean_by_weight=False)
    return reduce_loss(loss, reduction)


# ----------------------------------------------------------------------------- classification losses

def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                  label_smoothing=0.0):
    """Cross entropy of logits ``input`` (classes along dim 1) against class indices or class probabilities.

    Class indices run as one fused primitive: log-softmax, the target's log-probability,
    class ``weight``, ``ignore_index`` and ``label_smoothing``, with the mean weighted
    by the targets' weights. A ``target`` shaped like ``input`` holds probabilities.

    >>> F.cross_entropy(ember.tensor([[2.0, 0.0, 0.0]]), ember.tensor([0]))
    tensor(0.2395)
    """
    _check_tensors("cross_entropy", input=input, target=target)
    reduction = _reduction(size_average, reduce, reduction)
    if input.shape == target.shape:
        return _cross_entropy_probabilities(input, target, weight, ignore_index, reduction, label_smoothing)
    smoothing = label_smoothing if label_smoothing > 0.0 else 0.0
    return ops.class_nll(input, target, weight, ignore_index, reduction, smoothing, log_softmax=True)


def _cross_entropy_probabilities(input, target, weight, ignore_index, reduction, label_smoothing):
    """Cross entropy against a target of class probabilities shaped like the input."""
    if not target.dtype.is_floating_point:
        raise RuntimeError(f"Expected floating point type for target with class probabilities, got "
                           f"{SCALAR_TYPE_NAMES[target.dtype.name]}")
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing:g}")
    class_dim = 0 if input.ndim == 1 else 1
    n_classes = input.shape[class_dim] if input.ndim else 1
    if weight is not None and (weight.ndim != 1 or weight.numel() != n_classes):
        raise RuntimeError(f"cross_entropy: weight tensor should be defined either for all {n_classes} classes or "
                           f"no classes but got weight tensor of shape: {list(weight.shape)}")
    logp = log_softmax(input, class_dim)
    if label_smoothing > 0.0:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    terms = logp * target
    if weight is not None:
        terms = terms * weight.reshape([-1 if d == class_dim else 1 for d in range(input.ndim)])
    if reduction == "none":
        return -terms.sum(class_dim)
    total = -terms.sum()
    if reduction == "sum":
        return total
    if input.numel() == 0:
        return total * math.nan
    return total / (input.numel() / n_classes)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """Negative log-likelihood of class indices given log-probabilities ``input`` (classes along dim 1).

    >>> F.nll_loss(ember.tensor([[-0.5, -1.0]]), ember.tensor([1]))
    tensor(1.)
    """
    _check_tensors("nll_loss", input=input, target=target)
    reduction = _reduction(size_average, reduce, reduction)
    return ops.class_nll(input, target, weight, ignore_index, reduction, 0.0, log_softmax=False)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """``-(y log x + (1 - y) log(1 - x))`` for probabilities ``x``; each log is clamped at -100 as in PyTorch.

    >>> F.binary_cross_entropy(ember.tensor([0.8, 0.4]), ember.tensor([1.0, 0.0]))
    tensor(0.3670)
    """
    _check_tensors("binary_cross_entropy", input=input, target=target)
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size "
                         f"({input.shape}) is deprecated. Please ensure they have the same size.")
    if weight is not None:
        weight = weight.broadcast_to(broadcast_shapes(target.shape, weight.shape))
    loss = ops.binary_cross_entropy_elements(input, target)
    if weight is not None:
        loss = loss * weight
    return reduce_loss(loss, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean",
                                     pos_weight=None):
    """Binary cross entropy of logits, computed stably; ``pos_weight`` weighs the positive term per class.

    >>> F.binary_cross_entropy_with_logits(ember.tensor([0.0, 2.0]), ember.tensor([1.0, 0.0]))
    tensor(1.4100)
    """
    _check_tensors("binary_cross_entropy_with_logits", input=input, target=target)
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    return ops.bce_with_logits(input, target, weight, pos_weight, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """KL divergence of ``target`` from the log-probabilities ``input``; use ``reduction='batchmean'`` for the true KL.

    >>> F.kl_div(ember.tensor([[-1.0, -0.5]]), ember.tensor([[0.5, 0.5]]), reduction="batchmean")
    tensor(0.0569)
    """
    _check_tensors("kl_div", input=input, target=target)
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    else:
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                          "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                          "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                          UserWarning, stacklevel=2)
        if reduction != "batchmean":
            reduction = checked_reduction(reduction)
    if reduction == "batchmean":
        total = ops.kl_divergence(input, target, "sum", log_target)
        return total / input.shape[0] if input.ndim != 0 else total
    return ops.kl_divergence(input, target, reduction, log_target)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """One-versus-all logistic loss, averaged over the classes (the last dimension).

    >>> F.multilabel_soft_margin_loss(ember.tensor([[0.0, 0.0]]), ember.tensor([[1.0, 0.0]]))
    tensor(0.6931)
    """
    _check_tensors("multilabel_soft_margin_loss", input=input, target=target)
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    loss = -(target * ops.log_sigmoid(input) + (1 - target) * ops.log_sigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.ndim - 1
    loss = loss.sum(class_dim) / input.shape[class_dim]
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not valid")
    return reduce_loss(loss, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Two-class logistic loss ``log(1 + exp(-target * input))`` for targets of 1 and -1.

    >>> F.soft_margin_loss(ember.tensor([0.0]), ember.tensor([1.0]))
    tensor(0.6931)
    """
    _check_tensors("soft_margin_loss", input=input, target=target)
    reduction = _reduction(size_average, reduce, reduction)
    if target.requires_grad and grad_mode.is_grad_enabled():
        raise RuntimeError("The function 'soft_margin_loss' is not differentiable with respect to argument 'target'. "
                           "This input cannot have requires_grad True.")
    return reduce_loss((-input * target).exp().log1p(), reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None, reduction="mean"):
    """Multi-class hinge loss: ``sum over j != y of max(0, margin - x[y] + x[j]) ** p``, over the classes.

    >>> F.multi_margin_loss(ember.tensor([[0.1, 0.2, 0.4, 0.8]]), ember.tensor([3]))
    tensor(0.3250)
    """
    _check_tensors("multi_margin_loss", input=input, target=target)
    reduction = _reduction(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    batched = _check_multi_margin(input, target, weight)
    x = input if batched else input.reshape(1, -1)
    classes = x.shape[1]
    index = target.reshape(-1, 1)
    margins = (margin - x.gather(1, index) + x).clamp_min(0)
    if p == 2:
        margins = margins.square()
    if weight is not None:
        margins = margins * weight[target.reshape(-1)].reshape(-1, 1)
    others = np.ones(tuple(x.shape), dtype=bool)
    np.put_along_axis(others, np.asarray(index._data), False, axis=1)
    loss = (margins * constant(others, margins)).sum(1) / classes
    if not batched:
        loss = loss.reshape(())
    return reduce_loss(loss, reduction)


def _check_multi_margin(input, target, weight):
    """PyTorch's shape, range and weight checks for ``multi_margin_loss``; True for a batched input."""
    batched = input.ndim == 2
    if not (batched and input.shape[1] != 0 or input.ndim == 1 and input.shape[0] != 0 or input.ndim == 0):
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{list(input.shape)}")
    samples = input.shape[0] if batched else 1
    classes = input.shape[-1] if input.ndim else 1
    if target.ndim > 1 or target.numel() != samples:
        raise RuntimeError(f"multi_margin_loss: target tensor should be 1-D with size equal to the number of input "
                           f"samples (batch size). Expected target size [{samples}], but got {list(target.shape)}. "
                           f"Input has shape {list(input.shape)}.")
    if weight is not None and weight.numel() != classes:
        raise RuntimeError(f"inconsistent weight size, expected {classes} but got {list(weight.shape)}")
    values = np.asarray(target._data)
    if values.size and (values.min() < 0 or values.max() >= classes):
        raise RuntimeError("target out of range")
    return batched


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Multi-label hinge loss: for each target class ``j`` (listed until a -1) and each non-target ``k``,
    ``max(0, 1 - (x[j] - x[k]))``, summed and divided by the number of classes.

    >>> F.multilabel_margin_loss(ember.tensor([[0.1, 0.2, 0.4, 0.8]]), ember.tensor([[3, 0, -1, 1]]))
    tensor(0.8500)
    """
    _check_tensors("multilabel_margin_loss", input=input, target=target)
    reduction = _reduction(size_average, reduce, reduction)
    batched = input.ndim == 2
    if input.ndim > 2 or tuple(target.shape) != tuple(input.shape):
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: {list(input.shape)}")
    x = input.reshape(1, -1) if not batched else input
    counts, is_target = _target_counts(np.asarray(target._data).reshape(tuple(x.shape)), x.shape[1])
    pairs = counts[:, :, None] * ~is_target[:, None, :]          # [sample, target class j, other class k]
    hinge = (1 - x.unsqueeze(2) + x.unsqueeze(1)).clamp_min(0)
    loss = (hinge * constant(pairs, hinge)).sum((1, 2)) / max(x.shape[1], 1)
    if not batched:
        loss = loss.reshape(())
    return reduce_loss(loss, reduction)


def _target_counts(targets, classes):
    """How often each class is listed before the first -1 of each row, and which classes are listed."""
    if targets.size and (targets.min() < -1 or targets.max() >= classes):
        raise RuntimeError("argument #2 'target' is out of range")
    counts = np.zeros(targets.shape, dtype=np.int64)
    for row, labels in enumerate(targets):
        for label in labels:
            if label < 0:
                break
            counts[row, label] += 1
    return counts, counts > 0


# ----------------------------------------------------------------------------- embedding and ranking losses

def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """``1 - cos(x1, x2)`` for targets of 1 and ``max(0, cos(x1, x2) - margin)`` for targets of -1.

    >>> F.cosine_embedding_loss(ember.tensor([[1.0, 0.0]]), ember.tensor([[0.0, 1.0]]), ember.tensor([1]))
    tensor(1.)
    """
    _check_tensors("cosine_embedding_loss", input1=input1, input2=input2, target=target)
    reduction = _reduction(size_average, reduce, reduction)
    return ops.cosine_embedding(input1, input2, target, margin, reduction)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """``max(0, -target * (x1 - x2) + margin)``: rank ``x1`` above ``x2`` where the target is 1.

    >>> F.margin_ranking_loss(ember.tensor([1.0]), ember.tensor([2.0]), ember.tensor([1.0]))
    tensor(1.)
    """
    _check_tensors("margin_ranking_loss", input1=input1, input2=input2, target=target)
    reduction = _reduction(size_average, reduce, reduction)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} ")
    return ops.margin_ranking(input1, input2, target, margin, reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """``x`` where the target is 1 and ``max(0, margin - x)`` where it is -1 (``x`` typically a distance).

    >>> F.hinge_embedding_loss(ember.tensor([0.3, 2.0]), ember.tensor([1.0, -1.0]))
    tensor(0.1500)
    """
    _check_tensors("hinge_embedding_loss", input=input, target=target)
    reduction = _reduction(size_average, reduce, reduction)
    return ops.hinge_embedding(input, target, margin, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    """``max(0, margin + d(a, p) - d(a, n))`` with ``d`` the ``p``-norm pairwise distance (``swap``: also d(p, n)).

    >>> a = ember.tensor([[0.0, 0.0]])
    >>> F.triplet_margin_loss(a, ember.tensor([[1.0, 0.0]]), ember.tensor([[0.0, 1.5]]))
    tensor(0.5000)
    """
    _check_tensors("triplet_margin_loss", anchor=anchor, positive=positive, negative=negative)
    reduction = _reduction(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    return ops.triplet_margin(anchor, positive, negative, margin, p, eps, swap, reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0, swap=False,
                                      reduction="mean"):
    """The triplet margin loss with any ``distance_function(x1, x2)`` (``pairwise_distance`` by default).

    >>> a = ember.tensor([[0.0, 0.0]])
    >>> F.triplet_margin_with_distance_loss(a, ember.tensor([[1.0, 0.0]]), ember.tensor([[0.0, 1.5]]))
    tensor(0.5000)
    """
    _check_tensors("triplet_margin_with_distance_loss", anchor=anchor, positive=positive, negative=negative)
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    ops.check_triplet_dims(anchor, positive, negative)
    distance = pairwise_distance if distance_function is None else distance_function
    to_positive = distance(anchor, positive)
    to_negative = distance(anchor, negative)
    if swap:
        to_negative = minimum(to_negative, distance(positive, negative))
    return reduce_loss((margin + to_positive - to_negative).clamp_min(0), reduction)


# ----------------------------------------------------------------------------- likelihood losses

def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    """Poisson negative log-likelihood of counts ``target`` with rate ``exp(input)`` (or ``input``).

    ``full`` adds Stirling's approximation of ``log(target!)`` for targets above 1.

    >>> F.poisson_nll_loss(ember.tensor([0.0]), ember.tensor([1.0]))
    tensor(1.)
    """
    _check_tensors("poisson_nll_loss", input=input, target=target)
    reduction = _reduction(size_average, reduce, reduction)
    return ops.poisson_nll(input, target, log_input, full, eps, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Gaussian negative log-likelihood ``0.5 (log var + (input - target)**2 / var)``, ``var`` clamped at ``eps``.

    ``var`` may be a float, shaped like ``input``, or missing the last dimension or one of size 1.

    >>> F.gaussian_nll_loss(ember.tensor([1.0]), ember.tensor([0.0]), ember.tensor([1.0]))
    tensor(0.5000)
    """
    _check_tensors("gaussian_nll_loss", input=input, target=target)
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = input.detach() * 0 + var
    else:
        check_tensor(var, "var", "gaussian_nll_loss")
        if bool((var < 0).any()):
            raise ValueError("var has negative entry/entries")
    var = _variance_shaped(var, input)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not valid")
    plain = var.detach()
    var = var + (plain.clamp_min(eps) - plain)          # clamp the value, keep the gradient (PyTorch's no_grad clamp_)
    loss = 0.5 * (var.log() + (input - target).square() / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return reduce_loss(loss, reduction)


def _variance_shaped(var, input):
    """``var`` as PyTorch accepts it: input's shape, input's shape less the last dimension, or one dimension of 1."""
    if var.shape == input.shape:
        return var
    if tuple(input.shape[:-1]) == tuple(var.shape):
        return var.unsqueeze(-1)
    if input.ndim == var.ndim and sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1:
        return var
    raise ValueError("var is of incorrect size")


# ----------------------------------------------------------------------------- sequence losses

def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    """Connectionist Temporal Classification loss of ``log_probs`` ``(T, N, C)`` or ``(T, C)`` against targets.

    ``targets`` are padded ``(N, S)`` or concatenated; ``'mean'`` divides each loss by its
    target length before the batch mean. The gradient is PyTorch's (see ``ember.ops.ctc``).

    >>> lp = ember.tensor([[[-0.5, -1.0]], [[-0.7, -0.7]]])
    >>> F.ctc_loss(lp, ember.tensor([[1]]), ember.tensor([2]), ember.tensor([1]))
    tensor(0.4056)
    """
    reduction = checked_reduction(reduction)
    return connectionist_temporal_classification(log_probs, targets, input_lengths, target_lengths, blank,
                                                 reduction, zero_infinity)
