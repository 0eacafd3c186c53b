"""Edge detection on image tensors: the Sobel, Scharr and Laplacian filters and the Canny detector.

All four take float images shaped (B, C, H, W) or (C, H, W) and filter each channel on its own, as
``kornia.filters`` does. The filters are convolutions (a depthwise ``conv2d`` after padding the border),
so they are differentiable and can sit inside a loss. Kernels are applied as ``conv2d`` applies them
(cross-correlation): the x-derivative is positive where values grow to the right, the y-derivative
where they grow downwards, as OpenCV's ``Sobel(dx=1)`` and ``Sobel(dy=1)``.

Borders: ``border_type`` names how the image is extended past its edge. ``"reflect"`` mirrors about the
edge pixel (``dcb|abcd|cba``; OpenCV's default ``BORDER_REFLECT_101``, ``F.pad``'s and kornia's
``"reflect"``), ``"symmetric"`` repeats the edge pixel too (``cba|abcd|dcb``; scikit-image's and SciPy's
``"reflect"``), and ``"replicate"``, ``"circular"`` and ``"constant"`` (zeros) are ``F.pad``'s modes.
"""

import numpy as np

from .._device import array_module
from .._tensor import Tensor
from ..autograd.function import Primitive
from ..nn import functional as F
from ..ops._util import constant

__all__ = ["sobel", "scharr", "laplacian", "canny"]

BORDER_TYPES = ("reflect", "symmetric", "replicate", "circular", "constant")

# First-derivative filters are separable: a central difference along the derivative's axis times a
# smoothing profile across it. The sum of absolute kernel weights is what ``normalized`` divides by.
_DIFFERENCE = np.array([-1.0, 0.0, 1.0])
_SMOOTHING = {"sobel": np.array([1.0, 2.0, 1.0]), "scharr": np.array([3.0, 10.0, 3.0])}

# Laplacians as OpenCV builds them: d2/dx2 + d2/dy2, each a second difference along its axis times a
# smoothing profile across it. Size 3 gives the 5-point stencil, size 5 OpenCV's ``Laplacian(ksize=5)``.
_LAPLACIAN_PARTS = {
    3: (np.array([0.0, 1.0, 0.0]), np.array([1.0, -2.0, 1.0])),
    5: (np.array([1.0, 4.0, 6.0, 4.0, 1.0]), np.array([1.0, 0.0, -2.0, 0.0, 1.0])),
}

# ITU-R BT.601 luma weights, used by canny to turn an RGB image into one channel.
_GRAY_WEIGHTS = np.array([0.299, 0.587, 0.114])

# Non-maximum suppression looks along the gradient, quantised to one of four directions; each is the
# (row, column) step to the neighbour ahead, for gradient angles of 0, 45, 90 and 135 degrees.
_NEIGHBOUR_STEPS = ((0, 1), (1, 1), (1, 0), (1, -1))


# ----------------------------------------------------------------------------- public filters
def sobel(input, normalized=True, border_type="reflect", return_gradients=False):
    """Sobel gradient magnitude ``sqrt(dx**2 + dy**2)`` per channel, or the pair ``(dx, dy)``.

    With ``normalized`` the 3x3 kernels are divided by 8 (the sum of their absolute weights), so a ramp
    rising by 1 per pixel gives 1. The output has the input's shape.

    >>> image = ember.zeros(1, 1, 4, 6)
    >>> image[..., 3:] = 1.0
    >>> vision.sobel(image)[0, 0, 0]
    tensor([0.0000, 0.0000, 0.5000, 0.5000, 0.0000, 0.0000])
    >>> dx, dy = vision.sobel(image, return_gradients=True)
    """
    return _first_derivative("sobel", input, normalized, border_type, return_gradients)


def scharr(input, normalized=True, border_type="reflect", return_gradients=False):
    """Scharr gradient magnitude per channel (or ``(dx, dy)``): Sobel with more rotation-invariant weights.

    The 3x3 kernels are ``[[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]]`` and its transpose (OpenCV's), divided
    by 32 when ``normalized``.

    >>> image = ember.zeros(1, 1, 4, 6)
    >>> image[..., 3:] = 1.0
    >>> vision.scharr(image)[0, 0, 0]
    tensor([0.0000, 0.0000, 0.5000, 0.5000, 0.0000, 0.0000])
    """
    return _first_derivative("scharr", input, normalized, border_type, return_gradients)


