"""ember.text: torchtext's counterpart (tokenizers, vocabularies, transforms, datasets) and BERT for text.

Subpackages load on first use, so ``import ember.text`` stays as light as ``import ember``:
``data`` (get_tokenizer, ngrams_iterator, ...), ``vocab`` (Vocab, build_vocab_from_iterator), ``transforms``,
``functional``, ``datasets`` (AG_NEWS, IMDB, SST2, WikiText2, RottenTomatoes), ``tokenizers`` (BertTokenizer)
and ``models`` (BertModel).

>>> import ember.text as text
>>> text.data.get_tokenizer("basic_english")("Hello, World!")
['hello', ',', 'world', '!']
"""

import importlib

_LAZY_SUBMODULES = ("data", "vocab", "transforms", "functional", "datasets", "tokenizers", "models")
_LAZY_NAMES = {"BertTokenizer": "tokenizers"}

__all__ = list(_LAZY_SUBMODULES) + list(_LAZY_NAMES)


def __getattr__(name):
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _LAZY_NAMES:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY_NAMES[name]}"), name)
    raise AttributeError(f"module 'ember.text' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
