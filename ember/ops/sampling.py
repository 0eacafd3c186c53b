"""Placeholder: filled in by the sampling work (interpolate, grid_sample)."""

__all__ = []
TENSOR_METHODS = {}
