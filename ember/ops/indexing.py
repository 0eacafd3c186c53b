"""Indexing and data-dependent selection: ``x[i]``, gather/scatter, masks, sorting, searching."""

__all__ = []

TENSOR_METHODS = {}