def laplacian(input, kernel_size=3, border_type="reflect", normalized=True):
    """Laplacian ``d2/dx2 + d2/dy2`` per channel, with OpenCV's kernels (size 3 or 5).

    Size 3 is the 5-point stencil ``[[0, 1, 0], [1, -4, 1], [0, 1, 0]]`` (OpenCV's default
    ``Laplacian``; scikit-image's ``laplace`` is its negative); size 5 is OpenCV's ``Laplacian(ksize=5)``.
    With ``normalized`` the kernel is divided by the sum of its absolute weights (8 and 112).

    >>> image = ember.zeros(1, 1, 5, 5)
    >>> image[0, 0, 2, 2] = 1.0
    >>> vision.laplacian(image, normalized=False)[0, 0, 1:4, 2]
    tensor([ 1., -4.,  1.])
    """
    images, restore = _as_single_channels(input, "laplacian")
    if kernel_size not in _LAPLACIAN_PARTS:
        raise ValueError(f"laplacian(): kernel_size must be 3 or 5, got {kernel_size!r}")
    _check_border_type(border_type, "laplacian")
    smooth, second = _LAPLACIAN_PARTS[kernel_size]
    kernel = np.outer(smooth, second) + np.outer(second, smooth)
    if normalized:
        kernel = kernel / np.abs(kernel).sum()
    return restore(_correlate(images, kernel[None], border_type))


def canny(input, low_threshold=0.1, high_threshold=0.2, kernel_size=5, sigma=1.0, hysteresis=True,
          border_type="reflect"):
    """Canny edges: returns ``(magnitude, edges)``, each (B, 1, H, W) for gray or RGB input.

    Steps: Gaussian smoothing (``kernel_size``, ``sigma``), unnormalised Sobel gradients (``magnitude`` is
    their norm, differentiable), non-maximum suppression along the gradient direction quantised to 45
    degrees, a double threshold on the magnitude (scikit-image's defaults for float images), then
    hysteresis: weak edges (``magnitude >= low_threshold``) are kept where connected (8-neighbourhood) to
    strong ones (``>= high_threshold``). ``edges`` holds 1.0 on edges and 0.0 elsewhere; with
    ``hysteresis=False`` it holds 1.0 for strong and 0.5 for weak edges (kornia's convention). RGB input
    (3 channels) is converted to gray first; other channel counts are processed channel by channel.

    >>> image = ember.zeros(1, 1, 10, 10)
    >>> image[..., 3:7, 3:7] = 1.0
    >>> magnitude, edges = vision.canny(image)
    >>> edges[0, 0, 5].tolist()
    [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0]
    """
    _check_image(input, "canny")
    low_threshold, high_threshold = _thresholds(low_threshold, high_threshold)
    kernel_size = _pair_of(kernel_size, "kernel_size", int)
    sigma = _pair_of(sigma, "sigma", float)
    if any(k <= 0 or k % 2 == 0 for k in kernel_size):
        raise ValueError(f"canny(): kernel_size must be odd and positive, got {kernel_size}")
    if any(not s > 0 for s in sigma):
        raise ValueError(f"canny(): sigma must be positive, got {sigma}")
    _check_border_type(border_type, "canny")

    gray = _to_gray(input)
    images, restore = _as_single_channels(gray, "canny")
    smoothed = _gaussian_blur(images, kernel_size, sigma, border_type)
    dx, dy = _first_derivative_maps(smoothed, "sobel", normalized=False, border_type=border_type)
    magnitude = _Magnitude.apply(dx, dy)

    edges = _edges_from_gradients(*(np.asarray(t.detach()._data) for t in (magnitude, dx, dy)),
                                  low_threshold, high_threshold, hysteresis)
    edges = constant(edges, like=magnitude)
    return restore(magnitude), restore(edges)


# ----------------------------------------------------------------------------- argument checks
def _check_image(input, fn):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}(): argument 'input' must be Tensor, not {type(input).__name__}")
    if input.ndim not in (3, 4):
        raise ValueError(f"{fn}(): expected input of shape (B, C, H, W) or (C, H, W), got {tuple(input.shape)}")
    if not input.dtype.is_floating_point:
        raise TypeError(f"{fn}(): expected a floating point input, got {input.dtype}")
    if input.shape[-1] == 0 or input.shape[-2] == 0:
        raise ValueError(f"{fn}(): expected a non-empty image (H, W > 0), got shape {tuple(input.shape)}")


def _check_border_type(border_type, fn):
    if border_type not in BORDER_TYPES:
        raise ValueError(f"{fn}(): border_type must be one of {', '.join(map(repr, BORDER_TYPES))}, "
                         f"got {border_type!r}")


