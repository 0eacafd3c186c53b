"""nn.TransformerEncoderLayer/Encoder, nn.TransformerDecoderLayer/Decoder and nn.Transformer against PyTorch:
the same weights (moved through state_dicts both ways) give the same outputs and gradients, over drawn
options and masks, in training and in PyTorch's inference fast paths (nested tensors included)."""

import warnings

import numpy as np
import pytest
from helpers import check_grad, randn, same_error, to_numpy, torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember

pytestmark = [pytest.mark.skipif(torch is None, reason="PyTorch (the parity oracle) is not installed"),
              pytest.mark.filterwarnings("ignore:Support for mismatched"),
              pytest.mark.filterwarnings("ignore:The PyTorch API of nested tensors")]


def _quiet(build):
    """``build()`` with the enable_nested_tensor warnings silenced (they have their own test)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build()


def _state_to_torch(module):
    return {name: torch.from_numpy(np.array(value.detach().numpy())) for name, value in module.state_dict().items()}


def _state_to_ember(module):
    return {name: ember.from_numpy(value.detach().numpy().copy()) for name, value in module.state_dict().items()}


def _pair(build, from_torch=False):
    """``build(lib)`` for both libraries, float64, with one's weights loaded into the other (keys checked equal)."""
    e, t = _quiet(lambda: build(ember).double()), _quiet(lambda: build(torch).double())
    assert list(e.state_dict()) == list(t.state_dict())
    if from_torch:
        e.load_state_dict(_state_to_ember(t))
    else:
        t.load_state_dict(_state_to_torch(e))
    return e, t


def _tensors(m, arrays, grad):
    out = []
    for a in arrays:
        if a is None:
            out.append(None)
        else:
            t = m.from_numpy(a.copy())
            out.append(t.requires_grad_() if grad and a.dtype.kind == "f" and a.ndim == 3 else t)
    return out


def _compare(e_module, t_module, arrays, call, grad=True, atol=1e-9):
    """``call(module, *tensors)`` with both libraries; outputs, then input and parameter gradients."""
    e_in, t_in = _tensors(ember, arrays, grad), _tensors(torch, arrays, grad)
    e_out, t_out = call(e_module, *e_in), call(t_module, *t_in)
    assert e_out.shape == tuple(t_out.shape)
    np.testing.assert_allclose(to_numpy(e_out), to_numpy(t_out), atol=atol, rtol=1e-7)
    if not grad:
        return e_out
    cotangent = np.random.default_rng(5).standard_normal(tuple(t_out.shape))
    e_out.backward(ember.from_numpy(cotangent))
    t_out.backward(torch.from_numpy(cotangent))
    for i, (a, b) in enumerate(zip(e_in, t_in)):
        if b is not None and b.grad is not None:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=atol, rtol=1e-6, err_msg=f"input {i}")
    t_params = dict(t_module.named_parameters())
    for name, p in e_module.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), t_params[name].grad.numpy(), atol=atol, rtol=1e-6, err_msg=name)
    return e_out


def _activation(m, name):
    return {"relu": m.nn.functional.relu, "gelu": "gelu", "module": m.nn.GELU(approximate="tanh"),
            "callable": m.nn.functional.silu}[name]


def _padding(rng, batch, length, kind):
    if kind is None:
        return None
    padded = np.zeros((batch, length), dtype=bool)
    for row in range(batch):
        padded[row, rng.integers(1, length + 1):] = True        # left-aligned, at least one position kept
    return padded if kind == "bool" else np.where(padded, -np.inf, 0.0)


def _causal(length, kind):
    if kind is None:
        return None
    upper = np.triu(np.ones((length, length), dtype=bool), 1)
    return upper if kind == "bool" else np.where(upper, -np.inf, 0.0)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2 ** 31), norm_first=st.booleans(), batch_first=st.booleans(), bias=st.booleans(),
       activation=st.sampled_from(["relu", "gelu", "module", "callable"]), batched=st.booleans(),
       padding=st.sampled_from([None, "bool", "float"]), causal=st.sampled_from([None, "bool", "float"]))
