"""The dropout family (torch.dropout, alpha_dropout, feature_dropout, ...)."""

__all__ = []

TENSOR_METHODS = {}
