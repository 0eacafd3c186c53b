"""The ``ember`` command: ``ember`` shows a short tour of tensors and autograd, ``ember train`` trains a CNN.

>>> from ember.cli import main
>>> main(["--help"])  # doctest: +SKIP
"""

import argparse
import sys


def build_parser():
    """The argument parser of the ``ember`` command and its subcommands."""
    from .train import add_train_arguments

    parser = argparse.ArgumentParser(
        prog="ember",
        description="ember: PyTorch's API on NumPy. With no command, a short tour of tensors and autograd.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    train = commands.add_parser(
        "train", help="train a small CNN on the UCI handwritten digits that ship with ember",
        description="Train a small CNN on the UCI 8x8 handwritten digits (1,797 images, shipped with ember), "
                    "printing per-epoch loss and accuracy and saving a checkpoint torch.load can read.")
    add_train_arguments(train)
    return parser


def main(argv=None):
    """Run the ``ember`` command with ``argv`` (default: the process's arguments); returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    if args.command == "train":
        from .train import run_training
        return run_training(args)
    from .demo import demo
    print(demo())
    return 0