def test_encoder_layer_matches_torch(seed, norm_first, batch_first, bias, activation, batched, padding, causal):
    rng = np.random.default_rng(seed)
    e, t = _pair(lambda m: m.nn.TransformerEncoderLayer(8, 2, 12, dropout=0.0, activation=_activation(m, activation),
                                                        batch_first=batch_first, norm_first=norm_first, bias=bias))
    length = 5
    shape = ((3, length, 8) if batch_first else (length, 3, 8)) if batched else (length, 8)
    kpm = _padding(rng, 3, length, padding)
    if kpm is not None and not batched:
        kpm = kpm[0]
    mask = _causal(length, causal)
    if padding is not None and causal is not None and (kpm.dtype == bool) != (mask.dtype == bool):
        mask = np.where(mask, -np.inf, 0.0) if mask.dtype == bool else mask
        kpm = np.where(kpm, -np.inf, 0.0) if kpm.dtype == bool else kpm

    def call(module, x, kpm, mask):
        return module(x, src_mask=mask, src_key_padding_mask=kpm, is_causal=causal is not None)
    arrays = [rng.standard_normal(shape), kpm, mask]
    _compare(e, t, arrays, call)
    e.eval(), t.eval()
    with ember.no_grad(), torch.no_grad():         # PyTorch's fused kernel where it applies
        _compare(e, t, arrays, call, grad=False)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2 ** 31), norm_first=st.booleans(), batch_first=st.booleans(),
       activation=st.sampled_from(["relu", "gelu", "callable"]), padding=st.sampled_from([None, "bool", "float"]),
       causal=st.sampled_from([None, "float"]))
def test_decoder_layer_matches_torch(seed, norm_first, batch_first, activation, padding, causal):
    rng = np.random.default_rng(seed)
    e, t = _pair(lambda m: m.nn.TransformerDecoderLayer(8, 2, 12, dropout=0.0, activation=_activation(m, activation),
                                                        batch_first=batch_first, norm_first=norm_first))
    tgt_shape, mem_shape = ((3, 4, 8), (3, 6, 8)) if batch_first else ((4, 3, 8), (6, 3, 8))
    arrays = [rng.standard_normal(tgt_shape), rng.standard_normal(mem_shape), _causal(4, causal),
              _padding(rng, 3, 4, padding), _padding(rng, 3, 6, padding)]

    def call(module, tgt, memory, tgt_mask, tgt_kpm, memory_kpm):
        return module(tgt, memory, tgt_mask=tgt_mask, tgt_key_padding_mask=tgt_kpm,
                      memory_key_padding_mask=memory_kpm, tgt_is_causal=causal is not None and padding is None)
    _compare(e, t, arrays, call)


@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_matches_torch_with_masks(norm_first):
    rng = np.random.default_rng(0)
    e, t = _pair(lambda m: m.nn.Transformer(8, 2, 2, 2, 16, dropout=0.0, activation="gelu", norm_first=norm_first))
    src, tgt = rng.standard_normal((5, 3, 8)), rng.standard_normal((4, 3, 8))
    kpm = _padding(rng, 3, 5, "bool")

    def call(module, src, tgt, kpm, m):
        mask = m.nn.Transformer.generate_square_subsequent_mask(4, dtype=m.float64)
        return module(src, tgt, tgt_mask=mask, src_key_padding_mask=kpm, memory_key_padding_mask=kpm)
    _compare(e, t, [src, tgt, kpm, None], lambda module, *a: call(module, *a[:3], ember if module is e else torch))


