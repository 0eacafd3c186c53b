"""torchtext.data's counterpart: word tokenizers, n-grams and helpers over text streams.

>>> from ember.text.data import get_tokenizer, ngrams_iterator
>>> list(ngrams_iterator(get_tokenizer("basic_english")("Good movie!"), 2))
['good', 'movie', '!', 'good movie', 'movie !']
"""

from .functional import custom_replace, numericalize_tokens_from_iterator, simple_space_split, to_map_style_dataset
from .utils import get_tokenizer, interleave_keys, ngrams_iterator

__all__ = ["custom_replace", "get_tokenizer", "interleave_keys", "ngrams_iterator",
           "numericalize_tokens_from_iterator", "simple_space_split", "to_map_style_dataset"]
