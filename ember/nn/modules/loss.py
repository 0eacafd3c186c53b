"""Loss modules (CrossEntropyLoss, MSELoss, ...)."""

__all__ = []
