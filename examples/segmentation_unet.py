"""Semantic segmentation with a U-Net on generated images: circles, squares and triangles on textured backgrounds.

The program draws its own data set (so it needs no download): each image holds one to three shapes of random
size, rotation and colour on a background of noise, stripes or a colour gradient, and its mask labels every pixel
background (0), circle (1), square (2) or triangle (3). A U-Net (ember.vision.models.segmentation.UNet) learns
the masks with per-pixel cross-entropy; the figure of merit is the mean intersection-over-union over the four
classes on images generated apart from the training set.

    python examples/segmentation_unet.py            # the full run: mean IoU >= 0.9
    python examples/segmentation_unet.py --quick    # a few seconds, for CI
"""

import argparse
import sys
import time

import numpy as np

import ember
import ember.nn.functional as F
from ember.utils.progress import ProgressBar
from ember.vision.models.segmentation import UNet

CLASSES = ("background", "circle", "square", "triangle")


# ----------------------------------------------------------------------------- the data set
def backgrounds(n, size, rng):
    """``n`` RGB textures ``(n, 3, size, size)`` in [0, 1]: a third noise, a third stripes, a third gradients.

    Also returns the two colours each texture mixes, so shapes can be drawn in a colour that stands out.
    """
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32) / size
    first, second = rng.uniform(0, 1, (2, n, 3, 1, 1)).astype(np.float32)
    angle = rng.uniform(0, np.pi, (n, 1, 1))
    along = xs * np.cos(angle) + ys * np.sin(angle)                    # (n, size, size) coordinate along angle
    frequency = rng.uniform(3, 8, (n, 1, 1))
    stripes = 0.5 + 0.5 * np.sin(2 * np.pi * frequency * along + rng.uniform(0, 2 * np.pi, (n, 1, 1)))
    ramp = (along - along.min(axis=(1, 2), keepdims=True)) / np.ptp(along, axis=(1, 2), keepdims=True)
    noise = rng.uniform(0, 1, (n, size, size))
    kind = rng.integers(0, 3, n)[:, None, None]
    mix = np.where(kind == 0, noise, np.where(kind == 1, stripes, ramp)).astype(np.float32)[:, None]
    return first + (second - first) * mix, first[:, :, 0, 0], second[:, :, 0, 0]


def contrasting_colours(first, second, rng, candidates=16):
    """Per image, the random colour (of a few candidates) farthest from the colours its background mixes.

    A background mixes ``first`` and ``second`` in every proportion, so the distance that counts is the one to
    the segment between them.
    """
    n = first.shape[0]
    options = rng.uniform(0, 1, (n, candidates, 3)).astype(np.float32)
    direction = (second - first)[:, None]
    along = np.sum((options - first[:, None]) * direction, axis=2) / np.maximum(np.sum(direction ** 2, axis=2), 1e-6)
    nearest = first[:, None] + np.clip(along, 0, 1)[..., None] * direction
    distance = np.linalg.norm(options - nearest, axis=2)
    return options[np.arange(n), distance.argmax(axis=1)]


def shape_masks(kind, cx, cy, radius, angle, size):
    """Boolean masks ``(n, size, size)``: shape ``kind[i]`` (1 circle, 2 square, 3 triangle) of each image.

    Every shape has its centre, rotation and circumradius; all three shapes are computed for every image with
    array expressions and the wanted one is picked.
    """
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    dx, dy = xs - cx[:, None, None], ys - cy[:, None, None]
    r, a = radius[:, None, None], angle[:, None, None]
    circle = dx ** 2 + dy ** 2 <= (0.8 * r) ** 2
    u, v = dx * np.cos(a) + dy * np.sin(a), -dx * np.sin(a) + dy * np.cos(a)
    square = (np.abs(u) <= 0.72 * r) & (np.abs(v) <= 0.72 * r)
    triangle = np.ones_like(circle)
    corners = [a + 2 * np.pi * k / 3 for k in range(3)]
    for k in range(3):           # inside = on the inner side of each of the three edges
        x0, y0 = r * np.cos(corners[k]), r * np.sin(corners[k])
        x1, y1 = r * np.cos(corners[(k + 1) % 3]), r * np.sin(corners[(k + 1) % 3])
        triangle &= (x1 - x0) * (dy - y0) - (y1 - y0) * (dx - x0) >= 0
    chosen = kind[:, None, None]
    return np.where(chosen == 1, circle, np.where(chosen == 2, square, triangle))