def _thresholds(low, high):
    low, high = float(low), float(high)
    if low < 0 or high < 0:
        raise ValueError(f"canny(): thresholds must be non-negative, got low_threshold={low}, "
                         f"high_threshold={high}")
    if low > high:
        raise ValueError(f"canny(): low_threshold ({low}) must not exceed high_threshold ({high})")
    return low, high


def _pair_of(value, name, kind):
    """A number or a (y, x) pair of numbers, as a pair of ``kind``."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(values) != 2 or any(isinstance(v, bool) or not isinstance(v, (int, float, np.number)) for v in values):
        raise TypeError(f"canny(): {name} must be a number or a pair of numbers, got {value!r}")
    if kind is int and any(int(v) != v for v in values):
        raise TypeError(f"canny(): {name} must hold integers, got {value!r}")
    return tuple(kind(v) for v in values)


# ----------------------------------------------------------------------------- filtering machinery
def _as_single_channels(input, fn):
    """Check ``input`` and view it as (N, 1, H, W); also return the function that restores its layout."""
    _check_image(input, fn)
    leading = tuple(input.shape[:-2])
    height, width = input.shape[-2:]
    images = input.reshape(-1, 1, height, width)

    def restore(maps):
        return maps.reshape(*leading, *maps.shape[-2:])

    return images, restore


def _border_positions(size, before, after, border_type):
    """For each position of a dimension extended by ``before`` and ``after``, the input position it copies."""
    positions = np.arange(-before, size + after)
    if border_type == "replicate" or size == 1:
        return np.clip(positions, 0, size - 1)
    if border_type == "circular":
        return positions % size
    if border_type == "symmetric":
        folded = positions % (2 * size)
        return np.where(folded < size, folded, 2 * size - 1 - folded)
    folded = positions % (2 * size - 2)          # "reflect": the mirror excludes the edge pixel
    return np.where(folded < size, folded, 2 * size - 2 - folded)


def _pad(images, pad_y, pad_x, border_type):
    """Extend (N, 1, H, W) images by ``pad_y`` rows and ``pad_x`` columns on each side."""
    if border_type == "constant":
        return F.pad(images, (pad_x, pad_x, pad_y, pad_y))
    height, width = images.shape[-2:]
    rows = constant(_border_positions(height, pad_y, pad_y, border_type))
    columns = constant(_border_positions(width, pad_x, pad_x, border_type))
    return images.index_select(2, rows).index_select(3, columns)


def _correlate(images, kernels, border_type):
    """Cross-correlate (N, 1, H, W) images with K kernels (K, kh, kw): (N, K, H, W), same size as the input."""
    kernel_h, kernel_w = kernels.shape[-2:]
    padded = _pad(images, kernel_h // 2, kernel_w // 2, border_type)
    weight = constant(np.ascontiguousarray(kernels[:, None]), like=images)
    return F.conv2d(padded, weight)


def _derivative_kernels(name, normalized):
    """The (2, 3, 3) x- and y-derivative kernels of ``name`` ("sobel" or "scharr")."""
    kernel_x = np.outer(_SMOOTHING[name], _DIFFERENCE)
    if normalized:
        kernel_x = kernel_x / np.abs(kernel_x).sum()
    return np.stack([kernel_x, kernel_x.T])


def _first_derivative_maps(images, name, normalized, border_type):
    """(N, 1, H, W) images -> the pair (dx, dy), each (N, 1, H, W)."""
    both = _correlate(images, _derivative_kernels(name, normalized), border_type)
    return both[:, :1], both[:, 1:]


def _first_derivative(name, input, normalized, border_type, return_gradients):
    images, restore = _as_single_channels(input, name)
    _check_border_type(border_type, name)
    dx, dy = _first_derivative_maps(images, name, bool(normalized), border_type)
    if return_gradients:
        return restore(dx), restore(dy)
    return restore(_Magnitude.apply(dx, dy))


class _Magnitude(Primitive):
    """``sqrt(dx**2 + dy**2)`` whose gradient is 0 (not NaN) where both are 0, so flat regions train."""

    @staticmethod
    def forward(ctx, dx, dy):
        xp = array_module(dx)
        magnitude = xp.sqrt(dx * dx + dy * dy)
        ctx.save_for_backward(dx, dy, magnitude)
        return magnitude

    @staticmethod
    def backward(ctx, grad):
        dx, dy, magnitude = ctx.saved_tensors
        nonzero = magnitude > 0
        safe = magnitude.masked_fill(~nonzero, 1.0)
        scale = (grad / safe).masked_fill(~nonzero, 0.0)
        return scale * dx, scale * dy


def _to_gray(input):
    """RGB (3 channels) to one luma channel; any other channel count is returned as it is."""
    channels = input.shape[-3]
    if channels != 3:
        return input
    weights = constant(_GRAY_WEIGHTS.reshape(3, 1, 1), like=input)
    return (input * weights).sum(-3, keepdim=True)


def _gaussian_taps(size, sigma):
    offsets = np.arange(size) - (size - 1) / 2
    taps = np.exp(-0.5 * (offsets / sigma) ** 2)
    return taps / taps.sum()


def _gaussian_blur(images, kernel_size, sigma, border_type):
    """Separable Gaussian smoothing of (N, 1, H, W) images: a column pass, then a row pass."""
    column = _gaussian_taps(kernel_size[0], sigma[0]).reshape(1, -1, 1)
    row = _gaussian_taps(kernel_size[1], sigma[1]).reshape(1, 1, -1)
    return _correlate(_correlate(images, column, border_type), row, border_type)


# ----------------------------------------------------------------------------- Canny's binary stages
def _edges_from_gradients(magnitude, dx, dy, low, high, hysteresis):
    """Arrays (N, 1, H, W) -> edge map: thinning, double threshold and (optionally) hysteresis."""
    thin = _non_maximum_suppression(magnitude[:, 0], dx[:, 0], dy[:, 0])
    weak = thin & (magnitude[:, 0] >= low)
    strong = weak & (magnitude[:, 0] >= high)
    if hysteresis:
        edges = _connected_to(strong, weak).astype(magnitude.dtype)
    else:
        edges = np.where(strong, 1.0, np.where(weak, 0.5, 0.0)).astype(magnitude.dtype)
    return edges[:, None]


def _gradient_sectors(dx, dy):
    """The gradient direction of each pixel rounded to a multiple of 45 degrees, as 0..3 (mod 180)."""
    angle = np.arctan2(dy, dx)
    return np.round(angle / (np.pi / 4)).astype(np.int64) % 4


def _shifted(padded, step, height, width):
    """The (N, H, W) window of a 1-pixel-padded array moved by ``step`` = (rows, columns)."""
    rows, columns = step
    return padded[:, 1 + rows:1 + rows + height, 1 + columns:1 + columns + width]


def _non_maximum_suppression(magnitude, dx, dy):
    """Pixels (N, H, W) whose magnitude is at least both neighbours' along the quantised gradient direction."""
    height, width = magnitude.shape[-2:]
    padded = np.pad(magnitude, ((0, 0), (1, 1), (1, 1)))
    sectors = _gradient_sectors(dx, dy)
    keep = np.zeros(magnitude.shape, dtype=bool)
    for sector, (rows, columns) in enumerate(_NEIGHBOUR_STEPS):
        ahead = _shifted(padded, (rows, columns), height, width)
        behind = _shifted(padded, (-rows, -columns), height, width)
        keep |= (sectors == sector) & (magnitude >= ahead) & (magnitude >= behind)
    return keep & (magnitude > 0)


