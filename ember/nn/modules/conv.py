"""Convolution layers: Conv1d/2d/3d, ConvTranspose1d/2d/3d, and Unfold/Fold."""

import math

import ember

from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d", "Unfold", "Fold"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _ntuple(value, n):
    """An int repeated ``n`` times, or the sequence as a tuple (PyTorch's ``_single``/``_pair``/``_triple``)."""
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value,) * n


class _ConvNd(Module):
    """What every convolution layer shares: argument checks, parameters, initialisation and repr."""

    _dims = 2
    _transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, output_padding, groups,
                 bias, padding_mode, device=None, dtype=None):
        super().__init__()
        n = self._dims
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        kernel_size, stride, dilation = _ntuple(kernel_size, n), _ntuple(stride, n), _ntuple(dilation, n)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        else:
            padding = _ntuple(padding, n)
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {set(_PADDING_MODES)}, but got "
                             f"padding_mode='{padding_mode}'")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding, self.dilation = kernel_size, stride, padding, dilation
        self.transposed, self.output_padding = self._transposed, _ntuple(output_padding, n)
        self.groups, self.padding_mode = groups, padding_mode
        self._reversed_padding_repeated_twice = self._pad_amounts()
        shape = (in_channels, out_channels // groups) if self._transposed else (out_channels, in_channels // groups)
        self.weight = Parameter(ember.empty(shape + kernel_size, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(ember.empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def _pad_amounts(self):
        """F.pad's amounts (last dim first, low then high) for the non-zero padding modes."""
        amounts = []
        for k, d, p in reversed(list(zip(self.kernel_size, self.dilation,
                                         self.padding if not isinstance(self.padding, str) else
                                         [None] * self._dims))):
            if self.padding == "valid":
                amounts += [0, 0]
            elif self.padding == "same":
                total = d * (k - 1)
                amounts += [total // 2, total - total // 2]
            else:
                amounts += [p, p]
        return amounts

    def reset_parameters(self):
        """PyTorch's default: kaiming_uniform_(a=sqrt(5)) weights, bias uniform in +-1/sqrt(fan_in)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self):
        s = "{in_channels}, {out_channels}, kernel_size={kernel_size}, stride={stride}"
        if self.padding != (0,) * len(self.padding):
            s += ", padding={padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += ", dilation={dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += ", output_padding={output_padding}"
        if self.groups != 1:
            s += ", groups={groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += ", padding_mode={padding_mode}"
        return s.format(**self.__dict__)

    def __setstate__(self, state):
        super().__setstate__(state)
        if not hasattr(self, "padding_mode"):
            self.padding_mode = "zeros"


class _Conv(_ConvNd):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
                 padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, 0, groups, bias,
                         padding_mode, device, dtype)

    def _conv_forward(self, input, weight, bias):
        conv = getattr(F, f"conv{self._dims}d")
        if self.padding_mode != "zeros":
            padded = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return conv(padded, weight, bias, self.stride, 0, self.dilation, self.groups)
        return conv(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input):
        return self._conv_forward(input, self.weight, self.bias)


class Conv1d(_Conv):
    """1-d convolution layer over (N, C, L) input.

    >>> ember.nn.Conv1d(2, 4, 3)(ember.ones(1, 2, 5)).shape
    ember.Size([1, 4, 3])
    """

    _dims = 1


class Conv2d(_Conv):
    """2-d convolution layer over (N, C, H, W) input; padding may be a number, a pair, 'valid' or 'same'.

    >>> ember.nn.Conv2d(1, 8, 3, padding=1)(ember.ones(2, 1, 5, 5)).shape
    ember.Size([2, 8, 5, 5])
    """

    _dims = 2


class Conv3d(_Conv):
    """3-d convolution layer over (N, C, D, H, W) input.

    >>> ember.nn.Conv3d(1, 2, 2)(ember.ones(1, 1, 3, 3, 3)).shape
    ember.Size([1, 2, 2, 2, 2])
    """

    _dims = 3


class _ConvTranspose(_ConvNd):
    _transposed = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, output_padding, groups,
                         bias, padding_mode, device, dtype)

    def _output_padding(self, input, output_size):
        """The output_padding that makes the output ``output_size`` (PyTorch's checks), or the layer's own."""
        if output_size is None:
            return self.output_padding
        n = self._dims
        sizes = [int(s) for s in output_size]
        if len(sizes) == n + 2 or len(sizes) == n + 1 and input.dim() == n + 1:
            sizes = sizes[len(sizes) - n:]
        if len(sizes) != n:
            raise ValueError(f"ConvTranspose{n}D: for {input.dim()}D input, output_size must have {n} or "
                             f"{input.dim()} elements (got {len(output_size)})")
        result = []
        for d in range(n):
            size = input.size(input.dim() - n + d)
            smallest = (size - 1) * self.stride[d] - 2 * self.padding[d] + \
                self.dilation[d] * (self.kernel_size[d] - 1) + 1
            largest = smallest + self.stride[d] - 1
            if not smallest <= sizes[d] <= largest:
                raise ValueError(f"requested an output size of {sizes}, but valid sizes range from "
                                 f"{[(input.size(input.dim() - n + i) - 1) * self.stride[i] - 2 * self.padding[i] + self.dilation[i] * (self.kernel_size[i] - 1) + 1 for i in range(n)]} "  # noqa: E501
                                 f"to {[(input.size(input.dim() - n + i) - 1) * self.stride[i] - 2 * self.padding[i] + self.dilation[i] * (self.kernel_size[i] - 1) + self.stride[i] for i in range(n)]} "  # noqa: E501
                                 f"(for an input of {list(input.shape[input.dim() - n:])})")
            result.append(sizes[d] - smallest)
        return tuple(result)

    def forward(self, input, output_size=None):
        if self.padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        output_padding = self._output_padding(input, output_size)
        conv = getattr(F, f"conv_transpose{self._dims}d")
        return conv(input, self.weight, self.bias, self.stride, self.padding, output_padding, self.groups,
                    self.dilation)


class ConvTranspose1d(_ConvTranspose):
    """Transposed 1-d convolution layer (learned upsampling).

    >>> ember.nn.ConvTranspose1d(2, 4, 3, stride=2)(ember.ones(1, 2, 5)).shape
    ember.Size([1, 4, 11])
    """

    _dims = 1


class ConvTranspose2d(_ConvTranspose):
    """Transposed 2-d convolution layer; ``forward(input, output_size)`` picks among the possible sizes.

    >>> ember.nn.ConvTranspose2d(2, 4, 2, stride=2)(ember.ones(1, 2, 3, 3)).shape
    ember.Size([1, 4, 6, 6])
    """

    _dims = 2


class ConvTranspose3d(_ConvTranspose):
    """Transposed 3-d convolution layer.

    >>> ember.nn.ConvTranspose3d(1, 1, 2)(ember.ones(1, 1, 2, 2, 2)).shape
    ember.Size([1, 1, 3, 3, 3])
    """

    _dims = 3


class Unfold(Module):
    """Extract sliding blocks as columns (im2col), as ``F.unfold``.

    >>> ember.nn.Unfold(2)(ember.ones(1, 3, 4, 4)).shape
    ember.Size([1, 12, 9])
    """

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input):
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return "kernel_size={kernel_size}, dilation={dilation}, padding={padding}, stride={stride}".format(
            **self.__dict__)


class Fold(Module):
    """Sum columns of sliding blocks back into an image (col2im), as ``F.fold``.

    >>> ember.nn.Fold((3, 3), 2)(ember.ones(1, 4, 4)).shape
    ember.Size([1, 1, 3, 3])
    """

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input):
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return ("output_size={output_size}, kernel_size={kernel_size}, dilation={dilation}, padding={padding}, "
                "stride={stride}").format(**self.__dict__)
