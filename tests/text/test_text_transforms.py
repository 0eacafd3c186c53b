"""ember.text.transforms and ember.text.functional: token lists to padded id tensors.

Tensor outputs are compared with PyTorch 2.13 (``torch.nn.utils.rnn.pad_sequence`` and ``F.pad`` do the same
padding); the BERT transform is compared with the Hugging Face goldens on the real MiniLM vocabulary.
"""

import json
import os
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest
import torch

import ember
from ember.text import functional as TF
from ember.text import transforms as T
from ember.text.vocab import Vocab, vocab

GOLDEN = json.loads((Path(__file__).parent / "golden" / "tokenizer" / "tokenizer.json").read_text())


def assert_same_tensor(ours, theirs):
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.fixture
def words():
    v = vocab(OrderedDict([("hello", 1), ("world", 1), ("again", 1)]), specials=["<pad>", "<unk>", "<bos>", "<eos>"])
    v.set_default_index(v["<unk>"])
    return v


def test_vocab_transform(words):
    transform = T.VocabTransform(words)
    assert transform(["hello", "nope"]) == [4, 1]
    assert transform([["hello", "world"], ["again"], []]) == [[4, 5], [6], []]
    assert isinstance(transform, ember.nn.Module) and transform.vocab is words
    with pytest.raises(TypeError, match="Input type not supported"):
        transform("hello")
    with pytest.raises(TypeError, match="must be an ember.text.vocab.Vocab"):
        T.VocabTransform({"a": 0})


@pytest.mark.parametrize("padding_value", [0, -1, 7])
def test_to_tensor_pads_like_torch(padding_value):
    ids = [[1, 2, 3], [4], [5, 6]]
    expected = torch.nn.utils.rnn.pad_sequence([torch.tensor(row) for row in ids], batch_first=True,
                                               padding_value=padding_value)
    assert_same_tensor(T.ToTensor(padding_value=padding_value)(ids), expected)


@pytest.mark.parametrize("dtype", ["int32", "int64", "float32"])
def test_to_tensor_dtypes(dtype):
    ours = T.ToTensor(padding_value=0, dtype=getattr(ember, dtype))([[1, 2], [3]])
    assert_same_tensor(ours, torch.tensor([[1, 2], [3, 0]], dtype=getattr(torch, dtype)))
    assert_same_tensor(TF.to_tensor([1, 2], dtype=getattr(ember, dtype)), torch.tensor([1, 2],
                                                                                     dtype=getattr(torch, dtype)))


def test_to_tensor_edge_cases():
    assert_same_tensor(TF.to_tensor([]), torch.tensor([], dtype=torch.long))
    assert_same_tensor(TF.to_tensor([[]], padding_value=0), torch.zeros((1, 0), dtype=torch.long))
    assert_same_tensor(TF.to_tensor([[1, 2], [3, 4]]), torch.tensor([[1, 2], [3, 4]]))
    with pytest.raises(ValueError, match="expected sequence of length"):
        TF.to_tensor([[1, 2], [3]])
    with pytest.raises(TypeError, match="Input type not supported"):
        TF.to_tensor("12")


def test_truncate_add_token_str_to_int():
    assert T.Truncate(2)([1, 2, 3]) == [1, 2] and T.Truncate(2)([["a", "b", "c"], ["d"]]) == [["a", "b"], ["d"]]
    assert T.AddToken(0)([5, 6]) == [0, 5, 6] and T.AddToken("<eos>", begin=False)([["a"], []]) == \
        [["a", "<eos>"], ["<eos>"]]
    assert T.StrToIntTransform()([["1", "22"], ["-3"]]) == [[1, 22], [-3]]
    for transform in (T.Truncate(2), T.AddToken(0), T.StrToIntTransform()):
        with pytest.raises(TypeError, match="Input type not supported"):
            transform(3)


