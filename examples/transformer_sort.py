"""Sequence to sequence with nn.Transformer: a small encoder-decoder learns to sort strings of digits.

Data: random strings of 8 to 10 digits (0-9, repeats allowed) drawn afresh for every batch; the target is the same
digits in ascending order. Tokens are the ten digits plus ``<pad>``, ``<bos>`` and ``<eos>``; a batch pads its
strings to the longest, and the padding is hidden from attention by key-padding masks. The held-out set is drawn
from a separate random stream, so the model is scored on strings it has (almost surely) never seen.

Network (as PyTorch's translation tutorial): token embeddings scaled by sqrt(d_model) plus sinusoidal positional
encodings, ``nn.Transformer`` (batch-first, d_model 64, 4 heads, 2 encoder and 2 decoder layers, feed-forward 256,
no dropout since every batch is new data) and a linear layer to the vocabulary. Training uses teacher forcing: the
decoder reads ``<bos> + sorted`` under ``generate_square_subsequent_mask`` and learns ``sorted + <eos>`` with
cross-entropy that ignores padding. Adam (betas 0.9/0.98, peak lr 1e-3) warms its learning rate up linearly over
200 steps, then decays it to zero along a cosine; 20 epochs of 200 batches of 64 strings.

Scoring decodes greedily: the encoder reads the digits once, and the decoder, fed its own outputs, emits one token
at a time (the most likely one) until ``<eos>``. Sequence accuracy counts strings sorted exactly (right digits,
right length); token accuracy counts the target positions (``<eos>`` included) where the output is right.

    python examples/transformer_sort.py            # the full run: sequence accuracy >= 99% (about 2 minutes)
    python examples/transformer_sort.py --quick    # seconds, for CI

The figures are printed and written to ``<output-dir>/metrics.json`` (atomically).
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np

import ember
import ember.nn as nn
from ember._files import atomic_write
from ember.utils.progress import ProgressBar

DIGITS = 10
PAD_IDX, BOS_IDX, EOS_IDX = 10, 11, 12
VOCAB_SIZE = 13


# ----------------------------------------------------------------------------- data

def random_strings(rng, count, min_len, max_len):
    """``count`` random digit strings (NumPy int arrays) of lengths from ``min_len`` to ``max_len``."""
    lengths = rng.integers(min_len, max_len + 1, count)
    return [rng.integers(0, DIGITS, length) for length in lengths]


def pad(sequences, length=None):
    """The sequences as rows of an int64 tensor, padded with ``PAD_IDX`` to ``length`` (default: the longest)."""
    length = length or max(len(s) for s in sequences)
    rows = np.full((len(sequences), length), PAD_IDX, dtype=np.int64)
    for row, sequence in enumerate(sequences):
        rows[row, :len(sequence)] = sequence
    return ember.from_numpy(rows)


def make_batch(strings):
    """``(src, tgt)``: the digits, and ``<bos> + sorted + <eos>`` (each padded to its longest row)."""
    targets = [np.concatenate(([BOS_IDX], np.sort(s), [EOS_IDX])) for s in strings]
    return pad(strings), pad(targets)


# ----------------------------------------------------------------------------- the network

class PositionalEncoding(nn.Module):
    """Adds sine and cosine waves of geometrically spaced wavelengths, so attention can tell positions apart."""

    def __init__(self, d_model, dropout=0.1, max_len=64):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        position = ember.arange(max_len).unsqueeze(1)
        div_term = ember.exp(ember.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = ember.zeros(1, max_len, d_model)
        pe[0, :, 0::2] = ember.sin(position * div_term)
        pe[0, :, 1::2] = ember.cos(position * div_term)
        self.register_buffer("pe", pe)

    def forward(self, x):
        """``x``: (batch, length, d_model)."""
        return self.dropout(x + self.pe[:, :x.size(1)])


class Seq2SeqTransformer(nn.Module):
    """Embeddings and positions, ``nn.Transformer``, and a linear layer to the vocabulary's logits."""

    def __init__(self, d_model=64, nhead=4, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=256,
                 dropout=0.1):
        super().__init__()
        self.d_model = d_model
        self.src_tok_emb = nn.Embedding(VOCAB_SIZE, d_model, padding_idx=PAD_IDX)
        self.tgt_tok_emb = nn.Embedding(VOCAB_SIZE, d_model, padding_idx=PAD_IDX)
        self.positional_encoding = PositionalEncoding(d_model, dropout)
        self.transformer = nn.Transformer(d_model, nhead, num_encoder_layers, num_decoder_layers, dim_feedforward,
                                          dropout, batch_first=True)
        self.generator = nn.Linear(d_model, VOCAB_SIZE)

    def embed(self, tokens, embedding):
        return self.positional_encoding(embedding(tokens) * math.sqrt(self.d_model))

    def encode(self, src):
        return self.transformer.encoder(self.embed(src, self.src_tok_emb), src_key_padding_mask=src == PAD_IDX)

    def decode(self, tgt, memory, src_padding_mask):
        tgt_mask = nn.Transformer.generate_square_subsequent_mask(tgt.size(1), dtype=ember.bool)
        return self.transformer.decoder(self.embed(tgt, self.tgt_tok_emb), memory, tgt_mask=tgt_mask,
                                        tgt_is_causal=True, memory_key_padding_mask=src_padding_mask)

    def forward(self, src, tgt):
        """Logits (batch, tgt length, vocabulary) of the token after each ``tgt`` prefix (teacher forcing)."""
        src_padding_mask = src == PAD_IDX
        tgt_mask = nn.Transformer.generate_square_subsequent_mask(tgt.size(1), dtype=ember.bool)
        out = self.transformer(self.embed(src, self.src_tok_emb), self.embed(tgt, self.tgt_tok_emb),
                               tgt_mask=tgt_mask, src_key_padding_mask=src_padding_mask,
                               tgt_key_padding_mask=tgt == PAD_IDX, memory_key_padding_mask=src_padding_mask,
                               tgt_is_causal=True)
        return self.generator(out)


