"""F.scaled_dot_product_attention, F.multi_head_attention_forward and nn.MultiheadAttention against PyTorch:
values and gradients over drawn shapes and options, both kinds of masks, fully masked rows, dropout,
finite differences, state_dicts both ways, warnings and errors."""

import warnings

import numpy as np
import pytest
from helpers import check_grad, noncontiguous, parity, randn, same_error, to_numpy, torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
import ember.nn.functional as F

pytestmark = pytest.mark.skipif(torch is None, reason="PyTorch (the parity oracle) is not installed")


def _f(m):
    """The functional namespace of library ``m``."""
    return m.nn.functional


def _rng(seed):
    return np.random.default_rng(seed)


# ----------------------------------------------------------------------------- scaled_dot_product_attention

def _mask_shape(rng, scores_shape):
    """A shape that broadcasts to ``scores_shape`` without enlarging it: trailing dims, some of them 1."""
    keep = rng.integers(2, len(scores_shape) + 1)
    return tuple(s if rng.random() < 0.7 else 1 for s in scores_shape[-keep:])


def _mask(rng, kind, shape):
    if kind == "bool":
        return rng.random(shape) < 0.7
    bias = rng.standard_normal(shape)
    bias[rng.random(shape) < 0.2] = -np.inf
    return bias


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2 ** 31), batch_q=st.lists(st.integers(1, 3), max_size=2),
       lengths=st.tuples(st.integers(1, 5), st.integers(1, 5)),
       features=st.tuples(st.integers(1, 6), st.integers(1, 5)),
       kind=st.sampled_from([None, "bool", "float", "causal"]), scale=st.sampled_from([None, 0.3, 2.0]))
def test_sdpa_matches_torch_over_shapes_and_masks(seed, batch_q, lengths, features, kind, scale):
    rng = _rng(seed)
    (length, source), (e, ev) = lengths, features
    batch_q = tuple(batch_q)
    batch_k = tuple(1 if rng.random() < 0.3 else b for b in batch_q)    # key batch broadcasts
    q = rng.standard_normal(batch_q + (length, e))
    k = rng.standard_normal(batch_k + (source, e))
    v = rng.standard_normal(batch_k + (source, ev))
    kwargs = {"scale": scale, "is_causal": kind == "causal"}
    if kind in ("bool", "float"):
        mask = _mask(rng, kind, _mask_shape(rng, batch_q + (length, source)))
        parity(lambda m, q, k, v, mask: _f(m).scaled_dot_product_attention(q, k, v, mask, **kwargs), q, k, v, mask)
    else:
        parity(lambda m, q, k, v: _f(m).scaled_dot_product_attention(q, k, v, **kwargs), q, k, v)


def test_sdpa_positional_arguments_and_keyword_only_scale():
    q, k, v = randn(2, 3, 8), randn(2, 5, 8), randn(2, 5, 4)
    mask = randn(3, 5)
    parity(lambda m, q, k, v, mask: _f(m).scaled_dot_product_attention(q, k, v, mask, 0.0, False), q, k, v, mask)
    same_error(lambda m, q, k, v: _f(m).scaled_dot_product_attention(q, k, v, None, 0.0, False, 0.5), q, k, v)


def test_sdpa_non_square_causal_mask_is_aligned_at_the_upper_left():
    q, k, v = randn(2, 4, 3), randn(2, 6, 3), randn(2, 6, 2)
    out = parity(lambda m, q, k, v: _f(m).scaled_dot_product_attention(q, k, v, is_causal=True), q, k, v)
    np.testing.assert_allclose(to_numpy(out)[:, 0], v[:, 0])      # the first query sees the first key only


def test_sdpa_broadcasts_batch_dimensions_of_query_key_and_value():
    q, k, v = randn(3, 4, 8), randn(2, 1, 5, 8), randn(1, 3, 5, 6)
    out = parity(lambda m, q, k, v: _f(m).scaled_dot_product_attention(q, k, v), q, k, v)
    assert out.shape == (2, 3, 4, 6)
    for mask in (np.array([True, False, True, True, True]), randn(5), randn(), randn(1)):
        parity(lambda m, q, k, v, mask: _f(m).scaled_dot_product_attention(q, k, v, attn_mask=mask),
               randn(2, 3, 4), randn(2, 5, 4), randn(2, 5, 2), mask)
    parity(lambda m, q, k, v, mask: _f(m).scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=1e-9),
           randn(2, 1, 3, 4), randn(2, 1, 5, 4), randn(2, 1, 5, 2), randn(5))


