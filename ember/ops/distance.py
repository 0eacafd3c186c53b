"""Distances between vectors (torch.cosine_similarity, pairwise_distance, pdist)."""

__all__ = []

TENSOR_METHODS = {}
