"""BERT, the encoder of Devlin et al. (2018), laid out as Hugging Face's ``transformers.BertModel``.

The module tree and parameter names are Hugging Face's (``embeddings.word_embeddings``,
``encoder.layer.N.attention.self.query``, ``pooler.dense``, ...), so checkpoints saved by ``transformers``
load unchanged and ``save_pretrained`` writes directories that ``transformers`` reads. ``from_pretrained``
takes a local directory holding ``config.json`` and ``model.safetensors`` (or ``pytorch_model.bin``).

>>> config = BertConfig(vocab_size=50, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
...                     intermediate_size=16, max_position_embeddings=16)
>>> model = BertModel(config).eval()
>>> out = model(input_ids=ember.tensor([[2, 7, 9, 3]]), attention_mask=ember.tensor([[1, 1, 1, 0]]))
>>> out.last_hidden_state.shape, out.pooler_output.shape
(ember.Size([1, 4, 8]), ember.Size([1, 8]))
"""

import contextlib
import copy
import json
import os
import threading
import warnings

import ember
from ember import nn
from ember.nn import functional as F

from . import _pretrained
from ._outputs import BaseModelOutputWithPooling, SequenceClassifierOutput

__all__ = ["BertConfig", "BertModel", "BertForSequenceClassification", "BertPreTrainedModel"]


# ============================================================================ configuration

def _quick_gelu(x):
    return x * ember.sigmoid(1.702 * x)


# Hugging Face's ``hidden_act`` names: gelu is exact (erf), gelu_new and its aliases the tanh approximation.
_ACTIVATIONS = {
    "gelu": F.gelu,
    "gelu_python": F.gelu,
    "gelu_new": lambda x: F.gelu(x, approximate="tanh"),
    "gelu_pytorch_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "gelu_fast": lambda x: F.gelu(x, approximate="tanh"),
    "quick_gelu": _quick_gelu,
    "relu": F.relu,
    "silu": F.silu,
    "swish": F.silu,
    "tanh": ember.tanh,
}

# (name, default) in Hugging Face's order; every one is an attribute of BertConfig and a key of config.json.
_FIELDS = (
    ("vocab_size", 30522),
    ("hidden_size", 768),
    ("num_hidden_layers", 12),
    ("num_attention_heads", 12),
    ("intermediate_size", 3072),
    ("hidden_act", "gelu"),
    ("hidden_dropout_prob", 0.1),
    ("attention_probs_dropout_prob", 0.1),
    ("max_position_embeddings", 512),
    ("type_vocab_size", 2),
    ("initializer_range", 0.02),
    ("layer_norm_eps", 1e-12),
    ("pad_token_id", 0),
    ("position_embedding_type", "absolute"),
    ("classifier_dropout", None),
    ("problem_type", None),
)
_POSITIVE_INTS = ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
                  "max_position_embeddings", "type_vocab_size")
_PROBABILITIES = ("hidden_dropout_prob", "attention_probs_dropout_prob", "classifier_dropout")
_PROBLEM_TYPES = (None, "regression", "single_label_classification", "multi_label_classification")


def _overridden(config_dict, overrides):
    """``config_dict`` updated by ``overrides``; a new ``num_labels`` replaces the old label names."""
    if "num_labels" in overrides and "id2label" not in overrides:
        config_dict = {key: value for key, value in config_dict.items() if key not in ("id2label", "label2id")}
    return {**config_dict, **overrides}


