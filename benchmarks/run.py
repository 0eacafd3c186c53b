"""The benchmark suite of DESIGN.md section 4: ember against PyTorch, in one process.

Each workload runs for both libraries, interleaved (warm-up, then the median of several
repetitions), and the table gives each figure and the ratio, oriented so that above 1
means ember is faster. PyTorch runs with 2 threads, as on the reference machine.

    python benchmarks/run.py            # every workload
    python benchmarks/run.py W1 W2      # some of them
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WORKLOADS = {}


def workload(key, title, unit, higher_is_better, repeats=7):
    """Register ``fn(lib) -> measure_once`` under ``key``; ``measure_once()`` runs the workload once.

    It returns the run's figure. ``main`` warms each library's measurement up once, then
    alternates ember and PyTorch ``repeats`` times and reports the medians, so both see the
    same machine conditions.
    """
    def register(fn):
        WORKLOADS.setdefault(key, []).append((title, unit, higher_is_better, repeats, fn))
        return fn
    return register


def seconds_of(fn):
    """Wall time of one call of ``fn()``."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


@workload("W1", "a + b, 1-element tensors", "us/op", higher_is_better=False)
def w1_single_op(lib):
    a, b = lib.ones(1), lib.ones(1)
    n = 10_000

    def loop():
        for _ in range(n):
            a + b
    return lambda: seconds_of(loop) / n * 1e6


@workload("W1", "((a*b)+c).sum().backward(), 1-element", "us/iter", higher_is_better=False)
def w1_autograd(lib):
    a, b, c = (lib.ones(1, requires_grad=True) for _ in range(3))
    n = 2_000

    def loop():
        for _ in range(n):
            ((a * b) + c).sum().backward()
    return lambda: seconds_of(loop) / n * 1e6


@workload("W2", "1024x1024 @ 1024x1024 matmul", "GFLOP/s", higher_is_better=True, repeats=15)
def w2_matmul(lib):
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((1024, 1024)).astype(np.float32))
    y = lib.tensor(rng.standard_normal((1024, 1024)).astype(np.float32))
    return lambda: 2 * 1024 ** 3 / seconds_of(lambda: x @ y) / 1e9


def _training_steps_per_second(lib, model, optimizer, batch, steps):
    """A measurement of training steps per second: forward, cross-entropy, backward, optimizer step."""
    images, labels = (lib.from_numpy(array) for array in batch)
    loss_fn = lib.nn.CrossEntropyLoss()

    def train():
        for _ in range(steps):
            optimizer.zero_grad()
            loss_fn(model(images), labels).backward()
            optimizer.step()
    return lambda: steps / seconds_of(train)


def _batch(shape, classes=10):
    rng = np.random.default_rng(0)
    return rng.standard_normal(shape).astype(np.float32), rng.integers(0, classes, shape[0]).astype(np.int64)


@workload("W3", "MLP 784-256-128-10, SGD momentum, batch 128", "steps/s", higher_is_better=True, repeats=15)
def w3_mlp(lib):
    nn = lib.nn
    lib.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    optimizer = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return _training_steps_per_second(lib, model, optimizer, _batch((128, 784)), steps=50)


@workload("W4", "CNN 2 conv + 2 linear on 1x28x28, Adam, batch 64", "steps/s", higher_is_better=True, repeats=9)
def w4_cnn(lib):
    nn = lib.nn
    lib.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))
    optimizer = lib.optim.Adam(model.parameters(), lr=1e-3)
    return _training_steps_per_second(lib, model, optimizer, _batch((64, 1, 28, 28)), steps=5)


