"""ember.vision's edge filters (sobel, scharr, laplacian) and canny, against scikit-image and SciPy.

The filters are compared with SciPy's ``ndimage.correlate`` (every border type) and with scikit-image's
``filters.sobel/scharr/laplace``, whose scale conventions differ from ours by known factors. Canny is
compared with ``skimage.feature.canny``: exactly on synthetic step images whose edges fall on pixel
centres (no ties, no corners), and by an F-score with a 1-pixel tolerance on real photographs.
"""

import numpy as np
import pytest
from helpers import check_grad, randn
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
import ember.vision as vision
from ember.vision import edges as edges_module

ndimage = pytest.importorskip("scipy.ndimage")
skimage_filters = pytest.importorskip("skimage.filters")
skimage_feature = pytest.importorskip("skimage.feature")
skimage_data = pytest.importorskip("skimage.data")

# ember's border_type -> SciPy's mode of the same name-different meaning.
SCIPY_MODES = {"reflect": "mirror", "symmetric": "reflect", "replicate": "nearest", "circular": "wrap",
               "constant": "constant"}

SOBEL_X = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
SCHARR_X = np.array([[-3.0, 0.0, 3.0], [-10.0, 0.0, 10.0], [-3.0, 0.0, 3.0]])
LAPLACIAN_3 = np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])
# OpenCV's documented 5x5 Laplacian (cv::Laplacian with ksize=5).
LAPLACIAN_5 = np.array([[2.0, 4.0, 4.0, 4.0, 2.0], [4.0, 0.0, -8.0, 0.0, 4.0], [4.0, -8.0, -24.0, -8.0, 4.0],
                        [4.0, 0.0, -8.0, 0.0, 4.0], [2.0, 4.0, 4.0, 4.0, 2.0]])


def correlate(images, kernel, border_type):
    """SciPy reference: each (H, W) plane of ``images`` cross-correlated with ``kernel``."""
    flat = images.reshape(-1, *images.shape[-2:])
    out = [ndimage.correlate(plane, kernel, mode=SCIPY_MODES[border_type]) for plane in flat]
    return np.stack(out).reshape(images.shape)


def tensor(array):
    return ember.from_numpy(np.ascontiguousarray(array))


def photo(name):
    """A scikit-image sample photo as a float64 gray image in [0, 1]."""
    image = getattr(skimage_data, name)().astype(np.float64) / 255.0
    return image if image.ndim == 2 else image @ np.array([0.299, 0.587, 0.114])


def tolerant_f_score(predicted, reference, tolerance=1):
    """F-score of two boolean edge maps, a pixel matching when the other map has one within ``tolerance``."""
    structure = np.ones((2 * tolerance + 1,) * 2, dtype=bool)
    precision = (predicted & ndimage.binary_dilation(reference, structure)).sum() / max(predicted.sum(), 1)
    recall = (reference & ndimage.binary_dilation(predicted, structure)).sum() / max(reference.sum(), 1)
    return 2 * precision * recall / max(precision + recall, 1e-12)


# ----------------------------------------------------------------------------- filters against SciPy
@pytest.mark.parametrize("border_type", list(SCIPY_MODES))
@pytest.mark.parametrize("name, kernel_x", [("sobel", SOBEL_X), ("scharr", SCHARR_X)])
def test_first_derivatives_match_scipy(name, kernel_x, border_type):
    images = randn(2, 3, 9, 11)
    dx, dy = getattr(vision, name)(tensor(images), normalized=False, border_type=border_type,
                                   return_gradients=True)
    np.testing.assert_allclose(dx.numpy(), correlate(images, kernel_x, border_type), atol=1e-12)
    np.testing.assert_allclose(dy.numpy(), correlate(images, kernel_x.T, border_type), atol=1e-12)
    magnitude = getattr(vision, name)(tensor(images), normalized=True, border_type=border_type)
    scale = np.abs(kernel_x).sum()
    np.testing.assert_allclose(magnitude.numpy(), np.hypot(dx.numpy(), dy.numpy()) / scale, atol=1e-12)


