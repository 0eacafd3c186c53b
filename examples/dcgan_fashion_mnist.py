"""Generative adversarial network: a DCGAN (and with ``--conditional`` a class-conditional one) on Fashion-MNIST.

The data are the real Fashion-MNIST idx files, read by ``ember.vision.datasets.FashionMNIST``; offline they come
from Debian's ``dataset-fashion-mnist`` package (``/usr/share/datasets/fashion-mnist``), decompressed into
``<root>/FashionMNIST/raw/``. Images stay 28x28 and are scaled to [-1, 1], the range of the generator's Tanh.

The networks follow Radford et al., *Unsupervised Representation Learning with Deep Convolutional GANs*, and
PyTorch's DCGAN tutorial, sized for 28x28:

- generator: noise z (N, 100, 1, 1) -> ConvTranspose2d 7x7 to (128, 7, 7) -> ConvTranspose2d 4x4 stride 2 to
  (64, 14, 14) -> ConvTranspose2d 4x4 stride 2 to (1, 28, 28), with BatchNorm2d and ReLU between, Tanh at the end;
- discriminator: Conv2d 4x4 stride 2 to (32, 14, 14) with LeakyReLU(0.2) -> Conv2d 4x4 stride 2 to (64, 7, 7) with
  BatchNorm2d and LeakyReLU(0.2) -> Conv2d 7x7 to one logit per image;
- the usual initialisation: convolution weights N(0, 0.02), batch-norm weights N(1, 0.02) and biases 0;
- BCEWithLogitsLoss, Adam (lr 2e-4, betas (0.5, 0.999)) for each network, batches of 64; the discriminator steps
  on a real and a fake batch, then the generator on the non-saturating loss -log D(G(z)).

``--conditional`` gives both networks the class: the generator's noise is concatenated with a learned
10-number embedding of the label, and the discriminator gets a learned 28x28 plane per label as a second input
channel. Its sample grid holds one row per class (T-shirt/top, Trouser, ..., Ankle boot; one noise per column).

Every epoch the program logs the mean discriminator and generator losses, the mean D(x) on real images and
D(G(z)) on fakes (before and after the generator's step), saves a grid of samples from the same fixed noise
(``samples_epoch_NN.png``), and scores 1,000 samples. Loss values say little about a GAN, so the scores are
figures computed offline from the data alone (no pretrained network exists here):

- Frechet distance in PCA space (FD-PCA): the Frechet distance between Gaussians fitted to the samples and to
  the training images, on the 32 principal components of the training images. Lower is better; the floor is the
  same distance for 1,000 real test images, the ceiling that of the untrained generator (epoch 0). It is FID's
  formula on far cruder features, so its values are not comparable with published FIDs.
- diversity: the mean pairwise distance between samples over that between real test images (near 0 means mode
  collapse; near 1 the spread of real data).
- classes: a 5-nearest-neighbour classifier in the same PCA space, fitted to 10,000 labelled training images
  (its accuracy on real test images is reported as its reliability), labels the samples. An unconditional GAN
  should cover all ten classes (the normalised entropy of the histogram is near 1); a conditional one's samples
  should be labelled with the class asked for.

At the end the per-step losses are drawn (with NumPy, no matplotlib) into ``loss_curves.png``: the generator's in
red, the discriminator's in blue, epochs split by grey lines.

Budget: a full run trains on 20,000 training images for 5 epochs (1,565 steps), about 4 minutes per variant on
2 idle cores, so both variants take about 8 minutes; longer runs (``--train-size 60000 --epochs 20``) give
sharper clothes.

    python examples/dcgan_fashion_mnist.py                          # unconditional DCGAN
    python examples/dcgan_fashion_mnist.py --conditional            # class-conditional DCGAN
    python examples/dcgan_fashion_mnist.py --quick                  # seconds, for CI

The grids, the loss curves and ``metrics.json`` (written atomically) go to ``--output-dir``.
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

import numpy as np

import ember as torch
import ember.nn as nn
from ember._files import atomic_write
from ember.utils.data import DataLoader, TensorDataset
from ember.utils.progress import ProgressBar
from ember.vision.datasets import FashionMNIST
from ember.vision.utils import save_image

DEBIAN_DIR = "/usr/share/datasets/fashion-mnist"
NUM_CLASSES = 10


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
    """The images of one split as a float tensor (N, 1, 28, 28) in [-1, 1], and their labels."""
    split = FashionMNIST(root, train=train)
    return split.data.unsqueeze(1).float() / 127.5 - 1.0, split.targets


# ----------------------------------------------------------------------------- the networks

class Generator(nn.Module):
    """Noise (N, nz, 1, 1), and with ``conditional`` a label per image, to images (N, 1, 28, 28) in [-1, 1]."""

    def __init__(self, nz=100, ngf=32, conditional=False, embed_dim=10):
        super().__init__()
        self.label_embedding = nn.Embedding(NUM_CLASSES, embed_dim) if conditional else None
        inputs = nz + (embed_dim if conditional else 0)
        self.main = nn.Sequential(
            nn.ConvTranspose2d(inputs, ngf * 4, 7, 1, 0, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, 1, 4, 2, 1, bias=False), nn.Tanh())                   # 7 -> 14 -> 28

    def forward(self, z, labels=None):
        if self.label_embedding is not None:
            z = torch.cat([z, self.label_embedding(labels)[:, :, None, None]], dim=1)
        return self.main(z)


class Discriminator(nn.Module):
    """Images (N, 1, 28, 28), and with ``conditional`` their labels, to one real-or-fake logit per image."""

    def __init__(self, ndf=32, conditional=False):
        super().__init__()
        self.label_plane = nn.Embedding(NUM_CLASSES, 28 * 28) if conditional else None
        inputs = 2 if conditional else 1
        self.main = nn.Sequential(
            nn.Conv2d(inputs, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),          # 28 -> 14
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2),
            nn.LeakyReLU(0.2, inplace=True),                                                      # 14 -> 7
            nn.Conv2d(ndf * 2, 1, 7, 1, 0, bias=False))                                           # 7 -> 1

    def forward(self, x, labels=None):
        if self.label_plane is not None:
            x = torch.cat([x, self.label_plane(labels).view(-1, 1, 28, 28)], dim=1)
        return self.main(x).view(-1)


def weights_init(m):
    """DCGAN's initialisation: convolutions N(0, 0.02); batch norm weights N(1, 0.02), biases 0."""
    classname = m.__class__.__name__
    if classname.find("Conv") != -1:
        nn.init.normal_(m.weight.data, 0.0, 0.02)
    elif classname.find("BatchNorm") != -1:
        nn.init.normal_(m.weight.data, 1.0, 0.02)
        nn.init.constant_(m.bias.data, 0)


