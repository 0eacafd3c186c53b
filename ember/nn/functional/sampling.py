"""Placeholder: filled in by the sampling work (interpolate, grid_sample)."""

__all__ = []
