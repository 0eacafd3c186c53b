"""ember.nn.functional: Activation functions."""

__all__ = []