def test_transformer_state_dict_from_torch_and_custom_parts():
    e, t = _pair(lambda m: m.nn.Transformer(8, 2, 1, 1, 16, dropout=0.0, batch_first=True, bias=False),
                 from_torch=True)
    src, tgt = randn(2, 5, 8), randn(2, 3, 8)
    _compare(e, t, [src, tgt], lambda module, s, g: module(s, g))

    def custom(m):
        layer = m.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0)
        encoder = m.nn.TransformerEncoder(layer, 1)
        return m.nn.Transformer(8, 2, custom_encoder=encoder, num_decoder_layers=1, dim_feedforward=16, dropout=0.0)
    e, t = _pair(custom)
    assert e.encoder.norm is None and len(e.decoder.layers) == 1
    _compare(e, t, [randn(5, 2, 8), randn(3, 2, 8)], lambda module, s, g: module(s, g))


def test_transformer_initialisation_and_attributes():
    ember.manual_seed(0)
    model = _quiet(lambda: ember.nn.Transformer(16, 4, 1, 1, 32))
    bound = np.sqrt(6 / (16 + 32))          # xavier_uniform_ of linear1's (32, 16) weight
    weight = model.encoder.layers[0].linear1.weight.detach().numpy()
    assert np.abs(weight).max() <= bound and np.abs(weight).max() > 0.8 * bound
    assert (model.d_model, model.nhead, model.batch_first) == (16, 4, False)
    assert model.encoder.layers[0].activation_relu_or_gelu == 1
    layer = ember.nn.TransformerEncoderLayer(16, 4, activation="gelu")
    assert layer.activation is ember.nn.functional.gelu and layer.activation_relu_or_gelu == 2
    assert ember.nn.TransformerEncoderLayer(16, 4, activation=ember.nn.functional.silu).activation_relu_or_gelu == 0
    t_model = _quiet(lambda: torch.nn.Transformer(16, 4, 1, 1, 32))
    assert [(n, tuple(p.shape)) for n, p in model.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in t_model.named_parameters()]


@pytest.mark.parametrize("size, dtype", [(4, None), (1, "float64"), (0, None)])
def test_generate_square_subsequent_mask(size, dtype):
    def run(m):
        return m.nn.Transformer.generate_square_subsequent_mask(size, dtype=None if dtype is None
                                                                else getattr(m, dtype))
    e, t = run(ember), run(torch)
    assert e.dtype.name == str(t.dtype).replace("torch.", "")
    np.testing.assert_array_equal(to_numpy(e), to_numpy(t))


@pytest.mark.parametrize("mask_check", [True, False])
def test_encoder_nested_tensor_path_zeroes_padded_positions(mask_check):
    # In eval without gradients, PyTorch drops the padded positions (nested tensors) and pads back with zeros.
    rng = np.random.default_rng(1)

    def build(m):
        layer = m.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
        return m.nn.TransformerEncoder(layer, 2, norm=m.nn.LayerNorm(8), mask_check=mask_check)
    e, t = _pair(build)
    e.norm.bias.data = ember.from_numpy(rng.standard_normal(8))
    t.norm.bias.data = torch.from_numpy(e.norm.bias.detach().numpy().copy())
    x = rng.standard_normal((3, 5, 8))
    kpm = np.zeros((3, 5), dtype=bool)
    kpm[0, 3:] = True
    kpm[1, :] = True                                # a fully padded sequence
    kpm[2, 1] = not mask_check                      # not left-aligned: only runs nested without mask_check
    e.eval(), t.eval()
    call = lambda module, x, kpm: module(x, src_key_padding_mask=kpm)   # noqa: E731
    with ember.no_grad(), torch.no_grad():
        out = _compare(e, t, [x, kpm], call, grad=False)
    bias = e.norm.bias.detach().numpy()             # zeros through the final LayerNorm give its bias
    np.testing.assert_allclose(to_numpy(out)[0, 3:], np.broadcast_to(bias, (2, 8)))
    np.testing.assert_allclose(to_numpy(out)[1], np.broadcast_to(bias, (5, 8)))
    _compare(e, t, [x, np.where(kpm, -np.inf, 0.0)], call, grad=False)   # a float mask: the nested path too
    e.train(), t.train()
    kpm[1, 0] = False
    _compare(e, t, [x, kpm], call)                  # no fast path: padded positions are computed


