"""Embeddings against torch: F.embedding / torch.embedding (padding_idx, max_norm, scale_grad_by_freq),
F.embedding_bag / torch.embedding_bag (modes, offsets, weights, padding), F.one_hot, and the Embedding and
EmbeddingBag layers (init, from_pretrained, reprs)."""

import numpy as np
import pytest
from helpers import assert_close, check_grad, noncontiguous, parity, randint, randn, requires_torch, same_error, torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember

pytestmark = requires_torch


def F(m):
    return m.nn.functional


def _index(m, array):
    return m.tensor(array)


# ----------------------------------------------------------------------------- embedding

@pytest.mark.parametrize("index_shape", [(5,), (2, 3), (), (0,), (2, 0, 3)])
@pytest.mark.parametrize("options", [{}, {"padding_idx": 3}, {"padding_idx": -2}, {"scale_grad_by_freq": True},
                                     {"padding_idx": 0, "scale_grad_by_freq": True}])
def test_embedding(index_shape, options):
    index = randint(0, 8, *index_shape)
    index.reshape(-1)[:2] = 3            # repeated indices (and the padding row) get used
    parity(lambda m, w: F(m).embedding(_index(m, index), w, **options), randn(8, 4))


def test_embedding_float32_int32_noncontiguous_weight():
    index = randint(0, 6, 3, 4).astype(np.int32)
    parity(lambda m, w: F(m).embedding(_index(m, index), w), noncontiguous(randn(6, 5).astype(np.float32)))
    parity(lambda m, w: F(m).embedding(_index(m, index).t(), w), randn(6, 2))


def test_torch_embedding():
    index = randint(0, 7, 4, 2)
    parity(lambda m, w: m.embedding(w, _index(m, index)), randn(7, 3))
    parity(lambda m, w: m.embedding(w, _index(m, index), 2, True, False), randn(7, 3))
    parity(lambda m, w: m.embedding(w, _index(m, index), -1), randn(7, 3))


def test_embedding_finite_differences():
    index = ember.tensor([[1, 2, 1], [0, 4, 1]])
    check_grad(lambda w: F(ember).embedding(index, w), randn(5, 3))
    check_grad(lambda w: ember.embedding(w, index.t()), randn(5, 3))


def test_embedding_double_backward_matches_torch():
    index = randint(0, 5, 6)

    def run(m, w, v):
        y = F(m).embedding(_index(m, index), w, padding_idx=2, scale_grad_by_freq=True)
        (g,) = m.autograd.grad((y * v).sum(), w, create_graph=True)
        return g * w
    parity(run, randn(5, 3), randn(6, 3))


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.5])
def test_embedding_max_norm_renormalises_used_rows_in_place(norm_type):
    weight = randn(10, 4) * 3
    index = np.array([[1, 2, 4], [4, 3, 9]])
    results = {}
    for lib in (ember, torch):
        w = lib.tensor(weight, requires_grad=True)
        out = F(lib).embedding(lib.tensor(index), w, max_norm=1.5, norm_type=norm_type)
        out.sum().backward()
        results[lib] = (w.detach().numpy().copy(), out.detach().numpy(), w.grad.numpy())
    for e, t in zip(results[ember], results[torch]):
        np.testing.assert_allclose(e, t, rtol=1e-6, atol=1e-7)
    renormed = results[ember][0]
    used = np.unique(index)
    norms = np.linalg.norm(renormed[used], ord=norm_type, axis=1)
    assert np.all(norms <= 1.5 + 1e-6)
    unused = np.setdiff1d(np.arange(10), used)
    np.testing.assert_array_equal(renormed[unused], weight[unused])


def test_embedding_renorm_function_and_version():
    w = ember.full((3, 2), 3.0)
    version = w._version
    out = ember.embedding_renorm_(w, ember.tensor([0, 0, 2]), 1.0, 2.0)
    assert out is w and w._version > version
    np.testing.assert_allclose(w.numpy()[[0, 2]], np.sqrt(0.5), rtol=1e-6)
    assert w.numpy()[1].tolist() == [3.0, 3.0]
    same_error(lambda m, t: m.embedding_renorm_(t.requires_grad_(), m.tensor([0]), 1.0, 2.0), randn(3, 2))