class BertConfig:
    """The hyperparameters of a BERT model, as Hugging Face's ``BertConfig`` and its ``config.json``.

    Keys it does not use (``architectures``, ``transformers_version``, ...) are kept as attributes and written
    back by :meth:`to_dict`. ``num_labels`` (or ``id2label``) sizes a classification head.

    >>> BertConfig(hidden_size=384, num_attention_heads=12).hidden_size
    384
    """

    model_type = "bert"

    def __init__(self, vocab_size=30522, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                 intermediate_size=3072, hidden_act="gelu", hidden_dropout_prob=0.1,
                 attention_probs_dropout_prob=0.1, max_position_embeddings=512, type_vocab_size=2,
                 initializer_range=0.02, layer_norm_eps=1e-12, pad_token_id=0, position_embedding_type="absolute",
                 classifier_dropout=None, problem_type=None, num_labels=None, id2label=None, label2id=None,
                 **kwargs):
        given = dict(locals())
        for name, _ in _FIELDS:
            setattr(self, name, given[name])
        kwargs.pop("model_type", None)
        for name, value in kwargs.items():
            setattr(self, name, value)
        self._set_labels(num_labels, id2label, label2id)
        self._validate()

    # ------------------------------------------------------------------ labels
    def _set_labels(self, num_labels, id2label, label2id):
        if id2label is not None:
            id2label = {int(key): value for key, value in dict(id2label).items()}
            if num_labels is not None and num_labels != len(id2label):
                raise ValueError(f"BertConfig: num_labels={num_labels} disagrees with id2label, which names "
                                 f"{len(id2label)} labels")
        else:
            count = 2 if num_labels is None else num_labels
            if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                raise ValueError(f"BertConfig: num_labels must be a positive int, got {num_labels!r}")
            id2label = {i: f"LABEL_{i}" for i in range(count)}
        self.id2label = id2label
        self.label2id = dict(label2id) if label2id is not None else {name: i for i, name in id2label.items()}

    @property
    def num_labels(self):
        """How many outputs a classification head has (the length of ``id2label``)."""
        return len(self.id2label)

    @num_labels.setter
    def num_labels(self, count):
        if count != self.num_labels:
            self._set_labels(count, None, None)

    # ------------------------------------------------------------------ checks
    def _validate(self):
        for name in _POSITIVE_INTS:
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"BertConfig: {name} must be a positive int, got {value!r}")
        for name in _PROBABILITIES:
            value = getattr(self, name)
            if value is not None and not (isinstance(value, (int, float)) and 0 <= value <= 1):
                raise ValueError(f"BertConfig: {name} must be a probability in [0, 1], got {value!r}")
        if self.hidden_size % self.num_attention_heads:
            raise ValueError(f"The hidden size ({self.hidden_size}) is not a multiple of the number of attention "
                             f"heads ({self.num_attention_heads})")
        if self.hidden_act not in _ACTIVATIONS:
            raise ValueError(f"BertConfig: hidden_act {self.hidden_act!r} is not supported; expected one of "
                             f"{sorted(_ACTIVATIONS)}")
        if self.position_embedding_type != "absolute":
            raise ValueError(f"BertConfig: position_embedding_type {self.position_embedding_type!r} is not "
                             "supported; ember's BERT has absolute position embeddings only")
        if self.problem_type not in _PROBLEM_TYPES:
            raise ValueError(f"BertConfig: problem_type must be one of {list(_PROBLEM_TYPES)}, got "
                             f"{self.problem_type!r}")
        if getattr(self, "is_decoder", False) or getattr(self, "add_cross_attention", False):
            raise ValueError("BertConfig: is_decoder/add_cross_attention are not supported; ember's BERT is an "
                             "encoder")
        if self.pad_token_id is not None and not 0 <= self.pad_token_id < self.vocab_size:
            raise ValueError(f"BertConfig: pad_token_id must be in [0, vocab_size={self.vocab_size}), got "
                             f"{self.pad_token_id}")

    # ------------------------------------------------------------------ (de)serialising
    @classmethod
    def from_dict(cls, config_dict):
        """A config from the dict of a ``config.json`` (ValueError for a non-BERT ``model_type``).

        >>> BertConfig.from_dict({"hidden_size": 64, "num_attention_heads": 4}).num_attention_heads
        4
        """
        if not isinstance(config_dict, dict):
            raise TypeError(f"BertConfig.from_dict: expected a dict, got {type(config_dict).__name__}")
        model_type = config_dict.get("model_type", cls.model_type)
        if model_type != cls.model_type:
            raise ValueError(f"BertConfig: config.json describes a {model_type!r} model, expected 'bert'")
        return cls(**config_dict)

    @classmethod
    def from_json_file(cls, json_file):
        """A config read from a ``config.json`` file.

        >>> import tempfile; path = os.path.join(tempfile.mkdtemp(), "config.json")
        >>> BertConfig(hidden_size=32, num_attention_heads=4).to_json_file(path)
        >>> BertConfig.from_json_file(path).hidden_size
        32
        """
        return cls.from_dict(_pretrained.read_json(os.fspath(json_file), "BERT config"))

    @classmethod
    def from_pretrained(cls, pretrained_model_name_or_path, **kwargs):
        """The ``config.json`` of a model directory; keyword arguments override its values.

        >>> import tempfile; d = tempfile.mkdtemp()
        >>> BertConfig(hidden_size=32, num_attention_heads=4).save_pretrained(d)
        >>> BertConfig.from_pretrained(d, num_labels=5).num_labels
        5
        """
        directory = _pretrained.check_directory(pretrained_model_name_or_path)
        config_dict = _pretrained.read_json(os.path.join(directory, _pretrained.CONFIG_NAME), "BERT config")
        return cls.from_dict(_overridden(config_dict, kwargs))

    def to_dict(self):
        """Every setting as a JSON-ready dict (``config.json``'s content), with ``model_type``.

        >>> BertConfig().to_dict()["model_type"]
        'bert'
        """
        out = {key: copy.deepcopy(value) for key, value in vars(self).items()}
        out["id2label"] = {str(i): name for i, name in self.id2label.items()}
        out["model_type"] = self.model_type
        return out

    def to_json_string(self):
        """``to_dict`` as indented JSON text with sorted keys, as Hugging Face writes ``config.json``."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n"

    def to_json_file(self, json_file_path):
        """Write :meth:`to_json_string` to a file (atomically)."""
        from ember._files import atomic_write

        text = self.to_json_string()
        atomic_write(os.fspath(json_file_path), lambda stream: stream.write(text), text=True)

    def save_pretrained(self, save_directory):
        """Write ``config.json`` into ``save_directory`` (made if needed)."""
        save_directory = os.fspath(save_directory)
        os.makedirs(save_directory, exist_ok=True)
        self.to_json_file(os.path.join(save_directory, _pretrained.CONFIG_NAME))

    def __eq__(self, other):
        return isinstance(other, BertConfig) and self.to_dict() == other.to_dict()

    def __repr__(self):
        return f"{type(self).__name__} {self.to_json_string()}"


# ============================================================================ layers

class BertEmbeddings(nn.Module):
    """Word, position and token-type embeddings summed, then LayerNorm and dropout."""

    def __init__(self, config):
        super().__init__()
        self.word_embeddings = nn.Embedding(config.vocab_size, config.hidden_size, padding_idx=config.pad_token_id)
        self.position_embeddings = nn.Embedding(config.max_position_embeddings, config.hidden_size)
        self.token_type_embeddings = nn.Embedding(config.type_vocab_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)
        # not saved (as in Hugging Face since 4.31); older checkpoints hold it and loading ignores it
        self.register_buffer("position_ids", ember.arange(config.max_position_embeddings).unsqueeze(0),
                             persistent=False)

    def forward(self, input_ids=None, token_type_ids=None, position_ids=None, inputs_embeds=None):
        if inputs_embeds is None:
            inputs_embeds = self.word_embeddings(input_ids)
        batch, length = inputs_embeds.shape[:2]
        if position_ids is None:
            limit = self.position_embeddings.num_embeddings
            if length > limit:
                raise ValueError(f"BertModel: the input has {length} tokens but max_position_embeddings is {limit}; "
                                 "truncate the input (e.g. the tokenizer's truncation=True)")
            position_ids = self.position_ids[:, :length]
        if token_type_ids is None:
            token_type_ids = ember.zeros((batch, length), dtype=ember.int64, device=inputs_embeds.device)
        embeddings = inputs_embeds + self.token_type_embeddings(token_type_ids)
        embeddings = embeddings + self.position_embeddings(position_ids)
        return self.dropout(self.LayerNorm(embeddings))


def _attention(query, key, value, mask, dropout_p, need_weights):
    """softmax(q kᵀ / √d + mask) v over (batch, heads, seq, head) tensors; also the weights when asked (the
    fused ``F.scaled_dot_product_attention`` does not return them)."""
    if not need_weights:
        return F.scaled_dot_product_attention(query, key, value, attn_mask=mask, dropout_p=dropout_p), None
    scores = ember.matmul(query * (query.shape[-1] ** -0.5), key.transpose(-1, -2))
    if mask is not None:
        scores = scores + mask
    weights = F.softmax(scores, dim=-1)
    if dropout_p > 0:
        weights = F.dropout(weights, p=dropout_p)
    return ember.matmul(weights, value), weights


class BertSelfAttention(nn.Module):
    """Multi-head scaled dot-product self-attention with separate ``query``, ``key`` and ``value`` projections."""

    def __init__(self, config):
        super().__init__()
        self.num_attention_heads = config.num_attention_heads
        self.attention_head_size = config.hidden_size // config.num_attention_heads
        self.all_head_size = config.hidden_size
        self.query = nn.Linear(config.hidden_size, self.all_head_size)
        self.key = nn.Linear(config.hidden_size, self.all_head_size)
        self.value = nn.Linear(config.hidden_size, self.all_head_size)
        self.dropout = nn.Dropout(config.attention_probs_dropout_prob)

    def _split_heads(self, x):
        batch, length = x.shape[:2]
        return x.reshape(batch, length, self.num_attention_heads, self.attention_head_size).transpose(1, 2)

    def forward(self, hidden_states, attention_mask=None, output_attentions=False):
        query, key, value = (self._split_heads(layer(hidden_states)) for layer in (self.query, self.key, self.value))
        dropout_p = self.dropout.p if self.training else 0.0
        context, weights = _attention(query, key, value, attention_mask, dropout_p, output_attentions)
        batch, length = hidden_states.shape[:2]
        return context.transpose(1, 2).reshape(batch, length, self.all_head_size), weights


class BertSelfOutput(nn.Module):
    """The attention's output projection, dropout, then LayerNorm of the residual sum."""

    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, hidden_states, input_tensor):
        return self.LayerNorm(self.dropout(self.dense(hidden_states)) + input_tensor)