def test_encoder_fast_path_conditions():
    e, t = _pair(lambda m: m.nn.TransformerEncoder(m.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0,
                                                                                 batch_first=True), 2))
    x = randn(2, 4, 8)
    kpm = np.zeros((2, 4), dtype=bool)
    kpm[0, 2:] = True
    e.eval(), t.eval()
    # Gradients required: no nested tensors, padded positions are computed (and match).
    out = _compare(e, t, [x, kpm], lambda module, x, kpm: module(x, src_key_padding_mask=kpm))
    assert np.abs(to_numpy(out)[0, 2:]).sum() > 0
    with ember.no_grad(), torch.no_grad():          # a src_mask too: no nested tensors either
        _compare(e, t, [x, kpm, np.triu(np.ones((4, 4), dtype=bool), 1)],
                 lambda module, x, kpm, mask: module(x, mask=mask, src_key_padding_mask=kpm), grad=False)


def test_encoder_layer_fast_path_gives_nan_for_fully_masked_rows_as_torch():
    e, t = _pair(lambda m: m.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True))
    mask = np.zeros((4, 4), dtype=bool)
    mask[1] = True
    x = randn(2, 4, 8)
    call = lambda module, x, mask: module(x, src_mask=mask)    # noqa: E731
    out = _compare(e, t, [x, mask], call)
    assert np.isfinite(to_numpy(out)).all()
    e.eval(), t.eval()
    with ember.no_grad(), torch.no_grad():
        out = _compare(e, t, [x, mask], call, grad=False)
    assert np.isnan(to_numpy(out)[:, 1]).all() and np.isfinite(to_numpy(out)[:, 0]).all()
    e.register_forward_hook(lambda *args: None)
    t.register_forward_hook(lambda *args: None)
    with ember.no_grad(), torch.no_grad():          # a hook turns the fast path off
        assert np.isfinite(to_numpy(_compare(e, t, [x, mask], call, grad=False))).all()


@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_encoder_layer_fast_path_activation_in_row_blocks(monkeypatch, activation):
    # Inference applies the activation a block of rows at a time; small blocks here, the last one shorter.
    from ember.nn.modules import transformer
    monkeypatch.setattr(transformer, "_ACTIVATION_BLOCK_ELEMENTS", 40)
    e, t = _pair(lambda m: m.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation=activation,
                                                        batch_first=True))
    e.eval(), t.eval()
    with ember.no_grad(), torch.no_grad():
        _compare(e, t, [randn(3, 5, 8)], lambda module, x: module(x), grad=False)


def test_encoder_detects_causal_masks_and_is_causal_hints():
    e, t = _pair(lambda m: m.nn.TransformerEncoder(m.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0), 2))
    mask = np.triu(np.full((5, 5), -np.inf), 1)
    for hint in (None, True, False):
        _compare(e, t, [randn(5, 2, 8), mask], lambda module, x, mask, h=hint: module(x, mask=mask, is_causal=h))
    same_error(lambda m: (e if m is ember else t)(m.ones(5, 2, 8, dtype=m.float64), is_causal=True))


def test_enable_nested_tensor_warnings_match_torch():
    def messages(m):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            m.nn.TransformerEncoder(m.nn.TransformerEncoderLayer(8, 2, 16), 1)
            m.nn.TransformerEncoder(m.nn.TransformerEncoderLayer(9, 3, 16, batch_first=True), 1)
            m.nn.TransformerEncoder(m.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True, norm_first=True), 1)
            m.nn.TransformerEncoder(m.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True, bias=False), 1)
            m.nn.TransformerEncoder(m.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True,
                                                                 activation=m.nn.functional.silu), 1)
            m.nn.TransformerEncoder(m.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 1)
            m.nn.TransformerEncoder(m.nn.TransformerEncoderLayer(8, 2, 16), 1, enable_nested_tensor=False)
        return [str(w.message) for w in caught]
    expected = messages(torch)
    assert len(expected) == 5 and messages(ember) == expected
    encoder = ember.nn.TransformerEncoder(ember.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 1)
    assert encoder.use_nested_tensor and encoder.enable_nested_tensor and encoder.mask_check


