"""ember.vision.utils against torchvision 0.29.1 goldens (scripts/golden/io_utils.py), plus saving and errors."""

import io
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import ember
from ember.vision import utils
from ember.vision.io import decode_png, read_image

GOLDEN = Path(__file__).parent / "golden" / "io_utils"


@pytest.fixture(scope="module")
def golden():
    return np.load(GOLDEN / "utils.npz")


def tensor(array):
    return ember.from_numpy(np.array(array))


def assert_golden(result, expected):
    result = result.numpy()
    assert result.shape == expected.shape and result.dtype == expected.dtype
    if expected.dtype.kind == "f":
        np.testing.assert_allclose(result, expected, rtol=1e-6, atol=1e-6)
    else:
        np.testing.assert_array_equal(result, expected)


GRID_CASES = {
    "default": lambda b, g: utils.make_grid(b),
    "nrow2_pad1": lambda b, g: utils.make_grid(b, nrow=2, padding=1, pad_value=0.5),
    "normalize": lambda b, g: utils.make_grid(b, nrow=3, normalize=True),
    "value_range": lambda b, g: utils.make_grid(b, normalize=True, value_range=(-1, 1)),
    "scale_each": lambda b, g: utils.make_grid(b, normalize=True, scale_each=True, padding=0),
    "gray": lambda b, g: utils.make_grid(g, nrow=2),
    "single": lambda b, g: utils.make_grid(b[0]),
    "single_gray2d": lambda b, g: utils.make_grid(g[0, 0]),
    "list": lambda b, g: utils.make_grid(list(b[:3]), nrow=5, padding=3),
}


@pytest.mark.parametrize("case", sorted(GRID_CASES))
def test_make_grid_matches_torchvision(golden, case):
    batch, gray = tensor(golden["grid/input_batch"]), tensor(golden["grid/input_gray"])
    assert_golden(GRID_CASES[case](batch, gray), golden[f"grid/{case}"])


BOX_CASES = {
    "default": lambda img, boxes: utils.draw_bounding_boxes(img, boxes),
    "colors_width": lambda img, boxes: utils.draw_bounding_boxes(
        img, boxes, colors=["red", (0, 255, 0), "#0000ff", "yellow"], width=2),
    "fill": lambda img, boxes: utils.draw_bounding_boxes(img, boxes, colors="blue", fill=True, width=1),
    "float": lambda img, boxes: utils.draw_bounding_boxes(img.float() / 255, boxes[:2], colors=(200, 10, 10)),
    "gray": lambda img, boxes: utils.draw_bounding_boxes(img[:1], boxes[:2], colors=[(250, 0, 0), (0, 100, 0)],
                                                         width=3),
    "labels": lambda img, boxes: utils.draw_bounding_boxes(img, boxes[:2], labels=["cat", "dog"], colors="white"),
}


@pytest.mark.parametrize("case", sorted(BOX_CASES))
def test_draw_bounding_boxes_matches_torchvision(golden, case):
    if case in ("colors_width", "labels"):
        pytest.importorskip("PIL")
    image, boxes = tensor(golden["boxes/input_image"]), tensor(golden["boxes/input_boxes"])
    assert_golden(BOX_CASES[case](image, boxes), golden[f"boxes/{case}"])


def _draw(image, boxes, **kwargs):
    return utils.draw_bounding_boxes(image, boxes, **kwargs)


ROTATED_NAMES = ["one", "two", "three", "four", "five"]
ROTATED_CASES = {      # the same calls as scripts/golden/io_utils.py's rotated_box_cases
    "default": lambda img, r, a: _draw(img, r),
    "colors_width": lambda img, r, a: _draw(img, r, colors=["red", (0, 255, 0), "#0000ff", "yellow", "cyan"],
                                            width=2),
    "fill": lambda img, r, a: _draw(img, r, colors="blue", fill=True),
    "fill_width3": lambda img, r, a: _draw(img, r[:2], colors=[(250, 10, 10), (10, 10, 250)], fill=True, width=3),
    "float": lambda img, r, a: _draw(img.float() / 255, r[:3], colors=(200, 10, 10)),
    "gray": lambda img, r, a: _draw(img[:1], r[1:4], colors=[(250, 0, 0), (0, 100, 0), (0, 0, 90)]),
    "labels": lambda img, r, a: _draw(img, r, labels=ROTATED_NAMES, colors="white"),
    "labels_filled": lambda img, r, a: _draw(img, r[:3], labels=ROTATED_NAMES[:3], fill=True, fill_labels=True,
                                             label_colors="black", label_background_colors=["yellow", "cyan", "lime"]),
    "triangle": lambda img, r, a: _draw(img, ember.tensor([[5.0, 5.0, 40.0, 12.0, 20.0, 35.0]]), colors="magenta",
                                        fill=True, width=2),
    "pentagon": lambda img, r, a: _draw(img, ember.tensor([[28.0, 2.0, 50.0, 10.0, 46.0, 30.0, 30.0, 36.0, 20.0,
                                                            18.0]]), colors=(255, 128, 0)),
    "axis_labels_overlap": lambda img, r, a: _draw(img, a, labels=["a", "b", "c"], colors=["red", "green", "blue"],
                                                   width=2),
    "axis_labels_fill": lambda img, r, a: _draw(img, a, labels=["a", None, "c"], colors="white", fill=True,
                                                fill_labels=True),
}


