"""Loss functions PyTorch exposes as torch.* (binary_cross_entropy_with_logits, kl_div, ...)."""

__all__ = []

TENSOR_METHODS = {}
