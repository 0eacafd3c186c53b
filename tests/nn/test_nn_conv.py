"""Convolutions (ember.conv*d, conv_transpose*d, F.unfold/fold, nn.Conv*/ConvTranspose*/Unfold/Fold) against PyTorch."""

import numpy as np
import pytest
from helpers import check_grad, noncontiguous, parity, randn, same_error, torch

import ember

CONV_CASES = [  # input shape, weight shape, keyword arguments
    ((2, 4, 7, 6), (6, 4, 3, 2), {}),
    ((2, 4, 7, 6), (6, 2, 3, 3), dict(groups=2, stride=2, padding=1)),
    ((4, 7, 6), (6, 4, 3, 3), dict(padding="same", dilation=2)),
    ((2, 4, 7, 6), (6, 4, 2, 2), dict(padding="same")),
    ((2, 4, 7, 6), (4, 1, 3, 3), dict(groups=4, padding=(1, 0))),          # depthwise
    ((2, 3, 8, 9), (5, 3, 3, 3), dict(stride=(2, 3), padding="valid", dilation=(1, 2))),
    ((2, 4, 9), (6, 2, 3), dict(groups=2)),
    ((4, 9), (6, 4, 4), dict(stride=2, padding=3)),
    ((2, 4, 5, 5, 5), (3, 4, 2, 2, 2), dict(stride=(1, 2, 1))),
    ((2, 2, 4, 5, 3), (3, 2, 3, 3, 1), dict(padding=1, dilation=(1, 2, 1))),
]


def _name(weight_shape, transposed=False):
    return ("conv_transpose" if transposed else "conv") + f"{len(weight_shape) - 2}d"


@pytest.mark.parametrize("xs, ws, kw", CONV_CASES)
def test_conv_parity(xs, ws, kw):
    fn = _name(ws)
    parity(lambda m, x, w, b: getattr(m, fn)(x, w, b, **kw), randn(*xs), randn(*ws), randn(ws[0]))
    parity(lambda m, x, w: getattr(m.nn.functional, fn)(x, w, **kw), randn(*xs), randn(*ws))


@pytest.mark.parametrize("xs, ws, kw", [c for c in CONV_CASES if c[2].get("padding") != "same"])
def test_conv_transpose_parity(xs, ws, kw):
    fn = _name(ws, transposed=True)
    groups = kw.get("groups", 1)
    ys = tuple(getattr(torch, _name(ws))(torch.zeros(xs), torch.zeros(ws), **kw).shape)
    extra = dict(kw, padding=0) if isinstance(kw.get("padding"), str) else kw
    parity(lambda m, x, w, b: getattr(m, fn)(x, w, b, **extra), randn(*ys), randn(*ws), randn(ws[1] * groups))


@pytest.mark.parametrize("kw", [dict(stride=2, output_padding=1), dict(stride=3, padding=2, output_padding=2,
                                                                       dilation=2, groups=2),
                                dict(stride=1, dilation=2, output_padding=1)])
def test_conv_transpose_output_padding(kw):
    parity(lambda m, x, w, b: m.conv_transpose2d(x, w, b, **kw), randn(2, 4, 3, 4), randn(4, 3, 2, 3),
           randn(3 * kw.get("groups", 1)))


@pytest.mark.parametrize("xs, ws, kw", [((3, 5, 1, 1), (5, 4, 7, 7), {}),                # DCGAN's first layer
                                         ((2, 4, 2, 3), (4, 3, 4, 4), dict(padding=1)),
                                         ((2, 4, 1, 2), (4, 2, 3, 3), dict(dilation=2, groups=2))])
def test_conv_transpose_from_input_smaller_than_the_kernel(xs, ws, kw):
    """Stride-1 transposed convolutions of inputs smaller than the kernel's span take the col2im path."""
    groups = kw.get("groups", 1)
    parity(lambda m, x, w, b: m.conv_transpose2d(x, w, b, **kw), randn(*xs), randn(*ws), randn(ws[1] * groups))
    check_grad(lambda x, w: ember.conv_transpose2d(x, w, **kw), randn(*xs[:2], *xs[2:]) * 0.5, randn(*ws) * 0.5)


def test_conv_float32_and_noncontiguous():
    x = randn(2, 3, 6, 5, dtype=np.float32)
    w = randn(4, 3, 3, 3, dtype=np.float32)
    parity(lambda m, x, w, b: m.conv2d(x, w, b, padding=1), noncontiguous(x), w, randn(4, dtype=np.float32),
           rtol=1e-4, atol=1e-5)
    parity(lambda m, x, w: m.conv_transpose2d(x, w, stride=2), x, randn(3, 2, 3, 3, dtype=np.float32),
           rtol=1e-4, atol=1e-5)