@pytest.fixture(scope="module")
def rotated_golden():
    return np.load(GOLDEN / "rotated_boxes.npz")


@pytest.mark.parametrize("case", sorted(ROTATED_CASES))
def test_draw_rotated_boxes_matches_torchvision(rotated_golden, case):
    pytest.importorskip("PIL")
    image = tensor(rotated_golden["input_image"])
    rotated, axis_aligned = tensor(rotated_golden["input_rotated"]), tensor(rotated_golden["input_axis_aligned"])
    assert_golden(ROTATED_CASES[case](image, rotated, axis_aligned), rotated_golden[case])


def test_rotated_boxes_are_not_checked_for_corner_order():
    pytest.importorskip("PIL")
    image = ember.zeros(3, 12, 12, dtype=ember.uint8)
    flipped = ember.tensor([[9.0, 9.0, 2.0, 9.0, 2.0, 2.0, 9.0, 2.0]])       # xmax < xmin would be refused for (N, 4)
    drawn = utils.draw_bounding_boxes(image, flipped, colors=(255, 255, 255))[0]
    assert drawn[2, 2:10].tolist() == [255] * 8                                  # a solid edge
    assert drawn[9, 2:10].tolist() == [255, 0] + [255] * 6       # the dashed first edge (9, 9) -> (2, 9), then x = 2
    assert int(drawn[3:9, 3:9].sum()) == 0                                       # no fill inside