def _resnet18_cifar(nn):
    """ResNet-18 for 32x32 images: a 3x3 stem conv to 64 channels, no max pool, BasicBlocks [2, 2, 2, 2]."""

    class BasicBlock(nn.Module):
        def __init__(self, inputs, outputs, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(inputs, outputs, 3, stride=stride, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(outputs)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(outputs, outputs, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(outputs)
            self.shortcut = nn.Sequential()
            if stride != 1 or inputs != outputs:
                self.shortcut = nn.Sequential(nn.Conv2d(inputs, outputs, 1, stride=stride, bias=False),
                                              nn.BatchNorm2d(outputs))

        def forward(self, x):
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            return self.relu(out + self.shortcut(x))

    layers = [nn.Conv2d(3, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True)]
    inputs = 64
    for outputs, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
        layers += [BasicBlock(inputs, outputs, stride), BasicBlock(outputs, outputs, 1)]
        inputs = outputs
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 10)]
    return nn.Sequential(*layers)


W5_BATCH = 32


@workload("W5", "ResNet-18 CIFAR training, SGD, batch 32", "img/s", higher_is_better=True, repeats=5)
def w5_resnet_training(lib):
    lib.manual_seed(0)
    model = _resnet18_cifar(lib.nn)
    optimizer = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    steps = 2
    steps_per_second = _training_steps_per_second(lib, model, optimizer, _batch((W5_BATCH, 3, 32, 32)), steps)
    return lambda: steps_per_second() * W5_BATCH


@workload("W5", "ResNet-18 CIFAR eval, batch 32", "img/s", higher_is_better=True, repeats=5)
def w5_resnet_eval(lib):
    lib.manual_seed(0)
    model = _resnet18_cifar(lib.nn).eval()
    images = lib.from_numpy(_batch((W5_BATCH, 3, 32, 32))[0])
    steps = 3

    def infer():
        with lib.no_grad():
            for _ in range(steps):
                model(images)
    return lambda: steps * W5_BATCH / seconds_of(infer)


W6_VOCAB, W6_SEQ, W6_BATCH = 10_000, 64, 32


def _lstm_language_model(nn):
    """Embedding 10,000x256, a 2-layer LSTM of hidden size 256, a linear decoder to the vocabulary."""

    class LanguageModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(W6_VOCAB, 256)
            self.lstm = nn.LSTM(256, 256, num_layers=2)
            self.decoder = nn.Linear(256, W6_VOCAB)

        def forward(self, tokens):
            output, _ = self.lstm(self.embedding(tokens))
            return self.decoder(output).reshape(-1, W6_VOCAB)

    return LanguageModel()


@workload("W6", "LSTM LM 2x256, vocab 10k, seq 64x32, Adam", "tokens/s", higher_is_better=True, repeats=5)
def w6_lstm_language_model(lib):
    lib.manual_seed(0)
    model = _lstm_language_model(lib.nn)
    optimizer = lib.optim.Adam(model.parameters(), lr=1e-3)
    tokens = np.random.default_rng(0).integers(0, W6_VOCAB, (W6_SEQ + 1, W6_BATCH)).astype(np.int64)
    batch = (np.ascontiguousarray(tokens[:-1]), np.ascontiguousarray(tokens[1:].reshape(-1)))
    steps_per_second = _training_steps_per_second(lib, model, optimizer, batch, steps=2)
    return lambda: steps_per_second() * W6_SEQ * W6_BATCH


W7_BATCH, W7_SEQ = 8, 128


@workload("W7", "Transformer encoder inference, 6x384, batch 8", "seq/s", higher_is_better=True, repeats=5)
def w7_transformer_encoder(lib):
    """6 encoder layers (d_model 384, 12 heads, FFN 1536, GELU), batch-first, eval, no grad; seq 128."""
    nn = lib.nn
    lib.manual_seed(0)
    layer = nn.TransformerEncoderLayer(384, 12, dim_feedforward=1536, activation="gelu", batch_first=True)
    model = nn.TransformerEncoder(layer, num_layers=6).eval()
    tokens = lib.from_numpy(np.random.default_rng(0).standard_normal((W7_BATCH, W7_SEQ, 384)).astype(np.float32))
    steps = 2

    def infer():
        with lib.no_grad():
            for _ in range(steps):
                model(tokens)
    return lambda: steps * W7_BATCH / seconds_of(infer)


def _import_seconds(lib):
    """Wall time of ``import <lib>`` in a fresh interpreter (the warm-up run writes the bytecode).

    Bytecode caching is switched back on (an installed package has its .pyc files), so the
    figure is what a user sees, not the cost of compiling the sources.
    """
    code = f"import time; t = time.perf_counter(); import {lib.__name__}; print(time.perf_counter() - t)"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return lambda: float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                        env=env, cwd=Path(__file__).resolve().parent.parent).stdout)


