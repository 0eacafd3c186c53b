"""ember.nn.functional normalization: batch_norm, instance_norm, layer_norm, group_norm, rms_norm, local_response_norm.

These add ``torch.nn.functional``'s Python-level checks (enough values per channel,
a positive ``eps``) and defaults to the fused ops in ``ember/ops/normalization.py``;
``local_response_norm`` is a composition of elementwise ops over a window of channels.
"""

from ... import ops
from ..._tensor import Tensor

__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm", "local_response_norm"]


def _verify_batch_size(size):
    """PyTorch's ValueError when training would normalize single values (one value per channel)."""
    count = size[0]
    for extent in size[2:]:
        count *= extent
    if count == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {size}")


def _verify_spatial_size(size):
    """PyTorch's ValueError when instance statistics would come from a single spatial element."""
    count = 1
    for extent in size[2:]:
        count *= extent
    if count == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {size}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Batch normalization over dim 1; in training the running statistics are updated in place.

    >>> x = ember.randn(8, 3)
    >>> F.batch_norm(x, None, None, training=True).std(0, unbiased=False)
    tensor([1.0000, 1.0000, 1.0000])
    """
    if training:
        _verify_batch_size(input.size())
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    if eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    return ops.batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, True)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Normalize each channel of each sample over its spatial dims (style transfer, GAN generators).

    >>> F.instance_norm(ember.randn(2, 3, 5)).mean(-1).abs().max() < 1e-5
    tensor(True)
    """
    if use_input_stats:
        _verify_spatial_size(input.size())
    return ops.instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps, True)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalize over the trailing ``normalized_shape`` dims, then apply the elementwise affine map.

    >>> F.layer_norm(ember.randn(2, 4), (4,)).shape
    ember.Size([2, 4])
    """
    return ops.layer_norm(input, normalized_shape, weight, bias, eps, True)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Divide by the root mean square over the trailing ``normalized_shape`` dims, then scale by ``weight``.

    >>> F.rms_norm(ember.tensor([[3.0, 4.0]]), (2,))
    tensor([[0.8485, 1.1314]])
    """
    return ops.rms_norm(input, normalized_shape, weight, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalize each of ``num_groups`` groups of channels per sample, then scale and shift per channel.

    >>> F.group_norm(ember.randn(2, 6, 4), 3).shape
    ember.Size([2, 6, 4])
    """
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    _verify_batch_size([input.size(0) * input.size(1) // num_groups, num_groups] + list(input.size()[2:]))
    return ops.group_norm(input, num_groups, weight, bias, eps, True)


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Divide each value by ``(k + alpha * mean of squares over ``size`` neighbouring channels) ** beta``.

    The window is centred on the channel (``size // 2`` before, ``(size - 1) // 2`` after),
    zero-padded at the ends, and the mean always divides by ``size`` (AlexNet's LRN).

    >>> F.local_response_norm(ember.ones(1, 3, 2), 2).shape
    ember.Size([1, 3, 2])
    """
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input (got {dim} "
                         "dimensions)")
    if size <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {size} kW: 1")
    if input.numel() == 0:
        return input
    window_mean = _channel_window_sum(input * input, size) / size
    return input / (window_mean * alpha + k).pow(beta)


def _channel_window_sum(x, size):
    """For each channel c, the sum of ``x`` over channels ``c - size // 2`` to ``c + (size - 1) // 2`` (zero-padded)."""
    channels = x.shape[1]
    before, after = size // 2, (size - 1) // 2
    padded = ops.cat([_zeros_channels(x, before), x, _zeros_channels(x, after)], 1)
    total = ops.narrow(padded, 1, 0, channels)
    for offset in range(1, size):
        total = total + ops.narrow(padded, 1, offset, channels)
    return total


def _zeros_channels(x, count):
    """A constant block of zeros like ``x`` with ``count`` channels."""
    shape = list(x.shape)
    shape[1] = count
    return Tensor._zeros(tuple(shape), x.dtype)
