"""Embedding lookups (torch.embedding, embedding_bag)."""

__all__ = []

TENSOR_METHODS = {}
