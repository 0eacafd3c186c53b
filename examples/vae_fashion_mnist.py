"""Variational autoencoder: a convolutional VAE that learns to draw Fashion-MNIST clothes from 16 numbers.

The data are the real Fashion-MNIST idx files (60,000 training and 10,000 test 28x28 grey images), read by
``ember.vision.datasets.FashionMNIST``. Offline they come from Debian's ``dataset-fashion-mnist`` package
(``/usr/share/datasets/fashion-mnist``), decompressed into ``<root>/FashionMNIST/raw/`` as torchvision's
``download=True`` would leave them. Pixels are scaled to [0, 1] and read as Bernoulli probabilities.

The model (Kingma & Welling, *Auto-Encoding Variational Bayes*):

- encoder q(z|x): two strided 4x4 convolutions (32 and 64 channels, 28 -> 14 -> 7), a 256-unit layer, and two
  linear heads giving the mean ``mu`` and the log-variance ``logvar`` of a diagonal Gaussian over 16 latents;
- the reparameterisation trick: ``z = mu + eps * exp(0.5 * logvar)`` with ``eps = torch.randn_like(mu)``, so the
  sample is a differentiable function of the encoder's outputs;
- decoder p(x|z): the mirror image, two 4x4 transposed convolutions back to 28x28 logits of Bernoulli pixels;
- loss: the negative evidence lower bound per image, the reconstruction term (binary cross-entropy of the logits
  against the pixels, summed over the 784 pixels) plus the closed-form KL divergence of q(z|x) from the prior
  N(0, I): ``-0.5 * sum(1 + logvar - mu^2 - exp(logvar))``.

Training: Adam (lr 1e-3), batches of 128, 5 epochs over the 60,000 training images (about 4 minutes on 2 idle
cores; more epochs keep improving the bound slowly). After every epoch the program reports, on the 10,000 test
images, the reconstruction term, the KL term and their sum (the negative ELBO, an upper bound on -log p(x), in
nats per image; one posterior sample per image). At the end it counts the active latents (those whose posterior
mean varies over the test set, variance > 0.01) and saves three grids with ``ember.vision.utils.save_image``:

- ``reconstructions.png``: the first test image of each class (top row) above its reconstruction (bottom row);
- ``samples.png``: 64 images decoded from z drawn from the prior N(0, I);
- ``interpolation.png``: 8 rows, each walking in 10 steps through latent space (between posterior means) from
  one test image to another of a different class.

    python examples/vae_fashion_mnist.py                          # the full run
    python examples/vae_fashion_mnist.py --quick                  # seconds on a subset, for CI
    python examples/vae_fashion_mnist.py --output-dir runs/vae    # where the grids and metrics.json go

The figures are printed and written to ``<output-dir>/metrics.json`` (atomically).
"""

import argparse
import gzip
import json
import os
import shutil
import sys
import tempfile
import time

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember._files import atomic_write
from ember.utils.data import DataLoader, TensorDataset
from ember.utils.progress import ProgressBar
from ember.vision.datasets import FashionMNIST
from ember.vision.utils import save_image

DEBIAN_DIR = "/usr/share/datasets/fashion-mnist"


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
    """The images of one split as a float tensor (N, 1, 28, 28) in [0, 1], and their labels."""
    split = FashionMNIST(root, train=train)
    return split.data.unsqueeze(1).float() / 255.0, split.targets


# ----------------------------------------------------------------------------- the model