def test_conv_w4_layers():
    parity(lambda m, x, w, b: m.conv2d(x, w, b, padding=1), randn(3, 1, 28, 28, dtype=np.float32),
           randn(8, 1, 3, 3, dtype=np.float32), randn(8, dtype=np.float32), rtol=1e-4, atol=1e-5)
    parity(lambda m, x, w, b: m.conv2d(x, w, b, padding=1), randn(2, 8, 14, 14, dtype=np.float32),
           randn(6, 8, 3, 3, dtype=np.float32), randn(6, dtype=np.float32), rtol=1e-4, atol=1e-4)


# One group, at least CHANNELS_LAST_MIN input channels, small images: the columns are built channels-last.
WIDE_CASES = [
    ((3, 16, 6, 5), (5, 16, 3, 3), dict(padding=1)),
    ((2, 17, 7, 6), (4, 17, 3, 3), dict(padding=(1, 2), dilation=(1, 2))),
    ((2, 16, 4, 4), (3, 16, 2, 2), dict(padding="same")),
    ((2, 16, 7, 7), (3, 16, 4, 4), dict(stride=2, padding=1)),
    ((2, 16, 9), (3, 16, 8), dict(stride=2, padding=2)),
    ((2, 16, 4, 3, 5), (2, 16, 2, 2, 3), dict(stride=(1, 2, 1), padding=1)),
]


@pytest.fixture
def channels_last_calls(monkeypatch):
    """A list that grows by one each time channels-last columns are built (so a test knows it used them)."""
    from ember.ops import conv
    calls, im2col = [], conv.ChannelsLastPlan.im2col

    def counted(plan, *args):
        calls.append(plan)
        return im2col(plan, *args)
    monkeypatch.setattr(conv.ChannelsLastPlan, "im2col", counted)
    return calls


@pytest.mark.parametrize("xs, ws, kw", WIDE_CASES)
def test_conv_channels_last_columns(xs, ws, kw, channels_last_calls):
    fn = _name(ws)
    parity(lambda m, x, w, b: getattr(m, fn)(x, w, b, **kw), randn(*xs), randn(*ws), randn(ws[0]))
    assert channels_last_calls


@pytest.mark.parametrize("kw", [dict(padding=1), dict(dilation=2), dict(stride=2, output_padding=1)])
def test_conv_transpose_channels_last_columns(kw, channels_last_calls):
    """A stride-1 transposed convolution of 16 channels is a convolution with channels-last columns."""
    parity(lambda m, x, w, b: m.conv_transpose2d(x, w, b, **kw), randn(2, 16, 4, 5), randn(16, 3, 3, 2), randn(3))
    assert channels_last_calls or kw.get("stride", 1) > 1


@pytest.mark.parametrize("kw", [dict(padding=1), dict(padding=2, dilation=2)])
def test_conv_wide_output_gradient(kw, channels_last_calls):
    """16 output channels: the input gradient's columns (of the output gradient) are channels-last too."""
    parity(lambda m, x, w: m.conv2d(x, w, **kw), randn(2, 16, 5, 5), randn(16, 16, 3, 3))
    assert channels_last_calls


def test_conv_channels_last_in_chunks(monkeypatch, channels_last_calls):
    """Batches larger than one chunk give the same values and gradients as one chunk."""
    from ember.ops import conv
    monkeypatch.setattr(conv, "CHUNK_BYTES", 4096)
    parity(lambda m, x, w, b: m.conv2d(x, w, b, padding=1), randn(5, 16, 5, 4), randn(4, 16, 3, 3), randn(4))
    parity(lambda m, x, w: m.conv2d(x, w, padding=1), noncontiguous(randn(5, 16, 5, 4)), randn(18, 16, 3, 3))
    assert len(channels_last_calls) > 5


def test_conv_channels_last_finite_differences(channels_last_calls):
    check_grad(lambda x, w, b: ember.conv2d(x, w, b, padding=1), randn(2, 16, 3, 3), randn(2, 16, 3, 2), randn(2))
    check_grad(lambda x, w: ember.conv1d(x, w, stride=2, padding=1), randn(1, 16, 7), randn(2, 16, 8))
    assert channels_last_calls


def test_conv_zero_batch():
    parity(lambda m, x, w: m.conv2d(x, w, padding=1), randn(0, 2, 4, 4), randn(3, 2, 3, 3))


def test_convolution():
    parity(lambda m, x, w: m.convolution(x, w, None, [2, 1], [1, 0], [1, 1], False, [0, 0], 1),
           randn(2, 2, 5, 4), randn(3, 2, 3, 2))
    parity(lambda m, x, w: m.convolution(x, w, None, [2], [1], [1], True, [1], 1), randn(2, 2, 5), randn(2, 3, 3))


