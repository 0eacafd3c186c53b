"""ember.text.vocab: Vocab's torchtext API and the ordering rules of build_vocab_from_iterator and vocab().

torchtext is not installable here, so the expected orders are torchtext's documented rules written out: count the
tokens, sort by descending frequency with ties broken lexicographically, keep ``max_tokens - len(specials)`` of
them, drop the specials and the tokens rarer than ``min_freq``, then put the specials first (or last).
"""

import pickle
from collections import Counter, OrderedDict

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

import ember
from ember.text.vocab import Vocab, build_vocab_from_iterator, vocab

SENTENCES = [["the", "cat", "sat", "on", "the", "mat"], ["the", "dog", "sat"], ["a", "cat", "and", "a", "dog"]]


def expected_itos(lines, min_freq=1, specials=(), special_first=True, max_tokens=None):
    counts = Counter(token for line in lines for token in line)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if max_tokens is not None:
        ordered = ordered[:max_tokens - len(specials)]
    tokens = [token for token, count in ordered if count >= min_freq and token not in specials]
    return list(specials) + tokens if special_first else tokens + list(specials)


def test_frequency_then_lexicographic_order():
    built = build_vocab_from_iterator(SENTENCES)
    assert built.get_itos() == ["the", "a", "cat", "dog", "sat", "and", "mat", "on"]
    assert built.get_stoi() == {token: index for index, token in enumerate(built.get_itos())}


def test_specials_first_and_last():
    first = build_vocab_from_iterator(SENTENCES, specials=["<unk>", "<pad>"])
    assert first.get_itos()[:3] == ["<unk>", "<pad>", "the"] and len(first) == 10
    last = build_vocab_from_iterator(SENTENCES, specials=["<unk>", "<pad>"], special_first=False)
    assert last.get_itos()[-2:] == ["<unk>", "<pad>"] and last["the"] == 0


def test_min_freq_and_max_tokens():
    assert build_vocab_from_iterator(SENTENCES, min_freq=2).get_itos() == ["the", "a", "cat", "dog", "sat"]
    assert build_vocab_from_iterator(SENTENCES, max_tokens=4, specials=["<unk>"]).get_itos() == \
        ["<unk>", "the", "a", "cat"]
    # A special that also occurs in the data takes one of the max_tokens slots before it is dropped (torchtext).
    assert build_vocab_from_iterator([["x", "x", "y", "z"]], max_tokens=3, specials=["x"]).get_itos() == ["x", "y"]
    with pytest.raises(AssertionError, match="len\\(specials\\) >= max_tokens"):
        build_vocab_from_iterator(SENTENCES, max_tokens=1, specials=["<unk>"])


def test_builds_from_a_generator_once():
    lines = (line for line in SENTENCES)
    assert len(build_vocab_from_iterator(lines)) == 8


@settings(max_examples=25, deadline=None)
@given(lines=st.lists(st.lists(st.sampled_from(list("abcdefg")), max_size=8), max_size=6),
       min_freq=st.integers(1, 3), special_first=st.booleans(), max_tokens=st.one_of(st.none(), st.integers(3, 9)),
       specials=st.sampled_from([(), ("<unk>",), ("<pad>", "a")]))
def test_order_rules_property(lines, min_freq, special_first, max_tokens, specials):
    built = build_vocab_from_iterator(iter(lines), min_freq=min_freq, specials=list(specials),
                                      special_first=special_first, max_tokens=max_tokens)
    assert built.get_itos() == expected_itos(lines, min_freq, specials, special_first, max_tokens)


def test_vocab_factory_keeps_dict_order():
    ordered = OrderedDict([("z", 5), ("a", 1), ("m", 3), ("<unk>", 9)])
    assert vocab(ordered).get_itos() == ["z", "a", "m", "<unk>"]
    assert vocab(ordered, min_freq=3, specials=["<unk>", "<pad>"]).get_itos() == ["<unk>", "<pad>", "z", "m"]
    assert vocab(ordered, specials=["<pad>"], special_first=False).get_itos() == ["z", "a", "m", "<unk>", "<pad>"]
    assert list(ordered) == ["z", "a", "m", "<unk>"]                 # the caller's dict is left as it was
    assert vocab(Counter({"b": 2, "c": 2})).get_itos() == ["b", "c"]


def test_lookup_and_default_index():
    v = Vocab(["<unk>", "hello", "world"])
    assert v["world"] == 2 and "hello" in v and "nope" not in v and len(v) == 3
    with pytest.raises(RuntimeError, match="Token nope not found and default index is not set"):
        v["nope"]
    assert v.get_default_index() is None
    v.set_default_index(0)
    assert v["nope"] == 0 and v.get_default_index() == 0 and v.lookup_indices(["world", "x"]) == [2, 0]
    assert v(["hello", "x"]) == v.forward(["hello", "x"]) == [1, 0]
    v.set_default_index(None)
    with pytest.raises(RuntimeError):
        v(["x"])


def test_lookup_tokens_and_bounds():
    v = Vocab(["a", "b", "c"])
    assert v.lookup_token(2) == "c" and v.lookup_tokens([2, 0]) == ["c", "a"]
    assert v.lookup_tokens(ember.tensor([1, 1])) == ["b", "b"]
    with pytest.raises(RuntimeError, match="Specified index 3 is out of bounds for vocab of size 3"):
        v.lookup_token(3)
    with pytest.raises(RuntimeError, match="index -1 at position 1 is out of bounds"):
        v.lookup_tokens([0, -1])


def test_insert_and_append():
    v = Vocab(["a", "b"])
    v.insert_token("<pad>", 0)
    assert v.get_itos() == ["<pad>", "a", "b"] and v["b"] == 2
    v.insert_token("mid", 2)
    assert v.get_stoi() == {"<pad>": 0, "a": 1, "mid": 2, "b": 3}
    v.insert_token("end", 4)
    v.append_token("last")
    assert v.get_itos()[-2:] == ["end", "last"] and v["last"] == 5
    with pytest.raises(RuntimeError, match="Token a already exists in the Vocab with index: 1"):
        v.append_token("a")
    with pytest.raises(RuntimeError, match="already exists"):
        v.insert_token("a", 0)
    with pytest.raises(RuntimeError, match="Specified index 9 is out of bounds for vocab of size 6"):
        v.insert_token("new", 9)
    with pytest.raises(RuntimeError, match="out of bounds"):
        v.insert_token("new", -1)


def test_construction_errors():
    with pytest.raises(RuntimeError, match="Duplicate token found in tokens list: a"):
        Vocab(["a", "b", "a"])
    with pytest.raises(TypeError, match="tokens must be str"):
        Vocab(["a", 3])
    with pytest.raises(TypeError, match="index must be an int"):
        Vocab(["a"]).set_default_index("0")


def test_vocab_is_a_module_that_pickles_and_saves(tmp_path):
    v = build_vocab_from_iterator(SENTENCES, specials=["<unk>"])
    v.set_default_index(v["<unk>"])
    assert isinstance(v, ember.nn.Module) and "size=9" in repr(v)
    copy = pickle.loads(pickle.dumps(v))
    assert copy.get_itos() == v.get_itos() and copy["unseen"] == 0
    ember.save(v, tmp_path / "vocab.pt")
    loaded = ember.load(tmp_path / "vocab.pt", weights_only=False)
    assert loaded.get_stoi() == v.get_stoi() and loaded.get_default_index() == 0
    assert list(v) == v.get_itos()
