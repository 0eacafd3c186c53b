"""The Connectionist Temporal Classification loss (``torch.ctc_loss``, ``F.ctc_loss``).

The loss of one sample is ``-log p(target | log_probs)``, summed over every alignment of
the target to the input frames (Graves et al., 2006). ``CtcLoss`` runs the alpha
(forward-variable) recursion in log space; its backward runs the beta recursion and
combines the two. Both are vectorised over the batch and the extended label positions
(the target with a blank before, between and after its labels), with a Python loop over
the time steps only.

The gradient is PyTorch's, value for value: ``exp(log_probs) - occupancy`` per class
and frame, which is the derivative of the loss with respect to the *logits* when
``log_probs = log_softmax(logits)`` (log_softmax's backward then passes it unchanged),
not the plain derivative with respect to arbitrary ``log_probs``. Like PyTorch, that
gradient cannot be differentiated again.
"""

import numpy as np

from .._device import array_module
from .._tensor import Tensor
from ..autograd.function import Primitive
from ._util import bool_arg, check_tensor, constant, int_arg
from .indexing import where
from .loss import SCALAR_TYPE_NAMES, reduction_from_enum

__all__ = ["ctc_loss"]

TENSOR_METHODS = {}

_CHECKING = "(while checking arguments for ctc_loss_allocate_outputs)"


# ----------------------------------------------------------------------------- public functions

def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=0, zero_infinity=False):
    """CTC loss of log-probabilities ``(T, N, C)`` against targets; ``reduction`` is an enum (0 none, 1 mean, 2 sum).

    >>> lp = ember.tensor([[[-0.5, -1.0]], [[-0.7, -0.7]]])
    >>> ember.ctc_loss(lp, ember.tensor([[1]]), ember.tensor([2]), ember.tensor([1]))
    tensor([0.4056])
    """
    reduction = reduction_from_enum(reduction, "ctc_loss")
    return connectionist_temporal_classification(log_probs, targets, input_lengths, target_lengths, blank,
                                                 reduction, zero_infinity)


def connectionist_temporal_classification(log_probs, targets, input_lengths, target_lengths, blank, reduction,
                                          zero_infinity):
    """The CTC loss with ``reduction`` given by name: the work behind ``ctc_loss`` and ``F.ctc_loss``.

    ``'mean'`` divides each loss by its target length (at least 1) before the batch mean;
    ``zero_infinity`` replaces infinite losses (inputs too short for their targets) by 0.
    """
    check_tensor(log_probs, "log_probs", "ctc_loss")
    check_tensor(targets, "targets", "ctc_loss")
    input_lengths, target_lengths = _lengths_pair(input_lengths, target_lengths)
    blank = int_arg(blank, "ctc_loss", "blank")
    bool_arg(zero_infinity, "ctc_loss", "zero_infinity")
    batched = log_probs.ndim == 3
    if not batched:
        log_probs = log_probs.unsqueeze(1)
    layout = _alignment_layout(log_probs, targets, input_lengths, target_lengths, blank)
    losses = CtcLoss.apply(log_probs, layout=layout, zero_infinity=zero_infinity)
    if zero_infinity:
        losses = where(losses == float("inf"), constant(np.zeros(()), like=losses), losses)
    if reduction == "mean":
        divisors = constant(np.maximum(layout.target_lengths, 1), like=losses)
        return (losses / divisors).mean()
    if reduction == "sum":
        return losses.sum()
    return losses if batched else losses.squeeze(0)


# ----------------------------------------------------------------------------- argument checks

def _lengths_pair(input_lengths, target_lengths):
    """Both lengths as tuples of ints: given as two integer Tensors or as two sequences of ints."""
    tensors = isinstance(input_lengths, Tensor), isinstance(target_lengths, Tensor)
    if all(tensors):
        return _tensor_lengths(input_lengths, "input_lengths"), _tensor_lengths(target_lengths, "target_lengths")
    if any(tensors):
        raise TypeError("ctc_loss(): input_lengths and target_lengths must both be Tensors or both be tuples "
                        f"of ints, not {type(input_lengths).__name__} and {type(target_lengths).__name__}")
    return _sequence_lengths(input_lengths, "input_lengths"), _sequence_lengths(target_lengths, "target_lengths")


def _tensor_lengths(lengths, name):
    if not lengths.dtype.is_floating_point and not lengths.dtype.is_complex and lengths.dtype.name != "bool":
        return tuple(int(v) for v in np.asarray(lengths._data).reshape(-1))
    raise RuntimeError(f"{name} must be integral")


