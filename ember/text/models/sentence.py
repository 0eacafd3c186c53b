"""Sentence embeddings from a BERT encoder, as sentence-transformers makes them.

A sentence-transformers model such as all-MiniLM-L6-v2 is a pipeline: tokenize (truncating at
``max_seq_length``), run the transformer, pool the token states into one vector per sentence (the mean over real
tokens for MiniLM) and L2-normalise. :func:`mean_pooling` is the pooling step on its own;
:class:`SentenceEmbedder` runs the whole pipeline and reads its settings from the model directory
(``sentence_bert_config.json``, ``1_Pooling/config.json``, ``modules.json``).
"""

import json
import os

import numpy as np

import ember
from ember.nn import functional as F

from . import _pretrained
from .bert import BertModel

__all__ = ["mean_pooling", "cls_pooling", "max_pooling", "SentenceEmbedder"]


def _token_weights(last_hidden_state, attention_mask):
    """The attention mask as (batch, seq, 1) weights in the hidden states' dtype, checked against their shape."""
    if last_hidden_state.dim() != 3:
        raise ValueError(f"pooling: last_hidden_state must be (batch, seq, hidden), got shape "
                         f"{tuple(last_hidden_state.shape)}")
    if tuple(attention_mask.shape) != tuple(last_hidden_state.shape[:2]):
        raise ValueError(f"pooling: attention_mask must have shape (batch, seq) = "
                         f"{tuple(last_hidden_state.shape[:2])}, got {tuple(attention_mask.shape)}")
    return attention_mask.unsqueeze(-1).to(last_hidden_state.dtype)


def mean_pooling(last_hidden_state, attention_mask):
    """The mean of each sentence's token states over its real tokens (``attention_mask`` 1), padding left out.

    A sentence with no real token gets zeros (the count is clamped at 1e-9, as sentence-transformers does).

    >>> h = ember.tensor([[[1.0, 2.0], [3.0, 4.0], [9.0, 9.0]]])
    >>> mean_pooling(h, ember.tensor([[1, 1, 0]]))
    tensor([[2., 3.]])
    """
    weights = _token_weights(last_hidden_state, attention_mask)
    total = (last_hidden_state * weights).sum(1)
    return total / weights.sum(1).clamp(min=1e-9)


def cls_pooling(last_hidden_state, attention_mask=None):
    """The first token's ([CLS]) state of each sentence.

    >>> cls_pooling(ember.tensor([[[1.0, 2.0], [3.0, 4.0]]]))
    tensor([[1., 2.]])
    """
    if attention_mask is not None:
        _token_weights(last_hidden_state, attention_mask)
    return last_hidden_state[:, 0]


def max_pooling(last_hidden_state, attention_mask):
    """The elementwise maximum of each sentence's token states over its real tokens.

    >>> h = ember.tensor([[[1.0, 5.0], [3.0, 4.0], [9.0, 9.0]]])
    >>> max_pooling(h, ember.tensor([[1, 1, 0]]))
    tensor([[3., 5.]])
    """
    weights = _token_weights(last_hidden_state, attention_mask)
    lowest = ember.finfo(last_hidden_state.dtype).min
    return last_hidden_state.masked_fill(weights == 0, lowest).amax(1)


_POOLINGS = {"mean": mean_pooling, "cls": cls_pooling, "max": max_pooling}
# 1_Pooling/config.json's switches and the pooling each selects
_POOLING_SWITCHES = {"pooling_mode_mean_tokens": "mean", "pooling_mode_cls_token": "cls",
                     "pooling_mode_max_tokens": "max"}
_DEFAULT_MAX_SEQ_LENGTH = 256


def _read_optional_json(path, what):
    return _pretrained.read_json(path, what) if os.path.isfile(path) else None


def _pooling_from_directory(directory):
    """The pooling mode named by ``1_Pooling/config.json`` (mean when the file is absent)."""
    settings = _read_optional_json(os.path.join(directory, "1_Pooling", "config.json"), "pooling config")
    if settings is None:
        return "mean"
    chosen = [mode for switch, mode in _POOLING_SWITCHES.items() if settings.get(switch)]
    others = [key for key, value in settings.items() if key.startswith("pooling_mode") and value
              and key not in _POOLING_SWITCHES]
    if len(chosen) != 1 or others:
        raise ValueError(f"SentenceEmbedder: 1_Pooling/config.json must select exactly one of "
                         f"{sorted(_POOLING_SWITCHES)}, got {sorted(chosen + others)}")
    return chosen[0]


def _normalizes(directory):
    """Whether ``modules.json`` ends the pipeline with sentence-transformers' Normalize module (no file: no)."""
    path = os.path.join(directory, "modules.json")
    if not os.path.isfile(path):
        return False
    with open(path, encoding="utf-8") as f:
        try:
            modules = json.load(f)
        except json.JSONDecodeError as error:
            raise ValueError(f"modules list {path!r} is not valid JSON: {error}") from None
    if not isinstance(modules, list) or not all(isinstance(entry, dict) for entry in modules):
        raise ValueError(f"modules list {path!r} must hold a JSON list of objects")
    return any(str(entry.get("type", "")).endswith(".Normalize") for entry in modules)