def test_sdpa_scores_in_blocks_of_rows(monkeypatch):
    # The scores are made a few leading rows at a time; small blocks here, with masks that do and do not
    # have the leading dimension, and a query that broadcasts along it.
    from ember.nn.functional import attention
    monkeypatch.setattr(attention, "_BLOCK_ELEMENTS", 40)
    q, k, v = randn(5, 2, 3, 4), randn(5, 2, 6, 4), randn(5, 2, 6, 2)
    for mask in (randn(5, 1, 3, 6), randn(1, 2, 1, 6), randn(3, 6), _mask(_rng(0), "bool", (5, 2, 3, 6))):
        parity(lambda m, q, k, v, mask: _f(m).scaled_dot_product_attention(q, k, v, attn_mask=mask), q, k, v, mask)
    parity(lambda m, q, k, v: _f(m).scaled_dot_product_attention(q, k, v, is_causal=True), q[:1], k, v)


def test_sdpa_noncontiguous_float32_inputs():
    q, k, v = (noncontiguous(randn(2, 3, n, 4).astype(np.float32)) for n in (5, 6, 6))
    parity(lambda m, q, k, v: _f(m).scaled_dot_product_attention(q, k, v), q, k, v, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("shapes", [((2, 0, 4), (2, 3, 4), (2, 3, 5)), ((2, 4, 4), (2, 0, 4), (2, 0, 5)),
                                    ((0, 3, 4), (0, 2, 4), (0, 2, 2)), ((3, 4), (5, 4), (5, 2))])
def test_sdpa_zero_size_and_unbatched(shapes):
    parity(lambda m, q, k, v: _f(m).scaled_dot_product_attention(q, k, v), *(randn(*s) for s in shapes))


def test_sdpa_grouped_query_attention():
    q, k, v = randn(2, 6, 4, 8), randn(2, 3, 5, 8), randn(2, 2, 5, 4)
    out = parity(lambda m, q, k, v: _f(m).scaled_dot_product_attention(q, k, v, enable_gqa=True), q, k, v)
    assert out.shape == (2, 6, 4, 4)
    parity(lambda m, q, k, v: _f(m).scaled_dot_product_attention(q, k, v, enable_gqa=True), q, q, q)


@pytest.mark.parametrize("kind", ["bool", "float"])
def test_sdpa_fully_masked_rows_give_zeros_and_zero_gradients(kind):
    mask = np.ones((4, 5), dtype=bool) if kind == "bool" else np.zeros((4, 5))
    if kind == "bool":
        mask[1] = False
    else:
        mask[1] = -np.inf
    q, k, v = randn(2, 4, 3), randn(2, 5, 3), randn(2, 5, 2)
    out = parity(lambda m, q, k, v: _f(m).scaled_dot_product_attention(q, k, v, attn_mask=m.from_numpy(mask)),
                 q, k, v)
    assert np.all(to_numpy(out)[:, 1] == 0) and np.isfinite(to_numpy(out)).all()
    query = ember.tensor(q, requires_grad=True)
    _f(ember).scaled_dot_product_attention(query, ember.tensor(k), ember.tensor(v),
                                           attn_mask=ember.from_numpy(mask)).sum().backward()
    assert np.all(query.grad.numpy()[:, 1] == 0)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_sdpa_half_precision_keeps_dtype(dtype):
    q, k, v = randn(2, 4, 8), randn(2, 5, 8), randn(2, 5, 3)
    mask = randn(4, 5)

    def run(m):
        to = [m.from_numpy(a).to(getattr(m, dtype)) for a in (q, k, v, mask)]
        return _f(m).scaled_dot_product_attention(*to[:3], attn_mask=to[3]).float()
    e, t = run(ember), run(torch)
    np.testing.assert_allclose(to_numpy(e), to_numpy(t), atol=0.03, rtol=0.03)
    assert _f(ember).scaled_dot_product_attention(*(ember.from_numpy(a).half() for a in (q, k, v))).dtype \
        is ember.float16


def test_sdpa_dropout_zeroes_and_rescales_weights_and_backward_uses_the_same_mask():
    # With the identity as values, the output is the (dropped-out) attention weights themselves.
    ember.manual_seed(0)
    q, k = ember.tensor(randn(64, 32, 8)), ember.tensor(randn(64, 32, 8))
    values = ember.eye(32, dtype=ember.float64).expand(64, 32, 32).contiguous().requires_grad_()
    weights = _f(ember).scaled_dot_product_attention(q, k, values)
    dropped = _f(ember).scaled_dot_product_attention(q, k, values, dropout_p=0.25)
    zero = dropped.detach().numpy() == 0
    assert 0.22 < zero.mean() < 0.28
    np.testing.assert_allclose(dropped.detach().numpy()[~zero], weights.detach().numpy()[~zero] / 0.75)
    cotangent = ember.tensor(randn(64, 32, 32))
    dropped.backward(cotangent)
    np.testing.assert_allclose(values.grad.numpy(), dropped.detach().numpy().swapaxes(-1, -2) @ cotangent.numpy())
    everything = _f(ember).scaled_dot_product_attention(q, k, values, dropout_p=1.0)
    assert not everything.detach().numpy().any()
    parity(lambda m, q, k, v: _f(m).scaled_dot_product_attention(q, k, v, dropout_p=1.0), randn(2, 3, 4),
           randn(2, 5, 4), randn(2, 5, 2))
    parity(lambda m, q, k, v: _f(m).scaled_dot_product_attention(q, k, v, dropout_p=-0.5), randn(2, 3, 4),
           randn(2, 5, 4), randn(2, 5, 2))


def test_sdpa_float_mask_gets_a_gradient_of_its_own_shape():
    parity(lambda m, q, k, v, mask: _f(m).scaled_dot_product_attention(q, k, v, attn_mask=mask),
           randn(2, 3, 4, 5), randn(2, 3, 6, 5), randn(2, 3, 6, 2), randn(3, 1, 6))


def test_sdpa_finite_differences():
    q, k, v, mask = randn(2, 3, 4), randn(2, 5, 4), randn(2, 5, 3), randn(3, 5)
    check_grad(lambda q, k, v, mask: F.scaled_dot_product_attention(q, k, v, attn_mask=mask), q, k, v, mask)
    check_grad(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.7), q, k, v)
    keep = np.ones((3, 5), dtype=bool)
    keep[0, 1:] = False
    check_grad(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=ember.from_numpy(keep)), q, k, v)
    check_grad(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, enable_gqa=True), randn(1, 4, 3, 2),
               randn(1, 2, 3, 2), randn(1, 2, 3, 2))


