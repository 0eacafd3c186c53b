"""ember.text.data: get_tokenizer, ngrams_iterator, interleave_keys and the stream helpers; the lazy ember.text
package; and the doctests of every ember.text module (the tokenizer ones use a tiny vocabulary they write).

The basic_english expectations are worked out by hand from torchtext's rules (lower-case; ``'`` padded, ``"``
dropped, ``. , ( ) ! ?`` padded, ``<br />`` ``;`` ``:`` made spaces; split on whitespace).
"""

import doctest
import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import ember.text
from ember.text.data import (
    custom_replace,
    get_tokenizer,
    interleave_keys,
    ngrams_iterator,
    numericalize_tokens_from_iterator,
    simple_space_split,
    to_map_style_dataset,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("text, tokens", [
    ("You can now install TorchText using pip!", ["you", "can", "now", "install", "torchtext", "using", "pip", "!"]),
    ("Don't stop <br />believing, ok?", ["don", "'", "t", "stop", "believing", ",", "ok", "?"]),
    ('He said "hi"; then: left.', ["he", "said", "hi", "then", "left", "."]),
    ("(1.5)", ["(", "1", ".", "5", ")"]),
    ("  MIXED\tCase\nlines  ", ["mixed", "case", "lines"]),
    ("", []),
])
def test_basic_english(text, tokens):
    assert get_tokenizer("basic_english")(text) == tokens


def test_whitespace_and_callable_tokenizers():
    assert get_tokenizer(None)("a  b\tc\nd") == ["a", "b", "c", "d"]
    split_on_dash = lambda text: text.split("-")           # noqa: E731
    assert get_tokenizer(split_on_dash) is split_on_dash


def test_get_tokenizer_errors():
    with pytest.raises(ValueError, match="only available for Enlish"):
        get_tokenizer("basic_english", language="de")
    with pytest.raises(ValueError, match="Requested tokenizer bogus"):
        get_tokenizer("bogus")


@pytest.mark.parametrize("name, module", [("spacy", "spacy"), ("moses", "sacremoses"), ("toktok", "nltk"),
                                          ("revtok", "revtok"), ("subword", "revtok")])
def test_library_tokenizer_missing_gives_clear_import_error(name, module):
    if importlib.util.find_spec(module) is not None:
        pytest.skip(f"{module} is installed here")
    with pytest.raises(ImportError, match=f"get_tokenizer\\('{name}'\\) needs .*pip install"):
        get_tokenizer(name)


def test_ngrams_iterator():
    assert list(ngrams_iterator(["here", "we", "are"], 2)) == ["here", "we", "are", "here we", "we are"]
    assert list(ngrams_iterator(["a", "b", "c"], 3)) == ["a", "b", "c", "a b", "b c", "a b c"]
    assert list(ngrams_iterator(["a"], 3)) == ["a"] and list(ngrams_iterator([], 2)) == []


def test_interleave_keys():
    assert interleave_keys(0, 0) == 0
    assert interleave_keys(3, 5) == 0b00011011
    assert interleave_keys(1, 0) == 2 and interleave_keys(0, 1) == 1
    assert interleave_keys(0xFFFF, 0xFFFF) == 2 ** 32 - 1


def test_stream_helpers():
    clean = custom_replace([(r"<br />", " "), (r"\s+", " "), (r"[.]", "")])
    assert list(clean(["a<br />b.   c", "d"])) == ["a b c", "d"]
    assert list(simple_space_split(["a b", " c  d "])) == [["a", "b"], ["c", "d"]]
    numbered = numericalize_tokens_from_iterator({"a": 0, "b": 1, "<s>": 2}, [["a", "<s>", "b"], ["b"]], ["<s>"])
    assert [list(ids) for ids in numbered] == [[0, 1], [1]]
    data = to_map_style_dataset(iter([(1, "x"), (2, "y"), (3, "z")]))
    assert len(data) == 3 and data[2] == (3, "z") and data[-1] == (3, "z")


def test_import_ember_does_not_import_ember_text():
    probe = ("import sys, json; import ember; before = 'ember.text' in sys.modules; import ember.text; "
             "loaded = sorted(m for m in sys.modules if m.startswith('ember.text')); "
             "print(json.dumps([before, loaded]))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    before, loaded = json.loads(out.stdout)
    assert before is False and loaded == ["ember.text"]


def test_lazy_subpackages_and_names():
    assert ember.text.vocab.Vocab.__name__ == "Vocab"
    assert ember.text.BertTokenizer is ember.text.tokenizers.BertTokenizer
    assert {"data", "vocab", "transforms", "datasets", "tokenizers", "models", "BertTokenizer"} <= set(dir(ember.text))
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        _ = ember.text.nope


def _text_modules():
    package = importlib.import_module("ember.text")
    names = ["ember.text"]
    for info in pkgutil.walk_packages(package.__path__, "ember.text."):
        if not info.name.startswith("ember.text.models"):       # the models helper tests its own package
            names.append(info.name)
    return names


@pytest.mark.parametrize("name", _text_modules())
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
