"""Parity of the loss functions (nn.functional and nn modules) with PyTorch: values, gradients, errors."""

import warnings

import numpy as np
import pytest
from helpers import check_grad, noncontiguous, parity, positive, randint, randn, same_error, same_result, torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
import ember.nn.functional as F
from ember.ops import loss as loss_ops

REDUCTIONS = ["none", "mean", "sum"]


def probabilities(*shape, axis=-1):
    values = positive(*shape)
    return values / values.sum(axis=axis, keepdims=True)


def unit(*shape):
    """Values strictly inside (0, 1)."""
    return 0.05 + 0.9 * (randn(*shape) ** 2 % 1)


def signs(*shape):
    return np.where(randint(0, 2, *shape) == 1, 1.0, -1.0)


def class_targets(n_classes, *shape, ignore=None):
    """Random class indices; a few set to ``ignore`` when given."""
    target = randint(0, n_classes, *shape)
    if ignore is not None and target.size:
        flat = target.reshape(-1)
        flat[:: 3] = ignore
    return target


# ----------------------------------------------------------------------------- cross_entropy / nll_loss

CLASS_SHAPES = [(5, 4), (3, 4, 2), (2, 3, 2, 3), (4,), (2, 3, 2, 1, 2)]


def _class_case(shape, ignore=None):
    n_classes = shape[0] if len(shape) == 1 else shape[1]
    target_shape = () if len(shape) == 1 else (shape[0],) + shape[2:]
    target = class_targets(n_classes, *target_shape, ignore=ignore)
    if len(shape) == 1 and ignore is not None:
        target = np.array(ignore if randint(0, 2) else 1)
    return randn(*shape), np.asarray(target), n_classes


