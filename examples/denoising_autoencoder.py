"""Denoising autoencoder: a small convolutional network that cleans Gaussian and salt-and-pepper noise off clothes.

The data are the real Fashion-MNIST idx files (60,000 training and 10,000 test 28x28 grey images), read by
``ember.vision.datasets.FashionMNIST``. Offline they come from Debian's ``dataset-fashion-mnist`` package
(``/usr/share/datasets/fashion-mnist``), decompressed into ``<root>/FashionMNIST/raw/`` as torchvision's
``download=True`` would leave them. Pixels are scaled to [0, 1].

Noise is applied by transforms, written as torchvision's are (callables with a readable repr) and applied to
whole batches, each image drawing its own noise:

- ``GaussianNoise(mean=0.0, sigma=0.3, clip=True)`` from ``ember.vision.transforms`` (torchvision v2's);
- ``SaltAndPepperNoise(amount=0.2)``, defined below: a fraction ``amount`` of the pixels is set to 0 or 1.

Every training batch mixes both kinds (each image gets one of them at random); the network learns to map the
noisy image back to the clean one. It is a plain convolutional autoencoder: two stride-2 3x3 convolutions
(28 -> 14 -> 7, 32 and 64 channels) encode, two stride-2 3x3 transposed convolutions decode back to 28x28, and
a sigmoid keeps the output in [0, 1]. Loss: mean squared error against the clean image (``--loss bce`` for binary
cross-entropy); optimiser: Adam with a cosine-decayed learning rate, batches of 128, 8 epochs.

The figure of merit is the peak signal-to-noise ratio, PSNR = 10 log10(1 / MSE) in dB per image, averaged over the
10,000 test images: of the noisy images and of the denoised ones, for each noise kind (the test noise is drawn
from a fixed seed). The denoised images should gain at least 6 dB. For each noise kind a grid is saved with
``ember.vision.utils.save_image``: a row of clean test images, the same images noisy, and denoised.

    python examples/denoising_autoencoder.py                          # the full run (about 4 minutes on 2 cores)
    python examples/denoising_autoencoder.py --quick                  # seconds on a subset, for CI
    python examples/denoising_autoencoder.py --output-dir runs/dae    # where the grids and metrics.json go

The figures are printed and written to ``<output-dir>/metrics.json`` (atomically).
"""

import argparse
import gzip
import json
import math
import os
import shutil
import sys
import tempfile
import time

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember._files import atomic_write
from ember.utils.progress import ProgressBar
from ember.vision import transforms as T
from ember.vision.datasets import FashionMNIST
from ember.vision.utils import save_image

DEBIAN_DIR = "/usr/share/datasets/fashion-mnist"
GRID_COLUMNS = 8


# ----------------------------------------------------------------------------- data

def dataset_root(data_dir, root):
    """A torchvision-style root: the ``.gz`` files of ``data_dir`` decompressed into ``root/FashionMNIST/raw/``."""
    raw = os.path.join(root, "FashionMNIST", "raw")
    os.makedirs(raw, exist_ok=True)
    for name, _ in FashionMNIST.resources:
        source, target = os.path.join(data_dir, name), os.path.join(raw, name[:-len(".gz")])
        if os.path.exists(target):
            continue
        if not os.path.exists(source):
            raise SystemExit(f"{source} is missing: install Debian's dataset-fashion-mnist or pass --data-dir")
        partial = target + ".part"
        with gzip.open(source, "rb") as packed, open(partial, "wb") as unpacked:
            shutil.copyfileobj(packed, unpacked)
        os.replace(partial, target)
    return root


def load_split(root, train):
    """The images of one split as a float tensor (N, 1, 28, 28) with values in [0, 1]."""
    return FashionMNIST(root, train=train).data.unsqueeze(1).float() / 255.0


# ----------------------------------------------------------------------------- noise transforms