def _neighbourhood_min(labels, fill):
    """Minimum over each pixel's 3x3 neighbourhood of (N, H, W) labels (outside the image counts as ``fill``)."""
    padded = np.pad(labels, ((0, 0), (1, 1), (1, 1)), constant_values=fill)
    rows = np.minimum(np.minimum(padded[:, :-2], padded[:, 1:-1]), padded[:, 2:])
    return np.minimum(np.minimum(rows[:, :, :-2], rows[:, :, 1:-1]), rows[:, :, 2:])


def _component_labels(mask):
    """Label 8-connected components of a boolean (N, H, W) mask: each pixel gets its component's smallest index.

    Labels start as the pixels' own flat indices; each round takes the minimum over the neighbourhood,
    then follows labels to their own labels (pointer jumping) until that settles, so long chains
    collapse in few rounds. Pixels outside the mask get the label ``mask.size``.
    """
    outside = mask.size
    labels = np.where(mask, np.arange(mask.size).reshape(mask.shape), outside)
    while True:
        lowered = np.where(mask, _neighbourhood_min(labels, outside), outside)
        flat = np.append(lowered.ravel(), outside)
        jumped = flat[flat]
        while not np.array_equal(jumped, flat):
            flat, jumped = jumped, jumped[jumped]
        lowered = flat[:-1].reshape(mask.shape)
        if np.array_equal(lowered, labels):
            return labels
        labels = lowered


def _connected_to(strong, weak):
    """The pixels of ``weak`` (a superset of ``strong``) 8-connected through ``weak`` to a ``strong`` pixel."""
    labels = _component_labels(weak)
    seeded = np.zeros(weak.size + 1, dtype=bool)
    seeded[labels[strong]] = True
    seeded[weak.size] = False
    return seeded[labels]

