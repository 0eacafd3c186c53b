"""ember.nn.functional: linear and bilinear."""

__all__ = []