# ----------------------------------------------------------------------------- offline quality figures

class SampleScorer:
    """FD-PCA, diversity and nearest-neighbour classes of generated images, from real images alone (NumPy)."""

    def __init__(self, train_images, train_labels, test_images, test_labels, components=32, neighbours=5):
        flat = train_images.reshape(len(train_images), -1).astype(np.float64)
        self.mean = flat.mean(axis=0)
        _, _, vt = np.linalg.svd(flat - self.mean, full_matrices=False)
        self.basis = vt[:components].T                                 # (784, components)
        self.train_features = self.features(train_images)
        self.train_labels = train_labels
        self.neighbours = neighbours
        self.real_mean, self.real_cov = self.train_features.mean(axis=0), np.cov(self.train_features, rowvar=False)
        test = test_images.reshape(len(test_images), -1)
        self.real_spread = mean_pairwise_distance(test)
        self.floor = self.frechet_distance(test_images)
        self.knn_accuracy = float((self.classify(test_images) == test_labels).mean())

    def features(self, images):
        return (images.reshape(len(images), -1).astype(np.float64) - self.mean) @ self.basis

    def frechet_distance(self, images):
        """FID's formula on PCA features: |mu1 - mu2|^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2))."""
        features = self.features(images)
        mean, cov = features.mean(axis=0), np.cov(features, rowvar=False)
        root = symmetric_sqrt(cov)
        cross = np.linalg.eigvalsh(root @ self.real_cov @ root).clip(min=0)
        return float(((mean - self.real_mean) ** 2).sum() + np.trace(cov) + np.trace(self.real_cov)
                     - 2 * np.sqrt(cross).sum())

    def classify(self, images):
        """The majority label of each image's nearest training images in PCA space."""
        features = self.features(images)
        distances = ((features ** 2).sum(1)[:, None] - 2 * features @ self.train_features.T
                     + (self.train_features ** 2).sum(1)[None, :])
        nearest = np.argpartition(distances, self.neighbours, axis=1)[:, :self.neighbours]
        votes = self.train_labels[nearest]
        return np.array([np.bincount(row, minlength=NUM_CLASSES).argmax() for row in votes])

    def diversity(self, images):
        return mean_pairwise_distance(images.reshape(len(images), -1)) / self.real_spread


