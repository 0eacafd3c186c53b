"""BERT's text normalisation and WordPiece, as the reference (Hugging Face ``tokenizers``) applies them.

``BasicTokenizer`` cleans the text (control characters dropped, every whitespace made a space), puts spaces around
CJK ideographs, strips accents (NFD, then nonspacing marks dropped) and lower-cases character by character, then
splits on whitespace and isolates every punctuation character. ``WordpieceTokenizer`` cuts each word greedily into
the longest vocabulary pieces, continuation pieces carrying ``##``; a word it cannot cut, or one longer than
``max_input_chars_per_word`` characters, becomes the unknown token.
"""

import unicodedata

__all__ = ["BasicTokenizer", "WordpieceTokenizer", "load_vocab", "whitespace_tokenize"]

# Code point blocks of the CJK Unified Ideographs (and compatibility ones) that BERT tokenizes one by one.
_CJK_RANGES = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F), (0x2B740, 0x2B81F),
               (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))
_CONTROL_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs"})
_WORD_CACHE_LIMIT = 200_000


def load_vocab(vocab_file):
    """Read a ``vocab.txt`` (one token a line, the line number is its id) into a token -> id dict.

    >>> import os, tempfile; path = os.path.join(tempfile.mkdtemp(), "vocab.txt")
    >>> _ = open(path, "w", encoding="utf-8").write("[PAD]\\nhello\\n##s\\n")
    >>> load_vocab(path)
    {'[PAD]': 0, 'hello': 1, '##s': 2}
    """
    vocab = {}
    with open(vocab_file, encoding="utf-8") as stream:
        for index, line in enumerate(stream):
            vocab[line.rstrip("\n")] = index
    return vocab


def whitespace_tokenize(text):
    """Split ``text`` on runs of whitespace, dropping empty pieces.

    >>> whitespace_tokenize("  a b\\tc ")
    ['a', 'b', 'c']
    """
    return text.split()


def is_chinese_char(code_point):
    """Whether the code point is a CJK ideograph (tokenized on its own; Hangul and kana are not).

    >>> is_chinese_char(ord("\\u4e2d")), is_chinese_char(ord("a"))
    (True, False)
    """
    return any(low <= code_point <= high for low, high in _CJK_RANGES)


def is_control(char):
    """Whether ``char`` is a control, format, private-use or surrogate character (Cc, Cf, Co, Cs) other than tab
    and newlines. Unassigned code points (Cn) are kept, as the reference tokenizer keeps them.

    >>> is_control("\\x00"), is_control("\\t"), is_control("a"), is_control("\\U0001f848")
    (True, False, False, False)
    """
    return char not in "\t\n\r" and unicodedata.category(char) in _CONTROL_CATEGORIES


def is_punctuation(char):
    """Whether ``char`` is ASCII punctuation (``$``, ``+``, ``^`` included) or in a Unicode punctuation category.

    >>> is_punctuation("$"), is_punctuation("\\u00bf"), is_punctuation("a")
    (True, True, False)
    """
    code_point = ord(char)
    if 33 <= code_point <= 47 or 58 <= code_point <= 64 or 91 <= code_point <= 96 or 123 <= code_point <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _cleaned_char(char, split_cjk):
    """What one character becomes before splitting: dropped, a space, itself, or itself between spaces."""
    if char in "\x00\ufffd" or is_control(char):
        return ""
    if char.isspace():
        return " "
    if split_cjk and is_chinese_char(ord(char)):
        return f" {char} "
    return char


def strip_accents(text):
    """Decompose (NFD) and drop the nonspacing marks, so ``é`` becomes ``e``.

    >>> strip_accents("caf\\u00e9")
    'cafe'
    """
    return "".join(char for char in unicodedata.normalize("NFD", text) if unicodedata.category(char) != "Mn")


def lowercase(text):
    """Lower-case character by character, as the reference does (a capital sigma always becomes ``σ``).

    >>> lowercase("\\u039f\\u03a3")
    'οσ'
    """
    return text.replace("\u03a3", "\u03c3").lower()