@pytest.mark.parametrize("shape", CLASS_SHAPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_cross_entropy_class_indices(shape, reduction, weighted, smoothing):
    x, target, n_classes = _class_case(shape, ignore=-100)
    weight = positive(n_classes) if weighted else None
    parity(lambda m, x, t, **kw: m.nn.functional.cross_entropy(x, t, reduction=reduction, label_smoothing=smoothing,
                                                               **kw),
           x, target, **({"weight": weight} if weighted else {}))


@pytest.mark.parametrize("shape", CLASS_SHAPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_loss(shape, reduction, weighted):
    x, target, n_classes = _class_case(shape, ignore=1)
    kwargs = {"weight": positive(n_classes)} if weighted else {}
    parity(lambda m, x, t, **kw: m.nn.functional.nll_loss(x, t, ignore_index=1, reduction=reduction, **kw),
           x, target, **kwargs)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_dtypes_and_layouts(dtype):
    x = randn(6, 5).astype(dtype)
    target = randint(0, 5, 6)
    parity(lambda m, x, t: m.nn.functional.cross_entropy(x, t), x, target, rtol=1e-4)
    parity(lambda m, x, t: m.nn.functional.cross_entropy(x, t), noncontiguous(x), target, rtol=1e-4)
    parity(lambda m, x, t: m.nn.functional.cross_entropy(x, t), x, target.astype(np.uint8), rtol=1e-4)
    parity(lambda m, x, t: m.nn.functional.nll_loss(x, t), noncontiguous(x), target, rtol=1e-4)


def test_cross_entropy_all_ignored_and_empty():
    x = randn(3, 4)
    parity(lambda m, x, t: m.nn.functional.cross_entropy(x, t), x, np.full(3, -100))
    parity(lambda m, x, t: m.nn.functional.cross_entropy(x, t, label_smoothing=0.1), x, np.full(3, -100))
    for reduction in REDUCTIONS:
        parity(lambda m, x, t, r=reduction: m.nn.functional.cross_entropy(x, t, reduction=r), randn(0, 4),
               np.zeros(0, dtype=np.int64))
        parity(lambda m, x, t, r=reduction: m.nn.functional.nll_loss(x, t, reduction=r), randn(0, 4, 2),
               np.zeros((0, 2), dtype=np.int64))


def test_cross_entropy_unbatched_target_of_one():
    # (PyTorch's backward fails for this shape pair, so only values are compared)
    parity(lambda m, x, t: m.nn.functional.cross_entropy(x, t), randn(5), np.array([2]), grad=False)
    parity(lambda m, x, t: m.nn.functional.nll_loss(x, t, reduction="none"), randn(5), np.array([2]), grad=False)


def test_cross_entropy_negative_label_smoothing_is_ignored():
    parity(lambda m, x, t: m.nn.functional.cross_entropy(x, t, label_smoothing=-0.2), randn(4, 3), randint(0, 3, 4))


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 4), (5,)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
def test_cross_entropy_probabilities(shape, reduction, weighted, smoothing):
    class_axis = 0 if len(shape) == 1 else 1
    target = probabilities(*shape, axis=class_axis)
    kwargs = {"weight": positive(shape[class_axis])} if weighted else {}
    parity(lambda m, x, t, **kw: m.nn.functional.cross_entropy(x, t, reduction=reduction, label_smoothing=smoothing,
                                                               **kw),
           randn(*shape), target, **kwargs)


def test_cross_entropy_probabilities_empty_and_promotion():
    parity(lambda m, x, t: m.nn.functional.cross_entropy(x, t), randn(0, 3), probabilities(0, 3))
    parity(lambda m, x, t: m.nn.functional.cross_entropy(x, t), randn(3, 4).astype(np.float32),
           probabilities(3, 4))


def test_cross_entropy_double_backward_matches_torch():
    target = randint(0, 4, 5)

    def grad_of_loss(m, x, w, smoothing, reduction):
        loss = m.nn.functional.cross_entropy(x, m.from_numpy(target) if m is ember else m.from_numpy(target),
                                             weight=w, label_smoothing=smoothing, reduction=reduction)
        if reduction == "none":
            loss = (loss * m.arange(1.0, 6.0, dtype=loss.dtype)).sum()
        return m.autograd.grad(loss, x, create_graph=True)[0]

    for smoothing in (0.0, 0.2):
        for reduction in REDUCTIONS:
            parity(lambda m, x, s=smoothing, r=reduction, **kw: grad_of_loss(m, x, kw.get("w"), s, r), randn(5, 4),
                   w=positive(4))


def test_nll_double_backward_flows_to_upstream_gradient():
    target = randint(0, 4, 3)
    parity(lambda m, x: m.autograd.grad(m.nn.functional.nll_loss(x.tanh(), m.from_numpy(target)), x,
                                        create_graph=True)[0], randn(3, 4))


@pytest.mark.parametrize("smoothing", [0.0, 0.3])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_class_nll_finite_differences(smoothing, reduction):
    target = ember.from_numpy(np.array([0, 2, -100, 1]))
    weight = ember.from_numpy(positive(3))
    check_grad(lambda x: F.cross_entropy(x, target, weight=weight, reduction=reduction, label_smoothing=smoothing),
               randn(4, 3))
    check_grad(lambda x: F.nll_loss(x, target, weight=weight, reduction=reduction), randn(4, 3))
    spatial = ember.from_numpy(randint(0, 3, 2, 2))
    check_grad(lambda x: F.cross_entropy(x, spatial, reduction=reduction, label_smoothing=smoothing), randn(2, 3, 2))
    check_grad(lambda x: F.cross_entropy(x, ember.tensor(1), label_smoothing=smoothing), randn(3))


@settings(max_examples=25, deadline=None)
@given(batch=st.integers(0, 5), classes=st.integers(1, 6), extra=st.integers(0, 2), smoothing=st.sampled_from([0, .1]))
def test_cross_entropy_property_shapes(batch, classes, extra, smoothing):
    shape = (batch, classes) + (2,) * extra
    target = randint(0, classes, *((batch,) + (2,) * extra))
    for reduction in REDUCTIONS:
        parity(lambda m, x, t, r=reduction: m.nn.functional.cross_entropy(x, t, reduction=r,
                                                                          label_smoothing=smoothing),
               randn(*shape), target)


def test_class_nll_errors():
    x = randn(3, 5)
    ce, nll = (lambda m, *a, **k: m.nn.functional.cross_entropy(*a, **k)), \
        (lambda m, *a, **k: m.nn.functional.nll_loss(*a, **k))
    for fn in (ce, nll):
        same_error(fn, x, np.array([1, 2, 7]), match="Target 7 is out of bounds")
        same_error(fn, x, np.array([1, 2, -3]), match="out of bounds")
        same_error(fn, x, np.array([1, 2]), match=r"Expected input batch_size \(3\) to match target batch_size \(2\)")
        same_error(fn, x, np.array([[1, 2, 3]]), match="batch_size")
        same_error(fn, x, np.array([1.0, 2.0, 3.0]).astype(np.float32) if fn is nll else np.array([1, 2, 3],
                                                                                                   dtype=np.int32),
                   match="expected target dtype to be Long or Byte")
        same_error(fn, x, np.array([1, 2, 3]), reduction="avg", match="avg is not a valid value for reduction")
        same_error(fn, x, np.array([1, 2, 3]), weight=np.ones(4), match="weight tensor should be defined")
        same_error(fn, x, np.array([1, 2, 3]), weight=np.ones((5, 1)), match="weight tensor should be defined")
        same_error(fn, x.astype(np.float32), np.array([1, 2, 3]), weight=np.ones(5),
                   match="expected scalar type Float but found Double")
        same_error(fn, randn(3, 4, 5), np.zeros(3, dtype=np.int64), match=r"Expected target size \[3, 5\], got \[3\]")
        same_error(fn, randn(3, 4, 5, 6), randint(0, 4, 3, 5, 7), match="size mismatch")
        same_error(fn, randn(3, 4, 5, 6), randint(0, 4, 3, 5), match="only batches of spatial targets")
        same_error(fn, randn(2, 3, 2, 2, 2), randint(0, 3, 2, 2, 2, 3), match="Expected target size")
        same_error(fn, randn(3, 4), randint(0, 4, 3, 5), match="multi-target not supported")
        same_error(fn, randn(5), np.array([2, 3]), match="1D target must have size 1")
        same_error(fn, randn(3, 4, 2), randint(0, 4, 3, 2), weight=np.ones(3), match="defined either for all")
    same_error(ce, x, randn(3, 4), match="multi-target not supported")
    same_error(ce, x, np.array([1, 2, 3]), label_smoothing=1.5, match="label_smoothing must be between")
    same_error(ce, x, probabilities(3, 5), label_smoothing=1.5, match="label_smoothing must be between")
    same_error(ce, x, probabilities(3, 5), ignore_index=1, match="ignore_index is not supported")
    same_error(ce, x, probabilities(3, 5), weight=np.ones(4), match="cross_entropy: weight tensor")
    same_error(ce, randn(3, 4), randint(0, 3, 3, 4), match="Expected floating point type for target")
    same_error(ce, randint(0, 3, 3, 4), np.array([1, 2, 3]), match="not implemented for 'Long'")
    same_error(nll, randint(0, 3, 3, 4), np.array([1, 2, 3]), match="not implemented for 'Long'")
    same_error(nll, np.array(1.0), np.array(1), match="Expected 1 or more dimensions")
    same_error(ce, np.array(1.0), np.array(1.0))


def test_cross_entropy_type_errors():
    with pytest.raises(TypeError):
        F.cross_entropy([1.0], ember.tensor([0]))


# ----------------------------------------------------------------------------- legacy arguments

@pytest.mark.parametrize("size_average, reduce", [(False, None), (None, False), (True, True), (False, True),
                                                  (True, None)])
def test_legacy_reduction_arguments(size_average, reduce):
    x, target = randn(4, 3), randint(0, 3, 4)
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        parity(lambda m, x, t: m.nn.functional.cross_entropy(x, t, size_average=size_average, reduce=reduce,
                                                             reduction="none"), x, target)
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        parity(lambda m, x, y: m.nn.functional.mse_loss(x, y, size_average=size_average, reduce=reduce), x, randn(4, 3))
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        module = ember.nn.L1Loss(size_average=size_average, reduce=reduce)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert module.reduction == torch.nn.L1Loss(size_average=size_average, reduce=reduce).reduction


def test_elementwise_mean_is_mean_with_warning():
    with pytest.warns(UserWarning, match="elementwise_mean"):
        parity(lambda m, x, y: m.nn.functional.soft_margin_loss(x, y, reduction="elementwise_mean"), randn(3),
               signs(3), grad=False)


# ----------------------------------------------------------------------------- regression losses

@pytest.mark.parametrize("name", ["l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_losses(name, reduction):
    fn = lambda m, x, y: getattr(m.nn.functional, name)(x, y, reduction=reduction)   # noqa: E731
    parity(fn, randn(3, 4), randn(3, 4))
    parity(fn, noncontiguous(randn(3, 4)), randn(3, 4))
    parity(fn, randn(3, 4).astype(np.float32), randn(3, 4).astype(np.float32))
    # promotion (huber_loss computes in the input's dtype, and PyTorch's backward of that fails)
    parity(fn, randn(3, 4).astype(np.float32), randn(3, 4), grad=name != "huber_loss")
    parity(fn, np.array(0.5), np.array(-1.0))
    parity(fn, randn(0, 3), randn(0, 3))


@pytest.mark.parametrize("name", ["l1_loss", "mse_loss", "huber_loss"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_losses_weighted(name, reduction):
    parity(lambda m, x, y, **kw: getattr(m.nn.functional, name)(x, y, reduction=reduction, **kw), randn(3, 4),
           randn(3, 4), weight=positive(3, 4))


@pytest.mark.parametrize("name", ["l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss"])
def test_regression_broadcast_warning(name):
    with pytest.warns(UserWarning, match="Using a target size"):
        parity(lambda m, x, y: getattr(m.nn.functional, name)(x, y), randn(3, 4), randn(4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same_error(lambda m, x, y: getattr(m.nn.functional, name)(x, y), randn(3, 4), randn(3, 5))
    same_error(lambda m, x, y: getattr(m.nn.functional, name)(x, y, reduction="x"), randn(3), randn(3))


@pytest.mark.parametrize("beta", [0.0, 0.5, 2.0])
def test_smooth_l1_and_huber_thresholds(beta):
    x, y = randn(20) * 2, randn(20)
    parity(lambda m, x, y: m.nn.functional.smooth_l1_loss(x, y, beta=beta), x, y)
    if beta:
        parity(lambda m, x, y: m.nn.functional.huber_loss(x, y, delta=beta), x, y)


def test_regression_errors():
    same_error(lambda m, x, y: m.nn.functional.smooth_l1_loss(x, y, beta=-1.0), randn(3), randn(3))
    same_error(lambda m, x, y: m.nn.functional.huber_loss(x, y, delta=0.0), randn(3), randn(3))
    same_error(lambda m, x, y: m.nn.functional.mse_loss(x, y, weight=m.ones(4)), randn(3, 4), randn(3, 4))
    same_error(lambda m, x, y: m.nn.functional.l1_loss(x, y, weight=m.ones(3, 4, dtype=m.float64), reduction="x"),
               randn(3, 4), randn(3, 4))
    same_error(lambda m, x, y: m.nn.functional.mse_loss(x, y), randint(0, 3, 3), randint(0, 3, 3))
    same_error(lambda m, x, y: m.nn.functional.l1_loss(x, y), randint(0, 3, 3), randint(0, 3, 3))


# ----------------------------------------------------------------------------- binary losses

@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight_shape", [None, (4,), (3, 4)])
def test_binary_cross_entropy(reduction, weight_shape):
    kwargs = {} if weight_shape is None else {"weight": positive(*weight_shape)}
    parity(lambda m, x, y, **kw: m.nn.functional.binary_cross_entropy(x, y, reduction=reduction, **kw),
           unit(3, 4), unit(3, 4), **kwargs)


def test_binary_cross_entropy_clamps_log_at_minus_100():
    parity(lambda m, x, y: m.nn.functional.binary_cross_entropy(x, y, reduction="none"),
           np.array([0.0, 1.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0, 1.0]), grad=False)
    parity(lambda m, x, y: m.nn.functional.binary_cross_entropy(x, y), np.array([0.0, 1.0], dtype=np.float32),
           np.array([1.0, 0.0], dtype=np.float32), grad=False)


def test_binary_cross_entropy_errors():
    bce = lambda m, x, y, **k: m.nn.functional.binary_cross_entropy(x, y, **k)   # noqa: E731
    same_error(bce, unit(3, 4), unit(4), match="Using a target size")
    same_error(bce, unit(3, 4) * 3, unit(3, 4), match="all elements of input should be between 0 and 1")
    same_error(bce, unit(3, 4), unit(3, 4) + 1, match="all elements of target should be between 0 and 1")
    same_error(bce, unit(3, 4).astype(np.float32), unit(3, 4), match="Found dtype Double but expected Float")
    same_error(bce, unit(3, 4), unit(3, 4), weight=np.ones(5))
    same_error(bce, unit(3, 4), unit(3, 4), reduction="x")


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("pos_weighted", [False, True])
def test_binary_cross_entropy_with_logits(reduction, weighted, pos_weighted):
    kwargs = {}
    if weighted:
        kwargs["weight"] = positive(3, 4)
    if pos_weighted:
        kwargs["pos_weight"] = positive(4)
    x = randn(3, 4) * 4
    x[0, 0] = 0.0                                      # the gradient at 0 is -0.5 * (pos weight), not 0
    parity(lambda m, x, y, **kw: m.nn.functional.binary_cross_entropy_with_logits(x, y, reduction=reduction, **kw),
           x, unit(3, 4), **kwargs)


def test_binary_cross_entropy_with_logits_stable_and_promoting():
    x = np.array([-800.0, -30.0, 0.0, 30.0, 800.0])
    parity(lambda m, x, y: m.nn.functional.binary_cross_entropy_with_logits(x, y, reduction="none"), x,
           np.array([1.0, 0.0, 0.5, 1.0, 0.0]))
    parity(lambda m, x, y: m.nn.functional.binary_cross_entropy_with_logits(x, y), randn(3).astype(np.float32),
           unit(3))
    same_error(lambda m, x, y: m.nn.functional.binary_cross_entropy_with_logits(x, y), randn(3, 4), unit(4),
               match="Target size")
    same_error(lambda m, x, y, **k: m.nn.functional.binary_cross_entropy_with_logits(x, y, **k), randn(3, 4),
               unit(3, 4), pos_weight=np.ones(5))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_soft_margin_losses(reduction):
    parity(lambda m, x, y: m.nn.functional.soft_margin_loss(x, y, reduction=reduction), randn(3, 4), signs(3, 4),
           grad=False)
    x = ember.from_numpy(randn(3, 4)).requires_grad_()
    expected = torch.from_numpy(x.detach().numpy()).requires_grad_()
    y = signs(3, 4)
    ember.nn.functional.soft_margin_loss(x, ember.from_numpy(y), reduction="sum").backward()
    torch.nn.functional.soft_margin_loss(expected, torch.from_numpy(y), reduction="sum").backward()
    np.testing.assert_allclose(x.grad.numpy(), expected.grad.numpy(), rtol=1e-6)
    for weight in (None, positive(4)):
        kwargs = {} if weight is None else {"weight": weight}
        parity(lambda m, x, y, **kw: m.nn.functional.multilabel_soft_margin_loss(x, y, reduction=reduction, **kw),
               randn(3, 4), unit(3, 4), **kwargs)
    parity(lambda m, x, y: m.nn.functional.multilabel_soft_margin_loss(x, y, reduction=reduction), randn(4), unit(4))


def test_soft_margin_errors():
    same_error(lambda m, x, y: m.nn.functional.soft_margin_loss(x, y, reduction="x"), randn(3), signs(3))
    same_error(lambda m, x, y: m.nn.functional.soft_margin_loss(x, y.requires_grad_()), randn(3), signs(3))
    same_error(lambda m, x, y: m.nn.functional.multilabel_soft_margin_loss(x, y, reduction="x"), randn(2, 3),
               unit(2, 3))


# ----------------------------------------------------------------------------- divergences and likelihoods

@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    target = np.log(probabilities(3, 4)) if log_target else probabilities(3, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parity(lambda m, x, y: m.nn.functional.kl_div(x, y, reduction=reduction, log_target=log_target),
               np.log(probabilities(3, 4)), target)
        parity(lambda m, x, y: m.nn.functional.kl_div(x, y, reduction=reduction, log_target=log_target),
               np.array(-0.5), np.array(0.3))


def test_kl_div_mean_warning_zero_target_and_errors():
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        F.kl_div(ember.zeros(2), ember.ones(2))
    target = probabilities(2, 3)
    target[0, 1] = 0.0
    parity(lambda m, x, y: m.nn.functional.kl_div(x, y, reduction="sum"), randn(2, 3), target)
    parity(lambda m, x, y: m.nn.functional.kl_div(x, y, reduction="batchmean"), randn(2, 3).astype(np.float32),
           probabilities(3))
    same_error(lambda m, x, y: m.nn.functional.kl_div(x, y, reduction="bad"), randn(3), positive(3))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("log_input", [True, False])
@pytest.mark.parametrize("full", [False, True])
def test_poisson_nll_loss(reduction, log_input, full):
    x = randn(3, 4) if log_input else positive(3, 4)
    target = positive(3, 4) * 2           # some targets above 1: the Stirling term applies there
    parity(lambda m, x, y: m.nn.functional.poisson_nll_loss(x, y, log_input=log_input, full=full,
                                                            reduction=reduction), x, target)


def test_poisson_nll_eps_and_errors():
    parity(lambda m, x, y: m.nn.functional.poisson_nll_loss(x, y, log_input=False, eps=0.5), positive(4) - 0.5,
           positive(4))
    same_error(lambda m, x, y: m.nn.functional.poisson_nll_loss(x, y, reduction="x"), randn(3), positive(3))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("var_shape", [(3, 4), (3,), (3, 1), (1, 4)])
def test_gaussian_nll_loss(reduction, full, var_shape):
    var = positive(*var_shape)
    var.reshape(-1)[0] = 1e-9                  # below eps: clamped in value, not in gradient
    parity(lambda m, x, y, v: m.nn.functional.gaussian_nll_loss(x, y, v, full=full, reduction=reduction),
           randn(3, 4), randn(3, 4), var)


def test_gaussian_nll_loss_float_variance_and_errors():
    parity(lambda m, x, y: m.nn.functional.gaussian_nll_loss(x, y, 0.5), randn(3, 4), randn(3, 4))
    gauss = lambda m, x, y, v, **k: m.nn.functional.gaussian_nll_loss(x, y, v, **k)   # noqa: E731
    same_error(gauss, randn(3, 4), randn(3, 4), positive(4), match="var is of incorrect size")
    same_error(gauss, randn(3, 4), randn(3, 4), positive(3, 2), match="var is of incorrect size")
    same_error(gauss, randn(3, 4), randn(3, 4), -positive(3, 4), match="negative entry")
    same_error(gauss, randn(3, 4), randn(3, 4), -0.5, match="negative entry")
    same_error(gauss, randn(3, 4), randn(3, 4), positive(3, 4), reduction="x", match="x is not valid")


# ----------------------------------------------------------------------------- margin and embedding losses

@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, 0.3])
def test_cosine_embedding_loss(reduction, margin):
    parity(lambda m, a, b, t: m.nn.functional.cosine_embedding_loss(a, b, t, margin=margin, reduction=reduction),
           randn(4, 3), randn(4, 3), signs(4).astype(np.int64))
    parity(lambda m, a, b, t: m.nn.functional.cosine_embedding_loss(a, b, t, margin=margin, reduction=reduction),
           randn(3), randn(3), np.array(-1.0))


def test_cosine_embedding_errors():
    cos = lambda m, a, b, t: m.nn.functional.cosine_embedding_loss(a, b, t)   # noqa: E731
    same_error(cos, randn(3, 4), randn(4), signs(3), match="1D target tensor expects 2D input tensors")
    same_error(cos, randn(3, 4), randn(3, 4), signs(2))
    same_error(cos, randn(3, 4), randn(3, 4), signs(3, 1), match="multi-target not supported")
    same_error(cos, randn(3, 4), randn(3, 4), np.array(1.0), match="0D target tensor expects 1D input tensors")


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_ranking_and_hinge(reduction):
    parity(lambda m, a, b, t: m.nn.functional.margin_ranking_loss(a, b, t, margin=0.2, reduction=reduction),
           randn(5), randn(5), signs(5))
    parity(lambda m, a, b, t: m.nn.functional.margin_ranking_loss(a, b, t, reduction=reduction),
           randn(2, 3), randn(2, 3), randn(2, 3))
    parity(lambda m, x, t: m.nn.functional.hinge_embedding_loss(x, t, margin=0.5, reduction=reduction),
           randn(3, 4), signs(3, 4))
    parity(lambda m, x, t: m.nn.functional.hinge_embedding_loss(x, t, reduction=reduction), randn(4),
           signs(4).astype(np.int64))
    same_error(lambda m, a, b, t: m.nn.functional.margin_ranking_loss(a, b, t), randn(3, 4), randn(3, 4), signs(3),
               match="All input tensors should have same dimension")
    same_error(lambda m, a, b, t: m.nn.functional.margin_ranking_loss(a, b, t), randn(4), randn(4), signs(3))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("weighted", [False, True])
def test_multi_margin_loss(reduction, p, weighted):
    kwargs = {"weight": positive(4)} if weighted else {}
    parity(lambda m, x, t, **kw: m.nn.functional.multi_margin_loss(x, t, p=p, margin=0.7, reduction=reduction, **kw),
           randn(5, 4) * 0.5, randint(0, 4, 5), **kwargs)
    parity(lambda m, x, t: m.nn.functional.multi_margin_loss(x, t, p=p, reduction=reduction), randn(4) * 0.5,
           np.array(2))


def test_multi_margin_errors():
    mm = lambda m, x, t, **k: m.nn.functional.multi_margin_loss(x, t, **k)   # noqa: E731
    same_error(mm, randn(3, 4), np.array([1, 2, 4]), match="target out of range")
    same_error(mm, randn(3, 4), np.array([1, 2, 3]), p=3, match="only p == 1 and p == 2 supported")
    same_error(mm, randn(3, 4), np.array([1, 2]), match="target tensor should be 1-D")
    same_error(mm, randn(3, 4), np.array([1, 2, 3]), weight=np.ones(3), match="inconsistent weight size")
    same_error(mm, randn(3, 4), np.array([1, 2, 3]), weight=np.ones((2, 2)), match="weight must be one-dimensional")
    same_error(mm, randn(3, 0), np.array([0, 0, 0]), match="Expected non-empty vector or matrix")


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multilabel_margin_loss(reduction):
    target = np.array([[1, 2, -1, 0], [3, -1, 0, 0], [0, 1, 2, 3], [2, 2, -1, 1]])
    parity(lambda m, x, t: m.nn.functional.multilabel_margin_loss(x, t, reduction=reduction), randn(4, 4) * 0.5,
           target)
    parity(lambda m, x, t: m.nn.functional.multilabel_margin_loss(x, t, reduction=reduction), randn(4) * 0.5,
           np.array([3, 0, -1, 1]))


def test_multilabel_margin_errors():
    mlm = lambda m, x, t: m.nn.functional.multilabel_margin_loss(x, t)   # noqa: E731
    same_error(mlm, randn(3, 4), np.array([[1, 2, -1, 0], [3, -1, 0, 0], [0, 1, 2, 4]]), match="out of range")
    same_error(mlm, randn(3, 4), np.array([[1, 2, -1, 0], [3, -1, 0, 0]]), match="inconsistent target size")


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p", [1.0, 2.0, 3.0])
@pytest.mark.parametrize("swap", [False, True])
def test_triplet_margin_loss(reduction, p, swap):
    parity(lambda m, a, b, c: m.nn.functional.triplet_margin_loss(a, b, c, margin=1.5, p=p, swap=swap,
                                                                  reduction=reduction),
           randn(5, 3), randn(5, 3), randn(5, 3))
    parity(lambda m, a, b, c: m.nn.functional.triplet_margin_loss(a, b, c, p=p, swap=swap, reduction=reduction),
           randn(3), randn(3), randn(3))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("swap", [False, True])
def test_triplet_margin_with_distance_loss(reduction, swap):
    parity(lambda m, a, b, c: m.nn.functional.triplet_margin_with_distance_loss(a, b, c, swap=swap,
                                                                                reduction=reduction),
           randn(5, 3), randn(5, 3), randn(5, 3))

    def distance(m):
        return lambda x, y: 1 - m.nn.functional.cosine_similarity(x, y)

    parity(lambda m, a, b, c: m.nn.functional.triplet_margin_with_distance_loss(
        a, b, c, distance_function=distance(m), margin=0.5, swap=swap, reduction=reduction),
        randn(5, 3), randn(5, 3), randn(5, 3))


def test_triplet_errors():
    tml = lambda m, a, b, c, **k: m.nn.functional.triplet_margin_loss(a, b, c, **k)   # noqa: E731
    twd = lambda m, a, b, c, **k: m.nn.functional.triplet_margin_with_distance_loss(a, b, c, **k)   # noqa: E731
    for fn in (tml, twd):
        same_error(fn, randn(3, 4), randn(3, 4), randn(4), match="same number of dimensions")
        same_error(fn, randn(3, 4), randn(3, 4), randn(3, 4), margin=-1.0, match="margin must be greater than 0")
        same_error(fn, randn(3, 4), randn(3, 4), randn(3, 4), reduction="x")
    same_error(tml, randn(3, 4), randn(3, 4), randn(3, 5))


def test_log_sigmoid_bce_and_xlogx_finite_differences():
    check_grad(loss_ops.log_sigmoid, randn(6) * 3)
    check_grad(lambda x, y: loss_ops.BinaryCrossEntropy.apply(x, y), unit(5), unit(5))
    check_grad(lambda x, y: F.binary_cross_entropy_with_logits(x, y, pos_weight=ember.tensor([2.0, 0.5, 1.0],
                                                                                               dtype=ember.float64)),
               randn(2, 3), unit(2, 3))
    check_grad(lambda x, y: F.kl_div(x, y, reduction="batchmean"), randn(2, 3), positive(2, 3))


@pytest.mark.parametrize("name, make", [
    ("gaussian_nll_loss", lambda: (randn(3, 2), randn(3, 2), positive(3, 2))),
    ("poisson_nll_loss", lambda: (randn(3, 2), positive(3, 2) * 2)),
    ("multilabel_soft_margin_loss", lambda: (randn(3, 2), unit(3, 2))),
    ("smooth_l1_loss", lambda: (randn(6) * 2, randn(6))),
    ("cosine_embedding_loss", lambda: (randn(3, 2), randn(3, 2), signs(3))),
    ("triplet_margin_loss", lambda: (randn(3, 2), randn(3, 2), randn(3, 2))),
])
def test_composed_losses_finite_differences(name, make):
    arrays = make()
    n_float = 3 if name in ("gaussian_nll_loss", "triplet_margin_loss") else 2
    if name == "cosine_embedding_loss":
        target = ember.from_numpy(arrays[2])
        check_grad(lambda a, b: F.cosine_embedding_loss(a, b, target, margin=-2.0), *arrays[:2])
        return
    check_grad(lambda *xs: getattr(F, name)(*xs), *arrays[:n_float])


# ----------------------------------------------------------------------------- modules

MODULE_CASES = [
    ("L1Loss", {}, lambda: (randn(3, 4), randn(3, 4))),
    ("MSELoss", {"reduction": "sum"}, lambda: (randn(3, 4), randn(3, 4))),
    ("SmoothL1Loss", {"beta": 0.5}, lambda: (randn(3, 4), randn(3, 4))),
    ("HuberLoss", {"delta": 0.5, "reduction": "none"}, lambda: (randn(3, 4), randn(3, 4))),
    ("CrossEntropyLoss", {"ignore_index": 1, "label_smoothing": 0.1}, lambda: (randn(5, 3), randint(0, 3, 5))),
    ("NLLLoss", {"reduction": "sum"}, lambda: (randn(5, 3), randint(0, 3, 5))),
    ("BCELoss", {}, lambda: (unit(3, 4), unit(3, 4))),
    ("BCEWithLogitsLoss", {}, lambda: (randn(3, 4), unit(3, 4))),
    ("KLDivLoss", {"reduction": "batchmean", "log_target": True}, lambda: (randn(3, 4), randn(3, 4))),
    ("CosineEmbeddingLoss", {"margin": 0.2}, lambda: (randn(4, 3), randn(4, 3), signs(4))),
    ("MarginRankingLoss", {"margin": 0.1}, lambda: (randn(5), randn(5), signs(5))),
    ("TripletMarginLoss", {"p": 1.0, "swap": True}, lambda: (randn(4, 3), randn(4, 3), randn(4, 3))),
    ("TripletMarginWithDistanceLoss", {"margin": 2.0}, lambda: (randn(4, 3), randn(4, 3), randn(4, 3))),
    ("HingeEmbeddingLoss", {"margin": 2.0}, lambda: (randn(3, 4), signs(3, 4))),
    ("MultiLabelSoftMarginLoss", {}, lambda: (randn(3, 4), unit(3, 4))),
    ("SoftMarginLoss", {}, lambda: (randn(3, 4), signs(3, 4))),
    ("MultiMarginLoss", {"p": 2, "margin": 0.5}, lambda: (randn(5, 4), randint(0, 4, 5))),
    ("MultiLabelMarginLoss", {}, lambda: (randn(2, 3), np.array([[0, -1, 1], [2, 1, -1]]))),
    ("PoissonNLLLoss", {"full": True}, lambda: (randn(3, 4), positive(3, 4) * 2)),
    ("GaussianNLLLoss", {"full": True}, lambda: (randn(3, 4), randn(3, 4), positive(3, 4))),
    ("CosineSimilarity", {"dim": 0}, lambda: (randn(3, 4), randn(3, 4))),
    ("PairwiseDistance", {"p": 3.0, "keepdim": True}, lambda: (randn(3, 4), randn(3, 4))),
]


@pytest.mark.parametrize("name, options, make", MODULE_CASES, ids=[c[0] for c in MODULE_CASES])
def test_loss_modules(name, options, make):
    arrays = make()
    if name == "SoftMarginLoss":
        parity(lambda m, *xs: getattr(m.nn, name)(**options)(*xs), *arrays, grad=False)
        return
    module = parity(lambda m, *xs: getattr(m.nn, name)(**options)(*xs), *arrays)
    assert isinstance(module, ember.Tensor)
    assert repr(getattr(ember.nn, name)(**options)) == repr(getattr(torch.nn, name)(**options))
    for key, value in options.items():
        if key != "p" or name != "PairwiseDistance":
            assert getattr(getattr(ember.nn, name)(**options), key) == value


def test_loss_module_defaults_match_torch():
    for name, _, _ in MODULE_CASES:
        ours, theirs = getattr(ember.nn, name)(), getattr(torch.nn, name)()
        for key in ("reduction", "margin", "p", "eps", "swap", "ignore_index", "label_smoothing", "beta", "delta",
                    "log_input", "full", "log_target", "dim", "norm", "keepdim"):
            assert getattr(ours, key, None) == getattr(theirs, key, None), (name, key)


@pytest.mark.parametrize("name", ["CrossEntropyLoss", "NLLLoss", "BCELoss", "MultiLabelSoftMarginLoss",
                                  "MultiMarginLoss"])
def test_weighted_modules_hold_weight_buffer(name):
    weight = positive(4)
    same_result(lambda m: sorted(getattr(m.nn, name)(weight=m.from_numpy(weight.copy())).state_dict().keys()))
    module = getattr(ember.nn, name)(weight=ember.from_numpy(weight.copy()))
    assert [n for n, _ in module.named_buffers()] == ["weight"]
    assert getattr(ember.nn, name)().weight is None
    assert list(getattr(ember.nn, name)().parameters()) == []


def test_weighted_module_values():
    weight = positive(3)
    parity(lambda m, x, t, **kw: m.nn.CrossEntropyLoss(weight=kw["w"], reduction="mean")(x, t), randn(6, 3),
           randint(0, 3, 6), w=weight)
    parity(lambda m, x, t, **kw: m.nn.NLLLoss(weight=kw["w"], ignore_index=0)(x, t), randn(6, 3),
           randint(0, 3, 6), w=weight)
    parity(lambda m, x, y, **kw: m.nn.BCEWithLogitsLoss(weight=kw["w"], pos_weight=kw["pw"])(x, y), randn(4, 3),
           unit(4, 3), w=weight, pw=positive(3))


def test_bce_with_logits_module_buffers():
    module = ember.nn.BCEWithLogitsLoss(weight=ember.ones(3), pos_weight=ember.ones(3))
    assert list(module.state_dict().keys()) == ["weight", "pos_weight"]
    assert module.pos_weight.shape == (3,)


@pytest.mark.parametrize("name, kwargs", [("TripletMarginLoss", {"margin": -1.0}),
                                          ("TripletMarginWithDistanceLoss", {"margin": 0.0}),
                                          ("MultiMarginLoss", {"p": 3})])
def test_module_constructor_errors(name, kwargs):
    same_error(lambda m: getattr(m.nn, name)(**kwargs))
    same_error(lambda m, w: m.nn.MultiMarginLoss(weight=w), np.ones((2, 2)))


def test_modules_reject_unknown_reduction_on_call():
    same_error(lambda m, x, y: m.nn.MSELoss(reduction="avg")(x, y), randn(3), randn(3))
    same_error(lambda m, x, t: m.nn.CrossEntropyLoss(reduction="avg")(x, t), randn(3, 2), randint(0, 2, 3))


EDGE_CASES = [
    ("bce_empty", lambda m, x, y: m.nn.functional.binary_cross_entropy(x, y), np.zeros((0, 3)), np.zeros((0, 3))),
    ("bce_logits_empty", lambda m, x, y: m.nn.functional.binary_cross_entropy_with_logits(x, y), np.zeros((0, 3)),
     np.zeros((0, 3))),
    ("multilabel_soft_empty", lambda m, x, y: m.nn.functional.multilabel_soft_margin_loss(x, y), np.zeros((0, 3)),
     np.zeros((0, 3))),
    ("gaussian_0dim", lambda m, x, y, v: m.nn.functional.gaussian_nll_loss(x, y, v), np.array(0.3), np.array(0.1),
     np.array(0.5)),
    ("poisson_empty", lambda m, x, y: m.nn.functional.poisson_nll_loss(x, y), np.zeros(0), np.zeros(0)),
    ("multi_margin_0dim", lambda m, x, t: m.nn.functional.multi_margin_loss(x, t), np.array(0.3), np.array(0)),
    ("cosine_embedding_zero_vector", lambda m, a, b, t: m.nn.functional.cosine_embedding_loss(a, b, t),
     np.zeros((2, 3)), randn(2, 3), np.array([1, -1])),
    ("nll_ignored_out_of_range", lambda m, x, t: m.nn.functional.nll_loss(x, t, ignore_index=7), randn(3, 4),
     np.array([7, 1, 2])),
    ("triplet_empty", lambda m, a, b, c: m.nn.functional.triplet_margin_loss(a, b, c), np.zeros((0, 3)),
     np.zeros((0, 3)), np.zeros((0, 3))),
]


@pytest.mark.parametrize("name, fn, arrays", [(c[0], c[1], c[2:]) for c in EDGE_CASES], ids=[c[0] for c in EDGE_CASES])
def test_edge_cases(name, fn, arrays):
    parity(fn, *arrays)


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_cross_entropy_half_precision(smoothing):
    parity(lambda m, x, t: m.nn.functional.cross_entropy(x, t, reduction="none", label_smoothing=smoothing),
           randn(4, 3).astype(np.float16), np.array([0, 1, 2, 1]), rtol=2e-3, atol=2e-3)
