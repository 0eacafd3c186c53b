"""ember.vision.transforms: reprs, argument errors, random parameters, seeding, batching and gradients.

Values against torchvision are in test_vision_transforms_golden.py; this file covers what the goldens
cannot: the random draws (ranges, statistics, reproducibility under ``ember.manual_seed``), the
differentiability of the float paths, torchvision's error types and messages, and that importing the
transforms does not import Pillow.
"""

import doctest
import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest
from helpers import check_grad, randn

import ember
from ember.vision import transforms as T
from ember.vision.transforms import _functional_tensor as F_t
from ember.vision.transforms import _presets
from ember.vision.transforms import functional as F

torch = ember        # the repr expressions below were written against torchvision (torch.float32 etc.)
ImageClassification = _presets.ImageClassification
SemanticSegmentation = _presets.SemanticSegmentation

# (expression, torchvision 0.29's repr of it), recorded by scripts/golden/transforms.py
with open(os.path.join(os.path.dirname(__file__), "golden", "transforms", "reprs.json")) as _f:
    REPRS = [tuple(pair) for pair in json.load(_f)]


@pytest.mark.parametrize("expression, expected", REPRS, ids=[e for e, _ in REPRS])
def test_repr_matches_torchvision(expression, expected):
    assert repr(eval(expression)) == expected


