"""``ember train``: a small CNN on the handwritten digits that ship with ember, with checkpoints and exact resume.

Each epoch prints its training loss and test accuracy and rewrites two files in ``--output-dir``:
``checkpoint.pt`` (model, optimizer and data-order state; ``torch.load(weights_only=True)`` reads it) and
``metrics.json`` (the per-epoch history). ``--resume`` continues from a checkpoint so that the run ends
with the same weights as one that was never interrupted.
"""

import argparse
import json
import sys
import time
from pathlib import Path

from .._files import atomic_write

DEFAULTS = {"epochs": 15, "batch_size": 32, "lr": 3e-3, "seed": 0}
CHECKPOINT_NAME = "checkpoint.pt"
METRICS_NAME = "metrics.json"


def _positive(kind):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a positive {kind.__name__}, got {text!r}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"expected a positive {kind.__name__}, got {text!r}")
        return value
    return parse


def _seed(text):
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer seed, got {text!r}") from None


def add_train_arguments(parser):
    """The options of ``ember train``; unset ones come from the checkpoint when resuming, else from DEFAULTS."""
    parser.add_argument("--epochs", type=_positive(int), help=f"total epochs to train (default {DEFAULTS['epochs']})")
    parser.add_argument("--batch-size", type=_positive(int),
                        help=f"examples per training step (default {DEFAULTS['batch_size']})")
    parser.add_argument("--lr", type=_positive(float), help=f"Adam learning rate (default {DEFAULTS['lr']})")
    parser.add_argument("--seed", type=_seed,
                        help=f"seed for initial weights and data order (default {DEFAULTS['seed']})")
    parser.add_argument("--output-dir", default="ember-train", metavar="DIR",
                        help="where checkpoint.pt and metrics.json go (default ./ember-train)")
    parser.add_argument("--resume", metavar="PATH", help="continue from a checkpoint.pt written by an earlier run")


def build_model():
    """The CNN: two 3x3 convolutions with max pooling (8x8 -> 4x4 -> 2x2), then two linear layers."""
    from ember import nn

    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 2 * 2, 64), nn.ReLU(), nn.Linear(64, 10),
    )


def evaluate(model, images, labels):
    """Mean cross-entropy and accuracy of ``model`` on a labelled set, without recording a graph."""
    import ember
    import ember.nn.functional as F

    model.eval()
    with ember.no_grad():
        logits = model(images)
        loss = F.cross_entropy(logits, labels).item()
        accuracy = (logits.argmax(1) == labels).float().mean().item()
    return loss, accuracy


def _settings(args, checkpoint):
    """The run's settings: options given now, else the resumed run's, else the defaults."""
    earlier = checkpoint["settings"] if checkpoint is not None else {}
    return {name: getattr(args, name) if getattr(args, name) is not None else earlier.get(name, default)
            for name, default in DEFAULTS.items()}


def _load_checkpoint(path):
    import ember

    path = Path(path)
    if not path.is_file():
        raise SystemExit(f"ember train: error: --resume: no such checkpoint file: {path}")
    checkpoint = ember.load(path)
    expected = {"epoch", "model", "optimizer", "generator", "settings", "history"}
    if not isinstance(checkpoint, dict) or not expected <= set(checkpoint):
        found = sorted(checkpoint) if isinstance(checkpoint, dict) else type(checkpoint).__name__
        raise SystemExit(f"ember train: error: --resume: {path} is not a checkpoint of ember train "
                         f"(expected the keys {sorted(expected)}, found {found})")
    return checkpoint


def _write_json_atomically(path, value):
    """Write ``value`` as JSON so that ``path`` holds either the old file or the whole new one."""
    atomic_write(path, lambda stream: json.dump(value, stream, indent=1), text=True)


def run_training(args, out=None, progress=None):
    """Train (or resume) as ``args`` say; prints one line per epoch (to ``out``, default stdout) and returns 0.

    The progress bar goes to ``progress`` (default stderr) and is drawn only on a terminal.
    """
    out = sys.stdout if out is None else out
    progress = sys.stderr if progress is None else progress
    import ember
    import ember.nn.functional as F
    from ember.utils.data import DataLoader, TensorDataset

    from ..utils.progress import ProgressBar
    from .digits import digits_split

    checkpoint = _load_checkpoint(args.resume) if args.resume else None
    settings = _settings(args, checkpoint)
    output_dir = Path(args.output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)

    ember.manual_seed(settings["seed"])
    model = build_model()
    optimizer = ember.optim.Adam(model.parameters(), lr=settings["lr"])
    order = ember.Generator().manual_seed(settings["seed"])
    first_epoch, history = 0, []
    if checkpoint is not None:
        model.load_state_dict(checkpoint["model"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        order.set_state(checkpoint["generator"])
        first_epoch, history = int(checkpoint["epoch"]), list(checkpoint["history"])
        print(f"resuming from {args.resume} after epoch {first_epoch}", file=out)

    train_images, train_labels, test_images, test_labels = digits_split()
    loader = DataLoader(TensorDataset(train_images, train_labels), batch_size=settings["batch_size"],
                        shuffle=True, generator=order)
    print(f"training on {len(train_labels)} digits, testing on {len(test_labels)}; "
          f"{sum(p.numel() for p in model.parameters())} parameters", file=out)
    for epoch in range(first_epoch, settings["epochs"]):
        started = time.perf_counter()
        model.train()
        bar = ProgressBar(len(loader), f"epoch {epoch + 1}/{settings['epochs']}", stream=progress)
        total, seen = 0.0, 0
        for images, labels in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(images), labels)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(labels)
            seen += len(labels)
            bar.advance(loss=loss.item())
        bar.close()
        test_loss, test_accuracy = evaluate(model, test_images, test_labels)
        record = {"epoch": epoch + 1, "train_loss": total / seen, "test_loss": test_loss,
                  "test_accuracy": test_accuracy, "seconds": time.perf_counter() - started}
        history.append(record)
        print(f"epoch {epoch + 1:>3}/{settings['epochs']}  train loss {record['train_loss']:.4f}  "
              f"test loss {test_loss:.4f}  test accuracy {100 * test_accuracy:.2f}%  ({record['seconds']:.1f}s)",
              file=out)
        ember.save({"epoch": epoch + 1, "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                    "generator": order.get_state(), "settings": settings, "history": history},
                   output_dir / CHECKPOINT_NAME)
        _write_json_atomically(output_dir / METRICS_NAME, {"settings": settings, "history": history})
    if first_epoch >= settings["epochs"]:
        print(f"nothing to do: the checkpoint has already trained {first_epoch} of {settings['epochs']} epochs",
              file=out)
    elif history:
        print(f"final test accuracy {100 * history[-1]['test_accuracy']:.2f}%; checkpoint: "
              f"{output_dir / CHECKPOINT_NAME}", file=out)
    return 0
