"""ember.text.BertTokenizer against Hugging Face's tokenizers on the real all-MiniLM-L6-v2 vocabulary.

The goldens (tests/text/golden/tokenizer/tokenizer.json, made by scripts/golden/tokenizer.py with transformers 5
and tokenizers 0.23) hold the ids of the fast tokenizer (tokenizer.json) and the tokens of the slow Python one for
314 sentences (a fixed sample of the Rotten Tomatoes sentences, then accents, CJK, emoji, control characters, long
words, special tokens, ...), 90 truncated pairs and 8 padded batches. The remaining tests use a tiny vocabulary
written by the test, so they run without the wheel.
"""

import json
import os
import pickle
from pathlib import Path

import numpy as np
import pytest

import ember
from ember.text import BertTokenizer
from ember.text.tokenizers import BasicTokenizer, BatchEncoding, WordpieceTokenizer

GOLDEN = json.loads((Path(__file__).parent / "golden" / "tokenizer" / "tokenizer.json").read_text())
SINGLES = GOLDEN["singles"]

TINY_WORDS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "un", "##aff", "##able", "!", ",",
              "a", "b", "c", "d", "e", "cafe", "é", "##s", "你", "好"]


@pytest.fixture(scope="module")
def minilm(minilm_dir):
    return BertTokenizer.from_pretrained(minilm_dir)


@pytest.fixture
def tiny_dir(tmp_path):
    (tmp_path / "vocab.txt").write_text("\n".join(TINY_WORDS) + "\n", encoding="utf-8")
    return tmp_path


@pytest.fixture
def tiny(tiny_dir):
    return BertTokenizer.from_pretrained(tiny_dir)


# ------------------------------------------------------------------------------------------------ goldens

def test_golden_covers_the_cases_it_claims():
    assert len(SINGLES) == 314 and len(GOLDEN["pairs"]) == 90 and len(GOLDEN["batches"]) == 8
    texts = [entry["text"] for entry in SINGLES]
    assert any("\u4f60" in text for text in texts) and any("\U0001f600" in text for text in texts)
    assert any(len(text) > 100 for text in texts) and "" in texts


def test_ids_match_the_reference_on_every_sentence(minilm):
    mismatches = [entry["text"] for entry in SINGLES if minilm(entry["text"])["input_ids"] != entry["fast_ids"]]
    assert mismatches == []


def test_tokens_match_the_slow_reference(minilm):
    # The slow Python tokenizer lower-cases with Python's final-sigma rule and drops unassigned code points; the
    # reference (fast) one does neither, so the two sentences where they disagree are compared on ids above only.
    checked = [entry for entry in SINGLES if entry["slow_ids"] == entry["fast_ids"]]
    assert len(checked) == len(SINGLES) - 2
    assert [minilm.tokenize(entry["text"]) for entry in checked] == [entry["tokens"] for entry in checked]


def test_final_sigma_and_unassigned_code_points_follow_the_fast_reference(minilm):
    differing = [entry for entry in SINGLES if entry["slow_ids"] != entry["fast_ids"]]
    assert any("\u03a3" in entry["text"] for entry in differing)
    assert any("\U0001f848" in entry["text"] for entry in differing)
    for entry in differing:
        assert minilm.encode(entry["text"]) == entry["fast_ids"]


def test_decode_matches_the_reference(minilm):
    for entry in SINGLES:
        ids = entry["fast_ids"]
        assert minilm.decode(ids, skip_special_tokens=True) == entry["fast_decoded"]
        assert minilm.decode(ids) == entry["fast_decoded_special"]
        assert minilm.decode(ids, skip_special_tokens=True, clean_up_tokenization_spaces=True) == \
            entry["slow_decoded"]


def test_pairs_truncation_matches_the_reference(minilm):
    for entry in GOLDEN["pairs"]:
        expected = entry["fast"]
        if "error" in expected:
            with pytest.raises(ValueError, match="Truncation error"):
                minilm(entry["text"], entry["text_pair"], **entry["options"])
        else:
            assert dict(minilm(entry["text"], entry["text_pair"], **entry["options"])) == expected, entry["options"]