def test_embedding_errors():
    w = randn(10, 3)
    same_error(lambda m, t: F(m).embedding(m.tensor([1.0]), t), w)
    same_error(lambda m, t: F(m).embedding(m.tensor([10]), t), w)
    same_error(lambda m, t: F(m).embedding(m.tensor([-1]), t), w)
    same_error(lambda m, t: F(m).embedding(m.tensor([1]), t, padding_idx=10), w)
    same_error(lambda m, t: F(m).embedding(m.tensor([1]), t, padding_idx=-11), w)
    same_error(lambda m, t: m.embedding(t[0], m.tensor([1])), w)
    same_error(lambda m, t: m.embedding(t, m.tensor([1.5])), w)
    same_error(lambda m, t: m.embedding(t.numpy(), m.tensor([1])), w)
    with pytest.raises(NotImplementedError, match="sparse"):
        F(ember).embedding(ember.tensor([1]), ember.ones(3, 2), sparse=True)


# ----------------------------------------------------------------------------- embedding_bag

INDICES = np.array([1, 2, 4, 5, 4, 3, 2, 9])
BAGS = [([0, 4, 4], False), ([0, 3, 8], True), ([0], False), ([0, 0, 2, 8], False), ([0, 8], True), ([0, 5], False)]


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("offsets,include_last", BAGS)
@pytest.mark.parametrize("padding_idx", [None, 4, -1])
def test_embedding_bag_1d(mode, offsets, include_last, padding_idx):
    parity(lambda m, w: F(m).embedding_bag(_index(m, INDICES), w, _index(m, np.array(offsets)), mode=mode,
                                           include_last_offset=include_last, padding_idx=padding_idx), randn(10, 3))


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_2d_float32_and_int32(mode):
    index = randint(0, 6, 4, 3).astype(np.int32)
    parity(lambda m, w: F(m).embedding_bag(_index(m, index), w, mode=mode), randn(6, 5).astype(np.float32))
    parity(lambda m, w: F(m).embedding_bag(_index(m, index), w, mode=mode, padding_idx=2), randn(6, 5))
    same_error(lambda m, w: F(m).embedding_bag(_index(m, np.zeros((3, 0), np.int64)), w, mode=mode), randn(6, 5))


@pytest.mark.parametrize("mode", ["sum", "mean"])
def test_embedding_bag_scale_grad_by_freq(mode):
    """Each row's gradient is divided by how often its index occurs in the whole input. (PyTorch 2.13's CPU kernel
    applies the counts to the wrong rows, e.g. index 4 twice gets 2.0 in sum mode, so this checks the definition.)"""
    weight = ember.ones(10, 1, dtype=ember.float64, requires_grad=True)
    out = F(ember).embedding_bag(ember.tensor(INDICES), weight, ember.tensor([0, 3]), mode=mode,
                                 scale_grad_by_freq=True)
    out.sum().backward()
    counts = np.bincount(INDICES, minlength=10)
    bag_sizes = np.array([3, 5])
    share = 1 / bag_sizes[(np.arange(8) >= 3).astype(int)] if mode == "mean" else np.ones(8)
    expected = np.zeros(10)
    np.add.at(expected, INDICES, share / counts[INDICES])
    np.testing.assert_allclose(weight.grad.numpy()[:, 0], expected)
    parity(lambda m, w: F(m).embedding_bag(_index(m, np.array([1, 2, 3, 4])), w, _index(m, np.array([0, 2])),
                                           mode=mode, scale_grad_by_freq=True), randn(5, 2))   # no repeats: equal