@pytest.mark.parametrize("border_type", list(SCIPY_MODES))
@pytest.mark.parametrize("kernel_size, kernel", [(3, LAPLACIAN_3), (5, LAPLACIAN_5)])
def test_laplacian_matches_scipy(kernel_size, kernel, border_type):
    images = randn(2, 2, 8, 7)
    out = vision.laplacian(tensor(images), kernel_size, border_type=border_type, normalized=False)
    np.testing.assert_allclose(out.numpy(), correlate(images, kernel, border_type), atol=1e-11)
    normalized = vision.laplacian(tensor(images), kernel_size, border_type=border_type)
    np.testing.assert_allclose(normalized.numpy(), out.numpy() / np.abs(kernel).sum(), atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(height=st.integers(1, 12), width=st.integers(1, 12), border_type=st.sampled_from(list(SCIPY_MODES)))
def test_sobel_any_size_matches_scipy(height, width, border_type):
    # Sizes down to 1 pixel: the border extension folds as often as needed (unlike F.pad's reflect).
    images = np.random.default_rng(height * 13 + width).standard_normal((1, 2, height, width))
    dx, dy = vision.sobel(tensor(images), normalized=False, border_type=border_type, return_gradients=True)
    np.testing.assert_allclose(dx.numpy(), correlate(images, SOBEL_X, border_type), atol=1e-12)
    np.testing.assert_allclose(dy.numpy(), correlate(images, SOBEL_X.T, border_type), atol=1e-12)


# ----------------------------------------------------------------------------- filters against scikit-image
def test_sobel_and_scharr_match_scikit_image():
    image = photo("camera")[::4, ::4]
    x = tensor(image[None, None])
    # scikit-image divides the kernels by 4 (Sobel) and 16 (Scharr) and its magnitude by sqrt(2);
    # its default border is SciPy's "reflect", our "symmetric".
    for name, per_axis in (("sobel", 4.0), ("scharr", 16.0)):
        ours = getattr(vision, name)
        reference = getattr(skimage_filters, name)
        dx, dy = ours(x, normalized=False, border_type="symmetric", return_gradients=True)
        np.testing.assert_allclose(dx.numpy()[0, 0] / per_axis, reference(image, axis=1), atol=1e-12)
        np.testing.assert_allclose(dy.numpy()[0, 0] / per_axis, reference(image, axis=0), atol=1e-12)
        magnitude = ours(x, normalized=True, border_type="symmetric").numpy()[0, 0]
        np.testing.assert_allclose(magnitude * np.sqrt(2.0), reference(image), atol=1e-12)
        # OpenCV's default border (our default "reflect") is scikit-image's mode="mirror".
        np.testing.assert_allclose(ours(x).numpy()[0, 0] * np.sqrt(2.0), reference(image, mode="mirror"),
                                   atol=1e-12)


def test_laplacian_matches_scikit_image():
    image = photo("coins")[::3, ::3]
    out = vision.laplacian(tensor(image[None, None]), 3, border_type="symmetric", normalized=False)
    np.testing.assert_allclose(-out.numpy()[0, 0], skimage_filters.laplace(image, ksize=3), atol=1e-12)


def test_filter_values_on_known_images():
    ramp = np.tile(np.arange(6.0), (5, 1))[None, None] * 0.5            # rises 0.5 per column
    dx, dy = vision.sobel(tensor(ramp), return_gradients=True)
    np.testing.assert_allclose(dx.numpy()[..., 1:-1], 0.5)            # normalized: the true slope
    np.testing.assert_allclose(dx.numpy()[..., [0, -1]], 0.0)        # reflect border mirrors the ramp
    np.testing.assert_allclose(dy.numpy(), 0.0)
    bowl = np.add.outer(np.arange(7.0) ** 2, np.arange(8.0) ** 2)[None, None]   # x^2 + y^2: Laplacian 4
    interior = (..., slice(2, -2), slice(2, -2))
    np.testing.assert_allclose(vision.laplacian(tensor(bowl), 3, normalized=False).numpy()[interior], 4.0)
    np.testing.assert_allclose(vision.laplacian(tensor(bowl), 5, normalized=False).numpy()[interior], 4.0 * 64)


# ----------------------------------------------------------------------------- layout, dtypes, batching
@pytest.mark.parametrize("fn", [vision.sobel, vision.scharr, vision.laplacian,
                                lambda x: vision.canny(x)[0], lambda x: vision.canny(x)[1]])
def test_batched_equals_per_image(fn):
    images = np.random.default_rng(0).random((3, 2, 12, 10))
    batched = fn(tensor(images)).numpy()
    for i in range(3):
        np.testing.assert_allclose(batched[i], fn(tensor(images[i])).numpy(), atol=1e-12)
        np.testing.assert_allclose(batched[i], fn(tensor(images[i:i + 1])).numpy()[0], atol=1e-12)


def test_shapes_dtypes_and_empty_batch():
    x32 = ember.rand(2, 3, 6, 7)
    for fn in (vision.sobel, vision.scharr, vision.laplacian):
        out = fn(x32)
        assert out.shape == (2, 3, 6, 7) and out.dtype == ember.float32
        np.testing.assert_allclose(out.numpy(), fn(x32.double()).numpy(), rtol=1e-5, atol=1e-5)
        assert fn(ember.zeros(0, 3, 6, 7)).shape == (0, 3, 6, 7)
    dx, dy = vision.scharr(x32, return_gradients=True)
    assert dx.shape == dy.shape == (2, 3, 6, 7)
    magnitude, edges = vision.canny(x32)
    assert magnitude.shape == edges.shape == (2, 1, 6, 7)              # RGB becomes one gray channel
    assert magnitude.dtype == edges.dtype == ember.float32 and not edges.requires_grad
    assert vision.canny(ember.rand(2, 4, 6, 7))[1].shape == (2, 4, 6, 7)  # other counts: per channel
    assert vision.canny(ember.zeros(0, 1, 6, 7))[1].shape == (0, 1, 6, 7)


def test_noncontiguous_input():
    images = randn(1, 2, 9, 8)
    transposed = tensor(np.ascontiguousarray(images.swapaxes(-1, -2))).transpose(-1, -2)
    assert not transposed.is_contiguous()
    np.testing.assert_allclose(vision.sobel(transposed).numpy(), vision.sobel(tensor(images)).numpy())


def test_canny_rgb_uses_luma():
    rgb = np.random.default_rng(1).random((1, 3, 16, 16))
    gray = (rgb * np.array([0.299, 0.587, 0.114])[:, None, None]).sum(1, keepdims=True)
    for a, b in zip(vision.canny(tensor(rgb)), vision.canny(tensor(gray))):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-12)


