"""Parity of the distance functions (torch.* and nn.functional) and their modules with PyTorch."""

import numpy as np
import pytest
from helpers import check_grad, noncontiguous, parity, randint, randn, same_error, same_result, torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember
import ember.nn.functional as F


@pytest.mark.parametrize("namespace", ["torch", "functional"])
@pytest.mark.parametrize("shapes, dim", [(((3, 4), (3, 4)), 1), (((3, 4), (4,)), -1), (((2, 1, 4), (3, 1)), 0),
                                         (((5,), (5,)), 0), (((0, 3), (0, 3)), 1), (((3, 0), (3, 0)), 1)])
def test_cosine_similarity(namespace, shapes, dim):
    def fn(m, a, b):
        space = m if namespace == "torch" else m.nn.functional
        return space.cosine_similarity(a, b, dim=dim)
    parity(fn, randn(*shapes[0]), randn(*shapes[1]))


def test_cosine_similarity_eps_zero_vectors_and_layout():
    zeros = np.zeros((2, 3))
    parity(lambda m, a, b: m.cosine_similarity(a, b), zeros, randn(2, 3))
    parity(lambda m, a, b: m.cosine_similarity(a, b, eps=0.5), randn(4, 3) * 0.1, randn(4, 3))
    parity(lambda m, a, b: m.cosine_similarity(a, b), noncontiguous(randn(3, 4)), randn(3, 4))
    parity(lambda m, a, b: m.cosine_similarity(a, b), randn(3, 4).astype(np.float32), randn(3, 4))
    parity(lambda m, a, b: m.cosine_similarity(a, b, 0), randint(0, 3, 4).astype(np.float32), randint(0, 3, 4),
           rtol=1e-5)


def test_cosine_similarity_errors():
    same_error(lambda m, a, b: m.cosine_similarity(a, b), randn(3, 4), randn(3, 5), match="must match")
    same_error(lambda m, a, b: m.cosine_similarity(a, b, dim=2), randn(3, 4), randn(4), match="out of range")
    same_error(lambda m, a, b: m.cosine_similarity(a, b, dim=0), randint(0, 3, 2), randint(0, 3, 2),
               match="expected common dtype to be floating point")
    same_error(lambda m, a, b: m.cosine_similarity(a.tolist(), b), randn(2), randn(2))


@pytest.mark.parametrize("p", [1.0, 2.0, 3.0, 0.5, float("inf"), 0.0])
@pytest.mark.parametrize("keepdim", [False, True])
def test_pairwise_distance(p, keepdim):
    parity(lambda m, a, b: m.pairwise_distance(a, b, p=p, keepdim=keepdim), randn(4, 3), randn(4, 3))
    parity(lambda m, a, b: m.nn.functional.pairwise_distance(a, b, p, 1e-3, keepdim), randn(2, 4, 3), randn(3))


def test_pairwise_distance_shapes_and_dtypes():
    parity(lambda m, a, b: m.pairwise_distance(a, b), randn(5), randn(5))
    parity(lambda m, a, b: m.pairwise_distance(a, b), np.array(1.0), np.array(3.0))
    parity(lambda m, a, b: m.pairwise_distance(a, b), randn(0, 3), randn(0, 3))
    parity(lambda m, a, b: m.pairwise_distance(a, b), randn(3, 4).astype(np.float32), randn(3, 4))
    parity(lambda m, a, b: m.pairwise_distance(a, b), randint(0, 3, 3, 4), randint(0, 3, 3, 4))
    parity(lambda m, a, b: m.pairwise_distance(a, b), noncontiguous(randn(3, 4)), randn(3, 4))
    same_error(lambda m, a, b: m.pairwise_distance(a, b), randn(3, 4), randn(5))