class BertAttention(nn.Module):
    """Self-attention (``self``) followed by its output block (``output``)."""

    def __init__(self, config):
        super().__init__()
        self.self = BertSelfAttention(config)
        self.output = BertSelfOutput(config)

    def forward(self, hidden_states, attention_mask=None, output_attentions=False):
        context, weights = self.self(hidden_states, attention_mask, output_attentions)
        return self.output(context, hidden_states), weights


class BertIntermediate(nn.Module):
    """The feed-forward block's expansion: Linear to ``intermediate_size`` and the ``hidden_act`` activation."""

    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.intermediate_size)
        self.intermediate_act_fn = _ACTIVATIONS[config.hidden_act]

    def forward(self, hidden_states):
        return self.intermediate_act_fn(self.dense(hidden_states))


class BertOutput(nn.Module):
    """The feed-forward block's projection back to ``hidden_size``, dropout, then LayerNorm of the residual sum."""

    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.intermediate_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, hidden_states, input_tensor):
        return self.LayerNorm(self.dropout(self.dense(hidden_states)) + input_tensor)


class BertLayer(nn.Module):
    """One transformer encoder layer (post-LayerNorm): attention, then the feed-forward block."""

    def __init__(self, config):
        super().__init__()
        self.attention = BertAttention(config)
        self.intermediate = BertIntermediate(config)
        self.output = BertOutput(config)

    def forward(self, hidden_states, attention_mask=None, output_attentions=False):
        attention_output, weights = self.attention(hidden_states, attention_mask, output_attentions)
        return self.output(self.intermediate(attention_output), attention_output), weights


