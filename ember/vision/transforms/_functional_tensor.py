"""Tensor kernels behind ``transforms.functional`` (torchvision's ``_functional_tensor``).

Images are ember tensors shaped ``(..., C, H, W)``, uint8 or float. Every kernel is written
with ember's differentiable ops, so float images keep their autograd history through colour
changes, crops, resizes, rotations and blurs, as torchvision's do under PyTorch.
"""

import warnings

import numpy as np

import ember
import ember.nn.functional as nnF

_INTEGER_MAX = {"uint8": 255, "int8": 127, "int16": 32767, "uint16": 65535, "int32": 2147483647,
                "int64": 9223372036854775807}


# ----------------------------------------------------------------------------- checks and sizes
def _is_image(x):
    return x.ndim >= 2


def _assert_image_tensor(img):
    if not _is_image(img):
        raise TypeError("Tensor is not a torch image.")


def get_dimensions(img):
    """``[channels, height, width]`` of a tensor image (a 2-D tensor has one channel)."""
    _assert_image_tensor(img)
    channels = 1 if img.ndim == 2 else img.shape[-3]
    return [channels, img.shape[-2], img.shape[-1]]


def get_image_size(img):
    """``[width, height]`` of a tensor image."""
    _assert_image_tensor(img)
    return [img.shape[-1], img.shape[-2]]


def get_image_num_channels(img):
    """The number of channels of a tensor image."""
    _assert_image_tensor(img)
    return 1 if img.ndim == 2 else img.shape[-3]


def _max_value(dtype):
    """The value of full intensity: the integer maximum for integer images, 1 for float ones."""
    return _INTEGER_MAX.get(dtype.name, 1)


def _assert_channels(img, permitted):
    channels = get_dimensions(img)[0]
    if channels not in permitted:
        raise TypeError(f"Input image tensor permitted channel values are {permitted}, but found {channels}")


def _assert_at_least_3d(img):
    if img.ndim < 3:
        raise TypeError(f"Input image tensor should have at least 3 dimensions, but found {img.ndim}")


def _float_dtype(img):
    """The dtype float work on ``img`` is done in: its own when float, else float32."""
    return img.dtype if img.is_floating_point() else ember.float32