def _sequence_lengths(lengths, name):
    if not isinstance(lengths, (tuple, list)):
        raise TypeError(f"ctc_loss(): argument '{name}' must be tuple of ints, not {type(lengths).__name__}")
    return tuple(_length_value(v, name) for v in lengths)


def _length_value(value, name):
    """One entry of a lengths sequence: an int, or an integer Tensor holding one value."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, Tensor) and value.numel() == 1 and not value.dtype.is_floating_point and \
            not value.dtype.is_complex and value.dtype.name != "bool":
        return int(value.item())
    raise TypeError(f"ctc_loss(): argument '{name}' must be tuple of ints, but found element of type "
                    f"{type(value).__name__}")


class _Layout:
    """Where each sample's labels sit: padded labels ``(N, S)``, the extended labels and their masks.

    The extended labels of a target ``l`` of length ``L`` are ``blank, l1, blank, ..., lL, blank``
    (``2 L + 1`` states); ``skip[n, s]`` says state ``s`` may be reached from ``s - 2``
    (its label differs from the one two states back), ``valid[n, s]`` that ``s <= 2 L``.
    """

    def __init__(self, labels, input_lengths, target_lengths, blank):
        self.input_lengths = np.asarray(input_lengths, dtype=np.int64)
        self.target_lengths = np.asarray(target_lengths, dtype=np.int64)
        self.blank = blank
        batch, width = labels.shape
        extended = np.full((batch, 2 * width + 1), blank, dtype=np.int64)
        extended[:, 1::2] = labels
        self.extended = extended
        states = np.arange(2 * width + 1)
        self.skip = np.zeros(extended.shape, dtype=bool)
        self.skip[:, 2:] = extended[:, 2:] != extended[:, :-2]
        self.valid = states[None, :] <= 2 * self.target_lengths[:, None]


def _alignment_layout(log_probs, targets, input_lengths, target_lengths, blank):
    """PyTorch's checks of the shapes, lengths and blank, in its order; the ``_Layout`` of the batch."""
    if not log_probs.dtype.is_floating_point or log_probs.dtype.name not in ("float32", "float64"):
        name = SCALAR_TYPE_NAMES.get(log_probs.dtype.name, log_probs.dtype.name)
        raise NotImplementedError(f"\"ctc_loss_cpu\" not implemented for '{name}'")
    if log_probs.numel() == 0:
        raise RuntimeError("log_probs tensor must not be empty")
    if log_probs.ndim != 3:
        raise RuntimeError(f"Expected 3-dimensional tensor, but got {log_probs.ndim}-dimensional tensor for "
                           f"argument #1 'log_probs' {_CHECKING}")
    if not 1 <= targets.ndim <= 2:
        raise RuntimeError(f"Expected 1 to 2 dimensions, but got {targets.ndim}-dimensional tensor for argument "
                           f"#2 'targets' {_CHECKING}")
    max_time, batch, classes = log_probs.shape
    if not 0 <= blank < classes:
        raise RuntimeError("blank must be in label range")
    if len(input_lengths) != batch:
        raise RuntimeError("input_lengths must be of size batch_size")
    if len(target_lengths) != batch:
        raise RuntimeError("target_lengths must be of size batch_size")
    values = np.asarray(targets._data).astype(np.int64)
    labels = _padded_labels(values, target_lengths, batch)
    _check_input_lengths(input_lengths, max_time)
    used = np.arange(labels.shape[1])[None, :] < np.asarray(target_lengths, dtype=np.int64)[:, None]
    _check_label_range(labels, used, classes)
    return _Layout(np.where(used, labels, blank), input_lengths, target_lengths, blank)


def _check_target_lengths(target_lengths):
    for length in target_lengths:
        if length < 0:
            raise RuntimeError(f"Expected target_lengths to have value at least 0, but got value {length} "
                               f"{_CHECKING}")


def _padded_labels(values, target_lengths, batch):
    """The targets as an ``(N, max length)`` array, from either layout (padded rows or one concatenation)."""
    _check_target_lengths(target_lengths)
    longest = max(target_lengths, default=0)
    if values.ndim == 2:
        if values.shape[0] != batch:
            raise RuntimeError(f"Expected tensor to have size {batch} at dimension 0, but got size "
                               f"{values.shape[0]} for argument #2 'targets' {_CHECKING}")
        if values.shape[1] < longest:
            raise RuntimeError(f"Expected tensor to have size at least {longest} at dimension 1, but got size "
                               f"{values.shape[1]} for argument #2 'targets' {_CHECKING}")
        return values[:, :longest]
    total = sum(target_lengths)
    if values.shape[0] != total:
        raise RuntimeError(f"Expected tensor to have size {total} at dimension 0, but got size {values.shape[0]} "
                           f"for argument #2 'targets' {_CHECKING}")
    labels = np.zeros((batch, longest), dtype=np.int64)
    starts = np.cumsum((0,) + tuple(target_lengths))
    for n, length in enumerate(target_lengths):
        labels[n, :length] = values[starts[n]:starts[n] + length]
    return labels


