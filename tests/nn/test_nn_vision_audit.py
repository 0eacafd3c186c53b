"""Audit of issue 4's convolution and pooling list: every option with parity (values and gradients) and
finite differences, where tests/nn/test_nn_conv.py and test_nn_pooling.py leave a gap, plus the layouts
the fast paths of ember/ops/conv.py, pooling.py and normalization.py take (float32 W4/W5 shapes)."""

import numpy as np
import pytest
from helpers import check_grad, noncontiguous, parity, randn, same_error, torch

import ember


def F(m):
    return m.nn.functional


# ----------------------------------------------------------------------------- convolution

@pytest.mark.parametrize("fn, xs, ws, kw", [
    ("conv1d", (2, 4, 9), (4, 1, 3), dict(groups=4, padding="same", dilation=2)),        # depthwise 1-d
    ("conv1d", (2, 2, 9), (3, 2, 2), dict(stride=2, padding=1, dilation=3)),
    ("conv2d", (2, 3, 7, 6), (3, 1, 3, 3), dict(groups=3, stride=2, padding=1)),        # depthwise, strided
    ("conv2d", (2, 4, 6, 7), (8, 2, 3, 2), dict(groups=2, padding="valid", dilation=(2, 1))),
    ("conv2d", (2, 1, 6, 6), (4, 1, 3, 3), dict(padding=1)),                             # 1-channel first layer
    ("conv3d", (1, 2, 4, 5, 4), (2, 1, 3, 2, 3), dict(groups=2, padding="same", dilation=(1, 2, 1))),
    ("conv3d", (1, 2, 5, 4, 4), (3, 2, 2, 2, 2), dict(stride=2, padding=(1, 0, 1))),
])
def test_conv_options_grad(fn, xs, ws, kw):
    parity(lambda m, x, w, b: getattr(F(m), fn)(x, w, b, **kw), randn(*xs), randn(*ws), randn(ws[0]))
    check_grad(lambda x, w, b: getattr(ember, fn)(x, w, b, **kw), randn(*xs), randn(*ws), randn(ws[0]))


@pytest.mark.parametrize("fn, xs, ws, kw", [
    ("conv_transpose1d", (2, 4, 5), (4, 2, 3), dict(stride=2, output_padding=1, groups=2, dilation=2)),
    ("conv_transpose2d", (2, 4, 3, 4), (4, 1, 3, 2), dict(stride=(2, 3), padding=1, output_padding=(1, 2),
                                                          groups=4)),
    ("conv_transpose2d", (1, 2, 3, 3), (2, 3, 2, 2), dict(dilation=2, output_padding=1, padding=1)),
    ("conv_transpose3d", (1, 2, 2, 3, 2), (2, 2, 2, 2, 2), dict(stride=2, output_padding=1, groups=2)),
])
def test_conv_transpose_options_grad(fn, xs, ws, kw):
    out_channels = ws[1] * kw.get("groups", 1)
    parity(lambda m, x, w, b: getattr(F(m), fn)(x, w, b, **kw), randn(*xs), randn(*ws), randn(out_channels))
    check_grad(lambda x, w, b: getattr(ember, fn)(x, w, b, **kw), randn(*xs), randn(*ws), randn(out_channels))


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("d", [1, 2, 3])
def test_conv_module_padding_mode_grad(mode, d):
    size = (5, 4, 6)[:d]
    kernel = (3, 2, 3)[:d]
    padding = (1, 2, 1)[:d]

    def fn(m, x, w, b):
        layer = getattr(m.nn, f"Conv{d}d")(2, 3, kernel, padding=padding, padding_mode=mode, stride=2,
                                           dtype=m.float64)
        with m.no_grad():
            layer.weight.copy_(w)
            layer.bias.copy_(b)
        return layer._conv_forward(x, w, b)
    parity(fn, randn(2, 2, *size), randn(3, 2, *kernel), randn(3))
    layer = getattr(ember.nn, f"Conv{d}d")(2, 3, kernel, padding=padding, padding_mode=mode, stride=2,
                                           dtype=ember.float64)
    check_grad(lambda x, w, b: layer._conv_forward(x, w, b), randn(1, 2, *size), randn(3, 2, *kernel), randn(3))