def test_sdpa_gradients_with_create_graph_and_second_order_match_torch():
    # create_graph takes the Tensor-op backward (the plain one runs on arrays): both must agree with torch.
    q, k, v, mask = randn(2, 3, 4), randn(2, 5, 4), randn(2, 5, 3), randn(3, 5)

    def second_order(m, q, k, v, mask):
        out = _f(m).scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=0.6)
        grads = m.autograd.grad((out * out).sum(), (q, k, v, mask), create_graph=True)
        return grads + (sum((g * g).sum() for g in grads),)
    parity(second_order, q, k, v, mask)


SDPA_ERRORS = [
    lambda m: _f(m).scaled_dot_product_attention(m.ones(2, 4), m.ones(3, 4, dtype=m.float64), m.ones(3, 2)),
    lambda m: _f(m).scaled_dot_product_attention(m.ones(4), m.ones(4), m.ones(4)),
    lambda m: _f(m).scaled_dot_product_attention(m.ones(2, 4), m.ones(3, 4), m.ones(3, 2),
                                                 attn_mask=m.ones(2, 3, dtype=m.int64)),
    lambda m: _f(m).scaled_dot_product_attention(m.ones(2, 4), m.ones(3, 4), m.ones(3, 2),
                                                 attn_mask=m.ones(2, 3, dtype=m.float64)),
    lambda m: _f(m).scaled_dot_product_attention(m.ones(2, 4), m.ones(3, 4), m.ones(3, 2),
                                                 attn_mask=m.ones(2, 3), is_causal=True),
    lambda m: _f(m).scaled_dot_product_attention(m.ones(2, 4), m.ones(3, 4), m.ones(3, 2), dropout_p=1.5),
    lambda m: _f(m).scaled_dot_product_attention(m.ones(2, 4), m.ones(3, 5), m.ones(3, 2)),
    lambda m: _f(m).scaled_dot_product_attention(m.ones(2, 2, 4), m.ones(2, 3, 4), m.ones(2, 4, 2)),
    lambda m: _f(m).scaled_dot_product_attention(m.ones(2, 6, 3, 4), m.ones(2, 3, 3, 4), m.ones(2, 3, 3, 2)),
    lambda m: _f(m).scaled_dot_product_attention(m.ones(2, 3, 4), m.ones(2, 5, 4), m.ones(2, 5, 2),
                                                 attn_mask=m.ones(3, 3, 5, dtype=m.bool)),
    lambda m: _f(m).scaled_dot_product_attention(m.ones(2, 3, 4), m.ones(2, 5, 4), m.ones(2, 5, 2),
                                                 attn_mask=m.ones(2, 2, 3, 5, dtype=m.bool)),
    lambda m: _f(m).scaled_dot_product_attention(m.ones(2, 1, 3, 4), m.ones(2, 1, 5, 4), m.ones(2, 1, 5, 2),
                                                 attn_mask=m.ones(5, dtype=m.bool)),
    lambda m: _f(m).scaled_dot_product_attention(m.ones(2, 1, 3, 4), m.ones(2, 1, 5, 4), m.ones(2, 1, 5, 2),
                                                 attn_mask=m.ones(())),
    lambda m: _f(m).scaled_dot_product_attention(m.ones(2, 6, 3, 4), m.ones(2, 4, 3, 4), m.ones(2, 4, 3, 2),
                                                 enable_gqa=True),
    lambda m: _f(m).scaled_dot_product_attention(m.ones(3, 4), m.ones(3, 4), m.ones(3, 2), enable_gqa=True),
    lambda m: _f(m).scaled_dot_product_attention(np.ones((2, 4)), m.ones(3, 4), m.ones(3, 2)),
    lambda m: _f(m).scaled_dot_product_attention(m.ones(2, 4), m.ones(3, 4), m.ones(3, 2), is_causal=1),
    lambda m: _f(m).scaled_dot_product_attention(m.ones(2, 4), m.ones(3, 4), m.ones(3, 2), scale="big"),
    lambda m: _f(m).scaled_dot_product_attention(m.ones(2, 4), m.ones(3, 4), m.ones(3, 2), dropout_p=None),
    lambda m: _f(m).scaled_dot_product_attention(m.ones(2, 4, dtype=m.int64), m.ones(3, 4, dtype=m.int64),
                                                 m.ones(3, 2, dtype=m.int64)),
]