@pytest.mark.parametrize("p", [1.0, 2.0, 3.0, 0.0, float("inf")])
def test_pdist(p):
    parity(lambda m, x: m.pdist(x, p), randn(5, 3))
    parity(lambda m, x: m.nn.functional.pdist(x, p=p), noncontiguous(randn(4, 3)))


def test_pdist_edges_and_errors():
    parity(lambda m, x: m.pdist(x), randn(1, 4))
    parity(lambda m, x: m.pdist(x), randn(4, 0))
    parity(lambda m, x: m.pdist(x), randn(3, 2).astype(np.float32))
    same = np.array([[1.0, 2.0], [1.0, 2.0], [0.0, 1.0]])       # a zero distance: gradient 0 there, as PyTorch's
    parity(lambda m, x: m.pdist(x), same)
    same_error(lambda m, x: m.pdist(x), randn(3, 4, 2), match="pdist only supports 2D tensors, got: 3D")
    same_error(lambda m, x: m.pdist(x), randn(3), match="got: 1D")
    same_error(lambda m, x: m.pdist(x, -1.0), randn(3, 4), match="non-negative p")
    same_error(lambda m, x: m.pdist(x), randint(0, 3, 3, 4), match="floating-point")


@settings(max_examples=25, deadline=None)
@given(x=hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, max_side=5),
                    elements=st.floats(-3, 3)), p=st.sampled_from([1.0, 2.0, 3.0]))
def test_pdist_property(x, p):
    parity(lambda m, t: m.pdist(t, p), x, grad=False)


@pytest.mark.parametrize("p, dim", [(2.0, 1), (1.0, 0), (3.0, -1), (float("inf"), 1)])
def test_normalize(p, dim):
    parity(lambda m, x: m.nn.functional.normalize(x, p=p, dim=dim), randn(3, 4))
    parity(lambda m, x: m.nn.functional.normalize(x, p=p, dim=dim), noncontiguous(randn(3, 4)))
    parity(lambda m, x: m.nn.functional.normalize(x, p, dim, eps=10.0), randn(3, 4))


def test_normalize_shapes_and_out():
    parity(lambda m, x: m.nn.functional.normalize(x, dim=0), randn(5))
    parity(lambda m, x: m.nn.functional.normalize(x), np.zeros((2, 3)))
    parity(lambda m, x: m.nn.functional.normalize(x), randn(0, 3))
    parity(lambda m, x: m.nn.functional.normalize(x), randn(2, 3).astype(np.float32))
    same_result(lambda m: m.nn.functional.normalize(m.tensor([[3.0, 4.0]]), out=m.empty(1, 2)))
    same_error(lambda m, x: m.nn.functional.normalize(x, dim=2), randn(3, 4))


@pytest.mark.parametrize("p", [1.0, 2.0, 3.0])
def test_distance_finite_differences(p):
    check_grad(lambda a, b: ember.cosine_similarity(a, b), randn(3, 4), randn(3, 4))
    check_grad(lambda a, b: ember.pairwise_distance(a, b, p), randn(3, 4), randn(3, 4))
    check_grad(lambda x: ember.pdist(x, p), randn(4, 3))
    check_grad(lambda x: F.normalize(x, p, 0), randn(3, 2))


@pytest.mark.parametrize("name, options", [("CosineSimilarity", {}), ("CosineSimilarity", {"dim": 0, "eps": 1e-3}),
                                           ("PairwiseDistance", {}),
                                           ("PairwiseDistance", {"p": 1.0, "eps": 0.0, "keepdim": True})])
def test_distance_modules(name, options):
    parity(lambda m, a, b: getattr(m.nn, name)(**options)(a, b), randn(3, 4), randn(3, 4))
    ours, theirs = getattr(ember.nn, name)(**options), getattr(torch.nn, name)(**options)
    assert repr(ours) == repr(theirs)
    for key in ("dim", "eps", "norm", "keepdim"):
        assert getattr(ours, key, None) == getattr(theirs, key, None)
    assert list(ours.state_dict()) == []
