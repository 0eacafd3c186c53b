"""torch.nn.init: the initializers layers use for their weights."""

__all__ = []
