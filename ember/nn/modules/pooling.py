"""Pooling layers: max, average, adaptive and Lp pooling, and max unpooling (1-3 spatial dims)."""

from .. import functional as F
from .module import Module

__all__ = ["MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d", "AdaptiveAvgPool1d",
           "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d",
           "LPPool1d", "LPPool2d", "LPPool3d", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d"]


def _single(value):
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


class _MaxPoolNd(Module):
    _fn = None

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input):
        return getattr(F, self._fn)(input, self.kernel_size, self.stride, self.padding, self.dilation,
                                    ceil_mode=self.ceil_mode, return_indices=self.return_indices)

    def extra_repr(self):
        return ("kernel_size={kernel_size}, stride={stride}, padding={padding}, dilation={dilation}, "
                "ceil_mode={ceil_mode}").format(**self.__dict__)


class MaxPool1d(_MaxPoolNd):
    """Max pooling over the last dim of (N, C, L) input; stride defaults to kernel_size.

    >>> ember.nn.MaxPool1d(2)(ember.tensor([[[1.0, 3.0, 2.0, 0.0]]])).tolist()
    [[[3.0, 2.0]]]
    """

    _fn = "max_pool1d"


class MaxPool2d(_MaxPoolNd):
    """Max pooling over (kh, kw) windows of (N, C, H, W) input.

    >>> ember.nn.MaxPool2d(2)(ember.arange(16.0).reshape(1, 1, 4, 4)).tolist()
    [[[[5.0, 7.0], [13.0, 15.0]]]]
    """

    _fn = "max_pool2d"


class MaxPool3d(_MaxPoolNd):
    """Max pooling over (kd, kh, kw) windows of (N, C, D, H, W) input.

    >>> ember.nn.MaxPool3d(2)(ember.arange(8.0).reshape(1, 1, 2, 2, 2)).tolist()
    [[[[[7.0]]]]]
    """

    _fn = "max_pool3d"