def test_conv_grad_finite_differences():
    check_grad(lambda x, w, b: ember.conv2d(x, w, b, stride=2, padding=1), randn(2, 2, 5, 4), randn(3, 2, 3, 2),
               randn(3))
    check_grad(lambda x, w, b: ember.conv2d(x, w, b, padding="same", groups=2), randn(1, 2, 4, 4), randn(2, 1, 2, 3),
               randn(2))
    check_grad(lambda x, w: ember.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1), randn(2, 2, 3, 3),
               randn(2, 3, 3, 2))
    check_grad(lambda x, w: ember.conv_transpose1d(x, w, dilation=2, output_padding=1), randn(2, 2, 3), randn(2, 3, 2))


def test_conv_double_backward_parity():
    def fn(m, x, w):
        y = m.conv2d(x, w, padding=1, stride=2)
        gx, gw = m.autograd.grad((y * y).sum(), (x, w), create_graph=True)
        return (gx * gx).sum() + (gw * gw).sum()
    parity(fn, randn(2, 2, 5, 5), randn(3, 2, 3, 3), rtol=1e-4)


def test_unfold_fold():
    kw = dict(dilation=(1, 2), padding=1, stride=2)
    parity(lambda m, x: m.nn.functional.unfold(x, (2, 3), **kw), randn(2, 3, 9, 8))
    parity(lambda m, x: m.nn.functional.unfold(x, 2), randn(3, 4, 4))
    parity(lambda m, x: m.nn.functional.fold(x, (9, 8), (2, 3), **kw), randn(2, 18, 15))
    parity(lambda m, x: m.nn.functional.fold(x, 3, 2), randn(4, 4))
    check_grad(lambda x: ember.nn.functional.unfold(x, 2, padding=1), randn(1, 2, 3, 3))
    check_grad(lambda x: ember.nn.functional.fold(x, 3, 2), randn(1, 4, 4))


ERRORS = [
    lambda m, x: m.conv2d(x, m.zeros(8, 3, 3, 3)),                       # channel mismatch
    lambda m, x: m.conv2d(x.double(), m.zeros(8, 4, 3, 3)),              # dtype mismatch
    lambda m, x: m.conv2d(x, m.zeros(8, 4, 3, 3), m.zeros(8).double()),  # bias dtype
    lambda m, x: m.conv2d(x, m.zeros(8, 4, 3, 3), stride=2, padding="same"),
    lambda m, x: m.conv2d(x, m.zeros(8, 4, 3, 3), padding="foo"),
    lambda m, x: m.conv2d(x, m.zeros(8, 4, 7, 7)),                       # kernel larger than input
    lambda m, x: m.conv2d(x, m.zeros(8, 4, 3, 3), stride=0),
    lambda m, x: m.conv2d(x, m.zeros(8, 4, 3, 3), padding=-1),
    lambda m, x: m.conv2d(x, m.zeros(8, 4, 3, 3), dilation=0),
    lambda m, x: m.conv2d(x, m.zeros(8, 2, 3, 3), groups=3),
    lambda m, x: m.conv2d(x, m.zeros(8, 4, 3, 3), groups=0),
    lambda m, x: m.conv2d(x[0, 0], m.zeros(8, 4, 3, 3)),
    lambda m, x: m.conv2d(x, m.zeros(8, 4, 3, 3), bias=m.zeros(7)),
    lambda m, x: m.conv2d(x, m.zeros(8, 4, 3, 3), stride=(1, 1, 1)),
    lambda m, x: m.conv_transpose2d(x, m.zeros(4, 3, 3, 3), stride=2, output_padding=2),
    lambda m, x: m.conv_transpose2d(x, m.zeros(3, 3, 3, 3)),
    lambda m, x: m.nn.functional.fold(m.zeros(1, 5, 4), 3, 2),
    lambda m, x: m.nn.functional.fold(m.zeros(1, 4, 5), 3, 2),
    lambda m, x: m.nn.functional.unfold(m.zeros(4, 4), 2),
    lambda m, x: m.nn.functional.fold(m.zeros(4, 4, 4, 4), 2, 2),
    lambda m, x: m.nn.Conv2d(4, 6, 3, groups=4),
    lambda m, x: m.nn.Conv2d(4, 6, 3, padding="same", stride=2),
    lambda m, x: m.nn.Conv2d(4, 6, 3, padding_mode="bogus"),
    lambda m, x: m.nn.ConvTranspose2d(4, 6, 3, padding_mode="reflect"),
]


@pytest.mark.parametrize("fn", ERRORS)
def test_conv_errors(fn):
    same_error(fn, randn(2, 4, 5, 5).astype(np.float32))


def test_conv_error_message():
    error = same_error(lambda m, x, w: m.conv2d(x, w), randn(2, 4, 5, 5), randn(8, 3, 3, 3))
    assert str(error) == ("Given groups=1, weight of size [8, 3, 3, 3], expected input[2, 4, 5, 5] to have 3 channels, "
                          "but got 4 channels instead")