def _check_input_lengths(input_lengths, max_time):
    for length in input_lengths:
        if length < 0:
            raise RuntimeError(f"Expected input_lengths to have value at least 0, but got value {length} "
                               f"{_CHECKING}")
        if length > max_time:
            raise RuntimeError(f"Expected input_lengths to have value at most {max_time}, but got value {length} "
                               f"{_CHECKING}")


def _check_label_range(labels, used, classes):
    """Refuse used labels outside ``[0, C)`` (PyTorch's CPU kernel reads past the class axis there)."""
    wrong = used & ((labels < 0) | (labels >= classes))
    if wrong.any():
        raise RuntimeError(f"ctc_loss(): targets must be class indices in [0, {classes}), but got "
                           f"{labels[wrong][0]}")


# ----------------------------------------------------------------------------- the recursions

def _log_add(*terms):
    """``log(sum(exp(terms)))`` elementwise, shifted by the largest term as PyTorch's kernel does."""
    xp = array_module(terms[0])
    largest = terms[0]
    for term in terms[1:]:
        largest = xp.maximum(largest, term)
    largest = xp.where(largest == -xp.inf, 0, largest).astype(terms[0].dtype)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        total = sum(xp.exp(term - largest) for term in terms)
        return xp.log(total) + largest


def _shifted(states, by, fill):
    """``states`` moved ``by`` places along the last axis (right when positive), ``fill`` coming in."""
    xp = array_module(states)
    out = xp.full_like(states, fill)
    if by > 0:
        out[:, by:] = states[:, :-by]
    else:
        out[:, :by] = states[:, -by:]
    return out


def _emissions(log_probs, layout):
    """``log_probs[t, n, extended[n, s]]``: each state's log-probability at each frame, ``(T, N, 2S+1)``."""
    xp = array_module(log_probs)
    index = xp.broadcast_to(xp.asarray(layout.extended)[None], (log_probs.shape[0],) + layout.extended.shape)
    return xp.take_along_axis(log_probs, index, axis=2)


def _alpha(emissions, layout):
    """The log forward variables: log-probability of the prefixes ending in state ``s`` at frame ``t``."""
    xp = array_module(emissions)
    neg_inf = emissions.dtype.type(-np.inf)
    alpha = xp.full(emissions.shape, neg_inf, dtype=emissions.dtype)
    started = layout.input_lengths > 0
    alpha[0, :, 0] = xp.where(started, emissions[0, :, 0], neg_inf)
    if emissions.shape[2] > 1:
        alpha[0, :, 1] = xp.where(started & (layout.target_lengths > 0), emissions[0, :, 1], neg_inf)
    for t in range(1, emissions.shape[0]):
        previous = alpha[t - 1]
        from_skip = xp.where(layout.skip, _shifted(previous, 2, neg_inf), neg_inf)
        step = _log_add(previous, _shifted(previous, 1, neg_inf), from_skip) + emissions[t]
        live = layout.valid & (t < layout.input_lengths)[:, None]
        alpha[t] = xp.where(live, step, neg_inf)
    return alpha


def _negative_log_likelihood(alpha, layout):
    """``-log`` of the sum of the last frame's alphas in the two final states (one for an empty target)."""
    xp = array_module(alpha)
    batch = np.arange(alpha.shape[1])
    last_frame = np.maximum(layout.input_lengths - 1, 0)
    final = alpha[last_frame, batch]
    lengths = layout.target_lengths
    ends_in_blank = final[batch, 2 * lengths]
    ends_in_label = xp.where(lengths > 0, final[batch, np.maximum(2 * lengths - 1, 0)], -np.inf)
    log_likelihood = _log_add(ends_in_blank, ends_in_label.astype(alpha.dtype))
    empty_input = xp.where(lengths == 0, 0.0, -np.inf).astype(alpha.dtype)
    log_likelihood = xp.where(layout.input_lengths == 0, empty_input, log_likelihood)
    return -log_likelihood


