"""Convolutions (torch.conv1d/2d/3d and friends): forward and backward together."""

__all__ = []

TENSOR_METHODS = {}
