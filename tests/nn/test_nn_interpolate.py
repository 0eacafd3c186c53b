"""F.interpolate in every mode, the deprecated F.upsample* names and the Upsample layers, against PyTorch."""

import warnings

import numpy as np
import pytest
from helpers import check_grad, noncontiguous, parity, randint, randn, requires_torch, same_error, torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember

SPATIAL = {1: (5,), 2: (5, 7), 3: (4, 5, 3)}

# Ways of asking for an output size; the float factors make the source step (1/scale) differ from
# in/out, 1.1 keeps some sizes unchanged (PyTorch then indexes differently in some kernels).
SIZINGS = [
    {"size": 3}, {"size": 9}, {"size": (1, 8, 6)}, {"scale_factor": 2}, {"scale_factor": 0.5},
    {"scale_factor": 1.7}, {"scale_factor": 1.1}, {"scale_factor": (2.3, 0.6, 1.3)},
    {"scale_factor": 1.7, "recompute_scale_factor": True}, {"scale_factor": 0.7, "recompute_scale_factor": False},
]

MODES = {1: ["nearest", "nearest-exact", "linear", "area"],
         2: ["nearest", "nearest-exact", "bilinear", "bicubic", "area"],
         3: ["nearest", "nearest-exact", "trilinear", "area"]}

CASES = [(d, mode, ac) for d, modes in MODES.items() for mode in modes
         for ac in ([None] if mode in ("nearest", "nearest-exact", "area") else [False, True])]


def _fit(sizing, d):
    """A sizing with its tuples cut to ``d`` spatial dims."""
    return {k: v[:d] if isinstance(v, tuple) else v for k, v in sizing.items()}


def _interp(**kwargs):
    return lambda m, t: m.nn.functional.interpolate(t, **kwargs)


@requires_torch
@pytest.mark.parametrize("d,mode,align_corners", CASES)
def test_every_mode_size_and_scale_matches_torch(d, mode, align_corners):
    x = randn(2, 3, *SPATIAL[d])
    for sizing in SIZINGS:
        kwargs = dict(mode=mode, align_corners=align_corners, **_fit(sizing, d))
        parity(_interp(**kwargs), x, rtol=1e-6, atol=1e-9)


@requires_torch
@pytest.mark.parametrize("d,mode,align_corners", CASES)
def test_float32_and_noncontiguous_input(d, mode, align_corners):
    x = randn(2, 3, *SPATIAL[d], dtype=np.float32)
    parity(_interp(mode=mode, align_corners=align_corners, scale_factor=1.7), x, atol=1e-5)
    parity(_interp(mode=mode, align_corners=align_corners, size=4), noncontiguous(x), atol=1e-5)