class BertEncoder(nn.Module):
    """The stack of ``num_hidden_layers`` :class:`BertLayer` (``encoder.layer.N``)."""

    def __init__(self, config):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(config) for _ in range(config.num_hidden_layers)])

    def forward(self, hidden_states, attention_mask=None, output_hidden_states=False, output_attentions=False):
        all_hidden_states = [hidden_states] if output_hidden_states else None
        all_attentions = [] if output_attentions else None
        for layer in self.layer:
            hidden_states, weights = layer(hidden_states, attention_mask, output_attentions)
            if output_hidden_states:
                all_hidden_states.append(hidden_states)
            if output_attentions:
                all_attentions.append(weights)
        return hidden_states, all_hidden_states, all_attentions


class BertPooler(nn.Module):
    """``tanh(dense(h[:, 0]))``: the first ([CLS]) token's state through a Linear and tanh."""

    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.activation = nn.Tanh()

    def forward(self, hidden_states):
        return self.activation(self.dense(hidden_states[:, 0]))


# ============================================================================ loading checkpoints

_LEGACY_NAMES = {"gamma": "weight", "beta": "bias"}            # LayerNorm names of TF-converted checkpoints
_IGNORED_BUFFERS = ("embeddings.position_ids", "embeddings.token_type_ids")     # saved by older transformers
_ENCODER_PARTS = ("embeddings.", "encoder.")