class VAE(nn.Module):
    """Convolutional encoder to (mu, logvar) of q(z|x), a reparameterised sample, a decoder to pixel logits."""

    def __init__(self, latent_dim=16, width=32, hidden=256):
        super().__init__()
        features = 2 * width * 7 * 7
        self.encoder = nn.Sequential(
            nn.Conv2d(1, width, 4, stride=2, padding=1), nn.ReLU(),                 # 28 -> 14
            nn.Conv2d(width, 2 * width, 4, stride=2, padding=1), nn.ReLU(),         # 14 -> 7
            nn.Flatten(), nn.Linear(features, hidden), nn.ReLU())
        self.to_mu = nn.Linear(hidden, latent_dim)
        self.to_logvar = nn.Linear(hidden, latent_dim)
        self.decoder = nn.Sequential(
            nn.Linear(latent_dim, hidden), nn.ReLU(), nn.Linear(hidden, features), nn.ReLU(),
            nn.Unflatten(1, (2 * width, 7, 7)),
            nn.ConvTranspose2d(2 * width, width, 4, stride=2, padding=1), nn.ReLU(),  # 7 -> 14
            nn.ConvTranspose2d(width, 1, 4, stride=2, padding=1))                     # 14 -> 28: logits

    def encode(self, x):
        h = self.encoder(x)
        return self.to_mu(h), self.to_logvar(h)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        return self.decoder(z)

    def forward(self, x):
        mu, logvar = self.encode(x)
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


def loss_terms(logits, x, mu, logvar):
    """The reconstruction term (Bernoulli negative log-likelihood) and the KL term, each summed over the batch."""
    reconstruction = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
    kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return reconstruction, kl


# ----------------------------------------------------------------------------- training and evaluation

def train_epoch(model, loader, optimizer, label, stream):
    """One pass over ``loader``; returns the mean reconstruction and KL terms per training image."""
    model.train()
    bar = ProgressBar(len(loader), label, stream=stream)
    totals, seen = [0.0, 0.0], 0
    for x, _ in loader:
        logits, mu, logvar = model(x)
        reconstruction, kl = loss_terms(logits, x, mu, logvar)
        loss = (reconstruction + kl) / len(x)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        totals[0] += reconstruction.item()
        totals[1] += kl.item()
        seen += len(x)
        bar.advance(loss=(totals[0] + totals[1]) / seen)
    bar.close()
    return totals[0] / seen, totals[1] / seen


def evaluate(model, loader):
    """Mean reconstruction and KL terms per test image (one posterior sample each), and the posterior means."""
    model.eval()
    totals, seen, means = [0.0, 0.0], 0, []
    with torch.no_grad():
        for x, _ in loader:
            logits, mu, logvar = model(x)
            reconstruction, kl = loss_terms(logits, x, mu, logvar)
            totals[0] += reconstruction.item()
            totals[1] += kl.item()
            seen += len(x)
            means.append(mu)
    return totals[0] / seen, totals[1] / seen, torch.cat(means)


def active_units(means, threshold=0.01):
    """Latents whose posterior mean varies over the data (variance above ``threshold``): the ones in use."""
    return int((means.var(dim=0) > threshold).sum().item())


# ----------------------------------------------------------------------------- the grids

def first_of_each_class(labels, classes=10):
    """The index of the first image of every class, in class order."""
    return [int((labels == c).nonzero()[0].item()) for c in range(classes)]


def save_grids(model, images, labels, output_dir, latent_dim):
    """Reconstructions, prior samples and latent interpolations as PNG grids; returns their paths and pixel sizes."""
    model.eval()
    paths = {name: os.path.join(output_dir, f"{name}.png") for name in ("reconstructions", "samples",
                                                                           "interpolation")}
    with torch.no_grad():
        picked = images[first_of_each_class(labels)]
        logits, _, _ = model(picked)
        save_image(torch.cat([picked, torch.sigmoid(logits)]), paths["reconstructions"], nrow=len(picked))

        z = torch.randn(64, latent_dim)
        save_image(torch.sigmoid(model.decode(z)), paths["samples"], nrow=8)

        order = first_of_each_class(labels)
        mu_start, _ = model.encode(images[order[:8]])        # classes 0-7 walk to classes 2-9
        mu_end, _ = model.encode(images[order[2:]])
        steps = torch.linspace(0, 1, 10).view(1, 10, 1)
        path = mu_start.unsqueeze(1) * (1 - steps) + mu_end.unsqueeze(1) * steps       # (8, 10, latent)
        decoded = torch.sigmoid(model.decode(path.reshape(80, latent_dim)))
        save_image(decoded, paths["interpolation"], nrow=10)
    return paths


