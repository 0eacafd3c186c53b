"""Edge detection: train HED on generated scenes with known edges, then compare it with Canny by F-score.

Each scene is a textured background with textured ellipses and polygons laid over it, blurred slightly and
noised; the ground-truth edges are the shapes' visible boundaries. Textures (stripes, blotches, grain) make
Canny fire inside regions, while HED can learn that only boundaries between regions count.

Both detectors are scored as in the BSDS benchmark's ODS figure: one threshold for the whole held-out set
(the best one, for each detector), edge maps thinned to one pixel (Canny by construction, HED's fused
probability map by the same non-maximum suppression Canny uses), and a predicted edge pixel counting as
correct when a true edge lies within ``--tolerance`` pixels (and vice versa for recall).

The full run trains a reduced-width HED (``--base-channels 8``, an eighth of VGG-16's widths: 0.23 M
parameters instead of 14.7 M) on 48x48 scenes so that it finishes on a CPU in minutes; ``--base-channels 64``
is the paper's network. Canny gets the same ODS treatment over its parameters (sigma and thresholds).
``--quick`` runs in seconds.

    python examples/edge_detection_hed.py            # full run
    python examples/edge_detection_hed.py --quick    # CI
"""

import argparse
import json
import sys
import time

import numpy as np

import ember
import ember.vision as vision
from ember.utils.progress import ProgressBar
from ember.vision.models.hed import HED, hed_loss


