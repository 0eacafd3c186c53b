"""The ``ember train`` command: accuracy, checkpoints torch can read, exact resume, clear errors."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers import requires_torch, torch

import ember
from ember.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *argv):
    status = main(["train", *argv])
    return status, capsys.readouterr().out


def test_default_run_reaches_95_percent(tmp_path, capsys):
    status, out = run(capsys, "--output-dir", str(tmp_path))
    assert status == 0
    history = json.loads((tmp_path / "metrics.json").read_text())["history"]
    assert len(history) == 15
    assert history[-1]["test_accuracy"] >= 0.95
    assert "epoch  15/15" in out and "test accuracy" in out


@requires_torch
def test_checkpoint_loads_in_torch(tmp_path, capsys):
    run(capsys, "--epochs", "1", "--output-dir", str(tmp_path))
    checkpoint = torch.load(tmp_path / "checkpoint.pt", weights_only=True)
    assert checkpoint["epoch"] == 1
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(128, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))
    model.load_state_dict(checkpoint["model"])          # the same keys and shapes as PyTorch's layers
    optimizer = torch.optim.Adam(model.parameters(), lr=checkpoint["settings"]["lr"])
    optimizer.load_state_dict(checkpoint["optimizer"])


def test_resume_ends_where_an_uninterrupted_run_ends(tmp_path, capsys):
    straight, interrupted = tmp_path / "straight", tmp_path / "interrupted"
    run(capsys, "--epochs", "4", "--seed", "3", "--output-dir", str(straight))
    run(capsys, "--epochs", "2", "--seed", "3", "--output-dir", str(interrupted))
    status, out = run(capsys, "--epochs", "4", "--resume", str(interrupted / "checkpoint.pt"),
                      "--output-dir", str(interrupted))
    assert status == 0 and "resuming from" in out
    a, b = (ember.load(path / "checkpoint.pt") for path in (straight, interrupted))
    assert a["epoch"] == b["epoch"] == 4
    for name in a["model"]:
        np.testing.assert_array_equal(a["model"][name].numpy(), b["model"][name].numpy(), err_msg=name)
    losses = [[record["train_loss"] for record in checkpoint["history"]] for checkpoint in (a, b)]
    assert losses[0] == losses[1]


@pytest.mark.parametrize("argv,message", [
    (["--epochs", "0"], "expected a positive int, got '0'"),
    (["--lr", "fast"], "expected a positive float, got 'fast'"),
    (["--batch-size", "-3"], "expected a positive int, got '-3'"),
    (["--seed", "x"], "expected an integer seed, got 'x'"),
    (["--colour", "red"], "unrecognized arguments: --colour red"),
])
def test_bad_options_get_a_clear_message(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["train", *argv])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_resume_from_a_missing_or_foreign_file(tmp_path):
    with pytest.raises(SystemExit, match="no such checkpoint file"):
        main(["train", "--resume", str(tmp_path / "nothing.pt"), "--output-dir", str(tmp_path)])
    ember.save({"weights": ember.ones(2)}, tmp_path / "other.pt")
    with pytest.raises(SystemExit, match="is not a checkpoint of ember train"):
        main(["train", "--resume", str(tmp_path / "other.pt"), "--output-dir", str(tmp_path)])


def test_python_dash_m_ember_train(tmp_path):
    done = subprocess.run([sys.executable, "-m", "ember", "train", "--epochs", "1", "--output-dir", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "epoch   1/1" in done.stdout and (tmp_path / "checkpoint.pt").is_file()
