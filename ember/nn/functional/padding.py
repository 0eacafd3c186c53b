"""ember.nn.functional: pad."""

__all__ = []