class SentenceEmbedder:
    """Sentence embeddings from a :class:`BertModel` and a tokenizer: tokenize, encode, pool, L2-normalise.

    ``tokenizer`` is called as Hugging Face tokenizers are (``tokenizer(texts, padding=True, truncation=True,
    max_length=..., return_tensors="pt")``, e.g. ``ember.text.BertTokenizer``) and must return ``input_ids``
    and ``attention_mask`` (``token_type_ids`` optional). ``pooling`` is ``"mean"``, ``"cls"`` or ``"max"``.

    >>> config = ember.text.models.BertConfig(vocab_size=30, hidden_size=8, num_hidden_layers=1,
    ...                                       num_attention_heads=2, intermediate_size=8)
    >>> def tokenizer(texts, **options):
    ...     ids = ember.tensor([[1 + len(word) for word in text.split()] for text in texts])
    ...     return {"input_ids": ids, "attention_mask": ember.ones_like(ids)}
    >>> embedder = SentenceEmbedder(BertModel(config), tokenizer)
    >>> embedder.encode(["one two", "three four"]).shape
    (2, 8)
    """

    def __init__(self, model, tokenizer, pooling="mean", normalize=True, max_seq_length=_DEFAULT_MAX_SEQ_LENGTH):
        if pooling not in _POOLINGS:
            raise ValueError(f"SentenceEmbedder: pooling must be one of {sorted(_POOLINGS)}, got {pooling!r}")
        if not callable(tokenizer):
            raise TypeError(f"SentenceEmbedder: tokenizer must be callable, got {type(tokenizer).__name__}")
        if not isinstance(max_seq_length, int) or max_seq_length < 1:
            raise ValueError(f"SentenceEmbedder: max_seq_length must be a positive int, got {max_seq_length!r}")
        self.model = model
        self.tokenizer = tokenizer
        self.pooling = pooling
        self.normalize = normalize
        self.max_seq_length = max_seq_length

    @classmethod
    def from_pretrained(cls, directory, tokenizer=None):
        """The pipeline of a sentence-transformers directory: the BERT weights, ``max_seq_length`` from
        ``sentence_bert_config.json``, pooling from ``1_Pooling/config.json`` and normalisation when
        ``modules.json`` lists Normalize. ``tokenizer`` defaults to ``ember.text.BertTokenizer`` of the same
        directory."""
        directory = _pretrained.check_directory(directory)
        settings = _read_optional_json(os.path.join(directory, "sentence_bert_config.json"), "sentence config")
        max_seq_length = (settings or {}).get("max_seq_length", _DEFAULT_MAX_SEQ_LENGTH)
        model = BertModel.from_pretrained(directory, add_pooling_layer=False)
        max_seq_length = min(max_seq_length, model.config.max_position_embeddings)
        if tokenizer is None:
            from ember.text.tokenizers.bert import BertTokenizer
            tokenizer = BertTokenizer.from_pretrained(directory)
        return cls(model, tokenizer, pooling=_pooling_from_directory(directory), normalize=_normalizes(directory),
                   max_seq_length=max_seq_length)

    def embed_batch(self, encoded, normalize=None):
        """Embeddings (batch, hidden) of one tokenized batch (a mapping with ``input_ids``, ``attention_mask``
        and optionally ``token_type_ids``); differentiable, so it also serves fine-tuning. ``normalize``
        overrides the pipeline's normalisation."""
        attention_mask = encoded["attention_mask"]
        out = self.model(input_ids=encoded["input_ids"], attention_mask=attention_mask,
                         token_type_ids=encoded.get("token_type_ids"))
        pooled = _POOLINGS[self.pooling](out.last_hidden_state, attention_mask)
        normalize = self.normalize if normalize is None else normalize
        return F.normalize(pooled, p=2, dim=1) if normalize else pooled

    def encode(self, sentences, batch_size=32, show_progress_bar=False, convert_to_numpy=True,
               convert_to_tensor=False, normalize_embeddings=None):
        """Embed ``sentences`` (a string or a list of them) in eval mode without gradients, ``batch_size`` at a
        time (sorted by length so batches pad little, results in input order), as sentence-transformers'
        ``encode``: a NumPy array (sentences, hidden) by default, an ember tensor with ``convert_to_tensor``;
        one sentence gives one vector. ``normalize_embeddings`` overrides the pipeline's normalisation."""
        single = isinstance(sentences, str)
        texts = [sentences] if single else list(sentences)
        if not all(isinstance(text, str) for text in texts):
            raise TypeError("SentenceEmbedder.encode: sentences must be a string or a list of strings")
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"SentenceEmbedder.encode: batch_size must be a positive int, got {batch_size!r}")
        normalize = self.normalize if normalize_embeddings is None else normalize_embeddings
        embeddings = self._encode_sorted(texts, batch_size, normalize, show_progress_bar)
        if single:
            embeddings = embeddings[0]
        if convert_to_tensor:
            return embeddings
        return embeddings.numpy() if convert_to_numpy else list(embeddings)

    def _encode_sorted(self, texts, batch_size, normalize, show_progress_bar):
        order = np.argsort([-len(text) for text in texts], kind="stable")
        hidden = self.model.config.hidden_size
        if not texts:
            return ember.zeros(0, hidden)
        was_training = self.model.training
        self.model.eval()
        bar = _progress_bar(len(texts), batch_size) if show_progress_bar else None
        try:
            parts = []
            with ember.no_grad():
                for start in range(0, len(texts), batch_size):
                    batch = [texts[i] for i in order[start:start + batch_size]]
                    encoded = self.tokenizer(batch, padding=True, truncation=True, max_length=self.max_seq_length,
                                             return_tensors="pt")
                    parts.append(self.embed_batch(encoded, normalize))
                    if bar is not None:
                        bar.advance()
        finally:
            self.model.train(was_training)
            if bar is not None:
                bar.close()
        embeddings = ember.cat(parts)
        return embeddings[ember.from_numpy(np.argsort(order))]


def _progress_bar(count, batch_size):
    from ember.utils.progress import ProgressBar

    return ProgressBar(-(-count // batch_size), "Batches")