def test_padded_batches_match_the_reference(minilm):
    for entry in GOLDEN["batches"]:
        texts = [tuple(text) if isinstance(text, list) else text for text in entry["texts"]]
        encoding = minilm(texts, return_tensors="np", **entry["options"])
        assert list(encoding) == list(entry["fast"])
        for key, values in entry["fast"].items():
            assert encoding[key].dtype == np.int64
            np.testing.assert_array_equal(encoding[key], np.array(values), err_msg=f"{key} {entry['options']}")


def test_rotten_tomatoes_batch_as_ember_tensors(minilm):
    texts = [entry["text"] for entry in SINGLES[:32]]
    encoding = minilm(texts, padding=True, truncation=True, return_tensors="pt")
    assert isinstance(encoding["input_ids"], ember.Tensor) and encoding.input_ids.dtype == ember.int64
    width = max(len(entry["fast_ids"]) for entry in SINGLES[:32])
    assert tuple(encoding.attention_mask.shape) == (32, width)
    for row, entry in enumerate(SINGLES[:32]):
        length = len(entry["fast_ids"])
        assert encoding.input_ids[row, :length].tolist() == entry["fast_ids"]
        assert encoding.attention_mask[row].tolist() == [1] * length + [0] * (width - length)
        assert encoding.input_ids[row, length:].tolist() == [0] * (width - length)
    assert encoding.token_type_ids.sum().item() == 0


def test_minilm_config_values(minilm):
    assert minilm.vocab_size == len(minilm) == 30522
    assert minilm.model_max_length == GOLDEN["model_max_length"] == 512
    assert (minilm.pad_token_id, minilm.unk_token_id, minilm.cls_token_id, minilm.sep_token_id,
            minilm.mask_token_id) == (0, 100, 101, 102, 103)
    assert minilm.do_lower_case and minilm.all_special_tokens == ["[UNK]", "[SEP]", "[PAD]", "[CLS]", "[MASK]"]
    assert minilm.all_special_ids == [100, 102, 0, 101, 103]


def test_truncation_defaults_to_model_max_length(minilm):
    long_text = " ".join(["word"] * 600)
    assert len(minilm(long_text, truncation=True)["input_ids"]) == 512
    assert len(minilm(long_text)["input_ids"]) == 602
    assert minilm([long_text, "short"], padding="max_length", truncation=True, return_tensors="np")[
        "input_ids"].shape == (2, 512)


def test_from_pretrained_reads_only_tokenizer_json(minilm, minilm_dir, tmp_path):
    (tmp_path / "tokenizer.json").write_bytes(Path(minilm_dir, "tokenizer.json").read_bytes())
    from_json = BertTokenizer.from_pretrained(tmp_path)
    assert from_json.vocab == minilm.vocab and from_json.do_lower_case
    texts = [entry["text"] for entry in SINGLES[::20]]
    assert from_json(texts)["input_ids"] == minilm(texts)["input_ids"]


# --------------------------------------------------------------------------------------- calling conventions

def test_single_text_gives_flat_lists(tiny):
    encoding = tiny("Hello, world!")
    assert isinstance(encoding, BatchEncoding) and isinstance(encoding, dict)
    assert list(encoding) == ["input_ids", "token_type_ids", "attention_mask"]
    assert encoding.input_ids == encoding["input_ids"] == [2, 5, 11, 6, 10, 3]
    assert encoding.token_type_ids == [0] * 6 and encoding.attention_mask == [1] * 6


def test_pair_has_segment_ids(tiny):
    encoding = tiny("hello world", "a b c")
    assert encoding.input_ids == [2, 5, 6, 3, 12, 13, 14, 3]
    assert encoding.token_type_ids == [0, 0, 0, 0, 1, 1, 1, 1]


def test_batch_of_pairs_and_mixed_batch(tiny):
    assert tiny([("a", "b"), ("c", "d e")]).input_ids == [[2, 12, 3, 13, 3], [2, 14, 3, 15, 16, 3]]
    assert tiny(["a", ("b", "c")]).token_type_ids == [[0, 0, 0], [0, 0, 0, 1, 1]]
    assert tiny(["a", "b c"], ["d", "e"]).input_ids == [[2, 12, 3, 15, 3], [2, 13, 14, 3, 16, 3]]
    # A tuple of texts is a batch, not a pair (as in Hugging Face).
    assert tiny(("a", "b")).input_ids == [[2, 12, 3], [2, 13, 3]]