def test_embedding_bag_per_sample_weights():
    def run(m, w, psw):
        return F(m).embedding_bag(_index(m, INDICES), w, _index(m, np.array([0, 3, 3])), mode="sum",
                                  per_sample_weights=psw, padding_idx=2)
    parity(run, randn(10, 3), randn(8))
    index = randint(0, 5, 3, 4)
    parity(lambda m, w, psw: F(m).embedding_bag(_index(m, index), w, mode="sum", per_sample_weights=psw),
           randn(5, 2), randn(3, 4))
    check_grad(lambda w, psw: ember.nn.functional.embedding_bag(ember.tensor(INDICES), w, ember.tensor([0, 3]),
                                                                mode="sum", per_sample_weights=psw),
               randn(10, 2), randn(8))


def test_embedding_bag_max_norm_and_finite_differences():
    weight = randn(10, 3) * 3
    results = {}
    for lib in (ember, torch):
        w = lib.tensor(weight)
        out = F(lib).embedding_bag(lib.tensor(INDICES), w, lib.tensor([0, 4]), max_norm=1.0)
        results[lib] = (w.numpy().copy(), out.numpy())
    for e, t in zip(results[ember], results[torch]):
        np.testing.assert_allclose(e, t, rtol=1e-6, atol=1e-7)
    offsets = ember.tensor([0, 3, 3])
    for mode in ("sum", "mean", "max"):
        check_grad(lambda w, mode=mode: F(ember).embedding_bag(ember.tensor(INDICES), w, offsets, mode=mode),
                   randn(10, 3))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=0, max_size=12), st.lists(st.integers(0, 12), min_size=1, max_size=4),
       st.sampled_from(["sum", "mean", "max"]))
def test_embedding_bag_property(indices, cuts, mode):
    offsets = np.array([0] + sorted(min(c, len(indices)) for c in cuts[1:]))
    parity(lambda m, w: F(m).embedding_bag(_index(m, np.array(indices, dtype=np.int64)), w,
                                           _index(m, offsets), mode=mode), randn(7, 2))


def test_torch_embedding_bag_output():
    for mode in (0, 1, 2):
        def run(m, w, mode=mode):
            return m.embedding_bag(w, _index(m, INDICES), _index(m, np.array([0, 4, 4])), False, mode)[0]
        parity(run, randn(10, 3))
    out = ember.embedding_bag(ember.eye(10), ember.tensor(INDICES), ember.tensor([0, 4, 4]), False, 1)
    assert len(out) == 4
    assert out[2].tolist() == [4, 0, 4] and out[1].tolist() == [0, 0, 0, 0, 2, 2, 2, 2]


def test_embedding_bag_errors():
    w = randn(10, 3)
    index = ember.tensor(INDICES)

    def bag(m, t, offsets, **kw):
        return F(m).embedding_bag(_index(m, INDICES), t, None if offsets is None else m.tensor(offsets), **kw)
    same_error(lambda m, t: bag(m, t, [1, 4]), w)
    same_error(lambda m, t: bag(m, t, [0, 9]), w)
    same_error(lambda m, t: bag(m, t, None), w)
    same_error(lambda m, t: bag(m, t, [[0, 4]]), w)
    same_error(lambda m, t: bag(m, t, [0.0, 4.0]), w)
    same_error(lambda m, t: bag(m, t, [0, 4], mode="median"), w)
    same_error(lambda m, t: bag(m, t, [0, 4], mode="max", scale_grad_by_freq=True), w)
    same_error(lambda m, t: bag(m, t, [0, 4], mode="mean", per_sample_weights=m.ones(8, dtype=m.float64)), w)
    same_error(lambda m, t: bag(m, t, [0, 4], mode="sum", per_sample_weights=m.ones(7, dtype=m.float64)), w)
    same_error(lambda m, t: bag(m, t, [0, 4], mode="sum", per_sample_weights=m.ones(8)), w)
    same_error(lambda m, t: bag(m, t, [0, 4], padding_idx=10), w)
    same_error(lambda m, t: bag(m, t[0], [0, 4]), w)
    same_error(lambda m, t: F(m).embedding_bag(m.tensor([[1, 2]]), t, m.tensor([0])), w)
    same_error(lambda m, t: F(m).embedding_bag(m.zeros(1, 2, 2, dtype=m.int64), t), w)
    same_error(lambda m, t: F(m).embedding_bag(m.tensor([10]), t, m.tensor([0])), w)
    with pytest.raises(NotImplementedError, match="sparse"):
        F(ember).embedding_bag(index, ember.ones(10, 2), ember.tensor([0]), sparse=True)
    with pytest.warns(UserWarning, match="Argument order"):
        swapped = F(ember).embedding_bag(ember.ones(10, 2), index, ember.tensor([0, 4]))
    assert swapped.shape == (2, 2)


