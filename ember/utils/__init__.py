"""torch.utils: data loading (ember.utils.data)."""

from . import data  # noqa: F401  (torch.utils.data is there after `import torch`)