class AvgPool1d(Module):
    """Average pooling over the last dim of (N, C, L) input.

    >>> ember.nn.AvgPool1d(2)(ember.tensor([[[1.0, 3.0, 2.0, 0.0]]])).tolist()
    [[[2.0, 1.0]]]
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__()
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, input):
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AvgPoolNd(Module):
    _fn = None

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input):
        return getattr(F, self._fn)(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                                    self.count_include_pad, self.divisor_override)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(_AvgPoolNd):
    """Average pooling over (kh, kw) windows of (N, C, H, W) input.

    >>> ember.nn.AvgPool2d(2)(ember.arange(16.0).reshape(1, 1, 4, 4)).tolist()
    [[[[2.5, 4.5], [10.5, 12.5]]]]
    """

    _fn = "avg_pool2d"


class AvgPool3d(_AvgPoolNd):
    """Average pooling over (kd, kh, kw) windows of (N, C, D, H, W) input.

    >>> ember.nn.AvgPool3d(2)(ember.arange(8.0).reshape(1, 1, 2, 2, 2)).tolist()
    [[[[[3.5]]]]]
    """

    _fn = "avg_pool3d"


class _AdaptiveAvgPoolNd(Module):
    _fn = None

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return getattr(F, self._fn)(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """Average the last dim into ``output_size`` windows.

    >>> ember.nn.AdaptiveAvgPool1d(1)(ember.tensor([[[1.0, 3.0]]])).tolist()
    [[[2.0]]]
    """

    _fn = "adaptive_avg_pool1d"


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """Average (N, C, H, W) input into an ``output_size`` grid (global average pooling with 1).

    >>> ember.nn.AdaptiveAvgPool2d(1)(ember.ones(2, 3, 4, 4)).shape
    ember.Size([2, 3, 1, 1])
    """

    _fn = "adaptive_avg_pool2d"


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    """Average (N, C, D, H, W) input into an ``output_size`` grid.

    >>> ember.nn.AdaptiveAvgPool3d(1)(ember.ones(1, 1, 2, 2, 2)).shape
    ember.Size([1, 1, 1, 1, 1])
    """

    _fn = "adaptive_avg_pool3d"


class _AdaptiveMaxPoolNd(Module):
    _fn = None

    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, input):
        return getattr(F, self._fn)(input, self.output_size, self.return_indices)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """The maximum of ``output_size`` windows of the last dim.

    >>> ember.nn.AdaptiveMaxPool1d(1)(ember.tensor([[[1.0, 3.0]]])).tolist()
    [[[3.0]]]
    """

    _fn = "adaptive_max_pool1d"


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """The maximum of each window of an ``output_size`` grid.

    >>> ember.nn.AdaptiveMaxPool2d(1)(ember.arange(4.0).reshape(1, 1, 2, 2)).tolist()
    [[[[3.0]]]]
    """

    _fn = "adaptive_max_pool2d"


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """3-d adaptive max pooling.

    >>> ember.nn.AdaptiveMaxPool3d(1)(ember.arange(8.0).reshape(1, 1, 2, 2, 2)).tolist()
    [[[[[7.0]]]]]
    """

    _fn = "adaptive_max_pool3d"


class _LPPoolNd(Module):
    _fn = None

    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        super().__init__()
        self.norm_type, self.kernel_size, self.stride, self.ceil_mode = norm_type, kernel_size, stride, ceil_mode

    def forward(self, input):
        return getattr(F, self._fn)(input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode)

    def extra_repr(self):
        return "norm_type={norm_type}, kernel_size={kernel_size}, stride={stride}, ceil_mode={ceil_mode}".format(
            **self.__dict__)


class LPPool1d(_LPPoolNd):
    """Power-average pooling ``(sum x**p) ** (1/p)`` over the last dim.

    >>> ember.nn.LPPool1d(2, 2)(ember.tensor([[[3.0, 4.0]]])).tolist()
    [[[5.0]]]
    """

    _fn = "lp_pool1d"


class LPPool2d(_LPPoolNd):
    """Power-average pooling over (kh, kw) windows.

    >>> ember.nn.LPPool2d(1, 2)(ember.ones(1, 1, 2, 2)).tolist()
    [[[[4.0]]]]
    """

    _fn = "lp_pool2d"


class LPPool3d(_LPPoolNd):
    """Power-average pooling over (kd, kh, kw) windows.

    >>> ember.nn.LPPool3d(1, 2)(ember.ones(1, 1, 2, 2, 2)).tolist()
    [[[[[8.0]]]]]
    """

    _fn = "lp_pool3d"


class _MaxUnpoolNd(Module):
    _fn = None
    _dims = 1

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        expand = _single if self._dims == 1 else (lambda v: tuple(v) if isinstance(v, (list, tuple))
                                                  else (v,) * self._dims)
        self.kernel_size = expand(kernel_size)
        self.stride = expand(stride if stride is not None else kernel_size)
        self.padding = expand(padding)

    def forward(self, input, indices, output_size=None):
        return getattr(F, self._fn)(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """Invert MaxPool1d given its indices: values back in place, zeros elsewhere.

    >>> ember.nn.MaxUnpool1d(2)(ember.tensor([[[3.0]]]), ember.tensor([[[1]]])).tolist()
    [[[0.0, 3.0]]]
    """

    _fn, _dims = "max_unpool1d", 1


class MaxUnpool2d(_MaxUnpoolNd):
    """Invert MaxPool2d given its indices.

    >>> ember.nn.MaxUnpool2d(2)(ember.tensor([[[[3.0]]]]), ember.tensor([[[[3]]]])).shape
    ember.Size([1, 1, 2, 2])
    """

    _fn, _dims = "max_unpool2d", 2


class MaxUnpool3d(_MaxUnpoolNd):
    """Invert MaxPool3d given its indices.

    >>> ember.nn.MaxUnpool3d(2)(ember.tensor([[[[[3.0]]]]]), ember.tensor([[[[[0]]]]])).shape
    ember.Size([1, 1, 2, 2, 2])
    """

    _fn, _dims = "max_unpool3d", 3
