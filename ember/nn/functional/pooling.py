"""ember.nn.functional: Pooling."""

__all__ = []
