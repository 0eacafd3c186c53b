"""Rearranging channels: ``pixel_shuffle`` / ``pixel_unshuffle`` (channels <-> space) and ``channel_shuffle``.

Each is a reshape, a transpose and a copy; the backward of a shuffle is the inverse shuffle
(``pixel_unshuffle`` undoes ``pixel_shuffle``; channel groups ``g`` are undone by groups ``C / g``).
"""

from .._device import array_module
from ..autograd.function import Primitive
from ._util import check_tensor, int_arg

__all__ = ["pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle"]

TENSOR_METHODS = {}


def _shuffle_pixels(x, r):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r): each channel block of r*r becomes an r x r patch."""
    *lead, channels, h, w = x.shape
    c = channels // (r * r)
    blocks = x.reshape(*lead, c, r, r, h, w)
    n = len(lead)
    order = list(range(n)) + [n, n + 3, n + 1, n + 4, n + 2]       # (c, h, r, w, r)
    return blocks.transpose(order).reshape(*lead, c, h * r, w * r)


def _unshuffle_pixels(x, r):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W): the inverse of ``_shuffle_pixels``."""
    *lead, c, hr, wr = x.shape
    h, w = hr // r, wr // r
    patches = x.reshape(*lead, c, h, r, w, r)
    n = len(lead)
    order = list(range(n)) + [n, n + 2, n + 4, n + 1, n + 3]       # (c, r, r, h, w)
    return patches.transpose(order).reshape(*lead, c * r * r, h, w)


def _shuffle_channels(x, groups):
    """(N, C, *) -> channels regrouped: C = groups x (C / groups), transposed to (C / groups) x groups."""
    n, c, *rest = x.shape
    return x.reshape(n, groups, c // groups, *rest).swapaxes(1, 2).reshape(x.shape)


def _unshared(result, source):
    """``result``, copied if it is still a view of ``source`` (a factor or group count of 1 moves nothing)."""
    return result.copy() if array_module(source).may_share_memory(result, source) else result


class PixelShuffle(Primitive):
    @staticmethod
    def forward(ctx, x, *, factor):
        ctx.factor = factor
        return _unshared(_shuffle_pixels(x, factor), x)

    @staticmethod
    def backward(ctx, grad):
        return PixelUnshuffle.apply(grad, factor=ctx.factor)


class PixelUnshuffle(Primitive):
    @staticmethod
    def forward(ctx, x, *, factor):
        ctx.factor = factor
        return _unshared(_unshuffle_pixels(x, factor), x)

    @staticmethod
    def backward(ctx, grad):
        return PixelShuffle.apply(grad, factor=ctx.factor)


class ChannelShuffle(Primitive):
    @staticmethod
    def forward(ctx, x, *, groups):
        ctx.groups = groups
        return _unshared(_shuffle_channels(x, groups), x)

    @staticmethod
    def backward(ctx, grad):
        return ChannelShuffle.apply(grad, groups=grad.shape[1] // ctx.groups)


def _check_rank(input, fn):
    if input.ndim < 3:
        raise RuntimeError(f"{fn} expects input to have at least 3 dimensions, but got input with {input.ndim} "
                           "dimension(s)")


def pixel_shuffle(input, upscale_factor):
    """Rearrange (*, C*r^2, H, W) into (*, C, H*r, W*r): sub-pixel convolution's upsampling step.

    >>> pixel_shuffle(ember.arange(8.0).reshape(1, 4, 1, 2), 2).shape
    ember.Size([1, 1, 2, 4])
    """
    check_tensor(input, "input", "pixel_shuffle")
    r = int_arg(upscale_factor, "pixel_shuffle", "upscale_factor")
    _check_rank(input, "pixel_shuffle")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    if input.shape[-3] % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={input.shape[-3]} is not divisible by {r * r}")
    return PixelShuffle.apply(input, factor=r)


def pixel_unshuffle(input, downscale_factor):
    """Rearrange (*, C, H*r, W*r) into (*, C*r^2, H, W), the inverse of ``pixel_shuffle``.

    >>> pixel_unshuffle(ember.ones(1, 1, 4, 4), 2).shape
    ember.Size([1, 4, 2, 2])
    """
    check_tensor(input, "input", "pixel_unshuffle")
    r = int_arg(downscale_factor, "pixel_unshuffle", "downscale_factor")
    _check_rank(input, "pixel_unshuffle")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    for name, dim in (("height", -2), ("width", -1)):
        if input.shape[dim] % r:
            raise RuntimeError(f"pixel_unshuffle expects {name} to be divisible by downscale_factor, but "
                               f"input.size({dim})={input.shape[dim]} is not divisible by {r}")
    return PixelUnshuffle.apply(input, factor=r)


def channel_shuffle(input, groups):
    """Split the channels into ``groups`` and interleave them (ShuffleNet's channel shuffle).

    >>> channel_shuffle(ember.arange(4.0).reshape(1, 4, 1), 2).flatten()
    tensor([0., 2., 1., 3.])
    """
    check_tensor(input, "input", "channel_shuffle")
    groups = int_arg(groups, "channel_shuffle", "groups")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{groups}")
    if input.ndim <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with sizes "
                           f"{list(input.shape)}")
    if input.shape[1] % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {input.shape[1]} channels and "
                           f"{groups} groups.")
    return ChannelShuffle.apply(input, groups=groups)


native_channel_shuffle = channel_shuffle