def test_return_tensors_pt_and_np(tiny):
    single = tiny("hello world", return_tensors="pt")
    assert isinstance(single.input_ids, ember.Tensor) and tuple(single.input_ids.shape) == (1, 4)
    assert single.input_ids.dtype == ember.int64 and single.attention_mask.dtype == ember.int64
    batch = tiny(["hello", "a b c"], padding=True, return_tensors="np")
    assert batch["input_ids"].dtype == np.int64
    np.testing.assert_array_equal(batch["attention_mask"], [[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]])
    assert tiny.encode("hello", return_tensors="pt").tolist() == [[2, 5, 3]]


def test_padding_options(tiny):
    assert tiny("a", padding="max_length", max_length=5).input_ids == [2, 12, 3, 0, 0]
    assert tiny("a", padding=True, pad_to_multiple_of=4).input_ids == [2, 12, 3, 0]
    assert tiny(["a", "a b"], padding=True, padding_side="left").attention_mask == [[0, 1, 1, 1], [1, 1, 1, 1]]
    left = BertTokenizer(str(tiny.name_or_path) + "/vocab.txt", padding_side="left")
    assert left(["a", "a b"], padding=True).input_ids == [[0, 2, 12, 3], [2, 12, 13, 3]]
    masks = tiny(["a", "a b"], padding=True, return_special_tokens_mask=True, return_length=True)
    assert masks.special_tokens_mask == [[1, 0, 1, 1], [1, 0, 0, 1]] and masks.length == [4, 4]
    # Padding to max_length does not truncate on its own.
    assert len(tiny("a b c d", padding="max_length", max_length=3).input_ids) == 6


def test_truncation_options(tiny):
    assert tiny("a b c d e", truncation=True, max_length=4).input_ids == [2, 12, 13, 3]
    assert tiny("a b c d e", max_length=4).input_ids == [2, 12, 13, 3]       # max_length alone truncates
    assert tiny("a b c d e", "a", truncation="only_first", max_length=6).input_ids == [2, 12, 13, 3, 12, 3]
    assert tiny("a", "a b c d e", truncation="only_second", max_length=6).input_ids == [2, 12, 3, 12, 13, 3]
    assert tiny("a b c d e", truncation=True, max_length=2).input_ids == [2, 3]
    assert tiny("a b c d e", truncation=True, max_length=1).input_ids == [2, 12, 13, 14, 15, 16, 3]
    assert tiny("a b c d", "e a", truncation=True, max_length=6, add_special_tokens=False).input_ids == \
        [12, 13, 14, 15, 16, 12]
    left_side = BertTokenizer(str(tiny.name_or_path) + "/vocab.txt", truncation_side="left")
    assert left_side("a b c d e", truncation=True, max_length=4).input_ids == [2, 15, 16, 3]


def test_return_flags(tiny):
    assert list(tiny("a", return_token_type_ids=False, return_attention_mask=False)) == ["input_ids"]
    assert tiny("a", add_special_tokens=False).input_ids == [12]
    assert tiny("hello world", padding="do_not_pad", truncation="do_not_truncate").input_ids == [2, 5, 6, 3]


def test_pretokenized_input(tiny):
    assert tiny(["hello", "world"], is_split_into_words=True).input_ids == [2, 5, 6, 3]
    assert tiny([["hello"], ["a", "b c"]], is_split_into_words=True).input_ids == [[2, 5, 3], [2, 12, 13, 14, 3]]


def test_batch_encoding_behaves_like_a_dict(tiny):
    encoding = tiny(["a", "b"], return_tensors="pt")
    assert encoding.to("cpu") is encoding and isinstance(encoding["input_ids"], ember.Tensor)
    assert encoding.data.keys() == encoding.keys()
    with pytest.raises(AttributeError, match="no attribute 'labels'"):
        _ = encoding.labels
    restored = pickle.loads(pickle.dumps(tiny("a")))
    assert restored == tiny("a") and restored.input_ids == [2, 12, 3]
    assert BatchEncoding({"input_ids": [[1, 2]]}, tensor_type="np")["input_ids"].shape == (1, 2)