def make_dataset(n, size, seed, max_shapes=3):
    """``n`` images ``(n, 3, size, size)`` (float32, normalised) and their class masks ``(n, size, size)``.

    Each image has one to ``max_shapes`` (at most 4) shapes, each in its own quarter of the image so that they
    do not overlap, at a random place, size and rotation inside it.
    """
    rng = np.random.default_rng(seed)
    images, first, second = backgrounds(n, size, rng)
    masks = np.zeros((n, size, size), dtype=np.int64)
    quarters = np.argsort(rng.random((n, 4)), axis=1)            # a random order of the four quarters per image
    half = size / 2
    for slot in range(max_shapes):
        present = rng.random(n) < (1.0 if slot == 0 else 0.6)
        kind = rng.integers(1, len(CLASSES), n)
        radius = rng.uniform(0.55, 0.95, n) * half / 2
        left, top = (quarters[:, slot] % 2) * half, (quarters[:, slot] // 2) * half
        cx, cy = left + rng.uniform(radius, half - radius), top + rng.uniform(radius, half - radius)
        drawn = shape_masks(kind, cx, cy, radius, rng.uniform(0, 2 * np.pi, n), size) & present[:, None, None]
        colour = contrasting_colours(first, second, rng)
        shading = colour[:, :, None, None] + rng.normal(0, 0.04, (n, 3, size, size)).astype(np.float32)
        images = np.where(drawn[:, None], shading, images)
        masks = np.where(drawn, kind[:, None, None], masks)
    images = images + rng.normal(0, 0.03, images.shape).astype(np.float32)
    return ((images - 0.5) / 0.25).astype(np.float32), masks


# ----------------------------------------------------------------------------- the figure of merit
def confusion_matrix(predicted, target, num_classes):
    """Pixel counts ``[true class, predicted class]`` over all the images."""
    pairs = num_classes * target.reshape(-1) + predicted.reshape(-1)
    return np.bincount(pairs, minlength=num_classes ** 2).reshape(num_classes, num_classes)


def iou_per_class(confusion):
    """Intersection over union of each class: true positives over (true + predicted - true positives)."""
    hits = np.diag(confusion).astype(np.float64)
    union = confusion.sum(axis=0) + confusion.sum(axis=1) - hits
    with np.errstate(invalid="ignore"):
        return hits / union                         # nan for a class absent from both


def mean_iou(confusion):
    """Mean IoU over the classes that occur (in the targets or the predictions)."""
    return float(np.nanmean(iou_per_class(confusion)))


def evaluate(model, images, masks, batch_size):
    """The confusion matrix of the model's per-pixel predictions on ``images``."""
    model.eval()
    confusion = np.zeros((len(CLASSES), len(CLASSES)), dtype=np.int64)
    with ember.no_grad():
        for start in range(0, len(images), batch_size):
            logits = model(ember.from_numpy(images[start:start + batch_size]))
            predicted = logits.argmax(dim=1).numpy()
            confusion += confusion_matrix(predicted, masks[start:start + batch_size], len(CLASSES))
    model.train()
    return confusion


# ----------------------------------------------------------------------------- training
def train(args):
    ember.manual_seed(args.seed)
    started = time.perf_counter()
    train_images, train_masks = make_dataset(args.train_size, args.image_size, seed=args.seed)
    test_images, test_masks = make_dataset(args.test_size, args.image_size, seed=args.seed + 1)
    model = UNet(in_channels=3, num_classes=len(CLASSES), base_channels=args.base_channels, depth=args.depth)
    steps_per_epoch = -(-args.train_size // args.batch_size)
    optimizer = ember.optim.Adam(model.parameters(), lr=args.lr)
    schedule = ember.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs * steps_per_epoch)
    rng = np.random.default_rng(args.seed)
    print(f"U-Net with {sum(p.numel() for p in model.parameters())} parameters; {args.train_size} training and "
          f"{args.test_size} test images of {args.image_size}x{args.image_size}")
    for epoch in range(1, args.epochs + 1):
        order = rng.permutation(args.train_size)
        bar = ProgressBar(steps_per_epoch, f"epoch {epoch}/{args.epochs}")
        total = 0.0
        for step in range(steps_per_epoch):
            batch = order[step * args.batch_size:(step + 1) * args.batch_size]
            images, masks = train_images[batch], train_masks[batch]
            flips = rng.random(2) < 0.5                  # the same random flip for the whole batch
            if flips[0]:
                images, masks = images[..., ::-1], masks[..., ::-1]
            if flips[1]:
                images, masks = images[..., ::-1, :], masks[..., ::-1, :]
            logits = model(ember.from_numpy(np.ascontiguousarray(images)))
            loss = F.cross_entropy(logits, ember.from_numpy(np.ascontiguousarray(masks)))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item()
            bar.advance(loss=loss.item())
        bar.close()
        line = f"epoch {epoch}: loss {total / steps_per_epoch:.4f}"
        if epoch == args.epochs or args.eval_every and epoch % args.eval_every == 0:
            line += f"  test mean IoU {mean_iou(evaluate(model, test_images, test_masks, args.batch_size)):.4f}"
        print(line, flush=True)
    confusion = evaluate(model, test_images, test_masks, args.batch_size)
    per_class = iou_per_class(confusion)
    print("IoU per class: " + ", ".join(f"{name} {value:.4f}" for name, value in zip(CLASSES, per_class)))
    print(f"mean IoU: {mean_iou(confusion):.4f}")
    print(f"time: {time.perf_counter() - started:.1f} s")
    if args.save:
        ember.save(model.state_dict(), args.save)
        print(f"saved the model's state_dict to {args.save}")
    return mean_iou(confusion)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tiny run that takes seconds (for CI)")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--train-size", type=int, default=1200, help="number of generated training images")
    parser.add_argument("--test-size", type=int, default=200, help="number of held-out images")
    parser.add_argument("--image-size", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=0.01, help="initial learning rate (cosine decay to 0)")
    parser.add_argument("--base-channels", type=int, default=8)
    parser.add_argument("--depth", type=int, default=3)
    parser.add_argument("--eval-every", type=int, default=0, help="also report test mean IoU every N epochs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", default=None, help="write the trained state_dict to this file")
    args = parser.parse_args(argv)
    if args.quick:
        args.epochs, args.train_size, args.test_size = 1, 48, 16
        args.image_size, args.base_channels, args.depth = 24, 4, 2
    return args


if __name__ == "__main__":
    train(parse_args())
    sys.exit(0)
