"""The sigmoid focal loss of RetinaNet (torchvision.ops.sigmoid_focal_loss), for dense, imbalanced targets."""

import ember
from ember.nn import functional as F

__all__ = ["sigmoid_focal_loss"]

_REDUCTIONS = {"none": lambda loss: loss, "mean": lambda loss: loss.mean(), "sum": lambda loss: loss.sum()}


def sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2, reduction="none"):
    """Binary cross-entropy on logits scaled by ``(1 - p_t) ** gamma`` so easy examples count less (Lin et al.).

    ``alpha`` weighs positives against negatives (-1 turns it off); differentiable in ``inputs``.

    >>> sigmoid_focal_loss(ember.tensor([2.0, -1.0]), ember.tensor([1.0, 0.0]), reduction="sum")
    tensor(0.0174)
    """
    if not (0 <= alpha <= 1) and alpha != -1:
        raise ValueError(f"Invalid alpha value: {alpha}. alpha must be in the range [0,1] or -1 for ignore.")
    if reduction not in _REDUCTIONS:
        raise ValueError(f"Invalid Value for arg 'reduction': '{reduction} \n Supported reduction modes: 'none', "
                         f"'mean', 'sum'")
    p = ember.sigmoid(inputs)
    cross_entropy = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = cross_entropy * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    return _REDUCTIONS[reduction](loss)