# ----------------------------------------------------------------------------- synthetic scenes
def texture(rng, size):
    """A random texture with zero mean: oriented stripes, smooth blotches and grain, in random proportions."""
    rows, columns = np.mgrid[0:size, 0:size].astype(np.float64)
    angle = rng.uniform(0, np.pi)
    period = rng.uniform(3.0, 9.0)
    stripes = np.sin(2 * np.pi * (rows * np.sin(angle) + columns * np.cos(angle)) / period + rng.uniform(0, 6.3))
    coarse = rng.standard_normal((size // 8 + 2, size // 8 + 2))
    blotches = np.kron(coarse, np.ones((8, 8)))[:size, :size]
    blotches = box_blur(blotches, 4)
    grain = rng.standard_normal((size, size))
    weights = rng.dirichlet([1.0, 1.0, 1.0]) * rng.uniform(0.05, 0.2)
    return weights[0] * stripes + weights[1] * blotches / (blotches.std() + 1e-8) + weights[2] * grain


def box_blur(image, radius):
    """Mean over a (2 * radius + 1) square window, edges repeated: a cheap smoothing of the last two axes."""
    size = 2 * radius + 1
    padded = np.pad(image, [(0, 0)] * (image.ndim - 2) + [(radius, radius), (radius, radius)], mode="edge")
    summed = padded.cumsum(-2).cumsum(-1)
    summed = np.pad(summed, [(0, 0)] * (image.ndim - 2) + [(1, 0), (1, 0)])
    height, width = image.shape[-2:]
    window = (summed[..., size:size + height, size:size + width] - summed[..., :height, size:size + width]
              - summed[..., size:size + height, :width] + summed[..., :height, :width])
    return window / size ** 2


def ellipse_mask(rng, size):
    rows, columns = np.mgrid[0:size, 0:size].astype(np.float64)
    centre = rng.uniform(0.15 * size, 0.85 * size, size=2)
    radii = rng.uniform(0.1 * size, 0.35 * size, size=2)
    angle = rng.uniform(0, np.pi)
    dy, dx = rows - centre[0], columns - centre[1]
    u = dx * np.cos(angle) + dy * np.sin(angle)
    v = -dx * np.sin(angle) + dy * np.cos(angle)
    return (u / radii[0]) ** 2 + (v / radii[1]) ** 2 <= 1.0


def polygon_mask(rng, size):
    """A random convex polygon: the intersection of the half-planes left of each edge."""
    rows, columns = np.mgrid[0:size, 0:size].astype(np.float64)
    centre = rng.uniform(0.2 * size, 0.8 * size, size=2)
    corners = rng.integers(3, 7)
    angles = np.sort(rng.uniform(0, 2 * np.pi, size=corners))
    radius = rng.uniform(0.15 * size, 0.4 * size)
    ys, xs = centre[0] + radius * np.sin(angles), centre[1] + radius * np.cos(angles)
    inside = np.ones((size, size), dtype=bool)
    for i in range(corners):
        j = (i + 1) % corners
        cross = (xs[j] - xs[i]) * (rows - ys[i]) - (ys[j] - ys[i]) * (columns - xs[i])
        inside &= cross >= 0
    return inside


def boundaries(labels):
    """One-pixel edges: pixels whose label differs from the one to their right or below."""
    edges = np.zeros(labels.shape, dtype=bool)
    edges[:, :-1] |= labels[:, :-1] != labels[:, 1:]
    edges[:-1, :] |= labels[:-1, :] != labels[1:, :]
    return edges


def make_scene(rng, size):
    """An RGB image (3, size, size) in [0, 1] and its edge map (size, size)."""
    labels = np.zeros((size, size), dtype=np.int64)
    image = rng.uniform(0.2, 0.8, size=(3, 1, 1)) + texture(rng, size)[None]
    for shape in range(1, rng.integers(2, 6)):
        mask = ellipse_mask(rng, size) if rng.random() < 0.5 else polygon_mask(rng, size)
        if mask.sum() < 20:
            continue
        colour = rng.uniform(0.1, 0.9, size=(3, 1, 1))
        image = np.where(mask[None], colour + texture(rng, size)[None], image)
        labels[mask] = shape
    image = box_blur(image, 1) * 0.5 + image * 0.5                     # slightly soft boundaries
    image = image + rng.normal(0, rng.uniform(0.01, 0.06), size=image.shape)
    return np.clip(image, 0, 1), boundaries(labels)


def make_dataset(rng, count, size):
    scenes = [make_scene(rng, size) for _ in range(count)]
    images = np.stack([s[0] for s in scenes]).astype(np.float32)
    edges = np.stack([s[1] for s in scenes])[:, None].astype(np.float32)
    return images, edges


# ----------------------------------------------------------------------------- scoring
def dilate(mask, radius):
    """Boolean (N, H, W) masks grown by ``radius`` pixels (a square neighbourhood)."""
    out = mask.copy()
    padded = np.pad(mask, ((0, 0), (radius, radius), (radius, radius)))
    height, width = mask.shape[-2:]
    for dy in range(2 * radius + 1):
        for dx in range(2 * radius + 1):
            out |= padded[:, dy:dy + height, dx:dx + width]
    return out


def match_counts(predicted, truth, tolerance):
    """(matched predictions, predictions, matched truths, truths) for boolean (N, H, W) edge maps."""
    near_truth, near_prediction = dilate(truth, tolerance), dilate(predicted, tolerance)
    return np.array([(predicted & near_truth).sum(), predicted.sum(), (truth & near_prediction).sum(), truth.sum()])


def f_score(counts):
    """Precision, recall and F-score from summed ``match_counts``."""
    precision = counts[0] / max(counts[1], 1)
    recall = counts[2] / max(counts[3], 1)
    return precision, recall, 2 * precision * recall / max(precision + recall, 1e-12)


def best_threshold(maps_by_threshold, truth, tolerance):
    """ODS: the threshold whose edge maps score best over the whole set; returns (F, P, R, threshold)."""
    best = (-1.0, 0.0, 0.0, None)
    for threshold, predicted in maps_by_threshold:
        precision, recall, f = f_score(match_counts(predicted, truth, tolerance))
        if f > best[0]:
            best = (f, precision, recall, threshold)
    return best


def ridge_normals(probability):
    """Direction (radians) across the ridges of (N, 1, H, W) maps: the Hessian's strongest curvature.

    On a crest that is the most negative curvature; on a ridge's flanks, where the profile is convex, the
    most positive one. Both point across the ridge, while the curvature along it stays near zero.
    """
    smooth = ember.from_numpy(box_blur(probability, 1))
    dx, dy = vision.sobel(smooth, return_gradients=True)
    dxx, dxy = vision.sobel(dx, return_gradients=True)
    _, dyy = vision.sobel(dy, return_gradients=True)
    dxx, dxy, dyy = (t.numpy()[:, 0] for t in (dxx, dxy, dyy))
    most_positive = 0.5 * np.arctan2(2 * dxy, dxx - dyy)
    return np.where(dxx + dyy < 0, most_positive + np.pi / 2, most_positive)


def thin(probability):
    """One-pixel-wide ridges of (N, 1, H, W) edge probabilities: non-maximum suppression across each ridge.

    As Canny's thinning, but along the ridge normal (the gradient vanishes on a ridge's crest), rounded to
    45 degrees; a pixel stays when it is at least as probable as both neighbours across the ridge.
    """
    values = probability[:, 0]
    height, width = values.shape[-2:]
    padded = np.pad(values, ((0, 0), (1, 1), (1, 1)))
    sector = np.round(ridge_normals(probability) / (np.pi / 4)).astype(np.int64) % 4
    keep = np.zeros(values.shape, dtype=bool)
    for index, (dy, dx) in enumerate(((0, 1), (1, 1), (1, 0), (1, -1))):
        ahead = padded[:, 1 + dy:1 + dy + height, 1 + dx:1 + dx + width]
        behind = padded[:, 1 - dy:1 - dy + height, 1 - dx:1 - dx + width]
        keep |= (sector == index) & (values >= ahead) & (values >= behind)
    return np.where(keep, values, 0.0)


# ----------------------------------------------------------------------------- training and evaluation
def predict(hed, images, batch_size):
    hed.eval()
    out = []
    with ember.no_grad():
        for start in range(0, len(images), batch_size):
            batch = ember.from_numpy(images[start:start + batch_size] - 0.5)
            out.append(ember.sigmoid(hed(batch)[-1]).numpy())
    return np.concatenate(out)


def train(hed, images, edges, args, rng):
    optimizer = ember.optim.Adam(hed.parameters(), lr=args.lr)
    steps = (len(images) + args.batch_size - 1) // args.batch_size
    for epoch in range(1, args.epochs + 1):
        hed.train()
        order = rng.permutation(len(images))
        bar = ProgressBar(steps, f"epoch {epoch}/{args.epochs}")
        total = 0.0
        for step in range(steps):
            chosen = order[step * args.batch_size:(step + 1) * args.batch_size]
            batch = ember.from_numpy(images[chosen] - 0.5)
            loss = hed_loss(hed(batch), ember.from_numpy(edges[chosen]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item()
            bar.advance(loss=loss.item())
        bar.close()
        print(f"epoch {epoch}: mean training loss {total / steps:.4f}", flush=True)


def evaluate(hed, images, truth, args):
    """ODS F-scores of HED and Canny on the held-out scenes at each tolerance; a dict of results."""
    probability = predict(hed, images, args.batch_size)
    ridges = thin(probability)
    hed_maps = [(t, ridges >= t) for t in np.linspace(0.05, 0.95, 19)]
    canny_maps = []
    for sigma in (1.0, 2.0, 3.0):
        kernel_size = 2 * int(round(3 * sigma)) + 1
        for high in (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.3, 1.6, 2.0):
            _, edges = vision.canny(ember.from_numpy(images), 0.5 * high, high, kernel_size, sigma)
            canny_maps.append(((sigma, high), edges.numpy()[:, 0] > 0))
    results = {}
    for tolerance in sorted({1, args.tolerance}):
        f, p, r, t = best_threshold(hed_maps, truth, tolerance)
        results[f"hed_tol{tolerance}"] = {"f": f, "precision": p, "recall": r, "threshold": float(t)}
        f, p, r, (sigma, high) = best_threshold(canny_maps, truth, tolerance)
        results[f"canny_tol{tolerance}"] = {"f": f, "precision": p, "recall": r, "sigma": sigma,
                                            "high_threshold": high, "low_threshold": 0.5 * high}
    return results


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few seconds' run for CI")
    parser.add_argument("--size", type=int, default=48, help="image side in pixels")
    parser.add_argument("--train-images", type=int, default=400)
    parser.add_argument("--test-images", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--base-channels", type=int, default=8, help="trunk width (64 = VGG-16)")
    parser.add_argument("--tolerance", type=int, default=2, help="match distance in pixels (1 is also reported)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--results", help="write the figures to this JSON file")
    parser.add_argument("--save", help="save the trained HED's state_dict to this file")
    args = parser.parse_args(argv)
    if args.quick:
        args.size, args.train_images, args.test_images, args.epochs, args.base_channels = 32, 32, 8, 2, 4
    return args


def main(argv=None):
    args = parse_args(argv)
    started = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    ember.manual_seed(args.seed)
    train_images, train_edges = make_dataset(rng, args.train_images, args.size)
    test_images, test_edges = make_dataset(rng, args.test_images, args.size)
    print(f"{args.train_images} training and {args.test_images} held-out scenes of {args.size}x{args.size}; "
          f"edge pixels {train_edges.mean():.1%}", flush=True)

    hed = HED(base_channels=args.base_channels)
    params = sum(p.numel() for p in hed.parameters())
    print(f"HED with base_channels={args.base_channels}: {params:,} parameters", flush=True)
    train(hed, train_images, train_edges, args, rng)
    results = evaluate(hed, test_images, test_edges[:, 0] > 0, args)

    for tolerance in sorted({1, args.tolerance}):
        h, c = results[f"hed_tol{tolerance}"], results[f"canny_tol{tolerance}"]
        print(f"tolerance {tolerance}px  HED   ODS F {h['f']:.3f} (P {h['precision']:.3f}, R {h['recall']:.3f}) "
              f"at probability {h['threshold']:.2f}")
        print(f"tolerance {tolerance}px  Canny ODS F {c['f']:.3f} (P {c['precision']:.3f}, R {c['recall']:.3f}) "
              f"at sigma {c['sigma']:g}, thresholds {c['low_threshold']:g}/{c['high_threshold']:g}")
    results["seconds"] = time.perf_counter() - started
    print(f"total time {results['seconds']:.1f}s")
    if args.save:
        ember.save(hed.state_dict(), args.save)
    if args.results:
        with open(args.results, "w") as f:
            json.dump(results, f, indent=1)
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
