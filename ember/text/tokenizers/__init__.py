"""Subword tokenizers for pretrained models: BERT's WordPiece (``BertTokenizer``), called as Hugging Face's.

>>> from ember.text.tokenizers import BertTokenizer
>>> BertTokenizer.model_input_names
['input_ids', 'token_type_ids', 'attention_mask']
"""

from .bert import BertTokenizer
from .encoding import BatchEncoding
from .wordpiece import BasicTokenizer, WordpieceTokenizer

__all__ = ["BasicTokenizer", "BatchEncoding", "BertTokenizer", "WordpieceTokenizer"]