@pytest.mark.parametrize("fn", SDPA_ERRORS)
def test_sdpa_errors(fn):
    same_error(fn)


def test_sdpa_error_messages():
    q, k, v = ember.ones(2, 4), ember.ones(3, 4), ember.ones(3, 2)
    with pytest.raises(RuntimeError, match="Explicit attn_mask should not be set when is_causal=True"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=ember.ones(2, 3), is_causal=True)
    with pytest.raises(RuntimeError, match="attn_mask.dtype: long int and  query.dtype: float"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=ember.ones(2, 3, dtype=ember.int64))
    with pytest.raises(RuntimeError, match="but got query.dtype: float key.dtype: double"):
        F.scaled_dot_product_attention(q, k.double(), v)


# ----------------------------------------------------------------------------- nn.MultiheadAttention

def _state_to_torch(module):
    return {name: torch.from_numpy(np.array(value.detach().numpy())) for name, value in module.state_dict().items()}


def _state_to_ember(module):
    return {name: ember.from_numpy(value.detach().numpy().copy()) for name, value in module.state_dict().items()}


def _mha_pair(embed_dim=8, num_heads=2, **options):
    """An ember MultiheadAttention (float64) and a torch one holding the same weights (copied through state_dict)."""
    e = ember.nn.MultiheadAttention(embed_dim, num_heads, **options).double()
    t = torch.nn.MultiheadAttention(embed_dim, num_heads, **options).double()
    assert list(e.state_dict()) == list(t.state_dict())
    t.load_state_dict(_state_to_torch(e))
    return e, t


def _lib_tensors(m, arrays, grad):
    out = []
    for a in arrays:
        if a is None:
            out.append(None)
            continue
        t = m.from_numpy(a.copy())
        out.append(t.requires_grad_() if grad and a.dtype.kind == "f" else t)
    return out