def _beta(emissions, layout):
    """The log backward variables: log-probability of the suffixes from state ``s`` at frame ``t`` on."""
    xp = array_module(emissions)
    neg_inf = emissions.dtype.type(-np.inf)
    beta = xp.full(emissions.shape, neg_inf, dtype=emissions.dtype)
    states = np.arange(emissions.shape[2])[None, :]
    lengths = layout.target_lengths[:, None]
    final = (states == 2 * lengths) | ((states == 2 * lengths - 1) & (lengths > 0))
    skip_back = _shifted(layout.skip, -2, False)     # state s may move on to s + 2
    last_frame = (layout.input_lengths - 1)[:, None]
    for t in range(emissions.shape[0] - 1, -1, -1):
        start = xp.where(final, emissions[t], neg_inf)
        if t + 1 < emissions.shape[0]:
            following = beta[t + 1]
            from_skip = xp.where(skip_back, _shifted(following, -2, neg_inf), neg_inf)
            step = _log_add(following, _shifted(following, -1, neg_inf), from_skip) + emissions[t]
            step = xp.where(layout.valid & (t < last_frame), step, neg_inf)
        else:
            step = xp.full_like(start, neg_inf)
        beta[t] = xp.where(t == last_frame, start, step)
    return beta


def _occupancy(log_probs, emissions, alpha, beta, nll, layout):
    """Per frame and class, the posterior probability that the alignment emits that class there.

    It is ``sum_s alpha*beta / (p * likelihood)`` over the states ``s`` of that class; as in
    PyTorch's kernel, the last frame counts only the two final states, the last-label one
    replacing the blank one when the target itself ends in the blank label.
    """
    xp = array_module(log_probs)
    max_time, batch, classes = log_probs.shape
    log_both = alpha + beta
    lengths = layout.target_lengths
    overwritten = (lengths > 0) & (layout.extended[np.arange(batch), np.maximum(2 * lengths - 1, 0)] == layout.blank)
    for n in np.flatnonzero(overwritten & (layout.input_lengths > 0)):
        log_both[layout.input_lengths[n] - 1, n, 2 * lengths[n]] = -np.inf
    with np.errstate(invalid="ignore", over="ignore"):
        gamma = xp.exp(log_both - emissions + nll[None, :, None])
    bins = (np.arange(max_time)[:, None, None] * batch + np.arange(batch)[None, :, None]) * classes \
        + layout.extended[None]
    summed = xp.bincount(bins.reshape(-1), weights=gamma.reshape(-1).astype(np.float64),
                         minlength=max_time * batch * classes)
    occupancy = summed.reshape(max_time, batch, classes).astype(log_probs.dtype)
    # PyTorch's formula exp(log_sum + nll - log_prob) is undefined (nan) without a finite
    # likelihood, and at log-probabilities of -inf or nan, whatever the class.
    no_likelihood = (xp.isnan(nll) | (nll == np.inf))[None, :, None]
    undefined = no_likelihood | (log_probs == -np.inf) | xp.isnan(log_probs)
    return xp.where(undefined, np.nan, occupancy).astype(log_probs.dtype)


class CtcLoss(Primitive):
    """Per-sample CTC losses ``(N,)`` of ``log_probs`` ``(T, N, C)``; the targets and lengths are in ``layout``."""

    @staticmethod
    def forward(ctx, log_probs, *, layout, zero_infinity):
        alpha = _alpha(_emissions(log_probs, layout), layout)
        nll = _negative_log_likelihood(alpha, layout).astype(log_probs.dtype)
        ctx.layout = layout
        ctx.zero_infinity = zero_infinity
        ctx.save_for_backward(log_probs, nll, alpha)
        return nll

    @staticmethod
    def backward(ctx, grad):
        log_probs, nll, alpha = ctx.saved_tensors
        return CtcLossGrad.apply(grad, log_probs, nll, alpha, layout=ctx.layout, zero_infinity=ctx.zero_infinity)


class CtcLossGrad(Primitive):
    """PyTorch's gradient of the CTC loss: ``(exp(log_probs) - occupancy) * grad``, zero past each input length.

    PyTorch does not differentiate it again (its node is ``NotImplemented``); neither does ember.
    """

    grad_fn_name = "NotImplemented"

    @staticmethod
    def forward(ctx, grad, log_probs, nll, alpha, *, layout, zero_infinity):
        xp = array_module(log_probs)
        emissions = _emissions(log_probs, layout)
        beta = _beta(emissions, layout)
        occupancy = _occupancy(log_probs, emissions, alpha, beta, nll, layout)
        with np.errstate(invalid="ignore", over="ignore"):
            result = (xp.exp(log_probs) - occupancy) * xp.asarray(grad)[None, :, None]
        live = np.arange(log_probs.shape[0])[:, None] < layout.input_lengths[None, :]
        if zero_infinity:
            live = live & ~(nll == np.inf)[None, :]
        return xp.where(live[:, :, None], result, 0).astype(log_probs.dtype)

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::_ctc_loss_backward is not implemented")
