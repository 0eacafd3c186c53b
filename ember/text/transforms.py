"""Text transforms (torchtext.transforms): modules that turn text into padded id tensors, chained with Sequential.

>>> from ember.text.vocab import vocab
>>> from collections import OrderedDict
>>> v = vocab(OrderedDict([("hello", 1), ("world", 1)]), specials=["<pad>", "<bos>"])
>>> pipeline = Sequential(VocabTransform(v), AddToken(1, begin=True), ToTensor(padding_value=0))
>>> pipeline([["hello", "world"], ["world"]])
tensor([[1, 2, 3],
        [1, 3, 0]])
"""

import os
import re

from ..nn.modules.container import Sequential as _NNSequential
from ..nn.modules.module import Module
from . import functional as F
from .vocab import Vocab

__all__ = ["VocabTransform", "ToTensor", "LabelToIndex", "Truncate", "AddToken", "PadTransform", "StrToIntTransform",
           "RegexTokenizer", "BERTTokenizer", "Sequential"]


def _is_text_batch(input):
    return isinstance(input, list) and all(isinstance(item, str) for item in input)


def _is_token_batch(input):
    return isinstance(input, list) and all(_is_text_batch(item) for item in input)


class VocabTransform(Module):
    """Look tokens up in a Vocab: a list of tokens gives a list of ids, a batch of lists a batch of id lists.

    >>> VocabTransform(Vocab(["a", "b"]))([["a", "b"], ["b"]])
    [[0, 1], [1]]
    """

    def __init__(self, vocab):
        super().__init__()
        if not isinstance(vocab, Vocab):
            raise TypeError(f"VocabTransform: vocab must be an ember.text.vocab.Vocab, got {type(vocab).__name__}")
        self.vocab = vocab

    def forward(self, input):
        if _is_text_batch(input):
            return self.vocab.lookup_indices(input)
        if _is_token_batch(input):
            return [self.vocab.lookup_indices(tokens) for tokens in input]
        raise TypeError(f"Input type not supported: expected a list of tokens or a list of token lists, got "
                        f"{type(input).__name__}")


class ToTensor(Module):
    """Turn ids (a list, or a batch of lists padded with ``padding_value``) into a tensor of ``dtype`` (int64).

    >>> ToTensor(padding_value=0)([[5, 6], [7]])
    tensor([[5, 6],
            [7, 0]])
    """

    def __init__(self, padding_value=None, dtype=None):
        super().__init__()
        self.padding_value = padding_value
        self.dtype = dtype

    def forward(self, input):
        return F.to_tensor(input, padding_value=self.padding_value, dtype=self.dtype)


class LabelToIndex(Module):
    """Map label names (given as a list, or read one per line from ``label_path``) to their indices.

    >>> LabelToIndex(["neg", "pos"])(["pos", "neg", "pos"])
    [1, 0, 1]
    """

    def __init__(self, label_names=None, label_path=None, sort_names=False):
        super().__init__()
        if not label_names and not label_path:
            raise ValueError("LabelToIndex: label_names or label_path is required")
        if label_names and label_path:
            raise ValueError("LabelToIndex: label_names and label_path are mutually exclusive")
        if label_path:
            with open(label_path, encoding="utf-8") as stream:
                label_names = [line.strip() for line in stream if line.strip()]
        label_names = sorted(label_names) if sort_names else list(label_names)
        self._label_vocab = Vocab(label_names)
        self._label_names = self._label_vocab.get_itos()

    def forward(self, input):
        if isinstance(input, str):
            return self._label_vocab[input]
        if _is_text_batch(input):
            return self._label_vocab.lookup_indices(input)
        raise TypeError(f"Input type not supported: expected a label or a list of labels, got {type(input).__name__}")

    @property
    def label_names(self):
        """The label names in index order."""
        return self._label_names


class Truncate(Module):
    """Keep the first ``max_seq_len`` items of a sequence (or of each sequence of a batch).

    >>> Truncate(2)([[1, 2, 3], [4]])
    [[1, 2], [4]]
    """

    def __init__(self, max_seq_len):
        super().__init__()
        self.max_seq_len = max_seq_len

    def forward(self, input):
        return F.truncate(input, self.max_seq_len)


