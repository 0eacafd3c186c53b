"""ember.nn.functional: embedding, embedding_bag and one_hot."""

__all__ = []
