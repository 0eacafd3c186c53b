"""ember.nn.functional: cosine_similarity, pairwise_distance, pdist."""

__all__ = []
