"""ember.nn.functional: ``pixel_shuffle``, ``pixel_unshuffle``, ``channel_shuffle`` (see ember/ops/shuffle.py)."""

from ...ops.shuffle import channel_shuffle, native_channel_shuffle, pixel_shuffle, pixel_unshuffle

__all__ = ["pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle"]