def greedy_decode(model, src, max_len):
    """Each row's most likely output, one token at a time: (batch, up to ``max_len``) tokens after ``<bos>``."""
    model.eval()
    with ember.no_grad():
        src_padding_mask = src == PAD_IDX
        memory = model.encode(src)
        ys = ember.full((src.size(0), 1), BOS_IDX, dtype=ember.long)
        finished = ember.zeros(src.size(0), dtype=ember.bool)
        for _ in range(max_len):
            out = model.decode(ys, memory, src_padding_mask)
            next_word = model.generator(out[:, -1]).argmax(dim=1)
            next_word = ember.where(finished, ember.full_like(next_word, PAD_IDX), next_word)
            ys = ember.cat([ys, next_word.unsqueeze(1)], dim=1)
            finished = finished | (next_word == EOS_IDX)
            if bool(finished.all()):
                break
    return ys[:, 1:]


def readable(tokens):
    """Tokens as a digit string, up to ``<eos>`` (padding left out, other tokens as ``?``).

    >>> readable([0, 3, 3, EOS_IDX, PAD_IDX]), readable([7, BOS_IDX, PAD_IDX])
    ('033', '7? (no <eos>)')
    """
    text = ""
    for token in tokens:
        if token == EOS_IDX:
            return text
        if token != PAD_IDX:
            text += str(token) if token < DIGITS else "?"
    return text + " (no <eos>)"


def score(model, strings, batch_size=500):
    """Greedy-decoding token and sequence accuracies on ``strings`` and a few examples of the outputs."""
    correct_tokens = total_tokens = correct_sequences = 0
    examples = []
    for start in range(0, len(strings), batch_size):
        chunk = strings[start:start + batch_size]
        src, tgt = make_batch(chunk)
        expected = tgt[:, 1:].numpy()                       # sorted digits, <eos>, padding
        output = greedy_decode(model, src, expected.shape[1]).numpy()
        found = np.full(expected.shape, PAD_IDX, dtype=np.int64)
        found[:, :output.shape[1]] = output
        real = expected != PAD_IDX
        correct_tokens += int((found == expected)[real].sum())
        total_tokens += int(real.sum())
        correct_sequences += int(((found == expected) | ~real).all(axis=1).sum())
        for digits, row in zip(chunk[:3 - len(examples)], found):
            examples.append({"input": "".join(map(str, digits)), "output": readable(row)})
    return correct_tokens / total_tokens, correct_sequences / len(strings), examples


# ----------------------------------------------------------------------------- training

def warmup_cosine(warmup_steps, total_steps):
    """The learning-rate factor of a step: a linear warm-up, then a cosine decay to zero at ``total_steps``."""
    def factor(step):
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
        return 0.5 * (1.0 + math.cos(math.pi * min(progress, 1.0)))
    return factor


