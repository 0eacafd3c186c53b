"""Activation layers (ReLU, GELU, Softmax, ...)."""

__all__ = []
