"""ember.nn.functional: batch_norm, layer_norm, group_norm, instance_norm, rms_norm, normalize."""

__all__ = []