# ----------------------------------------------------------------------------- one_hot

def test_one_hot():
    parity(lambda m: F(m).one_hot(m.tensor([0, 2, 1, 2])), grad=False)
    parity(lambda m: F(m).one_hot(m.tensor([[0, 2], [1, 1]]), 4), grad=False)
    parity(lambda m: F(m).one_hot(m.tensor(2), 4), grad=False)
    parity(lambda m: F(m).one_hot(m.tensor([], dtype=m.int64), 3), grad=False)
    parity(lambda m: F(m).one_hot(m.zeros(2, 0, dtype=m.int64), 2), grad=False)
    for call in (lambda m: F(m).one_hot(m.tensor([1, 2]), 2), lambda m: F(m).one_hot(m.tensor([-1, 2])),
                 lambda m: F(m).one_hot(m.tensor([1.0, 2.0])), lambda m: F(m).one_hot(m.tensor([1, 2]).int()),
                 lambda m: F(m).one_hot(m.tensor([], dtype=m.int64)), lambda m: F(m).one_hot(m.tensor([1]), -2),
                 lambda m: F(m).one_hot(m.tensor([1]), 0), lambda m: F(m).one_hot(m.tensor([1]), 3.0)):
        same_error(call)


# ----------------------------------------------------------------------------- layers

def _copy_parameters(ember_module, torch_module):
    state = {k: ember.tensor(v.detach().numpy().copy()) for k, v in torch_module.state_dict().items()}
    ember_module.load_state_dict(state)


def layer_parity(make, call, rtol=1e-6, atol=1e-6):
    """The layer in both libraries with torch's weights: repr, output of ``call(layer, m)`` and weight gradient."""
    layers = {ember: make(ember), torch: make(torch)}
    _copy_parameters(layers[ember], layers[torch])
    assert repr(layers[ember]) == repr(layers[torch])
    outputs = {}
    for lib, layer in layers.items():
        out = call(layer, lib)
        out.backward(lib.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)), dtype=out.dtype))
        outputs[lib] = out
    assert_close(outputs[ember], outputs[torch], rtol, atol)
    assert_close(layers[ember].weight.grad, layers[torch].weight.grad, rtol, atol, what="weight gradient")


@pytest.mark.parametrize("kwargs", [{}, {"padding_idx": 2}, {"padding_idx": -1, "max_norm": 1.0},
                                    {"norm_type": 1.0, "max_norm": 2.0}, {"scale_grad_by_freq": True}])
def test_embedding_layer(kwargs):
    index = np.array([[1, 2, 4, 5], [4, 3, 2, 9]])
    layer_parity(lambda m: m.nn.Embedding(10, 3, **kwargs), lambda layer, m: layer(m.tensor(index)))


@pytest.mark.parametrize("kwargs", [{}, {"mode": "sum", "padding_idx": 2}, {"mode": "max"},
                                    {"max_norm": 1.0, "norm_type": 1.5}, {"mode": "sum", "include_last_offset": True}])
def test_embedding_bag_layer(kwargs):
    def call(layer, m):
        return layer(m.tensor(INDICES), m.tensor([0, 3, 8] if kwargs.get("include_last_offset") else [0, 3]))
    layer_parity(lambda m: m.nn.EmbeddingBag(10, 3, **kwargs), call)
    layer_parity(lambda m: m.nn.EmbeddingBag(10, 3, mode="sum"),
                 lambda layer, m: layer(m.tensor(INDICES), m.tensor([0, 3]), m.tensor(np.linspace(0, 1, 8),
                                                                                      dtype=m.float32)))