def symmetric_sqrt(matrix):
    values, vectors = np.linalg.eigh(matrix)
    return (vectors * np.sqrt(values.clip(min=0))) @ vectors.T


def mean_pairwise_distance(flat):
    """Mean Euclidean distance between distinct rows of ``flat``."""
    flat = flat.astype(np.float64)
    squares = (flat ** 2).sum(1)
    distances = np.sqrt((squares[:, None] - 2 * flat @ flat.T + squares[None, :]).clip(min=0))
    n = len(flat)
    return float(distances.sum() / (n * (n - 1)))


def class_entropy(classes):
    """Entropy of the class histogram over log(10): 1 when the ten classes are equally frequent, 0 for one class."""
    share = np.bincount(classes, minlength=NUM_CLASSES) / len(classes)
    share = share[share > 0]
    return float(-(share * np.log(share)).sum() / math.log(NUM_CLASSES)) + 0.0     # + 0.0: no "-0.00"


def generate(netG, count, nz, conditional, batch_size=500):
    """``count`` samples as a NumPy array, with the labels asked for (equal numbers of each class) if conditional."""
    labels = torch.arange(count) % NUM_CLASSES
    chunks = []
    netG.eval()
    with torch.no_grad():
        for start in range(0, count, batch_size):
            noise = torch.randn(min(batch_size, count - start), nz, 1, 1)
            chunks.append(netG(noise, labels[start:start + len(noise)] if conditional else None).numpy())
    netG.train()
    return np.concatenate(chunks), labels.numpy()


def score(netG, scorer, nz, conditional, count=1000):
    samples, asked = generate(netG, count, nz, conditional)
    classes = scorer.classify(samples)
    figures = {"fd_pca": scorer.frechet_distance(samples), "diversity": scorer.diversity(samples),
               "class_entropy": class_entropy(classes),
               "class_histogram": np.bincount(classes, minlength=NUM_CLASSES).tolist()}
    if conditional:
        figures["class_match"] = float((classes == asked).mean())
    return figures


# ----------------------------------------------------------------------------- the loss plot

def plot_curves(curves, colours, boundaries, height=160, width=480, margin=8):
    """Draw each curve (a 1-d array) as a polyline on a white (3, height, width) image in [0, 1], same axes."""
    image = np.ones((3, height, width), dtype=np.float32)
    lo = min(float(np.min(c)) for c in curves)
    hi = max(float(np.max(c)) for c in curves)
    span = max(hi - lo, 1e-6)
    inner_w, inner_h = width - 2 * margin, height - 2 * margin
    steps = max(len(c) for c in curves)
    for boundary in boundaries:                                              # epoch separators
        image[:, margin:height - margin, margin + int(boundary / max(steps - 1, 1) * (inner_w - 1))] = 0.8
    image[:, height - margin, margin:width - margin] = 0.5                   # x axis
    image[:, margin:height - margin, margin] = 0.5                           # y axis
    for curve, colour in zip(curves, colours):
        xs = np.linspace(0, inner_w - 1, len(curve))
        ys = (np.asarray(curve) - lo) / span * (inner_h - 1)
        dense_x = np.linspace(0, inner_w - 1, 4 * inner_w)
        dense_y = np.interp(dense_x, xs, ys)
        rows = height - margin - 1 - np.round(dense_y).astype(int)
        cols = margin + np.round(dense_x).astype(int)
        for channel, value in enumerate(colour):
            image[channel, rows, cols] = value
    return image


def smooth(values, window):
    """Moving average over ``window`` steps (shorter at the start)."""
    values = np.asarray(values, dtype=np.float64)
    sums = np.cumsum(np.concatenate([[0.0], values]))
    starts = np.maximum(np.arange(1, len(values) + 1) - window, 0)
    return (sums[1:] - sums[starts]) / (np.arange(1, len(values) + 1) - starts)


# ----------------------------------------------------------------------------- training