def train(model, args, valid_strings, stream):
    """Train on fresh random batches; returns the per-epoch history."""
    rng = np.random.default_rng(args.seed)
    total_steps = args.epochs * args.steps_per_epoch
    optimizer = ember.optim.Adam(model.parameters(), lr=args.lr, betas=(0.9, 0.98), eps=1e-9)
    scheduler = ember.optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine(args.warmup, total_steps))
    loss_fn = nn.CrossEntropyLoss(ignore_index=PAD_IDX)
    history = []
    for epoch in range(1, args.epochs + 1):
        model.train()
        bar = ProgressBar(args.steps_per_epoch, f"epoch {epoch}/{args.epochs}", stream=stream)
        total, started = 0.0, time.perf_counter()
        for _ in range(args.steps_per_epoch):
            src, tgt = make_batch(random_strings(rng, args.batch_size, args.min_len, args.max_len))
            tgt_input, tgt_out = tgt[:, :-1], tgt[:, 1:]
            logits = model(src, tgt_input)
            loss = loss_fn(logits.reshape(-1, logits.size(-1)), tgt_out.reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            total += loss.item()
            bar.advance(loss=total / (bar.done + 1))
        bar.close()
        token_accuracy, sequence_accuracy, _ = score(model, valid_strings)
        seconds = time.perf_counter() - started
        history.append({"epoch": epoch, "train_loss": total / args.steps_per_epoch,
                        "valid_token_accuracy": token_accuracy, "valid_sequence_accuracy": sequence_accuracy,
                        "seconds": seconds})
        print(f"epoch {epoch}: training loss {total / args.steps_per_epoch:.4f}, validation token accuracy "
              f"{token_accuracy:.4f}, sequence accuracy {sequence_accuracy:.4f} ({seconds:.0f} s)", flush=True)
    return history


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-len", type=int, default=8, help="shortest digit string")
    parser.add_argument("--max-len", type=int, default=10, help="longest digit string")
    parser.add_argument("--d-model", type=int, default=64)
    parser.add_argument("--nhead", type=int, default=4)
    parser.add_argument("--layers", type=int, default=2, help="encoder layers and decoder layers (each)")
    parser.add_argument("--dim-feedforward", type=int, default=256)
    parser.add_argument("--dropout", type=float, default=0.0)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--steps-per-epoch", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3, help="peak learning rate, reached after --warmup steps")
    parser.add_argument("--warmup", type=int, default=200, help="steps of linear learning-rate warm-up")
    parser.add_argument("--valid-size", type=int, default=500, help="strings scored after each epoch")
    parser.add_argument("--test-size", type=int, default=5000, help="held-out strings scored at the end")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output-dir", default="transformer-sort")
    parser.add_argument("--save", default=None, help="also save the trained state_dict here")
    parser.add_argument("--quick", action="store_true", help="a few seconds of training (for CI)")
    args = parser.parse_args(argv)
    if args.quick:
        args.epochs, args.steps_per_epoch, args.warmup = 2, 40, 20
        args.valid_size, args.test_size = 100, 200

    ember.manual_seed(args.seed)
    held_out = np.random.default_rng([args.seed, 1])          # a stream apart from the training batches'
    valid_strings = random_strings(held_out, args.valid_size, args.min_len, args.max_len)
    test_strings = random_strings(held_out, args.test_size, args.min_len, args.max_len)
    model = Seq2SeqTransformer(args.d_model, args.nhead, args.layers, args.layers, args.dim_feedforward,
                               args.dropout)
    parameters = sum(p.numel() for p in model.parameters())
    print(f"sorting strings of {args.min_len}-{args.max_len} digits: a transformer of {parameters} parameters, "
          f"{args.epochs} x {args.steps_per_epoch} batches of {args.batch_size}", flush=True)

    started = time.perf_counter()
    history = train(model, args, valid_strings, sys.stderr)
    token_accuracy, sequence_accuracy, examples = score(model, test_strings)
    seconds = time.perf_counter() - started
    print(f"held-out ({len(test_strings)} strings, greedy decoding): token accuracy {token_accuracy:.4f}, "
          f"sequence accuracy {sequence_accuracy:.4f} in {seconds:.0f} s")
    for example in examples:
        print(f"  {example['input']} -> {example['output']}")
    if args.save:
        ember.save(model.state_dict(), args.save)

    metrics = {"test_token_accuracy": token_accuracy, "test_sequence_accuracy": sequence_accuracy,
               "test_size": len(test_strings), "epochs": history, "parameters": parameters, "seconds": seconds,
               "examples": examples,
               "settings": {name: value for name, value in vars(args).items() if name != "output_dir"}}
    os.makedirs(args.output_dir, exist_ok=True)
    atomic_write(os.path.join(args.output_dir, "metrics.json"), lambda f: json.dump(metrics, f, indent=2), text=True)
    return metrics


if __name__ == "__main__":
    main()
