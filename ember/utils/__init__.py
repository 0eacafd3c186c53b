"""torch.utils: data loading (ember.utils.data)."""
