"""examples/transformer_sort.py: its --quick run, its padding masks, greedy decoding and the accuracy it reports."""

import importlib.util
import json
import math
import os
import subprocess
import sys

import numpy as np

import ember

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "examples", "transformer_sort.py")


def load_example():
    spec = importlib.util.spec_from_file_location("transformer_sort_example", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_quick_run_learns_and_reports_accuracies(tmp_path):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run([sys.executable, "-W", "error::UserWarning", SCRIPT, "--quick", "--output-dir",
                             str(tmp_path)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    with open(tmp_path / "metrics.json") as stream:
        metrics = json.load(stream)
    losses = [epoch["train_loss"] for epoch in metrics["epochs"]]
    assert len(losses) == 2 and all(math.isfinite(loss) for loss in losses)
    assert losses[0] < math.log(13) and losses[1] < 0.7 * losses[0]     # ~1.45 then ~0.51
    assert metrics["test_size"] == 200
    for name in ("test_token_accuracy", "test_sequence_accuracy"):
        assert 0.0 <= metrics[name] <= 1.0
    assert metrics["test_token_accuracy"] > 0.3                          # ~0.58 after 80 steps; chance is ~0.1
    assert metrics["test_sequence_accuracy"] <= metrics["test_token_accuracy"]
    assert len(metrics["examples"]) == 3 and f"{metrics['test_sequence_accuracy']:.4f}" in result.stdout


def test_batches_hold_sorted_targets_between_bos_and_eos():
    example = load_example()
    strings = example.random_strings(np.random.default_rng(0), 50, 8, 10)
    assert {len(s) for s in strings} == {8, 9, 10} and all(s.min() >= 0 and s.max() <= 9 for s in strings)
    src, tgt = example.make_batch([np.array([3, 1, 2]), np.array([9, 0, 9, 5])])
    pad, bos, eos = example.PAD_IDX, example.BOS_IDX, example.EOS_IDX
    assert src.tolist() == [[3, 1, 2, pad], [9, 0, 9, 5]]
    assert tgt.tolist() == [[bos, 1, 2, 3, eos, pad], [bos, 0, 5, 9, 9, eos]]


def test_padding_is_masked_in_training_and_in_greedy_decoding():
    example = load_example()
    ember.manual_seed(0)
    model = example.Seq2SeqTransformer(d_model=32, nhead=4, num_encoder_layers=1, num_decoder_layers=1,
                                       dim_feedforward=64).eval()
    short, long = np.array([4, 2, 7]), np.array([5, 5, 1, 0, 8, 3])
    src, tgt = example.make_batch([short, long])
    alone_src, alone_tgt = example.make_batch([short])
    with ember.no_grad():
        both = model(src, tgt[:, :-1])
        alone = model(alone_src, alone_tgt[:, :-1])
    np.testing.assert_allclose(both[0, :alone.size(1)].numpy(), alone[0].numpy(), rtol=1e-4, atol=1e-5)
    decoded = example.greedy_decode(model, src, max_len=8)
    decoded_alone = example.greedy_decode(model, alone_src, max_len=8)
    row, row_alone = decoded[0].tolist(), decoded_alone[0].tolist()
    assert row[:len(row_alone)] == row_alone and set(row[len(row_alone):]) <= {example.PAD_IDX}
    assert not model.training and decoded.size(1) <= 8


class Scripted:
    """Stands in for the model in greedy decoding: at step t, row r's most likely token is ``script[t][r]``."""

    def __init__(self, script):
        self.script, self.steps = script, 0

    def eval(self):
        return self

    def encode(self, src):
        return src

    def decode(self, ys, memory, src_padding_mask):
        self.steps += 1
        return ys

    def generator(self, last):
        logits = ember.zeros(last.size(0), 13)
        for row, token in enumerate(self.script[self.steps - 1]):
            logits[row, token] = 1.0
        return logits


def test_greedy_decoding_stops_at_eos_and_pads_finished_rows():
    example = load_example()
    eos, pad = example.EOS_IDX, example.PAD_IDX
    model = Scripted([[3, 1], [eos, 2], [7, eos], [9, 9]])
    decoded = example.greedy_decode(model, ember.tensor([[1, 2], [3, 4]]), max_len=6)
    assert model.steps == 3                                     # both rows have ended after the third step
    assert decoded.tolist() == [[3, eos, pad], [1, 2, eos]]     # row 0's 7 came after its <eos>
    model = Scripted([[3, 1], [eos, 2], [7, 8], [9, 9]])
    assert example.greedy_decode(model, ember.tensor([[1, 2], [3, 4]]), max_len=2).tolist() == [[3, eos], [1, 2]]


def test_score_counts_tokens_and_whole_sequences(monkeypatch):
    example = load_example()
    strings = [np.array([3, 1, 2]), np.array([9, 0, 9, 5, 5])]

    def perfect(model, src, max_len):
        return example.make_batch(strings)[1][:, 1:]

    monkeypatch.setattr(example, "greedy_decode", perfect)
    assert example.score(None, strings)[:2] == (1.0, 1.0)

    def last_digit_wrong(model, src, max_len):
        out = perfect(model, src, max_len).clone()
        out[1, 4] = 0                                            # the second string's last digit: 9 -> 0
        return out
    monkeypatch.setattr(example, "greedy_decode", last_digit_wrong)
    token_accuracy, sequence_accuracy, examples = example.score(None, strings)
    assert sequence_accuracy == 0.5 and math.isclose(token_accuracy, 9 / 10)   # targets: 3 + 1 and 5 + 1 tokens
    assert examples == [{"input": "312", "output": "123"}, {"input": "90955", "output": "05590"}]

    def no_eos(model, src, max_len):
        return ember.full((src.size(0), 2), 4, dtype=ember.long)   # stops early, never ends
    monkeypatch.setattr(example, "greedy_decode", no_eos)
    token_accuracy, sequence_accuracy, examples = example.score(None, strings)
    assert sequence_accuracy == 0.0 and token_accuracy == 0.0
    assert examples[0]["output"] == "44 (no <eos>)"


def test_learning_rate_warms_up_then_decays_to_zero():
    example = load_example()
    factor = example.warmup_cosine(warmup_steps=10, total_steps=110)
    values = [factor(step) for step in range(111)]
    assert values[0] == 0.1 and values[9] == 1.0 and values[10] == 1.0
    assert math.isclose(values[60], 0.5) and values[110] == 0.0
    assert all(a < b for a, b in zip(values[:10], values[1:10])) and all(a >= b for a, b in zip(values[10:],
                                                                                                values[11:]))
    assert example.readable([0, 3, 3, example.EOS_IDX, example.PAD_IDX]) == "033"