def train_epoch(netG, netD, loader, optimizerG, optimizerD, nz, conditional, label, stream, step_losses):
    """One pass of alternating D and G steps; returns the epoch's mean losses, D(x) and D(G(z))."""
    criterion = nn.BCEWithLogitsLoss()
    sums = {"loss_D": 0.0, "loss_G": 0.0, "D_x": 0.0, "D_G_z_before": 0.0, "D_G_z_after": 0.0}
    bar = ProgressBar(len(loader), label, stream=stream)
    for real, real_labels in loader:
        batch = real.size(0)
        real_target, fake_target = torch.ones(batch), torch.zeros(batch)
        fake_labels = torch.randint(0, NUM_CLASSES, (batch,)) if conditional else None
        real_labels = real_labels if conditional else None

        # (1) Update D: maximise log D(x) + log(1 - D(G(z)))
        netD.zero_grad()
        output = netD(real, real_labels)
        errD_real = criterion(output, real_target)
        errD_real.backward()
        D_x = torch.sigmoid(output).mean().item()
        noise = torch.randn(batch, nz, 1, 1)
        fake = netG(noise, fake_labels)
        output = netD(fake.detach(), fake_labels)
        errD_fake = criterion(output, fake_target)
        errD_fake.backward()
        D_G_z1 = torch.sigmoid(output).mean().item()
        errD = errD_real + errD_fake
        optimizerD.step()

        # (2) Update G: maximise log D(G(z))
        netG.zero_grad()
        output = netD(fake, fake_labels)
        errG = criterion(output, real_target)
        errG.backward()
        D_G_z2 = torch.sigmoid(output).mean().item()
        optimizerG.step()

        step_losses.append((errD.item(), errG.item()))
        for name, value in zip(sums, (errD.item(), errG.item(), D_x, D_G_z1, D_G_z2)):
            sums[name] += value
        bar.advance(loss_D=errD.item(), loss_G=errG.item())
    bar.close()
    return {name: total / len(loader) for name, total in sums.items()}


def save_samples(netG, fixed_noise, fixed_labels, path, conditional):
    netG.eval()
    with torch.no_grad():
        fake = netG(fixed_noise, fixed_labels)
    netG.train()
    nrow = NUM_CLASSES if conditional else 8
    save_image(fake, path, nrow=nrow, normalize=True, value_range=(-1, 1))


def write_metrics(path, metrics):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    atomic_write(path, lambda stream: json.dump(metrics, stream, indent=1), text=True)