def test_conv_module_gradients_reach_parameters():
    torch.manual_seed(0)
    t_layer = torch.nn.Conv2d(3, 4, 3, padding=1, padding_mode="reflect", groups=1).double()
    e_layer = ember.nn.Conv2d(3, 4, 3, padding=1, padding_mode="reflect", dtype=ember.float64)
    e_layer.load_state_dict({k: ember.from_numpy(v.numpy()) for k, v in t_layer.state_dict().items()})
    x = randn(2, 3, 5, 5)
    t_layer(torch.from_numpy(x)).square().sum().backward()
    e_layer(ember.from_numpy(x)).square().sum().backward()
    for name, t_param in t_layer.named_parameters():
        np.testing.assert_allclose(dict(e_layer.named_parameters())[name].grad.numpy(), t_param.grad.numpy(),
                                   rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("xs, ws, kw", [
    ((8, 1, 28, 28), (32, 1, 3, 3), dict(padding=1)),
    ((8, 32, 14, 14), (64, 32, 3, 3), dict(padding=1)),
    ((4, 64, 8, 8), (128, 64, 3, 3), dict(stride=2, padding=1)),
    ((4, 64, 8, 8), (128, 64, 1, 1), dict(stride=2)),
    ((4, 3, 32, 32), (16, 3, 3, 3), dict(padding=1)),
    ((4, 32, 4, 4), (16, 32, 3, 3), dict(padding=1)),            # small images: no junk columns
    ((2, 8, 5, 3), (4, 8, 3, 3), dict(padding=(1, 2), dilation=(1, 2))),
])
def test_conv_float32_network_shapes(xs, ws, kw):
    """The float32 layer shapes of W4 and W5, with noncontiguous inputs (the fast paths' layouts)."""
    x, w, b = randn(*xs, dtype=np.float32), randn(*ws, dtype=np.float32), randn(ws[0], dtype=np.float32)
    parity(lambda m, x, w, b: m.conv2d(x, w, b, **kw), x, w, b, rtol=1e-4, atol=1e-4)
    parity(lambda m, x, w: m.conv2d(x, w, **kw), noncontiguous(x), w, rtol=1e-4, atol=1e-4)


# ----------------------------------------------------------------------------- pooling

@pytest.mark.parametrize("d, kw", [
    (1, dict(kernel_size=3, stride=2, padding=1, dilation=2, ceil_mode=True)),
    (2, dict(kernel_size=2, ceil_mode=True)),
    (2, dict(kernel_size=(2, 3), stride=1, dilation=(2, 1))),
    (3, dict(kernel_size=2, stride=1, dilation=(1, 2, 1), padding=1)),
    (3, dict(kernel_size=(2, 2, 3), stride=2, ceil_mode=True)),
])
def test_max_pool_options_grad(d, kw):
    shape = (2, 3) + (7, 6, 5)[:d]
    fn = f"max_pool{d}d"
    parity(lambda m, x: getattr(F(m), fn)(x, return_indices=True, **kw), randn(*shape))
    check_grad(lambda x: getattr(F(ember), fn)(x, **kw), randn(*shape), second_order=False)


@pytest.mark.parametrize("d, kw", [
    (1, dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
    (2, dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, divisor_override=2)),
    (3, dict(kernel_size=2, ceil_mode=True, count_include_pad=False)),
    (3, dict(kernel_size=3, stride=2, padding=1)),
])
def test_avg_pool_options_grad(d, kw):
    shape = (2, 2) + (7, 6, 5)[:d]
    fn = f"avg_pool{d}d"
    parity(lambda m, x: getattr(F(m), fn)(x, **kw), randn(*shape))
    check_grad(lambda x: getattr(F(ember), fn)(x, **kw), randn(*shape))


@pytest.mark.parametrize("d, size", [(1, 4), (1, 7), (2, (3, 5)), (2, (None, 2))])
def test_adaptive_pool_grad(d, size):
    shape = (2, 3) + (7, 6)[:d]
    parity(lambda m, x: getattr(F(m), f"adaptive_avg_pool{d}d")(x, size), randn(*shape))
    parity(lambda m, x: getattr(F(m), f"adaptive_max_pool{d}d")(x, size, return_indices=True), randn(*shape))
    check_grad(lambda x: getattr(F(ember), f"adaptive_avg_pool{d}d")(x, size), randn(*shape))
    check_grad(lambda x: getattr(F(ember), f"adaptive_max_pool{d}d")(x, size), randn(*shape), second_order=False)


def test_max_unpool2d_and_lp_pool2d_grad():
    def unpool(m, x, v):
        _, indices = F(m).max_pool2d(x, 3, 2, 1, return_indices=True)
        return F(m).max_unpool2d(v, indices, 3, 2, 1, output_size=x.shape[-2:])
    x = randn(2, 3, 7, 6)
    parity(unpool, x, randn(2, 3, 4, 3))
    parity(lambda m, x: F(m).lp_pool2d(x, 2.0, (2, 3), stride=(1, 2), ceil_mode=True), np.abs(randn(2, 3, 7, 6)) + 0.5)
    check_grad(lambda x: F(ember).lp_pool2d(x, 3, 2), np.abs(randn(1, 2, 4, 5)) + 0.5)


def test_max_pool_float32_relu_ties():
    """W4's pooling: float32 after ReLU, so many windows are all zeros; gradient goes to the first maximum."""
    x = np.maximum(randn(4, 8, 28, 28, dtype=np.float32), 0)
    x[:, :, :4] = 0.0
    parity(lambda m, x: F(m).max_pool2d(x, 2, return_indices=True), x)
    parity(lambda m, x: F(m).max_pool2d(x, 2), noncontiguous(x))
    parity(lambda m, x: F(m).max_pool2d(x, 3, 2, 1), x)
    x[0, 0, 0, :2] = np.nan
    x[0, 1, 1, 2:4] = np.nan
    parity(lambda m, x: F(m).max_pool2d(x, 2, return_indices=True), x)
    parity(lambda m, x: F(m).max_pool2d(x, 2), x)


@pytest.mark.parametrize("d, kw, shape", [
    (1, dict(kernel_size=3), (2, 3, 10)),
    (2, dict(kernel_size=(2, 3)), (2, 3, 7, 9)),
    (2, dict(kernel_size=2, stride=2, ceil_mode=True), (2, 3, 6, 8)),
    (3, dict(kernel_size=2), (1, 2, 4, 5, 6)),
])
def test_max_pool_tiled_without_indices(d, kw, shape):
    """Windows that tile the input (kernel == stride) take a path without int64 indices: values, gradients
    of both orders, and integer inputs."""
    fn = f"max_pool{d}d"
    parity(lambda m, x: getattr(F(m), fn)(x, **kw), randn(*shape))
    parity(lambda m, x: getattr(F(m), fn)(x, **kw), noncontiguous(randn(*shape)))
    integers = np.random.default_rng(0).integers(-3, 3, shape)
    if d == 1:      # (PyTorch has no integer max_pool1d without indices)
        same_error(lambda m, x: getattr(F(m), fn)(x, **kw), integers)
        same_error(lambda m, x: m.max_pool1d(x, 2), integers.astype(np.uint8))
    else:
        parity(lambda m, x: getattr(F(m), fn)(x, **kw), integers)
    check_grad(lambda x: getattr(F(ember), fn)(x, **kw), randn(*shape[:2], *(4,) * d) + np.arange(4.0 ** d
                                                                                                  ).reshape((4,) * d))


def test_max_pool_module_second_use():
    """The pooled output used twice in the graph: its gradients add up before the scatter."""
    def fn(m, x):
        y = m.nn.MaxPool2d(2)(x)
        return y * y
    parity(fn, randn(2, 3, 6, 6))


# ----------------------------------------------------------------------------- batch norm, relu

@pytest.mark.parametrize("shape", [(8, 16, 6, 6), (4, 3, 5)])
def test_batch_norm_float32_training_grad(shape):
    x = randn(*shape, dtype=np.float32) * 3 + 1
    c = shape[1]

    def fn(m, x, w, b):
        mean, var = m.zeros(c), m.ones(c)
        y = F(m).batch_norm(x, mean, var, w, b, training=True, momentum=0.1)
        return y, mean, var
    parity(fn, x, randn(c, dtype=np.float32), randn(c, dtype=np.float32), rtol=1e-4, atol=1e-4)


def test_relu_after_conv_grad():
    parity(lambda m, x, w: m.relu(m.conv2d(x, w, padding=1)), randn(2, 3, 6, 6, dtype=np.float32),
           randn(4, 3, 3, 3, dtype=np.float32), rtol=1e-4, atol=1e-5)


# ----------------------------------------------------------------------------- unfold / fold

@pytest.mark.parametrize("kw", [dict(kernel_size=(2, 3), dilation=(2, 1), padding=(1, 0), stride=(1, 2)),
                                dict(kernel_size=3, stride=2, padding=1)])
def test_unfold_fold_options_grad(kw):
    x = randn(2, 3, 7, 6)
    parity(lambda m, x: F(m).unfold(x, **kw), x)
    cols = torch.nn.functional.unfold(torch.from_numpy(x), **kw).numpy()
    parity(lambda m, c: F(m).fold(c, (7, 6), **kw), cols)
    check_grad(lambda x: F(ember).unfold(x, **kw), randn(1, 2, 7, 6))
    check_grad(lambda c: F(ember).fold(c, (7, 6), **kw), randn(*cols[:1, :2 * cols.shape[1] // 3].shape))


@pytest.mark.parametrize("d", [1, 2, 3])
def test_adaptive_avg_pool_of_integers_is_not_implemented_as_in_torch(d):
    # interpolate(mode="area") reaches the same kernel, so it reports the same error
    x = np.ones((1, 1) + (4,) * d, dtype=np.int64)
    same_error(lambda m, t: getattr(m.nn.functional, f"adaptive_avg_pool{d}d")(t, 2), x, match="not implemented")
    same_error(lambda m, t: m.nn.functional.interpolate(t, size=2, mode="area"), x, match="not implemented")
