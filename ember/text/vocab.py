"""Vocab: the token <-> index mapping of torchtext.vocab, and the factories that build one.

``build_vocab_from_iterator`` counts the tokens of an iterator of token lists and orders them by descending
frequency, ties broken lexicographically (as torchtext); ``vocab`` keeps the order of an ordered dict. Specials go
first (or last, ``special_first=False``); ``min_freq`` and ``max_tokens`` prune rare tokens. Looking up a token that
is missing raises RuntimeError until ``set_default_index`` names the index to return instead.

>>> v = build_vocab_from_iterator([["a", "b", "a"], ["c", "a", "b"]], specials=["<unk>"])
>>> v.set_default_index(v["<unk>"])
>>> v.get_itos(), v(["a", "c", "zzz"])
(['<unk>', 'a', 'b', 'c'], [1, 3, 0])
"""

from collections import Counter, OrderedDict

from ..nn.modules.module import Module

__all__ = ["Vocab", "build_vocab_from_iterator", "vocab"]


def _check_index(index, size, position=None):
    """RuntimeError unless ``0 <= index < size`` (torchtext's message, with the position in a list if given)."""
    if not isinstance(index, int) or isinstance(index, bool):
        raise TypeError(f"Vocab: an index must be an int, got {type(index).__name__}")
    if not 0 <= index < size:
        where = "" if position is None else f" at position {position}"
        raise RuntimeError(f"Specified index {index}{where} is out of bounds for vocab of size {size}")


class Vocab(Module):
    """A token -> index mapping (an ``nn.Module``: calling it on a list of tokens gives their indices).

    ``Vocab(tokens)`` takes the tokens in index order (duplicates raise RuntimeError); usually it comes from
    ``build_vocab_from_iterator`` or ``vocab``.

    >>> v = Vocab(["<pad>", "hello", "world"])
    >>> v["world"], len(v), "hello" in v, v.lookup_token(1)
    (2, 3, True, 'hello')
    """

    def __init__(self, tokens=(), default_index=None):
        super().__init__()
        self._itos = []
        self._stoi = {}
        for token in tokens:
            if token in self._stoi:
                raise RuntimeError(f"Duplicate token found in tokens list: {token}")
            self._add(token)
        self._default_index = None
        self.set_default_index(default_index)

    def _add(self, token):
        if not isinstance(token, str):
            raise TypeError(f"Vocab: tokens must be str, got {type(token).__name__} ({token!r})")
        self._stoi[token] = len(self._itos)
        self._itos.append(token)

    def forward(self, tokens):
        """The indices of a list of tokens (``lookup_indices``).

        >>> Vocab(["a", "b"])(["b", "a"])
        [1, 0]
        """
        return self.lookup_indices(tokens)

    def __len__(self):
        return len(self._itos)

    def __contains__(self, token):
        return token in self._stoi

    def __getitem__(self, token):
        """The index of ``token``; a missing token gives the default index, or RuntimeError when none is set."""
        index = self._stoi.get(token)
        if index is not None:
            return index
        if self._default_index is None:
            raise RuntimeError(f"Token {token} not found and default index is not set")
        return self._default_index

    def __iter__(self):
        return iter(self._itos)

    def set_default_index(self, index):
        """Make ``index`` the answer for out-of-vocabulary tokens (``None`` makes them raise again).

        >>> v = Vocab(["<unk>", "a"]); v.set_default_index(0); v["zzz"]
        0
        """
        if index is not None and (not isinstance(index, int) or isinstance(index, bool)):
            raise TypeError(f"Vocab.set_default_index: index must be an int or None, got {type(index).__name__}")
        self._default_index = index

    def get_default_index(self):
        """The index returned for out-of-vocabulary tokens, or None when they raise.

        >>> Vocab(["a"]).get_default_index() is None
        True
        """
        return self._default_index

    def insert_token(self, token, index):
        """Insert ``token`` at ``index`` (0 to ``len(vocab)``), shifting later tokens up by one.

        >>> v = Vocab(["a", "b"]); v.insert_token("<pad>", 0); v.get_itos()
        ['<pad>', 'a', 'b']
        """
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index <= len(self):
            raise RuntimeError(f"Specified index {index} is out of bounds for vocab of size {len(self)}")
        if token in self._stoi:
            raise RuntimeError(f"Token {token} already exists in the Vocab with index: {self._stoi[token]}")
        if not isinstance(token, str):
            raise TypeError(f"Vocab: tokens must be str, got {type(token).__name__} ({token!r})")
        self._itos.insert(index, token)
        for position in range(index, len(self._itos)):
            self._stoi[self._itos[position]] = position

    def append_token(self, token):
        """Add ``token`` at the end (index ``len(vocab)``); an existing token raises RuntimeError.

        >>> v = Vocab(["a"]); v.append_token("b"); v["b"]
        1
        """
        if token in self._stoi:
            raise RuntimeError(f"Token {token} already exists in the Vocab with index: {self._stoi[token]}")
        self._add(token)

    def lookup_token(self, index):
        """The token at ``index``; an index outside ``[0, len(vocab))`` raises RuntimeError.

        >>> Vocab(["a", "b"]).lookup_token(1)
        'b'
        """
        _check_index(index, len(self))
        return self._itos[index]

    def lookup_tokens(self, indices):
        """The tokens at a list of indices.

        >>> Vocab(["a", "b"]).lookup_tokens([1, 0, 1])
        ['b', 'a', 'b']
        """
        indices = indices.tolist() if hasattr(indices, "tolist") else list(indices)
        for position, index in enumerate(indices):
            _check_index(index, len(self), position)
        return [self._itos[index] for index in indices]

    def lookup_indices(self, tokens):
        """The indices of a list of tokens (out-of-vocabulary ones as ``__getitem__`` treats them).

        >>> Vocab(["a", "b"]).lookup_indices(["b", "b"])
        [1, 1]
        """
        return [self[token] for token in tokens]

    def get_stoi(self):
        """A dict from token to index (a copy).

        >>> Vocab(["a", "b"]).get_stoi()
        {'a': 0, 'b': 1}
        """
        return dict(self._stoi)

    def get_itos(self):
        """The list of tokens in index order (a copy).

        >>> Vocab(["a", "b"]).get_itos()
        ['a', 'b']
        """
        return list(self._itos)

    def extra_repr(self):
        shown = ", ".join(repr(token) for token in self._itos[:5]) + (", ..." if len(self) > 5 else "")
        return f"size={len(self)}, tokens=[{shown}], default_index={self._default_index}"