def describe(figures, conditional):
    text = (f"FD-PCA {figures['fd_pca']:.1f}, diversity {figures['diversity']:.2f}, "
            f"class entropy {figures['class_entropy']:.2f}")
    return text + (f", class match {figures['class_match']:.2f}" if conditional else "")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=DEBIAN_DIR, help="folder holding the four Fashion-MNIST .gz files")
    parser.add_argument("--root", default=None,
                        help="dataset root to lay out and decompress into (default: a temporary folder)")
    parser.add_argument("--conditional", action="store_true", help="condition both networks on the class")
    parser.add_argument("--train-size", type=int, default=20000, help="training images used (the first ones)")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--beta1", type=float, default=0.5)
    parser.add_argument("--nz", type=int, default=100, help="size of the noise vector")
    parser.add_argument("--ngf", type=int, default=32, help="generator width")
    parser.add_argument("--ndf", type=int, default=32, help="discriminator width")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output-dir", default=None,
                        help="where grids and metrics.json go (default: dcgan_output or cdcgan_output)")
    parser.add_argument("--quick", action="store_true", help="seconds on a subset with small networks (for CI)")
    args = parser.parse_args(argv)
    if args.quick:
        args.train_size, args.epochs, args.ngf, args.ndf = 1024, 2, 16, 16
    output_dir = args.output_dir or ("cdcgan_output" if args.conditional else "dcgan_output")
    os.makedirs(output_dir, exist_ok=True)
    started, cpu_started = time.perf_counter(), time.process_time()
    torch.manual_seed(args.seed)

    with tempfile.TemporaryDirectory() as scratch:
        root = dataset_root(args.data_dir, args.root or scratch)
        train_images, train_labels = load_split(root, train=True)
        test_images, test_labels = load_split(root, train=False)
    train_images, train_labels = train_images[:args.train_size], train_labels[:args.train_size]
    loader = DataLoader(TensorDataset(train_images, train_labels), batch_size=args.batch_size, shuffle=True,
                        drop_last=True, generator=torch.Generator().manual_seed(args.seed))
    scorer = SampleScorer(train_images[:10000].numpy(), train_labels[:10000].numpy(), test_images[:1000].numpy(),
                          test_labels[:1000].numpy())
    kind = "conditional DCGAN" if args.conditional else "DCGAN"
    print(f"{kind} on {len(train_images)} Fashion-MNIST training images, {args.epochs} epochs of {len(loader)} "
          f"steps; real test images: FD-PCA {scorer.floor:.1f}, 5-NN accuracy {scorer.knn_accuracy:.3f}",
          flush=True)

    netG = Generator(args.nz, args.ngf, args.conditional)
    netD = Discriminator(args.ndf, args.conditional)
    netG.apply(weights_init)
    netD.apply(weights_init)
    optimizerD = torch.optim.Adam(netD.parameters(), lr=args.lr, betas=(args.beta1, 0.999))
    optimizerG = torch.optim.Adam(netG.parameters(), lr=args.lr, betas=(args.beta1, 0.999))
    if args.conditional:                  # one row per class, the same noise down each column
        fixed_noise = torch.randn(NUM_CLASSES, args.nz, 1, 1).repeat(NUM_CLASSES, 1, 1, 1)
        fixed_labels = torch.arange(NUM_CLASSES).repeat_interleave(NUM_CLASSES)
    else:
        fixed_noise, fixed_labels = torch.randn(64, args.nz, 1, 1), None

    untrained = score(netG, scorer, args.nz, args.conditional)
    print(f"epoch 0 (untrained generator): {describe(untrained, args.conditional)}", flush=True)
    history, step_losses, grids = [], [], []
    for epoch in range(1, args.epochs + 1):
        epoch_started = time.perf_counter()
        means = train_epoch(netG, netD, loader, optimizerG, optimizerD, args.nz, args.conditional,
                            f"epoch {epoch}/{args.epochs}", sys.stderr, step_losses)
        grids.append(os.path.join(output_dir, f"samples_epoch_{epoch:02d}.png"))
        save_samples(netG, fixed_noise, fixed_labels, grids[-1], args.conditional)
        figures = score(netG, scorer, args.nz, args.conditional)
        history.append({"epoch": epoch, **means, **figures, "seconds": time.perf_counter() - epoch_started})
        print(f"epoch {epoch}: loss_D {means['loss_D']:.4f}, loss_G {means['loss_G']:.4f}, D(x) {means['D_x']:.3f}, "
              f"D(G(z)) {means['D_G_z_before']:.3f} / {means['D_G_z_after']:.3f}; {describe(figures, args.conditional)}"
              f" ({history[-1]['seconds']:.0f} s)", flush=True)

    losses = np.array(step_losses)
    window = max(1, len(losses) // 50)
    curves_path = os.path.join(output_dir, "loss_curves.png")
    boundaries = [len(loader) * epoch for epoch in range(1, args.epochs)]
    plot = plot_curves([smooth(losses[:, 1], window), smooth(losses[:, 0], window)], [(0.85, 0.1, 0.1),
                                                                                      (0.1, 0.2, 0.85)], boundaries)
    save_image(torch.from_numpy(plot), curves_path)
    seconds = time.perf_counter() - started
    final = history[-1]
    print(f"{kind}: FD-PCA {untrained['fd_pca']:.1f} untrained -> {final['fd_pca']:.1f} trained (real test images "
          f"{scorer.floor:.1f}); last grid {grids[-1]}; loss curves {curves_path}; {seconds:.0f} s")
    metrics = {"conditional": args.conditional, "history": history, "untrained": untrained,
               "real_test": {"fd_pca": scorer.floor, "knn_accuracy": scorer.knn_accuracy},
               "grids": grids, "loss_curves": curves_path,
               "parameters": {"generator": sum(p.numel() for p in netG.parameters()),
                              "discriminator": sum(p.numel() for p in netD.parameters())},
               "steps": len(step_losses),
               "settings": {name: value for name, value in vars(args).items() if name != "output_dir"},
               "seconds": seconds, "cpu_seconds": time.process_time() - cpu_started}
    write_metrics(os.path.join(output_dir, "metrics.json"), metrics)
    return metrics


if __name__ == "__main__":
    main()
