"""Matrix products and the ``ember.linalg`` decompositions, each with its gradient."""

__all__ = []

TENSOR_METHODS = {}
