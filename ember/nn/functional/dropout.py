"""ember.nn.functional: Dropout functions."""

__all__ = []