def _compare_modules(e_module, t_module, inputs, call, masks=(), grad=True, atol=1e-10):
    """Run ``call(module, *inputs, *masks)`` in both libraries; compare outputs, then input and parameter grads."""
    e_in, t_in = _lib_tensors(ember, inputs, grad), _lib_tensors(torch, inputs, grad)
    e_masks, t_masks = _lib_tensors(ember, masks, False), _lib_tensors(torch, masks, False)
    e_out, t_out = call(e_module, *e_in, *e_masks), call(t_module, *t_in, *t_masks)
    e_out = e_out if isinstance(e_out, tuple) else (e_out,)
    t_out = t_out if isinstance(t_out, tuple) else (t_out,)
    pairs = [(a, b) for a, b in zip(e_out, t_out) if b is not None]
    assert [a is None for a in e_out] == [b is None for b in t_out]
    for i, (a, b) in enumerate(pairs):
        assert a.shape == tuple(b.shape) and a.dtype.name == str(b.dtype).replace("torch.", "")
        np.testing.assert_allclose(to_numpy(a), to_numpy(b), atol=atol, rtol=1e-7, err_msg=f"output {i}")
    if not grad:
        return e_out
    rng = _rng(7)
    cotangents = [rng.standard_normal(tuple(b.shape)) for _, b in pairs]
    sum(((a * ember.from_numpy(c)).sum() for (a, _), c in zip(pairs, cotangents)), ember.zeros((), dtype=ember.float64)
        ).backward()
    sum(((b * torch.from_numpy(c)).sum() for (_, b), c in zip(pairs, cotangents))).backward()
    for i, (a, b) in enumerate(zip(e_in, t_in)):
        if b is not None and b.grad is not None:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=atol, rtol=1e-6, err_msg=f"input {i}")
    t_params = dict(t_module.named_parameters())
    for name, p in e_module.named_parameters():
        expected = t_params[name].grad
        if expected is None:
            assert p.grad is None or not p.grad.numpy().any(), name
        else:
            np.testing.assert_allclose(p.grad.numpy(), expected.numpy(), atol=atol, rtol=1e-6, err_msg=name)
    return e_out


def _attention_call(module, q, k, v, key_padding_mask=None, attn_mask=None, **options):
    return module(q, k, v, key_padding_mask=key_padding_mask, attn_mask=attn_mask, **options)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2 ** 31), batch_first=st.booleans(), bias=st.booleans(), add_bias_kv=st.booleans(),
       add_zero_attn=st.booleans(), other_dims=st.booleans(), self_attention=st.booleans(), batched=st.booleans(),
       need_weights=st.booleans(), average=st.booleans(),
       padding=st.sampled_from([None, "bool", "float"]), attention=st.sampled_from([None, "bool", "float", "3d"]))
def test_multihead_attention_matches_torch(seed, batch_first, bias, add_bias_kv, add_zero_attn, other_dims,
                                           self_attention, batched, need_weights, average, padding, attention):
    rng = _rng(seed)
    kdim, vdim = (5, 3) if other_dims else (None, None)
    self_attention = self_attention and not other_dims
    e, t = _mha_pair(8, 2, bias=bias, add_bias_kv=add_bias_kv, add_zero_attn=add_zero_attn, kdim=kdim, vdim=vdim,
                     batch_first=batch_first)
    batch, length, source = 3, 4, (4 if self_attention else 5)

    def shaped(n, features):
        if not batched:
            return rng.standard_normal((n, features))
        return rng.standard_normal((batch, n, features) if batch_first else (n, batch, features))
    q = shaped(length, 8)
    k, v = (q, q) if self_attention else (shaped(source, kdim or 8), shaped(source, vdim or 8))
    kpm = None
    if padding is not None:
        kpm = rng.random((batch, source) if batched else (source,)) < 0.3
        kpm[..., 0] = False                     # no fully masked rows here (see the dedicated test)
        kpm = kpm if padding == "bool" else np.where(kpm, -np.inf, rng.standard_normal(kpm.shape))
    mask = None
    if attention is not None:
        shape = (2 * (batch if batched else 1), length, source) if attention == "3d" else (length, source)
        mask = rng.random(shape) < 0.3
        mask[..., 0] = False
        if attention == "float" or padding == "float":
            mask = np.where(mask, -np.inf, rng.standard_normal(shape))
    if padding == "bool" and mask is not None and mask.dtype != bool:
        kpm = np.where(kpm, -np.inf, 0.0)       # same kinds, so no deprecation warning here

    def call(module, *tensors):
        query, key, value = (tensors[0],) * 3 if self_attention else tensors[:3]
        return module(query, key, value, key_padding_mask=tensors[-2], attn_mask=tensors[-1],
                      need_weights=need_weights, average_attn_weights=average)
    inputs = [q] if self_attention else [q, k, v]
    _compare_modules(e, t, inputs, call, masks=(kpm, mask))