def write_metrics(path, metrics):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    atomic_write(path, lambda stream: json.dump(metrics, stream, indent=1), text=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=DEBIAN_DIR, help="folder holding the four Fashion-MNIST .gz files")
    parser.add_argument("--root", default=None,
                        help="dataset root to lay out and decompress into (default: a temporary folder)")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--latent-dim", type=int, default=16)
    parser.add_argument("--width", type=int, default=32, help="channels of the first convolution (then twice)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output-dir", default="vae_output", help="where the grids and metrics.json are written")
    parser.add_argument("--quick", action="store_true", help="seconds on a subset (for CI)")
    args = parser.parse_args(argv)
    if args.quick:
        args.epochs = 3
    started, cpu_started = time.perf_counter(), time.process_time()
    torch.manual_seed(args.seed)
    os.makedirs(args.output_dir, exist_ok=True)

    with tempfile.TemporaryDirectory() as scratch:
        root = dataset_root(args.data_dir, args.root or scratch)
        train_images, train_labels = load_split(root, train=True)
        test_images, test_labels = load_split(root, train=False)
    if args.quick:
        train_images, train_labels = train_images[:2000], train_labels[:2000]
        test_images, test_labels = test_images[:500], test_labels[:500]
    print(f"Fashion-MNIST: {len(train_images)} training and {len(test_images)} test images", flush=True)
    train_loader = DataLoader(TensorDataset(train_images, train_labels), batch_size=args.batch_size, shuffle=True,
                              generator=torch.Generator().manual_seed(args.seed))
    test_loader = DataLoader(TensorDataset(test_images, test_labels), batch_size=500)

    model = VAE(args.latent_dim, args.width)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    history = []
    for epoch in range(1, args.epochs + 1):
        epoch_started = time.perf_counter()
        train_reconstruction, train_kl = train_epoch(model, train_loader, optimizer, f"epoch {epoch}/{args.epochs}",
                                                     sys.stderr)
        reconstruction, kl, _ = evaluate(model, test_loader)
        history.append({"epoch": epoch, "train_loss": train_reconstruction + train_kl,
                        "test_reconstruction": reconstruction, "test_kl": kl, "test_loss": reconstruction + kl,
                        "seconds": time.perf_counter() - epoch_started})
        print(f"epoch {epoch}: training loss {train_reconstruction + train_kl:.2f}, test negative ELBO "
              f"{reconstruction + kl:.2f} = reconstruction {reconstruction:.2f} + KL {kl:.2f} nats per image "
              f"({history[-1]['seconds']:.0f} s)", flush=True)

    _, _, means = evaluate(model, test_loader)
    active = active_units(means)
    paths = save_grids(model, test_images, test_labels, args.output_dir, args.latent_dim)
    seconds = time.perf_counter() - started
    final = history[-1]
    print(f"test negative ELBO {final['test_loss']:.2f} nats per image (reconstruction "
          f"{final['test_reconstruction']:.2f}, KL {final['test_kl']:.2f}); {active} of {args.latent_dim} latents "
          f"active; {seconds:.0f} s")
    for name, path in paths.items():
        print(f"{name}: {path}")
    metrics = {"test_loss": final["test_loss"], "test_reconstruction": final["test_reconstruction"],
               "test_kl": final["test_kl"], "active_units": active, "history": history, "grids": paths,
               "parameters": sum(p.numel() for p in model.parameters()),
               "sizes": {"train": len(train_images), "test": len(test_images)},
               "settings": {name: value for name, value in vars(args).items() if name != "output_dir"},
               "seconds": seconds, "cpu_seconds": time.process_time() - cpu_started}
    write_metrics(os.path.join(args.output_dir, "metrics.json"), metrics)
    return metrics


if __name__ == "__main__":
    main()