class SaltAndPepperNoise:
    """Set a fraction ``amount`` of the pixels to white (salt) or black (pepper), each image independently.

    ``salt_vs_pepper`` is the share of the corrupted pixels that turn white. Works on float images in [0, 1]
    (salt is 1.0) and uint8 images (salt is 255), of shape (..., C, H, W); draws from ember's generator.
    """

    def __init__(self, amount=0.05, salt_vs_pepper=0.5):
        if not 0.0 <= amount <= 1.0:
            raise ValueError(f"amount should be in [0, 1]. Got {amount}")
        if not 0.0 <= salt_vs_pepper <= 1.0:
            raise ValueError(f"salt_vs_pepper should be in [0, 1]. Got {salt_vs_pepper}")
        self.amount = amount
        self.salt_vs_pepper = salt_vs_pepper

    def __call__(self, img):
        if not isinstance(img, torch.Tensor):
            raise TypeError(f"img should be a Tensor image. Got {type(img)}")
        corrupted = torch.rand(img.shape) < self.amount
        salt = torch.rand(img.shape) < self.salt_vs_pepper
        white = 1.0 if img.is_floating_point() else 255
        noisy = img.masked_fill(corrupted & salt, white)
        return noisy.masked_fill(corrupted & ~salt, 0)

    def __repr__(self):
        return f"{self.__class__.__name__}(amount={self.amount}, salt_vs_pepper={self.salt_vs_pepper})"


class RandomNoisePerImage:
    """Apply one of ``transforms`` to each image of a batch (N, C, H, W), chosen uniformly at random per image."""

    def __init__(self, transforms):
        self.transforms = list(transforms)

    def __call__(self, batch):
        choice = torch.randint(len(self.transforms), (batch.shape[0], 1, 1, 1))
        out = batch
        for k, transform in enumerate(self.transforms):
            out = torch.where(choice == k, transform(batch), out)
        return out

    def __repr__(self):
        inner = "".join(f"\n    {t}" for t in self.transforms)
        return f"{self.__class__.__name__}({inner}\n)"


def noise_kinds(sigma, amount):
    """The two test conditions, by name: Gaussian and salt-and-pepper noise."""
    return {"gaussian": T.GaussianNoise(mean=0.0, sigma=sigma, clip=True),
            "salt_and_pepper": SaltAndPepperNoise(amount=amount)}


# ----------------------------------------------------------------------------- the network

class DenoisingAutoencoder(nn.Module):
    """Two stride-2 convolutions down to 7x7, two stride-2 transposed convolutions back up, a sigmoid on top."""

    def __init__(self, width=32):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, width, 3, stride=2, padding=1), nn.ReLU(inplace=True),               # 28 -> 14
            nn.Conv2d(width, 2 * width, 3, stride=2, padding=1), nn.ReLU(inplace=True))       # 14 -> 7
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(2 * width, width, 3, stride=2, padding=1, output_padding=1),  # 7 -> 14
            nn.ReLU(inplace=True),
            nn.ConvTranspose2d(width, 1, 3, stride=2, padding=1, output_padding=1),          # 14 -> 28
            nn.Sigmoid())

    def forward(self, x):
        return self.decoder(self.encoder(x))


def reconstruction_loss(kind):
    if kind == "mse":
        return F.mse_loss
    if kind == "bce":
        return F.binary_cross_entropy
    raise ValueError(f"loss should be 'mse' or 'bce', got {kind!r}")