def test_multihead_attention_eval_and_no_grad():
    e, t = _mha_pair(8, 2, dropout=0.5, batch_first=True)
    e.eval(), t.eval()
    x, kpm = randn(2, 5, 8), np.array([[False] * 4 + [True], [False] * 5])
    with ember.no_grad(), torch.no_grad():
        for weights in (True, False):
            _compare_modules(e, t, [x], lambda m, x, k, w=weights: m(x, x, x, key_padding_mask=k, need_weights=w),
                             masks=(kpm,), grad=False)


def test_multihead_attention_full_dropout_in_training():
    # p = 1 drops every attention weight in both libraries: the output is the output projection's bias.
    e, t = _mha_pair(8, 2, dropout=1.0)
    e.out_proj.bias.data = ember.ones(8, dtype=ember.float64)
    t.out_proj.bias.data = torch.ones(8, dtype=torch.float64)
    for weights in (True, False):
        out = _compare_modules(e, t, [randn(4, 2, 8)], lambda m, x, w=weights: m(x, x, x, need_weights=w))
        np.testing.assert_array_equal(to_numpy(out[0]), 1.0)


def test_multihead_attention_fully_masked_rows_as_torch():
    # The general path gives zero attention (output = bias); need_weights=True and the eval fast path give NaN.
    e, t = _mha_pair(8, 2, batch_first=True)
    x = randn(2, 4, 8)
    kpm = np.zeros((2, 4), dtype=bool)
    kpm[0] = True
    cases = [(True, False), (False, False), (False, True)]
    for need_weights, fast in cases:
        e.train(not fast), t.train(not fast)
        with ember.set_grad_enabled(not fast), torch.set_grad_enabled(not fast):
            out = _compare_modules(e, t, [x], lambda m, x, k, w=need_weights: m(x, x, x, key_padding_mask=k,
                                                                                need_weights=w),
                                   masks=(kpm,), grad=False)
        assert np.isnan(to_numpy(out[0])[0]).all() == (need_weights or fast)
        assert np.isfinite(to_numpy(out[0])[1]).all()


def test_multihead_attention_is_causal_hint():
    e, t = _mha_pair(8, 2, batch_first=True)
    causal = np.triu(np.ones((5, 5), dtype=bool), 1)
    x = randn(2, 5, 8)
    for weights in (True, False):
        _compare_modules(e, t, [x], lambda m, x, mask, w=weights: m(x, x, x, attn_mask=mask, is_causal=True,
                                                                     need_weights=w), masks=(causal,))
    same_error(lambda m: _mha_pair(8, 2)[0 if m is ember else 1](m.ones(3, 2, 8), m.ones(3, 2, 8), m.ones(3, 2, 8),
                                                                  is_causal=True))
    e.eval(), t.eval()      # the fused inference kernel ignores the hint (and needs no mask)
    with ember.no_grad(), torch.no_grad():
        _compare_modules(e, t, [x], lambda m, x: m(x, x, x, is_causal=True, need_weights=False), grad=False)


def test_multihead_attention_mask_type_mismatch_warns_as_torch():
    for lib in (torch, ember):
        e = lib.nn.MultiheadAttention(8, 2)
        x = lib.ones(3, 2, 8)
        with pytest.warns(UserWarning, match="Support for mismatched key_padding_mask and attn_mask is deprecated"):
            e(x, x, x, key_padding_mask=lib.zeros(2, 3, dtype=lib.bool), attn_mask=lib.zeros(3, 3))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            e(x, x, x, key_padding_mask=lib.zeros(2, 3, dtype=lib.bool), attn_mask=lib.zeros(3, 3, dtype=lib.bool))


def test_multihead_attention_state_dict_both_ways_and_parameters():
    for options in ({}, {"kdim": 5, "vdim": 3}, {"bias": False, "add_bias_kv": True}):
        e = ember.nn.MultiheadAttention(8, 4, **options)
        t = torch.nn.MultiheadAttention(8, 4, **options)
        assert list(e.state_dict()) == list(t.state_dict())
        assert [(n, tuple(p.shape)) for n, p in e.named_parameters()] == \
            [(n, tuple(p.shape)) for n, p in t.named_parameters()]
        e.load_state_dict(_state_to_ember(t))
        for name, value in e.state_dict().items():
            np.testing.assert_array_equal(value.numpy(), t.state_dict()[name].numpy())
        assert e._qkv_same_embed_dim == t._qkv_same_embed_dim and e.head_dim == t.head_dim
    assert repr(ember.nn.MultiheadAttention(8, 2)) == repr(torch.nn.MultiheadAttention(8, 2))
    from ember.nn.modules.activation import MultiheadAttention
    assert MultiheadAttention is ember.nn.MultiheadAttention


