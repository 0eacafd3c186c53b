"""ember.nn.functional: Loss functions."""

__all__ = []