def test_import_does_not_load_pillow():
    code = ("import sys, ember.vision.transforms as T, ember.vision.transforms._presets; "
            "T.Compose([T.Resize(4), T.RandomRotation(9), T.ColorJitter(0.2)])(ember.rand(3, 8, 8)); "
            "print('PIL' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", "import ember; " + code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("module", [F, T.transforms, _presets, T])
def test_docstring_examples(module):
    pytest.importorskip("PIL")
    result = doctest.testmod(module, extraglobs={"ember": ember, "np": np}, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 or module is T
    assert result.failed == 0


# ----------------------------------------------------------------------------- argument errors
@pytest.mark.parametrize("call, error, message", [
    (lambda: T.Resize(2.5), TypeError, "Size should be int or sequence"),
    (lambda: T.Resize([1, 2, 3]), ValueError, "should have 1 or 2 values"),
    (lambda: F.resize(ember.rand(3, 4, 4), [2, 2], max_size=5), ValueError, "max_size should only be passed"),
    (lambda: F.resize(ember.rand(3, 4, 4), [2], max_size=2), ValueError, "must be strictly greater"),
    (lambda: F.resize(ember.rand(3, 4, 4), [2], interpolation="bilinear"), TypeError, "InterpolationMode"),
    (lambda: F.pad(ember.rand(3, 4, 4), [1, 2, 3]), ValueError, "1, 2, or 4 element tuple"),
    (lambda: F.pad(ember.rand(3, 4, 4), 1, padding_mode="wrap"), ValueError, "Padding mode"),
    (lambda: T.Pad(1, fill="x"), TypeError, "fill arg"),
    (lambda: F.normalize(ember.ones(3, 2, 2, dtype=ember.uint8), [0.5] * 3, [0.5] * 3), TypeError, "float tensor"),
    (lambda: F.normalize(ember.ones(2, 2), [0.5], [0.5]), ValueError, "(..., C, H, W)"),
    (lambda: F.normalize(ember.ones(3, 2, 2), [0.5] * 3, [0.5, 0.0, 0.5]), ValueError, "std evaluated to zero"),
    (lambda: F.adjust_brightness(ember.rand(3, 2, 2), -1), ValueError, "is not non-negative"),
    (lambda: F.adjust_hue(ember.rand(3, 2, 2), 0.7), ValueError, "is not in [-0.5, 0.5]"),
    (lambda: F.adjust_saturation(ember.rand(2, 2, 2), 0.5), TypeError, "permitted channel values are [1, 3]"),
    (lambda: F.adjust_gamma(ember.rand(3, 2, 2), -1), ValueError, "Gamma should be a non-negative"),
    (lambda: F.posterize(ember.rand(3, 2, 2), 2), TypeError, "Only torch.uint8"),
    (lambda: F.posterize(ember.ones(3, 2, 2, dtype=ember.uint8), 9), ValueError, "between 0 and 8"),
    (lambda: F.equalize(ember.rand(3, 2, 2)), TypeError, "Only torch.uint8"),
    (lambda: F.solarize(ember.ones(3, 2, 2, dtype=ember.uint8), 300), TypeError, "Threshold should be less"),
    (lambda: F.convert_image_dtype(ember.rand(3, 2, 2), ember.int32), RuntimeError, "cannot be performed safely"),
    (lambda: F.convert_image_dtype(np.zeros((2, 2))), TypeError, "Input img should be Tensor Image"),
    (lambda: F.gaussian_blur(ember.rand(3, 4, 4), 4), ValueError, "odd and positive"),
    (lambda: F.gaussian_blur(ember.rand(3, 4, 4), 3, -1.0), ValueError, "sigma should have positive values"),
    (lambda: T.GaussianBlur(3, sigma=(2.0, 1.0)), ValueError, "of the form (min, max)"),
    (lambda: F.rotate(ember.rand(3, 4, 4), "30"), TypeError, "angle should be int or float"),
    (lambda: F.rotate(ember.rand(3, 4, 4), 30.0, interpolation=T.InterpolationMode.BICUBIC), ValueError,
     "unsupported with Tensor input"),
    (lambda: F.rotate(ember.rand(3, 4, 4), 30.0, fill=[1.0, 2.0]), ValueError, "cannot broadcast"),
    (lambda: F.affine(ember.rand(3, 4, 4), 0.0, [1], 1.0, 0.0), ValueError, "translate should be a sequence"),
    (lambda: F.affine(ember.rand(3, 4, 4), 0.0, [1, 1], 0.0, 0.0), ValueError, "scale should be positive"),
    (lambda: F.five_crop(ember.rand(3, 4, 4), 5), ValueError, "is bigger than input size"),
    (lambda: F.to_tensor(ember.rand(3, 4, 4)), TypeError, "pic should be PIL Image or ndarray"),
    (lambda: F.to_tensor(np.zeros((1, 2, 3, 4))), ValueError, "pic should be 2/3 dimensional"),
    (lambda: F.to_pil_image(np.zeros((2, 2, 5), np.uint8)), ValueError, "should not have > 4 channels"),
    (lambda: F.to_pil_image(np.zeros((2, 2, 3), np.uint8), mode="L"), ValueError, "Only modes"),
    (lambda: F.to_pil_image(np.zeros((2, 2, 3), np.int64)), TypeError, "is not supported"),
    (lambda: F.erase(np.zeros((3, 2, 2)), 0, 0, 1, 1, 0.0), TypeError, "should be Tensor Image"),
    (lambda: F.crop(ember.ones(4), 0, 0, 1, 1), TypeError, "Tensor is not a torch image"),
    (lambda: F.rgb_to_grayscale(ember.rand(3, 4, 4), 2), ValueError, "either 1 or 3"),
    (lambda: T.RandomCrop(8).get_params(ember.rand(3, 4, 4), (8, 8)), ValueError, "is larger than input image"),
    (lambda: T.RandomResizedCrop(8, scale=0.5), TypeError, "Scale should be a sequence"),
    (lambda: T.RandomRotation(-3), ValueError, "it must be positive"),
    (lambda: T.RandomRotation((1, 2, 3)), ValueError, "degrees should be a sequence of length 2"),
    (lambda: T.RandomAffine(0, translate=(0.5, 1.5)), ValueError, "translation values should be between 0 and 1"),
    (lambda: T.RandomAffine(0, scale=(0.0, 1.0)), ValueError, "scale values should be positive"),
    (lambda: T.RandomAffine(0, shear=(1, 2, 3)), ValueError, "shear should be a sequence of length 2 or 4"),
    (lambda: T.ColorJitter(brightness=-1), ValueError, "it must be non negative"),
    (lambda: T.ColorJitter(hue=0.6), ValueError, "hue values should be between (-0.5, 0.5)"),
    (lambda: T.ColorJitter(contrast="x"), TypeError, "a list/tuple with length 2"),
    (lambda: T.RandomErasing(value="noise"), ValueError, "it should be 'random'"),
    (lambda: T.RandomErasing(p=2), ValueError, "probability should be between 0 and 1"),
    (lambda: T.RandomErasing(p=1.0, value=[1, 2])(ember.rand(3, 8, 8)), ValueError, "number of input channels"),
    (lambda: T.Lambda(3), TypeError, "should be callable"),
    (lambda: T.RandomChoice([T.RandomInvert()], p=0.5), TypeError, "p should be a sequence"),
    (lambda: T.RandomOrder(T.RandomInvert()), TypeError, "transforms should be a sequence"),
])
def test_errors_match_torchvision(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


def test_warnings():
    with pytest.warns(UserWarning, match="Scale and ratio should be of kind"):
        T.RandomResizedCrop(8, scale=(0.9, 0.1))
    Image = pytest.importorskip("PIL.Image")
    with pytest.warns(UserWarning, match="always applied for PIL Image"):
        F.resize(Image.new("RGB", (8, 8)), [4, 4], antialias=False)


# ----------------------------------------------------------------------------- random parameters
def test_random_crop_params_cover_every_offset():
    ember.manual_seed(1)
    img = ember.zeros(3, 10, 12)
    draws = np.array([T.RandomCrop.get_params(img, (6, 8))[:2] for _ in range(300)])
    assert set(draws[:, 0]) == set(range(5)) and set(draws[:, 1]) == set(range(5))
    assert T.RandomCrop.get_params(img, (10, 12)) == (0, 0, 10, 12)


def test_random_resized_crop_params_in_range():
    ember.manual_seed(2)
    img = ember.zeros(3, 40, 60)
    scale, ratio = (0.2, 0.6), (0.5, 2.0)
    areas, ratios = [], []
    for _ in range(200):
        i, j, h, w = T.RandomResizedCrop.get_params(img, scale, ratio)
        assert 0 <= i <= 40 - h and 0 <= j <= 60 - w and 0 < h <= 40 and 0 < w <= 60
        areas.append(h * w / 2400)
        ratios.append(w / h)
    # rounding h and w to integers moves area and ratio a little outside the nominal ranges
    assert 0.17 < min(areas) and max(areas) < 0.65 and 0.4 < min(ratios) and max(ratios) < 2.3
    assert np.mean(np.log(ratios)) == pytest.approx(0.0, abs=0.15)    # log-uniform ratio is symmetric


def test_random_resized_crop_fallback_is_central():
    # an impossible area range makes all 10 tries fail: the central crop with the nearest allowed ratio
    img = ember.zeros(3, 10, 40)
    assert T.RandomResizedCrop.get_params(img, (2.0, 3.0), (0.5, 2.0)) == (0, 10, 10, 20)
    assert T.RandomResizedCrop.get_params(ember.zeros(3, 10, 12), (2.0, 3.0), (0.5, 2.0)) == (0, 0, 10, 12)


def test_color_jitter_params():
    ember.manual_seed(3)
    jitter = T.ColorJitter(brightness=0.5, contrast=(0.2, 0.3), hue=0.1)
    for _ in range(50):
        order, b, c, s, h = jitter.get_params(jitter.brightness, jitter.contrast, jitter.saturation, jitter.hue)
        assert sorted(order.tolist()) == [0, 1, 2, 3]
        assert 0.5 <= b <= 1.5 and 0.2 <= c <= 0.3 and s is None and -0.1 <= h <= 0.1


def test_rotation_affine_blur_params():
    ember.manual_seed(4)
    angles = [T.RandomRotation.get_params([-10.0, 30.0]) for _ in range(400)]
    assert -10 <= min(angles) and max(angles) <= 30 and np.mean(angles) == pytest.approx(10, abs=2)
    for _ in range(50):
        angle, (tx, ty), scale, (sx, sy) = T.RandomAffine.get_params([-5.0, 5.0], [0.1, 0.2], [0.8, 1.2],
                                                                     [-3.0, 3.0, 10.0, 20.0], [50, 30])
        assert -5 <= angle <= 5 and abs(tx) <= 5 and abs(ty) <= 6 and 0.8 <= scale <= 1.2
        assert -3 <= sx <= 3 and 10 <= sy <= 20
        assert isinstance(tx, int) and isinstance(ty, int)
    assert T.RandomAffine.get_params([0.0, 0.0], None, None, None, [5, 5]) == (0.0, (0, 0), 1.0, (0.0, 0.0))
    sigmas = [T.GaussianBlur.get_params(0.1, 2.0) for _ in range(100)]
    assert 0.1 <= min(sigmas) and max(sigmas) <= 2.0


def test_random_erasing_params():
    ember.manual_seed(5)
    img = ember.rand(3, 30, 40)
    for _ in range(50):
        i, j, h, w, v = T.RandomErasing.get_params(img, (0.02, 0.33), (0.3, 3.3), value=[0.5])
        assert 0 <= i <= 30 - h and 0 <= j <= 40 - w and h < 30 and w < 40
        assert v.shape == (1, 1, 1)
    i, j, h, w, v = T.RandomErasing.get_params(img, (0.1, 0.2), (1.0, 1.0), value=None)
    assert v.shape == (3, h, w) and v.dtype == ember.float32
    # nothing fits: the image itself comes back, unchanged
    i, j, h, w, v = T.RandomErasing.get_params(img, (1.0, 1.0), (1.0, 1.0), value=[0.0])
    assert (i, j, h, w) == (0, 0, 30, 40) and v is img


def test_random_perspective_params():
    ember.manual_seed(6)
    start, end = T.RandomPerspective.get_params(32, 24, 0.5)
    assert start == [[0, 0], [31, 0], [31, 23], [0, 23]]
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = end
    assert 0 <= x0 <= 8 and 0 <= y0 <= 6 and 23 <= x1 <= 31 and 0 <= y1 <= 6
    assert 23 <= x2 <= 31 and 17 <= y2 <= 23 and 0 <= x3 <= 8 and 17 <= y3 <= 23


@pytest.mark.parametrize("transform", [
    T.RandomHorizontalFlip(), T.RandomVerticalFlip(), T.RandomGrayscale(p=0.5), T.RandomInvert(),
    T.RandomApply([T.RandomInvert(p=1.0)]),
])
def test_probability_p_is_respected(transform):
    ember.manual_seed(7)
    img = ember.rand(3, 4, 5)
    changed = [not ember.equal(transform(img), img) for _ in range(400)]
    assert 0.42 < np.mean(changed) < 0.58
    transform.p = 0.0
    assert all(ember.equal(transform(img), img) for _ in range(20))


def test_random_choice_weights_and_order():
    ember.manual_seed(8)
    add = [T.Lambda(lambda x, k=k: x + k) for k in (1, 10)]
    picks = [T.RandomChoice(add, p=[0.2, 0.8])(ember.zeros(1)).item() for _ in range(500)]
    assert 0.72 < np.mean(np.array(picks) == 10) < 0.88
    uniform = [T.RandomChoice(add)(ember.zeros(1)).item() for _ in range(400)]
    assert 0.4 < np.mean(np.array(uniform) == 10) < 0.6
    order = T.RandomOrder([T.Lambda(lambda x: x + 1), T.Lambda(lambda x: x * 2)])
    results = {order(ember.zeros(1)).item() for _ in range(50)}
    assert results == {1.0, 2.0}


def _pipeline():
    return T.Compose([
        T.RandomResizedCrop(12), T.RandomHorizontalFlip(), T.RandomRotation(20), T.RandomAffine(10, (0.1, 0.1)),
        T.ColorJitter(0.4, 0.4, 0.4, 0.1), T.RandomGrayscale(0.3), T.GaussianBlur(3),
        T.RandomErasing(p=0.7), T.RandomChoice([T.RandomInvert(), T.RandomAutocontrast()]),
        T.RandomOrder([T.RandomVerticalFlip(), T.RandomPerspective()]),
    ])


def test_seeded_pipeline_repeats():
    img = ember.rand(3, 24, 32)
    ember.manual_seed(11)
    first = [_pipeline()(img) for _ in range(3)]
    ember.manual_seed(11)
    second = [_pipeline()(img) for _ in range(3)]
    for a, b in zip(first, second):
        assert ember.equal(a, b)
    assert not ember.equal(first[0], first[1])


def test_random_crop_padding_and_pad_if_needed():
    ember.manual_seed(9)
    img = ember.arange(3 * 6 * 7, dtype=ember.float32).reshape(3, 6, 7)
    out = T.RandomCrop((10, 12), pad_if_needed=True, fill=-1)(img)
    assert out.shape == (3, 10, 12)
    assert (out == -1).sum() == 3 * (10 * 12 - 6 * 7) or (out == -1).any()
    out = T.RandomCrop(10, padding=2, padding_mode="reflect")(img)
    assert out.shape == (3, 10, 10) and not (out < 0).any()


# ----------------------------------------------------------------------------- shapes and dtypes
@pytest.mark.parametrize("transform", [
    T.Resize((9, 11)), T.Resize(7, interpolation=T.InterpolationMode.NEAREST), T.CenterCrop(9),
    T.RandomRotation(30, interpolation=T.InterpolationMode.BILINEAR), T.RandomAffine(20, scale=(0.8, 1.2)),
    T.GaussianBlur(5), T.ColorJitter(0.5, 0.5, 0.5, 0.2), T.Grayscale(3), T.Pad(2, padding_mode="symmetric"),
    T.RandomPerspective(p=1.0), T.RandomAdjustSharpness(2.0, p=1.0),
])
def test_leading_batch_dims_act_per_image(transform):
    """A (2, 2, C, H, W) stack gives what each (C, H, W) image gives with the same draw."""
    batch = ember.rand(2, 2, 3, 14, 16)
    ember.manual_seed(10)
    together = transform(batch)
    for index in [(0, 0), (1, 1)]:
        ember.manual_seed(10)
        alone = transform(batch[index])
        np.testing.assert_allclose(together[index].numpy(), alone.numpy(), atol=1e-5)


def test_dtypes_kept():
    u8 = (ember.rand(3, 10, 12) * 255).to(ember.uint8)
    for fn in [lambda x: F.resize(x, [5, 6]), lambda x: F.rotate(x, 10.0), lambda x: F.gaussian_blur(x, 3),
               lambda x: F.adjust_hue(x, 0.1), lambda x: F.pad(x, 2, padding_mode="reflect"), F.autocontrast]:
        assert fn(u8).dtype == ember.uint8
        assert fn(u8.double()).dtype == ember.float64


def test_normalize_inplace():
    img = ember.rand(3, 4, 4)
    original = img.clone()
    out = F.normalize(img, [0.5] * 3, [0.25] * 3)
    assert ember.equal(img, original)
    out2 = F.normalize(img, [0.5] * 3, [0.25] * 3, inplace=True)
    assert out2 is img and ember.allclose(img, out)


def test_erase_inplace_and_class():
    img = ember.ones(3, 6, 6)
    out = F.erase(img, 1, 2, 3, 2, ember.tensor(0.0))
    assert out.sum() == 108 - 18 and img.sum() == 108
    F.erase(img, 1, 2, 3, 2, ember.tensor(0.0), inplace=True)
    assert img.sum() == 90


def test_presets():
    img = (ember.rand(3, 40, 50) * 255).to(ember.uint8)
    preset = ImageClassification(crop_size=16, resize_size=20)
    out = preset(img)
    expected = F.normalize(F.convert_image_dtype(F.center_crop(F.resize(img, [20]), [16])),
                           [0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
    assert out.shape == (3, 16, 16) and ember.allclose(out, expected)
    segmentation = SemanticSegmentation(resize_size=None)(img)
    assert segmentation.shape == (3, 40, 50)
    assert "Accepts" in preset.describe()
    Image = pytest.importorskip("PIL.Image")
    pil_out = preset(Image.fromarray(img.permute(1, 2, 0).numpy()))
    assert pil_out.shape == (3, 16, 16) and pil_out.dtype == ember.float32


def test_pil_round_trip():
    pytest.importorskip("PIL")
    img = (ember.rand(3, 5, 7) * 255).to(ember.uint8)
    assert ember.equal(F.pil_to_tensor(F.to_pil_image(img)), img)
    grey = F.to_pil_image(ember.rand(1, 5, 7), mode="F")
    assert grey.mode == "F" and F.to_tensor(grey).dtype == ember.float32
    assert F.get_dimensions(F.to_pil_image(img)) == [3, 5, 7]
    assert F.get_image_size(F.to_pil_image(img)) == [7, 5]
    assert F.get_image_num_channels(F.to_pil_image(img)) == 3


# ----------------------------------------------------------------------------- gradients
GRAD_CASES = {
    "normalize": lambda x: F.normalize(x, [0.1, 0.2, 0.3], [0.5, 0.6, 0.7]),
    "brightness": lambda x: F.adjust_brightness(x, 0.7),
    "contrast": lambda x: F.adjust_contrast(x, 1.3),
    "saturation": lambda x: F.adjust_saturation(x, 0.6),
    # adjust_hue works in float32 whatever the input (as torchvision), too coarse for finite differences:
    # check its float64 core, the HSV round trip with the hue shifted
    "hue": lambda x: F_t._hsv2rgb(F_t._rgb2hsv(x) + ember.tensor([0.2, 0.0, 0.0], dtype=x.dtype).view(3, 1, 1)),
    "gamma": lambda x: F.adjust_gamma(x, 1.5),
    "sharpness": lambda x: F.adjust_sharpness(x, 1.5),
    "grayscale": lambda x: F.rgb_to_grayscale(x),
    "crop_outside": lambda x: F.crop(x, -1, 1, 5, 6),
    "center_crop_pad": lambda x: F.center_crop(x, [7, 9]),
    "pad_reflect": lambda x: F.pad(x, [1, 2], padding_mode="reflect"),
    "pad_symmetric": lambda x: F.pad(x, [2, 1, 0, 3], padding_mode="symmetric"),
    "flips": lambda x: F.vflip(F.hflip(x)),
    "resize_bilinear": lambda x: F.resize(x, [3, 4]),
    "resize_bicubic_up": lambda x: F.resize(x, [7, 9], interpolation=T.InterpolationMode.BICUBIC),
    "rotate_bilinear": lambda x: F.rotate(x, 33.0, interpolation=T.InterpolationMode.BILINEAR, fill=[0.5]),
    "affine_bilinear": lambda x: F.affine(x, 10.0, [1, 0], 1.1, 5.0, interpolation=T.InterpolationMode.BILINEAR),
    "perspective": lambda x: F.perspective(x, [[0, 0], [6, 0], [6, 4], [0, 4]], [[1, 0], [5, 1], [6, 4], [0, 3]]),
    "gaussian_blur": lambda x: F.gaussian_blur(x, [3, 5], [0.8, 1.2]),
    "autocontrast": lambda x: F.autocontrast(x),
    "erase": lambda x: F.erase(x, 1, 1, 2, 2, ember.tensor(0.0)),
}


@pytest.mark.parametrize("name", list(GRAD_CASES))
def test_float_paths_are_differentiable(name):
    image = np.clip(randn(3, 5, 7) * 0.2 + 0.5, 0.05, 0.95)
    check_grad(GRAD_CASES[name], image, second_order=name in ("normalize", "gaussian_blur", "resize_bilinear"))


def test_gradient_flows_through_a_pipeline():
    img = ember.rand(2, 3, 16, 16, requires_grad=True)
    pipeline = T.Compose([T.Resize(12), T.RandomRotation(15, interpolation=T.InterpolationMode.BILINEAR),
                          T.ColorJitter(0.3, 0.3, 0.3, 0.1), T.Normalize([0.5] * 3, [0.2] * 3)])
    pipeline(img).sum().backward()
    assert img.grad is not None and img.grad.shape == img.shape and ember.isfinite(img.grad).all()


def test_math_helpers():
    # the inverse affine matrix undoes the forward one
    forward = F._get_inverse_affine_matrix([3.0, 4.0], 30.0, [1.0, 2.0], 1.5, [10.0, 5.0], inverted=False)
    inverse = F._get_inverse_affine_matrix([3.0, 4.0], 30.0, [1.0, 2.0], 1.5, [10.0, 5.0])
    a = np.vstack([np.reshape(forward, (2, 3)), [0, 0, 1]])
    b = np.vstack([np.reshape(inverse, (2, 3)), [0, 0, 1]])
    np.testing.assert_allclose(a @ b, np.eye(3), atol=1e-12)
    assert math.isclose(F._compute_resized_output_size((20, 30), [10])[1], 15)


@pytest.mark.parametrize("name", ["resize_bilinear", "rotate_bilinear", "gaussian_blur", "hue", "pad_symmetric",
                                  "sharpness", "contrast", "perspective"])
def test_noncontiguous_input_gives_the_same_result(name):
    image = np.clip(randn(3, 5, 7) * 0.2 + 0.5, 0.05, 0.95).astype(np.float32)
    strided = ember.from_numpy(np.ascontiguousarray(image.transpose(0, 2, 1))).transpose(1, 2)
    assert not strided.is_contiguous()
    expected = GRAD_CASES[name](ember.from_numpy(image))
    np.testing.assert_allclose(GRAD_CASES[name](strided).numpy(), expected.numpy(), atol=1e-6)