def test_embedding_layer_initialisation():
    ember.manual_seed(0)
    layer = ember.nn.Embedding(2000, 50, padding_idx=7)
    values = layer.weight.detach().numpy()
    assert np.all(values[7] == 0)
    others = np.delete(values, 7, axis=0)
    assert abs(others.mean()) < 0.01 and abs(others.std() - 1) < 0.01
    layer.weight.data.fill_(5.0)
    layer.reset_parameters()
    assert np.all(layer.weight.detach().numpy()[7] == 0) and layer.weight.detach().numpy().std() > 0.9
    bag = ember.nn.EmbeddingBag(1000, 20, padding_idx=-1)
    assert bag.padding_idx == 999 and np.all(bag.weight.detach().numpy()[999] == 0)
    assert ember.nn.Embedding(3, 2, dtype=ember.float64).weight.dtype is ember.float64
    assert not ember.nn.Embedding(3, 2, _freeze=True).weight.requires_grad


def test_from_pretrained():
    table = randn(4, 3).astype(np.float32)
    for lib in (ember, torch):
        weights = lib.tensor(table)
        frozen = lib.nn.Embedding.from_pretrained(weights)
        assert not frozen.weight.requires_grad and frozen.weight.shape == (4, 3)
        trainable = lib.nn.Embedding.from_pretrained(weights, freeze=False, padding_idx=1)
        assert trainable.weight.requires_grad and trainable.padding_idx == 1
        np.testing.assert_array_equal(trainable(lib.tensor([2])).detach().numpy(), table[[2]])
        bag = lib.nn.EmbeddingBag.from_pretrained(weights, mode="max")
        assert not bag.weight.requires_grad and bag.mode == "max"
        assert lib.nn.EmbeddingBag.from_pretrained(weights, freeze=False).weight.requires_grad
    assert repr(ember.nn.Embedding.from_pretrained(ember.tensor(table), max_norm=2.0)) == \
        repr(torch.nn.Embedding.from_pretrained(torch.tensor(table), max_norm=2.0))
    same_error(lambda m: m.nn.Embedding.from_pretrained(m.ones(3)))
    same_error(lambda m: m.nn.EmbeddingBag.from_pretrained(m.ones(3)))
    same_error(lambda m: m.nn.Embedding(3, 2, _weight=m.ones(2, 2)))
    same_error(lambda m: m.nn.Embedding(3, 2, padding_idx=3))
    same_error(lambda m: m.nn.EmbeddingBag(3, 2, padding_idx=-4))


def test_layer_reprs():
    for args, kwargs in [((10, 3), {}), ((10, 3), {"padding_idx": 0, "sparse": True, "norm_type": 3.0}),
                         ((10, 3), {"scale_grad_by_freq": True, "max_norm": 2})]:
        assert repr(ember.nn.Embedding(*args, **kwargs)) == repr(torch.nn.Embedding(*args, **kwargs))
    for kwargs in [{}, {"mode": "max", "norm_type": 1.0}, {"scale_grad_by_freq": True, "padding_idx": 3}]:
        assert repr(ember.nn.EmbeddingBag(10, 3, **kwargs)) == repr(torch.nn.EmbeddingBag(10, 3, **kwargs))


@pytest.mark.parametrize("rows,count,repeats", [(50, 40, 1), (50, 200, 3), (30, 400, 40), (5000, 1200, 40)])
def test_gradient_scatter_with_repeated_indices(rows, count, repeats):
    """Rounds of fancy-index adds, a one-hot product, or add.at: each gives the same sums as torch."""
    index = randint(0, rows, count)
    index[: repeats] = 7
    parity(lambda m, w: F(m).embedding(_index(m, index), w), randn(rows, 3))
    parity(lambda m, w: F(m).embedding(_index(m, index.reshape(-1, 2)), w), randn(rows, 2).astype(np.float32),
           rtol=1e-5, atol=1e-5)