@requires_torch
@pytest.mark.parametrize("mode", ["bilinear", "bicubic", "lanczos"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_antialias_down_and_up_scaling(mode, align_corners):
    if mode == "lanczos" and align_corners:
        return
    x = randn(2, 3, 23, 17)
    for sizing in [{"size": (7, 5)}, {"size": (10, 16)}, {"size": (40, 30)}, {"scale_factor": 0.37},
                   {"scale_factor": (0.45, 1.6)}, {"scale_factor": (1.1, 0.5)}, {"scale_factor": 1.3},
                   {"scale_factor": 0.3, "recompute_scale_factor": True}]:
        parity(_interp(mode=mode, antialias=True, align_corners=align_corners, **sizing), x, rtol=1e-6, atol=1e-9)
    parity(_interp(mode=mode, antialias=True, size=(9, 6)), randn(1, 2, 31, 29, dtype=np.float32), atol=1e-5)


@requires_torch
@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_antialias_resize_of_a_large_image_uses_the_banded_path(mode):
    x = randn(1, 3, 300, 200, dtype=np.float32)
    parity(_interp(mode=mode, antialias=True, size=(37, 19)), x, atol=1e-5)


@requires_torch
@pytest.mark.parametrize("mode,antialias", [("nearest", False), ("nearest-exact", False), ("bilinear", False),
                                            ("bilinear", True), ("bicubic", False), ("bicubic", True),
                                            ("lanczos", True)])
@pytest.mark.parametrize("channels", [3, 6])
def test_uint8_resize_is_bit_exact(mode, antialias, channels):
    x = randint(0, 256, 2, channels, 13, 17, dtype=np.uint8)
    corners = [None] if mode.startswith("nearest") or mode == "lanczos" else [False, True]
    for align_corners in corners:
        for sizing in [{"size": (7, 9)}, {"size": (40, 50)}, {"size": (13, 30)}, {"scale_factor": 0.37},
                       {"scale_factor": 1.6}, {"scale_factor": (1.1, 0.5)}]:
            kwargs = dict(mode=mode, antialias=antialias, **sizing)
            if align_corners is not None:
                kwargs["align_corners"] = align_corners
            parity(_interp(**kwargs), x, grad=False)


@requires_torch
def test_uint8_nearest_in_1d_and_3d():
    parity(_interp(size=7), randint(0, 256, 2, 3, 5, dtype=np.uint8), grad=False)
    parity(_interp(scale_factor=1.5, mode="nearest-exact"), randint(0, 256, 1, 2, 3, 4, 5, dtype=np.uint8),
           grad=False)


@requires_torch
@pytest.mark.parametrize("d,mode,align_corners", CASES)
def test_zero_size_batch(d, mode, align_corners):
    x = randn(0, 3, *SPATIAL[d])
    out = parity(_interp(mode=mode, align_corners=align_corners, size=4), x, grad=False)
    assert out.shape == (0, 3) + (4,) * d


@pytest.mark.parametrize("d,mode,align_corners", CASES)
def test_gradients_by_finite_differences(d, mode, align_corners):
    x = randn(1, 2, *[3, 4, 2][:d])
    check_grad(lambda t: ember.nn.functional.interpolate(t, scale_factor=1.7, mode=mode,
                                                         align_corners=align_corners), x)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_antialias_gradients_by_finite_differences(mode):
    x = randn(1, 1, 7, 5)
    check_grad(lambda t: ember.nn.functional.interpolate(t, size=(3, 4), mode=mode, antialias=True), x)


@requires_torch
@settings(max_examples=25, deadline=None)
@given(h=st.integers(1, 9), w=st.integers(1, 9), oh=st.integers(1, 12), ow=st.integers(1, 12),
       mode=st.sampled_from(["nearest", "nearest-exact", "bilinear", "bicubic", "area"]),
       align_corners=st.booleans(), antialias=st.booleans())
def test_random_sizes_match_torch(h, w, oh, ow, mode, align_corners, antialias):
    kwargs = dict(size=(oh, ow), mode=mode)
    if mode in ("bilinear", "bicubic"):
        antialias = antialias and ow != 1    # see test_antialias_of_a_one_pixel_wide_image
        kwargs.update(align_corners=align_corners, antialias=antialias)
    parity(_interp(**kwargs), randn(1, 2, h, w), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_antialias_of_a_one_pixel_wide_image(mode):
    """PyTorch 2.13's float kernel repeats the first output row when the output is one pixel wide (its uint8 kernel
    does not); ember resizes such an image like any column of a wider one."""
    column = randn(1, 2, 7, 1)
    wide = np.concatenate([column, column], axis=3)
    resize = ember.nn.functional.interpolate
    narrow_out = resize(ember.tensor(column), size=(3, 1), mode=mode, antialias=True)
    wide_out = resize(ember.tensor(wide), size=(3, 2), mode=mode, antialias=True)
    np.testing.assert_allclose(narrow_out.numpy()[..., 0], wide_out.numpy()[..., 0], rtol=1e-12)


@requires_torch
@pytest.mark.parametrize("case", [
    lambda m, x: m.nn.functional.interpolate(x, size=3, scale_factor=2),
    lambda m, x: m.nn.functional.interpolate(x),
    lambda m, x: m.nn.functional.interpolate(x, size=3, align_corners=True),
    lambda m, x: m.nn.functional.interpolate(x, size=3, mode="area", align_corners=False),
    lambda m, x: m.nn.functional.interpolate(x, size=3, mode="cubic"),
    lambda m, x: m.nn.functional.interpolate(x[0, 0], size=3),
    lambda m, x: m.nn.functional.interpolate(x[None, None], size=3),
    lambda m, x: m.nn.functional.interpolate(x, size=3, mode="linear"),
    lambda m, x: m.nn.functional.interpolate(x, size=3, mode="trilinear"),
    lambda m, x: m.nn.functional.interpolate(x[0], size=3, mode="bilinear"),
    lambda m, x: m.nn.functional.interpolate(x[None], size=3, mode="bicubic"),
    lambda m, x: m.nn.functional.interpolate(x, size=(3,)),
    lambda m, x: m.nn.functional.interpolate(x, size=(3.0, 2)),
    lambda m, x: m.nn.functional.interpolate(x, scale_factor=(2.0, 1.0, 3.0)),
    lambda m, x: m.nn.functional.interpolate(x, size=3, recompute_scale_factor=True),
    lambda m, x: m.nn.functional.interpolate(x, size=3, antialias=True),
    lambda m, x: m.nn.functional.interpolate(x[0], size=3, mode="linear", antialias=True),
    lambda m, x: m.nn.functional.interpolate(x, size=0),
    lambda m, x: m.nn.functional.interpolate(x, scale_factor=0.1, mode="bilinear"),
    lambda m, x: m.nn.functional.interpolate(x, scale_factor=-2.0),
    lambda m, x: m.nn.functional.interpolate(x[:, :0], size=2),
    lambda m, x: m.nn.functional.interpolate(x[:, :, :0], size=2, mode="bicubic"),
    lambda m, x: m.nn.functional.interpolate(x.long(), size=2),
    lambda m, x: m.nn.functional.interpolate(x.to(m.uint8)[0], size=2, mode="linear"),
    lambda m, x: m.nn.functional.interpolate(x.to(m.uint8), size=2, mode="area"),
    lambda m, x: m.nn.functional.interpolate(x.int(), size=2, mode="bicubic", antialias=True),
    lambda m, x: m.nn.functional.interpolate(x, size=2, mode="lanczos"),
    lambda m, x: m.nn.functional.interpolate(x, size=2, mode="lanczos", antialias=True, align_corners=True),
])
def test_bad_arguments_raise_like_torch(case):
    same_error(case, randn(2, 3, 5, 7))


@requires_torch
def test_error_messages_name_the_sizes():
    err = same_error(lambda m, x: m.nn.functional.interpolate(x, size=0, mode="linear"), randn(1, 1, 4))
    assert str(err) == "Input and output sizes should be greater than 0, but got input (W: 4) and output (W: 0)"
    err = same_error(lambda m, x: m.nn.functional.interpolate(x, size=2, mode="bilinear"), randn(1, 0, 3, 3))
    assert str(err) == "Non-empty 4D data tensor expected but got a tensor with sizes [1, 0, 3, 3]"


@requires_torch
@pytest.mark.parametrize("name,kwargs", [("upsample", {"size": 4}), ("upsample", {"size": 4, "mode": "bilinear"}),
                                         ("upsample_nearest", {"scale_factor": 2}),
                                         ("upsample_bilinear", {"size": (3, 9)})])
def test_deprecated_upsample_functions_warn_and_interpolate(name, kwargs):
    x = randn(1, 2, 3, 5)
    with pytest.warns(UserWarning, match=f"nn.functional.{name}` is deprecated"):
        parity(lambda m, t: getattr(m.nn.functional, name)(t, **kwargs), x)


@requires_torch
@pytest.mark.parametrize("make", [
    lambda m: m.nn.Upsample(scale_factor=2),
    lambda m: m.nn.Upsample(size=(3, 8), mode="bilinear", align_corners=True),
    lambda m: m.nn.Upsample(scale_factor=(1.5, 2), mode="bicubic"),
    lambda m: m.nn.Upsample(scale_factor=1.7, mode="nearest-exact", recompute_scale_factor=True),
    lambda m: m.nn.UpsamplingNearest2d(size=6),
    lambda m: m.nn.UpsamplingBilinear2d(scale_factor=2),
])
def test_upsample_layers_match_torch_and_print_alike(make):
    parity(lambda m, t: make(m)(t), randn(2, 3, 4, 5))
    assert repr(make(ember)) == repr(make(torch))
    layer = make(ember)
    assert (layer.mode, layer.align_corners, layer.recompute_scale_factor, layer.scale_factor, layer.size) == \
        tuple(getattr(make(torch), k) for k in ("mode", "align_corners", "recompute_scale_factor",
                                                 "scale_factor", "size"))


def test_interpolate_does_not_alias_its_input():
    x = ember.arange(6.0).reshape(1, 1, 2, 3)
    for mode in ("nearest", "bilinear", "area"):
        y = ember.nn.functional.interpolate(x, size=(2, 3), mode=mode)
        y.add_(1)
        assert x.sum().item() == 15.0


def test_no_warning_for_ordinary_calls():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.nn.functional.interpolate(ember.ones(1, 1, 2, 2), scale_factor=2, mode="bilinear")