def _upgrade_legacy_keys(state_dict, prefix, *_):
    """Load-state-dict pre-hook of :class:`BertModel`: rename ``gamma``/``beta`` and drop old buffers in place."""
    for key in [key for key in state_dict if key.startswith(prefix)]:
        local = key[len(prefix):]
        if local in _IGNORED_BUFFERS:
            del state_dict[key]
            continue
        head, _, last = local.rpartition(".")
        if last in _LEGACY_NAMES and "LayerNorm" in head:
            state_dict[prefix + head + "." + _LEGACY_NAMES[last]] = state_dict.pop(key)


def _extended_attention_mask(attention_mask, shape, dtype):
    """The additive mask attention adds to its scores: 0 where attended, the dtype's lowest value where padding.

    A (batch, seq) mask becomes (batch, 1, 1, seq), a (batch, seq, seq) one (batch, 1, seq, seq), as in
    Hugging Face's ``get_extended_attention_mask``.
    """
    batch, length = shape
    if attention_mask.dim() == 2 and tuple(attention_mask.shape) == (batch, length):
        mask = attention_mask[:, None, None, :]
    elif attention_mask.dim() == 3 and tuple(attention_mask.shape) == (batch, length, length):
        mask = attention_mask[:, None, :, :]
    else:
        raise ValueError(f"BertModel: attention_mask must have shape (batch, seq) = {(batch, length)} or (batch, "
                         f"seq, seq), got {tuple(attention_mask.shape)}")
    return (1.0 - mask.to(dtype)) * ember.finfo(dtype).min


_LOADING = threading.local()         # from_pretrained skips the initialisation the checkpoint overwrites


@contextlib.contextmanager
def _no_init_weights():
    _LOADING.active = True
    try:
        yield
    finally:
        _LOADING.active = False


