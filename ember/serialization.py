"""ember.save / ember.load: PyTorch's checkpoint format."""

__all__ = []
