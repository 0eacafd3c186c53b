"""Normalization ops (torch.batch_norm, layer_norm, group_norm, instance_norm, rms_norm)."""

__all__ = []

TENSOR_METHODS = {}