MODULES = [
    ("Conv1d", (3, 4, 3), dict(stride=2, padding=1), (2, 3, 9)),
    ("Conv2d", (1, 32, 3), dict(padding=1), (2, 1, 8, 8)),
    ("Conv2d", (4, 6, (3, 2)), dict(padding="same", dilation=2, groups=2, bias=False), (2, 4, 7, 6)),
    ("Conv2d", (2, 3, 3), dict(padding=(1, 2)), (2, 2, 5, 6)),
    ("Conv3d", (2, 3, 2), dict(stride=(1, 2, 1)), (1, 2, 4, 5, 3)),
    ("ConvTranspose1d", (3, 4, 3), dict(stride=2, output_padding=1), (2, 3, 5)),
    ("ConvTranspose2d", (4, 6, 3), dict(stride=2, padding=1, groups=2, dilation=2), (2, 4, 4, 3)),
    ("ConvTranspose3d", (2, 3, 2), dict(bias=False), (1, 2, 2, 3, 2)),
]


@pytest.mark.parametrize("name, args, kw, shape", MODULES)
def test_conv_modules(name, args, kw, shape):
    torch.manual_seed(0)
    t_layer = getattr(torch.nn, name)(*args, **kw).double()
    e_layer = getattr(ember.nn, name)(*args, **kw, dtype=ember.float64)
    assert repr(e_layer) == repr(t_layer)
    assert e_layer.weight.shape == tuple(t_layer.weight.shape)
    assert (e_layer.bias is None) == (t_layer.bias is None)
    e_layer.weight.data = ember.from_numpy(t_layer.weight.detach().numpy().copy())
    if t_layer.bias is not None:
        e_layer.bias.data = ember.from_numpy(t_layer.bias.detach().numpy().copy())
    x = randn(*shape)
    e_x = ember.from_numpy(x.copy()).requires_grad_()
    t_x = torch.from_numpy(x.copy()).requires_grad_()
    e_y, t_y = e_layer(e_x), t_layer(t_x)
    np.testing.assert_allclose(e_y.detach().numpy(), t_y.detach().numpy(), rtol=1e-6, atol=1e-8)
    g = randn(*t_y.shape)
    e_y.backward(ember.from_numpy(g))
    t_y.backward(torch.from_numpy(g))
    np.testing.assert_allclose(e_x.grad.numpy(), t_x.grad.numpy(), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(e_layer.weight.grad.numpy(), t_layer.weight.grad.numpy(), rtol=1e-6, atol=1e-8)


def test_conv_default_init_statistics():
    layer = ember.nn.Conv2d(16, 32, 3)
    bound = 1 / np.sqrt(16 * 9)        # kaiming_uniform_(a=sqrt(5)) gives a bound of 1/sqrt(fan_in)
    w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    assert w.dtype == np.float32 and np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(b).max() <= bound and np.std(w) == pytest.approx(bound / np.sqrt(3), rel=0.1)


def test_conv_transpose_output_size():
    torch.manual_seed(0)
    t_layer = torch.nn.ConvTranspose2d(2, 3, 3, stride=2).double()
    e_layer = ember.nn.ConvTranspose2d(2, 3, 3, stride=2, dtype=ember.float64)
    e_layer.load_state_dict({k: ember.from_numpy(v.numpy()) for k, v in t_layer.state_dict().items()})
    x = randn(1, 2, 4, 4)
    np.testing.assert_allclose(e_layer(ember.from_numpy(x), output_size=[10, 10]).detach().numpy(),
                               t_layer(torch.from_numpy(x), output_size=[10, 10]).detach().numpy(), rtol=1e-6)
    same_error(lambda m, x: (e_layer if m is ember else t_layer)(x, output_size=[13, 13]), x)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_conv_padding_modes(mode):
    torch.manual_seed(0)
    t_layer = torch.nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode=mode).double()
    e_layer = ember.nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode=mode, dtype=ember.float64)
    assert repr(e_layer) == repr(t_layer)
    e_layer.load_state_dict({k: ember.from_numpy(v.numpy()) for k, v in t_layer.state_dict().items()})
    x = randn(2, 2, 5, 6)
    np.testing.assert_allclose(e_layer(ember.from_numpy(x)).detach().numpy(),
                               t_layer(torch.from_numpy(x)).detach().numpy(), rtol=1e-6)


def test_unfold_fold_modules():
    assert repr(ember.nn.Unfold((2, 3), padding=1)) == repr(torch.nn.Unfold((2, 3), padding=1))
    assert repr(ember.nn.Fold(4, 2, stride=2)) == repr(torch.nn.Fold(4, 2, stride=2))
    parity(lambda m, x: m.nn.Fold(4, 2, stride=2)(m.nn.Unfold(2, stride=2)(x)), randn(2, 3, 4, 4))
