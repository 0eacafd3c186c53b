"""ember.nn.functional: Convolutions."""

__all__ = []