def _installed_megabytes(lib):
    """Size on disk of the package's directory."""
    root = Path(lib.__file__).parent
    return lambda: sum(f.stat().st_size for f in root.rglob("*") if f.is_file()) / 1e6


workload("W8", "import time", "s", higher_is_better=False, repeats=5)(_import_seconds)
workload("W8", "installed size (package directory)", "MB", higher_is_better=False, repeats=1)(_installed_megabytes)


# After work, OpenBLAS's and PyTorch's OpenMP threads spin-wait for a while before sleeping; a spinning
# pool steals the cores of the other library's run, so each run waits for the other's threads to settle.
SETTLE_SECONDS = 0.3


def measure(fn, libs, repeats):
    """Each library's median figure, ember and PyTorch alternating after one warm-up run each."""
    runs = {name: fn(lib) for name, lib in libs.items()}
    for run in runs.values():
        run()
    samples = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            time.sleep(SETTLE_SECONDS)
            samples[name].append(run())
    return {name: statistics.median(values) for name, values in samples.items()}


def _libraries():
    import ember
    import ember.nn
    import ember.optim
    libs = {"ember": ember}
    try:
        import torch
        torch.set_num_threads(2)
        libs["torch"] = torch
    except ImportError:
        print("PyTorch is not installed: ember's figures only", file=sys.stderr)
    return libs


def _instruction_sets(libs):
    """Which vector instructions each side's kernels use: the figures depend on it more than on anything else.

    NumPy's OpenBLAS picks its kernels from the processor unless OPENBLAS_CORETYPE names them (some
    environments pin "Haswell", AVX2); PyTorch's follow ATEN_CPU_CAPABILITY and ONEDNN_MAX_CPU_ISA. To
    compare on equal instruction sets, run e.g. ``ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 python
    benchmarks/run.py`` or ``OPENBLAS_CORETYPE=SkylakeX python benchmarks/run.py``.
    """
    blas = "OpenBLAS kernels: " + os.environ.get("OPENBLAS_CORETYPE", "chosen by OpenBLAS")
    try:
        import threadpoolctl
        cores = {pool.get("architecture") for pool in threadpoolctl.threadpool_info() if pool["user_api"] == "blas"}
        blas = "OpenBLAS kernels: " + ", ".join(sorted(str(core) for core in cores))
    except ImportError:
        pass
    line = f"NumPy {np.__version__}, {blas}"
    if "torch" in libs:
        torch = libs["torch"]
        line += (f"; PyTorch {torch.__version__}, CPU capability {torch.backends.cpu.get_cpu_capability()}, "
                 f"oneDNN ISA limit {os.environ.get('ONEDNN_MAX_CPU_ISA', 'none')}")
    return line


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workloads", nargs="*", help="workload ids such as W1 W2 (default: all)")
    args = parser.parse_args(argv)
    keys = args.workloads or list(WORKLOADS)
    unknown = [k for k in keys if k not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload(s) {unknown}; choose from {sorted(WORKLOADS)}")
    libs = _libraries()
    print(_instruction_sets(libs))
    print(f"{'id':<4} {'workload':<42} {'unit':<9} {'ember':>10} {'torch':>10} {'ratio':>7}")
    for key in keys:
        for title, unit, higher, repeats, fn in WORKLOADS[key]:
            figures = measure(fn, libs, repeats)
            ember_figure, torch_figure = figures["ember"], figures.get("torch")
            if torch_figure is None:
                ratio = ""
            else:
                ratio = f"{(ember_figure / torch_figure) if higher else (torch_figure / ember_figure):.2f}"
            torch_text = f"{torch_figure:10.2f}" if torch_figure is not None else f"{'-':>10}"
            print(f"{key:<4} {title:<42} {unit:<9} {ember_figure:10.2f} {torch_text} {ratio:>7}")
    print("ratio > 1 means ember is faster")


if __name__ == "__main__":
    main()