class BertPreTrainedModel(nn.Module):
    """What every BERT model shares: Hugging Face's weight initialisation, ``from_pretrained`` and
    ``save_pretrained``. ``base_model_prefix`` names the :class:`BertModel` inside a model with a head."""

    config_class = BertConfig
    base_model_prefix = "bert"

    def __init__(self, config):
        super().__init__()
        if not isinstance(config, BertConfig):
            raise TypeError(f"{type(self).__name__}: config must be a BertConfig, got {type(config).__name__}")
        self.config = config

    def _init_weights(self, module):
        """Hugging Face's initialisation: Linear and Embedding weights N(0, initializer_range), biases and the
        padding row zero, LayerNorm weight 1 and bias 0."""
        std = self.config.initializer_range
        with ember.no_grad():
            if isinstance(module, nn.Linear):
                module.weight.normal_(0.0, std)
                if module.bias is not None:
                    module.bias.zero_()
            elif isinstance(module, nn.Embedding):
                module.weight.normal_(0.0, std)
                if module.padding_idx is not None:
                    module.weight[module.padding_idx].zero_()
            elif isinstance(module, nn.LayerNorm):
                module.weight.fill_(1.0)
                module.bias.zero_()

    def init_weights(self, module=None):
        """(Re)initialise every parameter of ``module`` (default: the whole model) as Hugging Face does (see
        :meth:`_init_weights`)."""
        if not getattr(_LOADING, "active", False):
            (self if module is None else module).apply(self._init_weights)

    # ------------------------------------------------------------------ from_pretrained
    @classmethod
    def from_pretrained(cls, pretrained_model_name_or_path, *model_args, config=None, **kwargs):
        """The model of a Hugging Face directory (``config.json`` + ``model.safetensors`` or
        ``pytorch_model.bin``), in eval mode as in ``transformers``.

        Keyword arguments that name config fields (``num_labels=3``, ``hidden_dropout_prob=0.2``) override the
        directory's config; the rest go to the constructor (``add_pooling_layer=False``). Checkpoint names may
        carry the ``bert.`` prefix of Hugging Face's ``BertFor*`` models (or lack it), old ``gamma``/``beta``
        LayerNorm names and ``position_ids`` buffers. A weight the model needs but the checkpoint lacks raises
        RuntimeError, except a new head (and the pooler), which keeps its fresh initialisation with a warning;
        weights of other heads are skipped with a warning.

        >>> import tempfile; d = tempfile.mkdtemp()
        >>> small = BertConfig(vocab_size=20, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
        ...                    intermediate_size=8, max_position_embeddings=8)
        >>> BertModel(small).save_pretrained(d)
        >>> BertModel.from_pretrained(d).config.hidden_size
        8
        """
        directory = _pretrained.check_directory(pretrained_model_name_or_path)
        config_fields = {key: kwargs.pop(key) for key in list(kwargs) if key in _CONFIG_KEYWORDS}
        if config is None:
            config = BertConfig.from_pretrained(directory, **config_fields)
        elif config_fields:
            config = BertConfig.from_dict(_overridden(config.to_dict(), config_fields))
        state = _pretrained.load_weights(directory)
        with _no_init_weights():
            model = cls(config, *model_args, **kwargs)
        model._load_pretrained_state(state, directory)
        return model.eval()

    def _load_pretrained_state(self, state, source):
        """Load checkpoint ``state`` (Hugging Face names) with the policy :meth:`from_pretrained` describes."""
        state = self._with_own_prefix(dict(state))
        result = self.load_state_dict(state, strict=False)
        missing = [key for key in result.missing_keys if not self._may_start_fresh(key)]
        stray = [key for key in result.unexpected_keys if self._is_base_key(key)]
        if missing or stray:
            raise RuntimeError(f"Error(s) loading {type(self).__name__} from {source!r}: the checkpoint does not fit "
                               f"the config. Missing: {missing[:8]}{' ...' if len(missing) > 8 else ''}. "
                               f"Unexpected: {stray[:8]}{' ...' if len(stray) > 8 else ''}.")
        fresh = [key for key in result.missing_keys if key not in missing]
        for key in fresh:
            self._init_weights(self.get_submodule(key.rpartition(".")[0]))
        if fresh:
            warnings.warn(f"Some weights of {type(self).__name__} were not in the checkpoint {source!r} and keep "
                          f"their fresh initialisation: {fresh}. Train the model before using it for predictions.",
                          stacklevel=3)
        skipped = [key for key in result.unexpected_keys if not self._quietly_skipped(key)]
        if skipped:
            warnings.warn(f"Some weights of the checkpoint {source!r} were not used by {type(self).__name__} "
                          f"(another model's head): {skipped[:8]}{' ...' if len(skipped) > 8 else ''}",
                          stacklevel=3)

    def _base_prefix(self):
        """The prefix of the BertModel's keys inside this model: '' for BertModel, 'bert.' for a head model."""
        return "" if isinstance(self, BertModel) else self.base_model_prefix + "."

    def _with_own_prefix(self, state):
        """Rename checkpoint keys to this model's layout: strip or add the ``bert.`` prefix as needed."""
        head_prefix = self.base_model_prefix + "."
        has_prefix = any(key.startswith(head_prefix) for key in state)
        if isinstance(self, BertModel) and has_prefix:
            return {(key[len(head_prefix):] if key.startswith(head_prefix) else key): value
                    for key, value in state.items()}
        if not isinstance(self, BertModel) and not has_prefix:
            own_heads = tuple(name + "." for name in self._modules if name != self.base_model_prefix)
            return {(key if key.startswith(own_heads) else head_prefix + key): value for key, value in state.items()}
        return state

    def _is_base_key(self, key):
        """Whether ``key`` names part of this model's encoder (so a mismatch there is an error, not another head)."""
        local = key[len(self._base_prefix()):] if key.startswith(self._base_prefix()) else None
        return local is not None and local.startswith(_ENCODER_PARTS)

    def _may_start_fresh(self, key):
        """Missing keys that keep their initialisation: this model's own head and the pooler."""
        return not self._is_base_key(key)

    def _quietly_skipped(self, key):
        """Unused checkpoint keys not worth a warning: the pooler of a model built without one."""
        return key.startswith(self._base_prefix() + "pooler.")

    # ------------------------------------------------------------------ save_pretrained
    def save_pretrained(self, save_directory):
        """Write ``config.json`` and ``model.safetensors`` (Hugging Face's names) into ``save_directory``, each file
        atomically, so that ``from_pretrained`` here or in ``transformers`` reads them back.

        >>> import tempfile; d = tempfile.mkdtemp()
        >>> BertModel(BertConfig(vocab_size=20, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
        ...                      intermediate_size=8, max_position_embeddings=8)).save_pretrained(d)
        >>> sorted(os.listdir(d))
        ['config.json', 'model.safetensors']
        """
        self.config.architectures = [type(self).__name__]          # as transformers records it
        _pretrained.save_directory(save_directory, self.config.to_dict(), self.state_dict())