class AddToken(Module):
    """Add ``token`` (an id or a string) at the start (``begin=True``) or the end of each sequence.

    >>> AddToken(token=0, begin=True)([[5, 6]])
    [[0, 5, 6]]
    """

    def __init__(self, token, begin=True):
        super().__init__()
        self.token = token
        self.begin = begin

    def forward(self, input):
        return F.add_token(input, self.token, self.begin)


class PadTransform(Module):
    """Pad the last dimension of a tensor on the right with ``pad_value`` up to ``max_length`` (longer ones are
    left as they are).

    >>> import ember
    >>> PadTransform(max_length=4, pad_value=0)(ember.tensor([[1, 2], [3, 4]]))
    tensor([[1, 2, 0, 0],
            [3, 4, 0, 0]])
    """

    def __init__(self, max_length, pad_value):
        super().__init__()
        self.max_length = max_length
        self.pad_value = float(pad_value)

    def forward(self, x):
        from ..nn.functional import pad

        missing = self.max_length - x.size(-1)
        if missing <= 0:
            return x
        return pad(x, (0, missing), value=self.pad_value)


class StrToIntTransform(Module):
    """Convert numeric strings (a list, or a batch of lists) to ints.

    >>> StrToIntTransform()(["4", "2"])
    [4, 2]
    """

    def forward(self, input):
        return F.str_to_int(input)


class RegexTokenizer(Module):
    """Apply ``(pattern, replacement)`` regex rules in order, then split on spaces (empty pieces dropped).

    >>> RegexTokenizer([(r"\\s+", " "), (r"[!.]", " <p> ")])("Hello   world!")
    ['Hello', 'world', '<p>']
    """

    def __init__(self, patterns_list):
        super().__init__()
        self.patterns_list = list(patterns_list)
        self._rules = [(re.compile(pattern), replacement) for pattern, replacement in self.patterns_list]

    def forward(self, line):
        if not isinstance(line, str):
            raise TypeError(f"RegexTokenizer: expected a str, got {type(line).__name__}")
        for pattern, replacement in self._rules:
            line = pattern.sub(replacement, line)
        return [token for token in line.split(" ") if token]


def _local_vocab_path(vocab_path):
    """A local path for ``vocab_path``; a URL is downloaded once into ember's cache (``<EMBER_HOME>/text``)."""
    if os.path.exists(vocab_path):
        return vocab_path
    from .. import hub

    target = os.path.join(hub._get_ember_home(), "text", os.path.basename(vocab_path.split("?")[0]))
    if not os.path.exists(target):
        hub.download_url_to_file(vocab_path, target)
    return target


class BERTTokenizer(Module):
    """torchtext's BERT tokenizer transform: WordPiece over ``vocab_path`` (a local file or a URL). It returns
    token ids as strings (for ``StrToIntTransform``), or the tokens with ``return_tokens=True``; a list of texts
    gives a list of lists.

    >>> import os, tempfile; path = os.path.join(tempfile.mkdtemp(), "vocab.txt")
    >>> _ = open(path, "w").write("[PAD]\\n[UNK]\\n[CLS]\\n[SEP]\\n[MASK]\\nhello\\n##s")
    >>> BERTTokenizer(path)("Hellos"), BERTTokenizer(path, return_tokens=True)(["hellos world"])
    (['5', '6'], [['hello', '##s', '[UNK]']])
    """

    def __init__(self, vocab_path, do_lower_case=True, strip_accents=None, return_tokens=False, never_split=None):
        super().__init__()
        from .tokenizers import BertTokenizer

        self._tokenizer = BertTokenizer(_local_vocab_path(vocab_path), do_lower_case=do_lower_case,
                                        strip_accents=strip_accents, never_split=never_split)
        self._return_tokens = return_tokens

    def _encode(self, text):
        tokens = self._tokenizer._tokenize_plain(text.strip())
        if self._return_tokens:
            return tokens
        return [str(index) for index in self._tokenizer.convert_tokens_to_ids(tokens)]

    def forward(self, input):
        if isinstance(input, str):
            return self._encode(input)
        if _is_text_batch(input):
            return [self._encode(text) for text in input]
        raise TypeError(f"Input type not supported: expected a str or a list of str, got {type(input).__name__}")


class Sequential(_NNSequential):
    """Chain transforms: each one's output is the next one's input.

    >>> Sequential(Truncate(2), AddToken(9, begin=False))([[1, 2, 3]])
    [[1, 2, 9]]
    """

    def forward(self, input):
        for module in self:
            input = module(input)
        return input
