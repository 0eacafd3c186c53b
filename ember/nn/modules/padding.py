"""Padding layers: constant (and zero), reflection, replication and circular, over 1-3 trailing dims.

Each layer stores its padding as PyTorch does (an int becomes the same amount on every side, last
dimension first) and calls ``F.pad`` with its mode.

>>> ember.nn.ZeroPad2d(1)(ember.ones(1, 2, 2)).shape
ember.Size([1, 4, 4])
"""

from .. import functional as F
from .module import Module

__all__ = ["ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d",
           "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d",
           "ReplicationPad3d", "CircularPad1d", "CircularPad2d", "CircularPad3d"]


def _sides(padding, dims):
    """An int padding as ``2 * dims`` equal sides; a sequence as a tuple, as given."""
    if isinstance(padding, int):
        return (padding,) * (2 * dims)
    return tuple(padding)


class _PadNd(Module):
    """Pads the last ``dims`` dimensions in ``mode`` (set by each concrete class)."""

    dims = 1
    mode = "constant"

    def __init__(self, padding):
        super().__init__()
        self.padding = _sides(padding, self.dims)

    def forward(self, input):
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class _CircularPadNd(_PadNd):
    mode = "circular"

    def forward(self, input):
        if input.dim() not in (self.dims + 1, self.dims + 2):
            raise ValueError(f"expected {self.dims + 1}D or {self.dims + 2}D input (got {input.dim()}D input)")
        return super().forward(input)


class ConstantPad1d(_ConstantPadNd):
    """Pads the last dimension with ``value``.

    >>> ember.nn.ConstantPad1d(1, 9.0)(ember.zeros(1, 2))
    tensor([[9., 0., 0., 9.]])
    """
    dims = 1


class ConstantPad2d(_ConstantPadNd):
    """Pads the last two dimensions with ``value``."""
    dims = 2


class ConstantPad3d(_ConstantPadNd):
    """Pads the last three dimensions with ``value``."""
    dims = 3


class ZeroPad1d(ConstantPad1d):
    """Pads the last dimension with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(ZeroPad1d):
    """Pads the last two dimensions with zeros."""
    dims = 2


class ZeroPad3d(ZeroPad1d):
    """Pads the last three dimensions with zeros."""
    dims = 3


class ReflectionPad1d(_PadNd):
    """Pads the last dimension with its reflection (the edge value is not repeated).

    >>> ember.nn.ReflectionPad1d(1)(ember.tensor([[1.0, 2.0, 3.0]]))
    tensor([[2., 1., 2., 3., 2.]])
    """
    dims, mode = 1, "reflect"


class ReflectionPad2d(ReflectionPad1d):
    """Pads the last two dimensions with their reflection."""
    dims = 2


class ReflectionPad3d(ReflectionPad1d):
    """Pads the last three dimensions with their reflection."""
    dims = 3


class ReplicationPad1d(_PadNd):
    """Pads the last dimension by repeating its edge values."""
    dims, mode = 1, "replicate"


class ReplicationPad2d(ReplicationPad1d):
    """Pads the last two dimensions by repeating their edge values."""
    dims = 2


class ReplicationPad3d(ReplicationPad1d):
    """Pads the last three dimensions by repeating their edge values."""
    dims = 3


class CircularPad1d(_CircularPadNd):
    """Pads the last dimension by wrapping around (periodic padding)."""
    dims = 1


class CircularPad2d(_CircularPadNd):
    """Pads the last two dimensions by wrapping around."""
    dims = 2


class CircularPad3d(_CircularPadNd):
    """Pads the last three dimensions by wrapping around."""
    dims = 3