_CONFIG_KEYWORDS = frozenset(name for name, _ in _FIELDS) | {"num_labels", "id2label", "label2id"}


# ============================================================================ models

class BertModel(BertPreTrainedModel):
    """The BERT encoder: embeddings, ``num_hidden_layers`` transformer layers and (optionally) the pooler.

    ``forward`` returns a :class:`BaseModelOutputWithPooling`; see the module docstring for an example.
    """

    def __init__(self, config, add_pooling_layer=True):
        super().__init__(config)
        self.embeddings = BertEmbeddings(config)
        self.encoder = BertEncoder(config)
        self.pooler = BertPooler(config) if add_pooling_layer else None
        self.init_weights()
        self._register_load_state_dict_pre_hook(_upgrade_legacy_keys)

    def get_input_embeddings(self):
        """The word-embedding table (``embeddings.word_embeddings``)."""
        return self.embeddings.word_embeddings

    def set_input_embeddings(self, value):
        self.embeddings.word_embeddings = value

    def forward(self, input_ids=None, attention_mask=None, token_type_ids=None, position_ids=None,
                inputs_embeds=None, output_hidden_states=False, output_attentions=False):
        """Encode a batch of token ids (batch, seq): ``attention_mask`` is 1 for real tokens and 0 for padding,
        ``token_type_ids`` tells sentence A (0) from B (1). Returns ``last_hidden_state`` (batch, seq, hidden),
        ``pooler_output`` (batch, hidden) and, when asked, ``hidden_states`` (the embeddings' output and each
        layer's) and ``attentions`` (each layer's softmax weights, (batch, heads, seq, seq))."""
        if (input_ids is None) == (inputs_embeds is None):
            raise ValueError("You must specify exactly one of input_ids or inputs_embeds")
        if input_ids is not None:
            _check_ids("input_ids", input_ids, None)
            shape = tuple(input_ids.shape)
        else:
            if inputs_embeds.dim() != 3:
                raise ValueError(f"BertModel: inputs_embeds must be (batch, seq, hidden), got shape "
                                 f"{tuple(inputs_embeds.shape)}")
            shape = tuple(inputs_embeds.shape[:2])
        _check_ids("token_type_ids", token_type_ids, shape)
        _check_ids("position_ids", position_ids, shape, broadcast_batch=True)
        hidden = self.embeddings(input_ids=input_ids, token_type_ids=token_type_ids, position_ids=position_ids,
                                 inputs_embeds=inputs_embeds)
        mask = None if attention_mask is None else _extended_attention_mask(attention_mask, shape, hidden.dtype)
        hidden, all_hidden, all_attentions = self.encoder(hidden, mask, output_hidden_states, output_attentions)
        return BaseModelOutputWithPooling(
            last_hidden_state=hidden,
            pooler_output=self.pooler(hidden) if self.pooler is not None else None,
            hidden_states=tuple(all_hidden) if output_hidden_states else None,
            attentions=tuple(all_attentions) if output_attentions else None)