def test_multihead_attention_initialisation():
    ember.manual_seed(0)
    m = ember.nn.MultiheadAttention(64, 4, add_bias_kv=True)
    bound = np.sqrt(6 / (64 + 192))         # xavier_uniform_ on the (192, 64) packed weight
    weight = m.in_proj_weight.detach().numpy()
    assert np.abs(weight).max() <= bound and np.abs(weight).max() > 0.9 * bound
    assert not m.in_proj_bias.detach().numpy().any() and not m.out_proj.bias.detach().numpy().any()
    assert np.abs(m.out_proj.weight.detach().numpy()).max() <= 1 / 8       # Linear's default, kaiming_uniform_
    assert 0.05 < m.bias_k.detach().numpy().std() < 0.3                    # xavier_normal_ of (1, 1, 64)
    separate = ember.nn.MultiheadAttention(8, 2, kdim=5, vdim=3)
    assert separate.in_proj_weight is None and separate.k_proj_weight.shape == (8, 5)
    assert type(m.out_proj).__name__ == "NonDynamicallyQuantizableLinear"


def test_multihead_attention_unbatched_with_three_dimensional_mask():
    e, t = _mha_pair(8, 2, batch_first=True)
    mask = _rng(1).random((2, 4, 6)) < 0.3
    mask[..., 0] = False
    _compare_modules(e, t, [randn(4, 8), randn(6, 8), randn(6, 8)],
                     lambda m, q, k, v, mask: m(q, k, v, attn_mask=mask, average_attn_weights=False), masks=(mask,))


def test_multihead_attention_merge_masks():
    e, t = _mha_pair(8, 2, batch_first=True)
    x = randn(3, 4, 8)
    attn, kpm = randn(4, 4), randn(3, 4)
    for masks in ((attn, kpm), (None, kpm), (attn, None), (randn(6, 4, 4), kpm)):
        def run(m, module, masks=masks):
            given = [None if a is None else m.from_numpy(a) for a in masks]
            merged, kind = module.merge_masks(given[0], given[1], m.from_numpy(x))
            return merged, kind
        (merged, kind), (t_merged, t_kind) = run(ember, e), run(torch, t)
        assert kind == t_kind
        np.testing.assert_allclose(to_numpy(merged), to_numpy(t_merged))


def test_multihead_attention_finite_differences():
    ember.manual_seed(0)
    m = ember.nn.MultiheadAttention(4, 2, add_bias_kv=True, add_zero_attn=True).double()
    mask = np.zeros((3, 4), dtype=bool)
    mask[1, 2] = True

    def fn(q, k, v, w):
        out, weights = F.multi_head_attention_forward(
            q, k, v, 4, 2, w, m.in_proj_bias, m.bias_k, m.bias_v, True, 0.0, m.out_proj.weight, m.out_proj.bias,
            attn_mask=ember.from_numpy(mask))
        return out, weights
    check_grad(fn, randn(3, 2, 4), randn(4, 2, 4), randn(4, 2, 4), randn(12, 4))
    check_grad(lambda x: m(x, x, x, need_weights=False)[0], randn(3, 2, 4))


def test_f_multi_head_attention_forward_matches_torch():
    rng = _rng(3)
    q, k, v = rng.standard_normal((4, 2, 8)), rng.standard_normal((5, 2, 8)), rng.standard_normal((5, 2, 8))
    w_in, b_in, w_out, b_out = (rng.standard_normal(s) for s in ((24, 8), (24,), (8, 8), (8,)))
    static_k, static_v = rng.standard_normal((4, 6, 4)), rng.standard_normal((4, 6, 4))
    parity(lambda m, q, k, v, w, b, wo, bo: _f(m).multi_head_attention_forward(
        q, k, v, 8, 2, w, b, None, None, False, 0.0, wo, bo), q, k, v, w_in, b_in, w_out, b_out)
    parity(lambda m, q, k, v, w, b, wo, bo, sk, sv: _f(m).multi_head_attention_forward(
        q, k, v, 8, 2, w, b, None, None, True, 0.0, wo, bo, static_k=sk, static_v=sv, need_weights=False),
        q, k, v, w_in, b_in, w_out, b_out, static_k, static_v)
    wq, wk, wv = rng.standard_normal((8, 8)), rng.standard_normal((8, 3)), rng.standard_normal((8, 2))
    parity(lambda m, q, k, v, wq, wk, wv, b, wo: _f(m).multi_head_attention_forward(
        q, k, v, 8, 2, None, b, None, None, False, 0.0, wo, None, use_separate_proj_weight=True, q_proj_weight=wq,
        k_proj_weight=wk, v_proj_weight=wv, average_attn_weights=False),
        q, k[..., :3], v[..., :2], wq, wk, wv, b_in, w_out)


