"""Devices and the array module behind them: NumPy for ``cpu``, CuPy for ``cuda:N``.

Ops never import numpy or cupy for array math; they ask a tensor's array for its
module with :func:`array_module`, so the same code runs on both.
"""

import numpy as np

__all__ = ["device"]


class device:
    """Where a tensor lives: ``device('cpu')``, ``device('cuda', 0)`` or ``device('cuda:0')``."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if not isinstance(type, str):
            raise TypeError(f"device() expects a string such as 'cpu' or 'cuda:0', got {type!r}")
        name, _, number = type.partition(":")
        if name not in ("cpu", "cuda"):
            raise RuntimeError(f"Expected one of cpu, cuda device type at start of device string: {type}")
        if number:
            if index is not None:
                raise RuntimeError(f"device string {type!r} already has an index; got index={index}")
            if not number.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = int(number)
        if index is not None and (not isinstance(index, int) or index < 0):
            raise RuntimeError(f"Device index must not be negative, got {index}")
        self.type, self.index = name, index

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{index})"

    def __reduce__(self):
        return (device, (self.type, self.index))


CPU = device("cpu")


def to_device(value):
    """Accept a device, a string, an integer (a CUDA index) or None (the CPU)."""
    if value is None:
        return CPU
    if isinstance(value, device):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return device("cuda", value)
    return device(value)


def check_available(dev):
    """Raise PyTorch's error for a device this process cannot use."""
    if dev.type == "cuda":
        raise RuntimeError(
            "Torch not compiled with CUDA enabled: ember has no CUDA backend in this build "
            f"(asked for {dev}); install ember[cuda] on a machine with an NVIDIA GPU")


def array_module(array):
    """The array module (numpy, or cupy on a GPU) that owns ``array``."""
    return np