# ----------------------------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("kwargs, error, message", [
    ({"padding": "bogus"}, ValueError, "not a valid PaddingStrategy"),
    ({"truncation": "bogus", "max_length": 3}, ValueError, "not a valid TruncationStrategy"),
    ({"return_tensors": "tf"}, ValueError, "not a valid TensorType"),
    ({"truncation": "only_second", "max_length": 3}, ValueError, "Second sequence not provided"),
    ({"stride": 2}, NotImplementedError, "stride"),
    ({"padding": True, "truncation": True, "max_length": 6, "pad_to_multiple_of": 4}, ValueError, "multiple"),
    ({"padding_side": "middle"}, ValueError, "padding_side"),
])
def test_bad_options_raise(tiny, kwargs, error, message):
    with pytest.raises(error, match=message):
        tiny("a b c d", **kwargs)


def test_bad_inputs_raise(tiny):
    with pytest.raises(ValueError, match="You need to specify either `text`"):
        tiny(text_pair="a")
    with pytest.raises(ValueError, match="text input must be of type"):
        tiny(123)
    with pytest.raises(ValueError, match="text input must be of type"):
        tiny(["a", 3])
    with pytest.raises(ValueError, match="Unable to create tensor"):
        tiny(["a", "a b"], return_tensors="pt")
    with pytest.raises(ValueError, match="only_first|first sequence"):
        tiny("a", "b c d e", truncation="only_first", max_length=5)
    with pytest.raises(TypeError):
        tiny("a", unknown_option=True)


def test_constructor_and_loading_errors(tmp_path):
    with pytest.raises(ValueError, match="Can't find a vocabulary file"):
        BertTokenizer(str(tmp_path / "missing.txt"))
    with pytest.raises(OSError, match="Can't load tokenizer"):
        BertTokenizer.from_pretrained(tmp_path / "no-such-dir")
    with pytest.raises(OSError, match="neither"):
        BertTokenizer.from_pretrained(tmp_path)


# ------------------------------------------------------------------------------------- vocabulary helpers

def test_tokenize_keeps_special_tokens_whole(tiny):
    assert tiny.tokenize("hello[SEP]world [MASK]!") == ["hello", "[SEP]", "world", "[MASK]", "!"]
    assert tiny.tokenize("[sep]") == ["[UNK]", "[UNK]", "[UNK]"]            # only the exact spelling is special
    assert tiny.tokenize("hello", "world", add_special_tokens=True) == ["[CLS]", "hello", "[SEP]", "world", "[SEP]"]


def test_conversions(tiny):
    assert tiny.convert_tokens_to_ids("hello") == 5 and tiny.convert_tokens_to_ids(["zzz", "!"]) == [1, 10]
    assert tiny.convert_ids_to_tokens(5) == "hello"
    assert tiny.convert_ids_to_tokens([2, 5, 3, 999], skip_special_tokens=True) == ["hello", "[UNK]"]
    assert tiny.convert_ids_to_tokens(ember.tensor([5, 6])) == ["hello", "world"]
    assert tiny.convert_tokens_to_string(["un", "##aff", "##able", ",", "world"]) == "unaffable, world"
    assert tiny.get_vocab()["##able"] == 9


def test_decode_forms(tiny):
    ids = tiny.encode("Hello, world!")
    assert tiny.decode(ids) == "[CLS] hello, world! [SEP]"
    assert tiny.decode(ember.tensor(ids), skip_special_tokens=True) == "hello, world!"
    assert tiny.decode(5) == "hello" and tiny.decode([]) == ""
    batch = tiny(["hello", "a b"], padding=True, return_tensors="np")["input_ids"]
    assert tiny.batch_decode(batch, skip_special_tokens=True) == ["hello", "a b"]
    assert tiny.batch_decode(ember.from_numpy(batch)) == ["[CLS] hello [SEP] [PAD]", "[CLS] a b [SEP]"]


def test_special_token_helpers(tiny):
    assert tiny.num_special_tokens_to_add() == 2 and tiny.num_special_tokens_to_add(pair=True) == 3
    assert tiny.build_inputs_with_special_tokens([5], [6]) == [2, 5, 3, 6, 3]
    assert tiny.create_token_type_ids_from_sequences([5], [6, 6]) == [0, 0, 0, 1, 1, 1]
    assert tiny.get_special_tokens_mask([5, 6], [7]) == [1, 0, 0, 1, 0, 1]
    assert tiny.get_special_tokens_mask([2, 5, 3], already_has_special_tokens=True) == [1, 0, 1]
    assert "BertTokenizer(" in repr(tiny)