MHA_ERRORS = [
    lambda m: m.nn.MultiheadAttention(0, 2),
    lambda m: m.nn.MultiheadAttention(8, 3),
    lambda m: m.nn.MultiheadAttention(8, 2)(m.ones(1, 3, 2, 8), m.ones(1, 3, 2, 8), m.ones(1, 3, 2, 8)),
    lambda m: m.nn.MultiheadAttention(8, 2)(m.ones(3, 2, 8), m.ones(3, 8), m.ones(3, 8)),
    lambda m: m.nn.MultiheadAttention(8, 2)(m.ones(3, 2, 8), m.ones(3, 2, 8), m.ones(3, 2, 8),
                                            key_padding_mask=m.zeros(2, 3, dtype=m.int64)),
    lambda m: m.nn.MultiheadAttention(8, 2)(m.ones(3, 2, 8), m.ones(3, 2, 8), m.ones(3, 2, 8),
                                            key_padding_mask=m.zeros(3, 3, dtype=m.bool)),
    lambda m: m.nn.MultiheadAttention(8, 2)(m.ones(3, 2, 8), m.ones(3, 2, 8), m.ones(3, 2, 8),
                                            key_padding_mask=m.zeros(2, 3, 1, dtype=m.bool)),
    lambda m: m.nn.MultiheadAttention(8, 2)(m.ones(3, 2, 8), m.ones(3, 2, 8), m.ones(3, 2, 8),
                                            attn_mask=m.zeros(3, 4, dtype=m.bool)),
    lambda m: m.nn.MultiheadAttention(8, 2)(m.ones(3, 2, 8), m.ones(3, 2, 8), m.ones(3, 2, 8),
                                            attn_mask=m.zeros(3, 3, 3)),
    lambda m: m.nn.MultiheadAttention(8, 2)(m.ones(3, 8), m.ones(3, 8), m.ones(3, 8),
                                            attn_mask=m.zeros(3, 3, 3)),
    lambda m: m.nn.MultiheadAttention(8, 2)(m.ones(3, 2, 6), m.ones(3, 2, 6), m.ones(3, 2, 6)),
    lambda m: m.nn.MultiheadAttention(8, 2)(m.ones(3, 2, 8), m.ones(3, 2, 8), m.ones(4, 2, 8)),
    lambda m: m.nn.MultiheadAttention(8, 2)(m.ones(3, 2, 8), m.ones(3, 2, 8), m.ones(3, 2, 8),
                                            attn_mask=m.zeros(3, 3, dtype=m.float64)),
    lambda m: m.nn.MultiheadAttention(8, 2)(m.ones(3, 2, 8), m.ones(3, 2, 8), m.ones(3, 2, 8), need_weights=False,
                                            attn_mask=m.zeros(3, 3, dtype=m.float64)),
    lambda m: _f(m).multi_head_attention_forward(m.ones(3, 2, 8), m.ones(3, 2, 8), m.ones(3, 2, 8), 8, 2, None,
                                                 None, None, None, False, 0.0, m.ones(8, 8), None),
    lambda m: _f(m).multi_head_attention_forward(m.ones(3, 2, 8), m.ones(3, 2, 8), m.ones(3, 2, 8), 8, 2,
                                                 m.ones(24, 8), None, m.ones(1, 1, 8), None, False, 0.0,
                                                 m.ones(8, 8), None),
]


@pytest.mark.parametrize("fn", MHA_ERRORS)
def test_multihead_attention_errors(fn):
    same_error(fn)


@pytest.mark.parametrize("module", ["ember.nn.functional.attention", "ember.nn.modules.attention"])
def test_attention_docstring_examples(module):
    import doctest
    import importlib

    from ember.nn.modules.attention import NonDynamicallyQuantizableLinear
    result = doctest.testmod(importlib.import_module(module), extraglobs={
        "ember": ember, "F": F, "NonDynamicallyQuantizableLinear": NonDynamicallyQuantizableLinear})
    assert result.attempted > 0 and result.failed == 0