def vocab(ordered_dict, min_freq=1, specials=None, special_first=True):
    """A Vocab from an ordered dict (or Counter) of token -> frequency, keeping its order; tokens rarer than
    ``min_freq`` are left out and ``specials`` added first (or last).

    >>> from collections import OrderedDict
    >>> vocab(OrderedDict([("b", 3), ("a", 2), ("c", 1)]), min_freq=2, specials=["<unk>"]).get_itos()
    ['<unk>', 'b', 'a']
    """
    specials = list(specials or [])
    tokens = [token for token, frequency in ordered_dict.items()
              if token not in specials and frequency >= min_freq]
    tokens = specials + tokens if special_first else tokens + specials
    return Vocab(tokens)


def build_vocab_from_iterator(iterator, min_freq=1, specials=None, special_first=True, max_tokens=None):
    """A Vocab of the tokens in ``iterator`` (an iterable of token lists), most frequent first, ties broken
    lexicographically; with ``max_tokens`` only the ``max_tokens - len(specials)`` most frequent are kept.

    >>> build_vocab_from_iterator([["b", "a", "b", "c"], ["a", "d"]], max_tokens=3, specials=["<pad>"]).get_itos()
    ['<pad>', 'a', 'b']
    """
    counter = Counter()
    for tokens in iterator:
        counter.update(tokens)
    specials = list(specials or [])
    by_frequency = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    if max_tokens is not None:
        if len(specials) >= max_tokens:
            raise AssertionError("len(specials) >= max_tokens, so the vocab will be entirely special tokens.")
        by_frequency = by_frequency[:max_tokens - len(specials)]
    return vocab(OrderedDict(by_frequency), min_freq=min_freq, specials=specials, special_first=special_first)
