"""Word tokenizers and n-grams (torchtext.data.utils): ``get_tokenizer``, ``ngrams_iterator``, ``interleave_keys``.

``get_tokenizer("basic_english")`` lower-cases, puts spaces around ``. , ( ) ! ?``, drops ``" ; :`` and ``<br />``
and splits on whitespace; ``get_tokenizer(None)`` splits on whitespace; a callable is returned as it is; the
third-party tokenizers (spacy, moses, toktok, revtok, subword) are imported on request.
"""

import re
from functools import partial

__all__ = ["get_tokenizer", "ngrams_iterator", "interleave_keys"]

# torchtext's basic_english rules, applied in this order after lower-casing.
_BASIC_ENGLISH_RULES = [(re.compile(pattern), replacement) for pattern, replacement in (
    (r"\'", " '  "), (r"\"", ""), (r"\.", " . "), (r"<br \/>", " "), (r",", " , "), (r"\(", " ( "), (r"\)", " ) "),
    (r"\!", " ! "), (r"\?", " ? "), (r"\;", " "), (r"\:", " "), (r"\s+", " "))]

_INSTALL_HINTS = {"spacy": "SpaCy (pip install spacy, then a model such as en_core_web_sm)",
                  "moses": "SacreMoses (pip install sacremoses)", "toktok": "NLTK (pip install nltk)",
                  "revtok": "revtok (pip install revtok)", "subword": "revtok (pip install revtok)"}


def _split_tokenizer(text):
    return text.split()


def _basic_english_normalize(line):
    line = line.lower()
    for pattern, replacement in _BASIC_ENGLISH_RULES:
        line = pattern.sub(replacement, line)
    return line.split()


def _spacy_tokenize(text, spacy):
    return [token.text for token in spacy.tokenizer(text)]


def _missing(name, error):
    return ImportError(f"get_tokenizer('{name}') needs {_INSTALL_HINTS[name]}, which is not installed") \
        if isinstance(error, ImportError) else error


def _spacy(language):
    import spacy

    try:
        model = spacy.load(language)
    except OSError:
        # spaCy 3 names models like en_core_web_sm; torchtext maps a bare language code to it the same way.
        model = spacy.load({"en": "en_core_web_sm"}.get(language, language))
    return partial(_spacy_tokenize, spacy=model)


def _moses(language):
    from sacremoses import MosesTokenizer

    return MosesTokenizer().tokenize


def _toktok(language):
    from nltk.tokenize.toktok import ToktokTokenizer

    return ToktokTokenizer().tokenize


def _revtok(language):
    import revtok

    return revtok.tokenize


def _subword(language):
    import revtok

    return partial(revtok.tokenize, decap=True)


_LIBRARY_TOKENIZERS = {"spacy": _spacy, "moses": _moses, "toktok": _toktok, "revtok": _revtok, "subword": _subword}


def get_tokenizer(tokenizer, language="en"):
    """A function that splits a sentence into tokens: ``"basic_english"``, ``None`` (whitespace split), a callable
    (returned as is) or a library name (``"spacy"``, ``"moses"``, ``"toktok"``, ``"revtok"``, ``"subword"``).

    >>> get_tokenizer("basic_english")("You can now install TorchText using pip!")
    ['you', 'can', 'now', 'install', 'torchtext', 'using', 'pip', '!']
    >>> get_tokenizer(None)("a  b\\tc")
    ['a', 'b', 'c']
    """
    if tokenizer is None:
        return _split_tokenizer
    if tokenizer == "basic_english":
        if language != "en":
            raise ValueError("Basic normalization is only available for Enlish(en)")
        return _basic_english_normalize
    if callable(tokenizer):
        return tokenizer
    if tokenizer in _LIBRARY_TOKENIZERS:
        try:
            return _LIBRARY_TOKENIZERS[tokenizer](language)
        except ImportError as error:
            raise _missing(tokenizer, error) from error
    raise ValueError(f"Requested tokenizer {tokenizer}, valid choices are a callable that takes a single string as "
                     'input, "revtok" for the revtok reversible tokenizer, "subword" for the revtok caps-aware '
                     'tokenizer, "spacy" for the SpaCy English tokenizer, or "moses" for the NLTK port of the Moses '
                     'tokenization script.')


def ngrams_iterator(token_list, ngrams):
    """Yield the tokens, then every n-gram (joined by spaces) for n = 2 .. ``ngrams``.

    >>> list(ngrams_iterator(["here", "we", "are"], 2))
    ['here', 'we', 'are', 'here we', 'we are']
    """
    yield from token_list
    for n in range(2, ngrams + 1):
        for start in range(len(token_list) - n + 1):
            yield " ".join(token_list[start:start + n])


def interleave_keys(a, b):
    """One sort key mixing the bits of two (16-bit) keys, so examples close in both sort close together.

    >>> interleave_keys(3, 5)
    27
    """
    bits_a, bits_b = format(a, "016b"), format(b, "016b")
    mixed = "".join(bit_a + bit_b for bit_a, bit_b in zip(bits_a, bits_b))
    return int(mixed, base=2)
