"""Pooling (torch.max_pool*, avg_pool*, adaptive pooling): forward and backward together."""

__all__ = []

TENSOR_METHODS = {}
