"""Parity of the losses and distances PyTorch exposes as torch.* (reduction given as its enum: 0, 1, 2)."""

import numpy as np
import pytest
from helpers import parity, positive, randint, randn, same_error

import ember


def unit(*shape):
    """Values strictly inside (0, 1)."""
    return 0.05 + 0.9 * (randn(*shape) ** 2 % 1)


def signs(*shape):
    return np.where(randint(0, 2, *shape) == 1, 1.0, -1.0)


NAMES = ["binary_cross_entropy_with_logits", "cosine_embedding_loss", "hinge_embedding_loss", "kl_div",
         "margin_ranking_loss", "poisson_nll_loss", "triplet_margin_loss", "cosine_similarity", "pairwise_distance",
         "pdist"]


def test_names_are_in_the_ops_namespace():
    for name in NAMES:
        assert callable(getattr(ember, name))
        assert name in ember.ops.__all__


@pytest.mark.parametrize("reduction", [0, 1, 2])
def test_torch_namespace_losses(reduction):
    parity(lambda m, x, y: m.binary_cross_entropy_with_logits(x, y, None, None, reduction), randn(3, 4),
           unit(3, 4))
    parity(lambda m, x, y, **kw: m.binary_cross_entropy_with_logits(x, y, reduction=reduction, **kw),
           randn(3, 4), unit(3, 4), weight=positive(4), pos_weight=positive(4))
    parity(lambda m, a, b, t: m.cosine_embedding_loss(a, b, t, 0.1, reduction), randn(4, 3), randn(4, 3),
           signs(4))
    parity(lambda m, x, t: m.hinge_embedding_loss(x, t, 0.5, reduction), randn(5), signs(5))
    parity(lambda m, x, y: m.kl_div(x, y, reduction, log_target=True), randn(3, 4), randn(3, 4))
    parity(lambda m, a, b, t: m.margin_ranking_loss(a, b, t, 0.2, reduction), randn(5), randn(5), signs(5))
    parity(lambda m, x, y: m.poisson_nll_loss(x, y, True, True, 1e-8, reduction), randn(5), positive(5) * 2)
    parity(lambda m, a, b, c: m.triplet_margin_loss(a, b, c, 1.0, 2.0, 1e-6, True, reduction), randn(4, 3),
           randn(4, 3), randn(4, 3))
    same_error(lambda m, x, y: m.kl_div(x, y, "sum"), randn(3), positive(3))
    same_error(lambda m, x, y: m.kl_div(x, y.tolist(), reduction), randn(3), positive(3))




@pytest.mark.parametrize("name, arguments", [
    ("binary_cross_entropy_with_logits", 2), ("hinge_embedding_loss", 2), ("kl_div", 2),
    ("cosine_embedding_loss", 3), ("margin_ranking_loss", 3), ("triplet_margin_loss", 3)])
def test_non_tensor_arguments_raise_type_error(name, arguments):
    same_error(lambda m, *xs: getattr(m, name)(*xs[:-1], xs[-1].tolist()), *([randn(3)] * arguments))


def test_poisson_nll_loss_needs_every_argument():
    same_error(lambda m, x, y: m.poisson_nll_loss(x, y), randn(3), positive(3))


def test_default_reduction_is_mean():
    parity(lambda m, x, t: m.hinge_embedding_loss(x, t), randn(4), signs(4))
    parity(lambda m, x, y: m.kl_div(x, y), randn(4), positive(4))
    parity(lambda m, a, b, c: m.triplet_margin_loss(a, b, c), randn(2, 3), randn(2, 3), randn(2, 3))