def test_training_steps_follow_torch():
    e, t = _pair(lambda m: m.nn.TransformerEncoder(m.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0,
                                                                                 batch_first=True), 2,
                                                   norm=m.nn.LayerNorm(8)))
    rng = np.random.default_rng(2)
    batches = [(rng.standard_normal((4, 6, 8)), rng.standard_normal((4, 6, 8))) for _ in range(3)]
    losses = {}
    for lib, model in ((ember, e), (torch, t)):
        optimizer = lib.optim.Adam(model.parameters(), lr=1e-2)
        losses[lib.__name__] = []
        for x, y in batches:
            optimizer.zero_grad()
            loss = ((model(lib.from_numpy(x)) - lib.from_numpy(y)) ** 2).mean()
            loss.backward()
            optimizer.step()
            losses[lib.__name__].append(loss.item())
    np.testing.assert_allclose(losses["ember"], losses["torch"], rtol=1e-9)
    assert losses["ember"][-1] < losses["ember"][0]


def test_encoder_layer_finite_differences():
    ember.manual_seed(0)
    layer = ember.nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0, activation="gelu").double()
    mask = np.triu(np.full((3, 3), -np.inf), 1)
    check_grad(lambda x: layer(x, src_mask=ember.from_numpy(mask)), randn(3, 2, 4))
    decoder = ember.nn.TransformerDecoderLayer(4, 2, 6, dropout=0.0, norm_first=True).double()
    check_grad(lambda x, memory: decoder(x, memory), randn(2, 1, 4), randn(3, 1, 4), second_order=False)


TRANSFORMER_ERRORS = [
    lambda m: m.nn.TransformerEncoderLayer(8, 2, activation="tanh"),
    lambda m: m.nn.TransformerDecoderLayer(8, 2, activation="swish"),
    lambda m: m.nn.TransformerEncoderLayer(8, 3),
    lambda m: _quiet(lambda: m.nn.Transformer(8, 2, 1, 1, 16))(m.ones(5, 2, 8), m.ones(4, 3, 8)),
    lambda m: _quiet(lambda: m.nn.Transformer(8, 2, 1, 1, 16, batch_first=True))(m.ones(2, 5, 8), m.ones(3, 4, 8)),
    lambda m: _quiet(lambda: m.nn.Transformer(8, 2, 1, 1, 16))(m.ones(5, 2, 6), m.ones(4, 2, 8)),
    lambda m: _quiet(lambda: m.nn.TransformerEncoder(m.nn.TransformerEncoderLayer(8, 2, 16), 1))(
        m.ones(5, 2, 8), src_key_padding_mask=m.zeros(2, 5, dtype=m.int64)),
    lambda m: m.nn.TransformerDecoderLayer(8, 2, 16)(m.ones(4, 2, 8), m.ones(5, 2, 8), tgt_is_causal=True),
]


@pytest.mark.parametrize("fn", TRANSFORMER_ERRORS)
def test_transformer_errors(fn):
    same_error(fn)


def test_transformer_error_messages():
    model = _quiet(lambda: ember.nn.Transformer(8, 2, 1, 1, 16))
    with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
        model(ember.ones(5, 2, 8), ember.ones(4, 3, 8))
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        ember.nn.TransformerEncoderLayer(8, 2, activation="tanh")


def test_transformer_docstring_examples():
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module("ember.nn.modules.transformer"), extraglobs={"ember": ember})
    assert result.attempted > 0 and result.failed == 0