def split_on_punctuation(word):
    """Split ``word`` so that every punctuation character stands alone.

    >>> split_on_punctuation("don't!")
    ['don', "'", 't', '!']
    """
    pieces, current = [], []
    for char in word:
        if is_punctuation(char):
            if current:
                pieces.append("".join(current))
                current = []
            pieces.append(char)
        else:
            current.append(char)
    if current:
        pieces.append("".join(current))
    return pieces


class BasicTokenizer:
    """BERT's basic tokenization: clean, split CJK, strip accents, lower-case, split on whitespace and punctuation.

    ``strip_accents=None`` strips accents exactly when ``do_lower_case`` is set (as the original BERT). Tokens in
    ``never_split`` are kept whole and unchanged when they stand between whitespace.

    >>> BasicTokenizer().tokenize("Hello, W\\u00f6rld!")
    ['hello', ',', 'world', '!']
    """

    def __init__(self, do_lower_case=True, never_split=None, tokenize_chinese_chars=True, strip_accents=None,
                 do_split_on_punc=True):
        self.do_lower_case = do_lower_case
        self.never_split = set(never_split or ())
        self.tokenize_chinese_chars = tokenize_chinese_chars
        self.strip_accents = strip_accents
        self.do_split_on_punc = do_split_on_punc

    def _clean(self, text):
        """Drop control characters, turn whitespace into spaces and pad CJK ideographs with spaces."""
        if text.isascii() and text.isprintable():
            return text
        mapping = {char: _cleaned_char(char, self.tokenize_chinese_chars) for char in set(text)}
        return "".join(mapping[char] for char in text)

    def _normalize_word(self, word):
        accents_off = self.strip_accents if self.strip_accents is not None else self.do_lower_case
        if accents_off and not word.isascii():
            word = strip_accents(word)
        return lowercase(word) if self.do_lower_case else word

    def tokenize(self, text, never_split=None):
        """The basic tokens of ``text`` (a str); ``never_split`` adds tokens to keep whole for this call.

        >>> BasicTokenizer().tokenize("\\u4f60\\u597d world")
        ['你', '好', 'world']
        """
        keep = self.never_split.union(never_split) if never_split else self.never_split
        tokens = []
        for word in whitespace_tokenize(self._clean(text)):
            if word in keep:
                tokens.append(word)
                continue
            word = self._normalize_word(word)
            tokens.extend(split_on_punctuation(word) if self.do_split_on_punc else [word])
        return tokens


class WordpieceTokenizer:
    """Greedy longest-match-first WordPiece over ``vocab`` (continuation pieces start with ``##``).

    >>> WordpieceTokenizer({"un": 0, "##aff": 1, "##able": 2, "[UNK]": 3}, "[UNK]").tokenize("unaffable unknown")
    ['un', '##aff', '##able', '[UNK]']
    """

    def __init__(self, vocab, unk_token, max_input_chars_per_word=100):
        self.vocab = vocab
        self.unk_token = unk_token
        self.max_input_chars_per_word = max_input_chars_per_word
        self._cache = {}

    def _pieces(self, word):
        if len(word) > self.max_input_chars_per_word:
            return [self.unk_token]
        pieces, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    break
                end -= 1
            if end == start:
                return [self.unk_token]
            pieces.append(piece)
            start = end
        return pieces

    def tokenize(self, text):
        """The WordPiece tokens of the whitespace-separated words of ``text``.

        >>> WordpieceTokenizer({"a": 0, "##b": 1}, "[UNK]").tokenize("ab a")
        ['a', '##b', 'a']
        """
        tokens = []
        for word in whitespace_tokenize(text):
            pieces = self._cache.get(word)
            if pieces is None:
                if len(self._cache) >= _WORD_CACHE_LIMIT:
                    self._cache.clear()
                pieces = self._cache[word] = self._pieces(word)
            tokens.extend(pieces)
        return tokens