# ----------------------------------------------------------------------------- dtype conversion
def convert_image_dtype(image, dtype=ember.float32):
    """Convert between image dtypes, rescaling values to the new dtype's intensity range."""
    if image.dtype == dtype:
        return image
    if image.is_floating_point():
        if dtype.is_floating_point:
            return image.to(dtype)
        unsafe = (image.dtype == ember.float32 and dtype in (ember.int32, ember.int64)) or \
            (image.dtype == ember.float64 and dtype == ember.int64)
        if unsafe:
            raise RuntimeError(f"The cast from {image.dtype} to {dtype} cannot be performed safely.")
        # ``max + 1 - eps`` spreads [0, 1] evenly over the integer levels (only 1.0 maps to the top one)
        return image.mul(float(_max_value(dtype)) + 1.0 - 1e-3).to(dtype)
    input_max = float(_max_value(image.dtype))
    if dtype.is_floating_point:
        return image.to(dtype) / input_max
    output_max = float(_max_value(dtype))
    if input_max > output_max:
        factor = int((input_max + 1) // (output_max + 1))
        return ember.div(image, factor, rounding_mode="floor").to(dtype)
    factor = int((output_max + 1) // (input_max + 1))
    return image.to(dtype) * factor


# ----------------------------------------------------------------------------- geometry without resampling
def vflip(img):
    """Flip upside down (the height axis)."""
    _assert_image_tensor(img)
    return img.flip(-2)


def hflip(img):
    """Flip left to right (the width axis)."""
    _assert_image_tensor(img)
    return img.flip(-1)


def crop(img, top, left, height, width):
    """The ``height`` x ``width`` window at (top, left); parts outside the image are zero-padded."""
    _assert_image_tensor(img)
    _, h, w = get_dimensions(img)
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        padding_ltrb = [max(-left + min(0, right), 0), max(-top + min(0, bottom), 0),
                        max(right - max(w, left), 0), max(bottom - max(h, top), 0)]
        return pad(img[..., max(top, 0):bottom, max(left, 0):right], padding_ltrb, fill=0)
    return img[..., top:bottom, left:right]


def _parse_pad_padding(padding):
    """torchvision's padding forms (int, [all], [lr, tb], [l, t, r, b]) as [left, right, top, bottom]."""
    if isinstance(padding, int):
        return [padding] * 4
    if len(padding) == 1:
        return [padding[0]] * 4
    if len(padding) == 2:
        return [padding[0], padding[0], padding[1], padding[1]]
    return [padding[0], padding[2], padding[1], padding[3]]


def _pad_symmetric(img, padding):
    """Mirror padding that repeats the edge pixel (NumPy's 'symmetric'), by gathering rows and columns."""
    left, right, top, bottom = padding
    if min(padding) < 0:
        img = img[..., max(-top, 0):img.shape[-2] - max(-bottom, 0), max(-left, 0):img.shape[-1] - max(-right, 0)]
        left, right, top, bottom = (max(p, 0) for p in padding)
    rows = _symmetric_indices(img.shape[-2], top, bottom)
    cols = _symmetric_indices(img.shape[-1], left, right)
    return img.index_select(-2, ember.from_numpy(rows)).index_select(-1, ember.from_numpy(cols))


def _symmetric_indices(size, before, after):
    """Source indices along one axis for symmetric padding: reversed edges around the identity."""
    head = np.arange(before - 1, -1, -1)
    tail = size - 1 - np.arange(after)
    return np.concatenate([head, np.arange(size), tail]).astype(np.int64)


def pad(img, padding, fill=0, padding_mode="constant"):
    """Pad the last two axes: ``constant`` (with ``fill``), ``edge``, ``reflect`` or ``symmetric``."""
    _assert_image_tensor(img)
    if fill is None:
        fill = 0
    if not isinstance(padding, (int, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if not isinstance(fill, (int, float)):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if isinstance(padding, (tuple, list)) and len(padding) not in (1, 2, 4):
        raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    p = _parse_pad_padding(list(padding) if isinstance(padding, tuple) else padding)
    if padding_mode == "symmetric":
        return _pad_symmetric(img, p)
    mode = "replicate" if padding_mode == "edge" else padding_mode
    batch, needs_squeeze = (img.unsqueeze(0), True) if img.ndim < 4 else (img, False)
    out_dtype = img.dtype
    needs_cast = mode != "constant" and out_dtype not in (ember.float32, ember.float64)
    if needs_cast:
        batch = batch.to(ember.float32)
    if mode == "constant":
        batch = nnF.pad(batch, p, mode="constant", value=float(fill))
    else:
        batch = nnF.pad(batch, p, mode=mode)
    if needs_squeeze:
        batch = batch.squeeze(0)
    return batch.to(out_dtype) if needs_cast else batch


# ----------------------------------------------------------------------------- colour
def rgb_to_grayscale(img, num_output_channels=1):
    """Luma ``0.2989 R + 0.587 G + 0.114 B`` (ITU-R 601-2), in the input's dtype, on 1 or 3 channels."""
    if img.ndim < 3:
        raise TypeError(f"Input image tensor should have at least 3 dimensions, but found {img.ndim}")
    _assert_channels(img, [1, 3])
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    if img.shape[-3] == 3:
        r, g, b = img.unbind(dim=-3)
        luma = (0.2989 * r + 0.587 * g + 0.114 * b).to(img.dtype).unsqueeze(-3)
    else:
        luma = img.clone()
    if num_output_channels == 3:
        return luma.expand(img.shape)
    return luma


def _blend(img1, img2, ratio):
    """``ratio * img1 + (1 - ratio) * img2`` clipped to the intensity range, in img1's dtype."""
    ratio = float(ratio)
    bound = _max_value(img1.dtype)
    return (ratio * img1 + (1.0 - ratio) * img2).clamp(0, bound).to(img1.dtype)


def adjust_brightness(img, brightness_factor):
    """Blend with black: factor 0 gives black, 1 the original, 2 twice as bright."""
    if brightness_factor < 0:
        raise ValueError(f"brightness_factor ({brightness_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    return _blend(img, ember.zeros_like(img), brightness_factor)


def adjust_contrast(img, contrast_factor):
    """Blend with the image's mean grey level: factor 0 gives flat grey, 1 the original."""
    if contrast_factor < 0:
        raise ValueError(f"contrast_factor ({contrast_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [3, 1])
    dtype = _float_dtype(img)
    grey = rgb_to_grayscale(img) if get_dimensions(img)[0] == 3 else img
    mean = ember.mean(grey.to(dtype), dim=(-3, -2, -1), keepdim=True)
    return _blend(img, mean, contrast_factor)


def adjust_saturation(img, saturation_factor):
    """Blend with the greyscale image: factor 0 gives grey, 1 the original, 2 twice as saturated."""
    if saturation_factor < 0:
        raise ValueError(f"saturation_factor ({saturation_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if get_dimensions(img)[0] == 1:
        return img
    return _blend(img, rgb_to_grayscale(img), saturation_factor)


def adjust_hue(img, hue_factor):
    """Rotate the hue by ``hue_factor`` turns (in [-0.5, 0.5]) in HSV space."""
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    if not isinstance(img, ember.Tensor):
        raise TypeError("Input img should be Tensor image")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if get_dimensions(img)[0] == 1:
        return img
    orig_dtype = img.dtype
    hsv = _rgb2hsv(convert_image_dtype(img, ember.float32))
    h, s, v = hsv.unbind(dim=-3)
    h = (h + hue_factor) % 1.0
    rgb = _hsv2rgb(ember.stack((h, s, v), dim=-3))
    return convert_image_dtype(rgb, orig_dtype)


def _rgb2hsv(img):
    """RGB in [0, 1] to HSV (each in [0, 1]), as Pillow converts; grey pixels get hue and saturation 0."""
    r, g, b = img.unbind(dim=-3)
    maxc = img.amax(dim=-3)
    minc = img.amin(dim=-3)
    flat = maxc == minc
    chroma = maxc - minc
    ones = ember.ones_like(maxc)
    s = chroma / ember.where(flat, ones, maxc)
    divisor = ember.where(flat, ones, chroma)
    rc, gc, bc = ((maxc - channel) / divisor for channel in (r, g, b))
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = ember.fmod((hr + hg + hb) / 6.0 + 1.0, 1.0)
    return ember.stack((h, s, maxc), dim=-3)


def _hsv2rgb(img):
    """HSV back to RGB: pick, per pixel, one of the six hue sectors' (r, g, b) formulas."""
    h, s, v = img.unbind(dim=-3)
    sector = ember.floor(h * 6.0)
    f = h * 6.0 - sector
    sector = sector.to(ember.int32) % 6
    p = ember.clamp(v * (1.0 - s), 0.0, 1.0)
    q = ember.clamp(v * (1.0 - s * f), 0.0, 1.0)
    t = ember.clamp(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    mask = (sector.unsqueeze(-3) == ember.arange(6).view(-1, 1, 1)).to(img.dtype)
    red = ember.stack((v, q, p, p, t, v), dim=-3)
    green = ember.stack((t, v, v, q, p, p), dim=-3)
    blue = ember.stack((p, p, t, v, v, q), dim=-3)
    return ember.stack([(mask * channel).sum(dim=-3) for channel in (red, green, blue)], dim=-3)


def adjust_gamma(img, gamma, gain=1):
    """Gamma correction ``gain * img ** gamma`` on intensities scaled to [0, 1]."""
    if not isinstance(img, ember.Tensor):
        raise TypeError("Input img should be a Tensor.")
    _assert_channels(img, [1, 3])
    if gamma < 0:
        raise ValueError("Gamma should be a non-negative real number")
    dtype = img.dtype
    result = img if img.is_floating_point() else convert_image_dtype(img, ember.float32)
    result = (gain * result.pow(gamma)).clamp(0, 1)
    return convert_image_dtype(result, dtype)


def invert(img):
    """The colour negative: ``max - img``."""
    _assert_image_tensor(img)
    _assert_at_least_3d(img)
    _assert_channels(img, [1, 3])
    return _max_value(img.dtype) - img


def posterize(img, bits):
    """Keep only the top ``bits`` bits of each uint8 channel value."""
    _assert_image_tensor(img)
    _assert_at_least_3d(img)
    if img.dtype != ember.uint8:
        raise TypeError(f"Only torch.uint8 image tensors are supported, but found {img.dtype}")
    _assert_channels(img, [1, 3])
    return img & -int(2 ** (8 - bits))


def solarize(img, threshold):
    """Invert the values at or above ``threshold``."""
    _assert_image_tensor(img)
    _assert_at_least_3d(img)
    _assert_channels(img, [1, 3])
    if threshold > _max_value(img.dtype):
        raise TypeError("Threshold should be less than bound of img.")
    return ember.where(img >= threshold, invert(img), img)


def _blurred_degenerate_image(img):
    """The image smoothed by PIL's 3x3 SMOOTH kernel on its interior; the border pixels are kept."""
    dtype = _float_dtype(img)
    kernel = ember.ones((3, 3), dtype=dtype)
    kernel[1, 1] = 5.0
    kernel = (kernel / kernel.sum()).expand(img.shape[-3], 1, 3, 3)
    batch, needs_cast, needs_squeeze, out_dtype = _cast_squeeze_in(img, [kernel.dtype])
    blurred = nnF.conv2d(batch.reshape(-1, *batch.shape[-3:]), kernel, groups=batch.shape[-3])
    blurred = blurred.reshape(*batch.shape[:-2], *blurred.shape[-2:])
    blurred = _cast_squeeze_out(blurred, needs_cast, needs_squeeze, out_dtype)
    rows = ember.cat([img[..., :1, 1:-1], blurred, img[..., -1:, 1:-1]], dim=-2)
    return ember.cat([img[..., :, :1], rows, img[..., :, -1:]], dim=-1)


def adjust_sharpness(img, sharpness_factor):
    """Blend with a smoothed copy: factor 0 blurs, 1 keeps, 2 sharpens."""
    if sharpness_factor < 0:
        raise ValueError(f"sharpness_factor ({sharpness_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if img.shape[-1] <= 2 or img.shape[-2] <= 2:
        return img
    return _blend(img, _blurred_degenerate_image(img), sharpness_factor)


def autocontrast(img):
    """Stretch each channel so its darkest value becomes 0 and its brightest the maximum."""
    _assert_image_tensor(img)
    _assert_at_least_3d(img)
    _assert_channels(img, [1, 3])
    bound = _max_value(img.dtype)
    dtype = _float_dtype(img)
    minimum = img.amin(dim=(-2, -1), keepdim=True).to(dtype)
    maximum = img.amax(dim=(-2, -1), keepdim=True).to(dtype)
    scale = (maximum - minimum).reciprocal() * bound     # PyTorch's ``bound / t`` rounds as this does
    flat = ember.isfinite(scale).logical_not()     # a constant channel is left as it is
    minimum = ember.where(flat, ember.zeros_like(minimum), minimum)
    scale = ember.where(flat, ember.ones_like(scale), scale)
    return ((img - minimum) * scale).clamp(0, bound).to(img.dtype)


def equalize(img):
    """Histogram equalisation of each channel of a uint8 image (PIL's ImageOps.equalize rule)."""
    _assert_image_tensor(img)
    if not 3 <= img.ndim <= 4:
        raise TypeError(f"Input image tensor should have 3 or 4 dimensions, but found {img.ndim}")
    if img.dtype != ember.uint8:
        raise TypeError(f"Only torch.uint8 image tensors are supported, but found {img.dtype}")
    _assert_channels(img, [1, 3])
    pixels = np.asarray(img.detach()._data)
    channels = pixels.reshape(-1, pixels.shape[-2] * pixels.shape[-1]).astype(np.int64)
    return ember.from_numpy(_equalize_channels(channels).reshape(pixels.shape))


def _equalize_channels(channels):
    """Equalise each row of ``channels`` (uint8 values as int64) through its own lookup table at once."""
    n = channels.shape[0]
    offsets = (np.arange(n) * 256)[:, None]
    hist = np.bincount((channels + offsets).ravel(), minlength=256 * n).reshape(n, 256)
    last_value = 255 - np.argmax(hist[:, ::-1] > 0, axis=1)           # the brightest occupied level
    step = (hist.sum(axis=1) - hist[np.arange(n), last_value]) // 255
    safe_step = np.maximum(step, 1)[:, None]
    lut = (np.cumsum(hist, axis=1) + safe_step // 2) // safe_step
    lut = np.clip(np.concatenate([np.zeros((n, 1), np.int64), lut[:, :-1]], axis=1), 0, 255)
    mapped = np.take_along_axis(lut, channels, axis=1)
    return np.where(step[:, None] == 0, channels, mapped).astype(np.uint8)


# ----------------------------------------------------------------------------- normalize / erase
def normalize(tensor, mean, std, inplace=False):
    """``(tensor - mean) / std`` per channel on a float image."""
    _assert_image_tensor(tensor)
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.ndim < 3:
        raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = "
                         f"{tensor.size()}")
    if not inplace:
        tensor = tensor.clone()
    mean = ember.as_tensor(mean, dtype=tensor.dtype)
    std = ember.as_tensor(std, dtype=tensor.dtype)
    if (std == 0).any():
        raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading to division by zero.")
    if mean.ndim == 1:
        mean = mean.view(-1, 1, 1)
    if std.ndim == 1:
        std = std.view(-1, 1, 1)
    return tensor.sub_(mean).div_(std)


def erase(img, i, j, h, w, v, inplace=False):
    """Overwrite the window at (i, j) of size (h, w) with ``v``."""
    _assert_image_tensor(img)
    if not inplace:
        img = img.clone()
    img[..., i:i + h, j:j + w] = v
    return img


# ----------------------------------------------------------------------------- resampling
def _cast_squeeze_in(img, req_dtypes):
    """Make ``img`` NCHW in one of ``req_dtypes``; also say what to undo afterwards."""
    needs_squeeze = img.ndim < 4
    if needs_squeeze:
        img = img.unsqueeze(0)
    out_dtype = img.dtype
    needs_cast = out_dtype not in req_dtypes
    if needs_cast:
        img = img.to(req_dtypes[0])
    return img, needs_cast, needs_squeeze, out_dtype


def _cast_squeeze_out(img, needs_cast, needs_squeeze, out_dtype):
    """Undo ``_cast_squeeze_in``: drop the added batch axis, round back to an integer dtype."""
    if needs_squeeze:
        img = img.squeeze(0)
    if needs_cast:
        if not out_dtype.is_floating_point:
            img = ember.round(img)
        img = img.to(out_dtype)
    return img


def resize(img, size, interpolation="bilinear", antialias=True):
    """Resample to ``size`` = [h, w] with ``F.interpolate`` (antialiased bilinear/bicubic by default)."""
    _assert_image_tensor(img)
    size = list(size)
    if antialias is None or interpolation not in ("bilinear", "bicubic"):
        antialias = False
    batch, needs_cast, needs_squeeze, out_dtype = _cast_squeeze_in(img, [ember.float32, ember.float64])
    lead = batch.shape[:-3]
    if len(lead) > 1:          # interpolate wants exactly one batch axis
        batch = batch.reshape(-1, *batch.shape[-3:])
    align_corners = False if interpolation in ("bilinear", "bicubic") else None
    batch = nnF.interpolate(batch, size=size, mode=interpolation, align_corners=align_corners,
                            antialias=antialias)
    if len(lead) > 1:
        batch = batch.reshape(*lead, *batch.shape[-3:])
    if interpolation == "bicubic" and out_dtype == ember.uint8:
        batch = batch.clamp(min=0, max=255)
    return _cast_squeeze_out(batch, needs_cast, needs_squeeze, out_dtype)


def _assert_grid_transform_inputs(img, matrix, interpolation, fill, supported_interpolation_modes, coeffs=None):
    if not isinstance(img, ember.Tensor):
        raise TypeError("Input img should be Tensor")
    _assert_image_tensor(img)
    if matrix is not None and not isinstance(matrix, list):
        raise TypeError("Argument matrix should be a list")
    if matrix is not None and len(matrix) != 6:
        raise ValueError("Argument matrix should have 6 float values")
    if coeffs is not None and len(coeffs) != 8:
        raise ValueError("Argument coeffs should have 8 float values")
    if fill is not None and not isinstance(fill, (int, float, tuple, list)):
        warnings.warn("Argument fill should be either int, float, tuple or list", stacklevel=2)
    channels = get_dimensions(img)[0]
    if isinstance(fill, (tuple, list)) and len(fill) > 1 and len(fill) != channels:
        raise ValueError("The number of elements in 'fill' cannot broadcast to match the number of channels of "
                         f"the image ({len(fill)} != {channels})")
    if interpolation not in supported_interpolation_modes:
        raise ValueError(f"Interpolation mode '{interpolation}' is unsupported with Tensor input")


def _apply_grid_transform(img, grid, mode, fill):
    """Sample ``img`` at ``grid`` (zeros outside); with ``fill``, paint the outside that colour instead.

    A channel of ones is sampled along with the image: where it comes back below one the
    sample fell (partly) outside, and the fill colour is blended in by that amount.
    """
    batch, needs_cast, needs_squeeze, out_dtype = _cast_squeeze_in(img, [grid.dtype])
    lead = batch.shape[:-3]
    if len(lead) > 1:
        batch = batch.reshape(-1, *batch.shape[-3:])
    n = batch.shape[0]
    grid = grid.expand(n, *grid.shape[1:])
    if fill is not None:
        ones = ember.ones((n, 1, batch.shape[2], batch.shape[3]), dtype=batch.dtype)
        batch = ember.cat((batch, ones), dim=1)
    batch = nnF.grid_sample(batch, grid, mode=mode, padding_mode="zeros", align_corners=False)
    if fill is not None:
        mask = batch[:, -1:, :, :].expand_as(batch[:, :-1, :, :])
        batch = batch[:, :-1, :, :]
        values = list(fill) if isinstance(fill, (tuple, list)) else [float(fill)]
        fill_img = ember.tensor(values, dtype=batch.dtype).view(1, len(values), 1, 1).expand_as(batch)
        if mode == "nearest":
            batch = ember.where(mask < 0.5, fill_img, batch)
        else:
            batch = batch * mask + (1.0 - mask) * fill_img
    if len(lead) > 1:
        batch = batch.reshape(*lead, *batch.shape[-3:])
    return _cast_squeeze_out(batch, needs_cast, needs_squeeze, out_dtype)


def _gen_affine_grid(theta, w, h, ow, oh):
    """Sampling grid for an output of (oh, ow) pixels under the 2x3 ``theta`` (pixel units, centred).

    Unlike ``F.affine_grid`` the pixel coordinates are normalised after applying ``theta``, and by
    the input size, so an expanded output canvas (rotate with ``expand``) works too.
    """
    xs = ember.linspace(-ow * 0.5 + 0.5, ow * 0.5 - 0.5, steps=ow, dtype=theta.dtype)
    ys = ember.linspace(-oh * 0.5 + 0.5, oh * 0.5 - 0.5, steps=oh, dtype=theta.dtype)
    base = ember.stack([xs.expand(oh, ow), ys.unsqueeze(-1).expand(oh, ow),
                        ember.ones((oh, ow), dtype=theta.dtype)], dim=-1)
    scale = ember.tensor([0.5 * w, 0.5 * h], dtype=theta.dtype)
    rescaled = theta.transpose(1, 2) / scale
    return base.reshape(1, oh * ow, 3).bmm(rescaled).reshape(1, oh, ow, 2)


def affine(img, matrix, interpolation="nearest", fill=None):
    """Apply the inverse affine ``matrix`` (6 numbers, pixel units about the centre) by grid sampling."""
    _assert_grid_transform_inputs(img, matrix, interpolation, fill, ["nearest", "bilinear"])
    theta = ember.tensor(matrix, dtype=_float_dtype(img)).reshape(1, 2, 3)
    h, w = img.shape[-2], img.shape[-1]
    grid = _gen_affine_grid(theta, w=w, h=h, ow=w, oh=h)
    return _apply_grid_transform(img, grid, interpolation, fill=fill)


def _compute_affine_output_size(matrix, w, h):
    """(width, height) of the canvas holding the whole transformed image (rotate with ``expand``)."""
    corners = np.array([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0],
                        [0.5 * w, 0.5 * h, 1.0], [0.5 * w, -0.5 * h, 1.0]], dtype=np.float32)
    theta = np.array(matrix, dtype=np.float32).reshape(2, 3)
    moved = corners @ theta.T
    centre = np.array([w * 0.5, h * 0.5], dtype=np.float32)
    lowest, highest = moved.min(axis=0) + centre, moved.max(axis=0) + centre
    tol = np.float32(1e-4)          # cut precision so that 1e-15 above an integer does not round up
    top = np.ceil(np.trunc(highest / tol) * tol)
    bottom = np.floor(np.trunc(lowest / tol) * tol)
    size = top - bottom
    return int(size[0]), int(size[1])


def rotate(img, matrix, interpolation="nearest", expand=False, fill=None):
    """Rotate by the inverse ``matrix``; with ``expand`` the canvas grows to hold the whole image."""
    _assert_grid_transform_inputs(img, matrix, interpolation, fill, ["nearest", "bilinear"])
    w, h = img.shape[-1], img.shape[-2]
    ow, oh = _compute_affine_output_size(matrix, w, h) if expand else (w, h)
    theta = ember.tensor(matrix, dtype=_float_dtype(img)).reshape(1, 2, 3)
    grid = _gen_affine_grid(theta, w=w, h=h, ow=ow, oh=oh)
    return _apply_grid_transform(img, grid, interpolation, fill=fill)


def _perspective_grid(coeffs, ow, oh, dtype):
    """Sampling grid of the projective map ``coeffs`` (PIL's 8 perspective coefficients)."""
    xs = ember.linspace(0.5, ow - 0.5, steps=ow, dtype=dtype)
    ys = ember.linspace(0.5, oh - 0.5, steps=oh, dtype=dtype)
    base = ember.stack([xs.expand(oh, ow), ys.unsqueeze(-1).expand(oh, ow), ember.ones((oh, ow), dtype=dtype)],
                       dim=-1).reshape(1, oh * ow, 3)
    theta1 = ember.tensor([[coeffs[0], coeffs[1], coeffs[2]], [coeffs[3], coeffs[4], coeffs[5]]], dtype=dtype)
    theta2 = ember.tensor([[coeffs[6], coeffs[7], 1.0], [coeffs[6], coeffs[7], 1.0]], dtype=dtype)
    numerator = base.bmm((theta1.T / ember.tensor([0.5 * ow, 0.5 * oh], dtype=dtype)).unsqueeze(0))
    denominator = base.bmm(theta2.T.unsqueeze(0))
    return (numerator / denominator - 1.0).reshape(1, oh, ow, 2)


def perspective(img, perspective_coeffs, interpolation="bilinear", fill=None):
    """Warp by the projective map ``perspective_coeffs`` by grid sampling."""
    if not isinstance(img, ember.Tensor):
        raise TypeError("Input img should be Tensor.")
    _assert_image_tensor(img)
    _assert_grid_transform_inputs(img, None, interpolation, fill, ["nearest", "bilinear"],
                                  coeffs=perspective_coeffs)
    grid = _perspective_grid(perspective_coeffs, img.shape[-1], img.shape[-2], _float_dtype(img))
    return _apply_grid_transform(img, grid, interpolation, fill=fill)


# ----------------------------------------------------------------------------- blur
def _get_gaussian_kernel1d(kernel_size, sigma, dtype):
    half = (kernel_size - 1) * 0.5
    x = ember.linspace(-half, half, steps=kernel_size, dtype=dtype)
    pdf = ember.exp(-0.5 * (x / sigma).pow(2))
    return pdf / pdf.sum()


def _get_gaussian_kernel2d(kernel_size, sigma, dtype):
    """Outer product of the vertical and horizontal 1-D Gaussians (kernel_size and sigma are [x, y])."""
    kx = _get_gaussian_kernel1d(kernel_size[0], sigma[0], dtype)
    ky = _get_gaussian_kernel1d(kernel_size[1], sigma[1], dtype)
    return ember.mm(ky[:, None], kx[None, :])


def gaussian_blur(img, kernel_size, sigma):
    """Depthwise convolution with a Gaussian kernel over reflect-padded borders."""
    if not isinstance(img, ember.Tensor):
        raise TypeError(f"img should be Tensor. Got {type(img)}")
    _assert_image_tensor(img)
    kernel = _get_gaussian_kernel2d(kernel_size, sigma, _float_dtype(img))
    kernel = kernel.expand(img.shape[-3], 1, kernel.shape[0], kernel.shape[1])
    batch, needs_cast, needs_squeeze, out_dtype = _cast_squeeze_in(img, [kernel.dtype])
    lead = batch.shape[:-3]
    if len(lead) > 1:
        batch = batch.reshape(-1, *batch.shape[-3:])
    padding = [kernel_size[0] // 2, kernel_size[0] // 2, kernel_size[1] // 2, kernel_size[1] // 2]
    batch = nnF.conv2d(nnF.pad(batch, padding, mode="reflect"), kernel, groups=batch.shape[-3])
    if len(lead) > 1:
        batch = batch.reshape(*lead, *batch.shape[-3:])
    return _cast_squeeze_out(batch, needs_cast, needs_squeeze, out_dtype)


def _create_identity_grid(size):
    hw_space = [ember.linspace((-s + 1) / s, (s - 1) / s, s) for s in size]
    grid_y, grid_x = ember.meshgrid(hw_space, indexing="ij")
    return ember.stack([grid_x, grid_y], -1).unsqueeze(0)


def elastic_transform(img, displacement, interpolation="bilinear", fill=None):
    """Sample ``img`` at the identity grid moved by ``displacement`` (1 x H x W x 2, normalised units)."""
    if not isinstance(img, ember.Tensor):
        raise TypeError(f"img should be Tensor. Got {type(img)}")
    grid = _create_identity_grid(list(img.shape[-2:])) + displacement
    return _apply_grid_transform(img, grid, interpolation, fill)

