"""``ember.linalg``: norms, inverses, determinants, solves and decompositions (``torch.linalg``)."""

__all__ = []