@pytest.mark.parametrize("max_length", [2, 5, 8])
def test_pad_transform_like_torch(max_length):
    data = np.arange(12).reshape(3, 4)
    ours = T.PadTransform(max_length=max_length, pad_value=-1)(ember.tensor(data))
    missing = max(max_length - 4, 0)
    assert_same_tensor(ours, torch.nn.functional.pad(torch.tensor(data), (0, missing), value=-1))
    assert_same_tensor(T.PadTransform(5, 0)(ember.tensor([1, 2])), torch.tensor([1, 2, 0, 0, 0]))


def test_label_to_index(tmp_path):
    labels = T.LabelToIndex(["pos", "neg", "neutral"], sort_names=True)
    assert labels.label_names == ["neg", "neutral", "pos"]
    assert labels("pos") == 2 and labels(["neg", "pos"]) == [0, 2]
    path = tmp_path / "labels.txt"
    path.write_text("world\nsports\n\nbusiness\n")
    assert T.LabelToIndex(label_path=str(path))(["business"]) == [2]
    with pytest.raises(ValueError, match="required"):
        T.LabelToIndex()
    with pytest.raises(ValueError, match="mutually exclusive"):
        T.LabelToIndex(["a"], label_path=str(path))
    with pytest.raises(RuntimeError, match="not found"):
        labels("other")


def test_regex_tokenizer():
    tokenizer = T.RegexTokenizer([(r"\s+", " "), (r"([.,!?])", r" \1 "), (r"^\s+|\s+$", "")])
    assert tokenizer("Hello,   world!") == ["Hello", ",", "world", "!"]
    assert T.RegexTokenizer([])("tab\tseparated  words") == ["tab\tseparated", "words"]   # split on spaces only
    with pytest.raises(TypeError, match="expected a str"):
        tokenizer(["a"])


def test_sequential_pipeline(words):
    pipeline = T.Sequential(T.VocabTransform(words), T.Truncate(2), T.AddToken(words["<bos>"]),
                            T.AddToken(words["<eos>"], begin=False), T.ToTensor(padding_value=words["<pad>"]))
    out = pipeline([["hello", "world", "again"], ["again"]])
    assert_same_tensor(out, torch.tensor([[2, 4, 5, 3], [2, 6, 3, 0]]))
    assert isinstance(pipeline, ember.nn.Sequential) and len(pipeline) == 5


def test_bert_tokenizer_transform_on_minilm(minilm_dir):
    path = os.path.join(minilm_dir, "vocab.txt")
    ids_transform = T.BERTTokenizer(path)
    tokens_transform = T.BERTTokenizer(path, return_tokens=True)
    entries = [entry for entry in GOLDEN["singles"][:60] if entry["slow_ids"] == entry["fast_ids"]]
    assert [ids_transform(entry["text"]) for entry in entries] == \
        [[str(index) for index in entry["fast_ids"][1:-1]] for entry in entries]
    assert tokens_transform([entry["text"] for entry in entries]) == [entry["tokens"] for entry in entries]
    pipeline = T.Sequential(ids_transform, T.StrToIntTransform(), T.AddToken(101), T.AddToken(102, begin=False))
    assert pipeline(entries[0]["text"]) == entries[0]["fast_ids"]


def test_bert_tokenizer_transform_from_url(http_server, tmp_path, monkeypatch):
    (Path(http_server.root) / "vocab.txt").write_text("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n")
    monkeypatch.setenv("EMBER_HOME", str(tmp_path / "home"))
    transform = T.BERTTokenizer(http_server.url_for("vocab.txt"), return_tokens=True)
    assert transform("Hello there") == ["hello", "[UNK]"]
    T.BERTTokenizer(http_server.url_for("vocab.txt"))
    assert http_server.count("vocab.txt") == 1                     # the second one reads the cached copy
    assert (tmp_path / "home" / "text" / "vocab.txt").is_file()
    with pytest.raises(TypeError, match="Input type not supported"):
        transform(5)


def test_vocab_transform_keeps_vocab_state(words, tmp_path):
    transform = T.VocabTransform(Vocab(["a", "b"]))
    ember.save(transform, tmp_path / "transform.pt")
    assert ember.load(tmp_path / "transform.pt", weights_only=False)([["b", "a"]]) == [[1, 0]]