def train(model, images, noise, epochs, batch_size, lr, loss_kind, stream=sys.stderr):
    """Adam with a cosine learning-rate decay on (noisy, clean) batches; the mean loss of each epoch."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    steps_per_epoch = math.ceil(len(images) / batch_size)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs * steps_per_epoch)
    loss_fn = reconstruction_loss(loss_kind)
    history = []
    for epoch in range(1, epochs + 1):
        model.train()
        bar = ProgressBar(steps_per_epoch, f"epoch {epoch}/{epochs}", stream=stream)
        total, seen, started = 0.0, 0, time.perf_counter()
        for index in torch.randperm(len(images)).split(batch_size):
            clean = images[index]
            optimizer.zero_grad()
            loss = loss_fn(model(noise(clean)), clean)
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item() * len(index)
            seen += len(index)
            bar.advance(loss=total / seen)
        bar.close()
        history.append(total / seen)
        print(f"epoch {epoch}: training loss {total / seen:.5f} ({time.perf_counter() - started:.0f} s)", flush=True)
    return history


# ----------------------------------------------------------------------------- evaluation

def psnr(images, reference):
    """Peak signal-to-noise ratio in dB of each image against its reference (values in [0, 1])."""
    mse = (images - reference).pow(2).flatten(1).mean(1)
    return 10.0 * torch.log10(1.0 / mse.clamp_min(1e-10))


def denoise(model, images, batch_size=500):
    model.eval()
    with torch.no_grad():
        return torch.cat([model(batch) for batch in images.split(batch_size)])


def evaluate(model, images, noise, seed):
    """Mean PSNR (dB) of noisy and denoised images, with test noise drawn from ``seed``; and the three images sets."""
    torch.manual_seed(seed)
    noisy = noise(images)
    denoised = denoise(model, noisy)
    noisy_db, denoised_db = psnr(noisy, images).mean().item(), psnr(denoised, images).mean().item()
    return {"noisy_psnr_db": round(noisy_db, 3), "denoised_psnr_db": round(denoised_db, 3),
            "gain_db": round(denoised_db - noisy_db, 3)}, noisy, denoised


def save_grid(path, clean, noisy, denoised, columns=GRID_COLUMNS):
    """Three rows of ``columns`` images: clean, noisy, denoised."""
    rows = torch.cat([clean[:columns], noisy[:columns], denoised[:columns]])
    save_image(rows, path, nrow=columns, padding=2, pad_value=1.0)


def write_metrics(path, metrics):
    atomic_write(path, lambda stream: json.dump(metrics, stream, indent=1), text=True)


# ----------------------------------------------------------------------------- main

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=DEBIAN_DIR, help="folder holding the four Fashion-MNIST .gz files")
    parser.add_argument("--root", default=None,
                        help="dataset root to lay out and decompress into (default: a temporary folder)")
    parser.add_argument("--output-dir", default="denoising_autoencoder_output",
                        help="where the grids and metrics.json are written")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=2e-3, help="Adam's initial learning rate (cosine decay to 0)")
    parser.add_argument("--width", type=int, default=32, help="channels of the first convolution")
    parser.add_argument("--sigma", type=float, default=0.3, help="standard deviation of the Gaussian noise")
    parser.add_argument("--amount", type=float, default=0.2, help="fraction of pixels hit by salt-and-pepper noise")
    parser.add_argument("--loss", choices=["mse", "bce"], default="mse")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="seconds on a subset (for CI)")
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    with tempfile.TemporaryDirectory() as scratch:
        root = dataset_root(args.data_dir, args.root or scratch)
        train_images, test_images = load_split(root, train=True), load_split(root, train=False)
    epochs = args.epochs
    if args.quick:
        train_images, test_images, epochs = train_images[:2000], test_images[:500], 2
    print(f"Fashion-MNIST: {len(train_images)} training and {len(test_images)} test images", flush=True)

    kinds = noise_kinds(args.sigma, args.amount)
    training_noise = RandomNoisePerImage(kinds.values())
    print(f"training noise: {training_noise}", flush=True)
    model = DenoisingAutoencoder(args.width)
    started = time.perf_counter()
    history = train(model, train_images, training_noise, epochs, args.batch_size, args.lr, args.loss)
    training_seconds = time.perf_counter() - started

    os.makedirs(args.output_dir, exist_ok=True)
    results, grids = {}, {}
    for offset, (name, noise) in enumerate(kinds.items()):
        figures, noisy, denoised = evaluate(model, test_images, noise, seed=args.seed + 1000 + offset)
        grids[name] = os.path.join(args.output_dir, f"{name}.png")
        save_grid(grids[name], test_images, noisy, denoised)
        results[name] = dict(figures, transform=repr(noise), grid=grids[name])
        print(f"{name}: PSNR noisy {figures['noisy_psnr_db']:.2f} dB -> denoised {figures['denoised_psnr_db']:.2f} dB "
              f"(gain {figures['gain_db']:+.2f} dB); grid {grids[name]}", flush=True)
    metrics = {"noise": results, "train_loss": [round(v, 6) for v in history],
               "training_seconds": round(training_seconds, 1),
               "images": {"train": len(train_images), "test": len(test_images)},
               "settings": {"epochs": epochs, "batch_size": args.batch_size, "lr": args.lr, "width": args.width,
                            "sigma": args.sigma, "amount": args.amount, "loss": args.loss, "seed": args.seed,
                            "quick": args.quick}}
    write_metrics(os.path.join(args.output_dir, "metrics.json"), metrics)
    print(f"trained in {training_seconds:.0f} s; metrics in {os.path.join(args.output_dir, 'metrics.json')}")
    return metrics


if __name__ == "__main__":
    main()