def _check_ids(name, ids, shape, broadcast_batch=False):
    """``ids`` must be an integer tensor of ``shape`` (batch, seq) (or 2-D when shape is None)."""
    if ids is None:
        return
    if not isinstance(ids, ember.Tensor):
        raise TypeError(f"BertModel: {name} must be an ember.Tensor of token indices, got {type(ids).__name__}")
    if ids.dtype.is_floating_point or ids.dtype.is_complex or ids.dtype == ember.bool:
        raise TypeError(f"BertModel: {name} must be an integer tensor, got {ids.dtype}")
    actual = tuple(ids.shape)
    if shape is None:
        if ids.dim() != 2:
            raise ValueError(f"BertModel: {name} must be 2-D (batch, seq), got shape {actual}")
        return
    fits = actual == shape or broadcast_batch and len(actual) == 2 and actual == (1, shape[1])
    if not fits:
        raise ValueError(f"BertModel: {name} must have shape (batch, seq) = {shape}, got {actual}")


class BertForSequenceClassification(BertPreTrainedModel):
    """BERT with a classification (or regression) head on the pooled output: ``bert``, ``dropout`` and a
    ``classifier`` Linear to ``num_labels`` outputs, as Hugging Face's model of that name.

    With ``labels`` the output also holds the loss: mean squared error when ``num_labels`` is 1, cross-entropy
    for integer labels, binary cross-entropy with logits for float multi-label targets (``config.problem_type``
    fixes the choice).

    >>> config = BertConfig(vocab_size=50, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
    ...                     intermediate_size=16, max_position_embeddings=16)
    >>> model = BertForSequenceClassification(config, num_labels=3)
    >>> out = model(input_ids=ember.tensor([[2, 7, 9]]), labels=ember.tensor([1]))
    >>> out.logits.shape, out.loss.shape
    (ember.Size([1, 3]), ember.Size([]))
    """

    def __init__(self, config, num_labels=None):
        super().__init__(config)
        if num_labels is not None and num_labels != config.num_labels:
            config = copy.deepcopy(config)
            config.num_labels = num_labels
            self.config = config
        self.num_labels = config.num_labels
        self.bert = BertModel(config)
        dropout = config.classifier_dropout if config.classifier_dropout is not None else config.hidden_dropout_prob
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(config.hidden_size, config.num_labels)
        self.init_weights(self.classifier)

    def forward(self, input_ids=None, attention_mask=None, token_type_ids=None, position_ids=None,
                inputs_embeds=None, labels=None, output_hidden_states=False, output_attentions=False):
        """Logits (batch, num_labels) from the pooled [CLS] state; the loss too when ``labels`` are given."""
        outputs = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids,
                            position_ids=position_ids, inputs_embeds=inputs_embeds,
                            output_hidden_states=output_hidden_states, output_attentions=output_attentions)
        logits = self.classifier(self.dropout(outputs.pooler_output))
        loss = None if labels is None else self._loss(logits, labels)
        return SequenceClassifierOutput(loss=loss, logits=logits, hidden_states=outputs.hidden_states,
                                        attentions=outputs.attentions)

    def _problem_type(self, labels):
        if self.config.problem_type is not None:
            return self.config.problem_type
        if self.num_labels == 1:
            return "regression"
        if labels.dtype in (ember.int64, ember.int32):
            return "single_label_classification"
        return "multi_label_classification"

    def _loss(self, logits, labels):
        problem = self._problem_type(labels)
        self.config.problem_type = problem        # as Hugging Face, the first batch fixes it
        if problem == "regression":
            if self.num_labels == 1:
                return F.mse_loss(logits.squeeze(), labels.squeeze().to(logits.dtype))
            return F.mse_loss(logits, labels.to(logits.dtype))
        if problem == "single_label_classification":
            return F.cross_entropy(logits.reshape(-1, self.num_labels), labels.reshape(-1))
        return F.binary_cross_entropy_with_logits(logits, labels.to(logits.dtype))