def test_rotated_boxes_need_pillow(monkeypatch):
    for name in [n for n in sys.modules if n == "PIL" or n.startswith("PIL.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match="Pillow"):
        utils.draw_bounding_boxes(ember.zeros(3, 5, 5, dtype=ember.uint8), ember.tensor([[0, 0, 3, 0, 3, 3, 0, 3]]),
                                  colors=(1, 2, 3))


@pytest.mark.parametrize("shape, kind", [
    ((), IndexError), ((4,), IndexError), ((1, 2), TypeError), ((1, 3), ValueError), ((1, 5), IndexError),
    ((1, 7), IndexError), ((2, 4, 2), TypeError), ((1, 0), TypeError), ((1, 1), ValueError),
], ids=str)
def test_box_shapes_torchvision_cannot_draw(shape, kind):
    with pytest.raises(kind, match="boxes must be"):
        utils.draw_bounding_boxes(ember.zeros(3, 6, 6, dtype=ember.uint8), ember.ones(shape), colors=(1, 2, 3))


def test_empty_rotated_boxes_and_font_size_warnings():
    image = ember.zeros(3, 4, 4, dtype=ember.uint8)
    with pytest.warns(UserWarning, match="No box was drawn"):
        assert utils.draw_bounding_boxes(image, ember.zeros(0, 8)) is image
    with pytest.warns(UserWarning, match="font_size"):
        utils.draw_bounding_boxes(image, ember.tensor([[0, 0, 2, 2]]), colors=(1, 2, 3), font_size=12)


MASK_CASES = {
    "default": lambda img, masks: utils.draw_segmentation_masks(img, masks),
    "alpha_colors": lambda img, masks: utils.draw_segmentation_masks(img, masks, alpha=0.3,
                                                                     colors=["red", (0, 255, 0), "#123456"]),
    "single": lambda img, masks: utils.draw_segmentation_masks(img, masks[0], alpha=0.5, colors="green"),
    "float": lambda img, masks: utils.draw_segmentation_masks(img.float() / 255, masks, alpha=0.6),
}


@pytest.mark.parametrize("case", sorted(MASK_CASES))
def test_draw_segmentation_masks_matches_torchvision(golden, case):
    if case in ("alpha_colors", "single"):
        pytest.importorskip("PIL")                  # colour names
    image, masks = tensor(golden["boxes/input_image"]), tensor(golden["masks/input_masks"])
    assert_golden(MASK_CASES[case](image, masks), golden[f"masks/{case}"])


KEYPOINT_CASES = {
    "default": lambda img, kp, vis: utils.draw_keypoints(img, kp),
    "connect": lambda img, kp, vis: utils.draw_keypoints(img, kp, connectivity=[(0, 1), (1, 2)], colors="red",
                                                         radius=1, width=2),
    "visibility": lambda img, kp, vis: utils.draw_keypoints(img, kp, connectivity=[(0, 2), (1, 2)],
                                                            colors=(0, 0, 255), visibility=vis),
    "float": lambda img, kp, vis: utils.draw_keypoints(img.float() / 255, kp, colors="yellow", radius=3),
}


@pytest.mark.parametrize("case", sorted(KEYPOINT_CASES))
def test_draw_keypoints_matches_torchvision(golden, case):
    pytest.importorskip("PIL")
    image = tensor(golden["boxes/input_image"])
    keypoints, visibility = tensor(golden["keypoints/input_keypoints"]), tensor(golden["keypoints/input_visibility"])
    assert_golden(KEYPOINT_CASES[case](image, keypoints, visibility), golden[f"keypoints/{case}"])


def test_flow_to_image_matches_torchvision(golden):
    flow = tensor(golden["flow/input_flow"])
    assert_golden(utils.flow_to_image(flow), golden["flow/batch"])
    assert_golden(utils.flow_to_image(flow[1]), golden["flow/single"])


def test_save_image_png_matches_torchvision_pixels(golden, tmp_path):
    batch = tensor(golden["grid/input_batch"]).sigmoid()
    expected = decode_png(tensor(golden["save/png"])).numpy()
    buffer = io.BytesIO()
    utils.save_image(batch, buffer, format="png", nrow=2)
    np.testing.assert_array_equal(decode_png(tensor(np.frombuffer(buffer.getvalue(), np.uint8))).numpy(), expected)
    path = tmp_path / "grid.png"
    utils.save_image(batch, path, nrow=2)
    np.testing.assert_array_equal(read_image(str(path)).numpy(), expected)


# ---------------------------------------------------------------- behaviour beyond the goldens


def test_make_grid_keeps_dtype_and_input():
    images = ember.arange(2 * 3 * 2 * 2, dtype=ember.uint8).reshape(2, 3, 2, 2)
    grid = utils.make_grid(images, padding=1, pad_value=7)
    assert grid.dtype == ember.uint8 and tuple(grid.shape) == (3, 4, 7)
    assert grid[0, 0, 0].item() == 7
    floats = ember.randn(3, 3, 4, 4)
    before = floats.clone()
    utils.make_grid(floats, normalize=True)
    assert ember.equal(floats, before)               # normalize never changes the caller's tensor


def test_save_image_works_without_pillow(monkeypatch, tmp_path):
    for name in [n for n in sys.modules if n == "PIL" or n.startswith("PIL.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "PIL", None)
    path = tmp_path / "plain.png"
    images = ember.rand(3, 1, 4, 5)
    utils.save_image(images, str(path), nrow=3, padding=0)
    saved = read_image(str(path)).numpy()
    expected = np.clip(images.numpy()[:, 0] * 255 + 0.5, 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(saved[0], np.concatenate(list(expected), axis=1))
    with pytest.raises(ImportError, match=r'pip install "ember\[vision\]"'):
        utils.save_image(images, str(tmp_path / "a.jpg"))
    with pytest.raises(ImportError, match="Pillow"):
        utils.draw_bounding_boxes(ember.zeros(3, 5, 5, dtype=ember.uint8), ember.tensor([[0, 0, 2, 2]]),
                                  colors="red")


def test_save_image_other_formats_through_pillow(tmp_path):
    Image = pytest.importorskip("PIL.Image")
    path = tmp_path / "grid.jpg"
    utils.save_image(ember.full((3, 8, 8), 0.5), str(path))
    assert Image.open(path).format == "JPEG"
    with pytest.raises(ValueError, match="format"):
        utils.save_image(ember.rand(3, 4, 4), io.BytesIO())


def test_fill_blends_like_pillow():
    ImageDraw = pytest.importorskip("PIL.ImageDraw")
    Image = pytest.importorskip("PIL.Image")
    pixels = np.random.default_rng(0).integers(0, 256, (12, 14, 3)).astype(np.uint8)
    boxes = [[2, 1, 9, 10], [-3, 4, 20, 6]]
    picture = Image.fromarray(pixels)
    draw = ImageDraw.Draw(picture, "RGBA")
    for box in boxes:
        draw.rectangle(box, outline=(10, 200, 30), fill=(10, 200, 30, 100), width=2)
    result = utils.draw_bounding_boxes(tensor(pixels.transpose(2, 0, 1)), ember.tensor(boxes), colors=(10, 200, 30),
                                       fill=True, width=2)
    np.testing.assert_array_equal(result.numpy().transpose(1, 2, 0), np.asarray(picture))


def test_empty_inputs_warn_and_return_the_image():
    image = ember.zeros(3, 4, 4, dtype=ember.uint8)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert utils.draw_bounding_boxes(image, ember.zeros(0, 4)) is image
        assert utils.draw_segmentation_masks(image, ember.zeros(0, 4, 4, dtype=ember.bool)) is image
    assert len(caught) == 2


def test_bad_inputs_raise_torchvision_errors():
    image = ember.zeros(3, 6, 6, dtype=ember.uint8)
    box = ember.tensor([[0, 0, 3, 3]])
    mask = ember.zeros(1, 6, 6, dtype=ember.bool)
    points = ember.zeros(1, 2, 2)
    cases = [
        (lambda: utils.make_grid("images"), TypeError, "tensor or list of tensors"),
        (lambda: utils.make_grid([image, "x"]), TypeError, "list containing"),
        (lambda: utils.make_grid(ember.rand(2, 3, 4, 4), normalize=True, value_range=[0, 1]), TypeError, "tuple"),
        (lambda: utils.draw_bounding_boxes(image.numpy(), box), TypeError, "tensor"),
        (lambda: utils.draw_bounding_boxes(image.int(), box), ValueError, "uint8 or float"),
        (lambda: utils.draw_bounding_boxes(image[None], box), ValueError, "not batches"),
        (lambda: utils.draw_bounding_boxes(ember.zeros(2, 6, 6, dtype=ember.uint8), box), ValueError, "grayscale"),
        (lambda: utils.draw_bounding_boxes(image, ember.tensor([[4, 0, 3, 3]])), ValueError, "xmin, ymin"),
        (lambda: utils.draw_bounding_boxes(image, ember.tensor([[0, 4, 3, 3]])), ValueError, "xmin, ymin"),
        (lambda: utils.draw_bounding_boxes(image, box, labels=["a", "b"]), ValueError, "mismatch"),
        (lambda: utils.draw_bounding_boxes(image, box.repeat(2, 1), colors=[(1, 2, 3)]), ValueError, "colors"),
        (lambda: utils.draw_bounding_boxes(image, box, colors=(1, 2)), ValueError, "RGB triplet"),
        (lambda: utils.draw_bounding_boxes(image, box, colors=5), ValueError, "colors must be"),
        (lambda: utils.draw_segmentation_masks(image[:1], mask), ValueError, "RGB image"),
        (lambda: utils.draw_segmentation_masks(image, mask.int()), ValueError, "dtype bool"),
        (lambda: utils.draw_segmentation_masks(image, ember.zeros(1, 1, 6, 6, dtype=ember.bool)), ValueError,
         "shape"),
        (lambda: utils.draw_segmentation_masks(image, ember.zeros(1, 5, 6, dtype=ember.bool)), ValueError,
         "same height and width"),
        (lambda: utils.draw_keypoints(image, points[0]), ValueError, "num_instances, K, 2"),
        (lambda: utils.draw_keypoints(image, points, visibility=ember.ones(1, 3, dtype=ember.bool)), ValueError,
         "same dimensionality"),
        (lambda: utils.flow_to_image(ember.zeros(2, 3, 3, dtype=ember.float64)), ValueError, "torch.float"),
        (lambda: utils.flow_to_image(ember.zeros(3, 3, 3)), ValueError, r"\(2, H, W\)"),
    ]
    for call, kind, message in cases:
        with pytest.raises(kind, match=message):
            call()
