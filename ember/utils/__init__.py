"""torch.utils: data loading (ember.utils.data) and activation checkpointing (ember.utils.checkpoint)."""

from . import checkpoint, data  # noqa: F401  (torch.utils.checkpoint and .data are there after `import torch`)