def test_pad_method(tiny):
    padded = tiny.pad([{"input_ids": [2, 5, 3], "labels": 1}, {"input_ids": [2, 3], "labels": 0}],
                      return_tensors="pt")
    assert padded.input_ids.tolist() == [[2, 5, 3], [2, 3, 0]]
    assert padded.attention_mask.tolist() == [[1, 1, 1], [1, 1, 0]] and padded.labels.tolist() == [1, 0]
    columns = tiny.pad({"input_ids": [[2, 5, 3], [2, 3]], "token_type_ids": [[0, 0, 0], [0, 0]]},
                       padding="max_length", max_length=4)
    assert columns.token_type_ids == [[0, 0, 0, 0], [0, 0, 0, 0]] and columns.input_ids[1] == [2, 3, 0, 0]
    assert tiny.pad({"input_ids": [2, 5]}, padding="max_length", max_length=3).input_ids == [2, 5, 0]
    with pytest.raises(ValueError, match="input_ids"):
        tiny.pad({"ids": [1]})


def test_save_and_load_round_trip(tiny, tmp_path):
    changed = BertTokenizer(str(tiny.name_or_path) + "/vocab.txt", model_max_length=7, do_lower_case=False)
    paths = changed.save_pretrained(tmp_path / "saved")
    assert [os.path.basename(path) for path in paths] == ["vocab.txt", "tokenizer_config.json",
                                                          "special_tokens_map.json"]
    loaded = BertTokenizer.from_pretrained(tmp_path / "saved")
    assert loaded.vocab == changed.vocab and loaded.model_max_length == 7 and not loaded.do_lower_case
    assert BertTokenizer.from_pretrained(tmp_path / "saved" / "vocab.txt").vocab == changed.vocab
    assert BertTokenizer.from_pretrained(tmp_path / "saved", model_max_length=3).model_max_length == 3


def test_special_tokens_from_config_files(tiny_dir):
    (tiny_dir / "special_tokens_map.json").write_text(json.dumps({"unk_token": {"content": "[MASK]"}}))
    (tiny_dir / "tokenizer_config.json").write_text(json.dumps({"model_max_length": 9, "tokenizer_class": "x"}))
    loaded = BertTokenizer.from_pretrained(tiny_dir)
    assert loaded.unk_token == "[MASK]" and loaded.convert_tokens_to_ids("zzz") == 4 and loaded.model_max_length == 9


# ------------------------------------------------------------------------------------------ normalisation

def test_case_and_accent_options(tiny_dir):
    path = str(tiny_dir / "vocab.txt")
    assert BertTokenizer(path).tokenize("CAF\u00c9S") == ["cafe", "##s"]
    assert BertTokenizer(path, strip_accents=False).tokenize("caf\u00e9") == ["[UNK]"]
    assert BertTokenizer(path, do_lower_case=False).tokenize("Hello hello") == ["[UNK]", "hello"]
    assert BertTokenizer(path, do_lower_case=False, strip_accents=True).tokenize("cafe\u0301") == ["cafe"]
    assert BertTokenizer(path, tokenize_chinese_chars=False).tokenize("\u4f60\u597d") == ["[UNK]"]
    assert BertTokenizer(path).tokenize("\u4f60\u597d") == ["你", "好"]
    assert BertTokenizer(path, do_basic_tokenize=False).tokenize("hello, world") == ["[UNK]", "world"]


def test_basic_tokenizer_pieces():
    basic = BasicTokenizer(never_split=["[KEEP]"])
    assert basic.tokenize("Hello,\tW\u00d6RLD!\x00 [KEEP] e\u0301") == ["hello", ",", "world", "!", "[KEEP]", "e"]
    assert basic.tokenize("a\u00a0b\u3000c\u2028d") == ["a", "b", "c", "d"]
    assert basic.tokenize("x", never_split=["x"]) == ["x"]
    assert BasicTokenizer(do_split_on_punc=False).tokenize("don't") == ["don't"]


def test_wordpiece_greedy_longest_match_and_limit():
    vocab = {"un": 0, "una": 1, "##ff": 2, "##able": 3, "##aff": 4, "[UNK]": 5}
    wordpiece = WordpieceTokenizer(vocab, "[UNK]", max_input_chars_per_word=9)
    assert wordpiece.tokenize("unaffable") == ["una", "##ff", "##able"]   # longest first piece wins
    assert wordpiece.tokenize("unaffables") == ["[UNK]"]                    # 10 characters: over the limit
    assert wordpiece.tokenize("unx") == ["[UNK]"]