# ----------------------------------------------------------------------------- gradients
@pytest.mark.parametrize("border_type", list(SCIPY_MODES))
def test_sobel_gradcheck(border_type):
    x = randn(1, 2, 4, 5)
    check_grad(lambda t: vision.sobel(t, border_type=border_type), x)
    check_grad(lambda t: vision.scharr(t, border_type=border_type, return_gradients=True), x)


@pytest.mark.parametrize("kernel_size", [3, 5])
def test_laplacian_gradcheck(kernel_size):
    check_grad(lambda t: vision.laplacian(t, kernel_size, border_type="symmetric"), randn(2, 1, 5, 6))


def test_canny_magnitude_gradcheck():
    check_grad(lambda t: vision.canny(t, kernel_size=3)[0], randn(1, 3, 5, 6))


def test_magnitude_gradient_is_zero_on_flat_regions():
    x = ember.zeros(1, 1, 5, 5, requires_grad=True)
    vision.sobel(x).sum().backward()
    assert np.all(np.isfinite(x.grad.numpy())) and not np.any(x.grad.numpy())


def test_sobel_in_a_loss_trains():
    # An edge-matching loss moves a blurred step towards a sharp one.
    target = vision.sobel(ember.from_numpy(np.repeat(np.repeat([[0.0, 1.0]], 4, 0), 4, 1)[None, None]))
    x = ember.full((1, 1, 4, 8), 0.5, dtype=ember.float64) + 0.01 * ember.randn(1, 1, 4, 8, dtype=ember.float64)
    x.requires_grad_(True)
    losses = []
    for _ in range(20):
        loss = ((vision.sobel(x) - target) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        with ember.no_grad():
            x -= 2.0 * x.grad
        x.grad = None
    assert losses[-1] < 0.5 * losses[0]


# ----------------------------------------------------------------------------- canny against scikit-image
def pixel_centred_steps(rng, height, width, horizontal):
    """Stripes whose boundaries lie on pixel centres (the boundary pixel takes the mean of both sides),
    so each edge has one strict gradient maximum and no corners: quantised and interpolated
    non-maximum suppression must then agree exactly."""
    positions = np.sort(rng.choice(np.arange(6, width - 6, 7), size=3, replace=False)) + 0.5
    levels = rng.uniform(0.0, 1.0, size=4)
    columns = np.arange(width) + 0.5
    profile = levels[np.searchsorted(positions, columns)]
    on_boundary = np.isin(columns, positions)
    index = np.searchsorted(positions, columns[on_boundary])
    profile[on_boundary] = (levels[index] + levels[index + 1]) / 2
    image = np.tile(profile, (height, 1))
    return image.T.copy() if horizontal else image


@pytest.mark.parametrize("horizontal", [False, True])
def test_canny_exact_on_step_images(horizontal):
    rng = np.random.default_rng(7)
    # Steps of contrast c give magnitudes near 2c, so the higher thresholds drop some stripes.
    settings_ = ((1.0, 9, 0.05, 0.1), (1.5, 13, 0.3, 0.6), (1.0, 9, 0.8, 0.8))
    counts = np.zeros(len(settings_))
    for _ in range(5):
        image = pixel_centred_steps(rng, 30, 40, horizontal)
        # scikit-image's Gaussian spans 4 sigma each side (9 taps); its mode="mirror" is our "reflect".
        for i, (sigma, kernel_size, low, high) in enumerate(settings_):
            reference = skimage_feature.canny(image, sigma=sigma, low_threshold=low, high_threshold=high,
                                              mode="mirror")
            _, edges = vision.canny(tensor(image[None, None]), low, high, kernel_size, sigma)
            ours = edges.numpy()[0, 0] > 0
            # scikit-image never marks the outermost pixel ring; compare everything inside it.
            np.testing.assert_array_equal(ours[1:-1, 1:-1], reference[1:-1, 1:-1])
            counts[i] += reference.sum()
    assert counts[0] > counts[2] > 0 and counts[1] > 0


def test_canny_magnitude_matches_gaussian_then_sobel():
    image = photo("coins")[::2, ::2]
    smoothed = ndimage.gaussian_filter(image, 1.0, mode="mirror", truncate=4.0)
    expected = np.hypot(ndimage.sobel(smoothed, 0, mode="mirror"), ndimage.sobel(smoothed, 1, mode="mirror"))
    magnitude, _ = vision.canny(tensor(image[None, None]), kernel_size=9, sigma=1.0)
    np.testing.assert_allclose(magnitude.numpy()[0, 0], expected, atol=1e-12)


@pytest.mark.parametrize("name", ["camera", "coins"])
def test_canny_agrees_with_scikit_image_on_photos(name):
    # The one algorithmic difference is the thinning: we compare with the two neighbours along the
    # gradient rounded to 45 degrees (as OpenCV and kornia), scikit-image interpolates between two pairs.
    # That moves some edge pixels by one, or drops/adds a pixel at corners and junctions: measured
    # F-scores (1-pixel tolerance) are 0.98-0.99 on camera, coins, astronaut and coffee; 0.95 leaves room
    # for platform rounding while failing on any real defect (a wrong direction or threshold gives < 0.7).
    image = photo(name)
    reference = skimage_feature.canny(image, sigma=1.0, mode="mirror")
    _, edges = vision.canny(tensor(image[None, None]), kernel_size=9, sigma=1.0)
    assert tolerant_f_score(edges.numpy()[0, 0] > 0, reference) >= 0.95
    _, default_edges = vision.canny(tensor(image[None, None]))          # 5x5 Gaussian, the default
    assert tolerant_f_score(default_edges.numpy()[0, 0] > 0, reference) >= 0.95


def test_hysteresis_matches_connected_component_labelling():
    rng = np.random.default_rng(3)
    weak = rng.random((2, 40, 50)) < 0.45
    strong = weak & (rng.random((2, 40, 50)) < 0.03)
    ours = edges_module._connected_to(strong, weak)
    for i in range(2):
        labels, _ = ndimage.label(weak[i], np.ones((3, 3), dtype=bool))
        seeded = np.unique(labels[strong[i]])
        expected = np.isin(labels, seeded[seeded > 0])
        np.testing.assert_array_equal(ours[i], expected)


def test_canny_hysteresis_flag():
    image = photo("camera")[::4, ::4][None, None]
    _, linked = vision.canny(tensor(image))
    _, split = vision.canny(tensor(image), hysteresis=False)
    linked, split = linked.numpy(), split.numpy()
    assert set(np.unique(split)) == {0.0, 0.5, 1.0}
    assert np.all(linked[split == 1.0] == 1.0)                  # strong edges always survive
    assert np.all(split[linked == 1.0] > 0)                      # hysteresis only keeps weak or strong
    assert 0 < (linked[split == 0.5]).sum() < (split == 0.5).sum()  # some weak edges linked, some dropped


def test_canny_long_chain_is_linked():
    # A weak spiral path with one strong pixel at its far end: hysteresis must reach every pixel.
    weak = np.zeros((1, 21, 21), dtype=bool)
    weak[0, 1::4, 1:-1] = True
    weak[0, 1:-1, 19][np.arange(19) % 8 < 4] = True
    weak[0, 1:-1, 1][np.arange(19) % 8 >= 4] = True
    strong = np.zeros_like(weak)
    strong[0, 17, 5] = True
    linked = edges_module._connected_to(strong, weak)
    labels, _ = ndimage.label(weak[0], np.ones((3, 3), dtype=bool))
    np.testing.assert_array_equal(linked[0], labels == labels[17, 5])


# ----------------------------------------------------------------------------- bad inputs
@pytest.mark.parametrize("call, error, match", [
    (lambda: vision.sobel(np.zeros((1, 1, 4, 4))), TypeError, "must be Tensor"),
    (lambda: vision.sobel(ember.zeros(4, 4)), ValueError, r"\(B, C, H, W\) or \(C, H, W\)"),
    (lambda: vision.scharr(ember.zeros(1, 1, 1, 4, 4)), ValueError, "got"),
    (lambda: vision.sobel(ember.zeros(1, 1, 4, 4, dtype=ember.int64)), TypeError, "floating point"),
    (lambda: vision.sobel(ember.zeros(1, 1, 0, 4)), ValueError, "non-empty"),
    (lambda: vision.sobel(ember.zeros(1, 1, 4, 4), border_type="wrap"), ValueError, "border_type"),
    (lambda: vision.laplacian(ember.zeros(1, 1, 4, 4), 4), ValueError, "kernel_size must be 3 or 5"),
    (lambda: vision.canny(ember.zeros(1, 1, 4, 4), 0.3, 0.2), ValueError, "low_threshold"),
    (lambda: vision.canny(ember.zeros(1, 1, 4, 4), -0.1), ValueError, "non-negative"),
    (lambda: vision.canny(ember.zeros(1, 1, 4, 4), kernel_size=4), ValueError, "odd"),
    (lambda: vision.canny(ember.zeros(1, 1, 4, 4), kernel_size=2.5), TypeError, "integers"),
    (lambda: vision.canny(ember.zeros(1, 1, 4, 4), sigma=0.0), ValueError, "sigma"),
    (lambda: vision.canny(ember.zeros(1, 1, 4, 4), sigma="1"), TypeError, "sigma"),
    (lambda: vision.canny(ember.zeros(1, 1, 4, 4, dtype=ember.uint8)), TypeError, "floating point"),
])
def test_bad_inputs(call, error, match):
    with pytest.raises(error, match=match):
        call()
